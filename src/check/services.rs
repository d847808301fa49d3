//! Check: container services (`services:`), and every container's name on
//! its host.
//!
//! - E221: a service with `domains` but no `port`: nginx has nothing to
//!   proxy to;
//! - E222: a data volume whose `owner` is not `uid:gid`, or whose `target`
//!   is not an absolute path (compose refuses a relative one);
//! - E224: a service's `database` on a server that is not a PostgreSQL
//!   service of its host;
//! - E223: two containers with one name on one host (a service, a site's
//!   part, an Odoo environment, a PostgreSQL service, nginx, a monitoring
//!   container): compose keeps one of them and the other silently
//!   disappears from the file.

use std::collections::BTreeMap;

use super::literals::is_db_name;
use crate::blueprint::model::{Blueprint, ContainerService, ServiceDatabase};
use crate::diag::Finding;
use crate::plan::{monitoring, placement};

fn is_owner(value: &str) -> bool {
    value.split_once(':').is_some_and(|(u, g)| {
        [u, g].iter().all(|id| !id.is_empty() && id.len() <= 10 && id.bytes().all(|b| b.is_ascii_digit()))
    })
}

fn services(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (i, s) in bp.services.iter().enumerate() {
        if !s.domains.is_empty() && s.port.is_none() {
            out.push(
                Finding::error(
                    "E221",
                    format!("/services/{i}/domains"),
                    format!("service `{}` has domains but no `port`", s.name),
                )
                .hint("add `port:` with the HTTP port the container listens on; nginx proxies its domains there")
                .at_value(),
            );
        }
        if let Some(db) = &s.database {
            database(bp, i, s, db, out);
        }
        for (v, volume) in s.volumes.iter().enumerate() {
            if let Some(owner) = volume.owner.as_deref().filter(|o| !is_owner(o)) {
                out.push(
                    Finding::error("E222", format!("/services/{i}/volumes/{v}/owner"), format!("`{owner}` is not `uid:gid`"))
                        .hint("write the numeric user and group the image runs as, like `1000:1000` (`docker run --rm IMAGE id` shows them)")
                        .at_value(),
                );
            }
            if !volume.target.starts_with('/') {
                out.push(
                    Finding::error(
                        "E222",
                        format!("/services/{i}/volumes/{v}/target"),
                        format!("`{}` is not an absolute path", volume.target),
                    )
                    .hint("write where the container sees the directory, from `/`, like `/app/data`")
                    .at_value(),
                );
            }
        }
    }
}

/// E224 for a database server that is not a PostgreSQL service on the
/// service's host; E210 for names gen cannot write.
fn database(bp: &Blueprint, i: usize, s: &ContainerService, db: &ServiceDatabase, out: &mut Vec<Finding>) {
    match bp.postgres.iter().find(|pg| pg.name == db.server) {
        None => out.push(
            Finding::error(
                "E224",
                format!("/services/{i}/database/server"),
                format!("`{}` is not a PostgreSQL service", db.server),
            )
            .hint(format!(
                "name one under `postgres:`{}",
                if bp.postgres.is_empty() {
                    String::new()
                } else {
                    format!(": {}", bp.postgres.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", "))
                }
            ))
            .at_value(),
        ),
        Some(pg) if pg.host != s.host => out.push(
            Finding::error(
                "E224",
                format!("/services/{i}/database/server"),
                format!("`{}` runs on `{}`, service `{}` on `{}`", pg.name, pg.host, s.name, s.host),
            )
            .hint("put the service on the PostgreSQL service's host: gen reaches a database over the host's compose network only")
            .at_value(),
        ),
        Some(_) => {}
    }
    for (field, value) in [("name", &db.name), ("user", &db.user)] {
        if !is_db_name(value) {
            out.push(
                Finding::error("E210", format!("/services/{i}/database/{field}"), format!("`{value}` is not a {} name gen can write", if field == "name" { "database" } else { "role" }))
                    .hint("use lower-case letters, digits, `_` and `-`, starting with a letter or `_` (at most 63); it lands in SQL and shell lines")
                    .at_value(),
            );
        }
    }
}

/// Every container's name on each host, once.
fn container_names(bp: &Blueprint, out: &mut Vec<Finding>) {
    let monitoring: Vec<&str> = monitoring::containers(bp).into_iter().map(|(name, _)| name).collect();
    for host in &bp.hosts {
        let placed = placement::on_host(bp, host);
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        // Monitoring's containers come with compose, which any placed container brings.
        let fixed = if placed.is_empty() { Vec::new() } else { monitoring.clone() };
        for name in fixed {
            seen.insert(name, "/monitoring");
        }
        for p in &placed {
            match seen.get(p.service.as_str()) {
                Some(first) => out.push(
                    Finding::error(
                        "E223",
                        p.pointer.clone(),
                        format!("two containers on `{}` are named `{}` (the other: `{first}`)", host.name, p.service),
                    )
                    .hint("rename one: compose keeps one service per name, and the other silently disappears from docker-compose.yml"),
                ),
                None => {
                    seen.insert(&p.service, &p.pointer);
                }
            }
        }
    }
}

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    services(bp, out);
    container_names(bp, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(extra: &str) -> Vec<&'static str> {
        crate::check::codes_on_base(check, extra)
    }

    const GOOD: &str = "
services:
  - name: status
    host: ax52
    image: louislam/uptime-kuma:1.23.16
    port: 3001
    domains: [status.example.com]
    volumes: [{source: /srv/status/data, target: /app/data, owner: \"1000:1000\"}]
";

    #[test]
    fn a_service_passes() {
        assert_eq!(codes(GOOD), Vec::<&str>::new());
    }

    #[test]
    fn each_defect_has_its_code() {
        assert_eq!(codes(&GOOD.replace("    port: 3001\n", "")), ["E221"]);
        assert_eq!(codes(&GOOD.replace("\"1000:1000\"", "node")), ["E222"]);
        assert_eq!(codes(&GOOD.replace("target: /app/data", "target: app/data")), ["E222"]);
        // Named like the PostgreSQL service of the base, and like a monitoring container.
        assert_eq!(codes(&GOOD.replace("name: status", "name: postgres")), ["E223"]);
        let monitored =
            format!("{}\nmonitoring: {{prometheus: true}}\n", GOOD.replace("name: status", "name: prometheus"));
        assert_eq!(codes(&monitored), ["E223"]);
    }

    #[test]
    fn a_database_on_the_hosts_postgres() {
        let with_db = GOOD.replace(
            "    port: 3001\n",
            "    port: 3001\n    database: {server: postgres, name: status, user: status, password_secret: POSTGRES_PASSWORD}\n",
        );
        assert_eq!(codes(&with_db), Vec::<&str>::new());
        assert_eq!(codes(&with_db.replace("server: postgres", "server: pg")), ["E224"]);
        assert_eq!(codes(&with_db.replace("user: status", "user: Status")), ["E210"]);
    }

    #[test]
    fn a_redis_beside_the_service() {
        let with_redis = GOOD.replace("    port: 3001\n", "    port: 3001\n    redis: {memory: 32M}\n");
        assert_eq!(codes(&with_redis), Vec::<&str>::new());
        // `<name>-redis` is taken by another container.
        let clash = format!("{with_redis}  - {{name: status-redis, host: ax52, image: \"redis:7.4.2-alpine\"}}\n");
        assert_eq!(codes(&clash), ["E223"]);
    }

    #[test]
    fn owners_are_numeric() {
        assert!(is_owner("1000:1000") && is_owner("0:0"));
        assert!(!is_owner("1000") && !is_owner("www-data:www-data") && !is_owner(":1000"));
    }
}
