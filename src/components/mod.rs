//! Components: every part of a stack, each in one folder
//! `src/components/<folder>/` that holds its blueprint types (`model`), the
//! records it adds to the shared resolved model (`resolve`: containers,
//! compose services, vhosts, data directories, client databases, firewall
//! intents, backup items, cost lines), its own rules (`rules`), what its
//! templates see (`plan`, where it has templates of its own) and, in
//! `mod.rs`, its entry of [`COMPONENTS`] with the templates it owns. Each of
//! those may be a file or a folder of files; `tests/pipeline.rs` gives each
//! the stage of its name, so a component spans the stages without a
//! back-edge. A unit test holds that every template has exactly one owner.
//!
//! | component | folder | blueprint |
//! |---|---|---|
//! | backup | `backup/` | `backup` |
//! | cost and report | `cost/` | `budget`, `growth`, `sla`, `cost_items`, `alternatives`, `claims` |
//! | Docker Engine and compose | `docker/` | (every container) |
//! | firewall | `firewall/` | `firewall` |
//! | MariaDB server | `mariadb/` | `mariadb[]` |
//! | monitoring | `monitoring/` | `monitoring` |
//! | network and VPN | `network/` | `networks[]`, `load_balancers[]`, `vpn`, `dns[]` |
//! | Odoo | `odoo/` | `applications[]` |
//! | PostgreSQL server | `postgres/` | `postgres[]` |
//! | provisioning | `provisioning/` | `hosts[]` (Terraform, cloud-init, install.sh, installimage, Ansible) |
//! | nginx proxy | `proxy/` | `proxy` |
//! | a service's Redis | `redis/` | `services[].redis` |
//! | redirect | `redirect/` | `redirects[]` |
//! | container service | `service/` | `services[]` |
//! | static site | `static_site/` | `static_sites[]` |
//! | website | `website/` | `websites` |
//!
//! **Kinds.** The components that run containers or serve vhosts beside
//! the core stack are also kinds, a line each in [`KINDS`]: PostgreSQL,
//! MariaDB, the container service, its Redis, static sites and redirects.
//! The shared stages loop over [`KINDS`], so a new kind gets them with its
//! records: placement (and with it names, E202; capacity, W401/E401;
//! exposure, E301), the compose file, nginx's vhosts and their
//! certificates, a database server's client databases (install.sh's
//! creation, the dumps, restores and connection budgets), backup coverage
//! (W517), directory overlap (E228), path syntax (E212), secrets (E701 and
//! .env.example) and environments (E227). Its blueprint entries
//! ([`Kind::entries`]) give it the rules over names (E201), host
//! references (E205), served domains (E204, E209, E213, E219, E220, E605,
//! certificates) and access (E303, E606, E701, E704), and its hosts' Ansible
//! group ([`Kind::rollout_group`]). A new kind is its folder plus a line in
//! [`KINDS`] (and in [`COMPONENTS`]), and its list's field in the
//! blueprint's root. Odoo and websites are not kinds yet: the shared
//! `resolve::placement` places their containers.
//!
//! The cross-cutting rules (names, capacity, secrets, directories,
//! versions, lifecycle) stay in `crate::check` and run once over every
//! component's records; the shared records that several components build
//! (placement, capacity, connections, growth, what crosses the private
//! network) stay in `crate::resolve`.

pub mod backup;
pub mod cost;
pub mod docker;
pub mod firewall;
pub mod mariadb;
pub mod monitoring;
pub mod network;
pub mod odoo;
pub mod postgres;
pub mod provisioning;
pub mod proxy;
pub mod redirect;
pub mod redis;
pub mod service;
pub mod static_site;
pub mod website;

use std::collections::BTreeMap;

use crate::blueprint::model::{Access, BasicAuth, Blueprint, Guarded, Host, LoadBalancer, ServedName};
use crate::blueprint::units::Name;
use crate::components::docker::resolve::compose::ServicePlan;
use crate::components::proxy::resolve::vhost::{Vhost, VhostBase};
use crate::diag::Finding;
use crate::resolve::placement::Placed;

