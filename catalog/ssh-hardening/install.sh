#!/usr/bin/env bash
# Writes an sshd drop-in with the chosen policy. Guards against locking the operator out:
# password logins are only switched off when some account has an authorized key, root logins are
# only closed when another account can log in, and a configuration sshd rejects is never applied.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v sshd >/dev/null; then
  apt-get -o DPkg::Lock::Timeout=120 -q -y update >/dev/null || exit 2
  apt-get -o DPkg::Lock::Timeout=120 -q -y install --no-install-recommends openssh-server >/dev/null || exit 2
fi

keys_for() { [ -s "$1/.ssh/authorized_keys" ] && grep -qE '^(ssh-|ecdsa-|sk-)' "$1/.ssh/authorized_keys"; }
key_accounts=()
keys_for /root && key_accounts+=(root)
for home in /home/*; do [ -d "$home" ] && keys_for "$home" && key_accounts+=("$(basename "$home")"); done
if [ "$PASSWORD_LOGINS" = false ] && [ ${#key_accounts[@]} -eq 0 ]; then
  echo "refusing to switch off password logins: no account has an authorized key (this would lock everyone out)" >&2
  exit 1
fi
if [ "$ROOT_LOGIN" = no ] && [ "$PASSWORD_LOGINS" = false ] && [ "${key_accounts[*]}" = root ]; then
  echo "refusing to close root logins: only root has a key" >&2
  exit 1
fi

dropin=/etc/ssh/sshd_config.d/50-steward.conf
mkdir -p /etc/ssh/sshd_config.d
grep -qiE '^\s*Include\s+/etc/ssh/sshd_config.d/\*\.conf' /etc/ssh/sshd_config || {
  echo "the sshd configuration does not include sshd_config.d; not changing it" >&2; exit 3; }
previous=""; [ -f "$dropin" ] && previous="$(cat "$dropin")"
cat >"$dropin" <<CONF
# Managed by Steward (app ssh-hardening).
Port ${SSH_PORT}
PasswordAuthentication $([ "$PASSWORD_LOGINS" = true ] && echo yes || echo no)
KbdInteractiveAuthentication no
PermitRootLogin ${ROOT_LOGIN}
PubkeyAuthentication yes
CONF
if ! sshd -t; then
  if [ -n "$previous" ]; then printf '%s\n' "$previous" >"$dropin"; else rm -f "$dropin"; fi
  exit 3
fi
systemctl enable ssh >/dev/null 2>&1 || true
systemctl reload-or-restart ssh || exit 3
exit 0
