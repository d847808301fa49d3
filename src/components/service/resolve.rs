//! What a container service (`services[]`) adds to the resolved records:
//! its container, its compose service (image, command, settings, data
//! directories with their owners, a health check on its HTTP port), its
//! vhost, its data directories and the database it asks a PostgreSQL or
//! MariaDB server for ([`databases`], which the server's kind contributes
//! as its client databases). Its Redis is in [`crate::components::redis`].

use crate::blueprint::model::{Blueprint, Host};
use crate::components::docker::resolve::compose::{base, health, probe, resources, Dependency, HostDir, ServicePlan};
use crate::components::proxy::resolve::vhost::{Location, Upstream, Vhost, VhostBase, VhostKind};
use crate::components::{ClientDatabase, DataDir, DatabaseServer, Domains, Entry, Hosts};
use crate::resolve::placement::{ports_of, Guard, Placed, Role};

/// The container services' databases on `server`, in blueprint order:
/// each created by install.sh with its own role and password secret, its
/// pool (`database.connections`, else 10) counted in the server's budget.
/// The one walk over `services[].database` for every server kind.
pub fn databases(bp: &Blueprint, server: DatabaseServer) -> Vec<ClientDatabase> {
    let asking = bp.services.iter().enumerate().filter_map(|(i, s)| s.database.as_ref().map(|d| (i, s, d)));
    asking
        .filter(|(_, _, d)| d.server.0 == server.name)
        .map(|(i, s, d)| ClientDatabase {
            engine: server.engine,
            server: server.name.to_string(),
            host: server.host.to_string(),
            admin: server.admin.to_string(),
            name: d.name.clone(),
            role: d.user.clone(),
            password_secret: d.password_secret.to_string(),
            client: s.name.to_string(),
            pointer: format!("/services/{i}/database"),
            pool: Some(d.pool()),
            created: true,
        })
        .collect()
}

/// The service's container on `host`, reached through nginx when it has
/// domains.
pub(super) fn place(bp: &Blueprint, host: &Host, kind: usize) -> Vec<Placed> {
    let on_host = bp.services.iter().enumerate().filter(|(_, s)| s.host == host.name);
    on_host
        .map(|(i, service)| {
            let pointer = format!("/services/{i}");
            Placed {
                service: service.name.to_string(),
                role: Role::Component { kind, index: i },
                ports: ports_of(&service.ports, &pointer),
                pointer,
                resources: service.resources,
                guard: Guard::Proxy,
                // A worker without domains needs no proxy.
                served: !service.domains.is_empty(),
            }
        })
        .collect()
}

/// The vhost of each service with domains on `host`: every path to its
/// port, WebSockets included, with its access rule.
pub(super) fn vhosts(bp: &Blueprint, host: &Host, base: &VhostBase) -> Vec<Vhost> {
    let served = bp.services.iter().enumerate().filter(|(_, s)| s.host == host.name && !s.domains.is_empty());
    // Domains without a port are E221; there is nothing to proxy to.
    let with_port = served.filter_map(|(i, s)| s.port.map(|port| (i, s, port)));
    with_port
        .map(|(i, service, port)| {
            let upstream = Upstream::new(service.name.as_str(), port).noted(
                "Resolved per request (resolver in nginx.conf): a stopped container gives 502 for this service only.",
            );
            let access = base.access(
                service.access(),
                service.basic_auth.as_ref(),
                &format!("service-{}", service.name),
                format!("{}: restricted", service.name),
            );
            Vhost {
                comments: vec![format!(
                    "Service `{}` ({}): every path → port {port}, WebSockets included, access: {}.",
                    service.name, service.image, access.mode
                )],
                access,
                locations: vec![Location::proxy("/", &upstream, true, None)],
                upstreams: vec![upstream],
                ..base.vhost(
                    format!("service-{}.conf", service.name),
                    VhostKind::Service,
                    format!("/services/{i}"),
                    &service.domains,
                )
            }
        })
        .collect()
}

