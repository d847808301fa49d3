//! MariaDB servers (`mariadb:`): the compose service of the official image,
//! its `conf.d/gen.cnf` tuned to the container's memory limit, the
//! connection budget of its clients, and its clients' databases (which
//! install.sh creates, the backups dump and restore-mariadb.sh restores).
//!
//! The official image's contract (MariaDB/mariadb-docker, 11.4's Dockerfile,
//! docker-entrypoint.sh and healthcheck.sh): root's password from
//! `MARIADB_ROOT_PASSWORD` on the first start of an empty `/var/lib/mysql`;
//! every `*.cnf` in /etc/mysql/conf.d is read after the packaged
//! configuration (the Dockerfile moves that `!includedir` last), so
//! gen.cnf's values win; `healthcheck.sh --connect --innodb_initialized`
//! logs in as the `healthcheck` user the entrypoint creates; the server
//! listens on every address (the Dockerfile comments out `bind-address`),
//! so gen.cnf sets no `bind-address`.
//!
//! The tuning follows the MariaDB Knowledge Base and mysqltuner's memory
//! arithmetic; each formula is on its function.

use serde::Serialize;

use crate::blueprint::model::{Blueprint, Host, MariaDb};
use crate::blueprint::units::Size;
use crate::components::docker::resolve::compose::{base, health, resources, HostDir, ServicePlan};
use crate::components::postgres::resolve::{approx, Setting};
use crate::components::{ClientDatabase, DataDir, DatabaseServer, Entry};
use crate::resolve::placement::{Guard, Placed, Role};
use crate::resolve::Derived;

/// Where compose mounts gen.cnf in the container.
pub const CONFIG_PATH: &str = "/etc/mysql/conf.d/gen.cnf";
/// The image's data directory (its `VOLUME`).
pub const DATA_PATH: &str = "/var/lib/mysql";

const MIB: u64 = 1 << 20;
const KIB: u64 = 1 << 10;

/// Connections kept beyond the clients' pools: install.sh's client, a
/// backup's `mariadb-dump`, a restore, the health check and an operator's
/// shell. (MariaDB admits one more with the CONNECTION ADMIN privilege
/// beyond max_connections, `extra_max_connections`; gen does not count on
/// it.)
pub const RESERVED_CONNECTIONS: u32 = 5;

/// What the server itself takes besides the buffers below: its code, the
/// data dictionary, the table and thread caches and the InnoDB background
/// threads. gen's allowance, not a published figure: Debian 12's 10.11
/// started with the agency's gen.cnf (716M pool, untouched) measured
/// 100 MiB RSS idle here, most of it the pool's first pages.
pub const SERVER_OVERHEAD: Size = Size(64 * MIB);

/// The smallest buffer pool gen writes: below it InnoDB reads nearly every
/// page from disk. A container too small for it is W414.
pub const MIN_BUFFER_POOL: Size = Size(32 * MIB);

/// A MariaDB server's generated configuration and the figures behind it.
#[derive(Debug, Clone, Serialize)]
pub struct MariadbConf {
    /// The compose service.
    pub service: String,
    pub image: String,
    pub data_dir: String,
    /// gen.cnf, relative to the stack directory.
    pub config_file: String,
    /// The tuning's inputs in words, for the file header and `gen plan`.
    pub inputs: String,
    /// `[mariadbd]` options in file order: gen's tuning, then the
    /// blueprint's own (which replace gen's where they name the same option).
    pub settings: Vec<Setting>,
    pub budget: MariadbBudget,
    pub memory: MariadbMemory,
}

/// The connection budget: every client's pool full, plus the reserve.
#[derive(Debug, Clone, Serialize)]
pub struct MariadbBudget {
    pub max_connections: Derived<u32>,
    pub reserved: u32,
    /// (service, pool) of each container service with a database here.
    pub clients: Vec<(String, u32)>,
    /// Every pool full at once, plus the reserve.
    pub worst_case: u32,
    pub fits: bool,
    /// The sum in words: `wordpress 30 + 5 reserved = 35`.
    pub sum: String,
}

