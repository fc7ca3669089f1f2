#!/usr/bin/env bash
# Single-node KRaft Kafka for development and tests, run straight from the jars Maven fetches
# (no Docker, no tarball): infra/kafka.sh {fetch|start|stop|status|wipe|version}
#
# Env: KAFKA_VERSION (4.4.0; 3.9.x and 4.x run), KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (KAFKA_PORT+1),
#      KAFKA_DATA_DIR (.run/kafka-$KAFKA_PORT), KAFKA_HEAP (512m). Listens on 127.0.0.1 only.
#      KAFKA_SASL_SSL_PORT (unset: none) adds a SASL_SSL listener for trying secured-cluster settings:
#      SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN for KAFKA_SASL_SSL_USERNAME (webhooks) with
#      KAFKA_SASL_SSL_PASSWORD (letters and digits; unset: generated into $KAFKA_DATA_DIR/tls/client.password),
#      and mutual TLS with certificates openssl makes in $KAFKA_DATA_DIR/tls/ (ca.pem; client.pem and
#      client.key for clients). SCRAM users are written when storage is formatted: changing one takes a wipe.
set -euo pipefail
LOG_TAG=kafka
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KAFKA_VERSION=${KAFKA_VERSION:-4.4.0} # passed to infra/kafka/pom.xml as kafka.version, so the two cannot drift
# Kafka 4.0 moved the broker from log4j 1 to log4j 2: a different slf4j binding, config file and property.
case $KAFKA_VERSION in
  3.9.*) LOGGING=log4j1 ;;
  4.*) LOGGING=log4j2 ;;
  *) LOGGING=unsupported ;; # refused by fetch, so stop/status/wipe still work whatever is set
esac
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}
DATA_DIR=$(abs_path "${KAFKA_DATA_DIR:-$RUN_DIR/kafka-$KAFKA_PORT}")
LIBS="$CACHE_DIR/kafka-$KAFKA_VERSION/libs"
FETCHED="$CACHE_DIR/kafka-$KAFKA_VERSION/.fetched"
PID_FILE="$RUN_DIR/kafka-$KAFKA_PORT.pid"
PROPS="$DATA_DIR/server.properties"
LOG_FILE="$DATA_DIR/kafka.log"
# How we recognise our broker in /proc/<pid>/cmdline. Not the data dir: stop must work whatever
# KAFKA_DATA_DIR the caller has; the pid file (one per port) already identifies the instance.
# Nor the version: stop must work whatever KAFKA_VERSION the caller has.
MATCH="-cp $CACHE_DIR/kafka-"
KAFKA_SASL_SSL_PORT=${KAFKA_SASL_SSL_PORT:-}
SASL_USERNAME=${KAFKA_SASL_SSL_USERNAME:-webhooks}
TLS_DIR="$DATA_DIR/tls"
# Any 16-byte base64url id will do: the cluster is local, single-node and never joined by others.
CLUSTER_ID=wHkDlvRyQ0yLSRsjcEW3bA

fetch() {
  [[ $LOGGING != unsupported ]] || die "KAFKA_VERSION=$KAFKA_VERSION: infra/ runs Kafka 3.9.x or 4.x"
  # The marker is written last, so a download cut short is redone rather than trusted.
  [[ -f $FETCHED ]] && return 0
  lock "$CACHE_DIR/kafka-$KAFKA_VERSION.lock" 8
  [[ -f $FETCHED ]] && { unlock 8; return 0; } # another run fetched it while we waited
  log "fetching Kafka $KAFKA_VERSION jars with Maven (once per machine)"
  rm -rf "$LIBS"
  # Maven 3.8 writes colour resets even in batch mode; strip them so the start output stays plain.
  mvn -q -B -Dstyle.color=never -f "$ROOT/infra/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" -P"$LOGGING" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIBS" 2>&1 |
    sed -e 's/\x1b\[[0-9;]*m//g' -e '/^[[:space:]]*$/d' >&2
  [[ -f $LIBS/kafka_2.13-$KAFKA_VERSION.jar ]] || die "Maven finished but kafka_2.13-$KAFKA_VERSION.jar is missing"
  touch "$FETCHED"
  unlock 8
}

