//! Live runs of the generated backup, restore, offsite and health-check
//! scripts of the Odoo reference blueprint, against a real PostgreSQL 15
//! started by the test (tests/common/postgres.rs), a real restic repository
//! on disk, a real tmpfs that fills up, and a local HTTP listener in place
//! of Telegram. The scripts run as generated; only their documented
//! settings (PG_EXEC, BACKUP_ROOT, …) point them at the test's resources.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::postgres::{Cluster, BIN};
use crate::common::{built, require};

/// A row checksum and count per table: what "nothing was lost" means.
const FINGERPRINT: &str = "SELECT (SELECT count(*) FROM partner) || ' ' || \
     (SELECT md5(string_agg(p::text, '|' ORDER BY id)) FROM partner p) || ' ' || \
     (SELECT count(*) FROM attachment) || ' ' || \
     (SELECT md5(string_agg(a::text, '|' ORDER BY id)) FROM attachment a) || ' ' || \
     (SELECT last_value FROM partner_id_seq)";

const MARKER: &str = "PLAINTEXT-MARKER-4b1e9c";

struct Stack {
    /// The built project (out/), held for its Drop.
    _project: tempfile::TempDir,
    work: tempfile::TempDir,
    ops: PathBuf,
    pg: Cluster,
}

impl Stack {
    fn new() -> Stack {
        require("rsync");
        require("restic");
        let project = built(|_, t| t);
        let ops = project.path().join("out/odoo-dedicated/hosts/ax52/rootfs/opt/odoo/ops");
        let pg = Cluster::init();
        pg.start();
        pg.psql("postgres", "CREATE ROLE odoo SUPERUSER LOGIN");
        for db in ["odoo_prod", "odoo_test"] {
            pg.psql("postgres", &format!("CREATE DATABASE {db} OWNER odoo"));
            pg.psql(
                db,
                &format!(
                    "SET ROLE odoo;
                     CREATE TABLE partner (id serial PRIMARY KEY, name text NOT NULL, payload bytea);
                     INSERT INTO partner (name, payload)
                       SELECT '{MARKER} ' || i, decode(repeat(md5(i::text), 16), 'hex') FROM generate_series(1, 5000) i;
                     CREATE TABLE attachment (id int PRIMARY KEY, partner int REFERENCES partner, note text);
                     INSERT INTO attachment SELECT i, i, 'plan ' || i FROM generate_series(1, 300) i;
                     CREATE VIEW big_partner AS SELECT * FROM partner WHERE id > 2500;"
                ),
            );
        }
        let work = tempfile::Builder::new().prefix("gen-backup-").tempdir().unwrap();
        let w = work.path();
        for d in ["backups", "data/prod/filestore/odoo_prod/ab", "plans/site-a", "textfile"] {
            std::fs::create_dir_all(w.join(d)).unwrap();
        }
        std::fs::write(w.join("data/prod/filestore/odoo_prod/ab/abcdef"), format!("{MARKER} attachment")).unwrap();
        std::fs::write(w.join("data/prod/sessions"), "session").unwrap();
        std::fs::write(w.join("plans/site-a/plan-1.pdf"), format!("{MARKER} plan 1")).unwrap();
        std::fs::write(w.join("plans/site-a/plan-2.pdf"), vec![7u8; 200_000]).unwrap();
        std::fs::write(
            w.join(".env"),
            "POSTGRES_PASSWORD=unused\nRESTIC_PASSWORD=\"correct horse battery\"\nTELEGRAM_BOT_TOKEN=123:abc\n",
        )
        .unwrap();
        Stack { _project: project, work, ops, pg }
    }

    fn w(&self) -> &Path {
        self.work.path()
    }

    /// A generated script with the test's settings.
    fn script(&self, name: &str) -> Command {
        let w = self.w();
        let mut cmd = Command::new(self.ops.join(name));
        cmd.env("PATH", format!("{BIN}:{}", std::env::var("PATH").unwrap_or_default()))
            .env("PG_EXEC", "")
            .env("PGHOST", &self.pg.socket_dir)
            .env("PGPORT", self.pg.port.to_string())
            .env("STACK_DIR", w)
            .env("BACKUP_ROOT", w.join("backups"))
            .env("DATABASES", "odoo_prod odoo_test")
            .env("ARCHIVES", format!("filestore-prod={}", w.join("data/prod").display()))
            .env("SNAPSHOTS", format!("building-plans={}", w.join("plans").display()))
            .env("TEXTFILE_DIR", w.join("textfile"))
            .env("MIN_FREE_KIB", "1024")
            .env("RESTIC_REPOSITORY", w.join("repo"))
            .env("RESTIC_CACHE_DIR", w.join("restic-cache"))
            .env("LC_ALL", "C.UTF-8");
        cmd
    }

    fn backup(&self, date: &str) -> Output {
        self.script("backup.sh").env("BACKUP_DATE", date).output().unwrap()
    }

    fn fingerprint(&self, db: &str) -> String {
        self.pg.psql(db, FINGERPRINT)
    }

    fn daily(&self) -> PathBuf {
        self.w().join("backups/daily")
    }

    /// Dated sets in daily/, sorted.
    fn sets(&self) -> Vec<String> {
        let mut sets: Vec<String> = std::fs::read_dir(self.daily())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.len() == 10 && n.as_bytes()[4] == b'-')
            .collect();
        sets.sort();
        sets
    }

    fn latest(&self) -> String {
        std::fs::read_link(self.daily().join("latest")).unwrap().to_string_lossy().to_string()
    }
}

