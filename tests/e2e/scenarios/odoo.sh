# shellcheck shell=bash
# Day 0 of the Odoo reference (blueprints/odoo-dedicated.yaml): one
# dedicated host `ax52` with Odoo prod/test/dev, PostgreSQL, nginx,
# WireGuard, UFW, fail2ban, backups and monitoring.
#
# The harness deploys the reference with two test substitutions, both made
# in the blueprint before gen compiles it: the VPN peer `cled-admin` gets
# the harness's own WireGuard key (the customer's private key is not ours),
# and that is all; domains, images, ports and secrets' names are the
# reference's own.

ODOO_HOST=ax52
ODOO_V4=203.0.113.10
ODOO_V6=2001:db8:1::10
ODOO_PROD=odoo.becker-sicherheit.de
ODOO_TEST=odoo-test.becker-sicherheit.de
ODOO_DEV=odoo-dev.becker-sicherheit.de
ODOO_STACK=/opt/odoo
ODOO_INSTALL=/var/lib/gen/config/out/odoo-dedicated/hosts/ax52/install.sh
PEER_NS=$E2E_NAME-peer
PEER_V4=203.0.113.20
PEER_V6=2001:db8:1::20

odoo_diagnose() {
  container_logs "$ODOO_HOST"
  host_exec "$ODOO_HOST" tail -n 20 /var/log/dockerd.log | sed 's/^/    dockerd: /'
}

# https GET from the internet with pebble's roots as the trust store.
inet_https() {
  local host=$1 path=$2
  shift 2
  in_inet curl -sS --max-time 10 --cacert "$ACME_DIR/roots.pem" \
    --resolve "$host:443:$ODOO_V4" "$@" "https://$host$path"
}
status_of() { "$@" -o /dev/null -w '%{http_code}' || true; }
install_run() { host_exec "$ODOO_HOST" "$ODOO_INSTALL"; }
container_id() { host_docker "$ODOO_HOST" inspect -f '{{.Id}}' "$1"; }

odoo_setup() {
  mkdir -p "$E2E_STATE/peer"
  (umask 077 && wg genkey > "$E2E_STATE/peer/private.key")
  wg pubkey < "$E2E_STATE/peer/private.key" > "$E2E_STATE/peer/public.key"
  local peer_key
  peer_key=$(cat "$E2E_STATE/peer/public.key")
  project_build odoo-dedicated \
    "s|name: cled-admin, address: 10.8.0.2, public_key: [^}]*}|name: cled-admin, address: 10.8.0.2, public_key: $peer_key}|"
  host_create "$ODOO_HOST" "$ODOO_V4" "$ODOO_V6"
  host_prepare "$ODOO_HOST" https://git.example.com/cled/odoo-infra.git
  # This machine has 2 cores; compose refuses CPU limits above them. The only
  # change to the generated stack: limits.cpus capped at the machine's cores.
  local cores
  cores=$(nproc)
  python3 - "$E2E_STATE/project/out/odoo-dedicated/hosts/ax52/rootfs$ODOO_STACK/docker-compose.yml" "$cores" \
    > "$E2E_STATE/override.yml" <<'PY'
import sys, yaml
compose = yaml.safe_load(open(sys.argv[1]))
cores = float(sys.argv[2])
out = {"services": {}}
for name, svc in compose["services"].items():
    cpus = svc.get("deploy", {}).get("resources", {}).get("limits", {}).get("cpus")
    if cpus is not None and float(cpus) > cores:
        out["services"][name] = {"deploy": {"resources": {"limits": {"cpus": str(cores)}}}}
print("# gen-e2e: CPU limits capped at this machine's cores\n" + yaml.safe_dump(out, sort_keys=True))
PY
  host_file "$ODOO_HOST" "$ODOO_STACK/docker-compose.override.yml" 0644 < "$E2E_STATE/override.yml"
  host_file "$ODOO_HOST" /var/lib/cloud/seed/nocloud/user-data 0600 \
    < "$E2E_STATE/project/out/odoo-dedicated/hosts/ax52/cloud-init.yaml"
  host_boot "$ODOO_HOST"
  host_exec "$ODOO_HOST" update-ca-certificates >/dev/null 2>&1
  # What the provider's image starts on every boot: sshd.
  host_exec "$ODOO_HOST" systemctl start ssh
  # DNS for the public names; dev's record comes later (a name without DNS).
  dns_add "$ODOO_PROD" "$ODOO_V4" "$ODOO_V6"
  dns_add "$ODOO_TEST" "$ODOO_V4" "$ODOO_V6"
}

# The secrets an operator writes into .env (values are the harness's own).
odoo_write_env() {
  host_sh "$ODOO_HOST" "
    umask 077
    sed -e 's/^ODOO_ADMIN_PASSWD=\$/ODOO_ADMIN_PASSWD=e2e-master-$RANDOM/' \
        -e 's/^POSTGRES_PASSWORD=\$/POSTGRES_PASSWORD=e2e-pg-$RANDOM$RANDOM/' \
        -e 's/^RESTIC_PASSWORD=\$/RESTIC_PASSWORD=e2e-restic-$RANDOM/' \
        -e 's/^TELEGRAM_BOT_TOKEN=\$/TELEGRAM_BOT_TOKEN=123:e2e/' \
        -e 's/^\([A-Z0-9_]*\)=\$/\1=e2e-\1-$RANDOM/' \
        $ODOO_STACK/.env.example > $ODOO_STACK/.env
  "
}

odoo_scenarios() {
  E2E_DIAGNOSE=odoo_diagnose
  odoo_setup

  scenario "odoo: first boot converges"
  check "cloud-init.yaml passes cloud-init's own schema check" \
    cloud-init schema --config-file "$E2E_STATE/project/out/odoo-dedicated/hosts/ax52/cloud-init.yaml"
  host_exec "$ODOO_HOST" systemctl start docker
  check "the pinned images load into the host's engine" host_load_images "$ODOO_HOST"
  local first_out
  first_out=$(host_exec "$ODOO_HOST" /usr/local/lib/gen-e2e/cloud-init-run \
    /var/lib/cloud/seed/nocloud/user-data 2>&1 || true)
  check "first boot cloned the config repository" host_exec "$ODOO_HOST" test -x "$ODOO_INSTALL"
  check "first boot without .env: install.sh exits non-zero" \
    fails host_exec "$ODOO_HOST" "$ODOO_INSTALL"
  check "first boot without .env: the message names .env" contains ".env" printf '%s\n' "$first_out"
  check "first boot without .env: nothing started" eq "" host_docker "$ODOO_HOST" ps -aq
  odoo_write_env
  local t0
  t0=$(date +%s)
  check "install.sh with .env exits 0" install_run
  check "every container healthy within 180 s" wait_for 180 "healthy containers" healthy_all "$ODOO_HOST"
  ODOO_UP_SECS=$(($(date +%s) - t0))
  log "  stack healthy ${ODOO_UP_SECS} s after install.sh started"
  local ids_before ids_after
  ids_before=$(host_docker "$ODOO_HOST" ps -q --no-trunc | sort)
  check "a second run changes nothing and exits 0" install_run
  ids_after=$(host_docker "$ODOO_HOST" ps -q --no-trunc | sort)
  check "a second run keeps every container" eq "$ids_before" echo "$ids_after"
  end_scenario
}
