//! Determinism matrix: the same blueprints give byte-identical out/ trees
//! (every file, every mode) whatever the time zone, locale, umask, user,
//! working directory (`-C` or cwd) and project path (spaces, non-ASCII).

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use sha2::Digest as _;

use crate::common::{repo, Gen};

/// rel path → (sha256, mode) of every file below `root`; a symlink or any
/// other non-file is an error (out/ holds only files and directories).
fn tree(root: &Path) -> BTreeMap<String, (String, u32)> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(root).follow_links(false) {
        let entry = entry.expect("walk");
        let kind = entry.file_type();
        if kind.is_dir() {
            continue;
        }
        assert!(kind.is_file(), "{} is not a regular file", entry.path().display());
        let rel = entry.path().strip_prefix(root).expect("below root").display().to_string();
        let digest = sha2::Sha256::digest(fs::read(entry.path()).expect("read"));
        let mode = entry.metadata().expect("metadata").permissions().mode() & 0o7777;
        files.insert(rel, (format!("{digest:x}"), mode));
    }
    files
}

/// A project at `dir` with the references and a synthetic fleet.
fn make_project(dir: &Path) {
    let bp = dir.join("blueprints");
    fs::create_dir_all(&bp).expect("mkdir");
    for name in ["odoo-dedicated", "hetzner-websites"] {
        fs::copy(repo().join(format!("blueprints/{name}.yaml")), bp.join(format!("{name}.yaml"))).expect("copy");
    }
    fs::write(bp.join("synth.yaml"), gen::synth::blueprint("synth", 30, 4).expect("synth")).expect("write");
}

/// One way of running `gen build`: where from, with which arguments and
/// environment, and where the project lives.
struct Run {
    what: &'static str,
    /// The project directory, below the test's temp dir.
    project: &'static str,
    /// The working directory, relative to the project (may be `..`).
    cwd: &'static str,
    /// `-C` argument, if any.
    dash_c: Option<&'static str>,
    env: &'static [(&'static str, &'static str)],
    /// A shell prefix run before exec (umask).
    shell: Option<&'static str>,
}

const RUNS: &[Run] = &[
    Run {
        what: "baseline: UTC, C locale, cwd = project",
        project: "p",
        cwd: ".",
        dash_c: None,
        env: &[("TZ", "UTC"), ("LANG", "C"), ("LC_ALL", "C")],
        shell: None,
    },
    Run {
        what: "TZ Pacific/Chatham (+12:45), Turkish and German locales",
        project: "p",
        cwd: ".",
        dash_c: None,
        env: &[("TZ", "Pacific/Chatham"), ("LANG", "de_DE.UTF-8"), ("LC_ALL", "tr_TR.UTF-8")],
        shell: None,
    },
    Run {
        what: "TZ America/St_Johns, ja_JP, -C from the parent directory",
        project: "p",
        cwd: "..",
        dash_c: Some("p"),
        env: &[("TZ", "America/St_Johns"), ("LANG", "ja_JP.UTF-8"), ("LC_ALL", "ja_JP.UTF-8")],
        shell: None,
    },
    Run {
        what: "-C .. from blueprints/, umask 077, another HOME and USER",
        project: "p",
        cwd: "blueprints",
        dash_c: Some(".."),
        env: &[("HOME", "/nonexistent"), ("USER", "nobody"), ("LC_ALL", "C.UTF-8")],
        shell: Some("umask 077"),
    },
    Run {
        what: "a project path with spaces and non-ASCII, -C absolute from /",
        project: "my projects/Kunde Müller & Söhne",
        cwd: "/",
        dash_c: Some("<abs>"),
        env: &[("TZ", "Asia/Kathmandu"), ("LANG", "de_DE.UTF-8")],
        shell: Some("umask 0002"),
    },
    Run {
        what: "a project path with spaces, cwd = project",
        project: "my projects/Kunde Müller & Söhne",
        cwd: ".",
        dash_c: None,
        env: &[("TZ", "Etc/GMT-14")],
        shell: None,
    },
];

/// Runs `gen build` as `run` says, in a fresh project; returns out/.
fn build(tmp: &Path, index: usize, run: &Run) -> PathBuf {
    // A fresh copy per run, so no run reuses another's out/.
    let project = tmp.join(format!("{index}")).join(run.project);
    make_project(&project);
    let cwd = if run.cwd == "/" { PathBuf::from("/") } else { project.join(run.cwd) };
    let mut gen = Gen::new(&cwd);
    for (k, v) in run.env {
        gen = gen.env(k, v);
    }
    if let Some(prefix) = run.shell {
        gen = gen.wrapped(&["sh", "-c", &format!("{prefix} && exec \"$0\" \"$@\"")]);
    }
    if let Some(c) = run.dash_c {
        let c = if c == "<abs>" { project.display().to_string() } else { c.to_string() };
        gen = gen.args(["-C", &c]);
    }
    let out = gen.args(["build"]).output();
    assert!(out.status.success(), "{}: gen build failed\n{}", run.what, String::from_utf8_lossy(&out.stderr));
    project.join("out")
}

#[test]
fn out_is_byte_identical_across_the_matrix() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut baseline: Option<BTreeMap<String, (String, u32)>> = None;
    for (i, run) in RUNS.iter().enumerate() {
        let out = build(tmp.path(), i, run);
        let files = tree(&out);
        assert!(files.keys().any(|f| f.starts_with("synth/")), "{}: the synthetic fleet is built", run.what);
        match &baseline {
            None => {
                // The baseline's bytes are what the repository commits (git
                // keeps only 644/755, so modes are compared between runs).
                for name in ["odoo-dedicated", "hetzner-websites"] {
                    let bytes = |t: BTreeMap<String, (String, u32)>| -> BTreeMap<String, String> {
                        t.into_iter().map(|(k, (sha, _))| (k, sha)).collect()
                    };
                    let committed = bytes(tree(&repo().join("out").join(name)));
                    let built = bytes(
                        files
                            .iter()
                            .filter_map(|(k, v)| {
                                k.strip_prefix(&format!("{name}/")).map(|k| (k.to_string(), v.clone()))
                            })
                            .collect(),
                    );
                    let differ: Vec<&String> =
                        built.keys().chain(committed.keys()).filter(|k| built.get(*k) != committed.get(*k)).collect();
                    assert!(differ.is_empty(), "{}: out/{name} differs from the committed tree: {differ:?}", run.what);
                }
                baseline = Some(files);
            }
            Some(base) => {
                let differ: Vec<&String> =
                    base.keys().chain(files.keys()).filter(|k| base.get(*k) != files.get(*k)).take(10).collect();
                assert!(differ.is_empty(), "{}: files differ from the baseline: {differ:?}", run.what);
            }
        }
    }
}

/// The comparison can fail: a changed byte or mode is seen.
#[test]
fn the_tree_comparison_sees_bytes_and_modes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("a.sh");
    fs::write(&f, "x").expect("write");
    fs::set_permissions(&f, fs::Permissions::from_mode(0o755)).expect("chmod");
    let before = tree(dir.path());
    fs::set_permissions(&f, fs::Permissions::from_mode(0o644)).expect("chmod");
    assert_ne!(tree(dir.path()), before, "mode");
    fs::set_permissions(&f, fs::Permissions::from_mode(0o755)).expect("chmod");
    assert_eq!(tree(dir.path()), before);
    fs::write(&f, "y").expect("write");
    assert_ne!(tree(dir.path()), before, "bytes");
}
