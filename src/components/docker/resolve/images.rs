//! What gen knows about the images it runs: which HTTP client a health check
//! can use inside each (a probe that calls a tool the image lacks is an
//! unhealthy container forever), and which user the image's process runs as
//! (the owner its bind-mounted data directories need).
//!
//! Sources, the official Dockerfiles:
//! - odoo (github.com/odoo/docker): Debian's odoo package creates the system
//!   user `odoo`; on 17.0's Ubuntu jammy base that is uid 101, gid 101, on
//!   18.0's noble base uid 100, gid 101 (odoo/odoo#183106). Python 3 is there.
//! - postgres (docker-library/postgres): Debian variants `useradd --uid=999`
//!   with group 999, Alpine variants `adduser -u 70` with group 70;
//!   `pg_isready` ships with the server.
//! - mariadb (MariaDB/mariadb-docker): on its Ubuntu base
//!   `groupadd -r mysql && useradd -r -g mysql mysql` gives uid 999, gid
//!   999; it copies `healthcheck.sh` to /usr/local/bin and ships the
//!   `mariadb` client and `mariadb-dump` with the server.
//! - nginx (nginxinc/docker-nginx): user `nginx` uid 101, gid 101 in both
//!   variants; Alpine has busybox `wget`, Debian installs `curl`.
//! - node (nodejs/docker-node): `node` is the image's point.
//! - python and tiangolo/uvicorn-gunicorn-fastapi (built on python): `python3`.
//! - prom/prometheus, prom/node-exporter (quay.io/prometheus/busybox base) and
//!   gcr.io/cadvisor (Alpine; its own HEALTHCHECK uses wget): busybox `wget`.
//!
//! Where a generic runtime image expects an application's code ([`code_path`]),
//! for a site whose `app_dir` gen bind-mounts there:
//! - tiangolo/uvicorn-gunicorn(-fastapi) (github.com/tiangolo/uvicorn-gunicorn-docker,
//!   `WORKDIR /app/`, `ENV PYTHONPATH=/app`; its start.sh imports `main:app`
//!   from /app/main.py or /app/app/main.py, README "put your app in /app").
//!   The image's own /app holds only a sample app without `/health`.
//! - node (nodejs/docker-node): no `WORKDIR`, the process starts in `/`, so
//!   `npm run start` finds no package.json; compose sets `working_dir: /app`.
//! - python (docker-library/python): no `WORKDIR` either; `working_dir: /app`.
//! - php (docker-library/php): `WORKDIR /var/www/html`, the document root of
//!   the apache variants (the image's docs: `COPY src/ /var/www/html/`).
//!
//! These images carry a runtime and no application: run as they are, with
//! no code mounted and no command that names a script, they crash-loop or
//! serve a sample (check E214).

use serde::Serialize;

/// An image's family: what its health checks may call and who it runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    Odoo,
    Postgres,
    Nginx,
    Node,
    Python,
    /// The official redis images (alpine and Debian), with `redis-cli`.
    Redis,
    /// The official mariadb images, with `healthcheck.sh` and the clients.
    MariaDb,
    /// busybox or Alpine based, with `wget`.
    Busybox,
    /// Anything else: the probe tries each client in turn.
    Unknown,
}

/// The repository of an image reference, without registry, tag or digest.
fn repository(image: &str) -> &str {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.split(':').next().unwrap_or(last)
}

fn tag(image: &str) -> &str {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.split_once(':').map_or("", |(_, t)| t)
}

/// The family of an image reference.
pub fn family(image: &str) -> Family {
    let repo = repository(image);
    let tag = tag(image);
    match repo {
        "odoo" => Family::Odoo,
        "postgres" => Family::Postgres,
        "nginx" => Family::Nginx,
        "node" => Family::Node,
        "redis" => Family::Redis,
        "mariadb" => Family::MariaDb,
        "python" => Family::Python,
        r if r.starts_with("uvicorn-gunicorn") || r.contains("fastapi") => Family::Python,
        "prometheus" | "node-exporter" | "alertmanager" | "cadvisor" | "busybox" | "alpine" => Family::Busybox,
        _ if tag.contains("alpine") => Family::Busybox,
        _ => Family::Unknown,
    }
}

