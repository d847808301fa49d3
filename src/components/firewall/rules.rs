//! Exposure: a port published past the guard the blueprint puts in front of
//! it. Docker publishes through its own iptables chains, ahead of UFW, so a
//! published port is reachable from the internet whatever the firewall says.

use crate::blueprint::model::{Access, Blueprint, Source};
use crate::components::docker::resolve::compose::proxy_bind;
use crate::diag::Finding;
use crate::resolve::placement::{self, Guard, Published, Role};

/// Runs this family's rules (the module's doc lists them) over `bp`,
/// appending each finding to `out`.
pub fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (h, host) in bp.hosts.iter().enumerate() {
        let placed = placement::on_host(bp, host);
        // (service, binding, pointer) for every port the host will publish.
        let mut bindings: Vec<(String, Published, String)> = Vec::new();
        for p in &placed {
            for (spec, pointer) in &p.ports {
                let Some(binding) = Published::parse(spec) else {
                    out.push(
                        Finding::error("E304", pointer.clone(), format!("`{spec}` is not a port mapping"))
                            .hint("write `[ip:]host_port:container_port[/tcp|/udp]`, like `127.0.0.1:8069:8069`")
                            .at_value(),
                    );
                    continue;
                };
                if p.guard == Guard::Proxy && !binding.is_loopback() {
                    // What it sits behind: nginx when a vhost routes to it,
                    // else only the compose network (a database, a worker).
                    let guard = if p.served { "the nginx proxy" } else { "the compose network" };
                    out.push(
                        Finding::error("E301", pointer.clone(), format!(
                            "`{}` publishes port {} on {}, past {guard}",
                            p.service,
                            binding.host_port,
                            if binding.ip.is_empty() { "every interface".to_string() } else { binding.ip.clone() }
                        ))
                        .hint("Docker-published ports bypass UFW; remove the mapping (nginx reaches the container over the compose network) or bind it to 127.0.0.1")
                        .at_value(),
                    );
                }
                bindings.push((p.service.clone(), binding, pointer.clone()));
            }
            if p.role == Role::Proxy {
                let (ip, _) = proxy_bind(bp, host);
                for port in [80, 443] {
                    let binding = Published { ip: ip.clone(), host_port: port, container_port: port, proto: "tcp" };
                    bindings.push(("nginx".into(), binding, "/proxy".into()));
                }
            }
        }
        // sshd is a host service on every host: no container may take its port.
        let ssh = crate::components::firewall::resolve::SSH_PORT;
        let sshd = Published { ip: String::new(), host_port: ssh, container_port: ssh, proto: "tcp" };
        // First, so a container that takes port 22 is the one reported.
        bindings.insert(0, ("sshd".into(), sshd, "/firewall".into()));
        // Prometheus comes with compose where monitoring is on; also first.
        if !placed.is_empty() && bp.monitoring.as_ref().is_some_and(|m| m.prometheus) {
            if let Some(prometheus) = Published::parse(crate::components::monitoring::resolve::PROMETHEUS_PORT) {
                bindings.insert(1, ("prometheus".into(), prometheus, "/monitoring/prometheus".into()));
            }
        }
        if let Some(vpn) = bp.vpn.as_ref().filter(|v| v.host == host.name) {
            let binding = Published { ip: String::new(), host_port: vpn.port, container_port: vpn.port, proto: "udp" };
            bindings.push(("wireguard".into(), binding, "/vpn/port".into()));
        }
        for (i, (service, a, pointer)) in bindings.iter().enumerate() {
            if let Some((other, _, _)) = bindings[..i].iter().find(|(_, b, _)| a.clashes_with(b)) {
                out.push(
                    Finding::error(
                        "E203",
                        pointer.clone(),
                        format!(
                            "host port {}/{} on `{}` is taken by both `{other}` and `{service}`",
                            a.host_port, a.proto, bp.hosts[h].name
                        ),
                    )
                    .hint("give one of them another host port, or no published port at all")
                    .at_value(),
                );
            }
        }
    }

    for g in crate::components::guarded(bp).into_iter().filter(|g| g.access == Access::VpnOnly && bp.vpn.is_none()) {
        out.push(
            Finding::error(
                "E303",
                format!("{}/access", g.pointer),
                format!("{} is `vpn_only` but the blueprint has no `vpn`", g.what),
            )
            .hint("add a `vpn:` section, or choose `basic_auth`")
            .at_value(),
        );
    }

    for (k, lb) in bp.load_balancers.iter().enumerate().filter(|(_, lb)| lb.use_private_network) {
        if bp.networks.is_empty() {
            out.push(
                Finding::error(
                    "E302",
                    format!("/load_balancers/{k}/use_private_network"),
                    format!(
                        "load balancer `{}` uses the private network, but the blueprint has no `networks`",
                        lb.name
                    ),
                )
                .hint("add a network under `networks:`, or set `use_private_network: false`")
                .at_value(),
            );
        }
        for (i, target) in lb.targets.iter().enumerate() {
            if bp.hosts.iter().any(|h| h.name == *target && h.private_ip.is_none()) {
                out.push(
                    Finding::error("E302", format!("/load_balancers/{k}/targets/{i}"), format!("`{target}` is a load balancer target without a `private_ip`"))
                        .hint("give the host a `private_ip` in the network's subnet; nginx listens only there, so nobody goes around the load balancer")
                        .at_value(),
                );
            }
        }
    }

    if let Some(fw) = &bp.firewall {
        for (i, source) in fw.ssh_from.iter().enumerate() {
            let missing = match source {
                Source::Vpn => bp.vpn.is_none().then_some("`vpn`"),
                Source::LoadBalancer => Some("no load balancer forwards SSH; use `vpn` or `admin_cidrs`"),
                Source::AdminCidrs => fw.admin_cidrs.is_empty().then_some("`admin_cidrs`"),
                Source::Anywhere | Source::Localhost => None,
            };
            if *source == Source::Anywhere {
                out.push(
                    Finding::warning("W306", format!("/firewall/ssh_from/{i}"), "SSH is open to the whole internet")
                        .hint("allow SSH from `vpn` or `admin_cidrs`; bots try passwords on every public port 22")
                        .at_value(),
                );
            }
            if let Some(what) = missing {
                out.push(
                    Finding::error(
                        "E305",
                        format!("/firewall/ssh_from/{i}"),
                        format!("SSH is allowed from `{}` but the blueprint lacks {what}", source_name(source)),
                    )
                    .hint("a rule for a source that does not exist locks operators out")
                    .at_value(),
                );
            }
        }
    }
}

/// A firewall source as the blueprint writes it (`admin_cidrs`).
fn source_name(source: &Source) -> &'static str {
    match source {
        Source::Anywhere => "anywhere",
        Source::Vpn => "vpn",
        Source::LoadBalancer => "load_balancer",
        Source::AdminCidrs => "admin_cidrs",
        Source::Localhost => "localhost",
    }
}

#[cfg(test)]
mod tests {
    /// Prometheus's loopback port comes with monitoring: a container that
    /// publishes it too is E203, reported at the container.
    #[test]
    fn prometheus_port_is_taken() {
        let service =
            "services:\n  - {name: app, host: ax52, image: \"busybox:1.36\", ports: [\"127.0.0.1:9090:9090\"]}\n";
        let codes = |extra: &str| crate::check::codes_on_base(super::check, extra);
        assert_eq!(codes(service), Vec::<&str>::new(), "without monitoring the port is free");
        assert_eq!(codes(&format!("{service}monitoring: {{prometheus: true}}\n")), ["E203"]);
    }
}
