//! Versions and the install examples: `gen --version` is Cargo.toml's
//! version, a `vX.Y.Z` tag on HEAD names that version, and the README's CI
//! and pre-commit examples name the repository placeholder, a release tag of
//! that version and hooks that exist. The installs themselves are
//! tests/install/run.sh (scripts/test.sh runs it).

use std::path::Path;
use std::process::Command;

use serde_yaml::Value;

use crate::common::{repo, Gen};

/// The README's placeholder for the repository, to be filled in once.
const REPO_URL: &str = "https://github.com/OWNER/gen";

/// `version` of `[package]` in Cargo.toml, read from the file (not from the
/// version cargo compiled into this test).
fn cargo_version() -> String {
    let text = std::fs::read_to_string(repo().join("Cargo.toml")).expect("Cargo.toml");
    let mut in_package = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(rest) = line.strip_prefix("version") {
                let value = rest.trim_start().strip_prefix('=').expect("version = \"…\"").trim();
                return value.trim_matches('"').to_string();
            }
        }
    }
    panic!("Cargo.toml has no [package] version");
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out =
        Command::new("git").arg("-C").arg(dir).args(args).output().expect("git runs (scripts/test.sh installs it)");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The release tags (`vX.Y.Z`) on HEAD of the repository at `dir`.
fn release_tags_at_head(dir: &Path) -> Vec<String> {
    let release = regex::Regex::new(r"^v\d+\.\d+\.\d+([-+].*)?$").expect("regex");
    git(dir, &["tag", "--points-at", "HEAD"]).lines().filter(|t| release.is_match(t)).map(str::to_string).collect()
}

/// The tags on HEAD that do not name `version`.
fn mismatched_tags(dir: &Path, version: &str) -> Vec<String> {
    release_tags_at_head(dir).into_iter().filter(|t| t != &format!("v{version}")).collect()
}

#[test]
fn gen_version_is_the_cargo_toml_version() {
    let version = cargo_version();
    let (stdout, _) = Gen::new(&repo()).args(["--version"]).succeeds();
    assert_eq!(stdout, format!("gen {version}\n"));
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
}

#[test]
fn a_release_tag_on_head_names_the_cargo_toml_version() {
    let version = cargo_version();
    let mismatched = mismatched_tags(&repo(), &version);
    assert!(
        mismatched.is_empty(),
        "HEAD is tagged {mismatched:?} but Cargo.toml's version is {version}: bump Cargo.toml or move the tag \
         (README, \"Releasing\")"
    );

    // The check sees tags: a throwaway repository tagged with another version
    // fails it, and one tagged with this version passes.
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q"]);
    git(d, &["-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "--allow-empty", "-m", "x"]);
    assert!(mismatched_tags(d, &version).is_empty(), "no tag, nothing to compare");
    git(d, &["tag", "v9.9.9"]);
    git(d, &["tag", "not-a-release"]);
    assert_eq!(mismatched_tags(d, &version), ["v9.9.9"]);
    git(d, &["tag", "-d", "v9.9.9"]);
    git(d, &["tag", &format!("v{version}")]);
    assert_eq!(release_tags_at_head(d), [format!("v{version}")]);
    assert!(mismatched_tags(d, &version).is_empty());
}

/// The fenced code blocks of README.md, with their info strings.
fn readme_blocks() -> Vec<(String, String)> {
    use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
    let text = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for event in Parser::new(&text) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                current = Some((info.to_string(), String::new()))
            }
            Event::Text(t) => {
                if let Some((_, body)) = current.as_mut() {
                    body.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}

fn readme_block(first_line: &str) -> String {
    readme_blocks()
        .into_iter()
        .find(|(_, body)| body.lines().next() == Some(first_line))
        .unwrap_or_else(|| panic!("README.md has no code block starting with {first_line:?}"))
        .1
}

#[test]
fn readme_pre_commit_example_names_a_release_and_existing_hooks() {
    let version = cargo_version();
    let config: Value = serde_yaml::from_str(&readme_block("# .pre-commit-config.yaml")).expect("YAML");
    let repos = config["repos"].as_sequence().expect("repos: a list");
    assert_eq!(repos.len(), 1);
    assert_eq!(repos[0]["repo"].as_str(), Some(REPO_URL), "one placeholder for the repository URL");
    assert_eq!(
        repos[0]["rev"].as_str(),
        Some(format!("v{version}").as_str()),
        "rev is the release tag of this version"
    );
    let hooks: Vec<Value> = serde_yaml::from_str(
        &std::fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).expect(".pre-commit-hooks.yaml"),
    )
    .expect("hooks");
    let ids: Vec<&str> = hooks.iter().filter_map(|h| h["id"].as_str()).collect();
    let used = repos[0]["hooks"].as_sequence().expect("hooks: a list");
    assert!(!used.is_empty());
    for hook in used {
        let id = hook["id"].as_str().expect("id");
        assert!(ids.contains(&id), "the example's hook {id} is not in .pre-commit-hooks.yaml ({ids:?})");
    }
}

#[test]
fn readme_ci_example_installs_a_release_and_runs_gen_check() {
    let version = cargo_version();
    let workflow: Value = serde_yaml::from_str(&readme_block("# .github/workflows/gen.yml")).expect("YAML");
    let steps = workflow["jobs"]["check"]["steps"].as_sequence().expect("jobs.check.steps");
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).map(str::trim).collect();
    let install = format!("cargo install --locked --git {REPO_URL} --tag v{version} gen");
    assert!(runs.contains(&install.as_str()), "the workflow installs with `{install}`: {runs:?}");
    assert!(runs.iter().any(|r| r.starts_with("gen check")), "the workflow runs gen check: {runs:?}");
    // Every URL of the README's Install, CI and pre-commit parts is the one
    // placeholder (or a path under it): no example.invalid, no other owner.
    let text = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    assert!(!text.contains("example.invalid/gen"), "the old placeholder is gone");
    for (_, body) in readme_blocks() {
        for word in body.split_whitespace().filter(|w| w.contains("github.com/") && w.contains("/gen")) {
            assert!(word.trim_matches('"').starts_with(REPO_URL), "{word} is not under {REPO_URL}");
        }
    }
}
