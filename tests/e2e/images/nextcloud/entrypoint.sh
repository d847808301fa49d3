#!/bin/bash
# The official image's entrypoint.sh contract, in part: started as root, it
# copies the installation (/usr/src/nextcloud) into /var/www/html as
# www-data when /var/www/html/version.php is missing or older (the real one
# rsyncs and then runs `occ maintenance:install` with the POSTGRES_* and
# NEXTCLOUD_ADMIN_* variables; the stand-in server installs on its first
# start, see nextcloud-standin.py), then runs the command.
set -eu
if [ "$(id -u)" = 0 ] && ! cmp -s /usr/src/nextcloud/version.php /var/www/html/version.php; then
  # The contents, not the directory: its owner and mode are the volume's.
  cp -a /usr/src/nextcloud/version.php /var/www/html/
  chown www-data:www-data /var/www/html/version.php
  echo "Nextcloud stand-in: installation copied to /var/www/html" >&2
fi
exec "$@"
