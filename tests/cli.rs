//! The command line on a throwaway project: build, check (drift), lint, plan,
//! schema, new, exit codes and colour, as DESIGN.md specifies them.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::{blueprint_names, project, repo, tree, Gen};

const MODELINE: &str = "# yaml-language-server: $schema=../schemas/blueprint.schema.json";

/// A project whose out/ has been built from the reference blueprints.
fn built() -> tempfile::TempDir {
    let dir = project();
    Gen::new(dir.path()).args(["build"]).succeeds();
    dir
}

/// A generated file of `blueprint` that is neither MODES nor the manifest.
fn some_artifact(out: &Path, blueprint: &str) -> String {
    tree(&out.join(blueprint))
        .into_iter()
        .map(|(rel, _, _)| rel)
        .find(|rel| rel != "MODES" && rel != "MANIFEST.sha256")
        .unwrap_or_else(|| panic!("out/{blueprint} has no artifact"))
}

/// Replaces `from` (exactly once) with `to` in a text file.
fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).expect("read");
    assert_eq!(text.matches(from).count(), 1, "`{from}` once in {}", path.display());
    fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// (inode, mtime) of every file under `root`: rewritten files change both.
fn identities(root: &Path) -> BTreeMap<PathBuf, (u64, i64, i64)> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let m = e.metadata().expect("meta");
            (e.path().to_path_buf(), (m.ino(), m.mtime(), m.mtime_nsec()))
        })
        .collect()
}

fn write_file(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

// 1. build, check, rebuild

#[test]
fn build_then_check_is_clean() {
    let dir = project();
    let (_, stderr) = Gen::new(dir.path()).args(["build"]).succeeds();
    for bp in blueprint_names() {
        assert!(stderr.contains(&format!("built out/{bp}:")), "{stderr}");
        assert!(dir.path().join("out").join(&bp).join("MANIFEST.sha256").is_file());
    }
    let (stdout, _) = Gen::new(dir.path()).args(["check"]).succeeds();
    for bp in blueprint_names() {
        assert!(stdout.contains(&format!("out/{bp}: up to date")), "{stdout}");
    }
}

#[test]
fn second_build_rewrites_nothing() {
    let dir = built();
    let out = dir.path().join("out");
    let before = identities(&out);
    let files_before = tree(&out);
    assert!(!before.is_empty());

    let (_, stderr) = Gen::new(dir.path()).args(["build"]).succeeds();
    let summaries: Vec<&str> = stderr.lines().filter(|l| l.starts_with("built out/")).collect();
    assert_eq!(summaries.len(), blueprint_names().len(), "{stderr}");
    for line in summaries {
        assert!(line.contains("(0 written,") && line.contains(" 0 removed)"), "{line}");
    }
    assert_eq!(identities(&out), before, "a rebuild without changes must keep every file (inode and mtime)");
    assert_eq!(tree(&out), files_before);
}

/// One site's domain changes: the files it touches are rewritten (renamed
/// into place), every other file keeps its inode and mtime, nothing is read
/// back, and the tree is exactly what a fresh build makes.
#[test]
fn a_small_change_rewrites_only_the_files_it_changes() {
    let dir = built();
    let out = dir.path().join("out");
    let before = identities(&out);
    let bytes_before: BTreeMap<String, Vec<u8>> = tree(&out).into_iter().map(|(rel, bytes, _)| (rel, bytes)).collect();
    edit(&dir.path().join("blueprints/hetzner-websites.yaml"), "www.site-02.example.com", "www.site-02.example.org");

    let (_, stderr) = Gen::new(dir.path()).args(["build"]).succeeds();
    let line = stderr.lines().find(|l| l.starts_with("built out/hetzner-websites:")).expect("summary");
    let written: usize =
        line.split('(').nth(1).and_then(|s| s.split(' ').next()).and_then(|n| n.parse().ok()).expect("n");
    let after = identities(&out);
    let bytes_after: BTreeMap<String, Vec<u8>> = tree(&out).into_iter().map(|(rel, bytes, _)| (rel, bytes)).collect();
    let changed: Vec<&String> =
        bytes_after.keys().filter(|rel| bytes_before.get(*rel) != bytes_after.get(*rel)).collect();
    assert!(!changed.is_empty() && changed.len() < 20, "{changed:?}");
    assert_eq!(written, changed.len(), "{line}: exactly the changed files are written");
    for (path, identity) in &after {
        let rel = path.strip_prefix(&out).expect("in out").to_string_lossy().to_string();
        if !changed.contains(&&rel) {
            assert_eq!(before.get(path), Some(identity), "{rel} was not rewritten");
        }
    }
    Gen::new(dir.path()).args(["check"]).succeeds();
    // The same bytes as a build into an empty out/.
    let fresh = project();
    fs::copy(
        dir.path().join("blueprints/hetzner-websites.yaml"),
        fresh.path().join("blueprints/hetzner-websites.yaml"),
    )
    .expect("copy");
    Gen::new(fresh.path()).args(["build"]).succeeds();
    assert_eq!(tree(&out), tree(&fresh.path().join("out")));
}

/// An incremental write that fails half-way (a file it must replace is
/// immutable, `chattr +i`) puts back what it had already replaced: out/ is
/// as it was, byte for byte and inode for inode, with no staging left over.
#[test]
fn a_failed_incremental_write_leaves_out_as_it_was() {
    // Under target/ (a disk file system; tmpfs has no immutable flag), made
    // when CARGO_TARGET_DIR builds elsewhere.
    fs::create_dir_all(repo().join("target")).expect("target/");
    let dir = tempfile::tempdir_in(repo().join("target")).expect("tempdir");
    fs::create_dir_all(dir.path().join("blueprints")).expect("mkdir");
    for bp in blueprint_names() {
        let name = format!("blueprints/{bp}.yaml");
        fs::copy(repo().join(&name), dir.path().join(&name)).expect("copy");
    }
    Gen::new(dir.path()).args(["build"]).succeeds();
    let out = dir.path().join("out");
    // Changed by the edit below, and renamed after other changed files.
    let locked = out.join("hetzner-websites/hosts/app-2/rootfs/opt/websites/nginx/conf.d/site-site-02.conf");
    assert!(locked.is_file(), "{}", locked.display());
    struct Unlock<'a>(&'a Path);
    impl Drop for Unlock<'_> {
        fn drop(&mut self) {
            let _ = Command::new("chattr").arg("-i").arg(self.0).status();
        }
    }
    let status = Command::new("chattr").arg("+i").arg(&locked).status();
    if !status.is_ok_and(|s| s.success()) {
        eprintln!("chattr +i is not available here (not root, or no such flag on this file system); nothing to test");
        return;
    }
    let _unlock = Unlock(&locked);
    let (before, bytes_before) = (identities(&out), tree(&out));
    edit(&dir.path().join("blueprints/hetzner-websites.yaml"), "www.site-02.example.com", "www.site-02.example.org");

    let (_, stderr) = Gen::new(dir.path()).args(["build"]).code(2);
    assert!(stderr.contains("site-site-02.conf"), "the error names the file:\n{stderr}");
    assert_eq!(identities(&out), before, "every file is the one it was");
    assert_eq!(tree(&out), bytes_before);
    let leftovers: Vec<_> = fs::read_dir(&out).expect("out").filter_map(Result::ok).map(|e| e.file_name()).collect();
    assert_eq!(leftovers.len(), blueprint_names().len(), "only the trees: {leftovers:?}");
}

