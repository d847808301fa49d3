//! PGTune's formulas (le0pard/pgtune, `configurationSlice.js` at commit
//! 01bb644, Linux), reproduced exactly so operators get the numbers they
//! already trust. Memory is computed in kB with PGTune's integer floors, and
//! printed with its unit rule: GB or MB only when the value divides evenly.
//! `tests/fixtures/pgtune.json` holds 400 results of PGTune's own code that
//! the unit test below compares against.
//!
//! | setting | formula (memory M in kB, connections C, CPUs N) |
//! |---|---|
//! | max_connections | C, else web 200 / oltp 300 / dw 40 / mixed 100 |
//! | shared_buffers | M / 4 |
//! | effective_cache_size | 3M / 4 |
//! | maintenance_work_mem | M / 16 (dw: M / 8), at most 8GB |
//! | checkpoint_completion_target | 0.9 |
//! | wal_buffers | 3 % of shared_buffers, at most 16MB (over 14MB rounds up to 16MB), at least 32kB |
//! | default_statistics_target | 100 (dw: 500) |
//! | random_page_cost | hdd 4, else 1.1 |
//! | effective_io_concurrency | hdd 2, ssd 200, nvme 1000 |
//! | work_mem | (M − shared_buffers) / ((C + P) × 3), halved for dw and mixed, at least 4MB; P = N when N ≥ 4, else 8 |
//! | huge_pages | try when shared_buffers ≥ 2GB, else off |
//! | jit | off for web, oltp, mixed (12+) |
//! | wal_compression | lz4 (15+), on (10–14) |
//! | autovacuum_max_workers | 4 from 16 CPUs, 5 from 32 |
//! | autovacuum_work_mem | 2GB when maintenance_work_mem ≥ 2GB |
//! | min_wal_size / max_wal_size | web, mixed 1GB/4GB; oltp 2GB/8GB; dw 4GB/16GB |
//! | parallel settings | only from 4 CPUs: workers N, per gather ⌈N/2⌉ (at most 4 unless dw), maintenance ⌈N/2⌉ ≤ 4 |

use serde::Serialize;

use crate::blueprint::model::{DiskKind, Workload};

const KB_PER_MB: u64 = 1024;
const KB_PER_GB: u64 = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inputs {
    /// PostgreSQL major version.
    pub version: u32,
    pub workload: Workload,
    pub memory_kb: u64,
    pub cpus: u32,
    pub connections: Option<u32>,
    pub storage: DiskKind,
}

/// One PGTune setting: the value as PGTune prints it, and the formula.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Tuned {
    pub key: &'static str,
    pub value: String,
    pub why: String,
}

/// Memory settings in kB, kept as numbers for the memory budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryKb {
    pub shared_buffers: u64,
    pub work_mem: u64,
    pub maintenance_work_mem: u64,
    pub max_connections: u32,
}

/// PGTune's unit rule: the largest unit that shows the value exactly.
pub fn format_kb(kb: u64) -> String {
    if kb % KB_PER_GB == 0 {
        format!("{}GB", kb / KB_PER_GB)
    } else if kb % KB_PER_MB == 0 {
        format!("{}MB", kb / KB_PER_MB)
    } else {
        format!("{kb}kB")
    }
}

pub fn max_connections(i: &Inputs) -> u32 {
    i.connections.unwrap_or(match i.workload {
        Workload::Web => 200,
        Workload::Oltp => 300,
        Workload::Dw => 40,
        Workload::Mixed => 100,
    })
}

fn parallel_workers(i: &Inputs) -> Option<(u32, u32, u32)> {
    if i.cpus < 4 {
        return None;
    }
    let half = i.cpus.div_ceil(2);
    let per_gather = if i.workload == Workload::Dw { half } else { half.min(4) };
    Some((i.cpus, per_gather, half.min(4)))
}

pub fn memory(i: &Inputs) -> MemoryKb {
    let m = i.memory_kb;
    let shared_buffers = m / 4;
    let maintenance_work_mem = (if i.workload == Workload::Dw { m / 8 } else { m / 16 }).min(8 * KB_PER_GB);
    let connections = max_connections(i);
    // PGTune reserves room for parallel workers: N from 4 CPUs, else the default 8.
    let parallel = parallel_workers(i).map_or(8, |(n, _, _)| n);
    let per_connection = (m - shared_buffers) as f64 / (f64::from(connections + parallel) * 3.0);
    let work_mem = match i.workload {
        Workload::Dw | Workload::Mixed => (per_connection / 2.0).floor(),
        Workload::Web | Workload::Oltp => per_connection.floor(),
    } as u64;
    MemoryKb {
        shared_buffers,
        work_mem: work_mem.max(4 * KB_PER_MB),
        maintenance_work_mem,
        max_connections: connections,
    }
}

fn wal_buffers(shared_buffers: u64) -> u64 {
    let max = 16 * KB_PER_MB;
    let mut value = (3 * shared_buffers / 100).min(max);
    if value > 14 * KB_PER_MB {
        value = max;
    }
    value.max(32)
}

