//! Odoo processes and the PostgreSQL connection budget.
//!
//! In prefork mode every Odoo process (each HTTP worker, each cron worker and
//! the gevent process for websockets) keeps its own pool of up to
//! `db_maxconn` connections. The worst case, summed over every environment
//! that shares one PostgreSQL, plus the superuser-reserved connections, must
//! fit in `max_connections`; otherwise the busiest hour ends in
//! "sorry, too many clients already".

use serde::Serialize;

use super::Derived;
use crate::blueprint::model::{Application, Blueprint, Environment, Host, Postgres};
use crate::blueprint::units::Size;

/// Odoo 17's defaults for what the blueprint leaves out.
pub const DEFAULT_LIMIT_MEMORY_HARD: Size = Size::mib(2560);
pub const DEFAULT_LIMIT_MEMORY_SOFT: Size = Size::mib(2048);
pub const DEFAULT_MAX_CRON_THREADS: u32 = 2;
/// Odoo's own default pool size; gen never derives more.
pub const ODOO_DB_MAXCONN: u32 = 64;
/// The smallest useful pool: a request cursor and one more for the bus or a
/// nested transaction.
pub const MIN_DB_MAXCONN: u32 = 2;
/// Pool size per process when the blueprint leaves max_connections to gen.
pub const DERIVED_DB_MAXCONN: u32 = 8;
/// PostgreSQL's default `superuser_reserved_connections`.
pub const SUPERUSER_RESERVED: u32 = 3;
/// Room gen keeps for backups, monitoring and an operator's psql when it
/// derives max_connections itself.
pub const MAINTENANCE_CONNECTIONS: u32 = 5;
/// Odoo's sizing rule of thumb: one HTTP worker serves about six concurrent users.
pub const USERS_PER_WORKER: u32 = 6;

/// The processes of one Odoo environment and their memory limits.
#[derive(Debug, Clone, Serialize)]
pub struct Processes {
    pub workers: Derived<u32>,
    pub max_cron_threads: u32,
    pub limit_memory_hard: Size,
    pub limit_memory_soft: Size,
    /// The container's memory limit the workers must fit in.
    pub memory: Size,
    /// Whole CPUs of the container's limit.
    pub cpus: u32,
}

impl Processes {
    /// Processes that each hold a connection pool: HTTP workers, cron
    /// workers and the gevent process; one threaded process when workers = 0.
    pub fn pools(&self) -> u32 {
        if self.workers.value > 0 {
            self.workers.value + self.max_cron_threads + 1
        } else {
            1
        }
    }

    /// Memory the prefork processes may take at their hard limit.
    pub fn worst_memory(&self) -> Size {
        Size(self.limit_memory_hard.bytes() * u64::from(self.workers.value + self.max_cron_threads))
    }
}

/// The processes of `env` on `host`: one of the application's hosts, which
/// runs Odoo's cron only if it is the first (see [`processes_on`]).
pub fn processes_for(app: &Application, host: &Host, env: &Environment) -> Processes {
    processes_on(host, env, app.cron_host().is_none_or(|h| *h == host.name))
}

/// The processes of `env` on its cron host (the only host of most applications).
pub fn processes(host: &Host, env: &Environment) -> Processes {
    processes_on(host, env, true)
}

