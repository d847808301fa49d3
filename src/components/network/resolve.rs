//! WireGuard: the server's wg0.conf on the VPN host and one split-tunnel
//! client config per peer. No private key is ever generated or written by
//! gen: the server's key is created on the host by install.sh and loaded by
//! PostUp; each client fills in its own.

use serde::Serialize;

use crate::blueprint::model::{Access, Blueprint, Host};
use crate::components::firewall::resolve::net;

pub const INTERFACE: &str = "wg0";
pub const KEY_FILE: &str = "/etc/wireguard/wg0.key";

#[derive(Debug, Clone, Serialize)]
pub struct WgPlan {
    pub interface: &'static str,
    /// `10.8.0.1/24`: the server's address with the subnet's prefix.
    pub address: String,
    /// `10.8.0.1`.
    pub server_ip: String,
    pub port: u16,
    pub subnet: String,
    pub key_file: &'static str,
    pub peers: Vec<PeerPlan>,
    /// What clients dial; the blueprint has no public address, so a placeholder.
    pub endpoint: String,
    /// The DNS responder for VPN clients, on the server's VPN address.
    pub dns: VpnDns,
}

/// A DNS responder (dnsmasq) on the VPN host, bound to the server's VPN
/// address only. `vpn_only` names resolve publicly to the host's public
/// address, so a client's request would leave outside the split tunnel and
/// nginx, which admits only the VPN subnet for them, would refuse it. Clients
/// use this server (`DNS =` in their config): it answers each `vpn_only`
/// name with the VPN address, so the request goes through the tunnel and
/// nginx (published on every interface) sees the client's VPN address;
/// every other name is forwarded upstream.
#[derive(Debug, Clone, Serialize)]
pub struct VpnDns {
    /// Where it listens, and what `vpn_only` names resolve to: `10.8.0.1`.
    pub address: String,
    /// `vpn_only` names served on this host.
    pub names: Vec<String>,
    /// The blueprint's `vpn.dns`; else the host's /etc/resolv.conf.
    pub upstream: Option<String>,
    /// dnsmasq's configuration on the host.
    pub config: String,
    /// The systemd unit that runs it.
    pub unit: String,
    /// DNS over UDP and TCP (TCP for answers too large for UDP).
    pub port: u16,
}

/// DNS's port (RFC 1035).
pub const DNS_PORT: u16 = 53;

/// The VPN's DNS responder on the VPN host (see [`VpnDns`]).
pub fn vpn_dns(bp: &Blueprint, host: &Host) -> Option<VpnDns> {
    let vpn = bp.vpn.as_ref().filter(|v| v.host == host.name)?;
    let mut names: Vec<String> = crate::components::guarded(bp)
        .into_iter()
        .filter(|g| g.access == Access::VpnOnly && g.hosts.contains(&&host.name))
        .flat_map(|g| g.domains.into_iter().map(str::to_string))
        .collect();
    names.sort();
    names.dedup();
    Some(VpnDns {
        address: vpn.address.clone(),
        names,
        upstream: vpn.dns.clone(),
        config: format!("/etc/gen/{}-vpn-dns.conf", bp.project.name),
        unit: format!("{}-vpn-dns.service", bp.project.name),
        port: DNS_PORT,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct PeerPlan {
    pub name: String,
    pub public_key: String,
    /// `10.8.0.2/32`.
    pub allowed_ip: String,
    /// The client's own address line: `10.8.0.2/32`.
    pub address: String,
    /// Split tunnel: only the VPN subnet goes through the tunnel.
    pub routes: String,
}

pub fn plan(bp: &Blueprint, host: &Host) -> Option<WgPlan> {
    let vpn = bp.vpn.as_ref().filter(|v| v.host == host.name)?;
    let prefix = net(&vpn.subnet).map_or(24, |n| n.prefix_len());
    let peers = vpn
        .peers
        .iter()
        .map(|p| PeerPlan {
            name: p.name.to_string(),
            public_key: p.public_key.clone(),
            allowed_ip: format!("{}/32", p.address),
            address: format!("{}/32", p.address),
            routes: vpn.subnet.clone(),
        })
        .collect();
    Some(WgPlan {
        interface: INTERFACE,
        address: format!("{}/{prefix}", vpn.address),
        server_ip: vpn.address.clone(),
        port: vpn.port,
        subnet: vpn.subnet.clone(),
        key_file: KEY_FILE,
        peers,
        endpoint: format!("{}.invalid:{}", host.name, vpn.port),
        dns: vpn_dns(bp, host)?,
    })
}

/// A WireGuard key is the base64 of exactly 32 bytes.
pub fn valid_key(key: &str) -> bool {
    key.len() == 44 && data_encoding::BASE64.decode(key.as_bytes()).is_ok_and(|b| b.len() == 32)
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_32_bytes_of_base64() {
        assert!(super::valid_key("vOJbG7/pchL+6sa9Pd93/+CuiWjhNuEmucoSxqKStdc="));
        assert!(!super::valid_key("<CLIENT_1_PUBLIC_KEY>"));
        assert!(!super::valid_key("vOJbG7/pchL+6sa9Pd93/+CuiWjhNuEmucoSxqKSt="));
        assert!(!super::valid_key("vOJbG7/pchL+6sa9Pd93/+CuiWjhNuEmucoSxqKStdc"));
    }
}
