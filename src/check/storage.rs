//! Disks: partitions against the usable capacity of the array at its RAID
//! level, and local backups against the partition that holds them.

use crate::blueprint::model::Blueprint;
use crate::blueprint::units::Size;
use crate::diag::Finding;
use crate::resolve::capacity::{raid_min_disks, raid_name, usable};

use crate::resolve::pct;

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (h, host) in bp.hosts.iter().enumerate() {
        let Some(storage) = &host.storage else { continue };
        let at = format!("/hosts/{h}/storage");
        let count: u32 = storage.disks.iter().map(|d| d.count).sum();
        if count < raid_min_disks(storage.raid) {
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
    let Some(storage) = &host.storage else { return };
    // The partition that holds the backup path: the longest mount point prefix.
    let holding = storage
        .partitions
        .iter()
        .filter(|p| p.mount != "swap" && is_under(&backup.local.path, &p.mount))
        .max_by_key(|p| p.mount.len());
    if let Some(part) = holding {
        let local = &backup.local;
        // A run writes the new set before retention removes the oldest one.
        let sets = u64::from(local.keep_days) + 1;
        let need = Size(local.daily_size.0 * sets);
        if need > part.size {
            out.push(
                Finding::error("E503", "/backup/local/keep_days", format!(
                    "keeping {} days of {} backups needs {need} ({sets} sets: {} kept plus the one being written), but `{}` has {}",
                    local.keep_days, local.daily_size, local.keep_days, part.mount, part.size
                ))
                .hint(format!("grow `{}` to at least {need}, lower `keep_days`, or make daily backups incremental", part.mount))
                .at_value(),
            );
        }
    }
}

/// `path` lies on the partition mounted at `mount` (whole path segments).
pub(super) fn is_under(path: &str, mount: &str) -> bool {
    mount == "/" || path == mount || path.strip_prefix(mount).is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn mount_prefixes_respect_path_segments() {
        assert!(super::is_under("/mnt/backups/daily", "/mnt/backups"));
        assert!(!super::is_under("/mnt/backups2", "/mnt/backups"));
        assert!(super::is_under("/anything", "/"));
    }
}
