//! A corpus of bad blueprints. Every one fails `gen lint` with exit code 1
//! (never a panic) and diagnostics that each carry a code, a place and a hint.
//!
//! Committed cases live in `tests/fixtures/invalid/<case>.yaml`: each is
//! `base/minimal.yaml` with one defect, and its stderr is an insta snapshot.
//! Hostile inputs (binary, alias bombs, deep nesting, huge files) are
//! generated here, so the repository does not carry them.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::{repo, Gen};

const FIXTURES: &str = "tests/fixtures/invalid";

/// A bound for hangs, not a benchmark.
const LIMIT: Duration = Duration::from_secs(10);

/// A bound for blow-ups: address space the process may map (`ulimit -v`,
/// so an alias bomb aborts instead of swapping) and the peak resident set
/// it may reach (GNU time's `%M`; the issue's budget for a 1,000-site build
/// is 100 MB; the merge-key alias bomb peaks near 70 MB before serde_yaml's
/// repetition limit stops it, everything else below 30 MB).
const ADDRESS_SPACE_KIB: u64 = 1024 * 1024;
const PEAK_RSS_KIB: u64 = 100 * 1000;

/// `gen lint FILE` in `dir`: (exit code, stdout, stderr), timed and with
/// its memory capped and measured.
fn lint(dir: &Path, file: &str) -> (i32, String, String) {
    crate::common::require("/usr/bin/time");
    let rss = tempfile::NamedTempFile::new().expect("tempfile");
    let started = Instant::now();
    let out = Gen::new(dir)
        .wrapped(&[
            "sh",
            "-c",
            &format!("ulimit -v {ADDRESS_SPACE_KIB} && exec /usr/bin/time -q -f %M -o \"$0\" \"$@\""),
            &rss.path().display().to_string(),
        ])
        .args(["lint", file])
        .env("RUST_BACKTRACE", "0")
        .output();
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(elapsed < LIMIT, "`gen lint {file}` took {elapsed:?}");
    let peak: u64 = std::fs::read_to_string(rss.path())
        .ok()
        .and_then(|t| t.lines().last().and_then(|l| l.trim().parse().ok()))
        .unwrap_or_else(|| panic!("`gen lint {file}`: no peak RSS from /usr/bin/time\n{stderr}"));
    assert!(peak < PEAK_RSS_KIB, "`gen lint {file}` peaked at {peak} KiB resident");
    eprintln!("gen lint {file}: {elapsed:?}, peak RSS {peak} KiB");
    let code = out.status.code().unwrap_or_else(|| panic!("`gen lint {file}` was killed by a signal\n{stderr}"));
    assert_ne!(code, 101, "`gen lint {file}` panicked:\n{stderr}");
    (code, stdout, stderr)
}

/// The codes of the diagnostics in rendered output, in order.
fn codes(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("error[").or_else(|| l.strip_prefix("warning[")))
        .filter_map(|rest| rest.split_once(']').map(|(code, _)| code.to_string()))
        .collect()
}

/// What every diagnostic needs: a code, a place, a hint; and no panic.
fn assert_well_formed(file: &str, stderr: &str) {
    let found = codes(stderr);
    assert!(!found.is_empty(), "{file}: no diagnostic\n{stderr}");
    assert!(found.iter().any(|c| c.starts_with('E')), "{file}: no error code\n{stderr}");
    for code in &found {
        let ok = code.len() == 4
            && matches!(code.as_bytes()[0], b'E' | b'W')
            && code[1..].bytes().all(|b| b.is_ascii_digit());
        assert!(ok, "{file}: `{code}` is not a stable code like E101\n{stderr}");
    }
    let places = stderr.lines().filter(|l| l.trim_start().starts_with("--> ")).count();
    let hints = stderr.lines().filter(|l| l.trim_start().starts_with("hint: ")).count();
    assert_eq!(places, found.len(), "{file}: every diagnostic has a `-->` place\n{stderr}");
    assert_eq!(hints, found.len(), "{file}: every diagnostic has a `hint:`\n{stderr}");
    for l in stderr.lines().filter(|l| l.trim_start().starts_with("--> ")) {
        let place = l.trim_start().trim_start_matches("--> ");
        let mut parts = place.rsplitn(3, ':');
        let (col, line) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
        assert!(parts.next().is_some_and(|f| f.ends_with(file)), "{file}: place names the file: {l}");
        assert!(
            line.parse::<usize>().is_ok_and(|n| n >= 1) && col.parse::<usize>().is_ok_and(|n| n >= 1),
            "{file}: 1-based line:col: {l}"
        );
    }
    assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "{file}: panic\n{stderr}");
}

