//! The rollout over many hosts with Ansible (an existing engine, not a
//! home-made one): `out/<name>/ansible/inventory.yml` (every host with its
//! location, network zone and private address; groups per role, load
//! balancer, location, zone and kind) and `ansible/rollout.yml` (one host at
//! a time: copy its tree, run its install.sh, wait for its containers and
//! for the health check its load balancer runs; the first failure stops the
//! play). This module owns the record both templates render.

use std::collections::HashSet;

use serde::Serialize;

use crate::blueprint::model::{Blueprint, Host, HostKind, LoadBalancer};
use crate::blueprint::units::Name;
use crate::components::RolloutGroup;
use crate::plan::HostPlan;

/// Where the playbook puts each host's tree on the host. Not the git
/// checkout cloud-init clones (`/var/lib/gen/config`): copied files there
/// would be local changes that stop the next `git pull --ff-only`
/// (blue-green.sh). install.sh finds MANIFEST.sha256 and MODES two levels
/// above itself, wherever the tree is.
pub const TREE_ROOT: &str = "/var/lib/gen/rollout";

/// How long the stack's containers may take to run and turn healthy after
/// install.sh: what first boot takes with every image pulled (the harness
/// waits as long), polled every [`CONTAINERS_DELAY`] seconds.
const CONTAINERS_WAIT: u64 = 240;
const CONTAINERS_DELAY: u64 = 5;
/// nginx's catch-all `/health` on a host no load balancer probes.
const CATCH_ALL_WAIT: u64 = 60;
const CATCH_ALL_DELAY: u64 = 5;

#[derive(Debug, Clone, Serialize)]
pub struct Rollout {
    /// The user Ansible logs in as (the first admin, with sudo); `None`
    /// when the blueprint has no admin (sshd refuses root: set one by hand).
    pub user: Option<String>,
    /// The host's copy of out/<name>/ (MANIFEST.sha256, MODES, hosts/<host>/).
    pub tree: String,
    /// The compose project the containers belong to (the stack directory's name).
    pub compose_project: String,
    pub containers: Wait,
    pub hosts: Vec<RolloutHost>,
    /// Inventory groups, each with its hosts in blueprint order.
    pub groups: Vec<Group>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RolloutHost {
    pub name: String,
    pub kind: &'static str,
    pub server_type: String,
    pub location: String,
    /// Hetzner network zone of the location, when the catalog knows it.
    pub network_zone: Option<&'static str>,
    pub private_ip: Option<String>,
    /// Whether the host runs compose (its containers are waited for).
    pub containers: bool,
    /// What must answer 2xx on the host after install.sh, in order.
    pub probes: Vec<Probe>,
}

/// An HTTP health check the playbook repeats on the host until it answers 2xx.
#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    pub url: String,
    pub why: String,
    pub wait: Wait,
}

/// A poll: `retries` tries `delay` seconds apart.
#[derive(Debug, Clone, Serialize)]
pub struct Wait {
    pub retries: u64,
    pub delay: u64,
    pub why: String,
}

