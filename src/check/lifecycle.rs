//! Check: what the blueprint pins against its vendor's end of life
//! (`catalog/lifecycle.yaml`, read by [`crate::lifecycle`]), on today's date
//! ([`crate::clock::today`]: `SOURCE_DATE_EPOCH` or the clock).
//!
//! - E422: a pinned image (PostgreSQL, nginx, Odoo, Node.js, Python) past
//!   its end of life, by a date the source states; W422: one whose end is
//!   at most `window_days` (180) away, or past by a date gen only projected
//!   from the vendor's policy (`verified: false`).
//! - E423/W423: the same for a host's operating system image
//!   (`ubuntu-22.04`, `debian-11`).
//!
//! The message carries the end-of-life date and the days since or until it;
//! the hint names the replacement and the source. Removed server types are
//! E601 (`capacity`), from `catalog.rs`.

use time::Date;

use crate::blueprint::model::Blueprint;
use crate::diag::Finding;
use crate::lifecycle::{self, Entry, Product};

/// One pinned thing: where, what it says, and its product and cycle.
struct Pinned {
    pointer: String,
    written: String,
    product: Product,
    cycle: String,
}

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    let today = crate::clock::today();
    let mut images: Vec<(String, &crate::blueprint::units::Image)> = Vec::new();
    if let Some(image) = bp.proxy.as_ref().and_then(|p| p.image.as_ref()) {
        images.push(("/proxy/image".into(), image));
    }
    images.extend(bp.postgres.iter().enumerate().map(|(i, pg)| (format!("/postgres/{i}/image"), &pg.image)));
    images.extend(bp.applications.iter().enumerate().map(|(i, a)| (format!("/applications/{i}/image"), &a.image)));
    images.extend(super::website_components(bp).into_iter().map(|(at, c)| (format!("{at}/image"), &c.image)));
    for (pointer, image) in images {
        if let Some((product, cycle)) = lifecycle::image_cycle(image) {
            let pinned = Pinned { pointer, written: format!("`{image}`"), product, cycle };
            judge(&pinned, today, ("E422", "W422"), out);
        }
    }
    for (h, host) in bp.hosts.iter().enumerate() {
        if let Some((product, cycle)) = lifecycle::os_cycle(&host.os) {
            let pinned = Pinned {
                pointer: format!("/hosts/{h}/os"),
                written: format!("`{}` on `{}`", host.os, host.name),
                product,
                cycle,
            };
            judge(&pinned, today, ("E423", "W423"), out);
        }
    }
}

/// The finding for one pinned thing on `today`, if any.
fn judge(p: &Pinned, today: Date, (error, warning): (&'static str, &'static str), out: &mut Vec<Finding>) {
    let Some(entry) = lifecycle::find(p.product, &p.cycle) else { return };
    if let Some(f) = finding(p, entry, today, lifecycle::table().window_days, (error, warning)) {
        out.push(f);
    }
}

fn finding(
    p: &Pinned,
    entry: &Entry,
    today: Date,
    window: i64,
    (error, warning): (&'static str, &'static str),
) -> Option<Finding> {
    let days = crate::clock::days_between(today, entry.eol_date());
    if days > window {
        return None;
    }
    let what = format!("{} {} ({})", p.product.label(), p.cycle, p.written);
    let unverified = if entry.verified { "" } else { " (a projected date, unverified)" };
    let message = if days < 0 {
        let then = if entry.verified { "no more security fixes" } else { "if so, no more security fixes" };
        format!(
            "{what} reached its end of life on {}{unverified}, {} days before today ({today}): {then}",
            entry.eol, -days
        )
    } else {
        format!(
            "{what} reaches its end of life on {}{unverified}, in {days} days (today is {today}; gen warns {window} days ahead)",
            entry.eol
        )
    };
    let hint = format!("pin {} instead; source: {}", entry.replacement, entry.source);
    let f = if days < 0 && entry.verified {
        Finding::error(error, p.pointer.clone(), message)
    } else {
        Finding::warning(warning, p.pointer.clone(), message)
    };
    Some(f.hint(hint).at_value())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pinned(product: Product, cycle: &str) -> Pinned {
        Pinned { pointer: "/postgres/0/image".into(), written: "`x`".into(), product, cycle: cycle.into() }
    }

    fn date(s: &str) -> Date {
        crate::clock::parse_date(s).unwrap()
    }

    #[test]
    fn past_soon_and_far() {
        let p = pinned(Product::Postgresql, "14");
        let e = lifecycle::find(Product::Postgresql, "14").unwrap();
        // Before the window: nothing; inside it: a warning with the days left.
        assert!(finding(&p, e, date("2026-01-01"), 180, ("E422", "W422")).is_none());
        let soon = finding(&p, e, date("2026-11-01"), 180, ("E422", "W422")).unwrap();
        assert_eq!(soon.code, "W422");
        assert!(soon.message.contains("on 2026-11-12, in 11 days"), "{}", soon.message);
        // After it: an error with the days since.
        let past = finding(&p, e, date("2026-11-30"), 180, ("E422", "W422")).unwrap();
        assert_eq!(past.code, "E422");
        assert!(past.message.contains("on 2026-11-12, 18 days before today (2026-11-30)"), "{}", past.message);
        assert!(past.hint.contains("postgres:17-alpine"));
    }

    #[test]
    fn a_projected_date_only_warns() {
        let p = pinned(Product::Odoo, "16");
        let e = lifecycle::find(Product::Odoo, "16").unwrap();
        assert!(!e.verified);
        let f = finding(&p, e, date("2026-11-30"), 180, ("E422", "W422")).unwrap();
        assert_eq!(f.code, "W422");
        assert!(f.message.contains("projected"), "{}", f.message);
    }
}
