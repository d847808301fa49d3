//! The generated files use only what the pinned version of each program
//! has, by gen's one version table (`gen::resolve::versions`) and its image
//! table (`gen::components::docker::resolve::images::clients`): every nginx directive, every
//! postgresql.conf setting gen writes, every odoo.conf option and every
//! health-check program of the reference blueprints, as they are and pinned
//! to older versions. A directive the table does not know fails here too, so
//! a template that starts writing something new gets its version first.

use std::collections::BTreeMap;

use gen::blueprint::units::Image;
use gen::components::docker::resolve::images;
use gen::resolve::versions;

use crate::common::repo;

/// The images one host runs: nginx, PostgreSQL, Odoo (each where it runs one).
type HostImages = (Option<String>, Option<String>, Option<String>);

/// The rendered files of one reference blueprint, each edited by `edit`:
/// relative path → text, with the plan's pinned image per host.
struct Built {
    files: BTreeMap<String, String>,
    /// host → (nginx image, PostgreSQL image, Odoo image), where it runs them.
    hosts: BTreeMap<String, HostImages>,
}

fn build(name: &str, edit: impl Fn(String) -> String) -> Built {
    // What is tested here is the version table, not the calendar: on
    // 2026-05-01 no pinned variant is past its end of life (PostgreSQL 14
    // is on the tests' day, 2026-11-30: E422, tests/lifecycle.rs).
    gen::clock::set_thread_today(gen::clock::parse_date("2026-05-01"));
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(repo().join(format!("blueprints/{name}.yaml"))).expect("blueprint");
    let path = dir.path().join(format!("{name}.yaml"));
    std::fs::write(&path, edit(text)).expect("write");
    let renderer = gen::render::Renderer::new(None).expect("templates");
    let compiled = gen::compile::compile(&path, &renderer)
        .expect("io")
        .unwrap_or_else(|f| panic!("{name} compiles: {:#?}", f.diagnostics));
    let files =
        compiled.files.files.iter().map(|(p, f)| (p.clone(), String::from_utf8_lossy(&f.bytes).to_string())).collect();
    let hosts = compiled
        .plan
        .hosts
        .iter()
        .map(|h| {
            let nginx = h.nginx.as_ref().map(|n| n.image.clone());
            let pg = h.postgres.first().map(|p| p.image.clone());
            let odoo = h.odoo.first().map(|o| o.image.clone());
            (h.name.clone(), (nginx, pg, odoo))
        })
        .collect();
    Built { files, hosts }
}

/// What the nginx files of one host use that `version` lacks, or that the
/// table does not know at all.
fn nginx_findings(text: &str, version: versions::NginxVersion) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_map = false;
    for raw in text.lines() {
        let line = raw.split('#').next().unwrap_or("").trim();
        // The bodies of `map` and the continuation of `log_format` are values, not directives.
        if line.is_empty() || line == "}" || line.starts_with('\'') {
            if line == "}" {
                in_map = false;
            }
            continue;
        }
        if in_map {
            continue;
        }
        let mut words = line.split_whitespace();
        let directive = words.next().unwrap_or("").trim_end_matches([';', '{']);
        let args: Vec<&str> = words.map(|w| w.trim_end_matches([';', '{'])).collect();
        if directive == "map" {
            in_map = true;
        }
        let features: Vec<&versions::NginxFeature> =
            versions::NGINX.iter().filter(|f| f.directive == directive).collect();
        if features.is_empty() && !versions::NGINX_ANY_1X.contains(&directive) {
            found.push(format!("`{directive}` is not in gen's nginx version table: `{line}`"));
            continue;
        }
        for f in features {
            let uses = match f.param {
                None => true,
                Some(":") => args.iter().any(|a| a.contains(':')),
                Some(p) if p.ends_with('=') => args.iter().any(|a| a.starts_with(p)),
                Some(p) => args.contains(&p),
            };
            if !uses {
                continue;
            }
            if version < f.since {
                found.push(format!(
                    "nginx {} lacks `{line}` (from {})",
                    versions::dotted(&version),
                    versions::dotted(&f.since)
                ));
            }
            if f.replaced_at.is_some_and(|at| version >= at) {
                found.push(format!("nginx {} takes the newer form of `{line}`", versions::dotted(&version)));
            }
        }
    }
    found
}

