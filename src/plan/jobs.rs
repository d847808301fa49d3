//! Scheduled jobs of one host (local backup, offsite copy, health check),
//! once, so the systemd units and the cron.d file say the same thing.

use serde::Serialize;

use crate::components::monitoring::resolve::MonitoringPlan;
use crate::resolve::backup::BackupPlan;

#[derive(Debug, Clone, Serialize)]
pub struct Jobs {
    /// `systemd` (service + timer units) or `cron` (/etc/cron.d).
    pub scheduler: &'static str,
    /// The cron.d file name (Debian ignores names with dots).
    pub cron_file: String,
    pub jobs: Vec<JobPlan>,
}

#[derive(Debug, Clone, Serialize)]
pub struct JobPlan {
    /// Unit name without suffix, also the log tag: `odoo-backup`.
    pub unit: String,
    pub description: String,
    pub exec: String,
    /// Units that must run (and are started) before.
    pub requires: Vec<String>,
    /// Units ordered before, without pulling them in.
    pub after: Vec<String>,
    /// systemd `OnCalendar=`, for daily jobs.
    pub on_calendar: Option<String>,
    /// systemd `OnUnitActiveSec=`, for periodic jobs.
    pub every: Option<String>,
    pub cron: String,
    /// Backups yield CPU and disk to the services.
    pub background: bool,
}

pub fn plan(
    project: &str,
    ops_dir: &str,
    backup: Option<&BackupPlan>,
    monitoring: Option<&MonitoringPlan>,
) -> Option<Jobs> {
    let mut jobs = Vec::new();
    let mut scheduler = "systemd";
    if let Some(b) = backup {
        scheduler = b.scheduler;
        let local = format!("{project}-backup");
        let needs_docker = if !b.postgres.is_empty() { vec!["docker.service".to_string()] } else { Vec::new() };
        jobs.push(JobPlan {
            unit: local.clone(),
            description: format!("{project} local backup to {}", b.root),
            exec: format!("{ops_dir}/backup.sh"),
            after: needs_docker.clone(),
            requires: needs_docker,
            on_calendar: Some(b.local.on_calendar.clone()),
            every: None,
            cron: b.local.cron.clone(),
            background: true,
        });
        if let Some(o) = b.offsite.as_ref().filter(|o| o.tool == "restic") {
            jobs.push(JobPlan {
                unit: format!("{project}-offsite"),
                description: format!("{project} offsite copy with restic"),
                exec: format!("{ops_dir}/offsite.sh"),
                requires: Vec::new(),
                // Also waits on the backup lock when both run at once.
                after: vec!["network-online.target".into(), format!("{local}.service")],
                on_calendar: Some(o.at.on_calendar.clone()),
                every: None,
                cron: o.at.cron.clone(),
                background: true,
            });
        }
    }
    if let Some(m) = monitoring {
        if backup.is_none() {
            scheduler = m.health.scheduler;
        }
        jobs.push(JobPlan {
            unit: format!("{project}-health"),
            description: format!("{project} health check"),
            exec: format!("{ops_dir}/health-check.sh"),
            requires: Vec::new(),
            after: vec!["docker.service".into()],
            on_calendar: None,
            every: Some(m.health.on_unit_active.clone()),
            cron: m.health.cron.value.clone(),
            background: false,
        });
    }
    if jobs.is_empty() {
        return None;
    }
    Some(Jobs { scheduler, cron_file: format!("{project}-ops").replace('.', "-"), jobs })
}

/// The backup, monitoring and job lines of `gen plan` for one host.
pub fn describe(h: &super::HostPlan, s: &mut String) {
    use std::fmt::Write as _;
    if let Some(b) = &h.backup {
        let _ =
            writeln!(s, "  backup  {}, {} days, daily at {} UTC ({})", b.root, b.keep_days, b.local.at, b.scheduler);
        let _ = writeln!(s, "          a run needs {} KiB free ({})", b.min_free_kib.value, b.min_free_kib.why);
        for pg in &b.postgres {
            let _ = writeln!(
                s,
                "          pg_dump in `{}`: every database on the server, at least {}",
                pg.service,
                if pg.databases.is_empty() { "(none declared)".to_string() } else { pg.databases.join(", ") }
            );
        }
        for (kind, paths) in [("archive", &b.archives), ("snapshot", &b.snapshots)] {
            for p in paths {
                let _ = writeln!(s, "          {kind} {} = {}", p.name, p.path);
            }
        }
        if let Some(o) = &b.offsite {
            let _ = writeln!(
                s,
                "          offsite {} at {} UTC to {}, {} daily + {} monthly",
                o.tool, o.at.at, o.repository, o.keep_daily, o.keep_monthly
            );
        }
        let _ = writeln!(s, "          too old after {} ({})", b.max_age.value, b.max_age.why);
    }
    if let Some(m) = &h.monitoring {
        let _ = writeln!(
            s,
            "  monitoring  prometheus keeps {} ({}); disk alert at {} % ({}); health check every {} ({})",
            m.retention.value,
            m.retention.why,
            m.disk_percent.value,
            m.disk_percent.why,
            m.health.interval.value,
            m.health.interval.why
        );
    }
    if let Some(jobs) = &h.jobs {
        let units: Vec<&str> = jobs.jobs.iter().map(|j| j.unit.as_str()).collect();
        let _ = writeln!(s, "  jobs    {} ({})", units.join(", "), jobs.scheduler);
    }
}
