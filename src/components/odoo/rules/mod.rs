//! Odoo's own rules, over its environments and the records the resolve
//! stage derives for them (processes, pools, options); the shared rules
//! (names, capacity, exposure, secrets, backups, PostgreSQL's connection
//! budget) see Odoo's containers through placement.
//!
//! | code | rule |
//! |---|---|
//! | E411 | an `odoo.options` key Odoo 17 does not have |
//! | E412 | an option gen writes itself, or a command-line action |
//! | E413 | an option value of the wrong type, or `limit_memory_soft` above `limit_memory_hard` |
//! | W410 | workers and cron threads at `limit_memory_hard` beyond the container's memory |
//! | W412 | fewer workers than the project's users need |
//! | E416 | `limit_time_real` above nginx's proxy timeouts for the vhost (Odoo 17 `odoo/service/server.py`: the prefork master kills a worker after `limit_time_real`) |
//! | E417 | `db_maxconn` or `db_maxconn_gevent` below [`MIN_DB_MAXCONN`]: the bus listener keeps one connection of its process's pool for good, and a request needs one more (Odoo 17 `odoo/sql_db.py`, `addons/bus/models/bus.py`) |
//! | E320, W320 | the database manager reachable by the public; credentials shared with a more reachable environment ([`surfaces`]) |
//!
//! The proxy timeout is a literal of `components::proxy::resolve::vhost` ([`NGINX_PROXY_TIMEOUT_S`]).

mod surfaces;

use super::resolve::options::{self, Owner};
use super::resolve::{option_value, DEFAULT_LIMIT_TIME_REAL};
use crate::blueprint::model::Blueprint;
use crate::diag::Finding;
use crate::resolve::connections::{self, MIN_DB_MAXCONN, USERS_PER_WORKER};

/// nginx's `proxy_read_timeout` and `proxy_send_timeout` in seconds, as
/// every Odoo vhost has them (`components::proxy::resolve::vhost`; the blueprint cannot set them).
pub(crate) use crate::components::proxy::resolve::vhost::ODOO_PROXY_TIMEOUT_S as NGINX_PROXY_TIMEOUT_S;

/// Every rule of Odoo's.
pub(crate) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    options_known(bp, out);
    processes(bp, out);
    proxy_timeouts(bp, out);
    pool_sizes(bp, out);
    surfaces::check(bp, out);
}

/// E411–E413: `odoo.options` against Odoo's option table.
fn options_known(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (a, app) in bp.applications.iter().enumerate() {
        for (e, env) in app.environments.iter().enumerate() {
            for (key, value) in &env.odoo.options {
                let at = format!("/applications/{a}/environments/{e}/odoo/options/{key}");
                match options::find(key) {
                    None => {
                        let hint = options::nearest(key).map_or_else(
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

/// E413, W410, W412: the memory limits and workers of each environment.
fn processes(bp: &Blueprint, out: &mut Vec<Finding>) {
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

/// E416: `limit_time_real` (seconds, blueprint or Odoo's default 120) against
/// nginx's proxy timeouts for the environment's vhost.
fn proxy_timeouts(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (a, app) in bp.applications.iter().enumerate() {
        for (e, env) in app.environments.iter().enumerate() {
            let real = env.odoo.limit_time_real.unwrap_or(DEFAULT_LIMIT_TIME_REAL);
            if real <= NGINX_PROXY_TIMEOUT_S {
                continue;
            }
            out.push(
                Finding::error(
                    "E416",
                    format!("/applications/{a}/environments/{e}/odoo/limit_time_real"),
                    format!(
                        "limit_time_real {real} s (blueprint) lets Odoo work on a request longer than nginx waits for \
                         it: proxy_read_timeout and proxy_send_timeout are {NGINX_PROXY_TIMEOUT_S} s \
                         in nginx's vhost for {}, so a request between {NGINX_PROXY_TIMEOUT_S} s and {real} s ends in \
                         504 while Odoo still finishes it",
                        env.domain
                    ),
                )
                .hint(format!(
                    "keep limit_time_real at or below {NGINX_PROXY_TIMEOUT_S} s; run longer jobs (imports, large \
                     reports) as cron or queued jobs, whose limit is limit_time_real_cron"
                ))
                .at_value(),
            );
        }
    }
}

/// E417: a pool of fewer than two connections in any Odoo process.
fn pool_sizes(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (a, app) in bp.applications.iter().enumerate() {
        // The cron host's processes: the most pools (the others run no cron).
        let Some(host) = app.cron_host().and_then(|n| bp.hosts.iter().find(|h| h.name == *n)) else { continue };
        for (e, env) in app.environments.iter().enumerate() {
            let at = format!("/applications/{a}/environments/{e}/odoo");
            let p = connections::processes(host, env);
            let workers = p.workers.value;
            let gevent = env.odoo.options.get("db_maxconn_gevent").and_then(serde_json::Value::as_u64);
            if let Some(n) = env.odoo.db_maxconn.filter(|n| *n < MIN_DB_MAXCONN) {
                let who = match (workers, gevent) {
                    (0, _) => "the threaded Odoo server".to_string(),
                    (_, None) => format!(
                        "each of the {} Odoo processes ({workers} workers, {} cron, the gevent process)",
                        p.pools(),
                        p.max_cron_threads
                    ),
                    (_, Some(_)) => format!(
                        "each of the {} worker processes ({workers} HTTP, {} cron)",
                        workers + p.max_cron_threads,
                        p.max_cron_threads
                    ),
                };
                let bus = if workers == 0 || gevent.is_none() {
                    "; the bus listener in the same pool keeps one connection for good, leaving the websockets none"
                } else {
                    ""
                };
                out.push(
                    Finding::error(
                        "E417",
                        format!("{at}/db_maxconn"),
                        format!(
                            "db_maxconn {n} (blueprint) gives {who} {n} PostgreSQL connection{}, but a request \
                             takes one and a nested cursor (login, logging, mail) another{bus}",
                            if n == 1 { "" } else { "s" }
                        ),
                    )
                    .hint(format!(
                        "set db_maxconn to at least {MIN_DB_MAXCONN}, or leave it out and gen shares max_connections"
                    ))
                    .at_value(),
                );
            }
            if let Some(n) = gevent.filter(|n| *n < u64::from(MIN_DB_MAXCONN)) {
                if workers == 0 {
                    continue; // No gevent process: Odoo reads the option only there.
                }
                out.push(
                    Finding::error(
                        "E417",
                        format!("{at}/options/db_maxconn_gevent"),
                        format!(
                            "db_maxconn_gevent {n} (blueprint option) gives the gevent process {n} PostgreSQL \
                             connection{}; its bus listener keeps one for good, leaving {} for websocket requests",
                            if n == 1 { "" } else { "s" },
                            n.saturating_sub(1)
                        ),
                    )
                    .hint(format!(
                        "set db_maxconn_gevent to at least {MIN_DB_MAXCONN}, or remove it and the gevent process \
                         takes db_maxconn"
                    ))
                    .at_value(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With neither value in the blueprint, nginx waits longer than Odoo.
    const _: () = assert!(DEFAULT_LIMIT_TIME_REAL < NGINX_PROXY_TIMEOUT_S);
}
