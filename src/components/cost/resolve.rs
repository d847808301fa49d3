//! Cost arithmetic: every priced thing in the blueprint as a line (a dated
//! quote from the blueprint, else the price catalog), the totals, the budget
//! variance, the total cost of ownership and the alternatives side by side.
//!
//! Money is integer cents throughout; a line rounds once (see `prices`), a
//! total is the exact sum of its lines, a percentage rounds half up to one
//! decimal. A month is a twelfth of a year: yearly = 12 × monthly.

use schemars::JsonSchema;
use serde::Serialize;

use crate::blueprint::model::{Blueprint, CostCategory, CostItem, HostKind, Price};
use crate::blueprint::units::{Money, Size};
use crate::prices::{self, Kind, Rate};

/// The horizons the TCO table shows, in years.
pub const TCO_YEARS: [u32; 3] = [1, 3, 5];

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CostPlan {
    pub currency: String,
    pub lines: Vec<Line>,
    /// Sums per category, in category order (`other` only when used).
    pub categories: Vec<CategoryTotal>,
    /// Sums per network zone (region), when the stack spans two or more;
    /// empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<RegionTotal>,
    pub monthly: Money,
    pub yearly: Money,
    pub one_time: Money,
    pub budget: Option<BudgetPlan>,
    /// The blueprint first, then each alternative.
    pub options: Vec<OptionCost>,
    pub tco_years: Vec<u32>,
    pub per_unit: Vec<PerUnit>,
    /// Things that cost money but have neither a quote nor a catalog price.
    pub unpriced: Vec<Unpriced>,
    /// When the price catalog was checked, and how old that may get.
    pub catalog: CatalogCheck,
}

/// The monthly cost of one region: its servers with their Backups and
/// volumes, and its load balancers. `region` is a Hetzner network zone
/// (`eu-central`), or `none` for what belongs to no location (a Storage Box
/// priced without one, extra costs).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RegionTotal {
    pub region: String,
    /// Its locations, comma-separated (`fsn1, nbg1`).
    pub locations: String,
    pub monthly: Money,
    /// How many lines it sums.
    pub lines: usize,
}

/// The location a cost line belongs to, from its pointer: a host's
/// (`/hosts/<i>…`: the server, its Backups and volumes) or a load
/// balancer's (`/load_balancers/<k>…`).
fn location_of<'a>(bp: &'a Blueprint, pointer: &str) -> Option<&'a str> {
    let mut parts = pointer.trim_start_matches('/').split('/');
    let (section, index) = (parts.next()?, parts.next()?.parse::<usize>().ok()?);
    match section {
        "hosts" => bp.hosts.get(index).map(|h| h.location.as_str()),
        "load_balancers" => bp.load_balancers.get(index).map(|lb| lb.location.as_str()),
        _ => None,
    }
}

/// [`CostPlan::regions`]: the lines summed per network zone, zones in name
/// order, then `none`; empty when the lines touch fewer than two zones.
fn regions(bp: &Blueprint, lines: &[Line]) -> Vec<RegionTotal> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut zones: BTreeMap<&str, (BTreeSet<&str>, Money, usize)> = BTreeMap::new();
    let mut none = (Money(0), 0);
    for l in lines {
        let location = location_of(bp, &l.pointer);
        match location.and_then(|loc| crate::catalog::network_zone(loc).map(|z| (loc, z))) {
            Some((loc, zone)) => {
                let entry = zones.entry(zone).or_insert_with(|| (BTreeSet::new(), Money(0), 0));
                entry.0.insert(loc);
                entry.1 .0 += l.monthly.0;
                entry.2 += 1;
            }
            None => {
                none.0 .0 += l.monthly.0;
                none.1 += 1;
            }
        }
    }
    if zones.len() < 2 {
        return Vec::new();
    }
    let mut out: Vec<RegionTotal> = zones
        .into_iter()
        .map(|(zone, (locations, monthly, n))| RegionTotal {
            region: zone.to_string(),
            locations: locations.into_iter().collect::<Vec<_>>().join(", "),
            monthly,
            lines: n,
        })
        .collect();
    if none.1 > 0 {
        out.push(RegionTotal { region: "none".into(), locations: String::new(), monthly: none.0, lines: none.1 });
    }
    out
}

