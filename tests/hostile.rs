//! Hostile input beyond tests/invalid.rs: names that become paths, free
//! text that must never become one, and out/ trees planted with symlinks.

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::MetadataExt as _;
use std::path::Path;

use serde_json::Value;
use sha2::Digest as _;

use crate::common::{project, repo, Gen};

const REFERENCES: [&str; 2] = ["odoo-dedicated", "hetzner-websites"];

fn reference_json(name: &str) -> Value {
    let text = fs::read_to_string(repo().join(format!("blueprints/{name}.yaml"))).expect("reference");
    serde_yaml::from_str(&text).expect("reference parses")
}

fn schema() -> Value {
    serde_json::from_str(&fs::read_to_string(repo().join("schemas/blueprint.schema.json")).expect("schema"))
        .expect("schema is JSON")
}

/// The pointers of every value in `instance` that the schema types as `def`
/// (`#/$defs/<def>`), found by walking schema and instance together.
fn typed_as(def: &str, schema: &Value, node: &Value, instance: &Value, pointer: &str, out: &mut BTreeSet<String>) {
    if let Some(r) = node.get("$ref").and_then(Value::as_str) {
        if r == format!("#/$defs/{def}") {
            out.insert(pointer.to_string());
            return;
        }
        let target = r.strip_prefix("#/$defs/").and_then(|d| schema["$defs"].get(d));
        if let Some(target) = target {
            typed_as(def, schema, target, instance, pointer, out);
        }
    }
    for arms in ["anyOf", "oneOf", "allOf"] {
        for arm in node.get(arms).and_then(Value::as_array).into_iter().flatten() {
            typed_as(def, schema, arm, instance, pointer, out);
        }
    }
    match instance {
        Value::Object(map) => {
            let props = node.get("properties").and_then(Value::as_object);
            for (k, v) in map {
                let escaped = k.replace('~', "~0").replace('/', "~1");
                let sub = props.and_then(|p| p.get(k)).or_else(|| node.get("additionalProperties"));
                if let Some(sub) = sub.filter(|s| s.is_object()) {
                    typed_as(def, schema, sub, v, &format!("{pointer}/{escaped}"), out);
                }
            }
        }
        Value::Array(items) => {
            if let Some(sub) = node.get("items") {
                for (i, v) in items.iter().enumerate() {
                    typed_as(def, schema, sub, v, &format!("{pointer}/{i}"), out);
                }
            }
        }
        _ => {}
    }
}

/// `/hosts/3/name` → `/hosts/*/name`: one case per field, not per item.
fn shape(pointer: &str) -> String {
    pointer.split('/').map(|s| if s.parse::<usize>().is_ok() { "*" } else { s }).collect::<Vec<_>>().join("/")
}

/// The first pointer of each shape.
fn one_per_shape(pointers: &BTreeSet<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    pointers.iter().filter(|p| seen.insert(shape(p))).cloned().collect()
}

/// Lints `value` in-process as `<tmp>/hostile.yaml`.
fn lint(value: &Value) -> Result<Vec<gen::diag::Diagnostic>, gen::blueprint::LoadFailure> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hostile.yaml");
    fs::write(&path, serde_yaml::to_string(value).expect("yaml")).expect("write");
    gen::compile::lint(&path).expect("no I/O error").map(|(_, diags)| diags)
}

/// Values a name must never have: each could escape or confuse a path.
const HOSTILE_NAMES: &[&str] = &[
    "a/b",
    "..",
    "../etc",
    "web/../../etc",
    ".hidden",
    "a\nb",
    "a\u{7}b",
    "a\tb",
    "a\u{0}b",
    "a b",
    "Web",
    "",
    "-web",
    "wéb",
    "web\u{202e}",
    "a\\b",
];

