//! Names and references: duplicates, unknown hosts or databases, domains and
//! container names that collide.

use std::collections::BTreeMap;

use crate::blueprint::load::nearest;
use crate::blueprint::model::Blueprint;
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
        "postgres service",
        bp.postgres.iter().enumerate().map(|(i, p)| (p.name.as_str(), format!("/postgres/{i}/name"))),
        out,
    );
    unique(
        "MariaDB server",
        bp.mariadb.iter().enumerate().map(|(i, m)| (m.name.as_str(), format!("/mariadb/{i}/name"))),
        out,
    );
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
    unique(
        "service",
        bp.services.iter().enumerate().map(|(i, s)| (s.name.as_str(), format!("/services/{i}/name"))),
        out,
    );
    unique(
        "static site",
        bp.static_sites.iter().enumerate().map(|(i, s)| (s.name.as_str(), format!("/static_sites/{i}/name"))),
        out,
    );
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
        bp.served_names().into_iter().map(|n| (n.domain.to_lowercase(), n.pointer)).collect();
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
    let mut host_ref = |name: &str, pointer: String| {
        if !hosts.iter().any(|h| h == name) {
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
        host_ref(app.host.as_str(), format!("/applications/{i}/host"));
    }
    for (i, pg) in bp.postgres.iter().enumerate() {
        host_ref(pg.host.as_str(), format!("/postgres/{i}/host"));
    }
    for (k, lb) in bp.load_balancers.iter().enumerate() {
        for (i, t) in lb.targets.iter().enumerate() {
            host_ref(t.as_str(), format!("/load_balancers/{k}/targets/{i}"));
        }
    }
    for (i, s) in bp.services.iter().enumerate() {
        host_ref(s.host.as_str(), format!("/services/{i}/host"));
    }
    for (i, site) in bp.static_sites.iter().enumerate() {
        for (j, h) in site.hosts.iter().enumerate() {
            host_ref(h.as_str(), format!("/static_sites/{i}/hosts/{j}"));
        }
    }
    for (i, r) in bp.redirects.iter().enumerate() {
        for (j, h) in r.hosts.iter().enumerate() {
            host_ref(h.as_str(), format!("/redirects/{i}/hosts/{j}"));
        }
    }
    if let Some(vpn) = &bp.vpn {
        host_ref(vpn.host.as_str(), "/vpn/host".into());
    }
    if let Some(backup) = &bp.backup {
        host_ref(backup.host.as_str(), "/backup/host".into());
    }

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
            // An unknown host is reported once, as E205.
            Some(pg)
                if pg.host != app.host
                    && [&app.host, &pg.host].iter().all(|n| bp.hosts.iter().any(|h| h.name == **n)) =>
            {
                out.push(
                    Finding::error(
                        "E207",
                        format!("/applications/{i}/database"),
                        format!(
                            "`{}` runs on `{}` but its database `{}` on `{}`",
                            app.name, app.host, pg.name, pg.host
                        ),
                    )
                    .hint("compose networks do not span hosts; put both on one host")
                    .at_value(),
                )
            }
            Some(_) => {}
        }
    }

    // Container names share one namespace per host (and Docker's per
    // machine); compose keeps one service per name and silently drops the
    // other. gen's own containers (nginx, monitoring's) are named by gen,
    // so a clash with one is reported at the blueprint's entry.
    let monitoring: Vec<&str> = crate::resolve::monitoring::containers(bp).into_iter().map(|(name, _)| name).collect();
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
    for (i, site) in web.sites.iter().enumerate() {
        let Some(own) = &site.hosts else { continue };
        for (j, h) in own.iter().enumerate() {
            if !web.hosts.contains(h) {
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
        for lb in bp.load_balancers.iter().filter(|lb| own.iter().any(|h| lb.targets.contains(h))) {
            let missing: Vec<String> = lb
                .targets
                .iter()
                .filter(|t| web.hosts.contains(t) && !own.contains(t))
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
}
