//! Check: what nginx serves without a container of its own, static sites
//! and redirects (E216–E220), and every served name against the load
//! balancer's targets.
//!
//! - E216: a redirect's `to` that is neither a domain nor a plain `http(s)`
//!   URL (it lands in nginx's `return` line unquoted);
//! - E217: redirects that loop (`www` → apex → `www`, or to one of their
//!   own names): browsers stop with "too many redirects";
//! - E218: an `expires` nginx does not take;
//! - E219: a static site, redirect or container service with domains on
//!   some of the load balancer's targets only: the load balancer sends each request to any target, and the
//!   others refuse the name (nginx's default server closes the connection);
//!   websites have the same rule as E208;
//! - E220: a static site or redirect that names no domain or no host;
//! - E225: two vhosts of one host with one conf.d file name.

use std::collections::BTreeMap;

use super::literals::is_dns_name;
use crate::blueprint::model::{Blueprint, Redirect};
use crate::blueprint::units::Name;
use crate::diag::Finding;

/// The host part of a redirect target: `to` itself for a domain, the
/// authority of an `http(s)://` URL; None when `to` is neither, or carries a
/// query, fragment, user or port gen does not write.
fn target_host(to: &str) -> Option<&str> {
    let (rest, url) = match to.strip_prefix("https://").or_else(|| to.strip_prefix("http://")) {
        Some(rest) => (rest, true),
        None => (to, false),
    };
    let (host, path) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
    let plain_path =
        path.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'~' | b'-' | b'%'));
    (is_dns_name(host) && !host.starts_with("*.") && (url || path.is_empty()) && plain_path).then_some(host)
}

/// The longest `expires` gen writes: 10 years, what nginx's own `max`
/// sends (`Cache-Control: max-age=315360000`); nginx refuses a time that
/// overflows its parser.
const MAX_EXPIRES_S: u64 = 315_360_000;

/// nginx's `expires` time (ngx_parse_time: numbers with `ms s m h d w M y`,
/// one unit each, at most [`MAX_EXPIRES_S`] in all) or one of its words.
fn is_expires(value: &str) -> bool {
    const UNITS: [(&str, u64); 8] = [
        ("ms", 0),
        ("s", 1),
        ("m", 60),
        ("h", 3600),
        ("d", 86_400),
        ("w", 604_800),
        ("M", 2_592_000),
        ("y", 31_536_000),
    ];
    if matches!(value, "max" | "off" | "epoch") {
        return true;
    }
    let mut rest = value;
    let mut total: u64 = 0;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let Some(n) = rest[..digits].parse::<u64>().ok().filter(|_| digits <= 12) else { return false };
        rest = &rest[digits..];
        let unit = UNITS.iter().find(|(u, _)| rest.starts_with(u));
        total = total.saturating_add(n.saturating_mul(unit.map_or(1, |(_, s)| *s)));
        match unit {
            Some((u, _)) => rest = &rest[u.len()..],
            None if rest.is_empty() => break,
            None => return false,
        }
    }
    total <= MAX_EXPIRES_S
}

fn targets(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (i, r) in bp.redirects.iter().enumerate() {
        if target_host(&r.to).is_none() {
            out.push(
                Finding::error("E216", format!("/redirects/{i}/to"), format!("`{}` is not a redirect target gen can write", r.to))
                    .hint("write a domain (`example.com`, which becomes `https://example.com`) or an `https://` URL with a plain path and no query")
                    .at_value(),
            );
        }
    }
}

/// Follows each redirect's target through the others; a name reached twice is a loop.
fn loops(bp: &Blueprint, out: &mut Vec<Finding>) {
    let next: BTreeMap<String, (usize, &Redirect)> = bp
        .redirects
        .iter()
        .enumerate()
        .flat_map(|(i, r)| r.from.iter().map(move |d| (d.to_lowercase(), (i, r))))
        .collect();
    for (i, r) in bp.redirects.iter().enumerate() {
        let Some(first) = r.from.first() else { continue };
        let mut path = vec![first.to_lowercase()];
        let mut current = r;
        while let Some(host) = target_host(&current.to).map(str::to_lowercase) {
            let seen = path.contains(&host);
            path.push(host.clone());
            // Each redirect of the cycle reports it; one that only leads
            // into it is fixed with the cycle.
            if seen && r.from.iter().any(|d| d.eq_ignore_ascii_case(&host)) {
                out.push(
                    Finding::error("E217", format!("/redirects/{i}/to"), format!("redirects loop: {}", path.join(" → ")))
                        .hint("point `to` at the name that serves the content; browsers stop after about 20 redirects with \"too many redirects\"")
                        .at_value(),
                );
            }
            if seen {
                break;
            }
            match next.get(&host) {
                Some((_, r)) => current = r,
                None => break,
            }
        }
    }
}

