//! Machines: hosts, CPUs, disks and partitions, volumes, resource amounts
//! and prices. What connects them is the network component's
//! (`crate::components::network`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::blueprint::units::{Cpus, Money, Name, Size};

/// Which Hetzner product a host is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HostKind {
    /// A Hetzner Cloud server, provisioned through the API.
    Cloud,
    /// A Hetzner dedicated (Robot) server, installed with installimage.
    Dedicated,
}

/// One server of the stack.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Host {
    /// The host's name: its hostname, its directory under `out/` and how
    /// other sections refer to it.
    #[schemars(example = &"web-1")]
    pub name: Name,
    /// `cloud` (Hetzner Cloud, Terraform and cloud-init) or `dedicated`
    /// (Hetzner Robot, installimage).
    pub kind: HostKind,
    /// Provider server type: `cx33`, `ccx33` (Hetzner Cloud) or `AX52`
    /// (dedicated); the price catalog knows its CPUs, memory and price.
    #[serde(rename = "type")]
    #[schemars(example = &"cx33")]
    pub server_type: String,
    /// Provider location: `nbg1`, `fsn1`, `hel1`, `ash`, `hil`, `sin`.
    #[schemars(example = &"nbg1")]
    pub location: String,
    /// Operating system image: `ubuntu-24.04`, `debian-12`.
    #[schemars(example = &"ubuntu-24.04")]
    pub os: String,
    /// IANA time zone of the host (`Europe/Berlin`). Backup times are UTC
    /// (systemd timers say so; cron reads local time, W511). Left out:
    /// `Etc/UTC`.
    #[serde(default)]
    #[schemars(example = &"Europe/Berlin")]
    pub timezone: Option<String>,
    /// CPU of the machine; cloud types known to the catalog may leave it out.
    #[serde(default)]
    pub cpu: Option<Cpu>,
    /// RAM of the machine, a size (`64G`); cloud types known to the catalog
    /// may leave it out.
    #[serde(default)]
    #[schemars(example = &"64G")]
    pub memory: Option<Size>,
    /// Disks, RAID and partitions (dedicated) or attached volumes (cloud).
    /// Left out: the server type's own disk, one root file system.
    #[serde(default)]
    pub storage: Option<Storage>,
    /// Size of a swap file cloud-init creates (`4G`), unless a partition
    /// has `fs: swap`. Left out: no swap file.
    #[serde(default)]
    #[schemars(example = &"4G")]
    pub swap: Option<Size>,
    /// What the operating system and Docker keep for themselves, counted as
    /// a reservation in the capacity check. Left out: nothing reserved.
    #[serde(default)]
    pub reserved: Option<Amount>,
    /// The host's IPv4 address in a private network (`networks`): inside
    /// its `subnet` for a cloud server, inside its `vswitch.subnet` for a
    /// dedicated server (`10.0.1.11`). The host joins the network whose
    /// `ip_range` holds the address. Left out: none.
    #[serde(default)]
    #[schemars(example = &"10.0.1.11")]
    pub private_ip: Option<String>,
    /// A dated quote for the server. Left out: the price catalog's entry
    /// for `type`.
    #[serde(default)]
    pub price: Option<Price>,
    /// Hetzner Cloud labels on the server (Terraform `labels`), key to
    /// value. Default: none.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Hetzner Cloud Backups for this server (Terraform `backups = true`):
    /// the provider takes a backup of the whole server once a day and keeps
    /// the last 7, for 20 % of the server's price
    /// (<https://docs.hetzner.com/cloud/servers/backups-snapshots/overview>).
    /// Cloud servers only: a dedicated server has no such product (E814).
    /// Default: `false`.
    #[serde(default)]
    pub backups: bool,
}

/// The processor of a host.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cpu {
    /// Physical cores (dedicated) or vCPUs (cloud).
    #[schemars(example = 8)]
    pub cores: u32,
    /// Hardware threads (logical CPUs); defaults to `cores`. Odoo workers
    /// and PostgreSQL settings are sized from it.
    #[serde(default)]
    #[schemars(example = 16)]
    pub threads: Option<u32>,
    /// The processor model (`AMD Ryzen 7 7700`), for the reader only.
    /// Left out: none.
    #[serde(default)]
    pub model: Option<String>,
    /// Dedicated vCPUs or physical cores rather than shared vCPUs, for the
    /// reader only. Left out: not stated.
    #[serde(default)]
    pub dedicated: Option<bool>,
}

/// A disk's technology, which sets PostgreSQL's `random_page_cost` and
/// `effective_io_concurrency` (PGTune's rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DiskKind {
    /// NVMe SSD.
    Nvme,
    /// SATA SSD (also Hetzner Cloud's local disks and volumes).
    Ssd,
    /// Spinning hard disk.
    Hdd,
}

/// Software RAID level over a host's disks (installimage `SWRAIDLEVEL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RaidLevel {
    /// No RAID (installimage `SWRAID 0`): the disks' sizes add up, no redundancy.
    None,
    /// Striping: the sum of the disks, no redundancy.
    Raid0,
    /// Mirroring: the size of one disk; survives a disk loss.
    Raid1,
    /// Striping with parity: n − 1 disks; survives one disk loss.
    Raid5,
    /// Striping with double parity: n − 2 disks; survives two disk losses.
    Raid6,
    /// Striped mirrors: half the disks; survives one loss per mirror.
    Raid10,
}

