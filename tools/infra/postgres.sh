# shellcheck shell=bash
# The private PostgreSQL cluster behind FerretDB's postgresql backend.
# Sourced by tools/infra.sh, which sets ROOT, TOOLS, CACHE, DOWNLOADS and the timeouts first.

PG_PORT="${PG_PORT:-5433}" # not 5432, so that a system PostgreSQL can keep its port

# The private PostgreSQL cluster. Its data lives in <repo>/.cache/postgres/data, or, when the
# postgres system user cannot reach <repo>/.cache (the script runs as root, PostgreSQL refuses
# to), under /var/lib/mlops-infra/<hash of the repo path>/postgres. Logs stay under .cache.
PG_HOME="$CACHE/postgres"
PG_ALT_DIR="/var/lib/mlops-infra/$(printf '%s' "$ROOT" | sha256sum | cut -c1-16)/postgres"
PG_LOGS="$PG_HOME/logs"
PG_PID="$PG_HOME/postgres.pid" # written at spawn; $PG_DATA/postmaster.pid is checked first
# FerretDB's default pool is 50; an update holds two connections at once, so keep headroom.
PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/ferretdb?pool_max_conns=200"
PG_DIR="" PG_DATA="" PG_SOCK="" PG_BIN="" # set by pg_locate and pg_find_bin
if ((EUID == 0)); then
  PG_AS=(setpriv --reuid=postgres --regid=postgres --init-groups env -C /)
else
  PG_AS=(env -C /)
fi

# pg_locate: set PG_DIR, PG_DATA and PG_SOCK for an existing cluster, else for the default place.
pg_locate() {
  PG_DIR=$PG_HOME
  if [[ ! -f $PG_DIR/data/PG_VERSION && -f $PG_ALT_DIR/data/PG_VERSION ]]; then
    PG_DIR=$PG_ALT_DIR
  fi
  PG_DATA="$PG_DIR/data"
  PG_SOCK="$PG_DIR/run"
}

pg_marker() { printf '%s' "-D $PG_DATA"; }

pg_pid() { # the postmaster's pid, from postmaster.pid or, right after spawn, from ours
  pid_of "$PG_DATA/postmaster.pid" "$(pg_marker)" || pid_of "$PG_PID" "$(pg_marker)"
}

# pg_find_bin: set PG_BIN to a directory with the server and client programs we use: the one
# initdb on PATH resolves to, else the newest /usr/lib/postgresql/<major>/bin (Debian and
# Ubuntu do not put initdb or pg_ctl on PATH).
pg_find_bin() {
  [[ -n $PG_BIN ]] && return 0
  local d p
  pg_bin_ok() { local t; for t in initdb pg_ctl postgres pg_isready psql; do [[ -x $1/$t ]] || return 1; done; }
  if p=$(command -v initdb 2>/dev/null) && p=$(readlink -f "$p") && pg_bin_ok "${p%/*}"; then
    PG_BIN=${p%/*}
    return 0
  fi
  while IFS= read -r d; do
    if pg_bin_ok "$d"; then
      PG_BIN=$d
      return 0
    fi
  done < <(compgen -G '/usr/lib/postgresql/*/bin' | sort -rV)
  return 1
}

pg_major() { "$PG_BIN/postgres" --version | sed -n 's/^postgres (PostgreSQL) \([0-9]*\).*/\1/p'; }

pg_provision() {
  pg_find_bin && return 0
  local hint="or use FERRETDB_BACKEND=sqlite"
  ((EUID == 0)) || die "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; install PostgreSQL (Debian: sudo apt-get install postgresql) $hint"
  command -v apt-get >/dev/null 2>&1 ||
    die "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found and there is no apt-get; install PostgreSQL $hint"
  log "postgres: initdb/pg_ctl not found; installing Debian's postgresql package (first run only)"
  log "postgres: running apt-get update"
  DEBIAN_FRONTEND=noninteractive apt-get update >&2 ||
    die "postgres: 'apt-get update' failed (output above); install postgresql yourself $hint"
  log "postgres: running apt-get install -y --no-install-recommends postgresql"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >&2 ||
    die "postgres: 'apt-get install postgresql' failed (output above); install it yourself $hint"
  pg_find_bin || die "postgres: postgresql is installed but no initdb/pg_ctl under /usr/lib/postgresql/*/bin"
  log "postgres: installed PostgreSQL $(pg_major) in $PG_BIN (Debian may also have created and started its own 'main' cluster on 5432; this script does not use it)"
}

# pg_init: create the private cluster on the first run (initdb as the postgres user).
pg_init() {
  local major have
  major=$(pg_major)
  [[ -n $major ]] || die "postgres: cannot tell the version of $PG_BIN/postgres"
  if [[ -f $PG_DATA/PG_VERSION ]]; then
    have=$(<"$PG_DATA/PG_VERSION")
    [[ $have == "$major" ]] && return 0
    log "postgres: data in $PG_DATA was written by PostgreSQL $have, now $major: wiping dev data"
    rm -rf "$PG_DATA"
  fi
  if ((EUID == 0)); then
    id -u postgres >/dev/null 2>&1 ||
      die "postgres: no 'postgres' system user (PostgreSQL does not run as root); create one or install Debian's postgresql package"
    PG_DIR=$PG_HOME
    mkdir -p "$PG_DIR"
    if ! "${PG_AS[@]}" test -x "$PG_DIR"; then
      PG_DIR=$PG_ALT_DIR
      log "postgres: the postgres user cannot traverse $PG_HOME (check the modes of its parent directories); keeping the cluster in $PG_DIR"
    fi
    PG_DATA="$PG_DIR/data"
    PG_SOCK="$PG_DIR/run"
  fi
  rm -rf "$PG_DATA" "$PG_SOCK"
  mkdir -p "$PG_DATA" "$PG_SOCK" "$PG_LOGS"
  chmod 700 "$PG_DATA"
  ((EUID == 0)) && chown postgres:postgres "$PG_DATA" "$PG_SOCK"
  local locale=C
  # no grep -q: with pipefail, an early exit could fail the pipeline with SIGPIPE
  if locale -a 2>/dev/null | grep -iE '^c\.utf-?8$' >/dev/null; then locale=C.UTF-8; fi
  log "postgres: initdb PostgreSQL $major cluster in $PG_DATA (UTF8, locale $locale, collation C, trust auth)"
  "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 \
    --locale="$locale" --lc-collate=C >"$PG_LOGS/initdb.log" 2>&1 || {
    show_tail "$PG_LOGS/initdb.log"
    die "postgres: initdb failed (log: $PG_LOGS/initdb.log)"
  }
}

