# shellcheck shell=bash
# The Hetzner Cloud load balancer and private network, played by Debian's
# HAProxy and a bridge. Everything HAProxy does comes from the generated
# Terraform JSON (infra/main.tf.json): its services (listen and destination
# ports, protocol, HTTP→HTTPS redirect), its targets (servers by name or
# label, over their private address when use_private_ip says so), the
# algorithm and each service's health check (protocol, port, path, status
# codes, retries), so a wrong path or port in the generated file fails the
# harness. Stand-ins, said here and in the README: the provider-managed
# certificate is one certificate over the managed certificate's
# domain_names, signed by a harness CA; the load balancer's private address
# (Hetzner assigns one) is the subnet's .200; health-check intervals are
# capped at 2 s to keep the harness fast (the JSON's own is printed).

PRIV_NS=$E2E_NAME-priv
LB_NS=$E2E_NAME-lb
LB_V4=203.0.113.30
LB_V6=2001:db8:1::30

# priv_up: the private network, a bridge in its own namespace.
priv_up() {
  ip netns add "$PRIV_NS"
  ip netns exec "$PRIV_NS" ip link set lo up
  ip netns exec "$PRIV_NS" ip link add br0 type bridge
  ip netns exec "$PRIV_NS" ip link set br0 up
}

# priv_attach NETNS ADDRESS/PREFIX: a second interface (eth1) on the private network.
priv_attach() {
  veth_to_bridge "$1" eth1 "$PRIV_NS" p
  ip netns exec "$1" ip addr add "$2" dev eth1
}

# lb_config TERRAFORM-JSON LB-NAME CERT-PEM: prints haproxy.cfg.
lb_config() {
  python3 - "$@" "$LB_V4" "$LB_V6" <<'PY'
import ipaddress, json, re, sys
tf, lb_name, cert, v4, v6 = sys.argv[1:6]
res = json.load(open(tf))["resource"]
lb = res["hcloud_load_balancer"][lb_name]
servers = res.get("hcloud_server", {})
ref = re.compile(r"^\$\{hcloud_server\.([^.]+)\.id\}$")

def private_ip(name):
    nets = servers[name].get("network", [])
    if not nets:
        sys.exit(f"target {name} has no private network address")
    return nets[0]["ip"]

def short(key):
    # Terraform names carry their load balancer (`<lb>_https`, `<lb>_<target>`);
    # HAProxy's backends and servers are named without it (`https_targets`,
    # the target), so a check names them the same for any load balancer.
    return key[len(lb_name) + 1:] if key.startswith(lb_name + "_") else key

targets = []
for key, t in sorted(res.get("hcloud_load_balancer_target", {}).items()):
    if t["load_balancer_id"] != "${hcloud_load_balancer.%s.id}" % lb_name:
        continue
    if t["type"] == "server":
        m = ref.match(t["server_id"])
        if not m or m.group(1) not in servers:
            sys.exit(f"target {key}: unknown server {t['server_id']}")
        names = [m.group(1)]
    elif t["type"] == "label_selector":
        k, _, v = t["label_selector"].partition("=")
        names = [n for n, s in sorted(servers.items()) if s.get("labels", {}).get(k) == v]
    elif t["type"] == "ip":
        targets.append((short(key), t["ip"]))
        continue
    else:
        sys.exit(f"target {key}: type {t['type']} not supported by the stand-in")
    if not t.get("use_private_ip"):
        sys.exit(f"target {key}: public targets are not simulated (use_private_ip is off)")
    targets += [(n, private_ip(n)) for n in names]
if not targets:
    sys.exit(f"load balancer {lb_name} has no targets")

algo = {"round_robin": "roundrobin", "least_connections": "leastconn"}[lb.get("algorithm", {}).get("type", "round_robin")]
out = ["global", "    maxconn 4096", "", "defaults",
       "    timeout connect 5s", "    timeout client 60s", "    timeout server 60s", ""]
for key, svc in sorted(res.get("hcloud_load_balancer_service", {}).items()):
    if svc["load_balancer_id"] != "${hcloud_load_balancer.%s.id}" % lb_name:
        continue
    key = short(key)
    proto, listen, dest = svc["protocol"], svc["listen_port"], svc.get("destination_port", svc["listen_port"])
    hc = svc.get("health_check", {})
    mode = "tcp" if proto == "tcp" else "http"
    out.append(f"frontend {key}")
    out.append(f"    mode {mode}")
    tls = f" ssl crt {cert}" if proto == "https" else ""
    out.append(f"    bind {v4}:{listen}{tls}")
    out.append(f"    bind [{v6}]:{listen}{tls}")
    if mode == "http":
        # What Hetzner's HTTP(S) services add for the targets.
        out.append("    option forwardfor")
        out.append(f"    http-request set-header X-Forwarded-Proto {'https' if proto == 'https' else 'http'}")
    out.append(f"    default_backend {key}_targets")
    out.append("")
    if proto == "https" and svc.get("http", {}).get("redirect_http"):
        out += [f"frontend {key}_redirect", "    mode http", f"    bind {v4}:80", f"    bind [{v6}]:80",
                "    http-request redirect scheme https code 301", ""]
    out.append(f"backend {key}_targets")
    out.append(f"    mode {mode}")
    out.append(f"    balance {algo}")
    check = ""
    if hc:
        # The JSON's interval (s) is capped at 2 s here; everything else is as written.
        inter = min(int(hc.get("interval", 15)), 2)
        check = f" check port {hc['port']} inter {inter}s fall {hc.get('retries', 3)} rise 1"
        out.append(f"    timeout check {hc.get('timeout', 10)}s")
        if hc.get("protocol") in ("http", "https"):
            http = hc.get("http", {})
            out.append("    option httpchk")
            host = http.get("domain") or "lb-health-check"
            out.append(f"    http-check send meth GET uri {http.get('path', '/')} ver HTTP/1.1 hdr Host {host}")
            codes = http.get("status_codes", ["2??", "3??"])
            regex = "^(" + "|".join(c.replace("?", "[0-9]") for c in codes) + ")$"
            out.append(f"    http-check expect rstatus {regex}")
            if hc.get("protocol") == "https":
                check += " check-ssl verify none"
    for name, ip in targets:
        out.append(f"    server {name} {ip}:{dest}{check}")
    out.append("")
print("\n".join(out))
PY
}