# The version a broker of ours runs: the cache dir its classpath names (see MATCH).
running_version() {
  local cmd
  cmd=$(tr '\0' ' ' <"/proc/$1/cmdline")
  cmd=${cmd#*"$MATCH"}
  echo "${cmd%%/libs/*}"
}

probe() {
  # Ready means a client can talk to it, not merely that the port is open.
  (cd "$ROOT" && timeout 10 node -e '
    const { Kafka, logLevel } = require("kafkajs");
    const admin = new Kafka({ brokers: [process.argv[1]], logLevel: logLevel.NOTHING,
      connectionTimeout: 1000, requestTimeout: 3000, retry: { retries: 0 } }).admin();
    admin.connect().then(() => admin.listTopics()).then(() => admin.disconnect())
      .then(() => process.exit(0), () => process.exit(1));' "127.0.0.1:$KAFKA_PORT")
}

warm_up() {
  # A fresh broker creates __consumer_offsets and its producer-id state on first use, and answers
  # "coordinator not available / loading" meanwhile. Do that first use here (kafkajs retries those
  # errors), so the first test or app start does not pay for it or log errors about it.
  (cd "$ROOT" && timeout 60 node -e '
    const { Kafka, logLevel } = require("kafkajs");
    const kafka = new Kafka({ brokers: [process.argv[1]], logLevel: logLevel.NOTHING });
    const admin = kafka.admin(), producer = kafka.producer({ idempotent: true });
    (async () => {
      await admin.connect(); await admin.describeGroups(["infra-warm-up"]); await admin.disconnect();
      await producer.connect(); await producer.disconnect();
    })().then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1); });' "127.0.0.1:$KAFKA_PORT")
}

# The SASL_SSL listener's certificates: a CA, the broker's (for 127.0.0.1 and localhost) and a client's,
# made once per data dir, and again when the CA has less than a day left.
make_certificates() {
  [[ -f $TLS_DIR/client.key ]] && openssl x509 -checkend 86400 -noout -in "$TLS_DIR/ca.pem" >/dev/null 2>&1 && return 0
  log "making TLS certificates in $TLS_DIR"
  rm -rf "$TLS_DIR.new"
  mkdir -p "$TLS_DIR.new"
  (
    cd "$TLS_DIR.new"
    umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj "/CN=infra-kafka local CA"
    local name extensions
    for name in broker client; do
      extensions='extendedKeyUsage=clientAuth'
      [[ $name == client ]] || extensions='subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth'
      openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -subj "/CN=infra-kafka $name" |
        openssl x509 -req -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" -days 30 \
          -out "$name.pem" -extfile <(printf '%b\n' "$extensions")
    done
    # Kafka's PEM keystore: the private key (unencrypted PKCS#8) followed by its certificate chain.
    cat broker.key broker.pem ca.pem >broker-keystore.pem
  ) >>"$LOG_FILE" 2>&1 || die "openssl could not make the certificates (see $LOG_FILE)"
  [[ ! -s $TLS_DIR/client.password ]] || mv "$TLS_DIR/client.password" "$TLS_DIR.new/"
  rm -rf "$TLS_DIR"
  mv "$TLS_DIR.new" "$TLS_DIR"
}

# The SASL user's password: KAFKA_SASL_SSL_PASSWORD, else one generated once per data dir.
sasl_password() {
  if [[ -n ${KAFKA_SASL_SSL_PASSWORD:-} ]]; then
    [[ $KAFKA_SASL_SSL_PASSWORD =~ ^[A-Za-z0-9]+$ ]] ||
      die "KAFKA_SASL_SSL_PASSWORD: letters and digits only (it is written into --add-scram and a JAAS line)"
    echo "$KAFKA_SASL_SSL_PASSWORD"
    return 0
  fi
  [[ -s $TLS_DIR/client.password ]] || (umask 077 && openssl rand -hex 16 >"$TLS_DIR/client.password")
  cat "$TLS_DIR/client.password"
}

# What the SCRAM users were formatted with: the user and a hash of the password, never the password.
sasl_fingerprint() {
  [[ -z $KAFKA_SASL_SSL_PORT ]] || echo "$SASL_USERNAME $(sasl_password | sha256sum | cut -c1-16)"
}

