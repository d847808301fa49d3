//! Names and references: duplicates, unknown hosts or databases, domains and
//! container names that collide.

use std::collections::{BTreeMap, HashSet};

use crate::blueprint::load::nearest;
use crate::blueprint::model::Blueprint;
use crate::blueprint::units::Name;
use crate::diag::Finding;
use crate::resolve::placement;

/// Reports every second use of a name in one list.
fn unique<'a>(what: &str, items: impl Iterator<Item = (&'a str, String)>, out: &mut Vec<Finding>) {
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    for (name, pointer) in items {
        if let Some(first) = seen.get(name) {
            out.push(
                Finding::error("E201", pointer, format!("{what} `{name}` is defined twice"))
                    .hint(format!("rename one of them; the first is at `{first}`"))
                    .at_value(),
            );
        } else {
            seen.insert(name, pointer);
        }
    }
}

pub(crate) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    unique("host", bp.hosts.iter().enumerate().map(|(i, h)| (h.name.as_str(), format!("/hosts/{i}/name"))), out);
    // A target listed twice is one target at Hetzner, but counts twice
    // against the load balancer type's target limit (E611).
    unique(
        "load balancer",
        bp.load_balancers.iter().enumerate().map(|(k, lb)| (lb.name.as_str(), format!("/load_balancers/{k}/name"))),
        out,
    );
    for (k, lb) in bp.load_balancers.iter().enumerate() {
        unique(
            "load balancer target",
            lb.targets.iter().enumerate().map(|(i, t)| (t.as_str(), format!("/load_balancers/{k}/targets/{i}"))),
            out,
        );
    }
    // A volume's name is its name at Hetzner (one per project) and its
    // file system label.
    unique(
        "volume",
        bp.hosts.iter().enumerate().flat_map(|(h, host)| {
            host.storage
                .iter()
                .flat_map(|s| s.volumes.iter())
                .enumerate()
                .map(move |(v, volume)| (volume.name.as_str(), format!("/hosts/{h}/storage/volumes/{v}/name")))
        }),
        out,
    );
    unique(
        "network",
        bp.networks.iter().enumerate().map(|(n, net)| (net.name.as_str(), format!("/networks/{n}/name"))),
        out,
    );
    unique(
        "application",
        bp.applications.iter().enumerate().map(|(i, a)| (a.name.as_str(), format!("/applications/{i}/name"))),
        out,
    );
    for (a, app) in bp.applications.iter().enumerate() {
        unique(
            "environment",
            app.environments
                .iter()
                .enumerate()
                .map(|(e, env)| (env.name.as_str(), format!("/applications/{a}/environments/{e}/name"))),
            out,
        );
    }
    unique(
        "secret",
        bp.secrets.iter().enumerate().map(|(i, s)| (s.name.0.as_str(), format!("/secrets/{i}/name"))),
        out,
    );
    if let Some(web) = &bp.websites {
        unique(
            "site",
            web.sites.iter().enumerate().map(|(i, s)| (s.name.as_str(), format!("/websites/sites/{i}/name"))),
            out,
        );
    }
    // Every kind's entries: names unique within the kind, in its words.
    let entries = crate::components::entries(bp);
    for (kind, of_kind) in crate::components::KINDS.iter().enumerate() {
        let named = entries.iter().filter(|(k, _)| *k == kind);
        unique(of_kind.noun, named.filter_map(|(_, e)| e.name.map(|n| (n, format!("{}/name", e.pointer)))), out);
    }
    if let Some(vpn) = &bp.vpn {
        unique(
            "peer",
            vpn.peers.iter().enumerate().map(|(i, p)| (p.name.as_str(), format!("/vpn/peers/{i}/name"))),
            out,
        );
        unique(
            "peer address",
            vpn.peers.iter().enumerate().map(|(i, p)| (p.address.as_str(), format!("/vpn/peers/{i}/address"))),
            out,
        );
    }

    // Domains: one server_name may be served by one vhost only.
    let domains: Vec<(String, String)> =
        crate::components::served_names(bp).into_iter().map(|n| (n.domain.to_lowercase(), n.pointer)).collect();
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (domain, pointer) in &domains {
        match seen.get(domain.as_str()) {
            Some(first) => out.push(
                Finding::error("E204", pointer.clone(), format!("domain `{domain}` is served twice"))
                    .hint(format!("nginx serves it from the first server only and warns \"conflicting server name\"; remove it here or at `{first}`"))
                    .at_value(),
            ),
            None => {
                seen.insert(domain, pointer);
            }
        }
    }

    let hosts: Vec<String> = bp.hosts.iter().map(|h| h.name.to_string()).collect();
    // A set: every websites host is a reference, so a scan of the list per
    // reference cost hosts².
    let known: HashSet<&str> = hosts.iter().map(String::as_str).collect();
    let mut host_ref = |name: &str, pointer: String| {
        if !known.contains(name) {
            let hint = nearest(name, &hosts).map_or_else(
                || format!("define it under `hosts:`; known hosts: {}", hosts.join(", ")),
                |n| format!("did you mean `{n}`?"),
            );
            out.push(Finding::error("E205", pointer, format!("unknown host `{name}`")).hint(hint).at_value());
        }
    };
    if let Some(web) = &bp.websites {
        for (i, h) in web.hosts.iter().enumerate() {
            host_ref(h.as_str(), format!("/websites/hosts/{i}"));
        }
    }
    for (i, app) in bp.applications.iter().enumerate() {
        if let Some(h) = &app.host {
            host_ref(h.as_str(), format!("/applications/{i}/host"));
        }
        for (j, h) in app.hosts.iter().enumerate() {
            host_ref(h.as_str(), format!("/applications/{i}/hosts/{j}"));
        }
        if let Some(h) = &app.data_host {
            host_ref(h.as_str(), format!("/applications/{i}/data_host"));
        }
    }
    for (k, lb) in bp.load_balancers.iter().enumerate() {
        for (i, t) in lb.targets.iter().enumerate() {
            host_ref(t.as_str(), format!("/load_balancers/{k}/targets/{i}"));
        }
    }
    for (_, entry) in &entries {
        for (h, pointer) in entry.hosts.pointers(&entry.pointer) {
            host_ref(h.as_str(), pointer);
        }
    }
    if let Some(vpn) = &bp.vpn {
        host_ref(vpn.host.as_str(), "/vpn/host".into());
    }
    if let Some(backup) = &bp.backup {
        host_ref(backup.host.as_str(), "/backup/host".into());
    }

    application_hosts(bp, out);
    let databases: Vec<String> = bp.postgres.iter().map(|p| p.name.to_string()).collect();
    for (i, app) in bp.applications.iter().enumerate() {
        match bp.postgres.iter().find(|p| p.name == app.database) {
            None => {
                let hint = nearest(app.database.as_str(), &databases)
                    .map_or_else(|| "define it under `postgres:`".to_string(), |n| format!("did you mean `{n}`?"));
                out.push(
                    Finding::error(
                        "E206",
                        format!("/applications/{i}/database"),
                        format!("unknown postgres service `{}`", app.database),
                    )
                    .hint(hint)
                    .at_value(),
                );
            }
            Some(pg) => {
                // An unknown host is reported once, as E205.
                let known = |n: &Name| bp.hosts.iter().any(|h| h.name == *n);
                let apart: Vec<&Name> = app
                    .hosts()
                    .into_iter()
                    .filter(|h| known(h) && known(&pg.host) && !crate::resolve::private::reach(bp, h, &pg.host))
                    .collect();
                if let Some(first) = apart.first() {
                    let missing: Vec<String> = [*first, &pg.host]
                        .into_iter()
                        .filter(|h| crate::resolve::private::address(bp, h).is_none())
                        .map(|h| format!("`{h}`"))
                        .collect();
                    let why = if bp.networks.is_empty() {
                        "the blueprint has no private `networks`".to_string()
                    } else if missing.is_empty() {
                        "they are on different private networks".to_string()
                    } else {
                        format!(
                            "{} {} no `private_ip`",
                            missing.join(" and "),
                            if missing.len() > 1 { "have" } else { "has" }
                        )
                    };
                    out.push(
                        Finding::error(
                            "E207",
                            format!("/applications/{i}/database"),
                            format!(
                                "`{}` runs on `{first}` but its database `{}` on `{}`, and {why}: they cannot reach each other privately",
                                app.name, pg.name, pg.host
                            ),
                        )
                        .hint("give both hosts a `private_ip` in one of `networks` (PostgreSQL is then published on the database host's private address for the application hosts only), or put both on one host")
                        .at_value(),
                    );
                }
            }
        }
    }

    // Container names share one namespace per host (and Docker's per
    // machine); compose keeps one service per name and silently drops the
    // other. gen's own containers (nginx, monitoring's) are named by gen,
    // so a clash with one is reported at the blueprint's entry.
    let monitoring: Vec<&str> =
        crate::components::monitoring::resolve::containers(bp).into_iter().map(|(name, _)| name).collect();
    for host in &bp.hosts {
        let placed = placement::on_host(bp, host);
        let fixed = if placed.is_empty() { &[][..] } else { &monitoring[..] };
        let mut seen: BTreeMap<&str, &str> = fixed.iter().map(|name| (*name, "/monitoring")).collect();
        // nginx first: it is gen's, whatever the placement order.
        let (proxy, others): (Vec<&placement::Placed>, Vec<&placement::Placed>) =
            placed.iter().partition(|p| p.role == placement::Role::Proxy);
        for p in proxy.into_iter().chain(others) {
            if let Some(first) = seen.insert(&p.service, &p.pointer) {
                out.push(
                    Finding::error(
                        "E202",
                        p.pointer.clone(),
                        format!("container name `{}` is used twice on host `{}` (the other: `{first}`)", p.service, host.name),
                    )
                    .hint("rename this one: compose keeps one service per name, and the other would silently disappear from docker-compose.yml (nginx, prometheus, node_exporter and cadvisor are gen's own)"),
                );
            }
        }
    }
    if let Some(web) = &bp.websites {
        site_hosts(bp, web, out);
    }
}

