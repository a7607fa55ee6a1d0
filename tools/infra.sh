#!/usr/bin/env bash
# Local dev/test infrastructure: a single-node Apache Kafka (KRaft) and FerretDB
# (MongoDB wire protocol, SQLite backend), on loopback, provisioned and cached
# under <repo>/.cache. See tools/README.md.
#
#   bash tools/infra.sh up       provision (first run), start, wait until ready
#   bash tools/infra.sh down     stop both (TERM, then KILL after a timeout)
#   bash tools/infra.sh status   show what runs
#   bash tools/infra.sh reset    stop and wipe data (keep downloads and builds)
set -euo pipefail

# Kafka version (org.apache.kafka:kafka_2.13 on Maven Central). Chosen as the newest
# release that KafkaJS 2.2.4 was smoke-tested against (see tools/README.md).
KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
TOOLS="$ROOT/tools"
CACHE="$ROOT/.cache"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
MONGO_PORT="${MONGO_PORT:-27017}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}"
FERRETDB_LOG_LEVEL="${FERRETDB_LOG_LEVEL:-info}"
INFRA_START_TIMEOUT="${INFRA_START_TIMEOUT:-120}" # seconds to wait for readiness
INFRA_STOP_TIMEOUT="${INFRA_STOP_TIMEOUT:-30}"    # seconds between TERM and KILL

KAFKA_HOME="$CACHE/kafka"
KAFKA_LIBS="$KAFKA_HOME/$KAFKA_VERSION/libs"
KAFKA_DATA="$KAFKA_HOME/data"
KAFKA_LOGS="$KAFKA_HOME/logs"
KAFKA_PID="$KAFKA_HOME/kafka.pid"
KAFKA_PROPS="$KAFKA_HOME/server.properties"
KAFKA_CLUSTER_ID_FILE="$KAFKA_HOME/cluster-id"

FDB_HOME="$CACHE/ferretdb"
FDB_BIN_DIR="$FDB_HOME/bin"
FDB_DATA="$FDB_HOME/data"
FDB_LOGS="$FDB_HOME/logs"
FDB_PID="$FDB_HOME/ferretdb.pid"
FDB_SRC="$TOOLS/ferretdb"
FDB_TAGS="ferretdb_no_postgresql"
FDB_VERSION="FerretDB $(sed -n 's/^require github.com\/FerretDB\/FerretDB //p' "$FDB_SRC/go.mod" 2>/dev/null)"

INFRA_DIR="$CACHE/infra"
ENV_FILE="$INFRA_DIR/env"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH (needed for $2)"
}

# --- process helpers ---------------------------------------------------------

