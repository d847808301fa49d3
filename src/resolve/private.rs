//! What crosses the private network between hosts: a PostgreSQL service
//! whose clients run on other hosts, and the data directories an Odoo
//! application on several hosts shares over NFS.
//!
//! Two hosts reach each other privately when the blueprint has a private
//! `network` and both have a `private_ip` (E316 keeps each inside its
//! subnet). Everything that crosses between hosts is bound to, and allowed
//! from, exactly those addresses: PostgreSQL is published on the database
//! host's private address only, pg_hba.conf and UFW admit the client hosts'
//! addresses only, and NFS exports name each client host.

use serde::Serialize;

use crate::blueprint::model::{Application, Blueprint, Host, Postgres};
use crate::blueprint::units::Name;

/// PostgreSQL's port, inside the container and as published.
pub const POSTGRES_PORT: u16 = 5432;
/// NFS v4's one port (no rpcbind, no mountd).
pub const NFS_PORT: u16 = 2049;
/// The mount options of an NFS data directory: v4.2 over TCP, `hard` so
/// that Odoo waits out a server restart rather than get I/O errors,
/// `_netdev` and `nofail` so a missing server does not stop the boot, and
/// mounted before dockerd starts the containers at boot
/// (`x-systemd.before`, systemd.mount(5): ordering only, so Docker still
/// starts when the server is away; the mount point is root's then, and
/// Odoo fails rather than write beside the share).
pub const NFS_OPTIONS: &str = "nfsvers=4.2,proto=tcp,hard,noatime,_netdev,nofail,x-systemd.before=docker.service";
/// The export options: read-write, synchronous (a write is on the
/// server's disk before Odoo is told it is), root squashed (Odoo writes as
/// its own uid, the image's `odoo` user, which owns the directory).
pub const EXPORT_OPTIONS: &str = "rw,sync,no_subtree_check,root_squash";

/// The private address of a host, by name, when it joins one of the
/// blueprint's private networks.
pub fn address(bp: &Blueprint, name: &Name) -> Option<String> {
    let host = bp.host(name.as_str())?;
    bp.network_of(host)?;
    host.private_ip.clone()
}

/// Whether two hosts reach each other over a private network: both join
/// the same one (a network lives in one zone; a host joins the network
/// whose range holds its `private_ip`).
pub fn reach(bp: &Blueprint, a: &Name, b: &Name) -> bool {
    let network = |n: &Name| bp.host(n.as_str()).and_then(|h| bp.network_of(h)).map(|(i, _)| i);
    a == b || network(a).is_some_and(|i| network(b) == Some(i))
}

/// A host whose Odoo environments use a PostgreSQL service on another host.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RemoteClient {
    pub host: String,
    /// Its private address (pg_hba.conf and UFW admit this one, `/32`).
    pub address: String,
    /// The databases its environments use, and `postgres`, which the
    /// image's entrypoint (wait-for-psql.py) and Odoo's database list open.
    pub databases: Vec<String>,
}

/// The hosts that run clients of `pg` elsewhere and reach it privately,
/// in blueprint order of the hosts.
pub fn remote_clients(bp: &Blueprint, pg: &Postgres) -> Vec<RemoteClient> {
    let mut out = Vec::new();
    for host in &bp.hosts {
        if host.name == pg.host || !reach(bp, &host.name, &pg.host) {
            continue;
        }
        let mut databases: Vec<String> = bp
            .applications
            .iter()
            .filter(|a| a.database == pg.name && a.runs_on(&host.name))
            .flat_map(|a| a.environments.iter().map(move |e| crate::components::odoo::resolve::database(a, e)))
            .collect();
        if databases.is_empty() {
            continue;
        }
        databases.push("postgres".into());
        let Some(address) = address(bp, &host.name) else { continue };
        out.push(RemoteClient { host: host.name.to_string(), address, databases });
    }
    out
}

