//! Backup storage over time: the trees a backup copies against the local
//! backup partition and the offsite repository, year by year of the growth
//! projection, and growth tables that disagree with the backup's own figures.
//! Sizes and the deduplication assumption come from `components::backup::resolve::size`.
//!
//! | code | finding |
//! |---|---|
//! | E505 / W505 | the first full copy of a `mode: snapshot` tree plus the kept sets do not fit the local backup partition: in the start year (the first run fails, no backup at all) / in a later year of the projection |
//! | E506 / W506 | a `mode: archive` tree is larger than `daily_size`, which every run writes in full: now / in a later year (E503 and backup.sh's free-space check use a figure that is too small) |
//! | E507 / W507 | the offsite restic repository outgrows `backup.offsite.capacity`: now / in a later year |
//! | W508 | a growth item on the local backup partition that disagrees with what the backup itself keeps there |
//!
//! Errors are for the start year, where the blueprint's own figures already
//! break the backup; warnings for a year the growth items reach later, which
//! leaves time to grow the partition or the box.

use crate::blueprint::model::{Backup, BackupMode, BackupTool, Blueprint};
use crate::blueprint::units::Size;
use crate::components::backup::resolve::size::{self as size, Tree};
use crate::diag::Finding;

/// Two sizes agree within 10 % of the larger (documents round).
fn agree(a: Size, b: Size) -> bool {
    a.0.abs_diff(b.0) * 10 <= a.0.max(b.0)
}

/// Runs this family's rules (the module's doc lists them) over `bp`,
/// appending each finding to `out`.
pub fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    let Some(backup) = &bp.backup else { return };
    let trees = size::trees(bp, backup);
    local(bp, backup, &trees, out);
    archives(bp, backup, &trees, out);
    offsite(bp, backup, &trees, out);
    mirror(backup, &trees, out);
}

/// The first year index in the projection where `over` holds.
fn first(bp: &Blueprint, over: impl Fn(u32) -> bool) -> Option<u32> {
    let (_, n) = size::years(bp);
    (0..n).find(|&i| over(i))
}

/// The year index `i` as a year ("2026"), or "now" without a projection.
fn year(bp: &Blueprint, i: u32) -> String {
    match &bp.growth {
        Some(g) => (g.start_year + i).to_string(),
        None => "now".into(),
    }
}

/// The file system of the backup host that holds the local backups: a
/// partition, a volume or a cloud server's own disk.
fn partition(bp: &Blueprint, backup: &Backup) -> Option<(String, Size)> {
    let host = bp.hosts.iter().find(|h| h.name == backup.host)?;
    crate::resolve::growth::holding(host, &backup.local.path)
}

/// E505/W505 and W508: snapshot trees and growth items on the local partition.
fn local(bp: &Blueprint, backup: &Backup, trees: &[Tree], out: &mut Vec<Finding>) {
    let Some((mount, capacity)) = partition(bp, backup) else { return };
    let sets = size::local_sets(backup);
    let daily = backup.local.daily_size;
    let dailies = Size(daily.0.saturating_mul(sets));
    let snapshots: Vec<&Tree> = trees.iter().filter(|t| t.mode == BackupMode::Snapshot).collect();
    if let Some(first_tree) = snapshots.iter().max_by_key(|t| t.initial) {
        if let Some(i) = first(bp, |i| size::local_need(backup, trees, i) > capacity) {
            let need = size::local_need(backup, trees, i);
            let (_, n) = size::years(bp);
            let last = size::local_need(backup, trees, n - 1);
            let listing = size::listing(trees, BackupMode::Snapshot, i);
            let pointer = format!("/backup/paths/{}/path", first_tree.index);
            let grows = if last > need { format!(" ({last} by {})", year(bp, n - 1)) } else { String::new() };
            let hint = format!(
                "grow `{mount}` to at least {need}{grows}: the tree is kept there once, in full; lowering `keep_days` saves only {daily} a day"
            );
            let finding = if i == 0 {
                Finding::error("E505", pointer, format!(
                    "the first run copies all of {listing} into `{mount}` ({capacity}; rsync --link-dest has no earlier set to link to): with {sets} sets of {daily} ({dailies}) the partition must hold {need} in {}, so the run fails and no backup is made",
                    year(bp, 0)
                ))
            } else {
                Finding::warning("W505", pointer, format!(
                    "in {} the snapshot tree(s) {listing} plus {sets} sets of {daily} ({dailies}) need {need} on `{mount}` ({capacity}): from then on the local backup fails",
                    year(bp, i)
                ))
            };
            out.push(finding.hint(hint).at_value());
        }
    }
    // W508: the growth table's own figure for the backup partition. Not for
    // `/` (a cloud server's own disk): it also holds the system and every
    // directory without a file system of its own, so its growth items are
    // more than the backups.
    let Some(g) = bp.growth.as_ref().filter(|_| mount != "/") else { return };
    let on_mount: Vec<(usize, &crate::blueprint::model::GrowthItem)> =
        g.items.iter().enumerate().filter(|(_, it)| it.mount == mount).collect();
    let Some((first_item, _)) = on_mount.first() else { return };
    let stated = |i: u32| -> Size {
        on_mount.iter().map(|(_, it)| crate::resolve::growth::need(it.initial, it.per_year, i)).sum()
    };
    if let Some(i) = first(bp, |i| !agree(stated(i), size::local_need(backup, trees, i))) {
        let computed = size::local_need(backup, trees, i);
        let names = on_mount.iter().map(|(_, it)| format!("`{}`", it.name)).collect::<Vec<_>>().join(", ");
        let parts = if snapshots.is_empty() {
            format!("{sets} sets of {daily}")
        } else {
            format!("{} once plus {sets} sets of {daily} ({dailies})", size::listing(trees, BackupMode::Snapshot, i))
        };
        out.push(
            Finding::warning(
                "W508",
                format!("/growth/items/{first_item}/initial"),
                format!(
                    "the growth item(s) {names} put {} on `{mount}` in {}, but the local backups there take {computed}: {parts} (keep_days {} plus the set being written)",
                    stated(i),
                    year(bp, i),
                    backup.local.keep_days
                ),
            )
            .hint("make the two agree: the growth item grows with the trees the backup copies, while `daily_size` is one figure for every year; state what one run writes in `daily_size`")
            .at_value(),
        );
    }
}

