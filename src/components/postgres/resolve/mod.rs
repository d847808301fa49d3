//! postgresql.conf and pg_hba.conf per PostgreSQL service; its container
//! ([`compose`]), PGTune's formulas ([`tune`]) and its clients' databases
//! ([`clients`]) are beside this file.
//!
//! The file replaces the image's own configuration (`-c config_file=…`), so
//! it must say everything the image's default said that matters: above all
//! `listen_addresses = '*'`, without which the server listens on localhost
//! and no other container can connect. The rest is PGTune's tuning for the
//! container's limits, then the blueprint's own settings, which win.

pub mod clients;
pub mod compose;
pub mod tune;

use serde::Serialize;

use self::tune::Inputs;
use crate::blueprint::model::{Blueprint, DiskKind, Host, Postgres};
use crate::blueprint::units::Size;
use crate::components::Entry;
use crate::resolve::connections::{self, Budget};
use crate::resolve::Derived;

/// Where compose mounts the two files inside the container.
pub const CONFIG_PATH: &str = "/etc/postgresql/postgresql.conf";
pub const HBA_PATH: &str = "/etc/postgresql/pg_hba.conf";

#[derive(Debug, Clone, Serialize)]
pub struct PostgresConf {
    pub service: String,
    pub image: String,
    pub major: u32,
    /// The host directory that holds the cluster (`PG_VERSION` in it names
    /// the major version that initialised it).
    pub data_dir: String,
    /// The generated files, relative to the stack directory.
    pub config_file: String,
    pub hba_file: String,
    /// PGTune's inputs in words, for the file header and `gen plan`.
    pub inputs: String,
    pub sections: Vec<Section>,
    pub hba: Vec<HbaRule>,
    pub budget: Budget,
    pub memory: MemoryBudget,
    /// The container's /dev/shm (compose `shm_size`); see [`shm_size`].
    pub shm_size: Derived<Size>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub title: &'static str,
    pub settings: Vec<Setting>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Setting {
    pub key: String,
    pub value: String,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct HbaRule {
    pub kind: &'static str,
    pub database: String,
    pub user: String,
    pub address: String,
    pub method: &'static str,
    pub why: String,
}

/// What the server may take at worst, against the container's limit.
#[derive(Debug, Clone, Serialize)]
pub struct MemoryBudget {
    pub shared_buffers: Size,
    pub work_mem: Size,
    pub maintenance_work_mem: Size,
    pub max_connections: u32,
    pub total: Size,
    pub limit: Size,
    /// The sum in words, for the file header and the W411 message.
    pub formula: String,
}

/// A PostgreSQL memory setting in bytes: `64MB`, `2GB`, or a bare number in
/// the setting's base unit (8kB blocks for shared_buffers, else kB).
pub fn memory_bytes(key: &str, value: &serde_json::Value) -> Option<u64> {
    let base = if key == "shared_buffers" { 8 * 1024 } else { 1024 };
    match value {
        serde_json::Value::Number(n) => n.as_u64().map(|n| n * base),
        serde_json::Value::String(s) => {
            let s = s.trim();
            let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
            let (number, unit) = s.split_at(split);
            let number: u64 = number.parse().ok()?;
            let scale = match unit.trim() {
                "" => base,
                "B" => 1,
                "kB" => 1024,
                "MB" => 1024 * 1024,
                "GB" => 1024 * 1024 * 1024,
                "TB" => 1024 * 1024 * 1024 * 1024,
                _ => return None,
            };
            Some(number * scale)
        }
        _ => None,
    }
}

/// A blueprint value as postgresql.conf text: numbers and booleans bare,
/// strings single-quoted with quotes doubled.
pub fn conf_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Bool(b) => if *b { "on" } else { "off" }.to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => format!("'{}'", s.replace('\'', "''")),
        other => format!("'{}'", other.to_string().replace('\'', "''")),
    }
}

/// Whether a listen_addresses value lets other containers connect.
pub fn listens_beyond_localhost(value: &serde_json::Value) -> bool {
    let text = value.as_str().unwrap_or_default();
    text.split(',').map(str::trim).any(|a| !a.is_empty() && !matches!(a, "localhost" | "127.0.0.1" | "::1"))
}

