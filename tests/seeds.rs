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
    // (offsite copy 3 h later) cannot keep; dev's filestore, in no backup
    // (section 6.1 saves prod and test only, W517).
    // Its cost figures: 9.2 gives 346 for the scale-out (63.90 + 295 = 358.90);
    // 9.3 projects 450 GB in 2026 and 730 GB in 2030 from items that sum to 350 and 630.
    // Building plans start at 250 GB on a 250 GB partition and the backups
    // grow past their 50 GB: both run out in 2027 (W811). Basic auth for the
    // test system with a password file "created by hand" names no login (E704).
    // prod's limit_time_real of 1200 s outlasts nginx's 720 s proxy timeout
    // (E416); eight parallel PostgreSQL workers on an overcommitted host (W413).
    // Storage over time: 6.1's rsync --link-dest copies the whole 250 GB tree
    // of building plans into the 50 GB backup partition on its first run
    // (E505); 9.3's Backups column (50 GB) is not what 6.1 keeps there (W508);
    // 6.2's "~300 GB after a year" is 636 GB even with restic (E810), and the
    // mirror's full copies would need 10836G (W512). Recovery: 6.3's own step
    // 1 takes 24 h against an RTO of 8 h (E520), and 8 h is more than the
    // 3 h 39 min a month that 99.5 % allows (W520).
    assert_eq!(
        codes(&stderr),
        [
            "E301", "E301", "E301", "E315", "E315", "E410", "E411", "E411", "E414", "E416", "E422", "E501", "E503",
            "E505", "E510", "E511", "E520", "E630", "E632", "E704", "E810", "E810", "E810", "E810", "W310", "W401",
            "W402", "W410", "W410", "W411", "W413", "W508", "W511", "W512", "W513", "W514", "W517", "W520", "W811",
            "W811", "W812", "W812"
        ]
    );
    assert!(
        stderr.contains("the first run copies all of `building-plans` (250G) into `/mnt/backups` (50G"),
        "{stderr}"
    );
    assert!(stderr.contains("the partition must hold 314G in 2026"), "{stderr}");
    assert!(
        stderr.contains("`backups` put 50G on `/mnt/backups` in 2026, but the local backups there take 314G"),
        "{stderr}"
    );
    assert!(stderr.contains("states the offsite repository in 2027 as 300G, but it is 636G"), "{stderr}");
    assert!(
        stderr.contains("back after 28 h 7 min at the earliest, more than the RTO of 8 h: 24 h for a replacement AX52"),
        "{stderr}"
    );
    assert!(stderr.contains("allows in a month: 3 h 39 min"), "{stderr}");
    assert!(stderr.contains("`<CLIENT_1_PUBLIC_KEY>` is not a WireGuard public key"), "{stderr}");
    // Section 3's postgres:14-alpine, past its end of life on the tests' day (E422).
    assert!(
        stderr.contains(
            "PostgreSQL 14 (`postgres:14-alpine`) reached its end of life on 2026-11-12, 18 days before today"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("prod 22 × 128 + test 11 × 64 + dev 6 × 32 + 3 reserved = 3715"), "{stderr}");
    assert!(stderr.contains("Odoo 17 has no option `enable_page_cache`"), "{stderr}");
    assert!(stderr.contains("promises 30 daily and 12 monthly copies"), "{stderr}");
    assert!(stderr.contains("up to 27h of data can be lost"), "{stderr}");
    assert!(stderr.contains("`/mnt/building-plans` (250G) runs out in 2027"), "{stderr}");
    // The plan's "Storage Box BX31: 1 TB für €12,90": a BX31 is the 10 TB box
    // (E630), listed at 20.80 (W812); its AX52 has 2 × 512 GB, an AX52 ships
    // with 2 × 1 TB (E632). (Its CCX33 at 119.00 is within 20 % of the list
    // price since Hetzner's 2026-06-15 change: 138.99.)
    assert!(
        stderr.contains(
            "Storage Box `BX31` holds 10T (20.80 per month, catalog), but `capacity` says 1T; the 1T box is `bx11`"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("the quote of 12.90 for `offsite backup (BX31)` (bx31) is 38.0 % below the catalog's 20.80"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "ships with 2 × 1 TB NVMe (2 × 931G), 1862 GiB in all; the blueprint writes 2 × 512G nvme, 1024 GiB"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("states the monthly total of `scale-out` as 346.00, but it is 358.90"), "{stderr}");
    assert!(stderr.contains("states the storage needed in 2026 as 450G, but it is 350G"), "{stderr}");
    assert!(stderr.contains("states the storage needed in 2030 as 730G, but it is 630G"), "{stderr}");
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
    // each other; SSH from anywhere; 20.75 against a budget of 19.00 (and
    // 9.2 %, not the spec's 3.7 %); the "Load Balancer only" ports 80/443
    // published on the public addresses (E310); an RPO under 5 minutes from
    // daily snapshots (E514); a CCX33 quoted at 28.00 and two LB11s at 5.39,
    // below the 2026 list prices (W812); memory limits
    // over 8 GB once the monitoring containers run beside the sites (W402);
    // stock FastAPI and node images with no word on where the code lives
    // (E214: the sample app has no /health, `npm run start` no package.json);
    // daily snapshots priced as one copy (E814).
    assert_eq!(
        codes(&stderr),
        [
            "E203", "E203", "E214", "E214", "E301", "E301", "E310", "E422", "E514", "E601", "E601", "E605", "E810",
            "E814", "W306", "W401", "W401", "W402", "W402", "W423", "W423", "W801", "W812", "W812", "W812"
        ]
    );
    assert!(
        stderr.contains("site-01's frontend runs node:18-alpine's `npm run start` with no application"),
        "{stderr}"
    );
    assert!(
        stderr.contains("port 80/tcp (nginx) on `app-1` is load-balancer-only but reachable from the internet"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the quote of 28.00 for `CCX33 server` (ccx33) is 79.9 % below the catalog's 138.99"),
        "{stderr}"
    );
    assert!(stderr.contains("states the budget variance as 3.7 %, but it is 9.2 % of the budget 19.00"), "{stderr}");
    assert!(stderr.contains("by 1.75 (9.2 % of the budget)"), "the spec said 3.7 %: {stderr}");
    // "Automated Snapshots: Daily" priced as one 160 GB copy.
    assert!(
        stderr.contains("is taken daily but does not say how many copies are kept")
            && stderr.contains("1.76 a month pays for one copy"),
        "{stderr}"
    );
    // node:18-alpine, ended 2025-04-30 (E422); create_server's ubuntu-22.04, ending
    // 2027-04-30 (W423); the next step's Cloudflare DNS, under a Hetzner managed certificate (E605).
    assert!(
        stderr.contains("Node.js 18 (`node:18-alpine`) reached its end of life on 2025-04-30, 579 days"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Ubuntu 22.04 (`ubuntu-22.04` on `app-1`) reaches its end of life on 2027-04-30, in 151 days"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "50 of the 50 names on `web-lb`'s managed certificate are in `example.com`, whose DNS is at Cloudflare"
        ),
        "{stderr}"
    );
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

/// The seed documents' own prices and quantities reproduce their correct
/// totals and TCO figures (the claims that hold raise nothing above).
#[test]
fn seed_totals_and_tco_are_reproduced() {
    let (odoo, _) = Gen::new(&repo()).args(["cost", "tests/fixtures/seeds/odoo-plan-as-written.yaml"]).succeeds();
    // 10.1: 51.00 + 12.90; 10.3: 63.90 × 36 + 199 + 50 and 165.59 × 36.
    assert!(odoo.starts_with("odoo-plan-as-written: EUR 63.90 a month, 766.80 a year, 249.00 one-time\n"), "{odoo}");
    assert!(odoo.contains("odoo                   63.90 a month (0.00), TCO 1y 1015.80, 3y 2549.40"), "{odoo}");
    assert!(odoo.contains("cloud-ccx33            165.59 a month (+101.69), TCO 1y 1987.08, 3y 5961.24"), "{odoo}");
    assert!(odoo.contains("scale-out              358.90 a month (+295.00)"), "{odoo}");
    let (web, _) = Gen::new(&repo()).args(["cost", "tests/fixtures/seeds/websites-spec-as-written.yaml"]).succeeds();
    // 2 × 6.80 + 5.39 + 1.76 = 20.75; 1.75 over 19.00; phase 2: 4 × 28 + 2 × 5.39 + 44.
    assert!(web.starts_with("websites-spec-as-written: EUR 20.75 a month, 249.00 a year"), "{web}");
    assert!(web.contains("variance 1.75 (+9.2 % of the budget), over budget"), "{web}");
    assert!(web.contains("phase-2                166.78 a month (+146.03)"), "{web}");
    // cx32 is priced as quoted, and the report marks it as no longer sold.
    assert!(web.contains("app-1 (cx32)") && web.contains("no longer sold, replaced by cx33"), "{web}");
}