/// Workers from Odoo's deployment rule (2 × CPUs + 1), capped so that
/// (workers + cron threads) × limit_memory_hard fits the container. On an
/// application's other hosts (`runs_cron` false) max_cron_threads is 0:
/// Odoo's ir_cron takes each job with `FOR NO KEY UPDATE SKIP LOCKED`, so
/// two hosts would not run one job twice, but each would keep its cron
/// threads polling every database and holding their connection pools; one
/// host runs them all.
pub fn processes_on(host: &Host, env: &Environment, runs_cron: bool) -> Processes {
    let (host_cpus, host_memory) = super::machine(host);
    let limits = env.resources.limits;
    let cpus = limits.map_or(host_cpus.value, |l| l.cpus.millis().div_ceil(1000));
    let memory = limits.map_or(host_memory.value, |l| l.memory);
    let o = &env.odoo;
    let max_cron_threads = if runs_cron { o.max_cron_threads.unwrap_or(DEFAULT_MAX_CRON_THREADS) } else { 0 };
    let hard = o.limit_memory_hard.unwrap_or(DEFAULT_LIMIT_MEMORY_HARD);
    let soft = o.limit_memory_soft.unwrap_or(DEFAULT_LIMIT_MEMORY_SOFT);
    let workers = match o.workers {
        Some(w) => Derived::new(w, "blueprint"),
        None => {
            let by_cpu = 2 * cpus + 1;
            let fit = u32::try_from(memory.bytes() / hard.bytes().max(1)).unwrap_or(u32::MAX);
            let by_memory = fit.saturating_sub(max_cron_threads);
            if by_memory == 0 {
                Derived::new(
                    0,
                    format!(
                        "threaded mode: {} holds no worker at limit_memory_hard {} next to \
                         {max_cron_threads} cron threads",
                        memory.readable(),
                        hard.readable()
                    ),
                )
            } else if by_cpu <= by_memory {
                Derived::new(
                    by_cpu,
                    format!(
                        "2 × {cpus} CPUs + 1; ({by_cpu} + {max_cron_threads} cron) × {} fits {}",
                        hard.readable(),
                        memory.readable()
                    ),
                )
            } else {
                Derived::new(
                    by_memory,
                    format!(
                        "2 × {cpus} CPUs + 1 = {by_cpu}, capped by memory: ({by_memory} + {max_cron_threads} cron) \
                         × {} fits {}",
                        hard.readable(),
                        memory.readable()
                    ),
                )
            }
        }
    };
    Processes { workers, max_cron_threads, limit_memory_hard: hard, limit_memory_soft: soft, memory, cpus }
}

/// One environment's share of the budget.
#[derive(Debug, Clone, Serialize)]
pub struct Share {
    /// Compose service: `<application>-<environment>`.
    pub service: String,
    /// The host these processes run on: an application on several hosts
    /// has one share per host, each with its own processes.
    pub host: String,
    /// Whether the application runs on several hosts, so the sum names the host.
    pub spread: bool,
    pub app: usize,
    pub env: usize,
    pub pools: u32,
    pub db_maxconn: Derived<u32>,
    /// The gevent process's own pool when the blueprint sets Odoo 17's
    /// `db_maxconn_gevent` (odoo/sql_db.py: `maxconn = odoo.evented and
    /// config['db_maxconn_gevent'] or config['db_maxconn']`); None: it uses
    /// `db_maxconn` like the other processes, or there is no gevent process.
    pub gevent_maxconn: Option<u32>,
}

impl Share {
    /// Connections with every pool full: `pools × db_maxconn`, the gevent
    /// process counted with its own pool when it has one.
    pub fn worst_case(&self) -> u32 {
        match self.gevent_maxconn {
            Some(gevent) => (self.pools - 1) * self.db_maxconn.value + gevent,
            None => self.pools * self.db_maxconn.value,
        }
    }

    /// The processes that use `db_maxconn` (all but a gevent process with its own pool).
    fn db_maxconn_pools(&self) -> u32 {
        self.pools - u32::from(self.gevent_maxconn.is_some())
    }

    /// `13 × 5`, or `12 × 5 + 1 × 32` with a gevent pool of its own.
    fn terms(&self) -> String {
        match self.gevent_maxconn {
            Some(gevent) => format!("{} × {} + 1 × {gevent}", self.db_maxconn_pools(), self.db_maxconn.value),
            None => format!("{} × {}", self.pools, self.db_maxconn.value),
        }
    }
}