/// Lints a committed case from the repository root (so paths in the output
/// are stable), checks the codes it must report, and snapshots stderr.
fn case(name: &str, expected: &[&str]) {
    let file = format!("{FIXTURES}/{name}.yaml");
    let (code, stdout, stderr) = lint(&repo(), &file);
    assert_eq!(code, 1, "`gen lint {file}` exits 1\n{stderr}");
    assert!(stdout.is_empty(), "diagnostics go to stderr\n{stdout}");
    assert_well_formed(&file, &stderr);
    let mut found = codes(&stderr);
    found.sort();
    found.dedup();
    let mut want: Vec<String> = expected.iter().map(|c| (*c).to_string()).collect();
    want.sort();
    assert_eq!(found, want, "{file}: the codes reported\n{stderr}");
    insta::with_settings!({
        description => format!("gen lint {file}"),
        omit_expression => true,
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(format!("invalid__{name}"), stderr);
    });
}

/// Every committed case and the codes it reports. Consequences of the one
/// defect are listed too (a misspelt key is also a missing one).
const CASES: &[(&str, &[&str])] = &[
    ("yaml-syntax", &["E010"]),
    ("wrong-type", &["E103"]),
    ("unknown-key", &["E101", "E102"]),
    ("missing-key", &["E102"]),
    ("enum-typo", &["E104"]),
    ("pattern", &["E105"]),
    ("negative-cpus", &["E106"]),
    ("zero-cpus", &["E106"]),
    ("duplicate-host", &["E201"]),
    ("duplicate-domain", &["E204"]),
    ("port-collision", &["E203"]),
    ("unknown-host", &["E205"]),
    ("port-past-proxy", &["E301"]),
    ("over-capacity", &["E401", "E402", "W401", "W402"]),
    ("partitions-over-raid", &["E501"]),
    ("secret-in-clear", &["E702", "W403"]),
    ("undeclared-secret", &["E701"]),
    ("removed-server-type", &["E601"]),
    ("odoo-unknown-option", &["E411"]),
    ("odoo-managed-option", &["E412"]),
    ("odoo-bad-option-value", &["E413"]),
    ("connection-budget", &["E410", "W410"]),
    ("connection-budget-gevent", &["E410"]),
    ("postgres-localhost", &["E414", "E415"]),
    ("cost-figures", &["E810", "E811", "E812", "W810"]),
    ("recurring-products", &["E813", "E814", "E815"]),
    ("empty", &["E003"]),
    ("only-comments", &["E003"]),
    ("several-errors", &["E101", "E102", "E103", "E104", "E105"]),
    ("several-check-errors", &["E205", "E301", "E501", "E701"]),
    ("backup-mirror", &["E510", "E511"]),
    ("backup-overlap", &["E513"]),
    ("backup-rpo", &["E514"]),
    ("backup-restic-port", &["E515", "E516"]),
    ("control-character", &["E107"]),
    ("config-injection", &["E209", "E210", "E211", "E212", "W403"]),
    ("secret-looking-value", &["E703", "W403"]),
    ("certificate-http01", &["E213"]),
    ("website-without-code", &["E212", "E214", "E215", "W403"]),
    ("floating-tags", &["E420", "W420"]),
    ("versions-too-old", &["E420", "W421"]),
    ("unlimited-containers", &["E320", "W403"]),
    ("management-surfaces", &["E320", "W320"]),
    ("proxy-timeout", &["E416"]),
    ("db-maxconn-too-small", &["E417"]),
    ("postgres-parallel-shared-cpu", &["E401", "W401", "W413"]),
    ("storage-box-capacity", &["E630"]),
    ("dedicated-parts", &["E631", "E632", "W631"]),
    ("backup-first-copy", &["E505"]),
    ("backup-archive-size", &["E506"]),
    ("offsite-over-capacity", &["E507"]),
    ("recovery-rto", &["E520", "W520", "W510"]),
    ("end-of-life", &["E422", "W423"]),
    ("managed-certificate-dns", &["E605", "W605"]),
    ("vpn-only-off-vpn-host", &["E606"]),
    ("user-data-too-large", &["E610"]),
    ("load-balancer-limits", &["E611"]),
];

