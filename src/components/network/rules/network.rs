//! Network: the exposure table against what the blueprint promises
//! (load-balancer-only and VPN-only ports must not be reachable from the
//! internet), the VPN's addresses and keys, address ranges, where TLS ends,
//! and the SSH lockout guard. Ports published past the proxy, a load
//! balancer without the private network and SSH sources are in `exposure`.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::blueprint::model::{Blueprint, HostKind, TlsMode};
use crate::components::docker::resolve::compose;
use crate::components::firewall::resolve::{self as firewall, net, Intent};
use crate::components::network::resolve::valid_key;
use crate::components::proxy::resolve::vhost;
use crate::diag::Finding;
use crate::resolve::placement;

/// Runs this family's rules (the module's doc lists them) over `bp`,
/// appending each finding to `out`.
pub fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    exposure(bp, out);
    private_services(bp, out);
    vpn(bp, out);
    ranges(bp, out);
    tls(bp, out);
    lockout(bp, out);
}

fn exposure(bp: &Blueprint, out: &mut Vec<Finding>) {
    for host in &bp.hosts {
        let placed = placement::on_host(bp, host);
        let compose = compose::plan(bp, host, &placed, &vhost::on_host(bp, host));
        for row in firewall::exposure(bp, host, compose.as_ref()) {
            let (code, what, hint) = match row.intent {
                Intent::LoadBalancerOnly if row.internet => (
                    "E310",
                    "load-balancer-only",
                    "set the load balancer's `use_private_network: true` and give the host a `private_ip`: nginx then listens on the private address only, and Docker cannot publish it past the firewalls",
                ),
                Intent::VpnOnly if row.internet => (
                    "E311",
                    "VPN-only",
                    "do not publish the port with Docker (it bypasses UFW): serve it through nginx with `access: vpn_only`, or bind it to the VPN address",
                ),
                _ => continue,
            };
            out.push(
                Finding::error(
                    code,
                    row.pointer.clone(),
                    format!(
                        "port {}/{} ({}) on `{}` is {what} but reachable from the internet: {}",
                        row.port, row.proto, row.service, host.name, row.who
                    ),
                )
                .hint(hint)
                .at_value(),
            );
        }
    }
}

/// E318: a database host (PostgreSQL for clients on other hosts) or a data
/// host (NFS exports) reachable from the internet: the port published on
/// an address that is not private, or a firewall rule that opens the port
/// to the internet on that host.
fn private_services(bp: &Blueprint, out: &mut Vec<Finding>) {
    use crate::resolve::private::{self, NFS_PORT, POSTGRES_PORT};
    for host in &bp.hosts {
        let mut meant: Vec<(u16, String)> = bp
            .postgres
            .iter()
            .filter(|pg| pg.host == host.name && !private::remote_clients(bp, pg).is_empty())
            .map(|pg| (POSTGRES_PORT, format!("PostgreSQL `{}`", pg.name)))
            .collect();
        if !private::nfs(bp, host).exports.is_empty() {
            meant.push((NFS_PORT, "NFS".to_string()));
        }
        if meant.is_empty() {
            continue;
        }
        let placed = placement::on_host(bp, host);
        let compose = compose::plan(bp, host, &placed, &vhost::on_host(bp, host));
        let rows = firewall::exposure(bp, host, compose.as_ref());
        for (port, what) in &meant {
            for row in rows.iter().filter(|r| r.port == *port && r.proto == "tcp" && r.internet) {
                let pointer = if row.pointer.is_empty() {
                    format!("/hosts/{}/private_ip", bp.hosts.iter().position(|h| h.name == host.name).unwrap_or(0))
                } else {
                    row.pointer.clone()
                };
                out.push(
                    Finding::error(
                        "E318",
                        pointer,
                        format!(
                            "{what} on `{}` is for the other hosts on the private network, but port {port}/tcp is reachable from the internet: {}",
                            host.name, row.who
                        ),
                    )
                    .hint("remove the firewall rule that opens the port, and keep the host's `private_ip` a private (RFC 1918) address inside its network: gen publishes and allows the port for the client hosts' private addresses only")
                    .at_value(),
                );
            }
        }
    }
}

