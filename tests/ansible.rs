//! The Ansible rollout (out/<name>/ansible/) under Debian's ansible-core:
//! `ansible-inventory --list` and `ansible-playbook --syntax-check` on every
//! project, shellcheck on the playbook's container check, and the playbook
//! itself run on this machine (local connection, fake install.sh scripts,
//! the tree copied into a temporary directory): `--check` writes nothing,
//! the rollout goes host by host and stops at the first failure. The
//! deployment harness runs it over SSH against simulated hosts
//! (tests/e2e/scenarios/rollout.sh).

use std::path::Path;
use std::process::{Command, Output};

use crate::common::{built, require};

fn ansible(dir: &Path, program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_HOST_KEY_CHECKING", "False")
        .env("ANSIBLE_RETRY_FILES_ENABLED", "False")
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"))
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn projects(out: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(out)
        .expect("out/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn ansible_accepts_every_inventory_and_playbook() {
    require("ansible-inventory");
    require("ansible-playbook");
    require("shellcheck");
    let dir = built(|_, t| t);
    let out = dir.path().join("out");
    let names = projects(&out);
    assert!(names.len() >= 5, "{names:?}");
    for name in &names {
        let ansible_dir = out.join(name).join("ansible");
        let listed = ansible(&ansible_dir, "ansible-inventory", &["-i", "inventory.yml", "--list"]);
        assert!(listed.status.success(), "{name}: ansible-inventory --list:\n{}", text(&listed));
        assert!(!text(&listed).contains("[WARNING]"), "{name}: ansible-inventory warns:\n{}", text(&listed));
        let inv: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("--list prints JSON");
        let hostvars = inv["_meta"]["hostvars"].as_object().expect("hostvars");
        let blueprint = std::fs::read_to_string(dir.path().join("blueprints").join(format!("{name}.yaml"))).unwrap();
        let bp: serde_yaml::Value = serde_yaml::from_str(&blueprint).unwrap();
        let hosts: Vec<&str> = bp["hosts"].as_sequence().unwrap().iter().map(|h| h["name"].as_str().unwrap()).collect();
        let mut listed_hosts: Vec<&str> = hostvars.keys().map(String::as_str).collect();
        listed_hosts.sort_unstable();
        let mut expected = hosts.clone();
        expected.sort_unstable();
        assert_eq!(listed_hosts, expected, "{name}: every host of the blueprint, no other");
        for h in &hosts {
            let vars = &hostvars[*h];
            assert!(vars["location"].is_string(), "{name}/{h}: location");
            assert!(vars["ansible_host"].as_str().unwrap().contains("gen_addresses"), "{name}/{h}: ansible_host");
            assert!(vars["gen_probes"].is_array(), "{name}/{h}: gen_probes");
            let location = vars["location"].as_str().unwrap();
            let group = format!("location_{location}");
            assert!(inv[&group]["hosts"].as_array().is_some_and(|a| a.iter().any(|x| x == h)), "{name}/{h}: {group}");
        }

        let syntax =
            ansible(&ansible_dir, "ansible-playbook", &["-i", "inventory.yml", "--syntax-check", "rollout.yml"]);
        assert!(syntax.status.success(), "{name}: ansible-playbook --syntax-check:\n{}", text(&syntax));
        assert!(!text(&syntax).contains("[WARNING]"), "{name}: the syntax check warns:\n{}", text(&syntax));

        // The container check the playbook runs on each host, under shellcheck.
        let playbook: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(ansible_dir.join("rollout.yml")).unwrap()).unwrap();
        let check = match &playbook[0]["vars"]["gen_containers_check"] {
            serde_yaml::Value::Tagged(t) if t.tag == "!unsafe" => t.value.as_str().expect("a string").to_string(),
            other => panic!("{name}: gen_containers_check is `!unsafe` (Ansible must not template it): {other:?}"),
        };
        let script = dir.path().join(format!("{name}-containers-check.sh"));
        std::fs::write(&script, format!("#!/bin/bash\n{check}")).unwrap();
        let sc = Command::new("shellcheck").arg("-S").arg("style").arg(&script).output().expect("shellcheck runs");
        assert!(sc.status.success(), "{name}: the container check:\n{}", text(&sc));
    }
}

#[test]
fn the_inventory_carries_the_addresses_groups_and_the_load_balancers_check() {
    require("ansible-inventory");
    let dir = built(|_, t| t);
    let listed = ansible(
        &dir.path().join("out/hetzner-websites/ansible"),
        "ansible-inventory",
        &["-i", "inventory.yml", "--list"],
    );
    assert!(listed.status.success(), "{}", text(&listed));
    let inv: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let app1 = &inv["_meta"]["hostvars"]["app-1"];
    assert_eq!(app1["private_ip"], "10.0.1.11");
    assert_eq!(app1["network_zone"], "eu-central");
    assert_eq!(app1["ansible_user"], "ops");
    assert_eq!(app1["gen_containers"], true);
    // What the load balancer probes (infra/main.tf.json: port 80, /health, over the private network).
    assert_eq!(app1["gen_probes"][0]["url"], "http://10.0.1.11:80/health");
    for group in ["role_websites", "lb_web_lb", "location_nbg1", "zone_eu_central", "kind_cloud"] {
        let members = inv[group]["hosts"].as_array().unwrap_or_else(|| panic!("group {group}"));
        assert_eq!(members.len(), 2, "{group}");
    }
    let odoo = ansible(
        &dir.path().join("out/odoo-dedicated/ansible"),
        "ansible-inventory",
        &["-i", "inventory.yml", "--list"],
    );
    let inv: serde_json::Value = serde_json::from_slice(&odoo.stdout).unwrap();
    for group in ["role_odoo", "role_postgres", "role_vpn", "kind_dedicated"] {
        assert_eq!(inv[group]["hosts"], serde_json::json!(["ax52"]), "{group}");
    }
    // No load balancer: nginx's catch-all on the host.
    assert_eq!(inv["_meta"]["hostvars"]["ax52"]["gen_probes"][0]["url"], "http://127.0.0.1:80/health");
}

#[test]
fn ansible_playbook_rejects_a_broken_playbook() {
    require("ansible-playbook");
    let dir = built(|_, t| t);
    let ansible_dir = dir.path().join("out/odoo-small/ansible");
    let playbook = ansible_dir.join("rollout.yml");
    let text_before = std::fs::read_to_string(&playbook).unwrap();
    std::fs::write(&playbook, text_before.replacen("ansible.builtin.command:", "ansible.builtin.commandd:", 1))
        .unwrap();
    let syntax = ansible(&ansible_dir, "ansible-playbook", &["-i", "inventory.yml", "--syntax-check", "rollout.yml"]);
    assert!(!syntax.status.success(), "an unknown module must fail the syntax check");
}

/// The generated playbook on this machine: a local connection in place of
/// SSH, each host's install.sh replaced by one that logs its host (or, for
/// the first host, fails), the tree copied under a temporary directory.
#[test]
fn the_playbook_dry_runs_then_rolls_out_host_by_host_and_stops_at_the_first_failure() {
    require("ansible-playbook");
    let dir = built(|_, t| t);
    let project = dir.path().join("out/hetzner-websites");
    let log = dir.path().join("install.log");
    let tree = dir.path().join("host-tree");
    let fake = |host: &str, rc: u8| {
        let script = format!("#!/bin/sh\necho \"{host} $(date +%s%N)\" >> '{}'\nexit {rc}\n", log.display());
        std::fs::write(project.join(format!("hosts/{host}/install.sh")), script).unwrap();
    };
    fake("app-1", 0);
    fake("app-2", 0);
    let extra = serde_json::json!({
        "ansible_connection": "local",
        "ansible_become": false,
        "gen_tree": tree.display().to_string(),
        "gen_containers": false,
        "gen_probes": [],
    })
    .to_string();
    let run = |check: bool| {
        let mut args = vec!["-i", "inventory.yml", "rollout.yml", "-e", extra.as_str()];
        if check {
            args.push("--check");
        }
        ansible(&project.join("ansible"), "ansible-playbook", &args)
    };

    let dry = run(true);
    assert!(dry.status.success(), "--check:\n{}", text(&dry));
    assert!(text(&dry).contains("changed: [app-1]"), "the dry run reports what it would copy:\n{}", text(&dry));
    assert!(!tree.exists(), "--check wrote {}", tree.display());
    assert!(!log.exists(), "--check ran install.sh");

    let real = run(false);
    assert!(real.status.success(), "rollout:\n{}", text(&real));
    let lines = std::fs::read_to_string(&log).unwrap();
    let order: Vec<&str> = lines.lines().map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(order, ["app-1", "app-2"], "one host after the other, in the inventory's order");
    for host in ["app-1", "app-2"] {
        let copied = tree.join(format!("hosts/{host}/rootfs/opt/websites/docker-compose.yml"));
        assert!(copied.is_file(), "{} copied", copied.display());
    }
    assert!(tree.join("MANIFEST.sha256").is_file() && tree.join("MODES").is_file());

    // app-1's install fails: app-2 is not touched.
    std::fs::remove_dir_all(&tree).unwrap();
    std::fs::remove_file(&log).unwrap();
    fake("app-1", 1);
    let failed = run(false);
    assert!(!failed.status.success(), "a failed install.sh fails the rollout:\n{}", text(&failed));
    assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 1, "only app-1's install ran");
    assert!(!tree.join("hosts/app-2").exists(), "app-2 was touched after app-1 failed");
}
