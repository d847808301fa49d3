//! The blueprint types of Odoo (`applications[]`): an application, its
//! environments (prod, test, dev: each its own container, database and
//! domain) and their odoo.conf settings.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::blueprint::model::{Access, BasicAuth, Guarded, Resources, ServedName};
use crate::blueprint::units::{Image, Name, SecretName, Size};

/// Which application an entry of `applications` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppKind {
    /// Odoo (the official `odoo` image), behind nginx with its longpolling
    /// or gevent route.
    Odoo,
}

/// An application with its environments, all on one host or each on
/// several behind a load balancer.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Application {
    /// The application's name: each environment's container is
    /// `<name>-<environment>`.
    #[schemars(example = &"odoo")]
    pub name: Name,
    /// `odoo`, the only kind gen generates.
    pub kind: AppKind,
    /// The image every environment runs (`odoo:17.0`).
    #[schemars(example = &"odoo:17.0")]
    pub image: Image,
    /// The host it runs on, by name; or `hosts` for several. One of the
    /// two (E229).
    #[serde(default)]
    pub host: Option<Name>,
    /// The hosts it runs on behind a load balancer, by name (instead of
    /// `host`): every environment runs on each of them. The first runs
    /// Odoo's cron (`max_cron_threads = 0` on the others); `data_host`
    /// shares the environments' data directories (filestore and HTTP
    /// sessions) with the others over NFS on the private network.
    #[serde(default)]
    pub hosts: Vec<Name>,
    /// With `hosts`: the host whose environments' `data_dir`s are the real
    /// ones, exported over NFS (v4, port 2049 on the private network) to
    /// the application's other hosts, which mount them at the same paths
    /// before Odoo starts. Any host of the blueprint that reaches the
    /// application's hosts privately (E230), such as the database server,
    /// so that losing one application host loses no file. Its backups
    /// cover the files. Default: the first of `hosts`.
    #[serde(default)]
    pub data_host: Option<Name>,
    /// The PostgreSQL service (by name) that holds the databases.
    pub database: Name,
    /// Secret that holds Odoo's master password (`admin_passwd`).
    #[schemars(example = &"ODOO_ADMIN_PASSWD")]
    pub admin_password_secret: SecretName,
    /// Host directory with custom addons, mounted read-only at
    /// /mnt/extra-addons; a relative path is relative to the stack
    /// directory `/opt/<project>`. Left out: no custom addons.
    #[serde(default)]
    #[schemars(example = &"./addons")]
    pub addons: Option<String>,
    /// The environments (prod, test, dev), each its own container, database
    /// and domain.
    pub environments: Vec<Environment>,
}

impl Application {
    /// The hosts it runs on: `host`, or `hosts` in their order.
    pub fn hosts(&self) -> Vec<&Name> {
        self.host.iter().chain(self.hosts.iter()).collect()
    }

    /// Whether an environment container of it runs on `host`.
    pub fn runs_on(&self, host: &Name) -> bool {
        self.host.as_ref() == Some(host) || self.hosts.contains(host)
    }

    /// The host that runs Odoo's cron: the first one.
    pub fn cron_host(&self) -> Option<&Name> {
        self.hosts().into_iter().next()
    }

    /// Whether it runs on more than one host (and so shares its data over NFS).
    pub fn is_spread(&self) -> bool {
        self.hosts().len() > 1
    }

    /// The host that keeps the environments' data directories: `data_host`,
    /// else the first host.
    pub fn data_host(&self) -> Option<&Name> {
        self.data_host.as_ref().or_else(|| self.cron_host())
    }
}

/// One environment of an application (prod, test, dev).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// The environment's name (`prod`, `test`, `dev`).
    #[schemars(example = &"prod")]
    pub name: Name,
    /// The domain nginx serves it under, with a Let's Encrypt certificate.
    #[schemars(example = &"odoo.example.com")]
    pub domain: String,
    /// `public`, `basic_auth` or `vpn_only`.
    pub access: Access,
    /// The login for `access: basic_auth`: install.sh writes nginx's password
    /// file from the secret in the host's .env (bcrypt); it is never in out/.
    #[serde(default)]
    pub basic_auth: Option<BasicAuth>,
    /// Database name; defaults to `<application>_<environment>`.
    #[serde(default)]
    #[schemars(example = &"odoo_prod")]
    pub db_name: Option<String>,
    /// CPU and memory of the environment's container; Odoo's workers are
    /// sized to its limits.
    pub resources: Resources,
    /// Host directory for Odoo's data dir (filestore, sessions).
    #[schemars(example = &"/mnt/odoo-data/prod")]
    pub data_dir: String,
    /// `false`: this environment's `data_dir` and `mounts` are deliberately
    /// in no backup (say why in a comment); `gen lint` then stops reporting
    /// them (W517). Its database is dumped all the same, with every database
    /// on the backup host's PostgreSQL servers. Default: `true`.
    #[serde(default = "crate::blueprint::model::yes")]
    pub backup: bool,
    /// Further host directories bind-mounted into the container. Default:
    /// none.
    #[serde(default)]
    pub mounts: Vec<Mount>,
    /// odoo.conf settings; every one left out is derived or defaulted.
    #[serde(default)]
    pub odoo: OdooSettings,
    /// Ports published on the host, as the plan had them (`"8069:8069"`).
    /// Docker's published ports bypass ufw, so one not bound to 127.0.0.1
    /// is E301.
    /// Default: none (nginx reaches Odoo on the Docker network).
    #[serde(default)]
    pub ports: Vec<String>,
}