fn vpn(bp: &Blueprint, out: &mut Vec<Finding>) {
    let Some(vpn) = &bp.vpn else { return };
    let Some(subnet) = net(&vpn.subnet) else {
        out.push(
            Finding::error("E312", "/vpn/subnet", format!("`{}` is not an IPv4 subnet", vpn.subnet))
                .hint("write the VPN subnet as `a.b.c.d/prefix`, like `10.8.0.0/24`")
                .at_value(),
        );
        return;
    };
    let server: Option<Ipv4Addr> = vpn.address.parse().ok();
    let usable = |a: Ipv4Addr| subnet.contains(&a) && a != subnet.network() && a != subnet.broadcast();
    if !server.is_some_and(usable) {
        out.push(
            Finding::error(
                "E312",
                "/vpn/address",
                format!("server address `{}` is not a host address in {subnet}", vpn.address),
            )
            .hint("give the server an address inside the VPN subnet, like `10.8.0.1`")
            .at_value(),
        );
    }
    let mut keys: BTreeMap<&str, &str> = BTreeMap::new();
    for (i, peer) in vpn.peers.iter().enumerate() {
        let at = format!("/vpn/peers/{i}");
        match peer.address.parse::<Ipv4Addr>() {
            Ok(a) if !usable(a) => out.push(
                Finding::error(
                    "E313",
                    format!("{at}/address"),
                    format!("peer `{}` has `{a}`, outside the VPN's host addresses in {subnet}", peer.name),
                )
                .hint("the server only routes its own subnet; pick a free address inside it")
                .at_value(),
            ),
            Ok(a) if Some(a) == server => out.push(
                Finding::error(
                    "E314",
                    format!("{at}/address"),
                    format!("peer `{}` has the server's own address {a}", peer.name),
                )
                .hint("the server holds this address; give the peer the next free one")
                .at_value(),
            ),
            // Two peers with one address are E201 (names).
            Ok(_) => {}
            Err(_) => out.push(
                Finding::error(
                    "E313",
                    format!("{at}/address"),
                    format!("peer `{}`: `{}` is not an IPv4 address", peer.name, peer.address),
                )
                .hint("write the peer's address without a prefix, like `10.8.0.2`")
                .at_value(),
            ),
        }
        if !valid_key(&peer.public_key) {
            out.push(
                Finding::error("E315", format!("{at}/public_key"), format!("peer `{}`: `{}` is not a WireGuard public key", peer.name, peer.public_key))
                    .hint("a key is the base64 of 32 bytes (44 characters ending in `=`); the peer runs `wg genkey | tee private.key | wg pubkey` and sends only the public one")
                    .at_value(),
            );
        } else if let Some(other) = keys.insert(&peer.public_key, &peer.name.0) {
            out.push(
                Finding::error(
                    "E315",
                    format!("{at}/public_key"),
                    format!("peers `{other}` and `{}` have the same public key", peer.name),
                )
                .hint("WireGuard keeps one peer per key: the second silently replaces the first")
                .at_value(),
            );
        }
    }
}

fn ranges(bp: &Blueprint, out: &mut Vec<Finding>) {
    if let Some(fw) = &bp.firewall {
        for (i, cidr) in fw.admin_cidrs.iter().enumerate() {
            if net(cidr).is_none() && cidr.parse::<Ipv4Addr>().is_err() {
                out.push(
                    Finding::error(
                        "E316",
                        format!("/firewall/admin_cidrs/{i}"),
                        format!("`{cidr}` is not an IPv4 address or CIDR"),
                    )
                    .hint("write `203.0.113.0/24` or `203.0.113.7`")
                    .at_value(),
                );
            } else if net(cidr).is_some_and(|n| n.prefix_len() == 0) {
                out.push(
                    Finding::error(
                        "E316",
                        format!("/firewall/admin_cidrs/{i}"),
                        format!("`{cidr}` is the whole internet, not an admin network"),
                    )
                    .hint("use `ssh_from: [anywhere]` if that is really meant (W306), or the operators' own range")
                    .at_value(),
                );
            }
        }
    }
    networks(bp, out);
}

/// E316 over the private networks: each range, cloud subnet and vSwitch
/// subnet parses and nests (Hetzner carves subnets from the network's
/// `ip_range`); ranges of two networks do not overlap (a host joins the one
/// that holds its address, so that must be one); each host's `private_ip`
/// is a host address of its kind's subnet: a cloud server's in the cloud
/// subnet, a dedicated server's in the vSwitch subnet (the only way it
/// joins a cloud network).
/// Ranges Docker takes on every host: its default bridge (docker0) and
/// gen's compose network ([`compose::NETWORK_SUBNET`]).
const DOCKER_RANGES: [&str; 2] = ["172.17.0.0/16", compose::NETWORK_SUBNET];

