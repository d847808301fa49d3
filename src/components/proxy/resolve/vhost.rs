//! Virtual hosts: every set of names nginx answers for on one host, whoever
//! asks for it (an Odoo environment, a website, a container service, a
//! static site, a redirect),
//! as one record. nginx's conf.d files (one skeleton,
//! `templates/nginx/vhost.conf.j2`, with a partial per location kind), the
//! Let's Encrypt certificates gen-certs requests, the basic-auth password
//! files install.sh writes and the directories nginx mounts are all derived
//! from these records, so a vhost and its certificate, password file or
//! mount cannot disagree (before, each was listed again from the blueprint
//! in its own module).

use serde::Serialize;

use crate::blueprint::model::{Access, BasicAuth, Blueprint, Host};
use crate::components::docker::resolve::compose::terminates_tls;

/// Where a location proxies to. nginx resolves `server` per request through
/// Docker's embedded DNS (`set $<var> <server>; proxy_pass http://$<var>;`),
/// never at start or reload: a stopped container then gives 502 for its own
/// site, not a proxy that refuses to start, and a recreated container's new
/// address is found without a reload.
#[derive(Debug, Clone, Serialize)]
pub struct Upstream {
    /// The nginx variable (without `$`) that holds `server`.
    pub var: String,
    /// `<service>:<port>` on the compose network.
    pub server: String,
    /// The comment line above its `set`, if any.
    pub comment: Option<String>,
}

impl Upstream {
    /// The upstream of compose service `service` on `port`; its variable is
    /// `gen_<service>` (`-` → `_`): the prefix keeps it clear of nginx's own
    /// variables (`$host`, `$upstream_http_…`, `$http_…`).
    pub fn new(service: &str, port: impl std::fmt::Display) -> Upstream {
        Upstream {
            var: format!("gen_{}", service.replace('-', "_")),
            server: format!("{service}:{port}"),
            comment: None,
        }
    }

    pub(crate) fn noted(mut self, comment: &str) -> Upstream {
        self.comment = Some(comment.to_string());
        self
    }
}

/// Who may reach a vhost, as nginx enforces it.
#[derive(Debug, Clone, Serialize)]
pub struct AccessRule {
    /// `public`, `basic_auth` or `vpn_only`.
    pub mode: &'static str,
    /// Networks allowed for `vpn_only` (`allow`, then `deny all`).
    pub allow: Vec<String>,
    /// The login for `basic_auth`.
    pub auth: Option<VhostAuth>,
}

/// A basic-auth password file: nginx reads it, install.sh writes it from
/// the secret in .env (bcrypt); it is never part of out/.
#[derive(Debug, Clone, Serialize)]
pub struct VhostAuth {
    /// `auth_basic`'s realm, shown by the browser's login prompt.
    pub realm: String,
    /// The file inside the nginx container (`auth_basic_user_file`).
    pub file: String,
    /// The same file on the host, under the stack's `nginx/auth/`.
    pub host_file: String,
    pub user: String,
    /// The secret (a `.env` name) that holds the password.
    pub secret: String,
}

/// One `location` block of a vhost.
#[derive(Debug, Clone, Serialize)]
pub struct Location {
    /// The location's match, e.g. `/`, `/api/`, `/web/static/`.
    pub path: String,
    /// The partial that renders it: `proxy` or `static`
    /// (`templates/nginx/location/<kind>.j2`).
    pub kind: &'static str,
    /// `proxy`: the upstream variable (without `$`) it passes to.
    pub upstream: String,
    /// `proxy`: pass `Upgrade`/`Connection` for WebSockets; otherwise the
    /// connection to the upstream is kept alive (`Connection ""`).
    pub upgrade: bool,
    /// nginx `expires` (browser caching); static assets also skip the
    /// access log.
    pub expires: Option<String>,
    /// `static`: the files' directory inside the nginx container.
    pub root: String,
}

impl Location {
    pub(crate) fn proxy(path: &str, upstream: &Upstream, upgrade: bool, expires: Option<&str>) -> Location {
        Location {
            path: path.into(),
            kind: "proxy",
            upstream: upstream.var.clone(),
            upgrade,
            expires: expires.map(str::to_string),
            root: String::new(),
        }
    }
}

/// nginx's `proxy_read_timeout` and `proxy_send_timeout` for Odoo, in
/// seconds: Odoo's long requests (reports, imports) run up to its
/// `limit_time_real`, which must stay below (E416); 720 s is the value of
/// Odoo's own nginx example (Odoo 17 documentation, "Deploying Odoo").
pub const ODOO_PROXY_TIMEOUT_S: u32 = 720;

/// Files on the host that a vhost serves (a static site's), mounted
/// read-only into nginx.
#[derive(Debug, Clone, Serialize)]
pub struct StaticFiles {
    /// The directory on the host; install.sh creates it (root, 0755), the
    /// operator's deploy fills it.
    pub host_dir: String,
    /// Where nginx sees it (`root`).
    pub mount: String,
    /// The reason printed beside the mount.
    pub why: String,
}

