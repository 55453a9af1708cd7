#!/usr/bin/env bash
# Installs prometheus-node-exporter listening on $LISTEN_ADDRESS:$PORT.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=120 -q -y)
"${apt[@]}" update >/dev/null || exit 2
"${apt[@]}" install --no-install-recommends prometheus-node-exporter >/dev/null || exit 2
printf '# Managed by Steward (app node-exporter).\nARGS="--web.listen-address=%s:%s"\n' "$LISTEN_ADDRESS" "$PORT" \
  >/etc/default/prometheus-node-exporter.new
mv /etc/default/prometheus-node-exporter.new /etc/default/prometheus-node-exporter
systemctl enable prometheus-node-exporter >/dev/null 2>&1 || exit 3
systemctl restart prometheus-node-exporter || exit 3
[ -n "${STEWARD_OUTPUT:-}" ] && printf 'metrics_url=http://%s:%s/metrics\n' "$LISTEN_ADDRESS" "$PORT" >>"$STEWARD_OUTPUT"
exit 0
