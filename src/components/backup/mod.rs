//! Backups (`backup:`): what each host's nightly run dumps (every client
//! database of every server, through the kinds' `databases` slot),
//! archives and snapshots, the offsite copy with restic, when each runs
//! (systemd timers or cron), the restore scripts and the recovery runbook,
//! and the sizes all of it reaches over the growth projection.
//!
//! Its rules: retention, encryption, schedules, RPO and alerts (E51x/W51x),
//! backup storage over time (E505–E507, W505–W508, `space`) and recovery
//! promises against the SLA (E520, W520, `recovery`).

pub mod model;
pub mod plan;
pub mod resolve;
pub mod rules;

/// Its entry of [`super::COMPONENTS`].
pub(super) const COMPONENT: super::Component = super::Component {
    name: "backup",
    folder: "backup",
    templates: &[
        "ops/common.sh.j2",
        "ops/backup.sh.j2",
        "ops/offsite.sh.j2",
        "ops/offsite-init.sh.j2",
        "ops/restore-files.sh.j2",
        "ops/restore-tree.sh.j2",
        "runbook/RECOVERY.md.j2",
        "runbook/stateless.md.j2",
        "cron/ops.j2",
        "systemd/job.service.j2",
        "systemd/job.timer.j2",
    ],
};
