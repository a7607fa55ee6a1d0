#!/usr/bin/env bash
# Debian's Chromium for the console's browser suites (playwright-core drives it; no browser download).
# Idempotent: nothing happens when /usr/bin/chromium is already there.
set -euo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [[ -x $CHROMIUM ]]; then
  echo "chromium: $("$CHROMIUM" --version 2>/dev/null || echo present) at $CHROMIUM"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "chromium.sh: $CHROMIUM missing and neither root nor sudo to apt-get it" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# Several setups may run apt at once on a shared machine: wait for the dpkg lock instead of failing.
$SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
"$CHROMIUM" --version