/// A part of a stack in its folder, `src/components/<folder>/`, and the
/// templates (under templates/) it owns: no other component writes them.
/// Its files, or folders of files, are named by stage: `model` (its
/// blueprint types), `resolve` (its records), `rules` (its own rules) and
/// `plan` (what its templates see).
pub struct Component {
    /// Its name, as the README's component table says it.
    pub name: &'static str,
    /// Its folder under src/components/.
    pub folder: &'static str,
    /// The templates it owns, paths under templates/.
    pub templates: &'static [&'static str],
}

/// Every component, in folder order. A kind of [`KINDS`] is one too.
pub const COMPONENTS: &[Component] = &[
    backup::COMPONENT,
    cost::COMPONENT,
    docker::COMPONENT,
    firewall::COMPONENT,
    mariadb::COMPONENT,
    monitoring::COMPONENT,
    network::COMPONENT,
    odoo::COMPONENT,
    postgres::COMPONENT,
    provisioning::COMPONENT,
    proxy::COMPONENT,
    redirect::COMPONENT,
    redis::COMPONENT,
    service::COMPONENT,
    static_site::COMPONENT,
    website::COMPONENT,
];

/// One kind of component and what it contributes to each shared record.
pub struct Kind {
    /// The kind's name, as in the table above.
    pub name: &'static str,
    /// The containers it runs on a host, in a stable order; `kind` is its
    /// index in [`KINDS`], for their `Role::Component`.
    pub place: fn(bp: &Blueprint, host: &Host, kind: usize) -> Vec<Placed>,
    /// The compose service of one of its containers; `index` is the one in
    /// its `Role::Component`. `None` when the blueprint entry is gone.
    pub compose: fn(bp: &Blueprint, placed: &Placed, index: usize) -> Option<ServicePlan>,
    /// Its nginx vhosts on a host, each made from `base` (names, TLS,
    /// certificate, access), in a stable order.
    pub vhosts: fn(bp: &Blueprint, host: &Host, base: &VhostBase) -> Vec<Vhost>,
    /// The host directories it keeps data in.
    pub data: fn(bp: &Blueprint) -> Vec<DataDir>,
    /// The secrets its hosts' .env must hold beyond what its compose
    /// services name (a database role's password install.sh sets, say):
    /// declared (E701) and listed in .env.example.
    pub secrets: fn(bp: &Blueprint) -> Vec<SecretUse>,
    /// The `environment` maps the blueprint writes for it, each with the
    /// pointer of its owner: the secret references (E701) and compose's
    /// syntax (E227) are checked in them.
    pub environments: for<'a> fn(bp: &'a Blueprint) -> Vec<Environment<'a>>,
    /// The databases its clients have on its servers, one record each, in
    /// a stable order (server by server): what install.sh creates, the
    /// backups dump and restore, and the connection budget counts. Only a
    /// database server kind has any.
    pub databases: fn(bp: &Blueprint) -> Vec<ClientDatabase>,
    /// Its blueprint entries, in blueprint order: the shared rules over
    /// names (E201, in the words of `noun`), host references (E205), served
    /// domains (E204, E209, E213, E219, E220, E605) and access (E303,
    /// E606, E701, E704, the VPN's DNS) read them, and the Ansible
    /// inventory's role group. A kind that lives inside another's entry
    /// (a service's Redis) has none.
    pub entries: for<'a> fn(bp: &'a Blueprint) -> Vec<Entry<'a>>,
    /// What one of its entries is called in a message about its name:
    /// "service" (E201: "service `status` is defined twice").
    pub noun: &'static str,
    /// The Ansible inventory group of the hosts its entries run on
    /// (`role_<name>`, `components::provisioning::plan::rollout`); kinds
    /// that share a group name it alike and are one group. `None`: its
    /// hosts are in another kind's group.
    pub rollout_group: Option<RolloutGroup>,
    /// Its own rules; the shared ones run over its records.
    pub rules: fn(bp: &Blueprint, out: &mut Vec<Finding>),
    /// The templates (under templates/) its records are rendered through.
    pub templates: &'static [&'static str],
}

/// Every kind, in the order their containers and vhosts are listed.
pub const KINDS: &[Kind] =
    &[postgres::KIND, mariadb::KIND, service::KIND, redis::KIND, static_site::KIND, redirect::KIND];

