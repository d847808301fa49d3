//! The firewall component's blueprint types: `firewall:` (ufw on every host)
//! and the sources a rule lets traffic in from.

use schemars::JsonSchema;
use serde::Deserialize;

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
