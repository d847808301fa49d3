//! What a redirect (`redirects[]`) adds to the resolved records: a vhost on
//! each of its hosts that answers every request with a redirect.

use crate::blueprint::model::{Blueprint, Host, Redirect};
use crate::components::proxy::resolve::vhost::{Vhost, VhostBase, VhostKind};
use crate::components::{Domains, Entry, Hosts};

/// The vhost of each redirect on `host`.
pub(super) fn vhosts(bp: &Blueprint, host: &Host, base: &VhostBase) -> Vec<Vhost> {
    let mut out = Vec::new();
    for (i, r) in bp.redirects.iter().enumerate().filter(|(_, r)| r.hosts.contains(&host.name)) {
        let target = target(r);
        out.push(Vhost {
            comments: vec![format!(
                "Redirect: {} → {} ({}{}).",
                r.from.join(", "),
                r.to,
                if r.permanent { "301, permanent" } else { "302, temporary" },
                if r.keep_path { ", path and query kept" } else { "" }
            )],
            redirect: Some(format!("{} {target}", if r.permanent { 301 } else { 302 })),
            ..base.vhost(
                format!("redirect-{}.conf", r.from.first().map_or("", String::as_str)),
                VhostKind::Redirect,
                format!("/redirects/{i}"),
                &r.from,
            )
        });
    }
    out
}

/// The URL a redirect answers with: `to` as written when it is a URL, else
/// `https://<to>`; with `keep_path`, nginx's `$request_uri` (path and query)
/// follows, without the slash a URL with a path of its own ends in.
pub fn target(r: &Redirect) -> String {
    let base = if r.to.starts_with("https://") || r.to.starts_with("http://") {
        r.to.clone()
    } else {
        format!("https://{}", r.to)
    };
    if r.keep_path {
        format!("{}$request_uri", base.trim_end_matches('/'))
    } else {
        base
    }
}

/// Each redirect (`redirects[]`): it has no name, so messages name it by
/// its domains (or its place in the list when it has none).
pub(super) fn entries(bp: &Blueprint) -> Vec<Entry<'_>> {
    bp.redirects
        .iter()
        .enumerate()
        .map(|(i, r)| Entry {
            pointer: format!("/redirects/{i}"),
            what: if r.from.is_empty() {
                format!("redirect {}", i + 1)
            } else {
                format!("the redirect of `{}`", r.from.join("`, `"))
            },
            name: None,
            hosts: Hosts::List(&r.hosts),
            domains: Domains { key: "from", names: &r.from, required: true },
            access: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redirect(to: &str, keep_path: bool) -> Redirect {
        Redirect { from: vec!["www.example.com".into()], to: to.into(), hosts: Vec::new(), permanent: true, keep_path }
    }

    #[test]
    fn a_domain_becomes_https_and_keeps_the_path() {
        assert_eq!(target(&redirect("example.com", true)), "https://example.com$request_uri");
        assert_eq!(target(&redirect("example.com", false)), "https://example.com");
    }

    #[test]
    fn a_url_is_taken_as_written_without_a_doubled_slash() {
        assert_eq!(target(&redirect("https://example.com/blog/", true)), "https://example.com/blog$request_uri");
        assert_eq!(target(&redirect("http://legacy.example.com/", false)), "http://legacy.example.com/");
    }
}
