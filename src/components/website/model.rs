//! The website component's blueprint types: `websites:`, sites served from
//! a group of hosts, each made of parts (containers and the paths they
//! answer), the backend + frontend pair being one case.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::blueprint::model::{Resources, ServedName};
use crate::blueprint::units::{Image, Name};

/// Web sites served from a group of hosts.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Websites {
    /// Hosts that each run every site (behind the load balancer).
    pub hosts: Vec<Name>,
    /// The backend and frontend every site runs unless it names its own.
    pub defaults: SiteParts,
    /// The sites, each with its domains.
    pub sites: Vec<Site>,
    /// Which sites each host runs (indices into `sites`), built on first
    /// use: the plan and five checks ask for every host, and a scan of all
    /// sites per question made a large fleet cost sites × hosts².
    #[serde(skip)]
    #[schemars(skip)]
    by_host: OnceLock<HashMap<String, Vec<usize>>>,
    /// Which hosts run each site (indices into `hosts`), the inverse of
    /// `by_host`, built on first use: asking every host about every site
    /// cost sites × hosts.
    #[serde(skip)]
    #[schemars(skip)]
    by_site: OnceLock<Vec<Vec<usize>>>,
}

impl Websites {
    /// The containers site `site` runs, in route order: the pair (the
    /// site's own `backend`/`frontend`, else the defaults'), or the site's
    /// own `parts`, else the defaults' `parts`. A pair half written nowhere
    /// is left out (E229 reports it). Empty for an index out of range.
    pub fn parts(&self, site: usize) -> Vec<ResolvedPart<'_>> {
        let Some(s) = self.sites.get(site) else { return Vec::new() };
        if let Some(own) = &s.parts {
            return SitePart::resolve(own, &format!("/websites/sites/{site}"));
        }
        if !self.defaults.is_pair() && s.backend.is_none() && s.frontend.is_none() {
            return SitePart::resolve(&self.defaults.parts, "/websites/defaults");
        }
        [("backend", &s.backend, &self.defaults.backend), ("frontend", &s.frontend, &self.defaults.frontend)]
            .into_iter()
            .filter_map(|(name, own, default)| {
                let (component, pointer) = match (own, default) {
                    (Some(c), _) => (c, format!("/websites/sites/{site}/{name}")),
                    (None, Some(c)) => (c, format!("/websites/defaults/{name}")),
                    (None, None) => return None,
                };
                Some(ResolvedPart { name, component, pointer, routes: SiteParts::pair_routes(name) })
            })
            .collect()
    }

    /// Every component as written, each once with its JSON pointer: the
    /// defaults', then each site's own.
    pub fn written_components(&self) -> Vec<(String, &Component)> {
        let mut out = Vec::new();
        let d = &self.defaults;
        out.extend(d.backend.iter().map(|c| ("/websites/defaults/backend".to_string(), c)));
        out.extend(d.frontend.iter().map(|c| ("/websites/defaults/frontend".to_string(), c)));
        out.extend(
            d.parts.iter().enumerate().map(|(j, p)| (format!("/websites/defaults/parts/{j}/container"), &p.container)),
        );
        for (i, site) in self.sites.iter().enumerate() {
            let at = format!("/websites/sites/{i}");
            out.extend(site.backend.iter().map(|c| (format!("{at}/backend"), c)));
            out.extend(site.frontend.iter().map(|c| (format!("{at}/frontend"), c)));
            for (j, p) in site.parts.iter().flatten().enumerate() {
                out.push((format!("{at}/parts/{j}/container"), &p.container));
            }
        }
        out
    }

    /// Indices into `sites` of the sites `host` runs (a websites host that
    /// the site names, or any websites host when it names none), in the
    /// blueprint's order; empty for a host outside `websites.hosts`.
    pub fn sites_on(&self, host: &Name) -> &[usize] {
        let by_host = self.by_host.get_or_init(|| {
            let mut by_host: HashMap<String, Vec<usize>> = HashMap::new();
            for h in &self.hosts {
                by_host.entry(h.0.clone()).or_default();
            }
            for (i, site) in self.sites.iter().enumerate() {
                match &site.hosts {
                    // A site listing a host twice still runs there once.
                    Some(own) => {
                        for h in own {
                            if let Some(list) = by_host.get_mut(&h.0) {
                                if list.last() != Some(&i) {
                                    list.push(i);
                                }
                            }
                        }
                    }
                    None => by_host.values_mut().for_each(|list| list.push(i)),
                }
            }
            by_host
        });
        by_host.get(&host.0).map_or(&[], Vec::as_slice)
    }

    /// The websites hosts that run site `site`, in `hosts` order (a host
    /// listed twice there, twice): the hosts whose [`sites_on`](Self::sites_on)
    /// holds it, so both answer by one rule. Empty for an index out of range.
    pub fn hosts_of(&self, site: usize) -> Vec<&Name> {
        let by_site = self.by_site.get_or_init(|| {
            let mut by_site = vec![Vec::new(); self.sites.len()];
            for (h, host) in self.hosts.iter().enumerate() {
                for &i in self.sites_on(host) {
                    by_site[i].push(h);
                }
            }
            by_site
        });
        by_site.get(site).map_or_else(Vec::new, |hosts| hosts.iter().map(|&h| &self.hosts[h]).collect())
    }
}

