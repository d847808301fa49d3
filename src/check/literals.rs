//! Text that lands in config syntax: domains (nginx `server_name`, certbot,
//! Terraform) must be DNS names, database names (odoo.conf, pg_dump in the
//! backup scripts) plain identifiers, HTTP health paths (a compose
//! `CMD-SHELL` health check, curl in blue-green.sh) and backup paths (a
//! space-separated list in the backup scripts) plain URL or file paths.
//! Each would otherwise carry `;`, spaces, quotes or `$(…)` into a
//! directive or a shell line.

use std::collections::HashSet;

use crate::blueprint::model::{Blueprint, Component};
use crate::diag::Finding;

/// A DNS name as nginx and certbot take it: labels of letters, digits and
/// inner `-`, joined by dots, at most 253 characters; `*.` may lead.
pub(crate) fn is_dns_name(domain: &str) -> bool {
    let name = domain.strip_prefix("*.").unwrap_or(domain);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Top-level names reserved from the public DNS (RFC 2606, RFC 6761,
/// RFC 6762 for `local`, RFC 8375 for `home.arpa`, ICANN's 2024 resolution
/// for `internal`): no certificate authority validates them.
const RESERVED_TLDS: &[&str] = &["test", "example", "invalid", "localhost", "local", "internal"];

/// Why HTTP-01 (certbot's webroot, what gen-certs uses) cannot get a
/// certificate for a DNS name, as (message, hint): a wildcard (RFC 8555
/// §8.3 and Let's Encrypt's challenge-types documentation: wildcards need
/// DNS-01), a single label, or a reserved top-level name.
pub(crate) fn http01_refuses(domain: &str) -> Option<(String, &'static str)> {
    if domain.starts_with("*.") {
        return Some((
            format!("`{domain}` is a wildcard; HTTP-01 cannot issue wildcards"),
            "HTTP-01 cannot issue wildcards; use DNS-01 or list the names",
        ));
    }
    let name = domain.trim_end_matches('.').to_ascii_lowercase();
    let tld = name.rsplit('.').next().unwrap_or_default();
    if !name.contains('.') || RESERVED_TLDS.contains(&tld) || name.ends_with(".home.arpa") {
        return Some((
            format!("`{domain}` is not a public DNS name; Let's Encrypt cannot validate it over HTTP-01"),
            "use a name in a public domain that points at this host, or terminate TLS at a load balancer",
        ));
    }
    None
}

fn certificate_name(value: &str, pointer: String, out: &mut Vec<Finding>) {
    if !is_dns_name(value) {
        return; // E209 already
    }
    if let Some((message, hint)) = http01_refuses(value) {
        out.push(Finding::error("E213", pointer, message).hint(hint).at_value());
    }
}

/// E213: names nginx gets a Let's Encrypt certificate for (gen-certs,
/// HTTP-01 by webroot) on a host that terminates TLS itself.
fn certificate_names(bp: &Blueprint, out: &mut Vec<Finding>) {
    // Once per host, not per name and host (sites × hosts).
    let tls_on: HashSet<&crate::blueprint::units::Name> = bp
        .hosts
        .iter()
        .filter(|h| crate::components::docker::resolve::compose::terminates_tls(bp, h))
        .map(|h| &h.name)
        .collect();
    for name in crate::components::served_names(bp).into_iter().filter(|n| n.hosts.iter().any(|h| tls_on.contains(h))) {
        certificate_name(name.domain, name.pointer, out);
    }
}

/// A PostgreSQL database or role name gen can write as one shell word:
/// `[a-z_][a-z0-9_-]*`, at most 63 (Odoo databases are often `odoo-prod`;
/// a leading `-` would read as an option).
pub(crate) fn is_db_name(name: &str) -> bool {
    name.len() <= 63
        && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn domain(value: &str, pointer: String, out: &mut Vec<Finding>) {
    if !is_dns_name(value) {
        out.push(
            Finding::error("E209", pointer, format!("`{value}` is not a domain name"))
                .hint(
                    "use letters, digits, `-` and dots, like `shop.example.com` (`*.` may lead); no spaces, `;` or `/`",
                )
                .at_value(),
        );
    }
}

/// An HTTP path gen can put in a shell line unquoted: `/`, then unreserved
/// characters, `/`, `%` escapes and a plain query.
fn is_http_path(path: &str) -> bool {
    path.starts_with('/')
        && path.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'~' | b'%' | b'-' | b'?' | b'=' | b'&')
        })
}

