#!/usr/bin/env bash
# Saves redis's data set to disk and copies the snapshot (dump.rdb) into $STEWARD_BACKUP_DIR.
set -euo pipefail
export REDISCLI_AUTH="$PASSWORD"  # redis-cli reads the password from here, never from its command line
cli=(redis-cli -h 127.0.0.1 -p "$PORT")
before="$("${cli[@]}" LASTSAVE)" || { echo "redis does not answer on port $PORT"; exit 2; }
"${cli[@]}" BGSAVE >/dev/null || exit 2
# BGSAVE returns at once; LASTSAVE moves when the snapshot is on disk.
for _ in $(seq 600); do
  [ "$("${cli[@]}" LASTSAVE)" != "$before" ] && break
  sleep 0.1
done
[ "$("${cli[@]}" LASTSAVE)" != "$before" ] || { echo "redis did not finish saving within a minute"; exit 2; }
dir="$("${cli[@]}" CONFIG GET dir | sed -n 2p)"
file="$("${cli[@]}" CONFIG GET dbfilename | sed -n 2p)"
cp "$dir/$file" "$STEWARD_BACKUP_DIR/dump.rdb"
echo "saved $(stat -c %s "$STEWARD_BACKUP_DIR/dump.rdb") bytes of data"
