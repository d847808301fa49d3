//! Artifact rows for hosts, network and provisioning: firewall, WireGuard,
//! cloud-init, install.sh, installimage, fail2ban, certificates, and the
//! project-level infra/ (Terraform, blue-green switch), ansible/ (inventory and
//! rolling playbook) and vpn/ clients.

use minijinja::{context, Value};

use super::artifacts::{nth, part, Artifact};
use crate::plan::Plan;

fn row(template: &'static str, path: String, mode: u32, item: Value) -> Artifact {
    Artifact { template, path, mode, item }
}

pub(super) fn artifacts(plan: &Plan, plan_value: &Value) -> Vec<Artifact> {
    let mut out = Vec::new();
    for (h, host) in plan.hosts.iter().enumerate() {
        let base = format!("hosts/{}", host.name);
        let root = format!("{base}/rootfs");
        let hv = nth(plan_value, "hosts", h);
        let item =
            context! { host => hv.clone(), firewall => part(&hv, "firewall"), wireguard => part(&hv, "wireguard") };
        out.push(row("host/firewall.sh", format!("{root}/usr/local/sbin/gen-firewall"), 0o755, item));
        let fw = part(&hv, "firewall");
        for (i, block) in host.firewall.docker_user.iter().enumerate() {
            let item = context! { host => hv.clone(), firewall => fw.clone(), block => nth(&fw, "docker_user", i) };
            out.push(row("host/docker-user.rules", format!("{root}/etc/ufw/{}", block.file), 0o644, item));
        }
        if let Some(docker) = &host.docker {
            let item = context! { host => hv.clone(), docker => part(&hv, "docker") };
            out.push(row("host/daemon.json", format!("{root}{}", docker.daemon_json), 0o644, item.clone()));
            out.push(row("host/docker-dropin.conf", format!("{root}{}", docker.dropin), 0o644, item));
        }
        if let Some(file) = &host.nfs.exports_file {
            let item = context! { host => hv.clone(), nfs => part(&hv, "nfs") };
            out.push(row("host/exports", format!("{root}{file}"), 0o644, item));
        }
        let item = context! { host => hv.clone(), p => part(&hv, "provision") };
        out.push(row("host/cloud-init.yaml", format!("{base}/cloud-init.yaml"), 0o644, item.clone()));
        out.push(row("host/install.sh", format!("{base}/install.sh"), 0o755, item.clone()));
        let admins = format!("{root}{}", host.provision.admin_users.script);
        out.push(row("host/gen-admins", admins, 0o755, item.clone()));
        out.push(row("host/sshd.conf", format!("{root}/etc/ssh/sshd_config.d/10-gen.conf"), 0o644, item.clone()));
        out.push(row("fail2ban/jail.local", format!("{root}/etc/fail2ban/jail.d/gen.local"), 0o644, item.clone()));
        let action = format!("{root}/etc/fail2ban/action.d/gen-raw-drop.conf");
        out.push(row("fail2ban/raw-drop.conf", action, 0o644, item.clone()));
        if host.provision.nginx_auth_jail {
            out.push(row(
                "fail2ban/nginx-auth.conf",
                format!("{root}/etc/fail2ban/filter.d/gen-nginx-auth.conf"),
                0o644,
                item.clone(),
            ));
        }
        if let Some(logs) = &host.provision.nginx_logs {
            out.push(row("host/logrotate", format!("{root}{}", logs.logrotate), 0o644, item.clone()));
        }
        if host.provision.certs.is_some() {
            out.push(row("certs/gen-certs.sh", format!("{root}/usr/local/sbin/gen-certs"), 0o755, item.clone()));
            let hook = format!("{root}/etc/letsencrypt/renewal-hooks/deploy/gen-reload-nginx");
            out.push(row("certs/reload-nginx.sh", hook, 0o755, item.clone()));
        }
        if host.installimage.is_some() {
            let item = context! { host => hv.clone(), ii => part(&hv, "installimage") };
            out.push(row("host/installimage", format!("{base}/installimage.conf"), 0o644, item));
        }
        if let Some(wg) = &host.wireguard {
            let wg_value = part(&hv, "wireguard");
            let item = context! { host => hv.clone(), wg => wg_value.clone() };
            out.push(row("wireguard/wg0.conf", format!("{root}/etc/wireguard/{}.conf", wg.interface), 0o600, item));
            let dns = context! { host => hv.clone(), wg => wg_value.clone(), dns => part(&wg_value, "dns") };
            out.push(row("dns/dnsmasq.conf", format!("{root}{}", wg.dns.config), 0o644, dns.clone()));
            out.push(row("dns/vpn-dns.service", format!("{root}/etc/systemd/system/{}", wg.dns.unit), 0o644, dns));
            for (i, peer) in wg.peers.iter().enumerate() {
                let item = context! { host => hv.clone(), wg => wg_value.clone(), peer => nth(&wg_value, "peers", i) };
                out.push(row("wireguard/client.conf", format!("vpn/{}.conf", peer.name), 0o600, item));
            }
        }
    }
    for (i, bg) in plan.blue_green.iter().enumerate() {
        let item = context! { bg => nth(plan_value, "blue_green", i) };
        out.push(row("infra/blue-green.sh", bg.file.clone(), 0o755, item));
    }
    // The rollout with Ansible over every host (components::provisioning::plan::rollout).
    let rollout = context! { rollout => part(plan_value, "rollout") };
    out.push(row("ansible/inventory.yml", "ansible/inventory.yml".into(), 0o644, rollout.clone()));
    out.push(row("ansible/rollout.yml", "ansible/rollout.yml".into(), 0o644, rollout));
    if plan.terraform.is_some() {
        out.push(row(
            "infra/main.tf.json",
            "infra/main.tf.json".into(),
            0o644,
            context! { tf => part(plan_value, "terraform") },
        ));
    }
    out
}
