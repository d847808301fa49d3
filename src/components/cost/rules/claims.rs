//! Cost and growth figures: the source document's stated figures (`claims`)
//! against what gen computes (E810), growth items on a mount no host has
//! (E811), alternatives a claim names that do not exist (E812), things that
//! cost money but have no price (W810), storage that runs out within the
//! growth projection (W811), and quotes far from the catalog's price (W812).
//! The offsite repository a claim states (`offsite_needed`) is compared with
//! gen's restic projection, under its deduplication assumption.

use crate::blueprint::model::{Blueprint, Figure};
use crate::blueprint::units::{Money, Size};
use crate::components::cost::resolve as cost;
use crate::diag::Finding;
use crate::resolve::growth;

/// A stated amount matches when equal to the cent, or, when it is written
/// without cents, within one currency unit (documents round to whole euros).
fn amount_matches(stated: Money, computed: Money) -> bool {
    let diff = (stated.0 - computed.0).abs();
    diff == 0 || (stated.0 % 100 == 0 && diff < 100)
}

/// A quote deviates when it is more than 20 % off the catalog price.
fn quote_deviates(quote: crate::prices::Rate, list: crate::prices::Rate) -> bool {
    quote.0.abs_diff(list.0) * 100 > list.0.unsigned_abs() * 20
}

/// A stated size matches within 1 % (documents round to whole GB).
fn size_matches(stated: Size, computed: Size) -> bool {
    stated.0.abs_diff(computed.0) * 100 <= computed.0
}

