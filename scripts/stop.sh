#!/usr/bin/env bash
# `npm stop`: stop what `npm start` started, apps first so they do not log a burst of broker errors.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../infra/lib.sh"
LOG_TAG=stop

stop_pidfile "$RUN_DIR/api.pid" "node $ROOT/dist/apps/api/main.js" api 15
stop_pidfile "$RUN_DIR/dispatcher.pid" "node $ROOT/dist/apps/dispatcher/main.js" dispatcher 15
bash "$ROOT/infra/stack.sh" down