/// A container service's pool on the server (`services[].database`): a
/// fixed number of connections gen does not tune.
#[derive(Debug, Clone, Serialize)]
pub struct ServicePool {
    /// Compose service.
    pub service: String,
    pub connections: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Budget {
    pub max_connections: Derived<u32>,
    pub superuser_reserved: u32,
    pub shares: Vec<Share>,
    /// Container services with a database on this server.
    pub services: Vec<ServicePool>,
    /// Every pool full at once.
    pub worst_case: u32,
    pub fits: bool,
}

impl Budget {
    /// The sum in words: `prod 13 × 5 + test 7 × 5 + 3 reserved = 103`.
    pub fn sum_text(&self, bp: &Blueprint) -> String {
        self.sum(|s| bp.applications[s.app].environments[s.env].name.to_string())
    }

    /// The same sum, naming each share by its compose service.
    pub fn sum_text_plain(&self) -> String {
        self.sum(|s| s.service.clone())
    }

    fn sum(&self, name: impl Fn(&Share) -> String) -> String {
        let label = |s: &Share| if s.spread { format!("{} on {}", name(s), s.host) } else { name(s) };
        let mut parts: Vec<String> = self.shares.iter().map(|s| format!("{} {}", label(s), s.terms())).collect();
        parts.extend(self.services.iter().map(|p| format!("{} {}", p.service, p.connections)));
        parts.push(format!("{} reserved", self.superuser_reserved));
        format!("{} = {}", parts.join(" + "), self.worst_case + self.superuser_reserved)
    }
}

/// The environments whose databases live in `pg`, with their blueprint indices.
pub fn clients<'a>(bp: &'a Blueprint, pg: &Postgres) -> Vec<(usize, &'a Application, usize, &'a Environment)> {
    let mut out = Vec::new();
    for (a, app) in bp.applications.iter().enumerate().filter(|(_, a)| a.database == pg.name) {
        for (e, env) in app.environments.iter().enumerate() {
            out.push((a, app, e, env));
        }
    }
    out
}