/// A hand edit that keeps the file's size (and so would pass a size check)
/// is newer than the manifest, so the next build does not trust it.
#[test]
fn a_same_size_hand_edit_is_repaired() {
    let dir = built();
    let out = dir.path().join("out");
    let rel = some_artifact(&out, "odoo-dedicated");
    let path = out.join("odoo-dedicated").join(&rel);
    let mut bytes = fs::read(&path).expect("read");
    bytes[0] = if bytes[0] == b'#' { b'%' } else { b'#' };
    // The edit lands after the manifest was written, as any later edit does.
    std::thread::sleep(std::time::Duration::from_millis(20));
    fs::write(&path, &bytes).expect("write");
    Gen::new(dir.path()).args(["check"]).fails();
    let (_, stderr) = Gen::new(dir.path()).args(["build"]).succeeds();
    // The file, and the manifest: it is rewritten whenever a file is, so it
    // is newer than every file again and the next build trusts them.
    assert!(stderr.contains("built out/odoo-dedicated: 62 files (2 written,"), "{stderr}");
    let (_, stderr) = Gen::new(dir.path()).args(["build"]).succeeds();
    assert!(stderr.contains("built out/odoo-dedicated: 62 files (0 written,"), "{stderr}");
    Gen::new(dir.path()).args(["check"]).succeeds();
}

// 2. check reports drift

#[test]
fn check_shows_a_diff_for_a_changed_file() {
    let dir = built();
    let out = dir.path().join("out");
    let rel = some_artifact(&out, "odoo-dedicated");
    let path = out.join("odoo-dedicated").join(&rel);
    let mut text = fs::read_to_string(&path).expect("read");
    text.push_str("# a hand edit\n");
    fs::write(&path, text).expect("write");

    let (stdout, _) = Gen::new(dir.path()).args(["check"]).fails();
    let shown = format!("out/odoo-dedicated/{rel}");
    assert!(stdout.contains(&format!("changed: {shown}")), "{stdout}");
    assert!(stdout.lines().any(|l| l == "-# a hand edit"), "the diff removes the hand edit:\n{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("@@ ")), "a unified diff has hunks:\n{stdout}");
    // The diff headers name the file as it is on disk, tree included.
    assert!(stdout.lines().any(|l| l.starts_with("--- ") && l.contains(&shown)), "--- header names {shown}:\n{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("+++ ") && l.contains(&shown)), "+++ header names {shown}:\n{stdout}");
    assert!(stdout.contains("run `gen build`"), "{stdout}");
    assert!(stdout.contains("out/hetzner-websites: up to date"), "{stdout}");
}

#[test]
fn check_lists_a_missing_file() {
    let dir = built();
    let out = dir.path().join("out");
    let rel = some_artifact(&out, "hetzner-websites");
    fs::remove_file(out.join("hetzner-websites").join(&rel)).expect("rm");
    let (stdout, _) = Gen::new(dir.path()).args(["check"]).fails();
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("missing:") && l.trim_end().ends_with(&format!("out/hetzner-websites/{rel}"))),
        "{stdout}"
    );
    assert!(stdout.contains("run `gen build`"), "{stdout}");
}

#[test]
fn check_lists_a_stray_file() {
    let dir = built();
    write_file(&dir.path().join("out/odoo-dedicated/hosts/ax52/notes.txt"), "mine\n");
    let (stdout, _) = Gen::new(dir.path()).args(["check"]).fails();
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("stray:") && l.trim_end().ends_with("out/odoo-dedicated/hosts/ax52/notes.txt")),
        "{stdout}"
    );
}

#[test]
fn check_reports_a_lost_executable_bit() {
    let dir = built();
    let out = dir.path().join("out");
    let rel = "hosts/ax52/install.sh";
    let path = out.join("odoo-dedicated").join(rel);
    assert_eq!(fs::metadata(&path).expect("meta").mode() & 0o777, 0o755);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
    let (stdout, _) = Gen::new(dir.path()).args(["check"]).fails();
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("mode:") && l.contains(&format!("out/odoo-dedicated/{rel}")) && l.contains("0644")),
        "{stdout}"
    );
}

/// A fresh clone has 0644 where gen wrote 0600 (git keeps only the
/// executable bit); that is no drift, and MODES still says 0600.
#[test]
fn check_accepts_the_modes_a_git_clone_gives() {
    let dir = built();
    let path = dir.path().join("out/odoo-dedicated/hosts/ax52/rootfs/etc/wireguard/wg0.conf");
    assert_eq!(fs::metadata(&path).expect("meta").mode() & 0o777, 0o600);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
    Gen::new(dir.path()).args(["check"]).succeeds();
}

#[test]
fn check_shows_what_a_changed_blueprint_changes() {
    let dir = built();
    edit(&dir.path().join("blueprints/odoo-dedicated.yaml"), "max_body: 100M", "max_body: 200M");
    let (stdout, _) = Gen::new(dir.path()).args(["check"]).fails();
    assert!(stdout.contains("out/odoo-dedicated: differs"), "{stdout}");
    assert!(stdout.contains("changed: out/odoo-dedicated/"), "{stdout}");
    let added = |needle: &str| {
        stdout.lines().any(|l| l.starts_with('+') && !l.starts_with("+++") && l.to_lowercase().contains(needle))
    };
    let removed = |needle: &str| {
        stdout.lines().any(|l| l.starts_with('-') && !l.starts_with("---") && l.to_lowercase().contains(needle))
    };
    assert!(added("200m") && removed("100m"), "the diff shows 100M becoming 200M:\n{stdout}");
    assert!(stdout.contains("out/hetzner-websites: up to date"), "{stdout}");
}

