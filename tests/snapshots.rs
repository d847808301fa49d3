//! Snapshots of every artifact of every reference blueprint, and of each
//! plan, so a template or plan change shows up as a reviewed diff.

use std::path::Path;

use gen::compile::compile;
use gen::render::Renderer;

use crate::common::repo;

fn snapshot_blueprint(name: &str) {
    let renderer = Renderer::new(None).expect("templates load");
    let path = repo().join("blueprints").join(format!("{name}.yaml"));
    let compiled = compile(Path::new(&path), &renderer).expect("no I/O error").expect("reference blueprint compiles");
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(repo().join("tests/snapshots"));
    settings.bind(|| {
        for (file, content) in &compiled.files.files {
            let text = String::from_utf8(content.bytes.clone()).expect("artifacts are text");
            let snap = format!("{name}__{}", file.replace('/', "__"));
            insta::assert_snapshot!(snap, text);
        }
        insta::assert_json_snapshot!(format!("{name}__plan"), compiled.plan);
    });
}

#[test]
fn odoo_dedicated_artifacts() {
    snapshot_blueprint("odoo-dedicated");
}

#[test]
fn hetzner_websites_artifacts() {
    snapshot_blueprint("hetzner-websites");
}

/// Every row of the artifact table renders for both references (a template
/// that is never used, or a row whose template is missing, fails here).
#[test]
fn every_template_is_used() {
    let renderer = Renderer::new(None).expect("templates load");
    let mut used = std::collections::BTreeSet::new();
    for name in ["odoo-dedicated", "hetzner-websites"] {
        let path = repo().join("blueprints").join(format!("{name}.yaml"));
        let compiled = compile(&path, &renderer).expect("io").expect("compiles");
        used.extend(
            gen::render::artifacts(&compiled.plan, &minijinja::Value::from_serialize(&compiled.plan))
                .into_iter()
                .map(|a| a.template),
        );
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
    let used: std::collections::BTreeSet<String> = used.into_iter().map(str::to_string).collect();
    assert_eq!(templates, used);
}
