#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the collector's tests (tests/serve/postgres.rs starts it
# once per test binary): initdb in DIR as an unprivileged user (PostgreSQL refuses to run as
# root), the server on 127.0.0.1:PORT only, a password for the `leadpulse` superuser over TCP.
# Prints `ready` once it accepts connections; stops the server and removes DIR when its
# standard input closes (the test binary ended, however it ended) or on a signal.
# Usage: pg-cluster.sh DIR PORT PASSWORD
set -euo pipefail
dir=$1 port=$2 password=$3

bindir=$(pg_config --bindir 2>/dev/null || true)
if [[ -z $bindir || ! -x $bindir/initdb ]]; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi
[[ -x $bindir/initdb ]] || { echo "pg-cluster: no PostgreSQL server (make setup installs it)" >&2; exit 1; }

as_user=()
if [[ $EUID -eq 0 ]]; then
  user=postgres
  id -u "$user" >/dev/null 2>&1 || user=nobody
  # NOTE: setpriv execs the command itself (runuser forks and waits), so $! below is the
  # server and a signal reaches it.
  as_user=(setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups --)
fi

mkdir -p "$dir"
printf '%s\n' "$password" >"$dir/pw"
[[ ${#as_user[@]} -eq 0 ]] || chown -R "$user" "$dir"
"${as_user[@]}" "$bindir/initdb" -D "$dir/data" -U leadpulse --pwfile="$dir/pw" \
  --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-instructions >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
rm -f "$dir/pw"

# NOTE: durability off (fsync, synchronous_commit): a test cluster dies with its tests, and
# every test commits hundreds of times. max_connections: two collectors per test, 12 each.
server=
start_server() {
  "${as_user[@]}" "$bindir/postgres" -D "$dir/data" -p "$port" -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories="$dir" -c fsync=off -c synchronous_commit=off \
    -c full_page_writes=off -c max_connections=400 -c shared_buffers=64MB >>"$dir/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do
    "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  cat "$dir/server.log" >&2
  exit 1
}
stop_server() {
  # SIGINT: fast shutdown (open sessions are ended).
  [[ -z $server ]] || { kill -INT "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  server=
}
trap 'stop_server; rm -rf "$dir"' EXIT
trap 'exit 0' INT TERM HUP

start_server
echo "ready"
# Commands, one a line (the outage test stops and starts its own cluster): `stop`, `start`.
while read -r command; do
  case $command in
    stop) stop_server; echo "stopped" ;;
    start) start_server; echo "ready" ;;
    *) echo "pg-cluster: unknown command '$command'" >&2 ;;
  esac
done
