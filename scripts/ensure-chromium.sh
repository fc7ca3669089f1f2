#!/usr/bin/env bash
# The console's browser test (test/console) drives Debian's Chromium through playwright-core, which
# never downloads a browser of its own. Installs the `chromium` package only when it is missing.
# Unattended: no prompts, works with CI=true and no stdin.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
if [[ -x $CHROMIUM ]]; then
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "[ensure-chromium] $CHROMIUM is missing and this user cannot install packages; run: apt-get install chromium" >&2
  exit 1
fi

echo "[ensure-chromium] installing Debian's chromium (first run only)"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq </dev/null
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-liberation </dev/null
[[ -x $CHROMIUM ]] || { echo "[ensure-chromium] $CHROMIUM is still missing after the install" >&2; exit 1; }
"$CHROMIUM" --version