/// The server's worst-case memory, as mysqltuner adds it up (its
/// "Maximum possible memory usage": server buffers + max_connections ×
/// per-thread buffers), against the container's limit.
#[derive(Debug, Clone, Serialize)]
pub struct MariadbMemory {
    pub buffer_pool: Size,
    /// Global buffers besides the pool: key buffer, Aria page cache, log
    /// buffer, the larger of tmp_table_size and max_heap_table_size.
    pub other_buffers: Size,
    /// The buffers one connection may hold at once.
    pub per_thread: Size,
    pub max_connections: u32,
    pub total: Size,
    pub limit: Size,
    /// The sum in words, for the file header and the W414 message.
    pub formula: String,
}

/// The per-connection buffers gen writes (MariaDB's defaults, stated so that
/// the count below and the file agree): `(option, bytes, why)`. mysqltuner
/// counts read_buffer_size + read_rnd_buffer_size + sort_buffer_size +
/// thread_stack + join_buffer_size + max_allowed_packet per thread; gen
/// counts net_buffer_length instead of max_allowed_packet, because a
/// connection's packet buffer starts at net_buffer_length and grows to
/// max_allowed_packet only while it receives a packet that large (KB,
/// "Server System Variables": net_buffer_length), which no pool of PHP
/// workers does at once.
const PER_THREAD: [(&str, u64, &str); 6] = [
    ("sort_buffer_size", 2 * MIB, "MariaDB's default; each sort allocates it whole"),
    ("join_buffer_size", 256 * KIB, "MariaDB's default, per join without an index"),
    ("read_buffer_size", 128 * KIB, "MariaDB's default, per sequential scan"),
    ("read_rnd_buffer_size", 256 * KIB, "MariaDB's default, per sorted read"),
    ("thread_stack", 292 * KIB, "MariaDB's default on 64-bit builds"),
    ("net_buffer_length", 16 * KIB, "MariaDB's default; grows up to max_allowed_packet for a large packet"),
];

/// max_allowed_packet: 64 MiB. MariaDB's default is 16 MiB (KB, "Server
/// System Variables"), and WordPress's importer and page builders send rows
/// beyond it.
const MAX_ALLOWED_PACKET: u64 = 64 * MIB;

/// Global buffers besides the pool, from the container's memory limit `l`:
/// `(option, bytes, why)`.
fn other_buffers(l: u64) -> Vec<(&'static str, u64, String)> {
    let tmp = (l / 32).clamp(16 * MIB, 64 * MIB) / MIB * MIB;
    let aria = (l / 32).clamp(16 * MIB, 128 * MIB) / MIB * MIB;
    vec![
        (
            "key_buffer_size",
            8 * MIB,
            "MyISAM index cache; gen's databases are InnoDB (KB, \"Optimizing key_buffer_size\": keep it small \
             without MyISAM tables; MariaDB's default is 128M)"
                .into(),
        ),
        (
            "aria_pagecache_buffer_size",
            aria,
            format!(
                "Aria holds the system tables and on-disk internal temporary tables: 1/32 of {}, 16M to 128M \
                 (MariaDB's default 128M)",
                Size(l)
            ),
        ),
        ("innodb_log_buffer_size", 16 * MIB, "MariaDB's default".into()),
        (
            "tmp_table_size",
            tmp,
            format!(
                "in-memory temporary tables, = max_heap_table_size as mysqltuner asks: 1/32 of {}, 16M to 64M",
                Size(l)
            ),
        ),
    ]
}

/// The InnoDB buffer pool for a container limit `l`, `n` connections and
/// the other buffers `others` (bytes): what is left once the server's
/// overhead, the other buffers and every connection's buffers are taken,
/// at most 70 % of the limit (the KB's "InnoDB Buffer Pool": 70-80 % of the
/// memory of a dedicated server; gen takes the low end, as the container
/// also holds the server's page-cache-less I/O buffers), rounded down to
/// whole MiB, at least [`MIN_BUFFER_POOL`].
pub fn buffer_pool(l: u64, n: u32, others: u64, per_thread: u64) -> u64 {
    let taken = SERVER_OVERHEAD.bytes() + others + u64::from(n) * per_thread;
    let left = l.saturating_sub(taken);
    (left.min(l * 7 / 10) / MIB * MIB).max(MIN_BUFFER_POOL.bytes())
}

/// The redo log: a quarter of the buffer pool (mysqltuner: "Ratio InnoDB
/// log file size / InnoDB Buffer pool size … should be equal to 25%"),
/// whole MiB, at least 32 MiB. MariaDB 10.5 and later resize the log at
/// startup when this changes (KB, "InnoDB Redo Log").
pub fn log_file_size(pool: u64) -> u64 {
    (pool / 4 / MIB * MIB).max(32 * MIB)
}

