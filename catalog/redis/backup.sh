#!/usr/bin/env bash
# Saves redis's data set to disk and copies the snapshot (dump.rdb) into $STEWARD_BACKUP_DIR.
set -euo pipefail
export REDISCLI_AUTH="$PASSWORD"  # redis-cli reads the password from here, never from its command line
cli=(redis-cli -h 127.0.0.1 -p "$PORT")
persistence() { "${cli[@]}" INFO persistence | tr -d '\r'; }
persistence >/dev/null || { echo "redis does not answer on port $PORT"; exit 2; }
# BGSAVE forks before it answers: from then on rdb_bgsave_in_progress is 1 until the file is written.
"${cli[@]}" BGSAVE >/dev/null || exit 2
for _ in $(seq 600); do
  persistence | grep -qx 'rdb_bgsave_in_progress:0' && break
  sleep 0.1
done
info="$(persistence)"
grep -qx 'rdb_bgsave_in_progress:0' <<<"$info" || { echo "redis did not finish saving within a minute"; exit 2; }
grep -qx 'rdb_last_bgsave_status:ok' <<<"$info" || { echo "redis could not save its data set"; exit 2; }
dir="$("${cli[@]}" CONFIG GET dir | sed -n 2p)"
file="$("${cli[@]}" CONFIG GET dbfilename | sed -n 2p)"
cp "$dir/$file" "$STEWARD_BACKUP_DIR/dump.rdb"
echo "saved $(stat -c %s "$STEWARD_BACKUP_DIR/dump.rdb") bytes of data"
