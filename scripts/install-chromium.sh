#!/usr/bin/env bash
# Installs Debian's Chromium, which one test uses to render the HTML study report headless.
# Run by the test project before `dotnet test` when /usr/bin/chromium is missing.
set -euo pipefail
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo -n"; fi
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