fn ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({:?}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// Every file under `root` (relative path → bytes).
fn contents(root: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(root).unwrap().display().to_string(), std::fs::read(e.path()).unwrap()))
        .collect()
}

/// `sha256sum -c` of a set's own checksum file.
fn set_intact(set: &Path) -> bool {
    Command::new("sha256sum").args(["--quiet", "-c", "SHA256SUMS"]).current_dir(set).status().is_ok_and(|s| s.success())
}

#[test]
fn backup_then_restore_loses_nothing() {
    let s = Stack::new();
    let before = s.fingerprint("odoo_prod");
    let test_before = s.fingerprint("odoo_test");
    let files_before = contents(&s.w().join("data/prod"));
    let plans_before = contents(&s.w().join("plans"));

    let out = s.backup("2026-03-01");
    ok(&out, "backup.sh");
    let log = stderr(&out);
    for step in [
        "list databases of postgres",
        "roles of postgres",
        "dump postgres/odoo_prod",
        "dump postgres/odoo_test",
        "dump postgres/postgres",
        "archive filestore-prod",
        "snapshot building-plans",
        "retention",
    ] {
        assert!(log.contains(&format!("step {step}: ok")), "a log line per step: {step}\n{log}");
    }
    let set = s.daily().join("2026-03-01");
    for f in ["db-odoo_prod.dump", "db-odoo_test.dump", "files-filestore-prod.tar.gz", "SHA256SUMS"] {
        assert!(set.join(f).is_file(), "{f} in the set");
    }
    assert!(std::fs::read(set.join("db-odoo_prod.dump")).unwrap().starts_with(b"PGDMP"), "custom format");
    assert!(set_intact(&set));
    assert_eq!(s.latest(), "2026-03-01");
    let marker: u64 = std::fs::read_to_string(s.w().join("backups/last-success")).unwrap().trim().parse().unwrap();
    assert!(marker > 1_700_000_000, "last-success holds a Unix time");
    let metric = std::fs::read_to_string(s.w().join("textfile/backup_last_success_timestamp_seconds.prom")).unwrap();
    assert!(metric.contains(&format!("backup_last_success_timestamp_seconds {marker}")), "{metric}");
    // node_exporter runs as nobody: the metrics must be world-readable
    // (the harness found them 0600 under the script's umask 077).
    let mode = std::fs::metadata(s.w().join("textfile/backup_last_success_timestamp_seconds.prom")).unwrap();
    assert_eq!(std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o777, 0o644);

    // Damage: rows deleted and changed, the sequence moved, files lost.
    s.pg.psql(
        "odoo_prod",
        "DELETE FROM attachment WHERE id % 3 = 0; DELETE FROM partner WHERE id % 2 = 0 AND id > 300; \
         UPDATE partner SET name = 'x' WHERE id < 10; SELECT setval('partner_id_seq', 99999);",
    );
    assert_ne!(s.fingerprint("odoo_prod"), before);
    std::fs::remove_dir_all(s.w().join("data/prod/filestore")).unwrap();

    ok(&s.script("restore-db.sh").arg("odoo_prod").output().unwrap(), "restore-db.sh");
    assert_eq!(s.fingerprint("odoo_prod"), before, "every row, checksum and the sequence are back");
    assert_eq!(s.fingerprint("odoo_test"), test_before, "the other database is untouched");
    let kept = s.pg.psql("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'odoo_prod_before_%'");
    assert_eq!(kept.lines().count(), 1, "the damaged database is kept aside: {kept}");
    // It opens: the swap refused connections only while it ran.
    assert_eq!(s.pg.psql(kept.trim(), "SELECT count(*) > 0 FROM partner"), "t", "the copy kept aside can be opened");
    assert_eq!(s.pg.psql("odoo_prod", "SELECT count(*) FROM big_partner"), "2500", "views come back too");

    ok(&s.script("restore-files.sh").arg("filestore-prod").output().unwrap(), "restore-files.sh");
    assert_eq!(contents(&s.w().join("data/prod")), files_before, "the filestore is back, byte for byte");

    // A second day: one plan changes, one is added; the unchanged one is a hard link.
    std::fs::write(s.w().join("plans/site-a/plan-1.pdf"), "revised").unwrap();
    std::fs::write(s.w().join("plans/site-a/plan-3.pdf"), "new").unwrap();
    // This run goes through a command prefix, as production goes through
    // `docker compose exec -T postgres`: the tools run as another user, with
    // the dump on their stdout and the archive on their stdin.
    let out = s
        .script("backup.sh")
        .env("BACKUP_DATE", "2026-03-02")
        .env("PG_EXEC", "runuser -u postgres --")
        .output()
        .unwrap();
    ok(&out, "second backup through PG_EXEC");
    let inode = |date: &str| {
        std::fs::metadata(s.daily().join(date).join("tree-building-plans/site-a/plan-2.pdf")).unwrap().ino()
    };
    assert_eq!(inode("2026-03-01"), inode("2026-03-02"), "rsync --link-dest shares unchanged files");

    let target = s.w().join("plans-as-of");
    let out = s.script("restore-tree.sh").args(["building-plans", "2026-03-01"]).arg(&target).output().unwrap();
    ok(&out, "restore-tree.sh");
    assert_eq!(contents(&target), plans_before, "the tree exactly as it was on 2026-03-01");

    // The dump written through the prefix restores through it too.
    let out = s
        .script("restore-db.sh")
        .env("PG_EXEC", "runuser -u postgres --")
        .env("PG_USER", "odoo")
        .args(["odoo_prod", "2026-03-02"])
        .output()
        .unwrap();
    ok(&out, "restore-db.sh through PG_EXEC");
    assert_eq!(s.fingerprint("odoo_prod"), before);

    // A dump that does not match its checksum is refused; the database stays.
    let dump = s.daily().join("2026-03-02/db-odoo_test.dump");
    let mut bytes = std::fs::read(&dump).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&dump, bytes).unwrap();
    let out = s.script("restore-db.sh").arg("odoo_test").output().unwrap();
    assert!(!out.status.success(), "a corrupt dump is refused");
    assert!(stderr(&out).contains("checksum"), "{}", stderr(&out));
    assert_eq!(s.fingerprint("odoo_test"), test_before);
}