/// E506/W506: an archive is written in full by every run.
fn archives(bp: &Blueprint, backup: &Backup, trees: &[Tree], out: &mut Vec<Finding>) {
    let daily = backup.local.daily_size;
    let Some(i) = first(bp, |i| size::trees_size(trees, BackupMode::Archive, i) > daily) else { return };
    let total = size::trees_size(trees, BackupMode::Archive, i);
    let listing = size::listing(trees, BackupMode::Archive, i);
    let message = format!(
        "every run packs {listing} in full (tar -czf, {total} before compression in {}), but `daily_size` says one run writes {daily}",
        year(bp, i)
    );
    let finding = if i == 0 {
        Finding::error(
            "E506",
            "/backup/local/daily_size",
            format!("{message}: the retention check (E503) and backup.sh's free-space check count too little"),
        )
    } else {
        Finding::warning(
            "W506",
            "/backup/local/daily_size",
            format!("{message}: the retention check (E503) stops holding that year"),
        )
    };
    out.push(
        finding
            .hint(format!("use `mode: snapshot` for large trees of files (each run then costs only what changed), or raise `daily_size` to at least {total} plus the dumps"))
            .at_value(),
    );
}

/// E507/W507: the restic repository against the box's capacity.
fn offsite(bp: &Blueprint, backup: &Backup, trees: &[Tree], out: &mut Vec<Finding>) {
    let Some(o) = &backup.offsite else { return };
    let (Some(capacity), BackupTool::Restic) = (o.capacity, o.tool) else { return };
    let Some(i) = first(bp, |i| size::offsite_need(backup, trees, i) > capacity) else { return };
    let need = size::offsite_need(backup, trees, i);
    let sets = size::offsite_sets(backup);
    let daily = backup.local.daily_size;
    let tree_part = size::listing(trees, BackupMode::Snapshot, i);
    let trees_text = if tree_part.is_empty() { String::new() } else { format!("{tree_part} once, plus ") };
    let message = format!(
        "the restic repository holds {need} in {}: {trees_text}{sets} kept snapshots ({} daily + {} monthly) of {daily} dumps and archives, more than the offsite capacity of {capacity}",
        year(bp, i),
        o.keep_daily,
        o.keep_monthly
    );
    let assumption = "assumed: restic stores an unchanged file's chunks once, but compressed dumps (pg_dump -Fc) and tar.gz archives change throughout and count in full per kept snapshot";
    let finding = if i == 0 {
        Finding::error("E507", "/backup/offsite/capacity", message)
    } else {
        Finding::warning("W507", "/backup/offsite/capacity", message)
    };
    out.push(
        finding
            .hint(format!("{assumption}; take a larger box (at least {need}), keep fewer daily or monthly snapshots, or back large trees up with `mode: snapshot`"))
            .at_value(),
    );
}