/// What a vhost serves, for the reader and for `gen plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VhostKind {
    Website,
    Odoo,
    Service,
    StaticSite,
    Redirect,
}

/// One conf.d file: the names, TLS, access and locations of one vhost.
#[derive(Debug, Clone, Serialize)]
pub struct Vhost {
    /// File name under conf.d, e.g. `site-shop.conf`.
    pub file: String,
    pub kind: VhostKind,
    /// The blueprint entry it comes from (JSON pointer).
    pub pointer: String,
    /// Comment lines under the header, without `# `.
    pub comments: Vec<String>,
    /// `server_name`, in blueprint order; the first names the certificate.
    pub domains: Vec<String>,
    /// `/etc/letsencrypt/live/<first domain>` when nginx terminates TLS on
    /// this host; empty when a load balancer does.
    pub cert_dir: String,
    pub access: AccessRule,
    /// `set $var server;` lines, resolved per request.
    pub upstreams: Vec<Upstream>,
    /// `X-Forwarded-Proto` sent upstream: `$scheme`, or `$forwarded_proto`
    /// (nginx.conf's map) where a load balancer may end TLS.
    pub forwarded_proto: &'static str,
    /// `proxy_redirect off`: the application builds its own absolute URLs
    /// from the forwarded headers (Odoo's `proxy_mode`).
    pub proxy_redirect_off: bool,
    /// Further server-level directives (timeouts), each with its `;`.
    pub directives: Vec<String>,
    pub locations: Vec<Location>,
    /// A redirect vhost's `return` (status and target), instead of locations.
    pub redirect: Option<String>,
    /// The host directory it serves, for a static site.
    pub files: Option<StaticFiles>,
}

impl Vhost {
    /// The certificate this vhost needs (its domains), when nginx terminates TLS.
    pub fn certificate(&self) -> Option<&[String]> {
        (!self.cert_dir.is_empty()).then_some(self.domains.as_slice())
    }
}

/// The host's file of a basic-auth login and nginx's view of it.
fn auth(project: &str, id: &str, realm: String, login: &BasicAuth) -> VhostAuth {
    VhostAuth {
        realm,
        file: format!("/etc/nginx/auth/{id}.htpasswd"),
        host_file: format!("/opt/{project}/nginx/auth/{id}.htpasswd"),
        user: login.user.to_string(),
        secret: login.password_secret.to_string(),
    }
}

fn access_rule(bp: &Blueprint, access: Access, login: Option<&BasicAuth>, id: &str, realm: String) -> AccessRule {
    AccessRule {
        mode: match access {
            Access::Public => "public",
            Access::BasicAuth => "basic_auth",
            Access::VpnOnly => "vpn_only",
        },
        allow: match (access, &bp.vpn) {
            (Access::VpnOnly, Some(vpn)) => vec![vpn.subnet.clone()],
            _ => Vec::new(),
        },
        auth: login.filter(|_| access == Access::BasicAuth).map(|l| auth(&bp.project.name.0, id, realm, l)),
    }
}

const PUBLIC: AccessRule = AccessRule { mode: "public", allow: Vec::new(), auth: None };

/// What every vhost of one host starts from: its names and, where nginx
/// ends TLS, its certificate; public; nothing in it yet. Each kind of
/// component makes its vhosts from it ([`crate::components::Kind::vhosts`]).
pub struct VhostBase<'a> {
    bp: &'a Blueprint,
    tls: bool,
}

impl VhostBase<'_> {
    /// The base of `host`'s vhosts.
    pub fn new<'a>(bp: &'a Blueprint, host: &Host) -> VhostBase<'a> {
        VhostBase { bp, tls: terminates_tls(bp, host) }
    }

    /// Whether nginx ends TLS on this host (else a load balancer does).
    pub fn tls(&self) -> bool {
        self.tls
    }

    /// A vhost in conf.d/`file` for `domains`, written at `pointer`: the
    /// first domain names its certificate (`/etc/letsencrypt/live/<first>`)
    /// when nginx ends TLS here.
    pub fn vhost(&self, file: String, kind: VhostKind, pointer: String, domains: &[String]) -> Vhost {
        let cert_dir = match domains.first() {
            Some(first) if self.tls => format!("/etc/letsencrypt/live/{first}"),
            _ => String::new(),
        };
        Vhost {
            file,
            kind,
            pointer,
            comments: Vec::new(),
            cert_dir,
            domains: domains.to_vec(),
            access: PUBLIC,
            upstreams: Vec::new(),
            // Behind a load balancer that ends TLS, the scheme is the one it
            // saw (nginx.conf's map); where nginx ends TLS, a client's header
            // is not trusted. Every kind of vhost: an Odoo behind the load
            // balancer was told `http` (found by the harness's scale-out).
            forwarded_proto: if self.tls { "$scheme" } else { "$forwarded_proto" },
            proxy_redirect_off: false,
            directives: Vec::new(),
            locations: Vec::new(),
            redirect: None,
            files: None,
        }
    }

    /// The access rule of a vhost: `public`, `basic_auth` with `login` (its
    /// password file named after `id`, the browser prompt `realm`) or
    /// `vpn_only`.
    pub fn access(&self, access: Access, login: Option<&BasicAuth>, id: &str, realm: String) -> AccessRule {
        access_rule(self.bp, access, login, id, realm)
    }
}

