# shellcheck shell=bash
# Logging and process helpers shared by the servers' scripts.
# Sourced by tools/infra.sh, which sets ROOT, TOOLS, CACHE, DOWNLOADS and the timeouts first.

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH (needed for $2)"
}

# --- process helpers ---------------------------------------------------------

# pid_of PIDFILE MARKER: print the pid (first line of PIDFILE) if it is alive and its
# command line contains MARKER.
pid_of() {
  local pidfile=$1 marker=$2 pid=
  [[ -s $pidfile ]] || return 1
  IFS= read -r pid <"$pidfile" || true
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker" || return 1
  printf '%s\n' "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# arg_after PID ARG: the command-line argument of PID that follows ARG.
arg_after() {
  tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | grep -A1 -xF -- "$2" | sed -n 2p
}

# check_same NAME HAVE WANTED VAR: a running server must match the requested setting.
check_same() {
  local name=$1 have=$2 want=$3 var=$4
  if [[ -n $have && $have != "$want" ]]; then
    die "$name is already running with $var=$have but $var=$want was requested; run 'bash tools/infra.sh down' first"
  fi
}

# The broker keeps a file open per partition and every suite makes topics of its own; under a soft
# limit of 1,024 descriptors it takes its only log directory offline mid-run and then hosts no
# partition at all. Servers get the hard limit (capped at 65,536), and a warning when that is low.
raise_open_files() {
  local hard
  hard=$(ulimit -Hn)
  [[ $hard == unlimited || $hard -gt 65536 ]] && hard=65536
  [[ $(ulimit -Sn) == unlimited || $(ulimit -Sn) -ge $hard ]] || ulimit -Sn "$hard"
  ((hard >= 8192)) || log "warning: at most $hard open files per process; the broker may run out under the full test suite"
}

# spawn PIDFILE OUTFILE CMD...: start CMD detached (own session, no stdin, stdout and
# stderr to OUTFILE, truncated, so it holds this run's console output only); the child
# writes its own pid before exec'ing CMD, so the pid file names the real server.
spawn() {
  local pidfile=$1 out=$2
  shift 2
  rm -f "$pidfile"
  raise_open_files
  # shellcheck disable=SC2016 # $$ and $@ are expanded by the child bash
  # 9>&- : do not let the server inherit the lock held on fd 9 by this script.
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >"$out" 2>&1 9>&- &
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s $pidfile ]] && return 0
    sleep 0.1
  done
  die "could not start: $*"
}

# stop_pid NAME PIDFILE MARKER [SIGNAL]: send SIGNAL (default TERM), then KILL after the timeout.
stop_pid() {
  local name=$1 pidfile=$2 marker=$3 sig=${4:-TERM} pid i
  if ! pid=$(pid_of "$pidfile" "$marker"); then
    rm -f "$pidfile"
    log "$name: not running"
    return 0
  fi
  log "$name: stopping (pid $pid)"
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < INFRA_STOP_TIMEOUT * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: still running after ${INFRA_STOP_TIMEOUT}s, sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -f "$pidfile"
  log "$name: stopped"
}

show_tail() {
  local f
  for f in "$@"; do
    [[ -s $f ]] || continue
    printf '\n----- last 40 lines of %s -----\n' "$f" >&2
    tail -n 40 "$f" >&2
  done
  printf '\n' >&2
}
