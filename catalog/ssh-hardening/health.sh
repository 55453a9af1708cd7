#!/usr/bin/env bash
# Healthy when the baseline is in place, sshd accepts its configuration and listens on the port.
set -euo pipefail
[ -f /etc/ssh/sshd_config.d/50-steward.conf ] || { echo "the baseline is not installed"; exit 1; }
sshd -t || { echo "sshd rejects its configuration"; exit 1; }
systemctl is-active --quiet ssh || { echo "sshd is not running"; exit 1; }
for _ in $(seq 25); do (exec 3<>"/dev/tcp/127.0.0.1/${SSH_PORT}") 2>/dev/null && exit 0; sleep 0.2; done
echo "nothing listens on port ${SSH_PORT}"; exit 1
