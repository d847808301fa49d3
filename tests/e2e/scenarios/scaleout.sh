# shellcheck shell=bash
# The Odoo scale-out (blueprints/odoo-scale-out.yaml), group `scaleout`: one
# Odoo on two dedicated application servers (odoo-1, odoo-2), PostgreSQL and
# the shared data directories on a third (db), the three on a Robot vSwitch
# (VLAN 4000, 10.0.2.0/24) coupled to the cloud network 10.0.0.0/16, and an
# LB11 in the cloud subnet 10.0.1.0/24 with the application servers as IP
# targets. Deployed as generated, on three simulated hosts, db first (the
# application servers mount its exports):
#
# - "the internet" as for every scenario (lib/net.sh), each host on it with
#   its public address;
# - the vSwitch: a bridge in its own namespace; each host's end of it is a
#   veth `vsw4000`, which the generated install.sh brings up as its VLAN
#   interface through netplan (the netplan stand-in: this kernel has no 802.1Q; see
#   tests/e2e/root/usr/local/sbin/netplan); the vSwitch gateway (the first
#   address of the vSwitch subnet, as Hetzner assigns it) routes to the
#   cloud subnet, where the load balancer is (HAProxy from the Terraform
#   JSON, lib/lb.sh, IP targets);
# - NFS: this machine's kernel has neither an NFS client nor a server.
#   Each export of the data host is a file system of its own (a tmpfs named
#   SERVER:PATH) that the harness mounts at PATH on the data host and hands
#   to every host under /var/lib/gen-e2e-nfs; the real `exportfs` reads the
#   generated /etc/exports.d file; an NFS server stand-in on the data host's
#   TCP 2049 answers mount requests from that export table; the mount.nfs
#   stand-in on the application hosts asks it over the vSwitch (so the
#   firewall and the export's client list decide) and then binds the
#   export's directory (tests/e2e/root/usr/sbin/mount.nfs,
#   tests/e2e/root/usr/local/lib/gen-e2e/nfsd-standin).
#
# Test substitutions: none in the blueprint. Secrets are one set for the
# three hosts (the operator's one password store): each host's .env takes
# the names of its .env.example from it.

SO_BP=odoo-scale-out
SO_HOSTS=(db odoo-1 odoo-2)
SO_APPS=(odoo-1 odoo-2)
declare -A SO_V4=([odoo-1]=203.0.113.71 [odoo-2]=203.0.113.72 [db]=203.0.113.73)
declare -A SO_V6=([odoo-1]=2001:db8:1::71 [odoo-2]=2001:db8:1::72 [db]=2001:db8:1::73)
SO_STACK=/opt/odoo
SO_PROD=odoo.becker-sicherheit.de
SO_TF=$E2E_STATE/project/out/$SO_BP/infra/main.tf.json
VSW_NS=$E2E_NAME-vsw
INTRUDER_NS=$E2E_NAME-intruder

so_diagnose() {
  local h
  for h in "${SO_HOSTS[@]}"; do
    [ -e "$(host_state "$h")/init.pid" ] && kill -0 "$(host_pid "$h")" 2>/dev/null || continue
    host_docker "$h" ps -a --format "$h: {{.Names}} {{.Status}}" 2>/dev/null | grep -v -E 'Up .*\(healthy\)|Up [^()]*$' | head -5
    if [ -s "$E2E_STATE/so-install-$h.log" ] && [ "$(tail -n 1 "$E2E_STATE/so-install-$h.log")" != "install.sh: done" ]; then
      tail -n 8 "$E2E_STATE/so-install-$h.log" | sed "s/^/    $h install.sh: /"
    fi
  done
  if [ -S "$E2E_STATE/lb/admin.sock" ]; then
    echo "load balancer: odoo-1 $(lb_status https_targets odoo-1), odoo-2 $(lb_status https_targets odoo-2)"
  fi
}

# so_bp_value PYTHON-EXPR: a value of the blueprint (bp is the parsed YAML).
so_bp_value() {
  python3 -c 'import sys, yaml; bp = yaml.safe_load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
    "$E2E_STATE/project/blueprints/$SO_BP.yaml" "$1"
}
so_private_ip() { so_bp_value "next(h['private_ip'] for h in bp['hosts'] if h['name'] == '$1')"; }
# so_subnet TYPE: the ip_range of the Terraform JSON's subnet of TYPE (cloud or vswitch).
so_subnet() {
  python3 -c 'import json, sys
subnets = json.load(open(sys.argv[1]))["resource"]["hcloud_network_subnet"].values()
print(next(s["ip_range"] for s in subnets if s["type"] == sys.argv[2]))' "$SO_TF" "$1"
}
# first_host CIDR: its first address, which Hetzner gives the subnet's gateway.
first_host() { python3 -c 'import ipaddress, sys; print(next(ipaddress.ip_network(sys.argv[1]).hosts()))' "$1"; }

