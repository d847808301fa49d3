//! The typed blueprint: what an operator writes, field by field.
//!
//! Every struct denies unknown keys, and its doc comments become the JSON
//! Schema descriptions that editors show. Optional fields stay optional here;
//! `plan` applies every default in one place.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use super::units::{Cpus, Duration, Image, Money, Name, Percent, SecretName, Size};

/// One self-hosted stack: its hosts, what runs on them, and how it is kept safe and paid for.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Blueprint {
    /// The `$schema` line that some editors write; ignored.
    #[serde(default, rename = "$schema")]
    pub schema: Option<String>,
    pub project: Project,
    /// Operators who get an account with SSH keys on every host.
    #[serde(default)]
    pub admins: Vec<Admin>,
    pub hosts: Vec<Host>,
    #[serde(default)]
    pub network: Option<PrivateNetwork>,
    #[serde(default)]
    pub load_balancer: Option<LoadBalancer>,
    /// The nginx reverse proxy that runs on every host that serves HTTP.
    #[serde(default)]
    pub proxy: Option<Proxy>,
    #[serde(default)]
    pub websites: Option<Websites>,
    #[serde(default)]
    pub applications: Vec<Application>,
    #[serde(default)]
    pub postgres: Vec<Postgres>,
    #[serde(default)]
    pub vpn: Option<Vpn>,
    /// Where the DNS zones of the stack's domains are hosted. Hetzner issues
    /// a load balancer's managed certificate (`load_balancer.tls: terminate`)
    /// only for names in zones at Hetzner DNS; gen checks each name against
    /// the longest zone that contains it (E605, W605 when none does).
    #[serde(default)]
    pub dns: Vec<DnsZone>,
    #[serde(default)]
    pub firewall: Option<Firewall>,
    #[serde(default)]
    pub backup: Option<Backup>,
    #[serde(default)]
    pub monitoring: Option<Monitoring>,
    #[serde(default)]
    pub budget: Option<Budget>,
    #[serde(default)]
    pub growth: Option<Growth>,
    #[serde(default)]
    pub sla: Option<Sla>,
    /// Every secret the stack needs, by name. Values live on the hosts only.
    #[serde(default)]
    pub secrets: Vec<Secret>,
    /// Costs that no host or service carries (snapshots, domains, services).
    #[serde(default)]
    pub extra_costs: Vec<CostItem>,
    /// Other setups to compare against in the cost report (cloud vs dedicated, phase 2).
    #[serde(default)]
    pub alternatives: Vec<Alternative>,
    /// Figures the source document states (totals, TCO, growth); gen recomputes
    /// each and reports one that does not match (E810).
    #[serde(default)]
    pub claims: Vec<Claim>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// Short name: the stack directory on hosts is `/opt/<name>`.
    pub name: Name,
    pub title: String,
    #[serde(default)]
    pub customer: Option<String>,
    /// The planning document this blueprint reproduces.
    #[serde(default)]
    pub source: Option<String>,
    /// Concurrent users the stack is sized for.
    #[serde(default)]
    pub users: Option<u32>,
    /// Address that Let's Encrypt sends expiry notices to.
    #[serde(default)]
    pub acme_email: Option<String>,
    /// Git URL of the repository holding gen's `out/`: cloud-init clones it
    /// on first boot and runs the host's install.sh. Without it, cloud-init
    /// prepares the base system and the operator runs install.sh.
    #[serde(default)]
    pub repository: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Admin {
    pub name: Name,
    /// OpenSSH public keys (`ssh-ed25519 AAAA… comment`).
    pub ssh_keys: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HostKind {
    /// A Hetzner Cloud server, provisioned through the API.
    Cloud,
    /// A Hetzner dedicated (Robot) server, installed with installimage.
    Dedicated,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Host {
    pub name: Name,
    pub kind: HostKind,
    /// Provider server type: `cx33`, `ccx33`, `AX52`.
    #[serde(rename = "type")]
    pub server_type: String,
    /// Provider location: `nbg1`, `fsn1`, `hel1`.
    pub location: String,
    /// Operating system image: `ubuntu-24.04`, `debian-12`.
    pub os: String,
    #[serde(default)]
    pub timezone: Option<String>,
    /// CPU of the machine; cloud types known to the catalog may leave it out.
    #[serde(default)]
    pub cpu: Option<Cpu>,
    /// RAM of the machine; cloud types known to the catalog may leave it out.
    #[serde(default)]
    pub memory: Option<Size>,
    #[serde(default)]
    pub storage: Option<Storage>,
    #[serde(default)]
    pub swap: Option<Size>,
    /// What the operating system and Docker keep for themselves.
    #[serde(default)]
    pub reserved: Option<Amount>,
    /// Address in the private network, when there is one.
    #[serde(default)]
    pub private_ip: Option<String>,
    #[serde(default)]
    pub price: Option<Price>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Hetzner Cloud Backups for this server (Terraform `backups = true`):
    /// the provider takes a backup of the whole server once a day and keeps
    /// the last 7, for 20 % of the server's price
    /// (<https://docs.hetzner.com/cloud/servers/backups-snapshots/overview>).
    /// Cloud servers only: a dedicated server has no such product (E814).
    #[serde(default)]
    pub backups: bool,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cpu {
    pub cores: u32,
    /// Hardware threads (logical CPUs); defaults to `cores`.
    #[serde(default)]
    pub threads: Option<u32>,
    #[serde(default)]
    pub model: Option<String>,
    /// Dedicated vCPUs or physical cores rather than shared vCPUs.
    #[serde(default)]
    pub dedicated: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DiskKind {
    Nvme,
    Ssd,
    Hdd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RaidLevel {
    None,
    Raid0,
    Raid1,
    Raid5,
    Raid6,
    Raid10,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    pub disks: Vec<Disk>,
    #[serde(default = "default_raid")]
    pub raid: RaidLevel,
    /// Partitions on the (RAID) device, in order; `swap` is a mount of its own.
    #[serde(default)]
    pub partitions: Vec<Partition>,
    /// Cloud volumes attached to the host.
    #[serde(default)]
    pub volumes: Vec<Volume>,
}

fn default_raid() -> RaidLevel {
    RaidLevel::None
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Disk {
    #[serde(default = "one")]
    pub count: u32,
    pub size: Size,
    pub kind: DiskKind,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Filesystem {
    Ext4,
    Xfs,
    Btrfs,
    Swap,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Partition {
    /// Mount point (`/`, `/var/lib/docker`) or `swap`.
    pub mount: String,
    pub size: Size,
    #[serde(default = "default_fs")]
    pub fs: Filesystem,
    #[serde(default)]
    pub purpose: Option<String>,
}

fn default_fs() -> Filesystem {
    Filesystem::Ext4
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Volume {
    pub name: Name,
    pub size: Size,
    pub mount: String,
    #[serde(default)]
    pub price: Option<Price>,
}

/// A resource amount, as in Docker's `deploy.resources`.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Amount {
    pub cpus: Cpus,
    pub memory: Size,
}

/// Limits (the most a service may take) and reservations (what it is promised).
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    #[serde(default)]
    pub limits: Option<Amount>,
    #[serde(default)]
    pub reservations: Option<Amount>,
}

/// A price quote with its date and source, so reports can say how old it is.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub monthly: Money,
    #[serde(default)]
    pub setup: Option<Money>,
    /// ISO date of the quote: `2026-02-05`.
    #[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub as_of: String,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrivateNetwork {
    pub name: Name,
    /// The network's range: `10.0.0.0/16`.
    pub ip_range: String,
    /// The hosts' subnet inside it: `10.0.1.0/24`.
    pub subnet: String,
    #[serde(default = "default_zone")]
    pub zone: String,
}

fn default_zone() -> String {
    "eu-central".into()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    RoundRobin,
    LeastConnections,
}

/// Where TLS ends: at the load balancer (managed certificates) or on the hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    Terminate,
    Passthrough,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    pub name: Name,
    /// Hetzner load balancer type: `lb11`.
    #[serde(rename = "type")]
    pub lb_type: String,
    pub location: String,
    #[serde(default = "default_algorithm")]
    pub algorithm: Algorithm,
    pub tls: TlsMode,
    /// Hosts that receive traffic.
    pub targets: Vec<Name>,
    /// Reach the targets over the private network rather than public addresses.
    #[serde(default = "yes")]
    pub use_private_network: bool,
    pub health_check: HealthCheck,
    #[serde(default)]
    pub price: Option<Price>,
}

fn default_algorithm() -> Algorithm {
    Algorithm::RoundRobin
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    #[serde(default = "default_health_path")]
    pub path: String,
    pub interval: Duration,
    pub timeout: Duration,
    pub retries: u32,
}

fn default_health_path() -> String {
    "/health".into()
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Proxy {
    /// The nginx image; its tag decides which syntax the configs use.
    #[serde(default)]
    pub image: Option<Image>,
    #[serde(default)]
    pub resources: Option<Resources>,
    /// Largest request body (uploads), nginx `client_max_body_size`.
    #[serde(default)]
    pub max_body: Option<Size>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Websites {
    /// Hosts that each run every site (behind the load balancer).
    pub hosts: Vec<Name>,
    pub defaults: SiteParts,
    pub sites: Vec<Site>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteParts {
    pub backend: Component,
    pub frontend: Component,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub name: Name,
    pub domains: Vec<String>,
    /// Hosts that run this site, from `websites.hosts`; all of them when left
    /// out. A large fleet shards its sites over pairs of hosts this way.
    #[serde(default)]
    pub hosts: Option<Vec<Name>>,
    #[serde(default)]
    pub backend: Option<Component>,
    #[serde(default)]
    pub frontend: Option<Component>,
}

impl Site {
    /// Whether `host` runs this site: it is a websites host, and the site
    /// either names it or names no hosts of its own.
    pub fn runs_on(&self, websites_hosts: &[Name], host: &Name) -> bool {
        // The site's own list is short; ask it first.
        self.hosts.as_ref().is_none_or(|own| own.contains(host)) && websites_hosts.contains(host)
    }
}

/// One container of a site.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Component {
    pub image: Image,
    /// The port the container listens on.
    pub port: u16,
    /// Path that answers 200 when the container is healthy.
    #[serde(default)]
    pub health_path: Option<String>,
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// Where the site's code lives on the host, when `image` is a generic
    /// runtime (node, python, tiangolo/*, php) rather than the site's own
    /// build: an absolute path in which `{site}` stands for the site's name,
    /// e.g. `/srv/websites/{site}/frontend`. gen bind-mounts it read-only at
    /// the image's code path (/app for node, python and tiangolo's FastAPI
    /// images, with `working_dir: /app` where the image sets none;
    /// /var/www/html for php) and install.sh creates it (root, 0755); the
    /// operator's deploy (rsync or git) fills it. Leave it out when the
    /// image carries the code (the usual practice: `image:` of the site's own
    /// build).
    #[serde(default)]
    pub app_dir: Option<String>,
    /// Plain settings; secrets are `${NAME}` references to declared secrets.
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    #[serde(default)]
    pub resources: Resources,
    /// Host ports to publish (`"8000:80"`); only for services that are meant to be reached directly.
    #[serde(default)]
    pub ports: Vec<String>,
}

impl Component {
    /// The placeholder in `app_dir` that stands for the site's name.
    pub const SITE: &'static str = "{site}";

    /// `app_dir` for one site: `{site}` replaced by its name.
    pub fn app_dir_for(&self, site: &str) -> Option<String> {
        self.app_dir.as_ref().map(|d| d.replace(Self::SITE, site))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppKind {
    Odoo,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Application {
    pub name: Name,
    pub kind: AppKind,
    pub image: Image,
    pub host: Name,
    /// The PostgreSQL service (by name) that holds the databases.
    pub database: Name,
    /// Secret that holds Odoo's master password (`admin_passwd`).
    pub admin_password_secret: SecretName,
    /// Host directory with custom addons, mounted at /mnt/extra-addons.
    #[serde(default)]
    pub addons: Option<String>,
    pub environments: Vec<Environment>,
}

/// One basic-auth login: a user name and the secret that holds its password.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    pub user: Name,
    pub password_secret: SecretName,
}

/// Who may reach an environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Public,
    BasicAuth,
    VpnOnly,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    pub name: Name,
    pub domain: String,
    pub access: Access,
    /// The login for `access: basic_auth`: install.sh writes nginx's password
    /// file from the secret in the host's .env (bcrypt); it is never in out/.
    #[serde(default)]
    pub basic_auth: Option<BasicAuth>,
    /// Database name; defaults to `<application>_<environment>`.
    #[serde(default)]
    pub db_name: Option<String>,
    pub resources: Resources,
    /// Host directory for Odoo's data dir (filestore, sessions).
    pub data_dir: String,
    /// `false`: this environment's `data_dir` and `mounts` are deliberately
    /// in no backup (say why in a comment); `gen lint` then stops reporting
    /// them (W517). Its database is dumped all the same, with every database
    /// on the backup host's PostgreSQL servers.
    #[serde(default = "yes")]
    pub backup: bool,
    #[serde(default)]
    pub mounts: Vec<Mount>,
    #[serde(default)]
    pub odoo: OdooSettings,
    /// Ports published on the host, as the plan had them (`"8069:8069"`).
    #[serde(default)]
    pub ports: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OdooSettings {
    /// HTTP worker processes; derived from CPUs and memory when left out.
    #[serde(default)]
    pub workers: Option<u32>,
    #[serde(default)]
    pub max_cron_threads: Option<u32>,
    #[serde(default)]
    pub limit_memory_hard: Option<Size>,
    #[serde(default)]
    pub limit_memory_soft: Option<Size>,
    #[serde(default)]
    pub limit_time_cpu: Option<u32>,
    #[serde(default)]
    pub limit_time_real: Option<u32>,
    #[serde(default)]
    pub limit_request: Option<u32>,
    #[serde(default)]
    pub db_maxconn: Option<u32>,
    #[serde(default)]
    pub log_level: Option<String>,
    /// Further odoo.conf options, checked against Odoo's own option table.
    #[serde(default)]
    pub options: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mount {
    pub source: String,
    pub target: String,
    #[serde(default)]
    pub read_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Workload {
    Web,
    Oltp,
    Mixed,
    Dw,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Postgres {
    pub name: Name,
    pub host: Name,
    pub image: Image,
    /// Host directory for the cluster's data.
    pub data_dir: String,
    pub resources: Resources,
    #[serde(default)]
    pub max_connections: Option<u32>,
    #[serde(default = "default_workload")]
    pub workload: Workload,
    #[serde(default)]
    pub storage: Option<DiskKind>,
    /// Role the applications connect as.
    #[serde(default = "default_pg_user")]
    pub user: String,
    pub password_secret: SecretName,
    /// Further postgresql.conf settings.
    #[serde(default)]
    pub settings: BTreeMap<String, serde_json::Value>,
}

fn default_workload() -> Workload {
    Workload::Oltp
}

fn default_pg_user() -> String {
    "odoo".into()
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vpn {
    pub host: Name,
    /// VPN subnet: `10.8.0.0/24`.
    pub subnet: String,
    /// The server's address inside the subnet.
    pub address: String,
    #[serde(default = "default_wg_port")]
    pub port: u16,
    /// Upstream resolver of the VPN's DNS responder (an IP address). VPN
    /// clients always ask the server's VPN address, which answers
    /// `vpn_only` names with that address and forwards every other name
    /// here, or to the host's own resolver when absent.
    #[serde(default)]
    pub dns: Option<String>,
    pub peers: Vec<Peer>,
}

/// A DNS zone and who hosts it: `{zone: example.com, provider: hetzner}`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DnsZone {
    /// The zone's apex, `example.com`; it covers every name ending in `.example.com`.
    pub zone: String,
    pub provider: DnsProvider,
}

/// Who answers for a DNS zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DnsProvider {
    /// Hetzner DNS (dns.hetzner.com, now in the Hetzner Console).
    Hetzner,
    Cloudflare,
    /// A registrar's or any other name server.
    Other,
}

impl DnsProvider {
    pub fn label(self) -> &'static str {
        match self {
            DnsProvider::Hetzner => "Hetzner DNS",
            DnsProvider::Cloudflare => "Cloudflare",
            DnsProvider::Other => "another provider",
        }
    }
}

fn default_wg_port() -> u16 {
    51820
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Peer {
    pub name: Name,
    pub address: String,
    /// The peer's WireGuard public key (base64 of 32 bytes). Never a private key.
    pub public_key: String,
}

/// Where a rule lets traffic in from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Anywhere,
    Vpn,
    LoadBalancer,
    AdminCidrs,
    Localhost,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Firewall {
    /// Where SSH may come from.
    pub ssh_from: Vec<Source>,
    /// Operator networks for SSH before the VPN is up.
    #[serde(default)]
    pub admin_cidrs: Vec<String>,
    /// Extra rules beyond what the services need.
    #[serde(default)]
    pub rules: Vec<FirewallRule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    Tcp,
    Udp,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FirewallRule {
    pub port: u16,
    #[serde(default = "tcp")]
    pub proto: Protocol,
    pub from: Source,
    #[serde(default)]
    pub comment: Option<String>,
}

fn tcp() -> Protocol {
    Protocol::Tcp
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    pub host: Name,
    pub local: LocalBackup,
    #[serde(default)]
    pub offsite: Option<Offsite>,
    /// Directories to back up besides the databases.
    #[serde(default)]
    pub paths: Vec<BackupPath>,
    /// `systemd` timers (default) or `/etc/cron.d` entries.
    #[serde(default)]
    pub scheduler: Option<Scheduler>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scheduler {
    Systemd,
    Cron,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalBackup {
    /// Where backups are written; should be a partition of its own.
    pub path: String,
    /// Time of day in UTC, `HH:MM`.
    #[schemars(regex(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"))]
    pub at: String,
    pub keep_days: u32,
    /// Expected size of one day's backup, to check the volume against retention.
    pub daily_size: Size,
    /// Longest a local run may take; the offsite copy must start after it (default `1h`).
    #[serde(default)]
    pub max_duration: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BackupTool {
    Restic,
    Borg,
    /// A plain `rsync --delete` mirror: one unencrypted copy of the latest day. Reported, never generated.
    Rsync,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Offsite {
    pub tool: BackupTool,
    /// Repository location: `sftp:u123456@u123456.your-storagebox.de:/odoo`.
    pub repository: String,
    #[schemars(regex(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"))]
    pub at: String,
    pub keep_daily: u32,
    pub keep_monthly: u32,
    pub password_secret: SecretName,
    /// Fingerprint of the SFTP server's host key as its provider publishes it
    /// (`SHA256:…`, from `ssh-keygen -lf`): `offsite-init.sh` pins the key only
    /// when it matches. Without it the key first seen is pinned (trust on
    /// first use) and its fingerprint printed for the operator to compare.
    #[serde(default)]
    pub host_key: Option<String>,
    /// Storage Box product and its capacity.
    #[serde(default)]
    pub product: Option<String>,
    #[serde(default)]
    pub capacity: Option<Size>,
    #[serde(default)]
    pub price: Option<Price>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BackupMode {
    /// A compressed archive per run.
    Archive,
    /// Hard-linked incremental snapshots (`rsync --link-dest`).
    Snapshot,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupPath {
    pub name: Name,
    pub path: String,
    pub mode: BackupMode,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Monitoring {
    #[serde(default = "yes")]
    pub prometheus: bool,
    #[serde(default = "yes")]
    pub node_exporter: bool,
    #[serde(default = "yes")]
    pub cadvisor: bool,
    #[serde(default)]
    pub disk_alert_percent: Option<u32>,
    #[serde(default)]
    pub check_interval: Option<Duration>,
    #[serde(default)]
    pub log_retention_days: Option<u32>,
    #[serde(default)]
    pub webhook: Option<Webhook>,
    /// External uptime check URL (e.g. UptimeRobot).
    #[serde(default)]
    pub uptime_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookKind {
    Telegram,
    Email,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    pub kind: WebhookKind,
    /// Bot token (Telegram) or relay password (e-mail), read from the host's env file.
    pub token_secret: SecretName,
    /// Telegram chat id, or the e-mail recipient.
    #[serde(default)]
    pub to: Option<String>,
    /// E-mail only: the SMTP relay URL (`smtps://mail.example.com:465`), user `alerts`.
    #[serde(default)]
    pub relay: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    pub monthly: Money,
    #[serde(default = "eur")]
    pub currency: String,
    #[serde(default)]
    pub note: Option<String>,
}

fn eur() -> String {
    "EUR".into()
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Growth {
    pub start_year: u32,
    pub years: u32,
    pub items: Vec<GrowthItem>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrowthItem {
    pub name: Name,
    /// The partition it lives on.
    pub mount: String,
    pub initial: Size,
    pub per_year: Size,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sla {
    /// Availability target in percent: `99.5`.
    pub availability: f64,
    /// Recovery time objective.
    pub rto: Duration,
    /// Recovery point objective.
    pub rpo: Duration,
    /// How long the provider takes to hand over a replacement server after a
    /// total loss. Default: the provider's published estimate for the server
    /// type and location (gen's table, from
    /// <https://docs.hetzner.com/general/others/order-processing>), see E520.
    #[serde(default)]
    pub replacement: Option<Duration>,
    /// From a handed-over server to the stack running again, before the data
    /// restore: operating system, install.sh, images. Default: `90m` on a
    /// dedicated server (the Odoo plan's own figures, 30 min installimage +
    /// 1 h stack), `30m` on a cloud server (cloud-init runs install.sh); an
    /// assumption the blueprint overrides with what a rehearsal measured.
    #[serde(default)]
    pub setup: Option<Duration>,
    /// Bytes per second a restore reads from the offsite repository, written
    /// as a size: `50M` is 50 MiB/s. Default `50M`, an assumption: Hetzner
    /// publishes no Storage Box throughput (it depends on the other users of
    /// the box's host, <https://docs.hetzner.com/robot/storage-box/general>).
    #[serde(default)]
    pub restore_throughput: Option<Size>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Secret {
    pub name: SecretName,
    pub description: String,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CostItem {
    pub name: String,
    #[serde(default = "one")]
    pub quantity: u32,
    /// Which line of the cost report it belongs to; `other` when left out.
    #[serde(default)]
    pub category: Option<CostCategory>,
    /// A product of the price catalog (`snapshot`, `primary-ipv4`, `ccx33`),
    /// priced per unit × `quantity` when the item has no `price` of its own.
    #[serde(default)]
    pub product: Option<String>,
    /// A dated quote for one unit; it wins over the catalog.
    #[serde(default)]
    pub price: Option<Price>,
    /// For a recurring product (snapshots, backups): how often a copy is
    /// taken. Such an item needs `keep`, since what is billed is every copy
    /// kept, not the one taken (E814).
    #[serde(default)]
    pub taken: Option<Recurrence>,
    /// For a recurring product: how many copies are kept at once (7 for
    /// daily copies kept a week). The bill is `quantity` × `keep` copies.
    #[serde(default)]
    pub keep: Option<u32>,
    /// For a product billed per GB and month (`snapshot`, `volume`): the
    /// size of one copy (one unit), e.g. `80G`. A catalog price is then
    /// `quantity` × `keep` × GB × the price per GB-month.
    #[serde(default)]
    pub size: Option<Size>,
}

/// How often a recurring product takes a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Recurrence {
    Daily,
    Weekly,
    Monthly,
}

impl Recurrence {
    /// `daily`, `weekly`, `monthly`, as the blueprint writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Recurrence::Daily => "daily",
            Recurrence::Weekly => "weekly",
            Recurrence::Monthly => "monthly",
        }
    }
}

/// The line groups of the cost report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CostCategory {
    Servers,
    LoadBalancers,
    Volumes,
    SnapshotsAndBackups,
    StorageBox,
    Ips,
    Traffic,
    Other,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alternative {
    pub name: Name,
    pub description: String,
    pub items: Vec<CostItem>,
    /// The items come on top of the blueprint's own cost (an expansion),
    /// rather than replacing it (a different setup).
    #[serde(default)]
    pub adds_to_current: bool,
}

/// A figure as the source document states it, with where it says so.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// The figure and its stated value: `{monthly_total: 20.75}`.
    pub figure: Figure,
    /// Where the document states it: `section 10.3`.
    pub source: String,
}

/// Which figure a claim states. Amounts without cents match within one
/// currency unit (documents round to whole euros); amounts with cents and
/// percentages (one decimal) must match exactly.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Figure {
    /// The monthly total of the blueprint.
    MonthlyTotal(Money),
    /// The yearly total (12 × monthly).
    YearlyTotal(Money),
    /// The one-time fees.
    OneTimeTotal(Money),
    /// Monthly total minus the budget (written without sign when over it).
    BudgetVariance(Money),
    /// The variance as a percentage of the budget.
    BudgetVariancePercent(Percent),
    /// Total cost of ownership over `years`: of the blueprint, or of a named alternative.
    Tco {
        years: u32,
        #[serde(default)]
        alternative: Option<Name>,
        amount: Money,
    },
    /// The monthly total of a named alternative.
    AlternativeMonthly { alternative: Name, amount: Money },
    /// Storage the growth items need in a year (all items together).
    StorageNeeded { year: u32, size: Size },
    /// What the offsite restic repository holds in a year, with its kept
    /// daily and monthly snapshots (gen's projection: each snapshot tree once,
    /// each kept set of dumps and archives in full; see `plan::backup_size`).
    OffsiteNeeded { year: u32, size: Size },
}
