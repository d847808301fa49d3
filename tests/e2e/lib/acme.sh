# shellcheck shell=bash
# Let's Encrypt, played by Debian's pebble (the ACME test server), with
# pebble-challtestsrv as the internet's DNS. Both run in the internet
# namespace. Hosts trust pebble's API certificate through their system CA
# store (as certbot trusts Let's Encrypt's) and reach it as `pebble`; the
# generated certbot flow is pointed at it by /etc/letsencrypt/cli.ini,
# certbot's own configuration file, so no generated file changes.

ACME_DIR=$E2E_STATE/acme
ACME_URL=https://pebble:14000/dir
DNS_API=http://$INET_V4:8055

# harness_cert PREFIX CN SUBJECT-ALT-NAMES: PREFIX.key and PREFIX.pem, a
# certificate signed by the harness CA (ca.pem, which the hosts and clients
# trust): pebble's API certificate and the load balancer's managed one.
harness_cert() {
  local prefix=$1
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$2" \
    -keyout "$prefix.key" -out "$prefix.csr" 2>/dev/null
  printf 'subjectAltName=%s\n' "$3" > "$prefix.ext"
  openssl x509 -req -in "$prefix.csr" -CA "$ACME_DIR/ca.pem" -CAkey "$ACME_DIR/ca.key" \
    -CAcreateserial -days 2 -extfile "$prefix.ext" -out "$prefix.pem" 2>/dev/null
}

acme_up() {
  mkdir -p "$ACME_DIR"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=gen-e2e pebble API root" -keyout "$ACME_DIR/ca.key" -out "$ACME_DIR/ca.pem" 2>/dev/null
  harness_cert "$ACME_DIR/pebble" pebble "DNS:pebble,IP:$INET_V4"
  cat > "$ACME_DIR/pebble.json" <<JSON
{"pebble": {"listenAddress": "$INET_V4:14000", "managementListenAddress": "$INET_V4:15000",
  "certificate": "$ACME_DIR/pebble.pem", "privateKey": "$ACME_DIR/pebble.key",
  "httpPort": 80, "tlsPort": 443, "ocspResponderURL": "", "externalAccountBindingRequired": false}}
JSON
  # No default address: a name without a record does not resolve.
  in_inet pebble-challtestsrv -dns01 "$INET_V4:53" -http01 "" -https01 "" -tlsalpn01 "" \
    -management "$INET_V4:8055" -defaultIPv4 "" -defaultIPv6 "" >"$ACME_DIR/dns.log" 2>&1 9>&- &
  # No artificial delays or random nonce rejections: the harness tests gen,
  # not certbot's retry logic.
  PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 \
    in_inet pebble -config "$ACME_DIR/pebble.json" -dnsserver "$INET_V4:53" >"$ACME_DIR/pebble.log" 2>&1 9>&- &
  wait_for 20 "pebble" in_inet curl -sf --cacert "$ACME_DIR/ca.pem" --resolve "pebble:14000:$INET_V4" "$ACME_URL"
  wait_for 20 "challtestsrv" in_inet curl -s -o /dev/null "$DNS_API/"
}

# dns_add NAME V4 [V6]: the internet's DNS answers NAME with the address.
dns_add() {
  in_inet curl -sf -X POST -d "{\"host\":\"$1.\",\"addresses\":[\"$2\"]}" "$DNS_API/add-a" >/dev/null
  if [ -n "${3:-}" ]; then
    in_inet curl -sf -X POST -d "{\"host\":\"$1.\",\"addresses\":[\"$3\"]}" "$DNS_API/add-aaaa" >/dev/null
  fi
}
dns_remove() {
  in_inet curl -sf -X POST -d "{\"host\":\"$1.\"}" "$DNS_API/clear-a" >/dev/null
  in_inet curl -sf -X POST -d "{\"host\":\"$1.\"}" "$DNS_API/clear-aaaa" >/dev/null
}

# acme_roots FILE: the roots pebble issues under (new on every pebble start),
# for clients that check the served certificates.
acme_roots() {
  local i=0
  : > "$1"
  while in_inet curl -sf --cacert "$ACME_DIR/ca.pem" "https://$INET_V4:15000/roots/$i" >> "$1"; do
    i=$((i + 1))
  done
  [ -s "$1" ]
}

# acme_host_setup NAME: what a real host gets from the world: DNS at the
# internet's resolver, pebble's API trusted, certbot's server set.
acme_host_setup() {
  local name=$1
  host_file "$name" /usr/local/share/ca-certificates/gen-e2e-pebble.crt 0644 < "$ACME_DIR/ca.pem"
  printf 'nameserver %s\n' "$INET_V4" | host_file "$name" /etc/resolv.conf 0644
  printf '127.0.0.1 localhost\n::1 localhost\n%s pebble\n' "$INET_V4" | host_file "$name" /etc/hosts 0644
  printf '# gen-e2e: pebble plays Let'"'"'s Encrypt\nserver = %s\n' "$ACME_URL" |
    host_file "$name" /etc/letsencrypt/cli.ini 0644
}