#[test]
fn retention_keeps_exactly_the_last_n_days() {
    let s = Stack::new();
    // Not a dated set: retention must never touch it.
    std::fs::create_dir_all(s.daily().join("notes")).unwrap();
    let dates: Vec<String> =
        (24..=28).map(|d| format!("2026-02-{d}")).chain((1..=5).map(|d| format!("2026-03-{d:02}"))).collect();
    for date in &dates {
        ok(&s.backup(date), &format!("backup {date}"));
        assert!(s.sets().len() <= 7);
    }
    // keep_days: 7 from the blueprint, across the end of February.
    assert_eq!(s.sets(), dates[3..].to_vec(), "the 7 newest days");
    assert_eq!(s.latest(), "2026-03-05");
    assert!(s.daily().join("notes").is_dir());
    assert!(s.w().join("backups/last-success").is_file());
    for set in s.sets() {
        assert!(set_intact(&s.daily().join(&set)), "{set} is whole");
    }
}

#[test]
fn a_failed_backup_leaves_earlier_ones_intact() {
    require("unshare");
    let s = Stack::new();
    ok(&s.backup("2026-03-01"), "first backup");
    let marker = std::fs::read_to_string(s.w().join("backups/last-success")).unwrap();

    // A dump error (the database is gone) midway through the run.
    let out =
        s.script("backup.sh").env("BACKUP_DATE", "2026-03-02").env("DATABASES", "odoo_prod lost_db").output().unwrap();
    assert!(!out.status.success(), "a declared database that is missing fails the run");
    assert!(stderr(&out).contains("FAILED in step list databases of postgres"), "{}", stderr(&out));
    assert!(stderr(&out).contains("declares database(s) lost_db on postgres"), "{}", stderr(&out));
    assert_eq!(s.sets(), ["2026-03-01"]);
    assert_eq!(s.latest(), "2026-03-01");
    assert!(!std::fs::read_dir(s.daily()).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().starts_with('.')));
    assert_eq!(std::fs::read_to_string(s.w().join("backups/last-success")).unwrap(), marker);
    assert!(set_intact(&s.daily().join("2026-03-01")));

    // A run that holds the lock: a second backup refuses to start, and the
    // offsite copy waits for it (here 1 s) instead of copying a set in the making.
    let mut holder =
        Command::new("flock").arg(s.w().join("backups/.lock")).args(["sleep", "3"]).spawn().expect("flock runs");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let out = s.backup("2026-03-02");
    assert!(!out.status.success(), "overlapping runs are refused");
    assert!(stderr(&out).contains("another backup run holds"), "{}", stderr(&out));
    let out = s.script("offsite.sh").env("MAX_DURATION_S", "1").output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("still holds"), "{}", stderr(&out));
    // The holder lets go after its 3 s.
    assert!(holder.wait().unwrap().success());
    assert_eq!(s.sets(), ["2026-03-01"]);

    // Not enough free space for a day's backup: refused before writing.
    let out =
        s.script("backup.sh").env("BACKUP_DATE", "2026-03-02").env("MIN_FREE_KIB", "999999999999").output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("a run needs 999999999999 KiB"), "{}", stderr(&out));

    // A disk that fills up midway: a 16 MiB tmpfs in a mount namespace of
    // its own, nearly full, and 4 MiB of incompressible filestore data.
    std::fs::write(s.w().join("data/prod/big.bin"), {
        let mut f = std::fs::File::open("/dev/urandom").unwrap();
        let mut buf = vec![0u8; 4 << 20];
        f.read_exact(&mut buf).unwrap();
        buf
    })
    .unwrap();
    let root = s.w().join("full");
    std::fs::create_dir_all(&root).unwrap();
    let script = r#"set -u
        mount -t tmpfs -o size=16m gen-full "$BACKUP_ROOT" || exit 90
        BACKUP_DATE=2026-03-01 "$OPS/backup.sh" 2>/dev/null || exit 91
        dd if=/dev/zero of="$BACKUP_ROOT/filler" bs=64k 2>/dev/null
        truncate -s -256K "$BACKUP_ROOT/filler"
        BACKUP_DATE=2026-03-02 MIN_FREE_KIB=1 "$OPS/backup.sh"
        echo "rc=$?"
        echo "entries=$(cd "$BACKUP_ROOT/daily" && ls -A | tr '\n' ' ')"
        echo "latest=$(readlink "$BACKUP_ROOT/daily/latest")"
        (cd "$BACKUP_ROOT/daily/2026-03-01" && sha256sum --quiet -c SHA256SUMS) && echo intact=yes"#;
    // The same settings as every script run, for the shell that runs two.
    let cmd = s.script("backup.sh");
    let envs: Vec<(std::ffi::OsString, std::ffi::OsString)> =
        cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k.to_os_string(), v.to_os_string()))).collect();
    let out = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "bash", "-c", script])
        .envs(envs)
        .env("BACKUP_ROOT", &root)
        .env("OPS", &s.ops)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let log = stderr(&out);
    assert!(stdout.contains("rc=1"), "the run fails:\n{stdout}\n{log}");
    // Whichever step hits the full disk (a dump or the archive) fails the run.
    assert!(log.contains("No space left on device") && log.contains("FAILED in step "), "{log}");
    assert!(stdout.contains("entries=2026-03-01 latest \n"), "no partial set is left:\n{stdout}");
    assert!(stdout.contains("latest=2026-03-01"), "{stdout}");
    assert!(stdout.contains("intact=yes"), "the earlier set still checks out:\n{stdout}\n{log}");
}

