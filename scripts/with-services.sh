#!/usr/bin/env bash
# Run a command with DATABASE_URL and REDIS_URL pointing at real PostgreSQL and Redis.
# When a variable is already set it is used as it is; otherwise a throwaway server is started
# on a free port in a temporary folder (installing the Debian package if missing) and
# stopped when the command ends.
set -euo pipefail

tmp=$(mktemp -d /tmp/qcportal-services.XXXXXX)
pg_ctl_bin=""
redis_pid=""
cleanup() {
  if [ -n "$pg_ctl_bin" ]; then as_pg "$pg_ctl_bin" -D "$tmp/pg" -m immediate stop >/dev/null 2>&1 || true; fi
  if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

apt_install() {
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "error: $* is not installed and cannot be installed here; set DATABASE_URL/REDIS_URL instead" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ -z "${DATABASE_URL:-}" ]; then
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$pgbin" ]; then apt_install postgresql; pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1); fi
  port=$(free_port)
  [ "$(id -u)" -eq 0 ] && chown postgres "$tmp"
  as_pg "$pgbin/initdb" -D "$tmp/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$pgbin/pg_ctl" -D "$tmp/pg" -l "$tmp/pg.log" -w start \
    -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
  pg_ctl_bin="$pgbin/pg_ctl"
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "with-services: throwaway PostgreSQL on port $port"
fi

if [ -z "${REDIS_URL:-}" ]; then
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$tmp" \
    --daemonize yes --pidfile "$tmp/redis.pid" --logfile "$tmp/redis.log"
  for _ in $(seq 50); do [ -s "$tmp/redis.pid" ] && break; sleep 0.1; done
  redis_pid=$(cat "$tmp/redis.pid")
  export REDIS_URL="redis://127.0.0.1:$port/0"
  echo "with-services: throwaway Redis on port $port"
fi

"$@"
