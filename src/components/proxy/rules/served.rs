//! Check: every served name against the load balancer's targets, static
//! sites and redirects that name nothing, and vhost files per host. The
//! static sites' and redirects' own rules (E216–E218) are in their
//! component folders.
//!
//! - E219: an entry of a kind (a static site, redirect or container
//!   service) with domains on some of the load balancer's targets only:
//!   the load balancer sends each request to any target, and the others
//!   refuse the name (nginx's default server closes the connection);
//!   websites have the same rule as E208;
//! - E220: an entry that must name domains (a static site, a redirect)
//!   that names none, or a `hosts` list that is empty;
//! - E225: two vhosts of one host with one conf.d file name.

use std::collections::BTreeMap;

use crate::blueprint::model::Blueprint;
use crate::components::Hosts;
use crate::diag::Finding;

fn load_balanced(bp: &Blueprint, out: &mut Vec<Finding>) {
    for lb in &bp.load_balancers {
        load_balanced_by(bp, lb, out);
    }
}

fn load_balanced_by(bp: &Blueprint, lb: &crate::blueprint::model::LoadBalancer, out: &mut Vec<Finding>) {
    // Every kind's entries that serve a domain: on one of the targets, they
    // must be on all.
    for (_, entry) in crate::components::entries(bp) {
        if entry.domains.names.is_empty() {
            continue;
        }
        let hosts = entry.hosts.names();
        if !hosts.iter().any(|h| lb.targets.contains(h)) {
            continue;
        }
        let missing: Vec<&str> = lb.targets.iter().filter(|t| !hosts.contains(t)).map(|t| t.as_str()).collect();
        if missing.is_empty() {
            continue;
        }
        let (key, hint) = match entry.hosts {
            Hosts::One(_) => (
                "host",
                format!("{} runs on one host: put it on a host the load balancer does not target, and point its domains' DNS there", entry.what),
            ),
            Hosts::List(_) => (
                "hosts",
                format!("list every target under `hosts` ({})", lb.targets.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ")),
            ),
        };
        out.push(
            Finding::error(
                "E219",
                format!("{}/{key}", entry.pointer),
                format!(
                    "{} is not on {}, but load balancer `{}` sends its requests to every target",
                    entry.what,
                    missing.join(", "),
                    lb.name
                ),
            )
            .hint(hint),
        );
    }
}

/// E220: an entry that is nothing but its domains (a static site, a
/// redirect) with none, or with no host to serve them.
fn named(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (_, entry) in crate::components::entries(bp) {
        if entry.domains.required && entry.domains.names.is_empty() {
            out.push(
                Finding::error(
                    "E220",
                    format!("{}/{}", entry.pointer, entry.domains.key),
                    format!("{} names no domain", entry.what),
                )
                .hint("list the names nginx answers for, like `[example.com]`")
                .at_value(),
            );
        }
        if matches!(entry.hosts, Hosts::List(hosts) if hosts.is_empty()) {
            out.push(
                Finding::error("E220", format!("{}/hosts", entry.pointer), format!("{} names no host", entry.what))
                    .hint("list the hosts whose nginx serves it, like `[web-1]`")
                    .at_value(),
            );
        }
    }
}

/// E225: two vhosts of one host that would write one conf.d file (an Odoo
/// environment `site-shop` and a website `shop` are both `site-shop.conf`).
fn files(bp: &Blueprint, out: &mut Vec<Finding>) {
    for host in &bp.hosts {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for v in crate::components::proxy::resolve::vhost::on_host(bp, host) {
            match seen.get(&v.file) {
                Some(first) => out.push(
                    Finding::error(
                        "E225",
                        v.pointer.clone(),
                        format!("on `{}`, this and `{first}` would both be nginx's conf.d/{}", host.name, v.file),
                    )
                    .hint("rename one of them: each vhost has its own file, and the second would replace the first"),
                ),
                None => {
                    seen.insert(v.file, v.pointer);
                }
            }
        }
    }
}

pub fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    files(bp, out);
    load_balanced(bp, out);
    named(bp, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// These rules and the static sites' and redirects' own.
    fn codes(extra: &str) -> Vec<&'static str> {
        crate::check::codes_on_base(
            |bp, out| {
                check(bp, out);
                crate::components::rules(bp, out);
            },
            extra,
        )
    }

    const GOOD: &str = "
static_sites:
  - {name: landing, hosts: [ax52], domains: [example.com], expires: 1h}
redirects:
  - {from: [www.example.com], to: example.com, hosts: [ax52]}
  - {from: [old.example.com], to: \"https://example.com/blog/\", hosts: [ax52], permanent: false}
";

    #[test]
    fn a_static_site_and_redirects_pass() {
        assert_eq!(codes(GOOD), Vec::<&str>::new());
    }

    #[test]
    fn each_defect_has_its_code() {
        let bad_target = GOOD.replace("to: example.com,", "to: \"example.com; return 200\",");
        assert_eq!(codes(&bad_target), ["E216"]);
        let back = format!("{GOOD}  - {{from: [example.com], to: www.example.com, hosts: [ax52]}}\n");
        assert_eq!(codes(&back), ["E217", "E217"]);
        let to_itself = GOOD.replace("to: example.com,", "to: www.example.com,");
        assert_eq!(codes(&to_itself), ["E217"]);
        assert_eq!(codes(&GOOD.replace("expires: 1h", "expires: 1 hour")), ["E218"]);
        assert_eq!(codes(&GOOD.replace("domains: [example.com]", "domains: []")), ["E220"]);
        assert_eq!(codes(&GOOD.replace("from: [www.example.com]", "from: []")), ["E220"]);
        assert_eq!(codes(&GOOD.replace("{name: landing, hosts: [ax52]", "{name: landing, hosts: []")), ["E220"]);
    }

    #[test]
    fn a_load_balancer_needs_every_target() {
        let lb = "
load_balancers:
  - name: lb
    type: lb11
    location: fsn1
    algorithm: round_robin
    tls: passthrough
    targets: [ax52, ax53]
    health_check: {path: /health, interval: 15s, timeout: 10s, retries: 3}
";
        assert_eq!(codes(&format!("{GOOD}{lb}")), ["E219", "E219", "E219"]);
        let service = "services:\n  - {name: status, host: ax52, image: \"louislam/uptime-kuma:1.23.16\", port: 3001, domains: [status.example.com]}\n";
        assert_eq!(codes(&format!("{lb}{service}")), ["E219"]);
    }

    #[test]
    fn two_vhosts_with_one_file() {
        // The base's Odoo environment `prod` is `odoo-prod.conf`; a static
        // site `prod` is `static-prod.conf`: apart.
        assert_eq!(codes(&GOOD.replace("name: landing", "name: prod")), Vec::<&str>::new());
        // An application named `static` makes its `prod` `static-prod.conf` too.
        let base = include_str!("../../../../tests/fixtures/invalid/base/minimal.yaml")
            .replace("  - name: odoo\n", "  - name: static\n");
        let text = format!("{base}{}", GOOD.replace("name: landing", "name: prod"));
        let bp: Blueprint = serde_yaml::from_str(&text).expect("blueprint");
        let mut out = Vec::new();
        files(&bp, &mut out);
        assert_eq!(out.iter().map(|f| f.code).collect::<Vec<_>>(), ["E225"]);
    }
}