/// Runs this family's rules (the module's doc lists them) over `bp`,
/// appending each finding to `out`.
pub fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    let plan = cost::plan(bp);
    let quoted = plan.options.iter().skip(1).flat_map(|o| &o.lines).chain(&plan.lines);
    for l in quoted {
        let (Some(id), Some(list)) = (&l.product, l.catalog_price) else { continue };
        let Some(entry) = crate::prices::find(id) else { continue };
        if !quote_deviates(l.unit_price, list) {
            continue;
        }
        let (q, c) = (l.unit_price.0, list.0);
        let dir = if q > c { "above" } else { "below" };
        out.push(
            Finding::warning(
                "W812",
                l.pointer.clone(),
                format!(
                    "the quote of {} for `{}` ({id}) is {} % {dir} the catalog's {} ({}, {}, as of {})",
                    l.unit_price,
                    l.name,
                    crate::resolve::pct(q.abs_diff(c), c.unsigned_abs()),
                    list,
                    match entry.tax {
                        crate::prices::Tax::Net => "net",
                        crate::prices::Tax::Gross => "gross",
                    },
                    entry.source,
                    entry.as_of
                ),
            )
            .hint("check the quote against the provider's current price list; a different product or tax basis is the usual cause")
            .at_value(),
        );
    }
    for u in &plan.unpriced {
        out.push(
            Finding::warning(
                "W810",
                u.pointer.clone(),
                format!("`{}` costs money but has no price: no quote in the blueprint and no catalog entry", u.name),
            )
            .hint("give it a `price: {monthly, as_of, source}` quote, or a `product` the price catalog knows"),
        );
    }
    if let Some(g) = &bp.growth {
        for (i, item) in g.items.iter().enumerate() {
            if growth::capacity_of(bp, &item.mount).is_none() {
                out.push(
                    Finding::error(
                        "E811",
                        format!("/growth/items/{i}/mount"),
                        format!(
                            "growth item `{}` lives on `{}`, which no host has as a partition or volume",
                            item.name, item.mount
                        ),
                    )
                    .hint("name the mount point of a partition or volume, as written under `storage`")
                    .at_value(),
                );
            }
        }
    }
    let growth = bp.growth.as_ref().map(|g| growth::plan(bp, g));
    if let (Some(g), Some(plan)) = (&bp.growth, &growth) {
        for m in plan.mounts.iter().filter(|m| m.runs_out_in_projection) {
            let (Some(year), Some(capacity)) = (m.runs_out, m.capacity) else { continue };
            let i = g.items.iter().position(|it| it.mount == m.mount).unwrap_or(0);
            let need = plan.years.iter().position(|y| *y == year).map(|k| m.need[k]).unwrap_or_default();
            out.push(
                Finding::warning(
                    "W811",
                    format!("/growth/items/{i}/per_year"),
                    format!(
                        "`{}` ({capacity}) runs out in {year}, when its growth items ({}) reach {need}",
                        m.mount,
                        m.items.join(", ")
                    ),
                )
                .hint(format!("plan to grow `{}` before {year} (LVM, resize2fs) or give it more room now", m.mount))
                .at_value(),
            );
        }
    }
    for (i, claim) in bp.claims.iter().enumerate() {
        // The caret goes under the stated figure itself.
        let at = match &claim.figure {
            Figure::MonthlyTotal(_) => "monthly_total",
            Figure::YearlyTotal(_) => "yearly_total",
            Figure::OneTimeTotal(_) => "one_time_total",
            Figure::BudgetVariance(_) => "budget_variance",
            Figure::BudgetVariancePercent(_) => "budget_variance_percent",
            Figure::Tco { .. } => "tco/amount",
            Figure::AlternativeMonthly { .. } => "alternative_monthly/amount",
            Figure::StorageNeeded { .. } => "storage_needed/size",
            Figure::OffsiteNeeded { .. } => "offsite_needed/size",
        };
        let pointer = format!("/claims/{i}/figure/{at}");
        let option = |name: &str| plan.options.iter().skip(1).find(|o| o.name == name);
        // (what, stated, computed, matches)
        let verdict: Option<(String, String, String, bool)> = match &claim.figure {
            Figure::MonthlyTotal(m) => Some(money("the monthly total", *m, plan.monthly)),
            Figure::YearlyTotal(m) => Some(money("the yearly total", *m, plan.yearly)),
            Figure::OneTimeTotal(m) => Some(money("the one-time fees", *m, plan.one_time)),
            Figure::BudgetVariance(m) => plan.budget.as_ref().map(|b| {
                let computed = Money(b.variance.0.abs());
                money("the budget variance", *m, computed)
            }),
            Figure::BudgetVariancePercent(p) => plan.budget.as_ref().map(|b| {
                let computed = b.variance_percent.trim_start_matches(['+', '-']).to_string();
                // Compare at the one decimal the report prints.
                let stated = crate::resolve::pct(p.0.unsigned_abs(), 10_000);
                let ok = stated == computed;
                (
                    "the budget variance".into(),
                    format!("{p} %"),
                    format!("{computed} % of the budget {}", b.monthly),
                    ok,
                )
            }),
            Figure::Tco { years, alternative, amount } => {
                let base = match alternative {
                    Some(a) => {
                        option(a.as_str()).map(|o| (o.monthly, o.one_time, format!("the {years}-year TCO of `{a}`")))
                    }
                    None => Some((plan.monthly, plan.one_time, format!("the {years}-year TCO"))),
                };
                match base {
                    Some((m, o, what)) => {
                        let computed = cost::tco(m, o, *years);
                        let (_, s, c, ok) = money("", *amount, computed);
                        Some((what, s, format!("{c} ({o} one-time + {m} × {} months)", 12 * years), ok))
                    }
                    None => {
                        missing_alternative(
                            alternative.as_ref().map_or("", |a| a.as_str()),
                            &format!("/claims/{i}/figure/tco/alternative"),
                            out,
                        );
                        None
                    }
                }
            }
            Figure::AlternativeMonthly { alternative, amount } => match option(alternative.as_str()) {
                Some(o) => Some(money(&format!("the monthly total of `{alternative}`"), *amount, o.monthly)),
                None => {
                    missing_alternative(
                        alternative.as_str(),
                        &format!("/claims/{i}/figure/alternative_monthly/alternative"),
                        out,
                    );
                    None
                }
            },
            Figure::StorageNeeded { year, size } => growth.as_ref().and_then(|g| {
                let i = g.years.iter().position(|y| y == year)?;
                let computed = g.total[i];
                Some((
                    format!("the storage needed in {year}"),
                    size.to_string(),
                    format!("{computed} (the growth items' sum)"),
                    size_matches(*size, computed),
                ))
            }),
            Figure::OffsiteNeeded { year, size } => offsite_needed(bp, *year).map(|(computed, why)| {
                (
                    format!("the offsite repository in {year}"),
                    size.to_string(),
                    format!("{computed} ({why})"),
                    size_matches(*size, computed),
                )
            }),
        };
        if let Some((what, stated, computed, false)) = verdict {
            out.push(
                Finding::error(
                    "E810",
                    pointer,
                    format!("{} states {what} as {stated}, but it is {computed}", claim.source),
                )
                .hint("correct the figure in the document; gen computes it from the blueprint's prices and sizes")
                .at_value(),
            );
        }
    }
}

