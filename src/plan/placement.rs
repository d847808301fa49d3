//! Placement: which containers run on which host, with their resources and
//! published ports. Both the capacity and exposure checks and the plan read
//! this one answer, so they can never disagree.

use crate::blueprint::model::{Amount, Blueprint, Component, Host, Resources, ServiceRedis};
use crate::blueprint::units::{Cpus, Size};

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
    SiteBackend {
        site: usize,
    },
    SiteFrontend {
        site: usize,
    },
    Odoo {
        app: usize,
        env: usize,
    },
    Postgres {
        index: usize,
    },
    /// A MariaDB server (`mariadb[index]`).
    MariaDb {
        index: usize,
    },
    /// A container service (`services[index]`).
    Service {
        index: usize,
    },
    /// The Redis of `services[index]`.
    Redis {
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
}

/// Every container the blueprint puts on `host`, in a stable order.
pub fn on_host(bp: &Blueprint, host: &Host) -> Vec<Placed> {
    let mut placed = Vec::new();
    if let Some(web) = &bp.websites {
        {
            for (i, site) in web.sites_on(&host.name).iter().map(|&i| (i, &web.sites[i])) {
                let parts = [
                    ("backend", Role::SiteBackend { site: i }, site.backend.as_ref(), &web.defaults.backend),
                    ("frontend", Role::SiteFrontend { site: i }, site.frontend.as_ref(), &web.defaults.frontend),
                ];
                for (part, role, own_component, default) in parts {
                    let own = own_component.is_some();
                    let component = own_component.unwrap_or(default);
                    let pointer =
                        if own { format!("/websites/sites/{i}/{part}") } else { format!("/websites/defaults/{part}") };
                    placed.push(component_placed(format!("{}-{part}", site.name), role, pointer, component));
                }
            }
        }
    }
    for (a, app) in bp.applications.iter().enumerate() {
        if app.host != host.name {
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
            });
        }
    }
    for (p, pg) in bp.postgres.iter().enumerate() {
        if pg.host == host.name {
            placed.push(Placed {
                service: pg.name.to_string(),
                role: Role::Postgres { index: p },
                pointer: format!("/postgres/{p}"),
                resources: pg.resources,
                ports: Vec::new(),
                guard: Guard::Proxy,
            });
        }
    }
    for (m, db) in bp.mariadb.iter().enumerate().filter(|(_, m)| m.host == host.name) {
        placed.push(Placed {
            service: db.name.to_string(),
            role: Role::MariaDb { index: m },
            pointer: format!("/mariadb/{m}"),
            resources: db.resources,
            ports: Vec::new(),
            guard: Guard::Proxy,
        });
    }
    for (i, service) in bp.services.iter().enumerate().filter(|(_, s)| s.host == host.name) {
        let pointer = format!("/services/{i}");
        if let Some(redis) = &service.redis {
            placed.push(Placed {
                service: format!("{}-redis", service.name),
                role: Role::Redis { index: i },
                pointer: format!("{pointer}/redis"),
                resources: redis_resources(redis),
                ports: Vec::new(),
                guard: Guard::Proxy,
            });
        }
        placed.push(Placed {
            service: service.name.to_string(),
            role: Role::Service { index: i },
            ports: ports_of(&service.ports, &pointer),
            pointer,
            resources: service.resources,
            guard: Guard::Proxy,
        });
    }
    // nginx runs where something is served: a proxied container, a static
    // site or a redirect.
    let serves_files = bp.static_sites.iter().any(|s| s.hosts.contains(&host.name))
        || bp.redirects.iter().any(|r| r.hosts.contains(&host.name));
    let proxied = |p: &Placed| match p.role {
        Role::Postgres { .. } | Role::MariaDb { .. } | Role::Redis { .. } => false,
        // A worker without domains needs no proxy.
        Role::Service { index } => bp.services.get(index).is_some_and(|s| !s.domains.is_empty()),
        _ => p.guard == Guard::Proxy,
    };
    if serves_files || placed.iter().any(proxied) {
        placed.push(Placed {
            service: "nginx".into(),
            role: Role::Proxy,
            pointer: "/proxy".into(),
            resources: bp.proxy.as_ref().and_then(|p| p.resources).unwrap_or_default(),
            ports: Vec::new(),
            guard: Guard::Entry,
        });
    }
    placed
}

/// A Redis container's limits: half a CPU (Redis runs commands on one
/// thread) and memory of 1.5 × `maxmemory` for allocator fragmentation and
/// buffers, twice `maxmemory` with an append-only file, whose rewrite forks
/// the process and can copy every page it changes meanwhile (redis.io,
/// "Redis persistence" and "Memory optimization"). Rounded up to whole MiB.
pub fn redis_resources(redis: &ServiceRedis) -> Resources {
    let max = redis.max_memory().bytes();
    let bytes = if redis.data_dir.is_some() { max * 2 } else { max + max / 2 };
    let mib = 1 << 20;
    Resources { limits: Some(Amount { cpus: Cpus(500), memory: Size(bytes.div_ceil(mib) * mib) }), reservations: None }
}

fn component_placed(service: String, role: Role, pointer: String, c: &Component) -> Placed {
    Placed { service, role, ports: ports_of(&c.ports, &pointer), pointer, resources: c.resources, guard: Guard::Proxy }
}

fn ports_of(ports: &[String], pointer: &str) -> Vec<(String, String)> {
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
    fn redis_limits_follow_maxmemory() {
        let limit = |memory: &str, data_dir: Option<&str>| {
            let redis = ServiceRedis {
                memory: Some(serde_yaml::from_str(memory).unwrap()),
                data_dir: data_dir.map(str::to_string),
                ..ServiceRedis::default()
            };
            redis_resources(&redis).limits.unwrap().memory.to_string()
        };
        assert_eq!(limit("64M", None), "96M");
        assert_eq!(limit("64M", Some("/srv/q")), "128M");
        assert_eq!(limit("100M", None), "150M");
        assert_eq!(limit("1G", None), "1536M");
    }

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