/// The connection budget of `db`: `max_connections` from the blueprint, else
/// every client's pool full plus [`RESERVED_CONNECTIONS`].
pub fn budget(bp: &Blueprint, db: &MariaDb) -> MariadbBudget {
    let on_server = crate::components::databases_on(bp, &db.name.0).into_iter();
    let clients: Vec<(String, u32)> = on_server.filter_map(|d| d.pool.map(|n| (d.client, n))).collect();
    let pools: u32 = clients.iter().map(|(_, n)| n).sum();
    let worst_case = pools + RESERVED_CONNECTIONS;
    let max_connections = match db.max_connections {
        Some(m) => Derived::new(m, "blueprint"),
        None => Derived::new(
            worst_case,
            format!("every client's pool full ({pools}) + {RESERVED_CONNECTIONS} for install.sh, backups, the health check and an operator"),
        ),
    };
    let mut parts: Vec<String> = clients.iter().map(|(s, n)| format!("{s} {n}")).collect();
    parts.push(format!("{RESERVED_CONNECTIONS} reserved"));
    MariadbBudget {
        fits: worst_case <= max_connections.value,
        sum: format!("{} = {worst_case}", parts.join(" + ")),
        max_connections,
        reserved: RESERVED_CONNECTIONS,
        clients,
        worst_case,
    }
}

/// A MariaDB size option in bytes: a number of bytes, or digits with a
/// `K`, `M`, `G` or `T` suffix (either case), as MariaDB reads it.
pub fn size_bytes(value: &serde_json::Value) -> Option<u64> {
    match value {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => {
            let s = s.trim();
            let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
            let (number, unit) = s.split_at(split);
            let number: u64 = number.parse().ok()?;
            let scale = match unit {
                "" => 1,
                "k" | "K" => KIB,
                "m" | "M" => MIB,
                "g" | "G" => 1 << 30,
                "t" | "T" => 1 << 40,
                _ => return None,
            };
            number.checked_mul(scale)
        }
        _ => None,
    }
}

