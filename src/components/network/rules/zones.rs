//! Check: what Hetzner's network zones allow (E640, E641) and what gen can
//! put behind a load balancer (E642).
//!
//! - E640: a cloud server on a private network in a location of another
//!   network zone than the network's subnet (a US server in an
//!   `eu-central` network), a subnet zone Hetzner does not have, or a
//!   vSwitch in a network outside `eu-central` (Robot's dedicated servers
//!   stand in Germany and Finland): the provider refuses to attach it;
//! - E641: a load balancer whose targets or private network are in another
//!   network zone than its location, or whose targets are in different
//!   private networks: it cannot route to them;
//! - E642: a dedicated server as a load balancer target without a vSwitch
//!   address: the provider takes a Robot server as an IP target, and gen
//!   knows only its vSwitch address (`private_ip` in the network's
//!   `vswitch.subnet`), not its public one.
//!
//! Source: Hetzner Cloud docs, "Networks" (a subnet belongs to one network
//! zone; vSwitch subnets in `eu-central`), "Load Balancers" (targets in the
//! Load Balancer's network zone; IP targets are Robot servers' public or
//! vSwitch addresses, API `LoadBalancerTargetIP`).

use crate::blueprint::model::{Blueprint, HostKind, LoadBalancer};
use crate::catalog::{network_zone, NETWORK_ZONES};
use crate::diag::Finding;

fn zones() -> String {
    let mut z: Vec<&str> = NETWORK_ZONES.iter().map(|(_, z)| *z).collect();
    z.dedup();
    z.join(", ")
}

/// Whether Hetzner has the network zone `zone`.
fn known(zone: &str) -> bool {
    NETWORK_ZONES.iter().any(|(_, z)| *z == zone)
}

/// Runs this family's rules (the module's doc lists them) over `bp`,
/// appending each finding to `out`.
pub fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    // A zone Hetzner does not have is reported once; what would be compared
    // with it is not.
    for (n, net) in bp.networks.iter().enumerate() {
        if !known(&net.zone) {
            out.push(
                Finding::error(
                    "E640",
                    format!("/networks/{n}/zone"),
                    format!("`{}` is not a Hetzner network zone", net.zone),
                )
                .hint(format!("write one of {}", zones()))
                .at_value(),
            );
        } else if net.vswitch.is_some() && net.zone != "eu-central" {
            out.push(
                Finding::error(
                    "E640",
                    format!("/networks/{n}/vswitch"),
                    format!("network `{}` is in {}, but a vSwitch couples only to an `eu-central` network: Robot's dedicated servers stand in Germany and Finland", net.name, net.zone),
                )
                .hint("move the vSwitch to the eu-central network")
                .at_value(),
            );
        }
    }
    let locations = || NETWORK_ZONES.iter().map(|(l, _)| *l).collect::<Vec<_>>().join(", ");
    let cloud = bp.hosts.iter().enumerate().filter(|(_, h)| h.kind == HostKind::Cloud);
    let placed = cloud.map(|(i, h)| (format!("/hosts/{i}/location"), &h.location)).chain(
        bp.load_balancers.iter().enumerate().map(|(k, lb)| (format!("/load_balancers/{k}/location"), &lb.location)),
    );
    for (at, location) in placed.filter(|(_, l)| network_zone(l).is_none()) {
        out.push(
            Finding::error("E640", at, format!("`{location}` is not a Hetzner Cloud location: it has no network zone, and `terraform apply` fails on it"))
                .hint(format!("write one of {}", locations()))
                .at_value(),
        );
    }
    for (i, host) in bp.hosts.iter().enumerate() {
        if host.kind != HostKind::Cloud {
            continue;
        }
        let Some((_, net)) = bp.network_of(host).filter(|(_, n)| known(&n.zone)) else { continue };
        let Some(zone) = network_zone(&host.location) else { continue };
        if zone != net.zone {
            out.push(
                Finding::error(
                    "E640",
                    format!("/hosts/{i}/location"),
                    format!(
                        "`{}` is in {} ({zone}), the private network `{}` in {}: Hetzner attaches a server only to a subnet of its own network zone",
                        host.name, host.location, net.name, net.zone
                    ),
                )
                .hint("give the hosts of each zone a network of their own, or put this one in a location of the network's zone")
                .at_value(),
            );
        }
    }
    for (k, lb) in bp.load_balancers.iter().enumerate() {
        load_balancer(bp, k, lb, out);
    }
}

