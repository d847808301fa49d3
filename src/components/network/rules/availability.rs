//! Check: what a stack of several hosts, load balancers and regions
//! promises, against what its shape can keep.
//!
//! - E643: a host behind two load balancers with different `tls`: nginx on
//!   it either ends TLS (passthrough) or expects it ended (terminate), not
//!   both, so one of the two sends it traffic it cannot serve;
//! - W644: high availability claimed on one server: `sla.availability` of
//!   99.9 % or more while a load balancer has a single target, so that
//!   server's outage is the sites' outage (the load balancer only adds a
//!   part that can fail);
//! - W645: every target of a load balancer in one location while
//!   `sla.availability` is 99.95 % or more: spread placement groups keep
//!   the servers on different physical hosts of one location, not out of a
//!   location's outage (Hetzner Cloud docs, "Placement groups");
//! - W646: in a stack of several network zones (regions), a host that
//!   keeps data (databases, data directories) while it is neither the
//!   backup host nor has the provider's daily Backups: losing it loses the
//!   data.

use std::collections::BTreeMap;

use crate::blueprint::model::{Blueprint, HostKind, TlsMode};
use crate::catalog::network_zone;
use crate::diag::Finding;

/// The availability from which one server is not enough (W644), percent.
const REDUNDANT_FROM: f64 = 99.9;
/// The availability from which one location is not enough (W645), percent.
const SPREAD_FROM: f64 = 99.95;

/// Runs this family's rules (the module's doc lists them) over `bp`,
/// appending each finding to `out`.
pub fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    tls_modes(bp, out);
    redundancy(bp, out);
    regions_without_backups(bp, out);
}

fn tls_modes(bp: &Blueprint, out: &mut Vec<Finding>) {
    for host in &bp.hosts {
        let mut balancers = bp.load_balancers_of(host.name.as_str());
        let Some((_, first)) = balancers.next() else { continue };
        let others: Vec<_> = balancers.collect();
        // nginx listens on the private address or on every address, for all
        // of a host's load balancers alike.
        if let Some((k, other)) = others.iter().find(|(_, lb)| lb.use_private_network != first.use_private_network) {
            out.push(
                Finding::error(
                    "E643",
                    format!("/load_balancers/{k}/use_private_network"),
                    format!(
                        "`{}` is behind `{}` over the private network and `{}` over public addresses: its nginx listens on one of them only",
                        host.name,
                        if first.use_private_network { &first.name } else { &other.name },
                        if first.use_private_network { &other.name } else { &first.name },
                    ),
                )
                .hint("give every load balancer of a host the same `use_private_network`")
                .at_value(),
            );
        }
        if let Some((k, other)) = others.iter().find(|(_, lb)| lb.tls != first.tls) {
            let mode = |tls: TlsMode| if tls == TlsMode::Terminate { "terminate" } else { "passthrough" };
            out.push(
                Finding::error(
                    "E643",
                    format!("/load_balancers/{k}/tls"),
                    format!(
                        "`{}` is behind `{}` (tls: {}) and `{}` (tls: {}): its nginx either ends TLS or expects it ended, not both",
                        host.name,
                        first.name,
                        mode(first.tls),
                        other.name,
                        mode(other.tls)
                    ),
                )
                .hint("give every load balancer of a host the same `tls`")
                .at_value(),
            );
        }
    }
}