/// Settings in a postgresql.conf that `major` lacks; the blueprint's own
/// (`# blueprint`) are the operator's and E415's business.
fn postgres_findings(text: &str, major: u32) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#') && l.contains(" = ")) {
        let (setting, why) = line.split_once("  # ").unwrap_or((line, ""));
        if why == "blueprint" {
            continue;
        }
        let (key, value) = setting.split_once(" = ").expect("key = value");
        match versions::postgres_knows(key, value.trim(), [major, 0]) {
            Some(true) => {}
            Some(false) => found.push(format!("PostgreSQL {major} lacks `{setting}`")),
            None => found.push(format!("`{key}` is not in gen's PostgreSQL version table")),
        }
    }
    found
}

/// Options in an odoo.conf that Odoo `major` lacks or gen's table does not know.
fn odoo_findings(text: &str, major: u32) -> Vec<String> {
    let (_, options, _) = versions::odoo_table(major);
    let mut found = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with(';') && l.contains(" = ")) {
        let key = line.split(" = ").next().unwrap_or_default();
        if !options.iter().any(|o| o.name == key) {
            found.push(format!("`{key}` is not an option of gen's Odoo table"));
        }
        if let Some(since) = versions::ODOO_SINCE.iter().find(|o| o.name == key).filter(|o| major < o.since) {
            found.push(format!("Odoo {major} lacks `{key}` (from {})", since.since));
        }
    }
    found
}

/// Health checks that call a program their image does not ship.
fn probe_findings(text: &str) -> Vec<String> {
    let compose: serde_yaml::Value = serde_yaml::from_str(text).expect("compose parses");
    let mut found = Vec::new();
    for (name, service) in compose["services"].as_mapping().expect("services") {
        let image = service["image"].as_str().expect("image");
        let Some(test) = service["healthcheck"]["test"].as_sequence() else { continue };
        let command = test.get(1).and_then(|c| c.as_str()).unwrap_or_default();
        let tool = command.split_whitespace().next().unwrap_or_default();
        let clients = images::clients(image);
        if !clients.is_empty() && !clients.contains(&tool) {
            found.push(format!("{name:?} ({image}) probes with `{tool}`, which the image does not ship"));
        }
    }
    found
}

/// Every version-dependent thing in one build, against its pinned versions.
fn findings(built: &Built) -> Vec<String> {
    let mut found = Vec::new();
    for (path, text) in &built.files {
        let Some(host) = path.strip_prefix("hosts/").and_then(|p| p.split('/').next()) else { continue };
        let Some((nginx, pg, odoo)) = built.hosts.get(host) else { continue };
        let file = path.rsplit('/').next().unwrap_or_default();
        let in_dir = |dir: &str| path.contains(&format!("/{dir}/"));
        let at = |list: Vec<String>| list.into_iter().map(move |f| format!("{path}: {f}"));
        if in_dir("nginx") && file.ends_with(".conf") {
            let image = nginx.as_ref().expect("an nginx host");
            found.extend(at(nginx_findings(text, versions::nginx(&Image(image.clone())).version)));
        } else if file == "postgresql.conf" {
            let image = pg.as_ref().expect("a PostgreSQL host");
            found.extend(at(postgres_findings(text, versions::postgres(&Image(image.clone())).version)));
        } else if in_dir("odoo") && file.ends_with(".conf") && text.contains("[options]") {
            let image = odoo.as_ref().expect("an Odoo host");
            found.extend(at(odoo_findings(text, versions::odoo(&Image(image.clone())).version)));
        } else if file == "docker-compose.yml" {
            found.extend(at(probe_findings(text)));
        }
    }
    found
}

fn counts(built: &Built) -> [usize; 4] {
    let n = |f: &dyn Fn(&str) -> bool| built.files.keys().filter(|p| f(p)).count();
    [
        n(&|p| p.contains("/nginx/") && p.ends_with(".conf")),
        n(&|p| p.ends_with("/postgresql.conf")),
        n(&|p| p.contains("/odoo/") && p.ends_with(".conf")),
        n(&|p| p.ends_with("/docker-compose.yml")),
    ]
}

