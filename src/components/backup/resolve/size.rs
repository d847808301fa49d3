//! Backup sizes over the growth projection: the trees a backup copies (sized
//! by the growth items on their mounts), what the local backup partition
//! holds, what the offsite restic repository holds, and what a restore after
//! a total loss reads back.
//!
//! What gen's scripts write (templates/ops/backup.sh.j2, offsite.sh.j2):
//! - every run dumps each database with `pg_dump --format=custom` (compressed)
//!   and packs each `mode: archive` path with `tar -czf`: a new compressed
//!   file a day, as large as its input after compression;
//! - each `mode: snapshot` path is copied with `rsync --link-dest` against the
//!   previous set: the first run copies the whole tree, later runs only what
//!   changed (unchanged files are hard links into the previous set);
//! - the offsite copy runs `restic backup` of the latest set and
//!   `restic forget --keep-daily D --keep-monthly M --prune`.
//!
//! The deduplication assumption (restic stores each content-defined chunk
//! once, <https://restic.readthedocs.io/en/stable/100_references.html#backups-and-deduplication>):
//! a snapshot tree counts once in the repository, at its size in that year;
//! compressed dumps and archives change throughout when their input changes,
//! so no two days share chunks and every kept set counts in full at
//! `daily_size`. That is the upper bound: tables that did not change can
//! still share chunks between two custom-format dumps. Kept sets are
//! `keep_daily + keep_monthly`, again an upper bound (restic keeps a snapshot
//! that is both a day's and a month's once, so one or two fewer).
//! `daily_size` is the blueprint's estimate of one run and stays fixed; the
//! trees grow with their growth items.

use crate::blueprint::model::{Backup, BackupMode, Blueprint};
use crate::blueprint::units::Size;

use crate::resolve::growth;

/// A backed-up directory whose size the growth projection knows: the growth
/// items whose mount is the path or lies below it.
#[derive(Debug, Clone)]
pub struct Tree {
    /// `backup.paths[index]`.
    pub index: usize,
    pub name: String,
    pub path: String,
    pub mode: BackupMode,
    /// The growth items it holds, by name.
    pub items: Vec<String>,
    pub initial: Size,
    pub per_year: Size,
}

impl Tree {
    /// Its size in year index `i` (0 = the growth projection's start year).
    pub fn size(&self, i: u32) -> Size {
        growth::need(self.initial, self.per_year, i)
    }
}

