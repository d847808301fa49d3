//! Capacity: CPU and memory that containers reserve or may use, against the
//! machine; and hosts whose type the catalog no longer offers.

use crate::blueprint::model::{Blueprint, HostKind};
use crate::blueprint::units::{Cpus, Size};
use crate::catalog;
use crate::diag::Finding;
use crate::resolve::{capacity, machine, placement};

use crate::resolve::pct;

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (h, host) in bp.hosts.iter().enumerate() {
        let at = format!("/hosts/{h}");
        if host.kind == HostKind::Cloud {
            if let Some(t) = catalog::cloud_type(&host.server_type) {
                if let Some(new) = t.replaced_by {
                    out.push(
                        Finding::error(
                            "E601",
                            format!("{at}/type"),
                            format!(
                                "server type `{}` is no longer offered (deprecated 2025-10-16, removed {})",
                                host.server_type,
                                t.removed.unwrap_or("")
                            ),
                        )
                        .hint(format!("use `{new}`, its replacement with the same vCPUs and RAM"))
                        .at_value(),
                    );
                }
                if let Some(cpu) = &host.cpu {
                    if cpu.threads.unwrap_or(cpu.cores) != t.vcpus {
                        out.push(
                            Finding::error(
                                "E604",
                                format!("{at}/cpu"),
                                format!(
                                    "a `{}` has {} vCPUs, not {}",
                                    t.name,
                                    t.vcpus,
                                    cpu.threads.unwrap_or(cpu.cores)
                                ),
                            )
                            .hint("remove `cpu:`; the catalog knows the type"),
                        );
                    }
                }
                if let Some(mem) = host.memory.filter(|m| *m != t.memory) {
                    out.push(
                        Finding::error(
                            "E604",
                            format!("{at}/memory"),
                            format!("a `{}` has {} RAM, not {mem}", t.name, t.memory),
                        )
                        .hint("remove `memory:`; the catalog knows the type")
                        .at_value(),
                    );
                }
            }
        }
        let (cpus, memory) = machine(host);
        if cpus.value == 0 || memory.value == Size(0) {
            out.push(
                Finding::error(
                    "E603",
                    at.clone(),
                    format!("host `{}` of type `{}` has no known `cpu` and `memory`", host.name, host.server_type),
                )
                .hint("write `cpu: {cores: N, threads: N}` and `memory: NG`; capacity checks need them"),
            );
            continue;
        }
        let placed = placement::on_host(bp, host);
        for p in &placed {
            if let (Some(l), Some(r)) = (p.resources.limits, p.resources.reservations) {
                if l.cpus < r.cpus || l.memory < r.memory {
                    out.push(
                        Finding::error(
                            "E403",
                            format!("{}/resources", p.pointer),
                            format!("`{}` reserves more than its limit allows", p.service),
                        )
                        .hint("a reservation is a promised minimum; keep it at or below the limit"),
                    );
                }
            }
        }
        let plan = capacity::plan(bp, host, &placed, cpus.value, memory.value);
        let machine_cpus = Cpus::whole(cpus.value);
        let rows = |f: &dyn Fn(&capacity::CapacityRow) -> Option<String>| {
            plan.rows.iter().filter_map(|r| f(r).map(|v| format!("{} {v}", r.service))).collect::<Vec<_>>().join(", ")
        };
        if plan.cpus_reserved.value > machine_cpus {
            out.push(
                Finding::error(
                    "E401",
                    at.clone(),
                    format!(
                        "host `{}` reserves {} CPUs but has {}: {}",
                        host.name,
                        plan.cpus_reserved.value,
                        cpus.value,
                        rows(&|r| r.cpus_reserved.map(|c| c.to_string()))
                    ),
                )
                .hint("lower `reservations.cpus` or choose a larger machine; Docker cannot promise more than exists"),
            );
        }
        if plan.memory_reserved.value > memory.value {
            out.push(
                Finding::error(
                    "E402",
                    at.clone(),
                    format!(
                        "host `{}` reserves {} RAM but has {}: {}",
                        host.name,
                        plan.memory_reserved.value,
                        memory.value,
                        rows(&|r| r.memory_reserved.map(|m| m.to_string()))
                    ),
                )
                .hint("lower `reservations.memory` or choose a larger machine"),
            );
        }
        if plan.cpus_limits.value > machine_cpus {
            let over = plan.cpus_limits.value.millis() - machine_cpus.millis();
            out.push(
                Finding::warning("W401", at.clone(), format!(
                    "CPU limits on `{}` add up to {} of {} CPUs: {} % overcommitted",
                    host.name,
                    plan.cpus_limits.value,
                    cpus.value,
                    pct(u64::from(over), u64::from(machine_cpus.millis()))
                ))
                .hint("limits above the machine only matter under load, when containers then slow each other down; lower the largest limits"),
            );
        }
        if plan.memory_limits.value > memory.value {
            let over = plan.memory_limits.value.0 - memory.value.0;
            out.push(
                Finding::warning(
                    "W402",
                    at.clone(),
                    format!(
                        "memory limits on `{}` add up to {} of {}: {} % overcommitted",
                        host.name,
                        plan.memory_limits.value,
                        memory.value,
                        pct(over, memory.value.0)
                    ),
                )
                .hint(
                    "when every container reaches its limit the kernel's OOM killer picks one; lower the limits to fit",
                ),
            );
        }
    }
}
