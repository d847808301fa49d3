//! Backups against what they promise: offsite retention and encryption that
//! the chosen method can give, schedules that do not run into each other,
//! the SLA's recovery point, cron's time zone, and where alerts go.
//! (The local volume against its retention is `storage`'s E503; backup
//! storage over the growth projection, W512 included, is `backup_space`.)

use crate::blueprint::model::{BackupTool, Blueprint, Scheduler, WebhookKind};
use crate::blueprint::units::Duration;
use crate::components::backup::resolve::backup::{Schedule, DEFAULT_MAX_DURATION};
use crate::diag::Finding;

/// Every backup job the blueprint can schedule runs once a day.
const DAILY: Duration = Duration(86_400);

/// Runs this family's rules (the module's doc lists them) over `bp`,
/// appending each finding to `out`.
pub fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    rpo(bp, out);
    webhook(bp, out);
    let Some(backup) = &bp.backup else { return };
    coverage(bp, backup, out);
    let local = &backup.local;
    for (i, pg) in bp.postgres.iter().enumerate().filter(|(_, pg)| pg.host != backup.host) {
        out.push(
            Finding::warning(
                "W516",
                format!("/postgres/{i}/host"),
                format!(
                    "PostgreSQL `{}` runs on `{}`, but backups run on `{}`: its databases are not dumped",
                    pg.name, pg.host, backup.host
                ),
            )
            .hint("gen dumps the databases of the backup host; move `backup.host` or the database")
            .at_value(),
        );
    }
    if local.keep_days == 0 {
        out.push(
            Finding::error("E515", "/backup/local/keep_days", "`keep_days: 0` keeps no local backup at all")
                .hint("keep at least 1 day; 7 is usual")
                .at_value(),
        );
    }
    if let Some(o) = &backup.offsite {
        match o.tool {
            BackupTool::Rsync => {
                if o.keep_daily > 1 || o.keep_monthly > 0 {
                    out.push(
                        Finding::error("E510", "/backup/offsite/tool", format!(
                            "an rsync mirror keeps one copy, the latest day, but the blueprint promises {} daily and {} monthly copies",
                            o.keep_daily, o.keep_monthly
                        ))
                        .hint("use `tool: restic`: `restic forget --keep-daily/--keep-monthly --prune` keeps exactly that; a mirror with --delete also copies a corrupted day over the last good one")
                        .at_value(),
                    );
                }
                out.push(
                    Finding::error("E511", "/backup/offsite/tool", "an rsync mirror sends the backups to the Storage Box unencrypted")
                        .hint("use `tool: restic`, which encrypts on the host before anything leaves it (GPG files that the mirror does not copy protect nothing)")
                        .at_value(),
                );
            }
            BackupTool::Borg => out.push(
                Finding::error("E512", "/backup/offsite/tool", "gen writes offsite scripts for restic only")
                    .hint("use `tool: restic` (Debian's restic 0.14 speaks SFTP to the Storage Box and needs nothing on the remote side)")
                    .at_value(),
            ),
            BackupTool::Restic => {
                if o.repository.starts_with("sftp:") && !o.repository.starts_with("sftp://") {
                    // `sftp:user@host:path`: restic takes everything after the second colon as the path.
                    let path = o.repository.splitn(3, ':').nth(2).unwrap_or_default();
                    if path.split('/').next().is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())) {
                        out.push(
                            Finding::error("E516", "/backup/offsite/repository", format!(
                                "restic reads `{}` as the path `{path}` on the default SSH port: the `sftp:user@host:path` form has no port",
                                o.repository
                            ))
                            .hint("write the URL form, `sftp://user@host:PORT/path` (relative to the home directory) or `sftp://user@host:PORT//abs/path`")
                            .at_value(),
                        );
                    }
                }
            }
        }
        if o.keep_daily == 0 && o.keep_monthly == 0 {
            out.push(
                Finding::error(
                    "E515",
                    "/backup/offsite/keep_daily",
                    "the offsite copy keeps nothing (`keep_daily` and `keep_monthly` are 0)",
                )
                .hint("keep at least the last days, e.g. `keep_daily: 30`")
                .at_value(),
            );
        }
        overlap(local.at.as_str(), local.max_duration.unwrap_or(DEFAULT_MAX_DURATION), &o.at, out);
        // The offsite space over time (W512 for a mirror, E507/W507 for restic) is `backup_space`.
    }
    if backup.scheduler == Some(Scheduler::Cron) {
        if let Some(host) = bp.hosts.iter().find(|h| h.name == backup.host) {
            let tz = host.timezone.as_deref().unwrap_or("UTC");
            if !matches!(tz, "UTC" | "Etc/UTC" | "Etc/UCT" | "UCT" | "Zulu") {
                out.push(
                    Finding::warning("W511", "/backup/scheduler", format!(
                        "cron reads the times in the host's time zone, `{tz}`: the backup planned for {} UTC runs at {} there, which moves against UTC with daylight saving",
                        local.at, local.at
                    ))
                    .hint(format!("use `scheduler: systemd` (gen writes `OnCalendar=… UTC`), or set the timezone of `{}` to UTC", host.name))
                    .at_value(),
                );
            }
        }
    }
}

