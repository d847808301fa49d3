//! Placement: which containers run on which host, with their resources and
//! published ports. Both the capacity and exposure checks and the plan read
//! this one answer, so they can never disagree.

use crate::blueprint::model::{Blueprint, Component, Host, Resources};

/// What a container sits behind; a published port must not go around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// Reached through the nginx proxy.
    Proxy,
    /// The proxy itself: it is the public entry (or the load balancer's target).
    Entry,
}

/// What a container is, with the blueprint indices it comes from, so later
/// stages read the blueprint entry directly instead of parsing names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Part `part` (an index into `Websites::parts(site)`) of site `site`.
    SitePart {
        site: usize,
        part: usize,
    },
    Odoo {
        app: usize,
        env: usize,
    },
    /// A container of a component kind: `kind` indexes
    /// [`crate::components::KINDS`], `index` the kind's blueprint list.
    Component {
        kind: usize,
        index: usize,
    },
    Proxy,
}

/// One container on one host, as the blueprint places it.
#[derive(Debug, Clone)]
pub struct Placed {
    /// Compose service and container name.
    pub service: String,
    pub role: Role,
    /// Where the container is defined in the blueprint (for diagnostics).
    pub pointer: String,
    pub resources: Resources,
    /// Host ports the blueprint asks to publish, each with its pointer.
    pub ports: Vec<(String, String)>,
    pub guard: Guard,
    /// Whether nginx proxies to it (a vhost routes there), so the host
    /// needs nginx.
    pub served: bool,
}

/// Every container the blueprint puts on `host`, in a stable order.
pub fn on_host(bp: &Blueprint, host: &Host) -> Vec<Placed> {
    let mut placed = Vec::new();
    if let Some(web) = &bp.websites {
        for &i in web.sites_on(&host.name) {
            for (j, part) in web.parts(i).into_iter().enumerate() {
                let service = format!("{}-{}", web.sites[i].name, part.name);
                placed.push(component_placed(
                    service,
                    Role::SitePart { site: i, part: j },
                    part.pointer,
                    part.component,
                ));
            }
        }
    }
    for (a, app) in bp.applications.iter().enumerate() {
        if !app.runs_on(&host.name) {
            continue;
        }
        for (e, env) in app.environments.iter().enumerate() {
            let pointer = format!("/applications/{a}/environments/{e}");
            placed.push(Placed {
                service: format!("{}-{}", app.name, env.name),
                role: Role::Odoo { app: a, env: e },
                ports: ports_of(&env.ports, &pointer),
                pointer,
                resources: env.resources,
                guard: Guard::Proxy,
                served: true,
            });
        }
    }
    // Then every component kind's: PostgreSQL servers first (`KINDS`).
    placed.extend(crate::components::placed(bp, host));
    // nginx runs where something is served: a proxied container, or a
    // vhost without one (a static site, a redirect).
    if placed.iter().any(|p| p.served) || crate::components::serves_without_container(bp, host) {
        placed.push(Placed {
            service: "nginx".into(),
            role: Role::Proxy,
            pointer: "/proxy".into(),
            resources: bp.proxy.as_ref().and_then(|p| p.resources).unwrap_or_default(),
            ports: Vec::new(),
            guard: Guard::Entry,
            served: false,
        });
    }
    placed
}

fn component_placed(service: String, role: Role, pointer: String, c: &Component) -> Placed {
    Placed {
        service,
        role,
        ports: ports_of(&c.ports, &pointer),
        pointer,
        resources: c.resources,
        guard: Guard::Proxy,
        served: true,
    }
}

/// Published ports as written, each with its JSON pointer.
pub(crate) fn ports_of(ports: &[String], pointer: &str) -> Vec<(String, String)> {
    ports.iter().enumerate().map(|(i, p)| (p.clone(), format!("{pointer}/ports/{i}"))).collect()
}

/// A published port, parsed from Docker's short syntax `[ip:]host:container[/proto]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// Empty means every interface.
    pub ip: String,
    pub host_port: u16,
    pub container_port: u16,
    pub proto: &'static str,
}

impl Published {
    pub fn parse(spec: &str) -> Option<Published> {
        let (spec, proto) = match spec.rsplit_once('/') {
            Some((s, "tcp")) => (s, "tcp"),
            Some((s, "udp")) => (s, "udp"),
            Some(_) => return None,
            None => (spec, "tcp"),
        };
        let parts: Vec<&str> = spec.split(':').collect();
        let (ip, host, container) = match parts.as_slice() {
            [host, container] => ("", *host, *container),
            [ip, host, container] => (*ip, *host, *container),
            _ => return None,
        };
        Some(Published {
            ip: ip.to_string(),
            host_port: host.parse().ok().filter(|p| *p > 0)?,
            container_port: container.parse().ok().filter(|p| *p > 0)?,
            proto,
        })
    }

    /// Bound to loopback only, so nothing outside the host reaches it.
    pub fn is_loopback(&self) -> bool {
        self.ip.starts_with("127.") || self.ip == "[::1]" || self.ip == "::1"
    }

    /// Two bindings of one port clash when either takes every interface or both take the same one.
    pub fn clashes_with(&self, other: &Published) -> bool {
        self.host_port == other.host_port
            && self.proto == other.proto
            && (self.ip.is_empty()
                || other.ip.is_empty()
                || self.ip == "0.0.0.0"
                || other.ip == "0.0.0.0"
                || self.ip == other.ip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_docker_short_syntax() {
        let p = Published::parse("127.0.0.1:8069:8069").unwrap();
        assert!(p.is_loopback());
        assert_eq!(p.host_port, 8069);
        let q = Published::parse("8070:8069").unwrap();
        assert!(!q.is_loopback());
        assert_eq!(Published::parse("51820:51820/udp").unwrap().proto, "udp");
        assert!(Published::parse("80").is_none());
        assert!(Published::parse("x:80").is_none());
        assert!(Published::parse("0:80").is_none());
    }

    #[test]
    fn clashes_need_same_port_and_overlapping_address() {
        let all = Published::parse("80:80").unwrap();
        let private = Published::parse("10.0.1.2:80:8080").unwrap();
        let other_private = Published::parse("10.0.1.3:80:80").unwrap();
        assert!(all.clashes_with(&private));
        assert!(!private.clashes_with(&other_private));
        assert!(!all.clashes_with(&Published::parse("80:80/udp").unwrap()));
    }
}