# vsw_up: the vSwitch (a bridge), its gateway into the cloud network (the
# namespace's own address on the bridge, forwarding to a leg on the cloud
# subnet's bridge, lib/lb.sh's PRIV_NS) and one wire per host.
vsw_up() {
  local vsw_net cloud_net
  vsw_net=$(so_subnet vswitch)
  cloud_net=$(so_subnet cloud)
  SO_VSW_GW=$(first_host "$vsw_net")
  SO_CLOUD_GW=$(first_host "$cloud_net")
  SO_NETWORK=$(so_bp_value "bp['networks'][0]['ip_range']")
  SO_VLAN=$(so_bp_value "bp['networks'][0]['vswitch']['vlan']")
  priv_up
  ip netns add "$VSW_NS"
  ip netns exec "$VSW_NS" ip link set lo up
  ip netns exec "$VSW_NS" ip link add br0 type bridge
  ip netns exec "$VSW_NS" ip addr add "$SO_VSW_GW/${vsw_net#*/}" dev br0
  ip netns exec "$VSW_NS" ip link set br0 up
  ip link add gw0 netns "$VSW_NS" type veth peer name gw-vsw netns "$PRIV_NS"
  ip netns exec "$PRIV_NS" ip link set gw-vsw master br0 up
  ip netns exec "$VSW_NS" ip addr add "$SO_CLOUD_GW/${cloud_net#*/}" dev gw0
  ip netns exec "$VSW_NS" ip link set gw0 up
  ip netns exec "$VSW_NS" sysctl -qw net.ipv4.ip_forward=1
  # An outsider on the vSwitch (another customer's server would not be on
  # it; a compromised or misconfigured machine in the same vSwitch could).
  ip netns add "$INTRUDER_NS"
  ip netns exec "$INTRUDER_NS" ip link set lo up
  veth_to_bridge "$INTRUDER_NS" eth0 "$VSW_NS" w
  ip netns exec "$INTRUDER_NS" ip addr add "10.0.2.99/${vsw_net#*/}" dev eth0
  ip netns exec "$INTRUDER_NS" ip route add "$SO_NETWORK" via "$SO_VSW_GW"
}

# so_nfs_exports: "PATH" of every export in the data host's generated exports file.
so_nfs_exports() {
  grep -h -v -E '^\s*(#|$)' "$E2E_STATE/project/out/$SO_BP/hosts/db/rootfs/etc/exports.d/"*.exports | awk '{ print $1 }'
}

# so_host_up NAME: namespace, public address, vSwitch wire, NFS stand-in
# directories, root, netplan's base file (what installimage writes), user-data.
so_host_up() {
  local h=$1 state path
  state=$(host_state "$h")
  host_create "$h" "${SO_V4[$h]}" "${SO_V6[$h]}"
  veth_to_bridge "$(host_ns "$h")" "vsw$SO_VLAN" "$VSW_NS" w
  if [ "$h" = db ]; then
    for path in $(so_nfs_exports); do echo "$E2E_STATE/nfs/$SO_DB_PRIV$path $path"; done > "$state/binds"
  else
    echo "$E2E_STATE/nfs /var/lib/gen-e2e-nfs" > "$state/binds"
  fi
  host_prepare "$h" https://git.example.com/cled/odoo-infra.git
  compose_override "$h" "$SO_BP" "$SO_STACK"
  printf 'network:\n  version: 2\n  renderer: networkd\n  ethernets:\n    eth0:\n      addresses: [%s/24, "%s/64"]\n      routes:\n        - to: default\n          via: %s\n        - to: default\n          via: "%s"\n' \
    "${SO_V4[$h]}" "${SO_V6[$h]}" "$INET_V4" "$INET_V6" | host_file "$h" /etc/netplan/01-netcfg.yaml 0600
  boot_with_cloud_init "$h" "$SO_BP"
}

