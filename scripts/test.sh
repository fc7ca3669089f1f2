#!/usr/bin/env bash
# `npm test`, the single test command: unit tests, then integration tests against a real Kafka and
# FerretDB on test ports. Extra arguments go to both jest runs (a path, -t 'name', ...).
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