fn load_balancer(bp: &Blueprint, k: usize, lb: &LoadBalancer, out: &mut Vec<Finding>) {
    if lb.targets.is_empty() {
        out.push(
            Finding::error(
                "E641",
                format!("/load_balancers/{k}/targets"),
                format!("load balancer `{}` has no targets: it routes nowhere, and is billed", lb.name),
            )
            .hint("list the hosts it sends traffic to, or remove it")
            .at_value(),
        );
        return;
    }
    let Some(lb_zone) = network_zone(&lb.location) else { return };
    let network = bp.network_of_load_balancer(lb).filter(|(_, n)| known(&n.zone));
    if let Some((_, net)) = network.filter(|(_, n)| n.zone != lb_zone) {
        out.push(
            Finding::error(
                "E641",
                format!("/load_balancers/{k}/location"),
                format!(
                    "load balancer `{}` is in {} ({lb_zone}), its private network `{}` in {}: it cannot attach to it",
                    lb.name, lb.location, net.name, net.zone
                ),
            )
            .hint("put the load balancer in a location of the network's zone")
            .at_value(),
        );
    }
    for (t, target) in lb.targets.iter().enumerate() {
        let Some(host) = bp.host(target.as_str()) else { continue }; // E205
        let at = format!("/load_balancers/{k}/targets/{t}");
        let own = bp.network_of(host);
        if let (Some((n, net)), Some((m, other))) = (network, own) {
            if lb.use_private_network && n != m {
                out.push(
                    Finding::error(
                        "E641",
                        at.clone(),
                        format!(
                            "`{}` is in network `{}`, load balancer `{}` reaches its targets through `{}`: it attaches to one network and routes only there",
                            host.name, other.name, lb.name, net.name
                        ),
                    )
                    .hint("put each network's targets behind a load balancer of their own")
                    .at_value(),
                );
                continue;
            }
        }
        if host.kind == HostKind::Dedicated {
            let in_vswitch = lb.use_private_network
                && own.is_some_and(|(_, n)| {
                    n.vswitch.as_ref().is_some_and(|v| {
                        host.private_ip.as_deref().is_some_and(|ip| crate::blueprint::model::ip_in(ip, &v.subnet))
                    })
                });
            if !in_vswitch {
                let why = if lb.use_private_network {
                    "without a vSwitch address"
                } else {
                    "reached over public addresses (`use_private_network: false`), and gen knows only its vSwitch address"
                };
                out.push(
                    Finding::error(
                        "E642",
                        at,
                        format!("`{}` is a dedicated server {why}: gen cannot name it as a load balancer target", host.name),
                    )
                    .hint("couple a Robot vSwitch to the network (`vswitch: {id, vlan, subnet}`), give the server a `private_ip` in its subnet and keep `use_private_network: true`; or point DNS at the dedicated server")
                    .at_value(),
                );
            }
            // A dedicated server's location is a Robot data center; the
            // vSwitch is in eu-central (E640), which is checked above.
            continue;
        }
        match network_zone(&host.location) {
            Some(zone) if zone != lb_zone => out.push(
                Finding::error(
                    "E641",
                    at,
                    format!(
                        "`{}` is in {} ({zone}), load balancer `{}` in {} ({lb_zone}): a load balancer reaches targets of its own network zone only",
                        host.name, host.location, lb.name, lb.location
                    ),
                )
                .hint("give each region its load balancer, or move the target into the load balancer's zone")
                .at_value(),
            ),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    fn codes(extra: &str) -> Vec<&'static str> {
        crate::check::codes_on_base(super::check, extra)
    }

    #[test]
    fn an_unknown_location_is_named() {
        assert_eq!(codes_of(&blueprint("mars1", "")), ["E640"], "a cloud host's");
        let lb = EU.replace("location: nbg1", "location: xyz9");
        assert_eq!(codes_of(&blueprint("nbg1", &lb)), ["E640"], "the load balancer's");
    }

    /// Two cloud servers in Nuremberg and Falkenstein behind a load
    /// balancer, on one eu-central network.
    const EU: &str = "
networks: [{name: web, ip_range: 10.0.0.0/16, subnet: 10.0.1.0/24, zone: eu-central}]
load_balancers:
  - name: lb
    type: lb11
    location: nbg1
    tls: passthrough
    targets: [web-1, web-2]
    health_check: {path: /health, interval: 15s, timeout: 10s, retries: 3}
";

    fn hosts(second: &str) -> String {
        let host = |name: &str, location: &str, ip: &str| {
            format!(
                "  - {{name: {name}, kind: cloud, type: cx23, location: {location}, os: ubuntu-24.04, private_ip: {ip}}}\n"
            )
        };
        format!("{}{}", host("web-1", "nbg1", "10.0.1.2"), host("web-2", second, "10.0.1.3"))
    }

    fn blueprint(second: &str, extra: &str) -> String {
        let base = include_str!("../../../../tests/fixtures/invalid/base/minimal.yaml");
        format!("{}{extra}", base.replacen("hosts:\n", &format!("hosts:\n{}", hosts(second)), 1))
    }

    fn codes_of(text: &str) -> Vec<&'static str> {
        let bp: crate::blueprint::model::Blueprint = serde_yaml::from_str(text).expect("blueprint");
        let mut out = Vec::new();
        super::check(&bp, &mut out);
        out.iter().map(|f| f.code).collect()
    }

    #[test]
    fn one_zone_passes() {
        assert_eq!(codes_of(&blueprint("fsn1", EU)), Vec::<&str>::new());
    }

    #[test]
    fn a_server_of_another_zone() {
        // Ashburn is us-east: neither the network nor the load balancer reaches it.
        assert_eq!(codes_of(&blueprint("ash", EU)), ["E640", "E641"]);
        assert_eq!(codes_of(&blueprint("fsn1", &EU.replace("zone: eu-central", "zone: eu-west"))), ["E640"]);
        assert_eq!(
            codes_of(&blueprint("fsn1", &EU.replace("location: nbg1", "location: hil"))),
            ["E641", "E641", "E641"]
        );
    }

    #[test]
    fn a_dedicated_target() {
        // The base's ax52 is a dedicated server.
        let lb = EU.replace("targets: [web-1, web-2]", "targets: [ax52]");
        let lb = lb.lines().filter(|l| !l.starts_with("network:")).collect::<Vec<_>>().join("\n");
        assert_eq!(codes(&format!("{lb}\n")), ["E642"]);
    }
}
