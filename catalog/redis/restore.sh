#!/usr/bin/env bash
# Puts the data set of a backup back (redis reads dump.rdb when it starts) and starts redis on the
# restored configuration.
set -euo pipefail
export REDISCLI_AUTH="$PASSWORD"
if [ -f "$STEWARD_BACKUP_DIR/dump.rdb" ]; then
  systemctl stop redis-server || exit 3
  install -o redis -g redis -m 0660 "$STEWARD_BACKUP_DIR/dump.rdb" /var/lib/redis/dump.rdb
  echo "data set put back"
fi
systemctl restart redis-server || exit 3
for _ in $(seq 100); do
  redis-cli -h 127.0.0.1 -p "$PORT" PING 2>/dev/null | grep -qx PONG && exit 0
  sleep 0.1
done
echo "redis did not come back on port $PORT"
exit 3