/// The containers of a site: the backend + frontend pair (an API under
/// `/api/` and a Next.js-style frontend for everything else), or any
/// containers, each under the paths nginx routes to it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteParts {
    /// The API container; nginx routes `/api/` to it. With `frontend`, the
    /// pair; leave both out for `parts`.
    #[serde(default)]
    pub backend: Option<Component>,
    /// The container that serves every other path (`/`, with WebSocket
    /// upgrades, and `/_next/static/` cached for a year).
    #[serde(default)]
    pub frontend: Option<Component>,
    /// Any containers instead of the pair, each with the path prefixes
    /// nginx routes to it (`location` prefixes: the longest match wins, as in
    /// nginx). Default: none (the pair).
    #[serde(default)]
    pub parts: Vec<SitePart>,
}

/// One container of a site in the general form, with its routes.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SitePart {
    /// The part's name: its container is `<site>-<name>`.
    #[schemars(example = &"app")]
    pub name: Name,
    /// Path prefixes nginx sends to this container (each starts with `/`;
    /// `/` takes whatever no other part's prefix matches). Requests are
    /// proxied with WebSocket upgrades.
    #[schemars(example = ["/"])]
    pub paths: Vec<String>,
    /// The container.
    pub container: Component,
}

impl SitePart {
    /// The parts of one list written at `at`, resolved: each path prefix
    /// proxied with WebSocket upgrades, nothing cached by nginx.
    fn resolve<'a>(parts: &'a [SitePart], at: &str) -> Vec<ResolvedPart<'a>> {
        parts
            .iter()
            .enumerate()
            .map(|(j, p)| ResolvedPart {
                name: &p.name.0,
                component: &p.container,
                pointer: format!("{at}/parts/{j}/container"),
                routes: p.paths.iter().map(|path| Route { path: path.clone(), upgrade: true, expires: None }).collect(),
            })
            .collect()
    }
}

/// One path prefix nginx routes to a site's container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The `location` prefix.
    pub path: String,
    /// Whether WebSocket upgrades pass (`Upgrade`/`Connection` headers).
    pub upgrade: bool,
    /// nginx `expires` for the prefix, when its responses are cached.
    pub expires: Option<&'static str>,
}

/// A container one site runs, resolved: the site's own component or the
/// defaults', the JSON pointer it was written at, and its routes.
#[derive(Debug, Clone)]
pub struct ResolvedPart<'a> {
    /// The part's name (`backend`, `frontend`, or a `parts[].name`); the
    /// container is `<site>-<name>`.
    pub name: &'a str,
    pub component: &'a Component,
    /// Where `component` was written, e.g. `/websites/defaults/backend` or
    /// `/websites/sites/3/parts/0/container`.
    pub pointer: String,
    pub routes: Vec<Route>,
}

impl SiteParts {
    /// The pair's routes: the backend under `/api/`; the frontend under
    /// `/` with WebSocket upgrades and its build assets (`/_next/static/`,
    /// content-hashed file names) cached for a year.
    fn pair_routes(part: &str) -> Vec<Route> {
        let route = |path: &str, upgrade, expires| Route { path: path.into(), upgrade, expires };
        match part {
            "backend" => vec![route("/api/", false, None)],
            _ => vec![route("/_next/static/", false, Some("365d")), route("/", true, None)],
        }
    }

    /// Whether these parts are the backend + frontend pair (either written).
    pub fn is_pair(&self) -> bool {
        self.backend.is_some() || self.frontend.is_some()
    }
}

/// One web site.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// The site's name: its containers are `<name>-<part>`
    /// (`<name>-backend` and `<name>-frontend` for the pair).
    pub name: Name,
    /// Domain names nginx serves it under (`server_name`); the first names
    /// the certificate.
    #[schemars(example = ["www.example.com", "example.com"])]
    pub domains: Vec<String>,
    /// Hosts that run this site, from `websites.hosts`; all of them when left
    /// out. A large fleet shards its sites over pairs of hosts this way.
    #[serde(default)]
    pub hosts: Option<Vec<Name>>,
    /// This site's own backend. Left out: `websites.defaults.backend`.
    #[serde(default)]
    pub backend: Option<Component>,
    /// This site's own frontend. Left out: `websites.defaults.frontend`.
    #[serde(default)]
    pub frontend: Option<Component>,
    /// This site's own containers in the general form, in place of the
    /// defaults' (all of them). Left out: `websites.defaults`.
    #[serde(default)]
    pub parts: Option<Vec<SitePart>>,
}

/// One container of a site.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// The container image, `repository:tag` with a fixed tag.
    #[schemars(example = &"node:20.19.5-alpine")]
    pub image: Image,
    /// The port the container listens on.
    #[schemars(example = 3000)]
    pub port: u16,
    /// Path that answers 200 when the container is healthy (Docker
    /// `healthcheck`). Left out: `/`.
    #[serde(default)]
    #[schemars(example = &"/health")]
    pub health_path: Option<String>,
    /// The container's command, one argument per entry (compose `command`).
    /// Left out: the image's own `CMD`.
    #[serde(default)]
    #[schemars(example = ["node", "server.js"])]
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
    /// Default: none.
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    /// CPU and memory of the container. Left out: no limit (W403).
    #[serde(default)]
    pub resources: Resources,
    /// Host ports to publish (`"8000:80"`); only for services that are meant
    /// to be reached directly. Default: none (nginx reaches the container).
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

impl Websites {
    /// The names nginx serves for the sites, site by site, each on the
    /// hosts that run the site ([`Websites::hosts_of`], the one rule of who
    /// runs a site).
    pub fn served_names(&self) -> Vec<ServedName<'_>> {
        let mut out = Vec::new();
        for (i, site) in self.sites.iter().enumerate() {
            let hosts = self.hosts_of(i);
            for (d, domain) in site.domains.iter().enumerate() {
                out.push(ServedName {
                    domain,
                    pointer: format!("/websites/sites/{i}/domains/{d}"),
                    hosts: hosts.clone(),
                });
            }
        }
        out
    }
}
