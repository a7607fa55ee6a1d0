#!/usr/bin/env bash
# promtool (Prometheus' rule checker and rule unit-test runner), built from the Go module proxy into
# the shared cache; rebuilt only when missing or when the pin changes.
set -euo pipefail

PROMETHEUS_MODULE_VERSION=v0.316.0   # the Go module version of Prometheus 3.x's promtool

DOWNLOADS="${MLOPS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mlops}"
BIN="$DOWNLOADS/go-bin"
export GOPATH="$DOWNLOADS/go" GOMODCACHE="$DOWNLOADS/go/mod" GOCACHE="$DOWNLOADS/go/build" GOBIN="$BIN"
export GOFLAGS="${GOFLAGS:-} -trimpath"
mkdir -p "$BIN" "$GOMODCACHE" "$GOCACHE"

pkg="github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_MODULE_VERSION"
stamp="$BIN/.promtool.version"
if [[ -x "$BIN/promtool" && -f $stamp && $(cat "$stamp") == "$pkg" ]]; then exit 0; fi
command -v go >/dev/null 2>&1 || { echo "promtool: go is not installed (needed to build promtool)" >&2; exit 1; }
echo "==> go install $pkg (first build takes several minutes)" >&2
nice -n 10 go install "$pkg"
echo "$pkg" > "$stamp"
