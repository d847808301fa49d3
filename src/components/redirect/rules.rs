//! Rules of redirects:
//!
//! - E216: a `to` that is neither a domain nor a plain `http(s)` URL (it
//!   lands in nginx's `return` line unquoted);
//! - E217: redirects that loop (`www` → apex → `www`, or to one of their
//!   own names): browsers stop with "too many redirects".
//!
//! Names (E213, E220), the load balancer (E219) and vhost files (E225) come
//! from the shared rules.

use std::collections::BTreeMap;

use crate::blueprint::model::{Blueprint, Redirect};
use crate::check::literals::is_dns_name;
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

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    targets(bp, out);
    loops(bp, out);
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
