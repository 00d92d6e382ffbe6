#!/usr/bin/env bash
# Runs `orch sim` for every policy on the Muri trace (8x8, the published testbed) and on the Philly trace, and prints
# one JSON line per run. The figures in docs/simulator.md come from this script.
# Usage: load-tests/sim-fidelity.sh [PHILLY_NODES (default 64x8)]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
traces="$root/../shared/fixtures/traces"
philly_nodes="${1:-64x8}"
dotnet build "$root/src/Orchestrator.Cli" -c Release -v quiet -nologo >/dev/null
orch="$root/src/Orchestrator.Cli/bin/Release/net10.0/orch"
for policy in fifo srtf tiresias default; do
  echo "muri 8x8 $policy: $("$orch" sim --trace "$traces/muri/cluster_trace.csv" --nodes 8x8 --policy "$policy" -o json | tr -d '\n ')"
done
for policy in fifo srtf tiresias default; do
  echo "philly $philly_nodes $policy: $("$orch" sim --trace "$traces/philly/philly.csv" --nodes "$philly_nodes" --policy "$policy" -o json | tr -d '\n ')"
done