fn expected(name: &str) -> &'static [&'static str] {
    CASES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c).unwrap_or_else(|| panic!("no case `{name}` in CASES"))
}

macro_rules! cases {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                case($name, expected($name));
            }
        )*

        #[test]
        fn every_fixture_has_a_test() {
            let tested = [$($name),*];
            assert_eq!(tested.len(), CASES.len(), "one test per entry of CASES");
            for (name, _) in CASES {
                assert!(tested.contains(name), "CASES entry `{name}` has no test");
            }
            let mut on_disk: Vec<String> = std::fs::read_dir(repo().join(FIXTURES))
                .expect("fixtures")
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter_map(|f| f.strip_suffix(".yaml").map(str::to_string))
                .collect();
            on_disk.sort();
            let mut listed: Vec<String> = tested.iter().map(|s| (*s).to_string()).collect();
            listed.sort();
            assert_eq!(on_disk, listed, "tests/fixtures/invalid/*.yaml and the tests agree");
        }
    };
}

cases! {
    yaml_syntax_error => "yaml-syntax",
    wrong_type => "wrong-type",
    unknown_key_suggests_the_known_one => "unknown-key",
    missing_required_key => "missing-key",
    enum_typo_suggests_the_value => "enum-typo",
    pattern_violation => "pattern",
    negative_cpus => "negative-cpus",
    zero_cpus => "zero-cpus",
    duplicate_host_names => "duplicate-host",
    duplicate_domains => "duplicate-domain",
    certificate_names_http01_cannot_issue => "certificate-http01",
    website_container_without_code => "website-without-code",
    two_services_publish_one_port => "port-collision",
    unknown_host_reference => "unknown-host",
    port_published_past_the_proxy => "port-past-proxy",
    reservations_over_capacity => "over-capacity",
    partitions_over_raid_capacity => "partitions-over-raid",
    secret_in_clear => "secret-in-clear",
    undeclared_secret => "undeclared-secret",
    removed_server_type => "removed-server-type",
    odoo_option_unknown_to_odoo_17 => "odoo-unknown-option",
    odoo_option_that_gen_writes => "odoo-managed-option",
    odoo_option_with_a_value_odoo_misreads => "odoo-bad-option-value",
    connection_budget_overflows => "connection-budget",
    gevent_pool_counts_with_its_own_size => "connection-budget-gevent",
    postgres_kept_on_localhost => "postgres-localhost",
    cost_figures => "cost-figures",
    recurring_products_priced_as_one_copy => "recurring-products",
    empty_file => "empty",
    only_comments => "only-comments",
    several_schema_errors_are_all_reported => "several-errors",
    several_check_errors_are_all_reported => "several-check-errors",
    offsite_mirror_cannot_keep_history => "backup-mirror",
    offsite_copy_overlaps_the_local_run => "backup-overlap",
    daily_backups_miss_an_hourly_rpo => "backup-rpo",
    restic_sftp_port_and_zero_retention => "backup-restic-port",
    control_character_in_text => "control-character",
    syntax_in_domains_paths_and_names => "config-injection",
    secret_looking_value_in_environment => "secret-looking-value",
    floating_tags_name_the_assumed_version => "floating-tags",
    pinned_versions_older_than_gen_needs => "versions-too-old",
    containers_without_limits_cannot_be_judged => "unlimited-containers",
    database_manager_and_shared_credentials_exposed => "management-surfaces",
    odoo_time_limit_past_the_proxy_timeout => "proxy-timeout",
    odoo_pools_below_two_connections => "db-maxconn-too-small",
    postgres_parallel_workers_on_shared_cpus => "postgres-parallel-shared-cpu",
    storage_box_product_other_than_its_capacity => "storage-box-capacity",
    dedicated_server_parts_other_than_its_type => "dedicated-parts",
    first_snapshot_copies_the_whole_tree => "backup-first-copy",
    archives_larger_than_daily_size => "backup-archive-size",
    restic_repository_over_the_box => "offsite-over-capacity",
    server_replacement_past_the_rto => "recovery-rto",
    images_and_hosts_past_or_near_end_of_life => "end-of-life",
    managed_certificate_for_zones_outside_hetzner_dns => "managed-certificate-dns",
    vpn_only_environment_off_the_vpn_host => "vpn-only-off-vpn-host",
    user_data_over_the_api_limit => "user-data-too-large",
    load_balancer_over_its_type => "load-balancer-limits",
}

