//! Odoo and PostgreSQL, live: every generated postgresql.conf and
//! pg_hba.conf start a real PostgreSQL 15 that reports the generated values;
//! the derived worst case of Odoo connections really connects; every
//! odoo.conf parses the way Odoo parses it, with options Odoo knows; and the
//! host-side render script writes a master-password hash that passlib (the
//! library Odoo checks it with) accepts.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use gen::compile::{compile, Compiled};
use gen::render::Renderer;

use crate::common::postgres::Cluster;
use crate::common::{project, repo};

fn compiled(path: &Path) -> Compiled {
    let renderer = Renderer::new(None).expect("templates load");
    compile(path, &renderer).expect("no I/O error").expect("blueprint compiles")
}

fn reference(name: &str) -> Compiled {
    compiled(&repo().join("blueprints").join(format!("{name}.yaml")))
}

/// The text of every generated file whose path ends with `suffix`.
fn files<'a>(c: &'a Compiled, suffix: &str) -> Vec<(&'a str, String)> {
    c.files
        .files
        .iter()
        .filter(|(path, _)| path.ends_with(suffix))
        .map(|(path, f)| (path.as_str(), String::from_utf8(f.bytes.clone()).unwrap()))
        .collect()
}

/// `key = value` lines of a postgresql.conf, quotes removed, comments cut.
fn settings(conf: &str) -> Vec<(String, String)> {
    conf.lines()
        .filter(|l| !l.starts_with('#') && l.contains(" = "))
        .map(|l| {
            let (key, rest) = l.split_once(" = ").unwrap();
            let value = rest.split("  #").next().unwrap().trim().trim_matches('\'');
            (key.to_string(), value.to_string())
        })
        .collect()
}

/// Starts a cluster with a generated postgresql.conf and pg_hba.conf; the
/// harness points data_directory, the socket and hba_file at its own paths.
fn start_generated(conf: &str, hba: &str) -> Cluster {
    let pg = Cluster::init();
    let conf_path = pg.install("postgresql.conf", conf);
    let hba_path = pg.install("pg_hba.conf", hba);
    let hba_arg = hba_path.display().to_string();
    if let Err(log) = pg.start_with(Some(&conf_path), &[("hba_file", &hba_arg)]) {
        panic!("PostgreSQL 15 refuses the generated config:\n{log}\n--- postgresql.conf\n{conf}");
    }
    pg
}

fn assert_server_reports(pg: &Cluster, conf: &str) {
    let mut checked = 0;
    for (key, value) in settings(conf) {
        // The harness sets these to its own paths and port.
        if matches!(key.as_str(), "hba_file" | "port") {
            continue;
        }
        assert_eq!(pg.psql("postgres", &format!("SHOW {key}")), value, "SHOW {key}");
        checked += 1;
    }
    assert!(checked >= 15, "the file sets the tuned values ({checked} checked)");
}

fn postgres_files(c: &Compiled) -> Vec<(String, String)> {
    let confs = files(c, "/postgresql.conf");
    let hbas = files(c, "/pg_hba.conf");
    assert_eq!(confs.len(), hbas.len());
    confs.into_iter().zip(hbas).map(|((_, conf), (_, hba))| (conf, hba)).collect()
}

#[test]
fn postgres_15_starts_with_every_generated_config_and_reports_its_values() {
    let odoo = reference("odoo-dedicated");
    let pairs = postgres_files(&odoo);
    assert_eq!(pairs.len(), 1, "odoo-dedicated has one PostgreSQL service");
    for (conf, hba) in pairs {
        assert!(conf.contains("listen_addresses = '*'"), "other containers must reach it");
        let pg = start_generated(&conf, &hba);
        assert_server_reports(&pg, &conf);
        assert_eq!(pg.psql("postgres", "SHOW listen_addresses"), "*");
    }
}