/// One entry of a kind's blueprint list (`services[3]`, `static_sites[0]`)
/// as the shared rules read it: its name, the hosts it names, the domains
/// nginx serves for it and who may reach them.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// JSON pointer of the entry: `/services/3`.
    pub pointer: String,
    /// What it is, for the messages about its hosts, domains and access
    /// (E219, E220, E303, E606, E704): "service `status`", "the redirect of
    /// `www.example.com`".
    pub what: String,
    /// Its name, at `<pointer>/name`, unique among the kind's entries
    /// (E201); `None` when it has none (a redirect). An entry with `access`
    /// has a name: the access rules name its login after it.
    pub name: Option<&'a str>,
    /// The hosts it names, as written.
    pub hosts: Hosts<'a>,
    /// The domains nginx serves for it, under `<pointer>/<key>`.
    pub domains: Domains<'a>,
    /// Who may reach its vhost, and the login of `basic_auth`; `None` when
    /// it has no vhost with an access setting.
    pub access: Option<(Access, Option<&'a BasicAuth>)>,
}

impl<'a> Entry<'a> {
    /// A server's entry, `/<list>/<i>`: its `name`, on its one `host`, with
    /// no domain and no access setting (a database server). `what` is
    /// "<noun> `<name>`".
    pub fn server(list: &str, i: usize, noun: &str, name: &'a Name, host: &'a Name) -> Self {
        Entry {
            pointer: format!("/{list}/{i}"),
            what: format!("{noun} `{name}`"),
            name: Some(name.as_str()),
            hosts: Hosts::One(host),
            domains: Domains::NONE,
            access: None,
        }
    }
}

/// The hosts an entry names: one `host`, or a `hosts` list.
#[derive(Debug, Clone, Copy)]
pub enum Hosts<'a> {
    /// `<pointer>/host`.
    One(&'a Name),
    /// `<pointer>/hosts`, each at `<pointer>/hosts/<j>`.
    List(&'a [Name]),
}

impl<'a> Hosts<'a> {
    /// The hosts, in the order written.
    pub fn names(self) -> Vec<&'a Name> {
        match self {
            Hosts::One(h) => vec![h],
            Hosts::List(hs) => hs.iter().collect(),
        }
    }

    /// Each host with the JSON pointer of its reference under `entry`.
    pub fn pointers(self, entry: &str) -> Vec<(&'a Name, String)> {
        match self {
            Hosts::One(h) => vec![(h, format!("{entry}/host"))],
            Hosts::List(hs) => hs.iter().enumerate().map(|(j, h)| (h, format!("{entry}/hosts/{j}"))).collect(),
        }
    }
}

/// The domains an entry serves.
#[derive(Debug, Clone, Copy)]
pub struct Domains<'a> {
    /// The field that lists them: `domains`, a redirect's `from`.
    pub key: &'static str,
    /// The names, as written.
    pub names: &'a [String],
    /// Whether an empty list is an error (E220): a static site or a
    /// redirect is nothing but its domains; a service may have none.
    pub required: bool,
}

impl Domains<'_> {
    /// No domain (a database server).
    pub const NONE: Domains<'static> = Domains { key: "domains", names: &[], required: false };
}

/// An Ansible inventory group of hosts by what they run: `role_<name>`,
/// "hosts running <why>".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RolloutGroup {
    /// The group's name after `role_`: `postgres`.
    pub name: &'static str,
    /// What its hosts run, for the inventory's comment: "PostgreSQL servers".
    pub why: &'static str,
}

/// A host directory a container keeps data in, as a kind declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    /// The JSON pointer of the path in the blueprint.
    pub pointer: String,
    /// The directory on the host, as written.
    pub path: String,
    /// Whose it is, for messages: "service `status`'s data".
    pub whose: String,
    /// The hosts it is on.
    pub hosts: Vec<String>,
    /// When a backup must cover it (W517): the message's words for the
    /// directory ("the append-only file of `status-redis`") and the hint.
    /// `None`: read-only, or deliberately in no backup.
    pub backup: Option<(String, String)>,
}

