#!/usr/bin/env bash
# Installs redis-server listening on 127.0.0.1:$PORT with a password and a memory limit.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=120 -q -y)
"${apt[@]}" update >/dev/null || exit 2
"${apt[@]}" install --no-install-recommends redis-server >/dev/null || exit 2

conf=/etc/redis/steward.conf
umask 077
# The password goes into a file readable by redis only; it is never echoed.
{
  echo "# Managed by Steward (app redis)."
  echo "bind 127.0.0.1 -::1"
  echo "port ${PORT}"
  echo "maxmemory ${MAX_MEMORY_MB}mb"
  echo "maxmemory-policy allkeys-lru"
  printf 'requirepass "%s"\n' "$PASSWORD"
} >"$conf.new"
chown redis:redis "$conf.new"
mv "$conf.new" "$conf"
grep -qxF "include $conf" /etc/redis/redis.conf || echo "include $conf" >>/etc/redis/redis.conf

systemctl enable redis-server >/dev/null 2>&1 || exit 3
systemctl restart redis-server || exit 3
[ -n "${STEWARD_OUTPUT:-}" ] && printf 'address=127.0.0.1:%s\npassword_variable=PASSWORD\n' "$PORT" >>"$STEWARD_OUTPUT"
exit 0
