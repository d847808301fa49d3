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

install_run() { host_exec "$ODOO_HOST" "$ODOO_INSTALL"; }

odoo_setup() {
  mkdir -p "$E2E_STATE/peer"
  (umask 077 && wg genkey > "$E2E_STATE/peer/private.key")
  wg pubkey < "$E2E_STATE/peer/private.key" > "$E2E_STATE/peer/public.key"
  local peer_key
  peer_key=$(cat "$E2E_STATE/peer/public.key")
  ODOO_PEER_EXPR="s|name: cled-admin, address: 10.8.0.2, public_key: [^}]*}|name: cled-admin, address: 10.8.0.2, public_key: $peer_key}|"
  project_build odoo-dedicated "$ODOO_PEER_EXPR"
  host_create "$ODOO_HOST" "$ODOO_V4" "$ODOO_V6"
  host_prepare "$ODOO_HOST" https://git.example.com/cled/odoo-infra.git
  compose_override "$ODOO_HOST" odoo-dedicated "$ODOO_STACK"
  boot_with_cloud_init "$ODOO_HOST" odoo-dedicated
  # DNS for the public names; dev's record comes later (a name without DNS).
  dns_add "$ODOO_PROD" "$ODOO_V4" "$ODOO_V6"
  dns_add "$ODOO_TEST" "$ODOO_V4" "$ODOO_V6"
}


# install_killed_after SECONDS: starts install.sh and kills it, with every
# process it started, after SECONDS.
install_killed_after() {
  host_exec "$ODOO_HOST" bash -c "setsid $ODOO_INSTALL >/tmp/killed-run.log 2>&1 & pid=\$!; sleep $1; kill -9 -- -\$pid 2>/dev/null; true"
}

# pending_empty: install.sh left nothing to do for a later run.
pending_empty() { host_exec "$ODOO_HOST" test ! -s /var/lib/gen/odoo/ax52.pending; }