/// A host's disks and how they are divided.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    /// The physical disks, grouped by size and kind (a dedicated server's).
    /// Default: none, as on a cloud server, whose own disk is its type's
    /// and whose extra space is `volumes`.
    #[serde(default)]
    pub disks: Vec<Disk>,
    /// RAID level over the disks. Default: `none`.
    #[serde(default = "default_raid")]
    pub raid: RaidLevel,
    /// Partitions on the (RAID) device, in order; `swap` is a mount of its
    /// own. Their sizes must fit the usable capacity (E501). Default: none.
    #[serde(default)]
    pub partitions: Vec<Partition>,
    /// Hetzner Cloud volumes attached to the host. Default: none.
    #[serde(default)]
    pub volumes: Vec<Volume>,
}

/// `serde` default of `Storage::raid`.
fn default_raid() -> RaidLevel {
    RaidLevel::None
}

/// Identical disks of one size and kind.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Disk {
    /// How many such disks. Default: `1`.
    #[serde(default = "super::one")]
    pub count: u32,
    /// Usable size of one disk, binary units: a 1 TB disk is `931G`.
    #[schemars(example = &"931G")]
    pub size: Size,
    /// `nvme`, `ssd` or `hdd`.
    pub kind: DiskKind,
}

/// A file system type (installimage `PART` and `/etc/fstab`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Filesystem {
    /// ext4, Debian's and Ubuntu's default.
    Ext4,
    /// XFS.
    Xfs,
    /// Btrfs.
    Btrfs,
    /// A swap partition (its `mount` is `swap`).
    Swap,
}

/// One partition on a dedicated host's (RAID) device.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Partition {
    /// Mount point (`/`, `/var/lib/docker`) or `swap`.
    #[schemars(example = &"/var/lib/docker")]
    pub mount: String,
    /// Size, binary units (`100G`).
    #[schemars(example = &"100G")]
    pub size: Size,
    /// File system. Default: `ext4`.
    #[serde(default = "default_fs")]
    pub fs: Filesystem,
    /// What the partition holds, shown in the report and installimage's
    /// comments. Left out: none.
    #[serde(default)]
    #[schemars(example = &"images and named volumes")]
    pub purpose: Option<String>,
}

/// `serde` default of `Partition::fs`.
fn default_fs() -> Filesystem {
    Filesystem::Ext4
}

/// A Hetzner Cloud volume (Terraform `hcloud_volume`) attached to a host.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Volume {
    /// The volume's name at Hetzner.
    pub name: Name,
    /// Size, binary units (`100G`); billed per GB and month.
    #[schemars(example = &"100G")]
    pub size: Size,
    /// Where the host mounts it (`/mnt/data`).
    #[schemars(example = &"/mnt/data")]
    pub mount: String,
    /// The volume's location (`nbg1`): a volume attaches only to a server
    /// in its own location (Hetzner Cloud docs, "Volumes"), so it must be
    /// the host's (E627). Left out: the host's location.
    #[serde(default)]
    #[schemars(example = &"nbg1")]
    pub location: Option<String>,
    /// The file system install.sh makes on a new, blank volume: `ext4` or
    /// `xfs`. Default: `ext4`.
    #[serde(default)]
    pub fs: Option<Filesystem>,
    /// A dated quote for the volume. Left out: the catalog's price per GB.
    #[serde(default)]
    pub price: Option<Price>,
}

/// A resource amount, as in Docker's `deploy.resources`.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Amount {
    /// Logical CPUs, Docker's `cpus` (`0.5`, `2`).
    #[schemars(example = 2.0)]
    pub cpus: Cpus,
    /// Memory, binary units as Docker writes it (`512M`, `8G`).
    #[schemars(example = &"8G")]
    pub memory: Size,
}

/// Limits (the most a service may take) and reservations (what it is promised).
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    /// The most the container may use (Docker `deploy.resources.limits`).
    /// Left out: the whole machine, and the capacity check cannot count it
    /// (W403).
    #[serde(default)]
    pub limits: Option<Amount>,
    /// What the container is promised (Docker
    /// `deploy.resources.reservations`); reservations on a host must fit it
    /// (E401, E402). Left out: nothing reserved.
    #[serde(default)]
    pub reservations: Option<Amount>,
}

/// A price quote with its date and source, so reports can say how old it is.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// Monthly price in the budget's currency (decimal euros by default,
    /// at most two decimals: `51.00`).
    #[schemars(example = 51.0)]
    pub monthly: Money,
    /// One-time setup fee, same currency. Left out: none.
    #[serde(default)]
    #[schemars(example = 199.0)]
    pub setup: Option<Money>,
    /// ISO date of the quote: `2026-02-05`.
    #[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    #[schemars(example = &"2026-02-05")]
    pub as_of: String,
    /// Where the price comes from: a URL or a document and section.
    #[schemars(example = &"plan section 2.1 (quote)")]
    pub source: String,
}

impl super::Blueprint {
    /// The host named `name`, if any.
    pub fn host(&self, name: &str) -> Option<&Host> {
        self.hosts.iter().find(|h| h.name.as_str() == name)
    }
}
