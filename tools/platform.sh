#!/usr/bin/env bash
# Starts the whole platform on local infrastructure: Kafka + FerretDB (tools/infra.sh), the four
# domain services and the gateway, each a background process with its log under .cache/platform.
#
#   bash tools/platform.sh up      install (first run), build (services and console), start everything, print the URLs
#   bash tools/platform.sh down    stop the services and the gateway (infra: bash tools/infra.sh down)
#   bash tools/platform.sh status  what runs
#
# Dataset files are registered from MLOPS_DATA_ROOT (default <repo>/data).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
STATE="$ROOT/.cache/platform"
APPS=(feature-store:3001 lifecycle:3002 evaluation:3003 prompt-governance:3004 monitor:3005 gateway:8080)
START_TIMEOUT="${PLATFORM_START_TIMEOUT:-90}"

log() { printf '[platform] %s\n' "$*" >&2; }
die() { printf '[platform] ERROR: %s\n' "$*" >&2; exit 1; }

alive() { [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

ensure_dependencies() {
  local stamp="$ROOT/node_modules/.package-lock.sha"
  local want; want=$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)
  if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
    log "installing npm dependencies"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
}

wait_ready() {
  local name=$1 url=$2 deadline=$((SECONDS + START_TIMEOUT))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    alive "$STATE/$name.pid" || { tail -n 30 "$STATE/logs/$name.log" >&2; die "$name exited; log: $STATE/logs/$name.log"; }
    (( SECONDS < deadline )) || { tail -n 30 "$STATE/logs/$name.log" >&2; die "$name not ready after ${START_TIMEOUT}s"; }
    sleep 0.5
  done
}

up() {
  ensure_dependencies
  bash "$ROOT/tools/infra.sh" up
  set -a; # shellcheck disable=SC1091
  . "$ROOT/.cache/infra/env"; set +a
  (cd "$ROOT" && npm run --silent build >/dev/null)
  bash "$ROOT/tools/setup/console-build.sh" >&2
  mkdir -p "$STATE/logs"
  # One dataset directory for the services that read dataset files: drop CSV / Parquet / DuckDB files here.
  local data_root="${MLOPS_DATA_ROOT:-$ROOT/data}"
  mkdir -p "$data_root"
  export FEATURE_STORE_DATA_ROOT="${FEATURE_STORE_DATA_ROOT:-$data_root}"
  export EVALUATION_DATA_ROOT="${EVALUATION_DATA_ROOT:-$data_root}"
  cd "$ROOT"
  for entry in "${APPS[@]}"; do
    local name=${entry%%:*} port=${entry##*:}
    if alive "$STATE/$name.pid"; then log "$name already running (pid $(cat "$STATE/$name.pid"))"; continue; fi
    # Services listen on loopback only: the gateway is the one way in (README "Trust model").
    local host=127.0.0.1
    [[ $name == gateway ]] && host=${GATEWAY_HOST:-0.0.0.0}
    HOST=$host PORT=$port nohup node "dist/apps/$name/src/main.js" >>"$STATE/logs/$name.log" 2>&1 </dev/null &
    echo $! >"$STATE/$name.pid"
    log "started $name on :$port (log: $STATE/logs/$name.log)"
  done
  for entry in "${APPS[@]}"; do
    local name=${entry%%:*} port=${entry##*:}
    wait_ready "$name" "http://127.0.0.1:$port/health/ready"
  done
  log "all services ready"
  echo "Console:   http://127.0.0.1:8080/"
  echo "API docs:  http://127.0.0.1:8080/docs"
  echo "OpenAPI:   http://127.0.0.1:8080/openapi.json"
  echo "Health:    http://127.0.0.1:8080/health"
  echo "Monitor:   http://127.0.0.1:3005/metrics (the platform's state from its events)"
}

down() {
  for entry in "${APPS[@]}"; do
    local name=${entry%%:*} pidfile="$STATE/${entry%%:*}.pid"
    if alive "$pidfile"; then
      local pid; pid=$(cat "$pidfile")
      kill -TERM "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
      log "stopped $name"
    fi
    rm -f "$pidfile"
  done
}

status() {
  for entry in "${APPS[@]}"; do
    local name=${entry%%:*}
    if alive "$STATE/$name.pid"; then echo "$name: running (pid $(cat "$STATE/$name.pid"), port ${entry##*:})"; else echo "$name: stopped"; fi
  done
  bash "$ROOT/tools/infra.sh" status
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) die "usage: $0 up|down|status" ;;
esac
