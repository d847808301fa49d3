//! Artifact rows for hosts, network and provisioning: firewall, WireGuard,
//! cloud-init, install.sh, installimage, fail2ban, certificates, and the
//! project-level infra/ (Terraform, blue-green switch) and vpn/ clients.

use serde_json::json;

use super::artifacts::Artifact;
use crate::plan::Plan;

fn row(template: &'static str, path: String, mode: u32, item: serde_json::Value) -> Artifact {
    Artifact { template, path, mode, item }
}

pub(super) fn artifacts(plan: &Plan) -> Vec<Artifact> {
    let mut out = Vec::new();
    for host in &plan.hosts {
        let base = format!("hosts/{}", host.name);
        let root = format!("{base}/rootfs");
        let item = json!({ "host": host, "firewall": host.firewall, "wireguard": host.wireguard });
        out.push(row("host/firewall.sh", format!("{root}/usr/local/sbin/gen-firewall"), 0o755, item.clone()));
        out.push(row("host/docker-user.rules", format!("{root}/etc/ufw/gen-docker-user.rules"), 0o644, item));
        let item = json!({ "host": host, "p": host.provision });
        out.push(row("host/cloud-init.yaml", format!("{base}/cloud-init.yaml"), 0o644, item.clone()));
        out.push(row("host/install.sh", format!("{base}/install.sh"), 0o755, item.clone()));
        out.push(row("host/sshd.conf", format!("{root}/etc/ssh/sshd_config.d/10-gen.conf"), 0o644, item.clone()));
        out.push(row("fail2ban/jail.local", format!("{root}/etc/fail2ban/jail.d/gen.local"), 0o644, item.clone()));
        if host.provision.nginx_auth_jail {
            out.push(row(
                "fail2ban/nginx-auth.conf",
                format!("{root}/etc/fail2ban/filter.d/gen-nginx-auth.conf"),
                0o644,
                item.clone(),
            ));
        }
        if host.provision.certs.is_some() {
            out.push(row("certs/gen-certs.sh", format!("{root}/usr/local/sbin/gen-certs"), 0o755, item.clone()));
            let hook = format!("{root}/etc/letsencrypt/renewal-hooks/deploy/gen-reload-nginx");
            out.push(row("certs/reload-nginx.sh", hook, 0o755, item.clone()));
        }
        if let Some(ii) = &host.installimage {
            let item = json!({ "host": host, "ii": ii });
            out.push(row("host/installimage", format!("{base}/installimage.conf"), 0o644, item));
        }
        if let Some(wg) = &host.wireguard {
            let item = json!({ "host": host, "wg": wg });
            out.push(row("wireguard/wg0.conf", format!("{root}/etc/wireguard/{}.conf", wg.interface), 0o600, item));
            for peer in &wg.peers {
                let item = json!({ "host": host, "wg": wg, "peer": peer });
                out.push(row("wireguard/client.conf", format!("vpn/{}.conf", peer.name), 0o600, item));
            }
        }
    }
    if let Some(bg) = &plan.blue_green {
        out.push(row("infra/blue-green.sh", "infra/blue-green.sh".into(), 0o755, json!({ "bg": bg })));
    }
    if let Some(tf) = &plan.terraform {
        out.push(row("infra/main.tf.json", "infra/main.tf.json".into(), 0o644, json!({ "tf": tf })));
    }
    out
}