#[test]
fn check_names_another_generator_version() {
    let dir = built();
    let modes = dir.path().join("out/odoo-dedicated/MODES");
    let text = fs::read_to_string(&modes).expect("MODES");
    let line = text.lines().find(|l| l.starts_with("# generator: gen ")).expect("generator line in MODES").to_string();
    edit(&modes, &line, "# generator: gen 0.0.0");
    let (stdout, _) = Gen::new(dir.path()).args(["check"]).fails();
    assert!(stdout.contains("built by gen 0.0.0"), "{stdout}");
    assert!(stdout.contains("changed: out/odoo-dedicated/MODES"), "{stdout}");
}

#[test]
fn check_without_out_lists_every_file_missing() {
    let dir = project();
    let (stdout, _) = Gen::new(dir.path()).args(["check"]).fails();
    for bp in blueprint_names() {
        assert!(stdout.contains(&format!("missing: out/{bp}/MANIFEST.sha256")), "{stdout}");
    }
    assert!(!dir.path().join("out").exists(), "check never writes");
}

#[test]
fn check_reports_an_orphan_tree() {
    let dir = built();
    write_file(&dir.path().join("out/gone/MODES"), "# generator: gen 0.1.0\n");
    let (stdout, _) = Gen::new(dir.path()).args(["check"]).fails();
    assert!(stdout.lines().any(|l| l.starts_with("out/gone:") && l.contains("stray")), "{stdout}");
    let (stdout, _) = Gen::new(dir.path()).args(["check", "--format", "json"]).fails();
    let report: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(report["drift"]["stray_trees"], serde_json::json!(["gone"]), "{stdout}");
}

#[test]
fn check_json_is_parseable() {
    let dir = built();
    let (stdout, _) = Gen::new(dir.path()).args(["check", "--format", "json"]).succeeds();
    let clean: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!((clean["command"].as_str(), clean["ok"].as_bool()), (Some("check"), Some(true)), "{stdout}");
    assert_eq!(clean["drift"]["clean"], Value::Bool(true), "{stdout}");

    let out = dir.path().join("out");
    let rel = some_artifact(&out, "odoo-dedicated");
    fs::remove_file(out.join("odoo-dedicated").join(&rel)).expect("rm");
    write_file(&out.join("odoo-dedicated/stray.txt"), "x\n");
    let (stdout, _) = Gen::new(dir.path()).args(["check", "--format", "json"]).fails();
    let report: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(report["ok"], Value::Bool(false), "{stdout}");
    let report = &report["drift"];
    assert_eq!(report["clean"], Value::Bool(false), "{stdout}");
    let odoo = report["blueprints"]
        .as_array()
        .expect("blueprints array")
        .iter()
        .find(|b| b["blueprint"] == "odoo-dedicated")
        .expect("odoo-dedicated entry");
    assert!(odoo["missing"].as_array().expect("missing").iter().any(|p| p == rel.as_str()), "{stdout}");
    assert!(odoo["stray"].as_array().expect("stray").iter().any(|p| p == "stray.txt"), "{stdout}");
}

// 3. build removes what the blueprints no longer make

#[test]
fn build_removes_strays_and_orphan_trees() {
    let dir = built();
    let out = dir.path().join("out");
    write_file(&out.join("odoo-dedicated/stray.txt"), "x\n");
    write_file(&out.join("odoo-dedicated/hosts/ax52/rootfs/etc/stray.conf"), "x\n");
    // A tree whose blueprint was deleted (it has a MODES file) ...
    write_file(&out.join("gone/MODES"), "# generator: gen 0.1.0\n");
    write_file(&out.join("gone/hosts/x/install.sh"), "#!/bin/sh\n");
    // ... and a directory gen did not make (no MODES): not gen's to remove.
    write_file(&out.join("notes/readme.txt"), "mine\n");

    let (_, stderr) = Gen::new(dir.path()).args(["build"]).succeeds();
    assert!(!out.join("odoo-dedicated/stray.txt").exists());
    assert!(!out.join("odoo-dedicated/hosts/ax52/rootfs/etc/stray.conf").exists());
    assert!(stderr.lines().any(|l| l.starts_with("built out/odoo-dedicated") && l.contains(" 2 removed)")), "{stderr}");
    assert!(!out.join("gone").exists(), "{stderr}");
    assert!(stderr.contains("removed out/gone"), "{stderr}");
    assert!(out.join("notes/readme.txt").is_file());
    Gen::new(dir.path())
        .args(["check", "blueprints/odoo-dedicated.yaml", "blueprints/hetzner-websites.yaml"])
        .succeeds();
}

#[test]
fn building_one_blueprint_leaves_other_trees_alone() {
    let dir = built();
    let out = dir.path().join("out");
    write_file(&out.join("gone/MODES"), "# generator: gen 0.1.0\n");
    let websites = tree(&out.join("hetzner-websites"));
    Gen::new(dir.path()).args(["build", "blueprints/odoo-dedicated.yaml"]).succeeds();
    assert_eq!(tree(&out.join("hetzner-websites")), websites);
    assert!(out.join("gone/MODES").is_file(), "only a build of every blueprint removes orphan trees");
}

// 4. a failing build changes nothing

#[test]
fn a_broken_blueprint_leaves_out_untouched() {
    let dir = built();
    let out = dir.path().join("out");
    write_file(&out.join("odoo-dedicated/stray.txt"), "x\n");
    // A change that a partial build would write ...
    edit(&dir.path().join("blueprints/odoo-dedicated.yaml"), "max_body: 100M", "max_body: 200M");
    // ... next to a blueprint that does not compile.
    write_file(
        &dir.path().join("blueprints/zz-broken.yaml"),
        "project: {name: broken, title: Broken}\nhosts: []\nfrobnicate: true\n",
    );
    let before = tree(&out);
    let (_, stderr) = Gen::new(dir.path()).args(["build"]).fails();
    assert!(stderr.contains("error[E101]"), "{stderr}");
    assert!(stderr.contains("blueprints/zz-broken.yaml:3:1"), "{stderr}");
    assert!(stderr.contains("out/ was not changed"), "{stderr}");
    assert_eq!(tree(&out), before, "out/ must be byte- and mode-identical after a failed build");
    let leftovers: Vec<_> = fs::read_dir(&out).expect("out").filter_map(Result::ok).map(|e| e.file_name()).collect();
    assert_eq!(leftovers.len(), blueprint_names().len(), "no staging directories are left: {leftovers:?}");
}

#[test]
fn a_broken_blueprint_creates_no_out() {
    let dir = project();
    write_file(
        &dir.path().join("blueprints/zz-broken.yaml"),
        "project: {name: broken, title: Broken}\nhosts: []\nfrobnicate: true\n",
    );
    Gen::new(dir.path()).args(["build"]).fails();
    let out = dir.path().join("out");
    assert!(!out.exists() || tree(&out).is_empty(), "{:?}", tree(&out).iter().map(|f| &f.0).collect::<Vec<_>>());
}

