# shellcheck shell=bash
# The agency example (blueprints/agency.yaml): one Hetzner Cloud host with
# WordPress on MariaDB, a static site and a www → apex redirect. First boot
# from its cloud-init and install.sh, certificates from pebble for every
# served name, WordPress installed over HTTPS through nginx (its tables and
# first post written to MariaDB), the tuned gen.cnf in effect, the static
# site and the redirect, then the generated backup and a restore that brings
# back a deleted post while the site's container is stopped and started.

AG_HOST=web
AG_V4=203.0.113.31
AG_V6=2001:db8:1::31
AG_STACK=/opt/agency
AG_INSTALL=/var/lib/gen/config/out/agency/hosts/web/install.sh
AG_NAMES=(blog.example.com example.com www.example.com)

agency_diagnose() {
  container_logs "$AG_HOST"
}

# ag_get NAME PATH [CURL-ARGS...]: a page of NAME over HTTPS from the internet.
ag_get() {
  local name=$1 path=$2
  shift 2
  in_inet curl -sS --max-time 60 --cacert "$ACME_DIR/roots.pem" --resolve "$name:443:$AG_V4" "$@" "https://$name$path"
}

# ag_code NAME PATH: the HTTP status of a GET.
ag_code() { ag_get "$1" "$2" -o /dev/null -w '%{http_code}' || true; }

# ag_sql SQL: one statement on the host's MariaDB as root (the password
# from the container's own environment), tab-separated.
ag_sql() {
  # shellcheck disable=SC2016 # expanded in the container
  host_docker "$AG_HOST" exec mariadb sh -c 'MYSQL_PWD=$MARIADB_ROOT_PASSWORD exec mariadb -uroot -N -B -e "$1"' sh "$1"
}

# ag_cert_verifies NAME: nginx presents a certificate for NAME that pebble's roots verify.
ag_cert_verifies() {
  in_inet sh -c "openssl s_client -connect $AG_V4:443 -servername $1 -CAfile $ACME_DIR/roots.pem \
    -verify_return_error </dev/null >/dev/null 2>&1"
}

# ag_install_wordpress: WordPress's own installer, over HTTPS through nginx.
ag_install_wordpress() {
  ag_get blog.example.com '/wp-admin/install.php?step=2' -o /dev/null -f \
    --data-urlencode 'weblog_title=Agency blog' --data-urlencode 'user_name=editor' \
    --data-urlencode 'admin_password=e2e-Str0ng-passw0rd!' --data-urlencode 'admin_password2=e2e-Str0ng-passw0rd!' \
    --data-urlencode 'pw_weak=on' --data-urlencode 'admin_email=editor@example.com' \
    --data-urlencode 'blog_public=0' --data-urlencode 'Submit=Install WordPress'
}

# ag_rerun_keeps: install.sh run again exits 0 and keeps every container.
ag_rerun_keeps() {
  local before
  before=$(host_docker "$AG_HOST" ps -q --no-trunc | sort)
  host_exec "$AG_HOST" "$AG_INSTALL" >/dev/null 2>&1 || return 1
  [ "$before" = "$(host_docker "$AG_HOST" ps -q --no-trunc | sort)" ]
}

# ag_started CONTAINER: when CONTAINER last started.
ag_started() { host_docker "$AG_HOST" inspect -f '{{.State.StartedAt}}' "$1"; }

