//! Helpers shared by the integration tests: a `Gen` command builder in the
//! manner of just's `Test`, and a throwaway project directory.

#![allow(dead_code)]

pub mod postgres;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where blueprints/ and out/ live).
/// Also pins "today" for the blueprints this test binary compiles
/// in-process to [`TODAY_EPOCH`]'s date, as `Gen` does for the binary: every
/// in-process test reaches the repository through here first.
pub fn repo() -> PathBuf {
    let day: i64 = TODAY_EPOCH.parse().expect("TODAY_EPOCH is seconds");
    let date = time::OffsetDateTime::from_unix_timestamp(day).expect("a date").date();
    gen::clock::pin_process_today(date);
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The "today" every test runs gen with (`SOURCE_DATE_EPOCH`, seconds since
/// 1970-01-01 UTC): 2026-11-30, the price catalog's `checked` date, so the
/// catalog-age warning (W815) stays out of every snapshot and the
/// end-of-life checks (E422/W422) count their days from a fixed date, until a
/// test asks for another day ([`Gen::today`]). `date -u -d 2026-11-30 +%s`.
pub const TODAY_EPOCH: &str = "1795996800";

/// `gen` with arguments, run in `dir`, with a clean, colourless environment
/// and a fixed today ([`TODAY_EPOCH`]).
pub struct Gen {
    cmd: Command,
}

impl Gen {
    pub fn new(dir: &Path) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gen"));
        cmd.current_dir(dir).env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE").env("SOURCE_DATE_EPOCH", TODAY_EPOCH);
        Gen { cmd }
    }

    /// Runs gen as if today were `epoch` (seconds since 1970-01-01 UTC).
    pub fn today(mut self, epoch: &str) -> Self {
        self.cmd.env("SOURCE_DATE_EPOCH", epoch);
        self
    }

    /// Runs gen through `wrapper` (say `sh -c '… exec "$@"' arg0`): the
    /// wrapper's words come first, then gen, then gen's arguments.
    pub fn wrapped(self, wrapper: &[&str]) -> Self {
        let (program, rest) = wrapper.split_first().expect("a wrapper program");
        let mut cmd = Command::new(program);
        cmd.args(rest).arg(self.cmd.get_program()).current_dir(self.cmd.get_current_dir().expect("dir is set"));
        for (k, v) in self.cmd.get_envs() {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        Gen { cmd }
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.cmd.env(key, value);
        self
    }

    pub fn output(mut self) -> Output {
        self.cmd.output().expect("gen runs")
    }

    /// Runs and asserts the exit code; returns (stdout, stderr).
    pub fn code(self, expected: i32) -> (String, String) {
        let out = self.output();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(expected), "exit code\nstdout:\n{stdout}\nstderr:\n{stderr}");
        (stdout, stderr)
    }

    pub fn succeeds(self) -> (String, String) {
        self.code(0)
    }

    pub fn fails(self) -> (String, String) {
        self.code(1)
    }
}

/// A temporary project with a copy of the reference blueprints.
pub fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let bp = dir.path().join("blueprints");
    std::fs::create_dir_all(&bp).expect("mkdir");
    for entry in std::fs::read_dir(repo().join("blueprints")).expect("blueprints/") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), bp.join(entry.file_name())).expect("copy");
    }
    dir
}

/// The blueprints under the repository's blueprints/, by name (the file
/// stem, which names their tree under out/), sorted.
pub fn blueprint_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("blueprints"))
        .expect("blueprints/")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        .map(|e| e.path().file_stem().expect("stem").to_string_lossy().to_string())
        .collect();
    names.sort();
    names
}

/// How many hosts the blueprints under blueprints/ declare together: each
/// gets its own out/<blueprint>/hosts/<host>/ (one nginx, one compose file,
/// one cloud-init.yaml, ...).
pub fn host_count() -> usize {
    blueprint_names()
        .iter()
        .map(|name| {
            let text = std::fs::read_to_string(repo().join(format!("blueprints/{name}.yaml"))).expect("read");
            let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("yaml");
            doc["hosts"].as_sequence().map_or(0, Vec::len)
        })
        .sum()
}

/// Hosts of blueprints/ that serve no HTTP, so run no nginx: the
/// scale-out's database and data host.
pub const HOSTS_WITHOUT_NGINX: &[&str] = &["odoo-scale-out/db"];

/// Hosts of blueprints/ that run nginx.
pub fn nginx_host_count() -> usize {
    host_count() - HOSTS_WITHOUT_NGINX.len()
}

/// Fails unless a validator is installed: a missing one never skips a test.
pub fn require(tool: &str) {
    let found =
        Command::new("sh").args(["-c", &format!("command -v {tool}")]).output().is_ok_and(|o| o.status.success());
    assert!(found, "validator `{tool}` is not installed; scripts/test.sh installs it");
}

/// Builds the reference blueprints, each edited by `edit(name, text)`, into a
/// temp project.
pub fn built(edit: impl Fn(&str, String) -> String) -> tempfile::TempDir {
    let dir = project();
    for entry in std::fs::read_dir(dir.path().join("blueprints")).expect("blueprints/") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().expect("stem").to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).expect("read");
        std::fs::write(&path, edit(&name, text)).expect("write");
    }
    Gen::new(dir.path()).args(["build"]).succeeds();
    dir
}

/// Every file under `root` with its bytes and mode, for tree comparisons.
pub fn tree(root: &Path) -> Vec<(String, Vec<u8>, u32)> {
    use std::os::unix::fs::MetadataExt;
    let mut files: Vec<_> = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(root).expect("prefix").to_string_lossy().to_string();
            let bytes = std::fs::read(e.path()).expect("read");
            let mode = e.metadata().expect("meta").mode() & 0o7777;
            (rel, bytes, mode)
        })
        .collect();
    files.sort();
    files
}