fn redundancy(bp: &Blueprint, out: &mut Vec<Finding>) {
    let Some(availability) = bp.sla.as_ref().map(|s| s.availability) else { return };
    for (k, lb) in bp.load_balancers.iter().enumerate() {
        if availability >= REDUNDANT_FROM && lb.targets.len() == 1 {
            out.push(
                Finding::warning(
                    "W644",
                    format!("/load_balancers/{k}/targets"),
                    format!(
                        "`sla.availability` promises {availability} %, but load balancer `{}` has one target: `{}`'s outage is the sites' outage",
                        lb.name, lb.targets[0]
                    ),
                )
                .hint("add a second target (gen puts cloud targets into a spread placement group), or promise what one server gives")
                .at_value(),
            );
        }
        let locations: Vec<&str> = lb
            .targets
            .iter()
            .filter_map(|t| bp.host(t.as_str()))
            .filter(|h| h.kind == HostKind::Cloud)
            .map(|h| h.location.as_str())
            .collect();
        if availability >= SPREAD_FROM && locations.len() >= 2 && locations.iter().all(|l| *l == locations[0]) {
            out.push(
                Finding::warning(
                    "W645",
                    format!("/load_balancers/{k}/targets"),
                    format!(
                        "`sla.availability` promises {availability} %, but every target of `{}` is in {}: a spread placement group keeps them on different physical hosts, not out of an outage of the location",
                        lb.name, locations[0]
                    ),
                )
                .hint(match zone_locations(&lb.location).as_slice() {
                    [_, _, ..] => format!(
                        "put the targets in two locations of the load balancer's network zone ({})",
                        zone_locations(&lb.location).join(", ")
                    ),
                    _ => "its network zone has one location: promise what one location gives, or serve from a second region with its own load balancer".to_string(),
                })
                .at_value(),
            );
        }
    }
}

/// The Hetzner Cloud locations of `location`'s network zone.
fn zone_locations(location: &str) -> Vec<&'static str> {
    let zone = network_zone(location);
    crate::catalog::NETWORK_ZONES.iter().filter(|(_, z)| Some(*z) == zone).map(|(l, _)| *l).collect()
}

/// The hosts that keep data a lost server takes with it: its databases and
/// the data directories a backup must cover (a volume that only holds code
/// the operator deploys keeps nothing the repository does not have).
fn keeps_data(bp: &Blueprint) -> Vec<&str> {
    let mut names: Vec<&str> = bp.postgres.iter().map(|p| p.host.as_str()).collect();
    names.extend(bp.mariadb.iter().map(|m| m.host.as_str()));
    let dirs = crate::components::data_dirs(bp);
    for host in &bp.hosts {
        if dirs.iter().any(|d| d.backup.is_some() && d.hosts.iter().any(|h| h == host.name.as_str())) {
            names.push(host.name.as_str());
        }
    }
    names
}

/// What W646 knows of one network zone.
#[derive(Default)]
struct Region<'a> {
    /// Its hosts that keep data with nothing backing them up (neither the
    /// backup host nor provider Backups): index in `hosts` and name.
    keepers: Vec<(usize, &'a str)>,
}

