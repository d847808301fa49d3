//! Websites (`websites:`): sites served from a group of hosts, each made of
//! parts, a container and the paths it answers (`parts: [{name, paths,
//! container}]`), with the backend + frontend pair as one case. One
//! resolver, `Websites::parts`, feeds placement, the compose file, the vhost
//! (the proxy component's skeleton with a `proxy` location per part) and
//! the rules (E214, E215, E235).

pub mod model;
pub mod rules;

/// Its entry of [`super::COMPONENTS`].
pub(super) const COMPONENT: super::Component = super::Component { name: "website", folder: "website", templates: &[] };

/// The Ansible inventory group of the hosts that serve web pages from
/// nginx: `websites.hosts`, and the hosts of static sites and redirects
/// (their kinds name this group too).
pub(crate) const ROLLOUT_GROUP: super::RolloutGroup =
    super::RolloutGroup { name: "websites", why: "web sites, static sites or redirects" };
