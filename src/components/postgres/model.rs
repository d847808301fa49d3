//! The blueprint types of a PostgreSQL server (`postgres[]`), re-exported by
//! `blueprint::model`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::blueprint::model::{DiskKind, Resources};
use crate::blueprint::units::{Image, Name, SecretName};

/// What a PostgreSQL server is tuned for (PGTune's "DB type").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Workload {
    /// Web application: many short queries.
    Web,
    /// Online transaction processing, as Odoo is.
    Oltp,
    /// Web and reporting together.
    Mixed,
    /// Data warehouse: few large analytic queries.
    Dw,
}

/// A PostgreSQL server in a container.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Postgres {
    /// The service's name; applications refer to it in `database`.
    #[schemars(example = &"postgres")]
    pub name: Name,
    /// The host it runs on, by name. Applications on other hosts reach it
    /// over the private network (both hosts with a `private_ip` in one of
    /// `networks`, E207): it is then published on this host's private
    /// address, for their addresses only.
    pub host: Name,
    /// The PostgreSQL image (`postgres:16.10-alpine`).
    #[schemars(example = &"postgres:16.10-alpine")]
    pub image: Image,
    /// Host directory for the cluster's data.
    #[schemars(example = &"/mnt/odoo-data/postgres")]
    pub data_dir: String,
    /// CPU and memory of the container; `shared_buffers`, `work_mem` and
    /// the other memory settings are sized to its limits.
    pub resources: Resources,
    /// `max_connections`. Left out: every Odoo connection pool full, plus
    /// the superuser-reserved connections and a few for backups and
    /// monitoring.
    #[serde(default)]
    pub max_connections: Option<u32>,
    /// `web`, `oltp`, `mixed` or `dw`, as PGTune asks. Default: `oltp`.
    #[serde(default = "default_workload")]
    pub workload: Workload,
    /// The disk kind the data is on (`nvme`, `ssd`, `hdd`), for
    /// `random_page_cost` and `effective_io_concurrency`. Left out: the
    /// host's first disk, or `ssd` when the host lists none.
    #[serde(default)]
    pub storage: Option<DiskKind>,
    /// Role the applications connect as. Default: `odoo`.
    #[serde(default = "default_pg_user")]
    pub user: String,
    /// The secret that holds the role's password.
    #[schemars(example = &"POSTGRES_PASSWORD")]
    pub password_secret: SecretName,
    /// Further postgresql.conf settings, which win over gen's tuning.
    /// Default: none.
    #[serde(default)]
    pub settings: BTreeMap<String, serde_json::Value>,
}

/// `serde` default of `Postgres::workload`.
fn default_workload() -> Workload {
    Workload::Oltp
}

/// `serde` default of `Postgres::user`.
fn default_pg_user() -> String {
    "odoo".into()
}
