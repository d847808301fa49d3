//! MariaDB servers: one container of the official `mariadb` image each, for
//! the container services that need MySQL's protocol (WordPress and most PHP
//! applications).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::blueprint::model::Resources;
use crate::blueprint::units::{Image, Name, SecretName};

/// A MariaDB server in a container. Services reach it by its name on the
/// host's compose network (port 3306) and name it in `database.server`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MariaDb {
    /// The compose service and container name; services name it in
    /// `database.server` and connect to `<name>:3306`.
    #[schemars(example = &"mariadb")]
    pub name: Name,
    /// The host it runs on, by name.
    pub host: Name,
    /// The official MariaDB image with a fixed tag. Left out:
    /// `mariadb:11.4.7` (11.4, a long-term-support series).
    #[serde(default)]
    #[schemars(example = &"mariadb:11.4.7")]
    pub image: Option<Image>,
    /// Host directory for the server's data (`/var/lib/mysql` in the
    /// container), created for the image's `mysql` user (999:999).
    #[schemars(example = &"/srv/mariadb")]
    pub data_dir: String,
    /// CPU and memory of the container; the InnoDB buffer pool, the redo
    /// log and the temporary-table sizes are derived from the memory limit.
    pub resources: Resources,
    /// `max_connections`. Left out: every client's pool full
    /// (`services[].database.connections`) plus the connections reserved for
    /// root, the backups and the health check.
    #[serde(default)]
    #[schemars(example = 100)]
    pub max_connections: Option<u32>,
    /// The secret that holds root's password (the image's
    /// `MARIADB_ROOT_PASSWORD`, read on the first start of an empty
    /// `data_dir`); install.sh, the backups and restores log in as root.
    #[schemars(example = &"MARIADB_ROOT_PASSWORD")]
    pub root_password_secret: SecretName,
    /// Further server options for the `[mariadbd]` section of the generated
    /// `conf.d/gen.cnf`, which win over gen's tuning (MariaDB's option
    /// names, `_` or `-`). Default: none.
    #[serde(default)]
    pub settings: BTreeMap<String, serde_json::Value>,
}

impl MariaDb {
    /// The image when the blueprint names none: MariaDB 11.4, the long-term
    /// series the official image's `lts` tag pointed at from 2024
    /// (docker-library/official-images, library/mariadb), maintained until
    /// 2029.
    pub const DEFAULT_IMAGE: &'static str = "mariadb:11.4.7";

    /// The image: `image`, else [`Self::DEFAULT_IMAGE`].
    pub fn image(&self) -> Image {
        self.image.clone().unwrap_or_else(|| Image(Self::DEFAULT_IMAGE.into()))
    }
}