/// One database a client has on a database server (a PostgreSQL or a
/// MariaDB server), as the server's kind contributes it through
/// [`Kind::databases`]. The shared code reads these records only: the
/// databases install.sh creates, the dumps a backup must hold and the
/// services a restore stops, and the pools the connection budget adds up.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClientDatabase {
    /// The server's component folder, which says how its databases are
    /// made, dumped and restored: `postgres` or `mariadb`.
    pub engine: &'static str,
    /// The server's compose service (`postgres[].name`, `mariadb[].name`).
    pub server: String,
    /// The host the server runs on.
    pub host: String,
    /// The server's administrator, who creates the database: PostgreSQL's
    /// `POSTGRES_USER`, MariaDB's `root`.
    pub admin: String,
    /// The database's name.
    pub name: String,
    /// The role (MariaDB: user) the client logs in as.
    pub role: String,
    /// The secret that holds the role's password, in the server host's .env.
    pub password_secret: String,
    /// The client: a container service's compose name, or an Odoo
    /// environment's `<application>_<environment>`.
    pub client: String,
    /// The JSON pointer of what asked for it (`/services/3/database`,
    /// `/applications/0/environments/1`).
    pub pointer: String,
    /// The connections the client's pool holds at most, when it is fixed (a
    /// container service's `database.connections`); `None` when the server
    /// kind derives it (an Odoo environment's db_maxconn, see
    /// `resolve::connections::budget`).
    pub pool: Option<u32>,
    /// Whether install.sh creates the role and the database (a container
    /// service's); `false` when the client creates its own database (Odoo,
    /// as the server's own role).
    pub created: bool,
}

/// A database server as the walks over its clients need it: see
/// [`service::resolve::databases`].
#[derive(Debug, Clone, Copy)]
pub struct DatabaseServer<'a> {
    /// [`ClientDatabase::engine`].
    pub engine: &'static str,
    /// The server's compose service.
    pub name: &'a str,
    /// Its host.
    pub host: &'a str,
    /// [`ClientDatabase::admin`].
    pub admin: &'a str,
}

/// A container `environment` the blueprint writes, with the JSON pointer of
/// the map's owner (`/services/3`).
pub type Environment<'a> = (String, &'a BTreeMap<String, String>);

/// A secret a kind's host needs, where the blueprint names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretUse {
    /// The secret's name (`secrets[].name`).
    pub name: String,
    /// The JSON pointer of the field that names it.
    pub pointer: String,
    /// The host whose .env holds it.
    pub host: String,
}

/// No container: nginx serves the kind (a static site, a redirect).
pub(crate) fn no_containers(_: &Blueprint, _: &Host, _: usize) -> Vec<Placed> {
    Vec::new()
}

/// No container, so no compose service.
pub(crate) fn no_compose(_: &Blueprint, _: &Placed, _: usize) -> Option<ServicePlan> {
    None
}

/// No vhost: reached over the compose network only (a database, a Redis).
pub(crate) fn no_vhosts(_: &Blueprint, _: &Host, _: &VhostBase) -> Vec<Vhost> {
    Vec::new()
}

/// No data directory of its own.
pub(crate) fn no_data(_: &Blueprint) -> Vec<DataDir> {
    Vec::new()
}

/// No secrets beyond what its compose services name.
pub(crate) fn no_secrets(_: &Blueprint) -> Vec<SecretUse> {
    Vec::new()
}

/// No environment the blueprint writes.
pub(crate) fn no_environments(_: &Blueprint) -> Vec<Environment<'_>> {
    Vec::new()
}

/// No blueprint entries of its own (a service's Redis).
pub(crate) fn no_entries(_: &Blueprint) -> Vec<Entry<'_>> {
    Vec::new()
}

/// No database server.
pub(crate) fn no_databases(_: &Blueprint) -> Vec<ClientDatabase> {
    Vec::new()
}

/// Every kind's client databases, kind by kind and server by server.
pub fn client_databases(bp: &Blueprint) -> Vec<ClientDatabase> {
    KINDS.iter().flat_map(|kind| (kind.databases)(bp)).collect()
}

/// The client databases on the server named `server`, in order.
pub fn databases_on(bp: &Blueprint, server: &str) -> Vec<ClientDatabase> {
    client_databases(bp).into_iter().filter(|d| d.server == server).collect()
}

