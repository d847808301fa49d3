# shellcheck shell=bash
# Probing a host's firewall from the outside with nmap (SYN scans), against
# the exposure table `gen plan` prints for it.

# open_ports NS ADDRESS [PORTS]: the TCP ports nmap finds open on ADDRESS
# from namespace NS, in one line: every port, or the comma-separated PORTS.
open_ports() {
  local six=() ports=(-p- --min-rate 5000)
  [[ $2 == *:* ]] && six=(-6)
  [ -n "${3:-}" ] && ports=(-p "$3")
  ip netns exec "$1" nmap -n -Pn -sS "${ports[@]}" -T5 --max-retries 1 "${six[@]}" "$2" -oG - |
    { grep -o '[0-9]*/open/tcp' || true; } | cut -d/ -f1 | sort -n | tr '\n' ' ' | sed 's/ $//'
}

# listening_ports HOST: every TCP port anything on HOST listens on (its
# daemons and Docker's proxies for published ports), comma-separated: a
# port nothing listens on cannot be reached, so probing these after a
# change is as strong as a full scan, and much faster.
listening_ports() {
  host_exec "$1" ss -Hltn | awk '{ n = split($4, a, ":"); print a[n] }' | sort -un | paste -sd,
}

# exposure_ports BLUEPRINT HOST FROM: the TCP ports the exposure table of
# `gen plan` says FROM reaches on HOST: internet (any address), admin (the
# harness's admin network, 198.51.100.0/24), vpn (10.8.0.0/24) or lb (the
# load balancer, over the private network).
exposure_ports() {
  "$GEN" -C "$E2E_STATE/project" plan "blueprints/$1.yaml" --format json 2>/dev/null |
    python3 -c '
import json, sys
host, who = sys.argv[1], sys.argv[2]
plan = next(h for h in json.load(sys.stdin)["plan"]["hosts"] if h["name"] == host)
ports = set()
for e in plan["exposure"]:
    if e["proto"] != "tcp":
        continue
    if (e["internet"] or (who == "admin" and "198.51.100.0/24" in e["who"])
            or (who == "vpn" and "10.8.0.0/24" in e["who"])
            or (who == "lb" and e["intent"] == "load_balancer_only")):
        ports.add(e["port"])
print(" ".join(str(p) for p in sorted(ports)))' "$2" "$3"
}
