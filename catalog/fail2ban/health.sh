#!/usr/bin/env bash
# Healthy when the fail2ban server answers and the sshd jail is loaded.
set -euo pipefail
command -v fail2ban-client >/dev/null || { echo "fail2ban is not installed"; exit 1; }
for _ in $(seq 50); do fail2ban-client ping >/dev/null 2>&1 && break; sleep 0.2; done
fail2ban-client ping 2>/dev/null | grep -q pong || { echo "fail2ban is not running"; exit 1; }
fail2ban-client status sshd >/dev/null 2>&1 || { echo "the sshd jail is not active"; exit 1; }