/// The restic repository in `year` (`resolve::backup_size::offsite_need`), with
/// how it is made up; none without an offsite copy or outside the projection.
fn offsite_needed(bp: &Blueprint, year: u32) -> Option<(Size, String)> {
    use crate::blueprint::model::BackupMode;
    use crate::resolve::backup_size as size;
    let backup = bp.backup.as_ref()?;
    let o = backup.offsite.as_ref()?;
    let (start, n) = size::years(bp);
    let i = year.checked_sub(start).filter(|i| *i < n)?;
    let trees = size::trees(bp, backup);
    let listing = size::listing(&trees, BackupMode::Snapshot, i);
    let once = if listing.is_empty() { String::new() } else { format!("{listing} once, plus ") };
    Some((
        size::offsite_need(backup, &trees, i),
        format!(
            "restic, deduplicated: {once}{} kept snapshots ({} daily + {} monthly) of {} dumps and archives, which do not deduplicate",
            size::offsite_sets(backup),
            o.keep_daily,
            o.keep_monthly,
            backup.local.daily_size
        ),
    ))
}

fn money(what: &str, stated: Money, computed: Money) -> (String, String, String, bool) {
    (what.to_string(), stated.to_string(), computed.to_string(), amount_matches(stated, computed))
}

fn missing_alternative(name: &str, pointer: &str, out: &mut Vec<Finding>) {
    out.push(
        Finding::error(
            "E812",
            pointer,
            format!("the claim names the alternative `{name}`, which the blueprint does not have"),
        )
        .hint("name one of `alternatives[].name`")
        .at_value(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_amounts_match_within_a_unit_cents_exactly() {
        assert!(amount_matches(Money(596_100), Money(596_124)));
        assert!(amount_matches(Money(341_200), Money(341_184)));
        assert!(!amount_matches(Money(34_600), Money(35_890)));
        assert!(!amount_matches(Money(2074), Money(2075)));
        assert!(amount_matches(Money(2075), Money(2075)));
    }

    #[test]
    fn quotes_deviate_beyond_a_fifth_of_the_list_price() {
        use crate::prices::Rate;
        // The spec's CCX33 at 28.00 against 48.49; the plan's AX52 at 51 against 59.
        assert!(quote_deviates(Rate(280_000), Rate(484_900)));
        assert!(!quote_deviates(Rate(510_000), Rate(590_000)));
        assert!(!quote_deviates(Rate(120), Rate(100)));
        assert!(quote_deviates(Rate(121), Rate(100)));
    }

    #[test]
    fn growth_on_a_cloud_servers_own_disk_and_volumes() {
        let growth = |mount: &str| {
            format!("growth:\n  start_year: 2026\n  years: 3\n  items:\n    - {{name: files, mount: {mount}, initial: 10G, per_year: 5G}}\n")
        };
        let volume = "      volumes:\n        - {name: files, size: 100G, mount: /mnt/files}\n";
        let e811 =
            |storage: &str, mount: &str| crate::check::codes_on_cloud(check, storage, &growth(mount)).contains(&"E811");
        // `/` is the CX33's own disk; a volume's mount is a mount too.
        assert!(!e811("", "/"));
        assert!(!e811(volume, "/mnt/files"));
        assert!(e811(volume, "/mnt/other"));
        // Growth past a volume within the projection: W811.
        let big = "growth:\n  start_year: 2026\n  years: 3\n  items:\n    - {name: files, mount: /mnt/files, initial: 90G, per_year: 20G}\n";
        assert!(crate::check::codes_on_cloud(check, volume, big).contains(&"W811"));
    }

    #[test]
    fn sizes_match_within_one_percent() {
        assert!(size_matches(Size::gib(300), Size::gib(300)));
        assert!(!size_matches(Size::gib(310), Size::gib(300)));
    }
}
