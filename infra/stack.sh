#!/usr/bin/env bash
# Kafka + FerretDB together. Idempotent, works from any cwd. Ports and data dirs come from the env
# vars documented in infra/kafka.sh and infra/ferretdb.sh.
#   up | down | status     the long-lived dev stack (npm start / npm stop)
#   acquire PID [SERVICE...] | release PID
#                          the test stack: several test runs may share it at once (npm test, jest
#                          on its own, other sessions). Each holds a lease named after its pid;
#                          acquire starts (from empty data) what is not listening yet and records
#                          it; the last release stops only what was recorded, so a stack someone
#                          else runs stays up. SERVICE: kafka, ferretdb (the default: both) or
#                          secantusdb (the second database engine, infra/secantusdb.sh).
set -euo pipefail
LOG_TAG=stack
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
INFRA="$ROOT/infra"

up() {
  # Fetch/build first and in sequence: they are slow only once and their output should not interleave.
  bash "$INFRA/kafka.sh" fetch
  bash "$INFRA/ferretdb.sh" build
  # Start both at once: the broker's JVM start-up dominates, FerretDB is ready well within it.
  # Each start leaves an instance that is already ours and healthy alone.
  bash "$INFRA/kafka.sh" start & local kafka=$!
  bash "$INFRA/ferretdb.sh" start & local ferretdb=$!
  local rc=0
  wait "$kafka" || rc=1
  wait "$ferretdb" || rc=1
  ((rc == 0)) || die "stack did not come up (see above)"
}

down() {
  # Stop both even if one fails, then report.
  local rc=0
  bash "$INFRA/ferretdb.sh" stop || rc=1
  bash "$INFRA/kafka.sh" stop || rc=1
  return "$rc"
}

status() {
  local rc=0
  bash "$INFRA/kafka.sh" status || rc=1
  bash "$INFRA/ferretdb.sh" status || rc=1
  return "$rc"
}

LEASES="$RUN_DIR/leases-${KAFKA_PORT:-9092}-${FERRETDB_PORT:-27017}"

acquire() {
  lock "$LEASES.lock"
  mkdir -p "$LEASES"
  touch "$LEASES/lease.$1"
  shift
  (($#)) || set -- kafka ferretdb
  local svc port
  for svc in "$@"; do
    case $svc in
      kafka) port=${KAFKA_PORT:-9092} ;;
      ferretdb) port=${FERRETDB_PORT:-27017} ;;
      secantusdb) port=${SECANTUSDB_PORT:-27018} ;;
      *) die "unknown service: $svc" ;;
    esac
    port_open "$port" && continue # already served, by us or by someone else: use it, never stop it
    # From scratch, so no run sees topics, committed offsets or documents an earlier run left.
    bash "$INFRA/$svc.sh" wipe
    bash "$INFRA/$svc.sh" start
    echo "$svc" >>"$LEASES/started"
  done
}

release() {
  lock "$LEASES.lock"
  rm -f "$LEASES/lease.$1"
  local lease
  for lease in "$LEASES"/lease.*; do
    [[ -e $lease ]] || continue
    # A lease whose process is gone (jest killed with -9) must not keep the stack up forever.
    kill -0 "${lease##*.}" 2>/dev/null && return 0 || rm -f "$lease"
  done
  [[ -f $LEASES/started ]] || return 0
  local svc
  for svc in $(sort -u "$LEASES/started"); do bash "$INFRA/$svc.sh" stop || true; done
  rm -f "$LEASES/started"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  acquire) [[ ${2:-} =~ ^[0-9]+$ ]] || die "usage: $0 acquire PID [SERVICE...]"; acquire "${@:2}" ;;
  release) [[ ${2:-} =~ ^[0-9]+$ ]] || die "usage: $0 release PID"; release "$2" ;;
  *) echo "usage: $0 {up|down|status|acquire PID [SERVICE...]|release PID}" >&2; exit 2 ;;
esac