/// Files of the restic repository that contain `needle`.
fn files_containing(root: &Path, needle: &[u8]) -> Vec<String> {
    contents(root)
        .into_iter()
        .filter(|(_, bytes)| bytes.windows(needle.len()).any(|w| w == needle))
        .map(|(path, _)| path)
        .collect()
}

/// The dates of the local sets that restic snapshots (`restic snapshots --json`) hold, sorted.
fn kept_sets(snapshots: &serde_json::Value) -> Vec<String> {
    let mut kept: Vec<String> = snapshots
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|snap| snap["tags"].as_array().unwrap().iter().filter_map(|t| t.as_str()?.strip_prefix("set-")))
        .map(str::to_string)
        .collect();
    kept.sort();
    kept
}

#[test]
fn offsite_copies_are_encrypted_and_kept_by_policy() {
    let s = Stack::new();
    let repo = s.w().join("repo");
    let init = Command::new("restic")
        .args(["init", "--quiet"])
        .env("RESTIC_REPOSITORY", &repo)
        .env("RESTIC_PASSWORD", "correct horse battery")
        .env("RESTIC_CACHE_DIR", s.w().join("restic-cache"))
        .output()
        .unwrap();
    ok(&init, "restic init");
    let dates = ["2026-01-28", "2026-01-29", "2026-01-30", "2026-01-31", "2026-02-01", "2026-02-02", "2026-02-03"];
    for date in dates {
        std::fs::write(s.w().join("plans/day.txt"), date).unwrap();
        ok(&s.backup(date), &format!("backup {date}"));
        let out = s.script("offsite.sh").env("KEEP_DAILY", "3").env("KEEP_MONTHLY", "2").output().unwrap();
        ok(&out, &format!("offsite {date}"));
    }
    // The marker is in the local set in plain text, and nowhere in the repository.
    assert!(!files_containing(&s.daily().join("2026-02-03"), MARKER.as_bytes()).is_empty(), "the check can fail");
    let leaked = files_containing(&repo, MARKER.as_bytes());
    assert!(leaked.is_empty(), "plaintext in the repository: {leaked:?}");
    let leaked = files_containing(&repo, b"correct horse battery");
    assert!(leaked.is_empty(), "the password in the repository: {leaked:?}");

    // forget --keep-daily 3 --keep-monthly 2: the last 3 days, and the last of January.
    let restic = |args: &[&str]| {
        Command::new("restic")
            .args(args)
            .env("RESTIC_REPOSITORY", &repo)
            .env("RESTIC_PASSWORD", "correct horse battery")
            .env("RESTIC_CACHE_DIR", s.w().join("restic-cache"))
            .output()
            .unwrap()
    };
    let out = restic(&["snapshots", "--json"]);
    ok(&out, "restic snapshots");
    let snapshots: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(kept_sets(&snapshots), ["2026-01-31", "2026-02-01", "2026-02-02", "2026-02-03"]);
    assert!(snapshots.as_array().unwrap().iter().all(|snap| snap["hostname"] == "ax52"));

    // The tree as of a day no longer kept locally comes from restic; a day
    // that forget removed is refused.
    std::fs::remove_dir_all(s.daily().join("2026-01-31")).unwrap();
    let target = s.w().join("plans-2026-01-31");
    let out = s.script("restore-tree.sh").args(["building-plans", "2026-01-31"]).arg(&target).output().unwrap();
    ok(&out, "restore-tree.sh from restic");
    assert_eq!(std::fs::read_to_string(target.join("day.txt")).unwrap(), "2026-01-31");
    assert_eq!(contents(&target).len(), contents(&s.w().join("plans")).len());
    std::fs::remove_dir_all(s.daily().join("2026-01-29")).unwrap();
    let out = s.script("restore-tree.sh").args(["building-plans", "2026-01-29"]).arg(&target).output().unwrap();
    assert!(!out.status.success(), "2026-01-29 was forgotten");
    assert!(!std::fs::read_dir(s.daily()).unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with(".restore")));
    // Every local set lost with the disk (or a new server): the tree still
    // comes from restic.
    let daily_kept = s.w().join("daily-kept");
    std::fs::rename(s.daily(), &daily_kept).unwrap();
    let target = s.w().join("plans-2026-02-02");
    let out = s.script("restore-tree.sh").args(["building-plans", "2026-02-02"]).arg(&target).output().unwrap();
    ok(&out, "restore-tree.sh from restic without any local set");
    assert_eq!(std::fs::read_to_string(target.join("day.txt")).unwrap(), "2026-02-02");
    std::fs::remove_dir_all(s.daily()).unwrap();
    std::fs::rename(&daily_kept, s.daily()).unwrap();

    // Server loss: the set comes back from restic and restores the database.
    let before = s.fingerprint("odoo_prod");
    let fresh = s.w().join("fresh-backups");
    let target = fresh.join("daily/2026-02-03");
    let out = restic(&["restore", "latest", "--host", "ax52", "--tag", "daily", "--target", target.to_str().unwrap()]);
    ok(&out, "restic restore");
    assert_eq!(contents(&target), contents(&s.daily().join("2026-02-03")), "the set, byte for byte");
    assert!(set_intact(&target));
    s.pg.psql("postgres", "DROP DATABASE odoo_prod WITH (FORCE)");
    let out = s.script("restore-db.sh").env("BACKUP_ROOT", &fresh).args(["odoo_prod", "2026-02-03"]).output().unwrap();
    ok(&out, "restore-db.sh from the restic copy");
    assert_eq!(s.fingerprint("odoo_prod"), before);
}

