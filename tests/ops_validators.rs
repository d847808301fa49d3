//! The real validators on the backup, health-check and monitoring artifacts:
//! bash -n and shellcheck on every script, `systemd-analyze verify` on the
//! units in a throwaway root, Debian's `crontab -n` and croniter on cron.d,
//! and promtool on prometheus.yml and the alert rules, including a
//! `promtool test rules` run that proves each alert fires.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{built, require};
use crate::validators::find;

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?} runs: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

fn files_under(root: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name().to_string_lossy().ends_with(suffix))
        .map(|e| e.path().to_path_buf())
        .collect();
    found.sort();
    found
}

/// The reference blueprints with the Odoo backups scheduled by cron.
fn with_cron(name: &str, text: String) -> String {
    if name == "odoo-dedicated" {
        text.replace("backup:\n  host: ax52\n", "backup:\n  host: ax52\n  scheduler: cron\n")
    } else {
        text
    }
}

#[test]
fn ops_scripts_pass_bash_and_shellcheck() {
    require("shellcheck");
    let dir = built(|_, t| t);
    let scripts = files_under(&dir.path().join("out"), ".sh");
    let names: Vec<String> = scripts.iter().map(|p| p.file_name().unwrap().to_string_lossy().to_string()).collect();
    for expected in [
        "backup.sh",
        "offsite.sh",
        "offsite-init.sh",
        "restore-db.sh",
        "restore-files.sh",
        "restore-tree.sh",
        "health-check.sh",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} is generated: {names:?}");
    }
    for script in &scripts {
        let (ok, text) = run(Command::new("bash").arg("-n").arg(script));
        assert!(ok, "bash -n {}: {text}", script.display());
        // -x with the scripts' source-path directive follows `. common.sh`.
        let (ok, text) = run(Command::new("shellcheck")
            .args(["-x", "-S", "warning", "-f", "gcc"])
            .arg(script.file_name().unwrap())
            .current_dir(script.parent().unwrap()));
        assert!(ok && text.is_empty(), "shellcheck {}:\n{text}", script.display());
    }
}

/// `systemd-analyze verify` of a host's units in a throwaway root (overlay
/// of `/` in private namespaces) holding the host's rootfs and, when asked,
/// a stub docker.service. Returns (rc 0, output).
fn verify_units(rootfs: &Path, units: &[String], stub_docker: bool) -> (bool, String) {
    let stub = if stub_docker {
        "printf '[Unit]\\nDescription=stub\\n[Service]\\nExecStart=/bin/true\\n' > $T/r/etc/systemd/system/docker.service;"
    } else {
        "rm -f $T/r/etc/systemd/system/docker.service $T/r/lib/systemd/system/docker.service;"
    };
    let script = format!(
        "set -e; T=$(mktemp -d); mount -t tmpfs t $T; mkdir $T/u $T/w $T/r; \
         mount -t overlay o -o lowerdir=/,upperdir=$T/u,workdir=$T/w $T/r; mount --rbind /dev $T/r/dev; \
         mount -t proc p $T/r/proc; cp -a {}/. $T/r/; {stub} \
         chroot $T/r sh -c 'cd /etc/systemd/system && systemd-analyze verify --man=no --generators=no {}'",
        rootfs.display(),
        units.join(" ")
    );
    run(Command::new("unshare").args(["--mount", "--pid", "--fork", "sh", "-c", &script]))
}

