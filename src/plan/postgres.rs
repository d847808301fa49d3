//! postgresql.conf and pg_hba.conf per PostgreSQL service.
//!
//! The file replaces the image's own configuration (`-c config_file=…`), so
//! it must say everything the image's default said that matters: above all
//! `listen_addresses = '*'`, without which the server listens on localhost
//! and no other container can connect. The rest is PGTune's tuning for the
//! container's limits, then the blueprint's own settings, which win.

use serde::Serialize;

use super::connections::{self, Budget};
use super::pgtune::{self, Inputs};
use super::Derived;
use crate::blueprint::model::{Blueprint, DiskKind, Host, Postgres};
use crate::blueprint::units::Size;

/// Where compose mounts the two files inside the container.
pub const CONFIG_PATH: &str = "/etc/postgresql/postgresql.conf";
pub const HBA_PATH: &str = "/etc/postgresql/pg_hba.conf";

#[derive(Debug, Clone, Serialize)]
pub struct PostgresConf {
    pub service: String,
    pub image: String,
    pub major: u32,
    /// The generated files, relative to the stack directory.
    pub config_file: String,
    pub hba_file: String,
    /// PGTune's inputs in words, for the file header and `gen plan`.
    pub inputs: String,
    pub sections: Vec<Section>,
    pub hba: Vec<HbaRule>,
    pub budget: Budget,
    pub memory: MemoryBudget,
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
    pub database: &'static str,
    pub user: &'static str,
    pub address: String,
    pub method: &'static str,
    pub why: &'static str,
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

pub fn plan(bp: &Blueprint, host: &Host, pg: &Postgres) -> PostgresConf {
    let (host_cpus, host_memory) = super::machine(host);
    let limits = pg.resources.limits;
    let memory = limits.map_or(host_memory.value, |l| l.memory);
    let cpus = limits.map_or(host_cpus.value, |l| l.cpus.millis().div_ceil(1000));
    let major = pg.image.version().first().copied().unwrap_or(16);
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
            set("listen_addresses", "'*'".into(), "other containers connect over the compose network".into()),
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
    let mut tuned: Vec<Setting> = pgtune::tune(&inputs)
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

    let tuned_memory = pgtune::memory(&inputs);
    let from_settings = |key: &str, tuned_kb: u64| {
        Size(pg.settings.get(key).and_then(|v| memory_bytes(key, v)).unwrap_or(tuned_kb * 1024))
    };
    let shared_buffers = from_settings("shared_buffers", tuned_memory.shared_buffers);
    let work_mem = from_settings("work_mem", tuned_memory.work_mem);
    let maintenance_work_mem = from_settings("maintenance_work_mem", tuned_memory.maintenance_work_mem);
    let max_connections = budget.max_connections.value;
    let total =
        Size(shared_buffers.bytes() + work_mem.bytes() * u64::from(max_connections) + maintenance_work_mem.bytes());

    PostgresConf {
        service: pg.name.to_string(),
        image: pg.image.0.clone(),
        major,
        config_file: format!("postgres/{}/postgresql.conf", pg.name),
        hba_file: format!("postgres/{}/pg_hba.conf", pg.name),
        inputs: inputs_text,
        sections,
        hba: vec![
            HbaRule {
                kind: "local",
                database: "all",
                user: "all",
                address: String::new(),
                method: "trust",
                why: "the socket exists inside the container only: health checks, backups via docker exec, first-start init",
            },
            HbaRule {
                kind: "host",
                database: "all",
                user: "all",
                address: super::compose::NETWORK_SUBNET.to_string(),
                method: "scram-sha-256",
                why: "the applications on the compose network",
            },
        ],
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
