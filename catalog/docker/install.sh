#!/usr/bin/env bash
# Installs docker.io and Compose (docker-compose on Debian 12; the compose plugin where the
# distribution has it), with bounded container logs.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=120 -q -y)
"${apt[@]}" update >/dev/null || exit 2
compose=docker-compose
apt-cache show docker-compose-v2 >/dev/null 2>&1 && compose=docker-compose-v2
"${apt[@]}" install --no-install-recommends docker.io "$compose" >/dev/null || exit 2
mkdir -p /etc/docker
printf '{\n  "log-driver": "json-file",\n  "log-opts": { "max-size": "%sm", "max-file": "3" }\n}\n' "$LOG_MAX_SIZE_MB" \
  >/etc/docker/daemon.json.new
mv /etc/docker/daemon.json.new /etc/docker/daemon.json
systemctl enable docker >/dev/null 2>&1 || exit 3
systemctl restart docker || exit 3
exit 0
