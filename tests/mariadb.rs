//! MariaDB, live: every generated gen.cnf starts a real mariadbd (Debian 12's
//! 10.11, which refuses an unknown option) that reports the generated values
//! in SHOW VARIABLES; and the agency's generated backup.sh and
//! restore-mariadb.sh dump a real server's database and bring back a deleted
//! row, through the same `mdb` path as on a host (root's password in
//! MYSQL_PWD from MARIADB_ROOT_PASSWORD).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

use gen::compile::{compile, Compiled};
use gen::render::Renderer;

use crate::common::{built, repo, require};

const ROOT_PASSWORD: &str = "r00t'pw\"x\\y";

/// A mariadbd on a temporary data directory, socket only, as `mysql`.
struct Server {
    dir: tempfile::TempDir,
    child: Child,
}

impl Server {
    /// Starts mariadbd with `cnf` as its defaults file; the data directory,
    /// socket, pid and log are the test's. Err: the error log.
    fn start(cnf: &str) -> Result<Server, String> {
        require("mariadbd");
        require("mariadb-install-db");
        let dir = tempfile::Builder::new().prefix("gen-mariadb-").tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("data")).unwrap();
        std::fs::write(d.join("gen.cnf"), cnf).unwrap();
        let chown = Command::new("chown").args(["-R", "mysql:mysql"]).arg(d).status().unwrap();
        assert!(chown.success(), "the `mysql` user is missing; install mariadb-server");
        let install = Command::new("mariadb-install-db")
            .args(["--no-defaults", "--user=mysql", "--auth-root-authentication-method=normal", "--skip-test-db"])
            .arg(format!("--datadir={}", d.join("data").display()))
            .output()
            .unwrap();
        assert!(install.status.success(), "mariadb-install-db: {}", String::from_utf8_lossy(&install.stderr));
        let child = Command::new("runuser")
            .args(["-u", "mysql", "--", "mariadbd"])
            .arg(format!("--defaults-file={}", d.join("gen.cnf").display()))
            .arg(format!("--datadir={}", d.join("data").display()))
            .arg(format!("--socket={}", d.join("s.sock").display()))
            .arg(format!("--pid-file={}", d.join("p.pid").display()))
            .arg(format!("--log-error={}", d.join("err.log").display()))
            // Its temporary files in the test's own directory, not /tmp:
            // a full run once lost one mid-dump while other engines' tests
            // shared /tmp.
            .arg(format!("--tmpdir={}", d.display()))
            .arg("--skip-networking")
            .spawn()
            .unwrap();
        let mut server = Server { dir, child };
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            if let Ok(Some(_)) = server.child.try_wait() {
                return Err(std::fs::read_to_string(server.dir.path().join("err.log")).unwrap_or_default());
            }
            if server.sql("SELECT 1").is_ok() {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("mariadbd did not answer in 30 s");
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("s.sock")
    }

