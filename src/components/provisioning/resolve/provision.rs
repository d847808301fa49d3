//! What a fresh host needs before the stack can run: the cloud-init base
//! (admins, sshd hardening, distribution packages, timezone, swap), the
//! fail2ban jails, the Let's Encrypt certificates nginx serves, and the
//! install.sh that puts every generated file in place and reloads only the
//! services whose files changed.

use serde::Serialize;

use crate::blueprint::model::{Blueprint, Filesystem, Host, HostKind};
use crate::blueprint::units::Size;
use crate::components::docker::resolve::compose::ComposePlan;
use crate::components::proxy::resolve::vhost::Vhost;

/// Distribution packages only; nothing is downloaded from third-party URLs.
/// No host nginx: nginx runs as a container and owns ports 80/443.
pub const PACKAGES: &[&str] =
    &["docker.io", "ufw", "fail2ban", "python3-systemd", "wireguard-tools", "unattended-upgrades", "git"];

#[derive(Debug, Clone, Serialize)]
pub struct ProvisionPlan {
    pub hostname: String,
    pub timezone: String,
    pub admins: Vec<AdminPlan>,
    pub packages: Vec<&'static str>,
    /// A swap file, when the blueprint gives `swap` and no swap partition.
    pub swap_file: Option<String>,
    pub certs: Option<CertPlan>,
    /// Jail for failed nginx basic-auth logins (only with `basic_auth` environments).
    pub nginx_auth_jail: bool,
    /// nginx's log files on the host, rotated by logrotate (when nginx runs here).
    pub nginx_logs: Option<crate::components::proxy::resolve::nginx::NginxLogs>,
    /// Where the compose project lives; install.sh restarts it there.
    pub stack_dir: String,
    /// Git repository with gen's out/, cloned on first boot.
    pub repository: Option<String>,
    /// Where cloud-init clones it.
    pub checkout: &'static str,
    /// install.sh's record of restarts and reloads that changed files still
    /// need: written before files are copied, cleared once they succeeded,
    /// so a run that is killed in between is finished by the next one.
    pub pending_file: String,
    /// install.sh's record of the files it installed or wrote (one absolute
    /// path per line, sorted): the next run removes those the new tree no
    /// longer has (a removed site's vhost, a removed environment's odoo.conf,
    /// a removed timer).
    pub installed_file: String,
    /// install.sh's record of the data directories containers mounted: the
    /// next run names those no longer mounted and keeps them (the data of a
    /// removed environment is deleted only by the operator).
    pub dirs_file: String,
    /// nginx password files install.sh writes from .env (`basic_auth`).
    pub htpasswd: Vec<HtpasswdPlan>,
    /// install.sh's exit code when `.env` is missing or lacks a name of
    /// `.env.example` (nothing is started then).
    pub env_exit: u8,
    /// Day-2 admin management (`gen-admins`, run by install.sh every time).
    pub admin_users: AdminUsers,
    /// The Hetzner Cloud volumes attached to this host (infra/main.tf.json),
    /// which install.sh formats once and mounts by their file system label.
    pub volumes: Vec<VolumeMount>,
    /// The local backups' directory, when nothing else makes it: it lies
    /// on the server's own disk, on a volume, or below a partition's mount
    /// point (installimage makes only the mount point itself).
    pub backup_dir: Option<BackupDir>,
    /// A dedicated server's VLAN interface into its network's vSwitch.
    pub vswitch: Option<VSwitchLink>,
}

/// The MTU of a vSwitch VLAN interface: 1400 (Hetzner docs, "vSwitch":
/// the VLAN's frames carry Robot's own encapsulation).
pub const VSWITCH_MTU: u32 = 1400;

