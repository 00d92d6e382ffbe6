#!/usr/bin/env bash
# The device check, run on the GPU machine from the unpacked bundle (tests/gpu/bundle.sh): the embedded server with
# real GPU discovery (nvidia-smi), a torch pipeline on the GPU the scheduler assigns, the churn example, a SIGKILL of
# the server in the middle of a GPU step and a restart. Everything it learns goes to $OUT.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)      # the bundle root (this script is gpu/check.sh in it)
out=${OUT:-/tmp/gpu-check-out}; mkdir -p "$out"
export DOTNET_ROOT="$here/dotnet" PATH="$here/dotnet:$PATH"
data=$(mktemp -d)
server() { dotnet "$here/server/Orchestrator.Server.dll" --data-dir "$data" --node-name h200 >>"$out/server.log" 2>&1 & echo $!; }
orch() { dotnet "$here/cli/orch.dll" "$@"; }
wait_ready() { for _ in $(seq 1 240); do orch nodes -o json 2>/dev/null | grep -q NODE_STATE_READY && return 0; sleep 0.5; done; return 1; }

nvidia-smi -L | tee "$out/nvidia-smi-L.txt"
pid=$(server); wait_ready || { echo "server not ready"; tail -50 "$out/server.log"; exit 1; }
orch nodes | tee "$out/nodes.txt"; orch nodes -o json >"$out/nodes.json"

orch pipeline apply -f "$here/gpu/gpu.yaml"
run=$(orch run submit gpu-check)
orch run watch "$run" | tee "$out/gpu-watch.txt"
orch run get "$run" -o json >"$out/gpu-run.json"
for k in 'matmul[0]' 'matmul[1]'; do orch run logs "$run" "$k" >"$out/gpu-log-$k.txt" 2>&1; done

orch pipeline apply -f "$here/examples/churn/pipeline.yaml"
churn=$(orch run submit churn -p "code_dir=$here/examples/churn")
orch run watch "$churn" >"$out/churn-watch.txt"; echo "churn exit $?" | tee -a "$out/churn-watch.txt"
orch run get "$churn" -o json >"$out/churn-run.json"
orch run logs "$churn" 'train[0]' >"$out/churn-train0.txt" 2>&1

# Crash in the middle of a GPU step: SIGKILL, check no step process survives, restart, the run finishes by itself.
run2=$(orch run submit gpu-check -p size=16384 -p 'seeds=[5]' --no-cache)
for _ in $(seq 1 200); do orch run get "$run2" -o json | grep -q STEP_STATE_RUNNING && break; sleep 0.1; done
sleep 1; kill -9 "$pid"; sleep 2
pgrep -af "bfloat16" >"$out/after-kill-processes.txt"; echo "step processes alive after SIGKILL: $(wc -l <"$out/after-kill-processes.txt")" | tee -a "$out/summary.txt"
pid=$(server); wait_ready
orch run watch "$run2" >"$out/crash-watch.txt"; echo "crash run exit $?" | tee -a "$out/summary.txt"
orch run get "$run2" -o json >"$out/crash-run.json"
curl -fsS "http://127.0.0.1:7071/metrics" >"$out/metrics.txt" 2>/dev/null || true
kill "$pid"; wait "$pid" 2>/dev/null
echo done | tee -a "$out/summary.txt"
