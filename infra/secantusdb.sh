#!/usr/bin/env bash
# SecantusDB: a MongoDB-wire server on WiredTiger, from PyPI. The second engine the repository specs run on
# (scripts/test.sh), for the MongoDB semantics FerretDB 1.x lacks: atomic conditional updates, TTL indexes.
# infra/secantusdb.sh {install|start|stop|status|wipe}
#
# Env: SECANTUSDB_PORT (27018), SECANTUSDB_DATA_DIR (.run/secantusdb-$SECANTUSDB_PORT). Listens on 127.0.0.1 only.
set -euo pipefail
LOG_TAG=secantusdb
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SECANTUSDB_VERSION=0.7.0b3
SECANTUSDB_PORT=${SECANTUSDB_PORT:-27018}
DATA_DIR=$(abs_path "${SECANTUSDB_DATA_DIR:-$RUN_DIR/secantusdb-$SECANTUSDB_PORT}")
VENV="$CACHE_DIR/secantusdb-$SECANTUSDB_VERSION"
BIN="$VENV/bin/secantusd-py"
INSTALLED="$VENV/.installed" # written last, so an interrupted install is redone
PID_FILE="$RUN_DIR/secantusdb-$SECANTUSDB_PORT.pid"
LOG_FILE="$DATA_DIR/secantusdb.log"
MATCH="secantusd-py --host 127.0.0.1 --port $SECANTUSDB_PORT --config" # ours, whatever its version

# Debian's python3 has no venv module without python3-venv; install it unattended, like scripts/ensure-chromium.sh.
ensure_python_venv() {
  python3 -c 'import ensurepip, venv' 2>/dev/null && return 0
  local as_root=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo -n true 2>/dev/null || die "python3 with its venv module is missing and this user cannot install packages; run: apt-get install python3-venv"
    as_root=(sudo -n)
  fi
  log "installing Debian's python3-venv (first run only)"
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq </dev/null
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends python3 python3-venv </dev/null
}

install() {
  # Asking the venv for the version (not just finding the marker) also catches a venv whose python is gone.
  installed() {
    [[ -f $INSTALLED ]] &&
      [[ $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("secantusdb"))' 2>/dev/null) == "$SECANTUSDB_VERSION" ]]
  }
  installed && return 0
  lock "$CACHE_DIR/secantusdb-$SECANTUSDB_VERSION.lock" 8
  installed && { unlock 8; return 0; } # another run installed it while we waited
  ensure_python_venv
  log "installing SecantusDB $SECANTUSDB_VERSION into $VENV (once per machine)"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input "secantusdb==$SECANTUSDB_VERSION"
  "$BIN" --help >/dev/null || die "secantusd-py does not run"
  touch "$INSTALLED"
  unlock 8
}

# A ping through the driver the apps use: an open port alone would not show the server answers the wire protocol.
probe() {
  (cd "$ROOT" && timeout 10 node -e '
    const { MongoClient } = require("mongodb");
    new MongoClient(process.argv[1], { serverSelectionTimeoutMS: 1000 }).connect()
      .then(async (client) => { await client.db("admin").command({ ping: 1 }); await client.close(); })
      .then(() => process.exit(0), () => process.exit(1));' "mongodb://127.0.0.1:$SECANTUSDB_PORT/admin")
}

start() {
  install
  local pid cmdline
  if pid=$(our_pid "$PID_FILE" "$MATCH") && cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline") && [[ $cmdline != *"$BIN "* ]]; then
    log "restarting pid $pid on SecantusDB $SECANTUSDB_VERSION"
    stop_pidfile "$PID_FILE" "$MATCH" secantusdb 15
  fi
  if pid=$(our_pid "$PID_FILE" "$MATCH"); then
    wait_ready secantusdb 30 "$pid" "$LOG_FILE" probe || exit 1
    log "already running on 127.0.0.1:$SECANTUSDB_PORT (pid $pid)"
    return 0
  fi
  port_open "$SECANTUSDB_PORT" &&
    die "port $SECANTUSDB_PORT is already in use by another process ($(port_owner "$SECANTUSDB_PORT")); set SECANTUSDB_PORT to a free port"
  init_data_dir "$DATA_DIR"
  mkdir -p "$RUN_DIR"
  # An empty config of our own: without --config it would read a secantusd.toml from the cwd, ~/.secantus or /etc.
  : >"$DATA_DIR/secantusd.toml"
  [[ -f $LOG_FILE ]] && mv -f "$LOG_FILE" "$LOG_FILE.1" # keep one previous run for post-mortems
  log "starting on 127.0.0.1:$SECANTUSDB_PORT (data: $DATA_DIR)"
  # A 256 MiB cache instead of its default 1 GiB: test data is small and the machine is shared.
  daemonize "$PID_FILE" "$LOG_FILE" "$BIN" --host 127.0.0.1 --port "$SECANTUSDB_PORT" \
    --config "$DATA_DIR/secantusd.toml" --storage-path "$DATA_DIR/wiredtiger" --cache-size 256M
  pid=$(<"$PID_FILE")
  wait_ready secantusdb 30 "$pid" "$LOG_FILE" probe || exit 1
  log "ready on 127.0.0.1:$SECANTUSDB_PORT (pid $pid)"
}

case "${1:-}" in
  install) install ;;
  start) lock "$RUN_DIR/secantusdb-$SECANTUSDB_PORT.lock" && start ;;
  stop) lock "$RUN_DIR/secantusdb-$SECANTUSDB_PORT.lock" && stop_pidfile "$PID_FILE" "$MATCH" secantusdb 15 ;;
  status) service_status "$PID_FILE" "$MATCH" "$SECANTUSDB_PORT" ;;
  wipe) lock "$RUN_DIR/secantusdb-$SECANTUSDB_PORT.lock" && service_wipe "$PID_FILE" "$MATCH" "$DATA_DIR" ;;
  *) echo "usage: $0 {install|start|stop|status|wipe}" >&2; exit 2 ;;
esac
