//! Provisioning: what cloud-init, Terraform and installimage need from the
//! blueprint. Removed server types are E601 in `capacity`; partitions over
//! the RAID's usable size are E501 in `storage`.

use crate::blueprint::model::{Blueprint, HostKind};
use crate::components::provisioning::resolve::installimage;
use crate::diag::Finding;

/// Key types OpenSSH accepts in authorized_keys.
const SSH_KEY_TYPES: &[&str] = &[
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

/// Runs this family's rules (the module's doc lists them) over `bp`,
/// appending each finding to `out`.
pub fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    // Cloud servers are created by gen's Terraform with its keys only.
    let cloud = bp.hosts.iter().any(|h| h.kind == HostKind::Cloud);
    if cloud && bp.admins.iter().all(|a| a.ssh_keys.is_empty()) {
        out.push(
            Finding::error(
                "E620",
                "/hosts",
                "cloud servers get no SSH key: no admin has one, and password login is off",
            )
            .hint(
                "add an `admins:` entry with `ssh_keys: [\"ssh-ed25519 AAAA… name\"]`; without one nobody can log in",
            ),
        );
    }
    for (a, admin) in bp.admins.iter().enumerate() {
        for (k, key) in admin.ssh_keys.iter().enumerate() {
            if !valid_ssh_key(key) {
                out.push(
                    Finding::error("E621", format!("/admins/{a}/ssh_keys/{k}"), format!("`{}`: not an OpenSSH public key", short(key)))
                        .hint("paste the one line of `~/.ssh/id_ed25519.pub`: `ssh-ed25519 AAAA… comment`; never a private key")
                        .at_value(),
                );
            }
        }
    }
    for (h, host) in bp.hosts.iter().enumerate() {
        if host.kind == HostKind::Dedicated {
            // Without `storage` gen writes no installimage config (the plan says so).
            if let Some(storage) = &host.storage {
                if installimage::image_for(&host.os).is_none() {
                    out.push(
                        Finding::error(
                            "E623",
                            format!("/hosts/{h}/os"),
                            format!("installimage has no image for `{}`", host.os),
                        )
                        .hint(format!(
                            "choose one of {}",
                            installimage::IMAGES.iter().map(|(os, _)| format!("`{os}`")).collect::<Vec<_>>().join(", ")
                        ))
                        .at_value(),
                    );
                }
                if let Some(p) = storage.partitions.iter().position(|p| p.mount != "swap" && !p.mount.starts_with('/'))
                {
                    out.push(
                        Finding::error(
                            "E624",
                            format!("/hosts/{h}/storage/partitions/{p}/mount"),
                            format!("`{}` is not a mount point", storage.partitions[p].mount),
                        )
                        .hint("write an absolute path, or `swap`")
                        .at_value(),
                    );
                }
                let usable = crate::resolve::capacity::usable(storage).value;
                let partitions: crate::blueprint::units::Size = storage.partitions.iter().map(|p| p.size).sum();
                if partitions <= usable && partitions + installimage::BOOT > usable {
                    out.push(
                        Finding::error(
                            "E626",
                            format!("/hosts/{h}/storage/partitions"),
                            format!(
                                "the partitions of `{}` fit in {usable}, but not with installimage's {} /boot",
                                host.name,
                                installimage::BOOT
                            ),
                        )
                        .hint("shrink the largest partition by the size of /boot"),
                    );
                }
                if !storage.partitions.iter().any(|p| p.mount == "/") {
                    out.push(
                        Finding::error(
                            "E625",
                            format!("/hosts/{h}/storage/partitions"),
                            format!("`{}` has no `/` partition", host.name),
                        )
                        .hint("add `{mount: /, size: 60G}`; installimage needs a root filesystem"),
                    );
                }
            }
        }
        if host.kind == HostKind::Cloud && host.storage.as_ref().is_some_and(|s| !s.partitions.is_empty()) {
            out.push(
                Finding::warning("W620", format!("/hosts/{h}/storage/partitions"), format!("cloud host `{}` has partitions; Hetzner Cloud images come with one root disk and gen ignores them", host.name))
                    .hint("use `volumes:` for extra space on a cloud host"),
            );
        }
        volumes(h, host, out);
    }
}