#[test]
fn build_never_writes_through_a_symlinked_tree() {
    let dir = project();
    let elsewhere = dir.path().join("elsewhere");
    fs::create_dir_all(&elsewhere).expect("mkdir");
    fs::create_dir_all(dir.path().join("out")).expect("mkdir");
    std::os::unix::fs::symlink("../elsewhere", dir.path().join("out/odoo-dedicated")).expect("symlink");
    let (_, stderr) = Gen::new(dir.path()).args(["build"]).code(2);
    assert!(stderr.contains("symbolic link"), "{stderr}");
    assert!(tree(&elsewhere).is_empty(), "nothing written through the link");
    assert!(fs::symlink_metadata(dir.path().join("out/odoo-dedicated")).expect("link").file_type().is_symlink());
}

// 5. manifest and modes

#[test]
fn manifest_verifies_with_sha256sum() {
    let dir = built();
    for bp in blueprint_names() {
        let root = dir.path().join("out").join(&bp);
        let status = Command::new("sha256sum")
            .args(["--check", "--strict", "--quiet", "MANIFEST.sha256"])
            .current_dir(&root)
            .status()
            .expect("sha256sum runs");
        assert!(status.success(), "sha256sum -c fails in out/{bp}");

        let manifest = fs::read_to_string(root.join("MANIFEST.sha256")).expect("manifest");
        let listed: Vec<&str> = manifest.lines().map(|l| l.split_once("  ").expect("`hash  path`").1).collect();
        let mut sorted = listed.clone();
        sorted.sort_unstable();
        assert_eq!(listed, sorted, "MANIFEST.sha256 of {bp} is sorted");
        let files: Vec<String> = tree(&root).into_iter().map(|f| f.0).filter(|p| p != "MANIFEST.sha256").collect();
        assert_eq!(listed, files, "MANIFEST.sha256 of {bp} covers every other file");
    }
}

#[test]
fn modes_lists_every_file_with_its_mode() {
    let dir = built();
    for bp in blueprint_names() {
        let root = dir.path().join("out").join(&bp);
        let modes = fs::read_to_string(root.join("MODES")).expect("MODES");
        let mut listed = BTreeMap::new();
        for line in modes.lines().filter(|l| !l.starts_with('#')) {
            let (mode, path) = line.split_once(' ').unwrap_or_else(|| panic!("`mode path`: {line:?}"));
            assert!(mode.len() == 4 && mode.chars().all(|c| ('0'..='7').contains(&c)), "4-digit octal mode: {line:?}");
            listed.insert(path.to_string(), u32::from_str_radix(mode, 8).expect("octal"));
        }
        let on_disk: BTreeMap<String, u32> = tree(&root)
            .into_iter()
            .filter(|(p, _, _)| p != "MODES" && p != "MANIFEST.sha256")
            .map(|(p, _, mode)| (p, mode))
            .collect();
        assert_eq!(listed, on_disk, "MODES of {bp} lists every file with the mode it has on disk");
    }
}

// 6. determinism

#[test]
fn output_does_not_depend_on_directory_timezone_or_locale() {
    let plain = project();
    let spaced_parent = tempfile::Builder::new().prefix("gen det ").tempdir().expect("tempdir");
    let spaced = spaced_parent.path().join("a project with spaces");
    fs::create_dir_all(spaced.join("blueprints")).expect("mkdir");
    for bp in blueprint_names() {
        fs::copy(plain.path().join(format!("blueprints/{bp}.yaml")), spaced.join(format!("blueprints/{bp}.yaml")))
            .expect("copy");
    }
    let env = |g: Gen, tz: &str, lang: &str| g.env("TZ", tz).env("LANG", lang).env("LC_ALL", lang);
    env(Gen::new(plain.path()).args(["build"]), "UTC", "C").succeeds();
    env(Gen::new(&spaced).args(["build"]), "Pacific/Chatham", "de_DE.UTF-8").succeeds();

    let (a, b) = (tree(&plain.path().join("out")), tree(&spaced.join("out")));
    assert!(!a.is_empty());
    assert_eq!(a.iter().map(|f| &f.0).collect::<Vec<_>>(), b.iter().map(|f| &f.0).collect::<Vec<_>>(), "same files");
    for (x, y) in a.iter().zip(&b) {
        assert!(x == y, "{} differs between the two builds (bytes or mode)", x.0);
    }
    // No absolute path of the build machine reaches the output.
    for (dir, files) in [(plain.path(), &a), (spaced.as_path(), &b)] {
        let needle = dir.to_string_lossy().to_string();
        for (rel, bytes, _) in files {
            assert!(!String::from_utf8_lossy(bytes).contains(&needle), "{rel} contains the build directory {needle}");
        }
    }
}

// 7. lint

#[test]
fn lint_passes_on_the_reference_blueprints() {
    let dir = project();
    let (_, stderr) = Gen::new(dir.path()).args(["lint"]).succeeds();
    assert!(stderr.contains("0 errors"), "{stderr}");
}

#[test]
fn lint_deny_warnings_fails_on_warnings() {
    let dir = project();
    let (_, stderr) = Gen::new(dir.path()).args(["lint", "blueprints/hetzner-websites.yaml"]).succeeds();
    assert!(stderr.contains("warning[W401]"), "{stderr}");
    let (_, stderr) =
        Gen::new(dir.path()).args(["lint", "--deny", "warnings", "blueprints/hetzner-websites.yaml"]).fails();
    assert!(stderr.contains("warning[W401]"), "{stderr}");
}

