//! The typed blueprint: what an operator writes, field by field.
//!
//! Every struct denies unknown keys, and its doc comments become the JSON
//! Schema descriptions that editors show on hover (yaml-language-server,
//! VS Code's YAML extension): each field says what it is, its unit, its
//! allowed values and what happens when it is left out. Optional fields stay
//! optional here; `resolve` applies every default in one place.
//!
//! The root and the hosts are here ([`hosts`]: machines, disks, volumes,
//! prices); each component's types are in its folder's `model`
//! (`crate::components`: networks and the VPN, firewall, container
//! services, MariaDB, PostgreSQL, Odoo, …) and re-exported here, so every
//! type is `crate::blueprint::model::Name`. Shared by several components:
//! [`access`] (the access modes and logins vhosts share) and [`web`]
//! (every served name, with what asks for it).

pub mod access;
pub mod hosts;
pub mod web;

use schemars::JsonSchema;
use serde::Deserialize;

pub use crate::components::backup::model::*;
pub use crate::components::cost::model::*;
pub use crate::components::firewall::model::*;
pub use crate::components::mariadb::model::*;
pub use crate::components::monitoring::model::*;
pub use crate::components::network::model::*;
pub use crate::components::odoo::model::*;
pub use crate::components::postgres::model::*;
pub use crate::components::proxy::model::*;
pub use crate::components::redirect::model::*;
pub use crate::components::redis::model::*;
pub use crate::components::service::model::*;
pub use crate::components::static_site::model::*;
pub use crate::components::website::model::*;
pub use access::*;
pub use hosts::*;
pub use web::*;

use super::units::{Name, SecretName};

/// One self-hosted stack: its hosts, what runs on them, and how it is kept safe and paid for.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Blueprint {
    /// The `$schema` key that some editors write; gen ignores it. The usual
    /// way to name the schema is the first-line comment
    /// `# yaml-language-server: $schema=../schemas/blueprint.schema.json`.
    #[serde(default, rename = "$schema")]
    pub schema: Option<String>,
    /// The stack's name, title and the planning document it comes from.
    pub project: Project,
    /// Operators who get a Unix account with their SSH keys and sudo on every
    /// host. Default: none; sshd refuses root and passwords, so once
    /// install.sh has run, a stack without admins has no SSH login.
    #[serde(default)]
    pub admins: Vec<Admin>,
    /// The servers of the stack, Hetzner Cloud or dedicated; every other
    /// section places its services on them by `name`.
    pub hosts: Vec<Host>,
    /// Hetzner Cloud private networks (Terraform `hcloud_network`), one per
    /// network zone the stack uses; a host joins the one whose `ip_range`
    /// holds its `private_ip`. Default: none, hosts talk over public
    /// addresses.
    #[serde(default)]
    pub networks: Vec<PrivateNetwork>,
    /// Hetzner Cloud load balancers in front of web hosts (Terraform
    /// `hcloud_load_balancer`), each with its own targets, services and
    /// certificates: one per region, say. Default: none, DNS points at the
    /// hosts.
    #[serde(default)]
    pub load_balancers: Vec<LoadBalancer>,
    /// The nginx reverse proxy that runs on every host that serves HTTP.
    /// Left out: `nginx:1.28.0-alpine`, no resource limits, and
    /// `client_max_body_size 16m`.
    #[serde(default)]
    pub proxy: Option<Proxy>,
    /// Web sites, each a backend and a frontend container, run on a group of
    /// hosts behind nginx. Left out: none.
    #[serde(default)]
    pub websites: Option<Websites>,
    /// Business applications (Odoo), each with its environments (prod, test,
    /// dev) on one host or on several behind a load balancer. Default: none.
    #[serde(default)]
    pub applications: Vec<Application>,
    /// PostgreSQL servers, one container each; an application names one in
    /// its `database`. Default: none.
    #[serde(default)]
    pub postgres: Vec<Postgres>,
    /// MariaDB servers, one container each; a container service names one
    /// in its `database.server`. Default: none.
    #[serde(default)]
    pub mariadb: Vec<MariaDb>,
    /// Container services of any image (an application nginx serves under
    /// its domains, or a worker), each on one host. Default: none.
    #[serde(default)]
    pub services: Vec<ContainerService>,
    /// Static sites: files in a directory on the host that nginx serves as
    /// they are. Default: none.
    #[serde(default)]
    pub static_sites: Vec<StaticSite>,
    /// Redirects (`www` → apex, an old domain → the new one), answered by
    /// nginx with their own certificates. Default: none.
    #[serde(default)]
    pub redirects: Vec<Redirect>,
    /// A WireGuard server for the admins; `access: vpn_only` environments and
    /// `ssh_from: [vpn]` use it. Left out: no VPN.
    #[serde(default)]
    pub vpn: Option<Vpn>,
    /// Where the DNS zones of the stack's domains are hosted. Hetzner issues
    /// a load balancer's managed certificate (a load balancer's `tls: terminate`)
    /// only for names in zones at Hetzner DNS; gen checks each name against
    /// the longest zone that contains it (E605, W605 when none does).
    /// Default: none.
    #[serde(default)]
    pub dns: Vec<DnsZone>,
    /// Who may reach SSH, and ports beyond what the services need (ufw rules
    /// on every host). Left out: SSH from anywhere, no extra rules.
    #[serde(default)]
    pub firewall: Option<Firewall>,
    /// Nightly local backups of databases and directories, and their offsite
    /// copy (restic). Left out: no backups (an `sla.rpo` under a day is E514).
    #[serde(default)]
    pub backup: Option<Backup>,
    /// Prometheus, node_exporter and cAdvisor on each host, with alerts to a
    /// webhook. Left out: no monitoring containers.
    #[serde(default)]
    pub monitoring: Option<Monitoring>,
    /// The monthly budget the cost report compares the total against. Left
    /// out: the report shows costs without a variance.
    #[serde(default)]
    pub budget: Option<Budget>,
    /// How stored data grows year by year, for the storage forecast (W811).
    /// Left out: no forecast.
    #[serde(default)]
    pub growth: Option<Growth>,
    /// Availability and recovery objectives (RTO, RPO) the stack promises;
    /// gen checks backups and recovery time against them (E520). Left out:
    /// no promise to check.
    #[serde(default)]
    pub sla: Option<Sla>,
    /// Every secret the stack needs, by name. Values live on the hosts only.
    /// Default: none.
    #[serde(default)]
    pub secrets: Vec<Secret>,
    /// Costs that no host or service carries (snapshots, domains, services).
    /// Default: none.
    #[serde(default)]
    pub extra_costs: Vec<CostItem>,
    /// Other setups to compare against in the cost report (cloud vs
    /// dedicated, phase 2). Default: none.
    #[serde(default)]
    pub alternatives: Vec<Alternative>,
    /// Figures the source document states (totals, TCO, growth); gen recomputes
    /// each and reports one that does not match (E810). Default: none.
    #[serde(default)]
    pub claims: Vec<Claim>,
}

