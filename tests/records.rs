//! One record, every reader (issue 13): what a rule checks is what the
//! artifacts are rendered from. Before the resolved records, a vhost could
//! name a certificate nothing requested and compose limits could disagree
//! with the capacity check. Each blueprint under blueprints/ and the served
//! fixture are compiled, and the rendered files are compared with the plan
//! the rules read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gen::compile::{compile, Compiled};
use gen::render::Renderer;

use crate::common::repo;

/// Every shipped blueprint and the fixture with static sites, redirects,
/// container services and a website of any parts.
fn blueprints() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(repo().join("blueprints"))
        .expect("blueprints/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths.push(repo().join("tests/fixtures/served/static-and-redirects.yaml"));
    assert!(paths.len() >= 3, "the references and the fixture: {paths:?}");
    paths
}

fn compiled(path: &Path) -> Compiled {
    let renderer = Renderer::new(None).expect("templates load");
    compile(path, &renderer).expect("no I/O error").unwrap_or_else(|_| panic!("{} compiles", path.display()))
}

fn text(c: &Compiled, path: &str) -> String {
    String::from_utf8(c.files.files[path].bytes.clone()).expect("UTF-8")
}

/// The certificate names nginx loads (`/etc/letsencrypt/live/<name>/`) in a
/// host's vhosts.
fn loaded_certificates(c: &Compiled, host: &str) -> Vec<String> {
    let prefix = format!("hosts/{host}/rootfs/");
    let mut names: Vec<String> = c
        .files
        .files
        .keys()
        .filter(|p| p.starts_with(&prefix) && p.contains("/nginx/conf.d/"))
        .flat_map(|p| {
            text(c, p)
                .lines()
                .filter_map(|l| l.trim().strip_prefix("ssl_certificate /etc/letsencrypt/live/"))
                .filter_map(|rest| rest.split_once('/').map(|(name, _)| name.to_string()))
                .collect::<Vec<_>>()
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The certificate names gen-certs requests: the first domain of each entry
/// of its `certs=(…)` list.
fn requested_certificates(c: &Compiled, host: &str) -> Vec<String> {
    let path = format!("hosts/{host}/rootfs/usr/local/sbin/gen-certs");
    if !c.files.files.contains_key(&path) {
        return Vec::new();
    }
    let script = text(c, &path);
    let list = script.split_once("certs=(\n").map(|(_, rest)| rest).expect("a certs=( list");
    let list = &list[..list.find("\n)").expect("the list ends")];
    let mut names: Vec<String> = list
        .lines()
        .map(|l| l.trim().trim_matches('\'').split(',').next().unwrap_or("").to_string())
        .filter(|n| !n.is_empty())
        .collect();
    names.sort();
    names
}

#[test]
fn every_certificate_a_vhost_loads_is_requested() {
    let mut checked = 0;
    for path in blueprints() {
        let c = compiled(&path);
        for host in &c.plan.hosts {
            let loaded = loaded_certificates(&c, &host.name);
            let requested = requested_certificates(&c, &host.name);
            for name in &loaded {
                assert!(
                    requested.contains(name),
                    "{}: `{}` loads the certificate {name} that gen-certs does not request ({requested:?})",
                    path.display(),
                    host.name
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 8, "vhosts with certificates were compared: {checked}");
}

/// `deploy.resources.limits` of each service in a compose file: (CPUs in
/// thousandths, memory as written).
fn compose_limits(compose: &str) -> BTreeMap<String, (Option<u64>, Option<String>)> {
    let doc: serde_yaml::Value = serde_yaml::from_str(compose).expect("compose YAML");
    let services = doc["services"].as_mapping().expect("services");
    services
        .iter()
        .map(|(name, s)| {
            let limits = &s["deploy"]["resources"]["limits"];
            let cpus = limits["cpus"].as_str().map(|c| (c.parse::<f64>().expect("cpus") * 1000.0).round() as u64);
            let memory = limits["memory"].as_str().map(str::to_string);
            (name.as_str().expect("name").to_string(), (cpus, memory))
        })
        .collect()
}

#[test]
fn compose_limits_are_the_ones_the_capacity_check_sums() {
    let mut compared = 0;
    for path in blueprints() {
        let c = compiled(&path);
        for host in &c.plan.hosts {
            let Some(compose) = &host.compose else { continue };
            let file = format!("hosts/{}/rootfs/opt/{}/docker-compose.yml", host.name, compose.project);
            let rendered = compose_limits(&text(&c, &file));
            let rows: BTreeMap<String, (Option<u64>, Option<String>)> = host
                .capacity
                .rows
                .iter()
                .filter(|r| r.service != "system")
                .map(|r| {
                    (
                        r.service.clone(),
                        (r.cpus_limit.map(|c| u64::from(c.millis())), r.memory_limit.map(|m| m.to_string())),
                    )
                })
                .collect();
            assert_eq!(rendered, rows, "{}: `{}`'s compose limits and its capacity rows", path.display(), host.name);
            compared += rows.len();
        }
    }
    assert!(compared >= 20, "containers were compared: {compared}");
}
