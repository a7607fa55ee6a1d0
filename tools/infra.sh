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

# Kafka version (org.apache.kafka:kafka_2.13 on Maven Central). Chosen as the newest
# release that KafkaJS 2.2.4 was smoke-tested against (see tools/README.md).
KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
TOOLS="$ROOT/tools"
CACHE="$ROOT/.cache" # this checkout's servers: data, logs, pids, the env file
# Downloads and builds (Kafka jars, Maven and Go caches, the FerretDB binary) are shared by every
# checkout on the machine, so a fresh clone starts without resolving or compiling anything again.
DOWNLOADS="${MLOPS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mlops}"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
# Authenticated listeners, for testing the clients' SASL and TLS settings against a real broker:
# SASL_PLAINTEXT and SASL_SSL (SCRAM-SHA-512, SCRAM-SHA-256, PLAIN; user KAFKA_SCRAM_USERNAME).
KAFKA_SASL_PORT="${KAFKA_SASL_PORT:-9094}"
KAFKA_SASL_SSL_PORT="${KAFKA_SASL_SSL_PORT:-9095}"
KAFKA_SCRAM_USERNAME=mlops
MONGO_PORT="${MONGO_PORT:-27017}"
PG_PORT="${PG_PORT:-5433}" # not 5432, so that a system PostgreSQL can keep its port
# postgresql: FerretDB pushes filters, sorts and limits down to PostgreSQL and createIndexes
# makes real indexes; sqlite: no PostgreSQL needed, but most queries scan whole collections.
FERRETDB_BACKEND="${FERRETDB_BACKEND:-postgresql}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}"
FERRETDB_LOG_LEVEL="${FERRETDB_LOG_LEVEL:-info}"
INFRA_START_TIMEOUT="${INFRA_START_TIMEOUT:-120}" # seconds to wait for readiness
INFRA_STOP_TIMEOUT="${INFRA_STOP_TIMEOUT:-30}"    # seconds between TERM and KILL

KAFKA_HOME="$CACHE/kafka"
KAFKA_DIST="$DOWNLOADS/kafka"
KAFKA_LIBS="$KAFKA_DIST/$KAFKA_VERSION/libs"
KAFKA_DATA="$KAFKA_HOME/data"
KAFKA_LOGS="$KAFKA_HOME/logs"
KAFKA_PID="$KAFKA_HOME/kafka.pid"
KAFKA_PROPS="$KAFKA_HOME/server.properties"
KAFKA_CLUSTER_ID_FILE="$KAFKA_HOME/cluster-id"
KAFKA_SCRAM_PASSWORD_FILE="$KAFKA_HOME/scram-password" # made once per checkout, like the cluster id
KAFKA_TLS_DIR="$KAFKA_HOME/tls"                          # a private CA and the broker's certificate

FDB_HOME="$CACHE/ferretdb"
FDB_BIN_DIR="$DOWNLOADS/ferretdb/bin"
FDB_DATA="$FDB_HOME/data"
FDB_LOGS="$FDB_HOME/logs"
FDB_PID="$FDB_HOME/ferretdb.pid"
FDB_SRC="$TOOLS/ferretdb"
FDB_VERSION="FerretDB $(sed -n 's/^require github.com\/FerretDB\/FerretDB //p' "$FDB_SRC/go.mod" 2>/dev/null)"

# The private PostgreSQL cluster. Its data lives in <repo>/.cache/postgres/data, or, when the
# postgres system user cannot reach <repo>/.cache (the script runs as root, PostgreSQL refuses
# to), under /var/lib/mlops-infra/<hash of the repo path>/postgres. Logs stay under .cache.
PG_HOME="$CACHE/postgres"
PG_ALT_DIR="/var/lib/mlops-infra/$(printf '%s' "$ROOT" | sha256sum | cut -c1-16)/postgres"
PG_LOGS="$PG_HOME/logs"
PG_PID="$PG_HOME/postgres.pid" # written at spawn; $PG_DATA/postmaster.pid is checked first
# FerretDB's default pool is 50; an update holds two connections at once, so keep headroom.
PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/ferretdb?pool_max_conns=200"
PG_DIR="" PG_DATA="" PG_SOCK="" PG_BIN="" # set by pg_locate and pg_find_bin
if ((EUID == 0)); then
  PG_AS=(setpriv --reuid=postgres --regid=postgres --init-groups env -C /)