    /// One statement's tab-separated result, as root over the socket (no
    /// password yet, or MYSQL_PWD once it is set).
    fn sql(&self, statement: &str) -> Result<String, String> {
        let out = Command::new("mariadb")
            .arg(format!("--socket={}", self.socket().display()))
            .args(["-uroot", "-N", "-B", "-e", statement])
            .env("MYSQL_PWD", self.password())
            .output()
            .unwrap();
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).to_string())
        }
    }

    fn password(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("root-password")).unwrap_or_default()
    }

    fn set_root_password(&self) {
        let quoted = ROOT_PASSWORD.replace('\\', "\\\\").replace('\'', "\\'");
        self.sql(&format!("ALTER USER root@localhost IDENTIFIED BY '{quoted}'")).unwrap();
        std::fs::write(self.dir.path().join("root-password"), ROOT_PASSWORD).unwrap();
    }

    fn variable(&self, name: &str) -> String {
        let row = self.sql(&format!("SHOW GLOBAL VARIABLES LIKE '{name}'")).unwrap();
        row.split_once('\t').map(|(_, v)| v.to_string()).unwrap_or_else(|| panic!("no variable {name}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

fn agency() -> Compiled {
    let renderer = Renderer::new(None).expect("templates load");
    compile(&repo().join("blueprints/agency.yaml"), &renderer).expect("no I/O error").expect("compiles")
}

fn cnfs(c: &Compiled) -> Vec<String> {
    c.files
        .files
        .iter()
        .filter(|(path, _)| path.ends_with("/gen.cnf"))
        .map(|(_, f)| String::from_utf8(f.bytes.clone()).unwrap())
        .collect()
}

/// `key = value` lines of the `[mariadbd]` section.
fn options(cnf: &str) -> Vec<(String, String)> {
    cnf.lines()
        .filter(|l| !l.starts_with('#') && l.contains(" = "))
        .map(|l| {
            let (k, v) = l.split_once(" = ").unwrap();
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// A written value as SHOW VARIABLES prints it: sizes in bytes, numbers as
/// numbers (`2` is `2.000000` for a float option).
fn normal(value: &str) -> String {
    let scale = match value.chars().last() {
        Some('K') => 1u64 << 10,
        Some('M') => 1 << 20,
        Some('G') => 1 << 30,
        _ => 1,
    };
    let digits = if scale > 1 { &value[..value.len() - 1] } else { value };
    match digits.parse::<f64>() {
        Ok(n) if scale > 1 => format!("{}", n as u64 * scale),
        Ok(n) => format!("{n}"),
        Err(_) => value.to_string(),
    }
}

#[test]
fn mariadb_starts_with_every_generated_config_and_reports_its_values() {
    let compiled = agency();
    let files = cnfs(&compiled);
    assert_eq!(files.len(), 1, "the agency has one MariaDB server");
    for cnf in files {
        let server = Server::start(&cnf).unwrap_or_else(|log| panic!("mariadbd refuses gen.cnf:\n{log}\n{cnf}"));
        let mut checked = 0;
        for (key, value) in options(&cnf) {
            let shown = server.variable(&key);
            assert_eq!(normal(&shown), normal(&value), "SHOW VARIABLES {key}: {shown}, gen.cnf says {value}");
            checked += 1;
        }
        assert!(checked >= 18, "the file sets the tuned values ({checked} checked)");
    }
}

/// The test above can fail: an option mariadbd does not know stops it.
#[test]
fn mariadb_refuses_an_unknown_option() {
    let cnf = "[mariadbd]\ninnodb_buffer_pool_sise = 64M\n";
    match Server::start(cnf) {
        Ok(_) => panic!("mariadbd started with an unknown option"),
        Err(log) => assert!(log.contains("unknown variable"), "{log}"),
    }
}

/// The agency's ops scripts, as generated, against a live server.
fn run(ops: &Path, work: &Path, server: &Server, script: &str, args: &[&str]) -> Output {
    std::fs::write(work.join(".my.cnf"), format!("[client]\nsocket={}\n", server.socket().display())).unwrap();
    Command::new(ops.join(script))
        .args(args)
        // The `mdb` path of a host: the wrapper gives the tool root's password
        // as the container's environment would.
        .env("MDB_EXEC", format!("env MARIADB_ROOT_PASSWORD={ROOT_PASSWORD}"))
        .env("HOME", work)
        .env("COMPOSE", "")
        .env("STACK_DIR", work)
        .env("BACKUP_ROOT", work.join("backups"))
        .env("ARCHIVES", format!("wordpress={}", work.join("html").display()))
        .env("TEXTFILE_DIR", work.join("textfile"))
        .env("MIN_FREE_KIB", "1024")
        .env("LC_ALL", "C.UTF-8")
        .output()
        .unwrap()
}

#[test]
fn mariadb_dump_and_restore_bring_back_a_deleted_row() {
    require("gzip");
    let project = built(|_, t| t);
    let ops = project.path().join("out/agency/hosts/web/rootfs/opt/agency/ops");
    let server = Server::start(&cnfs(&agency())[0]).expect("mariadbd starts");
    server.set_root_password();
    server
        .sql(
            "CREATE DATABASE wordpress; CREATE TABLE wordpress.wp_posts (ID INT PRIMARY KEY, post_title TEXT) ENGINE=InnoDB; \
             INSERT INTO wordpress.wp_posts VALUES (1, 'Hello world!'), (2, 'Grüße, \\'quoted\\''); \
             CREATE TRIGGER wordpress.t BEFORE INSERT ON wordpress.wp_posts FOR EACH ROW SET NEW.post_title = NEW.post_title; \
             CREATE DATABASE extra; CREATE TABLE extra.t (x INT); INSERT INTO extra.t VALUES (7);",
        )
        .unwrap();
    let work = tempfile::Builder::new().prefix("gen-mdb-backup-").tempdir().unwrap();
    let w = work.path();
    std::fs::create_dir_all(w.join("backups")).unwrap();
    std::fs::create_dir_all(w.join("textfile")).unwrap();
    std::fs::create_dir_all(w.join("html/wp-content")).unwrap();

    let backup = run(&ops, w, &server, "backup.sh", &[]);
    assert!(backup.status.success(), "backup.sh: {}", String::from_utf8_lossy(&backup.stderr));
    let set = w.join("backups/daily/latest");
    let list = std::fs::read_to_string(set.join("mariadb.list")).unwrap();
    assert!(list.contains("mariadb wordpress mariadb-mariadb-wordpress.sql.gz"), "{list}");
    assert!(
        list.contains("mariadb extra mariadb-mariadb-extra.sql.gz"),
        "every database, not only declared ones: {list}"
    );
    assert!(!list.contains(" mysql "), "MariaDB's own databases stay out: {list}");
    let sums = std::fs::read_to_string(set.join("SHA256SUMS")).unwrap();
    assert!(sums.contains("mariadb-mariadb-wordpress.sql.gz"), "{sums}");

    server.sql("DELETE FROM wordpress.wp_posts WHERE ID = 2; DROP TRIGGER wordpress.t").unwrap();
    let restore = run(&ops, w, &server, "restore-mariadb.sh", &["wordpress"]);
    assert!(restore.status.success(), "restore-mariadb.sh: {}", String::from_utf8_lossy(&restore.stderr));
    assert_eq!(
        server.sql("SELECT post_title FROM wordpress.wp_posts ORDER BY ID").unwrap(),
        "Hello world!\nGrüße, 'quoted'"
    );
    assert_eq!(server.sql("SELECT COUNT(*) FROM information_schema.triggers WHERE trigger_name = 't'").unwrap(), "1");
    let aside: Vec<_> = std::fs::read_dir(w.join("backups/before-restore")).unwrap().collect();
    assert_eq!(aside.len(), 1, "the database as it was is kept aside");

    // A declared database the server lacks fails the run, and keeps the last set.
    server.sql("DROP DATABASE wordpress").unwrap();
    let failed = run(&ops, w, &server, "backup.sh", &[]);
    assert!(!failed.status.success());
    assert!(String::from_utf8_lossy(&failed.stderr).contains("declares database(s) wordpress"));
    // A corrupted dump is refused before anything is touched.
    let dump = std::fs::canonicalize(set.join("mariadb-mariadb-wordpress.sql.gz")).unwrap();
    std::fs::write(&dump, b"not gzip").unwrap();
    let refused = run(&ops, w, &server, "restore-mariadb.sh", &["wordpress"]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("checksum"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
