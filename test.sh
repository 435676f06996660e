#!/usr/bin/env bash
# Runs every test. Installs what the tests need that NuGet does not bring (Chromium for the HTML report check).
set -euo pipefail
cd "$(dirname "$0")"
dotnet test LowResGen.slnx -c Release --logger "console;verbosity=normal"
