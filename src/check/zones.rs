//! Check: what Hetzner's network zones allow (E640, E641) and what gen can
//! put behind a load balancer (E642).
//!
//! - E640: a cloud server on the private network in a location of another
//!   network zone than the network's subnet (a US server in an
//!   `eu-central` network), or a subnet zone Hetzner does not have: the
//!   provider refuses to attach it;
//! - E641: a load balancer whose targets or private network are in another
//!   network zone than its location: it cannot route to them;
//! - E642: a dedicated server as a load balancer target: gen writes server
//!   targets (cloud servers) only; a dedicated server is an IP target
//!   behind a vSwitch, which gen does not write, so the Terraform would
//!   name a cloud server that does not exist.
//!
//! Source: Hetzner Cloud docs, "Networks" (a subnet belongs to one network
//! zone) and "Load Balancers" (targets in the Load Balancer's network zone).

use crate::blueprint::model::{Blueprint, HostKind};
use crate::catalog::{network_zone, NETWORK_ZONES};
use crate::diag::Finding;

fn zones() -> String {
    let mut z: Vec<&str> = NETWORK_ZONES.iter().map(|(_, z)| *z).collect();
    z.dedup();
    z.join(", ")
}

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    // A zone Hetzner does not have is reported once; what would be compared
    // with it is not.
    let known = |zone: &str| NETWORK_ZONES.iter().any(|(_, z)| *z == zone);
    if let Some(net) = bp.network.as_ref().filter(|n| !known(&n.zone)) {
        out.push(
            Finding::error("E640", "/network/zone", format!("`{}` is not a Hetzner network zone", net.zone))
                .hint(format!("write one of {}", zones()))
                .at_value(),
        );
    }
    let locations = || NETWORK_ZONES.iter().map(|(l, _)| *l).collect::<Vec<_>>().join(", ");
    let cloud = bp.hosts.iter().enumerate().filter(|(_, h)| h.kind == HostKind::Cloud);
    let placed = cloud
        .map(|(i, h)| (format!("/hosts/{i}/location"), &h.location))
        .chain(bp.load_balancer.iter().map(|lb| ("/load_balancer/location".to_string(), &lb.location)));
    for (at, location) in placed.filter(|(_, l)| network_zone(l).is_none()) {
        out.push(
            Finding::error("E640", at, format!("`{location}` is not a Hetzner Cloud location: it has no network zone, and `terraform apply` fails on it"))
                .hint(format!("write one of {}", locations()))
                .at_value(),
        );
    }
    let network = bp.network.as_ref().filter(|n| known(&n.zone));
    if let Some(net) = network {
        for (i, host) in bp.hosts.iter().enumerate() {
            if host.kind != HostKind::Cloud || host.private_ip.is_none() {
                continue;
            }
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
    }
    let Some(lb) = &bp.load_balancer else { return };
    let Some(lb_zone) = network_zone(&lb.location) else { return };
    if let Some(net) = network.filter(|n| lb.use_private_network && n.zone != lb_zone) {
        out.push(
            Finding::error(
                "E641",
                "/load_balancer/location",
                format!(
                    "load balancer `{}` is in {} ({lb_zone}), its private network `{}` in {}: it cannot attach to it",
                    lb.name, lb.location, net.name, net.zone
                ),
            )
            .hint("put the load balancer in a location of the network's zone")
            .at_value(),
        );
    }
    for (k, target) in lb.targets.iter().enumerate() {
        let Some(host) = bp.hosts.iter().find(|h| h.name == *target) else { continue }; // E204
        if host.kind == HostKind::Dedicated {
            out.push(
                Finding::error(
                    "E642",
                    format!("/load_balancer/targets/{k}"),
                    format!("`{}` is a dedicated server: gen writes load balancer targets for cloud servers only", host.name),
                )
                .hint("a dedicated server is reached as an IP target through a vSwitch, which gen does not write yet; put cloud servers behind the load balancer, or point DNS at the dedicated server")
                .at_value(),
            );
            continue;
        }
        match network_zone(&host.location) {
            Some(zone) if zone != lb_zone => out.push(
                Finding::error(
                    "E641",
                    format!("/load_balancer/targets/{k}"),
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
network: {name: web, ip_range: 10.0.0.0/16, subnet: 10.0.1.0/24, zone: eu-central}
load_balancer:
  name: lb
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
        let base = include_str!("../../tests/fixtures/invalid/base/minimal.yaml");
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