/// The sizes Hetzner Cloud creates volumes in, GB: 10 to 10,240 (Hetzner
/// Cloud docs, "Volumes": "between 10 GB and 10 TB").
const VOLUME_GB: (u64, u64) = (10, 10_240);

/// E627: a volume gen cannot attach and mount: on a dedicated server
/// (Hetzner Cloud volumes attach to cloud servers only), in another
/// location than its server (a volume attaches only to a server of its
/// location), with a file system gen does not make on a volume, a name
/// longer than its file system's label (install.sh mounts it by that
/// label: 16 bytes for ext4, 12 for XFS), or a mount point that is not an
/// absolute path other than `/`.
fn volumes(h: usize, host: &crate::blueprint::model::Host, out: &mut Vec<Finding>) {
    let mut mounts = std::collections::BTreeSet::new();
    for (v, volume) in host.storage.iter().flat_map(|s| s.volumes.iter()).enumerate() {
        let at = format!("/hosts/{h}/storage/volumes/{v}");
        let gb = crate::components::cost::resolve::gb(volume.size);
        let fs = crate::components::provisioning::resolve::provision::volume_fs(volume.fs);
        let (fs_name, label_max) =
            fs.unwrap_or(("ext4", crate::components::provisioning::resolve::provision::LABEL_MAX));
        let (pointer, message, hint) = if host.kind != HostKind::Cloud {
            (
                format!("{at}/name"),
                format!(
                    "volume `{}` on dedicated server `{}`: Hetzner Cloud volumes attach to cloud servers only",
                    volume.name, host.name
                ),
                "put the space into `partitions` (disks the server has), or move the data to a cloud host".to_string(),
            )
        } else if let Some(location) = volume.location.as_ref().filter(|l| **l != host.location) {
            (
                format!("{at}/location"),
                format!(
                    "volume `{}` is in {location}, its server `{}` in {}: a volume attaches only to a server of its own location",
                    volume.name, host.name, host.location
                ),
                format!("leave `location` out (the server's), or write `{}`", host.location),
            )
        } else if fs.is_none() {
            (
                format!("{at}/fs"),
                format!("volume `{}`: install.sh makes ext4 or xfs on a volume, not this file system", volume.name),
                "write `fs: ext4` or `fs: xfs`".to_string(),
            )
        } else if volume.name.0.len() > label_max {
            (
                format!("{at}/name"),
                format!(
                    "volume name `{}` has {} characters; install.sh formats and mounts the volume by its name as the {fs_name} label, which holds {label_max}",
                    volume.name,
                    volume.name.0.len()
                ),
                format!("shorten the name to at most {label_max} characters"),
            )
        } else if !(VOLUME_GB.0..=VOLUME_GB.1).contains(&gb) {
            (
                format!("{at}/size"),
                format!(
                    "volume `{}` is {gb} GB; Hetzner Cloud volumes are {} GB to {} GB",
                    volume.name, VOLUME_GB.0, VOLUME_GB.1
                ),
                format!("write a size from {}G to {}T", VOLUME_GB.0, VOLUME_GB.1 / 1000),
            )
        } else if !mounts.insert(volume.mount.trim_end_matches('/')) {
            (
                format!("{at}/mount"),
                format!(
                    "volume `{}` mounts at `{}`, where another volume of `{}` is mounted",
                    volume.name, volume.mount, host.name
                ),
                "give each volume a mount point of its own".to_string(),
            )
        } else if volume.mount.chars().any(|c| c.is_whitespace() || c == '\\' || c == '"' || c == '\'') {
            (
                format!("{at}/mount"),
                format!("volume `{}` mounts at `{}`: /etc/fstab separates fields by spaces", volume.name, volume.mount),
                "write a mount point without spaces or quotes, such as `/mnt/my-data`".to_string(),
            )
        } else if !volume.mount.starts_with('/') || volume.mount.trim_end_matches('/').is_empty() {
            (
                format!("{at}/mount"),
                format!(
                    "volume `{}` mounts at `{}`, which is not a directory gen can mount it on",
                    volume.name, volume.mount
                ),
                "write an absolute path other than `/`, such as `/mnt/data`".to_string(),
            )
        } else {
            continue;
        };
        out.push(Finding::error("E627", pointer, message).hint(hint).at_value());
    }
}

fn short(key: &str) -> String {
    let s: String = key.chars().take(24).collect();
    if key.chars().count() > 24 {
        format!("{s}…")
    } else {
        s
    }
}