/// `path` is `dir` or lies below it.
pub(crate) fn within(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    path.trim_end_matches('/') == dir || path.starts_with(&format!("{dir}/"))
}

/// Every directory of application data the backup does not cover: an Odoo
/// environment's data_dir (filestore, sessions) and its host mounts, unless
/// the environment says `backup: false`. (Databases: every one on the backup
/// host is dumped; PostgreSQL elsewhere is W516.)
fn coverage(bp: &Blueprint, backup: &crate::blueprint::model::Backup, out: &mut Vec<Finding>) {
    let covered = |host: &str, path: &str| backup.host.0 == host && backup.paths.iter().any(|p| within(path, &p.path));
    let hint = |name: &str, path: &str| {
        format!(
            "add `{{name: {name}, path: {path}, mode: archive}}` to `backup.paths` (or `mode: snapshot` for large trees of files), or set `backup: false` on the environment with the reason in a comment"
        )
    };
    for (i, app) in bp.applications.iter().enumerate() {
        for (j, env) in app.environments.iter().enumerate().filter(|(_, e)| e.backup) {
            let what = format!("{}/{}", app.name, env.name);
            // A spread application's files live on its data host (NFS).
            let Some(data_host) = app.data_host() else { continue };
            let elsewhere = if *data_host != backup.host {
                let verb = if app.is_spread() { "lives" } else { "runs" };
                format!(" (it {verb} on `{data_host}`, backups on `{}`)", backup.host)
            } else {
                String::new()
            };
            if !covered(&data_host.0, &env.data_dir) {
                out.push(
                    Finding::warning(
                        "W517",
                        format!("/applications/{i}/environments/{j}/data_dir"),
                        format!(
                            "the data directory `{}` of `{what}` (filestore, sessions) is in no backup{elsewhere}",
                            env.data_dir
                        ),
                    )
                    .hint(hint(&format!("filestore-{}", env.name), &env.data_dir))
                    .at_value(),
                );
            }
            for (k, m) in env.mounts.iter().enumerate() {
                // Host mounts are each host's own: the first host's is checked.
                let Some(first) = app.cron_host() else { continue };
                if !covered(&first.0, &m.source) {
                    out.push(
                        Finding::warning(
                            "W517",
                            format!("/applications/{i}/environments/{j}/mounts/{k}/source"),
                            format!(
                                "`{}`, mounted into `{what}` at `{}`, is in no backup{elsewhere}",
                                m.source, m.target
                            ),
                        )
                        .hint(hint("NAME", &m.source))
                        .at_value(),
                    );
                }
            }
        }
    }
    // Every component kind's data a backup must cover.
    for dir in crate::components::data_dirs(bp) {
        let Some((what, hint)) = &dir.backup else { continue };
        let Some(host) = dir.hosts.iter().find(|h| !covered(h, &dir.path)) else { continue };
        let elsewhere = if *host != backup.host.0 {
            format!(" (it runs on `{host}`, backups on `{}`)", backup.host)
        } else {
            String::new()
        };
        out.push(
            Finding::warning(
                "W517",
                dir.pointer.clone(),
                format!("`{}`, {what}, is in no backup{elsewhere}", dir.path),
            )
            .hint(hint.clone())
            .at_value(),
        );
    }
}

