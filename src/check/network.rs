//! Network: the exposure table against what the blueprint promises
//! (load-balancer-only and VPN-only ports must not be reachable from the
//! internet), the VPN's addresses and keys, address ranges, where TLS ends,
//! and the SSH lockout guard. Ports published past the proxy, a load
//! balancer without the private network and SSH sources are in `exposure`.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::blueprint::model::{Blueprint, TlsMode};
use crate::diag::Finding;
use crate::resolve::compose;
use crate::resolve::firewall::{self, net, Intent};
use crate::resolve::wireguard::valid_key;
use crate::resolve::{placement, vhost};

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
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
                    "set `load_balancer.use_private_network: true`: nginx then listens on the private address only, and Docker cannot publish it past the firewalls",
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
                    .hint("remove the firewall rule that opens the port, and keep the host's `private_ip` a private (RFC 1918) address inside `network.subnet`: gen publishes and allows the port for the client hosts' private addresses only")
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
    let Some(network) = &bp.network else { return };
    let (range, subnet) = (net(&network.ip_range), net(&network.subnet));
    for (field, value, parsed) in [("ip_range", &network.ip_range, range), ("subnet", &network.subnet, subnet)] {
        if parsed.is_none() {
            out.push(
                Finding::error("E316", format!("/network/{field}"), format!("`{value}` is not an IPv4 network"))
                    .hint("write `10.0.0.0/16`")
                    .at_value(),
            );
        }
    }
    let (Some(range), Some(subnet)) = (range, subnet) else { return };
    if !range.contains(&subnet) {
        out.push(
            Finding::error(
                "E316",
                "/network/subnet",
                format!("subnet {subnet} is outside the network's range {range}"),
            )
            .hint("Hetzner subnets are carved from the network's ip_range")
            .at_value(),
        );
    }
    for (h, host) in bp.hosts.iter().enumerate() {
        let Some(ip) = &host.private_ip else { continue };
        if !ip
            .parse::<Ipv4Addr>()
            .is_ok_and(|a| subnet.contains(&a) && a != subnet.network() && a != subnet.broadcast())
        {
            out.push(
                Finding::error(
                    "E316",
                    format!("/hosts/{h}/private_ip"),
                    format!("`{ip}` of `{}` is not a host address in the subnet {subnet}", host.name),
                )
                .hint("pick an address inside `network.subnet`; Hetzner keeps the first ones (.1) for its gateway")
                .at_value(),
            );
        }
    }
}

fn tls(bp: &Blueprint, out: &mut Vec<Finding>) {
    if let Some(lb) = bp.load_balancer.as_ref().filter(|lb| lb.tls == TlsMode::Passthrough && lb.targets.len() > 1) {
        out.push(
            Finding::error(
                "E317",
                "/load_balancer/tls",
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
