#!/usr/bin/env bash
# Runs every test. First installs what the tests need that NuGet does not bring:
# Debian's Chromium, which one test uses to render the HTML study report headless.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v chromium >/dev/null 2>&1; then
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
dotnet test LowResGen.slnx -c Release --logger "console;verbosity=normal"