/// An absolute file path without spaces, quotes, shell syntax or the `:`
/// that separates a compose volume's parts.
pub(crate) fn is_plain_path(path: &str) -> bool {
    path.starts_with('/')
        && path.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'-' | b'+' | b'@'))
        && !path.split('/').any(|c| c == "..")
}

/// E211: `value`, at `pointer`, is not an HTTP path gen can write into a
/// shell health check.
pub(crate) fn http_path(value: Option<&str>, pointer: String, out: &mut Vec<Finding>) {
    if let Some(path) = value.filter(|p| !is_http_path(p)) {
        out.push(
            Finding::error("E211", pointer, format!("`{path}` is not a plain HTTP path"))
                .hint("start with `/` and use letters, digits and `/._~%-` (a query may use `?=&`); gen puts it in shell health checks")
                .at_value(),
        );
    }
}

/// An environment variable name compose and the shell take: `[A-Za-z_][A-Za-z0-9_]*`.
fn is_env_name(key: &str) -> bool {
    let mut bytes = key.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The first `$` in `value` that compose would interpolate other than as
/// `${NAME}` of a secret name (`[A-Z0-9_]+`) or the escape `$$`.
fn stray_dollar(value: &str) -> Option<String> {
    let mut rest = value;
    while let Some(at) = rest.find('$') {
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            rest = tail;
            continue;
        }
        let name = after.strip_prefix('{').and_then(|a| a.split_once('}')).map(|(n, _)| n);
        match name {
            Some(n)
                if !n.is_empty() && n.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_') =>
            {
                rest = &after[n.len() + 2..];
            }
            _ => return Some(after.chars().take(12).collect::<String>()),
        }
    }
    None
}

/// E227: an environment key compose cannot write, or a `$` it would
/// interpolate that is not a secret reference.
fn environments(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (at, environment) in super::environments(bp) {
        for (key, value) in environment {
            let pointer = format!("{at}/environment/{key}");
            if !is_env_name(key) {
                out.push(
                    Finding::error("E227", pointer.clone(), format!("`{key}` is not an environment variable name"))
                        .hint("use letters, digits and `_`, not starting with a digit, like `DATABASE_URL`"),
                );
            }
            if let Some(after) = stray_dollar(value) {
                out.push(
                    Finding::error("E227", pointer, format!("`{key}`'s value has a `$` compose would interpolate: `${after}`"))
                        .hint("write `${NAME}` for a declared secret (upper-case, digits, `_`), `$$` for a literal `$`; compose replaces anything else, with nothing when it is unset")
                        .at_value(),
                );
            }
        }
    }
}

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    certificate_names(bp, out);
    environments(bp, out);
    for (k, lb) in bp.load_balancers.iter().enumerate() {
        http_path(Some(&lb.health_check.path), format!("/load_balancers/{k}/health_check/path"), out);
    }
    for (at, c) in super::website_components(bp) {
        http_path(c.health_path.as_deref(), format!("{at}/health_path"), out);
    }
    for (at, c) in super::website_components(bp) {
        let Some(dir) = &c.app_dir else { continue };
        // `{site}` becomes a site name, which is a plain path component.
        if !is_plain_path(&dir.replace(Component::SITE, "site")) {
            out.push(
                Finding::error("E212", format!("{at}/app_dir"), format!("`{dir}` is not a plain absolute path"))
                    .hint("use an absolute path of letters, digits and `/._-+@`, with `{site}` for the site's name; compose volumes split at `:`")
                    .at_value(),
            );
        }
    }
    let kinds = crate::components::data_dirs(bp);
    let mut paths: Vec<(String, &str)> = bp
        .backup
        .iter()
        .flat_map(|b| b.paths.iter())
        .enumerate()
        .map(|(i, p)| (format!("/backup/paths/{i}/path"), p.path.as_str()))
        .collect();
    for (a, app) in bp.applications.iter().enumerate() {
        for (e, env) in app.environments.iter().enumerate() {
            paths.push((format!("/applications/{a}/environments/{e}/data_dir"), &env.data_dir));
        }
    }
    for (i, pg) in bp.postgres.iter().enumerate() {
        paths.push((format!("/postgres/{i}/data_dir"), &pg.data_dir));
        if !is_db_name(&pg.user) {
            out.push(
                Finding::error("E210", format!("/postgres/{i}/user"), format!("`{}` is not a role name gen can write", pg.user))
                    .hint("use lower-case letters, digits, `_` and `-`, starting with a letter or `_` (at most 63); it lands unquoted in a health check")
                    .at_value(),
            );
        }
    }
    // Every component kind's data directories.
    paths.extend(kinds.iter().map(|d| (d.pointer.clone(), d.path.as_str())));
    for (pointer, path) in paths {
        if !is_plain_path(path) {
            out.push(
                Finding::error("E212", pointer, format!("`{path}` is not a plain absolute path"))
                    .hint("use an absolute path of letters, digits and `/._-+@`; scripts list paths separated by spaces and compose volumes split at `:`")
                    .at_value(),
            );
        }
    }
    for name in crate::components::served_names(bp) {
        domain(name.domain, name.pointer, out);
    }
    for (a, app) in bp.applications.iter().enumerate() {
        for (e, env) in app.environments.iter().enumerate() {
            if let Some(db) = env.db_name.as_deref().filter(|db| !is_db_name(db)) {
                out.push(
                    Finding::error(
                        "E210",
                        format!("/applications/{a}/environments/{e}/db_name"),
                        format!("`{db}` is not a database name gen can write"),
                    )
                    .hint("use lower-case letters, digits, `_` and `-`, starting with a letter or `_` (at most 63)")
                    .at_value(),
                );
            }
        }
    }
}

