//! Recovery promises: the SLA's recovery time objective against what a
//! total loss of a server takes (E520), and against the downtime the SLA's
//! availability allows in a month (W520).
//!
//! A total loss of a host that carries a service alone (an Odoo
//! application, a PostgreSQL, or a website not served by two or more hosts
//! behind the load balancer) takes, at the least:
//! 1. the provider's time to hand over a replacement server: `sla.replacement`,
//!    else the provider's published estimate ([`provisioning`]);
//! 2. operating system and stack: `sla.setup`, else 90 min on a dedicated
//!    server (the Odoo plan's own figures, section 6.3: 30 min Ubuntu, 1 h
//!    Docker and stack) or 30 min on a cloud server (an assumption);
//! 3. on the backup host, reading the latest set back from the offsite copy
//!    (`components::backup::resolve::size::restore_size`: the snapshot trees plus one
//!    `daily_size`, in the last year of the growth projection) at
//!    `sla.restore_throughput`, else 50 MiB/s (an assumption: Hetzner
//!    publishes no Storage Box throughput).
//!
//! DNS, certificates and the check that the restore is whole come on top,
//! so the sum is a lower bound: E520 is an error because the promise fails
//! even then.
//!
//! W520 is a warning, not an error: availability is measured over every
//! incident of a month, and a total loss is rare; but an RTO longer than the
//! month's downtime budget promises a recovery that by itself breaks the
//! availability promised beside it.

use std::collections::HashSet;

use crate::blueprint::model::{Blueprint, Host, HostKind};
use crate::blueprint::units::{Duration, Size};
use crate::components::backup::resolve::size as backup_size;
use crate::diag::Finding;

/// The hours of the average month, 8760 h / 12, over which availability is
/// counted (a 30-day month would be 720 h).
pub(super) const MONTH_HOURS: u64 = 730;

/// Default setup time on a dedicated server: the Odoo plan's 30 min
/// installimage plus 1 h Docker and stack (section 6.3, scenario 4).
const SETUP_DEDICATED: Duration = Duration(90 * 60);
/// Default setup time on a cloud server: cloud-init runs install.sh at
/// first boot; an assumption, `sla.setup` overrides it.
const SETUP_CLOUD: Duration = Duration(30 * 60);
/// Default restore throughput, bytes per second; an assumption.
const THROUGHPUT: Size = Size::mib(50);

/// Hetzner's estimated time from an accepted order to a handed-over server,
/// as published at <https://docs.hetzner.com/general/others/order-processing>
/// (last change 2025-01-14: "estimates and are not legally binding", updated
/// weekly). "A few minutes" counts as 1 h, N workdays as N × 24 h (the
/// lower bound: weekends only add). Cloud servers are created through the
/// API in about a minute; counted as 5 min. Returns the estimate and the
/// words it rests on; none for a server type the table does not list.
pub(super) fn provisioning(host: &Host) -> Option<(Duration, String)> {
    const MINUTES: Duration = Duration(3600);
    if host.kind == HostKind::Cloud {
        return Some((Duration(300), "a cloud server, created through the API in minutes".into()));
    }
    // (model, German locations fsn1/nbg1, Finland hel1), in workdays; 0 = a few minutes.
    const TABLE: &[(&str, u64, u64)] = &[
        ("AX41-NVMe", 0, 0),
        ("AX42", 0, 5),
        ("AX52", 0, 5),
        ("AX102", 10, 5),
        ("AX162-R", 10, 5),
        ("AX162-S", 0, 5),
        ("EX44", 0, 10),
        ("EX101", 0, 0),
        ("EX130-R", 0, 5),
        ("EX130-S", 0, 0),
        ("GEX44", 5, 5),
        ("GEX130", 0, 0),
        ("RX170", 0, 0),
        ("RX220", 0, 0),
        ("SX65", 0, 10),
        ("SX135", 0, 0),
        ("SX295", 0, 0),
    ];
    let (model, de, fi) = TABLE.iter().find(|(m, _, _)| m.eq_ignore_ascii_case(&host.server_type))?;
    let workdays = if host.location.starts_with("hel") { *fi } else { *de };
    let place = if host.location.starts_with("hel") { "Finland" } else { "Germany" };
    Some(if workdays == 0 {
        (MINUTES, format!("Hetzner's estimate for an {model} in {place}: \"a few minutes\", counted as 1h"))
    } else {
        (
            Duration(workdays * 86_400),
            format!("Hetzner's estimate for an {model} in {place}: at least {workdays} workdays"),
        )
    })
}

