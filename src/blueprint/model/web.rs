//! Every name nginx serves, with what asks for it and the hosts that answer:
//! websites, Odoo environments, container services, static sites and
//! redirects (those two are components: `crate::components::static_site`,
//! `crate::components::redirect`).

use std::collections::HashSet;

use super::access::{Access, BasicAuth};
use crate::blueprint::units::Name;

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
                // The one rule of who runs a site: `sites_on`'s.
                let hosts = web.hosts_of(i);
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
                    hosts: app.hosts(),
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

    /// The names served on the load balancer `lb`'s targets, in
    /// [`served_names`](Self::served_names) order: with `tls: terminate` its
    /// managed certificates must cover each of them.
    pub fn load_balanced_names(&self, lb: &super::LoadBalancer) -> Vec<ServedName<'_>> {
        let targets: HashSet<&Name> = lb.targets.iter().collect();
        self.served_names().into_iter().filter(|n| n.hosts.iter().any(|h| targets.contains(h))).collect()
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
                    hosts: app.hosts(),
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
