#!/usr/bin/env bash
# Packs the server, the CLI, the examples and this machine's .NET runtime into artifacts/gpu-bundle.tar.xz for a
# machine without .NET (the GPU machine lent to some sessions). Framework-dependent apps plus one shared runtime are
# far smaller than two self-contained executables (~35 MB against ~100 MB).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=artifacts/gpu-bundle
rm -rf "$out" && mkdir -p "$out"
dotnet publish src/Orchestrator.Server -c Release -o "$out/server" -nologo -v quiet -p:DebugType=none -p:GenerateDocumentationFile=false
dotnet publish src/Orchestrator.Cli -c Release -o "$out/cli" -nologo -v quiet -p:DebugType=none -p:GenerateDocumentationFile=false
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
version=$(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ {v=$2} END {print v}')
mkdir -p "$out/dotnet/shared"
cp "$dotnet_root/dotnet" "$out/dotnet/"
cp -r "$dotnet_root/host" "$out/dotnet/"
for fw in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
  mkdir -p "$out/dotnet/shared/$fw" && cp -r "$dotnet_root/shared/$fw/$version" "$out/dotnet/shared/$fw/"
done
cp -r examples tests/gpu "$out/"
tar -C artifacts -cJf artifacts/gpu-bundle.tar.xz gpu-bundle
ls -la artifacts/gpu-bundle.tar.xz