/// Every vhost nginx serves on `host`, in a stable order: websites, Odoo
/// environments, container services, static sites, redirects (each in
/// blueprint order). Empty when nothing is served there.
pub fn on_host(bp: &Blueprint, host: &Host) -> Vec<Vhost> {
    let tls = terminates_tls(bp, host);
    let base = VhostBase::new(bp, host);
    let vhost = |file: String, kind, pointer: String, domains: &[String]| base.vhost(file, kind, pointer, domains);
    let mut out = Vec::new();
    if let Some(web) = &bp.websites {
        for (i, site) in web.sites_on(&host.name).iter().map(|&i| (i, &web.sites[i])) {
            let parts = web.parts(i);
            let upstreams: Vec<Upstream> = parts
                .iter()
                .enumerate()
                .map(|(j, part)| {
                    let upstream = Upstream::new(&format!("{}-{}", site.name, part.name), part.component.port);
                    if j > 0 {
                        return upstream;
                    }
                    upstream.noted(
                        "Resolved per request (resolver in nginx.conf): a stopped container gives 502 for this site only.",
                    )
                })
                .collect();
            let locations = parts
                .iter()
                .zip(&upstreams)
                .flat_map(|(part, upstream)| {
                    part.routes.iter().map(move |r| Location::proxy(&r.path, upstream, r.upgrade, r.expires))
                })
                .collect();
            let routes = if web.defaults.is_pair() && site.parts.is_none() {
                "/api/ → FastAPI backend, everything else → Next.js frontend".to_string()
            } else {
                parts
                    .iter()
                    .map(|p| {
                        format!(
                            "{} → {}-{}",
                            p.routes.iter().map(|r| r.path.as_str()).collect::<Vec<_>>().join(", "),
                            site.name,
                            p.name
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let tls_note = match (bp.load_balancers_of(host.name.as_str()).next(), tls) {
                (Some((_, lb)), false) => {
                    format!("TLS terminates at load balancer `{}`; it redirects HTTP to HTTPS", lb.name)
                }
                _ => "TLS terminates here".into(),
            };
            out.push(Vhost {
                comments: vec![format!("Site `{}`: {routes}.", site.name), format!("{tls_note}.")],
                locations,
                upstreams,
                ..vhost(
                    format!("site-{}.conf", site.name),
                    VhostKind::Website,
                    format!("/websites/sites/{i}"),
                    &site.domains,
                )
            });
        }
    }
    for (a, app) in bp.applications.iter().enumerate().filter(|(_, a)| a.runs_on(&host.name)) {
        for (e, env) in app.environments.iter().enumerate() {
            let service = format!("{}-{}", app.name, env.name);
            let http = Upstream::new(&service, 8069)
                .noted("Resolved per request (resolver in nginx.conf): a stopped Odoo gives 502 here only.");
            let mut websocket = Upstream::new(
                &service,
                crate::components::odoo::resolve::websocket_port(&crate::resolve::connections::processes_for(app, host, env)),
            )
            .noted("Odoo's websockets (live chat, notifications, bus): the gevent process when Odoo runs workers, else its HTTP server.");
            websocket.var.push_str("_websocket");
            let access =
                access_rule(bp, env.access, env.basic_auth.as_ref(), &service, format!("{service}: restricted"));
            out.push(Vhost {
                comments: vec![
                    format!("Odoo environment `{service}` at {}, access: {}.", env.domain, access.mode),
                    "Odoo runs with proxy_mode = True; it trusts the X-Forwarded-* headers set here.".into(),
                ],
                access,
                locations: vec![
                    Location::proxy("/websocket", &websocket, true, None),
                    Location::proxy("/web/static/", &http, false, Some("7d")),
                    Location::proxy("/", &http, false, None),
                ],
                upstreams: vec![http, websocket],
                proxy_redirect_off: true,
                directives: vec![
                    "proxy_connect_timeout 10s;".into(),
                    format!("proxy_read_timeout {ODOO_PROXY_TIMEOUT_S}s;"),
                    format!("proxy_send_timeout {ODOO_PROXY_TIMEOUT_S}s;"),
                ],
                ..vhost(
                    format!("{service}.conf"),
                    VhostKind::Odoo,
                    format!("/applications/{a}/environments/{e}"),
                    std::slice::from_ref(&env.domain),
                )
            });
        }
    }
    out.extend(crate::components::vhosts(bp, host, &base));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_variables_stay_clear_of_nginx_names() {
        let u = Upstream::new("site-01-backend", 80);
        assert_eq!(u.var, "gen_site_01_backend");
        assert_eq!(u.server, "site-01-backend:80");
    }
}
