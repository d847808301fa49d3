//! `gen plan BLUEPRINT --base REV` in a real git repository: what a deploy
//! does per host (files, install.sh's actions, compose services) and which
//! server Terraform would replace; and the preview's table of actions
//! against the action_for() of every generated install.sh.

use std::process::Command;

use crate::common::{built, project, Gen};
use crate::report::git;

const WEBSITES: &str = "blueprints/hetzner-websites.yaml";

/// A project whose blueprints are committed; `edit` then changes the
/// websites blueprint in the working tree.
fn changed(edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let p = project();
    git(p.path(), &["init", "-q", "-b", "main"]);
    git(p.path(), &["add", "-A"]);
    git(p.path(), &["commit", "-q", "-m", "base"]);
    let path = p.path().join(WEBSITES);
    let text = std::fs::read_to_string(&path).expect("read");
    let new = edit(text.clone());
    assert_ne!(text, new, "the test's edit applies");
    std::fs::write(&path, new).expect("write");
    p
}

#[test]
fn a_new_admin_and_image_tag_reload_and_recreate_but_replace_no_server() {
    let p = changed(|t| {
        t.replacen(
            "      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN+qjizSnuuoecBTqNzx04mm0Hc51Nrc8p1zfpi0py2n ops\n",
            "      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN+qjizSnuuoecBTqNzx04mm0Hc51Nrc8p1zfpi0py2n ops\n  - name: alice\n    ssh_keys:\n      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0mB1Rr3r6R8x7u1qZbq6Nw5x2Yq0lJ8b6T1d2v3w4x alice\n",
            1,
        )
        .replace("image: nginx:1.28.0-alpine", "image: nginx:1.28.1-alpine")
    });
    let (stdout, stderr) = Gen::new(p.path()).args(["plan", WEBSITES, "--base", "HEAD"]).succeeds();
    assert!(
        stdout.starts_with("deploy preview: blueprints/hetzner-websites.yaml at HEAD → working tree\n"),
        "{stdout}{stderr}"
    );
    for host in ["app-1", "app-2"] {
        let section = stdout.split(&format!("host {host} (changed)\n")).nth(1).expect("host section");
        let section = section.split("\nhost ").next().unwrap().split("\ninfra/").next().unwrap();
        assert!(section.contains("  ~ /usr/local/sbin/gen-admins\n"), "{section}");
        assert!(section.contains("  ~ cloud-init.yaml (first boot only"), "{section}");
        assert!(section.contains("  compose: nginx recreated (its definition changed)"), "{section}");
        // nginx.conf changed, but the recreated container reads it anyway.
        assert!(
            section.contains("  install.sh: reload nginx (1 file; skipped: compose recreates the container)\n"),
            "{section}"
        );
    }
    assert!(stdout.contains("  info: server app-1 stays: ssh_keys"), "{stdout}");
    assert!(stdout.ends_with("no server is replaced or destroyed\n"), "{stdout}");
    // The same as JSON.
    let (json, _) = Gen::new(p.path()).args(["plan", WEBSITES, "--base", "HEAD", "--format", "json"]).succeeds();
    let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!((doc["command"].as_str(), doc["ok"].as_bool()), (Some("plan"), Some(true)), "{json}");
    let v = &doc["preview"];
    assert_eq!(v["errors"], 0);
    assert_eq!(v["hosts"][0]["host"], "app-1");
    assert_eq!(v["hosts"][0]["actions"][0]["action"], "reload nginx");
    assert_eq!(v["hosts"][0]["services"][0], serde_json::json!({ "service": "nginx", "change": "recreate" }));
}

#[test]
fn a_new_location_replaces_a_server_and_fails() {
    let p = changed(|t| {
        t.replacen("location: nbg1", "location: fsn1", 1)
            .replace("os: ubuntu-24.04", "os: ubuntu-22.04")
            .replace("type: cx33", "type: cx43")
    });
    let (stdout, _) = Gen::new(p.path()).args(["plan", WEBSITES, "--base", "HEAD"]).fails();
    assert!(stdout.contains("  error: replaces server app-1: location nbg1 → fsn1 cannot change in place"), "{stdout}");
    assert!(!stdout.contains("replaces server app-2"), "{stdout}");
    // The image is ignored for existing servers: a warning, not a replacement.
    assert!(stdout.contains("  warning: server app-2 keeps its image: image ubuntu-24.04 → ubuntu-22.04"), "{stdout}");
    assert!(stdout.contains("  warning: resizes server app-2 in place: server_type cx33 → cx43"), "{stdout}");
    assert!(stdout.ends_with("1 error: a server is replaced or destroyed\n"), "{stdout}");
}

