//! The access modes and logins that vhosts share (an Odoo environment, a
//! container service, a static site). The nginx proxy's settings, the
//! websites, Odoo and PostgreSQL servers are their components'
//! (`crate::components::proxy`, `website`, `odoo`, `postgres`).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::blueprint::units::{Name, SecretName};

/// One basic-auth login: a user name and the secret that holds its password.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    /// The login name.
    pub user: Name,
    /// The secret that holds its password (plain text in the host's .env).
    #[schemars(example = &"ODOO_TEST_BASIC_AUTH")]
    pub password_secret: SecretName,
}

/// Who may reach an environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Anyone on the internet.
    Public,
    /// Anyone with the `basic_auth` login (nginx `auth_basic`).
    BasicAuth,
    /// Only clients inside the WireGuard `vpn` subnet (nginx `allow`, then
    /// `deny all`).
    VpnOnly,
}
