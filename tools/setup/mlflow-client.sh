#!/usr/bin/env bash
# The real MLflow Python client (and pytest) that apps/lifecycle/mlflow-client/ drives against the
# gateway, in a venv under the shared cache; reinstalled only when missing or when the pin changes.
set -euo pipefail

MLFLOW_VERSION=3.17.2   # the newest release whose mlflow-skinny is published; README pins the same
PYTEST_VERSION=8.4.2

DOWNLOADS="${MLOPS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mlops}"
VENV="$DOWNLOADS/venvs/mlflow-client"
pins="mlflow==$MLFLOW_VERSION pytest==$PYTEST_VERSION"
stamp="$VENV/.mlflow-client.version"
if [[ -x "$VENV/bin/python" && -f $stamp && $(cat "$stamp") == "$pins" ]]; then exit 0; fi
PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null 2>&1 || { echo "mlflow-client: $PYTHON is not installed (needed for the venv)" >&2; exit 1; }
echo "==> $pins into $VENV" >&2
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
# shellcheck disable=SC2086
"$VENV/bin/pip" install --quiet --disable-pip-version-check $pins
"$VENV/bin/python" -c 'import mlflow, pytest; print("mlflow", mlflow.__version__, "pytest", pytest.__version__)' >&2
echo "$pins" > "$stamp"
