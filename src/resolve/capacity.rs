//! Capacity arithmetic: CPU and memory promised and allowed per host, and the
//! usable size of a disk array. The checks compare these numbers with the
//! machine; the plan and reports print them with their reasons.

use serde::Serialize;

use super::placement::Placed;
use super::Derived;
use crate::blueprint::model::{Amount, Blueprint, Host, RaidLevel, Storage};
use crate::blueprint::units::{Cpus, Size};

#[derive(Debug, Clone, Serialize)]
pub struct CapacityPlan {
    pub rows: Vec<CapacityRow>,
    pub cpus_reserved: Derived<Cpus>,
    pub cpus_limits: Derived<Cpus>,
    pub memory_reserved: Derived<Size>,
    pub memory_limits: Derived<Size>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CapacityRow {
    pub service: String,
    pub cpus_limit: Option<Cpus>,
    pub cpus_reserved: Option<Cpus>,
    pub memory_limit: Option<Size>,
    pub memory_reserved: Option<Size>,
}

/// Sums what the host's containers (and the system) reserve and may use.
pub fn plan(bp: &Blueprint, host: &Host, placed: &[Placed], cpus: u32, memory: Size) -> CapacityPlan {
    let mut rows: Vec<CapacityRow> = placed
        .iter()
        .map(|p| CapacityRow {
            service: p.service.clone(),
            cpus_limit: p.resources.limits.map(|a| a.cpus),
            cpus_reserved: p.resources.reservations.map(|a| a.cpus),
            memory_limit: p.resources.limits.map(|a| a.memory),
            memory_reserved: p.resources.reservations.map(|a| a.memory),
        })
        .collect();
    // Monitoring runs beside every compose project (see components::monitoring::resolve).
    if !placed.is_empty() {
        rows.extend(crate::components::monitoring::resolve::containers(bp).into_iter().map(|(name, (c, m))| {
            CapacityRow {
                service: name.to_string(),
                cpus_limit: Some(c),
                cpus_reserved: None,
                memory_limit: Some(m),
                memory_reserved: None,
            }
        }));
    }
    let containers = rows.len();
    if let Some(Amount { cpus, memory }) = host.reserved {
        rows.push(CapacityRow {
            service: "system".into(),
            cpus_limit: None,
            cpus_reserved: Some(cpus),
            memory_limit: None,
            memory_reserved: Some(memory),
        });
    }
    let cpus_reserved: Cpus = rows.iter().filter_map(|r| r.cpus_reserved).sum();
    let memory_reserved: Size = rows.iter().filter_map(|r| r.memory_reserved).sum();
    // The system has no limit: it may use what the containers leave.
    let cpus_limits: Cpus = rows.iter().filter_map(|r| r.cpus_limit.or(r.cpus_reserved)).sum();
    let memory_limits: Size = rows.iter().filter_map(|r| r.memory_limit.or(r.memory_reserved)).sum();
    let of = |n: usize| format!("sum over {n} containers and the system reservation");
    CapacityPlan {
        cpus_reserved: Derived::new(cpus_reserved, format!("{}, of {cpus} CPUs", of(containers))),
        cpus_limits: Derived::new(cpus_limits, format!("{}, of {cpus} CPUs", of(containers))),
        memory_reserved: Derived::new(memory_reserved, format!("{}, of {memory}", of(containers))),
        memory_limits: Derived::new(memory_limits, format!("{}, of {memory}", of(containers))),
        rows,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DiskPlan {
    pub raid: &'static str,
    pub disks: String,
    pub usable: Derived<Size>,
    pub allocated: Derived<Size>,
    pub free: Size,
}

pub fn raid_name(level: RaidLevel) -> &'static str {
    match level {
        RaidLevel::None => "none",
        RaidLevel::Raid0 => "RAID 0",
        RaidLevel::Raid1 => "RAID 1",
        RaidLevel::Raid5 => "RAID 5",
        RaidLevel::Raid6 => "RAID 6",
        RaidLevel::Raid10 => "RAID 10",
    }
}

/// The fewest disks each RAID level needs.
pub fn raid_min_disks(level: RaidLevel) -> u32 {
    match level {
        RaidLevel::None | RaidLevel::Raid0 => 1,
        RaidLevel::Raid1 => 2,
        RaidLevel::Raid5 => 3,
        RaidLevel::Raid6 | RaidLevel::Raid10 => 4,
    }
}

/// Usable capacity of the array: the smallest member decides for every level
/// with redundancy, as mdadm sizes each member to the smallest.
pub fn usable(storage: &Storage) -> Derived<Size> {
    let count: u32 = storage.disks.iter().map(|d| d.count).sum();
    let smallest = storage.disks.iter().map(|d| d.size).min().unwrap_or_default();
    let total: Size = storage.disks.iter().map(|d| Size(d.size.0 * u64::from(d.count))).sum();
    let n = u64::from(count);
    let (bytes, why) = match storage.raid {
        RaidLevel::None => (total.0, format!("{count} disks without RAID: the sum, {total}")),
        RaidLevel::Raid0 => (smallest.0 * n, format!("RAID 0 stripes {count} × {smallest}")),
        RaidLevel::Raid1 => (smallest.0, format!("RAID 1 mirrors: {count} disks hold one copy of {smallest}")),
        RaidLevel::Raid5 => (smallest.0 * n.saturating_sub(1), format!("RAID 5: ({count} − 1) × {smallest}")),
        RaidLevel::Raid6 => (smallest.0 * n.saturating_sub(2), format!("RAID 6: ({count} − 2) × {smallest}")),
        RaidLevel::Raid10 => (smallest.0 * (n / 2), format!("RAID 10: {count} / 2 × {smallest}")),
    };
    Derived::new(Size(bytes), why)
}

pub fn disk_plan(storage: &Storage) -> DiskPlan {
    let usable = usable(storage);
    let allocated: Size = storage.partitions.iter().map(|p| p.size).sum();
    let listing = storage.partitions.iter().map(|p| format!("{} {}", p.mount, p.size)).collect::<Vec<_>>().join(" + ");
    DiskPlan {
        raid: raid_name(storage.raid),
        disks: storage
            .disks
            .iter()
            .map(|d| format!("{} × {} {:?}", d.count, d.size, d.kind).to_lowercase())
            .collect::<Vec<_>>()
            .join(", "),
        free: usable.value.saturating_sub(allocated),
        allocated: Derived::new(allocated, if listing.is_empty() { "no partitions".into() } else { listing }),
        usable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blueprint::model::{Disk, DiskKind};

    fn storage(raid: RaidLevel, count: u32, gib: u64) -> Storage {
        Storage {
            disks: vec![Disk { count, size: Size::gib(gib), kind: DiskKind::Nvme }],
            raid,
            partitions: vec![],
            volumes: vec![],
        }
    }

    #[test]
    fn usable_capacity_per_raid_level() {
        assert_eq!(usable(&storage(RaidLevel::Raid1, 2, 512)).value, Size::gib(512));
        assert_eq!(usable(&storage(RaidLevel::Raid0, 2, 512)).value, Size::gib(1024));
        assert_eq!(usable(&storage(RaidLevel::Raid5, 4, 1000)).value, Size::gib(3000));
        assert_eq!(usable(&storage(RaidLevel::Raid6, 6, 1000)).value, Size::gib(4000));
        assert_eq!(usable(&storage(RaidLevel::Raid10, 4, 1000)).value, Size::gib(2000));
        assert_eq!(usable(&storage(RaidLevel::None, 1, 80)).value, Size::gib(80));
    }

    #[test]
    fn mixed_disks_are_limited_by_the_smallest() {
        let mut s = storage(RaidLevel::Raid1, 1, 512);
        s.disks.push(Disk { count: 1, size: Size::gib(1024), kind: DiskKind::Nvme });
        assert_eq!(usable(&s).value, Size::gib(512));
    }
}