/// Every field typed `Name` in either reference (project, hosts, sites,
/// environments, postgres services, peers, networks, …) rejects each hostile
/// value with a located diagnostic on that field.
#[test]
fn every_name_field_rejects_path_tricks() {
    let schema = schema();
    let mut shapes = BTreeSet::new();
    for name in REFERENCES {
        let bp = reference_json(name);
        let mut pointers = BTreeSet::new();
        typed_as("Name", &schema, &schema, &bp, "", &mut pointers);
        for pointer in one_per_shape(&pointers) {
            shapes.insert(shape(&pointer));
            for bad in HOSTILE_NAMES {
                let mut v = bp.clone();
                *v.pointer_mut(&pointer).expect("pointer") = Value::from(*bad);
                let failure = lint(&v).expect_err(&format!("{name}: {pointer} = {bad:?} is rejected"));
                // At the field, or at the `oneOf` that holds it.
                let d = failure
                    .diagnostics
                    .iter()
                    .find(|d| pointer == d.pointer || pointer.starts_with(&format!("{}/", d.pointer)))
                    .unwrap_or_else(|| {
                        panic!("{name}: no diagnostic at {pointer} for {bad:?}: {:?}", failure.diagnostics)
                    });
                assert!(d.is_error() && d.line >= 1 && d.col >= 1 && !d.hint.is_empty(), "{d:?}");
            }
        }
    }
    // The fields whose values are path components today; the walk must find
    // them all (a schema change that loses one fails here).
    for must in [
        "/project/name",
        "/hosts/*/name",
        "/websites/sites/*/name",
        "/applications/*/name",
        "/applications/*/environments/*/name",
        "/postgres/*/name",
        "/vpn/peers/*/name",
    ] {
        assert!(shapes.contains(must), "{must} is typed Name: {shapes:?}");
    }
}

/// Free text (titles, domains, paths on the host, labels, keys…) never
/// becomes part of an output path: each string that is not a `Name` is
/// given a marker and, when the blueprint still compiles, no output path
/// contains it.
#[test]
fn no_free_text_reaches_an_output_path() {
    let schema = schema();
    let renderer = gen::render::Renderer::new(None).expect("templates");
    for name in REFERENCES {
        let bp = reference_json(name);
        let mut names = BTreeSet::new();
        typed_as("Name", &schema, &schema, &bp, "", &mut names);
        let mut strings = BTreeSet::new();
        string_leaves(&bp, "", &mut strings);
        let free: BTreeSet<String> = strings.difference(&names).cloned().collect();
        let mut compiled_cases = 0;
        for pointer in one_per_shape(&free) {
            let mut v = bp.clone();
            let slot = v.pointer_mut(&pointer).expect("pointer");
            let original = slot.as_str().unwrap_or_default().to_string();
            *slot = Value::from(format!("{original}zq9marker"));
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join(format!("{name}.yaml"));
            fs::write(&path, serde_yaml::to_string(&v).expect("yaml")).expect("write");
            if let Ok(compiled) = gen::compile::compile(&path, &renderer).expect("no I/O error") {
                compiled_cases += 1;
                for out in compiled.files.files.keys() {
                    assert!(!out.contains("zq9marker"), "{name}: {pointer} reaches the output path {out}");
                }
            }
        }
        assert!(compiled_cases > 5, "{name}: the marker is accepted in some free-text fields ({compiled_cases})");
    }
}

