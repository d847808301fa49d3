//! Keeping the stack safe: local and offsite backups. Monitoring and alerts
//! are the monitoring component's (`crate::components::monitoring`).

use schemars::JsonSchema;
use serde::Deserialize;

use super::hosts::Price;
use crate::blueprint::units::{Duration, Name, SecretName, Size};

/// Nightly backups on one host and their offsite copy.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    /// The host that runs the backups, by name; every database on its
    /// PostgreSQL servers is dumped.
    pub host: Name,
    /// The local backup on the host's own disks.
    pub local: LocalBackup,
    /// A copy of the local backups on another machine (a Storage Box).
    /// Left out: no offsite copy, which a lost host does not survive.
    #[serde(default)]
    pub offsite: Option<Offsite>,
    /// Directories to back up besides the databases. Default: none.
    #[serde(default)]
    pub paths: Vec<BackupPath>,
    /// `systemd` timers or `/etc/cron.d` entries. Left out: `systemd`,
    /// whose `OnCalendar=… UTC` keeps the times in UTC.
    #[serde(default)]
    pub scheduler: Option<Scheduler>,
}

/// What starts the backup jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scheduler {
    /// systemd timers (`OnCalendar=… UTC`, `Persistent=true`).
    Systemd,
    /// `/etc/cron.d` entries, which run in the host's time zone (W511).
    Cron,
}

/// The local backup on the backup host.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalBackup {
    /// Where backups are written; should be a partition of its own.
    #[schemars(example = &"/mnt/backups")]
    pub path: String,
    /// Time of day in UTC, `HH:MM`.
    #[schemars(regex(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"))]
    #[schemars(example = &"02:00")]
    pub at: String,
    /// Days a daily set is kept before it is deleted.
    #[schemars(example = 7)]
    pub keep_days: u32,
    /// Expected size of one day's backup, to check the volume against retention.
    #[schemars(example = &"8G")]
    pub daily_size: Size,
    /// Longest a local run may take; the offsite copy must start after it (default `1h`).
    #[serde(default)]
    #[schemars(example = &"1h")]
    pub max_duration: Option<Duration>,
}

/// The program that writes the offsite copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BackupTool {
    /// restic: encrypted, deduplicated snapshots over SFTP; the one gen generates.
    Restic,
    /// BorgBackup: reported (E512), never generated.
    Borg,
    /// A plain `rsync --delete` mirror: one unencrypted copy of the latest day. Reported, never generated.
    Rsync,
}

/// The offsite copy of the local backups.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Offsite {
    /// `restic` (`borg` and `rsync` are reported, not generated).
    pub tool: BackupTool,
    /// Repository location: `sftp:u123456@u123456.your-storagebox.de:/odoo`.
    #[schemars(example = &"sftp:u123456@u123456.your-storagebox.de:/odoo")]
    pub repository: String,
    /// Time of day in UTC, `HH:MM`; after the local run's `max_duration`.
    #[schemars(regex(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"))]
    #[schemars(example = &"04:00")]
    pub at: String,
    /// Daily snapshots kept (`restic forget --keep-daily`).
    #[schemars(example = 30)]
    pub keep_daily: u32,
    /// Monthly snapshots kept (`restic forget --keep-monthly`).
    #[schemars(example = 12)]
    pub keep_monthly: u32,
    /// The secret that holds the restic repository password.
    #[schemars(example = &"RESTIC_PASSWORD")]
    pub password_secret: SecretName,
    /// Fingerprint of the SFTP server's host key as its provider publishes it
    /// (`SHA256:…`, from `ssh-keygen -lf`): `offsite-init.sh` pins the key only
    /// when it matches. Without it the key first seen is pinned (trust on
    /// first use) and its fingerprint printed for the operator to compare.
    #[serde(default)]
    pub host_key: Option<String>,
    /// Storage Box product (`BX11`), priced from the catalog. Left out: the
    /// cost line is priced by `price` alone.
    #[serde(default)]
    #[schemars(example = &"BX11")]
    pub product: Option<String>,
    /// The Storage Box's capacity, binary units (`1T`); the offsite
    /// repository must fit it over the years (E507, W507). Left out: not
    /// checked.
    #[serde(default)]
    #[schemars(example = &"1T")]
    pub capacity: Option<Size>,
    /// A dated quote for the Storage Box. Left out: the catalog's price for
    /// `product`.
    #[serde(default)]
    pub price: Option<Price>,
}

/// How a directory is backed up locally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BackupMode {
    /// A compressed archive per run.
    Archive,
    /// Hard-linked incremental snapshots (`rsync --link-dest`).
    Snapshot,
}

/// A directory in the backup.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupPath {
    /// The name of its archive or snapshot directory.
    #[schemars(example = &"filestore-prod")]
    pub name: Name,
    /// Absolute path on the backup host.
    #[schemars(example = &"/mnt/odoo-data/prod")]
    pub path: String,
    /// `archive` (small trees) or `snapshot` (large trees of files).
    pub mode: BackupMode,
}
