//! The blueprint type of a redirect (`redirects[]`).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::blueprint::units::Name;

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
    #[serde(default = "crate::blueprint::model::yes")]
    pub permanent: bool,
    /// `true`: the request's path and query follow (`/a?b` →
    /// `https://example.com/a?b`). `false`: every path goes to `to` as it
    /// is. Default: `true`.
    #[serde(default = "crate::blueprint::model::yes")]
    pub keep_path: bool,
}