#[test]
fn lint_json_is_one_versioned_document() {
    let dir = project();
    let (stdout, _) =
        Gen::new(dir.path()).args(["lint", "--format", "json", "blueprints/hetzner-websites.yaml"]).succeeds();
    let doc: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!((doc["format_version"].as_u64(), doc["command"].as_str()), (Some(1), Some("lint")), "{stdout}");
    assert_eq!((doc["ok"].as_bool(), doc["errors"].as_u64()), (Some(true), Some(0)), "{stdout}");
    let diags = doc["diagnostics"].as_array().expect("a diagnostics array");
    assert_eq!(doc["warnings"].as_u64(), Some(diags.len() as u64));
    assert!(diags.iter().any(|d| d["code"] == "W401"), "{stdout}");
    for d in diags {
        for key in ["code", "severity", "file", "message", "hint"] {
            assert!(d[key].as_str().is_some_and(|s| !s.is_empty()), "`{key}` is a non-empty string in {d}");
        }
        for key in ["line", "col"] {
            assert!(d[key].as_u64().is_some_and(|n| n >= 1), "`{key}` is a 1-based number in {d}");
        }
        // Start and end positions: the end is past the start, on its line.
        assert_eq!((d["start"]["line"].as_u64(), d["start"]["col"].as_u64()), (d["line"].as_u64(), d["col"].as_u64()));
        assert_eq!(d["end"]["line"], d["start"]["line"], "{d}");
        assert!(d["end"]["col"].as_u64() > d["start"]["col"].as_u64(), "{d}");
        assert!(["error", "warning"].contains(&d["severity"].as_str().unwrap_or_default()), "{d}");
        assert_eq!(d["file"], "blueprints/hetzner-websites.yaml");
    }
    // Errors too come out as JSON, with exit code 1; the end covers the key.
    write_file(
        &dir.path().join("blueprints/zz-broken.yaml"),
        "project: {name: broken, title: Broken}\nhosts: []\nfrobnicate: true\n",
    );
    let (stdout, _) = Gen::new(dir.path()).args(["lint", "--format", "json", "blueprints/zz-broken.yaml"]).fails();
    let doc: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(doc["ok"], Value::Bool(false));
    let e101 = doc["diagnostics"].as_array().expect("array").iter().find(|d| d["code"] == "E101").expect("E101");
    assert_eq!(
        (
            e101["severity"].as_str(),
            e101["start"]["line"].as_u64(),
            e101["start"]["col"].as_u64(),
            e101["end"]["col"].as_u64()
        ),
        (Some("error"), Some(3), Some(1), Some(11))
    );
}

/// Every reporting command prints one JSON document with `--format json`,
/// also when the blueprint has errors (exit 1) or the command fails (exit 2),
/// and nothing else on stdout.
#[test]
fn every_reporting_command_reports_errors_in_json() {
    let dir = project();
    write_file(
        &dir.path().join("blueprints/zz-broken.yaml"),
        "project: {name: broken, title: Broken}\nhosts: []\nfrobnicate: true\n",
    );
    let broken = "blueprints/zz-broken.yaml";
    let cases: [(&[&str], &str, Option<&str>); 4] = [
        (&["lint", broken], "lint", None),
        (&["check", broken], "check", Some("drift")),
        (&["plan", broken], "plan", Some("plan")),
        (&["cost", broken], "cost", Some("cost")),
    ];
    for (args, command, key) in cases {
        let (stdout, _) = Gen::new(dir.path()).args(args.iter().copied().chain(["--format", "json"])).fails();
        let doc: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}\n{stdout}"));
        assert_eq!(doc["command"].as_str(), Some(command), "{stdout}");
        assert_eq!((doc["ok"].as_bool(), doc["errors"].as_u64()), (Some(false), Some(1)), "{args:?}: {stdout}");
        assert_eq!(doc["diagnostics"][0]["code"], "E101", "{args:?}: {stdout}");
        if let Some(key) = key {
            assert!(doc.get(key).is_some_and(Value::is_null), "{args:?}: `{key}` is null: {stdout}");
        }
    }
    // A usage failure (no such revision) is the same document, exit 2.
    let (stdout, _) = Gen::new(dir.path())
        .args(["cost", "--base", "no-such-rev", "--format", "json", "blueprints/hetzner-websites.yaml"])
        .code(2);
    let doc: Value = serde_json::from_str(&stdout).expect("JSON");
    assert!(doc["failure"].as_str().is_some_and(|f| f.contains("no-such-rev")), "{doc}");
    // And the successful payloads: the cost plans, each like report/cost.json.
    let (stdout, _) =
        Gen::new(dir.path()).args(["cost", "--format", "json", "blueprints/hetzner-websites.yaml"]).succeeds();
    let doc: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(doc["cost"][0]["blueprint"], "hetzner-websites", "{stdout}");
    assert!(doc["cost"][0]["cost"]["monthly"].is_string(), "{stdout}");
}

// 8. schema

#[test]
fn schema_matches_the_committed_copy() {
    let (stdout, _) = Gen::new(&repo()).args(["schema"]).succeeds();
    let parsed: Value = serde_json::from_str(&stdout).expect("the schema is JSON");
    assert!(parsed["properties"]["hosts"].is_object(), "the schema describes `hosts`");
    let committed_path = repo().join("schemas/blueprint.schema.json");
    let committed = fs::read_to_string(&committed_path).unwrap_or_else(|e| {
        panic!("{}: {e}; write it with `gen schema > schemas/blueprint.schema.json`", committed_path.display())
    });
    assert!(
        stdout == committed,
        "schemas/blueprint.schema.json is stale; run `gen schema > schemas/blueprint.schema.json`"
    );
}

#[test]
fn reference_blueprints_name_the_schema() {
    let mut seen = 0;
    for entry in fs::read_dir(repo().join("blueprints")).expect("blueprints/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            let text = fs::read_to_string(&path).expect("read");
            assert_eq!(text.lines().next(), Some(MODELINE), "{} starts with the schema modeline", path.display());
            seen += 1;
        }
    }
    assert!(seen >= blueprint_names().len());
}

// 9. new

/// `gen init` then `gen new`: a project whose starters lint without a single
/// diagnostic, build, and whose `$schema` line resolves to the schema gen init
/// wrote (the same as `gen schema`).
#[test]
fn init_and_new_make_a_project_that_builds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, stderr) = Gen::new(dir.path()).args(["init"]).succeeds();
    for path in [
        "schemas/blueprint.schema.json",
        "schemas/cost.schema.json",
        ".gitignore",
        ".github/workflows/gen.yml",
        ".pre-commit-config.yaml",
        "blueprints/.gitkeep",
        "out/.gitkeep",
    ] {
        assert!(dir.path().join(path).is_file(), "{path} created: {stderr}");
    }
    let (schema, _) = Gen::new(dir.path()).args(["schema"]).succeeds();
    assert_eq!(fs::read_to_string(dir.path().join("schemas/blueprint.schema.json")).expect("read"), schema);
    let workflow = fs::read_to_string(dir.path().join(".github/workflows/gen.yml")).expect("read");
    assert!(workflow.contains(&format!("--tag v{}", env!("CARGO_PKG_VERSION"))) && workflow.contains("gen check"));
    // The CI example parses as YAML, and the .gitignore keeps secrets out.
    let _: serde_yaml::Value = serde_yaml::from_str(&workflow).expect("workflow is YAML");
    assert!(fs::read_to_string(dir.path().join(".gitignore")).expect("read").lines().any(|l| l == ".env"));
    // A second init keeps every file (an edit survives).
    write_file(&dir.path().join(".gitignore"), "mine\n");
    let (_, stderr) = Gen::new(dir.path()).args(["init"]).succeeds();
    assert!(stderr.contains("kept") && !stderr.contains("created"), "{stderr}");
    assert_eq!(fs::read_to_string(dir.path().join(".gitignore")).expect("read"), "mine\n");

    for (from, name) in [("odoo", "my-odoo"), ("websites", "my-websites")] {
        Gen::new(dir.path()).args(["new", "--from", from, name]).succeeds();
        let file = format!("blueprints/{name}.yaml");
        let text = fs::read_to_string(dir.path().join(&file)).expect("written");
        let modeline = text.lines().next().expect("a first line");
        let target = modeline.split_once("$schema=").expect("a $schema modeline").1;
        assert!(dir.path().join("blueprints").join(target).is_file(), "{target} resolves from blueprints/");
        let (_, stderr) = Gen::new(dir.path()).args(["lint", &file]).succeeds();
        assert!(stderr.contains("0 errors, 0 warnings"), "{from}: {stderr}");
    }
    Gen::new(dir.path()).args(["build"]).succeeds();
    Gen::new(dir.path()).args(["check"]).succeeds();
    assert!(dir.path().join("out/my-odoo/hosts/erp/install.sh").is_file());
    assert!(dir.path().join("out/my-websites/infra/main.tf.json").is_file());
}

