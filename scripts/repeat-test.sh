#!/usr/bin/env bash
# Runs one integration spec N times in a row and reports how many runs passed and failed, to tell a
# flaky test from a fixed one. Not part of CI. Builds once (SKIP_BUILD=1 skips it), holds the test
# stack across all runs, and keeps each run's jest output in test/artifacts/repeat/<spec>-<n>.log.
# Fault specs print a FAULT_FIGURES line; each run's HTTP answers (by status) are listed from it.
#   bash scripts/repeat-test.sh 10 test/faults/database-outage.e2e-spec.ts
# Stack ports and data dirs come from the same env vars as scripts/test.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../infra/lib.sh"
LOG_TAG=repeat
cd "$ROOT"

(($# >= 2)) || die "usage: $0 N SPEC_PATH [jest args...]"
runs=$1 spec=$2
shift 2
[[ -f $spec ]] || die "no such spec: $spec"

export KAFKA_PORT=${KAFKA_PORT:-19092}
export KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}
export FERRETDB_PORT=${FERRETDB_PORT:-37017}
export KAFKA_DATA_DIR=${KAFKA_DATA_DIR:-$RUN_DIR/test/kafka}
export FERRETDB_DATA_DIR=${FERRETDB_DATA_DIR:-$RUN_DIR/test/ferretdb}
# As scripts/test.sh sets them, unless the caller set them (even to empty).
export KAFKA_BROKERS=${KAFKA_BROKERS-127.0.0.1:$KAFKA_PORT}
export MONGODB_URI=${MONGODB_URI-mongodb://127.0.0.1:$FERRETDB_PORT/webhooks-test}
export NODE_ENV=test

ensure_node_modules
[[ ${SKIP_BUILD:-} == 1 ]] || npm run build

trap 'bash infra/stack.sh release $$' EXIT
trap 'exit 130' INT TERM # so that EXIT releases the stack when the loop is interrupted
bash infra/stack.sh acquire $$

out_dir=$ROOT/test/artifacts/repeat
mkdir -p "$out_dir"
name=$(basename "$spec" .ts)
passed=0 failed=0
for ((run = 1; run <= runs; run++)); do
  out=$out_dir/$name-$run.log
  started=$SECONDS
  if npx jest --selectProjects integration --runInBand "$@" -- "$spec" >"$out" 2>&1; then
    passed=$((passed + 1)) result=pass
  else
    failed=$((failed + 1)) result=FAIL
  fi
  answers=$(sed -n 's/.*FAULT_FIGURES .*"answers":"\({[^}]*}\)".*/\1/p' "$out" | tr -d '\\' | paste -sd' ')
  log "run $run/$runs: $result in $((SECONDS - started)) s${answers:+, answers $answers} ($out)"
done
log "$spec: $passed passed, $failed failed of $runs"
((failed == 0))
