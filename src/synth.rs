//! Synthetic blueprints for benchmarks and fuzzing (`gen synth`, hidden):
//! the Odoo reference blueprint with every feature it has (Odoo environments,
//! PostgreSQL, VPN, firewall, backups, monitoring, budget, growth, SLA), plus
//! `hosts` Hetzner Cloud web servers on a private network (so Terraform,
//! cloud-init and the firewall see them too) running `sites` websites, each
//! site on a pair of hosts, the way a large fleet shards.

use serde_yaml::{Mapping, Value};

use crate::error::{Error, Result};

/// The Odoo reference blueprint, every feature gen has: the base of a synthetic fleet.
const ODOO_REFERENCE: &str = include_str!("../blueprints/odoo-dedicated.yaml");

fn map(pairs: &[(&str, Value)]) -> Value {
    let mut m = Mapping::new();
    for (k, v) in pairs {
        m.insert(Value::from(*k), v.clone());
    }
    Value::Mapping(m)
}

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).expect("a literal of this module parses")
}

/// A website part on a runtime image, with its code in `app_dir` (E214).
fn component(image: &str, port: u16, part: &str) -> Value {
    map(&[
        ("image", image.into()),
        ("port", port.into()),
        ("app_dir", format!("/srv/websites/{{site}}/{part}").into()),
        ("health_path", "/health".into()),
        ("resources", yaml("{limits: {cpus: 0.15, memory: 256M}, reservations: {cpus: 0.05, memory: 64M}}")),
    ])
}

/// A blueprint named `name` with `sites` websites sharded over `hosts` web
/// hosts (at least 2, so every site has a pair).
pub fn blueprint(name: &str, sites: usize, hosts: usize) -> Result<String> {
    if hosts < 2 || hosts % 2 != 0 {
        return Err(Error::Usage(format!("--hosts must be an even number of at least 2, not {hosts}")));
    }
    let mut bp: Value = serde_yaml::from_str(ODOO_REFERENCE).map_err(|e| Error::Usage(format!("reference: {e}")))?;
    // The reference's own name and its planning document's figures go.
    if let Some(project) = bp.get_mut("project").and_then(Value::as_mapping_mut) {
        project.insert("name".into(), name.into());
    }
    if let Some(top) = bp.as_mapping_mut() {
        top.remove("claims");
    }
    let web_hosts: Vec<String> = (1..=hosts).map(|i| format!("web-{i:03}")).collect();
    let host_list = bp
        .get_mut("hosts")
        .and_then(Value::as_sequence_mut)
        .ok_or_else(|| Error::Usage("starter has no hosts".into()))?;
    for (i, h) in web_hosts.iter().enumerate() {
        host_list.push(map(&[
            ("name", h.as_str().into()),
            ("kind", "cloud".into()),
            ("type", "cx53".into()),
            ("location", "fsn1".into()),
            ("os", "ubuntu-24.04".into()),
            ("private_ip", format!("10.0.{}.{}", 1 + i / 200, 10 + i % 200).into()),
            ("reserved", yaml("{cpus: 1.0, memory: 2G}")),
        ]));
    }
    let pairs = hosts / 2;
    let site_list: Vec<Value> = (1..=sites)
        .map(|i| {
            let pair = (i - 1) % pairs;
            let on = vec![Value::from(web_hosts[2 * pair].as_str()), Value::from(web_hosts[2 * pair + 1].as_str())];
            map(&[
                ("name", format!("site-{i:04}").into()),
                ("domains", vec![Value::from(format!("site-{i:04}.example.com"))].into()),
                ("hosts", on.into()),
            ])
        })
        .collect();
    let websites = map(&[
        ("hosts", web_hosts.iter().map(|h| Value::from(h.as_str())).collect::<Vec<_>>().into()),
        (
            "defaults",
            map(&[
                ("backend", component("python:3.12-slim", 8000, "backend")),
                ("frontend", component("node:22-alpine", 3000, "frontend")),
            ]),
        ),
        ("sites", site_list.into()),
    ]);
    let top = bp.as_mapping_mut().ok_or_else(|| Error::Usage("starter is not a mapping".into()))?;
    top.insert("websites".into(), websites);
    top.insert("networks".into(), yaml("[{name: web, ip_range: 10.0.0.0/16, subnet: 10.0.0.0/16, zone: eu-central}]"));
    // Fifty servers cost more than the starter's budget; the fleet has its own.
    top.insert("budget".into(), yaml("{monthly: 1500.00, note: synthetic fleet}"));
    let body = serde_yaml::to_string(&bp).map_err(|e| Error::Usage(format!("synth: {e}")))?;
    Ok(format!(
        "# A synthetic blueprint from `gen synth --sites {sites} --hosts {hosts}`: the Odoo starter and\n\
         # {sites} websites, each on a pair of {hosts} web hosts. For benchmarks and fuzzing.\n{body}"
    ))
}