/// W512: an rsync mirror stores full copies, the trees in each.
fn mirror(backup: &Backup, trees: &[Tree], out: &mut Vec<Finding>) {
    let Some(o) = &backup.offsite else { return };
    let (Some(capacity), BackupTool::Rsync) = (o.capacity, o.tool) else { return };
    let copies = size::offsite_sets(backup);
    let tree = size::trees_size(trees, BackupMode::Snapshot, 0);
    let one = backup.local.daily_size + tree;
    let worst = Size(one.0.saturating_mul(copies));
    if worst > capacity {
        let with = if tree.0 > 0 {
            format!(" plus the snapshot tree(s) {} in each", size::listing(trees, BackupMode::Snapshot, 0))
        } else {
            String::new()
        };
        out.push(
            Finding::warning(
                "W512",
                "/backup/offsite/capacity",
                format!(
                    "{copies} full copies of {}{with} need {worst} but the offsite space is {capacity}",
                    backup.local.daily_size
                ),
            )
            .hint("a deduplicating tool (restic) stores only what changed between days, and each tree once")
            .at_value(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(extra: &str) -> Vec<&'static str> {
        crate::check::codes_on_base(check, extra)
    }

    const GROWTH: &str = "growth:\n  start_year: 2026\n  years: 5\n  items:\n    - {name: plans, mount: /mnt/odoo-data/plans, initial: 100G, per_year: 20G}\n";

    fn backup(mode: &str, daily: &str, capacity: &str) -> String {
        format!("backup:\n  host: ax52\n  local: {{path: /mnt/odoo-data/b, at: \"02:00\", keep_days: 1, daily_size: {daily}}}\n  offsite: {{tool: restic, repository: /r, at: \"05:00\", keep_daily: 3, keep_monthly: 1, password_secret: R, capacity: {capacity}}}\n  paths:\n    - {{name: plans, path: /mnt/odoo-data/plans, mode: {mode}}}\n{GROWTH}")
    }

    #[test]
    fn snapshot_trees_against_the_partition_over_the_years() {
        // 150G partition: 100 + 2 × 1 = 102 fits in 2026, 182 in 2030 does not (2029: 162).
        assert_eq!(codes(&backup("snapshot", "1G", "1T")), ["W505"]);
        assert_eq!(codes(&backup("snapshot", "30G", "1T")), ["E505"], "100 + 2 × 30 = 160 > 150");
    }

    #[test]
    fn archives_against_daily_size() {
        assert_eq!(codes(&backup("archive", "110G", "1T")), ["W506"], "120G in 2027");
        assert_eq!(codes(&backup("archive", "10G", "1T")), ["E506"]);
    }

    #[test]
    fn the_restic_repository_against_the_box() {
        // 100 + 4 × 1 = 104 in 2026, 184 in 2030.
        assert_eq!(codes(&backup("snapshot", "1G", "150G")), ["W505", "W507"]);
        assert_eq!(codes(&backup("snapshot", "1G", "100G")), ["W505", "E507"]);
    }

    #[test]
    fn growth_tables_against_the_backup() {
        // The backups themselves as a growth item on their partition: 2 × 1G = 2G, stated 2G then 12G.
        let bp = "backup:\n  host: ax52\n  local: {path: /mnt/odoo-data/b, at: \"02:00\", keep_days: 1, daily_size: 1G}\ngrowth:\n  start_year: 2026\n  years: 2\n  items:\n    - {name: backups, mount: /mnt/odoo-data, initial: 2G, per_year: 0G}\n";
        assert!(codes(bp).is_empty(), "{bp}");
        assert_eq!(codes(&bp.replace("per_year: 0G}", "per_year: 10G}")), ["W508"]);
    }

    #[test]
    fn a_cloud_servers_volumes_and_own_disk_hold_backups_too() {
        // The local backups on a Hetzner Cloud volume: 100 + 2 × 1 = 102 in
        // 2026 fits 150G, 182 in 2030 does not; on a 90G volume the first run fails.
        let on_volume = |size: &str| {
            crate::check::codes_on_cloud(
                check,
                &format!("      volumes:\n        - {{name: b, size: {size}, mount: /mnt/odoo-data/b}}\n"),
                &backup("snapshot", "1G", "1T"),
            )
        };
        assert_eq!(on_volume("150G"), ["W505"]);
        assert_eq!(on_volume("90G"), ["E505"]);
        // No volume: the backups are on the CX33's own 80G disk, `/`.
        assert_eq!(crate::check::codes_on_cloud(check, "", &backup("snapshot", "1G", "1T")), ["E505"]);
        // Its growth items are more than the backups: no W508 on `/`.
        let root = "backup:\n  host: ax52\n  local: {path: /srv/b, at: \"02:00\", keep_days: 1, daily_size: 1G}\ngrowth:\n  start_year: 2026\n  years: 2\n  items:\n    - {name: system, mount: /, initial: 20G, per_year: 1G}\n";
        assert!(crate::check::codes_on_cloud(check, "", root).is_empty());
    }

    #[test]
    fn sizes_agree_within_a_tenth() {
        assert!(agree(Size::gib(56), Size::gib(60)) && !agree(Size::gib(50), Size::gib(64)));
    }
}