write_config() {
  local listeners="PLAINTEXT://127.0.0.1:$KAFKA_PORT" protocols="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
  if [[ -n $KAFKA_SASL_SSL_PORT ]]; then
    listeners+=",SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT"
    protocols+=",SASL_SSL:SASL_SSL"
  fi
  (umask 077 && : >"$PROPS") # it may hold the PLAIN password
  cat >"$PROPS" <<EOF
# Generated by infra/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=$listeners,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=$listeners
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=$protocols
log.dirs=$DATA_DIR/logs
# One broker: internal topics cannot have more than one replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
min.insync.replicas=1
# Topics are created on purpose (the apps provision theirs); a typo must not create one.
auto.create.topics.enable=false
# No point waiting for more group members on a dev box; makes consumers start at once.
group.initial.rebalance.delay.ms=0
num.partitions=1
EOF
  [[ -z $KAFKA_SASL_SSL_PORT ]] || write_sasl_ssl_config
  # Without a config log4j 1 logs nothing at all and log4j 2 only errors. Same lines either way;
  # kafka.log.level lets the storage tool run quieter than the broker.
  if [[ $LOGGING == log4j2 ]]; then
    LOG_OPTS=(-Dlog4j2.configurationFile="$DATA_DIR/log4j2.properties")
    cat >"$DATA_DIR/log4j2.properties" <<'EOF'
status = warn
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = ${sys:kafka.log.level:-INFO}
rootLogger.appenderRef.stdout.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.clients.name = org.apache.kafka.clients
logger.clients.level = WARN
EOF
  else
    LOG_OPTS=(-Dlog4j.configuration="file:$DATA_DIR/log4j.properties")
    cat >"$DATA_DIR/log4j.properties" <<'EOF'
kafka.log.level=INFO
log4j.rootLogger=${kafka.log.level}, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
EOF
  fi
}

write_sasl_ssl_config() {
  local listener=listener.name.sasl_ssl scram=org.apache.kafka.common.security.scram.ScramLoginModule password
  password=$(sasl_password)
  cat >>"$PROPS" <<EOF
# The SASL_SSL listener (KAFKA_SASL_SSL_PORT). SCRAM users are in the metadata log (added at format), PLAIN's here.
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN
$listener.scram-sha-512.sasl.jaas.config=$scram required;
$listener.scram-sha-256.sasl.jaas.config=$scram required;
$listener.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$SASL_USERNAME="$password";
$listener.ssl.keystore.type=PEM
$listener.ssl.keystore.location=$TLS_DIR/broker-keystore.pem
$listener.ssl.truststore.type=PEM
$listener.ssl.truststore.location=$TLS_DIR/ca.pem
$listener.ssl.client.auth=required
EOF
}

format_storage() {
  # A format cut short (killed, disk full) leaves meta.properties half-written or absent. The
  # .formatted marker plus the expected keys tell a healthy dir apart; anything else is wiped.
  local meta="$DATA_DIR/logs/meta.properties"
  if [[ -f $DATA_DIR/.formatted ]] && grep -q '^cluster.id=.' "$meta" 2>/dev/null &&
    grep -q '^node.id=1$' "$meta" && grep -q '^directory.id=.' "$meta"; then
    # The marker names the version that formatted the dir. 3.9 reads what 3.9 formatted, even after
    # 4.x ran on it, but fails with a stack trace on a metadata log that 4.x formatted.
    local by
    by=$(<"$DATA_DIR/.formatted")
    if [[ $KAFKA_VERSION == 3.* && $by == 4.* ]]; then
      die "$DATA_DIR was formatted by Kafka $by, which $KAFKA_VERSION cannot read; wipe it (infra/kafka.sh wipe) or set KAFKA_DATA_DIR"
    fi
    if [[ -n $KAFKA_SASL_SSL_PORT && $(cat "$DATA_DIR/.sasl-ssl" 2>/dev/null) != "$(sasl_fingerprint)" ]]; then
      die "$DATA_DIR was formatted without SCRAM user $SASL_USERNAME or with another password; wipe it (infra/kafka.sh wipe) or set KAFKA_DATA_DIR"
    fi
    return 0
  fi
  local scram=() mechanism
  if [[ -n $KAFKA_SASL_SSL_PORT ]]; then
    for mechanism in SCRAM-SHA-512 SCRAM-SHA-256; do
      scram+=(--add-scram "$mechanism=[name=$SASL_USERNAME,password=$(sasl_password)]")
    done
  fi
  log "formatting storage in $DATA_DIR/logs"
  rm -rf "$DATA_DIR/logs" "$DATA_DIR/.formatted"
  # WARN: at INFO it logs its whole KafkaConfig; what it did is printed anyway.
  java "${LOG_OPTS[@]}" -Dkafka.log.level=WARN -cp "$LIBS/*" kafka.tools.StorageTool \
    format --ignore-formatted -t "$CLUSTER_ID" -c "$PROPS" "${scram[@]}" \
    >>"$LOG_FILE" 2>&1 || { tail -n 20 "$LOG_FILE" >&2; die "storage format failed"; }
  sasl_fingerprint >"$DATA_DIR/.sasl-ssl"
  echo "$KAFKA_VERSION" >"$DATA_DIR/.formatted"
}

