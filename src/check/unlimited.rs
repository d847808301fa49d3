//! Capacity that cannot be judged (W403): containers on a shared host whose
//! CPU and memory limits the blueprint leaves out.
//!
//! The capacity check (`resolve::capacity`, E401–E402 and W401–W402) sums the
//! limits it knows; a container with no `resources.limits` adds nothing to
//! that sum, so a host can look half empty while one container may take the
//! whole machine. Docker then caps it at nothing but the machine, and gen
//! tunes it for the whole machine too: Odoo's workers from the host's CPUs
//! and memory (`resolve::connections::processes`), PostgreSQL's memory
//! settings from the host's memory (`components::postgres::resolve`).
//!
//! Which containers count: the ones whose limit only the blueprint can give
//! (Odoo environments, PostgreSQL services, website backends and
//! frontends). The monitoring containers carry fixed caps gen writes itself
//! (`components::monitoring::resolve::containers`), so they are always limited. nginx
//! takes its limit from `proxy.resources`; its footprint is bounded by the
//! worker and buffer settings gen writes, so an nginx with no limit alone
//! does not raise W403, but it is listed when the warning fires anyway.

use crate::blueprint::model::Blueprint;
use crate::blueprint::units::{Cpus, Size};
use crate::diag::Finding;
use crate::resolve::placement::{self, Role};
use crate::resolve::{capacity, connections, machine};

/// One warning per host that runs a blueprint-limited container (see the
/// module docs) without `resources.limits` beside at least one other
/// container. The message gives, in CPUs and bytes: what the machine has,
/// the system reservation (`hosts[].reserved`), the sum of the limits of
/// the limited containers, and what is left for the unlimited ones.
pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    for host in &bp.hosts {
        let (cpus, memory) = machine(host);
        if cpus.value == 0 || memory.value == Size(0) {
            continue; // E603 already says the machine is unknown.
        }
        let placed = placement::on_host(bp, host);
        let plan = capacity::plan(bp, host, &placed, cpus.value, memory.value);
        let unlimited: Vec<_> = placed.iter().filter(|p| p.resources.limits.is_none()).collect();
        let Some(first) = unlimited.iter().find(|p| p.role != Role::Proxy) else { continue };
        // Containers on the host: the placed ones and the monitoring ones.
        let containers = plan.rows.iter().filter(|r| r.service != "system").count();
        if containers < 2 {
            continue;
        }
        let limited: Vec<_> = plan.rows.iter().filter(|r| r.service != "system" && r.cpus_limit.is_some()).collect();
        let taken_cpus: Cpus = limited.iter().filter_map(|r| r.cpus_limit).sum();
        let taken_memory: Size = limited.iter().filter_map(|r| r.memory_limit).sum();
        let (system_cpus, system_memory) = host.reserved.map_or((Cpus(0), Size(0)), |r| (r.cpus, r.memory));
        let machine_cpus = Cpus::whole(cpus.value);
        let left_cpus = Cpus(machine_cpus.millis().saturating_sub(system_cpus.millis() + taken_cpus.millis()));
        let left_memory = memory.value.saturating_sub(system_memory + taken_memory);
        let names = unlimited
            .iter()
            .map(|p| {
                let key = if p.role == Role::Proxy { "`proxy.resources`" } else { "`resources.limits`" };
                let mut about = vec![format!("no {key}")];
                if let Some(r) = p.resources.reservations {
                    about.push(format!("reserves {} CPUs, {}", r.cpus, r.memory));
                }
                if let Role::Odoo { app, env } = p.role {
                    let a = &bp.applications[app];
                    let workers = connections::processes_for(a, host, &a.environments[env]).workers.value;
                    about.push(format!("gen sized it for the whole machine: {workers} workers"));
                }
                format!("`{}` ({})", p.service, about.join("; "))
            })
            .collect::<Vec<_>>();
        let names = listing(&names);
        let system = match host.reserved {
            Some(_) => format!("the system reserves {system_cpus} CPUs and {system_memory}; "),
            None => String::new(),
        };
        let taken = if limited.is_empty() {
            "no container has a limit; ".to_string()
        } else {
            let each: Vec<String> = limited
                .iter()
                .map(|r| {
                    let (c, m) = (r.cpus_limit.unwrap_or_default(), r.memory_limit.unwrap_or_default());
                    format!("{} {c} CPUs, {m}", r.service)
                })
                .collect();
            format!("the limited ones may take {taken_cpus} CPUs and {taken_memory} ({}); ", listing(&each))
        };
        out.push(
            Finding::warning(
                "W403",
                format!("{}/resources", first.pointer),
                format!(
                    "host `{}` ({} CPUs, {}) runs {} container{} with no CPU or memory limit, which the capacity \
                     check counts as 0: {names}; {taken}{system}{left_cpus} CPUs and {left_memory} are left for the \
                     unlimited, and each of them may take the whole machine",
                    host.name,
                    cpus.value,
                    memory.value,
                    unlimited.len(),
                    if unlimited.len() == 1 { "" } else { "s" },
                ),
            )
            .hint(
                "set `resources.limits: {cpus: N, memory: NG}` within what is left; gen derives PostgreSQL's \
                 memory settings and Odoo's workers from the limits, and sizes an unlimited one for the whole machine",
            ),
        );
    }
}

/// The most containers a W403 message names before it counts the rest.
const NAMED: usize = 6;

/// `items` joined with commas, the first [`NAMED`] of them and then
/// "and N more", so a host with a hundred website containers stays readable.
fn listing(items: &[String]) -> String {
    if items.len() <= NAMED {
        return items.join(", ");
    }
    format!("{}, and {} more", items[..NAMED].join(", "), items.len() - NAMED)
}