/// A dedicated server's VLAN interface into a Robot vSwitch coupled to a
/// cloud network (Hetzner docs, "Connect dedicated servers to a cloud
/// network"): the server's address in the vSwitch subnet, and a route to
/// the whole network through the subnet's first address, the gateway the
/// cloud network answers on. install.sh writes it for netplan (Ubuntu) or
/// ifupdown (Debian) on the link of the default route.
#[derive(Debug, Clone, Serialize)]
pub struct VSwitchLink {
    /// The VLAN ID (4000–4091).
    pub vlan: u16,
    /// `10.0.2.11/24`: the server's `private_ip` with the vSwitch subnet's prefix.
    pub address: String,
    /// The first address of the vSwitch subnet.
    pub gateway: String,
    /// The network's whole range, routed through the gateway.
    pub network: String,
    pub mtu: u32,
}

/// The vSwitch link of a dedicated `host` with a `private_ip` in its
/// network's vSwitch subnet (E316 and E642 report the other cases).
fn vswitch(bp: &Blueprint, host: &Host) -> Option<VSwitchLink> {
    if host.kind != HostKind::Dedicated {
        return None;
    }
    let ip = host.private_ip.as_deref()?;
    let (_, network) = bp.network_of(host)?;
    let v = network.vswitch.as_ref()?;
    let subnet: ipnet::Ipv4Net = v.subnet.parse().ok()?;
    if !crate::blueprint::model::ip_in(ip, &v.subnet) {
        return None;
    }
    let gateway = subnet.hosts().next()?;
    Some(VSwitchLink {
        vlan: v.vlan,
        address: format!("{ip}/{}", subnet.prefix_len()),
        gateway: gateway.to_string(),
        network: network.ip_range.clone(),
        mtu: VSWITCH_MTU,
    })
}

/// What `gen-admins` needs besides the admins themselves: where it keeps the
/// users it manages, and the sudoers file it writes. Cloud-init creates the
/// admins on first boot only (Terraform ignores later `user_data` changes),
/// so every later change to `admins:` reaches the host through this script.
#[derive(Debug, Clone, Serialize)]
pub struct AdminUsers {
    /// The script on the host.
    pub script: &'static str,
    /// One user name a line: every admin gen-admins has managed. A name that
    /// the blueprint no longer lists is locked, never deleted.
    pub record: String,
    /// `NAME ALL=(ALL) NOPASSWD:ALL` per admin, as cloud-init's `sudo:`
    /// writes for the first boot: the admins have keys and no password.
    pub sudoers: String,
    /// Groups every admin is in: `sudo`, as cloud-init's `groups:`, and
    /// `docker`, as cloud-init's runcmd (when the group exists).
    pub groups: Vec<&'static str>,
}

/// ext4 labels hold at most 16 bytes (`mkfs.ext4 -L`).
pub const LABEL_MAX: usize = 16;

/// XFS labels hold at most 12 bytes (`mkfs.xfs -L`, xfs_admin(8)).
pub const XFS_LABEL_MAX: usize = 12;

/// The label limit of the file system a volume gets, and its name as
/// `mkfs.<fs>` and /etc/fstab write it; `None` for a file system gen does
/// not make on a volume (E627).
pub fn volume_fs(fs: Option<Filesystem>) -> Option<(&'static str, usize)> {
    match fs.unwrap_or(Filesystem::Ext4) {
        Filesystem::Ext4 => Some(("ext4", LABEL_MAX)),
        Filesystem::Xfs => Some(("xfs", XFS_LABEL_MAX)),
        Filesystem::Btrfs | Filesystem::Swap => None,
    }
}

/// A Hetzner Cloud volume as install.sh mounts it.
#[derive(Debug, Clone, Serialize)]
pub struct VolumeMount {
    /// The volume's name at Hetzner, also its file system label (at most
    /// [`LABEL_MAX`] bytes for ext4, [`XFS_LABEL_MAX`] for XFS, E627).
    pub label: String,
    pub mount: String,
    /// `ext4` or `xfs`: what `mkfs.<fs>` makes and /etc/fstab names.
    pub fs: &'static str,
    /// The block device's size in bytes (whole GiB, as Hetzner creates it):
    /// how install.sh tells a new, blank volume from another.
    pub bytes: u64,
}

/// The local backup directory install.sh makes once its file system is mounted.
#[derive(Debug, Clone, Serialize)]
pub struct BackupDir {
    pub path: String,
    /// The mount point of the file system that holds it (`/` for the
    /// server's own disk).
    pub mount: String,
}

