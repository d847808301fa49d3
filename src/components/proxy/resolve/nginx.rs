//! The nginx proxy of one host: which syntax its version takes, the TLS
//! profile, and its virtual hosts ([`crate::components::proxy::resolve::vhost`]).

use serde::Serialize;

use crate::blueprint::model::{Blueprint, Host};
use crate::blueprint::units::{Image, Size};
use crate::components::proxy::resolve::vhost::Vhost;
use crate::resolve::placement::{Placed, Role};

pub const DEFAULT_IMAGE: &str = "nginx:1.28.0-alpine";

/// Mozilla's intermediate profile, server-side TLS guideline 6.0: TLS 1.2
/// and 1.3, the six ECDHE AEAD suites, no DHE.
pub const MOZILLA_INTERMEDIATE_CIPHERS: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:\
ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

#[derive(Debug, Clone, Serialize)]
pub struct NginxPlan {
    pub image: String,
    pub version: String,
    /// `http2 on;` (nginx ≥ 1.25.1) instead of the `http2` listen parameter.
    pub http2_directive: bool,
    pub http2_why: String,
    /// Some server on this host terminates TLS.
    pub tls: bool,
    pub ciphers: &'static str,
    pub max_body: String,
    /// One conf.d file each ([`crate::components::proxy::resolve::vhost::on_host`]).
    pub vhosts: Vec<Vhost>,
    /// `resolver` for the per-request lookups of upstreams (see [`crate::components::proxy::resolve::vhost::Upstream`]).
    pub resolver: &'static str,
    pub resolver_valid: &'static str,
    /// The range whose `X-Forwarded-For` nginx trusts for the client's
    /// address (`set_real_ip_from`): the private subnet a load balancer
    /// reaches this host through. None when no load balancer targets the
    /// host over a private network (a public load balancer's addresses are
    /// not known in advance, so nothing is trusted).
    pub real_ip_from: Option<String>,
}

/// nginx's logs as files on the host, so that fail2ban has a path that
/// exists before any container runs and stays the same when compose
/// recreates nginx (Docker's json-file logs are per container id, appear
/// only once the container exists, and a glob over them reads every other
/// container's log too). The official image's /var/log/nginx/{access,error}.log
/// are symlinks to stdout/stderr (its Dockerfile); bind-mounting a host
/// directory over /var/log/nginx replaces them with these files. nginx's
/// master runs as root and opens them, so the directory is root's, 0755.
#[derive(Debug, Clone, Serialize)]
pub struct NginxLogs {
    /// Host directory, mounted at [`LOG_MOUNT`].
    pub dir: String,
    /// The files nginx.conf names (`error_log`, `access_log`), on the host;
    /// install.sh creates each when missing, before fail2ban starts.
    pub files: Vec<String>,
    /// The error log: failed basic-auth logins, read by fail2ban's jail.
    pub error_log: String,
    /// The compose container that logrotate's `postrotate` tells to reopen
    /// its logs (`nginx -s reopen`, nginx's documented way after a rename).
    pub container: &'static str,
    /// logrotate's config file on the host.
    pub logrotate: String,
}

/// Where nginx.conf writes its logs inside the container.
pub const LOG_MOUNT: &str = "/var/log/nginx";

/// The nginx logs of a project's hosts: `/var/log/<project>/nginx`.
pub fn logs(project: &str) -> NginxLogs {
    let dir = format!("/var/log/{project}/nginx");
    NginxLogs {
        files: vec![format!("{dir}/access.log"), format!("{dir}/error.log")],
        error_log: format!("{dir}/error.log"),
        logrotate: format!("/etc/logrotate.d/{project}-nginx"),
        dir,
        container: "nginx",
    }
}

/// Docker's embedded DNS server, which every container on a user-defined
/// network reaches at this address.
pub const DOCKER_DNS: &str = "127.0.0.11";

/// How long nginx caches an answer: a recreated container is found within it.
pub const RESOLVER_VALID: &str = "10s";

pub fn image(bp: &Blueprint) -> Image {
    bp.proxy.as_ref().and_then(|p| p.image.clone()).unwrap_or_else(|| Image(DEFAULT_IMAGE.into()))
}

/// `http2 on;` exists from nginx 1.25.1; older versions (Debian 12 ships
/// 1.22) only know `listen 443 ssl http2;`, which 1.25.1+ deprecates. The
/// version is in gen's table, [`crate::resolve::versions::NGINX`].
pub fn http2_directive(version: &[u32]) -> bool {
    let v = [0, 1, 2].map(|i| version.get(i).copied().unwrap_or(0));
    crate::resolve::versions::nginx_has("http2", None, v)
}

/// The load balancer's subnet when it reaches `host` over the private
/// network: only it can set the client's address (nginx's realip module;
/// Hetzner's load balancer sends `X-Forwarded-For` with the HTTP and HTTPS
/// protocols). Without it nginx logs, allows and bans the load balancer's
/// address for every visitor (found by the deployment harness).
fn real_ip_from(bp: &Blueprint, host: &Host) -> Option<String> {
    let (_, lb) = bp.load_balancers_of(host.name.as_str()).next()?;
    let (_, net) = bp.network_of_load_balancer(lb)?;
    Some(net.subnet.clone())
}

/// nginx on `host`, serving `vhosts` ([`crate::components::proxy::resolve::vhost::on_host`]); None
/// when placement puts no proxy there.
pub fn plan(bp: &Blueprint, host: &Host, placed: &[Placed], vhosts: &[Vhost]) -> Option<NginxPlan> {
    if !placed.iter().any(|p| p.role == Role::Proxy) {
        return None;
    }
    let image = image(bp);
    // A floating tag (W420) gets the newest nginx gen knows.
    let version = crate::resolve::versions::nginx(&image).version;
    let version_text = crate::resolve::versions::dotted(&version);
    let http2 = http2_directive(&version);
    let max_body = bp.proxy.as_ref().and_then(|p| p.max_body).unwrap_or(Size::mib(16));
    Some(NginxPlan {
        image: image.0.clone(),
        http2_why: format!(
            "nginx {version_text} {}",
            if http2 {
                "takes `http2 on;` (1.25.1 and later)"
            } else {
                "predates `http2 on;` (1.25.1): `listen … http2`"
            }
        ),
        version: version_text,
        http2_directive: http2,
        tls: vhosts.iter().any(|v| v.certificate().is_some()),
        ciphers: MOZILLA_INTERMEDIATE_CIPHERS,
        max_body: max_body.to_string().to_lowercase(),
        vhosts: vhosts.to_vec(),
        resolver: DOCKER_DNS,
        resolver_valid: RESOLVER_VALID,
        real_ip_from: real_ip_from(bp, host),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http2_syntax_follows_the_version() {
        assert!(!http2_directive(&[1, 22, 1]));
        assert!(!http2_directive(&[1, 25, 0]));
        assert!(http2_directive(&[1, 25, 1]));
        assert!(http2_directive(&[1, 28]));
        assert!(http2_directive(&[2]));
        assert!(!http2_directive(&[]));
    }

    #[test]
    fn ciphers_are_the_six_ecdhe_aead_suites() {
        let suites: Vec<&str> = MOZILLA_INTERMEDIATE_CIPHERS.split(':').collect();
        assert_eq!(suites.len(), 6);
        assert!(suites.iter().all(|s| s.starts_with("ECDHE-") && (s.contains("GCM") || s.contains("CHACHA20"))));
    }
}