# so_write_env NAME: the host's .env from the one set of secrets.
so_write_env() {
  python3 - "$E2E_STATE/project/out/$SO_BP/hosts/$1/rootfs$SO_STACK/.env.example" "$E2E_STATE/so-secrets" <<'PY' |
import re, sys
secrets = dict(l.rstrip("\n").split("=", 1) for l in open(sys.argv[2]) if "=" in l)
for line in open(sys.argv[1]):
    m = re.match(r"^([A-Z0-9_]+)=$", line.strip())
    if m:
        print(f"{m.group(1)}={secrets[m.group(1)]}")
PY
    host_exec "$1" sh -c "umask 077; cat > $SO_STACK/.env"
}
so_secret() { sed -n "s/^$1=//p" "$E2E_STATE/so-secrets"; }

# so_exported: "PATH CLIENT" of every export in db's export table, which
# the real exportfs wrote from the generated file.
so_exported() {
  host_exec db cat /var/lib/nfs/etab | awk -F'\t' '{ split($2, c, "("); print $1, c[1] }' | sort -u
}

# so_vswitch_up HOST ADDRESS: ADDRESS is on an interface of its own (not
# the public eth0), with the vSwitch's MTU (1400), and the route to the
# whole network goes through it.
so_vswitch_up() {
  local ifname
  ifname=$(host_exec "$1" ip -o -4 addr show | awk -v a="$2" 'index($4, a "/") == 1 { print $2 }')
  [ -n "$ifname" ] && [ "$ifname" != eth0 ] || { echo "no interface with $2 besides eth0: '$ifname'"; return 1; }
  log "  $1: $2 on $ifname"
  host_exec "$1" ip link show "$ifname" | grep -q 'mtu 1400' || { host_exec "$1" ip link show "$ifname"; return 1; }
  host_exec "$1" ip route show "$SO_NETWORK" | grep -q "dev $ifname" || { host_exec "$1" ip route; return 1; }
}

# so_rerun_keeps HOST: install.sh again exits 0 and keeps every container.
so_rerun_keeps() {
  local before after
  before=$(host_docker "$1" ps -q --no-trunc | sort)
  so_install "$1" || { tail -n 20 "$E2E_STATE/so-install-$1.log"; return 1; }
  after=$(host_docker "$1" ps -q --no-trunc | sort)
  [ "$before" = "$after" ] || { echo "containers before: $before"; echo "after: $after"; return 1; }
}

so_install() {
  host_exec "$1" "/var/lib/gen/config/out/$SO_BP/hosts/$1/install.sh" >"$E2E_STATE/so-install-$1.log" 2>&1
}

# so_images_present: the pinned images are in each host's engine.
so_images_present() {
  local h
  for h in "${SO_HOSTS[@]}"; do host_images_present "$h" || { echo "$h lacks images"; return 1; }; done
}

# so_cloud_init NAME: cloud-init's modules on the host, as first_boot does
# (Docker is already up with the images loaded).
so_cloud_init() {
  host_exec "$1" /usr/local/lib/gen-e2e/cloud-init-run /var/lib/cloud/seed/nocloud/user-data \
    >"$E2E_STATE/so-cloud-init-$1.log" 2>&1
}

# so_lb PATH [CURL-ARGS...]: a request to prod through the load balancer.
so_lb() {
  local path=$1
  shift
  in_inet curl -sS --max-time 10 --cacert "$ACME_DIR/ca.pem" --resolve "$SO_PROD:443:$LB_V4" \
    "https://$SO_PROD$path" "$@"
}
# so_direct HOST PATH [CURL-ARGS...]: a request to HOST's nginx on its
# vSwitch address, from the load balancer's namespace, as the load balancer
# sends it (the TLS ended, the scheme in X-Forwarded-Proto).
so_direct() {
  local h=$1 path=$2
  shift 2
  ip netns exec "$LB_NS" curl -sS --max-time 10 -H "Host: $SO_PROD" -H 'X-Forwarded-Proto: https' \
    -H "X-Forwarded-For: $INET_V4" "http://${SO_PRIV[$h]}$path" "$@"
}
# so_code so_lb|so_direct ARGS...: the answer's HTTP status.
so_code() { "$@" -o /dev/null -w '%{http_code}' 2>/dev/null || true; }
# so_lb_checked TARGET: HAProxy's last health check of TARGET passed (a
# server is UP before its first check; this waits for a real one).
so_lb_checked() {
  python3 - "$E2E_STATE/lb/admin.sock" "$1" <<'PY2'
import csv, io, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"show stat\n")
data = b""
while chunk := s.recv(65536):
    data += chunk