/// `type base64 [comment]` with a known type and a blob that decodes and
/// starts with the same type name, as OpenSSH writes it.
pub(super) fn valid_ssh_key(key: &str) -> bool {
    let mut parts = key.split_whitespace();
    let (Some(kind), Some(blob)) = (parts.next(), parts.next()) else { return false };
    if !SSH_KEY_TYPES.contains(&kind) {
        return false;
    }
    let Ok(bytes) = data_encoding::BASE64.decode(blob.as_bytes()) else { return false };
    let Some(len) = bytes.get(..4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize) else { return false };
    bytes.get(4..4 + len) == Some(kind.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::check::codes_on_cloud;

    fn volume(name: &str, mount: &str) -> String {
        format!("      volumes:\n        - {{name: {name}, size: 100G, mount: {mount}}}\n")
    }

    #[test]
    fn volumes_gen_can_attach_and_mount() {
        assert!(!codes_on_cloud(check, &volume("files", "/mnt/files"), "").contains(&"E627"));
        // 17 characters: longer than an ext4 label.
        assert!(codes_on_cloud(check, &volume("project-files-abc", "/mnt/files"), "").contains(&"E627"));
        assert!(codes_on_cloud(check, &volume("files", "/"), "").contains(&"E627"));
        assert!(codes_on_cloud(check, &volume("files", "mnt/files"), "").contains(&"E627"));
        // The base host is in fsn1.
        let located = |l: &str| volume("files", &format!("/mnt/files, location: {l}"));
        assert!(!codes_on_cloud(check, &located("fsn1"), "").contains(&"E627"));
        assert!(codes_on_cloud(check, &located("nbg1"), "").contains(&"E627"), "another location");
        // XFS labels hold 12 bytes: `project-file` fits, `project-files` does not.
        let xfs = |name: &str| volume(name, "/mnt/files, fs: xfs");
        assert!(!codes_on_cloud(check, &xfs("project-file"), "").contains(&"E627"));
        assert!(codes_on_cloud(check, &xfs("project-files"), "").contains(&"E627"));
        assert!(codes_on_cloud(check, &volume("files", "/mnt/files, fs: btrfs"), "").contains(&"E627"));
        // Hetzner's sizes (10 GB to 10 TB), one volume per mount point, and
        // no space in /etc/fstab's fields.
        let sized =
            |size: &str| format!("      volumes:\n        - {{name: files, size: {size}, mount: /mnt/files}}\n");
        assert!(codes_on_cloud(check, &sized("5G"), "").contains(&"E627"));
        assert!(codes_on_cloud(check, &sized("11T"), "").contains(&"E627"));
        assert!(!codes_on_cloud(check, &sized("10T"), "").contains(&"E627"));
        let twice =
            format!("{}        - {{name: more, size: 100G, mount: /mnt/files/}}\n", volume("files", "/mnt/files"));
        assert!(codes_on_cloud(check, &twice, "").contains(&"E627"));
        assert!(codes_on_cloud(check, &volume("files", "\"/mnt/my files\""), "").contains(&"E627"));
        // A Hetzner Cloud volume on the dedicated AX52 of the base blueprint.
        let base = include_str!("../../../../tests/fixtures/invalid/base/minimal.yaml");
        let with =
            base.replace("      partitions:\n", &format!("{}      partitions:\n", volume("files", "/mnt/files")));
        let bp: crate::blueprint::model::Blueprint = serde_yaml::from_str(&with).expect("blueprint");
        let mut out = Vec::new();
        check(&bp, &mut out);
        assert_eq!(out.iter().map(|f| f.code).collect::<Vec<_>>(), ["E627"]);
    }

    #[test]
    fn ssh_keys_carry_their_type() {
        assert!(super::valid_ssh_key(
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN+qjizSnuuoecBTqNzx04mm0Hc51Nrc8p1zfpi0py2n ops"
        ));
        assert!(!super::valid_ssh_key("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIN+qjizSnuuoecBTqNzx04mm0Hc51Nrc8p1zfpi0py2n"));
        assert!(!super::valid_ssh_key("ssh-ed25519"));
        assert!(!super::valid_ssh_key("-----BEGIN OPENSSH PRIVATE KEY-----"));
    }
}
