# Sourced by the demos: builds (Release), starts the server on the embedded default (silo + gRPC gateway + local agent,
# state under a fresh data directory), defines `orch`, waits for the local node, and stops the server on exit.
# Sets: root, grpc, http, data, server. Simulated GPUs when this machine has no nvidia-smi.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
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
