//! Static sites (`static_sites[]`): files in a directory on the host,
//! served by nginx as they are.

pub mod model;
mod resolve;
mod rules;

/// Its entry of [`super::COMPONENTS`].
pub(super) const COMPONENT: super::Component =
    super::Component { name: "static site", folder: "static_site", templates: &["nginx/location/static.j2"] };

/// The kind's entry of [`super::KINDS`].
pub(super) const KIND: super::Kind = super::Kind {
    name: "static site",
    place: super::no_containers,
    compose: super::no_compose,
    vhosts: resolve::vhosts,
    data: resolve::data,
    secrets: super::no_secrets,
    environments: super::no_environments,
    databases: super::no_databases,
    entries: resolve::entries,
    noun: "static site",
    rollout_group: Some(super::website::ROLLOUT_GROUP),
    rules: rules::check,
    templates: &["nginx/vhost.conf.j2", "nginx/location/static.j2"],
};
