//! Management surfaces: who can reach Odoo's database manager, and which
//! environments share the credentials behind it.
//!
//! - E320: an environment with the database manager on and `access: public`.
//!   gen writes `list_db = True` for the environment named `dev` only
//!   (`components::odoo::plan`); a blueprint cannot set `list_db` itself (E412).
//!   With it on, `/web/database/manager` drops, dumps and restores any
//!   database the PostgreSQL role can reach, given the master password
//!   (Odoo's `check_db_management_enabled` guard in `odoo/service/db.py`).
//! - W320: a non-production environment reachable by more people than a
//!   production one it shares credentials with: the PostgreSQL role and its
//!   password secret (per PostgreSQL service), or the master password
//!   secret (per application, so every environment of an application
//!   shares it). Reach is ordered `vpn_only` < `basic_auth` < `public`.
//!
//! Metrics endpoints need no rule here: gen publishes Prometheus on
//! loopback only and node_exporter and cAdvisor not at all
//! (`components::monitoring::resolve::services`), and a port a blueprint container
//! publishes past nginx is already E301.

use crate::blueprint::model::{Access, Application, Blueprint, Environment};
use crate::components::odoo::resolve::database;
use crate::diag::Finding;

/// The environment gen runs with the database manager on.
const LIST_DB_ENVIRONMENT: &str = "dev";
/// Environment names read as production.
const PRODUCTION: &[&str] = &["prod", "production", "live"];
/// Environment names read as not production. Other names are neither, and
/// W320 leaves them alone.
const NON_PRODUCTION: &[&str] =
    &["dev", "development", "test", "testing", "staging", "stage", "qa", "uat", "demo", "preview", "sandbox"];

/// How many people can reach an environment: 0 VPN peers, 1 whoever has the
/// basic-auth login, 2 the internet.
fn reach(access: Access) -> u8 {
    match access {
        Access::VpnOnly => 0,
        Access::BasicAuth => 1,
        Access::Public => 2,
    }
}

fn who(access: Access) -> &'static str {
    match access {
        Access::VpnOnly => "VPN peers only (`vpn_only`)",
        Access::BasicAuth => "whoever has the basic-auth login (`basic_auth`)",
        Access::Public => "anyone on the internet (`public`)",
    }
}

/// E320 and W320 over every application environment.
pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    // (application index, environment index, application, environment)
    let envs: Vec<(usize, usize, &Application, &Environment)> = bp
        .applications
        .iter()
        .enumerate()
        .flat_map(|(a, app)| app.environments.iter().enumerate().map(move |(e, env)| (a, e, app, env)))
        .collect();
    // The PostgreSQL role an application connects as: (service, role, password secret).
    let role = |app: &Application| {
        bp.postgres
            .iter()
            .find(|p| p.name == app.database)
            .map(|p| (p.name.as_str(), p.user.as_str(), p.password_secret.0.as_str()))
    };

    for &(a, e, app, env) in &envs {
        if env.name.as_str() != LIST_DB_ENVIRONMENT || env.access != Access::Public {
            continue;
        }
        let Some((server, user, _)) = role(app) else { continue };
        let databases: Vec<String> = envs
            .iter()
            .filter(|(_, _, other, _)| other.database == app.database)
            .map(|(_, _, other, oenv)| database(other, oenv))
            .collect();
        out.push(
            Finding::error(
                "E320",
                format!("/applications/{a}/environments/{e}/access"),
                format!(
                    "`{}-{}` runs Odoo's database manager (gen sets `list_db = True` in `dev`) and is `public`: \
                     anyone on the internet reaches /web/database/manager, where the master password `{}` drops, \
                     downloads or restores every database role `{user}` owns on `{server}` ({}: {})",
                    app.name,
                    env.name,
                    app.admin_password_secret.0,
                    databases.len(),
                    databases.join(", ")
                ),
            )
            .hint(
                "set `access: vpn_only` (or `basic_auth`, so nginx asks before Odoo answers), or give the environment \
                 another name: gen turns the database manager on for `dev` only",
            )
            .at_value(),
        );
    }

    for &(a, e, app, env) in &envs {
        if !NON_PRODUCTION.contains(&env.name.as_str()) {
            continue;
        }
        let mut shared_with = Vec::new();
        let mut same_server = false;
        for &(_, _, papp, penv) in &envs {
            if !PRODUCTION.contains(&penv.name.as_str()) || reach(env.access) <= reach(penv.access) {
                continue;
            }
            let mut what = Vec::new();
            if let (Some((s1, u1, p1)), Some((s2, u2, p2))) = (role(app), role(papp)) {
                if (u1, p1) == (u2, p2) {
                    same_server |= s1 == s2;
                    let place = if s1 == s2 { format!("on `{s1}`") } else { format!("on `{s1}` and `{s2}`") };
                    what.push(format!("PostgreSQL role `{u1}` with password `{p1}` {place}"));
                }
            }
            if app.admin_password_secret == papp.admin_password_secret {
                what.push(format!("master password `{}`", app.admin_password_secret.0));
            }
            if !what.is_empty() {
                shared_with.push(format!(
                    "`{}-{}`, reachable by {} ({})",
                    papp.name,
                    penv.name,
                    who(penv.access),
                    what.join(" and ")
                ));
            }
        }
        if shared_with.is_empty() {
            continue;
        }
        let manager = if env.name.as_str() == LIST_DB_ENVIRONMENT && same_server {
            "; its database manager is on and connects to production's server as the same role, so it can drop or \
             dump production's database"
        } else {
            ""
        };
        out.push(
            Finding::warning(
                "W320",
                format!("/applications/{a}/environments/{e}/access"),
                format!(
                    "`{}-{}` is reachable by {}, more people than production, and shares its credentials with {}{manager}",
                    app.name,
                    env.name,
                    who(env.access),
                    shared_with.join("; ")
                ),
            )
            .hint(
                "restrict the non-production environment to at most production's `access`, or give it its own \
                 PostgreSQL service (with its own `password_secret`) and its own application (with its own \
                 `admin_password_secret`)",
            )
            .at_value(),
        );
    }
}
