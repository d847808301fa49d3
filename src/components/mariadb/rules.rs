//! MariaDB servers (`mariadb:`): the clients' connection pools against
//! `max_connections` (E418), the tuned configuration's worst-case memory
//! against the container's limit (W414), server options gen owns or cannot
//! write (E419), a floating image tag
//! (W420) and a server off the backup host (W516). The figures come from
//! `resolve.rs`, so a diagnostic and the generated gen.cnf never disagree.

use super::resolve::{self as mariadb, option_key};
use crate::blueprint::model::Blueprint;
use crate::diag::Finding;

/// Options gen writes from typed fields or needs as they are, with the
/// reason a blueprint may not set them.
const OWNED: &[(&str, &str)] = &[
    ("max_connections", "set `max_connections` on the server; gen budgets its clients' pools against it"),
    ("port", "the services connect on 3306"),
    ("bind_address", "the services connect over the compose network; the image listens on every address"),
    ("skip_networking", "the services connect over the compose network"),
    ("datadir", "the image keeps its data in /var/lib/mysql; use the server's `data_dir`"),
    ("socket", "healthcheck.sh, install.sh and the backups use the image's socket"),
    ("user", "the image runs the server as its mysql user, who owns `data_dir`"),
];

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (i, m) in bp.mariadb.iter().enumerate() {
        if let Some(image) = m.image.as_ref().filter(|image| crate::resolve::versions::floats(image)) {
            out.push(
                Finding::warning(
                    "W420",
                    format!("/mariadb/{i}/image"),
                    format!("`{image}` floats: its tag names no version, so the next pull may run a MariaDB nobody tested"),
                )
                .hint("pin the release, like `mariadb:11.4.7`; a new major upgrades the data directory (MARIADB_AUTO_UPGRADE)")
                .at_value(),
            );
        }
        if let Some(backup) = bp.backup.as_ref().filter(|b| b.host != m.host) {
            out.push(
                Finding::warning(
                    "W516",
                    format!("/mariadb/{i}/host"),
                    format!(
                        "MariaDB `{}` runs on `{}`, but backups run on `{}`: its databases are not dumped",
                        m.name, m.host, backup.host
                    ),
                )
                .hint("gen dumps the databases of the backup host; move `backup.host` or the database")
                .at_value(),
            );
        }
    }
    for (i, db) in bp.mariadb.iter().enumerate() {
        let at = format!("/mariadb/{i}");
        settings(db, &at, out);
        let budget = mariadb::budget(bp, db);
        if !budget.fits {
            out.push(
                Finding::error(
                    "E418",
                    format!("{at}/max_connections"),
                    format!(
                        "MariaDB `{}`'s clients can need more than max_connections {}: {}",
                        db.name, budget.max_connections.value, budget.sum
                    ),
                )
                .hint("lower the services' `database.connections`, or raise `max_connections` (or leave it out: gen then sums the pools)")
                .at_value(),
            );
        }
        let Some(host) = bp.hosts.iter().find(|h| h.name == db.host) else { continue }; // E205
        let plan = mariadb::plan(bp, host, db);
        let m = &plan.memory;
        if m.total > m.limit {
            let pointer =
                if db.resources.limits.is_some() { format!("{at}/resources/limits/memory") } else { at.clone() };
            out.push(
                Finding::warning(
                    "W414",
                    pointer,
                    format!("MariaDB `{}` may take more than its {} limit: {}", db.name, m.limit, m.formula),
                )
                .hint("raise the memory limit, or lower max_connections or the buffers in `settings`; the kernel kills the server at the limit")
                .at_value(),
            );
        }
    }
}

