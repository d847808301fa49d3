//! A throwaway PostgreSQL cluster for live tests: Debian's postgresql-15,
//! initialised in a temp directory, run as the `postgres` user (the server
//! refuses root) inside a network namespace of its own, and reached over a
//! unix socket in that directory. The namespace means a generated
//! `listen_addresses = '*'` binds nothing on this machine, so parallel tests
//! never collide on a port; the socket is a file, so it crosses namespaces.
//!
//! ```ignore
//! let pg = Cluster::init();
//! pg.start_with(Some(&pg.install("postgresql.conf", &conf)), &[]).unwrap();
//! assert_eq!(pg.psql("postgres", "SHOW max_connections"), "150");
//! ```

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Where Debian installs the server binaries; `require()` fails when absent.
pub const BIN: &str = "/usr/lib/postgresql/15/bin";

/// Fails the test (never skips it) when postgresql-15 is not installed.
pub fn require() {
    assert!(
        Path::new(BIN).join("postgres").exists(),
        "PostgreSQL 15 is not installed at {BIN}; scripts/test.sh installs it (apt-get install postgresql-15)"
    );
}

pub struct Cluster {
    // Held for its Drop: the directory goes when the cluster does.
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub data: PathBuf,
    /// The unix socket directory: `PGHOST` for clients.
    pub socket_dir: PathBuf,
    pub port: u16,
    running: std::cell::Cell<bool>,
}

fn postgres_ids() -> (u32, u32) {
    let id = |flag: &str| -> u32 {
        let out = Command::new("id").args([flag, "postgres"]).output().expect("id runs");
        assert!(out.status.success(), "the `postgres` user is missing; install postgresql-15");
        String::from_utf8_lossy(&out.stdout).trim().parse().expect("numeric id")
    };
    (id("-u"), id("-g"))
}

fn chown_to_postgres(path: &Path) {
    let (uid, gid) = postgres_ids();
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).expect("chown to postgres");
}

fn ok(out: Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{what} failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

impl Cluster {
    /// `initdb` a fresh cluster: UTF-8, superuser `postgres`, trust on the
    /// socket (the tests' own roles get passwords where a test needs them).
    pub fn init() -> Cluster {
        require();
        let dir = tempfile::Builder::new().prefix("gen-pg-").tempdir().expect("temp dir");
        let root = dir.path().to_path_buf();
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();
        chown_to_postgres(&root);
        let data = root.join("data");
        let socket_dir = root.join("run");
        std::fs::create_dir(&socket_dir).unwrap();
        chown_to_postgres(&socket_dir);
        let cluster = Cluster { _dir: dir, root, data, socket_dir, port: 5432, running: false.into() };
        ok(
            cluster
                .as_postgres(&format!("{BIN}/initdb"))
                .args(["-N", "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "-D"])
                .arg(&cluster.data)
                .output()
                .expect("initdb runs"),
            "initdb",
        );
        cluster
    }

    /// A command run as the `postgres` user with the client environment
    /// (PGHOST, PGPORT, PGUSER) pointing at this cluster.
    pub fn as_postgres(&self, program: &str) -> Command {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--", program])
            .env("PGHOST", &self.socket_dir)
            .env("PGPORT", self.port.to_string())
            .env("PGUSER", "postgres")
            .env("LC_ALL", "C.UTF-8")
            .current_dir(&self.root);
        cmd
    }

    /// Copies a file into the cluster's directory, readable by the server.
    pub fn install(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.root.join(name);
        std::fs::write(&path, contents).unwrap();
        chown_to_postgres(&path);
        path
    }

    /// Starts the server with its own postgresql.conf, or with `config_file`
    /// and `overrides` (`-c key=value`, which win over the file). Returns the
    /// server log when it does not come up.
    pub fn start_with(&self, config_file: Option<&Path>, overrides: &[(&str, &str)]) -> Result<(), String> {
        let mut options = vec![
            format!("-c unix_socket_directories={}", self.socket_dir.display()),
            format!("-c port={}", self.port),
            "-c logging_collector=off".to_string(),
        ];
        if let Some(file) = config_file {
            options.push(format!("-c config_file={}", file.display()));
            options.push(format!("-c data_directory={}", self.data.display()));
            // Without it the server looks for pg_hba.conf beside the data.
            options.push(format!("-c hba_file={}", self.data.join("pg_hba.conf").display()));
        }
        options.extend(overrides.iter().map(|(k, v)| format!("-c {k}={v}")));
        let log = self.root.join("server.log");
        let out = Command::new("unshare")
            .args(["--net", "--", "runuser", "-u", "postgres", "--", &format!("{BIN}/pg_ctl"), "-w", "-t", "60", "-D"])
            .arg(&self.data)
            .arg("-l")
            .arg(&log)
            .arg("-o")
            .arg(options.join(" "))
            .arg("start")
            .current_dir(&self.root)
            .output()
            .expect("pg_ctl runs");
        if out.status.success() {
            self.running.set(true);
            Ok(())
        } else {
            Err(format!(
                "{}{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                std::fs::read_to_string(&log).unwrap_or_default()
            ))
        }
    }

    /// Starts with the cluster's default configuration.
    pub fn start(&self) {
        self.start_with(None, &[]).expect("postgres starts");
    }

    /// Runs SQL as the superuser; returns the unaligned, tuples-only output.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let out = self.psql_as("postgres", db, sql);
        ok(out, &format!("psql `{sql}`")).trim_end().to_string()
    }

    /// Runs SQL as `user` and returns the raw output, failed or not.
    pub fn psql_as(&self, user: &str, db: &str, sql: &str) -> Output {
        self.as_postgres(&format!("{BIN}/psql"))
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-U", user, "-d", db, "-c", sql])
            .output()
            .expect("psql runs")
    }

    pub fn stop(&self) {
        if self.running.replace(false) {
            let _ = self
                .as_postgres(&format!("{BIN}/pg_ctl"))
                .args(["-w", "-m", "immediate", "-D"])
                .arg(&self.data)
                .arg("stop")
                .output();
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}
