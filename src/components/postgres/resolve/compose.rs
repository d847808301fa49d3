//! A PostgreSQL server's container: where it is placed and its compose
//! service (the official image, the cluster in the host's `data_dir`, gen's
//! postgresql.conf and pg_hba.conf mounted and named on the command line).

use crate::blueprint::model::Blueprint;
use crate::components::docker::resolve::compose::{base, health, resources, HostDir, ServicePlan};
use crate::resolve::placement::{Guard, Placed, Role};

use super::{CONFIG_PATH, HBA_PATH};

/// Each PostgreSQL server on `host`, in blueprint order: reached by its
/// clients over the compose network (or the private network, see
/// `resolve::private`), never through nginx.
pub fn place(bp: &Blueprint, host: &crate::blueprint::model::Host, kind: usize) -> Vec<Placed> {
    let on_host = bp.postgres.iter().enumerate().filter(|(_, pg)| pg.host == host.name);
    on_host
        .map(|(p, pg)| Placed {
            service: pg.name.to_string(),
            role: Role::Component { kind, index: p },
            pointer: format!("/postgres/{p}"),
            resources: pg.resources,
            ports: Vec::new(),
            guard: Guard::Proxy,
            served: false,
        })
        .collect()
}

/// The compose service of `postgres[index]`: `POSTGRES_USER` and its
/// password from .env, the data directory owned by the image's postgres
/// user (mode 0700, as initdb requires), and, when applications on other
/// hosts use it, its port published on this host's private address only.
/// `None` when the entry is gone.
pub fn compose(bp: &Blueprint, p: &Placed, index: usize) -> Option<ServicePlan> {
    let pg = bp.postgres.get(index)?;
    let host = bp.hosts.iter().find(|h| h.name == pg.host)?;
    let check = vec!["CMD-SHELL".into(), format!("pg_isready -U {} -d postgres", pg.user)];
    let mut s = base(&p.service, &pg.image.0, health(check, "30s"));
    s.environment = vec![
        ("POSTGRES_USER".into(), pg.user.clone()),
        ("POSTGRES_PASSWORD".into(), format!("${{{}}}", pg.password_secret)),
    ];
    s.volumes.push(format!("{}:{}", pg.data_dir, data_path(&[crate::resolve::versions::postgres(&pg.image).version])));
    if let Some(user) = crate::components::docker::resolve::images::user(&pg.image.0) {
        // initdb refuses a data directory others can read; the entrypoint
        // (started as root) would chown and chmod it too.
        s.dirs.push(HostDir::new(
            &pg.data_dir,
            user,
            "0700",
            format!("{}'s postgres user owns its data directory", pg.image.0),
        ));
    }
    s.volumes.push(format!("./postgres/{}/postgresql.conf:{}:ro", pg.name, CONFIG_PATH));
    s.volumes.push(format!("./postgres/{}/pg_hba.conf:{}:ro", pg.name, HBA_PATH));
    s.command = vec!["postgres".into(), "-c".into(), format!("config_file={}", CONFIG_PATH)];
    // Clients on other hosts: published on this host's private address
    // only (never every address: Docker's ports bypass UFW), for the
    // addresses pg_hba.conf and UFW's route rules admit.
    let clients = crate::resolve::private::remote_clients(bp, pg);
    if let (false, Some(ip)) = (clients.is_empty(), host.private_ip.as_ref()) {
        let port = crate::resolve::private::POSTGRES_PORT;
        s.ports.push(format!("{ip}:{port}:{port}"));
        s.note = Some(format!(
            "published on {ip} only: {} connect{} over the private network",
            clients.iter().map(|c| format!("`{}` ({})", c.host, c.address)).collect::<Vec<_>>().join(", "),
            if clients.len() == 1 { "s" } else { "" }
        ));
    }
    resources(&mut s, p.resources);
    Some(s)
}

/// The official image keeps its data in /var/lib/postgresql/data up to 17;
/// from 18 on, in a directory named after the major version.
pub fn data_path(version: &[u32]) -> String {
    match version.first() {
        Some(major) if *major >= 18 => format!("/var/lib/postgresql/{major}/docker"),
        _ => "/var/lib/postgresql/data".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_path_follows_the_image_layout() {
        assert_eq!(data_path(&[16, 10]), "/var/lib/postgresql/data");
        assert_eq!(data_path(&[18, 1]), "/var/lib/postgresql/18/docker");
        assert_eq!(data_path(&[]), "/var/lib/postgresql/data");
    }
}