/// PostgreSQL on a host of its own (blueprints/odoo-scale-out.yaml): the
/// server starts with the generated files, and its own parse of
/// pg_hba.conf (`pg_hba_file_rules`) admits exactly the two application
/// hosts' private addresses, each as a /32, for the role `odoo` and the
/// environments' databases (and `postgres`) only, with SCRAM.
#[test]
fn postgres_for_other_hosts_admits_exactly_their_addresses() {
    let scale_out = reference("odoo-scale-out");
    let pairs = postgres_files(&scale_out);
    assert_eq!(pairs.len(), 1, "one PostgreSQL service, on `db`");
    let (conf, hba) = pairs.into_iter().next().unwrap();
    assert!(conf.contains("listen_addresses = '*'"), "the published port reaches the container's address");
    let pg = start_generated(&conf, &hba);
    assert_server_reports(&pg, &conf);
    let errors = pg.psql("postgres", "SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL");
    assert_eq!(errors, "0", "PostgreSQL parses every line of\n{hba}");
    let private = pg.psql(
        "postgres",
        "SELECT address || '/' || netmask || ' ' || array_to_string(database, ',') || ' ' \
         || array_to_string(user_name, ',') || ' ' || auth_method FROM pg_hba_file_rules \
         WHERE address LIKE '10.%' ORDER BY line_number",
    );
    assert_eq!(
        private,
        "10.0.2.11/255.255.255.255 odoo_prod,odoo_test,postgres odoo scram-sha-256\n\
         10.0.2.12/255.255.255.255 odoo_prod,odoo_test,postgres odoo scram-sha-256"
    );
    // Nothing else from outside the host: the compose network, its IPv6 twin and the socket.
    let others =
        pg.psql("postgres", "SELECT count(*) FROM pg_hba_file_rules WHERE address NOT LIKE '10.%' OR address IS NULL");
    assert_eq!(others, "3");
}

/// The reference pins PostgreSQL 16; gen applies PGTune's version gates for
/// the pinned major. Re-pinned to 15, the output for 15 must start too.
#[test]
fn postgres_15_starts_with_the_config_tuned_for_15() {
    let dir = project();
    let path = dir.path().join("blueprints/odoo-dedicated.yaml");
    let text = std::fs::read_to_string(&path).unwrap().replace("postgres:16.10-alpine", "postgres:15.14-alpine");
    std::fs::write(&path, text).unwrap();
    let c = compiled(&path);
    for (conf, hba) in postgres_files(&c) {
        assert!(conf.contains("PostgreSQL 15,"), "tuned for 15");
        let pg = start_generated(&conf, &hba);
        assert_server_reports(&pg, &conf);
    }
}

fn spawn_sleeper(pg: &Cluster, user: &str) -> Child {
    pg.as_postgres(&format!("{}/psql", crate::common::postgres::BIN))
        .args(["-X", "-q", "-U", user, "-d", "postgres", "-c", "SELECT pg_sleep(3600)"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("psql starts")
}

/// Backends of `user` in this cluster, counted from the process titles of
/// the postmaster's children (`postgres: odoo postgres [local] …`), so that
/// counting takes no connection slot itself.
fn connected(user: &str, data: &std::path::Path) -> usize {
    let pid_file = std::fs::read_to_string(data.join("postmaster.pid")).unwrap();
    let postmaster = pid_file.lines().next().unwrap().trim().to_string();
    let prefix = format!("postgres: {user} ");
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            // /proc/PID/stat: "PID (comm) STATE PPID …"; comm may hold spaces.
            std::fs::read_to_string(e.path().join("stat")).ok().is_some_and(|stat| {
                stat.rsplit_once(')')
                    .and_then(|(_, rest)| rest.split_whitespace().nth(1).map(|p| p == postmaster))
                    .unwrap_or(false)
            })
        })
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .filter(|cmd| String::from_utf8_lossy(cmd).starts_with(&prefix))
        .count()
}