else
  PG_AS=(env -C /)
fi

INFRA_DIR="$CACHE/infra"
ENV_FILE="$INFRA_DIR/env"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH (needed for $2)"
}

# --- process helpers ---------------------------------------------------------

# pid_of PIDFILE MARKER: print the pid (first line of PIDFILE) if it is alive and its
# command line contains MARKER.
pid_of() {
  local pidfile=$1 marker=$2 pid=
  [[ -s $pidfile ]] || return 1
  IFS= read -r pid <"$pidfile" || true
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

# The broker keeps a file open per partition and every suite makes topics of its own; under a soft
# limit of 1,024 descriptors it takes its only log directory offline mid-run and then hosts no
# partition at all. Servers get the hard limit (capped at 65,536), and a warning when that is low.
raise_open_files() {
  local hard
  hard=$(ulimit -Hn)
  [[ $hard == unlimited || $hard -gt 65536 ]] && hard=65536
  [[ $(ulimit -Sn) == unlimited || $(ulimit -Sn) -ge $hard ]] || ulimit -Sn "$hard"
  ((hard >= 8192)) || log "warning: at most $hard open files per process; the broker may run out under the full test suite"
}

# spawn PIDFILE OUTFILE CMD...: start CMD detached (own session, no stdin, stdout and
# stderr to OUTFILE, truncated, so it holds this run's console output only); the child
# writes its own pid before exec'ing CMD, so the pid file names the real server.
spawn() {
  local pidfile=$1 out=$2
  shift 2
  rm -f "$pidfile"
  raise_open_files
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

# stop_pid NAME PIDFILE MARKER [SIGNAL]: send SIGNAL (default TERM), then KILL after the timeout.
stop_pid() {
  local name=$1 pidfile=$2 marker=$3 sig=${4:-TERM} pid i
  if ! pid=$(pid_of "$pidfile" "$marker"); then
    rm -f "$pidfile"
    log "$name: not running"
    return 0
  fi
  log "$name: stopping (pid $pid)"
  kill "-$sig" "$pid" 2>/dev/null || true
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
kafka_running_port() { kafka_running_listener PLAINTEXT; }
# kafka_running_listener NAME: the port of the running broker's advertised listener NAME, if it has one.
kafka_running_listener() {
  sed -n 's|^advertised.listeners=||p' "$KAFKA_PROPS" 2>/dev/null | tr ',' '\n' | sed -n "s|^$1://127.0.0.1:||p"
}
kafka_running_version() { arg_after "$1" -cp | sed -n "s|^$KAFKA_DIST/\(.*\)/libs/\*\$|\1|p"; }

kafka_java() { # java with the Kafka classpath and quiet CLI logging
  java -Dlog4j2.configurationFile="$TOOLS/kafka/log4j2-cli.properties" \
    -cp "$KAFKA_LIBS/*:$KAFKA_DIST/$KAFKA_VERSION/classes" "$@"
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
      -Dmaven.repo.local="$DOWNLOADS/m2" \
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
  local classes="$KAFKA_DIST/$KAFKA_VERSION/classes" sum
  sum=$(sha256sum "$TOOLS/kafka/KafkaReady.java" | cut -c1-16)
  if [[ ! -f $classes/.src-$sum ]]; then
    need javac "compiling tools/kafka/KafkaReady.java"
    rm -rf "$classes"
    mkdir -p "$classes"
    javac -nowarn -d "$classes" -cp "$KAFKA_LIBS/*" "$TOOLS/kafka/KafkaReady.java" >&2
    touch "$classes/.src-$sum"
  fi
}

kafka_scram_password() {
  if [[ ! -s $KAFKA_SCRAM_PASSWORD_FILE ]]; then
    mkdir -p "$KAFKA_HOME"
    (umask 077 && od -An -N18 -tx1 /dev/urandom | tr -d ' \n' >"$KAFKA_SCRAM_PASSWORD_FILE.tmp")
    mv "$KAFKA_SCRAM_PASSWORD_FILE.tmp" "$KAFKA_SCRAM_PASSWORD_FILE"
  fi
  cat "$KAFKA_SCRAM_PASSWORD_FILE"
}

# kafka_tls_material: a private CA (ca.pem, what clients trust) and the broker's key and certificate
# for 127.0.0.1 and localhost (server.pem, a PEM key store), made once. Without openssl the broker
# runs without its SASL_SSL listener.
kafka_tls_material() {
  [[ -s $KAFKA_TLS_DIR/server.pem && -s $KAFKA_TLS_DIR/ca.pem ]] && return 0
  command -v openssl >/dev/null 2>&1 || return 1
  local d=$KAFKA_TLS_DIR.tmp
  rm -rf "$d"
  mkdir -p "$d" "$KAFKA_LOGS"
  (
    cd "$d"
    umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=mlops dev Kafka CA" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
      -keyout ca.key -out ca.pem
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile server.ext -out server.crt
    cat server.key server.crt >server.pem # PKCS#8 key, then the certificate: Kafka's PEM key store
    rm -f server.csr server.ext ca.srl
  ) >"$KAFKA_LOGS/tls.log" 2>&1 || {
    show_tail "$KAFKA_LOGS/tls.log"
    die "kafka: could not make the TLS certificates (log: $KAFKA_LOGS/tls.log)"
  }
  chmod 644 "$d/ca.pem"
  rm -rf "$KAFKA_TLS_DIR"
  mv "$d" "$KAFKA_TLS_DIR"
}

kafka_write_props() {
  mkdir -p "$KAFKA_DATA" "$KAFKA_LOGS"
  local password listeners advertised protocols names=(sasl_plaintext)
  password=$(kafka_scram_password)
  listeners="PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,SASL_PLAINTEXT://127.0.0.1:$KAFKA_SASL_PORT"
  advertised="PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_PLAINTEXT://127.0.0.1:$KAFKA_SASL_PORT"
  protocols="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT"
  if kafka_tls_material; then
    listeners+=",SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT"
    advertised+=",SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT"
    protocols+=",SASL_SSL:SASL_SSL"
    names+=(sasl_ssl)
  else
    log "kafka: openssl not found: no SASL_SSL listener on $KAFKA_SASL_SSL_PORT"
  fi
  cat >"$KAFKA_PROPS.tmp" <<EOF
# Generated by tools/infra.sh on each start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=$listeners
advertised.listeners=$advertised
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=$protocols
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN
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
  # SCRAM users live in the cluster metadata (added at format, and by the probe at start); PLAIN's here.
  local name
  for name in "${names[@]}"; do
    cat >>"$KAFKA_PROPS.tmp" <<EOF
listener.name.$name.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.$name.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.$name.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$KAFKA_SCRAM_USERNAME="$password";
EOF
  done
  if [[ " ${names[*]} " == *" sasl_ssl "* ]]; then
    cat >>"$KAFKA_PROPS.tmp" <<EOF
listener.name.sasl_ssl.ssl.keystore.type=PEM
listener.name.sasl_ssl.ssl.keystore.location=$KAFKA_TLS_DIR/server.pem
EOF
  fi
  chmod 600 "$KAFKA_PROPS.tmp"
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
  local password mechanism scram=()
  password=$(kafka_scram_password)
  for mechanism in SCRAM-SHA-512 SCRAM-SHA-256; do
    scram+=(--add-scram "$mechanism=[name=$KAFKA_SCRAM_USERNAME,password=$password]")
  done
  kafka_java kafka.tools.StorageTool format -t "$(<"$KAFKA_CLUSTER_ID_FILE")" \
    -c "$KAFKA_PROPS" "${scram[@]}" >"$KAFKA_LOGS/format.log" 2>&1 || {
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
    check_same kafka "$(kafka_running_listener SASL_PLAINTEXT)" "$KAFKA_SASL_PORT" KAFKA_SASL_PORT
    check_same kafka "$(kafka_running_listener SASL_SSL)" "$KAFKA_SASL_SSL_PORT" KAFKA_SASL_SSL_PORT
    return 0
  fi
  if port_in_use "$KAFKA_PORT"; then
    die "port 127.0.0.1:$KAFKA_PORT is already in use by another process; set KAFKA_PORT=... or point KAFKA_BROKERS at that broker"
  fi
  if port_in_use "$KAFKA_CONTROLLER_PORT"; then
    die "controller port 127.0.0.1:$KAFKA_CONTROLLER_PORT is already in use; set KAFKA_CONTROLLER_PORT=..."
  fi
  if port_in_use "$KAFKA_SASL_PORT"; then
    die "SASL port 127.0.0.1:$KAFKA_SASL_PORT is already in use; set KAFKA_SASL_PORT=..."
  fi
  if port_in_use "$KAFKA_SASL_SSL_PORT"; then
    die "SASL_SSL port 127.0.0.1:$KAFKA_SASL_SSL_PORT is already in use; set KAFKA_SASL_SSL_PORT=..."
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
  local rc=0 scram=()
  # A broker with SASL listeners gets its SCRAM user if its metadata lacks it (storage formatted
  # by an older tools/infra.sh).
  [[ -n $(kafka_running_listener SASL_PLAINTEXT) ]] && scram=("$KAFKA_SCRAM_USERNAME" "$(kafka_scram_password)")
  kafka_java KafkaReady "127.0.0.1:$KAFKA_PORT" "$INFRA_START_TIMEOUT" "$pid" "${scram[@]}" >/dev/null || rc=$?
  ((rc != 3)) || die "kafka: runs, but its SCRAM user $KAFKA_SCRAM_USERNAME could not be set (message above)"
  if [[ $rc -ne 0 ]]; then
    show_tail "$KAFKA_LOGS/kafka.out" "$KAFKA_LOGS/server.log"
    [[ $rc -ne 2 ]] && stop_pid kafka "$KAFKA_PID" "$(kafka_marker)"
    die "kafka did not come up on 127.0.0.1:$KAFKA_PORT (logs above, in $KAFKA_LOGS)"
  fi
}

# --- PostgreSQL (FerretDB's postgresql backend) -------------------------------

# pg_locate: set PG_DIR, PG_DATA and PG_SOCK for an existing cluster, else for the default place.
pg_locate() {
  PG_DIR=$PG_HOME
  if [[ ! -f $PG_DIR/data/PG_VERSION && -f $PG_ALT_DIR/data/PG_VERSION ]]; then
    PG_DIR=$PG_ALT_DIR
  fi
  PG_DATA="$PG_DIR/data"
  PG_SOCK="$PG_DIR/run"
}

pg_marker() { printf '%s' "-D $PG_DATA"; }

pg_pid() { # the postmaster's pid, from postmaster.pid or, right after spawn, from ours
  pid_of "$PG_DATA/postmaster.pid" "$(pg_marker)" || pid_of "$PG_PID" "$(pg_marker)"
}

# pg_find_bin: set PG_BIN to a directory with the server and client programs we use: the one
# initdb on PATH resolves to, else the newest /usr/lib/postgresql/<major>/bin (Debian and
# Ubuntu do not put initdb or pg_ctl on PATH).
pg_find_bin() {
  [[ -n $PG_BIN ]] && return 0
  local d p
  pg_bin_ok() { local t; for t in initdb pg_ctl postgres pg_isready psql; do [[ -x $1/$t ]] || return 1; done; }
  if p=$(command -v initdb 2>/dev/null) && p=$(readlink -f "$p") && pg_bin_ok "${p%/*}"; then
    PG_BIN=${p%/*}
    return 0
  fi
  while IFS= read -r d; do
    if pg_bin_ok "$d"; then
      PG_BIN=$d
      return 0
    fi
  done < <(compgen -G '/usr/lib/postgresql/*/bin' | sort -rV)
  return 1
}

pg_major() { "$PG_BIN/postgres" --version | sed -n 's/^postgres (PostgreSQL) \([0-9]*\).*/\1/p'; }

pg_provision() {
  pg_find_bin && return 0
  local hint="or use FERRETDB_BACKEND=sqlite"
  ((EUID == 0)) || die "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; install PostgreSQL (Debian: sudo apt-get install postgresql) $hint"
  command -v apt-get >/dev/null 2>&1 ||
    die "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found and there is no apt-get; install PostgreSQL $hint"
  log "postgres: initdb/pg_ctl not found; installing Debian's postgresql package (first run only)"
  log "postgres: running apt-get update"
  DEBIAN_FRONTEND=noninteractive apt-get update >&2 ||
    die "postgres: 'apt-get update' failed (output above); install postgresql yourself $hint"
  log "postgres: running apt-get install -y --no-install-recommends postgresql"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >&2 ||
    die "postgres: 'apt-get install postgresql' failed (output above); install it yourself $hint"
  pg_find_bin || die "postgres: postgresql is installed but no initdb/pg_ctl under /usr/lib/postgresql/*/bin"
  log "postgres: installed PostgreSQL $(pg_major) in $PG_BIN (Debian may also have created and started its own 'main' cluster on 5432; this script does not use it)"
}

# pg_init: create the private cluster on the first run (initdb as the postgres user).
pg_init() {
  local major have
  major=$(pg_major)
  [[ -n $major ]] || die "postgres: cannot tell the version of $PG_BIN/postgres"
  if [[ -f $PG_DATA/PG_VERSION ]]; then
    have=$(<"$PG_DATA/PG_VERSION")
    [[ $have == "$major" ]] && return 0
    log "postgres: data in $PG_DATA was written by PostgreSQL $have, now $major: wiping dev data"
    rm -rf "$PG_DATA"
  fi
  if ((EUID == 0)); then
    id -u postgres >/dev/null 2>&1 ||
      die "postgres: no 'postgres' system user (PostgreSQL does not run as root); create one or install Debian's postgresql package"
    PG_DIR=$PG_HOME
    mkdir -p "$PG_DIR"
    if ! "${PG_AS[@]}" test -x "$PG_DIR"; then
      PG_DIR=$PG_ALT_DIR
      log "postgres: the postgres user cannot traverse $PG_HOME (check the modes of its parent directories); keeping the cluster in $PG_DIR"
    fi
    PG_DATA="$PG_DIR/data"
    PG_SOCK="$PG_DIR/run"
  fi
  rm -rf "$PG_DATA" "$PG_SOCK"
  mkdir -p "$PG_DATA" "$PG_SOCK" "$PG_LOGS"
  chmod 700 "$PG_DATA"
  ((EUID == 0)) && chown postgres:postgres "$PG_DATA" "$PG_SOCK"
  local locale=C
  # no grep -q: with pipefail, an early exit could fail the pipeline with SIGPIPE
  if locale -a 2>/dev/null | grep -iE '^c\.utf-?8$' >/dev/null; then locale=C.UTF-8; fi
  log "postgres: initdb PostgreSQL $major cluster in $PG_DATA (UTF8, locale $locale, collation C, trust auth)"
  "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 \
    --locale="$locale" --lc-collate=C >"$PG_LOGS/initdb.log" 2>&1 || {
    show_tail "$PG_LOGS/initdb.log"
    die "postgres: initdb failed (log: $PG_LOGS/initdb.log)"
  }
}

pg_check() { # like kafka_check
  local pid
  if pid=$(pg_pid); then
    check_same postgres "$(arg_after "$pid" -p)" "$PG_PORT" PG_PORT
    return 0
  fi
  if port_in_use "$PG_PORT"; then
    die "port 127.0.0.1:$PG_PORT is already in use by another process (a system PostgreSQL?); set PG_PORT=..."
  fi
  return 1
}

pg_start() {
  pg_check && return 0
  pg_provision
  pg_init
  mkdir -p "$PG_LOGS"
  # Unix socket paths are limited to 107 bytes; we only need TCP, so drop the socket if too long.
  local sock=$PG_SOCK
  ((${#sock} + 20 < 107)) || sock=""
  log "postgres: starting PostgreSQL $(pg_major) on 127.0.0.1:$PG_PORT (data: $PG_DATA)"
  spawn "$PG_PID" "$PG_LOGS/postgres.log" \
    "${PG_AS[@]}" "$PG_BIN/postgres" -D "$PG_DATA" -p "$PG_PORT" \
    -c listen_addresses=127.0.0.1 -c unix_socket_directories="$sock" \
    -c shared_buffers=128MB -c max_connections=250 -c jit=off \
    -c logging_collector=off -c log_destination=stderr
}

pg_psql() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }

pg_wait() {
  pg_find_bin || die "postgres: no PostgreSQL binaries found"
  local deadline=$((SECONDS + INFRA_START_TIMEOUT))
  until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -t 2; do
    if ! pg_pid >/dev/null; then
      show_tail "$PG_LOGS/postgres.log"
      die "postgres: process exited during startup (log above)"
    fi
    if ((SECONDS >= deadline)); then
      show_tail "$PG_LOGS/postgres.log"
      pg_stop
      die "postgres did not come up on 127.0.0.1:$PG_PORT (log above, in $PG_LOGS)"
    fi
    sleep 0.2
  done
  if [[ $(pg_psql -d postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = 'ferretdb'") != 1 ]]; then
    log "postgres: creating database ferretdb"
    # C collation whatever the cluster's: jsonb orders strings by it, and FerretDB pushes string
    # ranges and sorts down only when it is bytewise, like MongoDB (tools/README.md).
    pg_psql -d postgres -c "CREATE DATABASE ferretdb TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'" >/dev/null ||
      die "postgres: CREATE DATABASE ferretdb failed"
  fi
}

pg_stop() {
  local pid
  # Fast shutdown (SIGINT): TERM would wait for clients to disconnect.
  pid=$(pg_pid) && printf '%s\n' "$pid" >"$PG_PID"
  stop_pid postgres "$PG_PID" "$(pg_marker)" INT
}

# --- FerretDB ----------------------------------------------------------------

fdb_bin() { # path of the binary for the current wrapper sources
  local key
  key=$(
    cd "$FDB_SRC"
    { cat go.mod go.sum ./*.go; find _overlay -type f -print0 | sort -z | xargs -0r cat; go env GOVERSION GOOS GOARCH; } |
      sha256sum | cut -c1-16
  )
  printf '%s/ferretdb-dev-%s\n' "$FDB_BIN_DIR" "$key"
}

fdb_goenv() {
  export GOPATH="$DOWNLOADS/go" GOMODCACHE="$DOWNLOADS/go/mod" GOCACHE="$DOWNLOADS/go/build"
  export GOFLAGS="-mod=readonly -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0
}

# fdb_prepare_src DIR: a build tree in DIR: a copy of the wrapper module whose go.mod replaces
# github.com/FerretDB/FerretDB with a copy of its source patched with the files listed in
# tools/ferretdb/_overlay/files.txt. (go build -overlay cannot replace files in GOMODCACHE.)
# Runs in a subshell with fdb_goenv.
fdb_prepare_src() {
  local dir=$1 mod rel sum have
  cd "$FDB_SRC"
  go mod download github.com/FerretDB/FerretDB
  mod=$(go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)
  [[ -d $mod ]] || die "ferretdb: cannot locate the FerretDB module in $GOMODCACHE"
  rm -rf "$dir"
  mkdir -p "$dir/wrapper"
  cp -R "$mod" "$dir/FerretDB"
  chmod -R u+w "$dir/FerretDB"
  while read -r rel sum; do
    [[ -z $rel || $rel == \#* ]] && continue
    if [[ $sum == new ]]; then # a file of ours, not in upstream
      [[ ! -e $mod/$rel ]] || die "ferretdb: upstream now has $rel; review $FDB_SRC/_overlay/$rel"
    else
      have=$(sha256sum "$mod/$rel" | cut -d' ' -f1)
      [[ $have == "$sum" ]] ||
        die "ferretdb: upstream $rel changed (FerretDB version bump?); review the patch in $FDB_SRC/_overlay/$rel and update _overlay/files.txt"
    fi
    cp "$FDB_SRC/_overlay/$rel" "$dir/FerretDB/$rel"
  done <"$FDB_SRC/_overlay/files.txt"
  cp "$FDB_SRC"/go.mod "$FDB_SRC"/go.sum "$FDB_SRC"/*.go "$dir/wrapper/"
  (cd "$dir/wrapper" && go mod edit -replace github.com/FerretDB/FerretDB=../FerretDB)
}

fdb_provision() {
  need go "building FerretDB"
  FDB_BIN=$(fdb_goenv && fdb_bin)
  [[ -x $FDB_BIN ]] && return 0
  log "ferretdb: building $FDB_VERSION wrapper (first run or sources changed; ~1-2 min)"
  mkdir -p "$FDB_BIN_DIR"
  (
    fdb_goenv
    fdb_prepare_src "$DOWNLOADS/ferretdb/src"
    cd "$DOWNLOADS/ferretdb/src/wrapper"
    go build -trimpath -o "$FDB_BIN.tmp" .
  ) >&2 || die "ferretdb: go build failed (see output above)"
  mv "$FDB_BIN.tmp" "$FDB_BIN"
  find "$FDB_BIN_DIR" -maxdepth 1 -name 'ferretdb-dev-*' ! -path "$FDB_BIN" -delete
  ln -sfn "$(basename "$FDB_BIN")" "$FDB_BIN_DIR/ferretdb-dev"
}

fdb_marker() { printf '%s' "-log-file $FDB_LOGS/ferretdb.log"; }
fdb_running_port() { arg_after "$1" -listen-addr | sed 's/.*://'; }
fdb_running_backend() { # builds before -handler existed ran SQLite only
  local h
  h=$(arg_after "$1" -handler)
  printf '%s\n' "${h:-sqlite}"
}
fdb_running_pg_port() { arg_after "$1" -postgresql-url | sed -n 's|.*:\([0-9]*\)/.*|\1|p'; }

fdb_check() { # like kafka_check
  local pid
  if pid=$(pid_of "$FDB_PID" "$(fdb_marker)"); then
    check_same ferretdb "$(fdb_running_port "$pid")" "$MONGO_PORT" MONGO_PORT
    check_same ferretdb "$(fdb_running_backend "$pid")" "$FERRETDB_BACKEND" FERRETDB_BACKEND
    if [[ $FERRETDB_BACKEND == postgresql ]]; then
      check_same ferretdb "$(fdb_running_pg_port "$pid")" "$PG_PORT" PG_PORT
    fi
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
  local backend_args
  if [[ $FERRETDB_BACKEND == postgresql ]]; then
    backend_args=(-handler postgresql -postgresql-url "$PG_URL")
  else
    mkdir -p "$FDB_DATA"
    backend_args=(-handler sqlite -sqlite-dir "$FDB_DATA")
  fi
  mkdir -p "$FDB_LOGS"
  log "ferretdb: starting on 127.0.0.1:$MONGO_PORT ($FERRETDB_BACKEND backend)"
  spawn "$FDB_PID" "$FDB_LOGS/ferretdb.out" \
    "$FDB_BIN" -listen-addr "127.0.0.1:$MONGO_PORT" "${backend_args[@]}" \
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
