# Sourced by scripts/postgres.sh and scripts/redis.sh: which loopback port a private
# service uses. Each script defines say and die first.

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# stored_port_in DIR VAR DEFAULT: the port the service last used, else $VAR, else DEFAULT.
stored_port_in() { cat "$1/port" 2>/dev/null || echo "${!2:-$3}"; }

# choose_port_in DIR VAR DEFAULT: $VAR if set (and free), else the stored port, else the
# next free one of the hundred after DEFAULT.
choose_port_in() {
  local dir=$1 var=$2 default=$3 port candidate
  if [ -n "${!var:-}" ]; then
    port_taken "${!var}" && die "port ${!var} on 127.0.0.1 is in use by another program; choose another $var"
    echo "${!var}"
    return
  fi
  port=$(stored_port_in "$dir" "$var" "$default")
  for candidate in "$port" $(seq $((default + 1)) $((default + 100))); do
    if ! port_taken "$candidate"; then
      [ "$candidate" = "$port" ] || say "port $port is taken; using $candidate (set $var to choose)"
      echo "$candidate"
      return
    fi
  done
  die "no free port near $default on 127.0.0.1; set $var"
}