/// Waits until `n` sessions of `user` are connected, or one client died.
fn wait_for(pg: &Cluster, user: &str, n: usize, clients: &mut [Child]) {
    let start = Instant::now();
    while connected(user, &pg.data) < n {
        for c in clients.iter_mut() {
            if let Some(status) = c.try_wait().unwrap() {
                let mut err = String::new();
                std::io::Read::read_to_string(c.stderr.as_mut().unwrap(), &mut err).unwrap();
                panic!("a client could not connect ({status}): {err}");
            }
        }
        assert!(start.elapsed() < Duration::from_secs(180), "{n} connections did not come up");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every Odoo pool full at once (the derived worst case) connects as the
/// application role; the server then still has exactly the slots the budget
/// left over, and the next client is refused because the rest are reserved.
#[test]
fn the_derived_worst_case_of_connections_connects() {
    let odoo = reference("odoo-dedicated");
    let plan = &odoo.plan.hosts[0].postgres[0];
    let worst = plan.budget.worst_case as usize;
    let max = plan.budget.max_connections.value as usize;
    let reserved = plan.budget.superuser_reserved as usize;
    assert!(worst + reserved <= max, "the reference budget fits");
    let (conf, hba) = postgres_files(&odoo).remove(0);
    let pg = start_generated(&conf, &hba);
    // Not a superuser, as Odoo should be: only unreserved slots are open to it.
    pg.psql("postgres", "CREATE ROLE odoo LOGIN");
    let mut clients: Vec<Child> = (0..worst).map(|_| spawn_sleeper(&pg, "odoo")).collect();
    wait_for(&pg, "odoo", worst, &mut clients);
    // Fill what the budget left over; the next one must be refused.
    let unreserved = max - reserved;
    clients.extend((worst..unreserved).map(|_| spawn_sleeper(&pg, "odoo")));
    wait_for(&pg, "odoo", unreserved, &mut clients);
    let refused = pg.psql_as("odoo", "postgres", "SELECT 1");
    assert!(!refused.status.success(), "max_connections {max} admits no more than {unreserved} for odoo");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("reserved"), "{refused:?}");
    for mut c in clients {
        let _ = c.kill();
        let _ = c.wait();
    }
}

const PARSE_LIKE_ODOO: &str = r#"
import configparser, json, sys
table = set(json.loads(sys.argv[2]))
p = configparser.RawConfigParser()   # what odoo/tools/config.py uses; duplicate keys are errors
p.read_file(open(sys.argv[1]))
assert p.sections() == ["options"], p.sections()
unknown = [k for k in p.options("options") if k not in table]
assert not unknown, unknown
for k, v in p.items("options"):
    assert v == v.strip() and "\n" not in v, (k, v)
print(len(p.options("options")))
"#;

/// `text` (an odoo.conf) parses like Odoo's own config reader and names
/// options of Odoo's table only.
fn parses_like_odoo(path: &str, text: &str) {
    let table: Vec<&str> = gen::components::odoo::resolve::options::OPTIONS.iter().map(|o| o.name).collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("odoo.conf");
    std::fs::write(&file, text).unwrap();
    let out = Command::new("python3")
        .args(["-c", PARSE_LIKE_ODOO])
        .arg(&file)
        .arg(serde_json::to_string(&table).unwrap())
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "{path}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn every_odoo_conf_parses_like_odoo_and_uses_known_options() {
    let odoo = reference("odoo-dedicated");
    let confs = files(&odoo, ".conf.in");
    assert_eq!(confs.len(), 3, "prod, test, dev");
    for (path, text) in confs {
        parses_like_odoo(path, &text);
        for line in text.lines().filter(|l| l.contains('=') && !l.starts_with(';')) {
            assert!(line.split_once(" = ").is_some_and(|(k, _)| !k.contains(' ')), "{path}: `key = value`: {line}");
        }
        for bool_key in ["list_db", "proxy_mode"] {
            let line = text.lines().find(|l| l.starts_with(&format!("{bool_key} = "))).unwrap();
            assert!(line.ends_with("True") || line.ends_with("False"), "{path}: {line}");
        }
        assert!(text.contains("admin_passwd = ${ODOO_ADMIN_PASSWD}"), "{path}: the secret is named, not written");
    }
}

/// The scale-out's odoo.conf files parse like Odoo's own and use known
/// options; each points at the database host's private address, and only
/// the first application host runs Odoo's cron.
#[test]
fn scale_out_odoo_confs_point_at_the_database_host() {
    let c = reference("odoo-scale-out");
    let confs = files(&c, ".conf.in");
    assert_eq!(confs.len(), 4, "prod and test on each of two hosts");
    for (path, text) in confs {
        parses_like_odoo(path, &text);
        assert!(text.contains("\ndb_host = 10.0.2.20\ndb_port = 5432\n"), "{path}");
        let cron = if path.contains("/odoo-2/") { "max_cron_threads = 0" } else { "max_cron_threads = " };
        assert!(text.contains(cron), "{path}");
        if path.contains("/odoo-1/") {
            assert!(!text.contains("max_cron_threads = 0"), "{path}: odoo-1 runs the cron");
        }
    }
}

/// The script the host runs: shellcheck-clean, and its hash verifies with
/// passlib's pbkdf2_sha512 (Odoo's own check) against the secret, which
/// appears nowhere in the rendered files.
#[test]
fn render_config_writes_a_hash_that_odoo_accepts() {
    let odoo = reference("odoo-dedicated");
    let (path, script) = files(&odoo, "odoo/render-config.sh").remove(0);
    let stack = tempfile::tempdir().unwrap();
    std::fs::create_dir(stack.path().join("odoo")).unwrap();
    for (p, text) in files(&odoo, ".conf.in") {
        let name = p.rsplit('/').next().unwrap();
        std::fs::write(stack.path().join("odoo").join(name), text).unwrap();
    }
    let script_path = stack.path().join("odoo/render-config.sh");
    std::fs::write(&script_path, &script).unwrap();
    let check = Command::new("shellcheck").args(["-S", "warning"]).arg(&script_path).output().expect("shellcheck runs");
    assert!(check.status.success(), "{path}: {}", String::from_utf8_lossy(&check.stdout));

    let secret = "s3cr3t 'with' $pecial \"chars\"";
    std::fs::write(stack.path().join(".env"), format!("POSTGRES_PASSWORD=x\nODOO_ADMIN_PASSWD={secret}\n")).unwrap();
    let run = || {
        let out = Command::new("bash").arg(&script_path).output().expect("bash runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    assert_eq!(run().matches("wrote").count(), 3);
    let prod = std::fs::read_to_string(stack.path().join("odoo/prod.conf")).unwrap();
    assert!(!prod.contains("s3cr3t"), "the password is never written");
    let hash = prod.lines().find_map(|l| l.strip_prefix("admin_passwd = ")).unwrap().to_string();
    // Debian's python3-passlib: the library and scheme Odoo 17 verifies with.
    let verify = Command::new("/usr/bin/python3")
        .args([
            "-c",
            "import sys; from passlib.hash import pbkdf2_sha512 as h; sys.exit(0 if h.verify(sys.stdin.read(), sys.argv[1]) else 1)",
            &hash,
        ])
        .stdin(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            std::io::Write::write_all(child.stdin.as_mut().unwrap(), secret.as_bytes())?;
            child.wait()
        })
        .expect("python3-passlib is installed (scripts/test.sh installs it)");
    assert!(verify.success(), "passlib verifies {hash}");
    // A second run with the same secret changes nothing.
    assert_eq!(run().matches("unchanged").count(), 3);
    assert_eq!(std::fs::read_to_string(stack.path().join("odoo/prod.conf")).unwrap(), prod);
}
