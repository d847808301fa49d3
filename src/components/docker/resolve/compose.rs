//! The docker-compose project of one host: services, their health checks,
//! start order, resources, mounts and published ports.

use std::collections::{BTreeSet, HashSet};
use std::net::Ipv6Addr;

use ipnet::Ipv6Net;
use serde::Serialize;

use crate::blueprint::model::{Amount, Blueprint, Host, Resources, TlsMode};
use crate::components::proxy::resolve::vhost::Vhost;
use crate::resolve::placement::{Placed, Published, Role};

/// The stack's own bridge network. A fixed subnet lets pg_hba.conf and
/// firewall rules name the containers' addresses.
pub const NETWORK_SUBNET: &str = "172.30.0.0/24";

/// The project's IPv6 unique local prefix (RFC 4193, `fd00::/8` + a 40-bit
/// global ID + 16 bits of subnet ID = a /48): the global ID is the first
/// 40 bits of SHA-256 of the project name. RFC 4193 §3.2.2 derives it from
/// a time stamp and a MAC address so that it is random; a hash of the name
/// is just as unlikely to collide with another network the host joins and,
/// unlike the RFC's recipe, gives the same prefix on every build. Its
/// subnets are the Docker networks of the project's hosts: `…:0::/64` the
/// default bridge (`fixed-cidr-v6`, components::docker::resolve::engine), `…:1::/64` the compose
/// network, so pg_hba.conf and DOCKER-USER can name the containers' IPv6
/// addresses as they name 172.30.0.0/24.
pub fn ula(project: &str) -> Ipv6Net {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(project.as_bytes());
    let mut octets = [0u8; 16];
    octets[0] = 0xfd;
    octets[1..6].copy_from_slice(&hash[..5]);
    Ipv6Net::new(Ipv6Addr::from(octets), 48).expect("48 is a valid IPv6 prefix length")
}

/// Subnet `id` (a /64) of the project's unique local /48.
pub fn ula_subnet(project: &str, id: u16) -> Ipv6Net {
    let mut octets = ula(project).network().octets();
    octets[6..8].copy_from_slice(&id.to_be_bytes());
    Ipv6Net::new(Ipv6Addr::from(octets), 64).expect("64 is a valid IPv6 prefix length")
}

/// The compose network's IPv6 subnet: subnet 1 of the project's ULA.
pub fn network_subnet6(project: &str) -> String {
    ula_subnet(project, 1).to_string()
}

#[derive(Debug, Clone, Serialize)]
pub struct ComposePlan {
    /// Compose project name (`docker compose -p`).
    pub project: String,
    pub network: String,
    pub subnet: &'static str,
    /// The network's IPv6 subnet (`ula_subnet(project, 1)`): the network is
    /// dual-stack (`enable_ipv6`), so a port Docker publishes on every
    /// address gets IPv6 DNAT to nginx's own IPv6 address (with the daemon's
    /// `ip6tables`, components::docker::resolve::engine) and nginx sees the client's real address,
    /// as over IPv4. A port published on one IPv4 address stays IPv4 only.
    pub subnet6: String,
    /// The network's name in Docker (`<compose project>_<network>`), which
    /// install.sh inspects: a network made before it was dual-stack is
    /// recreated once (Docker cannot add IPv6 to an existing network).
    pub docker_network: String,
    pub services: Vec<ServicePlan>,
    /// Secret names the compose file interpolates from `.env`.
    pub secrets: Vec<String>,
    /// Named volumes (top-level `volumes:`).
    pub volumes: Vec<String>,
    /// Every host directory a service bind-mounts, once, with the owner and
    /// mode its image's user needs; install.sh creates and sets each on every
    /// run (the directory itself, never recursively over existing data).
    pub host_dirs: Vec<HostDir>,
    /// The sites' code directories (`app_dir`), in service order: the
    /// operator's deploy fills them, so a rebuilt host needs them again
    /// (the runbook lists them).
    pub app_dirs: Vec<String>,
}

/// A bind-mounted host directory and what its container needs of it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HostDir {
    /// Absolute path on the host.
    pub path: String,
    /// `uid:gid`, or empty: created when missing, owner and mode left alone
    /// (a mount the blueprint brings, such as a NAS share).
    pub owner: String,
    /// Octal mode, e.g. `0750`; empty with an empty owner.
    pub mode: String,
    pub why: String,
}

impl HostDir {
    pub(crate) fn new(path: impl Into<String>, owner: (u32, u32), mode: &str, why: impl Into<String>) -> Self {
        HostDir { path: path.into(), owner: format!("{}:{}", owner.0, owner.1), mode: mode.into(), why: why.into() }
    }
}

