# shellcheck shell=bash
# FerretDB (MongoDB wire protocol): built from tools/ferretdb with its overlay, started on PostgreSQL or SQLite.
# Sourced by tools/infra.sh, which sets ROOT, TOOLS, CACHE, DOWNLOADS and the timeouts first.

MONGO_PORT="${MONGO_PORT:-27017}"
# postgresql: FerretDB pushes filters, sorts and limits down to PostgreSQL and createIndexes
# makes real indexes; sqlite: no PostgreSQL needed, but most queries scan whole collections.
FERRETDB_BACKEND="${FERRETDB_BACKEND:-postgresql}"
FERRETDB_LOG_LEVEL="${FERRETDB_LOG_LEVEL:-info}"

FDB_HOME="$CACHE/ferretdb"
FDB_BIN_DIR="$DOWNLOADS/ferretdb/bin"
FDB_DATA="$FDB_HOME/data"
FDB_LOGS="$FDB_HOME/logs"
FDB_PID="$FDB_HOME/ferretdb.pid"
FDB_SRC="$TOOLS/ferretdb"
FDB_VERSION="FerretDB $(sed -n 's/^require github.com\/FerretDB\/FerretDB //p' "$FDB_SRC/go.mod" 2>/dev/null)"

fdb_bin() { # path of the binary for the current wrapper sources
  local key
  key=$(
    cd "$FDB_SRC"
    { cat go.mod go.sum ./*.go; find _overlay -type f -print0 | sort -z | xargs -0r cat; go env GOVERSION GOOS GOARCH; } |
      sha256sum | cut -c1-16
  )
  printf '%s/ferretdb-dev-%s\n' "$FDB_BIN_DIR" "$key"
}

fdb_goenv() {
  export GOPATH="$DOWNLOADS/go" GOMODCACHE="$DOWNLOADS/go/mod" GOCACHE="$DOWNLOADS/go/build"
  export GOFLAGS="-mod=readonly -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0
}

# fdb_prepare_src DIR: a build tree in DIR: a copy of the wrapper module whose go.mod replaces
# github.com/FerretDB/FerretDB with a copy of its source patched with the files listed in
# tools/ferretdb/_overlay/files.txt. (go build -overlay cannot replace files in GOMODCACHE.)
# Runs in a subshell with fdb_goenv.
fdb_prepare_src() {
  local dir=$1 mod rel sum have
  cd "$FDB_SRC"
  go mod download github.com/FerretDB/FerretDB
  mod=$(go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)
  [[ -d $mod ]] || die "ferretdb: cannot locate the FerretDB module in $GOMODCACHE"
  rm -rf "$dir"
  mkdir -p "$dir/wrapper"
  cp -R "$mod" "$dir/FerretDB"
  chmod -R u+w "$dir/FerretDB"
  while read -r rel sum; do
    [[ -z $rel || $rel == \#* ]] && continue
    if [[ $sum == new ]]; then # a file of ours, not in upstream
      [[ ! -e $mod/$rel ]] || die "ferretdb: upstream now has $rel; review $FDB_SRC/_overlay/$rel"
    else
      have=$(sha256sum "$mod/$rel" | cut -d' ' -f1)
      [[ $have == "$sum" ]] ||
        die "ferretdb: upstream $rel changed (FerretDB version bump?); review the patch in $FDB_SRC/_overlay/$rel and update _overlay/files.txt"
    fi
    cp "$FDB_SRC/_overlay/$rel" "$dir/FerretDB/$rel"
  done <"$FDB_SRC/_overlay/files.txt"
  cp "$FDB_SRC"/go.mod "$FDB_SRC"/go.sum "$FDB_SRC"/*.go "$dir/wrapper/"
  (cd "$dir/wrapper" && go mod edit -replace github.com/FerretDB/FerretDB=../FerretDB)
}

fdb_provision() {
  need go "building FerretDB"
  FDB_BIN=$(fdb_goenv && fdb_bin)
  [[ -x $FDB_BIN ]] && return 0
  log "ferretdb: building $FDB_VERSION wrapper (first run or sources changed; ~1-2 min)"
  mkdir -p "$FDB_BIN_DIR"
  (
    fdb_goenv
    fdb_prepare_src "$DOWNLOADS/ferretdb/src"
    cd "$DOWNLOADS/ferretdb/src/wrapper"
    go build -trimpath -o "$FDB_BIN.tmp" .
  ) >&2 || die "ferretdb: go build failed (see output above)"
  mv "$FDB_BIN.tmp" "$FDB_BIN"
  find "$FDB_BIN_DIR" -maxdepth 1 -name 'ferretdb-dev-*' ! -path "$FDB_BIN" -delete
  ln -sfn "$(basename "$FDB_BIN")" "$FDB_BIN_DIR/ferretdb-dev"
}

fdb_marker() { printf '%s' "-log-file $FDB_LOGS/ferretdb.log"; }
fdb_running_port() { arg_after "$1" -listen-addr | sed 's/.*://'; }
fdb_running_backend() { # builds before -handler existed ran SQLite only
  local h
  h=$(arg_after "$1" -handler)
  printf '%s\n' "${h:-sqlite}"
}
fdb_running_pg_port() { arg_after "$1" -postgresql-url | sed -n 's|.*:\([0-9]*\)/.*|\1|p'; }

fdb_check() { # like kafka_check
  local pid
  if pid=$(pid_of "$FDB_PID" "$(fdb_marker)"); then
    check_same ferretdb "$(fdb_running_port "$pid")" "$MONGO_PORT" MONGO_PORT
    check_same ferretdb "$(fdb_running_backend "$pid")" "$FERRETDB_BACKEND" FERRETDB_BACKEND
    if [[ $FERRETDB_BACKEND == postgresql ]]; then
      check_same ferretdb "$(fdb_running_pg_port "$pid")" "$PG_PORT" PG_PORT
    fi
    return 0
  fi
  if port_in_use "$MONGO_PORT"; then
    die "port 127.0.0.1:$MONGO_PORT is already in use by another process; set MONGO_PORT=... or point MONGO_URL at that server"
  fi
  return 1
}

fdb_start() {
  fdb_check && return 0
  fdb_provision
  local backend_args
  if [[ $FERRETDB_BACKEND == postgresql ]]; then
    backend_args=(-handler postgresql -postgresql-url "$PG_URL")
  else
    mkdir -p "$FDB_DATA"
    backend_args=(-handler sqlite -sqlite-dir "$FDB_DATA")
  fi
  mkdir -p "$FDB_LOGS"
  log "ferretdb: starting on 127.0.0.1:$MONGO_PORT ($FERRETDB_BACKEND backend)"
  spawn "$FDB_PID" "$FDB_LOGS/ferretdb.out" \
    "$FDB_BIN" -listen-addr "127.0.0.1:$MONGO_PORT" "${backend_args[@]}" \
    -log-level "$FERRETDB_LOG_LEVEL" -log-file "$FDB_LOGS/ferretdb.log"
}

fdb_wait() {
  local pid
  pid=$(pid_of "$FDB_PID" "$(fdb_marker)") || {
    show_tail "$FDB_LOGS/ferretdb.out" "$FDB_LOGS/ferretdb.log"
    die "ferretdb: process exited during startup (logs above)"
  }
  # The running binary is the probe (it may be older than the current sources).
  local exe
  exe=$(readlink "/proc/$pid/exe")
  if ! "$exe" -ping "127.0.0.1:$MONGO_PORT" -wait "${INFRA_START_TIMEOUT}s" -wait-pid "$pid" >/dev/null; then
    show_tail "$FDB_LOGS/ferretdb.out" "$FDB_LOGS/ferretdb.log"
    stop_pid ferretdb "$FDB_PID" "$(fdb_marker)"
    die "ferretdb did not come up on 127.0.0.1:$MONGO_PORT (logs above, in $FDB_LOGS)"
  fi
}
