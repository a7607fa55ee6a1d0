# shellcheck shell=bash
# Apache Kafka (KRaft, one node): provision from Maven Central, configure, format, start, wait.
# Sourced by tools/infra.sh, which sets ROOT, TOOLS, CACHE, DOWNLOADS and the timeouts first.

# Kafka version (org.apache.kafka:kafka_2.13 on Maven Central). Chosen as the newest
# release that KafkaJS 2.2.4 was smoke-tested against (see tools/README.md).
KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
# Authenticated listeners, for testing the clients' SASL and TLS settings against a real broker:
# SASL_PLAINTEXT and SASL_SSL (SCRAM-SHA-512, SCRAM-SHA-256, PLAIN; user KAFKA_SCRAM_USERNAME).
KAFKA_SASL_PORT="${KAFKA_SASL_PORT:-9094}"
KAFKA_SASL_SSL_PORT="${KAFKA_SASL_SSL_PORT:-9095}"
KAFKA_SCRAM_USERNAME=mlops
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}"

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