fn string_leaves(v: &Value, pointer: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::String(_) => {
            out.insert(pointer.to_string());
        }
        Value::Object(map) => {
            for (k, v) in map {
                string_leaves(v, &format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                string_leaves(v, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

// out/ and symlinks ----------------------------------------------------------

/// Every file below `dir` (not following links): path, sha256 of its bytes,
/// inode and link count.
fn snapshot(dir: &Path) -> Vec<(String, String, u64, u64)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let m = e.metadata().expect("metadata");
            let digest = sha2::Sha256::digest(fs::read(e.path()).expect("read"));
            (e.path().display().to_string(), format!("{digest:x}"), m.ino(), m.nlink())
        })
        .collect();
    files.sort();
    files
}

/// A built project, and a directory outside out/ holding a copy of one tree.
fn built_with_outside_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = project();
    Gen::new(dir.path()).args(["build"]).succeeds();
    let elsewhere = dir.path().join("elsewhere");
    let status = std::process::Command::new("cp")
        .args(["-a", "out/odoo-dedicated"])
        .arg(&elsewhere)
        .current_dir(dir.path())
        .status()
        .expect("cp");
    assert!(status.success());
    (dir, elsewhere)
}

/// A subdirectory of out/<bp> replaced by a link to an identical tree
/// outside: the build reads nothing through it, hard-links nothing from it,
/// and leaves a real directory in its place.
#[test]
fn a_symlinked_subdirectory_is_replaced_not_followed() {
    let (dir, elsewhere) = built_with_outside_copy();
    let hosts = dir.path().join("out/odoo-dedicated/hosts");
    fs::remove_dir_all(&hosts).expect("rm");
    std::os::unix::fs::symlink(elsewhere.join("hosts"), &hosts).expect("symlink");
    let before = snapshot(&elsewhere);
    assert!(before.iter().all(|f| f.3 == 1), "outside files start with one link each");

    let (stdout, _) = Gen::new(dir.path()).args(["check"]).fails();
    assert!(stdout.contains("hosts"), "check reports the link as drift:\n{stdout}");
    Gen::new(dir.path()).args(["build"]).succeeds();

    assert_eq!(snapshot(&elsewhere), before, "nothing outside out/ was written, linked or removed");
    assert!(fs::symlink_metadata(&hosts).expect("hosts").is_dir(), "a real directory again");
    Gen::new(dir.path()).args(["check"]).succeeds();
}

/// Replaces out/odoo-dedicated/MANIFEST.sha256 by a link to the copy in
/// `elsewhere`; returns (the link, its target).
fn manifest_linked_outside(project: &Path, elsewhere: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let manifest = project.join("out/odoo-dedicated/MANIFEST.sha256");
    let outside = elsewhere.join("MANIFEST.sha256");
    fs::remove_file(&manifest).expect("rm");
    std::os::unix::fs::symlink(&outside, &manifest).expect("symlink");
    (manifest, outside)
}

/// A file of out/<bp> replaced by a link to a file outside: the build
/// replaces the link and leaves the outside file as it was.
#[test]
fn a_symlinked_file_is_replaced_not_written_through() {
    let (dir, elsewhere) = built_with_outside_copy();
    let (manifest, outside) = manifest_linked_outside(dir.path(), &elsewhere);
    fs::write(&outside, "precious\n").expect("write");

    Gen::new(dir.path()).args(["check"]).fails();
    Gen::new(dir.path()).args(["build"]).succeeds();

    assert_eq!(fs::read_to_string(&outside).expect("outside"), "precious\n");
    assert!(fs::symlink_metadata(&manifest).expect("manifest").is_file());
    Gen::new(dir.path()).args(["check"]).succeeds();
}

/// A symlinked file with the same bytes as the generated one: not reused by
/// hard link (that would tie out/ to a file outside it).
#[test]
fn an_identical_symlinked_file_is_not_hard_linked() {
    let (dir, elsewhere) = built_with_outside_copy();
    let (manifest, outside) = manifest_linked_outside(dir.path(), &elsewhere);
    Gen::new(dir.path()).args(["build"]).succeeds();
    assert_eq!(fs::metadata(&outside).expect("outside").nlink(), 1, "outside file is not linked into out/");
    assert!(fs::symlink_metadata(&manifest).expect("manifest").is_file());
}

/// out/ itself a link to a directory elsewhere: refused, nothing written.
#[test]
fn a_symlinked_out_is_refused() {
    let dir = project();
    let elsewhere = dir.path().join("elsewhere");
    fs::create_dir_all(&elsewhere).expect("mkdir");
    std::os::unix::fs::symlink(&elsewhere, dir.path().join("out")).expect("symlink");
    let (_, stderr) = Gen::new(dir.path()).args(["build"]).code(2);
    assert!(stderr.contains("symbolic link"), "{stderr}");
    assert!(snapshot(&elsewhere).is_empty(), "nothing written through the link");
}

/// `gen check` does not read a tree through a symlinked out/<bp> either.
#[test]
fn check_refuses_a_symlinked_tree() {
    let (dir, elsewhere) = built_with_outside_copy();
    let tree = dir.path().join("out/odoo-dedicated");
    fs::remove_dir_all(&tree).expect("rm");
    std::os::unix::fs::symlink(&elsewhere, &tree).expect("symlink");
    let (_, stderr) = Gen::new(dir.path()).args(["check"]).code(2);
    assert!(stderr.contains("symbolic link"), "{stderr}");
}

// Config injection -----------------------------------------------------------

/// Every string in either reference (titles, domains, paths, labels,
/// descriptions, …), given a newline or another control character, is
/// rejected with E107 at that value: no text can end the comment or
/// directive a template puts it in.
#[test]
fn no_string_field_takes_a_control_character() {
    for name in REFERENCES {
        let bp = reference_json(name);
        let mut strings = BTreeSet::new();
        string_leaves(&bp, "", &mut strings);
        let shapes = one_per_shape(&strings);
        assert!(shapes.len() > 20, "{name}: {} string fields", shapes.len());
        for (i, pointer) in shapes.iter().enumerate() {
            let bad = ["\n include /etc/passwd;", "\r", "\t", "\u{1b}[2J", "\u{7f}"][i % 5];
            let mut v = bp.clone();
            let slot = v.pointer_mut(pointer).expect("pointer");
            *slot = Value::from(format!("{}{bad}", slot.as_str().unwrap_or_default()));
            let failure = lint(&v).expect_err(&format!("{name}: {pointer} with {bad:?} is rejected"));
            assert!(
                failure.diagnostics.iter().any(|d| d.code == "E107" && &d.pointer == pointer && d.line >= 1),
                "{name}: no E107 at {pointer}: {:?}",
                failure.diagnostics
            );
        }
    }
}

/// A domain that would add a directive to nginx's `server_name` line, a
/// database name, health path or backup path that would break out of a
/// shell line, are refused.
#[test]
fn literals_cannot_carry_syntax() {
    let web = reference_json("hetzner-websites");
    for bad in ["a.example.com; include /etc/passwd", "a.example.com { }", "a b.example.com", "$(id).example.com"] {
        let mut v = web.clone();
        *v.pointer_mut("/websites/sites/0/domains/0").expect("a site domain") = Value::from(bad);
        let failure = lint_errors(&v);
        assert!(failure.iter().any(|d| d.code == "E209" && d.pointer == "/websites/sites/0/domains/0"), "{bad}");
    }
    let odoo = reference_json("odoo-dedicated");
    let mut v = odoo.clone();
    *v.pointer_mut("/applications/0/environments/0/domain").expect("an environment domain") =
        Value::from("erp.example.com;");
    assert!(lint_errors(&v).iter().any(|d| d.code == "E209"));
    let mut v = odoo;
    v["applications"][0]["environments"][0]["db_name"] = Value::from("odoo'; drop database x; --");
    assert!(lint_errors(&v).iter().any(|d| d.code == "E210"));

    // Found by feeding `'$(id)"` to every free-text field: these reached
    // blue-green.sh's curl line and a compose CMD-SHELL health check.
    for (pointer, code) in [
        ("/load_balancers/0/health_check/path", "E211"),
        ("/websites/defaults/backend/health_path", "E211"),
        ("/websites/defaults/frontend/health_path", "E211"),
    ] {
        let mut v = web.clone();
        *v.pointer_mut(pointer).expect(pointer) = Value::from("/health'$(id)\"");
        assert!(lint_errors(&v).iter().any(|d| d.code == code && d.pointer == pointer), "{pointer}");
    }
    for (pointer, bad, code) in [
        ("/backup/paths/0/path", "/mnt/odoo data/prod", "E212"),
        ("/applications/0/environments/0/data_dir", "/mnt/x:/etc", "E212"),
        ("/postgres/0/data_dir", "/srv/pg;reboot", "E212"),
        ("/postgres/0/user", "odoo -d x; id", "E210"),
    ] {
        let mut v = reference_json("odoo-dedicated");
        *v.pointer_mut(pointer).expect(pointer) = Value::from(bad);
        assert!(lint_errors(&v).iter().any(|d| d.code == code && d.pointer == pointer), "{pointer}");
    }
}

/// The error diagnostics of a blueprint (loaded or not).
fn lint_errors(value: &Value) -> Vec<gen::diag::Diagnostic> {
    let diags = match lint(value) {
        Ok(diags) => diags,
        Err(failure) => failure.diagnostics,
    };
    diags.into_iter().filter(gen::diag::Diagnostic::is_error).collect()
}
