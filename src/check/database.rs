//! Odoo: options Odoo does not know and memory that workers may take
//! beyond their container (PostgreSQL's own rules are in
//! `components::postgres::rules`).
//! The numbers come from the plan's own functions, so a diagnostic and the
//! generated file can never disagree.

use crate::blueprint::model::Blueprint;
use crate::diag::Finding;
use crate::resolve::connections::{self, USERS_PER_WORKER};
use crate::resolve::odoo::option_value;
use crate::resolve::odoo_options::{self, Owner};

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    odoo_options_known(bp, out);
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
                            crate::components::postgres::resolve::approx(p.worst_memory()),
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
