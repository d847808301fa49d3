//! Derived settings that ignore what else shares the request path, the
//! process or the machine (W413; Odoo's E416 and E417 are in `crate::components::odoo::rules`).
//!
//! | code | rule | source |
//! |---|---|---|
//! | W413 | PostgreSQL's parallel workers (`max_parallel_workers`, PGTune: one per CPU of the container's limit) while the CPU limits of the host's other containers plus PostgreSQL's exceed the host's CPUs | PGTune `configurationSlice.js`; the CPU sums are `resolve::capacity`'s |

use crate::blueprint::model::Blueprint;
use crate::blueprint::units::Cpus;
use crate::components::postgres::resolve as postgres;
use crate::diag::Finding;
use crate::resolve::{capacity, machine, placement};

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    parallel_workers(bp, out);
}

/// W413: PostgreSQL runs parallel workers for CPUs the host has promised to
/// others as well.
fn parallel_workers(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (i, pg) in bp.postgres.iter().enumerate() {
        let Some(host) = bp.hosts.iter().find(|h| h.name == pg.host) else { continue };
        let (host_cpus, host_memory) = machine(host);
        if host_cpus.value == 0 {
            continue; // E603
        }
        let conf = postgres::plan(bp, host, pg);
        let setting = |key: &str| {
            conf.sections
                .iter()
                .flat_map(|s| &s.settings)
                .find(|s| s.key == key)
                .map(|s| (s.value.trim().parse::<u32>().ok(), s.why.clone()))
        };
        let Some((Some(parallel), why)) = setting("max_parallel_workers").or_else(|| setting("max_worker_processes"))
        else {
            continue;
        };
        if parallel == 0 {
            continue;
        }
        let placed = placement::on_host(bp, host);
        let plan = capacity::plan(bp, host, &placed, host_cpus.value, host_memory.value);
        let own = pg.resources.limits.map_or(Cpus::whole(host_cpus.value), |l| l.cpus);
        let own_row = plan.rows.iter().find(|r| r.service == pg.name.as_str()).and_then(|r| r.cpus_limit);
        let others = Cpus(plan.cpus_limits.value.millis().saturating_sub(own_row.map_or(0, Cpus::millis)));
        let machine_cpus = Cpus::whole(host_cpus.value);
        if others.millis() + own.millis() <= machine_cpus.millis() {
            continue;
        }
        let pointer = if pg.settings.contains_key("max_parallel_workers") {
            format!("/postgres/{i}/settings/max_parallel_workers")
        } else if pg.resources.limits.is_some() {
            format!("/postgres/{i}/resources/limits/cpus")
        } else {
            format!("/postgres/{i}")
        };
        let own_text = if pg.resources.limits.is_some() { "its CPU limit" } else { "no limit: the whole host" };
        out.push(
            Finding::warning(
                "W413",
                pointer,
                format!(
                    "PostgreSQL `{}` may run {parallel} parallel workers (max_parallel_workers {parallel}: {why}) on \
                     {own} CPUs ({own_text}), but the other containers and the system on `{}` may take {others} of \
                     its {} CPUs: {others} + {own} = {} CPUs, so parallel queries compete with Odoo's workers",
                    pg.name,
                    host.name,
                    host_cpus.value,
                    Cpus(others.millis() + own.millis())
                ),
            )
            .hint(
                "lower max_parallel_workers and max_parallel_workers_per_gather under `settings` (0 turns parallel \
                 queries off), or lower the other containers' CPU limits so the sum fits the host",
            )
            .at_value(),
        );
    }
}