/// A size to one decimal in the largest unit it reaches: `4.4G`, `13.0M`.
pub fn approx(size: Size) -> String {
    let b = size.bytes();
    for (unit, suffix) in [(1u64 << 40, "T"), (1 << 30, "G"), (1 << 20, "M"), (1 << 10, "K")] {
        if b >= unit {
            let tenths = (b * 10 + unit / 2) / unit;
            return format!("{}.{}{suffix}", tenths / 10, tenths % 10);
        }
    }
    format!("{b}B")
}

fn storage(pg: &Postgres, host: &Host) -> Derived<DiskKind> {
    if let Some(kind) = pg.storage {
        return Derived::new(kind, "blueprint");
    }
    match host.storage.as_ref().and_then(|s| s.disks.first()) {
        Some(d) => Derived::new(d.kind, "the host's disks"),
        None => Derived::new(DiskKind::Ssd, "assumed: Hetzner Cloud volumes and local disks are SSD"),
    }
}

/// Why `listen_addresses = '*'`: every address of the container, which is
/// the compose network's only; other hosts come through the port Docker
/// publishes on this host's private address.
fn listen_why(bp: &Blueprint, pg: &Postgres) -> String {
    let clients = crate::resolve::private::remote_clients(bp, pg);
    if clients.is_empty() {
        return "other containers connect over the compose network".into();
    }
    format!(
        "the container's own addresses: other containers connect over the compose network, and {} through \
         the port published on this host's private address (pg_hba.conf admits each by its address)",
        clients.iter().map(|c| format!("`{}`", c.host)).collect::<Vec<_>>().join(", ")
    )
}

pub fn plan(bp: &Blueprint, host: &Host, pg: &Postgres) -> PostgresConf {
    let (host_cpus, host_memory) = crate::resolve::machine(host);
    let limits = pg.resources.limits;
    let memory = limits.map_or(host_memory.value, |l| l.memory);
    let cpus = limits.map_or(host_cpus.value, |l| l.cpus.millis().div_ceil(1000));
    // A floating tag (W420) gets the newest major gen knows.
    let major = crate::resolve::versions::postgres(&pg.image).version;
    let budget = connections::budget(bp, pg);
    let disk = storage(pg, host);
    let inputs = Inputs {
        version: major,
        workload: pg.workload,
        memory_kb: memory.bytes() / 1024,
        cpus,
        connections: Some(budget.max_connections.value),
        storage: disk.value,
    };
    let inputs_text = format!(
        "PostgreSQL {major}, {} workload, {memory} memory and {cpus} CPUs (the container's limits), \
         {} connections, {} storage ({})",
        format!("{:?}", pg.workload).to_lowercase(),
        budget.max_connections.value,
        format!("{:?}", disk.value).to_lowercase(),
        disk.why
    );

    let set = |key: &str, value: String, why: String| Setting { key: key.to_string(), value, why };
    let mut sections = vec![Section {
        title: "Connections and authentication",
        settings: vec![
            set("listen_addresses", "'*'".into(), listen_why(bp, pg)),
            set("port", "5432".into(), "the port the applications use".into()),
            set(
                "superuser_reserved_connections",
                budget.superuser_reserved.to_string(),
                "kept for the superuser".into(),
            ),
            set("password_encryption", "'scram-sha-256'".into(), "as pg_hba.conf requires".into()),
            set("hba_file", format!("'{HBA_PATH}'"), "beside this file, not in the data directory".into()),
        ],
    }];
    let mut tuned: Vec<Setting> = tune::tune(&inputs)
        .into_iter()
        .map(|t| {
            let why = if t.key == "max_connections" { budget.max_connections.why.clone() } else { t.why };
            set(t.key, t.value, why)
        })
        .collect();
    // The blueprint's settings win: in place where PGTune set the key, else appended.
    let mut own = Vec::new();
    for (key, value) in &pg.settings {
        let text = conf_value(value);
        let replaced = sections
            .iter_mut()
            .flat_map(|s| s.settings.iter_mut())
            .chain(tuned.iter_mut())
            .find(|s| &s.key == key)
            .map(|s| {
                s.value.clone_from(&text);
                s.why = "blueprint".into();
            })
            .is_some();
        if !replaced {
            own.push(set(key, text, "blueprint".into()));
        }
    }
    sections.push(Section { title: "Tuning (PGTune)", settings: tuned });
    if !own.is_empty() {
        sections.push(Section { title: "Blueprint settings", settings: own });
    }

    let tuned_memory = tune::memory(&inputs);
    let from_settings = |key: &str, tuned_kb: u64| {
        Size(pg.settings.get(key).and_then(|v| memory_bytes(key, v)).unwrap_or(tuned_kb * 1024))
    };
    let shared_buffers = from_settings("shared_buffers", tuned_memory.shared_buffers);
    let work_mem = from_settings("work_mem", tuned_memory.work_mem);
    let maintenance_work_mem = from_settings("maintenance_work_mem", tuned_memory.maintenance_work_mem);
    let max_connections = budget.max_connections.value;
    let total =
        Size(shared_buffers.bytes() + work_mem.bytes() * u64::from(max_connections) + maintenance_work_mem.bytes());

    let shm_size = shm_size(&shm_inputs(&sections, major, work_mem, memory));
    PostgresConf {
        shm_size,
        service: pg.name.to_string(),
        image: pg.image.0.clone(),
        major,
        data_dir: pg.data_dir.clone(),
        config_file: format!("postgres/{}/postgresql.conf", pg.name),
        hba_file: format!("postgres/{}/pg_hba.conf", pg.name),
        inputs: inputs_text,
        sections,
        hba: hba(bp, pg),
        memory: MemoryBudget {
            formula: format!(
                "shared_buffers {shared_buffers} + work_mem {work_mem} × {max_connections} connections \
                 + maintenance_work_mem {maintenance_work_mem} = {}",
                approx(total)
            ),
            shared_buffers,
            work_mem,
            maintenance_work_mem,
            max_connections,
            total,
            limit: memory,
        },
        budget,
    }
}

