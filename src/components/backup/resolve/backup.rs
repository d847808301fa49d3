//! Backups of one host: what the local run dumps, archives and snapshots,
//! where the offsite copy goes and what it keeps, when each runs, and the
//! recovery objectives the runbook and the health check measure against.

use serde::Serialize;

use crate::blueprint::model::{BackupMode, BackupTool, Blueprint, Host, Scheduler};
use crate::blueprint::units::Duration;
use crate::resolve::Derived;

/// A local run that takes longer than this collides with whatever follows it.
pub const DEFAULT_MAX_DURATION: Duration = Duration(3600);

#[derive(Debug, Clone, Serialize)]
pub struct BackupPlan {
    /// Where the local backup sets live (`<root>/daily/<date>/`).
    pub root: String,
    pub keep_days: u32,
    /// Free space a run needs before it starts: one day's estimated size.
    pub min_free_kib: Derived<u64>,
    pub local: Schedule,
    pub max_duration: Derived<Duration>,
    /// Every PostgreSQL service on the host, in blueprint order. Each run
    /// dumps every database the server holds at that time (and its roles);
    /// the databases the blueprint declares must be among them.
    pub postgres: Vec<PgDump>,
    /// `SERVICE=USER` words, for the scripts (the first is the primary:
    /// its dumps keep the plain name `db-<database>.dump`).
    pub pg_services: String,
    /// `SERVICE:DATABASE` words: the declared databases a run requires.
    pub pg_declared: String,
    /// Every MariaDB server on the host, in blueprint order. Each run dumps
    /// every database the server holds at that time but its own (`mysql`,
    /// `sys`, the schemas); the declared ones must be among them.
    pub mariadb: Vec<MariaDump>,
    /// The MariaDB compose services, space-separated, for the scripts.
    pub mdb_services: String,
    /// `SERVICE:DATABASE` words: the declared MariaDB databases a run requires.
    pub mdb_declared: String,
    /// `SERVICE:DATABASE=CLIENT,CLIENT` words: the services restore-mariadb.sh
    /// stops while it restores that database.
    pub mdb_clients: String,
    /// Directories packed into one compressed archive per run.
    pub archives: Vec<PathPlan>,
    /// Directories kept as hard-linked snapshots (`rsync --link-dest`).
    pub snapshots: Vec<PathPlan>,
    /// The same as `NAME=PATH` words, for the scripts.
    pub archive_pairs: String,
    pub snapshot_pairs: String,
    pub max_duration_seconds: u64,
    /// node_exporter's textfile collector directory.
    pub textfile_dir: &'static str,
    pub offsite: Option<OffsitePlan>,
    pub scheduler: &'static str,
    /// Age after which the last good backup is too old: the RPO, else one day.
    pub max_age: Derived<Duration>,
    pub rto: Option<Duration>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PgDump {
    /// Compose service that runs pg_dump and pg_restore.
    pub service: String,
    pub user: String,
    /// The databases the blueprint declares (Odoo environments); the server
    /// may hold more, and each run dumps those too.
    pub databases: Vec<String>,
    /// The Odoo services that use each database, to stop during a restore.
    pub clients: Vec<(String, String)>,
    /// The other hosts whose Odoo uses this server over the private
    /// network: their containers are stopped there, not here.
    pub remote_hosts: Vec<String>,
}

/// A MariaDB server's dumps.
#[derive(Debug, Clone, Serialize)]
pub struct MariaDump {
    /// Compose service that runs mariadb-dump and the restore's client.
    pub service: String,
    /// The databases the blueprint declares (its services'); the server may
    /// hold more, and each run dumps those too.
    pub databases: Vec<String>,
    /// (database, service that uses it).
    pub clients: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PathPlan {
    pub name: String,
    pub path: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OffsitePlan {
    pub tool: &'static str,
    pub repository: String,
    pub at: Schedule,
    pub keep_daily: u32,
    pub keep_monthly: u32,
    pub password_secret: String,
    /// The expected `SHA256:…` fingerprint of the server's host key, if declared.
    pub host_key: Option<String>,
    /// restic reaches the repository over SFTP (`sftp:`): it needs the key
    /// and pinned host key of `offsite-init.sh`.
    pub sftp: bool,
}

/// A daily time in UTC, in each scheduler's syntax.
#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    /// `02:00`
    pub at: String,
    /// systemd `OnCalendar=`: `*-*-* 02:00:00 UTC`.
    pub on_calendar: String,
    /// cron fields: `0 2 * * *` (cron reads them in the host's time zone).
    pub cron: String,
}

impl Schedule {
    pub fn daily(at: &str) -> Schedule {
        let (h, m) = at.split_once(':').unwrap_or(("0", "0"));
        let num = |s: &str| s.parse::<u32>().unwrap_or(0);
        Schedule {
            at: at.to_string(),
            on_calendar: format!("*-*-* {:02}:{:02}:00 UTC", num(h), num(m)),
            cron: format!("{} {} * * *", num(m), num(h)),
        }
    }

