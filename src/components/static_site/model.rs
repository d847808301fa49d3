//! The blueprint type of a static site (`static_sites[]`).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::blueprint::model::{Access, BasicAuth};
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
