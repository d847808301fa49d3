//! Text that names things outside gen and lands in config syntax: domains
//! (nginx `server_name`, certbot, Terraform) must be DNS names, database
//! names (odoo.conf, pg_dump in the backup scripts) plain identifiers. Either
//! would otherwise carry `;`, spaces or quotes into a directive or a shell
//! line.

use crate::blueprint::model::Blueprint;
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

/// A PostgreSQL database name gen can write unquoted: `[a-z_][a-z0-9_]*`, at most 63.
fn is_db_name(name: &str) -> bool {
    name.len() <= 63
        && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
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

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    if let Some(web) = &bp.websites {
        for (i, site) in web.sites.iter().enumerate() {
            for (d, value) in site.domains.iter().enumerate() {
                domain(value, format!("/websites/sites/{i}/domains/{d}"), out);
            }
        }
    }
    for (a, app) in bp.applications.iter().enumerate() {
        for (e, env) in app.environments.iter().enumerate() {
            domain(&env.domain, format!("/applications/{a}/environments/{e}/domain"), out);
            if let Some(db) = env.db_name.as_deref().filter(|db| !is_db_name(db)) {
                out.push(
                    Finding::error(
                        "E210",
                        format!("/applications/{a}/environments/{e}/db_name"),
                        format!("`{db}` is not a database name gen can write"),
                    )
                    .hint("use lower-case letters, digits and `_`, starting with a letter or `_` (at most 63)")
                    .at_value(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn db_names() {
        assert!(is_db_name("odoo_prod") && is_db_name("_x1"));
        for bad in ["", "Odoo", "1db", "a-b", "a;drop", &"x".repeat(64)] {
            assert!(!is_db_name(bad), "{bad:?}");
        }
    }
}
