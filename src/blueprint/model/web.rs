//! What nginx serves without a container of its own: static sites (files
//! on the host) and redirects (`www` → apex, an old domain → the new one).

use schemars::JsonSchema;
use serde::Deserialize;

use super::services::{Access, BasicAuth};
use crate::blueprint::units::Name;

/// A static site: files in a directory on the host, served by nginx as they
/// are (a landing page, a generated site, documentation).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StaticSite {
    /// The site's name: its vhost is `conf.d/static-<name>.conf`.
    #[schemars(example = &"landing")]
    pub name: Name,
    /// Hosts whose nginx serves it; behind a load balancer, each of its
    /// targets that should answer (the files must be on every one).
    pub hosts: Vec<Name>,
    /// Domain names nginx serves it under (`server_name`); with TLS at
    /// nginx, one Let's Encrypt certificate covers them, the first names it.
    #[schemars(example = ["example.com"])]
    pub domains: Vec<String>,
    /// The directory on the host that holds the files (`index.html` at its
    /// top), bind-mounted read-only into nginx; the operator's deploy
    /// (rsync, git) fills it and install.sh creates it (root, 0755) when
    /// missing. Left out: `/srv/<project>/static/<name>`.
    #[serde(default)]
    #[schemars(example = &"/srv/www/landing")]
    pub root: Option<String>,
    /// `public`, `basic_auth` or `vpn_only`. Left out: `public`.
    #[serde(default)]
    pub access: Option<Access>,
    /// The login for `access: basic_auth` (install.sh writes the password
    /// file from the secret in .env; it is never in out/).
    #[serde(default)]
    pub basic_auth: Option<BasicAuth>,
    /// How long browsers may cache the files (nginx `expires`, e.g. `1h`,
    /// `7d`). Left out: no `Expires`/`Cache-Control` header, browsers
    /// revalidate by `Last-Modified`.
    #[serde(default)]
    #[schemars(example = &"1h")]
    pub expires: Option<String>,
}

/// A redirect: every request to its domains answered with a redirect to
/// another domain or URL (nginx `return`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Redirect {
    /// The domains that redirect; with TLS at nginx they get a certificate
    /// of their own, so that `https://www.example.com` answers too.
    #[schemars(example = ["www.example.com"])]
    pub from: Vec<String>,
    /// Where to: a domain (`example.com`: the scheme becomes `https`) or an
    /// absolute `https://` or `http://` URL, without query.
    #[schemars(example = &"example.com")]
    pub to: String,
    /// Hosts whose nginx answers for `from` (where its DNS points, or the
    /// load balancer's targets).
    pub hosts: Vec<Name>,
    /// `true`: 301 Moved Permanently (browsers and search engines remember
    /// it). `false`: 302 Found, for a move that may be undone. Default:
    /// `true`.
    #[serde(default = "super::yes")]
    pub permanent: bool,
    /// `true`: the request's path and query follow (`/a?b` →
    /// `https://example.com/a?b`). `false`: every path goes to `to` as it
    /// is. Default: `true`.
    #[serde(default = "super::yes")]
    pub keep_path: bool,
}

impl StaticSite {
    /// Who may reach it; `public` when left out.
    pub fn access(&self) -> Access {
        self.access.unwrap_or(Access::Public)
    }

    /// The directory on the host: `root`, or `/srv/<project>/static/<name>`.
    pub fn root_dir(&self, project: &str) -> String {
        self.root.clone().unwrap_or_else(|| format!("/srv/{project}/static/{}", self.name))
    }
}

/// What asks nginx to serve a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServedBy {
    Website,
    Odoo,
    Service,
    StaticSite,
    Redirect,
}

/// One domain name nginx serves, with the blueprint entry that asks for it
/// and the hosts whose nginx answers for it.
#[derive(Debug, Clone)]
pub struct ServedName<'a> {
    pub domain: &'a str,
    /// JSON pointer of the domain value, for diagnostics.
    pub pointer: String,
    pub by: ServedBy,
    pub hosts: Vec<&'a Name>,
}

/// A vhost that may restrict who reaches it: an Odoo environment, a
/// container service with domains or a static site, with its `access` and
/// login.
#[derive(Debug, Clone)]
pub struct Guarded<'a> {
    /// Its name (`prod`, `docs`) and what it is, for messages:
    /// "environment `prod`", "static site `docs`".
    pub name: &'a str,
    pub what: String,
    /// JSON pointer of the entry (its `access` is `<pointer>/access`).
    pub pointer: String,
    pub access: Access,
    pub basic_auth: Option<&'a BasicAuth>,
    pub domains: Vec<&'a str>,
    pub hosts: Vec<&'a Name>,
}

