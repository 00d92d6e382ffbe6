#!/usr/bin/env bash
# The main job on the embedded default, in one command: build, start the server (silo + gRPC gateway + local agent,
# state under a fresh data directory), run the churn pipeline end to end with a live view, show the run, the node and
# a few metrics, then stop the server. Simulated GPUs when this machine has no nvidia-smi.
#
#   examples/demo.sh            (ORCH_GRPC_PORT / ORCH_HTTP_PORT to move off 7070 / 7071; KEEP=1 keeps the data dir)
set -euo pipefail
source "$(dirname "$0")/lib/server.sh"

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