/// odoo.conf settings of one environment (Odoo's own option names).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OdooSettings {
    /// HTTP worker processes; derived from CPUs and memory when left out:
    /// 2 × CPUs + 1, capped so that workers and cron threads at
    /// `limit_memory_hard` fit the container's memory; `0` is threaded mode.
    #[serde(default)]
    pub workers: Option<u32>,
    /// Cron worker processes. Left out: `2`, Odoo's default.
    #[serde(default)]
    pub max_cron_threads: Option<u32>,
    /// Memory at which a worker is killed at once (binary units). Left out:
    /// `2560M`, Odoo's default.
    #[serde(default)]
    #[schemars(example = &"2560M")]
    pub limit_memory_hard: Option<Size>,
    /// Memory after which a worker is recycled once its request ends
    /// (binary units). Left out: `2048M`, Odoo's default.
    #[serde(default)]
    #[schemars(example = &"2048M")]
    pub limit_memory_soft: Option<Size>,
    /// CPU seconds a request may take. Left out: `60`, Odoo's default.
    #[serde(default)]
    pub limit_time_cpu: Option<u32>,
    /// Wall-clock seconds a request may take. Left out: `120`, Odoo's
    /// default.
    #[serde(default)]
    pub limit_time_real: Option<u32>,
    /// Requests a worker serves before it is recycled. Left out: `65536`,
    /// Odoo's default.
    #[serde(default)]
    pub limit_request: Option<u32>,
    /// Database connections per Odoo process. Left out: derived from the
    /// PostgreSQL server's connection budget, shared between environments.
    #[serde(default)]
    pub db_maxconn: Option<u32>,
    /// Odoo's log level: `debug_rpc_answer`, `debug_rpc`, `debug`,
    /// `debug_sql`, `info`, `runbot`, `warn`, `error`, `critical`. Left
    /// out: `info`.
    #[serde(default)]
    #[schemars(example = &"warn")]
    pub log_level: Option<String>,
    /// Further odoo.conf options, checked against Odoo's own option table.
    /// Default: none.
    #[serde(default)]
    pub options: BTreeMap<String, serde_json::Value>,
}

/// A host directory bind-mounted into a container.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mount {
    /// Absolute path on the host.
    #[schemars(example = &"/mnt/building-plans")]
    pub source: String,
    /// Absolute path in the container.
    #[schemars(example = &"/mnt/building-plans")]
    pub target: String,
    /// Mount read-only (`:ro`). Default: `false`.
    #[serde(default)]
    pub read_only: bool,
}

impl Application {
    /// The domain of each of its environments, served on its hosts; `a` is
    /// its index in `applications`.
    pub fn served_names(&self, a: usize) -> Vec<ServedName<'_>> {
        let hosts = self.hosts();
        self.environments
            .iter()
            .enumerate()
            .map(|(e, env)| ServedName {
                domain: &env.domain,
                pointer: format!("/applications/{a}/environments/{e}/domain"),
                hosts: hosts.clone(),
            })
            .collect()
    }

    /// Each of its environments' vhosts, with its `access` and login; `a`
    /// is its index in `applications`.
    pub fn guarded(&self, a: usize) -> Vec<Guarded<'_>> {
        let hosts = self.hosts();
        self.environments
            .iter()
            .enumerate()
            .map(|(e, env)| Guarded {
                name: env.name.as_str(),
                what: format!("environment `{}`", env.name),
                pointer: format!("/applications/{a}/environments/{e}"),
                access: env.access,
                basic_auth: env.basic_auth.as_ref(),
                domains: vec![env.domain.as_str()],
                hosts: hosts.clone(),
            })
            .collect()
    }
}