/// W815: the base prices its AX52 from the catalog. On the harness's today
/// (one day after the catalog's `checked`) nothing is said; 213 days after
/// it, past the catalog's 180-day limit, the warning gives the date, the age
/// and the limit.
#[test]
fn an_old_price_catalog_warns() {
    let file = format!("{FIXTURES}/base/minimal.yaml");
    let (_, fresh) = Gen::new(&repo()).args(["lint", &file]).succeeds();
    assert!(fresh.contains("0 errors, 0 warnings"), "{fresh}");
    // 2027-07-01T00:00:00Z.
    let (_, old) = Gen::new(&repo()).today("1814400000").args(["lint", &file]).succeeds();
    assert_eq!(codes(&old), ["W815"], "{old}");
    assert!(old.contains("on 2026-11-30, 213 days before today (2027-07-01), over its limit of 180 days"), "{old}");
    insta::with_settings!({
        description => format!("SOURCE_DATE_EPOCH=1814400000 gen lint {file}"),
        omit_expression => true,
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("invalid__catalog-age", old);
    });
}

#[test]
fn the_base_of_every_case_is_valid() {
    let (code, _, stderr) = lint(&repo(), &format!("{FIXTURES}/base/minimal.yaml"));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("0 errors, 0 warnings"),
        "each case must differ from a clean base by its one defect\n{stderr}"
    );
}

#[test]
fn unknown_key_hint_names_the_key() {
    let (_, _, stderr) = lint(&repo(), &format!("{FIXTURES}/unknown-key.yaml"));
    assert!(stderr.contains("unknown key `hostz`"), "{stderr}");
    assert!(stderr.contains("did you mean `hosts`?"), "{stderr}");
}

#[test]
fn lint_json_has_the_same_diagnostics() {
    let file = format!("{FIXTURES}/several-check-errors.yaml");
    let (stdout, stderr) = Gen::new(&repo()).args(["lint", "--format", "json", &file]).fails();
    let diags: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let mut json_codes: Vec<String> = diags["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .map(|d| d["code"].as_str().expect("code").to_string())
        .collect();
    json_codes.sort();
    let mut want: Vec<String> = expected("several-check-errors").iter().map(|c| (*c).to_string()).collect();
    want.sort();
    assert_eq!(json_codes, want, "{stdout}\n{stderr}");
}

#[test]
fn building_a_case_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("blueprints")).expect("mkdir");
    std::fs::copy(repo().join(FIXTURES).join("several-check-errors.yaml"), dir.path().join("blueprints/several.yaml"))
        .expect("copy");
    let (_, stderr) = Gen::new(dir.path()).args(["build"]).fails();
    assert_eq!(codes(&stderr).len(), expected("several-check-errors").len(), "{stderr}");
    assert!(!dir.path().join("out").exists());
}

// Generated cases: hostile inputs that must fail fast and cleanly.

/// Writes `bytes` to `<tmp>/<name>.yaml` and lints it there.
fn generated(name: &str, bytes: &[u8], code: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = format!("{name}.yaml");
    std::fs::write(dir.path().join(&file), bytes).expect("write");
    let (exit, _, stderr) = lint(dir.path(), &file);
    assert_eq!(exit, 1, "`gen lint {file}` exits 1\n{stderr}");
    assert_well_formed(&file, &stderr);
    assert!(stderr.contains(&format!("error[{code}]")), "{file}: expected {code}\n{stderr}");
    stderr
}

