//! The blueprint types of container services (`services:`) of any image:
//! an application nginx serves under its domains (Uptime Kuma, Metabase,
//! Gitea, a WordPress), or a worker without any.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::blueprint::model::{Access, BasicAuth, Resources};
use crate::blueprint::units::{Image, Name, SecretName};
use crate::components::redis::model::ServiceRedis;

/// A container service: one image on one host, with its settings, data and,
/// when it has domains, a vhost in nginx.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContainerService {
    /// The compose service and container name; its vhost is
    /// `conf.d/service-<name>.conf`.
    #[schemars(example = &"status")]
    pub name: Name,
    /// The host it runs on.
    pub host: Name,
    /// The image, `repository:tag` with a fixed tag (a floating one is W420).
    #[schemars(example = &"louislam/uptime-kuma:1.23.16")]
    pub image: Image,
    /// The container's command, one argument per entry (compose `command`).
    /// Left out: the image's own `CMD`.
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// Plain settings; secrets are `${NAME}` references to declared secrets,
    /// which compose reads from the host's `.env`. Default: none.
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    /// The HTTP port the container listens on, which nginx proxies to and
    /// the health check asks. Needed with `domains`.
    #[serde(default)]
    #[schemars(example = 3001)]
    pub port: Option<u16>,
    /// Domain names nginx serves it under (one vhost, `/` proxied with
    /// WebSocket upgrades); with TLS at nginx, one Let's Encrypt certificate
    /// over them. Default: none (a worker nginx does not serve).
    #[serde(default)]
    #[schemars(example = ["status.example.com"])]
    pub domains: Vec<String>,
    /// `public`, `basic_auth` or `vpn_only`. Left out: `public`.
    #[serde(default)]
    pub access: Option<Access>,
    /// The login for `access: basic_auth` (install.sh writes the password
    /// file from the secret in .env; it is never in out/).
    #[serde(default)]
    pub basic_auth: Option<BasicAuth>,
    /// Path that answers 2xx when the service is healthy (Docker
    /// `healthcheck` on `port`, with a client the image ships). Left out:
    /// `/` when the service has a `port`; without one, no health check.
    #[serde(default)]
    #[schemars(example = &"/health")]
    pub health_path: Option<String>,
    /// The service's data: host directories bind-mounted into the
    /// container, created by install.sh with the owner the image's user
    /// needs. Default: none (a stateless service).
    #[serde(default)]
    pub volumes: Vec<DataVolume>,
    /// CPU and memory of the container. Left out: no limit (W403).
    #[serde(default)]
    pub resources: Resources,
    /// The user the container runs as (compose `user`, `uid:gid`). Left out:
    /// the image's own.
    #[serde(default)]
    #[schemars(example = &"1000:1000")]
    pub user: Option<String>,
    /// A database of its own on a PostgreSQL service of the same host:
    /// install.sh creates the role (with the password from .env) and the
    /// database it owns before the service starts, compose starts the
    /// service once PostgreSQL is healthy, backups dump it with every
    /// database of that server, and restore-db.sh stops the service while it
    /// restores. The image reads where to connect from its own settings:
    /// name them in `environment` (the host is the PostgreSQL service's
    /// name, the password `${<password_secret>}`). Left out: none.
    #[serde(default)]
    pub database: Option<ServiceDatabase>,
    /// A Redis beside the service (cache, sessions, job queues): container
    /// `<name>-redis` on the same host, which the service reaches at
    /// `redis://<name>-redis:6379` (name it in `environment`); compose
    /// starts the service once Redis answers. Left out: none.
    #[serde(default)]
    pub redis: Option<ServiceRedis>,
    /// Host ports to publish (`"127.0.0.1:3001:3001"`); only for what must
    /// be reached past nginx. Docker's published ports bypass ufw, so one
    /// not bound to loopback is E301. Default: none.
    #[serde(default)]
    pub ports: Vec<String>,
}

/// A container service's own database and role on a PostgreSQL service.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceDatabase {
    /// The PostgreSQL service (`postgres[].name`) on the service's host.
    #[schemars(example = &"postgres")]
    pub server: Name,
    /// The database name (lower-case letters, digits, `_`, `-`).
    #[schemars(example = &"wiki")]
    pub name: String,
    /// The role that owns it and that the service logs in as.
    #[schemars(example = &"wiki")]
    pub user: String,
    /// The secret that holds the role's password (in the host's .env).
    #[schemars(example = &"WIKI_DB_PASSWORD")]
    pub password_secret: SecretName,
    /// Connections the service opens at most (its pool size), counted in
    /// the server's connection budget. Left out: 10.
    #[serde(default)]
    #[schemars(example = 20)]
    pub connections: Option<u32>,
}

impl ServiceDatabase {
    /// A service's pool when the blueprint states none: 10, the default
    /// maximum of common pools (HikariCP `maximumPoolSize`, node-postgres
    /// `max`); SQLAlchemy's 5 + 10 overflow needs `connections: 15`.
    pub const DEFAULT_CONNECTIONS: u32 = 10;

    /// The service's pool: `connections`, else [`Self::DEFAULT_CONNECTIONS`].
    pub fn pool(&self) -> u32 {
        self.connections.unwrap_or(Self::DEFAULT_CONNECTIONS)
    }
}

/// A host directory a container service keeps data in.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataVolume {
    /// The directory on the host (absolute; on a partition with room for it).
    #[schemars(example = &"/srv/status/data")]
    pub source: String,
    /// Where the container sees it.
    #[schemars(example = &"/app/data")]
    pub target: String,
    /// `uid:gid` the directory belongs to: the image's user, which writes
    /// there. Left out: the service's `user` when it is numeric (`1000` is
    /// `1000:1000`), else root's (`0:0`), for an image that runs as root.
    #[serde(default)]
    #[schemars(example = &"1000:1000")]
    pub owner: Option<String>,
    /// The container only reads it. Default: `false`.
    #[serde(default)]
    pub read_only: bool,
    /// `false`: the directory is deliberately in no backup (a cache; say
    /// why in a comment); `gen lint` then stops reporting it (W517).
    /// Default: `true`, and a writable directory outside `backup.paths` is
    /// W517.
    #[serde(default = "crate::blueprint::model::yes")]
    pub backup: bool,
}

impl ContainerService {
    /// Who may reach it; `public` when left out.
    pub fn access(&self) -> Access {
        self.access.unwrap_or(Access::Public)
    }

    /// The `uid:gid` a data volume belongs to: its `owner`, else the
    /// service's `user` when it is numeric (`1000` is `1000:1000`), else
    /// root's.
    pub fn volume_owner(&self, volume: &DataVolume) -> String {
        let numeric = |u: &&str| u.split(':').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        let user =
            self.user
                .as_deref()
                .filter(numeric)
                .map(|u| if u.contains(':') { u.to_string() } else { format!("{u}:{u}") });
        volume.owner.clone().or(user).unwrap_or_else(|| "0:0".into())
    }
}
