//! Container services (`services[]`): one image of any kind on one host,
//! with its settings, data directories, a vhost with any access mode under
//! its domains, a database of its own and a Redis.

pub mod model;
pub mod resolve;
pub(crate) mod rules;

/// Its entry of [`super::COMPONENTS`].
pub(super) const COMPONENT: super::Component =
    super::Component { name: "container service", folder: "service", templates: &[] };

/// The kind's entry of [`super::KINDS`].
pub(super) const KIND: super::Kind = super::Kind {
    name: "container service",
    place: resolve::place,
    compose: resolve::compose,
    vhosts: resolve::vhosts,
    data: resolve::data,
    secrets: resolve::secrets,
    environments: resolve::environments,
    databases: super::no_databases,
    entries: resolve::entries,
    noun: "service",
    rollout_group: Some(super::RolloutGroup { name: "services", why: "container services" }),
    rules: rules::check,
    templates: &["compose/docker-compose.yml.j2", "nginx/vhost.conf.j2", "nginx/location/proxy.j2"],
};
