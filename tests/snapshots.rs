//! Snapshots of every artifact of every reference blueprint, and of each
//! plan, so a template or plan change shows up as a reviewed diff.

use std::path::Path;

use gen::compile::compile;
use gen::render::Renderer;

use crate::common::repo;

fn snapshot_blueprint(name: &str) {
    snapshot_path(name, &repo().join("blueprints").join(format!("{name}.yaml")), |_| true, true);
}

/// Snapshots the files of the blueprint at `path` that `keep` selects (and
/// its plan when `plan`), named `<name>__<file path>`.
fn snapshot_path(name: &str, path: &Path, keep: impl Fn(&str) -> bool, plan: bool) {
    let renderer = Renderer::new(None).expect("templates load");
    let compiled = compile(path, &renderer).expect("no I/O error").expect("blueprint compiles");
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(repo().join("tests/snapshots"));
    settings.bind(|| {
        for (file, content) in compiled.files.files.iter().filter(|(file, _)| keep(file)) {
            let text = String::from_utf8(content.bytes.clone()).expect("artifacts are text");
            let snap = format!("{name}__{}", file.replace('/', "__"));
            insta::assert_snapshot!(snap, text);
        }
        if plan {
            insta::assert_json_snapshot!(format!("{name}__plan"), compiled.plan);
        }
    });
}

/// The fixture that serves only static sites and redirects: its nginx
/// files, gen-certs, compose file and env example.
#[test]
fn static_sites_and_redirects_artifacts() {
    snapshot_path(
        "served",
        &repo().join(SERVED),
        |file| {
            file.contains("/nginx/")
                || file.ends_with("/gen-certs")
                || file.ends_with("docker-compose.yml")
                || file.ends_with(".env.example")
        },
        false,
    );
}

/// Static sites and redirects (tests/fixtures/served/).
const SERVED: &str = "tests/fixtures/served/static-and-redirects.yaml";

#[test]
fn odoo_dedicated_artifacts() {
    snapshot_blueprint("odoo-dedicated");
}

#[test]
fn hetzner_websites_artifacts() {
    snapshot_blueprint("hetzner-websites");
}

/// The Odoo scale-out: two application hosts behind a load balancer,
/// PostgreSQL and the shared data directories (NFS) on a third host.
#[test]
fn odoo_scale_out_artifacts() {
    snapshot_blueprint("odoo-scale-out");
}

/// The agency example: WordPress on MariaDB, a static site and a redirect.
#[test]
fn agency_artifacts() {
    snapshot_blueprint("agency");
}

/// Every row of the artifact table renders for the blueprints and the
/// served fixture (a template that is never used, or a row whose template is
/// missing, fails here).
#[test]
fn every_template_is_used() {
    let renderer = Renderer::new(None).expect("templates load");
    let mut used = std::collections::BTreeSet::new();
    let blueprints = [
        "blueprints/odoo-dedicated.yaml",
        "blueprints/hetzner-websites.yaml",
        "blueprints/odoo-scale-out.yaml",
        "blueprints/agency.yaml",
        SERVED,
    ];
    for path in blueprints {
        let compiled = compile(&repo().join(path), &renderer).expect("io").expect("compiles");
        used.extend(
            gen::render::artifacts(&compiled.plan, &minijinja::Value::from_serialize(&compiled.plan))
                .into_iter()
                .map(|a| a.template.to_string()),
        );
        // The vhost skeleton includes one partial per location kind.
        let vhosts = compiled.plan.hosts.iter().filter_map(|h| h.nginx.as_ref()).flat_map(|n| &n.vhosts);
        used.extend(vhosts.flat_map(|v| &v.locations).map(|l| format!("nginx/location/{}", l.kind)));
    }
    let templates: std::collections::BTreeSet<String> = walkdir::WalkDir::new(repo().join("templates"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(repo().join("templates"))
                .unwrap()
                .to_string_lossy()
                .trim_end_matches(".j2")
                .to_string()
        })
        // Only a blueprint with `scheduler: cron` renders it; ops_validators snapshots it.
        .filter(|t| t != "cron/ops")
        .collect();
    assert_eq!(templates, used);
}
