//! Rules of container services (`services:`); their names (E202), data
//! directories (E212, E228, W517) and capacity come from the shared rules
//! over their records.
//!
//! - E221: a service with `domains` but no `port`: nginx has nothing to
//!   proxy to;
//! - E221 also: port 0; W221: `health_path` without `port`, `access` or
//!   `basic_auth` without `domains` (they would restrict nothing);
//! - W420: an image whose tag names no version (`latest`, `alpine`);
//! - E222: a data volume whose `owner` is not `uid:gid`, or whose `target`
//!   is not a plain absolute path (compose refuses a relative one and splits
//!   at `:`); a `user` compose cannot take;
//! - E224: a service's `database` on a server that is neither a
//!   PostgreSQL service nor a MariaDB server of its host;
//! - E226: a service database or role that is somebody else's;
//! - E211: a `health_path` gen cannot write into a shell health check.
//!
//! Two containers with one name on one host (a service named like a
//! monitoring container, say) are E202, with the other names.

use std::collections::BTreeMap;

use crate::blueprint::model::{Blueprint, ContainerService, ServiceDatabase};
use crate::check::literals::{http_path, is_db_name, is_plain_path};
use crate::diag::Finding;

fn is_owner(value: &str) -> bool {
    value.split_once(':').is_some_and(|(u, g)| {
        [u, g].iter().all(|id| !id.is_empty() && id.len() <= 10 && id.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// A compose `user`: a name or number, optionally `:group` (name or number).
fn is_user(value: &str) -> bool {
    let part = |p: &str| {
        !p.is_empty()
            && p.len() <= 32
            && (p.bytes().all(|b| b.is_ascii_digit())
                || (p.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                    && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')))
    };
    match value.split_once(':') {
        Some((user, group)) => part(user) && part(group),
        None => part(value),
    }
}

fn services(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (i, s) in bp.services.iter().enumerate() {
        if s.port == Some(0) {
            out.push(
                Finding::error(
                    "E221",
                    format!("/services/{i}/port"),
                    format!("service `{}` listens on port 0", s.name),
                )
                .hint("write the HTTP port the container listens on (1-65535)")
                .at_value(),
            );
        }
        if crate::resolve::versions::floats(&s.image) {
            out.push(
                Finding::warning(
                    "W420",
                    format!("/services/{i}/image"),
                    format!(
                        "`{}` floats: its tag names no version, so the next pull may run software nobody tested",
                        s.image
                    ),
                )
                .hint("pin the image's release, like `louislam/uptime-kuma:1.23.16`")
                .at_value(),
            );
        }
        if let Some(user) = s.user.as_deref().filter(|u| !is_user(u)) {
            out.push(
                Finding::error("E222", format!("/services/{i}/user"), format!("`{user}` is not a compose `user`"))
                    .hint("write `uid:gid` (`1000:1000`) or a user name of the image, optionally with `:group`")
                    .at_value(),
            );
        }
        if s.port.is_none() && s.health_path.is_some() {
            out.push(
                Finding::warning(
                    "W221",
                    format!("/services/{i}/health_path"),
                    format!("service `{}` has a `health_path` but no `port`: no health check asks it", s.name),
                )
                .hint("add `port:` with the port the path answers on, or remove `health_path`")
                .at_value(),
            );
        }
        if s.domains.is_empty() && (s.access.is_some() || s.basic_auth.is_some()) {
            let key = if s.access.is_some() { "access" } else { "basic_auth" };
            out.push(
                Finding::warning(
                    "W221",
                    format!("/services/{i}/{key}"),
                    format!(
                        "service `{}` has `{key}` but no `domains`: nginx serves it nowhere, so nothing is restricted",
                        s.name
                    ),
                )
                .hint("add `domains:` for nginx to serve it under, or remove the setting")
                .at_value(),
            );
        }
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
            if !is_plain_path(&volume.target) {
                out.push(
                    Finding::error(
                        "E222",
                        format!("/services/{i}/volumes/{v}/target"),
                        format!("`{}` is not a plain absolute path", volume.target),
                    )
                    .hint("write where the container sees the directory, from `/`, like `/app/data`, with letters, digits and `/._-+@` (compose splits a volume at `:`)")
                    .at_value(),
                );
            }
        }
    }
}

/// E224 for a database server that is neither a PostgreSQL service nor a
/// MariaDB server of the blueprint, or one on another host; E210 for names
/// gen cannot write.
fn database(bp: &Blueprint, i: usize, s: &ContainerService, db: &ServiceDatabase, out: &mut Vec<Finding>) {
    let server = bp
        .postgres
        .iter()
        .find(|pg| pg.name == db.server)
        .map(|pg| ("PostgreSQL service", &pg.host))
        .or_else(|| bp.mariadb.iter().find(|m| m.name == db.server).map(|m| ("MariaDB server", &m.host)));
    match server {
        None => {
            let known: Vec<String> = bp
                .postgres
                .iter()
                .map(|p| format!("{} (PostgreSQL)", p.name))
                .chain(bp.mariadb.iter().map(|m| format!("{} (MariaDB)", m.name)))
                .collect();
            out.push(
                Finding::error(
                    "E224",
                    format!("/services/{i}/database/server"),
                    format!("`{}` is neither a PostgreSQL service nor a MariaDB server", db.server),
                )
                .hint(format!(
                    "name one under `postgres:` or `mariadb:`{}",
                    if known.is_empty() { String::new() } else { format!(": {}", known.join(", ")) }
                ))
                .at_value(),
            );
        }
        Some((kind, host)) if *host != s.host => out.push(
            Finding::error(
                "E224",
                format!("/services/{i}/database/server"),
                format!("{kind} `{}` runs on `{host}`, service `{}` on `{}`", db.server, s.name, s.host),
            )
            .hint("put the service on its database server's host: gen reaches a database over the host's compose network only")
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

/// PostgreSQL's own databases: `postgres` (the maintenance database) and
/// the templates every `CREATE DATABASE` copies.
const RESERVED_DATABASES: [&str; 3] = ["postgres", "template0", "template1"];

/// MariaDB's own databases and schemas, which the backups leave out and
/// no service may take.
const MARIADB_DATABASES: [&str; 4] = ["mysql", "sys", "information_schema", "performance_schema"];

/// E226: a service database or role that is somebody else's: the server's
/// superuser, PostgreSQL's own databases, an Odoo environment's database, or
/// another service's database or role on the same server. install.sh would
/// set that role's password, or hand that database to the service.
fn ownership(bp: &Blueprint, out: &mut Vec<Finding>) {
    // (server, name) → the service that took it first.
    let mut databases: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    let mut roles: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    for (i, s) in bp.services.iter().enumerate() {
        let Some(db) = &s.database else { continue };
        let mut refuse = |field: &str, why: String| {
            out.push(
                Finding::error("E226", format!("/services/{i}/database/{field}"), why)
                    .hint("give the service a database and a role of its own; install.sh creates them and sets the role's password from .env on every run")
                    .at_value(),
            );
        };
        if let Some(m) = bp.mariadb.iter().find(|m| m.name == db.server) {
            if db.user == "root" {
                refuse(
                    "user",
                    format!(
                        "`root` is `{}`'s superuser: install.sh would set its password to `{}`",
                        m.name, db.password_secret
                    ),
                );
            }
            if MARIADB_DATABASES.contains(&db.name.as_str()) {
                refuse("name", format!("`{}` is MariaDB's own database", db.name));
            }
            if let Some(first) = databases.insert((m.name.as_str(), db.name.as_str()), s.name.as_str()) {
                refuse("name", format!("`{}` on `{}` is service `{first}`'s database too", db.name, m.name));
            }
            if let Some(first) = roles.insert((m.name.as_str(), db.user.as_str()), s.name.as_str()) {
                refuse("user", format!("`{}` on `{}` is service `{first}`'s user too", db.user, m.name));
            }
            continue;
        }
        let Some(pg) = bp.postgres.iter().find(|pg| pg.name == db.server) else { continue }; // E224
        if db.user == pg.user {
            refuse(
                "user",
                format!(
                    "`{}` is `{}`'s superuser: install.sh would set its password to `{}`",
                    db.user, pg.name, db.password_secret
                ),
            );
        }
        let odoo = crate::components::backup::resolve::backup::odoo_databases(bp, &pg.name.0);
        if RESERVED_DATABASES.contains(&db.name.as_str()) {
            refuse("name", format!("`{}` is PostgreSQL's own database", db.name));
        } else if odoo.iter().any(|(o, _)| o == &db.name) {
            refuse("name", format!("`{}` is an Odoo environment's database on `{}`", db.name, pg.name));
        }
        if let Some(first) = databases.insert((pg.name.as_str(), db.name.as_str()), s.name.as_str()) {
            refuse("name", format!("`{}` on `{}` is service `{first}`'s database too", db.name, pg.name));
        }
        if let Some(first) = roles.insert((pg.name.as_str(), db.user.as_str()), s.name.as_str()) {
            refuse("user", format!("`{}` on `{}` is service `{first}`'s role too", db.user, pg.name));
        }
    }
}

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    services(bp, out);
    ownership(bp, out);
    for (i, s) in bp.services.iter().enumerate() {
        http_path(s.health_path.as_deref(), format!("/services/{i}/health_path"), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind's rules and the shared ones over their records that
    /// these tests reach (E228's directories).
    fn codes(extra: &str) -> Vec<&'static str> {
        crate::check::codes_on_base(
            |bp, out| {
                crate::components::rules(bp, out);
                crate::check::directories::check(bp, out);
            },
            extra,
        )
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
        // Named like the PostgreSQL service of the base, or a monitoring container: E202.
        let names = |extra: &str| crate::check::codes_on_base(crate::check::names::check, extra);
        assert_eq!(names(&GOOD.replace("name: status", "name: postgres")), ["E202"]);
        let monitored =
            format!("{}\nmonitoring: {{prometheus: true}}\n", GOOD.replace("name: status", "name: prometheus"));
        assert_eq!(names(&monitored), ["E202"]);
        assert_eq!(names(&GOOD.replace("name: status", "name: nginx")), ["E202"]);
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
    fn a_database_of_its_own() {
        let db = |spec: &str| GOOD.replace("    port: 3001\n", &format!("    port: 3001\n    database: {{{spec}}}\n"));
        let ok = "server: postgres, name: status, user: status, password_secret: POSTGRES_PASSWORD";
        assert_eq!(codes(&db(ok)), Vec::<&str>::new());
        // The base's PostgreSQL superuser is `odoo`, its Odoo database `odoo_prod`.
        assert_eq!(codes(&db(&ok.replace("user: status", "user: odoo"))), ["E226"]);
        assert_eq!(codes(&db(&ok.replace("name: status", "name: odoo_prod"))), ["E226"]);
        assert_eq!(codes(&db(&ok.replace("name: status", "name: template1"))), ["E226"]);
        let twice = format!("{}  - {{name: other, host: ax52, image: \"busybox:1.36\", database: {{{ok}}}}}\n", db(ok));
        assert_eq!(codes(&twice), ["E226", "E226"]);
    }

    #[test]
    fn a_database_on_the_hosts_mariadb() {
        let server = "mariadb:\n  - {name: mariadb, host: ax52, data_dir: /srv/mariadb, root_password_secret: POSTGRES_PASSWORD, resources: {limits: {cpus: 1.0, memory: 1G}}}\n";
        let db = |spec: &str| {
            format!(
                "{server}{}",
                GOOD.replace("    port: 3001\n", &format!("    port: 3001\n    database: {{{spec}}}\n"))
            )
        };
        let ok = "server: mariadb, name: status, user: status, password_secret: POSTGRES_PASSWORD";
        assert_eq!(codes(&db(ok)), Vec::<&str>::new());
        assert_eq!(codes(&db(&ok.replace("server: mariadb", "server: maria"))), ["E224"]);
        let elsewhere = db(ok).replace("host: ax52, data_dir", "host: ax41, data_dir");
        assert_eq!(codes(&elsewhere), ["E224"]);
        assert_eq!(codes(&db(&ok.replace("user: status", "user: root"))), ["E226"]);
        assert_eq!(codes(&db(&ok.replace("name: status", "name: mysql"))), ["E226"]);
        let twice = format!("{}  - {{name: other, host: ax52, image: \"busybox:1.36\", database: {{{ok}}}}}\n", db(ok));
        assert_eq!(codes(&twice), ["E226", "E226"]);
        // Its data inside a service's, or named like another container.
        assert_eq!(codes(&db(ok).replace("data_dir: /srv/mariadb", "data_dir: /srv/status/data/db")), ["E228"]);
        let names = |extra: &str| crate::check::codes_on_base(crate::check::names::check, extra);
        assert_eq!(
            names(&db(ok).replace("{name: mariadb,", "{name: status,").replace("server: mariadb", "server: status")),
            ["E202"]
        );
    }

    #[test]
    fn a_redis_beside_the_service() {
        let with_redis = GOOD.replace("    port: 3001\n", "    port: 3001\n    redis: {memory: 32M}\n");
        assert_eq!(codes(&with_redis), Vec::<&str>::new());
        // `<name>-redis` is taken by another container: E202.
        let clash = format!("{with_redis}  - {{name: status-redis, host: ax52, image: \"redis:7.4.2-alpine\"}}\n");
        assert_eq!(crate::check::codes_on_base(crate::check::names::check, &clash), ["E202"]);
        let shared = GOOD.replace("    port: 3001\n", "    port: 3001\n    redis: {data_dir: /srv/status/data}\n");
        assert_eq!(codes(&shared), ["E228"], "the Redis's file in the service's data");
        let bitnami = GOOD.replace("    port: 3001\n", "    port: 3001\n    redis: {image: \"bitnami/redis:7.4.2\"}\n");
        assert_eq!(codes(&bitnami), ["W222"]);
    }

    #[test]
    fn directories_of_their_own() {
        let source = |path: &str| GOOD.replace("source: /srv/status/data", &format!("source: {path}"));
        assert_eq!(codes(&source("/")), ["E228"]);
        assert_eq!(codes(&source("/etc/status")), ["E228"]);
        assert_eq!(codes(&source("/opt/odoo/status")), ["E228"], "the stack directory");
        assert_eq!(codes(&source("/mnt/odoo-data")), ["E228"], "holds the Odoo and PostgreSQL data");
        assert_eq!(codes(&source("/mnt/odoo-data/postgres/x")), ["E228"]);
        let served = format!(
            "{GOOD}static_sites:\n  - {{name: s, hosts: [ax52], domains: [s.example.com], root: /srv/status}}\n"
        );
        assert_eq!(codes(&served), ["E228"], "a static site serving a service's data");
        assert_eq!(codes(&source("/srv/status-data")), Vec::<&str>::new(), "a sibling is not inside");
    }

    #[test]
    fn a_floating_image_is_w420() {
        assert_eq!(codes(&GOOD.replace("louislam/uptime-kuma:1.23.16", "louislam/uptime-kuma:latest")), ["W420"]);
        assert_eq!(codes(&GOOD.replace("louislam/uptime-kuma:1.23.16", "louislam/uptime-kuma:1")), Vec::<&str>::new());
    }

    #[test]
    fn settings_that_take_effect() {
        assert_eq!(codes(&GOOD.replace("port: 3001", "port: 0")), ["E221"]);
        assert_eq!(codes(&format!("{GOOD}    user: \"root; echo\"\n")), ["E222"]);
        assert_eq!(codes(&format!("{GOOD}    user: \"www-data:www-data\"\n")), Vec::<&str>::new());
        assert_eq!(codes(&GOOD.replace("target: /app/data", "target: \"/app/da ta\"")), ["E222"]);
        let worker = GOOD.replace(
            "    port: 3001\n    domains: [status.example.com]\n",
            "    health_path: /health\n    access: vpn_only\n",
        );
        assert_eq!(codes(&worker), ["W221", "W221"]);
    }

    #[test]
    fn owners_are_numeric() {
        assert!(is_owner("1000:1000") && is_owner("0:0"));
        assert!(!is_owner("1000") && !is_owner("www-data:www-data") && !is_owner(":1000"));
    }
}