#[test]
fn reference_blueprints_use_only_what_their_pinned_versions_have() {
    for name in ["odoo-dedicated", "hetzner-websites"] {
        let built = build(name, |t| t);
        let [nginx, pg, odoo, compose] = counts(&built);
        assert!(nginx > 0 && compose > 0, "{name}: nothing scanned");
        assert!(name != "odoo-dedicated" || (pg > 0 && odoo > 0), "{name}: no postgresql.conf or odoo.conf");
        let found = findings(&built);
        assert!(found.is_empty(), "{name}:\n{}", found.join("\n"));
    }
}

#[test]
fn older_pinned_versions_get_only_what_they_have() {
    // Debian 12's nginx (the validator's), the oldest PostgreSQL majors around
    // the table's steps (10: no jit, no parallel maintenance; 14: no lz4),
    // the Odoo major before 17 (W421, 17's options).
    let variants: &[(&str, &str, &str)] = &[
        ("odoo-dedicated", "nginx:1.28.0-alpine", "nginx:1.22.1-alpine"),
        ("hetzner-websites", "nginx:1.28.0-alpine", "nginx:1.22.1-alpine"),
        ("odoo-dedicated", "postgres:16.10-alpine", "postgres:10-alpine"),
        ("odoo-dedicated", "postgres:16.10-alpine", "postgres:14.19-alpine"),
        ("odoo-dedicated", "odoo:17.0", "odoo:16.0"),
    ];
    for (name, from, to) in variants {
        let built = build(name, |t| {
            assert!(t.contains(from), "{name} pins {from}");
            t.replace(from, to)
        });
        let found = findings(&built);
        assert!(found.is_empty(), "{name} with {to}:\n{}", found.join("\n"));
        let all: String = built.files.values().map(String::as_str).collect();
        if to.starts_with("nginx:1.22") {
            assert!(!all.contains("http2 on;"), "{name} with {to}");
            // The websites' nginx serves plain HTTP behind the load balancer: no 443 at all.
            assert_eq!(all.contains("listen 443 ssl http2;"), *name == "odoo-dedicated", "{name} with {to}");
        }
        if *to == "postgres:14.19-alpine" {
            assert!(all.contains("wal_compression = on"), "14 has no lz4");
        }
    }
}

/// The scanner itself: a directive newer than the pinned nginx, one the table
/// does not know, the old http2 form on a new nginx, a PostgreSQL setting for a
/// newer major, an Odoo option from a later major.
#[test]
fn the_scanners_catch_what_a_version_lacks() {
    let conf = "server {\n    listen 443 ssl;\n    http2 on;\n    ssl_reject_handshake on;\n}\n";
    assert_eq!(nginx_findings(conf, [1, 18, 0]).len(), 2, "{:?}", nginx_findings(conf, [1, 18, 0]));
    assert!(nginx_findings(conf, [1, 28, 0]).is_empty());
    let new = "http {\n    keepalive_time 1h;\n}\n";
    assert!(nginx_findings(new, [1, 28, 0])[0].contains("not in gen's nginx version table"));
    let old_form = "server {\n    listen 443 ssl http2;\n}\n";
    assert!(nginx_findings(old_form, [1, 28, 0])[0].contains("newer form"));
    let map = "map $http_upgrade $connection_upgrade {\n    default upgrade;\n    ''      close;\n}\n";
    assert!(nginx_findings(map, [1, 22, 1]).is_empty());
    let pg = "wal_compression = lz4  # cheaper WAL writes\njit = off  # JIT\n";
    assert_eq!(postgres_findings(pg, 10).len(), 2);
    assert!(postgres_findings(pg, 15).is_empty());
    assert_eq!(postgres_findings("vacuum_buffer_usage_limit = 2MB  # x\n", 16).len(), 1, "not gen's: unknown");
    assert_eq!(odoo_findings("[options]\ngevent_port = 8072\n", 15).len(), 1);
    assert_eq!(odoo_findings("[options]\nenable_page_cache = True\n", 17).len(), 1);
}
