#!/usr/bin/env bash
# FerretDB 1.x on its SQLite backend: a MongoDB-wire-compatible database with no server to install.
# infra/ferretdb.sh {build|start|stop|status|wipe}
#
# Env: FERRETDB_PORT (27017), FERRETDB_DATA_DIR (.run/ferretdb-$FERRETDB_PORT), FERRETDB_DEBUG_ADDR (off;
# host:port serves Go's pprof at /debug/pprof, for profiling the database under the bench),
# FERRETDB_SYNCHRONOUS (NORMAL; SQLite's synchronous pragma, see start). Listens on 127.0.0.1 only.
set -euo pipefail
LOG_TAG=ferretdb
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FERRETDB_VERSION=v1.24.2
FERRETDB_MODULE=github.com/FerretDB/FerretDB
FERRETDB_PORT=${FERRETDB_PORT:-27017}
DATA_DIR=$(abs_path "${FERRETDB_DATA_DIR:-$RUN_DIR/ferretdb-$FERRETDB_PORT}")
PATCHES=("$ROOT"/infra/ferretdb/*.patch)
# The binary's name carries a hash of the patches, so changing one rebuilds it.
BIN="$CACHE_DIR/bin/ferretdb-$FERRETDB_VERSION-$(cat "${PATCHES[@]}" | sha256sum | cut -c1-12)"
PID_FILE="$RUN_DIR/ferretdb-$FERRETDB_PORT.pid"
LOG_FILE="$DATA_DIR/ferretdb.log"
LISTEN="--listen-addr=127.0.0.1:$FERRETDB_PORT"
MATCH="$LISTEN --handler=sqlite" # how we recognise our server in /proc/<pid>/cmdline, whatever its build

build() {
  # Running the binary (not just finding it) also catches a broken or wrong-version build.
  built() { "$BIN" --version 2>/dev/null | grep -qx "version: $FERRETDB_VERSION"; }
  built && return 0
  lock "$CACHE_DIR/ferretdb-$FERRETDB_VERSION.lock" 8
  built && { unlock 8; return 0; } # another run built it while we waited
  # A plain `go install $FERRETDB_MODULE/cmd/ferretdb@$FERRETDB_VERSION` builds a binary that
  # panics at start: the module zip lacks the generated build/version/version.txt. So build from
  # a copy of the module source with that file added, and with the patches in infra/ferretdb/.
  log "building FerretDB $FERRETDB_VERSION (once per machine; a few minutes when cold)"
  local src
  src=$(go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -d $src ]] || die "go mod download did not yield the FerretDB source"
  tmp=$(mktemp -d) # global: the EXIT trap runs after this function has returned
  trap 'rm -rf "$tmp"' EXIT
  cp -r "$src/." "$tmp"
  chmod -R u+w "$tmp" # the module cache is read-only
  echo "$FERRETDB_VERSION" >"$tmp/build/version/version.txt"
  # Fixes to this FerretDB release that the project depends on; each patch says why at its top.
  for patch in "${PATCHES[@]}"; do
    (cd "$tmp" && git apply "$patch") || die "could not apply $patch"
  done
  mkdir -p "$(dirname "$BIN")"
  (cd "$tmp" && go build -trimpath -o "$BIN.partial" ./cmd/ferretdb)
  mv -f "$BIN.partial" "$BIN" # only a finished build replaces the binary
  unlock 8
}

probe() {
  (cd "$ROOT" && timeout 10 node -e '
    const mongoose = require("mongoose");
    mongoose.connect(process.argv[1], { serverSelectionTimeoutMS: 1000 })
      .then(() => mongoose.connection.db.admin().ping()).then(() => mongoose.disconnect())
      .then(() => process.exit(0), () => process.exit(1));' "mongodb://127.0.0.1:$FERRETDB_PORT/admin")
}

start() {
  build
  local pid
  if pid=$(our_pid "$PID_FILE" "$MATCH") && [[ $(readlink "/proc/$pid/exe") != "$BIN" ]]; then
    log "restarting pid $pid on the current build"
    stop_pidfile "$PID_FILE" "$MATCH" ferretdb 15
  fi
  if pid=$(our_pid "$PID_FILE" "$MATCH"); then
    wait_ready ferretdb 30 "$pid" "$LOG_FILE" probe || exit 1
    log "already running on 127.0.0.1:$FERRETDB_PORT (pid $pid)"
    return 0
  fi
  port_open "$FERRETDB_PORT" &&
    die "port $FERRETDB_PORT is already in use by another process ($(port_owner "$FERRETDB_PORT")); set FERRETDB_PORT to a free port"
  init_data_dir "$DATA_DIR"
  mkdir -p "$DATA_DIR/sqlite" "$RUN_DIR"
  [[ -f $LOG_FILE ]] && mv -f "$LOG_FILE" "$LOG_FILE.1" # keep one previous run for post-mortems
  log "starting on 127.0.0.1:$FERRETDB_PORT (data: $DATA_DIR)"
  # Debug handler off by default: its default port 8088 would clash between the dev and the test instance.
  # synchronous=NORMAL: in WAL mode a commit is durable when the process crashes, not on power loss, as
  # with MongoDB's default write concern (acknowledged before its journal's next group commit). SQLite's
  # FULL syncs the WAL at every commit, and FerretDB commits each statement of a bulk write on its own.
  local sqlite_url="file:$DATA_DIR/sqlite/?_pragma=synchronous(${FERRETDB_SYNCHRONOUS:-NORMAL})"
  daemonize "$PID_FILE" "$LOG_FILE" "$BIN" "$LISTEN" --handler=sqlite --sqlite-url="$sqlite_url" \
    --state-dir="$DATA_DIR" --debug-addr="${FERRETDB_DEBUG_ADDR:--}" --telemetry=disable --log-level=error
  pid=$(<"$PID_FILE")
  wait_ready ferretdb 30 "$pid" "$LOG_FILE" probe || exit 1
  log "ready on 127.0.0.1:$FERRETDB_PORT (pid $pid)"
}

case "${1:-}" in
  build) build ;;
  start) lock "$RUN_DIR/ferretdb-$FERRETDB_PORT.lock" && start ;;
  stop) lock "$RUN_DIR/ferretdb-$FERRETDB_PORT.lock" && stop_pidfile "$PID_FILE" "$MATCH" ferretdb 15 ;;
  status) service_status "$PID_FILE" "$MATCH" "$FERRETDB_PORT" ;;
  wipe) lock "$RUN_DIR/ferretdb-$FERRETDB_PORT.lock" && service_wipe "$PID_FILE" "$MATCH" "$DATA_DIR" ;;
  *) echo "usage: $0 {build|start|stop|status|wipe}" >&2; exit 2 ;;
esac
