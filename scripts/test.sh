#!/usr/bin/env bash
# `npm test`, the single test command: unit tests, then integration tests against a real Kafka and
# FerretDB on test ports, then test/persistence again on SecantusDB and the Kafka-facing specs again on
# Kafka 3.9.1. Extra arguments go to every jest run (a path, -t 'name', ...).
# Exits with jest's status; works unattended (CI=true, no stdin).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../infra/lib.sh"
LOG_TAG=test
cd "$ROOT"

# Test ports and data differ from the dev stack (npm start: 9092/27017) so both can run side by side.
export KAFKA_PORT=${KAFKA_PORT:-19092}
export KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}
export FERRETDB_PORT=${FERRETDB_PORT:-37017}
export KAFKA_DATA_DIR=${KAFKA_DATA_DIR:-$RUN_DIR/test/kafka}
export FERRETDB_DATA_DIR=${FERRETDB_DATA_DIR:-$RUN_DIR/test/ferretdb}
# Below the ephemeral range (32768+): SecantusDB starts after the main run, when the clients of hundreds
# of test connections may hold a port up there, and it binds without SO_REUSEADDR.
export SECANTUSDB_PORT=${SECANTUSDB_PORT:-27018}
export SECANTUSDB_DATA_DIR=${SECANTUSDB_DATA_DIR:-$RUN_DIR/test/secantusdb-$SECANTUSDB_PORT}
# The names the apps read (libs/config), for tests that boot them from the environment.
export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
export MONGODB_URI=mongodb://127.0.0.1:$FERRETDB_PORT/webhooks-test
export NODE_ENV=test

ensure_node_modules
npm run build

npx jest --selectProjects unit --passWithNoTests "$@"

# Hold a lease on the test stack across the integration run. jest's globalSetup/teardown take their
# own, but if jest dies without its teardown, this release still stops what was started for tests
# (unless another test run is still using the stack).
trap 'bash infra/stack.sh release $$' EXIT
bash infra/stack.sh acquire $$
bash scripts/ensure-chromium.sh # the console's browser test drives Debian's Chromium
npx jest --selectProjects integration --runInBand --passWithNoTests "$@"

# The repository and stats specs again, on SecantusDB: MongoDB's semantics where FerretDB 1.x departs from
# them (atomic conditional updates, TTL indexes). Same specs, only the server differs; skipped when the
# arguments select none of them.
persistence=(--selectProjects integration --testMatch '<rootDir>/test/persistence/**/*.e2e-spec.ts')
if [[ $(npx jest "${persistence[@]}" --listTests "$@") == *.e2e-spec.ts* ]]; then
  bash infra/stack.sh acquire $$ secantusdb # released by the trap above, with the rest of the stack
  log "test/persistence again, on SecantusDB (127.0.0.1:$SECANTUSDB_PORT)"
  MONGODB_URI=mongodb://127.0.0.1:$SECANTUSDB_PORT/webhooks-test TEST_DB_ENGINE=secantusdb \
    npx jest "${persistence[@]}" --runInBand "$@"
fi

# The Kafka-facing specs again on the oldest broker line we support (README "Kafka versions"): a broker of
# their own, on the test broker's port + 100 and its own data dir; the database is the stack's. Skipped
# when the arguments select none of them, or with KAFKA_COMPAT_VERSION= (empty).
compat=(--selectProjects integration --testMatch '<rootDir>/test/infra/kafka.e2e-spec.ts'
  '<rootDir>/test/dispatcher/delivery.e2e-spec.ts' '<rootDir>/test/api/event-intake.e2e-spec.ts'
  '<rootDir>/test/faults/poison-messages.e2e-spec.ts' '<rootDir>/test/faults/kafka-restart.e2e-spec.ts')
KAFKA_COMPAT_VERSION=${KAFKA_COMPAT_VERSION-3.9.1}
if [[ -n $KAFKA_COMPAT_VERSION && $KAFKA_COMPAT_VERSION != "${KAFKA_VERSION:-}" &&
  $(npx jest "${compat[@]}" --listTests "$@") == *.e2e-spec.ts* ]]; then
  (
    export KAFKA_VERSION=$KAFKA_COMPAT_VERSION KAFKA_PORT=$((KAFKA_PORT + 100))
    export KAFKA_CONTROLLER_PORT=$((KAFKA_PORT + 1)) KAFKA_DATA_DIR=$KAFKA_DATA_DIR-$KAFKA_COMPAT_VERSION
    export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
    trap 'bash infra/stack.sh release $$' EXIT # this broker only; the outer trap releases the rest
    bash infra/stack.sh acquire $$ kafka
    # A broker someone else left on this port could be another version: that would prove nothing.
    running=$(bash infra/kafka.sh version)
    [[ $running == "$KAFKA_VERSION" ]] || die "127.0.0.1:$KAFKA_PORT runs Kafka $running, not $KAFKA_VERSION"
    log "the Kafka-facing specs again, on Kafka $KAFKA_VERSION (127.0.0.1:$KAFKA_PORT)"
    npx jest "${compat[@]}" --runInBand "$@"
  )
fi