/// Each service's volumes; a writable one a backup must cover unless it
/// says `backup: false`.
pub(super) fn data(bp: &Blueprint) -> Vec<DataDir> {
    let mut out = Vec::new();
    for (i, s) in bp.services.iter().enumerate() {
        for (v, volume) in s.volumes.iter().enumerate() {
            out.push(DataDir {
                pointer: format!("/services/{i}/volumes/{v}/source"),
                path: volume.source.clone(),
                whose: format!("service `{}`'s data", s.name),
                hosts: vec![s.host.to_string()],
                backup: (volume.backup && !volume.read_only).then(|| {
                    (
                        format!("where service `{}` keeps its data ({})", s.name, volume.target),
                        format!(
                            "add `{{name: {}-{}, path: {}, mode: archive}}` to `backup.paths`, or set `backup: false` on the volume with the reason in a comment",
                            s.name,
                            volume.target.rsplit('/').find(|c| !c.is_empty()).unwrap_or("data"),
                            volume.source
                        ),
                    )
                }),
            });
        }
    }
    out
}

/// A container service (`services:`): its image, command, settings, data
/// directories with their owners, and a health check on its HTTP port.
pub(super) fn compose(bp: &Blueprint, p: &Placed, index: usize) -> Option<ServicePlan> {
    let c = bp.services.get(index)?;
    let check = match (c.port, &c.health_path) {
        (Some(port), path) => {
            let url = format!("http://127.0.0.1:{port}{}", path.as_deref().unwrap_or("/"));
            probe(&c.image.0, &url)
        }
        // Without a port there is nothing gen can ask; the container's own
        // HEALTHCHECK (if its image has one) stays in force.
        (None, _) => Vec::new(),
    };
    let mut s = base(&p.service, &c.image.0, health(check, "60s"));
    s.command.clone_from(c.command.as_ref().unwrap_or(&Vec::new()));
    s.environment = c.environment.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    s.user.clone_from(&c.user);
    for v in &c.volumes {
        s.volumes.push(format!("{}:{}{}", v.source, v.target, if v.read_only { ":ro" } else { "" }));
        let owner = c.volume_owner(v);
        s.dirs.push(HostDir {
            path: v.source.clone(),
            mode: if v.read_only { "0755" } else { "0750" }.into(),
            why: format!(
                "{}'s data at {}{}",
                c.name,
                v.target,
                if v.read_only { ", read-only" } else { ", written as its owner" }
            ),
            owner,
        });
    }
    s.ports.clone_from(&c.ports);
    if let Some(db) = &c.database {
        s.depends_on.push(Dependency { service: db.server.to_string(), condition: "service_healthy" });
    }
    if c.redis.is_some() {
        s.depends_on.push(Dependency { service: format!("{}-redis", c.name), condition: "service_healthy" });
    }
    resources(&mut s, p.resources);
    Some(s)
}

/// Each service database's password: install.sh sets the role's password
/// from .env on every run.
pub(super) fn secrets(bp: &Blueprint) -> Vec<crate::components::SecretUse> {
    let with_db = bp.services.iter().enumerate();
    with_db
        .filter_map(|(i, s)| {
            let db = s.database.as_ref()?;
            Some(crate::components::SecretUse {
                name: db.password_secret.0.clone(),
                pointer: format!("/services/{i}/database/password_secret"),
                host: s.host.to_string(),
            })
        })
        .collect()
}

/// Each service's `environment`.
pub(super) fn environments(bp: &Blueprint) -> Vec<(String, &std::collections::BTreeMap<String, String>)> {
    bp.services.iter().enumerate().map(|(i, s)| (format!("/services/{i}"), &s.environment)).collect()
}

/// Each container service (`services[]`), with its vhost's access when it
/// serves domains.
pub(super) fn entries(bp: &Blueprint) -> Vec<Entry<'_>> {
    bp.services
        .iter()
        .enumerate()
        .map(|(i, s)| Entry {
            pointer: format!("/services/{i}"),
            what: format!("service `{}`", s.name),
            name: Some(s.name.as_str()),
            hosts: Hosts::One(&s.host),
            domains: Domains { key: "domains", names: &s.domains, required: false },
            access: (!s.domains.is_empty()).then(|| (s.access(), s.basic_auth.as_ref())),
        })
        .collect()
}
