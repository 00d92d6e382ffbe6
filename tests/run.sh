#!/usr/bin/env bash
# The test command (README, .ci/run): installs what the tests need when it is missing (promtool from Debian's
# prometheus package, python3 for the example pipeline, redis-server for the Redis storage and cluster tests),
# builds the solution in Release and runs every test project.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v setsid >/dev/null 2>&1 || missing+=(util-linux)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "tests/run.sh: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

dotnet build Orchestrator.sln -c Release -nologo -v quiet
dotnet test Orchestrator.sln -c Release --no-build -nologo --logger "console;verbosity=normal" "$@"