/// Deterministic noise (xorshift), so a failure can be reproduced.
fn noise(len: usize, mut state: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

#[test]
fn binary_garbage() {
    let mut bytes = noise(64 * 1024, 0x9e37_79b9_7f4a_7c15);
    bytes[100] = 0;
    bytes[101] = 0xff;
    generated("garbage", &bytes, "E001");
}

#[test]
fn text_with_nul_bytes() {
    let mut bytes = b"project:\n  name: odoo\n".to_vec();
    bytes.extend(noise(4096, 7).into_iter().map(|b| b & 0x7f));
    bytes.push(0);
    generated("nul", &bytes, "E001");
}

#[test]
fn alias_bomb() {
    // "Billion laughs": ten levels of nine aliases each expand to 9^10 strings.
    let mut text = String::from("lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..=10 {
        let refs = vec![format!("*lol{}", i - 1); 9].join(", ");
        text.push_str(&format!("lol{i}: &lol{i} [{refs}]\n"));
    }
    text.push_str("project: *lol10\n");
    let stderr = generated("bomb", text.as_bytes(), "E010");
    assert!(stderr.contains("alias") || stderr.contains("repetition") || stderr.contains("deep"), "{stderr}");
}

#[test]
fn alias_bomb_in_a_merge_key() {
    let mut text = String::from("a0: &a0 {x0: 1, x1: 1, x2: 1, x3: 1, x4: 1, x5: 1, x6: 1, x7: 1, x8: 1}\n");
    for i in 1..=10 {
        let refs = (0..9).map(|j| format!("k{j}: *a{}", i - 1)).collect::<Vec<_>>().join(", ");
        text.push_str(&format!("a{i}: &a{i} {{{refs}}}\n"));
    }
    text.push_str("project:\n  <<: *a10\n");
    generated("merge-bomb", text.as_bytes(), "E010");
}

#[test]
fn deeply_nested_sequences() {
    let depth = 10_000;
    let text = format!("project: {}{}\n", "[".repeat(depth), "]".repeat(depth));
    generated("deep", text.as_bytes(), "E010");
}

#[test]
fn deeply_nested_mappings() {
    let depth = 10_000;
    let text = format!("project: {}1{}\n", "{a: ".repeat(depth), "}".repeat(depth));
    generated("deep-map", text.as_bytes(), "E010");
}

/// Nesting at the size limit: libyaml's scanner costs the nesting depth per
/// token, so before the depth pre-scan (`load::MAX_DEPTH`) this document took
/// about two hours of CPU (400 KB took 65 s); now it is refused at the first level too deep.
#[test]
fn nesting_at_the_size_limit() {
    let depth = (4 * 1024 * 1024 - 64) / 2;
    let text = format!("project: {}{}\n", "[".repeat(depth), "]".repeat(depth));
    let stderr = generated("deep-limit", text.as_bytes(), "E010");
    assert!(stderr.contains("nests deeper than 32 levels"), "{stderr}");
    assert!(stderr.contains("deep-limit.yaml:1:"), "{stderr}");
    assert!(stderr.contains("hint: the document nests"), "{stderr}");
}

/// As deep as allowed, as often as fits in the size limit: refused at the
/// 262,145th list (`load::MAX_COLLECTIONS`), before serde_yaml builds two
/// million of them (1.1 GB).
#[test]
fn nesting_at_the_bound_fills_the_size_limit() {
    let unit = format!("{}{}, ", "[".repeat(30), "]".repeat(30));
    let text = format!("project: [{}0]\n", unit.repeat((4 * 1024 * 1024 - 64) / unit.len()));
    let stderr = generated("wide", text.as_bytes(), "E010");
    assert!(stderr.contains("more than 262144 lists and mappings"), "{stderr}");
}

#[test]
fn ten_megabyte_file() {
    let base = std::fs::read(repo().join(FIXTURES).join("base/minimal.yaml")).expect("base");
    let mut bytes = base.clone();
    let pad = format!("# {}\n", "x".repeat(97));
    while bytes.len() < 10 * 1024 * 1024 {
        bytes.extend_from_slice(pad.as_bytes());
    }
    generated("huge", &bytes, "E002");
}

#[test]
fn a_file_name_that_cannot_name_a_tree() {
    generated("Not_A_Name", b"project: {name: x, title: x}\n", "E004");
}