impl super::Blueprint {
    /// Every domain name nginx serves, in blueprint order: websites' sites,
    /// Odoo environments, container services, static sites, redirects. Name, syntax,
    /// certificate and load-balancer rules all read this one list, so a new
    /// kind of vhost is checked by adding it here.
    pub fn served_names(&self) -> Vec<ServedName<'_>> {
        let mut out = Vec::new();
        if let Some(web) = &self.websites {
            for (i, site) in web.sites.iter().enumerate() {
                // The one rule of who runs a site: `sites_on`'s (its lists are in index order).
                let hosts: Vec<&Name> =
                    web.hosts.iter().filter(|h| web.sites_on(h).binary_search(&i).is_ok()).collect();
                for (d, domain) in site.domains.iter().enumerate() {
                    out.push(ServedName {
                        domain,
                        pointer: format!("/websites/sites/{i}/domains/{d}"),
                        by: ServedBy::Website,
                        hosts: hosts.clone(),
                    });
                }
            }
        }
        for (a, app) in self.applications.iter().enumerate() {
            for (e, env) in app.environments.iter().enumerate() {
                out.push(ServedName {
                    domain: &env.domain,
                    pointer: format!("/applications/{a}/environments/{e}/domain"),
                    by: ServedBy::Odoo,
                    hosts: vec![&app.host],
                });
            }
        }
        for (i, service) in self.services.iter().enumerate() {
            for (d, domain) in service.domains.iter().enumerate() {
                out.push(ServedName {
                    domain,
                    pointer: format!("/services/{i}/domains/{d}"),
                    by: ServedBy::Service,
                    hosts: vec![&service.host],
                });
            }
        }
        for (i, site) in self.static_sites.iter().enumerate() {
            for (d, domain) in site.domains.iter().enumerate() {
                out.push(ServedName {
                    domain,
                    pointer: format!("/static_sites/{i}/domains/{d}"),
                    by: ServedBy::StaticSite,
                    hosts: site.hosts.iter().collect(),
                });
            }
        }
        for (i, r) in self.redirects.iter().enumerate() {
            for (d, domain) in r.from.iter().enumerate() {
                out.push(ServedName {
                    domain,
                    pointer: format!("/redirects/{i}/from/{d}"),
                    by: ServedBy::Redirect,
                    hosts: r.hosts.iter().collect(),
                });
            }
        }
        out
    }

    /// The names served on the load balancer's targets, in
    /// [`served_names`](Self::served_names) order: with `tls: terminate` its
    /// managed certificates must cover each of them. Empty without a load
    /// balancer.
    pub fn load_balanced_names(&self) -> Vec<ServedName<'_>> {
        let Some(lb) = &self.load_balancer else { return Vec::new() };
        self.served_names().into_iter().filter(|n| n.hosts.iter().any(|h| lb.targets.contains(h))).collect()
    }

    /// Every vhost with an `access` setting, in blueprint order: Odoo
    /// environments, container services with domains, static sites. The access rules (a VPN for
    /// `vpn_only`, a login and its secret for `basic_auth`, the VPN's DNS)
    /// read this one list.
    pub fn guarded(&self) -> Vec<Guarded<'_>> {
        let mut out = Vec::new();
        for (a, app) in self.applications.iter().enumerate() {
            for (e, env) in app.environments.iter().enumerate() {
                out.push(Guarded {
                    name: env.name.as_str(),
                    what: format!("environment `{}`", env.name),
                    pointer: format!("/applications/{a}/environments/{e}"),
                    access: env.access,
                    basic_auth: env.basic_auth.as_ref(),
                    domains: vec![env.domain.as_str()],
                    hosts: vec![&app.host],
                });
            }
        }
        for (i, service) in self.services.iter().enumerate().filter(|(_, s)| !s.domains.is_empty()) {
            out.push(Guarded {
                name: service.name.as_str(),
                what: format!("service `{}`", service.name),
                pointer: format!("/services/{i}"),
                access: service.access(),
                basic_auth: service.basic_auth.as_ref(),
                domains: service.domains.iter().map(String::as_str).collect(),
                hosts: vec![&service.host],
            });
        }
        for (i, site) in self.static_sites.iter().enumerate() {
            out.push(Guarded {
                name: site.name.as_str(),
                what: format!("static site `{}`", site.name),
                pointer: format!("/static_sites/{i}"),
                access: site.access(),
                basic_auth: site.basic_auth.as_ref(),
                domains: site.domains.iter().map(String::as_str).collect(),
                hosts: site.hosts.iter().collect(),
            });
        }
        out
    }
}
