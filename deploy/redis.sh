#!/usr/bin/env bash
# deploy/redis.sh — Redis for local tests and runs, from Debian's `redis-server` package (no Docker).
#
#   deploy/redis.sh start   install redis-server if missing, start it (daemonised, localhost only,
#                           no persistence) unless it already answers
#   deploy/redis.sh stop    stop it (no-op when already down)
#   deploy/redis.sh status  prints online/down; exit 0 when online, 3 when down
#
# `start` prints exactly one line on stdout:
#   REDIS_URL=redis://127.0.0.1:<port>
# everything else goes to stderr. Port: REDIS_PORT (default 6390, away from a system Redis on 6379).
# Installing needs root (apt-get).
set -euo pipefail

ME=redis.sh
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=$REPO/.local/redis
PORT=${REDIS_PORT:-6390}
READY_TIMEOUT=${REDIS_START_TIMEOUT:-30}

log() { printf '%s: %s\n' "$ME" "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
  echo "usage: $ME start|stop|status" >&2
  exit 2
}

ensure_installed() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null && return 0
  [[ $(id -u) -eq 0 ]] || die "redis-server is not installed and installing it needs root (apt-get)"
  log "redis-server not installed; installing Debian package redis-server ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2 || die "apt-get update failed"
  apt-get install -y redis-server >&2 || die "apt-get install redis-server failed"
  command -v redis-server >/dev/null || die "redis-server installed but not on PATH"
}

online() {
  [[ $(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null) == PONG ]]
}

cmd_start() {
  ensure_installed
  if online; then
    log "already online on port $PORT"
  else
    mkdir -p "$STATE"
    log "starting redis-server on 127.0.0.1:$PORT (state in $STATE)"
    redis-server --port "$PORT" --bind 127.0.0.1 --daemonize yes \
      --dir "$STATE" --pidfile "$STATE/redis.pid" --logfile "$STATE/redis.log" \
      --save '' --appendonly no >&2 || die "redis-server did not start (see $STATE/redis.log)"
    local waited=0
    until online; do
      ((waited < READY_TIMEOUT * 10)) || die "redis did not answer within ${READY_TIMEOUT}s (see $STATE/redis.log)"
      sleep 0.1
      waited=$((waited + 1))
    done
  fi
  echo "REDIS_URL=redis://127.0.0.1:$PORT"
}

cmd_stop() {
  if ! command -v redis-cli >/dev/null || ! online; then
    log "already down"
    return 0
  fi
  redis-cli -h 127.0.0.1 -p "$PORT" shutdown nosave >&2 || true
  log "stopped"
}

cmd_status() {
  if command -v redis-cli >/dev/null && online; then
    echo online
  else
    echo down
    exit 3
  fi
}

[[ $# -eq 1 ]] || usage
case $1 in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) usage ;;
esac
