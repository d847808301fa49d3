//! The Jinja2 peer (`scripts/jinja2_peer.py`, the pipeline docs/design.md times
//! gen against) renders gen's templates from `gen build --export-context`
//! with Debian's Jinja2 and PyYAML, and must write the very tree gen writes:
//! same files, same bytes, same modes. Otherwise the comparison would time
//! two programs doing different work.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::{project, repo, tree, Gen};

/// Debian's python3 (with python3-jinja2 and python3-yaml); the `python3` on
/// PATH may be a virtualenv or pyenv shim without them.
const PYTHON: &str = "/usr/bin/python3";

fn peer(project: &Path, contexts: &Path, out: &Path) {
    let status = Command::new(PYTHON)
        .arg(repo().join("scripts/jinja2_peer.py"))
        .arg(project)
        .arg(contexts)
        .arg(out)
        .arg(repo().join("templates"))
        .status()
        .expect("/usr/bin/python3 runs; scripts/test.sh installs python3-jinja2 and python3-yaml");
    assert!(status.success(), "the Jinja2 peer failed");
}

/// Builds `project` with gen and with the peer; compares file by file.
fn assert_same_trees(project: &Path, blueprints: &[&str]) {
    let contexts = project.join("context");
    let peer_out = project.join("peer-out");
    Gen::new(project).args(["build".as_ref(), "--export-context".as_ref(), contexts.as_os_str()]).succeeds();
    peer(project, &contexts, &peer_out);
    for name in blueprints {
        let gen_tree = tree(&project.join("out").join(name));
        let peer_tree = tree(&peer_out.join(name));
        assert!(gen_tree.len() > 20, "out/{name} has {} files", gen_tree.len());
        let paths = |t: &[(String, Vec<u8>, u32)]| t.iter().map(|(p, _, _)| p.clone()).collect::<Vec<_>>();
        assert_eq!(paths(&gen_tree), paths(&peer_tree), "{name}: the same files");
        // The artifacts first: a difference there also shows in MODES and the manifest.
        let mut pairs: Vec<_> = gen_tree.iter().zip(&peer_tree).collect();
        pairs.sort_by_key(|((path, _, _), _)| (path == "MODES" || path == "MANIFEST.sha256", path.clone()));
        for ((path, gen_bytes, gen_mode), (_, peer_bytes, peer_mode)) in pairs {
            assert!(
                gen_bytes == peer_bytes,
                "{name}/{path} differs:\n--- gen\n{}\n--- jinja2\n{}",
                String::from_utf8_lossy(gen_bytes),
                String::from_utf8_lossy(peer_bytes)
            );
            assert_eq!(gen_mode, peer_mode, "{name}/{path}: mode");
        }
    }
}

#[test]
fn jinja2_renders_the_reference_blueprints_byte_identically() {
    let dir = project();
    assert_same_trees(dir.path(), &["hetzner-websites", "odoo-dedicated"]);
}

/// The synthetic fleet turns on what the reference blueprints leave off
/// (systemd timers on many hosts, many sites per host).
#[test]
fn jinja2_renders_a_synthetic_fleet_byte_identically() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (text, _) = Gen::new(dir.path()).args(["synth", "--sites", "12", "--hosts", "4"]).succeeds();
    std::fs::create_dir_all(dir.path().join("blueprints")).expect("mkdir");
    std::fs::write(dir.path().join("blueprints/synth.yaml"), text).expect("write");
    assert_same_trees(dir.path(), &["synth"]);
}

/// The context names every artifact gen writes (all but MODES and the
/// manifest), each with its template; item fields point into the plan or
/// index `values`; it is the same on every run.
#[test]
fn exported_context_covers_every_artifact_and_is_deterministic() {
    let dir = project();
    let name = "odoo-dedicated";
    let bp = format!("blueprints/{name}.yaml");
    Gen::new(dir.path()).args(["build", "--export-context", "a", &bp]).succeeds();
    Gen::new(dir.path()).args(["build", "--export-context", "b", &bp]).succeeds();
    let a = std::fs::read(dir.path().join(format!("a/{name}.json"))).expect("context a");
    assert!(a == std::fs::read(dir.path().join(format!("b/{name}.json"))).expect("context b"), "same context");
    let ctx: Value = serde_json::from_slice(&a).expect("JSON");
    assert_eq!(ctx["blueprint"], name);
    assert_eq!(ctx["header"], ctx["plan"]["header"]);
    let values = ctx["values"].as_array().expect("values").len();
    let mut paths: Vec<String> = Vec::new();
    for row in ctx["artifacts"].as_array().expect("artifacts") {
        let template = row["template"].as_str().expect("template");
        assert!(repo().join(format!("templates/{template}.j2")).is_file(), "{template}");
        for field in row["item"].as_object().expect("item").values() {
            match field {
                Value::String(pointer) => assert!(ctx["plan"].pointer(pointer).is_some(), "{pointer} is in the plan"),
                index => assert!(index.as_u64().is_some_and(|i| i < values as u64), "{index} indexes values"),
            }
        }
        paths.push(row["path"].as_str().expect("path").to_string());
    }
    paths.sort();
    let mut written: Vec<String> = tree(&dir.path().join("out").join(name)).into_iter().map(|(p, _, _)| p).collect();
    written.retain(|p| p != "MODES" && p != "MANIFEST.sha256");
    assert_eq!(paths, written);
}
