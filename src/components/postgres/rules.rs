//! A PostgreSQL server's own rules: its connection budget (E410), the
//! memory its settings may take beyond its container (W411), and the
//! postgresql.conf settings a blueprint may not write (E414, E415). The
//! numbers come from the resolve stage's own functions, so a diagnostic and
//! the generated file can never disagree.

use crate::blueprint::model::{Blueprint, Postgres};
use crate::components::postgres::resolve::{self as postgres, listens_beyond_localhost};
use crate::diag::Finding;
use crate::resolve::connections;

/// postgresql.conf settings gen writes from typed fields or needs as they are.
const POSTGRES_MANAGED: &[(&str, &str)] = &[
    ("max_connections", "set `max_connections` on the service; gen budgets the Odoo pools against it"),
    ("port", "the applications connect on 5432"),
    ("hba_file", "gen writes pg_hba.conf beside postgresql.conf"),
    ("config_file", "compose passes it on the command line"),
    ("data_directory", "the image sets it; use the service's `data_dir`"),
    ("password_encryption", "pg_hba.conf requires scram-sha-256"),
];

/// Every PostgreSQL server's rules, in blueprint order.
pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (i, pg) in bp.postgres.iter().enumerate() {
        let at = format!("/postgres/{i}");
        postgres_settings(pg, &at, out);
        // The plan carries the budget; without a known host (E205) only the budget.
        let plan = bp.hosts.iter().find(|h| h.name == pg.host).map(|host| postgres::plan(bp, host, pg));
        let budget = plan.as_ref().map_or_else(|| connections::budget(bp, pg), |p| p.budget.clone());
        if !budget.fits {
            let pointer = if pg.max_connections.is_some() { format!("{at}/max_connections") } else { at.clone() };
            out.push(
                Finding::error(
                    "E410",
                    pointer,
                    format!(
                        "the {} connection pools can need more than max_connections {}: {}",
                        if budget.services.is_empty() { "Odoo" } else { "clients'" },
                        budget.max_connections.value,
                        budget.sum_text(bp)
                    ),
                )
                .hint(if budget.services.is_empty() {
                    "each worker, cron worker and the gevent process keeps up to db_maxconn connections; \
                     lower db_maxconn or workers, or raise max_connections"
                } else {
                    "each Odoo worker, cron worker and gevent process keeps up to db_maxconn connections and each \
                     service its `database.connections`; lower them, or raise max_connections"
                })
                .at_value(),
            );
        }
        let Some(plan) = plan else { continue };
        let m = &plan.memory;
        if m.total > m.limit {
            out.push(
                Finding::warning(
                    "W411",
                    format!("{at}/resources/limits/memory"),
                    format!("PostgreSQL may take more than its {} limit: {}", m.limit, m.formula),
                )
                .hint("lower work_mem or max_connections, or raise the limit; the kernel kills the server at the limit")
                .at_value(),
            );
        }
    }
}

fn postgres_settings(pg: &Postgres, at: &str, out: &mut Vec<Finding>) {
    for (key, value) in &pg.settings {
        let pointer = format!("{at}/settings/{key}");
        if key == "listen_addresses" && !listens_beyond_localhost(value) {
            out.push(
                Finding::error(
                    "E414",
                    pointer,
                    format!(
                        "listen_addresses {value} keeps `{}` on localhost: no other container can connect",
                        pg.name
                    ),
                )
                .hint("remove it: gen writes listen_addresses = '*' and pg_hba.conf admits only the compose network")
                .at_value(),
            );
        } else if let Some((_, why)) = POSTGRES_MANAGED.iter().find(|(k, _)| k == key) {
            out.push(Finding::error("E415", pointer, format!("gen writes `{key}` itself")).hint(why.to_string()));
        }
    }
}
