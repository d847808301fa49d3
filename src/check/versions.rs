//! Check: the pinned version of each program against what gen writes for it
//! (the table is `resolve::versions`).
//!
//! - E420: a pinned nginx, PostgreSQL or Odoo older than something gen's
//!   files for this blueprint need (an nginx before `ssl_reject_handshake`
//!   where nginx terminates TLS, a PostgreSQL before scram-sha-256, an Odoo
//!   before `gevent_port` and /websocket).
//! - W420: an image tag that floats (`latest`, `alpine`, `stable`,
//!   `mainline`, `nginx:1`): the message names the version gen assumed for
//!   its syntax decisions.
//! - W421: an Odoo major gen has no option table for: it names the table
//!   gen used instead.

use crate::blueprint::model::Blueprint;
use crate::blueprint::units::Image;
use crate::components::docker::resolve::compose::terminates_tls;
use crate::diag::Finding;
use crate::resolve::versions::{self, When};

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    nginx(bp, out);
    for (i, pg) in bp.postgres.iter().enumerate() {
        let at = format!("/postgres/{i}/image");
        let assumed = versions::postgres(&pg.image);
        if assumed.floating {
            out.push(floating(&pg.image, &at, &assumed.why, "its settings and the data directory"));
            continue;
        }
        let n = pg.image.version();
        let release = [n.first().copied().unwrap_or(0), n.get(1).copied().unwrap_or(0)];
        if versions::postgres_knows("password_encryption", "'scram-sha-256'", release) == Some(false) {
            out.push(
                Finding::error(
                    "E420",
                    at,
                    format!(
                        "PostgreSQL {} (`{}`) is older than gen's configuration needs: \
                         `password_encryption = 'scram-sha-256'` and pg_hba.conf's scram-sha-256 need {}",
                        versions::dotted(&n),
                        pg.image,
                        versions::POSTGRES_OLDEST
                    ),
                )
                .hint(format!(
                    "pin PostgreSQL {} or later (the references run postgres:16.10-alpine); \
                     gen writes no configuration for older servers",
                    versions::POSTGRES_OLDEST
                ))
                .at_value(),
            );
        }
    }
    for (i, app) in bp.applications.iter().enumerate() {
        let at = format!("/applications/{i}/image");
        let assumed = versions::odoo(&app.image);
        if assumed.floating {
            out.push(floating(&app.image, &at, &assumed.why, "its options and the owner of its files"));
            continue;
        }
        let major = assumed.version;
        if let Some(option) = versions::ODOO_SINCE.iter().filter(|o| major < o.since).max_by_key(|o| o.since) {
            out.push(
                Finding::error(
                    "E420",
                    at,
                    format!(
                        "Odoo {major} (`{}`) is older than gen's configuration needs: `{}` (and the /websocket \
                         route nginx proxies to it) needs Odoo {}",
                        app.image, option.name, option.since
                    ),
                )
                .hint(format!("pin Odoo {} or later (the references run odoo:17.0)", versions::ODOO_OLDEST))
                .at_value(),
            );
            continue;
        }
        let (table, _, own) = versions::odoo_table(major);
        if !own {
            out.push(
                Finding::warning(
                    "W421",
                    at,
                    format!(
                        "gen has no option table for Odoo {major}: it checks `odoo.options` against Odoo {table}'s \
                         and writes the options Odoo {table} knows"
                    ),
                )
                .hint(format!(
                    "pin odoo:{table}.0, or compare the options with Odoo {major}'s odoo/tools/config.py \
                     before deploying"
                ))
                .at_value(),
            );
        }
    }
    for (pointer, component) in super::website_components(bp) {
        if versions::floats(&component.image) {
            let at = format!("{pointer}/image");
            out.push(
                Finding::warning(
                    "W420",
                    at,
                    format!(
                        "`{}` floats: its tag names no version, so the next pull may run software nobody tested",
                        component.image
                    ),
                )
                .hint("pin a tag with the version (`node:22.11-alpine`, the site build's release)")
                .at_value(),
            );
        }
    }
}

/// W420 for a program whose version gen's output depends on.
fn floating(image: &Image, at: &str, assumed: &str, decides: &str) -> Finding {
    Finding::warning("W420", at, format!("`{image}` floats; gen assumed {assumed} for {decides}"))
        .hint("pin the exact tag, e.g. `nginx:1.28.0-alpine`, `postgres:16.10-alpine`, `odoo:17.0`")
        .at_value()
}

/// Whether some nginx of this blueprint terminates TLS, and whether a load
/// balancer reaches one over the private network (the realip directives).
fn nginx_needs(bp: &Blueprint) -> (bool, bool) {
    let app_hosts = bp.applications.iter().flat_map(|a| a.hosts());
    let site_hosts = bp.websites.iter().flat_map(|w| w.hosts.iter());
    let tls = app_hosts
        .chain(site_hosts)
        .filter_map(|name| bp.hosts.iter().find(|h| &h.name == name))
        .any(|h| terminates_tls(bp, h));
    let real_ip = bp.load_balancers.iter().any(|lb| bp.network_of_load_balancer(lb).is_some());
    (tls, real_ip)
}

fn nginx(bp: &Blueprint, out: &mut Vec<Finding>) {
    if bp.applications.is_empty() && bp.websites.is_none() {
        return;
    }
    // No `proxy.image`: gen's own pinned default, nothing to say.
    let Some(image) = bp.proxy.as_ref().and_then(|p| p.image.as_ref()) else { return };
    let at = "/proxy/image";
    let assumed = versions::nginx(image);
    if assumed.floating {
        out.push(floating(image, at, &assumed.why, "its syntax"));
        return;
    }
    let (tls, real_ip) = nginx_needs(bp);
    let missing = versions::NGINX
        .iter()
        .filter(|f| match f.when {
            When::Always => true,
            When::Tls => tls,
            When::RealIp => real_ip,
            When::NewerForm => false,
        })
        .filter(|f| f.replaced_at.is_none_or(|at| assumed.version < at))
        .filter(|f| assumed.version < f.since)
        .max_by_key(|f| f.since);
    if let Some(f) = missing {
        let what = f.param.map_or_else(|| format!("`{}`", f.directive), |p| format!("`{} … {p}`", f.directive));
        out.push(
            Finding::error(
                "E420",
                at,
                format!(
                    "nginx {} (`{image}`) is older than gen's configuration needs: {what} needs nginx {}",
                    versions::dotted(&assumed.version),
                    versions::dotted(&f.since)
                ),
            )
            .hint(format!(
                "pin nginx {} or later (the references run {}); gen writes no syntax for older nginx",
                versions::dotted(&f.since),
                crate::components::proxy::resolve::nginx::DEFAULT_IMAGE
            ))
            .at_value(),
        );
    }
}