/// The offsite copy must not start while the local run may still be writing.
fn overlap(local_at: &str, max_duration: Duration, offsite_at: &str, out: &mut Vec<Finding>) {
    let (Some(start), Some(other)) = (Schedule::minute_of_day(local_at), Schedule::minute_of_day(offsite_at)) else {
        return;
    };
    let minutes = u32::try_from(max_duration.seconds().div_ceil(60)).unwrap_or(u32::MAX).min(1440);
    let after = (other + 1440 - start) % 1440;
    if after < minutes {
        out.push(
            Finding::error("E513", "/backup/offsite/at", format!(
                "the offsite copy at {offsite_at} starts {after} min after the local backup at {local_at}, which may run for {max_duration}: the copy starts while the set may still be written"
            ))
            .hint(format!("start the offsite copy at least {max_duration} after {local_at}, or lower `local.max_duration` if runs are shorter"))
            .at_value(),
        );
    }
}

/// Daily backups lose up to a day: an RPO below that cannot be met.
fn rpo(bp: &Blueprint, out: &mut Vec<Finding>) {
    let Some(sla) = &bp.sla else { return };
    match &bp.backup {
        Some(_) if sla.rpo < DAILY => out.push(
            Finding::error("E514", "/sla/rpo", format!(
                "the SLA promises a recovery point of {} but backups run once a day, so up to a day of data can be lost",
                sla.rpo
            ))
            .hint("set `rpo: 24h`, or add continuous protection (PostgreSQL WAL archiving or a replica), which gen does not generate")
            .at_value(),
        ),
        None if sla.rpo < DAILY => out.push(
            Finding::error("E514", "/sla/rpo", format!(
                "the SLA promises a recovery point of {} but the blueprint backs nothing up; the provider's daily snapshots give at best a day",
                sla.rpo
            ))
            .hint("set `rpo: 24h` for daily snapshots, or add a `backup` section")
            .at_value(),
        ),
        None => {
            // The provider's Backups (`backups: true`, daily) keep a 24 h RPO
            // for the hosts that have them.
            let without: Vec<String> =
                bp.hosts.iter().filter(|h| !h.backups).map(|h| format!("`{}`", h.name)).collect();
            if !without.is_empty() {
                out.push(
                    Finding::warning("W510", "/sla/rpo", format!(
                        "the SLA's recovery point of {} rests on backups outside the blueprint (it has no `backup` section, and {} ha{} no `backups: true`)",
                        sla.rpo,
                        without.join(", "),
                        if without.len() == 1 { "s" } else { "ve" }
                    ))
                    .hint("add a `backup` section, or `backups: true` on each cloud server (the provider's daily Backups, 7 kept)")
                    .at_value(),
                );
            }
        }
        Some(backup) => match &backup.offsite {
            Some(o) => {
                let (Some(local), Some(copy)) = (Schedule::minute_of_day(&backup.local.at), Schedule::minute_of_day(&o.at))
                else {
                    return;
                };
                let gap = Duration(u64::from((copy + 1440 - local) % 1440) * 60);
                let worst = Duration(DAILY.0 + gap.0);
                if worst > sla.rpo {
                    out.push(
                        Finding::warning("W514", "/sla/rpo", format!(
                            "after a total server loss only the offsite copy is left; it leaves {} after the local backup, so up to {}h of data can be lost, more than the RPO of {}",
                            gap, worst.0 / 3600, sla.rpo
                        ))
                        .hint(format!("state the RPO the setup gives (`rpo: {}h`), or run the offsite copy right after the local backup", worst.0.div_ceil(3600)))
                        .at_value(),
                    );
                }
            }
            None => out.push(
                Finding::warning("W515", "/backup", "there is no offsite copy: a total server loss loses every backup")
                    .hint("add `backup.offsite` (restic to a Storage Box)"),
            ),
        },
    }
}

