#!/usr/bin/env bash
# Local dev/test infrastructure: a single-node Apache Kafka (KRaft) and FerretDB
# (MongoDB wire protocol) over a private PostgreSQL cluster (or SQLite with
# FERRETDB_BACKEND=sqlite), on loopback, with downloads and builds cached under ~/.cache/mlops
# ($MLOPS_CACHE_DIR) and each checkout's data under <repo>/.cache.
# See tools/README.md.
#
#   bash tools/infra.sh up       provision (first run), start, wait until ready
#   bash tools/infra.sh down     stop all (TERM/INT, then KILL after a timeout)
#   bash tools/infra.sh status   show what runs
#   bash tools/infra.sh reset    stop and wipe data (keep downloads and builds)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
TOOLS="$ROOT/tools"
CACHE="$ROOT/.cache" # this checkout's servers: data, logs, pids, the env file
# Downloads and builds (Kafka jars, Maven and Go caches, the FerretDB binary) are shared by every
# checkout on the machine, so a fresh clone starts without resolving or compiling anything again.
DOWNLOADS="${MLOPS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mlops}"

INFRA_START_TIMEOUT="${INFRA_START_TIMEOUT:-120}" # seconds to wait for readiness
INFRA_STOP_TIMEOUT="${INFRA_STOP_TIMEOUT:-30}"    # seconds between TERM and KILL

INFRA_DIR="$CACHE/infra"
ENV_FILE="$INFRA_DIR/env"

# One script per server; each defines its settings and its <server>_* functions.
for part in process kafka postgres ferretdb; do
  # shellcheck source=/dev/null
  . "$TOOLS/infra/$part.sh"
done

# --- commands ----------------------------------------------------------------

# write_env BROKERS MONGO_URL [SASL_BROKERS [SASL_SSL_BROKERS]]
write_env() {
  mkdir -p "$INFRA_DIR"
  printf 'KAFKA_BROKERS=%s\nMONGO_URL=%s\n' "$1" "$2" >"$ENV_FILE.tmp"
  # Our broker's authenticated listeners, for the SASL/TLS tests. Not named like the services'
  # KAFKA_SASL_* / KAFKA_TLS_* settings: scripts export this file into every process they start.
  if [[ -n ${3:-} ]]; then
    printf 'KAFKA_SASL_BROKERS=%s\nKAFKA_SCRAM_USERNAME=%s\nKAFKA_SCRAM_PASSWORD=%s\n' \
      "$3" "$KAFKA_SCRAM_USERNAME" "$(kafka_scram_password)" >>"$ENV_FILE.tmp"
  fi
  if [[ -n ${4:-} ]]; then
    printf 'KAFKA_SASL_SSL_BROKERS=%s\nKAFKA_SASL_SSL_CA_FILE=%s\n' "$4" "$KAFKA_TLS_DIR/ca.pem" >>"$ENV_FILE.tmp"
  fi
  mv "$ENV_FILE.tmp" "$ENV_FILE"
}

cmd_up() {
  local brokers="${KAFKA_BROKERS:-}" mongo="${MONGO_URL:-}" ext_kafka=0 ext_mongo=0
  [[ -n $brokers ]] && ext_kafka=1
  [[ -n $mongo ]] && ext_mongo=1

  # Check all before starting any, so that a port clash starts nothing.
  ((ext_kafka)) || kafka_check || true
  if ((!ext_mongo)); then
    fdb_check || true
    [[ $FERRETDB_BACKEND == postgresql ]] && { pg_check || true; }
  fi

  # Start Kafka first (no wait), so that the JVM boots while PostgreSQL starts and
  # FerretDB builds; FerretDB starts once PostgreSQL answers.
  if ((!ext_kafka)); then
    kafka_start
    brokers="127.0.0.1:$KAFKA_PORT"
  fi
  if ((!ext_mongo)); then
    if [[ $FERRETDB_BACKEND == postgresql ]]; then
      pg_start
      fdb_check || fdb_provision
      pg_wait
    fi
    fdb_start
    mongo="mongodb://127.0.0.1:$MONGO_PORT/"
  fi
  ((ext_kafka)) || kafka_wait
  ((ext_mongo)) || fdb_wait

  local sasl="" sasl_ssl=""
  if ((!ext_kafka)); then
    sasl=$(kafka_running_listener SASL_PLAINTEXT)
    sasl_ssl=$(kafka_running_listener SASL_SSL)
  fi
  write_env "$brokers" "$mongo" "${sasl:+127.0.0.1:$sasl}" "${sasl_ssl:+127.0.0.1:$sasl_ssl}"

  if ((ext_kafka)); then
    echo "kafka:    external (KAFKA_BROKERS is set), not managed"
  else
    echo "kafka:    Kafka $KAFKA_VERSION running (pid $(<"$KAFKA_PID")) on 127.0.0.1:$KAFKA_PORT, logs: $KAFKA_LOGS/server.log"
    if [[ -n $sasl ]]; then
      echo "kafka:    SASL_PLAINTEXT on 127.0.0.1:$sasl${sasl_ssl:+, SASL_SSL on 127.0.0.1:$sasl_ssl (CA $KAFKA_TLS_DIR/ca.pem)}; SCRAM-SHA-512, SCRAM-SHA-256, PLAIN; user $KAFKA_SCRAM_USERNAME"
    else
      echo "kafka:    no SASL listeners: the running broker was started by an older tools/infra.sh ('down' then 'up' adds them)"
    fi
  fi
  if ((ext_mongo)); then
    echo "ferretdb: external (MONGO_URL is set), not managed"
  else
    if [[ $FERRETDB_BACKEND == postgresql ]]; then
      echo "postgres: PostgreSQL $(pg_major) running (pid $(pg_pid)) on 127.0.0.1:$PG_PORT, data: $PG_DATA, logs: $PG_LOGS/postgres.log"
    fi
    echo "ferretdb: $FDB_VERSION running (pid $(<"$FDB_PID")) on 127.0.0.1:$MONGO_PORT, $FERRETDB_BACKEND backend, logs: $FDB_LOGS/ferretdb.log"
  fi
  echo "env file: $ENV_FILE"
  echo "KAFKA_BROKERS=$brokers"
  echo "MONGO_URL=$mongo"
  [[ -z $sasl ]] || echo "KAFKA_SASL_BROKERS=127.0.0.1:$sasl"
  [[ -z $sasl_ssl ]] || echo "KAFKA_SASL_SSL_BROKERS=127.0.0.1:$sasl_ssl"
}