fn networks(bp: &Blueprint, out: &mut Vec<Finding>) {
    let mut parsed = Vec::new();
    for (n, network) in bp.networks.iter().enumerate() {
        let at = |field: &str| format!("/networks/{n}/{field}");
        let mut fields = vec![("ip_range", &network.ip_range), ("subnet", &network.subnet)];
        if let Some(v) = &network.vswitch {
            fields.push(("vswitch/subnet", &v.subnet));
        }
        let mut ok = true;
        for (field, value) in &fields {
            let Some(parsed) = net(value) else {
                ok = false;
                out.push(
                    Finding::error("E316", at(field), format!("`{value}` is not an IPv4 network"))
                        .hint("write `10.0.0.0/16`")
                        .at_value(),
                );
                continue;
            };
            // Written as is into Terraform and `ip route`, which refuses
            // host bits.
            if parsed.network() != parsed.addr() {
                ok = false;
                out.push(
                    Finding::error(
                        "E316",
                        at(field),
                        format!("`{value}` has host bits set: the network is {}", parsed.trunc()),
                    )
                    .hint(format!("write `{}`", parsed.trunc()))
                    .at_value(),
                );
                continue;
            }
            // Docker's own ranges on every host: docker0 and gen's compose network.
            if let Some(docker) = DOCKER_RANGES
                .iter()
                .find(|d| net(d).is_some_and(|d| d.contains(&parsed.network()) || parsed.contains(&d.network())))
            {
                out.push(
                    Finding::error("E316", at(field), format!("`{value}` overlaps {docker}, which Docker uses on every host: replies to the private network would go into a container network"))
                        .hint("use a range in 10.0.0.0/8, such as 10.0.0.0/16")
                        .at_value(),
                );
            }
        }
        if !ok {
            continue;
        }
        let range = net(&network.ip_range).expect("parsed above");
        let subnet = net(&network.subnet).expect("parsed above");
        let vswitch = network.vswitch.as_ref().and_then(|v| net(&v.subnet));
        for (field, inner) in [("subnet", Some(subnet)), ("vswitch/subnet", vswitch)] {
            let Some(inner) = inner else { continue };
            if !range.contains(&inner) {
                out.push(
                    Finding::error("E316", at(field), format!("subnet {inner} is outside the network's range {range}"))
                        .hint("Hetzner subnets are carved from the network's ip_range")
                        .at_value(),
                );
            }
        }
        if let Some(v) = vswitch.filter(|v| v.contains(&subnet.network()) || subnet.contains(&v.network())) {
            out.push(
                Finding::error(
                    "E316",
                    at("vswitch/subnet"),
                    format!("the vSwitch subnet {v} overlaps the cloud subnet {subnet}"),
                )
                .hint("give the vSwitch a subnet of its own inside the network's range, e.g. the next /24")
                .at_value(),
            );
        }
        if let Some((other, _)) = parsed
            .iter()
            .find(|(_, r): &&(usize, ipnet::Ipv4Net)| r.contains(&range.network()) || range.contains(&r.network()))
        {
            out.push(
                Finding::error(
                    "E316",
                    at("ip_range"),
                    format!("the range {range} overlaps network `{}`'s {}", bp.networks[*other].name, bp.networks[*other].ip_range),
                )
                .hint("give each network a range of its own (10.0.0.0/16, 10.1.0.0/16, …): a host joins the network whose range holds its `private_ip`")
                .at_value(),
            );
        }
        parsed.push((n, range));
    }
    let mut taken: BTreeMap<&str, &str> = BTreeMap::new();
    for (h, host) in bp.hosts.iter().enumerate() {
        let Some(ip) = &host.private_ip else { continue };
        let at = format!("/hosts/{h}/private_ip");
        if let Some(first) = taken.insert(ip.as_str(), host.name.as_str()) {
            out.push(
                Finding::error("E316", at.clone(), format!("`{ip}` of `{}` is `{first}`'s address too", host.name))
                    .hint("give each host an address of its own")
                    .at_value(),
            );
            continue;
        }
        let Some((_, network)) = bp.network_of(host) else {
            let hint = if bp.networks.is_empty() {
                "add a network under `networks`, or leave `private_ip` out".to_string()
            } else {
                format!(
                    "pick an address in one network's range: {}",
                    bp.networks.iter().map(|n| format!("`{}` {}", n.name, n.ip_range)).collect::<Vec<_>>().join(", ")
                )
            };
            out.push(
                Finding::error("E316", at, format!("`{ip}` of `{}` is in no private network", host.name))
                    .hint(hint)
                    .at_value(),
            );
            continue;
        };
        let (subnet, which) = match host.kind {
            HostKind::Cloud => (net(&network.subnet), "subnet"),
            HostKind::Dedicated => match &network.vswitch {
                Some(v) => (net(&v.subnet), "vswitch.subnet"),
                None => {
                    out.push(
                        Finding::error(
                            "E316",
                            at,
                            format!("`{}` is a dedicated server, and network `{}` has no vSwitch", host.name, network.name),
                        )
                        .hint("a dedicated server joins a cloud network through a Robot vSwitch: add `vswitch: {id, vlan, subnet}` to the network and give the server an address in its subnet")
                        .at_value(),
                    );
                    continue;
                }
            },
        };
        let Some(subnet) = subnet else { continue }; // reported above
                                                     // The gateways: the network's first address for a cloud subnet
                                                     // (Hetzner Cloud docs, "Networks"), the vSwitch subnet's first one
                                                     // for a vSwitch (the route to the cloud network goes through it).
        let gateway = match host.kind {
            HostKind::Cloud => net(&network.ip_range).and_then(|r| r.hosts().next()),
            HostKind::Dedicated => subnet.hosts().next(),
        };
        if gateway.is_some() && ip.parse::<Ipv4Addr>().ok() == gateway {
            out.push(
                Finding::error(
                    "E316",
                    at,
                    format!("`{ip}` of `{}` is the gateway of network `{}`", host.name, network.name),
                )
                .hint("Hetzner keeps the first address for its gateway: pick another one")
                .at_value(),
            );
            continue;
        }
        if !ip
            .parse::<Ipv4Addr>()
            .is_ok_and(|a| subnet.contains(&a) && a != subnet.network() && a != subnet.broadcast())
        {
            out.push(
                Finding::error(
                    "E316",
                    at,
                    format!("`{ip}` of `{}` is not a host address in the subnet {subnet}", host.name),
                )
                .hint(format!(
                    "pick an address inside `{which}` of network `{}`; Hetzner keeps the first ones (.1) for its gateway",
                    network.name
                ))
                .at_value(),
            );
        }
    }
}