    /// Minutes after midnight.
    pub fn minute_of_day(at: &str) -> Option<u32> {
        let (h, m) = at.split_once(':')?;
        Some(h.parse::<u32>().ok()? * 60 + m.parse::<u32>().ok()?)
    }
}

/// The databases a server kind's dumps must hold, as common.sh's list
/// reads them: `<service>:<database>` words, space-separated, server by
/// server (the same for every engine).
fn declared<'a>(servers: impl Iterator<Item = (&'a String, &'a Vec<String>)>) -> String {
    let words = servers.flat_map(|(service, databases)| databases.iter().map(move |db| format!("{service}:{db}")));
    words.collect::<Vec<_>>().join(" ")
}

fn pairs(paths: &[PathPlan]) -> String {
    paths.iter().map(|p| format!("{}={}", p.name, p.path)).collect::<Vec<_>>().join(" ")
}

/// The databases of the Odoo environments that use `pg` (those install.sh
/// does not create), with the environment (`<application>_<environment>`)
/// that uses each.
pub fn odoo_databases(bp: &Blueprint, pg: &str) -> Vec<(String, String)> {
    let own = crate::components::databases_on(bp, pg).into_iter().filter(|d| !d.created);
    own.map(|d| (d.name, d.client)).collect()
}

/// The databases declared on the server `server` (its kind's client
/// databases, [`crate::components::Kind::databases`]) with the client that
/// uses each, in the kind's order.
pub fn databases(bp: &Blueprint, server: &str) -> Vec<(String, String)> {
    crate::components::databases_on(bp, server).into_iter().map(|d| (d.name, d.client)).collect()
}

pub fn plan(bp: &Blueprint, host: &Host) -> Option<BackupPlan> {
    let backup = bp.backup.as_ref().filter(|b| b.host == host.name)?;
    let local = &backup.local;
    let postgres: Vec<PgDump> = bp
        .postgres
        .iter()
        .filter(|pg| pg.host == host.name)
        .map(|pg| {
            let dbs = databases(bp, &pg.name.0);
            PgDump {
                service: pg.name.to_string(),
                user: pg.user.clone(),
                databases: dbs.iter().map(|(db, _)| db.clone()).collect(),
                clients: dbs,
                remote_hosts: crate::resolve::private::remote_clients(bp, pg).into_iter().map(|c| c.host).collect(),
            }
        })
        .collect();
    let pg_services = postgres.iter().map(|p| format!("{}={}", p.service, p.user)).collect::<Vec<_>>().join(" ");
    let pg_declared = declared(postgres.iter().map(|p| (&p.service, &p.databases)));
    let mariadb: Vec<MariaDump> = bp
        .mariadb
        .iter()
        .filter(|m| m.host == host.name)
        .map(|m| {
            let dbs = databases(bp, &m.name.0);
            MariaDump {
                service: m.name.to_string(),
                databases: dbs.iter().map(|(db, _)| db.clone()).collect(),
                clients: dbs,
            }
        })
        .collect();
    let mdb_services = mariadb.iter().map(|m| m.service.clone()).collect::<Vec<_>>().join(" ");
    let mdb_declared = declared(mariadb.iter().map(|m| (&m.service, &m.databases)));
    let mut mdb_clients: Vec<String> = Vec::new();
    for m in &mariadb {
        for db in &m.databases {
            let users: Vec<&str> = m.clients.iter().filter(|(d, _)| d == db).map(|(_, c)| c.as_str()).collect();
            let word = format!("{}:{db}={}", m.service, users.join(","));
            if !mdb_clients.contains(&word) {
                mdb_clients.push(word);
            }
        }
    }
    let paths = |mode: BackupMode| {
        backup
            .paths
            .iter()
            .filter(|p| p.mode == mode)
            .map(|p| PathPlan { name: p.name.to_string(), path: p.path.clone() })
            .collect::<Vec<_>>()
    };
    let offsite = backup.offsite.as_ref().map(|o| OffsitePlan {
        tool: match o.tool {
            BackupTool::Restic => "restic",
            BackupTool::Borg => "borg",
            BackupTool::Rsync => "rsync",
        },
        repository: o.repository.clone(),
        at: Schedule::daily(&o.at),
        keep_daily: o.keep_daily,
        keep_monthly: o.keep_monthly,
        password_secret: o.password_secret.to_string(),
        host_key: o.host_key.clone(),
        sftp: o.repository.starts_with("sftp:"),
    });
    let max_duration = match local.max_duration {
        Some(d) => Derived::new(d, "blueprint"),
        None => Derived::new(DEFAULT_MAX_DURATION, "default: a local run is expected to finish within an hour"),
    };
    let max_age = match &bp.sla {
        Some(sla) => Derived::new(sla.rpo, "the SLA's recovery point objective"),
        None => Derived::new(Duration(86_400), "no SLA: one daily run"),
    };
    let root = local.path.trim_end_matches('/').to_string();
    Some(BackupPlan {
        root,
        keep_days: local.keep_days,
        min_free_kib: Derived::new(
            local.daily_size.0.div_ceil(1024),
            format!("one day's estimated size, {}", local.daily_size),
        ),
        local: Schedule::daily(&local.at),
        max_duration_seconds: max_duration.value.seconds(),
        max_duration,
        postgres,
        pg_services,
        pg_declared,
        mariadb,
        mdb_services,
        mdb_declared,
        mdb_clients: mdb_clients.join(" "),
        archive_pairs: pairs(&paths(BackupMode::Archive)),
        snapshot_pairs: pairs(&paths(BackupMode::Snapshot)),
        archives: paths(BackupMode::Archive),
        snapshots: paths(BackupMode::Snapshot),
        textfile_dir: crate::components::monitoring::resolve::TEXTFILE_DIR,
        offsite,
        scheduler: match backup.scheduler.unwrap_or(Scheduler::Systemd) {
            Scheduler::Systemd => "systemd",
            Scheduler::Cron => "cron",
        },
        max_age,
        rto: bp.sla.as_ref().map(|s| s.rto),
    })
}

#[cfg(test)]
mod tests {
    use super::Schedule;

    #[test]
    fn daily_schedules_in_both_syntaxes() {
        let s = Schedule::daily("02:05");
        assert_eq!(s.on_calendar, "*-*-* 02:05:00 UTC");
        assert_eq!(s.cron, "5 2 * * *");
        assert_eq!(Schedule::minute_of_day("05:30"), Some(330));
    }
}