/// The databases install.sh creates on `host`'s servers of `engine`.
pub fn created_on(bp: &Blueprint, host: &str, engine: &str) -> Vec<ClientDatabase> {
    client_databases(bp).into_iter().filter(|d| d.created && d.engine == engine && d.host == host).collect()
}

/// Every kind's secrets.
pub fn secrets(bp: &Blueprint) -> Vec<SecretUse> {
    KINDS.iter().flat_map(|kind| (kind.secrets)(bp)).collect()
}

/// Every kind's written environments.
pub fn environments(bp: &Blueprint) -> Vec<Environment<'_>> {
    KINDS.iter().flat_map(|kind| (kind.environments)(bp)).collect()
}

/// The containers every kind places on `host`.
pub fn placed(bp: &Blueprint, host: &Host) -> Vec<Placed> {
    KINDS.iter().enumerate().flat_map(|(k, kind)| (kind.place)(bp, host, k)).collect()
}

/// The compose service of a container of kind `kind`.
pub fn compose(bp: &Blueprint, placed: &Placed, kind: usize, index: usize) -> Option<ServicePlan> {
    KINDS.get(kind).and_then(|k| (k.compose)(bp, placed, index))
}

/// Every kind's vhosts on `host`.
pub fn vhosts(bp: &Blueprint, host: &Host, base: &VhostBase) -> Vec<Vhost> {
    KINDS.iter().flat_map(|kind| (kind.vhosts)(bp, host, base)).collect()
}

/// Whether a kind serves a vhost on `host` with no container of its own
/// (a static site, a redirect), so the host needs nginx all the same.
pub fn serves_without_container(bp: &Blueprint, host: &Host) -> bool {
    let base = VhostBase::new(bp, host);
    let mut without_container = KINDS.iter().enumerate().filter(|(k, kind)| (kind.place)(bp, host, *k).is_empty());
    without_container.any(|(_, kind)| !(kind.vhosts)(bp, host, &base).is_empty())
}

/// Every kind's data directories.
pub fn data_dirs(bp: &Blueprint) -> Vec<DataDir> {
    KINDS.iter().flat_map(|kind| (kind.data)(bp)).collect()
}

/// Every kind's entries, kind by kind, each with its kind's index in
/// [`KINDS`].
pub fn entries(bp: &Blueprint) -> Vec<(usize, Entry<'_>)> {
    KINDS.iter().enumerate().flat_map(|(k, kind)| (kind.entries)(bp).into_iter().map(move |e| (k, e))).collect()
}

/// Every domain name nginx serves, in blueprint order: websites' sites,
/// Odoo environments, then every kind's entries (container services,
/// static sites, redirects). The name, syntax, certificate and
/// load-balancer rules all read this one list.
pub fn served_names(bp: &Blueprint) -> Vec<ServedName<'_>> {
    let mut out: Vec<ServedName> = bp.websites.iter().flat_map(website::model::Websites::served_names).collect();
    out.extend(bp.applications.iter().enumerate().flat_map(|(a, app)| app.served_names(a)));
    for (_, entry) in entries(bp) {
        let hosts = entry.hosts.names();
        out.extend(entry.domains.names.iter().enumerate().map(|(d, domain)| ServedName {
            domain,
            pointer: format!("{}/{}/{d}", entry.pointer, entry.domains.key),
            hosts: hosts.clone(),
        }));
    }
    out
}

/// The names served on the load balancer `lb`'s targets, in
/// [`served_names`] order: with `tls: terminate` its managed certificates
/// must cover each of them.
pub fn load_balanced_names<'a>(bp: &'a Blueprint, lb: &LoadBalancer) -> Vec<ServedName<'a>> {
    // A set: the names are many (a site per name), the targets a few dozen.
    let targets: std::collections::HashSet<&Name> = lb.targets.iter().collect();
    served_names(bp).into_iter().filter(|n| n.hosts.iter().any(|h| targets.contains(h))).collect()
}

