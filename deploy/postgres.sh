#!/usr/bin/env bash
# deploy/postgres.sh — PostgreSQL for local tests, from Debian's `postgresql` packages (no Docker).
#
#   deploy/postgres.sh start   install postgresql if missing, ensure a cluster exists and is
#                              online, ensure role `monitor` and database `district_monitor_test`
#   deploy/postgres.sh stop    stop the cluster (no-op when already down)
#   deploy/postgres.sh status  prints online/down; exit 0 when online, 3 when down
#
# `start` prints exactly one line on stdout:
#   DATABASE_URL=postgres://monitor:monitor@127.0.0.1:<port>/district_monitor_test
# everything else goes to stderr. Needs root (apt-get, pg_ctlcluster, runuser).
#
# The role/password monitor/monitor are TEST-ONLY credentials for a cluster that listens on
# localhost only; never reuse them anywhere else. The role gets CREATEDB because the test suite
# creates one database per test file.
set -euo pipefail

ME=postgres.sh
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=$REPO/.local/postgres

DB_ROLE=monitor
DB_PASSWORD=monitor # test-only, see header
DB_NAME=district_monitor_test
READY_TIMEOUT=${POSTGRES_START_TIMEOUT:-60}

log() { printf '%s: %s\n' "$ME" "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
  echo "usage: $ME start|stop|status" >&2
  exit 2
}

need_root() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (apt-get, pg_ctlcluster and runuser need it)"
}

server_installed() {
  command -v pg_ctlcluster >/dev/null && command -v pg_lsclusters >/dev/null &&
    compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null
}

ensure_installed() {
  server_installed && return 0
  log "PostgreSQL server not installed; installing Debian package postgresql ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2 || die "apt-get update failed"
  apt-get install -y postgresql >&2 || die "apt-get install postgresql failed"
  server_installed || die "postgresql installed but pg_ctlcluster/server binaries still missing"
}

# Sets VERSION, CLUSTER, PORT, STATUS from `pg_lsclusters` (prefers the newest `main` cluster,
# else the first one listed); creates `<newest installed version> main` when there is none.
pick_cluster() {
  local line
  line=$(pg_lsclusters -h | awk '$2 == "main"' | sort -k1,1V | tail -n 1)
  [[ -n $line ]] || line=$(pg_lsclusters -h | head -n 1)
  if [[ -z $line ]]; then
    local ver
    ver=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/postgres' |
      awk -F/ '{ print $5 }' | sort -V | tail -n 1)
    [[ -n $ver ]] || die "no PostgreSQL server version found under /usr/lib/postgresql"
    log "no cluster found; creating cluster $ver main ..."
    pg_createcluster "$ver" main >&2 || die "pg_createcluster $ver main failed"
    line=$(pg_lsclusters -h | awk -v v="$ver" '$1 == v && $2 == "main"')
    [[ -n $line ]] || die "cluster $ver main not listed after pg_createcluster"
  fi
  read -r VERSION CLUSTER PORT STATUS _ <<<"$line"
}

# SQL from stdin, run by psql as the postgres superuser over the cluster's unix socket
psql_admin() {
  (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" -d postgres)
}

cmd_start() {
  need_root
  ensure_installed
  pick_cluster
  if [[ $STATUS != online* ]]; then
    log "starting cluster $VERSION $CLUSTER (port $PORT) ..."
    # the socket directory lives on tmpfs (/run) and is gone after a machine/session restart
    install -d -o postgres -g postgres -m 2775 /var/run/postgresql
    pg_ctlcluster "$VERSION" "$CLUSTER" start >&2 9>&- ||
      die "pg_ctlcluster $VERSION $CLUSTER start failed (log: /var/log/postgresql/postgresql-$VERSION-$CLUSTER.log)"
  else
    log "cluster $VERSION $CLUSTER already online (port $PORT)"
  fi

  local deadline=$((SECONDS + READY_TIMEOUT))
  until pg_isready -q -h 127.0.0.1 -p "$PORT"; do
    ((SECONDS < deadline)) || die "PostgreSQL not accepting connections on 127.0.0.1:$PORT after ${READY_TIMEOUT}s"
    sleep 0.5
  done

  # Idempotent: create or (re)set the role, create the database if missing, fix its owner.
  psql_admin <<SQL || die "creating role/database failed"
SELECT format('CREATE ROLE %I', '$DB_ROLE')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_ROLE') \gexec
ALTER ROLE "$DB_ROLE" WITH LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
SELECT format('CREATE DATABASE %I OWNER %I', '$DB_NAME', '$DB_ROLE')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME') \gexec
ALTER DATABASE "$DB_NAME" OWNER TO "$DB_ROLE";
SQL

  local url="postgres://$DB_ROLE:$DB_PASSWORD@127.0.0.1:$PORT/$DB_NAME"
  # check the URL really works with password auth over TCP (pg_hba)
  psql -X -q -d "$url" -c 'select 1' >/dev/null 2>"$STATE/check.err" || {
    cat "$STATE/check.err" >&2
    die "cannot connect as $DB_ROLE over TCP (check pg_hba.conf of cluster $VERSION $CLUSTER)"
  }
  echo "DATABASE_URL=$url"
}

cmd_stop() {
  need_root
  server_installed || {
    log "PostgreSQL not installed; nothing to stop"
    return 0
  }
  pick_cluster
  if [[ $STATUS == online* ]]; then
    log "stopping cluster $VERSION $CLUSTER ..."
    pg_ctlcluster "$VERSION" "$CLUSTER" stop >&2 || die "pg_ctlcluster $VERSION $CLUSTER stop failed"
    log "stopped"
  else
    log "cluster $VERSION $CLUSTER not running"
  fi
}

cmd_status() {
  if server_installed && [[ -n $(pg_lsclusters -h) ]]; then
    pick_cluster
    if [[ $STATUS == online* ]]; then
      echo "online (cluster $VERSION $CLUSTER, port $PORT)"
      return 0
    fi
    echo "down (cluster $VERSION $CLUSTER, port $PORT)"
  else
    echo "down (not installed or no cluster)"
  fi
  exit 3
}

[[ $# -eq 1 ]] || usage
mkdir -p "$STATE"
case $1 in
  start | stop)
    exec 9>"$STATE/.lock"
    flock -w 120 9 || die "timed out waiting for $STATE/.lock (another $ME running?)"
    "cmd_$1"
    ;;
  status) cmd_status ;;
  *) usage ;;
esac
