//! Disks: partitions against the usable capacity of the array at its RAID
//! level, and local backups against the partition that holds them.

use crate::blueprint::model::{Blueprint, HostKind};
use crate::blueprint::units::Size;
use crate::diag::Finding;
use crate::resolve::capacity::{raid_min_disks, raid_name, usable};

use crate::resolve::pct;

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (h, host) in bp.hosts.iter().enumerate() {
        let Some(storage) = &host.storage else { continue };
        let at = format!("/hosts/{h}/storage");
        let count: u32 = storage.disks.iter().map(|d| d.count).sum();
        // A cloud server's own disk is its type's: `storage` there holds
        // volumes, and disks are stated only on a dedicated server.
        let cloud_volumes_only = host.kind == HostKind::Cloud && storage.disks.is_empty();
        if count < raid_min_disks(storage.raid) && !cloud_volumes_only {
            out.push(
                Finding::error(
                    "E502",
                    format!("{at}/raid"),
                    format!(
                        "{} needs at least {} disks; `{}` has {count}",
                        raid_name(storage.raid),
                        raid_min_disks(storage.raid),
                        host.name
                    ),
                )
                .hint("add disks or choose another RAID level")
                .at_value(),
            );
        }
        let capacity = usable(storage);
        let allocated: Size = storage.partitions.iter().map(|p| p.size).sum();
        if allocated > capacity.value {
            let listing =
                storage.partitions.iter().map(|p| format!("{} {}", p.mount, p.size)).collect::<Vec<_>>().join(" + ");
            out.push(
                Finding::error("E501", format!("{at}/partitions"), format!(
                    "partitions on `{}` take {allocated} but the disks give {} usable ({}): {listing}, {} over ({} % of usable)",
                    host.name,
                    capacity.value,
                    capacity.why,
                    allocated.saturating_sub(capacity.value),
                    pct(allocated.0, capacity.value.0)
                ))
                .hint("shrink partitions (they can grow later with LVM or resize2fs) or buy larger disks; RAID 1 mirrors, it does not add up"),
            );
        }
        let mut mounts: Vec<&str> = Vec::new();
        for (p, part) in storage.partitions.iter().enumerate() {
            if mounts.contains(&part.mount.as_str()) {
                out.push(
                    Finding::error(
                        "E504",
                        format!("{at}/partitions/{p}/mount"),
                        format!("mount point `{}` is used twice", part.mount),
                    )
                    .hint("each partition needs its own mount point")
                    .at_value(),
                );
            }
            mounts.push(&part.mount);
        }
    }

    let Some(backup) = &bp.backup else { return };
    let Some(host) = bp.hosts.iter().find(|h| h.name == backup.host) else { return };
    // The file system that holds the backup path: a partition, a volume or
    // a cloud server's own disk, the longest mount point above it.
    let holding = crate::resolve::growth::holding(host, &backup.local.path);
    if let Some((mount, size)) = holding {
        let local = &backup.local;
        // A run writes the new set before retention removes the oldest one.
        let sets = u64::from(local.keep_days) + 1;
        let need = Size(local.daily_size.0 * sets);
        if need > size {
            out.push(
                Finding::error("E503", "/backup/local/keep_days", format!(
                    "keeping {} days of {} backups needs {need} ({sets} sets: {} kept plus the one being written), but `{}` has {}",
                    local.keep_days, local.daily_size, local.keep_days, mount, size
                ))
                .hint(format!("grow `{mount}` to at least {need}, lower `keep_days`, or make daily backups incremental"))
                .at_value(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::resolve::growth::is_under;

    #[test]
    fn cloud_volumes_need_no_disks_and_hold_the_retention() {
        let volume =
            |size: &str| format!("      volumes:\n        - {{name: backups, size: {size}, mount: /mnt/backups}}\n");
        let backup =
            "backup:\n  host: ax52\n  local: {path: /mnt/backups, at: \"02:00\", keep_days: 7, daily_size: 11G}\n";
        // A cloud server states volumes only: no E502 for its missing disks.
        assert!(crate::check::codes_on_cloud(super::check, &volume("100G"), backup).is_empty());
        // 8 sets of 11G (88G) on a 50G volume, and on the CX33's own 80G disk.
        assert_eq!(crate::check::codes_on_cloud(super::check, &volume("50G"), backup), ["E503"]);
        assert_eq!(crate::check::codes_on_cloud(super::check, "", backup), ["E503"]);
        // A dedicated server still needs its disks.
        assert_eq!(crate::check::codes_on_base(super::check, ""), Vec::<&str>::new());
    }

    #[test]
    fn mount_prefixes_respect_path_segments() {
        assert!(is_under("/mnt/backups/daily", "/mnt/backups"));
        assert!(!is_under("/mnt/backups2", "/mnt/backups"));
        assert!(is_under("/anything", "/"));
    }
}
