#!/usr/bin/env bash
# Installs nginx from the distribution and serves a placeholder site for $SERVER_NAME on $HTTP_PORT.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=120 -q -y)

"${apt[@]}" update >/dev/null || exit 2
"${apt[@]}" install --no-install-recommends nginx >/dev/null || exit 2

root="/var/www/steward/${SERVER_NAME}"
mkdir -p "$root"
if [ ! -e "$root/index.html" ]; then
  # The text is data: escape it for HTML before it goes into the page.
  escaped=$(printf '%s' "$WELCOME_TEXT" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g')
  printf '<!doctype html><title>%s</title><h1>%s</h1>\n' "$SERVER_NAME" "$escaped" >"$root/index.html"
fi

site="/etc/nginx/sites-available/steward-${SERVER_NAME}.conf"
cat >"$site.new" <<CONF
# Managed by Steward (app nginx). Changes are overwritten on reinstall.
server {
    listen ${HTTP_PORT};
    server_name ${SERVER_NAME};
    root ${root};
    index index.html;
}
CONF
mv "$site.new" "$site"
ln -sf "$site" "/etc/nginx/sites-enabled/steward-${SERVER_NAME}.conf"

nginx -t -q || exit 3
systemctl enable --now nginx >/dev/null 2>&1 || exit 3
systemctl reload nginx || exit 3

if [ -n "${STEWARD_OUTPUT:-}" ]; then
  printf 'url=http://%s:%s/\ndocument_root=%s\n' "$SERVER_NAME" "$HTTP_PORT" "$root" >>"$STEWARD_OUTPUT"
fi
