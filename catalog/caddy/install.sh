#!/usr/bin/env bash
# Installs Caddy from the distribution with a placeholder site for $SITE_DOMAIN.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=120 -q -y)
"${apt[@]}" update >/dev/null || exit 2
"${apt[@]}" install --no-install-recommends caddy >/dev/null || exit 2

mkdir -p "/var/www/caddy/${SITE_DOMAIN}"
[ -e "/var/www/caddy/${SITE_DOMAIN}/index.html" ] || printf '<!doctype html><title>%s</title><h1>It works</h1>\n' "$SITE_DOMAIN" >"/var/www/caddy/${SITE_DOMAIN}/index.html"
if [ "$AUTOMATIC_HTTPS" = true ]; then
  address="${SITE_DOMAIN}"; global="{
	email ${ACME_EMAIL}
}"; url="https://${SITE_DOMAIN}/"
else
  address="http://${SITE_DOMAIN}:${HTTP_PORT}"; global=""; url="http://${SITE_DOMAIN}:${HTTP_PORT}/"
fi
cat >/etc/caddy/Caddyfile.new <<CADDY
# Managed by Steward (app caddy). Changes are overwritten on reinstall.
${global}
${address} {
	root * /var/www/caddy/${SITE_DOMAIN}
	file_server
}
CADDY
caddy validate --adapter caddyfile --config /etc/caddy/Caddyfile.new >/dev/null 2>&1 || { rm -f /etc/caddy/Caddyfile.new; exit 3; }
mv /etc/caddy/Caddyfile.new /etc/caddy/Caddyfile
systemctl enable caddy >/dev/null 2>&1 || exit 3
systemctl reload-or-restart caddy || exit 3
[ -n "${STEWARD_OUTPUT:-}" ] && printf 'url=%s\n' "$url" >>"$STEWARD_OUTPUT"
exit 0