/// A site's own hosts come from `websites.hosts`; behind a load balancer, a
/// site must run on every target, because the balancer sends any request to
/// any target.
fn site_hosts(bp: &Blueprint, web: &crate::blueprint::model::Websites, out: &mut Vec<Finding>) {
    // Sets: a scan of `websites.hosts` per site cost sites × hosts.
    let web_hosts: HashSet<&Name> = web.hosts.iter().collect();
    for (i, site) in web.sites.iter().enumerate() {
        let Some(own) = &site.hosts else { continue };
        for (j, h) in own.iter().enumerate() {
            if !web_hosts.contains(h) {
                out.push(
                    Finding::error(
                        "E208",
                        format!("/websites/sites/{i}/hosts/{j}"),
                        format!("`{h}` is not a websites host"),
                    )
                    .hint(format!("a site runs on hosts listed under `websites.hosts`: {}", join(&web.hosts)))
                    .at_value(),
                );
            }
        }
        // A load balancer that sends traffic to one of the site's hosts
        // sends it to all its targets.
        let own: HashSet<&Name> = own.iter().collect();
        for lb in bp.load_balancers.iter().filter(|lb| lb.targets.iter().any(|t| own.contains(t))) {
            let missing: Vec<String> = lb
                .targets
                .iter()
                .filter(|t| web_hosts.contains(t) && !own.contains(t))
                .map(ToString::to_string)
                .collect();
            if !missing.is_empty() {
                out.push(
                    Finding::error(
                        "E208",
                        format!("/websites/sites/{i}/hosts"),
                        format!(
                            "`{}` is not on {}, but load balancer `{}` sends its requests to every target",
                            site.name,
                            missing.join(", "),
                            lb.name
                        ),
                    )
                    .hint("leave `hosts` out behind a load balancer, or shard without one (DNS per host pair)"),
                );
            }
        }
    }
}

