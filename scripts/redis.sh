#!/usr/bin/env bash
# A private Redis for this project (shared rate limits): `scripts/redis.sh start|stop|status|url`.
#
# start   installs Debian's redis-server if missing (apt-get, needs root), starts a private
#         instance listening on 127.0.0.1 only, with a password and no persistence
#         (save '' and no append-only file: counts are short-lived), daemonized with a
#         pidfile, and prints the redis:// URL on stdout. Safe to run again.
# stop    stops the instance if it runs.     status  says whether it runs.
# url     prints the URL of the instance (it must have been started once).
#
# Settings: REDIS_PORT (default 56379; when unset and taken, a free port is chosen),
# REDIS_DIR (default var/redis). Messages go to stderr, the URL alone to stdout:
# export REDIS_URL=$(scripts/redis.sh start)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
REDIS_DIR=${REDIS_DIR:-$ROOT/var/redis}
DATA=$REDIS_DIR/data
CONF=$REDIS_DIR/redis.conf
PIDFILE=$REDIS_DIR/redis.pid
LOG=$REDIS_DIR/redis.log
DEFAULT_PORT=56379

say() { echo "redis.sh: $*" >&2; }
die() {
  echo "redis.sh: error: $*" >&2
  exit 1
}

if [ -n "${REDIS_PORT:-}" ] && ! [[ $REDIS_PORT =~ ^[0-9]+$ && $REDIS_PORT -ge 1024 && $REDIS_PORT -le 65535 ]]; then
  die "REDIS_PORT=$REDIS_PORT is not a port number between 1024 and 65535"
fi

install_server() {
  [ "$(id -u)" -eq 0 ] || die "no redis-server installed; run as root or: sudo apt-get install -y redis-server"
  command -v apt-get >/dev/null || die "no redis-server installed and no apt-get to install it"
  say "installing Debian's redis-server (apt-get) ..."
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq redis-server >&2; then
    apt-get update -qq >&2 || die "apt-get update failed"
    apt-get install -y -qq redis-server >&2 || die "apt-get install redis-server failed"
  fi
  command -v redis-server >/dev/null || die "redis-server installed but not on PATH"
}

pid() { cat "$PIDFILE" 2>/dev/null || true; }
running() {
  local p
  p=$(pid)
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null && grep -q redis-server "/proc/$p/cmdline" 2>/dev/null
}
. scripts/local-port.sh
stored_port() { stored_port_in "$REDIS_DIR" REDIS_PORT "$DEFAULT_PORT"; }

url() {
  [ -f "$REDIS_DIR/password" ] || die "no instance under $REDIS_DIR yet: run scripts/redis.sh start"
  echo "redis://:$(cat "$REDIS_DIR/password")@127.0.0.1:$(stored_port)/0"
}

choose_port() { choose_port_in "$REDIS_DIR" REDIS_PORT "$DEFAULT_PORT"; }

answers() {
  # The password through the environment: never on a command line (ps shows those).
  REDISCLI_AUTH=$(cat "$REDIS_DIR/password") redis-cli -h 127.0.0.1 -p "$(stored_port)" ping 2>/dev/null |
    grep -q PONG
}

start() {
  command -v redis-server >/dev/null || install_server
  command -v redis-cli >/dev/null || die "redis-cli is missing (Debian package redis-tools)"
  if running; then
    if [ -n "${REDIS_PORT:-}" ] && [ "$REDIS_PORT" != "$(stored_port)" ]; then
      die "the instance already runs on port $(stored_port); stop it first to move it to $REDIS_PORT"
    fi
    url
    return
  fi
  mkdir -p "$REDIS_DIR"
  install -d -m 700 "$DATA"
  [ -s "$REDIS_DIR/password" ] ||
    (umask 077 && head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$REDIS_DIR/password")
  local port
  port=$(choose_port)
  echo "$port" >"$REDIS_DIR/port"
  # The password is in this file (mode 600), not on the command line.
  (
    umask 077
    cat >"$CONF" <<CONF
# Written by scripts/redis.sh on each start.
bind 127.0.0.1
protected-mode yes
port $port
requirepass $(cat "$REDIS_DIR/password")
dir $DATA
save ""
appendonly no
daemonize yes
pidfile $PIDFILE
logfile $LOG
CONF
  )
  rm -f "$PIDFILE"
  say "starting $(redis-server --version | awk '{print $1, $2, $3}') on 127.0.0.1:$port"
  redis-server "$CONF" || die "redis-server did not start; see $LOG"
  for _ in $(seq 1 100); do
    if running && answers; then
      url
      return
    fi
    sleep 0.1
  done
  tail -n 20 "$LOG" >&2 || true
  die "the server did not answer within 10 s; see $LOG"
}

stop() {
  if running; then
    local p
    p=$(pid)
    kill "$p"
    for _ in $(seq 1 100); do
      kill -0 "$p" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$p" 2>/dev/null && die "redis-server (pid $p) did not stop within 10 s"
    rm -f "$PIDFILE"
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
      say "running on 127.0.0.1:$(stored_port), pid $(pid)"
    else
      say "not running"
      exit 3
    fi
    ;;
  *) die "usage: scripts/redis.sh start|stop|status|url" ;;
esac
