#!/usr/bin/env bash
# A read replica on this machine: a second PostgreSQL cluster (Debian's `15/replica`, port 5433) that streams the
# primary's WAL (127.0.0.1:5432) and answers read-only queries (hot standby). Run as root; idempotent: a replica
# already streaming from this primary is left alone, a stopped one is started, anything else is rebuilt from a
# fresh base backup. The dashboards read from it with
#   DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/<the primary's database name>
# (README, "Past one machine"). Environment (defaults): PG_VERSION (the newest in /etc/postgresql), PRIMARY_HOST
# (127.0.0.1), PRIMARY_PORT (5432), REPLICA_PORT (5433), REPLICA_CLUSTER (replica), REPLICA_SLOT (quanze_replica),
# REPLICA_WAIT (seconds, 120). To remove it: `pg_dropcluster --stop 15 replica` and, on the primary,
# `SELECT pg_drop_replication_slot('quanze_replica')` (the slot keeps WAL for it, up to max_slot_wal_keep_size).
set -euo pipefail

PG_VERSION="${PG_VERSION:-$(ls /etc/postgresql | sort -V | tail -n1)}"
PRIMARY_HOST="${PRIMARY_HOST:-127.0.0.1}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
REPLICA_PORT="${REPLICA_PORT:-5433}"
CLUSTER="${REPLICA_CLUSTER:-replica}"
SLOT="${REPLICA_SLOT:-quanze_$CLUSTER}"
WAIT="${REPLICA_WAIT:-120}"
BIN="/usr/lib/postgresql/$PG_VERSION/bin"
CONF_DIR="/etc/postgresql/$PG_VERSION/$CLUSTER"
DATA_DIR="/var/lib/postgresql/$PG_VERSION/$CLUSTER"

say() { echo "replica: $*"; }
primary() { psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -d postgres -XAtqc "$1"; }
replica() { psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -XAtqc "$1" 2>/dev/null; }

# Streaming from this primary: in recovery, its WAL receiver streaming, and the same system identifier (a cluster
# of another primary, or one promoted since, is no replica of ours).
streaming() {
  [ "$(replica "SELECT pg_is_in_recovery() AND EXISTS (SELECT FROM pg_stat_wal_receiver WHERE status = 'streaming')")" = t ] &&
    [ "$(replica "SELECT system_identifier FROM pg_control_system()")" = "$(primary "SELECT system_identifier FROM pg_control_system()")" ]
}

wait_streaming() {
  for _ in $(seq 1 "$WAIT"); do
    streaming && return 0
    sleep 1
  done
  return 1
}

[ "$(id -u)" = 0 ] || { echo "replica: run as root (it creates a cluster and edits the primary's pg_hba.conf)" >&2; exit 1; }
pg_isready -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -q || { echo "replica: no primary on $PRIMARY_HOST:$PRIMARY_PORT" >&2; exit 1; }

if streaming; then
  say "already streaming from $PRIMARY_HOST:$PRIMARY_PORT on port $REPLICA_PORT"
  exit 0
fi

# A replica whose slot still holds the WAL it needs catches up on its own (after a restart it first replays what
# it had received): start it if it is stopped and wait, rather than copying the primary again.
if [ -f "$DATA_DIR/standby.signal" ] &&
  [ "$(primary "SELECT wal_status <> 'lost' FROM pg_replication_slots WHERE slot_name = '$SLOT'")" = t ]; then
  if ! pg_isready -h 127.0.0.1 -p "$REPLICA_PORT" -q; then
    say "starting the existing replica"
    pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$CLUSTER" start || true
  fi
  if wait_streaming; then
    say "streaming on port $REPLICA_PORT"
    exit 0
  fi
  say "it does not stream after ${WAIT} s: rebuilding"
fi

