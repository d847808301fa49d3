//! Hetzner Robot's installimage config for a dedicated host: drives,
//! software RAID, partitions and the OS image, from the blueprint's disks.
//! The partitions' sum against the RAID's usable size is E501 (storage).

use serde::Serialize;

use crate::blueprint::model::{DiskKind, Filesystem, Host, HostKind, RaidLevel};
use crate::blueprint::units::Size;
use crate::resolve::capacity::usable;
use crate::resolve::Derived;

/// Operating systems installimage offers, with their image file in the
/// rescue system.
pub const IMAGES: &[(&str, &str)] =
    &[("ubuntu-24.04", "Ubuntu-2404-noble-amd64-base.tar.gz"), ("ubuntu-22.04", "Ubuntu-2204-jammy-amd64-base.tar.gz")];

/// Hetzner's recommendation with software RAID: a separate /boot.
pub const BOOT: Size = Size::gib(1);

pub fn image_for(os: &str) -> Option<&'static str> {
    IMAGES.iter().find(|(name, _)| *name == os).map(|(_, file)| *file)
}

#[derive(Debug, Clone, Serialize)]
pub struct InstallImagePlan {
    pub drives: Vec<String>,
    /// 0 or 1.
    pub swraid: u8,
    pub swraid_level: Option<u8>,
    pub hostname: String,
    pub image: String,
    pub parts: Vec<Part>,
    pub usable: Derived<Size>,
    pub allocated: Size,
}

#[derive(Debug, Clone, Serialize)]
pub struct Part {
    pub mount: String,
    pub fs: &'static str,
    /// In MiB, exact: `61440M`.
    pub size: String,
    pub purpose: Option<String>,
}

fn level(raid: RaidLevel) -> Option<u8> {
    match raid {
        RaidLevel::None => None,
        RaidLevel::Raid0 => Some(0),
        RaidLevel::Raid1 => Some(1),
        RaidLevel::Raid5 => Some(5),
        RaidLevel::Raid6 => Some(6),
        RaidLevel::Raid10 => Some(10),
    }
}

pub fn plan(host: &Host) -> Option<InstallImagePlan> {
    if host.kind != HostKind::Dedicated {
        return None;
    }
    let storage = host.storage.as_ref()?;
    let mut drives = Vec::new();
    let (mut nvme, mut sata) = (0, 0);
    for disk in &storage.disks {
        for _ in 0..disk.count {
            drives.push(match disk.kind {
                DiskKind::Nvme => {
                    nvme += 1;
                    format!("/dev/nvme{}n1", nvme - 1)
                }
                DiskKind::Ssd | DiskKind::Hdd => {
                    sata += 1;
                    format!("/dev/sd{}", char::from(b'a' + sata - 1))
                }
            });
        }
    }
    let level = level(storage.raid);
    let mut parts = vec![Part {
        mount: "/boot".into(),
        fs: "ext3",
        size: mib(BOOT),
        purpose: Some("boot loader (installimage)".into()),
    }];
    for p in &storage.partitions {
        let swap = p.fs == Filesystem::Swap || p.mount == "swap";
        parts.push(Part {
            mount: if swap { "swap".into() } else { p.mount.clone() },
            fs: match (swap, p.fs) {
                (true, _) | (_, Filesystem::Swap) => "swap",
                (_, Filesystem::Ext4) => "ext4",
                (_, Filesystem::Xfs) => "xfs",
                (_, Filesystem::Btrfs) => "btrfs",
            },
            size: mib(p.size),
            purpose: p.purpose.clone(),
        });
    }
    let allocated = storage.partitions.iter().map(|p| p.size).sum::<Size>() + BOOT;
    Some(InstallImagePlan {
        drives,
        swraid: u8::from(level.is_some()),
        swraid_level: level,
        hostname: host.name.to_string(),
        image: format!("/root/.oldroot/nfs/images/{}", image_for(&host.os).unwrap_or("UNKNOWN")),
        parts,
        usable: usable(storage),
        allocated,
    })
}

/// installimage's M is MiB; rounding up keeps at least the asked size.
fn mib(size: Size) -> String {
    format!("{}M", size.0.div_ceil(1024 * 1024))
}
