#!/usr/bin/env bash
# schemathesis (the OpenAPI contract fuzzer the contract e2e spec drives) in a venv under the shared
# cache; reinstalled only when missing or when the pin changes.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5   # the current major (4.x), pinned

DOWNLOADS="${MLOPS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mlops}"
VENV="$DOWNLOADS/venvs/schemathesis"
stamp="$VENV/.schemathesis.version"
if [[ -x "$VENV/bin/schemathesis" && -f $stamp && $(cat "$stamp") == "$SCHEMATHESIS_VERSION" ]]; then exit 0; fi
PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null 2>&1 || { echo "schemathesis: $PYTHON is not installed (needed for the venv)" >&2; exit 1; }
echo "==> schemathesis $SCHEMATHESIS_VERSION into $VENV" >&2
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
"$VENV/bin/schemathesis" --version >&2
echo "$SCHEMATHESIS_VERSION" > "$stamp"
