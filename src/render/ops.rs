//! Artifact rows of the backup, restore, health-check and monitoring files of
//! one host: scripts under `<stack>/ops/`, systemd units or a cron.d file,
//! Prometheus' config and rules, the journald retention, and the runbook.

use minijinja::{context, Value};

use super::artifacts::Artifact;
use crate::plan::{HostPlan, Plan};

/// `host_value` is the host's plan as a template value (shared by every row).
pub(super) fn artifacts(plan: &Plan, host: &HostPlan, host_value: &Value) -> Vec<Artifact> {
    let mut out = Vec::new();
    let rootfs = format!("hosts/{}/rootfs", host.name);
    let part = |v: &Value, key: &str| v.get_attr(key).unwrap_or_default();
    let item = context! { host => host_value.clone() };
    let mut row = |template: &'static str, path: String, mode: u32, item: Value| {
        out.push(Artifact { template, path, mode, item });
    };
    let ops = format!("{rootfs}{}", host.ops_dir);
    if host.backup.is_some() || host.monitoring.is_some() {
        row("ops/common.sh", format!("{ops}/common.sh"), 0o644, item.clone());
    }
    if let Some(backup) = &host.backup {
        row("ops/backup.sh", format!("{ops}/backup.sh"), 0o755, item.clone());
        if backup.offsite.as_ref().is_some_and(|o| o.tool == "restic") {
            row("ops/offsite.sh", format!("{ops}/offsite.sh"), 0o755, item.clone());
            row("ops/offsite-init.sh", format!("{ops}/offsite-init.sh"), 0o755, item.clone());
        }
        if !backup.postgres.is_empty() {
            row("ops/restore-db.sh", format!("{ops}/restore-db.sh"), 0o755, item.clone());
        }
        if !backup.mariadb.is_empty() {
            row("ops/restore-mariadb.sh", format!("{ops}/restore-mariadb.sh"), 0o755, item.clone());
        }
        if !backup.archives.is_empty() {
            row("ops/restore-files.sh", format!("{ops}/restore-files.sh"), 0o755, item.clone());
        }
        if !backup.snapshots.is_empty() {
            row("ops/restore-tree.sh", format!("{ops}/restore-tree.sh"), 0o755, item.clone());
        }
        row("runbook/RECOVERY.md", format!("hosts/{}/RECOVERY.md", host.name), 0o644, item.clone());
    }
    if let Some(monitoring) = &host.monitoring {
        row("ops/health-check.sh", format!("{ops}/health-check.sh"), 0o755, item.clone());
        if host.backup.is_none() {
            row("runbook/stateless.md", format!("hosts/{}/RECOVERY.md", host.name), 0o644, item.clone());
        }
        let item = context! { host => host_value.clone(), monitoring => part(host_value, "monitoring") };
        if monitoring.prometheus {
            let dir = format!("{rootfs}{}/monitoring", plan.project.stack_dir);
            row("monitoring/prometheus.yml", format!("{dir}/prometheus.yml"), 0o644, item.clone());
            row("monitoring/alerts.yml", format!("{dir}/alerts.yml"), 0o644, item.clone());
        }
        if monitoring.log_retention_days.is_some() {
            let path = format!("{rootfs}/etc/systemd/journald.conf.d/{}-retention.conf", plan.project.name);
            row("journald/retention.conf", path, 0o644, item);
        }
    }
    if let Some(jobs) = &host.jobs {
        if jobs.scheduler == "cron" {
            let item = context! { host => host_value.clone(), jobs => part(host_value, "jobs") };
            row("cron/ops", format!("{rootfs}/etc/cron.d/{}", jobs.cron_file), 0o644, item);
        } else {
            let values = part(&part(host_value, "jobs"), "jobs");
            for (i, job) in jobs.jobs.iter().enumerate() {
                let item =
                    context! { host => host_value.clone(), job => values.get_item_by_index(i).unwrap_or_default() };
                let unit = format!("{rootfs}/etc/systemd/system/{}", job.unit);
                row("systemd/job.service", format!("{unit}.service"), 0o644, item.clone());
                row("systemd/job.timer", format!("{unit}.timer"), 0o644, item);
            }
        }
    }
    out
}