# pid_of PIDFILE MARKER: print the pid if it is alive and its command line contains MARKER.
pid_of() {
  local pidfile=$1 marker=$2 pid
  [[ -s $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker" || return 1
  printf '%s\n' "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# arg_after PID ARG: the command-line argument of PID that follows ARG.
arg_after() {
  tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | grep -A1 -xF -- "$2" | sed -n 2p
}

# check_same NAME HAVE WANTED VAR: a running server must match the requested setting.
check_same() {
  local name=$1 have=$2 want=$3 var=$4
  if [[ -n $have && $have != "$want" ]]; then
    die "$name is already running with $var=$have but $var=$want was requested; run 'bash tools/infra.sh down' first"
  fi
}

# spawn PIDFILE OUTFILE CMD...: start CMD detached (own session, no stdin, stdout and
# stderr to OUTFILE, truncated, so it holds this run's console output only); the child
# writes its own pid before exec'ing CMD, so the pid file names the real server.
spawn() {
  local pidfile=$1 out=$2
  shift 2
  rm -f "$pidfile"
  # shellcheck disable=SC2016 # $$ and $@ are expanded by the child bash
  # 9>&- : do not let the server inherit the lock held on fd 9 by this script.
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >"$out" 2>&1 9>&- &
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s $pidfile ]] && return 0
    sleep 0.1
  done
  die "could not start: $*"
}

# stop_pid NAME PIDFILE MARKER
stop_pid() {
  local name=$1 pidfile=$2 marker=$3 pid i
  if ! pid=$(pid_of "$pidfile" "$marker"); then
    rm -f "$pidfile"
    log "$name: not running"
    return 0
  fi
  log "$name: stopping (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < INFRA_STOP_TIMEOUT * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: still running after ${INFRA_STOP_TIMEOUT}s, sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -f "$pidfile"
  log "$name: stopped"
}

show_tail() {
  local f
  for f in "$@"; do
    [[ -s $f ]] || continue
    printf '\n----- last 40 lines of %s -----\n' "$f" >&2
    tail -n 40 "$f" >&2
  done
  printf '\n' >&2
}

# --- Kafka -------------------------------------------------------------------

kafka_marker() { printf '%s' "$KAFKA_PROPS"; }
# server.properties is only rewritten when a broker is started, so it describes the running one.
kafka_running_port() { sed -n 's|^advertised.listeners=PLAINTEXT://127.0.0.1:||p' "$KAFKA_PROPS" 2>/dev/null; }
kafka_running_version() { arg_after "$1" -cp | sed -n "s|^$KAFKA_HOME/\(.*\)/libs/\*\$|\1|p"; }

kafka_java() { # java with the Kafka classpath and quiet CLI logging
  java -Dlog4j2.configurationFile="$TOOLS/kafka/log4j2-cli.properties" \
    -cp "$KAFKA_LIBS/*:$KAFKA_HOME/$KAFKA_VERSION/classes" "$@"
}

kafka_provision() {
  need java "Kafka"
  local jv
  jv=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  if [[ ${KAFKA_VERSION%%.*} -ge 4 && ${jv%%.*} -lt 17 ]]; then
    die "Kafka $KAFKA_VERSION needs Java 17+, found Java $jv"
  fi
  if [[ ! -f $KAFKA_LIBS/.complete ]]; then
    need mvn "resolving Kafka $KAFKA_VERSION from Maven Central"
    log "kafka: resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION with Maven (first run only)"
    rm -rf "$KAFKA_LIBS"
    mkdir -p "$KAFKA_LIBS"
    mkdir -p "$KAFKA_LOGS"
    mvn -B -Dstyle.color=never -f "$TOOLS/kafka/pom.xml" \
      -Dmaven.repo.local="$CACHE/m2" \
      -Dkafka.version="$KAFKA_VERSION" \
      dependency:copy-dependencies -DoutputDirectory="$KAFKA_LIBS" >"$KAFKA_LOGS/maven.log" 2>&1 || {
      show_tail "$KAFKA_LOGS/maven.log"
      die "Maven could not resolve Kafka $KAFKA_VERSION (full output: $KAFKA_LOGS/maven.log)"
    }
    compgen -G "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null ||
      die "kafka_2.13-$KAFKA_VERSION.jar missing after Maven resolution"
    touch "$KAFKA_LIBS/.complete"
  fi
  # Readiness probe class, rebuilt when its source changes.
  local classes="$KAFKA_HOME/$KAFKA_VERSION/classes" sum
  sum=$(sha256sum "$TOOLS/kafka/KafkaReady.java" | cut -c1-16)
  if [[ ! -f $classes/.src-$sum ]]; then
    need javac "compiling tools/kafka/KafkaReady.java"
    rm -rf "$classes"
    mkdir -p "$classes"
    javac -nowarn -d "$classes" -cp "$KAFKA_LIBS/*" "$TOOLS/kafka/KafkaReady.java" >&2
    touch "$classes/.src-$sum"
  fi
}

kafka_write_props() {
  mkdir -p "$KAFKA_DATA" "$KAFKA_LOGS"
  cat >"$KAFKA_PROPS.tmp" <<EOF
# Generated by tools/infra.sh on each start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DATA
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.retention.hours=24
log.segment.bytes=67108864
EOF
  mv "$KAFKA_PROPS.tmp" "$KAFKA_PROPS"
}

kafka_format() {
  local stamp="$KAFKA_DATA/.kafka-version"
  if [[ -f $KAFKA_DATA/meta.properties && -f $stamp && $(<"$stamp") != "$KAFKA_VERSION" ]]; then
    log "kafka: data was written by Kafka $(<"$stamp"), now $KAFKA_VERSION: wiping dev data"
    rm -rf "$KAFKA_DATA"
    mkdir -p "$KAFKA_DATA"
  fi
  [[ -f $KAFKA_DATA/meta.properties ]] && return 0
  if [[ ! -s $KAFKA_CLUSTER_ID_FILE ]]; then
    kafka_java kafka.tools.StorageTool random-uuid >"$KAFKA_CLUSTER_ID_FILE.tmp"
    mv "$KAFKA_CLUSTER_ID_FILE.tmp" "$KAFKA_CLUSTER_ID_FILE"
  fi
  log "kafka: formatting storage in $KAFKA_DATA (cluster id $(<"$KAFKA_CLUSTER_ID_FILE"))"
  kafka_java kafka.tools.StorageTool format -t "$(<"$KAFKA_CLUSTER_ID_FILE")" \
    -c "$KAFKA_PROPS" >"$KAFKA_LOGS/format.log" 2>&1 || {
    show_tail "$KAFKA_LOGS/format.log"
    die "kafka: storage format failed"
  }
  printf '%s\n' "$KAFKA_VERSION" >"$stamp"
}

# kafka_check: succeed if our broker runs as requested, fail if it must be started,
# die if it runs with other settings or its ports are taken by something else.
kafka_check() {
  local pid
  if pid=$(pid_of "$KAFKA_PID" "$(kafka_marker)"); then
    check_same kafka "$(kafka_running_port)" "$KAFKA_PORT" KAFKA_PORT
    check_same kafka "$(kafka_running_version "$pid")" "$KAFKA_VERSION" KAFKA_VERSION
    return 0
  fi
  if port_in_use "$KAFKA_PORT"; then
    die "port 127.0.0.1:$KAFKA_PORT is already in use by another process; set KAFKA_PORT=... or point KAFKA_BROKERS at that broker"
  fi
  if port_in_use "$KAFKA_CONTROLLER_PORT"; then
    die "controller port 127.0.0.1:$KAFKA_CONTROLLER_PORT is already in use; set KAFKA_CONTROLLER_PORT=..."
  fi
  return 1
}

kafka_start() {
  kafka_check && return 0
  kafka_provision
  kafka_write_props
  kafka_format
  log "kafka: starting $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT"
  # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of JVM options
  spawn "$KAFKA_PID" "$KAFKA_LOGS/kafka.out" \
    java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true -Dkafka.logs.dir="$KAFKA_LOGS" \
    -Dlog4j2.configurationFile="$TOOLS/kafka/log4j2.properties" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_PROPS"
}

kafka_wait() {
  local pid
  pid=$(pid_of "$KAFKA_PID" "$(kafka_marker)") || {
    show_tail "$KAFKA_LOGS/kafka.out" "$KAFKA_LOGS/server.log"
    die "kafka: process exited during startup (logs above)"
  }
  kafka_provision # no-op when cached; needed for the probe class when already running
  local rc=0
  kafka_java KafkaReady "127.0.0.1:$KAFKA_PORT" "$INFRA_START_TIMEOUT" "$pid" >/dev/null || rc=$?
  if [[ $rc -ne 0 ]]; then
    show_tail "$KAFKA_LOGS/kafka.out" "$KAFKA_LOGS/server.log"
    [[ $rc -ne 2 ]] && stop_pid kafka "$KAFKA_PID" "$(kafka_marker)"
    die "kafka did not come up on 127.0.0.1:$KAFKA_PORT (logs above, in $KAFKA_LOGS)"
  fi
}

# --- FerretDB ----------------------------------------------------------------

fdb_bin() { # path of the binary for the current wrapper sources
  local key
  key=$(
    cd "$FDB_SRC"
    { cat go.mod go.sum ./*.go; printf 'tags=%s\n' "$FDB_TAGS"; go env GOVERSION GOOS GOARCH; } | sha256sum | cut -c1-16
  )
  printf '%s/ferretdb-dev-%s\n' "$FDB_BIN_DIR" "$key"
}

fdb_goenv() {
  export GOPATH="$CACHE/go" GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build"
  export GOFLAGS="-mod=readonly -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0
}

fdb_provision() {
  need go "building FerretDB"
  FDB_BIN=$(fdb_goenv && fdb_bin)
  [[ -x $FDB_BIN ]] && return 0
  log "ferretdb: building $FDB_VERSION wrapper (first run or sources changed; ~1-2 min)"
  mkdir -p "$FDB_BIN_DIR"
  (
    fdb_goenv
    cd "$FDB_SRC"
    go build -trimpath -tags "$FDB_TAGS" -o "$FDB_BIN.tmp" .
  ) >&2 || die "ferretdb: go build failed (see output above)"
  mv "$FDB_BIN.tmp" "$FDB_BIN"
  find "$FDB_BIN_DIR" -maxdepth 1 -name 'ferretdb-dev-*' ! -path "$FDB_BIN" -delete
  ln -sfn "$(basename "$FDB_BIN")" "$FDB_BIN_DIR/ferretdb-dev"
}

fdb_marker() { printf '%s' "-sqlite-dir $FDB_DATA"; }
fdb_running_port() { arg_after "$1" -listen-addr | sed 's/.*://'; }

fdb_check() { # like kafka_check
  local pid
  if pid=$(pid_of "$FDB_PID" "$(fdb_marker)"); then
    check_same ferretdb "$(fdb_running_port "$pid")" "$MONGO_PORT" MONGO_PORT
    return 0
  fi
  if port_in_use "$MONGO_PORT"; then
    die "port 127.0.0.1:$MONGO_PORT is already in use by another process; set MONGO_PORT=... or point MONGO_URL at that server"
  fi
  return 1
}

fdb_start() {
  fdb_check && return 0
  fdb_provision
  mkdir -p "$FDB_DATA" "$FDB_LOGS"
  log "ferretdb: starting on 127.0.0.1:$MONGO_PORT"
  spawn "$FDB_PID" "$FDB_LOGS/ferretdb.out" \
    "$FDB_BIN" -listen-addr "127.0.0.1:$MONGO_PORT" -sqlite-dir "$FDB_DATA" \
    -log-level "$FERRETDB_LOG_LEVEL" -log-file "$FDB_LOGS/ferretdb.log"
}

fdb_wait() {
  local pid
  pid=$(pid_of "$FDB_PID" "$(fdb_marker)") || {
    show_tail "$FDB_LOGS/ferretdb.out" "$FDB_LOGS/ferretdb.log"
    die "ferretdb: process exited during startup (logs above)"
  }
  # The running binary is the probe (it may be older than the current sources).
  local exe
  exe=$(readlink "/proc/$pid/exe")
  if ! "$exe" -ping "127.0.0.1:$MONGO_PORT" -wait "${INFRA_START_TIMEOUT}s" -wait-pid "$pid" >/dev/null; then
    show_tail "$FDB_LOGS/ferretdb.out" "$FDB_LOGS/ferretdb.log"
    stop_pid ferretdb "$FDB_PID" "$(fdb_marker)"
    die "ferretdb did not come up on 127.0.0.1:$MONGO_PORT (logs above, in $FDB_LOGS)"
  fi
}

# --- commands ----------------------------------------------------------------

write_env() {
  mkdir -p "$INFRA_DIR"
  printf 'KAFKA_BROKERS=%s\nMONGO_URL=%s\n' "$1" "$2" >"$ENV_FILE.tmp"
  mv "$ENV_FILE.tmp" "$ENV_FILE"
}

cmd_up() {
  local brokers="${KAFKA_BROKERS:-}" mongo="${MONGO_URL:-}" ext_kafka=0 ext_mongo=0
  [[ -n $brokers ]] && ext_kafka=1
  [[ -n $mongo ]] && ext_mongo=1

  # Check both before starting either, so that a port clash starts nothing.
  ((ext_kafka)) || kafka_check || true
  ((ext_mongo)) || fdb_check || true

  # Start Kafka first (no wait), so that the JVM boots while FerretDB builds/starts.
  if ((!ext_kafka)); then
    kafka_start
    brokers="127.0.0.1:$KAFKA_PORT"
  fi
  if ((!ext_mongo)); then
    fdb_start
    mongo="mongodb://127.0.0.1:$MONGO_PORT/"
  fi
  ((ext_kafka)) || kafka_wait
  ((ext_mongo)) || fdb_wait

  write_env "$brokers" "$mongo"

  if ((ext_kafka)); then
    echo "kafka:    external (KAFKA_BROKERS is set), not managed"
  else
    echo "kafka:    Kafka $KAFKA_VERSION running (pid $(<"$KAFKA_PID")) on 127.0.0.1:$KAFKA_PORT, logs: $KAFKA_LOGS/server.log"
  fi
  if ((ext_mongo)); then
    echo "ferretdb: external (MONGO_URL is set), not managed"
  else
    echo "ferretdb: $FDB_VERSION running (pid $(<"$FDB_PID")) on 127.0.0.1:$MONGO_PORT, logs: $FDB_LOGS/ferretdb.log"
  fi
  echo "env file: $ENV_FILE"
  echo "KAFKA_BROKERS=$brokers"
  echo "MONGO_URL=$mongo"
}

cmd_down() {
  stop_pid kafka "$KAFKA_PID" "$(kafka_marker)"
  stop_pid ferretdb "$FDB_PID" "$(fdb_marker)"
  rm -f "$ENV_FILE"
}

cmd_status() {
  local pid rc=0
  if pid=$(pid_of "$KAFKA_PID" "$(kafka_marker)"); then
    echo "kafka:    running (pid $pid) on 127.0.0.1:$(kafka_running_port), Kafka $(kafka_running_version "$pid"), logs: $KAFKA_LOGS/server.log"
  else
    echo "kafka:    stopped"
    rc=3
  fi
  if pid=$(pid_of "$FDB_PID" "$(fdb_marker)"); then
    echo "ferretdb: running (pid $pid) on 127.0.0.1:$(fdb_running_port "$pid"), logs: $FDB_LOGS/ferretdb.log"
  else
    echo "ferretdb: stopped"
    rc=3
  fi
  [[ -n ${KAFKA_BROKERS:-} ]] && echo "note: KAFKA_BROKERS=$KAFKA_BROKERS is set; 'up' will not start Kafka"
  [[ -n ${MONGO_URL:-} ]] && echo "note: MONGO_URL=$MONGO_URL is set; 'up' will not start FerretDB"
  [[ -f $ENV_FILE ]] && echo "env file: $ENV_FILE" && sed 's/^/  /' "$ENV_FILE"
  return "$rc"
}

cmd_reset() {
  cmd_down
  log "wiping data: $KAFKA_DATA $KAFKA_LOGS $FDB_DATA $FDB_LOGS"
  rm -rf "$KAFKA_DATA" "$KAFKA_LOGS" "$KAFKA_PROPS" "$FDB_DATA" "$FDB_LOGS"
}

usage() {
  cat >&2 <<EOF
usage: bash tools/infra.sh up|down|status|reset
  up      provision (first run) and start Kafka $KAFKA_VERSION and FerretDB, wait until ready,
          write $ENV_FILE
  down    stop both servers
  status  show what runs (exit 3 if something is stopped)
  reset   stop both servers and wipe their data and logs (keeps downloads and builds)
EOF
}

main() {
  local cmd=${1:-}
  case $cmd in
    up | down | status | reset) ;;
    -h | --help | help) usage; return 0 ;;
    *) usage; return 2 ;;
  esac
  need flock "locking $INFRA_DIR"
  mkdir -p "$INFRA_DIR"
  exec 9>"$INFRA_DIR/lock"
  flock -w 600 9 || die "another tools/infra.sh is still running (lock $INFRA_DIR/lock)"
  "cmd_$cmd"
}

main "$@"