/// Where an application on `host` connects to its PostgreSQL service: the
/// compose service name on the same host, else the database host's private
/// address. None when the service is unknown.
pub fn db_endpoint(bp: &Blueprint, app: &Application, host: &Host) -> Option<(String, bool)> {
    let pg = bp.postgres.iter().find(|p| p.name == app.database)?;
    if pg.host == host.name {
        return Some((pg.name.to_string(), false));
    }
    address(bp, &pg.host).map(|a| (a, true))
}

/// One NFS export on the data host: an environment's data directory and
/// the application hosts that mount it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Export {
    pub path: String,
    pub clients: Vec<String>,
    /// The `/etc/exports` line.
    pub line: String,
    /// Owner the directory needs (the Odoo image's user), `uid:gid`.
    pub owner: String,
    pub why: String,
}

/// One NFS mount on an application host.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NfsMount {
    pub server: String,
    pub server_host: String,
    pub path: String,
    /// The `/etc/fstab` line.
    pub fstab: String,
}

/// What this host shares or mounts over NFS.
#[derive(Debug, Clone, Serialize, Default)]
pub struct NfsPlan {
    /// `/etc/exports.d/<project>.exports`, when this host exports.
    pub exports_file: Option<String>,
    pub exports: Vec<Export>,
    pub mounts: Vec<NfsMount>,
}

impl NfsPlan {
    pub fn is_empty(&self) -> bool {
        self.exports.is_empty() && self.mounts.is_empty()
    }

    /// The client addresses allowed to NFS on this host, once each.
    pub fn clients(&self) -> Vec<String> {
        let mut all: Vec<String> = Vec::new();
        for c in self.exports.iter().flat_map(|e| &e.clients) {
            if !all.contains(c) {
                all.push(c.clone());
            }
        }
        all
    }
}

/// The applications on several hosts, with their data host.
fn spread(bp: &Blueprint) -> impl Iterator<Item = (&Application, &Name)> {
    bp.applications.iter().filter(|a| a.is_spread()).filter_map(|a| a.data_host().map(|d| (a, d)))
}