rows = csv.DictReader(io.StringIO(data.decode().lstrip("# ")))
ok = any(r["svname"] == sys.argv[2] and r["check_status"] in ("L7OK", "L4OK") and r["status"] == "UP" for r in rows)
sys.exit(0 if ok else 1)
PY2
}

# so_psql FROM-NS DATABASE [USER]: `SELECT 1` against db's published port
# from a network namespace, with the password from .env; prints psql's answer.
so_psql() {
  ip netns exec "$1" env PGPASSWORD="$(so_secret POSTGRES_PASSWORD)" PGCONNECT_TIMEOUT=4 \
    psql -X -A -t -h "$SO_DB_PRIV" -U "${3:-odoo}" -d "$2" -c 'SELECT 1' 2>&1
}

# so_served_login HOST: HOST's nginx logged the login POST.
so_served_login() { host_exec "$1" grep -q 'POST /web/login' /var/log/odoo/nginx/access.log; }
so_requests() { host_exec "$1" grep -c 'GET /web/login' /var/log/odoo/nginx/access.log || true; }

scaleout_scenarios() {
  E2E_DIAGNOSE=so_diagnose
  project_build "$SO_BP"
  SO_DB_PRIV=$(so_private_ip db)
  declare -gA SO_PRIV=([db]=$SO_DB_PRIV [odoo-1]=$(so_private_ip odoo-1) [odoo-2]=$(so_private_ip odoo-2))
  vsw_up
  # One file system per export, named as the application hosts' fstab names it.
  local path
  for path in $(so_nfs_exports); do
    mkdir -p "$E2E_STATE/nfs/$SO_DB_PRIV$path"
    mount -t tmpfs -o size=1g,mode=0755 "$SO_DB_PRIV:$path" "$E2E_STATE/nfs/$SO_DB_PRIV$path"
  done
  python3 - "$E2E_STATE/project/out/$SO_BP/hosts" > "$E2E_STATE/so-secrets" <<'PY'
import glob, re, secrets, sys
names = set()
for f in glob.glob(sys.argv[1] + "/*/rootfs/opt/odoo/.env.example"):
    names.update(m.group(1) for m in re.finditer(r"^([A-Z0-9_]+)=$", open(f).read(), re.M))
for n in sorted(names):
    print(f"{n}=e2e-{n.lower()}-{secrets.token_hex(6)}")
PY

  scenario "scaleout: three hosts on a vSwitch boot, the database host first"
  local h t0 pids=() rc
  for h in "${SO_HOSTS[@]}"; do so_host_up "$h"; done
  # The pinned images are in each engine's data root (host_create; no registry).
  for h in "${SO_HOSTS[@]}"; do host_exec "$h" systemctl start docker; done
  check "the pinned images are in the three engines" so_images_present
  for h in "${SO_HOSTS[@]}"; do
    check "$h: cloud-init.yaml passes cloud-init's own schema check" \
      cloud-init schema --config-file "$E2E_STATE/project/out/$SO_BP/hosts/$h/cloud-init.yaml"
  done
  so_cloud_init db || true
  check "db: first boot stopped before .env: no container" eq "" host_docker db ps -aq
  check "db: install.sh brought up the vSwitch interface (VLAN $SO_VLAN) with its private address" \
    so_vswitch_up db "$SO_DB_PRIV"
  check "db: the generated exports pass nfs-utils' exportfs, each to the application hosts only" eq \
    "$(for path in $(so_nfs_exports); do printf '%s %s\n%s %s\n' "$path" "${SO_PRIV[odoo-1]}" "$path" "${SO_PRIV[odoo-2]}"; done | sort)" \
    so_exported
  check "db: the NFS server (stand-in) runs" host_exec db systemctl is-active nfs-server
  for h in "${SO_APPS[@]}"; do
    so_cloud_init "$h" || true
    check "$h: first boot stopped before .env: no container" eq "" host_docker "$h" ps -aq
    check "$h: the vSwitch interface is up with ${SO_PRIV[$h]}" so_vswitch_up "$h" "${SO_PRIV[$h]}"
    check "$h: reaches db's NFS port over the vSwitch" \
      host_exec "$h" timeout 4 bash -c "exec 3<>/dev/tcp/$SO_DB_PRIV/2049"
    for path in $(so_nfs_exports); do
      check "$h: $path is mounted from db's export (as fstab says, before any container)" eq "$SO_DB_PRIV:$path" \
        host_exec "$h" findmnt -n -o SOURCE --mountpoint "$path"
    done
    check "$h: fstab mounts it before Docker at boot" contains "x-systemd.before=docker.service" host_exec "$h" cat /etc/fstab
  done
  for h in "${SO_HOSTS[@]}"; do so_write_env "$h"; done
  t0=$SECONDS
  check "db: install.sh with .env exits 0" so_install db
  check "db: every container healthy within 120 s" wait_for 120 "healthy containers on db" healthy_all db
  # Both application hosts at once, as an operator's deploy would run them.
  pids=()
  for h in "${SO_APPS[@]}"; do so_install "$h" & pids+=($!); done
  local rcs=()
  for h in "${pids[@]}"; do rc=0; wait "$h" || rc=$?; rcs+=("$rc"); done
  check "odoo-1: install.sh with .env exits 0 (exit ${rcs[0]})" test "${rcs[0]}" -eq 0
  check "odoo-2: install.sh with .env exits 0 (exit ${rcs[1]})" test "${rcs[1]}" -eq 0
  for h in "${SO_APPS[@]}"; do
    check "$h: every container healthy within 180 s" wait_for 180 "healthy containers on $h" healthy_all "$h"
  done
  log "  three hosts healthy $((SECONDS - t0)) s after db's install.sh started"
  check "db: a second install.sh keeps every container" so_rerun_keeps db
  check "odoo-1: a second install.sh, with the exports mounted, keeps every container" so_rerun_keeps odoo-1
  end_scenario

  scenario "scaleout: both application hosts serve behind the load balancer (IP targets over the vSwitch)"
  # The load balancer reaches the vSwitch subnet through the network's gateway.
  LB_ROUTE="$SO_NETWORK $SO_CLOUD_GW" lb_up_managed "$SO_TF" odoo-lb 10.0.1.200/24
  for h in "${SO_APPS[@]}"; do
    check "$h passes the load balancer's health check (IP target ${SO_PRIV[$h]}, path and port from the JSON)" \
      wait_for 30 "$h's health check" so_lb_checked "$h"
    check "$h's nginx serves prod's login page over the vSwitch" eq 200 so_code so_direct "$h" /web/login
  done
  check "nginx is not published on the application hosts' public addresses" fails \
    in_inet curl -s -o /dev/null --max-time 3 "http://${SO_V4[odoo-1]}/health"
  local before1 before2
  before1=$(so_requests odoo-1)
  before2=$(so_requests odoo-2)
  for _ in 1 2 3 4 5 6; do so_code so_lb /web/login >/dev/null; done
  check "requests through the load balancer reach odoo-1" test "$(so_requests odoo-1)" -gt "$before1"
  check "... and odoo-2" test "$(so_requests odoo-2)" -gt "$before2"
  local headers
  headers=$(so_lb /web/login -D - -o /dev/null)
  headers=${headers,,}
  check "Odoo sees the https scheme the client used (the load balancer ends TLS)" contains "x-standin-scheme: https" echo "$headers"
  check "Odoo sees the client's address" contains "x-standin-remote: $INET_V4" echo "$headers"
  check "Odoo sees the public host name" contains "x-standin-host: $SO_PROD" echo "$headers"
  end_scenario

  scenario "scaleout: a login and an attachment live on the shared data directory"
  local jar=$E2E_STATE/so-cookies sid login_host other
  rm -f "$jar"
  check "the login page through the load balancer sets a session" eq 200 so_code so_lb /web/login -c "$jar" -b "$jar"
  check "admin logs in through the load balancer (303 to /web)" eq 303 so_code so_lb /web/login -c "$jar" -b "$jar" \
    -d login=admin -d password=admin
  sid=$(awk '$6 == "session_id" { print $7 }' "$jar" | tail -n 1)
  login_host=odoo-1
  so_served_login odoo-1 || login_host=odoo-2
  other=odoo-1
  [ "$login_host" = odoo-1 ] && other=odoo-2
  log "  the login landed on $login_host"
  check "the session is a file in db's shared directory" host_exec db test -f "/mnt/odoo-data/prod/sessions/${sid:0:2}/$sid"
  check "the session cookie sent to $other directly: still logged in" contains 'id="login">admin<' \
    so_direct "$other" /web -b "session_id=$sid"
  check "... and to $login_host" contains 'id="login">admin<' so_direct "$login_host" /web -b "session_id=$sid"
  check "without the cookie, $other sends the visitor to the login page" eq 303 so_code so_direct "$other" /web
  echo "attachment $RANDOM$RANDOM" > "$E2E_STATE/so-attachment.txt"
  local att
  att=$(so_direct "$login_host" /web/binary/upload_attachment -b "session_id=$sid" -F "ufile=@$E2E_STATE/so-attachment.txt" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])' 2>/dev/null || true)
  check "an attachment uploaded on $login_host (id ${att:-none})" test -n "$att"
  check "... is read back on $other from the shared filestore" eq "$(cat "$E2E_STATE/so-attachment.txt")" \
    so_direct "$other" "/web/content/${att:-0}" -b "session_id=$sid"
  check "... and lies in db's filestore/odoo_prod" host_sh db \
    "grep -rqxF '$(cat "$E2E_STATE/so-attachment.txt")' /mnt/odoo-data/prod/filestore/odoo_prod"
  end_scenario

  scenario "scaleout: PostgreSQL on db admits the application hosts only"
  for h in "${SO_APPS[@]}"; do
    check "$h (${SO_PRIV[$h]}) connects to odoo_prod with the password from .env" eq 1 \
      so_psql "$(host_ns "$h")" odoo_prod
  done
  check "odoo-1 is refused a database pg_hba.conf does not give it (template1)" contains "no pg_hba.conf entry" \
    so_psql "$(host_ns odoo-1)" template1
  check "the load balancer (10.0.1.200) is refused" fails so_psql "$LB_NS" odoo_prod
  check "another machine on the vSwitch (10.0.2.99) is refused" fails so_psql "$INTRUDER_NS" odoo_prod
  check "... and cannot reach NFS (2049) either" fails \
    ip netns exec "$INTRUDER_NS" timeout 4 bash -c "exec 3<>/dev/tcp/$SO_DB_PRIV/2049"
  check "the internet is refused on db's public address" fails \
    in_inet env PGCONNECT_TIMEOUT=4 psql -X -h "${SO_V4[db]}" -U odoo -d odoo_prod -c 'SELECT 1'
  check "an export mounted from an address the export does not list is denied by the export table" contains "not exported to" \
    host_exec db python3 -c "