/// Every vhost with an `access` setting, in blueprint order: Odoo
/// environments, then every kind's entries that have one (container
/// services with domains, static sites). The access rules (a VPN for
/// `vpn_only`, a login and its secret for `basic_auth`, the VPN's DNS)
/// read this one list.
pub fn guarded(bp: &Blueprint) -> Vec<Guarded<'_>> {
    let mut out: Vec<Guarded> = bp.applications.iter().enumerate().flat_map(|(a, app)| app.guarded(a)).collect();
    for (_, entry) in entries(bp) {
        let Some((access, basic_auth)) = entry.access else { continue };
        out.push(Guarded {
            name: entry.name.unwrap_or_default(),
            what: entry.what,
            pointer: entry.pointer,
            access,
            basic_auth,
            domains: entry.domains.names.iter().map(String::as_str).collect(),
            hosts: entry.hosts.names(),
        });
    }
    out
}

/// Every kind's own rules.
pub fn rules(bp: &Blueprint, out: &mut Vec<Finding>) {
    for kind in KINDS {
        (kind.rules)(bp, out);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_component_has_its_folder_and_owns_templates_that_exist() {
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut owners = std::collections::BTreeMap::new();
        for component in super::COMPONENTS {
            let folder = manifest.join("src/components").join(component.folder);
            assert!(folder.join("mod.rs").is_file(), "{}: src/components/{}/mod.rs", component.name, component.folder);
            for t in component.templates {
                assert!(
                    manifest.join("templates").join(t).is_file(),
                    "{}: templates/{t} does not exist",
                    component.name
                );
                if let Some(other) = owners.insert(*t, component.name) {
                    panic!("templates/{t} is owned by both {other} and {}", component.name);
                }
            }
        }
        // Every template has its owner, so a new template is a component's.
        let root = manifest.join("templates");
        for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
            let entry = entry.expect("walk templates/");
            if entry.file_type().is_file() {
                let rel = entry.path().strip_prefix(&root).expect("under templates/").to_string_lossy().into_owned();
                assert!(owners.contains_key(rel.as_str()), "templates/{rel} has no owner in COMPONENTS");
            }
        }
        let folders: Vec<&str> = super::COMPONENTS.iter().map(|c| c.folder).collect();
        let mut sorted = folders.clone();
        sorted.sort_unstable();
        assert_eq!(folders, sorted, "COMPONENTS is in folder order");
        // And every folder is a component of the table.
        for entry in std::fs::read_dir(manifest.join("src/components")).expect("src/components") {
            let entry = entry.expect("entry");
            if entry.file_type().expect("type").is_dir() {
                let name = entry.file_name().to_string_lossy().into_owned();
                assert!(folders.contains(&name.as_str()), "src/components/{name} is not in COMPONENTS");
            }
        }
    }

    /// Every kind lists its entries, so that the shared rules over names,
    /// hosts, domains and access see them; only a service's Redis lives
    /// inside another kind's entry. And kinds that name one Ansible group
    /// name it alike.
    #[test]
    fn every_kind_lists_its_entries() {
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let blueprints: Vec<crate::blueprint::model::Blueprint> =
            ["blueprints/agency.yaml", "blueprints/nextcloud.yaml"]
                .iter()
                .map(|p| {
                    serde_yaml::from_str(&std::fs::read_to_string(manifest.join(p)).expect("read")).expect("parse")
                })
                .collect();
        for kind in super::KINDS {
            let entries: usize = blueprints.iter().map(|bp| (kind.entries)(bp).len()).sum();
            if kind.name == "redis" {
                assert_eq!(entries, 0, "a service's Redis is its service's entry");
                let placed: usize =
                    blueprints.iter().flat_map(|bp| bp.hosts.iter().map(move |h| super::placed(bp, h).len())).sum();
                assert!(placed > 0, "the fixtures have containers");
            } else {
                assert!(entries > 0, "{}: no entries in agency.yaml or nextcloud.yaml", kind.name);
            }
            for other in super::KINDS {
                if let (Some(a), Some(b)) = (kind.rollout_group, other.rollout_group) {
                    assert!(
                        a.name != b.name || a == b,
                        "{} and {} name group {} differently",
                        kind.name,
                        other.name,
                        a.name
                    );
                }
            }
        }
    }

    #[test]
    fn every_kind_names_templates_that_exist() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        for kind in super::KINDS {
            for t in kind.templates {
                assert!(root.join(t).is_file(), "{}: templates/{t} does not exist", kind.name);
            }
        }
    }
}