/// `path` is `dir` or lies below it (whole path segments).
fn within(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    let path = path.trim_end_matches('/');
    dir.is_empty() || path == dir || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

/// Every `backup.paths` entry whose size the growth items give, in blueprint order.
pub fn trees(bp: &Blueprint, backup: &Backup) -> Vec<Tree> {
    let Some(g) = &bp.growth else { return Vec::new() };
    backup
        .paths
        .iter()
        .enumerate()
        .filter_map(|(index, p)| {
            let items: Vec<_> = g.items.iter().filter(|it| within(&it.mount, &p.path)).collect();
            (!items.is_empty()).then(|| Tree {
                index,
                name: p.name.to_string(),
                path: p.path.clone(),
                mode: p.mode,
                items: items.iter().map(|it| it.name.to_string()).collect(),
                initial: items.iter().map(|it| it.initial).sum(),
                per_year: items.iter().map(|it| it.per_year).sum(),
            })
        })
        .collect()
}

/// The projection's years: (start year, count); one unnamed year without `growth`.
pub fn years(bp: &Blueprint) -> (u32, u32) {
    bp.growth.as_ref().map_or((0, 1), |g| (g.start_year, g.years.max(1)))
}

/// The sum of the trees of one mode in year index `i`.
pub fn trees_size(trees: &[Tree], mode: BackupMode, i: u32) -> Size {
    trees.iter().filter(|t| t.mode == mode).map(|t| t.size(i)).sum()
}

/// Local sets on the partition: the kept days plus the one being written
/// (storage's E503 counts the same).
pub fn local_sets(backup: &Backup) -> u64 {
    u64::from(backup.local.keep_days) + 1
}

/// What the local backup partition holds in year index `i`: each snapshot
/// tree once (the hard-linked sets share its unchanged files) plus
/// `local_sets` × `daily_size`.
pub fn local_need(backup: &Backup, trees: &[Tree], i: u32) -> Size {
    trees_size(trees, BackupMode::Snapshot, i) + Size(backup.local.daily_size.0.saturating_mul(local_sets(backup)))
}

/// Kept offsite snapshots, an upper bound: `keep_daily + keep_monthly`.
pub fn offsite_sets(backup: &Backup) -> u64 {
    backup.offsite.as_ref().map_or(0, |o| u64::from(o.keep_daily) + u64::from(o.keep_monthly))
}

/// What the restic repository holds in year index `i`, under the
/// deduplication assumption of this module: the snapshot trees once, every
/// kept set of dumps and archives in full.
pub fn offsite_need(backup: &Backup, trees: &[Tree], i: u32) -> Size {
    trees_size(trees, BackupMode::Snapshot, i) + Size(backup.local.daily_size.0.saturating_mul(offsite_sets(backup)))
}

/// What a restore after a total loss reads from the offsite copy in year
/// index `i`: the latest set, that is one `daily_size` plus the snapshot trees.
pub fn restore_size(backup: &Backup, trees: &[Tree], i: u32) -> Size {
    trees_size(trees, BackupMode::Snapshot, i) + backup.local.daily_size
}

/// "`building-plans` (250G)" for the trees of one mode in year index `i`.
pub fn listing(trees: &[Tree], mode: BackupMode, i: u32) -> String {
    trees
        .iter()
        .filter(|t| t.mode == mode)
        .map(|t| format!("`{}` ({})", t.name, t.size(i)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blueprint() -> Blueprint {
        let base = include_str!("../../../../tests/fixtures/invalid/base/minimal.yaml");
        let extra = "backup:\n  host: ax52\n  local: {path: /b, at: \"02:00\", keep_days: 7, daily_size: 8G}\n  offsite: {tool: restic, repository: /r, at: \"05:00\", keep_daily: 30, keep_monthly: 12, password_secret: R}\n  paths:\n    - {name: plans, path: /mnt/plans, mode: snapshot}\n    - {name: prod, path: /mnt/odoo-data/prod, mode: archive}\ngrowth:\n  start_year: 2026\n  years: 5\n  items:\n    - {name: plans, mount: /mnt/plans, initial: 250G, per_year: 50G}\n    - {name: postgres, mount: /mnt/odoo-data, initial: 50G, per_year: 10G}\n";
        serde_yaml::from_str(&format!("{base}{extra}")).expect("blueprint")
    }

    #[test]
    fn trees_are_sized_by_the_growth_items_below_them() {
        let bp = blueprint();
        let backup = bp.backup.as_ref().expect("backup");
        let t = trees(&bp, backup);
        assert_eq!(t.len(), 1, "postgres on /mnt/odoo-data is not below /mnt/odoo-data/prod");
        assert_eq!((t[0].size(0), t[0].size(4)), (Size::gib(250), Size::gib(450)));
        // 250 + 8 × 8 = 314 locally; 250 + 42 × 8 = 586 offsite; 450 + 8 restored in 2030.
        assert_eq!(local_need(backup, &t, 0), Size::gib(314));
        assert_eq!(offsite_need(backup, &t, 0), Size::gib(586));
        assert_eq!(offsite_need(backup, &t, 1), Size::gib(636));
        assert_eq!(restore_size(backup, &t, 4), Size::gib(458));
        assert!(within("/a/b", "/a") && within("/a", "/a/") && !within("/ab", "/a") && within("/x", "/"));
    }
}
