//! The plan of odoo.conf per Odoo environment: what the template
//! `odoo/odoo.conf.j2` sees, the file the official image reads at
//! /etc/odoo/odoo.conf. The database host, port, user and password are not
//! here: the image's entrypoint passes them from the container environment.
//! The master password is not here either: `odoo/render-config.sh` on the
//! host writes a salted pbkdf2-sha512 hash of the secret into a copy.

use serde::Serialize;

use super::resolve::options;
use super::resolve::{
    boolean, database, option_value, websocket_port, DEFAULT_LIMIT_REQUEST, DEFAULT_LIMIT_TIME_CPU,
    DEFAULT_LIMIT_TIME_REAL, GEVENT_PORT, HTTP_PORT,
};
use crate::blueprint::model::{Application, Blueprint, Environment, Host};
use crate::resolve::connections::{self, Budget, Processes};
use crate::resolve::{private, Derived};

#[derive(Debug, Clone, Serialize)]
pub struct OdooConf {
    /// Compose service: `<application>-<environment>`.
    pub service: String,
    pub environment: String,
    pub image: String,
    /// The generated file, relative to the stack directory.
    pub template: String,
    /// The file render-config.sh writes on the host, and compose mounts.
    pub file: String,
    /// The secret that holds the master password.
    pub admin_secret: String,
    pub database: String,
    pub processes: Processes,
    pub db_maxconn: Derived<u32>,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub title: &'static str,
    pub settings: Vec<Setting>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Setting {
    pub key: String,
    pub value: String,
    pub why: Option<String>,
}

fn setting(key: &str, value: impl ToString, why: Option<String>) -> Setting {
    Setting { key: key.to_string(), value: value.to_string(), why }
}

/// `budget` is the connection budget of the application's PostgreSQL, as
/// its plan computed it; this environment's share of it is the pool size.
pub fn plan(bp: &Blueprint, host: &Host, app: &Application, env: &Environment, budget: &Budget) -> Option<OdooConf> {
    let service = format!("{}-{}", app.name, env.name);
    let db_maxconn = budget.shares.iter().find(|s| s.service == service && s.host == host.name.0)?.db_maxconn.clone();
    let processes = connections::processes_for(app, host, env);
    let workers = processes.workers.value;
    let database = database(app, env);
    let dev = env.name.as_str() == "dev";
    let o = &env.odoo;

    let mut sections = Vec::new();
    sections.push(Section {
        title: "Paths inside the official image",
        settings: vec![
            setting("addons_path", "/mnt/extra-addons", None),
            setting(
                "data_dir",
                "/var/lib/odoo",
                Some(match app.data_host().filter(|d| app.is_spread() && **d != host.name) {
                    Some(d) => format!(
                        "filestore and sessions; {} is `{d}`'s, mounted over NFS, so every host sees every file and login",
                        env.data_dir
                    ),
                    None => format!("filestore and sessions; the host keeps them in {}", env.data_dir),
                }),
            ),
        ],
    });
    // A database on another host: its private address, written here
    // because the image's entrypoint prefers odoo.conf's db_host and db_port
    // over the environment.
    let remote = private::db_endpoint(bp, app, host).filter(|(_, remote)| *remote).map(|(a, _)| a);
    let mut db = Vec::new();
    if let Some(address) = &remote {
        let pg = bp.postgres.iter().find(|p| p.name == app.database).map_or_else(String::new, |p| p.host.to_string());
        db.push(setting("db_host", address, Some(format!("`{}` on `{pg}`, over the private network", app.database))));
        db.push(setting("db_port", private::POSTGRES_PORT, None));
    }
    sections.push(Section {
        title: if remote.is_some() {
            "Database (user and password come from the container environment)"
        } else {
            "Database (host, port, user and password come from the container environment)"
        },
        settings: db
            .into_iter()
            .chain([
                setting("db_name", &database, None),
                setting(
                    "dbfilter",
                    format!("^{database}$"),
                    Some("this environment serves its own database only".into()),
                ),
                setting("db_maxconn", db_maxconn.value, Some(db_maxconn.why.clone())),
            ])
            .collect(),
    });
    sections.push(Section {
        title: "Security",
        settings: vec![
            setting(
                "list_db",
                boolean(dev),
                Some(
                    if dev { "the database manager stays on in dev" } else { "no database manager outside dev" }.into(),
                ),
            ),
            setting(
                "admin_passwd",
                format!("${{{}}}", app.admin_password_secret),
                Some(format!(
                    "odoo/render-config.sh replaces this line with a pbkdf2-sha512 hash of {}",
                    app.admin_password_secret
                )),
            ),
        ],
    });
    let mut http = vec![
        setting("http_port", HTTP_PORT, None),
        setting("proxy_mode", "True", Some("behind nginx, which sets X-Forwarded-*".into())),
    ];
    if websocket_port(&processes) == GEVENT_PORT {
        http.push(setting("gevent_port", GEVENT_PORT, Some("websockets; nginx routes /websocket here".into())));
    }
    sections.push(Section { title: "HTTP", settings: http });
    sections.push(Section {
        title: "Processes and limits",
        settings: vec![
            setting("workers", workers, Some(processes.workers.why.clone())),
            setting(
                "max_cron_threads",
                processes.max_cron_threads,
                app.cron_host()
                    .filter(|c| app.is_spread() && **c != host.name)
                    .map(|c| format!("Odoo's cron runs on `{c}` only; this host serves requests")),
            ),
            setting(
                "limit_memory_hard",
                processes.limit_memory_hard.bytes(),
                Some(processes.limit_memory_hard.to_string()),
            ),
            setting(
                "limit_memory_soft",
                processes.limit_memory_soft.bytes(),
                Some(processes.limit_memory_soft.to_string()),
            ),
            setting("limit_time_cpu", o.limit_time_cpu.unwrap_or(DEFAULT_LIMIT_TIME_CPU), None),
            setting("limit_time_real", o.limit_time_real.unwrap_or(DEFAULT_LIMIT_TIME_REAL), None),
            setting("limit_request", o.limit_request.unwrap_or(DEFAULT_LIMIT_REQUEST), None),
        ],
    });
    sections.push(Section {
        title: "Logging (to stdout: Docker's json-file driver rotates it)",
        settings: vec![setting("log_level", o.log_level.as_deref().unwrap_or("info"), None)],
    });
    let mut extra: Vec<Setting> = o
        .options
        .iter()
        .filter_map(|(key, value)| {
            let option = options::find(key)?;
            let text = option_value(option.kind, value).ok()?;
            Some(setting(key, text, None))
        })
        .collect();
    if !o.options.contains_key("without_demo") && !dev {
        extra.push(setting("without_demo", "all", Some("no demo data outside dev".into())));
    }
    if !extra.is_empty() {
        sections.push(Section { title: "Blueprint options", settings: extra });
    }

    Some(OdooConf {
        template: format!("odoo/{}.conf.in", env.name),
        file: format!("odoo/{}.conf", env.name),
        service,
        environment: env.name.to_string(),
        image: app.image.0.clone(),
        admin_secret: app.admin_password_secret.to_string(),
        database,
        processes,
        db_maxconn,
        sections,
    })
}