cmd_down() {
  stop_pid kafka "$KAFKA_PID" "$(kafka_marker)"
  stop_pid ferretdb "$FDB_PID" "$(fdb_marker)"
  pg_stop # after FerretDB, whose connections it would otherwise cut
  rm -f "$ENV_FILE"
}

cmd_status() {
  local pid rc=0
  if pid=$(pid_of "$KAFKA_PID" "$(kafka_marker)"); then
    echo "kafka:    running (pid $pid) on 127.0.0.1:$(kafka_running_port), Kafka $(kafka_running_version "$pid"), logs: $KAFKA_LOGS/server.log"
    local sasl sasl_ssl
    sasl=$(kafka_running_listener SASL_PLAINTEXT)
    sasl_ssl=$(kafka_running_listener SASL_SSL)
    [[ -z $sasl ]] || echo "kafka:    SASL_PLAINTEXT on 127.0.0.1:$sasl${sasl_ssl:+, SASL_SSL on 127.0.0.1:$sasl_ssl}"
  else
    echo "kafka:    stopped"
    rc=3
  fi
  if pid=$(pid_of "$FDB_PID" "$(fdb_marker)"); then
    echo "ferretdb: running (pid $pid) on 127.0.0.1:$(fdb_running_port "$pid"), $(fdb_running_backend "$pid") backend, logs: $FDB_LOGS/ferretdb.log"
  else
    echo "ferretdb: stopped"
    rc=3
  fi
  if pid=$(pg_pid); then
    echo "postgres: running (pid $pid) on 127.0.0.1:$(arg_after "$pid" -p), data: $PG_DATA, logs: $PG_LOGS/postgres.log"
  elif [[ $FERRETDB_BACKEND == postgresql ]]; then
    echo "postgres: stopped"
    rc=3
  else
    echo "postgres: stopped (not needed with FERRETDB_BACKEND=sqlite)"
  fi
  [[ -n ${KAFKA_BROKERS:-} ]] && echo "note: KAFKA_BROKERS=$KAFKA_BROKERS is set; 'up' will not start Kafka"
  [[ -n ${MONGO_URL:-} ]] && echo "note: MONGO_URL=$MONGO_URL is set; 'up' will not start FerretDB"
  [[ -f $ENV_FILE ]] && echo "env file: $ENV_FILE" && sed 's/^KAFKA_SCRAM_PASSWORD=.*/KAFKA_SCRAM_PASSWORD=(hidden)/; s/^/  /' "$ENV_FILE"
  return "$rc"
}

cmd_reset() {
  cmd_down
  local pg_wipe=("$PG_HOME/data" "$PG_HOME/run" "$PG_LOGS")
  [[ -d ${PG_ALT_DIR%/*} ]] && pg_wipe+=("${PG_ALT_DIR%/*}") # /var/lib/mlops-infra/<hash>
  log "wiping data: $KAFKA_DATA $KAFKA_LOGS $FDB_DATA $FDB_LOGS ${pg_wipe[*]}"
  rm -rf "$KAFKA_DATA" "$KAFKA_LOGS" "$KAFKA_PROPS" "$FDB_DATA" "$FDB_LOGS" "${pg_wipe[@]}"
}

usage() {
  cat >&2 <<EOF
usage: bash tools/infra.sh up|down|status|reset
  up      provision (first run) and start Kafka $KAFKA_VERSION and FerretDB (backend:
          FERRETDB_BACKEND=$FERRETDB_BACKEND), wait until ready, write $ENV_FILE
  down    stop all servers
  status  show what runs (exit 3 if something needed is stopped)
  reset   stop all servers and wipe their data and logs (keeps downloads and builds)
EOF
}

main() {
  local cmd=${1:-}
  case $cmd in
    up | down | status | reset) ;;
    -h | --help | help) usage; return 0 ;;
    *) usage; return 2 ;;
  esac
  case $FERRETDB_BACKEND in
    postgresql | sqlite) ;;
    *) die "FERRETDB_BACKEND must be postgresql or sqlite, not '$FERRETDB_BACKEND'" ;;
  esac
  pg_locate
  need flock "locking $INFRA_DIR"
  mkdir -p "$INFRA_DIR"
  exec 9>"$INFRA_DIR/lock"
  flock -w 600 9 || die "another tools/infra.sh is still running (lock $INFRA_DIR/lock)"
  "cmd_$cmd"
}

main "$@"