/// A blueprint value as an option file value: booleans `ON`/`OFF`, numbers
/// and strings as written (an option file takes no quotes around words).
pub fn cnf_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Bool(b) => if *b { "ON" } else { "OFF" }.to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Option names are the same with `-` or `_` (KB, "Configuring MariaDB with
/// Option Files").
pub fn option_key(key: &str) -> String {
    key.replace('-', "_")
}

/// A byte count as an option value: the largest unit that divides it.
fn bytes_text(b: u64) -> String {
    if b % (1 << 30) == 0 {
        format!("{}G", b >> 30)
    } else if b % MIB == 0 {
        format!("{}M", b / MIB)
    } else if b % KIB == 0 {
        format!("{}K", b / KIB)
    } else {
        b.to_string()
    }
}

pub fn plan(bp: &Blueprint, host: &Host, db: &MariaDb) -> MariadbConf {
    let (_, host_memory) = crate::resolve::machine(host);
    let limit = db.resources.limits.map_or(host_memory.value, |l| l.memory);
    let l = limit.bytes();
    let budget = budget(bp, db);
    let n = budget.max_connections.value;
    let per_thread: u64 = PER_THREAD.iter().map(|(_, b, _)| b).sum();
    let others = other_buffers(l);
    let others_sum: u64 = others.iter().map(|(_, b, _)| b).sum();
    let pool = buffer_pool(l, n, others_sum, per_thread);
    let set = |key: &str, value: String, why: String| Setting { key: key.to_string(), value, why };
    let mut settings = vec![
        set("max_connections", n.to_string(), budget.max_connections.why.clone()),
        set(
            "innodb_buffer_pool_size",
            bytes_text(pool),
            format!(
                "{} − {} server − {} other buffers − {n} × {} per connection, at most 70 %, at least {}",
                limit,
                SERVER_OVERHEAD,
                approx(Size(others_sum)),
                approx(Size(per_thread)),
                MIN_BUFFER_POOL
            ),
        ),
        set(
            "innodb_log_file_size",
            bytes_text(log_file_size(pool)),
            "a quarter of the buffer pool, at least 32M".into(),
        ),
    ];
    for (key, bytes, why) in &others {
        settings.push(set(key, bytes_text(*bytes), why.clone()));
        if *key == "tmp_table_size" {
            settings.push(set("max_heap_table_size", bytes_text(*bytes), "= tmp_table_size".into()));
        }
    }
    for (key, bytes, why) in PER_THREAD {
        settings.push(set(key, bytes_text(bytes), why.into()));
    }
    settings.push(set(
        "max_allowed_packet",
        bytes_text(MAX_ALLOWED_PACKET),
        "WordPress imports and page builders send large rows (MariaDB's default 16M)".into(),
    ));
    settings.push(set(
        "query_cache_type",
        "OFF".into(),
        "off as in MariaDB's default: one global lock serialises every query on it (KB, \"Query Cache\")".into(),
    ));
    settings.push(set("query_cache_size", "0".into(), "no memory for the disabled cache".into()));
    settings.push(set(
        "skip_name_resolve",
        "ON".into(),
        "clients are containers: no reverse DNS per connection (the image sets it too)".into(),
    ));
    // The blueprint's options win: in place where gen set one, else appended.
    for (key, value) in &db.settings {
        let text = cnf_value(value);
        match settings.iter_mut().find(|s| option_key(&s.key) == option_key(key)) {
            Some(s) => {
                s.value = text;
                s.why = "blueprint".into();
            }
            None => settings.push(set(key, text, "blueprint".into())),
        }
    }
    // The memory count reads the file's final values.
    let value_of = |key: &str| {
        settings
            .iter()
            .find(|s| option_key(&s.key) == key)
            .and_then(|s| size_bytes(&serde_json::Value::String(s.value.clone())))
            .unwrap_or(0)
    };
    let buffer_pool = value_of("innodb_buffer_pool_size");
    let tmp = value_of("tmp_table_size").max(value_of("max_heap_table_size"));
    let other = value_of("key_buffer_size")
        + value_of("aria_pagecache_buffer_size")
        + value_of("innodb_log_buffer_size")
        + value_of("query_cache_size")
        + tmp;
    let thread: u64 = PER_THREAD.iter().map(|(k, _, _)| value_of(k)).sum();
    let total = SERVER_OVERHEAD.bytes() + buffer_pool + other + u64::from(n) * thread;
    let image = db.image().0;
    MariadbConf {
        service: db.name.to_string(),
        inputs: format!("{image}, {limit} memory (the container's limit) and {n} connections"),
        image,
        data_dir: db.data_dir.clone(),
        config_file: format!("mariadb/{}/gen.cnf", db.name),
        settings,
        memory: MariadbMemory {
            formula: format!(
                "{} server + buffer pool {} + other buffers {} + {n} connections × {} = {}",
                SERVER_OVERHEAD,
                approx(Size(buffer_pool)),
                approx(Size(other)),
                approx(Size(thread)),
                approx(Size(total))
            ),
            buffer_pool: Size(buffer_pool),
            other_buffers: Size(other),
            per_thread: Size(thread),
            max_connections: n,
            total: Size(total),
            limit,
        },
        budget,
    }
}

/// The compose service of `mariadb[index]`: the official image with root's
/// password from .env, data at /var/lib/mysql owned by the image's mysql
/// user, gen.cnf in conf.d, and the image's own health check.
pub(super) fn compose(bp: &Blueprint, p: &Placed, index: usize) -> Option<ServicePlan> {
    let db = bp.mariadb.get(index)?;
    let image = db.image().0;
    let check = ["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"].map(String::from).to_vec();
    let mut s = base(&p.service, &image, health(check, "30s"));
    s.environment = vec![
        ("MARIADB_ROOT_PASSWORD".into(), format!("${{{}}}", db.root_password_secret)),
        // The entrypoint runs mariadb-upgrade when the image is newer than
        // the data directory (after a dump of the system tables).
        ("MARIADB_AUTO_UPGRADE".into(), "1".into()),
    ];
    s.volumes.push(format!("{}:{DATA_PATH}", db.data_dir));
    let user = crate::components::docker::resolve::images::user(&image).unwrap_or((999, 999));
    s.dirs.push(HostDir::new(&db.data_dir, user, "0750", format!("{image}'s mysql user owns its data directory")));
    s.volumes.push(format!("./mariadb/{}/gen.cnf:{CONFIG_PATH}:ro", db.name));
    resources(&mut s, p.resources);
    Some(s)
}

/// Every MariaDB server's client databases, server by server in blueprint
/// order: its container services' (the database and its user created by
/// install.sh as `root`).
pub fn databases(bp: &Blueprint) -> Vec<ClientDatabase> {
    let server = |db: &MariaDb| {
        let server = DatabaseServer { engine: "mariadb", name: &db.name.0, host: &db.host.0, admin: "root" };
        crate::components::service::resolve::databases(bp, server)
    };
    bp.mariadb.iter().flat_map(server).collect()
}

/// Each MariaDB server on `host`: reached by its clients over the compose
/// network only, never through nginx.
pub(super) fn place(bp: &Blueprint, host: &Host, kind: usize) -> Vec<Placed> {
    let on_host = bp.mariadb.iter().enumerate().filter(|(_, m)| m.host == host.name);
    on_host
        .map(|(m, db)| Placed {
            service: db.name.to_string(),
            role: Role::Component { kind, index: m },
            pointer: format!("/mariadb/{m}"),
            resources: db.resources,
            ports: Vec::new(),
            guard: Guard::Proxy,
            served: false,
        })
        .collect()
}

/// Each server's data directory: what the dumps are made from, so no file
/// backup must cover it (a copy of a running InnoDB is not consistent).
pub(super) fn data(bp: &Blueprint) -> Vec<DataDir> {
    let servers = bp.mariadb.iter().enumerate();
    servers
        .map(|(m, db)| DataDir {
            pointer: format!("/mariadb/{m}/data_dir"),
            path: db.data_dir.clone(),
            whose: format!("`{}`'s data", db.name),
            hosts: vec![db.host.to_string()],
            backup: None,
        })
        .collect()
}

/// Each server's root password, which the container takes from .env.
pub(super) fn secrets(bp: &Blueprint) -> Vec<crate::components::SecretUse> {
    let servers = bp.mariadb.iter().enumerate();
    servers
        .map(|(m, db)| crate::components::SecretUse {
            name: db.root_password_secret.0.clone(),
            pointer: format!("/mariadb/{m}/root_password_secret"),
            host: db.host.to_string(),
        })
        .collect()
}

/// Each MariaDB server (`mariadb[]`), for the shared name and host rules and the Ansible group.
pub(super) fn entries(bp: &Blueprint) -> Vec<Entry<'_>> {
    bp.mariadb.iter().enumerate().map(|(i, db)| Entry::server("mariadb", i, "MariaDB", &db.name, &db.host)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: u64 = 1 << 30;

    #[test]
    fn the_pool_takes_what_connections_leave_at_most_70_percent() {
        // 1 GiB, 35 connections × ~2.9 MiB, 72 MiB of other buffers: 1024 − 64 − 72 − 103 = 785 > 716.
        assert_eq!(buffer_pool(G, 35, 72 * MIB, 3020 * KIB), 716 * MIB);
        // 512 MiB with 150 connections: 512 − 64 − 56 − 442 = −50 → the floor.
        assert_eq!(buffer_pool(G / 2, 150, 56 * MIB, 3020 * KIB), MIN_BUFFER_POOL.bytes());
        // 512 MiB with 40: 512 − 64 − 56 − 118 = 274.
        assert_eq!(buffer_pool(G / 2, 40, 56 * MIB, 3020 * KIB), 274 * MIB);
    }

    #[test]
    fn the_redo_log_is_a_quarter_of_the_pool() {
        assert_eq!(log_file_size(716 * MIB), 179 * MIB);
        assert_eq!(log_file_size(64 * MIB), 32 * MIB);
    }

    #[test]
    fn sizes_read_as_mariadb_reads_them() {
        assert_eq!(size_bytes(&serde_json::json!("512M")), Some(512 * MIB));
        assert_eq!(size_bytes(&serde_json::json!("2g")), Some(2 * G));
        assert_eq!(size_bytes(&serde_json::json!(1024)), Some(1024));
        assert_eq!(size_bytes(&serde_json::json!("2GB")), None);
        assert_eq!(bytes_text(716 * MIB), "716M");
        assert_eq!(bytes_text(2 * G), "2G");
        assert_eq!(bytes_text(292 * KIB), "292K");
        assert_eq!(option_key("innodb-buffer-pool-size"), "innodb_buffer_pool_size");
    }
}