#[cfg(test)]
mod http01_tests {
    use super::http01_refuses;

    #[test]
    fn http01_refuses_wildcards_and_non_public_names() {
        let (message, hint) = http01_refuses("*.example.com").unwrap();
        assert!(message.contains("wildcard") && hint.contains("DNS-01"));
        for name in ["localhost", "intranet", "odoo.local", "shop.test", "a.home.arpa", "x.internal"] {
            assert!(http01_refuses(name).is_some(), "{name}");
        }
        for name in ["odoo.example.com", "shop.example.de", "a-b.example.org"] {
            assert!(http01_refuses(name).is_none(), "{name}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environments_compose_can_write() {
        assert!(is_env_name("DATABASE_URL") && is_env_name("_x1"));
        assert!(!is_env_name("") && !is_env_name("1X") && !is_env_name("A B") && !is_env_name("#F"));
        assert_eq!(stray_dollar("${DB_PASSWORD}"), None);
        assert_eq!(stray_dollar("a$$b ${A1_B} $$"), None);
        for bad in ["a$b", "${lower}", "${}", "${S:-default}", "${A B}", "$", "x ${A} $y"] {
            assert!(stray_dollar(bad).is_some(), "{bad}");
        }
        let service = "services:\n  - {name: app, host: ax52, image: \"busybox:1.36\", environment: {A: \"${S1:-x}\", \"1X\": y}}\n";
        assert_eq!(crate::check::codes_on_base(environments, service), ["E227", "E227"]);
    }

    #[test]
    fn dns_names() {
        for ok in ["example.com", "shop.example.com", "*.example.com", "xn--mnchen-3ya.de", "a-b.c0"] {
            assert!(is_dns_name(ok), "{ok}");
        }
        for bad in ["", "a..b", "-a.com", "a-.com", "a.com;", "a.com\n include x", "a b.com", "a/b", "*", "ü.de"] {
            assert!(!is_dns_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn http_and_file_paths() {
        assert!(is_http_path("/health") && is_http_path("/web/health?full=1") && is_http_path("/"));
        for bad in ["health", "/h'$(id)", "/h \"x\"", "/h;x", "/h`x`", "/h\nx"] {
            assert!(!is_http_path(bad), "{bad:?}");
        }
        assert!(is_plain_path("/mnt/odoo-data/prod") && is_plain_path("/var/lib/docker/volumes"));
        for bad in ["relative", "/a b", "/a'b", "/a$(id)", "/a/../b", "/a:/b"] {
            assert!(!is_plain_path(bad), "{bad:?}");
        }
    }

    #[test]
    fn db_names() {
        assert!(is_db_name("odoo_prod") && is_db_name("_x1") && is_db_name("odoo-prod"));
        for bad in ["", "Odoo", "1db", "-d", "a b", "a;drop", &"x".repeat(64)] {
            assert!(!is_db_name(bad), "{bad:?}");
        }
    }
}
