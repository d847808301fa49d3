#!/bin/bash
# The stand-in's entrypoint: on an empty /var/lib/mysql, initialise it,
# set root's password from MARIADB_ROOT_PASSWORD and create the health
# check's user and option file, as the official image's entrypoint does;
# then the server as the mysql user.
set -euo pipefail
DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock
if [ "$1" = mariadbd ] && [ ! -d "$DATADIR/mysql" ]; then
  : "${MARIADB_ROOT_PASSWORD:?the official image needs MARIADB_ROOT_PASSWORD}"
  chown mysql:mysql "$DATADIR"
  mariadb-install-db --user=mysql --datadir="$DATADIR" --auth-root-authentication-method=normal \
    --skip-test-db >/dev/null
  mariadbd --user=mysql --datadir="$DATADIR" --skip-networking --socket="$SOCKET" &
  pid=$!
  for _ in $(seq 60); do mariadb --socket="$SOCKET" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.5; done
  esc() { local s=${1//\\/\\\\}; printf '%s' "${s//\'/\\\'}"; }
  hc=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
  {
    echo "SET PASSWORD FOR root@localhost = PASSWORD('$(esc "$MARIADB_ROOT_PASSWORD")');"
    echo "CREATE USER root@'%' IDENTIFIED BY '$(esc "$MARIADB_ROOT_PASSWORD")';"
    echo "GRANT ALL ON *.* TO root@'%' WITH GRANT OPTION;"
    for host in 127.0.0.1 ::1 localhost; do
      echo "CREATE USER healthcheck@'$host' IDENTIFIED BY '$hc';"
    done
  } | mariadb --socket="$SOCKET" -uroot
  printf '[mariadb-client]\nport=3306\nsocket=%s\nuser=healthcheck\npassword=%s\nprotocol=tcp\n' "$SOCKET" "$hc" \
    >"$DATADIR/.my-healthcheck.cnf"
  chown mysql:mysql "$DATADIR/.my-healthcheck.cnf"
  chmod 0600 "$DATADIR/.my-healthcheck.cnf"
  kill "$pid"
  wait "$pid" || true
fi
if [ "$1" = mariadbd ]; then
  shift
  exec mariadbd --user=mysql "$@"
fi
exec "$@"
