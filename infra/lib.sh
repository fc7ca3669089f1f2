# Helpers shared by infra/*.sh and scripts/*.sh. Sourced, never run on its own.
# Everything here works from any cwd: paths are derived from this file's location.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="$ROOT/.run"     # pid files, service data and logs (git-ignored)
CACHE_DIR="$ROOT/.cache" # downloaded jars and built binaries (git-ignored)
LOG_TAG=${LOG_TAG:-infra}

log() { printf '[%s] %s\n' "$LOG_TAG" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Relative paths given through env vars are taken relative to the caller's cwd, as users expect.
abs_path() { realpath -m -- "$1"; }

ensure_node_modules() {
  # npm writes node_modules/.package-lock.json on every install; older than the lock file means stale.
  if [[ ! -d $ROOT/node_modules || $ROOT/package-lock.json -nt $ROOT/node_modules/.package-lock.json ]]; then
    log "installing node modules (npm ci)"
    (cd "$ROOT" && npm ci --no-audit --no-fund)
  fi
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# Who holds a port, for error messages (ss shows the process only when we may see it).
port_owner() { ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -n1; }

# our_pid PIDFILE MATCH: print the pid if it is alive and its command line contains MATCH.
# Otherwise the pid file is stale (process gone, or pid reused by something else): remove it.
our_pid() {
  local file=$1 match=$2 pid
  [[ -f $file ]] || return 1
  pid=$(<"$file")
  if [[ $pid =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$match"; then
    echo "$pid"
    return 0
  fi
  rm -f "$file"
  return 1
}

# lock FILE [FD]: hold an exclusive lock (until unlock FD or the script exits), so concurrent calls
# (two jest runs, a test run and a dev) are serialised instead of racing for a port or a download.
# fd 9 for service locks, 8 for cache locks; daemonize closes both, since a daemon inheriting one
# would hold the lock for its whole lifetime.
lock() {
  mkdir -p "$(dirname "$1")"
  eval "exec ${2:-9}>\"\$1\""
  flock "${2:-9}"
}
unlock() { eval "exec ${1:-9}>&-"; }

# daemonize PIDFILE LOGFILE CMD...: run CMD detached (own session, so a closed terminal or a
# Ctrl-C aimed at the caller does not reach it; we stop it through the pid file instead).
# The child writes its own pid before exec, which stays right whether or not setsid forks.
# stdin/stdout are never inherited: a caller such as execSync would otherwise wait for EOF forever.
daemonize() {
  local pidfile=$1 logfile=$2
  shift 2
  rm -f "$pidfile"
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 8>&- 9>&- &
  for _ in {1..50}; do [[ -s $pidfile ]] && return 0; sleep 0.1; done
  die "could not start: $*"
}

# wait_ready NAME SECONDS PID LOGFILE PROBE...: poll PROBE until it succeeds; fail early if PID dies.
wait_ready() {
  local name=$1 secs=$2 pid=$3 logfile=$4
  shift 4
  local deadline=$((SECONDS + secs))
  until "$@" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null || ((SECONDS >= deadline)); then
      kill -0 "$pid" 2>/dev/null && log "$name not ready after ${secs}s" || log "$name exited during start-up"
      log "last lines of $logfile:"
      tail -n 40 "$logfile" >&2 || true
      return 1
    fi
    sleep 0.3
  done
}

# stop_pidfile PIDFILE MATCH NAME [GRACE_SECONDS]: TERM, wait, then KILL; only ever our own process.
stop_pidfile() {
  local file=$1 match=$2 name=$3 grace=${4:-30} pid
  if ! pid=$(our_pid "$file" "$match"); then
    log "$name is not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop within ${grace}s; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
  log "$name stopped (pid $pid)"
}

# Data dirs we create carry this marker; wipe_data_dir refuses any other directory, so a mistyped
# KAFKA_DATA_DIR/FERRETDB_DATA_DIR (say, $HOME) can never be deleted.
DATA_MARKER=.created-by-infra
init_data_dir() { mkdir -p "$1" && touch "$1/$DATA_MARKER"; }
wipe_data_dir() {
  [[ -d $1 ]] || return 0
  [[ -f $1/$DATA_MARKER ]] || die "refusing to wipe $1: it was not created by infra/"
  rm -rf "$1"
}

# service_status PID_FILE MATCH PORT: whether our process runs and answers the caller's `probe`, with its RSS.
service_status() {
  local pid
  if ! pid=$(our_pid "$1" "$2"); then
    log "not running (port $3)"
    return 1
  fi
  probe || { log "running (pid $pid) but not answering on 127.0.0.1:$3"; return 1; }
  log "running on 127.0.0.1:$3 (pid $pid, rss $(($(ps -o rss= -p "$pid") / 1024)) MiB)"
}

# service_wipe PID_FILE MATCH DATA_DIR: deletes the data dir, for a start from scratch (a test stack must
# not see data from earlier runs); never while the service runs.
service_wipe() {
  our_pid "$1" "$2" >/dev/null && die "refusing to wipe $3 while $LOG_TAG is running"
  wipe_data_dir "$3"
}

# http_ok URL: the URL answers 200 (node is always there; curl may not be).
http_ok() {
  node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
    .then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "$1"
}
