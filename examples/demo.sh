#!/usr/bin/env bash
# The main job on the embedded default, in one command: build, start the server (silo + gRPC gateway + local agent,
# state under a fresh data directory), run the churn pipeline end to end with a live view, show the run, the node and
# a few metrics, then stop the server. Simulated GPUs when this machine has no nvidia-smi.
#
#   examples/demo.sh            (ORCH_GRPC_PORT / ORCH_HTTP_PORT to move off 7070 / 7071; KEEP=1 keeps the data dir)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
grpc=${ORCH_GRPC_PORT:-7070}
http=${ORCH_HTTP_PORT:-7071}

echo "== building (Release)"
dotnet build Orchestrator.sln -c Release -nologo -v quiet

data=$(mktemp -d -t orch-demo-XXXXXX)
gpus=()
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  echo "== real GPUs found by nvidia-smi"
else
  echo "== no nvidia-smi here: the local agent registers 2 simulated GPUs"
  gpus=(--simulate-gpus 2 --gpu-model "Simulated GPU")
fi

echo "== starting the server (data in $data, gRPC :$grpc, metrics :$http/metrics)"
dotnet src/Orchestrator.Server/bin/Release/net10.0/Orchestrator.Server.dll \
  --data-dir "$data" --grpc-port "$grpc" --http-port "$http" "${gpus[@]}" >"$data/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  if [ "${KEEP:-0}" = 1 ]; then echo "data kept in $data"; else rm -rf "$data"; fi
}
trap cleanup EXIT

orch() { dotnet "$root/src/Orchestrator.Cli/bin/Release/net10.0/orch.dll" --server "http://127.0.0.1:$grpc" "$@"; }
for _ in $(seq 1 120); do
  if orch nodes -o json 2>/dev/null | grep -q NODE_STATE_READY; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then cat "$data/server.log"; exit 1; fi
  sleep 0.5
done

echo "== orch nodes"
orch nodes
echo "== orch pipeline apply -f examples/churn/pipeline.yaml"
orch pipeline apply -f examples/churn/pipeline.yaml
echo "== orch run submit churn --watch"
run=$(orch run submit churn -p "code_dir=$root/examples/churn")
orch run watch "$run"
echo "== orch run get $run"
orch run get "$run"
echo "== orch run logs $run evaluate"
orch run logs "$run" evaluate
echo "== a few metrics"
curl -fsS "http://127.0.0.1:$http/metrics" | grep -E '^orchestrator_(runs|step_transitions_total|node_gpus|scheduler_placements_total)' || true
