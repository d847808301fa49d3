//! Provisioning: what cloud-init, Terraform and installimage need from the
//! blueprint. Removed server types are E601 in `capacity`; partitions over
//! the RAID's usable size are E501 in `storage`.

use crate::blueprint::model::{Blueprint, HostKind};
use crate::diag::Finding;
use crate::resolve::installimage;

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

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
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
