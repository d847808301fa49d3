//! The pre-commit hooks file: its shape, and that its entry really is the
//! drift check (it passes on a built project and fails on a stale out/).

use std::fs;
use std::process::Command;

use serde_yaml::Value;

use crate::common::{project, repo, Gen};

fn hooks() -> Vec<Value> {
    let text = fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).expect(".pre-commit-hooks.yaml");
    serde_yaml::from_str(&text).expect("a YAML list of hooks")
}

fn field<'a>(hook: &'a Value, key: &str) -> &'a str {
    hook.get(key).and_then(Value::as_str).unwrap_or_else(|| panic!("hook lacks a string `{key}`: {hook:?}"))
}

#[test]
fn hooks_have_the_keys_pre_commit_requires() {
    let hooks = hooks();
    assert!(!hooks.is_empty());
    let mut ids = std::collections::BTreeSet::new();
    for hook in &hooks {
        assert!(ids.insert(field(hook, "id").to_string()), "ids are unique");
        field(hook, "name");
        assert!(field(hook, "entry").starts_with("gen check"), "{hook:?}");
        assert!(matches!(field(hook, "language"), "rust" | "system"), "{hook:?}");
        assert_eq!(hook.get("pass_filenames").and_then(Value::as_bool), Some(false), "gen checks the whole project");
        let files = regex::Regex::new(field(hook, "files")).expect("`files` is a regex");
        for path in ["blueprints/odoo.yaml", "templates/nginx/site.j2", "out/odoo/MANIFEST.sha256"] {
            assert!(files.is_match(path), "{path} triggers the hook");
        }
        for path in ["src/main.rs", "README.md", "docs/out/x"] {
            assert!(!files.is_match(path), "{path} does not trigger the hook");
        }
    }
    assert!(ids.contains("gen-check"));
}

/// Runs each hook's entry the way pre-commit does (a shell word list, with
/// gen on PATH) in a project: clean after `gen build`, failing once out/ is
/// edited by hand.
#[test]
fn the_hook_entry_fails_on_a_stale_out() {
    let dir = project();
    Gen::new(dir.path()).args(["build"]).succeeds();
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_gen")).parent().expect("bin dir").to_path_buf();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let run = |entry: &str| {
        Command::new("sh")
            .args(["-c", entry])
            .current_dir(dir.path())
            .env("PATH", &path)
            .env("SOURCE_DATE_EPOCH", crate::common::TODAY_EPOCH)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("sh")
    };
    for hook in hooks() {
        assert!(run(field(&hook, "entry")).success(), "{}: clean project passes", field(&hook, "id"));
    }
    let manifest = dir.path().join("out/odoo-dedicated/MODES");
    fs::write(&manifest, "edited by hand\n").expect("write");
    for hook in hooks() {
        assert_eq!(run(field(&hook, "entry")).code(), Some(1), "{}: stale out/ fails", field(&hook, "id"));
    }
}
