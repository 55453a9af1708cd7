#!/usr/bin/env bash
# Turns on ufw: deny incoming, allow outgoing, allow SSH first (so the session that runs this
# cannot be cut off), then the listed ports.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
IFS=',' read -r -a ports <<<"$ALLOWED_TCP_PORTS"
for port in "${ports[@]}"; do
  [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || { echo "port $port is out of range" >&2; exit 1; }
done
apt=(apt-get -o DPkg::Lock::Timeout=120 -q -y)
if ! command -v ufw >/dev/null; then
  "${apt[@]}" update >/dev/null || exit 2
  "${apt[@]}" install --no-install-recommends ufw >/dev/null || exit 2
fi
ufw allow "${SSH_PORT}/tcp" >/dev/null || exit 3
for port in "${ports[@]}"; do ufw allow "${port}/tcp" >/dev/null || exit 3; done
ufw default deny incoming >/dev/null || exit 3
ufw default allow outgoing >/dev/null || exit 3
ufw --force enable >/dev/null || exit 3
exit 0