fn join(names: &[crate::blueprint::units::Name]) -> String {
    names.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// E229: an application's hosts in one shape: `host` or `hosts`, each host
/// once, `data_host` only with `hosts`. E230: an application on several
/// hosts whose data host one of them cannot reach over the private network
/// (the data directories are NFS exports there).
fn application_hosts(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (i, app) in bp.applications.iter().enumerate() {
        let at = format!("/applications/{i}");
        let shape = match (&app.host, app.hosts.len()) {
            (Some(_), n) if n > 0 => Some((format!("{at}/hosts"), "has both `host` and `hosts`".to_string())),
            (None, 0) => Some((at.clone(), "names no host: neither `host` nor `hosts`".to_string())),
            _ => None,
        };
        let twice = app.hosts.iter().enumerate().find(|(j, h)| app.hosts[..*j].contains(h));
        let shape = shape
            .or_else(|| twice.map(|(j, h)| (format!("{at}/hosts/{j}"), format!("lists `{h}` twice in `hosts`"))))
            .or_else(|| {
                (app.data_host.is_some() && !app.is_spread())
                    .then(|| (format!("{at}/data_host"), "has a `data_host` but runs on one host".to_string()))
            });
        if let Some((pointer, what)) = shape {
            out.push(
                Finding::error("E229", pointer, format!("application `{}` {what}", app.name))
                    .hint("write `host: NAME` for one host, or `hosts: [A, B]` for several behind a load balancer (each host once; `data_host` only with `hosts`)")
                    .at_value(),
            );
            continue;
        }
        let Some(data_host) = app.data_host().filter(|_| app.is_spread()) else { continue };
        let known = |n: &Name| bp.hosts.iter().any(|h| h.name == *n);
        if !known(data_host) {
            continue; // E205
        }
        for (j, h) in app.hosts.iter().enumerate() {
            if h != data_host && known(h) && !crate::resolve::private::reach(bp, h, data_host) {
                out.push(
                    Finding::error(
                        "E230",
                        format!("{at}/hosts/{j}"),
                        format!(
                            "`{h}` mounts the data directories of `{}` from `{data_host}` over NFS, but the two do not reach each other privately",
                            app.name
                        ),
                    )
                    .hint("give both hosts a `private_ip` in one of `networks`: NFS is exported to the application hosts' private addresses only, never over the internet")
                    .at_value(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_load_balancer_target_listed_twice() {
        let lb = "
load_balancers:
  - name: lb
    type: lb11
    location: fsn1
    tls: passthrough
    targets: [ax52, ax52]
    health_check: {path: /health, interval: 15s, timeout: 10s, retries: 3}
";
        assert_eq!(crate::check::codes_on_base(super::check, lb), ["E201"]);
        assert_eq!(
            crate::check::codes_on_base(super::check, &lb.replace("[ax52, ax52]", "[ax52]")),
            Vec::<&str>::new()
        );
    }

    /// Every kind's entries are checked alike: a MariaDB server's host was
    /// once not checked at all (only W516 and E224 followed from it).
    #[test]
    fn every_kind_names_known_hosts_and_unique_names() {
        let mariadb = |name: &str, host: &str| {
            format!("  - {{name: {name}, host: {host}, image: mariadb:11.4.7, data_dir: /srv/{name}, resources: {{}}, root_password_secret: ROOT}}\n")
        };
        let one = format!("mariadb:\n{}", mariadb("db", "ax52"));
        assert_eq!(crate::check::codes_on_base(super::check, &one), Vec::<&str>::new());
        let unknown = format!("mariadb:\n{}", mariadb("db", "ax25"));
        assert_eq!(crate::check::codes_on_base(super::check, &unknown), ["E205"]);
        let twice = format!("mariadb:\n{}{}", mariadb("db", "ax52"), mariadb("db", "ax52"));
        // Named twice, and so also two containers of one name on the host.
        assert_eq!(crate::check::codes_on_base(super::check, &twice), ["E201", "E202"]);
        let site = "static_sites:\n  - {name: docs, hosts: [ax25], domains: [docs.example.com]}\n";
        assert_eq!(crate::check::codes_on_base(super::check, site), ["E205"]);
        let redirect = "redirects:\n  - {from: [www.example.com], to: example.com, hosts: [ax52, ax25]}\n";
        assert_eq!(crate::check::codes_on_base(super::check, redirect), ["E205"]);
        let service = "services:\n  - {name: app, host: ax25, image: \"app:1.0\"}\n";
        assert_eq!(crate::check::codes_on_base(super::check, service), ["E205"]);
        // The base's PostgreSQL service moved to an unknown host.
        let base = include_str!("../../tests/fixtures/invalid/base/minimal.yaml");
        let moved = base.replace("    host: ax52\n    image: postgres", "    host: ax25\n    image: postgres");
        assert_ne!(moved, base);
        let bp: crate::blueprint::model::Blueprint = serde_yaml::from_str(&moved).expect("blueprint");
        let mut out = Vec::new();
        super::check(&bp, &mut out);
        let e205: Vec<&str> = out.iter().filter(|f| f.code == "E205").map(|f| f.pointer.as_str()).collect();
        assert_eq!(e205, ["/postgres/0/host"]);
    }

    fn codes(edits: &[(&str, &str)]) -> Vec<&'static str> {
        crate::check::codes_on_scale_out(super::check, edits)
    }

    #[test]
    fn a_database_on_another_host_over_the_private_network() {
        assert_eq!(codes(&[]), Vec::<&str>::new());
        // The database host off the network: E207 once, and E230 for each application host.
        assert_eq!(codes(&[("    private_ip: 10.0.2.20\n", "")]), ["E230", "E230", "E207"]);
        // No network at all.
        let no_network = codes(&[("    private_ip: 10.0.2.11\n", ""), ("    private_ip: 10.0.2.12\n", "")]);
        assert!(no_network.contains(&"E207"), "{no_network:?}");
        // One host, the database elsewhere, both on the network: allowed.
        assert_eq!(
            codes(&[("    hosts: [odoo-1, odoo-2]\n    data_host: db\n", "    host: odoo-1\n")]),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn an_application_names_its_hosts_one_way() {
        assert_eq!(
            codes(&[("    hosts: [odoo-1, odoo-2]\n", "    host: odoo-1\n    hosts: [odoo-1, odoo-2]\n")]),
            ["E229"]
        );
        assert_eq!(codes(&[("    hosts: [odoo-1, odoo-2]\n", "")]), ["E229"]);
        assert_eq!(codes(&[("    hosts: [odoo-1, odoo-2]\n", "    hosts: [odoo-1, odoo-1]\n")]), ["E229"]);
        assert_eq!(
            codes(&[("    hosts: [odoo-1, odoo-2]\n", "    host: odoo-1\n")]),
            ["E229"],
            "data_host on one host"
        );
        assert_eq!(codes(&[("    hosts: [odoo-1, odoo-2]\n", "    hosts: [odoo-1, odoo-3]\n")]), ["E205"]);
    }
}