start() {
  fetch
  local pid
  if pid=$(our_pid "$PID_FILE" "$MATCH"); then
    local running
    running=$(running_version "$pid")
    [[ $running == "$KAFKA_VERSION" ]] ||
      die "Kafka $running already runs on 127.0.0.1:$KAFKA_PORT (pid $pid), not $KAFKA_VERSION: stop it first (npm stop, or infra/kafka.sh stop) or set KAFKA_VERSION=$running"
    wait_ready kafka 90 "$pid" "$LOG_FILE" probe || exit 1
    log "Kafka $KAFKA_VERSION already running on 127.0.0.1:$KAFKA_PORT (pid $pid)"
    return 0
  fi
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" $KAFKA_SASL_SSL_PORT; do
    port_open "$port" && die "port $port is already in use by another process ($(port_owner "$port")); set KAFKA_PORT/KAFKA_CONTROLLER_PORT/KAFKA_SASL_SSL_PORT to free ports"
  done
  init_data_dir "$DATA_DIR"
  mkdir -p "$RUN_DIR"
  [[ -f $LOG_FILE ]] && mv -f "$LOG_FILE" "$LOG_FILE.1" # keep one previous run for post-mortems
  if [[ -n $KAFKA_SASL_SSL_PORT ]]; then
    make_certificates
    sasl_password >/dev/null # refuses a password that cannot be written into the broker's settings
  fi
  write_config
  format_storage
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (data: $DATA_DIR)"
  # G1 settings are the ones Kafka's own kafka-run-class.sh uses; exit on OOM rather than limp on.
  daemonize "$PID_FILE" "$LOG_FILE" java -Xmx"${KAFKA_HEAP:-512m}" -Xms128m \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    "${LOG_OPTS[@]}" -cp "$LIBS/*" kafka.Kafka "$PROPS"
  pid=$(<"$PID_FILE")
  wait_ready kafka 90 "$pid" "$LOG_FILE" probe || exit 1
  [[ -z $KAFKA_SASL_SSL_PORT ]] || wait_ready kafka 30 "$pid" "$LOG_FILE" port_open "$KAFKA_SASL_SSL_PORT" || exit 1
  warm_up || { tail -n 40 "$LOG_FILE" >&2; die "broker answers but its group/producer coordinators do not"; }
  log "Kafka $KAFKA_VERSION ready on 127.0.0.1:$KAFKA_PORT${KAFKA_SASL_SSL_PORT:+ and SASL_SSL on 127.0.0.1:$KAFKA_SASL_SSL_PORT} (pid $pid)"
}

case "${1:-}" in
  fetch) fetch ;;
  start) lock "$RUN_DIR/kafka-$KAFKA_PORT.lock" && start ;;
  stop) lock "$RUN_DIR/kafka-$KAFKA_PORT.lock" && stop_pidfile "$PID_FILE" "$MATCH" kafka 30 ;;
  status) service_status "$PID_FILE" "$MATCH" "$KAFKA_PORT" ;;
  wipe) lock "$RUN_DIR/kafka-$KAFKA_PORT.lock" && service_wipe "$PID_FILE" "$MATCH" "$DATA_DIR" ;;
  # Which version our broker on KAFKA_PORT runs (a test run checks it got the one it asked for).
  version)
    pid=$(our_pid "$PID_FILE" "$MATCH") || die "no broker of ours runs on 127.0.0.1:$KAFKA_PORT"
    running_version "$pid"
    ;;
  *) echo "usage: $0 {fetch|start|stop|status|wipe|version}" >&2; exit 2 ;;
esac