/// Where a generic runtime image expects an application's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodePath {
    /// The directory inside the container, e.g. `/app`.
    pub path: &'static str,
    /// Whether compose must set `working_dir` to it (the image has no
    /// `WORKDIR` there, so its command would start in `/`).
    pub working_dir: bool,
    /// The image family, for messages: `node`, `python`, `tiangolo`, `php`.
    pub runtime: &'static str,
}

/// The code path of a generic runtime image (node, python, tiangolo/*,
/// php); None for any other image, which gen takes to carry its own code.
/// Sources in the module header.
pub fn code_path(image: &str) -> Option<CodePath> {
    let without_digest = image.split('@').next().unwrap_or(image);
    let tiangolo = without_digest.split('/').any(|part| part == "tiangolo");
    let repo = repository(image);
    let (path, working_dir, runtime) = match repo {
        _ if tiangolo || repo.starts_with("uvicorn-gunicorn") => ("/app", false, "tiangolo"),
        "node" => ("/app", true, "node"),
        "python" => ("/app", true, "python"),
        "php" => ("/var/www/html", false, "php"),
        _ => return None,
    };
    Some(CodePath { path, working_dir, runtime })
}

/// The first number of an image's tag (`17.0` → 17).
fn major(image: &str) -> Option<u32> {
    tag(image).split(|c: char| !c.is_ascii_digit()).next().and_then(|m| m.parse().ok())
}

/// The programs a health check may call inside an image, by what its
/// official Dockerfile installs (sources in the module header): the table
/// [`http_probe`] picks from, and that `tests/versions.rs` holds every
/// generated health check to. Empty for an image gen does not know.
pub fn clients(image: &str) -> &'static [&'static str] {
    match family(image) {
        // The odoo Dockerfiles (17.0 on jammy, 18.0 on noble) install python3 and curl.
        Family::Odoo => &["python3", "curl"],
        Family::Postgres => &["pg_isready"],
        Family::Nginx if tag(image).contains("alpine") => &["wget"],
        Family::Nginx => &["curl"],
        Family::Node => &["node"],
        Family::Python => &["python3"],
        Family::Redis => &["redis-cli"],
        Family::MariaDb => &["healthcheck.sh", "mariadb"],
        Family::Busybox => &["wget"],
        Family::Unknown => &[],
    }
}

/// A compose `CMD-SHELL` test that GETs `url` with a tool the image ships.
/// `url` is gen's own (a fixed host, a port and a checked path, E211).
pub fn http_probe(image: &str, url: &str) -> Vec<String> {
    let python = format!("python3 -c \"import urllib.request; urllib.request.urlopen('{url}', timeout=4)\"");
    let node = format!("node -e \"fetch('{url}').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))\"");
    // A query's `&` or `?` would be shell syntax (E211 allows them): quoted then.
    let plain = url.bytes().all(|b| b.is_ascii_alphanumeric() || b"/:._~%-".contains(&b));
    let arg = if plain { url.to_string() } else { format!("'{url}'") };
    let wget = format!("wget -q -O /dev/null {arg}");
    let curl = format!("curl -fsS -o /dev/null {arg}");
    let cmd = match family(image) {
        Family::Odoo | Family::Python => python,
        Family::Node => node,
        Family::Nginx if tag(image).contains("alpine") => wget,
        Family::Nginx => curl,
        Family::Busybox => wget,
        // Postgres, Redis and MariaDB answer no HTTP; an unknown image gets every client in turn.
        Family::Postgres | Family::Redis | Family::MariaDb | Family::Unknown => format!(
            "if command -v wget >/dev/null; then {wget}; elif command -v curl >/dev/null; then {curl}; \
elif command -v python3 >/dev/null; then {python}; else {node}; fi"
        ),
    };
    vec!["CMD-SHELL".into(), cmd]
}