fn regions_without_backups(bp: &Blueprint, out: &mut Vec<Finding>) {
    let data = keeps_data(bp);
    let backup_host = bp.backup.as_ref().map(|b| b.host.as_str());
    let mut zones: BTreeMap<&str, Region> = BTreeMap::new();
    for (i, host) in bp.hosts.iter().enumerate() {
        let Some(zone) = network_zone(&host.location) else { continue };
        let region = zones.entry(zone).or_default();
        let covered = host.backups || backup_host == Some(host.name.as_str());
        if data.contains(&host.name.as_str()) && !covered {
            region.keepers.push((i, host.name.as_str()));
        }
    }
    if zones.len() < 2 {
        // One region: whether the stack has backups at all is E514/W513's.
        return;
    }
    for (zone, Region { keepers }) in zones {
        let Some((first, _)) = keepers.first() else { continue };
        let names: Vec<String> = keepers.iter().map(|(_, n)| format!("`{n}`")).collect();
        let verb = if names.len() == 1 { "keeps" } else { "keep" };
        out.push(
            Finding::warning(
                "W646",
                format!("/hosts/{first}/location"),
                format!(
                    "no backup covers data in the {zone} region: {} {verb} data, is not the backup host and has no provider Backups",
                    names.join(", ")
                ),
            )
            .hint("set `backups: true` on those cloud servers (the provider's daily copies), or move what they keep where `backup.host` dumps and copies it offsite")
            .at_value(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::check::codes_on_base;

    /// Two cloud servers behind one load balancer on one network.
    fn pair(second_location: &str, sla: &str) -> String {
        format!(
            "
  - {{name: web-1, kind: cloud, type: cx23, location: nbg1, os: ubuntu-24.04, private_ip: 10.0.1.2}}
  - {{name: web-2, kind: cloud, type: cx23, location: {second_location}, os: ubuntu-24.04, private_ip: 10.0.1.3}}
networks: [{{name: web, ip_range: 10.0.0.0/16, subnet: 10.0.1.0/24}}]
load_balancers:
  - {{name: lb, type: lb11, location: nbg1, tls: terminate, targets: [web-1, web-2],
     health_check: {{interval: 15s, timeout: 10s, retries: 3}}}}
{sla}"
        )
    }

    fn codes(extra: &str) -> Vec<&'static str> {
        // The hosts go under the base's `hosts:`; the rest is top level.
        let (hosts, rest) = extra.split_once("\nnetworks:").expect("hosts then networks");
        let base = include_str!("../../../../tests/fixtures/invalid/base/minimal.yaml");
        let text = format!("{}\nnetworks:{rest}", base.replacen("hosts:\n", &format!("hosts:{hosts}\n"), 1));
        let bp: crate::blueprint::model::Blueprint = serde_yaml::from_str(&text).expect("blueprint");
        let mut out = Vec::new();
        super::check(&bp, &mut out);
        out.iter().map(|f| f.code).collect()
    }

    #[test]
    fn two_locations_keep_a_high_promise() {
        assert!(codes(&pair("fsn1", "sla: {availability: 99.95, rto: 1h, rpo: 24h}")).is_empty());
    }

    #[test]
    fn one_location_does_not_keep_99_95() {
        assert_eq!(codes(&pair("nbg1", "sla: {availability: 99.95, rto: 1h, rpo: 24h}")), ["W645"]);
        // 99.9 % asks for two servers, not two locations.
        assert!(codes(&pair("nbg1", "sla: {availability: 99.9, rto: 1h, rpo: 24h}")).is_empty());
    }

    #[test]
    fn one_target_does_not_keep_99_9() {
        let one = pair("fsn1", "sla: {availability: 99.9, rto: 1h, rpo: 24h}").replace("[web-1, web-2]", "[web-1]");
        assert_eq!(codes(&one), ["W644"]);
        let lower = one.replace("99.9", "99.5");
        assert!(codes(&lower).is_empty(), "99.5 % is one server's promise");
    }

    #[test]
    fn a_host_behind_two_modes() {
        let two = pair("fsn1", "")
            + "  - {name: lb-2, type: lb11, location: fsn1, tls: passthrough, targets: [web-2],\n     health_check: {interval: 15s, timeout: 10s, retries: 3}}\n";
        assert_eq!(codes(&two), ["E643"]);
        assert!(codes(&two.replace("passthrough", "terminate")).is_empty());
    }

    #[test]
    fn a_region_without_backups() {
        // The base's dedicated ax52 (fsn1, eu-central) runs PostgreSQL and
        // the backups; a US server with a service's data has none.
        let us = "
  - {name: us-1, kind: cloud, type: cpx21, location: ash, os: ubuntu-24.04}
";
        let service = "services:\n  - {name: w, host: us-1, image: \"busybox:1.36\", volumes: [{source: /srv/w, target: /data}]}\n";
        let backup =
            "backup: {host: ax52, local: {path: /var/backups/gen, at: \"02:00\", keep_days: 7, daily_size: 1G}}\n";
        let found = codes_on_base(super::check, backup);
        assert!(found.is_empty(), "{found:?}");
        let text = format!("{us}\nnetworks: []\n{backup}{service}");
        assert_eq!(codes(&text), ["W646"]);
        assert!(codes(&text.replace("os: ubuntu-24.04}", "os: ubuntu-24.04, backups: true}")).is_empty());
        assert!(codes(&format!("{us}\nnetworks: []\n{backup}")).is_empty(), "a server without data");
        // Backups on another host of the region do not cover this one's data.
        let two = format!(
            "{us}  - {{name: us-2, kind: cloud, type: cpx21, location: ash, os: ubuntu-24.04, backups: true}}\n\nnetworks: []\n{backup}{service}"
        );
        assert_eq!(codes(&two), ["W646"]);
    }
}
