#!/usr/bin/env bash
# Removes the baseline and returns sshd to its defaults. openssh-server stays: removing it could cut
# off the only way in.
set -euo pipefail
rm -f /etc/ssh/sshd_config.d/50-steward.conf
if command -v sshd >/dev/null; then
  sshd -t || exit 3
  systemctl reload-or-restart ssh || exit 3
fi
exit 0
