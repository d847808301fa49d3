//! Odoo (`applications[]`, `kind: odoo`): an application of the official
//! `odoo` image with its environments (prod, test, dev), each its own
//! container, database on a PostgreSQL service, data directory and domain
//! behind nginx; on several hosts, its cron on the first and its data
//! directories shared over NFS.
//!
//! - `model.rs`: its blueprint types ([`model::Application`],
//!   [`model::Environment`], [`model::OdooSettings`], re-exported by
//!   `blueprint::model`).
//! - `resolve/`: what it adds to the resolved model: its ports, defaults,
//!   each environment's database, and Odoo 17's option table
//!   ([`resolve::options`]). Its containers, compose services and vhosts are
//!   still placed by the shared `resolve::placement`, in the docker
//!   component's compose file and the proxy component's vhosts
//!   (`Role::Odoo`); its pools are `resolve::connections`'.
//! - `rules/`: its own rules (E411–E413, W410, W412, E416, E417, E320,
//!   W320); the shared rules see its containers through placement.
//! - `plan.rs`: what `odoo/odoo.conf.j2` sees per environment
//!   ([`plan::OdooConf`], in `Plan::odoo`).
//!
//! It owns `odoo/odoo.conf.j2`, `odoo/render-config.sh.j2` (the script on
//! the host that writes the master password's hash into the config) and
//! `host/exports.j2` (the data host's NFS exports of its data directories,
//! from `resolve::private::nfs`); its
//! compose services, vhosts and backups go through the shared templates.

pub mod model;
pub mod plan;
pub mod resolve;
pub(crate) mod rules;

/// Its entry of [`super::COMPONENTS`].
pub(super) const COMPONENT: super::Component = super::Component {
    name: "Odoo",
    folder: "odoo",
    templates: &["odoo/odoo.conf.j2", "odoo/render-config.sh.j2", "host/exports.j2"],
};