import socket
s = socket.create_connection(('127.0.0.1', 2049), 5)
s.sendall(b'MOUNT /mnt/odoo-data/prod rw\n')
print(s.makefile().readline())"
  end_scenario

  scenario "scaleout: backups on the database host cover the database and the shared directories"
  check "the application hosts run no backup (backup.host is db)" fails host_exec odoo-1 test -e /etc/systemd/system/odoo-backup.service
  check "db's backup service runs" host_exec db systemctl start odoo-backup.service
  check "... its set holds a dump of odoo_prod and odoo_test" host_sh db \
    'for d in odoo_prod odoo_test; do test -s /mnt/backups/daily/latest/db-$d.dump; done'
  check "... and its checksums verify" host_sh db 'cd /mnt/backups/daily/latest && sha256sum -c --quiet SHA256SUMS'
  check "... the dump holds the login rows Odoo wrote" contains "ir_standin_hits" host_sh db \
    "docker exec -i postgres pg_restore -l < /mnt/backups/daily/latest/db-odoo_prod.dump"
  check "... the archive of prod's shared directory holds the session and the attachment" host_sh db "
    tar -tzf /mnt/backups/daily/latest/files-filestore-prod.tar.gz > /tmp/so-list
    grep -q 'prod/sessions/${sid:0:2}/$sid\$' /tmp/so-list && grep -q '^prod/filestore/odoo_prod/' /tmp/so-list"
  end_scenario

  scenario "scaleout: one application host down, the service stays up"
  host_stop "$login_host"
  check "$login_host stopped: the load balancer's health check takes it out" \
    wait_for 60 "$login_host DOWN" eq DOWN lb_status https_targets "$login_host"
  check "... $other stays in" eq UP lb_status https_targets "$other"
  local ok=0
  for _ in 1 2 3 4 5 6; do [ "$(so_code so_lb /web/login)" = 200 ] && ok=$((ok + 1)); done
  check "prod answers through the load balancer ($ok/6 requests 200)" test "$ok" -eq 6
  check "the session made on $login_host is still logged in through the load balancer" contains 'id="login">admin<' \
    so_lb /web -b "session_id=$sid"
  check "... and the attachment still reads" eq "$(cat "$E2E_STATE/so-attachment.txt")" \
    so_lb "/web/content/${att:-0}" -b "session_id=$sid"
  end_scenario
}
