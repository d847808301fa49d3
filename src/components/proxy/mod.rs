//! The nginx reverse proxy (`proxy:`) on every host that serves a name: its
//! main config and default server, one vhost file per name group built
//! from one skeleton (`VhostBase`: redirect to HTTPS, ACME, TLS, headers,
//! access control) with a location partial per kind, and the certificates
//! those vhosts load, requested by `gen-certs` and never listed twice.
//!
//! Its rules: names the chosen way of getting certificates cannot serve
//! (E605–E606, W605), and every served name against the load balancers'
//! targets (`served`).

pub mod model;
pub mod resolve;
pub mod rules;

/// Its entry of [`super::COMPONENTS`].
pub(super) const COMPONENT: super::Component = super::Component {
    name: "nginx proxy",
    folder: "proxy",
    templates: &[
        "nginx/nginx.conf.j2",
        "nginx/default.conf.j2",
        "nginx/vhost.conf.j2",
        "nginx/location/proxy.j2",
        "certs/gen-certs.sh.j2",
        "certs/reload-nginx.sh.j2",
    ],
};
