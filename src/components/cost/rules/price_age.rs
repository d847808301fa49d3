//! Catalog prices that may no longer hold: a price catalog whose last check
//! against its sources is older than its stated limit (W815). A line priced
//! from an entry no public record confirms is marked `unverified` in the
//! cost report rather than warned about: most blueprints that leave a
//! dedicated server unquoted would warn, and the report is where a price is
//! read.
//!
//! The catalog (`catalog/hetzner-prices.yaml`) states `checked`, the day every
//! entry was compared with its `source`, and `max_age_days`. Hetzner changed
//! its prices twice in 2026 (2026-04-01 and 2026-06-15, see the catalog's
//! header), so a catalog that has not been looked at for half a year is
//! likely wrong somewhere. "Today" is [`crate::clock::today`]
//! (`SOURCE_DATE_EPOCH` or the system clock); nothing under `out/` uses it.

use crate::blueprint::model::Blueprint;
use crate::clock;
use crate::components::cost::resolve::{self as cost, Line};
use crate::diag::Finding;
use crate::prices;

/// Runs this family's rules (the module's doc lists them) over `bp`,
/// appending each finding to `out`.
pub fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    let plan = cost::plan(bp);
    // The blueprint's own lines, then each alternative's.
    let lines: Vec<&Line> = plan.options.iter().flat_map(|o| o.lines.iter()).collect();
    let catalogued: Vec<&Line> = lines.iter().copied().filter(|l| l.verified.is_some()).collect();
    let Some(first) = catalogued.first() else { return };
    let catalog = prices::catalog();
    if let Some(checked) = clock::parse_date(&catalog.checked) {
        let today = clock::today();
        let age = clock::days_between(checked, today);
        if age > i64::from(catalog.max_age_days) {
            out.push(
                Finding::warning(
                    "W815",
                    first.pointer.clone(),
                    format!(
                        "the price catalog was last checked against its sources on {checked}, {age} days before \
                         today ({today}), over its limit of {} days; {} line{} here use{} its prices (first: `{}` at {})",
                        catalog.max_age_days,
                        catalogued.len(),
                        if catalogued.len() == 1 { "" } else { "s" },
                        if catalogued.len() == 1 { "s" } else { "" },
                        first.name,
                        first.unit_price,
                    ),
                )
                .hint(
                    "re-check every entry of catalog/hetzner-prices.yaml against its `source`, update the figures, \
                     `as_of` and `checked`; or quote the price in the blueprint (`price: {monthly, as_of, source}`)",
                ),
            );
        }
    }
}
