//! The seed documents' own figures, kept as written in
//! tests/fixtures/seeds/: gen must report each of their planning mistakes.
//! The reference blueprints in blueprints/ are the corrected versions.

use crate::common::{repo, Gen};

/// Lints a seed fixture; returns the rendered diagnostics.
fn lint(name: &str) -> String {
    let (_, stderr) = Gen::new(&repo()).args(["lint", &format!("tests/fixtures/seeds/{name}.yaml")]).fails();
    stderr
}

fn codes(stderr: &str) -> Vec<&str> {
    let mut codes: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.split_once('[').and_then(|(_, rest)| rest.split_once(']')).map(|(code, _)| code))
        .filter(|c| c.starts_with('E') || c.starts_with('W'))
        .collect();
    codes.sort_unstable();
    codes
}

#[test]
fn odoo_plan_mistakes_are_reported() {
    let stderr = lint("odoo-plan-as-written");
    // 716 GB of partitions on a 512 GB mirror; 7 × 8 GB of backups in 50 GB;
    // Odoo published on 8069-8071 past nginx; limits of 17 CPUs and 66 GB;
    // section 5.3's placeholder peer keys; section 5.2's SSH "VPN only" in the
    // same rollout that brings the VPN up (the lockout guard).
    // Section 8: 3,712 pooled connections against 150; 21 and 10 workers at
    // their hard limit beyond the container; two options Odoo does not know;
    // a replacement postgresql.conf without listen_addresses; 12.4G of
    // PostgreSQL memory in 8G. Section 6: an unencrypted rsync mirror
    // promising 30 daily and 12 monthly copies; cron at "02:00 UTC" on a
    // Berlin host; alerts to an unset chat; an RPO of 24 h that a server loss
    // (offsite copy 3 h later) cannot keep.
    assert_eq!(
        codes(&stderr),
        [
            "E301", "E301", "E301", "E315", "E315", "E410", "E411", "E411", "E414", "E501", "E503", "E510", "E511",
            "W310", "W401", "W402", "W410", "W410", "W411", "W511", "W513", "W514"
        ]
    );
    assert!(stderr.contains("`<CLIENT_1_PUBLIC_KEY>` is not a WireGuard public key"), "{stderr}");
    assert!(stderr.contains("prod 22 × 128 + test 11 × 64 + dev 6 × 32 + 3 reserved = 3715"), "{stderr}");
    assert!(stderr.contains("Odoo 17 has no option `enable_page_cache`"), "{stderr}");
    assert!(stderr.contains("promises 30 daily and 12 monthly copies"), "{stderr}");
    assert!(stderr.contains("up to 27h of data can be lost"), "{stderr}");
    assert!(stderr.contains("take 716G but the disks give 512G usable"), "{stderr}");
    assert!(stderr.contains("needs 64G"), "{stderr}");
    insta::with_settings!({snapshot_path => repo().join("tests/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("seed__odoo-plan-as-written", stderr);
    });
}

#[test]
fn websites_spec_mistakes_are_reported() {
    let stderr = lint("websites-spec-as-written");
    // CX32 is gone; 25 sites publish 8000 and 3000 past nginx and on top of
    // each other; SSH from anywhere; 20.75 against a budget of 19.00; the
    // "Load Balancer only" ports 80/443 published on the public addresses (E310);
    // an RPO under 5 minutes from daily snapshots (E514).
    assert_eq!(
        codes(&stderr),
        ["E203", "E203", "E301", "E301", "E310", "E514", "E601", "E601", "W306", "W401", "W401", "W801"]
    );
    assert!(
        stderr.contains("port 80/tcp (nginx) on `app-1` is load-balancer-only but reachable from the internet"),
        "{stderr}"
    );
    assert!(stderr.contains("by 1.75 (9.2 % of the budget)"), "the spec said 3.7 %: {stderr}");
    insta::with_settings!({snapshot_path => repo().join("tests/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("seed__websites-spec-as-written", stderr);
    });
}

/// The corrected reference blueprints compile without errors.
#[test]
fn reference_blueprints_lint_clean_of_errors() {
    let (_, stderr) = Gen::new(&repo()).args(["lint"]).succeeds();
    assert!(stderr.contains("0 errors"), "{stderr}");
}
