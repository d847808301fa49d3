//! `gen plan` as text: each host, what it runs, what it reserves and
//! publishes, and why each derived number is what it is.

use std::fmt::Write as _;

use crate::components::docker::resolve::compose::published;
use crate::components::proxy::resolve::vhost::VhostKind;
use crate::plan::Plan;

pub fn describe(plan: &Plan) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} ({}), stack in {}", plan.project.title, plan.source, plan.project.stack_dir);
    for h in &plan.hosts {
        let _ = writeln!(s, "\nhost {} — {} {} in {}, {}", h.name, h.kind, h.server_type, h.location, h.os);
        let _ = writeln!(s, "  cpus    {:>8}  {}", h.cpus.value, h.cpus.why);
        let _ = writeln!(s, "  memory  {:>8}  {}", h.memory.value.to_string(), h.memory.why);
        let c = &h.capacity;
        let _ = writeln!(s, "  reserved cpus    {:>6}  {}", c.cpus_reserved.value.to_string(), c.cpus_reserved.why);
        let _ = writeln!(s, "  limit cpus       {:>6}  {}", c.cpus_limits.value.to_string(), c.cpus_limits.why);
        let _ = writeln!(s, "  reserved memory  {:>6}  {}", c.memory_reserved.value.to_string(), c.memory_reserved.why);
        let _ = writeln!(s, "  limit memory     {:>6}  {}", c.memory_limits.value.to_string(), c.memory_limits.why);
        if let Some(d) = &h.disk {
            let _ = writeln!(s, "  disks   {} ({}), usable {} ({})", d.disks, d.raid, d.usable.value, d.usable.why);
            let _ = writeln!(s, "          allocated {} ({}), free {}", d.allocated.value, d.allocated.why, d.free);
        }
        for v in &h.provision.volumes {
            let _ = writeln!(
                s,
                "  volume  {} {} at {} (Hetzner Cloud volume; install.sh mounts it by its {} label)",
                v.label,
                crate::blueprint::units::Size(v.bytes),
                v.mount,
                v.fs
            );
        }
        if let Some(compose) = &h.compose {
            let _ = writeln!(s, "  services");
            let dash = || "-".to_string();
            for r in &c.rows {
                let _ = writeln!(
                    s,
                    "    {:<28} limit {:>5} cpus {:>6}   reserve {:>5} cpus {:>6}",
                    r.service,
                    r.cpus_limit.map_or_else(dash, |v| v.to_string()),
                    r.memory_limit.map_or_else(dash, |v| v.to_string()),
                    r.cpus_reserved.map_or_else(dash, |v| v.to_string()),
                    r.memory_reserved.map_or_else(dash, |v| v.to_string()),
                );
            }
            let ports = published(compose);
            if !ports.is_empty() {
                let _ = writeln!(s, "  published ports");
                for (service, p) in ports {
                    let ip = if p.ip.is_empty() { "0.0.0.0" } else { p.ip.as_str() };
                    let _ = writeln!(s, "    {ip}:{}/{} → {service}:{}", p.host_port, p.proto, p.container_port);
                }
            }
        }
        if let Some(n) = &h.nginx {
            let _ = writeln!(s, "  nginx   {} — {}", n.image, n.http2_why);
            let count = |kind| n.vhosts.iter().filter(|v| v.kind == kind).count();
            let mut others = String::new();
            let kinds = [
                (VhostKind::Service, "service", "services"),
                (VhostKind::StaticSite, "static site", "static sites"),
                (VhostKind::Redirect, "redirect", "redirects"),
            ];
            for (kind, one, many) in kinds {
                match count(kind) {
                    0 => {}
                    1 => others.push_str(&format!(", 1 {one}")),
                    n => others.push_str(&format!(", {n} {many}")),
                }
            }
            let _ = writeln!(
                s,
                "          {} sites, {} application environments{others}, TLS here: {}",
                count(VhostKind::Website),
                count(VhostKind::Odoo),
                if n.tls { "yes" } else { "no" }
            );
        }
        for o in &h.odoo {
            let p = &o.processes;
            let _ = writeln!(s, "  odoo    {} ({}), database {}", o.service, o.image, o.database);
            let _ = writeln!(s, "          workers {:>3}  {}", p.workers.value, p.workers.why);
            let _ = writeln!(
                s,
                "          cron {}, limit_memory_hard {}, {} connection pools × db_maxconn {} ({})",
                p.max_cron_threads,
                p.limit_memory_hard.readable(),
                p.pools(),
                o.db_maxconn.value,
                o.db_maxconn.why
            );
        }
        for pg in &h.postgres {
            let _ = writeln!(s, "  postgres {} ({}), tuned for {}", pg.service, pg.image, pg.inputs);
            let b = &pg.budget;
            let _ = writeln!(
                s,
                "          connections: max_connections {} ({}); worst case {}",
                b.max_connections.value,
                b.max_connections.why,
                b.sum_text_plain()
            );
            let _ = writeln!(s, "          memory: {} of {}", pg.memory.formula, pg.memory.limit);
            let _ = writeln!(s, "          shm_size {}: {}", pg.shm_size.value, pg.shm_size.why);
        }
        for m in &h.mariadb {
            let _ = writeln!(s, "  mariadb {} ({}), tuned for {}", m.service, m.image, m.inputs);
            let b = &m.budget;
            let _ = writeln!(
                s,
                "          connections: max_connections {} ({}); worst case {}",
                b.max_connections.value, b.max_connections.why, b.sum
            );
            let _ = writeln!(s, "          memory: {} of {}", m.memory.formula, m.memory.limit);
        }
        for e in &h.nfs.exports {
            let _ = writeln!(s, "  nfs     exports {} to {} ({})", e.path, e.clients.join(", "), e.why);
        }
        for m in &h.nfs.mounts {
            let _ = writeln!(
                s,
                "  nfs     mounts {}:{} from `{}` before the containers start",
                m.server, m.path, m.server_host
            );
        }
        crate::components::firewall::resolve::describe(&mut s, &h.exposure);
        crate::plan::jobs::describe(h, &mut s);
        if !h.secrets.is_empty() {
            let names: Vec<&str> = h.secrets.iter().map(|x| x.name.as_str()).collect();
            let _ = writeln!(s, "  secrets {}", names.join(", "));
        }
    }
    s.push_str(&crate::cost_cmd::summary_for_plan(plan));
    s
}