/// Who may connect: the container's socket, the compose network (IPv4 and
/// IPv6), and each application host on the private network, by its
/// address alone, to its own databases as the role it uses.
fn hba(bp: &Blueprint, pg: &Postgres) -> Vec<HbaRule> {
    let all = || "all".to_string();
    let mut rules = vec![
        HbaRule {
            kind: "local",
            database: all(),
            user: all(),
            address: String::new(),
            method: "trust",
            why:
                "the socket exists inside the container only: health checks, backups via docker exec, first-start init"
                    .into(),
        },
        HbaRule {
            kind: "host",
            database: all(),
            user: all(),
            address: crate::components::docker::resolve::compose::NETWORK_SUBNET.to_string(),
            method: "scram-sha-256",
            why: "the applications on the compose network".into(),
        },
        HbaRule {
            kind: "host",
            database: all(),
            user: all(),
            address: crate::components::docker::resolve::compose::network_subnet6(&bp.project.name.0),
            method: "scram-sha-256",
            why: "the same over IPv6: the network is dual-stack, Docker's DNS answers AAAA too and glibc's \
                  default order (RFC 3484) tries a ULA address before an IPv4 one"
                .into(),
        },
    ];
    for c in crate::resolve::private::remote_clients(bp, pg) {
        rules.push(HbaRule {
            kind: "host",
            database: c.databases.join(","),
            user: pg.user.clone(),
            address: format!("{}/32", c.address),
            method: "scram-sha-256",
            why: format!(
                "`{}` over the private network (the port is published on this host's private address): its \
                 databases, and `postgres`, which the Odoo image's start-up check and database list open",
                c.host
            ),
        });
    }
    rules
}

/// Docker's default /dev/shm of a container (`--shm-size`, docker run reference).
pub const DOCKER_SHM_DEFAULT: Size = Size(64 << 20);

/// The parallel-query settings that size /dev/shm, as the server will run:
/// the written value, else PostgreSQL's compiled-in default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShmInputs {
    pub work_mem: Size,
    /// hash_mem_multiplier in thousandths (2.0 → 2000).
    pub hash_mem_milli: u64,
    pub per_gather: u32,
    pub max_parallel_workers: u32,
    pub max_worker_processes: u32,
    /// `dynamic_shared_memory_type = posix` (the default on Linux).
    pub posix: bool,
    /// The container's memory limit (else the host's memory).
    pub limit: Size,
}

