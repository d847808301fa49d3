//! Who reaches what: the WireGuard VPN, DNS zones and the host firewall.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::blueprint::units::Name;

/// A WireGuard server on one host, for the admins.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vpn {
    /// The host that runs the WireGuard server, by name.
    pub host: Name,
    /// VPN subnet: `10.8.0.0/24`.
    #[schemars(example = &"10.8.0.0/24")]
    pub subnet: String,
    /// The server's address inside the subnet.
    #[schemars(example = &"10.8.0.1")]
    pub address: String,
    /// UDP port WireGuard listens on (`ListenPort`). Default: `51820`,
    /// WireGuard's usual port.
    #[serde(default = "default_wg_port")]
    pub port: u16,
    /// Upstream resolver of the VPN's DNS responder (an IP address). VPN
    /// clients always ask the server's VPN address, which answers
    /// `vpn_only` names with that address and forwards every other name
    /// here, or to the host's own resolver when absent.
    #[serde(default)]
    #[schemars(example = &"9.9.9.9")]
    pub dns: Option<String>,
    /// The clients allowed in, each with its own address and key.
    pub peers: Vec<Peer>,
}

/// `serde` default of `Vpn::port`.
fn default_wg_port() -> u16 {
    51820
}

/// A DNS zone and who hosts it: `{zone: example.com, provider: hetzner}`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DnsZone {
    /// The zone's apex, `example.com`; it covers every name ending in `.example.com`.
    #[schemars(example = &"example.com")]
    pub zone: String,
    /// `hetzner`, `cloudflare` or `other`.
    pub provider: DnsProvider,
}

/// Who answers for a DNS zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DnsProvider {
    /// Hetzner DNS (dns.hetzner.com, now in the Hetzner Console).
    Hetzner,
    /// Cloudflare DNS.
    Cloudflare,
    /// A registrar's or any other name server.
    Other,
}

impl DnsProvider {
    /// The provider's name as reports and diagnostics write it.
    pub fn label(self) -> &'static str {
        match self {
            DnsProvider::Hetzner => "Hetzner DNS",
            DnsProvider::Cloudflare => "Cloudflare",
            DnsProvider::Other => "another provider",
        }
    }
}

/// A WireGuard client.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Peer {
    /// The peer's name (a person or a device).
    pub name: Name,
    /// The peer's address inside `vpn.subnet` (`AllowedIPs`, one address).
    #[schemars(example = &"10.8.0.2")]
    pub address: String,
    /// The peer's WireGuard public key (base64 of 32 bytes). Never a private key.
    pub public_key: String,
}

/// Where a rule lets traffic in from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The whole internet.
    Anywhere,
    /// The `vpn.subnet`.
    Vpn,
    /// The load balancers: the ranges of the private networks they reach
    /// their targets through, else anywhere (a load balancer has no fixed
    /// public address).
    LoadBalancer,
    /// The networks in `firewall.admin_cidrs`.
    AdminCidrs,
    /// The host itself (127.0.0.1).
    Localhost,
}

/// The host firewall (ufw) on every host.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Firewall {
    /// Where SSH (port 22) may come from: `anywhere`, `vpn`,
    /// `load_balancer`, `admin_cidrs`, `localhost`.
    #[schemars(example = ["vpn", "admin_cidrs"])]
    pub ssh_from: Vec<Source>,
    /// Operator networks (CIDRs) for SSH before the VPN is up. Default: none.
    #[serde(default)]
    #[schemars(example = ["203.0.113.0/24"])]
    pub admin_cidrs: Vec<String>,
    /// Extra rules beyond what the services need. Default: none.
    #[serde(default)]
    pub rules: Vec<FirewallRule>,
}

/// A transport protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

/// One extra ufw `allow` rule.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FirewallRule {
    /// The port to open.
    #[schemars(example = 9100)]
    pub port: u16,
    /// `tcp` or `udp`. Default: `tcp`.
    #[serde(default = "tcp")]
    pub proto: Protocol,
    /// Where the traffic may come from.
    pub from: Source,
    /// The rule's ufw comment. Left out: `from <source>`.
    #[serde(default)]
    pub comment: Option<String>,
}

/// `serde` default of `FirewallRule::proto`.
fn tcp() -> Protocol {
    Protocol::Tcp
}