/// Every setting PGTune prints for these inputs, in its order.
pub fn tune(i: &Inputs) -> Vec<Tuned> {
    let mem = memory(i);
    let m = i.memory_kb;
    let mut out = Vec::new();
    let mut push = |key: &'static str, value: String, why: String| out.push(Tuned { key, value, why });
    let conn_why = match i.connections {
        Some(c) => format!("{c}, from the connection budget"),
        None => format!("PGTune's default for a {:?} workload", i.workload).to_lowercase(),
    };
    push("max_connections", mem.max_connections.to_string(), conn_why);
    push("shared_buffers", format_kb(mem.shared_buffers), format!("1/4 of the container's {}", format_kb(m)));
    push("effective_cache_size", format_kb(m * 3 / 4), format!("3/4 of {}", format_kb(m)));
    let maint_share = if i.workload == Workload::Dw { "1/8" } else { "1/16" };
    push(
        "maintenance_work_mem",
        format_kb(mem.maintenance_work_mem),
        format!("{maint_share} of {}, at most 8GB", format_kb(m)),
    );
    push("checkpoint_completion_target", "0.9".into(), "spread checkpoints over 90 % of the interval".into());
    push("wal_buffers", format_kb(wal_buffers(mem.shared_buffers)), "3 % of shared_buffers, 32kB to 16MB".into());
    let stats = if i.workload == Workload::Dw { 500 } else { 100 };
    push("default_statistics_target", stats.to_string(), "PGTune, by workload".into());
    let (page_cost, io) = match i.storage {
        DiskKind::Hdd => ("4", 2),
        DiskKind::Ssd => ("1.1", 200),
        DiskKind::Nvme => ("1.1", 1000),
    };
    let disk = format!("{:?}", i.storage).to_lowercase();
    push("random_page_cost", page_cost.into(), format!("{disk} storage"));
    push("effective_io_concurrency", io.to_string(), format!("{disk} storage"));
    let parallel = parallel_workers(i).map_or(8, |(n, _, _)| n);
    let halved = if matches!(i.workload, Workload::Dw | Workload::Mixed) { ", halved" } else { "" };
    push(
        "work_mem",
        format_kb(mem.work_mem),
        format!(
            "({} − shared_buffers) / (({} connections + {parallel} parallel workers) × 3){halved}, at least 4MB",
            format_kb(m),
            mem.max_connections
        ),
    );
    let huge = if mem.shared_buffers >= 2 * KB_PER_GB { "try" } else { "off" };
    push("huge_pages", huge.into(), "try from 2GB of shared_buffers".into());
    if i.version >= 12 && i.workload != Workload::Dw {
        push("jit", "off".into(), "JIT slows short queries".into());
    }
    if i.version >= 10 {
        let value = if i.version >= 15 { "lz4" } else { "on" };
        push("wal_compression", value.into(), "cheaper WAL writes".into());
    }
    let autovacuum = match i.cpus {
        32.. => Some(5),
        16.. => Some(4),
        _ => None,
    };
    if let Some(n) = autovacuum {
        push("autovacuum_max_workers", n.to_string(), format!("{} CPUs", i.cpus));
    }
    if mem.maintenance_work_mem >= 2 * KB_PER_GB {
        push("autovacuum_work_mem", "2GB".into(), "caps each autovacuum worker below maintenance_work_mem".into());
    }
    let (min_wal, max_wal) = match i.workload {
        Workload::Web | Workload::Mixed => (1, 4),
        Workload::Oltp => (2, 8),
        Workload::Dw => (4, 16),
    };
    push("min_wal_size", format!("{min_wal}GB"), "PGTune, by workload".into());
    push("max_wal_size", format!("{max_wal}GB"), "PGTune, by workload".into());
    if let Some((workers, per_gather, maintenance)) = parallel_workers(i) {
        let cpus = format!("{} CPUs", i.cpus);
        push("max_worker_processes", workers.to_string(), cpus.clone());
        push("max_parallel_workers_per_gather", per_gather.to_string(), format!("half of {cpus}, at most 4"));
        if i.version >= 10 {
            push("max_parallel_workers", workers.to_string(), cpus.clone());
        }
        if i.version >= 11 {
            push("max_parallel_maintenance_workers", maintenance.to_string(), format!("half of {cpus}, at most 4"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Case {
        input: CaseInput,
        settings: Vec<(String, String)>,
    }

    #[derive(serde::Deserialize)]
    struct CaseInput {
        version: u32,
        workload: Workload,
        memory: String,
        cpus: u32,
        connections: Option<u32>,
        storage: String,
    }

    #[test]
    fn format_uses_the_largest_exact_unit() {
        assert_eq!(format_kb(2 * KB_PER_GB), "2GB");
        assert_eq!(format_kb(1536 * KB_PER_MB), "1536MB");
        assert_eq!(format_kb(13273), "13273kB");
    }

    /// The table was produced by PGTune's own selectors (see the file's
    /// `source`); every case must match setting for setting, in order.
    #[test]
    fn matches_pgtune_for_every_case_in_the_table() {
        let text = include_str!("../../../../tests/fixtures/pgtune.json");
        let table: serde_json::Value = serde_json::from_str(text).unwrap();
        let cases: Vec<Case> = serde_json::from_value(table["cases"].clone()).unwrap();
        assert_eq!(cases.len(), 400);
        for case in cases {
            let c = &case.input;
            let memory: crate::blueprint::units::Size = c.memory.clone().try_into().unwrap();
            let storage = match c.storage.as_str() {
                "hdd" => DiskKind::Hdd,
                "nvme" => DiskKind::Nvme,
                _ => DiskKind::Ssd,
            };
            let inputs = Inputs {
                version: c.version,
                workload: c.workload,
                memory_kb: memory.bytes() / 1024,
                cpus: c.cpus,
                connections: c.connections,
                storage,
            };
            let expected = case.settings.clone();
            let got: Vec<(String, String)> = tune(&inputs).into_iter().map(|t| (t.key.to_string(), t.value)).collect();
            assert_eq!(got, expected, "inputs: {:?} {} {:?}", c.workload, c.memory, c.connections);
        }
    }
}