/// /dev/shm for a PostgreSQL container. With `dynamic_shared_memory_type =
/// posix` (Linux's default; PostgreSQL docs, "Resource Consumption",
/// dynamic_shared_memory_type) parallel queries keep their shared memory in
/// /dev/shm, and a parallel hash join shares one hash table of up to
/// work_mem × hash_mem_multiplier per participant, the leader included
/// (docs, hash_mem_multiplier: "hash-based operations … may use
/// hash_mem_multiplier × work_mem"; parallel hash: each process's share).
/// Docker gives a container 64 MB, which gen's own work_mem can exceed
/// ("could not resize shared memory segment … No space left on device");
/// the postgres image's documentation says to raise it with `--shm-size`.
///
/// Sized for every parallel worker busy in a parallel hash at once:
///   64 MB (Docker's default, for the other segments: parallel query state,
///   tuplestores) + work_mem × hash_mem_multiplier × (W + ⌈W / G⌉)
/// with W = min(max_parallel_workers, max_worker_processes) workers and
/// ⌈W / G⌉ leaders (G = max_parallel_workers_per_gather; 0 disables
/// parallel query), rounded up to a MiB and at most the container's memory
/// limit (tmpfs pages count against it; shm_size is a cap, not a reservation).
pub fn shm_size(i: &ShmInputs) -> Derived<Size> {
    const MIB: u64 = 1 << 20;
    if !i.posix {
        return Derived::new(
            DOCKER_SHM_DEFAULT,
            "Docker's default: dynamic_shared_memory_type is not posix, so parallel queries do not use /dev/shm",
        );
    }
    let workers = u64::from(i.max_parallel_workers.min(i.max_worker_processes));
    let leaders = if i.per_gather == 0 { 0 } else { workers.div_ceil(u64::from(i.per_gather)) };
    let participants = if i.per_gather == 0 { 0 } else { workers + leaders };
    let per_participant = (i.work_mem.bytes() * i.hash_mem_milli).div_ceil(1000);
    let need = DOCKER_SHM_DEFAULT.bytes() + per_participant * participants;
    let need = need.div_ceil(MIB) * MIB;
    let multiplier =
        format!("{}.{}", i.hash_mem_milli / 1000, format!("{:03}", i.hash_mem_milli % 1000).trim_end_matches('0'));
    let multiplier = multiplier.trim_end_matches('.');
    let formula = format!(
        "64M + work_mem {} × hash_mem_multiplier {multiplier} × ({workers} parallel workers + {leaders} leaders) = {}",
        i.work_mem,
        approx(Size(need))
    );
    if need > i.limit.bytes() && i.limit.bytes() > 0 {
        Derived::new(i.limit, format!("{formula}, capped at the container's memory limit {}", i.limit))
    } else {
        Derived::new(Size(need), format!("{formula} (parallel hash joins in /dev/shm; Docker's default is 64M)"))
    }
}

/// A setting's final text in the generated file, if gen writes it.
fn written<'a>(sections: &'a [Section], key: &str) -> Option<&'a str> {
    sections.iter().flat_map(|s| &s.settings).find(|s| s.key == key).map(|s| s.value.trim_matches('\''))
}

/// A decimal such as `2.0` or `1.5` in thousandths.
fn milli(text: &str) -> Option<u64> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 3 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let frac: u64 = if frac.is_empty() { 0 } else { format!("{frac:0<3}").parse().ok()? };
    Some(whole.parse::<u64>().ok()? * 1000 + frac)
}

/// The inputs of [`shm_size`] from the written settings and PostgreSQL's
/// defaults (docs, "Resource Consumption" and "Asynchronous Behavior"):
/// hash_mem_multiplier 2.0 from PostgreSQL 15 (1.0 in 13 and 14),
/// max_parallel_workers_per_gather 2, max_parallel_workers 8,
/// max_worker_processes 8, dynamic_shared_memory_type posix on Linux.
fn shm_inputs(sections: &[Section], major: u32, work_mem: Size, limit: Size) -> ShmInputs {
    let number = |key: &str, default: u32| written(sections, key).and_then(|v| v.parse().ok()).unwrap_or(default);
    ShmInputs {
        work_mem,
        hash_mem_milli: written(sections, "hash_mem_multiplier").and_then(milli).unwrap_or(if major >= 15 {
            2000
        } else {
            1000
        }),
        per_gather: number("max_parallel_workers_per_gather", 2),
        max_parallel_workers: number("max_parallel_workers", 8),
        max_worker_processes: number("max_worker_processes", 8),
        posix: written(sections, "dynamic_shared_memory_type").is_none_or(|v| v == "posix"),
        limit,
    }
}