/// The price catalog's check date and its stated maximum age (W815 warns
/// past it). Both come from `catalog/hetzner-prices.yaml`, never the clock.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CatalogCheck {
    /// `YYYY-MM-DD`.
    pub checked: String,
    pub max_age_days: u32,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Unpriced {
    pub name: String,
    /// JSON pointer of the blueprint value.
    pub pointer: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Line {
    pub category: CostCategory,
    pub name: String,
    pub quantity: u64,
    /// What one unit is: `month`, `GB-month`.
    pub unit: String,
    pub unit_price: Rate,
    pub monthly: Money,
    pub setup: Money,
    /// `quote` (the blueprint's own dated price) or `catalog`.
    pub priced_by: &'static str,
    pub as_of: String,
    pub source: String,
    /// For a catalog price: whether a public record (`source`) states it;
    /// none for a quote (the blueprint vouches for it).
    pub verified: Option<bool>,
    /// `net` or `gross`; quotes are taken as the blueprint writes them.
    pub tax: &'static str,
    /// The catalog product the line is (when the catalog knows it).
    pub product: Option<String>,
    /// The catalog's unit price when the line is quoted and the catalog knows
    /// the product, with that price's date and source.
    pub catalog_price: Option<Rate>,
    pub catalog_as_of: Option<String>,
    pub catalog_source: Option<String>,
    /// False when the provider no longer sells it; `replacement` names the successor.
    pub available: bool,
    pub replacement: Option<String>,
    /// How the quantity was reached when it is more than a count: `2 × 7
    /// copies × 80 GB (taken daily, 7 kept)`, `20 % of 5.49 (cx33)`.
    pub basis: Option<String>,
    /// JSON pointer of the blueprint value the line comes from.
    pub pointer: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CategoryTotal {
    pub category: CostCategory,
    pub label: &'static str,
    pub monthly: Money,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct BudgetPlan {
    pub monthly: Money,
    /// Monthly total minus budget: positive when over.
    pub variance: Money,
    /// The variance as a percentage of the budget, one decimal, signed.
    pub variance_percent: String,
    pub over: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct OptionCost {
    pub name: String,
    pub description: String,
    pub monthly: Money,
    pub one_time: Money,
    /// TCO at each of `tco_years`.
    pub tco: Vec<Money>,
    /// Monthly difference to the blueprint (positive: the option costs more).
    pub monthly_difference: Money,
    /// Monthly cost per category, in the order of `CostPlan::categories`.
    pub categories: Vec<Money>,
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PerUnit {
    /// `site`, `user`.
    pub unit: &'static str,
    pub count: u32,
    pub monthly: Money,
}

const ALL_CATEGORIES: [CostCategory; 8] = [
    CostCategory::Servers,
    CostCategory::LoadBalancers,
    CostCategory::Volumes,
    CostCategory::SnapshotsAndBackups,
    CostCategory::StorageBox,
    CostCategory::Ips,
    CostCategory::Traffic,
    CostCategory::Other,
];

pub fn category_label(c: CostCategory) -> &'static str {
    match c {
        CostCategory::Servers => "servers",
        CostCategory::LoadBalancers => "load balancers",
        CostCategory::Volumes => "volumes",
        CostCategory::SnapshotsAndBackups => "snapshots and backups",
        CostCategory::StorageBox => "storage box",
        CostCategory::Ips => "IPs",
        CostCategory::Traffic => "traffic",
        CostCategory::Other => "other",
    }
}

/// Total cost of ownership: the one-time fees plus `years` × 12 months.
pub fn tco(monthly: Money, one_time: Money, years: u32) -> Money {
    Money(one_time.0 + monthly.0 * 12 * i64::from(years))
}

/// The variance as a signed percentage of the budget, one decimal, half up
/// away from zero: 1.75 over 19.00 is "+9.2".
pub fn variance_percent(variance: Money, budget: Money) -> String {
    let sign = match variance.0.signum() {
        1 => "+",
        -1 => "-",
        _ => "",
    };
    format!("{sign}{}", crate::resolve::pct(variance.0.unsigned_abs(), budget.0.unsigned_abs()))
}

/// Monthly cost of `monthly` shared by `count` (sites, users), to the cent.
pub fn per(monthly: Money, count: u32) -> Money {
    Money(prices::round_div(monthly.0, i64::from(count.max(1))))
}

/// One line from a dated quote.
fn quoted(category: CostCategory, name: String, quantity: u64, p: &Price, pointer: String) -> Line {
    Line {
        category,
        name,
        quantity,
        unit: "month".into(),
        unit_price: Rate::from_money(p.monthly),
        monthly: Money(p.monthly.0 * i64::try_from(quantity).unwrap_or(1)),
        setup: Money(p.setup.map_or(0, |s| s.0) * i64::try_from(quantity).unwrap_or(1)),
        priced_by: "quote",
        as_of: p.as_of.clone(),
        source: p.source.clone(),
        verified: None,
        tax: "as quoted",
        product: None,
        catalog_price: None,
        catalog_as_of: None,
        catalog_source: None,
        available: true,
        replacement: None,
        basis: None,
        pointer: format!("{pointer}/price"),
    }
}

/// One line from a catalog entry, `quantity` of its unit.
fn catalogued(category: CostCategory, name: String, quantity: u64, e: &prices::Entry, pointer: String) -> Line {
    Line {
        category,
        name,
        quantity,
        unit: match e.unit {
            prices::Unit::Month => "month",
            prices::Unit::GbMonth => "GB-month",
            prices::Unit::Tb => "TB",
            prices::Unit::PercentOfServer => "% of server",
        }
        .into(),
        unit_price: e.price,
        monthly: e.price.times(quantity),
        setup: e.setup.map_or(Money(0), |s| s.times(quantity)),
        priced_by: "catalog",
        as_of: e.as_of.clone(),
        source: e.source.clone(),
        verified: Some(e.verified),
        tax: match e.tax {
            prices::Tax::Net => "net",
            prices::Tax::Gross => "gross",
        },
        product: Some(e.id.clone()),
        catalog_price: None,
        catalog_as_of: None,
        catalog_source: None,
        available: e.available,
        replacement: e.replacement.clone(),
        basis: None,
        pointer,
    }
}

/// A line from a quote, else the catalog entry, else nothing (unpriced).
fn line(
    category: CostCategory,
    name: String,
    quantity: u64,
    quote: Option<&Price>,
    entry: Option<&prices::Entry>,
    pointer: String,
    unpriced: &mut Vec<Unpriced>,
) -> Option<Line> {
    match (quote, entry) {
        (Some(p), entry) => {
            let mut l = quoted(category, name, quantity, p, pointer);
            // A quote still says whether the product can be ordered.
            if let Some(e) = entry {
                l.product = Some(e.id.clone());
                l.catalog_price = Some(e.price);
                l.catalog_as_of = Some(e.as_of.clone());
                l.catalog_source = Some(e.source.clone());
                l.available = e.available;
                l.replacement = e.replacement.clone();
            }
            Some(l)
        }
        (None, Some(e)) => Some(catalogued(category, name, quantity, e, pointer)),
        (None, None) => {
            unpriced.push(Unpriced { name, pointer });
            None
        }
    }
}

/// Whole GB (as the provider bills volumes: GiB), rounded up.
pub fn gb(size: Size) -> u64 {
    size.bytes().div_ceil(Size::gib(1).bytes())
}

fn item_lines(items: &[CostItem], base: &str, unpriced: &mut Vec<Unpriced>) -> Vec<Line> {
    items
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let category = c.category.unwrap_or(CostCategory::Other);
            // A share of a server's price (cloud backups) needs its server:
            // such an item must carry a quote (or be `backups: true` on the host).
            let entry = c.product.as_deref().and_then(prices::find).filter(|e| e.unit != prices::Unit::PercentOfServer);
            let pointer = format!("{base}/{i}");
            match (c.price.as_ref(), entry, recurring_gb(c)) {
                // A product billed per GB-month with a size per copy: every
                // copy kept is billed (see `recurring_gb`).
                (None, Some(e), Some((gb, basis))) if e.unit == prices::Unit::GbMonth => {
                    let mut l = catalogued(category, c.name.clone(), gb, e, pointer);
                    l.basis = Some(basis);
                    Some(l)
                }
                (quote, entry, recurring) => {
                    let mut l = line(category, c.name.clone(), u64::from(c.quantity), quote, entry, pointer, unpriced)?;
                    if let Some((_, basis)) = recurring {
                        // The quote is per unit (a copy set), the catalog per
                        // GB-month: E813 compares them, not W812.
                        (l.catalog_price, l.catalog_as_of, l.catalog_source) = (None, None, None);
                        l.basis = Some(basis);
                    }
                    Some(l)
                }
            }
        })
        .collect()
}

/// The GB-months a sized item is billed for, with how they were counted:
/// `quantity` × `keep` copies (1 when the item is not recurring) × the whole
/// GB of one copy. A recurring product bills every copy it keeps: daily
/// snapshots kept a week are 7 snapshots at once (Hetzner bills each
/// snapshot per GB and month: <https://docs.hetzner.com/cloud/servers/backups-snapshots/overview>).
/// `None` without a `size`, or for a recurring item with no `keep` (E814).
pub fn recurring_gb(c: &CostItem) -> Option<(u64, String)> {
    let size = c.size?;
    let copies = match (c.taken, c.keep) {
        (Some(_), None) => return None,
        (_, keep) => keep.unwrap_or(1),
    };
    let gb = u64::from(c.quantity) * u64::from(copies) * gb(size);
    let basis = match c.taken {
        Some(taken) => format!("{} × {copies} copies × {size} (taken {}, {copies} kept)", c.quantity, taken.as_str()),
        None => format!("{} × {size}", c.quantity),
    };
    Some((gb, basis))
}

/// The line of a cloud server's Backups (`backups: true`): the catalog's
/// share of the server's monthly price (20 %), rounded half up once.
fn backups_line(host: &crate::blueprint::model::Host, server: &Line, pointer: String) -> Option<Line> {
    let e = prices::of_kind(Kind::Backup).filter(|e| e.unit == prices::Unit::PercentOfServer)?;
    let percent = u64::try_from(e.price.0 / 10_000).unwrap_or(0);
    let monthly = Rate::from_money(server.monthly).times_fraction(percent, 100);
    let mut l = catalogued(
        CostCategory::SnapshotsAndBackups,
        format!("backups of {} (daily, 7 kept)", host.name),
        1,
        e,
        pointer,
    );
    l.unit = "month".into();
    l.unit_price = Rate::from_money(monthly);
    l.monthly = monthly;
    l.setup = Money(0);
    l.basis = Some(format!("{percent} % of {} ({})", server.monthly, host.server_type));
    Some(l)
}

/// Every monthly line of the blueprint itself, and what has no price.
pub fn lines(bp: &Blueprint) -> (Vec<Line>, Vec<Unpriced>) {
    let mut unpriced = Vec::new();
    let mut out = Vec::new();
    for (i, host) in bp.hosts.iter().enumerate() {
        let entry = prices::find(&host.server_type).filter(|e| {
            matches!(
                (host.kind, e.kind),
                (HostKind::Cloud, Kind::CloudServer) | (HostKind::Dedicated, Kind::DedicatedServer)
            )
        });
        let name = format!("{} ({})", host.name, host.server_type);
        let server =
            line(CostCategory::Servers, name, 1, host.price.as_ref(), entry, format!("/hosts/{i}"), &mut unpriced);
        // Backups cost a share of the server's price; a dedicated server has none (E814).
        if host.backups && host.kind == HostKind::Cloud {
            if let Some(server) = &server {
                out.extend(backups_line(host, server, format!("/hosts/{i}/backups")));
            }
        }
        out.extend(server);
        for (j, v) in host.storage.iter().flat_map(|s| s.volumes.iter()).enumerate() {
            let pointer = format!("/hosts/{i}/storage/volumes/{j}");
            let name = format!("volume {} ({})", v.name, v.size);
            let entry = prices::of_kind(Kind::Volume);
            out.extend(line(CostCategory::Volumes, name, gb(v.size), v.price.as_ref(), entry, pointer, &mut unpriced));
        }
    }
    for (k, lb) in bp.load_balancers.iter().enumerate() {
        let name = format!("load balancer {} ({})", lb.name, lb.lb_type);
        let entry = prices::find(&lb.lb_type).filter(|e| e.kind == Kind::LoadBalancer);
        out.extend(line(
            CostCategory::LoadBalancers,
            name,
            1,
            lb.price.as_ref(),
            entry,
            format!("/load_balancers/{k}"),
            &mut unpriced,
        ));
    }
    if let Some(o) = bp.backup.as_ref().and_then(|b| b.offsite.as_ref()) {
        let product = o.product.as_deref().unwrap_or("storage box");
        let entry = o.product.as_deref().and_then(prices::find).filter(|e| e.kind == Kind::StorageBox);
        out.extend(line(
            CostCategory::StorageBox,
            format!("offsite backup ({product})"),
            1,
            o.price.as_ref(),
            entry,
            "/backup/offsite".into(),
            &mut unpriced,
        ));
    }
    out.extend(item_lines(&bp.extra_costs, "/extra_costs", &mut unpriced));
    // Category order, then blueprint order: stable and grouped.
    out.sort_by_key(|l| l.category);
    (out, unpriced)
}

fn sum(lines: &[Line], f: impl Fn(&Line) -> Money) -> Money {
    lines.iter().map(f).sum()
}

pub fn plan(bp: &Blueprint) -> CostPlan {
    let (lines, mut unpriced) = lines(bp);
    let monthly = sum(&lines, |l| l.monthly);
    let one_time = sum(&lines, |l| l.setup);
    let alternatives: Vec<Vec<Line>> = bp
        .alternatives
        .iter()
        .enumerate()
        .map(|(i, alt)| item_lines(&alt.items, &format!("/alternatives/{i}/items"), &mut unpriced))
        .collect();
    // Every category the report promises, 0.00 when there is none of it (IPs
    // and traffic count only when listed: see docs/design.md, "Cost report"); `other` only when used.
    let used = |c: CostCategory| lines.iter().chain(alternatives.iter().flatten()).any(|l| l.category == c);
    let shown: Vec<CostCategory> =
        ALL_CATEGORIES.iter().copied().filter(|&c| c != CostCategory::Other || used(c)).collect();
    let by_category = |lines: &[Line]| -> Vec<Money> {
        shown.iter().map(|&c| sum(lines, |l| if l.category == c { l.monthly } else { Money(0) })).collect()
    };
    let own = by_category(&lines);
    let categories: Vec<CategoryTotal> = shown
        .iter()
        .zip(&own)
        .map(|(&c, &m)| CategoryTotal { category: c, label: category_label(c), monthly: m })
        .collect();
    let budget = bp.budget.as_ref().map(|b| {
        let variance = Money(monthly.0 - b.monthly.0);
        BudgetPlan {
            monthly: b.monthly,
            variance,
            variance_percent: variance_percent(variance, b.monthly),
            over: variance.0 > 0,
            note: b.note.clone(),
        }
    });
    let option = |name: String, description: String, lines: Vec<Line>, adds_to_current: bool| {
        let mut per_category = by_category(&lines);
        let (mut m, mut o) = (sum(&lines, |l| l.monthly), sum(&lines, |l| l.setup));
        if adds_to_current {
            per_category.iter_mut().zip(&own).for_each(|(a, b)| a.0 += b.0);
            (m, o) = (Money(m.0 + monthly.0), Money(o.0 + one_time.0));
        }
        OptionCost {
            name,
            description,
            monthly: m,
            one_time: o,
            tco: TCO_YEARS.iter().map(|&y| tco(m, o, y)).collect(),
            monthly_difference: Money(m.0 - monthly.0),
            categories: per_category,
            lines,
        }
    };
    let mut options = vec![option(bp.project.name.to_string(), "this blueprint".into(), lines.clone(), false)];
    for (alt, alt_lines) in bp.alternatives.iter().zip(alternatives) {
        let description = if alt.adds_to_current {
            format!("{} (on top of this blueprint)", alt.description)
        } else {
            alt.description.clone()
        };
        options.push(option(alt.name.to_string(), description, alt_lines, alt.adds_to_current));
    }
    let mut per_unit = Vec::new();
    if let Some(w) = &bp.websites {
        let count = u32::try_from(w.sites.len()).unwrap_or(u32::MAX);
        per_unit.push(PerUnit { unit: "site", count, monthly: per(monthly, count) });
    }
    if let Some(users) = bp.project.users.filter(|&u| u > 0) {
        per_unit.push(PerUnit { unit: "user", count: users, monthly: per(monthly, users) });
    }
    CostPlan {
        currency: bp.budget.as_ref().map_or_else(|| prices::catalog().currency.clone(), |b| b.currency.clone()),
        regions: regions(bp, &lines),
        categories,
        yearly: Money(monthly.0 * 12),
        monthly,
        one_time,
        budget,
        options,
        tco_years: TCO_YEARS.to_vec(),
        per_unit,
        unpriced,
        lines,
        catalog: CatalogCheck {
            checked: prices::catalog().checked.clone(),
            max_age_days: prices::catalog().max_age_days,
        },
    }
}

#[cfg(test)]
#[path = "resolve/tests.rs"]
mod tests;
