#!/usr/bin/env bash
# The device check, run on the GPU machine from the unpacked bundle (tests/gpu/bundle.sh): the self-contained server
# on a machine without .NET, GPU discovery through nvidia-smi, the gpu-train example with its PyTorch train step on
# the GPU the scheduler assigned while /metrics is sampled, and two one-GPU steps that must share the GPU in turn.
# Everything it learns goes to $OUT.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)      # the bundle root (this script is gpu/check.sh in it)
out=${OUT:-/tmp/gpu-check-out}; mkdir -p "$out"
data=$(mktemp -d)
orch() { "$here/bin/orch" "$@"; }
wait_ready() { for _ in $(seq 1 240); do orch nodes -o json 2>/dev/null | grep -q NODE_STATE_READY && return 0; sleep 0.5; done; return 1; }

{ echo "dotnet on PATH: $(command -v dotnet || echo none)"; echo "DOTNET_ROOT: ${DOTNET_ROOT:-unset}"; file "$here/bin/Orchestrator.Server" 2>/dev/null; nvidia-smi -L; } | tee "$out/env.txt"
"$here/bin/Orchestrator.Server" --data-dir "$data" --node-name h200 >>"$out/server.log" 2>&1 & pid=$!
wait_ready || { echo "server not ready"; tail -50 "$out/server.log"; exit 1; }
orch nodes | tee "$out/nodes.txt"; orch nodes -o json >"$out/nodes.json"

# gpu-train with sizes that keep an H200 busy for a while; /metrics sampled every half second while it runs.
orch pipeline apply -f "$here/examples/gpu-train/pipeline.yaml"
run=$(orch run submit gpu-train -p "code_dir=$here/examples/gpu-train" -p rows=200000 -p hidden=4096 -p epochs=120)
( while kill -0 "$pid" 2>/dev/null; do
    echo "# $(date -u +%H:%M:%S.%N | cut -c1-12) train=$(orch run get "$run" 2>/dev/null | awk '$1=="train" {print $2; exit}')"
    curl -fsS http://127.0.0.1:7071/metrics 2>/dev/null | grep -E '^orchestrator_gpu_(utilization_ratio|memory_used_bytes)'
    sleep 0.5
  done ) >"$out/metrics-during-train.txt" 2>&1 & sampler=$!
orch run watch "$run" | tee "$out/train-watch.txt"
kill "$sampler" 2>/dev/null
orch run get "$run" | tee "$out/train-run.txt"; orch run get "$run" -o json >"$out/train-run.json"
orch run logs "$run" train >"$out/train-log.txt" 2>&1; orch run logs "$run" gate >"$out/gate-log.txt" 2>&1
grep -E 'orchestrator_gpu_utilization_ratio\{[^}]*\} (0\.[0-9]*[1-9]|1)' "$out/metrics-during-train.txt" | sort | uniq -c | sort -rn | head -5 >"$out/utilization-above-zero.txt"
echo "metric samples with utilization above 0: $(grep -c 'orchestrator_gpu_utilization_ratio{' "$out/metrics-during-train.txt") sampled, $(awk '{s+=$1} END {print s+0}' "$out/utilization-above-zero.txt") above 0" | tee -a "$out/summary.txt"

# Two one-GPU torch steps on a one-GPU node: the scheduler must run them one after the other.
orch pipeline apply -f "$here/gpu/gpu.yaml"
pair=$(orch run submit gpu-check)
# While one matmul holds the only GPU, the other waits: ask the scheduler why, and show the pool.
for _ in $(seq 1 100); do orch run get "$pair" 2>/dev/null | grep -q '^matmul\[[01]\] *running' && break; sleep 0.2; done
orch run why "$pair" | tee "$out/pair-why.txt"; orch pools | tee "$out/pools.txt"
orch run watch "$pair" >"$out/pair-watch.txt"; echo "pair run exit $?" | tee -a "$out/summary.txt"
orch run get "$pair" -o json >"$out/pair-run.json"
for i in 0 1; do orch run logs "$pair" "matmul[$i]" >"$out/pair-log-$i.txt" 2>&1; done
curl -fsS http://127.0.0.1:7071/metrics >"$out/metrics-end.txt" 2>/dev/null
kill "$pid"; wait "$pid" 2>/dev/null
echo done | tee -a "$out/summary.txt"