/// The stack's identity and the documents it comes from.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// Short name: the stack directory on hosts is `/opt/<name>`.
    #[schemars(example = &"odoo")]
    pub name: Name,
    /// Human-readable title, shown at the top of the reports.
    #[schemars(example = &"Odoo ERP, Becker Sicherheitstechnik GmbH")]
    pub title: String,
    /// The customer the stack is built for, for the reader. Left out: none.
    #[serde(default)]
    pub customer: Option<String>,
    /// The planning document this blueprint reproduces, with its version and
    /// date, for the reader. Left out: none.
    #[serde(default)]
    #[schemars(example = &"odoo-dedicated-server-plan.de.md v2.0 (2026-02-05)")]
    pub source: Option<String>,
    /// Concurrent users the stack is sized for: the cost report gives the
    /// cost per user, and W412 warns when a public Odoo environment's
    /// workers serve fewer. Left out: no per-user figures.
    #[serde(default)]
    #[schemars(example = 25)]
    pub users: Option<u32>,
    /// Address that Let's Encrypt (certbot) sends expiry notices to. Left
    /// out: certificates are requested without an address.
    #[serde(default)]
    #[schemars(example = &"admin@example.com")]
    pub acme_email: Option<String>,
    /// Git URL of the repository holding gen's `out/`: cloud-init clones it
    /// on first boot and runs the host's install.sh. Without it, cloud-init
    /// prepares the base system and the operator runs install.sh.
    #[serde(default)]
    #[schemars(example = &"https://git.example.com/acme/infra.git")]
    pub repository: Option<String>,
}

/// An operator account on every host.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Admin {
    /// Unix user name of the account.
    #[schemars(example = &"ops-admin")]
    pub name: Name,
    /// OpenSSH public keys (`ssh-ed25519 AAAA… comment`), one per entry;
    /// sshd allows key logins only.
    pub ssh_keys: Vec<String>,
}

/// A secret the stack needs. Its value is set in the host's `.env` file,
/// never in the blueprint or in `out/`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Secret {
    /// The environment variable that holds it: upper-case letters, digits
    /// and `_`. Fields like `password_secret` refer to it by this name.
    #[schemars(example = &"POSTGRES_PASSWORD")]
    pub name: SecretName,
    /// What the secret is for and how to create it, written into the
    /// `.env.example` file beside it.
    pub description: String,
}

/// `serde` default: `1`.
pub(crate) fn one() -> u32 {
    1
}

/// `serde` default: `true`.
pub(crate) fn yes() -> bool {
    true
}
