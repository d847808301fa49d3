//! Resolve: the loaded blueprint resolved into the records every
//! later stage reads (which containers run where, their vhosts, tuning,
//! firewall intents, backup items, cost lines), each with the reason in
//! words. Rules (`check`) and the plan both read these; nothing here imports
//! a later stage (`tests/pipeline.rs` holds the line).
//!
//! Defaults apply here and nowhere else, and every number is computed here
//! (and unit-tested). Rules run after this stage and before any has passed,
//! so a function here skips a reference that does not resolve rather than
//! assume it does.

pub mod capacity;
pub mod connections;
pub mod growth;
pub mod placement;
pub mod private;
pub mod versions;

use serde::Serialize;

use crate::blueprint::model::{Host, HostKind};
use crate::blueprint::units::Size;
use crate::catalog;

/// A value computed by gen, with the reason in words.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Derived<T> {
    pub value: T,
    pub why: String,
}

impl<T> Derived<T> {
    pub fn new(value: T, why: impl Into<String>) -> Self {
        Derived { value, why: why.into() }
    }
}

/// Logical CPUs and RAM of a host: from the blueprint, else from the catalog.
pub fn machine(host: &Host) -> (Derived<u32>, Derived<Size>) {
    let known = catalog::cloud_type(&host.server_type).filter(|_| host.kind == HostKind::Cloud);
    let cpus = match (&host.cpu, known) {
        (Some(cpu), _) => {
            let threads = cpu.threads.unwrap_or(cpu.cores);
            Derived::new(threads, format!("{} cores, {threads} threads (blueprint)", cpu.cores))
        }
        (None, Some(t)) => Derived::new(t.vcpus, format!("{} vCPUs of a {} (catalog)", t.vcpus, t.name)),
        (None, None) => Derived::new(0, "unknown: the blueprint gives no `cpu` and the catalog does not know the type"),
    };
    let memory = match (host.memory, known) {
        (Some(m), _) => Derived::new(m, "blueprint"),
        (None, Some(t)) => Derived::new(t.memory, format!("{} RAM of a {} (catalog)", t.memory, t.name)),
        (None, None) => {
            Derived::new(Size(0), "unknown: the blueprint gives no `memory` and the catalog does not know the type")
        }
    };
    (cpus, memory)
}

/// Percent with one decimal, computed in integers: `pct(175, 1900)` = "9.2".
pub fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "∞".into();
    }
    // Round half up on the per-mille value.
    let per_mille = (part * 1000 * 2 + whole) / (whole * 2);
    format!("{}.{}", per_mille / 10, per_mille % 10)
}

#[cfg(test)]
mod tests {
    #[test]
    fn pct_rounds_half_up() {
        assert_eq!(super::pct(175, 1900), "9.2");
        assert_eq!(super::pct(1, 3), "33.3");
        assert_eq!(super::pct(2, 3), "66.7");
        assert_eq!(super::pct(5, 0), "∞");
    }
}