impl Wait {
    fn new(total: u64, delay: u64, what: &str) -> Self {
        let delay = delay.max(1);
        let retries = total.div_ceil(delay).max(1);
        Wait { retries, delay, why: format!("{what}: {retries} tries {delay} s apart ({total} s)") }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub name: String,
    pub why: String,
    pub hosts: Vec<String>,
}

/// The blueprint's load balancers: the one place this module reads them.
fn load_balancers(bp: &Blueprint) -> Vec<&LoadBalancer> {
    bp.load_balancers.iter().collect()
}

/// An Ansible group name: letters, digits and `_` only (Ansible warns on
/// `-`, which Jinja would read as a minus).
fn group_name(prefix: &str, name: &str) -> String {
    let tail: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    format!("{prefix}_{tail}")
}

/// The health check a load balancer runs on `host`, as the host itself can
/// run it: port 80 and the blueprint's path (infra/main.tf.json's
/// `health_check`), on the address nginx is published on
/// (`components::docker::resolve::compose::proxy_bind`: the private one when the load balancer
/// comes over the private network), else on 127.0.0.1 (nginx listens on
/// every address then).
fn lb_probe(bp: &Blueprint, lb: &LoadBalancer, host: &Host) -> Probe {
    let hc = &lb.health_check;
    let (bind, _) = crate::components::docker::resolve::compose::proxy_bind(bp, host);
    let (addr, via) = if bind.is_empty() {
        ("127.0.0.1".to_string(), "(nginx listens on every address)")
    } else {
        (bind, "on the private address nginx is published on")
    };
    // As blue-green.sh: enough checks to pass `retries` times in a row, with room to spare.
    let total = (hc.interval.seconds() + hc.timeout.seconds()) * u64::from(hc.retries + 1) + 30;
    Probe {
        url: format!("http://{addr}:80{}", hc.path),
        why: format!("load balancer `{}`'s health check, port 80 and `{}`, {via}", lb.name, hc.path),
        wait: Wait::new(total, hc.interval.seconds(), "(interval + timeout) × (retries + 1) + 30 s"),
    }
}

/// `name`: the blueprint's name (out/<name>/).
pub fn plan(bp: &Blueprint, name: &str, hosts: &[HostPlan]) -> Rollout {
    let lbs = load_balancers(bp);
    let rollout_hosts = bp
        .hosts
        .iter()
        .zip(hosts)
        .map(|(host, hp)| {
            let mut probes: Vec<Probe> =
                lbs.iter().filter(|lb| lb.targets.contains(&host.name)).map(|lb| lb_probe(bp, lb, host)).collect();
            if probes.is_empty() && hp.nginx.is_some() {
                probes.push(Probe {
                    url: "http://127.0.0.1:80/health".into(),
                    why: "nginx's catch-all /health on the host's port 80".into(),
                    wait: Wait::new(CATCH_ALL_WAIT, CATCH_ALL_DELAY, "nginx up after install.sh"),
                });
            }
            RolloutHost {
                name: host.name.to_string(),
                kind: hp.kind,
                server_type: host.server_type.clone(),
                location: host.location.clone(),
                network_zone: crate::catalog::network_zone(&host.location),
                private_ip: host.private_ip.clone(),
                containers: hp.compose.is_some(),
                probes,
            }
        })
        .collect();
    Rollout {
        user: bp.admins.first().map(|a| a.name.to_string()),
        tree: format!("{TREE_ROOT}/{name}"),
        compose_project: bp.project.name.to_string(),
        containers: Wait::new(
            CONTAINERS_WAIT,
            CONTAINERS_DELAY,
            "every container running, and healthy where it has a check",
        ),
        hosts: rollout_hosts,
        groups: groups(bp, &lbs),
    }
}

/// Whether a host belongs to a group.
type HostTest<'a> = dyn Fn(&Host) -> bool + 'a;

/// Groups per role (what is placed on a host), per load balancer (its
/// targets), per location, per network zone and per kind; empty ones left out.
fn groups<'a>(bp: &'a Blueprint, lbs: &[&LoadBalancer]) -> Vec<Group> {
    let on =
        |pred: &HostTest| -> Vec<String> { bp.hosts.iter().filter(|h| pred(h)).map(|h| h.name.to_string()).collect() };
    let mut out = Vec::new();
    let mut push = |name: String, why: String, hosts: Vec<String>| {
        if !hosts.is_empty() {
            out.push(Group { name, why, hosts });
        }
    };
    // Role groups: Odoo's, then each kind's (kinds that name one group are
    // one group; the websites join the websites' group), then the VPN's.
    // Members are sets: a host is asked about once per group.
    let mut roles: Vec<(&str, &str, HashSet<&Name>)> = vec![(
        "odoo",
        "Odoo environments (applications)",
        bp.hosts.iter().filter(|h| bp.applications.iter().any(|a| a.runs_on(&h.name))).map(|h| &h.name).collect(),
    )];
    let mut join =
        |group: RolloutGroup, hosts: Vec<&'a Name>| match roles.iter_mut().find(|(name, _, _)| *name == group.name) {
            Some((_, _, members)) => members.extend(hosts),
            None => roles.push((group.name, group.why, hosts.into_iter().collect())),
        };
    let entries = crate::components::entries(bp);
    for (k, kind) in crate::components::KINDS.iter().enumerate() {
        if let Some(group) = kind.rollout_group {
            join(group, entries.iter().filter(|(of, _)| *of == k).flat_map(|(_, e)| e.hosts.names()).collect());
        }
    }
    join(crate::components::website::ROLLOUT_GROUP, bp.websites.iter().flat_map(|w| w.hosts.iter()).collect());
    roles.push(("vpn", "the WireGuard server", bp.vpn.iter().map(|v| &v.host).collect()));
    for (role, why, members) in roles {
        push(group_name("role", role), format!("hosts running {why}"), on(&|h| members.contains(&h.name)));
    }
    for lb in lbs {
        push(
            group_name("lb", &lb.name.0),
            format!("targets of load balancer `{}`", lb.name),
            on(&|h| lb.targets.contains(&h.name)),
        );
    }
    let mut locations: Vec<&str> = bp.hosts.iter().map(|h| h.location.as_str()).collect();
    locations.sort_unstable();
    locations.dedup();
    for loc in &locations {
        push(group_name("location", loc), format!("hosts in location {loc}"), on(&|h| h.location == *loc));
    }
    let mut zones: Vec<&str> = locations.iter().filter_map(|l| crate::catalog::network_zone(l)).collect();
    zones.sort_unstable();
    zones.dedup();
    for zone in zones {
        push(
            group_name("zone", zone),
            format!("hosts in network zone {zone}"),
            on(&|h| crate::catalog::network_zone(&h.location) == Some(zone)),
        );
    }
    for (kind, why) in [("cloud", "Hetzner Cloud servers"), ("dedicated", "dedicated servers")] {
        push(
            group_name("kind", kind),
            why.to_string(),
            on(&|h| matches!((kind, h.kind), ("cloud", HostKind::Cloud) | ("dedicated", HostKind::Dedicated))),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_are_identifiers() {
        assert_eq!(group_name("lb", "web-lb"), "lb_web_lb");
        assert_eq!(group_name("zone", "eu-central"), "zone_eu_central");
    }

    const BLUEPRINT: &str = r#"
project: {name: t, title: T}
hosts:
  - {name: a, kind: cloud, type: cx22, location: nbg1, os: debian-12, private_ip: 10.0.1.2}
  - {name: b, kind: cloud, type: cx22, location: ash, os: debian-12}
networks: [{name: net, ip_range: 10.0.0.0/16, subnet: 10.0.1.0/24}]
load_balancers:
  - {name: web-lb, type: lb11, location: nbg1, tls: terminate, targets: [a, b],
     health_check: {path: /up, interval: 15s, timeout: 10s, retries: 3}}
"#;

    #[test]
    fn the_probe_is_what_the_load_balancer_checks_where_it_checks_it() {
        let mut bp: Blueprint = serde_yaml::from_str(BLUEPRINT).expect("test blueprint parses");
        let lb = bp.load_balancers[0].clone();
        let probe = lb_probe(&bp, &lb, &bp.hosts[0]);
        assert_eq!(probe.url, "http://10.0.1.2:80/up");
        // (15 + 10) × 4 + 30 = 130 s, every 15 s.
        assert_eq!((probe.wait.retries, probe.wait.delay), (9, 15));
        // No private address, or not over the private network: nginx listens everywhere.
        assert_eq!(lb_probe(&bp, &lb, &bp.hosts[1]).url, "http://127.0.0.1:80/up");
        bp.load_balancers[0].use_private_network = false;
        let lb = bp.load_balancers[0].clone();
        assert_eq!(lb_probe(&bp, &lb, &bp.hosts[0]).url, "http://127.0.0.1:80/up");
    }

    #[test]
    fn groups_per_load_balancer_location_zone_and_kind() {
        let bp: Blueprint = serde_yaml::from_str(BLUEPRINT).expect("test blueprint parses");
        let got: Vec<(String, Vec<String>)> =
            groups(&bp, &load_balancers(&bp)).into_iter().map(|g| (g.name, g.hosts)).collect();
        let hosts = |h: &[&str]| h.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            got,
            [
                ("lb_web_lb".to_string(), hosts(&["a", "b"])),
                ("location_ash".to_string(), hosts(&["b"])),
                ("location_nbg1".to_string(), hosts(&["a"])),
                ("zone_eu_central".to_string(), hosts(&["a"])),
                ("zone_us_east".to_string(), hosts(&["b"])),
                ("kind_cloud".to_string(), hosts(&["a", "b"])),
            ]
        );
    }

    #[test]
    fn waits_round_up() {
        let w = Wait::new(130, 15, "x");
        assert_eq!((w.retries, w.delay), (9, 15));
        assert_eq!(Wait::new(0, 0, "x").retries, 1);
    }
}
