//! The records of what nginx serves: a served name and a guarded vhost.
//! The lists of them are `crate::components::served_names` and
//! `crate::components::guarded`, made from the websites', the Odoo
//! environments' and every kind's entries.

use super::access::{Access, BasicAuth};
use crate::blueprint::units::Name;

/// One domain name nginx serves, with the blueprint entry that asks for it
/// and the hosts whose nginx answers for it.
#[derive(Debug, Clone)]
pub struct ServedName<'a> {
    pub domain: &'a str,
    /// JSON pointer of the domain value, for diagnostics.
    pub pointer: String,
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