/// One nginx basic-auth password file: bcrypt, mode 0640, group nginx.
#[derive(Debug, Clone, Serialize)]
pub struct HtpasswdPlan {
    /// On the host; compose mounts its directory at /etc/nginx/auth.
    pub file: String,
    pub user: String,
    pub secret: String,
    /// `root:<nginx gid>`: nginx's workers read it.
    pub owner: String,
}

/// install.sh's exit code for a missing or incomplete `.env`.
pub const ENV_EXIT: u8 = 3;

#[derive(Debug, Clone, Serialize)]
pub struct AdminPlan {
    pub name: String,
    pub ssh_keys: Vec<String>,
}

/// Let's Encrypt certificates when TLS ends at nginx on this host.
#[derive(Debug, Clone, Serialize)]
pub struct CertPlan {
    pub email: String,
    pub webroot: &'static str,
    /// One certificate per vhost: its domains, the first names it.
    pub certs: Vec<Vec<String>>,
    /// gen-certs' record of the certificate names it manages (one per
    /// line); a name that leaves the list is deleted with `certbot delete`.
    pub record: String,
}

/// What install.sh and cloud-init set up on `host` besides the compose
/// project; certificates and password files follow the host's `vhosts`.
pub fn plan(bp: &Blueprint, host: &Host, compose: Option<&ComposePlan>, vhosts: &[Vhost]) -> ProvisionPlan {
    let swap_partition = host
        .storage
        .as_ref()
        .is_some_and(|s| s.partitions.iter().any(|p| p.fs == Filesystem::Swap || p.mount == "swap"));
    let swap_file = host.swap.filter(|_| !swap_partition).map(|s| s.to_string());
    let serves_here = compose.is_some();
    let nginx_logs = compose
        .filter(|c| c.services.iter().any(|s| s.name == "nginx"))
        .map(|_| crate::components::proxy::resolve::nginx::logs(&bp.project.name.0));
    // One certificate per vhost that nginx terminates TLS for: the same
    // records write the vhost's ssl_certificate, so neither can name a
    // certificate the other lacks.
    let certs: Vec<Vec<String>> = if serves_here {
        vhosts.iter().filter_map(Vhost::certificate).map(<[String]>::to_vec).collect()
    } else {
        Vec::new()
    };
    let certs = (!certs.is_empty()).then(|| CertPlan {
        email: bp.project.acme_email.clone().unwrap_or_default(),
        webroot: "/var/www/certbot",
        certs,
        record: format!("/var/lib/gen/{}/{}.certs", bp.project.name, host.name),
    });
    ProvisionPlan {
        hostname: host.name.to_string(),
        timezone: host.timezone.clone().unwrap_or_else(|| "Etc/UTC".into()),
        admins: bp
            .admins
            .iter()
            .map(|a| AdminPlan { name: a.name.to_string(), ssh_keys: a.ssh_keys.clone() })
            .collect(),
        packages: {
            let mut p = packages(&host.os);
            if certs.is_some() {
                p.push("certbot");
            }
            // The ops scripts: restic and rsync for backups, curl for alerts,
            // python3 for odoo/render-config.sh.
            if bp.backup.as_ref().is_some_and(|b| b.host == host.name) {
                p.extend(["restic", "rsync"]);
            }
            if bp.monitoring.is_some() {
                p.push("curl");
            }
            if bp.applications.iter().any(|a| a.runs_on(&host.name)) {
                p.push("python3");
            }
            // NFS for an application on several hosts (resolve::private).
            let nfs = crate::resolve::private::nfs(bp, host);
            if !nfs.exports.is_empty() {
                p.push("nfs-kernel-server");
            }
            if !nfs.mounts.is_empty() {
                p.push("nfs-common");
            }
            // nginx's host log files (components::proxy::resolve::nginx::logs).
            if nginx_logs.is_some() {
                p.push("logrotate");
            }
            // dnsmasq for the VPN's DNS responder (components::network::resolve::VpnDns),
            // without the dnsmasq package's own service.
            if bp.vpn.as_ref().is_some_and(|v| v.host == host.name) {
                p.push("dnsmasq-base");
            }
            // htpasswd -B for the basic-auth password files.
            if !htpasswd(bp, vhosts, serves_here).is_empty() {
                p.push("apache2-utils");
            }
            p
        },
        swap_file,
        certs,
        nginx_auth_jail: serves_here && vhosts.iter().any(|v| v.access.auth.is_some()),
        nginx_logs,
        stack_dir: format!("/opt/{}", bp.project.name),
        repository: bp.project.repository.clone(),
        checkout: "/var/lib/gen/config",
        pending_file: format!("/var/lib/gen/{}/{}.pending", bp.project.name, host.name),
        installed_file: format!("/var/lib/gen/{}/{}.installed", bp.project.name, host.name),
        dirs_file: format!("/var/lib/gen/{}/{}.dirs", bp.project.name, host.name),
        htpasswd: htpasswd(bp, vhosts, serves_here),
        env_exit: ENV_EXIT,
        admin_users: AdminUsers {
            script: "/usr/local/sbin/gen-admins",
            record: format!("/var/lib/gen/{}/admins", bp.project.name),
            sudoers: format!("/etc/sudoers.d/gen-{}-admins", bp.project.name),
            groups: vec!["sudo", "docker"],
        },
        volumes: volumes(host),
        backup_dir: backup_dir(bp, host),
        vswitch: vswitch(bp, host),
    }
}

