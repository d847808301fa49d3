//! The first thing a customer reads in the report: the date of the figures,
//! the generator, the totals net and gross, and the three biggest risks in
//! plain words (`templates/report/*` print it before any table).
//!
//! Nothing here reads the clock: the report's date is the newest date in the
//! data it prints ([`report_date`]), so `out/` stays byte-identical over time.

use schemars::JsonSchema;
use serde::Serialize;

use crate::blueprint::model::{Blueprint, HostKind};
use crate::blueprint::units::Money;
use crate::components::cost::plan::report::SlaPlan;
use crate::components::cost::resolve::{CostPlan, Line};
use crate::diag::Diagnostic;
use crate::plan::HostPlan;
use crate::resolve::growth::GrowthPlan;

/// German VAT (Umsatzsteuer), standard rate, in percent: § 12 Abs. 1 UStG
/// (<https://www.gesetze-im-internet.de/ustg_1980/__12.html>). The price
/// catalog and the blueprints' quotes are net (`tax: net`; Hetzner lists net
/// prices for businesses), and gen's customers are German companies billed by
/// Hetzner Online GmbH, a German supplier, so 19 % is added to every net sum.
pub const VAT_PERCENT: i64 = 19;

/// Where [`VAT_PERCENT`] comes from, as the report prints it.
pub const VAT_SOURCE: &str = "§ 12 Abs. 1 UStG, the German standard rate";

/// How many risks the summary shows; every one is in `cost.json`.
pub const SUMMARY_RISKS: usize = 3;

/// The summary at the top of the report.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Summary {
    /// The report's date, `YYYY-MM-DD`: the newest date among the prices it
    /// uses (see [`report_date`]); never the day it was built.
    pub date: String,
    /// What `date` is, in words: `the day gen's price catalog was checked
    /// against its sources`.
    pub date_basis: String,
    /// The newest `as_of` of the prices the report shows (empty without any).
    pub newest_price: String,
    /// The generator that wrote the report: `gen 0.1.0`.
    pub generator: String,
    /// `19`: the VAT rate in percent ([`VAT_PERCENT`]).
    pub vat_percent: String,
    pub vat_source: String,
    /// Net amounts plus VAT, each rounded half up to the cent once.
    pub monthly_gross: Money,
    /// 12 × `monthly_gross` (VAT is charged on each monthly invoice).
    pub yearly_gross: Money,
    pub one_time_gross: Money,
    /// Every risk gen sees, most serious first ([`Risk`] documents the order).
    pub risks: Vec<Risk>,
}

/// One risk in plain words. The order of [`RiskKind`] is the ranking:
/// what cannot be undone (data lost), then money beyond what was agreed,
/// then outages (a certain one before a possible one), then money within
/// the budget, then figures nobody has checked. Within a kind, blueprint
/// order.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Risk {
    pub kind: RiskKind,
    /// A short headline: `Disks fill up by 2030`.
    pub headline: String,
    /// One or two plain sentences: what happens and what it costs.
    pub text: String,
}

/// The kinds of risk, in ranking order (most serious first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskKind {
    /// No copy of the data away from the machine that holds it.
    NoOffsiteCopy,
    /// The monthly cost is above the budget.
    OverBudget,
    /// Things that cost money have no price, so the total is too low.
    Unpriced,
    /// Quotes below the list price, and at list price the budget is exceeded.
    ListPriceOverBudget,
    /// A disk fills up within the growth projection (W811).
    StorageFull,
    /// Every service on one server.
    SingleServer,
    /// Containers may use more CPU or memory than the server has (W401, W402).
    Overcommit,
    /// One incident of the promised recovery time breaks the month's availability (W520).
    RecoveryBeyondAvailability,
    /// Quotes below the list price, within the budget at list price.
    ListPrice,
    /// A product the provider no longer sells.
    NotSold,
    /// Catalog prices no public record confirms.
    Unverified,
}

/// Net plus [`VAT_PERCENT`], rounded half up to the cent.
pub fn gross(net: Money) -> Money {
    let sign = net.0.signum();
    Money(sign * crate::prices::round_div(net.0.abs() * (100 + VAT_PERCENT), 100))
}

/// The report's date and what it is: the newest `as_of` of every price the
/// report shows (the blueprint's lines and its alternatives'), or the day
/// the price catalog was checked when a line comes from the catalog or is
/// compared with it and that day is newer. Dates are ISO `YYYY-MM-DD`, so
/// the newest is the greatest string.
pub fn report_date(cost: &CostPlan) -> (String, &'static str) {
    let newest = newest_price(cost);
    if uses_catalog(cost) && cost.catalog.checked > newest {
        (cost.catalog.checked.clone(), "the day gen's price catalog was checked against its sources")
    } else {
        (newest, "the date of the newest price in this report")
    }
}

fn lines(cost: &CostPlan) -> impl Iterator<Item = &Line> {
    cost.options.iter().flat_map(|o| &o.lines).chain(&cost.lines)
}

/// The newest `as_of` of every line the report shows.
fn newest_price(cost: &CostPlan) -> String {
    lines(cost).map(|l| l.as_of.as_str()).max().unwrap_or_default().to_string()
}

