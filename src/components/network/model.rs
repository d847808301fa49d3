//! The network component's blueprint types: private networks and Robot
//! vSwitches (`networks:`), load balancers (`load_balancers:`), the
//! WireGuard VPN (`vpn:`) and the DNS zones (`dns:`).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::blueprint::model::{Host, Price};
use crate::blueprint::units::{Duration, Name};

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

/// A Hetzner Cloud private network (Terraform `hcloud_network` and
/// `hcloud_network_subnet`). A network's subnets live in one network zone
/// (Hetzner Cloud docs, "Networks"): a stack in two regions has a network
/// per zone.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrivateNetwork {
    /// The network's name at Hetzner.
    pub name: Name,
    /// The network's range: `10.0.0.0/16`. A host whose `private_ip` is
    /// inside it joins this network.
    #[schemars(example = &"10.0.0.0/16")]
    pub ip_range: String,
    /// The cloud servers' subnet inside it: `10.0.1.0/24`.
    #[schemars(example = &"10.0.1.0/24")]
    pub subnet: String,
    /// Hetzner network zone of the subnet: `eu-central` (nbg1, fsn1,
    /// hel1), `us-east`, `us-west`, `ap-southeast`. Default: `eu-central`.
    #[serde(default = "default_zone")]
    pub zone: String,
    /// A Robot vSwitch coupled to the network (Terraform
    /// `hcloud_network_subnet` of type `vswitch`), through which dedicated
    /// servers join it: a load balancer reaches them as IP targets at their
    /// vSwitch address, and cloud servers reach them privately. Left out:
    /// no dedicated server in this network.
    #[serde(default)]
    pub vswitch: Option<VSwitch>,
}

/// A Hetzner Robot vSwitch: a VLAN between dedicated servers, coupled to a
/// cloud network as a subnet of type `vswitch` (Hetzner docs, "vSwitch" and
/// "Connect dedicated servers to a cloud network"). Each dedicated server
/// in it carries a VLAN interface with MTU 1400; the subnet's first address
/// is the gateway to the cloud subnet.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VSwitch {
    /// The vSwitch's ID in Robot (Terraform `vswitch_id`).
    #[schemars(example = 12345)]
    pub id: u64,
    /// Its VLAN ID, 4000 to 4091 (Robot assigns it when the vSwitch is
    /// created).
    #[schemars(example = 4000, range(min = 4000, max = 4091))]
    pub vlan: u16,
    /// The dedicated servers' subnet inside the network's `ip_range`:
    /// `10.0.2.0/24`.
    #[schemars(example = &"10.0.2.0/24")]
    pub subnet: String,
}

/// `serde` default of `PrivateNetwork::zone`.
fn default_zone() -> String {
    "eu-central".into()
}

/// How the load balancer picks a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// Each target in turn.
    RoundRobin,
    /// The target with the fewest open connections.
    LeastConnections,
}

/// Where TLS ends: at the load balancer (managed certificates) or on the hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// The load balancer holds Hetzner managed certificates and forwards
    /// plain HTTP to the targets.
    Terminate,
    /// The load balancer forwards TCP 443 as is; nginx on each target holds
    /// the Let's Encrypt certificates.
    Passthrough,
}

/// A Hetzner Cloud load balancer (Terraform `hcloud_load_balancer`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    /// The load balancer's name at Hetzner.
    pub name: Name,
    /// Hetzner load balancer type: `lb11`, `lb21`, `lb31`.
    #[serde(rename = "type")]
    #[schemars(example = &"lb11")]
    pub lb_type: String,
    /// Provider location, as for hosts: `nbg1`, `fsn1`, `hel1`.
    #[schemars(example = &"nbg1")]
    pub location: String,
    /// `round_robin` or `least_connections`. Default: `round_robin`.
    #[serde(default = "default_algorithm")]
    pub algorithm: Algorithm,
    /// `terminate` (managed certificates at the load balancer) or
    /// `passthrough` (certificates on the hosts).
    pub tls: TlsMode,
    /// Hosts that receive traffic, by name: cloud servers (server targets)
    /// or dedicated servers in a network's vSwitch (IP targets at their
    /// `private_ip`). Every name their nginx serves is served through this
    /// load balancer.
    pub targets: Vec<Name>,
    /// Reach the targets over the private network (the one their
    /// `private_ip` is in) rather than public addresses. Default: `true`.
    #[serde(default = "crate::blueprint::model::yes")]
    pub use_private_network: bool,
    /// How the load balancer tells a healthy target.
    pub health_check: HealthCheck,
    /// A dated quote. Left out: the catalog's price for `type`.
    #[serde(default)]
    pub price: Option<Price>,
}

/// `serde` default of `LoadBalancer::algorithm`.
fn default_algorithm() -> Algorithm {
    Algorithm::RoundRobin
}

/// The load balancer's HTTP health check of each target.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    /// Path that answers 2xx when the target is healthy; nginx serves
    /// `/health` itself. Default: `/health`.
    #[serde(default = "default_health_path")]
    pub path: String,
    /// Time between checks (`15s`).
    #[schemars(example = &"15s")]
    pub interval: Duration,
    /// How long one check may take (`10s`).
    #[schemars(example = &"10s")]
    pub timeout: Duration,
    /// Failed checks in a row before a target is taken out.
    #[schemars(example = 3)]
    pub retries: u32,
}

/// `serde` default of `HealthCheck::path`.
fn default_health_path() -> String {
    "/health".into()
}

/// Whether `ip` (an IPv4 address) lies in `cidr` (`10.0.0.0/16`); `false`
/// when either does not parse (the network checks report those).
pub fn ip_in(ip: &str, cidr: &str) -> bool {
    match (ip.parse::<std::net::Ipv4Addr>(), cidr.parse::<ipnet::Ipv4Net>()) {
        (Ok(ip), Ok(net)) => net.contains(&ip),
        _ => false,
    }
}

impl crate::blueprint::model::Blueprint {
    /// The private network a host joins, with its index in `networks`: the
    /// first whose `ip_range` holds the host's `private_ip`. With a single
    /// network every host that has a `private_ip` joins it, so a stray
    /// address is reported against that network's ranges (E303) instead
    /// of silently leaving the host off the network. `None` for a host
    /// without a `private_ip`.
    pub fn network_of(&self, host: &Host) -> Option<(usize, &PrivateNetwork)> {
        let ip = host.private_ip.as_deref()?;
        match self.networks.as_slice() {
            [only] => Some((0, only)),
            all => all.iter().enumerate().find(|(_, n)| ip_in(ip, &n.ip_range)),
        }
    }

    /// The load balancers that send traffic to the host named `name`, with
    /// their indexes in `load_balancers`.
    pub fn load_balancers_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = (usize, &'a LoadBalancer)> + 'a {
        self.load_balancers.iter().enumerate().filter(move |(_, lb)| lb.targets.iter().any(|t| t.as_str() == name))
    }

    /// The private network a load balancer reaches its targets through:
    /// its first target's, when `use_private_network` is on. E641 reports
    /// targets in another network.
    pub fn network_of_load_balancer(&self, lb: &LoadBalancer) -> Option<(usize, &PrivateNetwork)> {
        if !lb.use_private_network {
            return None;
        }
        lb.targets.iter().filter_map(|t| self.host(t.as_str())).find_map(|h| self.network_of(h))
    }
}
