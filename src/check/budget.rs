//! Budget: the monthly cost of everything priced in the blueprint against
//! the budget, with the variance as an amount and a percentage.

use crate::blueprint::model::Blueprint;
use crate::blueprint::units::Money;
use crate::diag::Finding;

use super::pct;

/// Every monthly price in the blueprint, with what it is for.
pub(crate) fn monthly_items(bp: &Blueprint) -> Vec<(String, Money)> {
    let mut items = Vec::new();
    for host in &bp.hosts {
        if let Some(p) = &host.price {
            items.push((format!("host {}", host.name), p.monthly));
        }
        for v in host.storage.iter().flat_map(|s| &s.volumes) {
            if let Some(p) = &v.price {
                items.push((format!("volume {}", v.name), p.monthly));
            }
        }
    }
    if let Some(p) = bp.load_balancer.as_ref().and_then(|lb| lb.price.as_ref()) {
        items.push(("load balancer".into(), p.monthly));
    }
    if let Some(p) = bp.backup.as_ref().and_then(|b| b.offsite.as_ref()).and_then(|o| o.price.as_ref()) {
        items.push(("offsite backup".into(), p.monthly));
    }
    for c in &bp.extra_costs {
        items.push((c.name.clone(), Money(c.price.monthly.0 * i64::from(c.quantity))));
    }
    items
}

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    let Some(budget) = &bp.budget else { return };
    let items = monthly_items(bp);
    let total: Money = items.iter().map(|(_, m)| *m).sum();
    if total > budget.monthly {
        let over = Money(total.0 - budget.monthly.0);
        let listing = items.iter().map(|(n, m)| format!("{n} {m}")).collect::<Vec<_>>().join(" + ");
        out.push(
            Finding::warning(
                "W801",
                "/budget/monthly",
                format!(
                    "monthly cost {} {total} exceeds the budget {} by {over} ({} % of the budget): {listing}",
                    budget.currency,
                    budget.monthly,
                    pct(over.0.unsigned_abs(), budget.monthly.0.unsigned_abs())
                ),
            )
            .hint("raise the budget or remove cost; `extra_costs` and prices are in the blueprint")
            .at_value(),
        );
    }
}
