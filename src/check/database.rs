//! Odoo and PostgreSQL: options Odoo does not know, the connection budget,
//! and memory that workers or the server may take beyond their container.
//! The numbers come from the plan's own functions, so a diagnostic and the
//! generated file can never disagree.

use crate::blueprint::model::Blueprint;
use crate::diag::Finding;
use crate::resolve::connections::{self, USERS_PER_WORKER};
use crate::resolve::odoo::option_value;
use crate::resolve::odoo_options::{self, Owner};
use crate::resolve::postgres::{self, listens_beyond_localhost};

/// postgresql.conf settings gen writes from typed fields or needs as they are.
const POSTGRES_MANAGED: &[(&str, &str)] = &[
    ("max_connections", "set `max_connections` on the service; gen budgets the Odoo pools against it"),
    ("port", "the applications connect on 5432"),
    ("hba_file", "gen writes pg_hba.conf beside postgresql.conf"),
    ("config_file", "compose passes it on the command line"),
    ("data_directory", "the image sets it; use the service's `data_dir`"),
    ("password_encryption", "pg_hba.conf requires scram-sha-256"),
];

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    odoo_options_known(bp, out);
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
    for (a, app) in bp.applications.iter().enumerate() {
        // The cron host's processes: the most pools (the others run no cron).
        let Some(host) = app.cron_host().and_then(|n| bp.hosts.iter().find(|h| h.name == *n)) else { continue };
        for (e, env) in app.environments.iter().enumerate() {
            let at = format!("/applications/{a}/environments/{e}");
            let p = connections::processes(host, env);
            if p.limit_memory_soft > p.limit_memory_hard {
                out.push(
                    Finding::error(
                        "E413",
                        format!("{at}/odoo/limit_memory_soft"),
                        format!(
                            "limit_memory_soft {} is above limit_memory_hard {}",
                            p.limit_memory_soft, p.limit_memory_hard
                        ),
                    )
                    .hint("the soft limit recycles a worker after its request; keep it below the hard limit")
                    .at_value(),
                );
            }
            if p.worst_memory() > p.memory && p.workers.value > 0 {
                let pointer = if env.odoo.workers.is_some() {
                    format!("{at}/odoo/workers")
                } else {
                    format!("{at}/odoo/limit_memory_hard")
                };
                out.push(
                    Finding::warning(
                        "W410",
                        pointer,
                        format!(
                            "({} workers + {} cron) × limit_memory_hard {} = {} exceeds the container's {} limit",
                            p.workers.value,
                            p.max_cron_threads,
                            p.limit_memory_hard,
                            crate::resolve::postgres::approx(p.worst_memory()),
                            p.memory
                        ),
                    )
                    .hint("leave `workers` out and gen caps it to fit, or lower limit_memory_hard")
                    .at_value(),
                );
            }
            if let (Some(users), crate::blueprint::model::Access::Public) = (bp.project.users, env.access) {
                let serves = p.workers.value.max(1) * USERS_PER_WORKER;
                if serves < users {
                    out.push(
                        Finding::warning(
                            "W412",
                            format!("{at}/resources/limits"),
                            format!(
                                "{} workers serve about {serves} concurrent users; the project is sized for {users}",
                                p.workers.value
                            ),
                        )
                        .hint(format!("Odoo plans about {USERS_PER_WORKER} users per worker; give the container more CPU or memory")),
                    );
                }
            }
        }
    }
}

fn odoo_options_known(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (a, app) in bp.applications.iter().enumerate() {
        for (e, env) in app.environments.iter().enumerate() {
            for (key, value) in &env.odoo.options {
                let at = format!("/applications/{a}/environments/{e}/odoo/options/{key}");
                match odoo_options::find(key) {
                    None => {
                        let hint = odoo_options::nearest(key).map_or_else(
                            || "Odoo ignores unknown options without a word; see odoo/tools/config.py".to_string(),
                            |n| format!("did you mean `{n}`?"),
                        );
                        out.push(Finding::error("E411", at, format!("Odoo 17 has no option `{key}`")).hint(hint));
                    }
                    Some(option) => match option.owner {
                        Owner::Gen(why) => out.push(
                            Finding::error("E412", at, format!("gen writes `{key}` itself")).hint(why.to_string()),
                        ),
                        Owner::CommandLine => out.push(
                            Finding::error(
                                "E412",
                                at,
                                format!("`{key}` is a command-line action, not a config-file option"),
                            )
                            .hint("run it with `docker compose run` when you need it"),
                        ),
                        Owner::Blueprint => {
                            if let Err(why) = option_value(option.kind, value) {
                                out.push(
                                    Finding::error("E413", at, format!("`{key}` {why}"))
                                        .hint("gen writes the value from its YAML type: true/false, a number, or text")
                                        .at_value(),
                                );
                            }
                        }
                    },
                }
            }
        }
    }
}

fn postgres_settings(pg: &crate::blueprint::model::Postgres, at: &str, out: &mut Vec<Finding>) {
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