#[test]
fn systemd_units_verify_in_a_throwaway_root() {
    require("systemd-analyze");
    require("unshare");
    let dir = built(|_, t| t);
    let out = dir.path().join("out");
    let mut hosts = 0;
    for rootfs in find(&out, "rootfs") {
        let units_dir = rootfs.join("etc/systemd/system");
        let units: Vec<String> = files_under(&units_dir, "")
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
            .filter(|n| n.ends_with(".service") || n.ends_with(".timer"))
            .collect();
        if units.is_empty() {
            continue;
        }
        hosts += 1;
        let (ok, text) = verify_units(&rootfs, &units, true);
        // systemd-analyze exits 0 on ignored bad lines: any output is a failure.
        assert!(ok && text.trim().is_empty(), "systemd-analyze verify {units:?} on {}:\n{text}", rootfs.display());
        // One service per timer; the only service without a timer is the VPN's DNS daemon.
        for timer in units.iter().filter(|u| u.ends_with(".timer")) {
            assert!(units.contains(&timer.replace(".timer", ".service")), "{timer} without its service: {units:?}");
        }
        for service in units.iter().filter(|u| u.ends_with(".service")) {
            assert!(
                units.contains(&service.replace(".service", ".timer")) || service.ends_with("-vpn-dns.service"),
                "{service} without a timer: {units:?}"
            );
        }
    }
    assert_eq!(hosts, crate::common::host_count(), "units on every host");
    // The check can fail: without docker.service the backup unit's dependency is missing.
    let ax52 = out.join("odoo-dedicated/hosts/ax52/rootfs");
    let (ok, text) = verify_units(&ax52, &["odoo-backup.service".into()], false);
    assert!(!ok || !text.trim().is_empty(), "verify notices a missing docker.service");
}

#[test]
fn timers_run_local_backup_then_offsite_in_utc() {
    let dir = built(|_, t| t);
    let units = dir.path().join("out/odoo-dedicated/hosts/ax52/rootfs/etc/systemd/system");
    let read = |name: &str| std::fs::read_to_string(units.join(name)).unwrap();
    for (timer, at) in [("odoo-backup.timer", "02:00"), ("odoo-offsite.timer", "05:00")] {
        let text = read(timer);
        assert!(text.contains(&format!("OnCalendar=*-*-* {at}:00 UTC\n")), "{text}");
        assert!(text.contains("Persistent=true\n"), "{text}");
    }
    assert!(read("odoo-offsite.service").contains("After=network-online.target odoo-backup.service"));
    assert!(read("odoo-health.timer").contains("OnUnitActiveSec=5min"));
}