/// The NFS exports and mounts of `host`.
pub fn nfs(bp: &Blueprint, host: &Host) -> NfsPlan {
    let mut plan = NfsPlan::default();
    for (app, data_host) in spread(bp) {
        if *data_host == host.name {
            let clients: Vec<String> =
                app.hosts().into_iter().filter(|h| **h != host.name).filter_map(|h| address(bp, h)).collect();
            if clients.is_empty() {
                continue;
            }
            let owner = crate::components::docker::resolve::images::user(&app.image.0).unwrap_or((101, 101));
            for env in &app.environments {
                let line = format!(
                    "{} {}",
                    env.data_dir,
                    clients.iter().map(|c| format!("{c}({EXPORT_OPTIONS})")).collect::<Vec<_>>().join(" ")
                );
                plan.exports.push(Export {
                    path: env.data_dir.clone(),
                    clients: clients.clone(),
                    line,
                    owner: format!("{}:{}", owner.0, owner.1),
                    why: format!(
                        "`{}-{}`'s filestore and sessions, shared with {}",
                        app.name,
                        env.name,
                        app.hosts()
                            .into_iter()
                            .filter(|h| **h != host.name)
                            .map(|h| format!("`{h}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
        } else if app.runs_on(&host.name) {
            let Some(server) = address(bp, data_host) else { continue };
            if address(bp, &host.name).is_none() {
                continue;
            }
            for env in &app.environments {
                plan.mounts.push(NfsMount {
                    fstab: format!("{server}:{0} {0} nfs {NFS_OPTIONS} 0 0", env.data_dir),
                    server: server.clone(),
                    server_host: data_host.to_string(),
                    path: env.data_dir.clone(),
                });
            }
        }
    }
    if !plan.exports.is_empty() {
        plan.exports_file = Some(format!("/etc/exports.d/{}.exports", bp.project.name));
    }
    plan
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// blueprints/odoo-scale-out.yaml with `edit` applied (old → new).
    pub(crate) fn scale_out(edits: &[(&str, &str)]) -> Blueprint {
        let mut text = include_str!("../../blueprints/odoo-scale-out.yaml").to_string();
        for (old, new) in edits {
            assert!(text.contains(old), "`{old}` is not in the blueprint");
            text = text.replacen(old, new, 1);
        }
        let path = std::path::Path::new("blueprints/odoo-scale-out.yaml");
        match crate::blueprint::load::load(path, text.as_bytes()) {
            Ok(loaded) => loaded.blueprint,
            Err(_) => panic!("the edited blueprint does not load"),
        }
    }

    fn name(n: &str) -> Name {
        serde_yaml::from_str(n).expect("name")
    }

    #[test]
    fn hosts_on_one_network_reach_each_other() {
        let bp = scale_out(&[]);
        assert!(reach(&bp, &name("odoo-1"), &name("db")));
        assert_eq!(address(&bp, &name("db")).as_deref(), Some("10.0.2.20"));
        let apart = scale_out(&[("    private_ip: 10.0.2.20\n", "")]);
        assert!(!reach(&apart, &name("odoo-1"), &name("db")));
        assert!(reach(&apart, &name("db"), &name("db")), "a host reaches itself");
    }

    #[test]
    fn remote_clients_are_the_application_hosts_with_their_databases() {
        let bp = scale_out(&[]);
        let clients = remote_clients(&bp, &bp.postgres[0]);
        let hosts: Vec<(&str, &str)> = clients.iter().map(|c| (c.host.as_str(), c.address.as_str())).collect();
        assert_eq!(hosts, [("odoo-1", "10.0.2.11"), ("odoo-2", "10.0.2.12")]);
        assert_eq!(clients[0].databases, ["odoo_prod", "odoo_test", "postgres"]);
        let db = bp.hosts.iter().find(|h| h.name.as_str() == "db").unwrap();
        let odoo_1 = bp.hosts.iter().find(|h| h.name.as_str() == "odoo-1").unwrap();
        assert_eq!(db_endpoint(&bp, &bp.applications[0], odoo_1), Some(("10.0.2.20".into(), true)));
        assert_eq!(db_endpoint(&bp, &bp.applications[0], db), Some(("postgres".into(), false)));
    }

    #[test]
    fn the_data_host_exports_to_the_other_hosts_which_mount() {
        let bp = scale_out(&[]);
        let host = |n: &str| bp.hosts.iter().find(|h| h.name.as_str() == n).unwrap();
        let db = nfs(&bp, host("db"));
        assert_eq!(db.exports_file.as_deref(), Some("/etc/exports.d/odoo.exports"));
        assert_eq!(db.clients(), ["10.0.2.11", "10.0.2.12"]);
        assert_eq!(
            db.exports[0].line,
            "/mnt/odoo-data/prod 10.0.2.11(rw,sync,no_subtree_check,root_squash) 10.0.2.12(rw,sync,no_subtree_check,root_squash)"
        );
        assert_eq!(db.exports[0].owner, "101:101");
        assert!(db.mounts.is_empty());
        let app = nfs(&bp, host("odoo-2"));
        assert!(app.exports.is_empty());
        assert_eq!(app.mounts.len(), 2);
        assert!(app.mounts[0].fstab.starts_with("10.0.2.20:/mnt/odoo-data/prod /mnt/odoo-data/prod nfs nfsvers=4.2,"));
        assert!(app.mounts[0].fstab.contains("x-systemd.before=docker.service"));
        // The default data host is the first application host: it exports to the second only.
        let first = scale_out(&[("    data_host: db\n", "")]);
        let host = |n: &str| first.hosts.iter().find(|h| h.name.as_str() == n).unwrap();
        assert_eq!(nfs(&first, host("odoo-1")).clients(), ["10.0.2.12"]);
        assert!(nfs(&first, host("odoo-1")).mounts.is_empty());
        assert_eq!(nfs(&first, host("odoo-2")).mounts.len(), 2);
        assert!(nfs(&first, host("db")).is_empty());
    }
}
