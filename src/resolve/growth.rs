//! Storage growth: what each mount needs year by year, against the size of
//! the partition (or volume) it lives on, and the year it runs out.
//!
//! Year `start_year` holds `initial`; every later year adds `per_year`.

use schemars::JsonSchema;
use serde::Serialize;

use crate::blueprint::model::{Blueprint, Growth, Host, HostKind};
use crate::blueprint::units::Size;

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct GrowthPlan {
    pub years: Vec<u32>,
    pub mounts: Vec<MountGrowth>,
    /// Everything the growth items need, per year.
    pub total: Vec<Size>,
    /// The sum of the mounts' capacities.
    pub total_capacity: Size,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct MountGrowth {
    pub mount: String,
    pub items: Vec<String>,
    /// Partition or volume size; none when no host has the mount.
    pub capacity: Option<Size>,
    pub need: Vec<Size>,
    /// Capacity minus need in the last projected year, in bytes (negative: short).
    pub headroom_last: Option<i64>,
    /// The first year the need exceeds the capacity, also beyond the projection.
    pub runs_out: Option<u32>,
    /// Whether `runs_out` falls inside the projected years.
    pub runs_out_in_projection: bool,
}

/// The file systems of a host, as (mount point, size): its partitions (swap
/// aside) and its volumes, and for a cloud server without a `/` partition
/// the server type's own disk at `/` (the catalog's size), where everything
/// not on a volume lives.
pub fn filesystems(host: &Host) -> Vec<(String, Size)> {
    let storage = host.storage.as_ref();
    let mut fs: Vec<(String, Size)> = storage
        .iter()
        .flat_map(|s| s.partitions.iter().filter(|p| p.mount != "swap").map(|p| (p.mount.clone(), p.size)))
        .chain(storage.iter().flat_map(|s| s.volumes.iter().map(|v| (v.mount.clone(), v.size))))
        .collect();
    if host.kind == HostKind::Cloud && !fs.iter().any(|(m, _)| m == "/") {
        if let Some(t) = crate::catalog::cloud_type(&host.server_type) {
            fs.push(("/".into(), t.disk));
        }
    }
    fs
}

/// The file system of `host` that holds `path`: the one with the longest
/// mount point above it (whole path segments).
pub fn holding(host: &Host, path: &str) -> Option<(String, Size)> {
    filesystems(host).into_iter().filter(|(m, _)| is_under(path, m)).max_by_key(|(m, _)| m.len())
}

/// `path` lies on the file system mounted at `mount` (whole path segments).
pub fn is_under(path: &str, mount: &str) -> bool {
    mount == "/" || path == mount || path.strip_prefix(mount).is_some_and(|rest| rest.starts_with('/'))
}

/// The size of the partition or volume mounted at `mount` on any host (a
/// cloud server's own disk is `/`).
pub fn capacity_of(bp: &Blueprint, mount: &str) -> Option<Size> {
    bp.hosts.iter().find_map(|h| filesystems(h).into_iter().find(|(m, _)| m == mount).map(|(_, s)| s))
}

/// The need of a linear growth in year index `i` (0 = the start year).
pub fn need(initial: Size, per_year: Size, i: u32) -> Size {
    Size(initial.0 + per_year.0 * u64::from(i))
}

/// The first year index whose need exceeds `capacity`; none when it never grows past it.
pub fn runs_out(initial: Size, per_year: Size, capacity: Size) -> Option<u32> {
    if initial > capacity {
        return Some(0);
    }
    if per_year.0 == 0 {
        return None;
    }
    // need(i) > capacity ⇔ i > (capacity − initial) / per_year.
    u32::try_from((capacity.0 - initial.0) / per_year.0 + 1).ok()
}

pub fn plan(bp: &Blueprint, growth: &Growth) -> GrowthPlan {
    let years: Vec<u32> = (0..growth.years).map(|i| growth.start_year + i).collect();
    let mut mounts: Vec<MountGrowth> = Vec::new();
    for item in &growth.items {
        if mounts.iter().any(|m| m.mount == item.mount) {
            continue;
        }
        let same: Vec<_> = growth.items.iter().filter(|g| g.mount == item.mount).collect();
        let initial: Size = same.iter().map(|g| g.initial).sum();
        let per_year: Size = same.iter().map(|g| g.per_year).sum();
        let capacity = capacity_of(bp, &item.mount);
        let need: Vec<Size> = (0..growth.years).map(|i| need(initial, per_year, i)).collect();
        let out = capacity.and_then(|c| runs_out(initial, per_year, c));
        mounts.push(MountGrowth {
            mount: item.mount.clone(),
            items: same.iter().map(|g| g.name.to_string()).collect(),
            headroom_last: capacity.zip(need.last()).map(|(c, n)| signed(c) - signed(*n)),
            runs_out: out.map(|i| growth.start_year + i),
            runs_out_in_projection: out.is_some_and(|i| i < growth.years),
            capacity,
            need,
        });
    }
    let total = (0..years.len()).map(|y| mounts.iter().map(|m| m.need[y]).sum()).collect();
    let total_capacity = mounts.iter().filter_map(|m| m.capacity).sum();
    GrowthPlan { years, mounts, total, total_capacity }
}

fn signed(s: Size) -> i64 {
    i64::try_from(s.0).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_need_and_the_year_it_runs_out() {
        let g = Size::gib;
        // Building plans: 250 GB growing 50 GB a year on 400 GB: 2026 250 … 2029 400 fits, 2030 450 does not.
        assert_eq!(need(g(250), g(50), 3), g(400));
        assert_eq!(runs_out(g(250), g(50), g(400)), Some(4));
        assert_eq!(runs_out(g(250), g(0), g(400)), None);
        assert_eq!(runs_out(g(500), g(0), g(400)), Some(0));
        assert_eq!(runs_out(g(250), g(50), g(251)), Some(1));
    }
}
