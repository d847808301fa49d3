#!/bin/bash
# The stand-in's health check, with the official healthcheck.sh's two tests
# gen uses: --connect (the healthcheck user logs in over TCP) and
# --innodb_initialized (InnoDB is up). Any other argument is refused.
set -eu
cnf=/var/lib/mysql/.my-healthcheck.cnf
[ -r "$cnf" ] || exit 1
for test in "$@"; do
  case $test in
    --connect) mariadb --defaults-extra-file="$cnf" -e 'SELECT 1' >/dev/null ;;
    --innodb_initialized)
      [ "$(mariadb --defaults-extra-file="$cnf" -N -B -e \
        "SELECT COUNT(*) FROM information_schema.ENGINES WHERE engine = 'InnoDB' AND support IN ('YES', 'DEFAULT')")" = 1 ]
      ;;
    *) echo "healthcheck.sh: the stand-in knows --connect and --innodb_initialized only, not $test" >&2; exit 2 ;;
  esac
done
