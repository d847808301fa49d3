//! What a static site (`static_sites[]`) adds to the resolved records: a
//! vhost on each of its hosts that serves its directory, mounted read-only
//! into nginx, and that directory (which the operator's deploy fills, so no
//! backup must cover it).

use crate::blueprint::model::{Blueprint, Host};
use crate::components::proxy::resolve::vhost::{Location, StaticFiles, Vhost, VhostBase, VhostKind};
use crate::components::{DataDir, Domains, Entry, Hosts};

/// The vhost of each static site on `host`: its files at `/`, with its
/// access rule and `expires`.
pub(super) fn vhosts(bp: &Blueprint, host: &Host, base: &VhostBase) -> Vec<Vhost> {
    let mut out = Vec::new();
    for (i, site) in bp.static_sites.iter().enumerate().filter(|(_, s)| s.hosts.contains(&host.name)) {
        let files = StaticFiles {
            host_dir: site.root_dir(&bp.project.name.0),
            mount: format!("/srv/static/{}", site.name),
            why: format!("static site `{}`: the operator's deploy fills it, nginx reads", site.name),
        };
        let access = base.access(
            site.access(),
            site.basic_auth.as_ref(),
            &format!("static-{}", site.name),
            format!("{}: restricted", site.name),
        );
        out.push(Vhost {
            comments: vec![
                format!(
                    "Static site `{}`: the files of {} on the host, access: {}.",
                    site.name, files.host_dir, access.mode
                ),
                "nginx serves them as they are; a missing file is 404.".into(),
            ],
            access,
            locations: vec![Location {
                path: "/".into(),
                kind: "static",
                upstream: String::new(),
                upgrade: false,
                expires: site.expires.clone(),
                root: files.mount.clone(),
            }],
            files: Some(files),
            ..base.vhost(
                format!("static-{}.conf", site.name),
                VhostKind::StaticSite,
                format!("/static_sites/{i}"),
                &site.domains,
            )
        });
    }
    out
}

/// Each static site's directory, on every host that serves it.
pub(super) fn data(bp: &Blueprint) -> Vec<DataDir> {
    let sites = bp.static_sites.iter().enumerate();
    sites
        .map(|(i, site)| DataDir {
            pointer: format!("/static_sites/{i}/root"),
            path: site.root_dir(&bp.project.name.0),
            whose: format!("static site `{}`'s files", site.name),
            hosts: site.hosts.iter().map(|h| h.to_string()).collect(),
            backup: None,
        })
        .collect()
}

/// Each static site (`static_sites[]`): nothing but its domains, its hosts
/// and who may reach it.
pub(super) fn entries(bp: &Blueprint) -> Vec<Entry<'_>> {
    bp.static_sites
        .iter()
        .enumerate()
        .map(|(i, site)| Entry {
            pointer: format!("/static_sites/{i}"),
            what: format!("static site `{}`", site.name),
            name: Some(site.name.as_str()),
            hosts: Hosts::List(&site.hosts),
            domains: Domains { key: "domains", names: &site.domains, required: true },
            access: Some((site.access(), site.basic_auth.as_ref())),
        })
        .collect()
}
