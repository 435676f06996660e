#!/usr/bin/env bash
# Packs the library and the platform-specific tool packages into nupkg/ (ignored by git), installs the linux-x64 tool
# into a temporary folder from there, and prints each package's size and the installed size. Takes a few minutes:
# every platform's tool package is a publish of its own. Numbers go to docs/packaging.md with date and commit.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf nupkg
dotnet pack src/LowResGen -c Release -o nupkg
dotnet pack src/LowResGen.Cli -c Release -o nupkg
echo "commit $(git rev-parse --short HEAD), $(date -u +%Y-%m-%d)"
for package in nupkg/*.nupkg; do
  awk -v bytes="$(stat -c %s "$package")" -v name="$(basename "$package")" 'BEGIN { printf "%8.1f MB  %s\n", bytes / 1e6, name }'
done
tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
dotnet tool install --tool-path "$tools" --add-source nupkg LowResGen.Cli --version "$(ls nupkg/LowResGen.Cli.linux-x64.*.nupkg | sed -E 's/.*linux-x64\.(.*)\.nupkg/\1/')" >/dev/null
"$tools/lowresgen" --version
printf 'installed (linux-x64): %s\n' "$(du -sh "$tools" | cut -f1)"