#[test]
fn a_postgres_change_restarts_postgres_and_a_new_blueprint_is_all_new() {
    let p = project();
    git(p.path(), &["init", "-q", "-b", "main"]);
    git(p.path(), &["add", "-A"]);
    git(p.path(), &["commit", "-q", "-m", "base"]);
    // A blueprint the base did not have: every host is new.
    std::fs::copy(p.path().join("blueprints/odoo-dedicated.yaml"), p.path().join("blueprints/odoo-two.yaml")).unwrap();
    let (stdout, _) = Gen::new(p.path()).args(["plan", "blueprints/odoo-two.yaml", "--base", "HEAD"]).succeeds();
    assert!(stdout.contains("the blueprint did not exist at HEAD: every host is new\nhost ax52 (new)\n"), "{stdout}");
    // A revision that does not exist is a usage error.
    let (_, stderr) = Gen::new(p.path()).args(["plan", "blueprints/odoo-two.yaml", "--base", "no-such-rev"]).code(2);
    assert!(stderr.contains("`no-such-rev` is not a git revision"), "{stderr}");
    // Unchanged: nothing to do.
    let odoo = "blueprints/odoo-dedicated.yaml";
    let (stdout, _) = Gen::new(p.path()).args(["plan", odoo, "--base", "HEAD"]).succeeds();
    assert!(stdout.contains("host ax52 (unchanged)\n"), "{stdout}");
    assert!(!stdout.contains("install.sh:"), "{stdout}");
    // max_connections is in postgresql.conf, which PostgreSQL reads only when
    // it starts; it also sizes /dev/shm (compose recreates the container,
    // which covers the restart) and each Odoo's db_maxconn (restarts).
    let path = p.path().join(odoo);
    let text = std::fs::read_to_string(&path).unwrap().replace("max_connections: 150", "max_connections: 140");
    std::fs::write(&path, text).unwrap();
    let (stdout, _) = Gen::new(p.path()).args(["plan", odoo, "--base", "HEAD"]).succeeds();
    assert!(stdout.contains("  ~ /opt/odoo/postgres/postgres/postgresql.conf\n"), "{stdout}");
    assert!(
        stdout.contains("  install.sh: restart postgres (1 file; shared_buffers and max_connections take effect only on a restart; skipped: compose recreates the container)\n"),
        "{stdout}"
    );
    assert!(stdout.contains("  install.sh: restart odoo-prod (1 file)\n"), "{stdout}");
    assert!(stdout.contains("  compose: postgres recreated (its definition changed)\n"), "{stdout}");
}

/// For every file of every host of both references, the preview's table
/// (plan::deploy) gives the action the generated install.sh's own
/// `action_for()` gives: one table, whatever renders it.
#[test]
fn the_preview_table_agrees_with_install_sh() {
    let dir = built(|_, t| t);
    let renderer = gen::render::Renderer::new(None).expect("templates");
    for name in ["hetzner-websites", "odoo-dedicated"] {
        let path = dir.path().join(format!("blueprints/{name}.yaml"));
        let compiled = gen::compile::compile(&path, &renderer).unwrap().expect("compiles");
        for host in &compiled.plan.hosts {
            let base = dir.path().join(format!("out/{name}/hosts/{}", host.name));
            let rootfs = base.join("rootfs");
            let mut paths: Vec<String> = crate::provision::files(&rootfs, |_| true)
                .iter()
                .map(|p| format!("/{}", p.strip_prefix(&rootfs).unwrap().display()))
                .collect();
            paths.extend(["/etc/ssh/sshd_config".into(), "/etc/hosts".into()]);
            let script = r#"
eval "$(grep -m1 '^stack=' "$1")"
eval "$(sed -n '/^action_for() {/,/^}/p' "$1")"
shift
for p in "$@"; do printf '%s\t%s\n' "$p" "$(action_for "$p")"; done
"#;
            let out = Command::new("bash")
                .args(["-c", script, "bash"])
                .arg(base.join("install.sh"))
                .args(&paths)
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let shell = String::from_utf8(out.stdout).unwrap();
            let mut covered = 0;
            for line in shell.lines() {
                let (p, action) = line.split_once('\t').unwrap();
                let ours = gen::plan::deploy::rule_for(&host.changes, p).map_or("", |r| r.action.as_str());
                assert_eq!(ours, action, "{name}/{}: {p}", host.name);
                covered += usize::from(!action.is_empty());
            }
            assert!(covered >= 3, "{name}/{}: only {covered} files have an action\n{shell}", host.name);
        }
    }
}
