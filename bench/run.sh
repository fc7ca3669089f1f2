#!/usr/bin/env bash
# npm run bench: the benchmark of issue 5 on its own Kafka + FerretDB (ports 59192/59117, data under
# .run/bench/), so it never disturbs `npm start` (9092/27017) or `npm test` (19092/37017). Takes a lease
# on that stack (infra/stack.sh acquire) and gives it back on exit; a stack already listening there is
# used as it is. Builds the apps when dist/ lacks them. Settings: see the header of bench/bench.ts.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export BENCH_KAFKA_PORT=${BENCH_KAFKA_PORT:-59192}
export BENCH_FERRETDB_PORT=${BENCH_FERRETDB_PORT:-59117}
STACK_ENV=(
  KAFKA_PORT="$BENCH_KAFKA_PORT"
  KAFKA_CONTROLLER_PORT="$((BENCH_KAFKA_PORT + 1))"
  FERRETDB_PORT="$BENCH_FERRETDB_PORT"
  KAFKA_DATA_DIR="$ROOT/.run/bench/kafka"
  FERRETDB_DATA_DIR="$ROOT/.run/bench/ferretdb"
)

release() { env "${STACK_ENV[@]}" bash infra/stack.sh release $$ || true; }
trap release EXIT
env "${STACK_ENV[@]}" bash infra/stack.sh acquire $$

for app in api dispatcher; do
  [[ -f dist/apps/$app/main.js ]] || npx nest build "$app"
done

node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/bench.ts