fn expires(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (i, site) in bp.static_sites.iter().enumerate() {
        if let Some(value) = site.expires.as_deref().filter(|v| !is_expires(v)) {
            out.push(
                Finding::error("E218", format!("/static_sites/{i}/expires"), format!("`{value}` is not an nginx `expires` time"))
                    .hint("write a number with a unit, like `1h`, `7d` or `1d12h` (units ms, s, m, h, d, w, M, y), at most 10 years, or `max`, `off`, `epoch`")
                    .at_value(),
            );
        }
    }
}

fn load_balanced(bp: &Blueprint, out: &mut Vec<Finding>) {
    let Some(lb) = &bp.load_balancer else { return };
    let services: Vec<(String, String, Vec<Name>)> = bp
        .services
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.domains.is_empty())
        .map(|(i, s)| (format!("/services/{i}/host"), format!("service `{}`", s.name), vec![s.host.clone()]))
        .collect();
    let entries = bp
        .static_sites
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("/static_sites/{i}/hosts"), format!("static site `{}`", s.name), s.hosts.clone()))
        .chain(bp.redirects.iter().enumerate().map(|(i, r)| {
            (format!("/redirects/{i}/hosts"), format!("the redirect of `{}`", r.from.join("`, `")), r.hosts.clone())
        }))
        .chain(services);
    for (pointer, what, hosts) in entries {
        if !hosts.iter().any(|h| lb.targets.contains(h)) {
            continue;
        }
        let missing: Vec<&str> = lb.targets.iter().filter(|t| !hosts.contains(t)).map(|t| t.as_str()).collect();
        if !missing.is_empty() {
            out.push(
                Finding::error(
                    "E219",
                    pointer.clone(),
                    format!(
                        "{what} is not on {}, but load balancer `{}` sends its requests to every target",
                        missing.join(", "),
                        lb.name
                    ),
                )
                .hint(if pointer.starts_with("/services/") {
                    "a container service runs on one host: put it on a host the load balancer does not target, and point its domains' DNS there".to_string()
                } else {
                    format!(
                        "list every target under `hosts` ({})",
                        lb.targets.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ")
                    )
                }),
            );
        }
    }
}

fn named(bp: &Blueprint, out: &mut Vec<Finding>) {
    // (entry, what it is, its names' key, its names, its hosts)
    let entries =
        bp.static_sites
            .iter()
            .enumerate()
            .map(|(i, s)| {
                (format!("/static_sites/{i}"), format!("static site `{}`", s.name), "domains", &s.domains, &s.hosts)
            })
            .chain(
                bp.redirects.iter().enumerate().map(|(i, r)| {
                    (format!("/redirects/{i}"), format!("redirect {}", i + 1), "from", &r.from, &r.hosts)
                }),
            );
    for (at, what, names_key, names, hosts) in entries {
        if names.is_empty() {
            out.push(
                Finding::error("E220", format!("{at}/{names_key}"), format!("{what} names no domain"))
                    .hint("list the names nginx answers for, like `[example.com]`")
                    .at_value(),
            );
        }
        if hosts.is_empty() {
            out.push(
                Finding::error("E220", format!("{at}/hosts"), format!("{what} names no host"))
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
        for v in crate::resolve::vhost::on_host(bp, host) {
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

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    targets(bp, out);
    files(bp, out);
    loops(bp, out);
    expires(bp, out);
    load_balanced(bp, out);
    named(bp, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(extra: &str) -> Vec<&'static str> {
        crate::check::codes_on_base(check, extra)
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
load_balancer:
  name: lb
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
        let base = include_str!("../../tests/fixtures/invalid/base/minimal.yaml")
            .replace("  - name: odoo\n", "  - name: static\n");
        let text = format!("{base}{}", GOOD.replace("name: landing", "name: prod"));
        let bp: Blueprint = serde_yaml::from_str(&text).expect("blueprint");
        let mut out = Vec::new();
        files(&bp, &mut out);
        assert_eq!(out.iter().map(|f| f.code).collect::<Vec<_>>(), ["E225"]);
    }

    #[test]
    fn targets_are_domains_or_plain_urls() {
        assert_eq!(target_host("example.com"), Some("example.com"));
        assert_eq!(target_host("https://example.com/blog/"), Some("example.com"));
        assert_eq!(target_host("http://legacy.example.com"), Some("legacy.example.com"));
        assert_eq!(target_host("example.com/path"), None);
        assert_eq!(target_host("https://example.com/?q=1"), None);
        assert_eq!(target_host("https://example.com; return 200"), None);
        assert_eq!(target_host("ftp://example.com"), None);
        assert_eq!(target_host("*.example.com"), None);
    }

    #[test]
    fn expires_takes_nginx_times() {
        for ok in ["1h", "7d", "1d12h", "30", "500ms", "max", "off", "epoch", "1M"] {
            assert!(is_expires(ok), "{ok}");
        }
        for bad in ["", "1 h", "h", "1x", "-1h", "7days", "99999999999999999999d", "11y"] {
            assert!(!is_expires(bad), "{bad}");
        }
    }
}