/// Alerts need an address: a Telegram chat, or a recipient and relay for e-mail.
fn webhook(bp: &Blueprint, out: &mut Vec<Finding>) {
    let Some(w) = bp.monitoring.as_ref().and_then(|m| m.webhook.as_ref()) else { return };
    let missing = match w.kind {
        WebhookKind::Telegram if w.to.is_none() => Some("`to` (the Telegram chat id)"),
        WebhookKind::Email if w.to.is_none() => Some("`to` (the recipient)"),
        WebhookKind::Email if w.relay.is_none() => Some("`relay` (the SMTP relay URL)"),
        _ => None,
    };
    if let Some(missing) = missing {
        out.push(
            Finding::warning(
                "W513",
                "/monitoring/webhook",
                format!("the alert webhook has no {missing}: alerts are only logged"),
            )
            .hint("add it to `monitoring.webhook`"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(extra: &str) -> Vec<&'static str> {
        crate::check::codes_on_base(check, extra)
    }

    #[test]
    fn backups_on_another_host_than_postgres() {
        let backup = "backup:\n  host: ax53\n  local: {path: /b, at: \"02:00\", keep_days: 7, daily_size: 1G}\n  paths:\n    - {name: data, path: /mnt/odoo-data, mode: archive}\n";
        assert_eq!(codes(backup), ["W517", "W516"], "the filestore on ax52 is not in ax53's backup either");
        assert!(codes(&backup.replace("ax53", "ax52")).is_empty());
    }

    #[test]
    fn application_data_outside_the_backup_paths() {
        let backup = "backup:\n  host: ax52\n  local: {path: /b, at: \"02:00\", keep_days: 7, daily_size: 1G}\n";
        assert_eq!(codes(backup), ["W517"], "the filestore of prod is in no path");
        let covered = format!("{backup}  paths:\n    - {{name: data, path: /mnt/odoo-data/, mode: archive}}\n");
        assert!(codes(&covered).is_empty(), "a parent directory covers it");
        let sibling = format!("{backup}  paths:\n    - {{name: data, path: /mnt/odoo-data/pro, mode: archive}}\n");
        assert_eq!(codes(&sibling), ["W517"], "a name prefix is not a parent");
        assert!(within("/a/b/c", "/a/b/") && within("/a/b", "/a/b") && !within("/a/bc", "/a/b"));
    }

    #[test]
    fn rpo_against_the_schedule() {
        let backup = "backup:\n  host: ax52\n  local: {path: /b, at: \"02:00\", keep_days: 7, daily_size: 1G}\n  paths:\n    - {name: data, path: /mnt/odoo-data, mode: archive}\n";
        let sla = |rpo: &str| format!("sla: {{availability: 99.5, rto: 8h, rpo: {rpo}}}\n");
        assert_eq!(codes(&format!("{backup}{}", sla("12h"))), ["E514"]);
        assert_eq!(codes(&format!("{backup}{}", sla("24h"))), ["W515"]);
        assert_eq!(codes(&sla("24h")), ["W510"]);
        assert_eq!(codes(&sla("5m")), ["E514"]);
    }

    #[test]
    fn overlap_wraps_around_midnight() {
        let mut out = Vec::new();
        overlap("23:30", Duration(3600), "00:15", &mut out);
        assert_eq!(out.len(), 1);
        overlap("02:00", Duration(3600), "05:00", &mut out);
        assert_eq!(out.len(), 1);
        overlap("02:00", Duration(3600), "02:00", &mut out);
        assert_eq!(out.len(), 2);
    }
}
