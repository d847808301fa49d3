//! The compose services of the container services (`services:`): the
//! service itself and its Redis. Their vhosts are in [`super::vhost`],
//! their placement in [`super::placement`], their databases in
//! [`super::postgres::service_databases`].

use super::compose::{base, health, probe, resources, Dependency, HostDir, ServicePlan};
use super::placement::Placed;
use crate::blueprint::model::{Blueprint, ServiceRedis};

/// A container service (`services:`): its image, command, settings, data
/// directories with their owners, and a health check on its HTTP port.
pub(super) fn service(bp: &Blueprint, p: &Placed, index: usize) -> Option<ServicePlan> {
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

/// A service's Redis: `maxmemory` and its policy on the command line, no
/// RDB snapshots; with a `data_dir`, an append-only file there and nothing
/// evicted (a queue must not lose jobs), else a cache that evicts the least
/// recently used keys. `--protected-mode no` as the official image has it
/// compiled in (its Dockerfile patches the default): without a password,
/// protected mode refuses every client but loopback, and Redis is reached
/// only over the compose network (it publishes no port).
pub(super) fn redis(bp: &Blueprint, p: &Placed, index: usize) -> Option<ServicePlan> {
    let owner = bp.services.get(index)?;
    let redis = owner.redis.as_ref()?;
    let image = redis.image.as_ref().map_or(ServiceRedis::DEFAULT_IMAGE, |i| i.0.as_str());
    let check = vec!["CMD-SHELL".into(), "redis-cli ping | grep -q PONG".into()];
    let mut s = base(&p.service, image, health(check, "10s"));
    let max = redis.max_memory().bytes();
    s.command = ["redis-server", "--protected-mode", "no", "--maxmemory", &max.to_string(), "--save", ""]
        .map(String::from)
        .to_vec();
    match &redis.data_dir {
        Some(dir) => {
            s.command.extend(
                ["--maxmemory-policy", "noeviction", "--appendonly", "yes", "--dir", "/data"].map(String::from),
            );
            s.volumes.push(format!("{dir}:/data"));
            let user = super::images::user(image).unwrap_or((999, 1000));
            s.dirs.push(HostDir::new(dir, user, "0750", format!("{image}'s redis user writes its append-only file")));
        }
        None => s.command.extend(["--maxmemory-policy", "allkeys-lru", "--appendonly", "no"].map(String::from)),
    }
    resources(&mut s, p.resources);
    Some(s)
}
