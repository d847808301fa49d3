# shellcheck shell=bash
# Day-0 scenarios of the Odoo reference after first boot: resources and
# ownership, certificates, one sick service, the request path from the
# outside, backups on the live stack. Sourced by run.sh after odoo.sh.

# env_value NAME: a secret from the host's .env (the harness wrote it).
env_value() { host_exec "$ODOO_HOST" sed -n "s/^$1=//p" "$ODOO_STACK/.env"; }
in_container() {
  local c=$1
  shift
  host_docker "$ODOO_HOST" exec "$c" "$@"
}
psql_in() { in_container postgres psql -X -A -t -U odoo -d "$1" -c "$2"; }
served_serial() {
  in_inet sh -c "openssl s_client -connect $ODOO_V4:443 -servername $1 </dev/null 2>/dev/null | openssl x509 -noout -serial"
}
cert_verifies() { in_inet sh -c "openssl s_client -connect $ODOO_V4:443 -servername $1 -CAfile $ACME_DIR/roots.pem -verify_return_error </dev/null >/dev/null 2>&1"; }
file_sum() { host_exec "$ODOO_HOST" sha256sum "$1" | cut -d' ' -f1; }
# health_report: the host's health check, its alerts sent nowhere (what it
# would report is on stdout and stderr).
health_report() { host_exec "$ODOO_HOST" env TELEGRAM_API=http://127.0.0.1:9 "$ODOO_STACK/ops/health-check.sh"; }
http_code() { in_inet curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" || true; }
prod_status() { http_code --cacert "$ACME_DIR/roots.pem" --resolve "$ODOO_PROD:443:$ODOO_V4" "https://$ODOO_PROD${1:-/web/health}"; }

odoo_day0_resources() {
  scenario "odoo: ownership and resources"
  local env
  for env in prod test dev; do
    check "/mnt/odoo-data/$env belongs to odoo (101:101), the image's user" \
      eq "101:101" host_exec "$ODOO_HOST" stat -c %u:%g "/mnt/odoo-data/$env"
    check "odoo-$env writes sessions and filestore in its data dir" \
      host_exec "$ODOO_HOST" test -d "/mnt/odoo-data/$env/sessions" -a -d "/mnt/odoo-data/$env/filestore"
  done
  check "PostgreSQL's data dir belongs to postgres (70, alpine's uid), mode 0700" \
    eq "70 700" host_exec "$ODOO_HOST" stat -c '%u %a' /mnt/odoo-data/postgres
  check "node_exporter (nobody) reads the metrics textfile directory" \
    in_container node_exporter ls /textfile
  local shm_kib
  shm_kib=$(in_container postgres df -Pk /dev/shm | awk 'NR == 2 { print $2 }')
  check "PostgreSQL's /dev/shm is larger than Docker's 64 MB default (${shm_kib} KiB)" test "${shm_kib:-0}" -gt 65536
  # A parallel hash join under the generated tuning (work_mem, parallel
  # workers) allocates its hash table in /dev/shm.
  check "a parallel hash join runs under the generated tuning" psql_in postgres "
    CREATE TEMP TABLE a AS SELECT g AS k, md5(g::text) AS v FROM generate_series(1, 400000) g;
    SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
    SELECT count(*) FROM (SELECT g AS k FROM generate_series(1, 400000) g) b JOIN a USING (k);"
  end_scenario
}

odoo_day0_certificates() {
  scenario "odoo: certificates"
  check "prod got a real certificate from the ACME server on first boot" cert_verifies "$ODOO_PROD"
  check "test got a real certificate too" cert_verifies "$ODOO_TEST"
  check "dev (no DNS record yet) stays on its placeholder" \
    host_exec "$ODOO_HOST" test -e "/etc/letsencrypt/live/$ODOO_DEV/gen-placeholder"
  check "nginx serves dev's placeholder meanwhile" contains "CN = $ODOO_DEV" \
    in_inet sh -c "openssl s_client -connect $ODOO_V4:443 -servername $ODOO_DEV </dev/null 2>/dev/null | openssl x509 -noout -subject"
  check "the health check reports the name still on a placeholder" contains "$ODOO_DEV" health_report
  # The ACME server unreachable: nothing that works is removed.
  dns_add "$ODOO_DEV" "$ODOO_V4" "$ODOO_V6"
  local prod_sum
  prod_sum=$(file_sum "/etc/letsencrypt/live/$ODOO_PROD/fullchain.pem")
  in_inet iptables -I INPUT -p tcp --dport 14000 -j REJECT
  check "with the ACME server unreachable, gen-certs fails" fails host_exec "$ODOO_HOST" /usr/local/sbin/gen-certs
  check "... prod keeps its certificate" eq "$prod_sum" file_sum "/etc/letsencrypt/live/$ODOO_PROD/fullchain.pem"
  check "... dev keeps its placeholder" \
    host_exec "$ODOO_HOST" test -e "/etc/letsencrypt/live/$ODOO_DEV/gen-placeholder"
  check "... prod is still served" eq 200 prod_status
  check "... install.sh still completes" install_run
  in_inet iptables -D INPUT -p tcp --dport 14000 -j REJECT
  check "once DNS and ACME answer, the next install.sh issues dev by itself" install_run
  # nginx -s reload returns before the master has re-read its files.
  check "... dev now has a real certificate" wait_for 10 "dev's certificate" cert_verifies "$ODOO_DEV"
  # Renewal reloads nginx.
  local before
  before=$(served_serial "$ODOO_PROD")
  check "certbot renews prod (forced) with its deploy hook" \
    host_exec "$ODOO_HOST" certbot renew --force-renewal --cert-name "$ODOO_PROD" --no-random-sleep-on-renew
  check "... nginx serves the renewed certificate" wait_for 10 "the renewed certificate" fails eq "$before" served_serial "$ODOO_PROD"
  check "... which verifies" cert_verifies "$ODOO_PROD"
  end_scenario
}

odoo_day0_sick_service() {
  scenario "odoo: one sick service cannot take the others down"
  local auth
  auth="becker:$(env_value ODOO_TEST_BASIC_AUTH)"
  host_docker "$ODOO_HOST" stop odoo-test >/dev/null
  check "odoo-test stopped: prod still answers 200" eq 200 prod_status
  check "... test answers 502 alone" eq 502 http_code -u "$auth" --cacert "$ACME_DIR/roots.pem" \
    --resolve "$ODOO_TEST:443:$ODOO_V4" "https://$ODOO_TEST/web/health"
  check "... nginx restarts" host_docker "$ODOO_HOST" restart nginx
  check "... and is healthy again (its first check comes 30 s after the start)" wait_for 45 "nginx healthy" eq healthy \
    host_docker "$ODOO_HOST" inspect -f '{{.State.Health.Status}}' nginx
  check "... nginx -t and reload pass" in_container nginx sh -c 'nginx -t && nginx -s reload'
  check "... prod answers 200 after the restart" eq 200 prod_status
  check "... /health as a load balancer checks it answers 200" eq 200 http_code "http://$ODOO_V4/health"
  host_docker "$ODOO_HOST" start odoo-test >/dev/null
  check "odoo-test started again: test answers 200" wait_for 60 "test back" eq 200 http_code -u "$auth" \
    --cacert "$ACME_DIR/roots.pem" --resolve "$ODOO_TEST:443:$ODOO_V4" "https://$ODOO_TEST/web/health"
  # A crash-looping service: odoo-dev's config made unreadable for Odoo (a
  # word where an integer belongs), so it exits at start and Docker restarts
  # it again and again.
  host_sh "$ODOO_HOST" "sed -i 's/^workers = .*/workers = four/' $ODOO_STACK/odoo/dev.conf"
  host_docker "$ODOO_HOST" restart odoo-dev >/dev/null 2>&1 || true
  check "odoo-dev crash-loops on a broken config" wait_for 30 "odoo-dev restarting" eq restarting \
    host_docker "$ODOO_HOST" inspect -f '{{.State.Status}}' odoo-dev
  check "... prod still answers 200" eq 200 prod_status
  check "... nginx reloads" in_container nginx sh -c 'nginx -t && nginx -s reload'
  check "... prod answers 200 after the reload" eq 200 prod_status
  check "install.sh repairs the config and odoo-dev runs again" install_run
  check "... odoo-dev is healthy" wait_for 60 "odoo-dev healthy" eq healthy \
    host_docker "$ODOO_HOST" inspect -f '{{.State.Health.Status}}' odoo-dev
  # A recreated container with a new address is found without a reload.
  local old_ip new_ip nginx_started
  old_ip=$(host_docker "$ODOO_HOST" inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' odoo-prod)
  nginx_started=$(host_docker "$ODOO_HOST" inspect -f '{{.State.StartedAt}}' nginx)
  host_docker "$ODOO_HOST" rm -f odoo-prod >/dev/null
  host_docker "$ODOO_HOST" run -d --name e2e-ip-holder --network odoo_stack --ip "$old_ip" \
    --entrypoint sleep odoo:17.0 600 >/dev/null
  check "install.sh recreates the removed odoo-prod" install_run
  new_ip=$(host_docker "$ODOO_HOST" inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' odoo-prod)
  check "... on a new address ($old_ip -> $new_ip)" fails test "$old_ip" = "$new_ip"
  check "... prod answers 200 within 20 s, without a reload" wait_for 20 "prod on its new address" eq 200 prod_status
  check "... nginx was not restarted" eq "$nginx_started" host_docker "$ODOO_HOST" inspect -f '{{.State.StartedAt}}' nginx
  host_docker "$ODOO_HOST" rm -f e2e-ip-holder >/dev/null
  end_scenario
}

# websocket_upgrade: a WebSocket handshake with prod's /websocket through
# nginx; prints the response head.
websocket_upgrade() {
  in_inet curl -s -i -N --http1.1 --max-time 3 --cacert "$ACME_DIR/roots.pem" --resolve "$ODOO_PROD:443:$ODOO_V4" \
    -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \
    -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' "https://$ODOO_PROD/websocket" || true
}

odoo_day0_request_path() {
  scenario "odoo: the request path from the outside"
  check "HTTP redirects to HTTPS" eq "301 https://$ODOO_PROD/web/login" \
    in_inet curl -s -o /dev/null -w '%{http_code} %{redirect_url}' --resolve "$ODOO_PROD:80:$ODOO_V4" "http://$ODOO_PROD/web/login"
  host_sh "$ODOO_HOST" "mkdir -p /var/www/certbot/.well-known/acme-challenge && echo e2e-token-body > /var/www/certbot/.well-known/acme-challenge/e2e-token"
  check "the ACME path is served over HTTP" eq e2e-token-body \
    in_inet curl -sf --resolve "$ODOO_PROD:80:$ODOO_V4" "http://$ODOO_PROD/.well-known/acme-challenge/e2e-token"
  check "/health answers 200 by address, as a load balancer asks" eq ok in_inet curl -sf "http://$ODOO_V4/health"
  local headers
  # HTTP/2 header names are lower case.
  headers=$(in_inet curl -s -D - -o /dev/null --cacert "$ACME_DIR/roots.pem" --resolve "$ODOO_PROD:443:$ODOO_V4" "https://$ODOO_PROD/web/login")
  headers=${headers,,}
  check "Odoo sees the client's address through the proxy" contains "x-standin-remote: $INET_V4" echo "$headers"
  check "Odoo sees the https scheme" contains "x-standin-scheme: https" echo "$headers"
  check "Odoo sees the public host name" contains "x-standin-host: $ODOO_PROD" echo "$headers"
  check "HSTS is sent" contains "strict-transport-security: max-age=63072000" echo "$headers"
  local v6_headers
  v6_headers=$(in_inet curl -s -D - -o /dev/null --max-time 10 --cacert "$ACME_DIR/roots.pem" \
    --resolve "$ODOO_PROD:443:[$ODOO_V6]" "https://$ODOO_PROD/web/login")
  check "prod answers over IPv6" contains "http/2 200" echo "${v6_headers,,}"
  check "... and Odoo sees the client's IPv6 address" contains "x-standin-remote: $INET_V6" echo "${v6_headers,,}"
  local ws
  ws=$(websocket_upgrade)
  check "/websocket is upgraded (101)" contains "HTTP/1.1 101" echo "$ws"
  check "... by Odoo's gevent port (a valid Sec-WebSocket-Accept)" contains "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" echo "$ws"
  local test_url="https://$ODOO_TEST/web/health" auth
  auth="becker:$(env_value ODOO_TEST_BASIC_AUTH)"
  check "test without a password: 401" eq 401 http_code --cacert "$ACME_DIR/roots.pem" --resolve "$ODOO_TEST:443:$ODOO_V4" "$test_url"
  check "test with a wrong password: 401" eq 401 http_code -u becker:wrong --cacert "$ACME_DIR/roots.pem" --resolve "$ODOO_TEST:443:$ODOO_V4" "$test_url"
  check "test with the password from .env: 200" eq 200 http_code -u "$auth" --cacert "$ACME_DIR/roots.pem" --resolve "$ODOO_TEST:443:$ODOO_V4" "$test_url"
  check "dev from the internet: 403" eq 403 http_code --cacert "$ACME_DIR/roots.pem" --resolve "$ODOO_DEV:443:$ODOO_V4" "https://$ODOO_DEV/web/health"
  odoo_vpn_peer_up
  check "dev from the WireGuard peer, by name through the tunnel: 200" eq 200 \
    ip netns exec "$PEER_NS" curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$ACME_DIR/roots.pem" "https://$ODOO_DEV/web/health"
  check "an unknown Host on 80 gets no answer" eq 52 \
    sh -c "ip netns exec $INET_NS curl -s -o /dev/null -H 'Host: unknown.example' http://$ODOO_V4/; echo \$?"
  check "an unknown name on 443 gets no TLS handshake" eq 35 \
    sh -c "ip netns exec $INET_NS curl -s -o /dev/null -k --resolve unknown.example:443:$ODOO_V4 https://unknown.example/; echo \$?"
  check "nginx logs the client's real address" contains "$INET_V4 - - " nginx_access_log
  end_scenario
}

# The nginx access log: a file on the host when nginx writes one there,
# else the container's log.
nginx_access_log() {
  if host_exec "$ODOO_HOST" test -s /var/log/odoo/nginx/access.log; then
    host_exec "$ODOO_HOST" tail -n 200 /var/log/odoo/nginx/access.log
  else
    host_docker "$ODOO_HOST" logs --tail 200 nginx 2>&1
  fi
}

# A WireGuard peer (cled-admin, whose public key the harness put into the
# blueprint) in its own namespace, from the generated client config with
# its two placeholders filled and the endpoint set to the host's address.
odoo_vpn_peer_up() {
  ip netns add "$PEER_NS"
  net_attach "$PEER_NS" eth0 "$PEER_V4" "$PEER_V6"
  local conf=$E2E_STATE/peer/wg0.conf server_key dns
  server_key=$(host_exec "$ODOO_HOST" sh -c 'wg pubkey < /etc/wireguard/wg0.key')
  sed -e "s|^PrivateKey = .*|PrivateKey = $(cat "$E2E_STATE/peer/private.key")|" \
    -e "s|^PublicKey = .*|PublicKey = $server_key|" \
    -e "s|^Endpoint = [^:]*:|Endpoint = $ODOO_V4:|" \
    "$E2E_STATE/project/out/odoo-dedicated/vpn/cled-admin.conf" > "$conf"
  chmod 600 "$conf"
  # The peer's resolver: the config's DNS line when it has one (what
  # wg-quick hands to resolvconf), else the internet's.
  dns=$(sed -n 's/^DNS = //p' "$conf" | cut -d, -f1)
  mkdir -p "/etc/netns/$PEER_NS"
  printf 'nameserver %s\n' "${dns:-$INET_V4}" > "/etc/netns/$PEER_NS/resolv.conf"
  ip netns exec "$PEER_NS" wireguard-go wg0 >/dev/null 2>&1
  ip netns exec "$PEER_NS" wg setconf wg0 <(wg-quick strip "$conf" 2>/dev/null || grep -v -E '^(Address|DNS) ' "$conf")
  ip netns exec "$PEER_NS" ip addr add "$(sed -n 's/^Address = //p' "$conf")" dev wg0
  ip netns exec "$PEER_NS" ip link set wg0 up
  ip netns exec "$PEER_NS" ip route add 10.8.0.0/24 dev wg0
  ip netns exec "$PEER_NS" ping -c 1 -W 5 10.8.0.1 >/dev/null 2>&1 || true
}

odoo_day0_backups() {
  scenario "odoo: backups on the live stack"
  local i
  for i in 1 2 3; do prod_status /web/login >/dev/null; done
  local rows
  rows=$(psql_in odoo_prod "SELECT count(*) FROM ir_standin_hits")
  check "the backup service runs against the running containers" host_exec "$ODOO_HOST" systemctl start odoo-backup.service
  check "... its set holds a dump of every database" host_sh "$ODOO_HOST" \
    'for db in odoo_prod odoo_test odoo_dev; do test -s /mnt/backups/daily/latest/db-$db.dump; done'
  check "... and its checksums verify" host_sh "$ODOO_HOST" 'cd /mnt/backups/daily/latest && sha256sum -c --quiet SHA256SUMS'
  check "node_exporter exports the backup's metrics" contains backup_last_success_timestamp_seconds \
    in_container prometheus wget -q -O - http://node_exporter:9100/metrics
  for i in 1 2; do prod_status /web/login >/dev/null; done
  host_docker "$ODOO_HOST" stop odoo-prod >/dev/null
  check "restore-db.sh brings odoo_prod back from the set" host_exec "$ODOO_HOST" "$ODOO_STACK/ops/restore-db.sh" odoo_prod
  check "... with every row of the backup ($rows) and none after it" eq "$rows" psql_in odoo_prod "SELECT count(*) FROM ir_standin_hits"
  check "... and the database kept aside opens, with the later rows" eq "$((rows + 2))" psql_in \
    "$(psql_in postgres "SELECT datname FROM pg_database WHERE datname LIKE 'odoo_prod_before_%'")" "SELECT count(*) FROM ir_standin_hits"
  host_docker "$ODOO_HOST" start odoo-prod >/dev/null
  check "... and prod serves again" wait_for 60 "prod after restore" eq 200 prod_status
  end_scenario
}