# The primary: WAL for a replica, a sender for it, and replication connections from this machine allowed with the
# same method as its ordinary connections from 127.0.0.1.
[ "$(primary "SHOW wal_level")" != minimal ] || { echo "replica: the primary has wal_level=minimal" >&2; exit 1; }
[ "$(primary "SHOW max_wal_senders")" -gt 0 ] || { echo "replica: the primary has max_wal_senders=0" >&2; exit 1; }
if ! psql "host=$PRIMARY_HOST port=$PRIMARY_PORT user=postgres replication=true" -XAtqc "IDENTIFY_SYSTEM" >/dev/null 2>&1; then
  hba="$(primary "SHOW hba_file")"
  method="$(primary "SELECT auth_method FROM pg_hba_file_rules WHERE type = 'host' AND address = '127.0.0.1' AND 'all' = ANY(database) ORDER BY line_number LIMIT 1")"
  line="host replication all 127.0.0.1/32 ${method:-scram-sha-256}"
  say "the primary's $hba: adding '$line' and reloading"
  printf '# streaming replicas on this machine (deploy/replica.sh)\n%s\n' "$line" >>"$hba"
  primary "SELECT pg_reload_conf()" >/dev/null
  sleep 1
  psql "host=$PRIMARY_HOST port=$PRIMARY_PORT user=postgres replication=true" -XAtqc "IDENTIFY_SYSTEM" >/dev/null
fi

# A replication slot keeps the WAL the replica has not received yet (a busy primary recycles it within the time
# of a base backup); bounded, so a replica left stopped cannot fill the primary's disk.
if [ "$(primary "SHOW max_slot_wal_keep_size")" = -1 ]; then
  say "the primary: max_slot_wal_keep_size = 8GB (ALTER SYSTEM, reload)"
  primary "ALTER SYSTEM SET max_slot_wal_keep_size = '8GB'" >/dev/null
  primary "SELECT pg_reload_conf()" >/dev/null
fi

# The cluster: made once (configuration in $CONF_DIR), its data directory replaced by a base backup every build.
if [ -d "$CONF_DIR" ]; then
  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$CLUSTER" stop -m fast 2>/dev/null || true
else
  say "creating cluster $PG_VERSION/$CLUSTER on port $REPLICA_PORT"
  pg_createcluster "$PG_VERSION" "$CLUSTER" -p "$REPLICA_PORT" >/dev/null
fi
# Same authentication as the primary (clients connect to both alike); a hot standby needs these at least as
# large as the primary's, and hot_standby_feedback keeps the primary's VACUUM from cancelling its long reads.
cp "$(primary "SHOW hba_file")" "$CONF_DIR/pg_hba.conf"
chown postgres:postgres "$CONF_DIR/pg_hba.conf"
for name in max_connections max_worker_processes max_wal_senders max_prepared_transactions max_locks_per_transaction; do
  pg_conftool "$PG_VERSION" "$CLUSTER" set "$name" "$(primary "SHOW $name")"
done
pg_conftool "$PG_VERSION" "$CLUSTER" set port "$REPLICA_PORT"
pg_conftool "$PG_VERSION" "$CLUSTER" set hot_standby on
pg_conftool "$PG_VERSION" "$CLUSTER" set hot_standby_feedback on

say "base backup of $PRIMARY_HOST:$PRIMARY_PORT ($(primary "SELECT pg_size_pretty(sum(pg_database_size(datname))) FROM pg_database")) into $DATA_DIR"
primary "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$SLOT'" >/dev/null
rm -rf "$DATA_DIR"
install -d -o postgres -g postgres -m 700 "$DATA_DIR"
# -R writes primary_conninfo, primary_slot_name and standby.signal; -X stream carries the WAL written during the
# copy; -C -S creates the slot, which holds the WAL from the backup's start until the replica streams it.
runuser -u postgres -- "$BIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -D "$DATA_DIR" \
  -R -X stream -C -S "$SLOT" -c fast

pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$CLUSTER" start
if ! wait_streaming; then
  echo "replica: not streaming after ${WAIT} s; the log:" >&2
  tail -n 30 "/var/log/postgresql/postgresql-$PG_VERSION-$CLUSTER.log" >&2 || true
  exit 1
fi
say "streaming from $PRIMARY_HOST:$PRIMARY_PORT on port $REPLICA_PORT (pg_is_in_recovery: $(replica "SELECT pg_is_in_recovery()"))"