/// Without `gen init`, `gen new` writes the schema its `$schema` line names.
#[test]
fn new_writes_the_schema_it_points_at() {
    let dir = tempfile::tempdir().expect("tempdir");
    Gen::new(dir.path()).args(["new", "--from", "websites", "sites"]).succeeds();
    assert!(dir.path().join("schemas/blueprint.schema.json").is_file());
    let (_, stderr) = Gen::new(dir.path()).args(["lint"]).succeeds();
    assert!(stderr.contains("0 errors, 0 warnings"), "{stderr}");
}

#[test]
fn new_refuses_to_overwrite_and_bad_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let existing = dir.path().join("blueprints/mine.yaml");
    write_file(&existing, "# my own work\n");
    let (_, stderr) = Gen::new(dir.path()).args(["new", "--from", "odoo", "mine"]).code(2);
    assert!(stderr.contains("mine.yaml"), "{stderr}");
    assert_eq!(fs::read_to_string(&existing).expect("read"), "# my own work\n");

    for bad in ["../x", "X", "a/b", "my.odoo", ""] {
        Gen::new(dir.path()).args(["new", "--from", "odoo", bad]).code(2);
    }
    assert!(!dir.path().join("x.yaml").exists() && !dir.path().join("blueprints/../x.yaml").exists());
    let names: Vec<_> = fs::read_dir(dir.path().join("blueprints"))
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("mine.yaml")], "nothing else written");
}

// 10. usage and I/O errors exit 2

#[test]
fn usage_errors_exit_2() {
    let dir = project();
    Gen::new(dir.path()).args(["frobnicate"]).code(2);
    Gen::new(dir.path()).args(["plan"]).code(2);
    Gen::new(dir.path()).args(["lint", "--format", "yaml"]).code(2);
    for cmd in ["build", "check", "lint", "plan"] {
        let (_, stderr) = Gen::new(dir.path()).args([cmd, "blueprints/nope.yaml"]).code(2);
        assert!(stderr.contains("nope.yaml"), "{cmd}: {stderr}");
    }
    assert!(!dir.path().join("out").exists(), "nothing built");
}

#[test]
fn no_blueprints_directory_exits_2() {
    let empty = tempfile::tempdir().expect("tempdir");
    for cmd in ["build", "check", "lint"] {
        let (_, stderr) = Gen::new(empty.path()).args([cmd]).code(2);
        assert!(stderr.contains("blueprints"), "{cmd}: {stderr}");
    }
    fs::create_dir(empty.path().join("blueprints")).expect("mkdir");
    let (_, stderr) = Gen::new(empty.path()).args(["build"]).code(2);
    assert!(stderr.contains("gen new"), "an empty blueprints/ points at `gen new`: {stderr}");
    assert!(!empty.path().join("out").exists());
}

// 11. colour

/// `gen` with NO_COLOR unset (the `Gen` helper sets it); output is piped, so not a TTY.
fn gen_without_no_color(dir: &Path, args: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("SOURCE_DATE_EPOCH", crate::common::TODAY_EPOCH)
        .output()
        .expect("gen runs");
    (String::from_utf8_lossy(&out.stdout).to_string(), String::from_utf8_lossy(&out.stderr).to_string())
}

#[test]
fn no_colour_without_a_terminal_or_with_no_color() {
    let dir = built();
    edit(&dir.path().join("blueprints/odoo-dedicated.yaml"), "max_body: 100M", "max_body: 200M");
    let lint = ["lint", "blueprints/hetzner-websites.yaml"];
    let check = ["check"];
    for args in [&lint[..], &check[..]] {
        let out = Gen::new(dir.path()).args(args).output();
        let all = [out.stdout, out.stderr].concat();
        assert!(!String::from_utf8_lossy(&all).contains("\x1b["), "NO_COLOR: {args:?}");
        let (stdout, stderr) = gen_without_no_color(dir.path(), args);
        assert!(!stdout.contains("\x1b[") && !stderr.contains("\x1b["), "not a TTY: {args:?}\n{stdout}{stderr}");
        let mut never = vec!["--color", "never"];
        never.extend_from_slice(args);
        let (stdout, stderr) = gen_without_no_color(dir.path(), &never);
        assert!(!stdout.contains("\x1b[") && !stderr.contains("\x1b["), "--color never: {args:?}");
    }
}

#[test]
fn colour_always_colours() {
    let dir = built();
    let (_, stderr) =
        gen_without_no_color(dir.path(), &["--color", "always", "lint", "blueprints/hetzner-websites.yaml"]);
    assert!(stderr.contains("\x1b["), "{stderr}");
    edit(&dir.path().join("blueprints/odoo-dedicated.yaml"), "max_body: 100M", "max_body: 200M");
    let (stdout, _) = gen_without_no_color(dir.path(), &["check", "--color", "always"]);
    assert!(stdout.contains("\x1b["), "the drift diff is coloured:\n{stdout}");
}

// 12. plan

#[test]
fn plan_shows_hosts_and_reasons() {
    let dir = project();
    let (stdout, _) = Gen::new(dir.path()).args(["plan", "blueprints/odoo-dedicated.yaml"]).succeeds();
    assert!(stdout.lines().any(|l| l.starts_with("host ax52")), "{stdout}");
    // Derived values come with their reasons.
    assert!(stdout.contains("8 cores, 16 threads"), "{stdout}");
    assert!(stdout.contains("RAID 1"), "{stdout}");
    assert!(stdout.contains("odoo-prod"), "{stdout}");

    let (stdout, _) =
        Gen::new(dir.path()).args(["plan", "--format", "json", "blueprints/odoo-dedicated.yaml"]).succeeds();
    let doc: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!((doc["command"].as_str(), doc["ok"].as_bool()), (Some("plan"), Some(true)), "{stdout}");
    let host = &doc["plan"]["hosts"][0];
    assert_eq!(host["name"], "ax52");
    assert!(host["capacity"].is_object(), "{host}");
    assert!(host["capacity"]["rows"].as_array().is_some_and(|r| !r.is_empty()), "{host}");
    assert!(host["cpus"]["why"].as_str().is_some_and(|w| !w.is_empty()), "{host}");
}