/// The user (uid, gid) an image's main process runs as, when gen knows it.
pub fn user(image: &str) -> Option<(u32, u32)> {
    match family(image) {
        Family::Odoo => Some(if major(image).is_some_and(|m| m >= 18) { (100, 101) } else { (101, 101) }),
        Family::Postgres => Some(if tag(image).contains("alpine") { (70, 70) } else { (999, 999) }),
        Family::Nginx => Some((101, 101)),
        // The redis Dockerfiles: alpine `adduser -S -G redis -u 999` with
        // group 1000, Debian `useradd -r -g redis -u 999` with group 999.
        Family::Redis => Some(if tag(image).contains("alpine") { (999, 1000) } else { (999, 999) }),
        Family::MariaDb => Some((999, 999)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_quoted_for_the_shell() {
        let probe = http_probe("nginx:1.28.0-alpine", "http://127.0.0.1:80/h?x=1&y=2");
        assert_eq!(probe[1], "wget -q -O /dev/null 'http://127.0.0.1:80/h?x=1&y=2'");
        let plain = http_probe("nginx:1.28.0-alpine", "http://127.0.0.1/health");
        assert_eq!(plain[1], "wget -q -O /dev/null http://127.0.0.1/health");
    }

    #[test]
    fn families_follow_the_repository() {
        assert_eq!(family("odoo:17.0"), Family::Odoo);
        assert_eq!(family("postgres:16.10-alpine"), Family::Postgres);
        assert_eq!(family("nginx:1.28.0-alpine"), Family::Nginx);
        assert_eq!(family("node:22-alpine"), Family::Node);
        assert_eq!(family("tiangolo/uvicorn-gunicorn-fastapi:python3.11"), Family::Python);
        assert_eq!(family("prom/node-exporter:v1.8.2"), Family::Busybox);
        assert_eq!(family("gcr.io/cadvisor/cadvisor:v0.49.1"), Family::Busybox);
        assert_eq!(family("registry.example.com:5000/shop/api:1.2"), Family::Unknown);
        assert_eq!(family("ghcr.io/acme/site:1.0-alpine"), Family::Busybox);
    }

    #[test]
    fn probes_use_what_the_image_ships() {
        let url = "http://127.0.0.1:80/health";
        assert!(http_probe("odoo:17.0", url)[1].starts_with("python3 "));
        assert!(http_probe("tiangolo/uvicorn-gunicorn-fastapi:python3.11", url)[1].starts_with("python3 "));
        assert!(http_probe("node:22-alpine", url)[1].starts_with("node "));
        assert!(http_probe("nginx:1.28.0-alpine", url)[1].starts_with("wget "));
        assert!(http_probe("nginx:1.28.0", url)[1].starts_with("curl "));
        assert!(http_probe("prom/prometheus:v2.53.2", url)[1].starts_with("wget "));
        assert!(http_probe("example/app:1", url)[1].contains("command -v wget"));
        for image in ["odoo:17.0", "node:22-alpine", "nginx:1.28.0-alpine", "nginx:1.28.0", "prom/prometheus:v2.53.2"] {
            let tool = http_probe(image, url)[1].split(' ').next().unwrap().to_string();
            assert!(clients(image).contains(&tool.as_str()), "{image}: {tool}");
        }
    }

    #[test]
    fn users_follow_the_official_dockerfiles() {
        assert_eq!(user("odoo:17.0"), Some((101, 101)));
        assert_eq!(user("odoo:18.0"), Some((100, 101)));
        assert_eq!(user("postgres:16.10-alpine"), Some((70, 70)));
        assert_eq!(user("postgres:16.10"), Some((999, 999)));
        assert_eq!(user("nginx:1.28.0-alpine"), Some((101, 101)));
        assert_eq!(user("mariadb:11.4.7"), Some((999, 999)));
        assert_eq!(user("node:22-alpine"), None);
    }

    #[test]
    fn runtimes_expect_code_where_their_images_start() {
        let node = code_path("node:22-alpine").unwrap();
        assert_eq!((node.path, node.working_dir), ("/app", true));
        let fastapi = code_path("tiangolo/uvicorn-gunicorn-fastapi:python3.11").unwrap();
        assert_eq!((fastapi.path, fastapi.working_dir, fastapi.runtime), ("/app", false, "tiangolo"));
        assert_eq!(code_path("docker.io/tiangolo/uwsgi-nginx-flask:python3.12").unwrap().runtime, "tiangolo");
        assert_eq!(code_path("python:3.12-slim").unwrap().path, "/app");
        assert_eq!(code_path("php:8.3-apache").unwrap().path, "/var/www/html");
        assert_eq!(code_path("ghcr.io/acme/site-01-frontend:1.4"), None);
        assert_eq!(code_path("nginx:1.28.0-alpine"), None);
    }
}
