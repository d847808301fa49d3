//! Tests of the cost component's records (kept apart to keep resolve.rs short).

use super::*;

#[test]
fn tco_is_one_time_plus_months() {
    // The plan's dedicated TCO: 63.90 × 36 + 199 + 50 = 2549.40.
    assert_eq!(tco(Money(6390), Money(24_900), 3), Money(254_940));
    // The cloud option: 165.59 × 36 = 5961.24.
    assert_eq!(tco(Money(16_559), Money(0), 3), Money(596_124));
    assert_eq!(tco(Money(100), Money(5), 0), Money(5));
}

#[test]
fn variance_is_a_percentage_of_the_budget() {
    // 20.75 against 19.00: 1.75 over, 9.2 % of the budget (the spec said 3.7 %).
    assert_eq!(variance_percent(Money(175), Money(1900)), "+9.2");
    assert_eq!(variance_percent(Money(-3610), Money(10_000)), "-36.1");
    assert_eq!(variance_percent(Money(0), Money(10_000)), "0.0");
}

#[test]
fn cost_per_unit_rounds_half_up_to_the_cent() {
    assert_eq!(per(Money(2075), 25), Money(83));
    assert_eq!(per(Money(1813), 25), Money(73)); // 0.7252
    assert_eq!(per(Money(6390), 25), Money(256)); // 2.556
    assert_eq!(per(Money(100), 0), Money(100));
}

const BLUEPRINT: &str = r#"
project: {name: t, title: T, users: 4}
hosts:
  - {name: a, kind: cloud, type: cx22, location: nbg1, os: debian-12,
     storage: {disks: [], volumes: [{name: data, size: 100G, mount: /data}]}}
  - {name: b, kind: dedicated, type: AX52, location: fsn1, os: debian-12}
  - {name: c, kind: dedicated, type: PX999, location: fsn1, os: debian-12}
load_balancers: [{name: lb, type: lb11, location: nbg1, tls: terminate, targets: [a],
                health_check: {interval: 15s, timeout: 10s, retries: 3}}]
extra_costs:
  - {name: ipv4, category: ips, quantity: 2, product: primary-ipv4}
  - {name: snaps, category: snapshots_and_backups, quantity: 160, product: snapshot}
  - {name: backups, category: snapshots_and_backups, product: backup}
budget: {monthly: 50}
alternatives:
  - {name: more, description: d, adds_to_current: true,
     items: [{name: x, price: {monthly: 10, setup: 5, as_of: "2026-01-01", source: s}}]}
  - {name: other, description: d, items: [{name: y, quantity: 3, price: {monthly: 1.10, as_of: "2026-01-01", source: s}}]}
"#;

#[test]
fn catalog_prices_what_the_blueprint_does_not_quote() {
    let bp: Blueprint = serde_yaml::from_str(BLUEPRINT).expect("test blueprint parses");
    let c = plan(&bp);
    let got: Vec<(&str, String, &str, bool)> =
        c.lines.iter().map(|l| (l.name.as_str(), l.monthly.to_string(), l.priced_by, l.available)).collect();
    assert_eq!(
        got,
        [
            ("a (cx22)", "3.79".to_string(), "catalog", false),
            ("b (AX52)", "59.00".to_string(), "catalog", true),
            ("load balancer lb (lb11)", "7.49".to_string(), "catalog", true),
            ("volume data (100G)", "5.72".to_string(), "catalog", true),
            ("snaps", "2.29".to_string(), "catalog", true),
            ("ipv4", "1.00".to_string(), "catalog", true),
        ]
    );
    assert_eq!(c.lines[0].replacement.as_deref(), Some("cx23"));
    // Catalog lines say whether a public record backs them; quotes do not.
    assert_eq!(c.lines[0].verified, Some(true));
    assert_eq!(c.lines[1].verified, Some(false), "the AX52's 2026 price has no record");
    assert_eq!(c.catalog.checked, prices::catalog().checked);
    assert_eq!(
        c.unpriced.iter().map(|u| (u.name.as_str(), u.pointer.as_str())).collect::<Vec<_>>(),
        [("c (PX999)", "/hosts/2"), ("backups", "/extra_costs/2")]
    );
    assert_eq!((c.monthly, c.yearly, c.one_time), (Money(7929), Money(95_148), Money(3900)));
    let b = c.budget.as_ref().expect("budget");
    assert_eq!((b.variance, b.variance_percent.as_str(), b.over), (Money(2929), "+58.6", true));
    // An expansion adds to the blueprint; a replacement stands alone.
    assert_eq!((c.options[1].monthly, c.options[1].one_time), (Money(8929), Money(4400)));
    assert_eq!(c.options[1].tco[0], Money(111_548));
    // Side by side per category: each option's categories add up to its total.
    for o in &c.options {
        assert_eq!(o.categories.len(), c.categories.len());
        assert_eq!(o.categories.iter().copied().sum::<Money>(), o.monthly, "{}", o.name);
    }
    // `other` shows because the alternatives use it.
    assert_eq!(c.categories.last().map(|t| t.category), Some(CostCategory::Other));
    assert_eq!((c.options[2].monthly, c.options[2].monthly_difference), (Money(330), Money(330 - 7929)));
    assert_eq!(c.per_unit.len(), 1);
    assert_eq!(c.per_unit[0].monthly, Money(1982)); // 79.29 / 4 = 19.8225 → 19.82
    let ips = c.categories.iter().find(|t| t.category == CostCategory::Ips).expect("IPs row");
    assert_eq!(ips.monthly, Money(100));
    let traffic = c.categories.iter().find(|t| t.category == CostCategory::Traffic).expect("traffic row");
    assert_eq!(traffic.monthly, Money(0));
}

#[test]
fn recurring_products_bill_every_copy_kept_and_backups_a_share_of_the_server() {
    let bp: Blueprint = serde_yaml::from_str(
        r#"
project: {name: t, title: T}
hosts:
  - {name: a, kind: cloud, type: cx33, location: nbg1, os: debian-12, backups: true}
extra_costs:
  - {name: snaps, category: snapshots_and_backups, product: snapshot, quantity: 2, size: 80G, taken: daily, keep: 7}
  - {name: one, category: snapshots_and_backups, product: snapshot, size: 80G}
"#,
    )
    .expect("test blueprint parses");
    let c = plan(&bp);
    let got: Vec<(&str, u64, String, Option<&str>)> =
        c.lines.iter().map(|l| (l.name.as_str(), l.quantity, l.monthly.to_string(), l.basis.as_deref())).collect();
    assert_eq!(
        got,
        [
            ("a (cx33)", 1, "8.99".into(), None),
            // 20 % of 8.99 = 1.798 → 1.80.
            ("backups of a (daily, 7 kept)", 1, "1.80".into(), Some("20 % of 8.99 (cx33)")),
            // 2 × 7 × 80 GB = 1120 GB-months at 0.0143 = 16.016 → 16.02.
            ("snaps", 1120, "16.02".into(), Some("2 × 7 copies × 80G (taken daily, 7 kept)")),
            ("one", 80, "1.14".into(), Some("1 × 80G")),
        ]
    );
}

#[test]
fn volumes_are_billed_per_whole_gb() {
    assert_eq!(gb(Size::gib(10)), 10);
    assert_eq!(gb(Size::mib(10_241)), 11);
}
