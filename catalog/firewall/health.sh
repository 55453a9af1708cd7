#!/usr/bin/env bash
# Healthy when ufw is active and lets SSH in.
set -euo pipefail
command -v ufw >/dev/null || { echo "ufw is not installed"; exit 1; }
status="$(ufw status)"
grep -q '^Status: active' <<<"$status" || { echo "ufw is not active"; exit 1; }
grep -qE "^${SSH_PORT}/tcp +ALLOW" <<<"$status" || { echo "SSH port ${SSH_PORT} is not allowed"; exit 1; }
