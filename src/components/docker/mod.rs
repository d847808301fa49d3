//! Docker Engine and the compose project of each host: the containers every
//! component places there become one `docker-compose.yml` (services, health
//! checks, start order, resources, mounts with their owners, published
//! ports) and its `.env.example`; the engine's `daemon.json` and systemd
//! drop-in; and what gen knows of each image (its user, its HTTP client for
//! health checks).

pub mod resolve;

/// Its entry of [`super::COMPONENTS`].
pub(super) const COMPONENT: super::Component = super::Component {
    name: "Docker Engine and compose",
    folder: "docker",
    templates: &[
        "compose/docker-compose.yml.j2",
        "compose/env.example.j2",
        "host/daemon.json.j2",
        "host/docker-dropin.conf.j2",
    ],
};