fn superuser_reserved(pg: &Postgres) -> u32 {
    pg.settings
        .get("superuser_reserved_connections")
        .and_then(serde_json::Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(SUPERUSER_RESERVED)
}

/// The connection budget of one PostgreSQL service: db_maxconn per
/// environment (the blueprint's, or an even share of what is left), and
/// whether the worst case fits.
pub fn budget(bp: &Blueprint, pg: &Postgres) -> Budget {
    let reserved = superuser_reserved(pg);
    let mut shares = Vec::new();
    // Every host's processes: an application on several hosts has a pool
    // per process on each of them.
    let on_hosts = clients(bp, pg).into_iter().flat_map(|(a, app, e, env)| {
        app.hosts()
            .into_iter()
            .filter_map(move |n| bp.hosts.iter().find(|h| h.name == *n))
            .map(move |h| (a, app, e, env, h))
    });
    for (a, app, e, env, host) in on_hosts {
        let procs = processes_for(app, host, env);
        let pools = procs.pools();
        let service = format!("{}-{}", app.name, env.name);
        let fixed = env.odoo.db_maxconn.map(|c| Derived::new(c, "blueprint"));
        // Only a prefork Odoo (workers > 0) runs a separate gevent process.
        let gevent_maxconn = env
            .odoo
            .options
            .get("db_maxconn_gevent")
            .and_then(serde_json::Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .filter(|_| procs.workers.value > 0);
        let share = Share {
            service,
            host: host.name.to_string(),
            spread: app.is_spread(),
            app: a,
            env: e,
            pools,
            db_maxconn: Derived::new(0, ""),
            gevent_maxconn,
        };
        shares.push((share, fixed));
    }
    // The fixed pools of the server's clients (container services').
    let on_server = crate::components::databases_on(bp, &pg.name.0).into_iter();
    let services: Vec<ServicePool> =
        on_server.filter_map(|d| d.pool.map(|connections| ServicePool { service: d.client, connections })).collect();
    let services_sum: u32 = services.iter().map(|p| p.connections).sum();
    let gevent_sum: u32 = shares.iter().filter_map(|(s, _)| s.gevent_maxconn).sum();
    let fixed_sum: u32 = services_sum
        + gevent_sum
        + shares.iter().filter_map(|(s, f)| f.as_ref().map(|f| s.db_maxconn_pools() * f.value)).sum::<u32>();
    let flexible_pools: u32 = shares.iter().filter(|(_, f)| f.is_none()).map(|(s, _)| s.db_maxconn_pools()).sum();
    let max_connections = match pg.max_connections {
        Some(m) => Derived::new(m, "blueprint"),
        None => {
            let total = fixed_sum + flexible_pools * DERIVED_DB_MAXCONN + reserved + MAINTENANCE_CONNECTIONS;
            Derived::new(
                total,
                format!(
                    "every {} pool full ({} connections) + {reserved} superuser-reserved + \
                     {MAINTENANCE_CONNECTIONS} for backups and monitoring",
                    if services.is_empty() { "Odoo" } else { "client" },
                    total - reserved - MAINTENANCE_CONNECTIONS
                ),
            )
        }
    };
    let available = max_connections.value.saturating_sub(reserved);
    let share = if flexible_pools == 0 {
        0
    } else if pg.max_connections.is_none() {
        DERIVED_DB_MAXCONN
    } else {
        (available.saturating_sub(fixed_sum) / flexible_pools).min(ODOO_DB_MAXCONN)
    };
    let share_why = if pg.max_connections.is_none() {
        format!("{DERIVED_DB_MAXCONN} per process; max_connections is sized to match")
    } else {
        format!(
            "({} max_connections − {reserved} reserved{}) / {flexible_pools} Odoo processes, at most {ODOO_DB_MAXCONN}",
            max_connections.value,
            if fixed_sum > 0 { format!(" − {fixed_sum} fixed") } else { String::new() }
        )
    };
    let shares: Vec<Share> = shares
        .into_iter()
        .map(|(mut s, fixed)| {
            s.db_maxconn = fixed.unwrap_or_else(|| Derived::new(share.max(MIN_DB_MAXCONN), share_why.clone()));
            s
        })
        .collect();
    let worst_case = shares.iter().map(Share::worst_case).sum::<u32>() + services_sum;
    // A share below the minimum was raised to it, so it overflows here too.
    let fits = worst_case + reserved <= max_connections.value;
    Budget { max_connections, superuser_reserved: reserved, shares, services, worst_case, fits }
}

#[cfg(test)]
mod scale_out_tests {
    use super::*;

    #[test]
    fn the_budget_counts_every_hosts_processes_and_cron_once() {
        let bp = crate::resolve::private::tests::scale_out(&[]);
        let b = budget(&bp, &bp.postgres[0]);
        let shares: Vec<(&str, &str, u32)> =
            b.shares.iter().map(|s| (s.service.as_str(), s.host.as_str(), s.pools)).collect();
        // prod: 13 workers on each host; odoo-1 adds 2 cron threads, odoo-2 none; + the gevent process.
        assert_eq!(
            shares,
            [
                ("odoo-prod", "odoo-1", 16),
                ("odoo-prod", "odoo-2", 14),
                ("odoo-test", "odoo-1", 5),
                ("odoo-test", "odoo-2", 5)
            ]
        );
        assert_eq!(b.worst_case, (16 + 14 + 5 + 5) * DERIVED_DB_MAXCONN);
        assert_eq!(b.max_connections.value, b.worst_case + SUPERUSER_RESERVED + MAINTENANCE_CONNECTIONS);
        assert!(b.sum_text(&bp).starts_with("prod on odoo-1 16 × 8 + prod on odoo-2 14 × 8 + "), "{}", b.sum_text(&bp));
        // A fixed max_connections is shared over both hosts' pools.
        let fixed = crate::resolve::private::tests::scale_out(&[(
            "    workload: oltp\n",
            "    workload: oltp\n    max_connections: 200\n",
        )]);
        let b = budget(&fixed, &fixed.postgres[0]);
        assert_eq!(b.shares[0].db_maxconn.value, (200 - SUPERUSER_RESERVED) / 40);
        assert!(b.fits);
    }
}
