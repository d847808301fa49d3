//! PostgreSQL servers (`postgres[]`): the database of Odoo environments and
//! of container services' `database`. Its folder holds its blueprint types
//! (`model.rs`), its records (`resolve/`: postgresql.conf and pg_hba.conf
//! tuned by PGTune's formulas, its compose service, its clients'
//! databases) and its own rules (`rules.rs`: E410, W411, E414, E415).

pub mod model;
pub mod resolve;
mod rules;

/// Its entry of [`super::COMPONENTS`].
pub(super) const COMPONENT: super::Component = super::Component {
    name: "PostgreSQL server",
    folder: "postgres",
    templates: &["postgres/postgresql.conf.j2", "postgres/pg_hba.conf.j2", "ops/restore-db.sh.j2"],
};

/// The kind's entry of [`super::KINDS`]. First in `KINDS`: its containers
/// come right after the Odoo environments', as before it was a kind.
pub(super) const KIND: super::Kind = super::Kind {
    name: "PostgreSQL server",
    place: resolve::compose::place,
    compose: resolve::compose::compose,
    vhosts: super::no_vhosts,
    data: super::no_data,
    secrets: super::no_secrets,
    environments: super::no_environments,
    databases: resolve::clients::databases,
    entries: resolve::entries,
    noun: "postgres service",
    rollout_group: Some(super::RolloutGroup { name: "postgres", why: "PostgreSQL servers" }),
    rules: rules::check,
    templates: &[
        "compose/docker-compose.yml.j2",
        "postgres/postgresql.conf.j2",
        "postgres/pg_hba.conf.j2",
        "ops/restore-db.sh.j2",
        "ops/backup.sh.j2",
        "host/install.sh.j2",
    ],
};
