//! The host firewall (`firewall:`): ufw on every host, with the rules the
//! stack's own services need (SSH, WireGuard, the private services) and the
//! blueprint's extra ones; `ufw route` rules that close Docker's bypass of
//! ufw for published ports; fail2ban's jails; and the exposure table `gen
//! plan` prints, from which the exposure rules (E3xx) read who reaches what.
//!
//! Its records come from the compose plan's published ports, so ufw and
//! compose cannot disagree.

pub mod model;
pub mod resolve;
pub mod rules;

/// Its entry of [`super::COMPONENTS`].
pub(super) const COMPONENT: super::Component = super::Component {
    name: "firewall",
    folder: "firewall",
    templates: &[
        "host/firewall.sh.j2",
        "host/docker-user.rules.j2",
        "fail2ban/jail.local.j2",
        "fail2ban/nginx-auth.conf.j2",
        "fail2ban/raw-drop.conf.j2",
    ],
};
