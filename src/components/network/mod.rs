//! Networks and the VPN: Hetzner Cloud private networks and Robot vSwitches
//! (`networks:`), load balancers (`load_balancers:`), the admins' WireGuard
//! VPN (`vpn:`) with its DNS responder, and the DNS zones (`dns:`).
//!
//! Its rules cover the network zones (E640–E642), what several hosts, load
//! balancers and regions promise (W644–W646, E643), the VPN's addresses and
//! keys, address ranges and the exposure table against what the blueprint
//! promises (E3xx). Terraform's networks and load balancers are rendered by
//! the provisioning component from these types.

pub mod model;
pub mod resolve;
pub mod rules;

/// Its entry of [`super::COMPONENTS`].
pub(super) const COMPONENT: super::Component = super::Component {
    name: "network and VPN",
    folder: "network",
    templates: &["wireguard/wg0.conf.j2", "wireguard/client.conf.j2", "dns/dnsmasq.conf.j2", "dns/vpn-dns.service.j2"],
};