#[test]
fn plan_of_a_broken_blueprint_fails() {
    let dir = project();
    write_file(
        &dir.path().join("blueprints/zz-broken.yaml"),
        "project: {name: broken, title: Broken}\nhosts: []\nfrobnicate: true\n",
    );
    let (stdout, stderr) = Gen::new(dir.path()).args(["plan", "blueprints/zz-broken.yaml"]).fails();
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("error[E101]"), "{stderr}");
}

/// `--templates DIR` renders with the templates on disk (ids without `.j2`,
/// includes too): a copy of the built-in set gives the same out/, and an
/// edited template shows in its files.
#[test]
fn templates_from_a_directory_render_like_the_built_in_ones() {
    let dir = project();
    let templates = dir.path().join("my-templates");
    let copy = std::process::Command::new("cp").arg("-r").arg(repo().join("templates")).arg(&templates).status();
    assert!(copy.expect("cp runs").success());
    Gen::new(dir.path()).args(["build"]).succeeds();
    Gen::new(dir.path()).args(["--templates", "my-templates", "check"]).succeeds();
    let vhost = templates.join("nginx/vhost.conf.j2");
    let text = fs::read_to_string(&vhost).expect("template");
    fs::write(&vhost, format!("# local edit\n{text}")).expect("write");
    Gen::new(dir.path()).args(["--templates", "my-templates", "build"]).succeeds();
    let built = fs::read_to_string(
        dir.path().join("out/odoo-dedicated/hosts/ax52/rootfs/opt/odoo/nginx/conf.d/odoo-prod.conf"),
    )
    .expect("vhost");
    assert!(built.starts_with("# local edit\n"), "{built}");
}

/// `-C DIR` applies to the blueprint paths given, as `git -C` does: the
/// blueprint is read from DIR, even when the current directory holds a
/// blueprint of the same relative path (the harness hit this: it built the
/// reference from the checkout instead of its edited copy).
#[test]
fn dash_c_reads_given_blueprints_from_its_directory() {
    let outer = project();
    let inner = project();
    let path = inner.path().join("blueprints/odoo-dedicated.yaml");
    edit(&path, "project:\n  name: odoo\n", "project:\n  name: erp\n");
    let dir = inner.path().display().to_string();
    Gen::new(outer.path()).args(["-C", &dir, "build", "blueprints/odoo-dedicated.yaml"]).succeeds();
    let compose = inner.path().join("out/odoo-dedicated/hosts/ax52/rootfs/opt/erp/docker-compose.yml");
    assert!(compose.exists(), "built from the -C directory's blueprint");
    assert!(!outer.path().join("out").exists(), "nothing written to the current directory");
}

/// Completions and manual pages come from the clap definitions: every
/// command is in them, the bash script parses, the pages render cleanly.
#[test]
fn completions_and_manual_pages_name_every_command() {
    crate::common::require("bash");
    crate::common::require("groff");
    let commands = ["build", "check", "lint", "plan", "cost", "schema", "init", "new", "explain", "completions", "man"];
    let (bash, _) = Gen::new(&repo()).args(["completions", "bash"]).succeeds();
    let script = tempfile::NamedTempFile::new().expect("tempfile");
    std::fs::write(script.path(), &bash).expect("write");
    let parsed = std::process::Command::new("bash").arg("-n").arg(script.path()).output().expect("bash runs");
    assert!(parsed.status.success(), "bash -n: {}", String::from_utf8_lossy(&parsed.stderr));
    // Completing `gen b` in bash offers build.
    let offered = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {}; COMP_WORDS=(gen b); COMP_CWORD=1; COMP_LINE='gen b'; COMP_POINT=5; _gen gen b gen; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.path().display()
        ))
        .output()
        .expect("bash runs");
    assert_eq!(String::from_utf8_lossy(&offered.stdout), "build\n", "{}", String::from_utf8_lossy(&offered.stderr));
    for shell in ["zsh", "fish"] {
        let (text, _) = Gen::new(&repo()).args(["completions", shell]).succeeds();
        for c in commands {
            assert!(text.contains(c), "{shell} completion lacks {c}");
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    Gen::new(&repo()).args(["man".as_ref(), "--out".as_ref(), dir.path().as_os_str()]).succeeds();
    for page in std::iter::once("gen".to_string()).chain(commands.iter().map(|c| format!("gen-{c}"))) {
        let path = dir.path().join(format!("{page}.1"));
        assert!(path.is_file(), "no {page}.1");
        let out = std::process::Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(&path)
            .output()
            .expect("groff runs");
        assert!(out.status.success() && out.stderr.is_empty(), "{page}.1: {}", String::from_utf8_lossy(&out.stderr));
    }
    let (page, _) = Gen::new(&repo()).args(["man"]).succeeds();
    assert!(page.starts_with(".ie \\n(.g .ds Aq"), "roff: {}", &page[..page.len().min(80)]);
    for c in commands {
        assert!(page.contains(&format!("gen\\-{c}(1)")), "gen.1 lacks gen-{c}(1)");
    }
    assert!(page.contains("Exit status: 0 success"), "gen.1 lacks the exit status");
}

/// Every command and outcome of the README's command table, each run with
/// `-C PROJECT` from an unrelated working directory with relative paths, so
/// `-C` is shown to apply to every path (blueprints, --export-context,
/// --templates, man --out): the exit code each row promises.
#[test]
fn exit_codes_match_the_readme_table_with_dash_c() {
    let p = project();
    let root = p.path().to_str().expect("utf-8 path").to_string();
    crate::report::git(p.path(), &["init", "-q", "-b", "main"]);
    crate::report::git(p.path(), &["add", "-A"]);
    crate::report::git(p.path(), &["commit", "-q", "-m", "base"]);
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str], code: i32| {
        let mut all = vec!["-C", root.as_str()];
        all.extend_from_slice(args);
        let (stdout, stderr) = Gen::new(elsewhere.path()).args(&all).code(code);
        (stdout, stderr)
    };
    let web = "blueprints/hetzner-websites.yaml";
    // build: 0 ok (with the export under the project), 1 blueprint errors, 2 usage/IO.
    run(&["build", "--export-context", "ctx", web], 0);
    assert!(p.path().join("ctx/hetzner-websites.json").is_file(), "--export-context is read from -C");
    run(&["build", "--templates", "no-such-templates"], 2);
    run(&["build", "blueprints/nope.yaml"], 2);
    // check: 0 clean, 1 drift.
    run(&["build"], 0);
    run(&["check"], 0);
    write_file(&p.path().join("out/hetzner-websites/stray.txt"), "x\n");
    run(&["check"], 1);
    fs::remove_file(p.path().join("out/hetzner-websites/stray.txt")).expect("rm");
    // lint: 0, 1 on errors, 1 on warnings with --deny warnings.
    run(&["lint", web], 0);
    run(&["lint", "--deny", "warnings", web], 1);
    // plan: 0, 1 blueprint errors; --base: 0, 1 a server replaced, 2 bad revision.
    run(&["plan", web], 0);
    run(&["plan", web, "--base", "HEAD"], 0);
    run(&["plan", web, "--base", "no-such-rev"], 2);
    // cost: 0, 2 bad revision; schema, completions, man, init, new: 0.
    run(&["cost", web], 0);
    run(&["cost", "--base", "HEAD", web], 0);
    run(&["cost", "--base", "no-such-rev", web], 2);
    run(&["schema"], 0);
    run(&["completions", "bash"], 0);
    run(&["man", "--out", "man"], 0);
    assert!(p.path().join("man/gen.1").is_file(), "man --out is read from -C");
    run(&["init"], 0);
    run(&["new", "--from", "odoo", "second"], 0);
    assert!(p.path().join("blueprints/second.yaml").is_file(), "new writes under -C");
    run(&["new", "--from", "odoo", "second"], 2);
    // Blueprint errors: 1 for every command that compiles.
    write_file(
        &p.path().join("blueprints/second.yaml"),
        "project: {name: second, title: T}\nhosts: []\nfrobnicate: 1\n",
    );
    let broken = "blueprints/second.yaml";
    for args in
        [vec!["build", broken], vec!["check", broken], vec!["lint", broken], vec!["plan", broken], vec!["cost", broken]]
    {
        run(&args, 1);
    }
    // A server replaced by the change: plan --base exits 1.
    let text = fs::read_to_string(p.path().join(web)).expect("read").replacen("location: nbg1", "location: fsn1", 1);
    fs::write(p.path().join(web), text).expect("write");
    run(&["plan", web, "--base", "HEAD"], 1);
    assert!(
        !elsewhere.path().join("out").exists() && !elsewhere.path().join("blueprints").exists(),
        "nothing written outside -C"
    );
}

