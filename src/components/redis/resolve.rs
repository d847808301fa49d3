//! What a service's Redis (`services[].redis`) adds to the resolved
//! records: a container `<service>-redis` beside the service, its compose
//! service, and its append-only file's directory when it keeps one.

use crate::blueprint::model::{Amount, Blueprint, Host, Resources, ServiceRedis};
use crate::blueprint::units::{Cpus, Size};
use crate::components::docker::resolve::compose::{base, health, resources, HostDir, ServicePlan};
use crate::components::DataDir;
use crate::resolve::placement::{Guard, Placed, Role};

/// The Redis of each service on `host` that has one, reached over the
/// compose network only.
pub(super) fn place(bp: &Blueprint, host: &Host, kind: usize) -> Vec<Placed> {
    let with_redis = bp.services.iter().enumerate().filter(|(_, s)| s.host == host.name);
    with_redis
        .filter_map(|(i, service)| {
            let redis = service.redis.as_ref()?;
            Some(Placed {
                service: format!("{}-redis", service.name),
                role: Role::Component { kind, index: i },
                pointer: format!("/services/{i}/redis"),
                resources: limits(redis),
                ports: Vec::new(),
                guard: Guard::Proxy,
                served: false,
            })
        })
        .collect()
}

/// A Redis container's limits: half a CPU (Redis runs commands on one
/// thread) and memory of 1.5 × `maxmemory` for allocator fragmentation and
/// buffers, twice `maxmemory` with an append-only file, whose rewrite forks
/// the process and can copy every page it changes meanwhile (redis.io,
/// "Redis persistence" and "Memory optimization"). Rounded up to whole MiB.
pub fn limits(redis: &ServiceRedis) -> Resources {
    let max = redis.max_memory().bytes();
    let bytes = if redis.data_dir.is_some() { max * 2 } else { max + max / 2 };
    let mib = 1 << 20;
    Resources { limits: Some(Amount { cpus: Cpus(500), memory: Size(bytes.div_ceil(mib) * mib) }), reservations: None }
}

/// The append-only file's directory of each Redis with a `data_dir`: a
/// queue or sessions that must survive, so a backup must cover it.
pub(super) fn data(bp: &Blueprint) -> Vec<DataDir> {
    let with_dir = bp.services.iter().enumerate();
    with_dir
        .filter_map(|(i, s)| {
            let dir = s.redis.as_ref()?.data_dir.as_ref()?;
            Some(DataDir {
                pointer: format!("/services/{i}/redis/data_dir"),
                path: dir.clone(),
                whose: format!("`{}-redis`'s data", s.name),
                hosts: vec![s.host.to_string()],
                backup: Some((
                    format!("the append-only file of `{}-redis`", s.name),
                    format!(
                        "add `{{name: {}-redis, path: {dir}, mode: archive}}` to `backup.paths`, or leave out `data_dir` for a cache that may start empty",
                        s.name
                    ),
                )),
            })
        })
        .collect()
}

/// A service's Redis: `maxmemory` and its policy on the command line, no
/// RDB snapshots; with a `data_dir`, an append-only file there and nothing
/// evicted (a queue must not lose jobs), else a cache that evicts the least
/// recently used keys. `--protected-mode no` as the official image has it
/// compiled in (its Dockerfile patches the default): without a password,
/// protected mode refuses every client but loopback, and Redis is reached
/// only over the compose network (it publishes no port).
pub(super) fn compose(bp: &Blueprint, p: &Placed, index: usize) -> Option<ServicePlan> {
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
            let user = crate::components::docker::resolve::images::user(image).unwrap_or((999, 1000));
            s.dirs.push(HostDir::new(dir, user, "0750", format!("{image}'s redis user writes its append-only file")));
        }
        None => s.command.extend(["--maxmemory-policy", "allkeys-lru", "--appendonly", "no"].map(String::from)),
    }
    resources(&mut s, p.resources);
    Some(s)
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
            limits(&redis).limits.unwrap().memory.to_string()
        };
        assert_eq!(limit("64M", None), "96M");
        assert_eq!(limit("64M", Some("/srv/q")), "128M");
        assert_eq!(limit("100M", None), "150M");
        assert_eq!(limit("1G", None), "1536M");
    }
}