pg_check() { # like kafka_check
  local pid
  if pid=$(pg_pid); then
    check_same postgres "$(arg_after "$pid" -p)" "$PG_PORT" PG_PORT
    return 0
  fi
  if port_in_use "$PG_PORT"; then
    die "port 127.0.0.1:$PG_PORT is already in use by another process (a system PostgreSQL?); set PG_PORT=..."
  fi
  return 1
}

pg_start() {
  pg_check && return 0
  pg_provision
  pg_init
  mkdir -p "$PG_LOGS"
  # Unix socket paths are limited to 107 bytes; we only need TCP, so drop the socket if too long.
  local sock=$PG_SOCK
  ((${#sock} + 20 < 107)) || sock=""
  log "postgres: starting PostgreSQL $(pg_major) on 127.0.0.1:$PG_PORT (data: $PG_DATA)"
  spawn "$PG_PID" "$PG_LOGS/postgres.log" \
    "${PG_AS[@]}" "$PG_BIN/postgres" -D "$PG_DATA" -p "$PG_PORT" \
    -c listen_addresses=127.0.0.1 -c unix_socket_directories="$sock" \
    -c shared_buffers=128MB -c max_connections=250 -c jit=off \
    -c logging_collector=off -c log_destination=stderr
}

pg_psql() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }

pg_wait() {
  pg_find_bin || die "postgres: no PostgreSQL binaries found"
  local deadline=$((SECONDS + INFRA_START_TIMEOUT))
  until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -t 2; do
    if ! pg_pid >/dev/null; then
      show_tail "$PG_LOGS/postgres.log"
      die "postgres: process exited during startup (log above)"
    fi
    if ((SECONDS >= deadline)); then
      show_tail "$PG_LOGS/postgres.log"
      pg_stop
      die "postgres did not come up on 127.0.0.1:$PG_PORT (log above, in $PG_LOGS)"
    fi
    sleep 0.2
  done
  if [[ $(pg_psql -d postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = 'ferretdb'") != 1 ]]; then
    log "postgres: creating database ferretdb"
    # C collation whatever the cluster's: jsonb orders strings by it, and FerretDB pushes string
    # ranges and sorts down only when it is bytewise, like MongoDB (tools/README.md).
    pg_psql -d postgres -c "CREATE DATABASE ferretdb TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'" >/dev/null ||
      die "postgres: CREATE DATABASE ferretdb failed"
  fi
}

pg_stop() {
  local pid
  # Fast shutdown (SIGINT): TERM would wait for clients to disconnect.
  pid=$(pg_pid) && printf '%s\n' "$pid" >"$PG_PID"
  stop_pid postgres "$PG_PID" "$(pg_marker)" INT
}