/// One HTTP request to a local listener: (request text, listener thread).
fn listen() -> (u16, std::thread::JoinHandle<String>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = conn.read(&mut buf).unwrap_or(0);
            request.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&request).to_string();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(0);
                if body.len() >= length {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{\"ok\":true}").unwrap();
        String::from_utf8_lossy(&request).to_string()
    });
    (port, handle)
}

#[test]
fn health_check_reports_raid_backup_age_certificates_and_placeholders_to_the_webhook() {
    require("openssl");
    require("curl");
    let project = built(|_, t| t);
    let ops = project.path().join("out/odoo-dedicated/hosts/ax52/rootfs/opt/odoo/ops");
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    std::fs::write(w.join(".env"), "TELEGRAM_BOT_TOKEN=123:abc\n").unwrap();
    std::fs::write(
        w.join("mdstat"),
        "Personalities : [raid1]\nmd0 : active raid1 nvme0n1p1[0]\n      976630464 blocks super 1.2 [2/1] [U_]\n\nunused devices: <none>\n",
    )
    .unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    std::fs::write(w.join("last-success"), format!("{}\n", now - 30 * 3600)).unwrap();
    std::fs::create_dir_all(w.join("live/odoo.example")).unwrap();
    let cert = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"])
        .args(["-subj", "/CN=odoo.example", "-days", "2", "-keyout"])
        .arg(w.join("key.pem"))
        .arg("-out")
        .arg(w.join("live/odoo.example/cert.pem"))
        .output()
        .unwrap();
    ok(&cert, "openssl req");
    // A name still on gen-certs' placeholder (fullchain.pem and the marker only).
    std::fs::create_dir_all(w.join("live/odoo-dev.example")).unwrap();
    std::fs::copy(w.join("live/odoo.example/cert.pem"), w.join("live/odoo-dev.example/fullchain.pem")).unwrap();
    std::fs::write(w.join("live/odoo-dev.example/gen-placeholder"), "").unwrap();

    let (port, request) = listen();
    let check = |mdstat: &str, marker: &str, certs: &str, api: &str| {
        Command::new(ops.join("health-check.sh"))
            .env("SECRETS_ENV", w.join(".env"))
            // No Docker daemon here: an empty container list.
            .env("DOCKER", "true")
            .env("MDSTAT", w.join(mdstat))
            .env("DISK_PERCENT", "100")
            .env("MARKER", w.join(marker))
            .env("CERT_DIR", w.join(certs))
            .env("TELEGRAM_API", api)
            .env("OFFSITE_MARKER", w.join(marker))
            .env("OFFSITE_FAILED", w.join("offsite-failed"))
            .output()
            .unwrap()
    };
    let out = check("mdstat", "last-success", "live", &format!("http://127.0.0.1:{port}"));
    assert_eq!(out.status.code(), Some(1), "problems fail the check:\n{}", stderr(&out));
    let request = request.join().unwrap();
    assert!(request.starts_with("POST /bot123:abc/sendMessage "), "{request}");
    assert!(request.contains("chat_id=-1001234567890"), "{request}");
    for part in [
        "RAID+degraded%3A+md0",
        "30+h+old+%28limit+27+h%29",
        "certificate+odoo.example+expires+within+14+days",
        "certificate+odoo-dev.example+is+still+gen-certs%27+placeholder",
    ] {
        assert!(request.contains(part), "{part} in {request}");
    }
    assert!(!stderr(&out).contains("123:abc"), "the token is not logged");

    // Healthy: nothing is sent (the API address refuses connections) and it exits 0.
    std::fs::write(
        w.join("mdstat-ok"),
        "md0 : active raid1 nvme1n1p1[1] nvme0n1p1[0]\n      976630464 blocks [2/2] [UU]\n",
    )
    .unwrap();
    std::fs::write(w.join("fresh"), format!("{now}\n")).unwrap();
    std::fs::create_dir_all(w.join("no-certs")).unwrap();
    let out = check("mdstat-ok", "fresh", "no-certs", "http://127.0.0.1:9");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("all checks passed"));
}

