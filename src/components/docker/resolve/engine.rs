//! The Docker daemon's configuration (/etc/docker/daemon.json) on a host
//! that runs the compose stack: IPv6 with ip6tables, so that a port compose
//! publishes on every address is reached over IPv6 exactly as over IPv4.
//!
//! Without it (Docker's default, `ipv6` off) Docker publishes ports on IPv6
//! only through its userland proxy, docker-proxy listening on `[::]:PORT`:
//! that traffic is delivered to the host (UFW's INPUT chain, where gen opens
//! nothing for the stack's ports, so IPv6 visitors and Let's Encrypt's
//! HTTP-01 over IPv6 time out), and even through an open INPUT the proxy
//! would hide the client's address (nginx would see the bridge gateway:
//! `allow`/`deny`, real-IP logging and fail2ban bans would all act on it).
//! Found by the deployment harness (Docker Engine 20.10 and real UFW).
//!
//! Sources: moby/moby#41622 (Docker 20.10) added `ip6tables`, "IPv6 NAT
//! iptables rules" for published ports, "only if experimental" and only
//! with `ipv6` and a `fixed-cidr-v6`; docker/docs#20026 (Docker 27.0):
//! `ip6tables` is on by default and no longer needs `experimental`, and
//! `ipv6` only concerns the default bridge (a user-defined network such as
//! the compose one turns IPv6 on itself with `enable_ipv6`).

use serde::Serialize;

/// The keys gen writes into daemon.json; each with the reason.
#[derive(Debug, Clone, Serialize)]
pub struct DockerPlan {
    /// Where install.sh puts it; a change restarts dockerd (install.sh's
    /// pending `restart docker`), which restarts the containers.
    pub daemon_json: &'static str,
    /// `fixed-cidr-v6`: subnet 0 of the project's ULA (components::docker::resolve::compose::ula),
    /// for the default bridge, which `ipv6: true` turns dual-stack and which
    /// needs a subnet then.
    pub fixed_cidr_v6: String,
    /// The project's ULA /48: every container IPv6 address on this host is
    /// in it (DOCKER-USER's IPv6 block drops new connections to it that no
    /// `ufw route` rule admits).
    pub ula: String,
    /// The systemd drop-in that puts ip6tables' jump to DOCKER-USER first
    /// in FORWARD each time dockerd starts (see `components::firewall::resolve`).
    pub dropin: &'static str,
}

pub fn plan(project: &str) -> DockerPlan {
    DockerPlan {
        daemon_json: "/etc/docker/daemon.json",
        fixed_cidr_v6: crate::components::docker::resolve::compose::ula_subnet(project, 0).to_string(),
        ula: crate::components::docker::resolve::compose::ula(project).to_string(),
        dropin: "/etc/systemd/system/docker.service.d/gen-docker-user6.conf",
    }
}
