//! Check: semantic rules over a loaded blueprint. Each family lives in its
//! own module and returns findings; none stops the others, so the operator
//! sees every problem at once. The cross-cutting families are here; a
//! component's own are in its folder's `rules` (`zones` is
//! `components::network::rules::zones`, `backup_space` is
//! `components::backup::rules::space`), and [`check`] calls them all in one
//! order.
//!
//! | codes | family |
//! |---|---|
//! | E2xx | names, references, collisions; website containers without an application (E214, E215) or without one shape (E235, `websites`); static sites and redirects (E216–E218: their `rules.rs` under src/components/; E219–E220, `served`); container services and their Redis (E221, E222, E224, E226, W221, W222: each kind's `rules.rs` under src/components/); directories that are not a container's own (E228, `directories`); environments (E227, `literals`); vhost files per host (E225, `served`) |
//! | E3xx | exposure: ports past the proxy, VPN or load balancer; VPN, ranges, TLS |
//! | E4xx/W4xx | CPU and memory capacity |
//! | E41x/W41x | Odoo options, workers, memory limits and pools (E411–E413, W410, W412, E416, E417; with E320/W320, src/components/odoo/rules/); the PostgreSQL connection budget and server memory; MariaDB's connection budget (E418), memory (W414) and options (E419, src/components/mariadb/rules.rs) |
//! | E42x/W42x | pinned program versions against gen's version table; floating image tags; images (E422/W422) and host OS (E423/W423) past or near their end of life (`catalog/lifecycle.yaml`) |
//! | E5xx | disks, RAID and backup volume |
//! | E505–E507/W505–W508 | backup storage over the growth projection: snapshot trees on the backup partition, archives against `daily_size`, the restic repository against the box, growth tables against the backup (`backup_space`) |
//! | E51x/W51x | backups: retention, encryption, schedules, RPO, alerts |
//! | E520/W520 | recovery promises: a server's replacement, setup and restore against the RTO, the RTO against the availability's monthly budget (`recovery`) |
//! | E6xx | provider catalog, provisioning, installimage |
//! | E630–E632, W631–W632 | products that do not match their description: a Storage Box whose capacity is not the stated one, a dedicated server whose CPU, memory or disks differ from its type (`products`) |
//! | E640–E642 | network zones: a server or load balancer off its network's zone, a target in another zone, a dedicated server as a load balancer target (`zones`) |
//! | E605–E606, W605 | certificates and DNS: a managed load-balancer certificate for zones not at Hetzner DNS; `vpn_only` names off the VPN host |
//! | E610–E611, W611 | provider API limits: user data over 32 KiB (after render), load balancer services, targets and certificates over its type |
//! | E7xx | secrets |
//! | W8xx | budget |
//! | E81x/W81x | cost and growth figures: stated claims, unpriced items, recurring products priced as one copy |
//! | W815 | a blueprint priced from a catalog checked against its sources longer ago than the catalog's limit (`price_age`) |

mod capacity;
pub(crate) mod directories;
pub mod entropy;
mod lifecycle;
pub(crate) mod literals;
pub(crate) mod names;
mod secrets;
mod sharing;
mod storage;
mod unlimited;
mod versions;

use crate::blueprint::Blueprint;
use crate::diag::Finding;

pub fn check(bp: &Blueprint) -> Vec<Finding> {
    let mut findings = Vec::new();
    names::check(bp, &mut findings);
    literals::check(bp, &mut findings);
    crate::components::website::rules::check(bp, &mut findings);
    crate::components::proxy::rules::served::check(bp, &mut findings);
    // Each component kind's own rules; the shared ones below read their records.
    crate::components::rules(bp, &mut findings);
    directories::check(bp, &mut findings);
    // Later families assume references resolve; they skip what does not.
    crate::components::firewall::rules::check(bp, &mut findings);
    // Odoo's own rules (options, workers and limits, pools, the database manager).
    crate::components::odoo::rules::check(bp, &mut findings);
    crate::components::network::rules::network::check(bp, &mut findings);
    crate::components::proxy::rules::certificates::check(bp, &mut findings);
    crate::components::provisioning::rules::provision::check(bp, &mut findings);
    crate::components::network::rules::zones::check(bp, &mut findings);
    crate::components::network::rules::availability::check(bp, &mut findings);
    crate::components::provisioning::rules::limits::check(bp, &mut findings);
    capacity::check(bp, &mut findings);
    unlimited::check(bp, &mut findings);
    sharing::check(bp, &mut findings);
    versions::check(bp, &mut findings);
    lifecycle::check(bp, &mut findings);
    storage::check(bp, &mut findings);
    crate::components::backup::rules::backup::check(bp, &mut findings);
    crate::components::backup::rules::space::check(bp, &mut findings);
    crate::components::backup::rules::recovery::check(bp, &mut findings);
    secrets::check(bp, &mut findings);
    crate::components::cost::rules::budget::check(bp, &mut findings);
    crate::components::cost::rules::recurring::check(bp, &mut findings);
    crate::components::cost::rules::claims::check(bp, &mut findings);
    crate::components::provisioning::rules::products::check(bp, &mut findings);
    crate::components::cost::rules::price_age::check(bp, &mut findings);
    findings
}

