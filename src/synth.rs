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

/// The websites' phase-1 reference blueprint: the base of a phase-2 fleet.
const WEBSITES_REFERENCE: &str = include_str!("../blueprints/hetzner-websites.yaml");

/// The network zones of a phase-2 fleet, in order: a region's name, its
/// Hetzner location and network zone, and the first two octets of its network.
const REGIONS: [(&str, &str, &str, &str); 2] = [("eu", "nbg1", "eu-central", "10.0"), ("us", "ash", "us-east", "10.1")];

/// A phase-2 fleet (`gen synth --phase2`): the websites' phase-1 reference
/// with `sites` websites on `hosts` dedicated-vCPU servers split over two
/// regions, each region a private network and a load balancer in front of
/// its hosts, each site on every host of one region (sites alternate
/// regions). Phase 2 of the plan is 100 sites on 4 hosts.
pub fn phase2(name: &str, sites: usize, hosts: usize) -> Result<String> {
    if hosts < REGIONS.len() || hosts % REGIONS.len() != 0 {
        return Err(Error::Usage(format!("--hosts must be a multiple of {}, not {hosts}", REGIONS.len())));
    }
    let mut bp: Value =
        serde_yaml::from_str(WEBSITES_REFERENCE).map_err(|e| Error::Usage(format!("reference: {e}")))?;
    let per_region = hosts / REGIONS.len();
    let region_hosts: Vec<Vec<String>> =
        REGIONS.iter().map(|(r, ..)| (1..=per_region).map(|i| format!("{r}-{i}")).collect()).collect();
    let mut host_list = Vec::new();
    let (mut networks, mut balancers) = (Vec::new(), Vec::new());
    for ((region, location, zone, net), names) in REGIONS.iter().zip(&region_hosts) {
        for (i, h) in names.iter().enumerate() {
            host_list.push(map(&[
                ("name", h.as_str().into()),
                ("kind", "cloud".into()),
                ("type", "ccx33".into()),
                ("location", (*location).into()),
                ("os", "ubuntu-24.04".into()),
                ("private_ip", format!("{net}.{}.{}", 1 + i / 200, 11 + i % 200).into()),
                ("reserved", yaml("{cpus: 0.5, memory: 1G}")),
                ("backups", true.into()),
            ]));
        }
        networks
            .push(yaml(&format!("{{name: web-{region}, ip_range: {net}.0.0/16, subnet: {net}.0.0/16, zone: {zone}}}")));
        let targets: Vec<Value> = names.iter().map(|h| Value::from(h.as_str())).collect();
        let mut lb = yaml(&format!(
            "{{name: lb-{region}, type: lb11, location: {location}, algorithm: least_connections, tls: terminate, \
             use_private_network: true, health_check: {{path: /health, interval: 15s, timeout: 10s, retries: 3}}}}"
        ));
        if let Some(m) = lb.as_mapping_mut() {
            m.insert("targets".into(), targets.into());
        }
        balancers.push(lb);
    }
    let site_list: Vec<Value> = (1..=sites)
        .map(|i| {
            let on: Vec<Value> =
                region_hosts[(i - 1) % REGIONS.len()].iter().map(|h| Value::from(h.as_str())).collect();
            map(&[
                ("name", format!("site-{i:04}").into()),
                ("domains", vec![Value::from(format!("site-{i:04}.example.com"))].into()),
                ("hosts", on.into()),
            ])
        })
        .collect();
    let top = bp.as_mapping_mut().ok_or_else(|| Error::Usage("reference is not a mapping".into()))?;
    if let Some(project) = top.get_mut("project").and_then(Value::as_mapping_mut) {
        project.insert("name".into(), name.into());
        project.insert("title".into(), format!("Synthetic phase-2 fleet ({sites} sites, {hosts} hosts)").into());
    }
    // The reference's figures (claims, the phase-2 alternative) are phase 1's.
    for key in ["claims", "alternatives"] {
        top.remove(key);
    }
    top.insert("hosts".into(), host_list.into());
    top.insert("networks".into(), networks.into());
    top.insert("load_balancers".into(), balancers.into());
    let websites = top.get_mut("websites").and_then(Value::as_mapping_mut);
    let websites = websites.ok_or_else(|| Error::Usage("reference has no websites".into()))?;
    websites.insert(
        "hosts".into(),
        region_hosts.iter().flatten().map(|h| Value::from(h.as_str())).collect::<Vec<_>>().into(),
    );
    websites.insert("sites".into(), site_list.into());
    top.insert("budget".into(), yaml("{monthly: 1500.00, note: synthetic fleet}"));
    let body = serde_yaml::to_string(&bp).map_err(|e| Error::Usage(format!("synth: {e}")))?;
    Ok(format!(
        "# A synthetic blueprint from `gen synth --phase2 --sites {sites} --hosts {hosts}`: the websites'\n\
         # phase-1 reference with {sites} websites on {hosts} hosts in {} regions. For benchmarks.\n{body}",
        REGIONS.len()
    ))
}