agency_scenarios() {
  # shellcheck disable=SC2034 # read by lib/assert.sh when a check fails
  E2E_DIAGNOSE=agency_diagnose
  local name
  rm -rf "$E2E_STATE/project"
  project_build agency
  host_create "$AG_HOST" "$AG_V4" "$AG_V6"
  host_prepare "$AG_HOST" https://git.example.com/agency/infra.git
  compose_override "$AG_HOST" agency "$AG_STACK"
  boot_with_cloud_init "$AG_HOST" agency
  for name in "${AG_NAMES[@]}"; do dns_add "$name" "$AG_V4" "$AG_V6"; done

  scenario "agency: first boot converges"
  first_boot "$AG_HOST" agency
  check "cloud-init cloned the repository" host_exec "$AG_HOST" test -x "$AG_INSTALL"
  check "first boot stopped before .env: no container" eq "" host_docker "$AG_HOST" ps -aq
  write_env "$AG_HOST" "$AG_STACK"
  # A quote in the database password: install.sh's SQL string literal.
  host_sh "$AG_HOST" "sed -i \"s/^WORDPRESS_DB_PASSWORD=.*/WORDPRESS_DB_PASSWORD=wp'pass-$RANDOM/\" $AG_STACK/.env"
  check "install.sh with .env exits 0" host_exec "$AG_HOST" "$AG_INSTALL"
  check "every container healthy within 180 s" wait_for 180 "healthy containers" healthy_all "$AG_HOST"
  check "MariaDB's data directory belongs to the image's mysql user (999:999)" \
    eq "999:999 750" host_exec "$AG_HOST" stat -c '%u:%g %a' /srv/agency/mariadb
  check "WordPress's directory belongs to www-data (33:33)" \
    eq "33:33" host_exec "$AG_HOST" stat -c '%u:%g' /srv/agency/wordpress
  check "install.sh again keeps every container" ag_rerun_keeps
  end_scenario

  scenario "agency: WordPress on MariaDB, over HTTPS through nginx"
  for name in "${AG_NAMES[@]}"; do
    check "$name: pebble's certificate verifies" ag_cert_verifies "$name"
  done
  check "MariaDB runs gen.cnf's buffer pool (716M)" eq 750780416 ag_sql "SELECT @@innodb_buffer_pool_size"
  check "... and max_connections (the pool of 30 + 5)" eq 35 ag_sql "SELECT @@max_connections"
  check "the user wordpress may use its database only" contains 'ON `wordpress`.*' ag_sql "SHOW GRANTS FOR 'wordpress'@'%'"
  check "WordPress's installer runs over HTTPS" ag_install_wordpress
  check "... and wrote its tables and first post to MariaDB" \
    eq "Hello world!" ag_sql "SELECT post_title FROM wordpress.wp_posts WHERE ID = 1"
  check "... with the site's https address" eq "https://blog.example.com" \
    ag_sql "SELECT option_value FROM wordpress.wp_options WHERE option_name = 'siteurl'"
  # WordPress's REST API reads the post from MariaDB (the stand-in has no
  # theme installed, so the HTML front end renders no post).
  check "the first post answers over HTTPS (WordPress's REST API)" contains '"rendered":"Hello world!"' \
    ag_get blog.example.com '/?rest_route=/wp/v2/posts/1'
  end_scenario

  scenario "agency: the static site and the redirect"
  host_sh "$AG_HOST" "printf '<h1>agency landing</h1>\n' > /srv/agency/landing/index.html"
  check "example.com serves the landing page" contains "agency landing" ag_get example.com /
  check "www.example.com redirects to the apex with path and query" \
    eq "301 https://example.com/work?x=1" ag_get www.example.com '/work?x=1' -o /dev/null -w '%{http_code} %{redirect_url}'
  end_scenario

  scenario "agency: the backup dumps MariaDB; a restore brings back a deleted post"
  check "backup.sh exits 0" host_exec "$AG_HOST" "$AG_STACK/ops/backup.sh"
  check "... its set lists the WordPress dump" contains "mariadb wordpress mariadb-mariadb-wordpress.sql.gz" \
    host_exec "$AG_HOST" cat /srv/backups/daily/latest/mariadb.list
  check "... and the uploads' archive" host_exec "$AG_HOST" test -s /srv/backups/daily/latest/files-wordpress.tar.gz
  ag_sql "DELETE FROM wordpress.wp_posts WHERE ID = 1" >/dev/null || true
  check "the deleted post is gone" eq 404 ag_code blog.example.com '/?rest_route=/wp/v2/posts/1'
  local before
  before=$(ag_started wordpress)
  check "restore-mariadb.sh wordpress exits 0" host_exec "$AG_HOST" "$AG_STACK/ops/restore-mariadb.sh" wordpress
  check "... WordPress was stopped and started again" fails eq "$before" ag_started wordpress
  check "... the post is back in MariaDB" eq "Hello world!" ag_sql "SELECT post_title FROM wordpress.wp_posts WHERE ID = 1"
  check "... and over HTTPS" wait_for 30 "the restored post" contains '"rendered":"Hello world!"' \
    ag_get blog.example.com '/?rest_route=/wp/v2/posts/1'
  check "... the database as it was is kept aside" host_sh "$AG_HOST" 'ls /srv/backups/before-restore/mariadb-wordpress-*.sql.gz'
  end_scenario
  host_stop "$AG_HOST"
}
