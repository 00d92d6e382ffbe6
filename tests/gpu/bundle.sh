#!/usr/bin/env bash
# Packs the server and the CLI, published self-contained for linux-x64 (no .NET needed where they run), with
# examples/ and tests/gpu/, into artifacts/gpu-bundle.tar.xz for the GPU machine lent to some sessions. Both apps are
# published into one folder so that they share one copy of the runtime: ~41 MB compressed, against ~99 MB for two
# single-file executables (over the 64 MiB a device call may carry).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=artifacts/gpu-bundle
rm -rf "$out" && mkdir -p "$out"
for project in Orchestrator.Server Orchestrator.Cli; do
  dotnet publish "src/$project" -c Release -r linux-x64 --self-contained -p:InvariantGlobalization=true \
    -p:DebugType=none -p:GenerateDocumentationFile=false -o "$out/bin" -nologo -v quiet
done
cp -r examples tests/gpu "$out/"
tar -C artifacts -cJf artifacts/gpu-bundle.tar.xz gpu-bundle
ls -la artifacts/gpu-bundle.tar.xz
