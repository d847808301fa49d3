# shellcheck shell=bash
# The simulated networks: "the internet" is a bridge in its own namespace
# (203.0.113.0/24 and 2001:db8:1::/64); the admin network (198.51.100.0/24)
# is routed to it; every host gets a veth on the bridge.

net_up() {
  ip netns add "$INET_NS"
  in_inet ip link set lo up
  in_inet ip link add br0 type bridge
  in_inet ip addr add "$INET_V4/24" dev br0
  in_inet ip -6 addr add "$INET_V6/64" dev br0 nodad
  in_inet ip link set br0 up
  in_inet sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  # The admin network, one router hop away from the hosts.
  ip netns add "$ADMIN_NS"
  ip link add adm0 netns "$ADMIN_NS" type veth peer name adm-gw netns "$INET_NS"
  in_admin ip link set lo up
  in_admin ip addr add "$ADMIN_V4/24" dev adm0
  in_admin ip link set adm0 up
  in_admin ip route add default via 198.51.100.1
  in_inet ip addr add 198.51.100.1/24 dev adm-gw
  in_inet ip link set adm-gw up
}

# veth_to_bridge NETNS IFNAME BRIDGE-NETNS TAG: IFNAME in NETNS, its peer
# (named TAG-<netns>, at most 15 characters) on br0 of BRIDGE-NETNS; both up.
veth_to_bridge() {
  local ns=$1 ifname=$2 bridge_ns=$3 peer
  peer="$4-${ns#"$E2E_NAME"-}"
  peer=${peer:0:15}
  ip link add "$ifname" netns "$ns" type veth peer name "$peer" netns "$bridge_ns"
  ip netns exec "$bridge_ns" ip link set "$peer" master br0 up
  ip netns exec "$ns" ip link set "$ifname" up
}

# net_attach NETNS IFNAME V4 V6: a veth from NETNS to the bridge, the
# address on it and a default route to the internet side.
net_attach() {
  local ns=$1 ifname=$2 v4=$3 v6=$4
  veth_to_bridge "$ns" "$ifname" "$INET_NS" v
  ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" ip addr add "$v4/24" dev "$ifname"
  ip netns exec "$ns" ip -6 addr add "$v6/64" dev "$ifname" nodad
  ip netns exec "$ns" ip route add default via "$INET_V4"
  ip netns exec "$ns" ip -6 route add default via "$INET_V6"
}

net_down() {
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$E2E_NAME-" || true); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns delete "$ns" 2>/dev/null || true
  done
}