/// Each PostgreSQL server (`postgres[]`), for the shared name and host rules and the Ansible group.
pub(super) fn entries(bp: &Blueprint) -> Vec<Entry<'_>> {
    bp.postgres
        .iter()
        .enumerate()
        .map(|(i, db)| Entry::server("postgres", i, "PostgreSQL", &db.name, &db.host))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shm(work_mem_kb: u64, hash_mem_milli: u64, per_gather: u32, workers: u32, limit: Size) -> Derived<Size> {
        shm_size(&ShmInputs {
            work_mem: Size(work_mem_kb << 10),
            hash_mem_milli,
            per_gather,
            max_parallel_workers: workers,
            max_worker_processes: 8,
            posix: true,
            limit,
        })
    }

    #[test]
    fn shm_covers_every_parallel_hash_participant() {
        // The Odoo reference: work_mem 13273kB, PG 16 defaults (2.0, 2 per gather, 8 workers):
        // 8 workers + 4 leaders = 12 shares of 26546kB = 311.1M, + 64M = 375.1M → 376M.
        let s = shm(13273, 2000, 2, 8, Size::gib(8));
        assert_eq!(s.value, Size(376 << 20), "{}", s.why);
        assert!(s.why.contains("8 parallel workers + 4 leaders"), "{}", s.why);
        // PostgreSQL 13/14: hash_mem_multiplier 1.0.
        assert_eq!(shm(13273, 1000, 2, 8, Size::gib(8)).value, Size(220 << 20));
        // Parallel query off: Docker's default is enough.
        assert_eq!(shm(65536, 2000, 0, 8, Size::gib(8)).value, Size(64 << 20));
        // Never above the container's memory limit.
        let capped = shm(1 << 20, 2000, 4, 8, Size::gib(2));
        assert_eq!(capped.value, Size::gib(2));
        assert!(capped.why.contains("capped"), "{}", capped.why);
        // max_worker_processes bounds the workers.
        let s = shm_size(&ShmInputs {
            work_mem: Size(4 << 20),
            hash_mem_milli: 2000,
            per_gather: 4,
            max_parallel_workers: 16,
            max_worker_processes: 8,
            posix: true,
            limit: Size::gib(8),
        });
        assert_eq!(s.value, Size((64 + 8 * 10) << 20), "{}", s.why);
    }

    #[test]
    fn shm_reads_the_written_settings() {
        let settings = |pairs: &[(&str, &str)]| {
            vec![Section {
                title: "t",
                settings: pairs
                    .iter()
                    .map(|(k, v)| Setting { key: (*k).into(), value: (*v).into(), why: String::new() })
                    .collect(),
            }]
        };
        let i = shm_inputs(
            &settings(&[("hash_mem_multiplier", "1.5"), ("max_parallel_workers", "4")]),
            16,
            Size(1),
            Size(2),
        );
        assert_eq!((i.hash_mem_milli, i.max_parallel_workers, i.per_gather), (1500, 4, 2));
        assert!(i.posix);
        let i = shm_inputs(&settings(&[("dynamic_shared_memory_type", "'sysv'")]), 14, Size(1), Size(2));
        assert_eq!((i.hash_mem_milli, i.posix), (1000, false));
        assert_eq!(milli("2"), Some(2000));
        assert_eq!(milli("1.25"), Some(1250));
        assert_eq!(milli("x"), None);
    }

    #[test]
    fn memory_settings_parse_in_postgres_units() {
        assert_eq!(memory_bytes("work_mem", &json!("64MB")), Some(64 << 20));
        assert_eq!(memory_bytes("work_mem", &json!(4096)), Some(4096 << 10));
        assert_eq!(memory_bytes("shared_buffers", &json!(16384)), Some(128 << 20), "8kB blocks");
        assert_eq!(memory_bytes("shared_buffers", &json!("2GB")), Some(2 << 30));
        assert_eq!(memory_bytes("work_mem", &json!("64 MiB")), None);
    }

    #[test]
    fn approx_rounds_to_one_decimal() {
        assert_eq!(approx(Size(4_723_087_360)), "4.4G");
        assert_eq!(approx(Size::gib(8)), "8.0G");
        assert_eq!(approx(Size(512)), "512B");
    }

    #[test]
    fn values_are_quoted_as_postgres_reads_them() {
        assert_eq!(conf_value(&json!("it's")), "'it''s'");
        assert_eq!(conf_value(&json!(1.1)), "1.1");
        assert_eq!(conf_value(&json!(true)), "on");
    }

    #[test]
    fn listen_addresses_must_reach_beyond_localhost() {
        assert!(listens_beyond_localhost(&json!("*")));
        assert!(listens_beyond_localhost(&json!("localhost, 172.30.0.2")));
        assert!(!listens_beyond_localhost(&json!("localhost")));
        assert!(!listens_beyond_localhost(&json!("")));
    }
}
