#!/usr/bin/env bash
# `npm test`, the single test command: unit tests, then integration tests against a real Kafka and
# FerretDB on test ports, then test/persistence again on SecantusDB. Extra arguments go to every jest
# run (a path, -t 'name', ...).
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
export SECANTUSDB_PORT=${SECANTUSDB_PORT:-47018}
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