/// E419: an option gen owns, or a name or value that would not stay one
/// line of the option file.
fn settings(db: &crate::blueprint::model::MariaDb, at: &str, out: &mut Vec<Finding>) {
    for (key, value) in &db.settings {
        let pointer = format!("{at}/settings/{key}");
        let plain_key = !key.is_empty()
            && key.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
            && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !plain_key {
            out.push(
                Finding::error("E419", pointer, format!("`{key}` is not a MariaDB option name"))
                    .hint("write the option as MariaDB names it, lower-case with `_` or `-`, like `innodb_buffer_pool_size`")
                    .at_value(),
            );
            continue;
        }
        if let Some((_, why)) = OWNED.iter().find(|(k, _)| *k == option_key(key)) {
            out.push(
                Finding::error("E419", pointer, format!("gen writes `{key}` itself"))
                    .hint(format!("leave it out of `settings`: {why}"))
                    .at_value(),
            );
            continue;
        }
        let one_line = match value {
            serde_json::Value::String(s) => !s.is_empty() && !s.contains(['\n', '\r', '#', '"', '\'']),
            serde_json::Value::Number(_) | serde_json::Value::Bool(_) => true,
            _ => false,
        };
        if !one_line {
            out.push(
                Finding::error("E419", pointer, format!("`{key}`'s value cannot be written as one option line"))
                    .hint("give a number, `true`/`false`, or a word without quotes, `#` or line breaks, like `512M`")
                    .at_value(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(extra: &str) -> Vec<&'static str> {
        crate::check::codes_on_base(check, extra)
    }

    const GOOD: &str = "
mariadb:
  - name: mariadb
    host: ax52
    data_dir: /srv/mariadb
    root_password_secret: POSTGRES_PASSWORD
    resources:
      limits: {cpus: 1.0, memory: 1G}
services:
  - name: blog
    host: ax52
    image: wordpress:6.8.3-php8.3-apache
    port: 80
    domains: [blog.example.com]
    database: {server: mariadb, name: blog, user: blog, password_secret: POSTGRES_PASSWORD, connections: 40}
";

    #[test]
    fn a_server_passes() {
        assert_eq!(codes(GOOD), Vec::<&str>::new());
    }

    #[test]
    fn pools_over_max_connections_are_e418() {
        let tight = GOOD.replace("    root_password_secret", "    max_connections: 44\n    root_password_secret");
        assert_eq!(codes(&tight), ["E418"], "40 + 5 reserved > 44");
        let enough = GOOD.replace("    root_password_secret", "    max_connections: 45\n    root_password_secret");
        assert_eq!(codes(&enough), Vec::<&str>::new());
    }

    #[test]
    fn memory_over_the_limit_is_w414() {
        // 256 MiB: 64 server + 32 pool floor + 56 buffers + 45 × ~2.9 MiB > 256.
        assert_eq!(codes(&GOOD.replace("memory: 1G", "memory: 256M")), ["W414"]);
        // A buffer pool the blueprint sets beyond the limit.
        let big = GOOD.replace(
            "      limits: {cpus: 1.0, memory: 1G}\n",
            "      limits: {cpus: 1.0, memory: 1G}\n    settings: {innodb_buffer_pool_size: 2G}\n",
        );
        assert_eq!(codes(&big), ["W414"]);
    }

    #[test]
    fn a_floating_image_is_w420() {
        let floating =
            GOOD.replace("    data_dir: /srv/mariadb", "    image: \"mariadb:lts\"\n    data_dir: /srv/mariadb");
        assert_eq!(codes(&floating), ["W420"]);
        assert_eq!(codes(&floating.replace("mariadb:lts", "mariadb:11.4.7")), Vec::<&str>::new());
    }

    #[test]
    fn owned_and_unwritable_options_are_e419() {
        let with = |settings: &str| {
            GOOD.replace(
                "      limits: {cpus: 1.0, memory: 1G}\n",
                &format!("      limits: {{cpus: 1.0, memory: 1G}}\n    settings: {settings}\n"),
            )
        };
        assert_eq!(codes(&with("{long_query_time: 2, slow_query_log: true}")), Vec::<&str>::new());
        assert_eq!(codes(&with("{bind-address: 127.0.0.1}")), ["E419"]);
        assert_eq!(codes(&with("{max_connections: 500}")), ["E419"]);
        assert_eq!(codes(&with("{\"Bad Key\": 1}")), ["E419"]);
        assert_eq!(codes(&with("{init_connect: \"SET x=1\\n[client]\"}")), ["E419"]);
    }
}
