#!/bin/bash
# The stand-in's entrypoint: WordPress into an empty /var/www/html (as the
# official image does, owned by www-data), the environment's wp-config.php
# with keys of its own, then Apache in the foreground.
set -euo pipefail
html=/var/www/html
if [ ! -e "$html/wp-includes/version.php" ]; then
  # Debian's tree links into /usr/share/javascript and /etc/wordpress: the
  # links' targets are copied (a dangling one is left out).
  tar -C /usr/share/wordpress -chf - --exclude=./wp-config.php . 2>/dev/null | tar -C "$html" -xf - || true
  tar -C /var/lib/wordpress -chf - wp-content 2>/dev/null | tar -C "$html" -xf - || true
  test -e "$html/wp-includes/version.php"
  cp /usr/local/share/wordpress/wp-config.php "$html/wp-config.php"
  for key in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
    sed -i "s|'$key', 'put your unique phrase here'|'$key', '$(head -c 32 /dev/urandom | base64 | tr -d '/+=')'|" "$html/wp-config.php"
  done
  chown -R www-data:www-data "$html"
fi
if [ "$1" = apache2-foreground ]; then
  # Debian's envvars reads unset variables.
  set +u
  # shellcheck disable=SC1091
  . /etc/apache2/envvars
  set -u
  mkdir -p "$APACHE_RUN_DIR" "$APACHE_LOCK_DIR" "$APACHE_LOG_DIR"
  rm -f "$APACHE_PID_FILE"
  exec apache2 -DFOREGROUND
fi
exec "$@"