/// Whether a line is priced by the catalog or compared with it.
fn uses_catalog(cost: &CostPlan) -> bool {
    lines(cost).any(|l| l.priced_by == "catalog" || l.catalog_price.is_some())
}

/// The summary of a planned report; the risks that come from diagnostics
/// are added by [`risks`] once the diagnostics are known.
pub fn plan(cost: &CostPlan, generator: &str) -> Summary {
    let (date, date_basis) = report_date(cost);
    let monthly_gross = gross(cost.monthly);
    Summary {
        date,
        date_basis: date_basis.into(),
        newest_price: newest_price(cost),
        generator: generator.to_string(),
        vat_percent: VAT_PERCENT.to_string(),
        vat_source: VAT_SOURCE.into(),
        monthly_gross,
        yearly_gross: Money(monthly_gross.0 * 12),
        one_time_gross: gross(cost.one_time),
        risks: Vec::new(),
    }
}

/// What the risks are made of: the blueprint, its plan and its warnings.
pub struct Facts<'a> {
    pub bp: &'a Blueprint,
    pub hosts: &'a [HostPlan],
    pub cost: &'a CostPlan,
    pub growth: Option<&'a GrowthPlan>,
    pub sla: Option<&'a SlaPlan>,
    pub diagnostics: &'a [Diagnostic],
}

fn names(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn risk(kind: RiskKind, headline: impl Into<String>, text: impl Into<String>) -> Risk {
    Risk { kind, headline: headline.into(), text: text.into() }
}

/// Lines quoted below the catalog's list price, and what they cost at it.
fn below_list(cost: &CostPlan) -> (Vec<&Line>, Money) {
    let below: Vec<&Line> = cost.lines.iter().filter(|l| l.catalog_price.is_some_and(|c| c > l.unit_price)).collect();
    let extra = below.iter().map(|l| Money(l.catalog_price.map_or(0, |c| c.times(l.quantity).0) - l.monthly.0)).sum();
    (below, extra)
}

/// The hosts a warning `code` points at (`/hosts/N…`), in blueprint order.
fn hosts_warned<'a>(f: &Facts<'a>, codes: &[&str]) -> Vec<&'a HostPlan> {
    let mut idx: Vec<usize> = f
        .diagnostics
        .iter()
        .filter(|d| codes.contains(&d.code))
        .filter_map(|d| d.pointer.strip_prefix("/hosts/")?.split('/').next()?.parse().ok())
        .collect();
    idx.sort_unstable();
    idx.dedup();
    idx.into_iter().filter_map(|i| f.hosts.get(i)).collect()
}

fn has(f: &Facts, code: &str) -> bool {
    f.diagnostics.iter().any(|d| d.code == code)
}