/// Codes whose findings depend on today's date (`lifecycle`'s ends of life,
/// `price_age`'s catalog age): reported by lint and build, never written
/// into out/ (the report leaves them out, and its risks ignore them).
pub const DATED: &[&str] = &["E422", "W422", "E423", "W423", "W815"];

/// Checks that need the rendered files (a size exists only there): run
/// after render and before emit. `size_of` gives a rendered file's size in
/// bytes by its path under `out/<blueprint>/` (`None`: not rendered), so
/// this stage reads the files without depending on the render stage.
pub fn rendered(bp: &Blueprint, size_of: &dyn Fn(&str) -> Option<usize>) -> Vec<Finding> {
    crate::components::provisioning::rules::limits::user_data(bp, size_of)
}

/// Every website component (the defaults' and each site's own) with the
/// JSON pointer it was written at.
pub(crate) fn website_components(bp: &Blueprint) -> Vec<(String, &crate::blueprint::model::Component)> {
    bp.websites.as_ref().map(|web| web.written_components()).unwrap_or_default()
}

/// Every container environment the blueprint writes (website components
/// and every component kind's), with the pointer of its `environment` map's
/// owner: the secret and syntax rules read this one list.
pub(crate) fn environments(bp: &Blueprint) -> Vec<(String, &std::collections::BTreeMap<String, String>)> {
    let mut out: Vec<_> = website_components(bp).into_iter().map(|(at, c)| (at, &c.environment)).collect();
    out.extend(crate::components::environments(bp));
    out
}

/// The codes one check family reports on the invalid fixtures' clean base
/// (`tests/fixtures/invalid/base/minimal.yaml`) with `extra` YAML appended:
/// the unit tests' way to show a rule firing on exactly one defect.
#[cfg(test)]
pub(crate) fn codes_on_base(check: fn(&Blueprint, &mut Vec<Finding>), extra: &str) -> Vec<&'static str> {
    let base = include_str!("../../tests/fixtures/invalid/base/minimal.yaml");
    let bp: Blueprint = serde_yaml::from_str(&format!("{base}{extra}")).expect("blueprint");
    let mut out = Vec::new();
    check(&bp, &mut out);
    out.iter().map(|f| f.code).collect()
}

/// The codes one check family reports on blueprints/odoo-scale-out.yaml
/// with `edits` (old → new text) applied: the rules of several hosts on a
/// private network.
#[cfg(test)]
pub(crate) fn codes_on_scale_out(
    check: fn(&Blueprint, &mut Vec<Finding>),
    edits: &[(&str, &str)],
) -> Vec<&'static str> {
    let bp = crate::resolve::private::tests::scale_out(edits);
    let mut out = Vec::new();
    check(&bp, &mut out);
    out.iter().map(|f| f.code).collect()
}

/// The codes `check` reports on the minimal blueprint with its host made a
/// Hetzner Cloud CX33 (80G disk) with `storage` (YAML under `storage:`, or
/// empty for none) and `extra` appended.
#[cfg(test)]
pub(crate) fn codes_on_cloud(
    check: fn(&Blueprint, &mut Vec<Finding>),
    storage: &str,
    extra: &str,
) -> Vec<&'static str> {
    let base = include_str!("../../tests/fixtures/invalid/base/minimal.yaml");
    let start = base.find("  - name: ax52\n").expect("host");
    let end = base.find("    reserved:").expect("reserved");
    let storage = if storage.is_empty() { String::new() } else { format!("    storage:\n{storage}") };
    let host =
        format!("  - name: ax52\n    kind: cloud\n    type: cx33\n    location: fsn1\n    os: ubuntu-24.04\n{storage}");
    let bp: Blueprint =
        serde_yaml::from_str(&format!("{}{host}{}{extra}", &base[..start], &base[end..])).expect("blueprint");
    let mut out = Vec::new();
    check(&bp, &mut out);
    out.iter().map(|f| f.code).collect()
}