# lb_up TERRAFORM-JSON LB-NAME PRIVATE-ADDRESS/PREFIX DOMAINS...: the load
# balancer's namespace, certificate and HAProxy.
lb_up() {
  local tf=$1 name=$2 priv=$3
  shift 3
  local dir=$E2E_STATE/lb
  mkdir -p "$dir"
  ip netns add "$LB_NS"
  net_attach "$LB_NS" eth0 "$LB_V4" "$LB_V6"
  # A load balancer made again (lb_down, lb_up) has a new MAC address; the
  # internet's neighbour entry for the old one would hold a client's SYNs
  # for the ~9 s it takes to go stale and be probed again (a harness run
  # timed out on it).
  in_inet ip neigh flush to "$LB_V4" 2>/dev/null || true
  in_inet ip -6 neigh flush to "$LB_V6" 2>/dev/null || true
  priv_attach "$LB_NS" "$priv"
  # LB_ROUTE="NETWORK GATEWAY": a route to the rest of the network (IP
  # targets on a vSwitch subnet), in place before HAProxy's first check.
  if [ -n "${LB_ROUTE:-}" ]; then ip netns exec "$LB_NS" ip route add "${LB_ROUTE% *}" via "${LB_ROUTE#* }"; fi
  # The managed certificate: one certificate over every domain name.
  local san d
  san=""
  for d in "$@"; do san="${san:+$san,}DNS:$d"; done
  harness_cert "$dir/lb" "$1" "$san"
  cat "$dir/lb.pem" "$dir/lb.key" > "$dir/lb-with-key.pem"
  lb_config "$tf" "$name" "$dir/lb-with-key.pem" |
    sed "/^global/a\\    stats socket $dir/admin.sock mode 600 level admin" > "$dir/haproxy.cfg"
  haproxy -c -q -f "$dir/haproxy.cfg"
  ip netns exec "$LB_NS" haproxy -D -p "$dir/haproxy.pid" -f "$dir/haproxy.cfg" 9>&-
}

# lb_status BACKEND SERVER: UP or DOWN, from HAProxy's own health checks.
lb_status() {
  local dir=$E2E_STATE/lb
  python3 - "$dir/admin.sock" "$1" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(f"show servers state {sys.argv[2]}\n".encode())
data = b""
while chunk := s.recv(65536):
    data += chunk
for line in data.decode().splitlines():
    f = line.split()
    if len(f) > 5 and f[3] == sys.argv[3]:
        print("UP" if f[5] == "2" else "DOWN")
PY
}

# lb_down: HAProxy stopped and the load balancer's namespace gone.
lb_down() {
  local dir=$E2E_STATE/lb
  if [ -s "$dir/haproxy.pid" ]; then xargs -r kill <"$dir/haproxy.pid" 2>/dev/null || true; fi
  ip netns delete "$LB_NS" 2>/dev/null || true
  rm -rf "$dir"
}

# lb_up_managed TERRAFORM-JSON LB-NAME PRIVATE-ADDRESS/PREFIX: lb_up with the
# names of the load balancer's managed certificate in the JSON (the
# provider issues it over exactly those).
lb_up_managed() {
  local tf=$1 name=$2 names
  names=$(python3 -c 'import json, sys; print(" ".join(json.load(open(sys.argv[1]))["resource"]["hcloud_managed_certificate"][sys.argv[2]]["domain_names"]))' "$tf" "$name")
  # shellcheck disable=SC2086 # one argument per name
  lb_up "$tf" "$name" "$3" $names
}
