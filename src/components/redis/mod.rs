//! A service's Redis (`services[].redis`): cache, sessions or job queue
//! beside one container service, at `redis://<service>-redis:6379`.

pub mod model;
mod resolve;
mod rules;

pub use resolve::limits;

/// Its entry of [`super::COMPONENTS`].
pub(super) const COMPONENT: super::Component =
    super::Component { name: "a service's Redis", folder: "redis", templates: &[] };

/// The kind's entry of [`super::KINDS`].
pub(super) const KIND: super::Kind = super::Kind {
    name: "redis",
    place: resolve::place,
    compose: resolve::compose,
    vhosts: super::no_vhosts,
    data: resolve::data,
    secrets: super::no_secrets,
    environments: super::no_environments,
    databases: super::no_databases,
    entries: super::no_entries,
    noun: "Redis",
    rollout_group: None,
    rules: rules::check,
    templates: &["compose/docker-compose.yml.j2"],
};
