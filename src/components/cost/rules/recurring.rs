//! Recurring products priced as if they were one copy (E813, E814), and the
//! provider's server Backups where the provider has none (E815).
//!
//! A snapshot or backup taken every day and kept N days is N copies at once,
//! and the provider bills each copy for as long as it exists: Hetzner bills a
//! snapshot per GB and month of its size, and a server's Backups (7 daily
//! slots) at 20 % of the server's price
//! (<https://docs.hetzner.com/cloud/servers/backups-snapshots/overview>).
//! A monthly line for "daily snapshots" priced at one copy's size
//! understates the bill by the number of copies kept.

use crate::blueprint::model::{Blueprint, CostItem, HostKind};
use crate::blueprint::units::Money;
use crate::components::cost::resolve::gb;
use crate::diag::Finding;
use crate::prices::{self, Rate, Unit};

/// Runs this family's rules (the module's doc lists them) over `bp`,
/// appending each finding to `out`.
pub fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    let items = bp.extra_costs.iter().enumerate().map(|(i, c)| (format!("/extra_costs/{i}"), c));
    let alternatives = bp.alternatives.iter().enumerate().flat_map(|(a, alt)| {
        alt.items.iter().enumerate().map(move |(i, c)| (format!("/alternatives/{a}/items/{i}"), c))
    });
    for (pointer, item) in items.chain(alternatives) {
        item_check(&pointer, item, out);
    }
    for (i, host) in bp.hosts.iter().enumerate() {
        if host.backups && host.kind == HostKind::Dedicated {
            out.push(
                Finding::error(
                    "E815",
                    format!("/hosts/{i}/backups"),
                    format!(
                        "`{}` is a dedicated server, and the provider's Backups (daily copies of the whole server) exist for cloud servers only: nothing would be backed up",
                        host.name
                    ),
                )
                .hint("remove `backups: true` and add a `backup` section (gen writes restic backups to a Storage Box), or use a cloud server")
                .at_value(),
            );
        }
    }
}

/// The catalog's price per GB-month for the item's product, when it has one.
fn per_gb_month(item: &CostItem) -> Option<Rate> {
    let e = item.product.as_deref().and_then(prices::find)?;
    (e.unit == Unit::GbMonth).then_some(e.price)
}

fn item_check(pointer: &str, item: &CostItem, out: &mut Vec<Finding>) {
    let Some(taken) = item.taken else { return };
    let Some(keep) = item.keep else {
        // What one copy costs, when the item says enough to know.
        let one = match (item.price.as_ref(), item.size, per_gb_month(item)) {
            (Some(p), _, _) => {
                format!("; as written, {} a month pays for one copy", Money(p.monthly.0 * i64::from(item.quantity)))
            }
            (None, Some(size), Some(rate)) => {
                let gb = u64::from(item.quantity) * gb(size);
                format!(
                    "; one copy of {} × {size} costs {} a month, and each copy kept adds as much",
                    item.quantity,
                    rate.times(gb)
                )
            }
            _ => String::new(),
        };
        out.push(
            Finding::error(
                "E814",
                format!("{pointer}/taken"),
                format!(
                    "`{}` is taken {} but does not say how many copies are kept: the provider bills every copy that exists, so a monthly line cannot stand for it{one}",
                    item.name,
                    taken.as_str()
                ),
            )
            .hint(format!(
                "add `keep: N` (copies kept at once, e.g. `keep: 7` for a week of {} copies) and `size:` of one copy; for whole cloud servers, `backups: true` on the host keeps 7 daily copies for 20 % of the server's price",
                taken.as_str()
            ))
            .at_value(),
        );
        return;
    };
    let (Some(quote), Some(size), Some(rate)) = (item.price.as_ref(), item.size, per_gb_month(item)) else { return };
    if keep <= 1 {
        return;
    }
    let gb_per_copy = gb(size);
    let one_copy = rate.times(gb_per_copy);
    let full = rate.times(gb_per_copy * u64::from(keep));
    // Below 80 % of every kept copy (W812's tolerance for quotes): the quote
    // cannot be a discount on the same product, it prices fewer copies.
    if quote.monthly.0 * 100 >= full.0 * 80 {
        return;
    }
    let covered = if one_copy.0 > 0 { quote.monthly.0 / one_copy.0 } else { 0 };
    let q = i64::from(item.quantity);
    out.push(
        Finding::error(
            "E813",
            format!("{pointer}/price/monthly"),
            format!(
                "`{}`: the quote of {} a month per unit pays for {} of {size} ({one_copy} a copy at {rate} per GB-month), but copies taken {} and kept {keep} are {keep} copies at once: {full} per unit, {} for {}",
                item.name,
                quote.monthly,
                match covered {
                    0 => "less than one copy".to_string(),
                    1 => "1 copy".to_string(),
                    n => format!("{n} copies"),
                },
                taken.as_str(),
                Money(full.0 * q),
                item.quantity,
            ),
        )
        .hint(format!(
            "drop `price:` to price all {keep} copies from the catalog, or quote {} per unit; for whole cloud servers, `backups: true` on the host keeps 7 daily copies for 20 % of the server's price",
            full
        ))
        .at_value(),
    );
}