fn tls(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (k, lb) in bp.load_balancers.iter().enumerate() {
        if lb.tls != TlsMode::Passthrough || lb.targets.len() < 2 {
            continue;
        }
        out.push(
            Finding::error(
                "E317",
                format!("/load_balancers/{k}/tls"),
                format!("`passthrough` sends TLS to {} targets, so each needs the certificates, but Let's Encrypt's HTTP challenge reaches a random one", lb.targets.len()),
            )
            .hint("choose `tls: terminate` (the load balancer's managed certificate) or a single target")
            .at_value(),
        );
    }
}

fn lockout(bp: &Blueprint, out: &mut Vec<Finding>) {
    let (Some(fw), Some(vpn)) = (&bp.firewall, &bp.vpn) else { return };
    if !fw.ssh_from.is_empty() && fw.ssh_from.iter().all(|s| *s == crate::blueprint::model::Source::Vpn) {
        out.push(
            Finding::warning(
                "W310",
                "/firewall/ssh_from",
                format!("SSH only from the VPN, which this rollout brings up on `{}` itself: a broken tunnel locks every operator out", vpn.host),
            )
            .hint(format!("keep `admin_cidrs` in `ssh_from` for the first rollout; safe order: install, bring up wg0, log in over {} from a peer, then drop `admin_cidrs` (the firewall script also refuses VPN-only SSH while wg0 is down)", vpn.address))
            .at_value(),
        );
    }
}

#[cfg(test)]
mod private_tests {
    fn codes(edits: &[(&str, &str)]) -> Vec<&'static str> {
        crate::check::codes_on_scale_out(super::private_services, edits)
    }

    #[test]
    fn a_database_or_data_host_open_to_the_internet() {
        assert_eq!(codes(&[]), Vec::<&str>::new());
        let open = |port: &str| {
            format!(
                "firewall:\n  rules:\n    - {{port: {port}, proto: tcp, from: anywhere}}\n  ssh_from: [admin_cidrs]\n"
            )
        };
        assert_eq!(codes(&[("firewall:\n  ssh_from: [admin_cidrs]\n", &open("5432"))]), ["E318"]);
        assert_eq!(codes(&[("firewall:\n  ssh_from: [admin_cidrs]\n", &open("2049"))]), ["E318"]);
        // From the admin network only: not the internet.
        let admins =
            "firewall:\n  rules:\n    - {port: 5432, proto: tcp, from: admin_cidrs}\n  ssh_from: [admin_cidrs]\n";
        assert_eq!(codes(&[("firewall:\n  ssh_from: [admin_cidrs]\n", admins)]), Vec::<&str>::new());
        // Published on a public address: the host's private_ip is not private.
        let public = codes(&[
            ("ip_range: 10.0.0.0/16", "ip_range: 203.0.112.0/22"),
            ("subnet: 10.0.1.0/24\n", "subnet: 203.0.112.0/24\n"),
            ("subnet: 10.0.2.0/24", "subnet: 203.0.113.0/24"),
            ("private_ip: 10.0.2.20", "private_ip: 203.0.113.20"),
            ("private_ip: 10.0.2.11", "private_ip: 203.0.113.11"),
            ("private_ip: 10.0.2.12", "private_ip: 203.0.113.12"),
        ]);
        assert_eq!(public, ["E318"]);
    }
}
