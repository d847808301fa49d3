#!/usr/bin/env bash
# Runs Debian's `nginx -t` on a generated nginx directory, inside a throwaway
# root: a copy-on-write overlay of / in private mount, net and pid namespaces,
# so the stubs below vanish with the namespace (../shared/VALIDATORS.md).
#
# usage: nginx-t.sh NGINX_DIR [--downport-http2]
#   NGINX_DIR holds nginx.conf and conf.d/ as gen writes them.
#   --downport-http2 rewrites `http2 on;` (nginx >= 1.25.1) to the `listen ... http2`
#   form that Debian 12's nginx 1.22 knows, for configs made for a newer nginx.
# Stubs: every certificate path gets a throwaway key pair, and the `nginx`
# user exists. Upstream names do not resolve here, on purpose.
set -euo pipefail
dir=$(cd "$1" && pwd)
downport=${2:-}
command -v nginx >/dev/null || { echo "nginx is not installed" >&2; exit 127; }
exec unshare --mount --net --pid --fork bash -euo pipefail -c '
dir=$1; downport=$2
T=$(mktemp -d); mount -t tmpfs t "$T"; mkdir "$T/u" "$T/w" "$T/r"
mount -t overlay o -o "lowerdir=/,upperdir=$T/u,workdir=$T/w" "$T/r"
mount --rbind /dev "$T/r/dev"; mount -t proc p "$T/r/proc"
R=$T/r
mkdir -p "$R/etc/nginx/conf.d" "$R/var/log/nginx" "$R/var/www/certbot"
rm -f "$R/etc/nginx/conf.d/"* "$R/etc/nginx/sites-enabled/"*
cp "$dir/nginx.conf" "$R/etc/nginx/nginx.conf"
cp "$dir/conf.d/"*.conf "$R/etc/nginx/conf.d/"
if [ "$downport" = --downport-http2 ]; then
  for f in "$R/etc/nginx/conf.d/"*.conf; do
    if grep -q "^ *http2 on;" "$f"; then
      sed -i -e "/^ *http2 on;/d" -e "s/^\( *listen .* ssl\);/\1 http2;/" "$f"
    fi
  done
fi
# No stub for upstream names: the configs resolve them per request (resolver),
# so nginx must start while none of them resolves.
{ grep -ho "ssl_certificate [^;]*fullchain.pem" "$R/etc/nginx/conf.d/"*.conf || true; } | sed "s/ssl_certificate //" | sort -u |
  while read -r crt; do
    d=$(dirname "$R$crt"); mkdir -p "$d"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=gen-test \
      -keyout "$d/privkey.pem" -out "$d/fullchain.pem" -days 2 2>/dev/null
  done
chroot "$R" sh -c "getent passwd nginx >/dev/null || useradd --system --no-create-home nginx"
chroot "$R" nginx -t -q
' bash "$dir" "$downport"
