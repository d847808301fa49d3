//! Derived settings that ignore what else shares the request path, the
//! process or the machine (E416, E417, W413).
//!
//! | code | rule | source |
//! |---|---|---|
//! | E416 | an Odoo environment's `limit_time_real` (s) above nginx's `proxy_read_timeout` / `proxy_send_timeout` for its vhost ([`NGINX_PROXY_TIMEOUT_S`]): nginx answers 504 while Odoo still works on the request | nginx `ngx_http_proxy_module`; Odoo 17 `odoo/service/server.py` (the prefork master kills a worker after `limit_time_real`) |
//! | E417 | `db_maxconn` (blueprint) or the `db_maxconn_gevent` option below [`MIN_DB_MAXCONN`]: the bus listener keeps one connection of its process's pool for good, and a request needs one more | Odoo 17 `odoo/sql_db.py` (`db_connect`: the gevent process takes `db_maxconn_gevent or db_maxconn`), `addons/bus/models/bus.py` (`ImDispatch.loop` holds a `LISTEN imbus` cursor) |
//! | W413 | PostgreSQL's parallel workers (`max_parallel_workers`, PGTune: one per CPU of the container's limit) while the CPU limits of the host's other containers plus PostgreSQL's exceed the host's CPUs | PGTune `configurationSlice.js`; the CPU sums are `resolve::capacity`'s |
//!
//! The proxy timeout is a literal in `templates/nginx/odoo.conf.j2`; the unit
//! test below reads the template so this module and the file cannot drift.

use crate::blueprint::model::Blueprint;
use crate::blueprint::units::Cpus;
use crate::components::postgres::resolve as postgres;
use crate::diag::Finding;
use crate::resolve::connections::{self, MIN_DB_MAXCONN};
use crate::resolve::odoo::DEFAULT_LIMIT_TIME_REAL;
use crate::resolve::{capacity, machine, placement};

/// nginx's `proxy_read_timeout` and `proxy_send_timeout` in seconds, as
/// every Odoo vhost has them (`components::proxy::resolve::vhost`; the blueprint cannot set them).
pub(crate) use crate::components::proxy::resolve::vhost::ODOO_PROXY_TIMEOUT_S as NGINX_PROXY_TIMEOUT_S;

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    proxy_timeouts(bp, out);
    pool_sizes(bp, out);
    parallel_workers(bp, out);
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

/// W413: PostgreSQL runs parallel workers for CPUs the host has promised to
/// others as well.
fn parallel_workers(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (i, pg) in bp.postgres.iter().enumerate() {
        let Some(host) = bp.hosts.iter().find(|h| h.name == pg.host) else { continue };
        let (host_cpus, host_memory) = machine(host);
        if host_cpus.value == 0 {
            continue; // E603
        }
        let conf = postgres::plan(bp, host, pg);
        let setting = |key: &str| {
            conf.sections
                .iter()
                .flat_map(|s| &s.settings)
                .find(|s| s.key == key)
                .map(|s| (s.value.trim().parse::<u32>().ok(), s.why.clone()))
        };
        let Some((Some(parallel), why)) = setting("max_parallel_workers").or_else(|| setting("max_worker_processes"))
        else {
            continue;
        };
        if parallel == 0 {
            continue;
        }
        let placed = placement::on_host(bp, host);
        let plan = capacity::plan(bp, host, &placed, host_cpus.value, host_memory.value);
        let own = pg.resources.limits.map_or(Cpus::whole(host_cpus.value), |l| l.cpus);
        let own_row = plan.rows.iter().find(|r| r.service == pg.name.as_str()).and_then(|r| r.cpus_limit);
        let others = Cpus(plan.cpus_limits.value.millis().saturating_sub(own_row.map_or(0, Cpus::millis)));
        let machine_cpus = Cpus::whole(host_cpus.value);
        if others.millis() + own.millis() <= machine_cpus.millis() {
            continue;
        }
        let pointer = if pg.settings.contains_key("max_parallel_workers") {
            format!("/postgres/{i}/settings/max_parallel_workers")
        } else if pg.resources.limits.is_some() {
            format!("/postgres/{i}/resources/limits/cpus")
        } else {
            format!("/postgres/{i}")
        };
        let own_text = if pg.resources.limits.is_some() { "its CPU limit" } else { "no limit: the whole host" };
        out.push(
            Finding::warning(
                "W413",
                pointer,
                format!(
                    "PostgreSQL `{}` may run {parallel} parallel workers (max_parallel_workers {parallel}: {why}) on \
                     {own} CPUs ({own_text}), but the other containers and the system on `{}` may take {others} of \
                     its {} CPUs: {others} + {own} = {} CPUs, so parallel queries compete with Odoo's workers",
                    pg.name,
                    host.name,
                    host_cpus.value,
                    Cpus(others.millis() + own.millis())
                ),
            )
            .hint(
                "lower max_parallel_workers and max_parallel_workers_per_gather under `settings` (0 turns parallel \
                 queries off), or lower the other containers' CPU limits so the sum fits the host",
            )
            .at_value(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With neither value in the blueprint, nginx waits longer than Odoo.
    const _: () = assert!(DEFAULT_LIMIT_TIME_REAL < NGINX_PROXY_TIMEOUT_S);
}