/// The cloud host's volumes, each at its mount point, sized as Hetzner
/// creates it (whole GiB, rounded up as it is billed).
fn volumes(host: &Host) -> Vec<VolumeMount> {
    if host.kind != HostKind::Cloud {
        return Vec::new();
    }
    host.storage
        .iter()
        .flat_map(|s| s.volumes.iter())
        .map(|v| VolumeMount {
            label: v.name.to_string(),
            mount: v.mount.clone(),
            fs: volume_fs(v.fs).map_or("ext4", |(fs, _)| fs),
            bytes: crate::components::cost::resolve::gb(v.size) * Size::gib(1).bytes(),
        })
        .collect()
}

/// The backup directory on the backup host, unless it is a partition's
/// mount point (which installimage makes, and whose absence backup.sh
/// reports as an unmounted partition).
fn backup_dir(bp: &Blueprint, host: &Host) -> Option<BackupDir> {
    let backup = bp.backup.as_ref().filter(|b| b.host == host.name)?;
    let path = backup.local.path.trim_end_matches('/').to_string();
    let (mount, _) = crate::resolve::growth::holding(host, &path).unwrap_or_else(|| ("/".into(), Size(0)));
    let partition = host.storage.iter().flat_map(|s| s.partitions.iter()).any(|p| p.mount == mount);
    (!(partition && mount == path)).then_some(BackupDir { path, mount })
}

/// The distribution's own Compose v2 package: Ubuntu calls it
/// docker-compose-v2; Debian (13 on) ships v2 as docker-compose.
fn packages(os: &str) -> Vec<&'static str> {
    let compose = if os.starts_with("debian") { "docker-compose" } else { "docker-compose-v2" };
    let mut all = PACKAGES.to_vec();
    all.insert(1, compose);
    all
}

/// The basic-auth password files of the vhosts on this host.
fn htpasswd(bp: &Blueprint, vhosts: &[Vhost], serves_here: bool) -> Vec<HtpasswdPlan> {
    let gid = crate::components::docker::resolve::images::user(&crate::components::proxy::resolve::nginx::image(bp).0)
        .map_or(101, |(_, gid)| gid);
    vhosts
        .iter()
        .filter(|_| serves_here)
        .filter_map(|v| v.access.auth.as_ref())
        .map(|auth| HtpasswdPlan {
            file: auth.host_file.clone(),
            user: auth.user.clone(),
            secret: auth.secret.clone(),
            owner: format!("0:{gid}"),
        })
        .collect()
}
