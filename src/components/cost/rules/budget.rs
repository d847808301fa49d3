//! Budget: the monthly cost of everything priced in the blueprint against
//! the budget, with the variance as an amount and a percentage.

use crate::blueprint::model::Blueprint;
use crate::blueprint::units::Money;
use crate::components::cost::resolve as cost;
use crate::diag::Finding;

/// Runs this family's rules (the module's doc lists them) over `bp`,
/// appending each finding to `out`.
pub fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    let Some(budget) = &bp.budget else { return };
    let (items, _) = cost::lines(bp);
    let total: Money = items.iter().map(|l| l.monthly).sum();
    if total > budget.monthly {
        let over = Money(total.0 - budget.monthly.0);
        let listing = items.iter().map(|l| format!("{} {}", l.name, l.monthly)).collect::<Vec<_>>().join(" + ");
        out.push(
            Finding::warning(
                "W801",
                "/budget/monthly",
                format!(
                    "monthly cost {} {total} exceeds the budget {} by {over} ({} % of the budget): {listing}",
                    budget.currency,
                    budget.monthly,
                    crate::resolve::pct(over.0.unsigned_abs(), budget.monthly.0.unsigned_abs())
                ),
            )
            .hint("raise the budget or remove cost; `extra_costs` and prices are in the blueprint")
            .at_value(),
        );
    }
}