/// Every risk, most serious first (the order of [`RiskKind`]).
pub fn risks(f: &Facts) -> Vec<Risk> {
    let (bp, cost) = (f.bp, f.cost);
    let cur = &cost.currency;
    let mut out = Vec::new();
    let offsite = bp.backup.as_ref().is_some_and(|b| b.offsite.is_some());
    let provider_backups = bp.hosts.iter().any(|h| h.backups && h.kind == HostKind::Cloud);
    if !offsite && !provider_backups && !bp.hosts.is_empty() {
        out.push(risk(
            RiskKind::NoOffsiteCopy,
            "No copy of the data away from the server",
            "Every backup stays on the machine it protects: a fire, a failed disk array or a lost account takes the data and its backups together. An offsite copy (a Storage Box) costs a few euros a month.",
        ));
    }
    if let Some(b) = cost.budget.as_ref().filter(|b| b.over) {
        out.push(risk(
            RiskKind::OverBudget,
            format!("Over budget by {cur} {} a month", b.variance),
            format!(
                "The stack costs {cur} {} a month, {} ({} %) more than the budget of {}.",
                cost.monthly, b.variance, b.variance_percent, b.monthly
            ),
        ));
    }
    if !cost.unpriced.is_empty() {
        let list: Vec<String> = cost.unpriced.iter().map(|u| u.name.clone()).collect();
        out.push(risk(
            RiskKind::Unpriced,
            "Some costs are missing from the total",
            format!(
                "{} cost money but have no price, so the total of {cur} {} a month leaves them out.",
                names(&list),
                cost.monthly
            ),
        ));
    }
    let (below, extra) = below_list(cost);
    if !below.is_empty() {
        let at_list = Money(cost.monthly.0 + extra.0);
        let over = cost.budget.as_ref().map(|b| Money(at_list.0 - b.monthly.0)).filter(|m| m.0 > 0);
        let list: Vec<String> = below.iter().map(|l| l.name.clone()).collect();
        let (quotes, are) = if list.len() == 1 { ("quote", "is") } else { ("quotes", "are") };
        let mut text = format!(
            "The {quotes} for {} {are} below the provider's list price for a new order. At list prices the stack costs at least {cur} {at_list} a month, {extra} more",
            names(&list)
        );
        match (over, cost.budget.as_ref()) {
            (Some(o), Some(b)) => text.push_str(&format!(", {o} over the budget of {}.", b.monthly)),
            (None, Some(_)) => text.push_str(", still within the budget."),
            _ => text.push('.'),
        }
        let kind = if over.is_some() { RiskKind::ListPriceOverBudget } else { RiskKind::ListPrice };
        out.push(risk(kind, format!("Prices may be {cur} {extra} a month higher than quoted"), text));
    }
    if let Some(g) = f.growth {
        let full: Vec<String> = g
            .mounts
            .iter()
            .filter(|m| m.runs_out_in_projection)
            .filter_map(|m| {
                let (year, cap) = (m.runs_out?, m.capacity?);
                let need = g.years.iter().zip(&m.need).find(|(y, _)| **y == year).map(|(_, n)| *n)?;
                Some(format!("{} ({cap}) fills up in {year}, when its data reaches {need}", m.mount))
            })
            .collect();
        let first = g.mounts.iter().filter(|m| m.runs_out_in_projection).filter_map(|m| m.runs_out).min();
        if let Some(first) = first {
            out.push(risk(
                RiskKind::StorageFull,
                format!("A disk fills up in {first}"),
                format!(
                    "At the expected growth, {}. The services writing there stop when a disk is full; enlarge it before then.",
                    names(&full)
                ),
            ));
        }
    }
    if let [only] = bp.hosts.as_slice() {
        let rto =
            bp.sla.as_ref().map(|s| format!(", which the plan expects to take up to {}", s.rto)).unwrap_or_default();
        out.push(risk(
            RiskKind::SingleServer,
            "Everything runs on one server",
            format!(
                "When {} fails, every service stops until it is repaired or rebuilt from the backups{rto}.",
                only.name
            ),
        ));
    }
    let over: Vec<String> = hosts_warned(f, &["W401", "W402"])
        .iter()
        .map(|h| {
            let c = &h.capacity;
            format!(
                "{} (up to {} of {} CPUs, {} of {} memory)",
                h.name, c.cpus_limits.value, h.cpus.value, c.memory_limits.value, h.memory.value
            )
        })
        .collect();
    if !over.is_empty() {
        out.push(risk(
            RiskKind::Overcommit,
            "Services may want more than the server has",
            format!(
                "Together, the services may use more than their server has on {}. Under load they slow each other down, and when memory runs out the system stops one of them.",
                names(&over)
            ),
        ));
    }
    if let Some(s) = f.sla.filter(|_| has(f, "W520")) {
        out.push(risk(
            RiskKind::RecoveryBeyondAvailability,
            "One outage breaks the availability promise",
            format!(
                "Recovery may take up to {}, but {} % availability allows only {} of downtime a month: a single incident breaks that month's promise.",
                s.rto, s.availability, s.downtime_month
            ),
        ));
    }
    let gone: Vec<String> = cost
        .lines
        .iter()
        .filter(|l| !l.available)
        .map(|l| format!("{} (replaced by {})", l.name, l.replacement.as_deref().unwrap_or("nothing")))
        .collect();
    if !gone.is_empty() {
        out.push(risk(
            RiskKind::NotSold,
            "A product can no longer be ordered",
            format!("The provider no longer sells {}; a new server costs what its successor costs.", names(&gone)),
        ));
    }
    let unverified: Vec<String> =
        cost.lines.iter().filter(|l| l.verified == Some(false)).map(|l| l.name.clone()).collect();
    if !unverified.is_empty() {
        out.push(risk(
            RiskKind::Unverified,
            "Some prices are not confirmed",
            format!(
                "No public record confirms the catalog price of {}: confirm it with the provider before ordering.",
                names(&unverified)
            ),
        ));
    }
    // Stable: within a kind, the order above (blueprint order).
    out.sort_by_key(|r| r.kind);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gross_adds_nineteen_percent_half_up() {
        // 63.90 × 1.19 = 76.041 → 76.04; 18.57 × 1.19 = 22.0983 → 22.10.
        assert_eq!(gross(Money(6390)), Money(7604));
        assert_eq!(gross(Money(1857)), Money(2210));
        // 0.50 × 1.19 = 0.595 → 0.60 (half up), and signed amounts mirror.
        assert_eq!(gross(Money(50)), Money(60));
        assert_eq!(gross(Money(-50)), Money(-60));
        assert_eq!(gross(Money(0)), Money(0));
    }

    #[test]
    fn names_read_as_a_list() {
        assert_eq!(names(&[]), "");
        assert_eq!(names(&["a".into()]), "a");
        assert_eq!(names(&["a".into(), "b".into(), "c".into()]), "a, b and c");
    }

    #[test]
    fn risk_kinds_rank_data_then_money_then_outages() {
        assert!(RiskKind::NoOffsiteCopy < RiskKind::OverBudget);
        assert!(RiskKind::ListPriceOverBudget < RiskKind::StorageFull);
        assert!(RiskKind::StorageFull < RiskKind::SingleServer);
        assert!(RiskKind::RecoveryBeyondAvailability < RiskKind::ListPrice);
        assert!(RiskKind::ListPrice < RiskKind::Unverified);
    }
}