# installed_matches: every file of the host tree is installed as generated.
installed_matches() {
  host_sh "$ODOO_HOST" '
    tree=/var/lib/gen/config/out/odoo-dedicated
    grep -v "^#" $tree/MODES | grep " hosts/ax52/rootfs/" | while read -r mode path; do
      dest=${path#hosts/ax52/rootfs}
      cmp -s "$tree/$path" "$dest" || { echo "differs: $dest"; exit 1; }
    done'
}

# start_order: every service that waits for another to be healthy
# (compose's depends_on label) started after that one's first healthy report.
start_order() {
  local since=$1
  host_docker "$ODOO_HOST" events --since "$since" --until "$(date +%s)" \
    --filter type=container --format '{{.TimeNano}} {{.Action}} {{.Actor.Attributes.name}}' > "$E2E_STATE/events"
  host_docker "$ODOO_HOST" inspect $(host_docker "$ODOO_HOST" ps -aq) > "$E2E_STATE/inspect.json"
  python3 - "$E2E_STATE/events" "$E2E_STATE/inspect.json" <<'PY'
import json, sys
healthy, started = {}, {}
for line in open(sys.argv[1]):
    t, rest = line.split(" ", 1)
    action, name = rest.rsplit(" ", 1)
    name = name.strip()
    if action.strip() == "health_status: healthy":
        healthy.setdefault(name, int(t))
    if action.strip() == "start":
        started.setdefault(name, int(t))
bad = 0
for c in json.load(open(sys.argv[2])):
    name = c["Name"].lstrip("/")
    deps = c["Config"]["Labels"].get("com.docker.compose.depends_on", "")
    for dep in filter(None, deps.split(",")):
        svc, cond = dep.split(":")[:2]
        if cond != "service_healthy":
            continue
        if svc not in healthy or name not in started or started[name] < healthy[svc]:
            print(f"{name} started before {svc} was healthy"); bad = 1
        else:
            print(f"{name} started {(started[name] - healthy[svc]) / 1e9:.1f} s after {svc} was healthy")
if not any("service_healthy" in c["Config"]["Labels"].get("com.docker.compose.depends_on", "") for c in json.load(open(sys.argv[2]))):
    print("no service waits for a healthy one"); bad = 1
sys.exit(bad)
PY
}

# probes_clean: no health check output says its tool is missing.
probes_clean() {
  local c out
  for c in $(host_docker "$ODOO_HOST" ps -q); do
    out=$(host_docker "$ODOO_HOST" inspect -f '{{if .State.Health}}{{range .State.Health.Log}}{{.Output}}{{end}}{{end}}' "$c")
    if grep -qiE 'not found|no such file|executable file' <<< "$out"; then
      echo "$(host_docker "$ODOO_HOST" inspect -f '{{.Name}}' "$c"): $out"; return 1
    fi
  done
}

odoo_scenarios() {
  E2E_DIAGNOSE=odoo_diagnose
  odoo_setup

  scenario "odoo: first boot converges"
  check "cloud-init.yaml passes cloud-init's own schema check" \
    cloud-init schema --config-file "$E2E_STATE/project/out/odoo-dedicated/hosts/ax52/cloud-init.yaml"
  host_exec "$ODOO_HOST" systemctl start docker
  check "the pinned images are in the host's engine" host_images_present "$ODOO_HOST"
  local first_out
  first_out=$(host_exec "$ODOO_HOST" /usr/local/lib/gen-e2e/cloud-init-run \
    /var/lib/cloud/seed/nocloud/user-data 2>&1 || true)
  check "first boot cloned the config repository" host_exec "$ODOO_HOST" test -x "$ODOO_INSTALL"
  check "first boot without .env: install.sh exits non-zero" \
    fails host_exec "$ODOO_HOST" "$ODOO_INSTALL"
  check "first boot without .env: the message names .env" contains ".env" printf '%s\n' "$first_out"
  check "first boot without .env: nothing started" eq "" host_docker "$ODOO_HOST" ps -aq
  write_env "$ODOO_HOST" "$ODOO_STACK"
  local t0
  t0=$(date +%s)
  ODOO_T0=$t0
  check "install.sh with .env exits 0" install_run
  check "every container healthy within 180 s" wait_for 180 "healthy containers" healthy_all "$ODOO_HOST"
  ODOO_UP_SECS=$(($(date +%s) - t0))
  log "  stack healthy ${ODOO_UP_SECS} s after install.sh started"
  end_scenario

  scenario "odoo: services healthy in order, within 120 s"
  check "healthy within 120 s of install.sh's start (took ${ODOO_UP_SECS} s)" test "$ODOO_UP_SECS" -le 120
  check "each service waiting for a healthy one started after it was healthy" start_order "$ODOO_T0"
  check "every health check ran with a tool its image has" probes_clean
  end_scenario


  scenario "odoo: install.sh converges, also after interrupted runs"
  local ids_before ids_after
  ids_before=$(host_docker "$ODOO_HOST" ps -q --no-trunc | sort)
  check "a second run changes nothing and exits 0" install_run
  ids_after=$(host_docker "$ODOO_HOST" ps -q --no-trunc | sort)
  check "a second run keeps every container" eq "$ids_before" echo "$ids_after"
  # Interrupted runs: drift in an nginx file (a reload to do), a removed
  # container and a removed config file, then install.sh killed at several
  # points; the next full run must finish everything.
  local secs
  for secs in 1 3 6; do
    host_sh "$ODOO_HOST" "echo '# e2e drift' >> $ODOO_STACK/nginx/conf.d/odoo-prod.conf; rm -f /etc/wireguard/wg0.conf"
    host_docker "$ODOO_HOST" rm -f odoo-dev >/dev/null 2>&1 || true
    install_killed_after "$secs"
  done
  check "after runs killed at 1, 3 and 6 s, the next run exits 0" install_run
  check "... every container is healthy again" wait_for 120 "healthy containers" healthy_all "$ODOO_HOST"
  check "... every file is installed as generated" installed_matches
  check "... nothing is left pending" pending_empty
  check "... WireGuard is up" host_exec "$ODOO_HOST" wg show wg0
  check "... and keeps its private key after its config changed" eq \
    "$(host_exec "$ODOO_HOST" sh -c 'wg pubkey < /etc/wireguard/wg0.key')" host_exec "$ODOO_HOST" wg show wg0 public-key
  end_scenario

  odoo_day0_resources
  odoo_day0_certificates
  odoo_day0_sick_service
  odoo_day0_request_path
  odoo_day0_backups
  odoo_day2_scenarios
}