/// "3 h 39 min" for a number of seconds (minutes rounded up).
pub(super) fn hours_minutes(seconds: u64) -> String {
    let minutes = seconds.div_ceil(60);
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// The downtime `availability` percent allows in a month of [`MONTH_HOURS`],
/// in seconds: 99.5 % gives 13,140 s (3 h 39 min).
pub(super) fn monthly_budget(availability: f64) -> u64 {
    // Thousandths of a percent, so that 99.95 stays exact.
    let milli = (availability * 1000.0).round().clamp(0.0, 100_000.0);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let milli = milli as u64;
    MONTH_HOURS * 3600 * (100_000 - milli) / 100_000
}

/// Hosts whose loss stops a service, in blueprint order.
fn single_points(bp: &Blueprint) -> Vec<&Host> {
    // A set: two hosts per site, looked up per host, cost sites × hosts as a list.
    let mut names: HashSet<&str> = HashSet::new();
    for app in &bp.applications {
        let hosts = app.hosts();
        let balanced = hosts.iter().filter(|h| bp.load_balancers_of(h.as_str()).next().is_some()).count();
        // Two balanced hosts back each other up; the files' host carries them alone.
        if balanced < 2 {
            names.extend(hosts.iter().map(|h| h.as_str()));
        }
        names.extend(app.data_host().filter(|_| app.is_spread()).map(|h| h.as_str()));
    }
    names.extend(bp.postgres.iter().map(|p| p.host.as_str()));
    if let Some(web) = &bp.websites {
        for site in &web.sites {
            let hosts = site.hosts.as_ref().unwrap_or(&web.hosts);
            let balanced = hosts.iter().filter(|h| bp.load_balancers_of(h.as_str()).next().is_some()).count();
            if balanced < 2 {
                names.extend(hosts.iter().map(|h| h.as_str()));
            }
        }
    }
    bp.hosts.iter().filter(|h| names.contains(h.name.as_str())).collect()
}

/// Runs this family's rules (the module's doc lists them) over `bp`,
/// appending each finding to `out`.
pub fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    let Some(sla) = &bp.sla else { return };
    let budget = monthly_budget(sla.availability);
    if sla.rto.0 > budget {
        out.push(
            Finding::warning("W520", "/sla/rto", format!(
                "an RTO of {} is longer than the {} % availability allows in a month: {} ({} % of {MONTH_HOURS} h, the average month): one incident that takes the RTO breaks that month's availability",
                hours_minutes(sla.rto.0),
                sla.availability,
                hours_minutes(budget),
                crate::resolve::pct(budget, MONTH_HOURS * 3600),
            ))
            .hint(format!("promise an RTO within {} (a standby server, or two behind a load balancer), or state the availability the RTO allows", hours_minutes(budget)))
            .at_value(),
        );
    }
    let throughput = sla.restore_throughput.filter(|t| t.0 > 0).unwrap_or(THROUGHPUT);
    let (start, years) = backup_size::years(bp);
    for host in single_points(bp) {
        let Some((replacement, why)) =
            sla.replacement.map(|d| (d, "`sla.replacement`".to_string())).or_else(|| provisioning(host))
        else {
            continue;
        };
        let (setup, setup_why) = match (sla.setup, host.kind) {
            (Some(d), _) => (d, "`sla.setup`"),
            (None, HostKind::Dedicated) => (SETUP_DEDICATED, "assumed: the Odoo plan's 30 min OS + 1 h stack"),
            (None, HostKind::Cloud) => (SETUP_CLOUD, "assumed: cloud-init and install.sh"),
        };
        let restore = bp.backup.as_ref().filter(|b| b.host == host.name && b.offsite.is_some()).map(|b| {
            let trees = backup_size::trees(bp, b);
            backup_size::restore_size(b, &trees, years - 1)
        });
        let restore_s = restore.map_or(0, |s| s.0.div_ceil(throughput.0));
        let total = replacement.0 + setup.0 + restore_s;
        if total <= sla.rto.0 {
            continue;
        }
        let restore_text = match restore {
            Some(size) => {
                let when = if bp.growth.is_some() { format!(" in {}", start + years - 1) } else { String::new() };
                format!(
                    ", then {} to read {size}{when} back from the offsite copy at {throughput}/s{}",
                    hours_minutes(restore_s),
                    if sla.restore_throughput.is_some() { "" } else { " (assumed)" }
                )
            }
            None => String::new(),
        };
        out.push(
            Finding::error("E520", "/sla/rto", format!(
                "after a total loss of `{}` the service is back after {} at the earliest, more than the RTO of {}: {} for a replacement {} ({why}), {} to install it ({setup_why}){restore_text}",
                host.name,
                hours_minutes(total),
                hours_minutes(sla.rto.0),
                hours_minutes(replacement.0),
                host.server_type,
                hours_minutes(setup.0),
            ))
            .hint(format!(
                "state the RTO this design gives (`rto: {}h`), or shorten the path: a standby server or a second one behind a load balancer; set `sla.replacement`, `sla.setup` and `sla.restore_throughput` to what a rehearsal measured",
                total.div_ceil(3600)
            ))
            .at_value(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monthly_downtime_budgets() {
        // 0.5 % of 730 h = 3.65 h = 3 h 39 min; 99.9 % allows 43 min 48 s.
        assert_eq!(monthly_budget(99.5), 13_140);
        assert_eq!(hours_minutes(13_140), "3 h 39 min");
        assert_eq!(monthly_budget(99.9), 2628);
        assert_eq!(monthly_budget(99.95), 1314);
        assert_eq!(hours_minutes(28_800), "8 h");
        assert_eq!(hours_minutes(59), "1 min");
    }

    fn codes(extra: &str) -> Vec<&'static str> {
        crate::check::codes_on_base(check, extra)
    }

    #[test]
    fn recovery_time_against_the_rto() {
        // AX52 in Germany: 1 h + 1 h 30 min, no backup to restore.
        assert!(codes("sla: {availability: 99.0, rto: 3h, rpo: 24h}\n").is_empty());
        assert_eq!(codes("sla: {availability: 99.0, rto: 2h, rpo: 24h}\n"), ["E520"]);
        assert_eq!(codes("sla: {availability: 99.0, rto: 7h, rpo: 24h, replacement: 24h}\n"), ["E520"]);
        assert_eq!(codes("sla: {availability: 99.5, rto: 8h, rpo: 24h}\n"), ["W520"]);
    }
}
