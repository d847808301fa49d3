//! End of life against today's date (`catalog/lifecycle.yaml`, E422/W422,
//! E423/W423): the same blueprint on a day before the warning window, on
//! the day every test runs on (2026-11-30, `common::TODAY_EPOCH`), and after
//! the ends of life.

use crate::common::{repo, Gen};

/// `date -u -d 2026-05-01 +%s` and `date -u -d 2027-05-01 +%s`.
const BEFORE: &str = "1777593600";
const AFTER: &str = "1809129600";

fn lint_on(epoch: &str, file: &str) -> (i32, String) {
    let out = Gen::new(&repo()).env("SOURCE_DATE_EPOCH", epoch).args(["lint", file]).output();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).to_string())
}

const FIXTURE: &str = "tests/fixtures/invalid/end-of-life.yaml";

#[test]
fn before_the_window_nothing_is_said() {
    // 2026-05-01: PostgreSQL 14 ends in 195 days, Ubuntu 22.04 in 364; the window is 180.
    let (code, stderr) = lint_on(BEFORE, FIXTURE);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("0 errors, 0 warnings"), "{stderr}");
}

#[test]
fn on_the_test_day_one_is_past_and_one_is_near() {
    let (code, stderr) = lint_on(crate::common::TODAY_EPOCH, FIXTURE);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("error[E422]: PostgreSQL 14 (`postgres:14-alpine`) reached its end of life on 2026-11-12, 18 days before today (2026-11-30)"), "{stderr}");
    assert!(
        stderr.contains(
            "warning[W423]: Ubuntu 22.04 (`ubuntu-22.04` on `ax52`) reaches its end of life on 2027-04-30, in 151 days"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("hint: pin postgres:17-alpine instead"), "{stderr}");
}

#[test]
fn after_both_ends_both_are_errors() {
    let (code, stderr) = lint_on(AFTER, FIXTURE);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("error[E422]: PostgreSQL 14 (`postgres:14-alpine`) reached its end of life on 2026-11-12, 170 days before today (2027-05-01)"), "{stderr}");
    assert!(stderr.contains("error[E423]: Ubuntu 22.04 (`ubuntu-22.04` on `ax52`) reached its end of life on 2027-04-30, 1 days before today (2027-05-01)"), "{stderr}");
}

/// The Odoo reference with the plan's own `postgres:14-alpine`: silent in
/// May 2026, an error once PostgreSQL 14 has ended.
#[test]
fn the_odoo_reference_with_the_plans_postgres_14() {
    let dir = crate::common::project();
    let path = dir.path().join("blueprints/odoo-dedicated.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains("image: postgres:16.10-alpine"));
    std::fs::write(&path, text.replace("image: postgres:16.10-alpine", "image: postgres:14-alpine")).expect("write");
    let lint = |epoch: &str| {
        let out = Gen::new(dir.path())
            .env("SOURCE_DATE_EPOCH", epoch)
            .args(["lint", "blueprints/odoo-dedicated.yaml"])
            .output();
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    assert!(!lint(BEFORE).contains("[E422]"));
    assert!(lint(crate::common::TODAY_EPOCH).contains("error[E422]: PostgreSQL 14"));
}

/// out/ never depends on the date: the websites reference builds the same
/// tree on a day without its W422 (node:22, ends 2027-04-30) and on a day with it.
#[test]
fn out_does_not_depend_on_the_date() {
    let build = |epoch: &str| {
        let dir = crate::common::project();
        Gen::new(dir.path())
            .env("SOURCE_DATE_EPOCH", epoch)
            .args(["build", "blueprints/hetzner-websites.yaml"])
            .succeeds();
        let tree = crate::common::tree(&dir.path().join("out"));
        (dir, tree)
    };
    let (_a, before) = build(BEFORE);
    let (_b, today) = build(crate::common::TODAY_EPOCH);
    assert!(!before.is_empty());
    assert!(before == today, "out/ differs between 2026-05-01 and 2026-11-30");
}

/// Nor on the price catalog's age: the Odoo starter, priced from the
/// catalog, builds the same out/ on the tests' day and on 2027-07-01, when
/// the catalog is past its 180-day limit and W815 fires.
#[test]
fn out_does_not_depend_on_the_catalog_age() {
    let build = |epoch: &str| {
        let dir = tempfile::tempdir().expect("tempdir");
        Gen::new(dir.path()).args(["new", "--from", "odoo", "shop"]).succeeds();
        let (_, stderr) = Gen::new(dir.path()).env("SOURCE_DATE_EPOCH", epoch).args(["build"]).succeeds();
        let tree = crate::common::tree(&dir.path().join("out"));
        (dir, tree, stderr)
    };
    let (_a, today, quiet) = build(crate::common::TODAY_EPOCH);
    let (_b, later, warned) = build("1814400000");
    assert!(!quiet.contains("W815") && warned.contains("warning[W815]"), "{warned}");
    assert!(today == later, "out/ differs once the catalog is old");
}
