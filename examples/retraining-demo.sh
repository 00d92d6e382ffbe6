#!/usr/bin/env bash
# The closed loop on the embedded default, in one command: the churn pipeline trains and registers version 1, which
# becomes champion; synthetic traffic like its training data is calm; drifted traffic makes the monitor's window drift;
# that starts a retraining run of the churn pipeline on the newer data by itself (within the retraining budget); the
# version it registers passes the gates, becomes challenger and is rolled out progressively on traffic routed by the
# split; at 100% it becomes champion, and the monitor compares traffic with its baseline from then on.
#
# The traffic is synthetic (`orch models traffic`): the service does not serve models, a serving layer would send its
# predictions and labels through MonitoringService. Its labels make the challenger more accurate than the champion.
#
#   examples/retraining-demo.sh     (ORCH_GRPC_PORT / ORCH_HTTP_PORT to move off 7070 / 7071; KEEP=1 keeps the data dir)
set -euo pipefail
source "$(dirname "$0")/lib/server.sh"

step() { echo; echo "== $*"; }
wait_for() { # wait_for "what" command...: polls (bounded) until the command succeeds
  local what=$1; shift
  for _ in $(seq 1 240); do if "$@" >/dev/null 2>&1; then return 0; fi; sleep 0.5; done
  echo "timed out waiting for $what" >&2; exit 1
}

step "train version 1: the churn pipeline ends with a register step (model churn, alias candidate)"
orch pipeline apply -f examples/churn/pipeline.yaml
run=$(orch run submit churn -p "code_dir=$root/examples/churn")
orch run watch "$run"
orch models alias churn champion candidate --reason "first model"

step "gates, the rollout plan and the retraining policy"
orch models gates set churn -f examples/churn/gates.yaml --reason "release policy"
orch models rollout policy set churn -f examples/churn/rollout.yaml --reason "demo plan"
sed "s|CODE_DIR|$root/examples/churn|" examples/churn/retraining.yaml >"$data/retraining.yaml"
orch models retraining set churn -f "$data/retraining.yaml" --reason "retrain on drift"
orch models retraining churn

step "calm traffic (like the training data): one window of 10,000 predictions"
orch models traffic churn --records 10000
orch drift churn

step "drifted traffic: every numeric feature two standard deviations off"
orch models traffic churn --records 10000 --shift 2 --seed 2
orch drift churn

step "the drifted window triggered a retraining run by itself"
has_run() { orch models retraining churn -o json | grep -q '"run_id": "run-'; }
wait_for "the retraining run" has_run
orch models retraining churn
retrain=$(orch models retraining churn -o json | sed -n 's/.*"run_id": "\(run-[0-9a-f]*\)".*/\1/p' | head -1)
orch run watch "$retrain"

step "its version passed the gates, became challenger, and its rollout started"
gated() { orch models retraining churn -o json | grep -q '"gates_passed"'; }
wait_for "the gates" gated
orch models retraining churn
orch models split churn

step "traffic routed by the split; the challenger is more accurate"
orch models traffic churn --records 10000 --shift 2 --accuracy 0.75 --challenger-accuracy 0.9 --seed 3
orch models rollout status churn
orch models traffic churn --records 10000 --shift 2 --accuracy 0.75 --challenger-accuracy 0.9 --seed 4
orch models rollout status churn
orch models get churn

step "the monitor now compares traffic with the new champion's baseline: the moved world is calm again"
orch models traffic churn --records 10000 --seed 5
orch drift churn

step "every step, audited"
orch models audit churn
