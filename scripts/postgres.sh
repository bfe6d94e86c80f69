#!/usr/bin/env bash
# A private PostgreSQL for this project: `scripts/postgres.sh start|stop|status|url`.
#
# start   installs Debian's server if missing (apt-get, needs root), creates a cluster
#         under var/postgres (run by the `postgres` OS user when we are root, since root
#         cannot run the server), listens on 127.0.0.1 only, creates the role and the
#         database, and prints the SQLAlchemy URL on stdout. Safe to run again.
# stop    stops the cluster if it runs.     status  says whether it runs.
# url     prints the SQLAlchemy URL of the database (the cluster must exist).
#
# Settings: PG_PORT (default 55432; when unset and taken, a free port is chosen),
# PG_DB (default desk), PG_USER (default desk), PG_DIR (default var/postgres).
# Messages go to stderr, the URL alone to stdout: url=$(scripts/postgres.sh start)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PG_DIR=${PG_DIR:-$ROOT/var/postgres}
DATA=$PG_DIR/data
SOCKETS=$PG_DIR/run
LOGS=$PG_DIR/log
DEFAULT_PORT=55432
DB=${PG_DB:-desk}
ROLE=${PG_USER:-desk}

say() { echo "postgres.sh: $*" >&2; }
die() {
  echo "postgres.sh: error: $*" >&2
  exit 1
}

for name in "$DB" "$ROLE"; do
  # Plain names only: they go into the URL and into SQL unquoted by hand.
  [[ $name =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || die "'$name' is not a plain lower-case name (PG_DB, PG_USER)"
done
if [ -n "${PG_PORT:-}" ] && ! [[ $PG_PORT =~ ^[0-9]+$ && $PG_PORT -ge 1024 && $PG_PORT -le 65535 ]]; then
  die "PG_PORT=$PG_PORT is not a port number between 1024 and 65535"
fi

find_bindir() {
  if [ -n "${PG_BIN:-}" ]; then
    [ -x "$PG_BIN/postgres" ] || die "PG_BIN=$PG_BIN has no postgres executable"
    echo "$PG_BIN"
    return
  fi
  # Debian installs each major version side by side; take the newest.
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$dir" ] && [ -x "$dir/postgres" ]; then
    echo "$dir"
  elif command -v postgres >/dev/null 2>&1; then
    dirname "$(command -v postgres)"
  fi
}

install_server() {
  [ "$(id -u)" -eq 0 ] || die "no PostgreSQL server installed; run as root or: sudo apt-get install -y postgresql"
  command -v apt-get >/dev/null || die "no PostgreSQL server installed and no apt-get to install it"
  say "installing Debian's postgresql (apt-get) ..."
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq postgresql >&2; then
    apt-get update -qq >&2 || die "apt-get update failed"
    apt-get install -y -qq postgresql >&2 || die "apt-get install postgresql failed"
  fi
}

BIN=$(find_bindir)

# The server refuses to run as root: as root, the `postgres` OS user runs it.
if [ "$(id -u)" -eq 0 ]; then
  OWNER=postgres
  as_owner() { runuser -u "$OWNER" -- "$@"; }
else
  OWNER=$(id -un)
  as_owner() { "$@"; }
fi

running() { [ -f "$DATA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }
. scripts/local-port.sh
stored_port() { stored_port_in "$PG_DIR" PG_PORT "$DEFAULT_PORT"; }

url() {
  [ -f "$PG_DIR/password" ] || die "no cluster under $PG_DIR yet: run scripts/postgres.sh start"
  echo "postgresql+psycopg2://$ROLE:$(cat "$PG_DIR/password")@127.0.0.1:$(stored_port)/$DB"
}

choose_port() { choose_port_in "$PG_DIR" PG_PORT "$DEFAULT_PORT"; }

# var/ is private to its owner (scripts/run.sh creates it with umask 077); the server's OS
# user must pass through it to its own data directory: search only, no listing, and only
# for the default location (a PG_DIR of your own is yours to arrange).
let_owner_through() {
  [ "$PG_DIR" = "$ROOT/var/postgres" ] || return 0
  mkdir -p "$PG_DIR"
  chmod o+x "$ROOT/var" "$PG_DIR"
}

init_cluster() {
  say "creating a cluster in $DATA (server run by OS user '$OWNER')"
  mkdir -p "$PG_DIR"
  install -d -m 700 -o "$OWNER" "$DATA"
  install -d -m 755 -o "$OWNER" "$SOCKETS" "$LOGS"
  as_owner test -w "$DATA" ||
    die "OS user '$OWNER' cannot write $DATA (is every parent directory searchable?); set PG_DIR"
  (umask 077 && head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$PG_DIR/password")
  # Local socket: the OS user only (peer); TCP: passwords (scram-sha-256).
  as_owner "$BIN/initdb" -D "$DATA" -U "$OWNER" -E UTF8 --no-locale \
    --auth-local=peer --auth-host=scram-sha-256 >"$LOGS/initdb.log" 2>&1 ||
    die "initdb failed; see $LOGS/initdb.log"
  echo "include_if_exists = 'desk.conf'" >>"$DATA/postgresql.conf"
}

sql() {
  as_owner "$BIN/psql" -h "$SOCKETS" -p "$(stored_port)" -d postgres -X -q -v ON_ERROR_STOP=1 "$@"
}

ensure_role_and_database() {
  # \gexec runs each generated statement on its own (CREATE DATABASE refuses a transaction).
  sql -v role="$ROLE" -v db="$DB" -v password="$(cat "$PG_DIR/password")" >&2 <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'role', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
}

check_driver() {
  if [ ! -x .venv/bin/python ]; then
    say "warning: no .venv yet (make venv); the project needs psycopg2 there to connect"
  elif ! .venv/bin/python -c "import psycopg2" 2>/dev/null; then
    die "psycopg2 is not importable in .venv: .venv/bin/pip install -r requirements.lock (psycopg2-binary)"
  fi
}

start() {
  if [ -z "$BIN" ]; then
    install_server
    BIN=$(find_bindir)
    [ -n "$BIN" ] || die "postgresql installed but no postgres executable found under /usr/lib/postgresql"
  fi
  check_driver
  let_owner_through
  [ -f "$DATA/PG_VERSION" ] || init_cluster
  if running; then
    if [ -n "${PG_PORT:-}" ] && [ "$PG_PORT" != "$(stored_port)" ]; then
      die "the cluster already runs on port $(stored_port); stop it first to move it to $PG_PORT"
    fi
  else
    local port
    port=$(choose_port)
    as_owner tee "$DATA/desk.conf" >/dev/null <<CONF
# Written by scripts/postgres.sh on each start.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$SOCKETS'
CONF
    echo "$port" >"$PG_DIR/port"
    say "starting PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
    if ! as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOGS/server.log" -w -t 60 start >/dev/null; then
      tail -n 20 "$LOGS/server.log" >&2 || true
      die "the server did not start; see $LOGS/server.log"
    fi
  fi
  ensure_role_and_database
  url
}

stop() {
  if running; then
    as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    say "stopped"
  else
    say "not running"
  fi
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  url) url ;;
  status)
    if running; then
      say "running on 127.0.0.1:$(stored_port), data in $DATA"
    else
      say "not running"
      exit 3
    fi
    ;;
  *) die "usage: scripts/postgres.sh start|stop|status|url" ;;
esac