#[test]
fn cron_d_entries_pass_crontab_and_croniter() {
    require("crontab");
    // Debian's python3, which python3-croniter installs into (not a pyenv shim).
    require("/usr/bin/python3");
    let dir = built(with_cron);
    let rootfs = dir.path().join("out/odoo-dedicated/hosts/ax52/rootfs");
    assert!(!rootfs.join("etc/systemd/system/odoo-backup.timer").exists(), "cron replaces the timers");
    let file = rootfs.join("etc/cron.d/odoo-ops");
    let text = std::fs::read_to_string(&file).expect("cron.d file");
    let jobs: Vec<&str> =
        text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty() && !l.contains('=')).collect();
    assert_eq!(jobs.len(), 3, "backup, offsite, health:\n{text}");
    insta::with_settings!({snapshot_path => crate::common::repo().join("tests/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("odoo-dedicated__cron.d__odoo-ops", text);
    });
    // crontab -n takes the user format: drop cron.d's user field (the 6th).
    let user_format: String = text
        .lines()
        .map(|l| {
            if jobs.contains(&l) {
                let fields: Vec<&str> = l.splitn(7, ' ').collect();
                assert_eq!(fields[5], "root", "{l}");
                format!("{} {}", fields[..5].join(" "), fields[6])
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    let user_file = dir.path().join("crontab.user");
    std::fs::write(&user_file, &user_format).unwrap();
    let (ok, out) = run(Command::new("crontab").arg("-n").arg(&user_file));
    assert!(ok, "crontab -n:\n{out}\n{user_format}");
    let schedules: Vec<String> = jobs.iter().map(|l| l.split(' ').take(5).collect::<Vec<_>>().join(" ")).collect();
    assert_eq!(schedules, ["0 2 * * *", "0 5 * * *", "*/5 * * * *"]);
    let check = "import sys\nfrom croniter import croniter\nsys.exit(0 if all(croniter.is_valid(s) for s in sys.argv[1:]) else 1)";
    let (ok, out) = run(Command::new("/usr/bin/python3").arg("-c").arg(check).args(&schedules));
    assert!(ok, "croniter rejects {schedules:?}: {out}");
    // The validator can fail.
    std::fs::write(&user_file, "0 25 * * * /bin/true\n").unwrap();
    assert!(!run(Command::new("crontab").arg("-n").arg(&user_file)).0, "crontab -n rejects hour 25");
}

#[test]
fn prometheus_config_and_rules_pass_promtool() {
    require("promtool");
    let dir = built(|_, t| t);
    let configs = find(&dir.path().join("out"), "prometheus.yml");
    assert_eq!(configs.len(), crate::common::host_count(), "one per host");
    for config in &configs {
        let (ok, text) = run(Command::new("promtool").arg("check").arg("config").arg(config));
        assert!(ok, "promtool check config {}:\n{text}", config.display());
        let rules = config.with_file_name("alerts.yml");
        let (ok, text) = run(Command::new("promtool").arg("check").arg("rules").arg(&rules));
        assert!(ok, "promtool check rules {}:\n{text}", rules.display());
    }
}

/// Series that break every rule, and the alerts that must fire on them.
const RULE_TESTS: &str = r#"rule_files:
  - alerts.yml
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'up{job="node", instance="node_exporter:9100"}'
        values: '0x10'
      - series: 'node_filesystem_avail_bytes{fstype="ext4", mountpoint="/mnt/backups"}'
        values: '10x20'
      - series: 'node_filesystem_size_bytes{fstype="ext4", mountpoint="/mnt/backups"}'
        values: '100x20'
      - series: 'node_md_disks_required{device="md0"}'
        values: '2x5'
      - series: 'node_md_disks{device="md0", state="active"}'
        values: '1x5'
      - series: 'container_start_time_seconds{name="odoo-prod"}'
        values: '100 200 300 400 500 600 700 800 900 1000'
      - series: 'backup_last_success_timestamp_seconds'
        values: '0x20'
    alert_rule_test:
      - eval_time: 6m
        alertname: HostDown
        exp_alerts:
          - exp_labels: {severity: critical, job: node, instance: "node_exporter:9100"}
            exp_annotations: {summary: "node (node_exporter:9100) does not answer scrapes"}
      - eval_time: 15m
        alertname: DiskFull
        exp_alerts:
          - exp_labels: {severity: warning, fstype: ext4, mountpoint: /mnt/backups}
            exp_annotations: {summary: "/mnt/backups is 90 % full"}
      - eval_time: 3m
        alertname: RaidDegraded
        exp_alerts:
          - exp_labels: {severity: critical, device: md0}
            exp_annotations: {summary: "md array md0 is degraded"}
      - eval_time: 9m
        alertname: ContainerRestartLoop
        exp_alerts:
          - exp_labels: {severity: critical, name: odoo-prod}
            exp_annotations: {summary: "container odoo-prod restarted 9 times in 15 minutes"}
"#;

#[test]
fn alert_rules_fire_on_broken_series() {
    require("promtool");
    let dir = built(|_, t| t);
    let monitoring = dir.path().join("out/odoo-dedicated/hosts/ax52/rootfs/opt/odoo/monitoring");
    let tests = monitoring.join("tests.yml");
    std::fs::write(&tests, RULE_TESTS).unwrap();
    let (ok, text) = run(Command::new("promtool").args(["test", "rules"]).arg(&tests));
    assert!(ok, "promtool test rules:\n{text}");
    // The backup is 27 h old at eval time 1d3h+1m with a 27 h RPO: it fires then, not before.
    let age = "rule_files:\n  - alerts.yml\nevaluation_interval: 1m\ntests:\n  - interval: 1h\n    input_series:\n      - series: 'backup_last_success_timestamp_seconds'\n        values: '0x40'\n    alert_rule_test:\n      - eval_time: 26h\n        alertname: BackupTooOld\n        exp_alerts: []\n      - eval_time: 28h\n        alertname: BackupTooOld\n        exp_alerts:\n          - exp_labels: {severity: critical}\n            exp_annotations: {summary: \"the last good local backup is 1d 4h 0m 0s old\"}\n";
    std::fs::write(&tests, age).unwrap();
    let (ok, text) = run(Command::new("promtool").args(["test", "rules"]).arg(&tests));
    assert!(ok, "promtool test rules (backup age):\n{text}");
}

#[test]
fn monitoring_is_reachable_from_loopback_only() {
    let dir = built(|_, t| t);
    for compose in find(&dir.path().join("out"), "docker-compose.yml") {
        let doc: serde_yaml::Value = serde_yaml::from_str(&std::fs::read_to_string(&compose).unwrap()).unwrap();
        for name in ["prometheus", "node_exporter", "cadvisor"] {
            let service = &doc["services"][name];
            assert!(service.is_mapping(), "{name} in {}", compose.display());
            let image = service["image"].as_str().unwrap();
            assert!(image.contains(":v"), "{name} is pinned to a version: {image}");
            if let Some(ports) = service["ports"].as_sequence() {
                for p in ports {
                    assert!(p.as_str().unwrap().starts_with("127.0.0.1:"), "{name} publishes {p:?}");
                }
            }
        }
    }
}

/// journald has no config validator: each key must be one the installed
/// systemd-journald parses (its gperf table names `Journal.<Key>`), and each
/// time value must pass `systemd-analyze timespan`.
#[test]
fn journald_retention_drop_ins_use_known_keys_and_timespans() {
    require("systemd-analyze");
    let journald = std::fs::read("/lib/systemd/systemd-journald").expect("systemd-journald is installed");
    let dir = built(|_, t| t);
    let files = files_under(&dir.path().join("out"), "-retention.conf");
    assert_eq!(files.len(), crate::common::host_count(), "one per host");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("\n[Journal]\n"), "{text}");
        let settings: Vec<(&str, &str)> = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with('['))
            .filter_map(|l| l.split_once('='))
            .collect();
        assert!(!settings.is_empty(), "{text}");
        for (key, value) in settings {
            let known = format!("Journal.{key}");
            assert!(journald.windows(known.len()).any(|w| w == known.as_bytes()), "journald does not know {key}");
            if key.ends_with("Sec") {
                let (ok, out) = run(Command::new("systemd-analyze").args(["timespan", value]));
                assert!(ok, "{key}={value}: {out}");
            }
        }
        // The Odoo references keep 90 days (their plan's figure), every other blueprint 30.
        let odoo = ["/out/odoo-dedicated/", "/out/odoo-scale-out/"];
        let days = if odoo.iter().any(|o| file.to_string_lossy().contains(o)) { "90day" } else { "30day" };
        assert!(text.contains(&format!("MaxRetentionSec={days}\n")), "the blueprint's retention: {text}");
    }
}

/// The e-mail variant of the health check (no reference blueprint uses it).
#[test]
fn email_alerts_variant_passes_shellcheck() {
    require("shellcheck");
    let dir = built(|name, t| {
        if name == "odoo-dedicated" {
            t.replace(
                "webhook: {kind: telegram, token_secret: TELEGRAM_BOT_TOKEN, to: \"-1001234567890\"}",
                "webhook: {kind: email, token_secret: TELEGRAM_BOT_TOKEN, to: ops@example.com, relay: \"smtps://alerts@mail.example.com:465\"}",
            )
        } else {
            t
        }
    });
    let script = dir.path().join("out/odoo-dedicated/hosts/ax52/rootfs/opt/odoo/ops/health-check.sh");
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(text.contains("--mail-rcpt") && text.contains("smtps://alerts@mail.example.com:465"), "{text}");
    let (ok, out) = run(Command::new("shellcheck")
        .args(["-x", "-S", "warning", "-f", "gcc", "health-check.sh"])
        .current_dir(script.parent().unwrap()));
    assert!(ok && out.is_empty(), "{out}");
    assert!(run(Command::new("bash").arg("-n").arg(&script)).0);
}