/// Every code gen can emit has an explanation in docs/diagnostics.md with
/// an example (a YAML excerpt and the diagnostic it gives, of that code) and
/// a fix; `gen explain` prints it, lists them all, and refuses a code gen
/// does not have (exit 2, naming the nearest).
#[test]
fn explain_covers_every_code() {
    // The codes in the source: every quoted `E123`/`W123`.
    let pattern = regex::Regex::new(r#""([EW][0-9]{3})""#).expect("regex");
    let mut emitted = std::collections::BTreeSet::new();
    for entry in walkdir::WalkDir::new(repo().join("src")) {
        let entry = entry.expect("walk");
        if entry.path().extension().is_some_and(|e| e == "rs") {
            let text = fs::read_to_string(entry.path()).expect("read");
            emitted.extend(pattern.captures_iter(&text).map(|c| c[1].to_string()));
        }
    }
    let sections = gen::explain::all();
    let explained: std::collections::BTreeSet<String> = sections.iter().map(|e| e.code.to_string()).collect();
    let missing: Vec<_> = emitted.difference(&explained).collect();
    let unknown: Vec<_> = explained.difference(&emitted).collect();
    assert!(missing.is_empty(), "codes without an explanation: {missing:?}");
    assert!(unknown.is_empty(), "explanations of codes gen does not emit: {unknown:?}");
    assert_eq!(explained.len(), sections.len(), "one section per code");
    for e in &sections {
        assert!(!e.title.is_empty() && !e.title.ends_with('.'), "{}: a title", e.code);
        assert!(e.body.contains("```yaml\n"), "{}: a YAML example", e.code);
        let shown = e.body.split("```text\n").nth(1).unwrap_or_else(|| panic!("{}: the diagnostic it gives", e.code));
        let severity = if e.code.starts_with('E') { "error" } else { "warning" };
        assert!(
            shown.starts_with(&format!("{severity}[{}]", e.code)),
            "{}: the example shows {}",
            e.code,
            &shown[..shown.len().min(40)]
        );
        assert!(e.body.contains("\nFix:"), "{}: a fix", e.code);
    }
    let (stdout, _) = Gen::new(&repo()).args(["explain", "e813"]).succeeds();
    assert!(stdout.starts_with("E813: ") && stdout.contains("```yaml") && stdout.contains("Fix:"), "{stdout}");
    let (list, _) = Gen::new(&repo()).args(["explain"]).succeeds();
    assert_eq!(list.lines().count(), sections.len(), "{list}");
    let (_, stderr) = Gen::new(&repo()).args(["explain", "E8133"]).code(2);
    assert!(stderr.contains("gen has no diagnostic `E8133`") && stderr.contains("E813"), "{stderr}");
}

/// docs/blueprint.md is the reference generated from the schema: current
/// (`GEN_UPDATE_SCHEMA=1 cargo test --test main blueprint_reference` writes
/// it), every object type reached, every link to a section that exists.
#[test]
fn blueprint_reference_is_generated_from_the_schema() {
    let path = repo().join("docs/blueprint.md");
    let generated = gen::schema_doc::reference();
    if std::env::var_os("GEN_UPDATE_SCHEMA").is_some() {
        fs::write(&path, &generated).expect("write docs/blueprint.md");
    }
    let committed = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/blueprint.md is stale; run `GEN_UPDATE_SCHEMA=1 cargo test --test main blueprint_reference`"
    );
    let headings: Vec<String> =
        generated.lines().filter_map(|l| l.strip_prefix("## ")).map(str::to_lowercase).collect();
    let links = regex::Regex::new(r"\]\(#([a-z0-9_-]+)\)").expect("regex");
    for link in links.captures_iter(&generated) {
        assert!(headings.contains(&link[1].to_string()), "link to #{} has no section", &link[1]);
    }
    for key in ["## Host", "`backups`", "## Environment", "`max_body`", "## Offsite", "`keep_daily`"] {
        assert!(generated.contains(key), "{key} in the reference");
    }
    // Every field in the reference has a description (the editor test checks the schema).
    assert!(!generated.lines().any(|l| l.starts_with("| `") && l.ends_with("|  |")), "a field without a description");
}
