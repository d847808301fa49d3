//! Redirects (`redirects[]`): names answered with a redirect to another
//! domain or URL (nginx `return`), each with its certificate.

pub mod model;
mod resolve;
mod rules;

pub use resolve::target;

/// Its entry of [`super::COMPONENTS`].
pub(super) const COMPONENT: super::Component =
    super::Component { name: "redirect", folder: "redirect", templates: &[] };

/// The kind's entry of [`super::KINDS`].
pub(super) const KIND: super::Kind = super::Kind {
    name: "redirect",
    place: super::no_containers,
    compose: super::no_compose,
    vhosts: resolve::vhosts,
    data: super::no_data,
    secrets: super::no_secrets,
    environments: super::no_environments,
    databases: super::no_databases,
    entries: resolve::entries,
    noun: "redirect",
    rollout_group: Some(super::website::ROLLOUT_GROUP),
    rules: rules::check,
    templates: &["nginx/vhost.conf.j2"],
};
