#!/usr/bin/env bash
# `npm start`: build, bring up Kafka + FerretDB on the dev ports, then run the API and the
# dispatcher in the background (pid files in .run/, logs in .run/logs/). `npm stop` undoes it.
# Running it again rebuilds and restarts the apps, so they always run the current code.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../infra/lib.sh"
LOG_TAG=start
cd "$ROOT"

export KAFKA_PORT=${KAFKA_PORT:-9092} FERRETDB_PORT=${FERRETDB_PORT:-27017}
export API_PORT=${API_PORT:-3000} DISPATCHER_PORT=${DISPATCHER_PORT:-3001}
export API_METRICS_PORT=${API_METRICS_PORT:-3100} DISPATCHER_METRICS_PORT=${DISPATCHER_METRICS_PORT:-3101}
export KAFKA_BROKERS=${KAFKA_BROKERS:-127.0.0.1:$KAFKA_PORT}
export MONGODB_URI=${MONGODB_URI:-mongodb://127.0.0.1:$FERRETDB_PORT/webhooks}
# Development mode: webhooks may target http:// URLs and local receivers (localhost, private
# networks), which is what a developer's test receiver looks like. Never for production; a value
# the user set wins.
export NODE_ENV=${NODE_ENV:-development}
export ALLOW_HTTP_WEBHOOKS=${ALLOW_HTTP_WEBHOOKS:-true} ALLOW_PRIVATE_TARGETS=${ALLOW_PRIVATE_TARGETS:-true}

# The apps run with the image's heap limits and malloc arenas (one place: the Dockerfile's ENV lines).
# Those are run-time caps for the apps only: the build (tsc, nest, vite) gets Node's defaults.
image_env() { sed -n "s/^ENV $1=\"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" Dockerfile; }
APP_NODE_OPTIONS=${APP_NODE_OPTIONS:-$(image_env NODE_OPTIONS)}
APP_MALLOC_ARENA_MAX=${APP_MALLOC_ARENA_MAX:-$(image_env MALLOC_ARENA_MAX)}

ensure_node_modules
npm run build
bash infra/stack.sh up

mkdir -p "$RUN_DIR/logs"
start_app() { # start_app NAME ENTRY: (re)start one app from dist/
  local name=$1 entry="$ROOT/$2"
  [[ -f $entry ]] || die "$entry is missing; did the build succeed?"
  if our_pid "$RUN_DIR/$name.pid" "node $entry" >/dev/null; then
    stop_pidfile "$RUN_DIR/$name.pid" "node $entry" "$name" 15 # it still runs the previous build
  fi
  NODE_OPTIONS=$APP_NODE_OPTIONS MALLOC_ARENA_MAX=$APP_MALLOC_ARENA_MAX \
    daemonize "$RUN_DIR/$name.pid" "$RUN_DIR/logs/$name.log" node "$entry"
}
start_app api dist/apps/api/main.js
start_app dispatcher dist/apps/dispatcher/main.js

wait_ready api 60 "$(<"$RUN_DIR/api.pid")" "$RUN_DIR/logs/api.log" http_ok "http://127.0.0.1:$API_PORT/ready" || exit 1
wait_ready dispatcher 60 "$(<"$RUN_DIR/dispatcher.pid")" "$RUN_DIR/logs/dispatcher.log" \
  http_ok "http://127.0.0.1:$DISPATCHER_PORT/health" || exit 1

cat <<MSG

  Mode:       $NODE_ENV, ALLOW_HTTP_WEBHOOKS=$ALLOW_HTTP_WEBHOOKS ALLOW_PRIVATE_TARGETS=$ALLOW_PRIVATE_TARGETS
              (development only: true lets webhooks target http:// and local addresses; set false to refuse)
  API:        http://127.0.0.1:$API_PORT
  API docs:   http://127.0.0.1:$API_PORT/docs
  Dispatcher: http://127.0.0.1:$DISPATCHER_PORT/health
  Metrics:    http://127.0.0.1:$API_METRICS_PORT/metrics (api), http://127.0.0.1:$DISPATCHER_METRICS_PORT/metrics (dispatcher)
  Logs:       $RUN_DIR/logs/
  A token:    npm run cli -- tokens create --tenant <name>
  Stop:       npm stop

MSG
