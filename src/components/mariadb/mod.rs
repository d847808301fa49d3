//! MariaDB servers (`mariadb[]`): the database most PHP applications need
//! (WordPress among them), for container services' `database`: tuned from
//! the container's limit, each client's database and user created by
//! install.sh, dumped consistently by the backups and restored by
//! restore-mariadb.sh.

pub mod model;
pub mod resolve;
mod rules;

/// Its entry of [`super::COMPONENTS`].
pub(super) const COMPONENT: super::Component = super::Component {
    name: "MariaDB server",
    folder: "mariadb",
    templates: &["mariadb/gen.cnf.j2", "ops/restore-mariadb.sh.j2"],
};

/// The kind's entry of [`super::KINDS`].
pub(super) const KIND: super::Kind = super::Kind {
    name: "MariaDB server",
    place: resolve::place,
    compose: resolve::compose,
    vhosts: super::no_vhosts,
    data: resolve::data,
    secrets: resolve::secrets,
    environments: super::no_environments,
    databases: resolve::databases,
    entries: resolve::entries,
    noun: "MariaDB server",
    rollout_group: Some(super::RolloutGroup { name: "mariadb", why: "MariaDB servers" }),
    rules: rules::check,
    templates: &[
        "compose/docker-compose.yml.j2",
        "mariadb/gen.cnf.j2",
        "ops/restore-mariadb.sh.j2",
        "ops/backup.sh.j2",
        "host/install.sh.j2",
    ],
};