/// A `PG_EXEC` wrapper that points each service's client tools at its own
/// test cluster, as `docker compose exec -T SERVICE` does on a host.
fn pg_exec_wrapper(dir: &Path, clusters: &[(&str, &Cluster)]) -> String {
    let mut script = String::from("#!/bin/sh\ncase $1 in\n");
    for (service, pg) in clusters {
        script.push_str(&format!(
            "  {service}) PGHOST='{}' PGPORT={} && export PGHOST PGPORT ;;\n",
            pg.socket_dir.display(),
            pg.port
        ));
    }
    script.push_str("  *) echo \"no cluster for $1\" >&2; exit 2 ;;\nesac\nshift\nexec \"$@\"\n");
    let path = dir.join("pg-exec");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    format!("{} {{service}}", path.display())
}

#[test]
fn every_database_of_every_postgres_is_dumped_and_restores() {
    let s = Stack::new();
    // A database no blueprint names, on the primary server.
    s.pg.psql("postgres", "CREATE DATABASE crm OWNER odoo");
    s.pg.psql("crm", "CREATE TABLE lead (id int PRIMARY KEY, note text); INSERT INTO lead SELECT i, 'lead ' || i FROM generate_series(1, 50) i");
    // A second PostgreSQL service with its own role: `website` is declared,
    // `shop` was created later by an application gen does not know of.
    let second = Cluster::init();
    second.start();
    second.psql("postgres", "CREATE ROLE app LOGIN PASSWORD 'app-secret'");
    for (db, rows) in [("website", 40), ("shop", 70)] {
        second.psql("postgres", &format!("CREATE DATABASE {db} OWNER app"));
        second.psql(
            db,
            &format!(
                "SET ROLE app; CREATE TABLE item (id int PRIMARY KEY, name text);
                 INSERT INTO item SELECT i, '{db} ' || i FROM generate_series(1, {rows}) i;"
            ),
        );
    }
    let exec = pg_exec_wrapper(s.w(), &[("postgres", &s.pg), ("second", &second)]);
    let run = |script: &str| {
        let mut cmd = s.script(script);
        cmd.env("PG_EXEC", &exec)
            .env("PG_SERVICES", "postgres=odoo second=postgres")
            .env("DATABASES", "odoo_prod odoo_test second:website");
        cmd
    };
    let items =
        |db: &str| second.psql(db, "SELECT count(*) || ' ' || md5(string_agg(i::text, '|' ORDER BY id)) FROM item i");
    let (website, shop, crm) = (items("website"), items("shop"), s.pg.psql("crm", "SELECT count(*) FROM lead"));
    let prod = s.fingerprint("odoo_prod");

    let out = run("backup.sh").env("BACKUP_DATE", "2026-03-01").output().unwrap();
    ok(&out, "backup.sh with two services");
    let set = s.daily().join("2026-03-01");
    for f in [
        "db-odoo_prod.dump",
        "db-odoo_test.dump",
        "db-crm.dump",
        "db-postgres.dump",
        "db-second-website.dump",
        "db-second-shop.dump",
        "db-second-postgres.dump",
        "globals-postgres.sql",
        "globals-second.sql",
        "databases.list",
    ] {
        assert!(set.join(f).is_file(), "{f} in the set: {:?}", contents(&set).keys().collect::<Vec<_>>());
    }
    assert!(set_intact(&set));
    let list = std::fs::read_to_string(set.join("databases.list")).unwrap();
    assert!(list.contains("second shop db-second-shop.dump app\n"), "{list}");
    assert!(std::fs::read_to_string(set.join("globals-second.sql")).unwrap().contains("CREATE ROLE app;"));

    // Damage on both servers, then restore by name: the set knows each service.
    second.psql("shop", "DELETE FROM item WHERE id > 10");
    s.pg.psql("crm", "DROP TABLE lead");
    ok(&run("restore-db.sh").arg("shop").output().unwrap(), "restore-db.sh shop");
    ok(&run("restore-db.sh").arg("crm").output().unwrap(), "restore-db.sh crm");
    assert_eq!(items("shop"), shop);
    assert_eq!(s.pg.psql("crm", "SELECT count(*) FROM lead"), crm);
    // `postgres` is on both servers: the service must be named.
    let out = run("restore-db.sh").arg("postgres").output().unwrap();
    assert!(!out.status.success() && stderr(&out).contains("--service"), "{}", stderr(&out));

    // A new, empty second server: roles first, then every database of the set.
    second.psql("postgres", "DROP DATABASE website WITH (FORCE)");
    second.psql("postgres", "DROP DATABASE shop WITH (FORCE)");
    let leftovers =
        second.psql("postgres", "SELECT string_agg(datname, ' ') FROM pg_database WHERE datname LIKE 'shop_before_%'");
    for db in leftovers.split_whitespace() {
        second.psql("postgres", &format!("DROP DATABASE {db}"));
    }
    second.psql("postgres", "DROP ROLE app");
    let out = run("restore-db.sh").arg("--all").output().unwrap();
    ok(&out, "restore-db.sh --all");
    assert_eq!(items("website"), website);
    assert_eq!(items("shop"), shop);
    assert_eq!(
        second.psql("postgres", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'shop'"),
        "app"
    );
    assert_eq!(s.fingerprint("odoo_prod"), prod, "the primary's databases come back as well");

    // A declared database missing on its server: the run fails loudly and
    // the earlier set stays whole and newest.
    second.psql("postgres", "ALTER DATABASE website RENAME TO website_old");
    let out = run("backup.sh").env("BACKUP_DATE", "2026-03-02").output().unwrap();
    assert!(!out.status.success());
    let log = stderr(&out);
    assert!(log.contains("FAILED in step list databases of second"), "{log}");
    assert!(log.contains("declares database(s) website on second"), "{log}");
    assert_eq!(s.sets(), ["2026-03-01"]);
    assert_eq!(s.latest(), "2026-03-01");
    assert!(set_intact(&set));
}

/// A throwaway OpenSSH server on 127.0.0.1 in place of the Storage Box: its
/// own mount namespace puts `box` at /root, the SFTP user's home, so a
/// relative repository path lands in `box/`. The operator's "password" is an
/// admin key whose forced command is a stand-in for the Storage Box's
/// `install-ssh-key` (it appends stdin to .ssh/authorized_keys).
struct Sshd {
    child: Option<std::process::Child>,
    dir: PathBuf,
    port: u16,
}

impl Sshd {
    fn new(dir: &Path) -> Sshd {
        require("ssh-keygen");
        require("unshare");
        assert!(Path::new("/usr/sbin/sshd").exists(), "openssh-server is not installed");
        let dir = dir.to_path_buf();
        std::fs::create_dir_all(dir.join("box/.ssh")).unwrap();
        let keygen = |path: &Path, comment: &str| {
            let out = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f"])
                .arg(path)
                .output()
                .unwrap();
            ok(&out, "ssh-keygen");
        };
        keygen(&dir.join("host_key"), "box");
        keygen(&dir.join("admin"), "operator");
        let install = dir.join("install-ssh-key");
        std::fs::write(
            &install,
            "#!/bin/sh\n[ \"$SSH_ORIGINAL_COMMAND\" = install-ssh-key ] || exit 1\ncat >>\"$HOME/.ssh/authorized_keys\"\necho 'Key No. 1 was installed'\n",
        )
        .unwrap();
        std::fs::set_permissions(&install, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let admin = std::fs::read_to_string(dir.join("admin.pub")).unwrap();
        std::fs::write(
            dir.join("box/.ssh/authorized_keys"),
            format!("command=\"{}\",restrict {admin}", install.display()),
        )
        .unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        std::fs::write(
            dir.join("sshd_config"),
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile none\nPermitRootLogin prohibit-password\n\
                 PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n\
                 AuthorizedKeysFile .ssh/authorized_keys\nSubsystem sftp internal-sftp\n",
                dir.join("host_key").display()
            ),
        )
        .unwrap();
        let mut sshd = Sshd { child: None, dir, port };
        sshd.start();
        sshd
    }

    fn start(&mut self) {
        let script = "mount --bind \"$BOX\" /root && mkdir -p /run/sshd && exec /usr/sbin/sshd -D -e -f \"$CONF\"";
        let child = Command::new("unshare")
            .args(["--mount", "--propagation", "private", "sh", "-c", script])
            .env("BOX", self.dir.join("box"))
            .env("CONF", self.dir.join("sshd_config"))
            .stderr(std::fs::File::create(self.dir.join("sshd.log")).unwrap())
            .spawn()
            .unwrap();
        self.child = Some(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("sshd did not start: {}", std::fs::read_to_string(self.dir.join("sshd.log")).unwrap_or_default());
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The host key's SHA256 fingerprint, as `ssh-keygen -lf` prints it.
    fn fingerprint(&self) -> String {
        let out =
            Command::new("ssh-keygen").args(["-l", "-E", "sha256", "-f"]).arg(self.dir.join("host_key.pub")).output();
        String::from_utf8_lossy(&out.unwrap().stdout).split_whitespace().nth(1).unwrap().to_string()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.stop();
    }
}

#[test]
fn offsite_from_nothing_over_sftp() {
    let s = Stack::new();
    let mut sshd = Sshd::new(&s.w().join("sshd"));
    let key = s.w().join("client/odoo-offsite");
    let (port, box_dir, fingerprint) = (sshd.port, sshd.dir.join("box"), sshd.fingerprint());
    let admin_key = sshd.dir.join("admin");
    let offsite = |script: &str| {
        let mut cmd = s.script(script);
        cmd.env("RESTIC_REPOSITORY", format!("sftp://root@127.0.0.1:{port}/repo"))
            .env("OFFSITE_KEY", &key)
            .env("OFFSITE_MARKER", s.w().join("backups/offsite-last-success"))
            .env("OFFSITE_FAILED", s.w().join("backups/offsite-failed"))
            .env("KEEP_DAILY", "3")
            .env("KEEP_MONTHLY", "2")
            .env_remove("SSH_AUTH_SOCK");
        cmd
    };
    let health = || {
        Command::new(s.ops.join("health-check.sh"))
            .env("SECRETS_ENV", s.w().join(".env"))
            .env("DOCKER", "true")
            .env("MDSTAT", s.w().join("no-mdstat"))
            .env("DISK_PERCENT", "100")
            .env("MARKER", s.w().join("backups/last-success"))
            .env("OFFSITE_MARKER", s.w().join("backups/offsite-last-success"))
            .env("OFFSITE_FAILED", s.w().join("backups/offsite-failed"))
            .env("CERT_DIR", s.w().join("no-certs"))
            .env("TELEGRAM_API", "http://127.0.0.1:9")
            .output()
            .unwrap()
    };
    ok(&s.backup("2026-01-30"), "backup");

    // Before the first run: the timer's run fails loudly, naming the command.
    let out = offsite("offsite.sh").output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("offsite-init.sh once"), "{}", stderr(&out));
    assert!(s.w().join("backups/offsite-failed").is_file());
    assert!(s.w().join("textfile/offsite_last_failure_timestamp_seconds.prom").is_file());
    let out = health();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("the last offsite copy failed"), "{}", stderr(&out));

    // A host key other than the declared one is refused, and nothing is pinned.
    let out = offsite("offsite-init.sh").env("OFFSITE_HOST_KEY", "SHA256:not-this-one").output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not the expected SHA256:not-this-one"), "{}", stderr(&out));
    assert!(!s.w().join("client/odoo-offsite.known_hosts").exists());

    // The key is not on the box and nothing else logs in: the exact command.
    let out = offsite("offsite-init.sh").env("OFFSITE_HOST_KEY", &fingerprint).output().unwrap();
    assert!(!out.status.success());
    let log = stderr(&out);
    assert!(log.contains(&format!("ssh -p {} ", port)) && log.contains("install-ssh-key <"), "{log}");
    assert!(key.is_file(), "the dedicated key exists");
    let pinned = std::fs::read_to_string(s.w().join("client/odoo-offsite.known_hosts")).unwrap();
    assert!(pinned.starts_with(&format!("[127.0.0.1]:{} ssh-ed25519 ", port)), "{pinned}");
    let private = std::fs::read(&key).unwrap();

    // The operator's login (an agent key here, the box's password on Hetzner):
    // install-ssh-key, restic init, the first copy.
    let agent = Command::new("ssh-agent").arg("-s").output().unwrap();
    let agent_env = String::from_utf8_lossy(&agent.stdout).to_string();
    let value =
        |name: &str| agent_env.split(&format!("{name}=")).nth(1).unwrap().split(';').next().unwrap().to_string();
    let (sock, agent_pid) = (value("SSH_AUTH_SOCK"), value("SSH_AGENT_PID"));
    let add = Command::new("ssh-add").arg(admin_key).env("SSH_AUTH_SOCK", &sock).output().unwrap();
    ok(&add, "ssh-add");
    let out =
        offsite("offsite-init.sh").env("OFFSITE_HOST_KEY", &fingerprint).env("SSH_AUTH_SOCK", &sock).output().unwrap();
    let _ = Command::new("kill").arg(&agent_pid).status();
    ok(&out, "offsite-init.sh");
    let log = stderr(&out);
    for step in ["key", "host key", "ssh config", "key on the server", "repository", "first copy"] {
        assert!(log.contains(&format!("step {step}: ok")), "{step}:\n{log}");
    }
    assert!(log.contains("initialised sftp://"), "{log}");
    assert!(box_dir.join("repo/config").is_file(), "the repository is on the box");
    let authorized = std::fs::read_to_string(box_dir.join(".ssh/authorized_keys")).unwrap();
    assert!(authorized.contains(std::fs::read_to_string(key.with_extension("pub")).unwrap().trim()));

    // Idempotent: a second run changes nothing and initialises nothing.
    let out = offsite("offsite-init.sh").output().unwrap();
    ok(&out, "offsite-init.sh again");
    let log = stderr(&out);
    assert!(log.contains("exists; kept") && log.contains("is pinned") && !log.contains("initialised"), "{log}");
    assert_eq!(std::fs::read(&key).unwrap(), private, "the key is kept");

    // Daily runs with faked dates: forget --keep-daily 3 --keep-monthly 2 --prune.
    for date in ["2026-01-31", "2026-02-01", "2026-02-02", "2026-02-03"] {
        ok(&s.backup(date), &format!("backup {date}"));
        ok(&offsite("offsite.sh").output().unwrap(), &format!("offsite {date}"));
    }
    let restic = |args: &[&str]| {
        Command::new("restic")
            .args(args)
            .env("RESTIC_REPOSITORY", box_dir.join("repo"))
            .env("RESTIC_PASSWORD", "correct horse battery")
            .env("RESTIC_CACHE_DIR", s.w().join("restic-cache-check"))
            .output()
            .unwrap()
    };
    let kept = || {
        let out = restic(&["snapshots", "--json"]);
        ok(&out, "restic snapshots");
        kept_sets(&serde_json::from_slice(&out.stdout).unwrap())
    };
    assert_eq!(kept(), ["2026-01-31", "2026-02-01", "2026-02-02", "2026-02-03"]);
    ok(&health(), "health check after good copies");

    // The box unreachable: the run fails, records it, and the health check says so.
    sshd.stop();
    ok(&s.backup("2026-02-04"), "backup 2026-02-04");
    let out = offsite("offsite.sh").output().unwrap();
    assert!(!out.status.success(), "an unreachable box fails the run");
    assert!(stderr(&out).contains("FAILED in step repository"), "{}", stderr(&out));
    let failed = std::fs::read_to_string(s.w().join("backups/offsite-failed")).unwrap();
    assert!(failed.starts_with("step repository at "), "{failed}");
    let out = health();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("the last offsite copy failed (step repository"), "{}", stderr(&out));

    // Back again: the next run copies and clears the failure.
    sshd.start();
    ok(&offsite("offsite.sh").output().unwrap(), "offsite after the box is back");
    assert!(!s.w().join("backups/offsite-failed").exists());
    assert!(kept().contains(&"2026-02-04".to_string()));
    ok(&health(), "health check after recovery");
}