/// Root owns what containers only read (or what only host-side root writes).
pub(super) const ROOT: (u32, u32) = (0, 0);

#[derive(Debug, Clone, Serialize)]
pub struct ServicePlan {
    pub name: String,
    pub image: String,
    pub command: Vec<String>,
    pub environment: Vec<(String, String)>,
    pub ports: Vec<String>,
    pub volumes: Vec<String>,
    /// The host directories among `volumes`, with owner and mode.
    pub dirs: Vec<HostDir>,
    pub depends_on: Vec<Dependency>,
    pub healthcheck: Healthcheck,
    pub limits: Option<AmountPlan>,
    pub reservations: Option<AmountPlan>,
    /// Why the service is published the way it is.
    pub note: Option<String>,
    /// `shm_size` (/dev/shm) with its reason; PostgreSQL's, from
    /// `components::postgres::resolve::shm_size`. None: Docker's default.
    pub shm_size: Option<crate::resolve::Derived<String>>,
    /// `working_dir`, for a runtime image without a `WORKDIR` at its code
    /// path (`components::docker::resolve::images::code_path`); None: the image's own.
    pub working_dir: Option<String>,
    /// Where the service's code comes from, printed above its volumes:
    /// a site's `app_dir`, which the operator's deploy fills.
    pub code_note: Option<String>,
    /// The site's `app_dir` on the host, when it has one.
    pub app_dir: Option<String>,
    /// compose `user` (`uid:gid`); None: the image's own.
    pub user: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dependency {
    pub service: String,
    pub condition: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Healthcheck {
    pub test: Vec<String>,
    pub interval: &'static str,
    pub timeout: &'static str,
    pub retries: u32,
    pub start_period: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct AmountPlan {
    pub cpus: String,
    pub memory: String,
}

fn amount(a: Option<Amount>) -> Option<AmountPlan> {
    a.map(|a| AmountPlan { cpus: a.cpus.to_string(), memory: a.memory.to_string() })
}

/// A probe that runs inside the container with what its image ships
/// (the table is `components::docker::resolve::images`).
pub(crate) fn probe(image: &str, url: &str) -> Vec<String> {
    crate::components::docker::resolve::images::http_probe(image, url)
}

/// A health check every 30 s: Docker's first check comes one `interval`
/// after the start, and a check is a process in the container (about 20-50
/// ms of CPU with runc), so 50 website containers checked every 5 s would
/// keep a tenth of a 4-vCPU server busy. Services that another one waits on
/// (`condition: service_healthy`) are checked every 5 s instead
/// ([`pace_health_checks`]), so their dependants start seconds after them.
/// No `start_interval`: docker compose v2 refuses the whole file ("can't
/// set healthcheck.start_interval as feature require Docker Engine v25 or
/// later") on older engines, such as Ubuntu 24.04's docker.io 24.0 and the
/// deployment harness's 20.10 (found there).
pub(crate) fn health(test: Vec<String>, start_period: &'static str) -> Healthcheck {
    Healthcheck { test, interval: "30s", timeout: "5s", retries: 3, start_period }
}

/// Every 5 s for the services that others wait on to be healthy (the
/// harness measured PostgreSQL's first check holding Odoo back 30 s).
fn pace_health_checks(services: &mut [ServicePlan]) {
    let waited_on: BTreeSet<String> = services
        .iter()
        .flat_map(|s| s.depends_on.iter())
        .filter(|d| d.condition == "service_healthy")
        .map(|d| d.service.clone())
        .collect();
    for s in services.iter_mut().filter(|s| waited_on.contains(&s.name)) {
        s.healthcheck.interval = "5s";
    }
}

/// `${NAME}` references in a value.
pub fn references(value: &str) -> Vec<String> {
    value.split("${").skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string())).collect()
}

/// The compose project of `host`: a service per placed container, nginx's
/// mounts following the host's `vhosts`. None when nothing is placed there.
pub fn plan(bp: &Blueprint, host: &Host, placed: &[Placed], vhosts: &[Vhost]) -> Option<ComposePlan> {
    if placed.is_empty() {
        return None;
    }
    let mut services = Vec::new();
    for p in placed {
        let service = match p.role {
            Role::SitePart { site, part } => site_service(bp, p, site, part),
            Role::Odoo { app, env } => odoo_service(bp, host, p, app, env),
            Role::Component { kind, index } => crate::components::compose(bp, p, kind, index),
            Role::Proxy => proxy_service(bp, host, vhosts),
        };
        services.extend(service);
    }
    pace_health_checks(&mut services);
    let secrets: BTreeSet<String> =
        services.iter().flat_map(|s| s.environment.iter().flat_map(|(_, v)| references(v))).collect();
    let stack_dir = format!("/opt/{}", bp.project.name);
    Some(ComposePlan {
        host_dirs: host_dirs(&stack_dir, &services),
        // Static sites' files come from the operator's deploy as well.
        app_dirs: services
            .iter()
            .filter_map(|s| s.app_dir.clone())
            .chain(vhosts.iter().filter_map(|v| v.files.as_ref()).map(|f| f.host_dir.clone()))
            .collect(),
        project: bp.project.name.to_string(),
        network: "stack".into(), // docker_network follows it
        subnet: NETWORK_SUBNET,
        subnet6: network_subnet6(&bp.project.name.0),
        docker_network: format!("{}_stack", bp.project.name),
        services,
        secrets: secrets.into_iter().collect(),
        volumes: Vec::new(),
    })
}

/// The services' host directories, relative ones under the stack directory,
/// each path once (the first service that mounts it decides).
pub fn host_dirs(stack_dir: &str, services: &[ServicePlan]) -> Vec<HostDir> {
    let mut out: Vec<HostDir> = Vec::new();
    // The paths so far as a set: a scan of `out` per directory cost the
    // square of a host's sites.
    let mut seen: HashSet<String> = HashSet::new();
    for d in services.iter().flat_map(|s| &s.dirs) {
        let path = match d.path.strip_prefix("./") {
            Some(rest) => format!("{stack_dir}/{rest}"),
            None => d.path.clone(),
        };
        if seen.insert(path.clone()) {
            out.push(HostDir { path, ..d.clone() });
        }
    }
    out
}

pub(crate) fn resources(service: &mut ServicePlan, r: Resources) {
    service.limits = amount(r.limits);
    service.reservations = amount(r.reservations);
}

pub(crate) fn base(name: &str, image: &str, healthcheck: Healthcheck) -> ServicePlan {
    ServicePlan {
        name: name.to_string(),
        image: image.to_string(),
        command: Vec::new(),
        environment: Vec::new(),
        ports: Vec::new(),
        volumes: Vec::new(),
        dirs: Vec::new(),
        depends_on: Vec::new(),
        healthcheck,
        limits: None,
        reservations: None,
        note: None,
        shm_size: None,
        working_dir: None,
        code_note: None,
        app_dir: None,
        user: None,
    }
}

fn site_service(bp: &Blueprint, p: &Placed, site: usize, part: usize) -> Option<ServicePlan> {
    let web = bp.websites.as_ref()?;
    let c = web.parts(site).get(part)?.component;
    let name = &web.sites.get(site)?.name;
    let path = c.health_path.as_deref().unwrap_or("/");
    let url = format!("http://127.0.0.1:{}{path}", c.port);
    let mut s = base(&p.service, &c.image.0, health(probe(&c.image.0, &url), "30s"));
    s.command.clone_from(c.command.as_ref().unwrap_or(&Vec::new()));
    s.environment = c.environment.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    s.ports.clone_from(&c.ports);
    code(&mut s, c.app_dir_for(&name.0).as_deref());
    resources(&mut s, p.resources);
    Some(s)
}

/// A site's code from its `app_dir`: bind-mounted read-only at the code path
/// of its runtime image (`components::docker::resolve::images::code_path`: /app for node, python and
/// tiangolo's FastAPI images, with `working_dir` where the image has no
/// `WORKDIR` there), and created by install.sh, root's and 0755 (the
/// container only reads it), so a first deploy mounts a directory gen made
/// rather than one Docker creates. The operator's deploy (rsync or git)
/// fills it. An image gen knows no code path for is E215 in check; nothing
/// is mounted for it here.
fn code(s: &mut ServicePlan, app_dir: Option<&str>) {
    let (Some(dir), Some(code)) = (app_dir, crate::components::docker::resolve::images::code_path(&s.image)) else {
        return;
    };
    s.volumes.push(format!("{dir}:{}:ro", code.path));
    s.app_dir = Some(dir.to_string());
    if code.working_dir {
        s.working_dir = Some(code.path.to_string());
    }
    s.dirs.push(HostDir::new(
        dir,
        ROOT,
        "0755",
        format!("{}'s code, which the operator's deploy (rsync or git) fills; the container only reads it", s.name),
    ));
    s.code_note = Some(format!(
        "the code: {dir}, filled by the operator's deploy (rsync or git), read-only at {} ({} image{})",
        code.path,
        code.runtime,
        if code.working_dir { ", which sets no WORKDIR there" } else { "" }
    ));
}

fn odoo_service(bp: &Blueprint, host: &Host, p: &Placed, app: usize, env: usize) -> Option<ServicePlan> {
    let app = bp.applications.get(app)?;
    let env = app.environments.get(env)?;
    let pg = bp.postgres.iter().find(|pg| pg.name == app.database)?;
    // The compose service on this host, or the database host's private address.
    let (db_host, remote) = crate::resolve::private::db_endpoint(bp, app, host)?;
    let mut s = base(&p.service, &app.image.0, health(probe(&app.image.0, "http://127.0.0.1:8069/web/health"), "60s"));
    s.environment = vec![
        ("HOST".into(), db_host),
        ("PORT".into(), "5432".into()),
        ("USER".into(), pg.user.clone()),
        ("PASSWORD".into(), format!("${{{}}}", pg.password_secret)),
    ];
    s.volumes.push(format!("{}:/var/lib/odoo", env.data_dir));
    let nfs_client = app.is_spread() && app.data_host().is_some_and(|d| *d != host.name);
    if nfs_client {
        // The data host's export, mounted here by install.sh: the mount
        // point is left root's, so that while it is not mounted Odoo cannot
        // write beside the share.
        s.dirs.push(HostDir {
            path: env.data_dir.clone(),
            owner: String::new(),
            mode: String::new(),
            why: format!(
                "the NFS mount point of `{}`'s export; unmounted it stays root's, so Odoo cannot write beside the share",
                app.data_host().map_or_else(String::new, ToString::to_string)
            ),
        });
    } else if let Some(user) = crate::components::docker::resolve::images::user(&app.image.0) {
        s.dirs.push(HostDir::new(
            &env.data_dir,
            user,
            "0750",
            format!("{}'s odoo user writes its filestore and sessions", app.image.0),
        ));
    }
    // Rendered on the host from the generated `.conf.in` (see components::odoo::plan).
    s.volumes.push(format!("./odoo/{}.conf:/etc/odoo/odoo.conf:ro", env.name));
    if let Some(addons) = &app.addons {
        s.volumes.push(format!("{addons}:/mnt/extra-addons:ro"));
        s.dirs.push(HostDir::new(addons, ROOT, "0755", "custom addons: Odoo only reads them"));
    }
    for m in &env.mounts {
        s.volumes.push(format!("{}:{}{}", m.source, m.target, if m.read_only { ":ro" } else { "" }));
        s.dirs.push(HostDir {
            path: m.source.clone(),
            owner: String::new(),
            mode: String::new(),
            why: "the blueprint's own mount: created when missing, its owner left alone".into(),
        });
    }
    s.ports.clone_from(&env.ports);
    // Another host's PostgreSQL: compose cannot wait for it; the image's
    // entrypoint (wait-for-psql.py) waits up to 30 s, then the restart
    // policy tries again.
    if !remote {
        s.depends_on.push(Dependency { service: pg.name.to_string(), condition: "service_healthy" });
    }
    resources(&mut s, p.resources);
    Some(s)
}

/// Where nginx listens: every interface, or only the private address that
/// the load balancer reaches, so nobody goes around it.
pub fn proxy_bind(bp: &Blueprint, host: &Host) -> (String, Option<String>) {
    match bp.load_balancers_of(host.name.as_str()).next() {
        Some((_, lb)) if lb.use_private_network => {
            let ip = host.private_ip.clone().unwrap_or_default();
            (
                ip.clone(),
                Some(format!(
                    "published on {ip} only: load balancer `{}` reaches it over the private network",
                    lb.name
                )),
            )
        }
        _ => (String::new(), None),
    }
}

/// Whether nginx on this host terminates TLS itself.
pub fn terminates_tls(bp: &Blueprint, host: &Host) -> bool {
    // E643 keeps the load balancers of one host to one `tls` mode.
    bp.load_balancers_of(host.name.as_str()).next().is_none_or(|(_, lb)| lb.tls == TlsMode::Passthrough)
}

fn proxy_service(bp: &Blueprint, host: &Host, vhosts: &[Vhost]) -> Option<ServicePlan> {
    let image = crate::components::proxy::resolve::nginx::image(bp);
    let mut s = base("nginx", &image.0, health(probe(&image.0, "http://127.0.0.1/health"), "10s"));
    let (ip, note) = proxy_bind(bp, host);
    let prefix = if ip.is_empty() { String::new() } else { format!("{ip}:") };
    s.ports.push(format!("{prefix}80:80"));
    if terminates_tls(bp, host) {
        s.ports.push(format!("{prefix}443:443"));
    }
    s.note = note;
    s.volumes =
        vec!["./nginx/nginx.conf:/etc/nginx/nginx.conf:ro".into(), "./nginx/conf.d:/etc/nginx/conf.d:ro".into()];
    // Logs as host files (components::proxy::resolve::nginx::logs): fail2ban's jail reads the error log.
    let logs = crate::components::proxy::resolve::nginx::logs(&bp.project.name.0);
    s.volumes.push(format!("{}:{}", logs.dir, crate::components::proxy::resolve::nginx::LOG_MOUNT));
    s.dirs.push(HostDir::new(
        &logs.dir,
        ROOT,
        "0755",
        "nginx's master (root) opens its logs here; fail2ban and logrotate read them on the host",
    ));
    if terminates_tls(bp, host) {
        s.volumes.push("/etc/letsencrypt:/etc/letsencrypt:ro".into());
        s.volumes.push("/var/www/certbot:/var/www/certbot:ro".into());
        s.dirs.push(HostDir::new(
            "/var/www/certbot",
            ROOT,
            "0755",
            "certbot (root, on the host) writes challenges, nginx reads",
        ));
    }
    for files in vhosts.iter().filter_map(|v| v.files.as_ref()) {
        s.volumes.push(format!("{}:{}:ro", files.host_dir, files.mount));
        s.dirs.push(HostDir::new(&files.host_dir, ROOT, "0755", files.why.clone()));
    }
    if vhosts.iter().any(|v| v.access.auth.is_some()) {
        s.volumes.push("./nginx/auth:/etc/nginx/auth:ro".into());
        let nginx_gid = crate::components::docker::resolve::images::user(&image.0).map_or(101, |(_, gid)| gid);
        s.dirs.push(HostDir::new(
            "./nginx/auth",
            (0, nginx_gid),
            "0750",
            "install.sh writes the password files; nginx's workers (group nginx) read them",
        ));
    }
    // No depends_on: nginx resolves its upstreams per request (components::proxy::resolve::nginx::Upstream),
    // so it starts, and serves every other site, while one upstream is down.
    resources(&mut s, bp.proxy.as_ref().and_then(|p| p.resources).unwrap_or_default());
    Some(s)
}

/// Every port the host publishes, parsed, with the service that publishes it.
pub fn published(plan: &ComposePlan) -> Vec<(String, Published)> {
    plan.services
        .iter()
        .flat_map(|s| s.ports.iter().filter_map(|p| Published::parse(p)).map(|p| (s.name.clone(), p)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_dirs_resolve_relative_paths_once() {
        let mut a = base("a", "odoo:17.0", health(Vec::new(), "1s"));
        a.dirs = vec![HostDir::new("./addons", ROOT, "0755", "x"), HostDir::new("/data", (101, 101), "0750", "y")];
        let mut b = base("b", "odoo:17.0", health(Vec::new(), "1s"));
        b.dirs = vec![HostDir::new("/data", (1, 1), "0700", "z")];
        let dirs = host_dirs("/opt/p", &[a, b]);
        assert_eq!(dirs.len(), 2);
        assert_eq!(dirs[0].path, "/opt/p/addons");
        assert_eq!((dirs[1].owner.as_str(), dirs[1].mode.as_str()), ("101:101", "0750"));
    }

    #[test]
    fn finds_secret_references() {
        assert_eq!(references("${A}:${B_C}"), vec!["A".to_string(), "B_C".to_string()]);
        assert!(references("plain").is_empty());
    }

    #[test]
    fn only_services_others_wait_on_are_checked_every_5_s() {
        let db = base("db", "postgres:16", health(Vec::new(), "1s"));
        let mut app = base("app", "odoo:17.0", health(Vec::new(), "1s"));
        app.depends_on.push(Dependency { service: "db".into(), condition: "service_healthy" });
        let mut web = base("web", "nginx:1.28.0-alpine", health(Vec::new(), "1s"));
        web.depends_on.push(Dependency { service: "app".into(), condition: "service_started" });
        let mut services = vec![db, app, web];
        pace_health_checks(&mut services);
        let intervals: Vec<&str> = services.iter().map(|s| s.healthcheck.interval).collect();
        assert_eq!(intervals, ["5s", "30s", "30s"]);
    }
}
