#!/usr/bin/env bash
# Installs Debian's Chromium, which one test uses to render the HTML study report headless.
# Run by .ci/run before `dotnet test` when /usr/bin/chromium is missing (the build never runs apt-get).
set -euo pipefail
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo -n"; fi
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
