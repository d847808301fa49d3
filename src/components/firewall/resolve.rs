//! The host firewall and who can reach what: UFW rules for the host's own
//! services (SSH, WireGuard, the blueprint's extra rules), `ufw route`
//! rules for the ports Docker publishes (closing Docker's bypass of UFW in
//! the DOCKER-USER chain), and the exposure table `gen plan` prints and the
//! exposure checks read. Everything comes from the compose plan's
//! `published()`, so UFW and compose cannot disagree.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::Serialize;

use crate::blueprint::model::{Blueprint, Host, HostKind, Protocol, Source};
use crate::components::docker::resolve::compose::{published, ComposePlan, NETWORK_SUBNET};

/// SSH's port: sshd is a host service, never a container.
pub const SSH_PORT: u16 = 22;

#[derive(Debug, Clone, Serialize)]
pub struct FirewallPlan {
    /// `ufw allow` rules: services of the host itself.
    pub rules: Vec<Rule>,
    /// `ufw route allow` rules: container ports Docker publishes publicly.
    /// The DOCKER-USER chain sends every new forwarded connection through
    /// ufw's route rules, so these are the only ones that get in.
    pub routes: Vec<Rule>,
    /// The DOCKER-USER blocks gen-firewall splices into UFW's after.rules
    /// (IPv4) and after6.rules (IPv6), one per address family.
    pub docker_user: Vec<DockerUserBlock>,
    /// SSH is allowed only from the VPN this host serves: the script refuses
    /// to apply that before wg0 is up (the lockout guard).
    pub ssh_needs_vpn: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Rule {
    pub port: u16,
    pub proto: &'static str,
    /// `any` or a CIDR.
    pub from: String,
    pub comment: String,
    /// The rule as `ufw show added` prints it, without `ufw` and the
    /// comment: the script compares these to delete what gen dropped.
    pub ufw: String,
}

impl Rule {
    fn new(port: u16, proto: &'static str, from: String, comment: String, route: bool) -> Rule {
        let verb = if route { "route allow" } else { "allow" };
        let ufw = if from == "any" {
            format!("{verb} {port}/{proto}")
        } else {
            format!("{verb} from {from} to any port {port} proto {proto}")
        };
        Rule { port, proto, from, comment, ufw }
    }
}

/// The DOCKER-USER block of one address family. UFW writes every `ufw
/// route` rule for both families (ufw-user-forward, ufw6-user-forward), so
/// the IPv6 block admits exactly what the IPv4 one does.
///
/// IPv6 needs one more step: Docker before 23.0 makes no DOCKER-USER chain
/// and no jump to it in ip6tables (moby/moby#42477, fixed by
/// moby/moby#44706 in 23.0; seen on the harness's 20.10), and it inserts
/// its own FORWARD rules, which accept every published port, at the top of
/// FORWARD whenever it starts or creates a network, ahead of UFW's chains.
/// So the IPv6 block creates the chain, and `gen-firewall --forward-first`
/// (after every `gen-firewall` run, after `compose up`, and from dockerd's
/// systemd drop-in each time it starts) puts one jump to it at the top of
/// ip6tables' FORWARD, as Docker itself does for IPv4 and, from 23.0, IPv6.
#[derive(Debug, Clone, Serialize)]
pub struct DockerUserBlock {
    /// `4` or `6`.
    pub family: u8,
    /// UFW's rules file the block is spliced into.
    pub after_rules: &'static str,
    /// The block as gen writes it (under /etc/ufw).
    pub file: &'static str,
    /// UFW's chain of `ufw route` rules for this family.
    pub ufw_forward: &'static str,
    /// Sources let through unfiltered: the compose network and (IPv4 only:
    /// Hetzner's private networks have no IPv6) the private network the
    /// load balancer comes from.
    pub trusted: Vec<String>,
    /// Container addresses: new connections to them that no rule admitted
    /// are dropped (IPv4: Docker's default pools 172.16.0.0/12; IPv6: the
    /// project's ULA /48, components::docker::resolve::compose::ula).
    pub containers: String,
    /// The marker line that opens the block in after*.rules.
    pub begin: &'static str,
    pub end: &'static str,
}

/// How the blueprint means a port to be reached.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Public,
    LoadBalancerOnly,
    VpnOnly,
    Admin,
    Private,
}

impl Intent {
    pub fn label(self) -> &'static str {
        match self {
            Intent::Public => "public",
            Intent::LoadBalancerOnly => "lb only",
            Intent::VpnOnly => "vpn only",
            Intent::Admin => "admins",
            Intent::Private => "private",
        }
    }
}

/// One row of the exposure table.
#[derive(Debug, Clone, Serialize)]
pub struct Exposure {
    pub port: u16,
    pub proto: &'static str,
    pub service: String,
    /// `docker` (published, goes through FORWARD/DOCKER-USER) or `host`.
    pub via: &'static str,
    pub intent: Intent,
    /// Reachable from any internet address.
    pub internet: bool,
    /// Who can reach it, in words.
    pub who: String,
    /// Blueprint pointer that decides it (for diagnostics).
    #[serde(skip)]
    pub pointer: String,
}

fn proto(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
    }
}

/// The CIDRs a source stands for; `any` for the whole internet.
pub fn cidrs(bp: &Blueprint, source: &Source) -> Vec<String> {
    match source {
        Source::Anywhere => vec!["any".into()],
        Source::Vpn => bp.vpn.iter().map(|v| v.subnet.clone()).collect(),
        Source::AdminCidrs => bp.firewall.iter().flat_map(|f| f.admin_cidrs.iter().cloned()).collect(),
        Source::Localhost => vec!["127.0.0.1".into()],
        // Over the private network a load balancer comes from its
        // network's range; over public addresses it has no fixed source, so
        // anyone can.
        Source::LoadBalancer => {
            load_balancer_ranges(bp, bp.load_balancers.iter()).unwrap_or_else(|| vec!["any".into()])
        }
    }
}

/// The ranges the load balancers `lbs` come from: their private networks'
/// `ip_range`s, or `any` when one of them uses public addresses; `None`
/// for no load balancer.
fn load_balancer_ranges<'a>(
    bp: &Blueprint,
    lbs: impl Iterator<Item = &'a crate::blueprint::model::LoadBalancer>,
) -> Option<Vec<String>> {
    let mut ranges = Vec::new();
    for lb in lbs {
        match bp.network_of_load_balancer(lb) {
            Some((_, net)) => ranges.push(net.ip_range.clone()),
            None => return Some(vec!["any".into()]),
        }
    }
    ranges.dedup();
    (!ranges.is_empty()).then_some(ranges)
}

/// [`cidrs`] as `host` sees them: a load balancer comes from the network
/// of the load balancers that target this host, not from another region's.
pub fn cidrs_on(bp: &Blueprint, host: &Host, source: &Source) -> Vec<String> {
    if *source != Source::LoadBalancer {
        return cidrs(bp, source);
    }
    load_balancer_ranges(bp, bp.load_balancers_of(host.name.as_str()).map(|(_, lb)| lb))
        .unwrap_or_else(|| cidrs(bp, source))
}

/// Whether an address is private (RFC 1918), loopback, or the host's own
/// private-network address: not reachable from the internet.
pub fn is_private_bind(ip: &str) -> bool {
    ip.parse::<Ipv4Addr>().is_ok_and(|a| a.is_private() || a.is_loopback())
}

fn ssh_sources(bp: &Blueprint) -> Vec<Source> {
    bp.firewall.as_ref().map_or_else(|| vec![Source::Anywhere], |f| f.ssh_from.clone())
}

fn is_lb_target(bp: &Blueprint, host: &Host) -> bool {
    bp.load_balancers_of(host.name.as_str()).next().is_some()
}

pub fn plan(bp: &Blueprint, host: &Host, compose: Option<&ComposePlan>) -> FirewallPlan {
    let mut rules = Vec::new();
    let sources = ssh_sources(bp);
    for (source, cidr) in sources.iter().flat_map(|s| cidrs(bp, s).into_iter().map(move |c| (s, c))) {
        rules.push(Rule::new(SSH_PORT, "tcp", cidr, format!("ssh from {}", source_name(source)), false));
    }
    if let Some(vpn) = bp.vpn.as_ref().filter(|v| v.host == host.name) {
        rules.push(Rule::new(vpn.port, "udp", "any".into(), "wireguard".into(), false));
        // The VPN's DNS responder (components::network::resolve::VpnDns), for VPN clients only.
        for proto in ["udp", "tcp"] {
            let port = crate::components::network::resolve::DNS_PORT;
            rules.push(Rule::new(port, proto, vpn.subnet.clone(), "dns for the vpn".into(), false));
        }
    }
    for r in bp.firewall.iter().flat_map(|f| f.rules.iter()) {
        for cidr in cidrs_on(bp, host, &r.from) {
            let comment = r.comment.clone().unwrap_or_else(|| format!("from {}", source_name(&r.from)));
            rules.push(Rule::new(r.port, proto(r.proto), cidr, comment, false));
        }
    }
    // NFS (v4, one TCP port) for the application hosts that mount this
    // host's data directories, each by its private address.
    for c in crate::resolve::private::nfs(bp, host).clients() {
        rules.push(Rule::new(
            crate::resolve::private::NFS_PORT,
            "tcp",
            c,
            "nfs for the application hosts".into(),
            false,
        ));
    }
    let mut routes = Vec::new();
    // PostgreSQL published on the private address: forwarded only for the
    // client hosts' addresses, so the rest of the private network does not
    // reach it (the private range is not trusted wholesale on this host).
    let db_routes = database_routes(bp, host);
    let shields_db = !db_routes.is_empty();
    for (service, p) in compose.map(published).unwrap_or_default() {
        if shields_db && is_private_bind(&p.ip) && !p.is_loopback() && service == "nginx" {
            // The load balancer's private range, which is no longer trusted here.
            for cidr in cidrs(bp, &Source::LoadBalancer) {
                let comment = format!("{service} (docker, host port {}) from the load balancer", p.host_port);
                routes.push(Rule::new(p.container_port, p.proto, cidr, comment, true));
            }
        }
        if p.is_loopback() || is_private_bind(&p.ip) {
            continue;
        }
        // After Docker's DNAT the forwarded packet carries the container port.
        let comment = format!("{service} (docker, host port {})", p.host_port);
        routes.push(Rule::new(p.container_port, p.proto, "any".into(), comment, true));
    }
    routes.extend(db_routes);
    routes.dedup();
    let mut trusted = vec![NETWORK_SUBNET.to_string()];
    // The host's own private network only: another zone's network cannot
    // route here anyway, and trusting it would say otherwise. Not on a host
    // that publishes a database for other hosts: there each client is
    // admitted by its address (database_routes).
    trusted.extend(bp.network_of(host).filter(|_| !shields_db).map(|(_, n)| n.ip_range.clone()));
    let project = &bp.project.name.0;
    let docker_user = vec![
        DockerUserBlock {
            family: 4,
            after_rules: "after.rules",
            file: "gen-docker-user.rules",
            ufw_forward: "ufw-user-forward",
            trusted,
            containers: "172.16.0.0/12".into(),
            begin: "# BEGIN gen DOCKER-USER",
            end: "# END gen DOCKER-USER",
        },
        DockerUserBlock {
            family: 6,
            after_rules: "after6.rules",
            file: "gen-docker-user6.rules",
            ufw_forward: "ufw6-user-forward",
            trusted: vec![crate::components::docker::resolve::compose::network_subnet6(project)],
            containers: crate::components::docker::resolve::compose::ula(project).to_string(),
            begin: "# BEGIN gen DOCKER-USER6",
            end: "# END gen DOCKER-USER6",
        },
    ];
    let vpn_here = bp.vpn.as_ref().is_some_and(|v| v.host == host.name);
    let ssh_needs_vpn = vpn_here && !sources.is_empty() && sources.iter().all(|s| *s == Source::Vpn);
    FirewallPlan { rules, routes, docker_user, ssh_needs_vpn }
}

/// `ufw route allow` rules for the PostgreSQL services of this host that
/// clients on other hosts use: one per client address, to the container port.
fn database_routes(bp: &Blueprint, host: &Host) -> Vec<Rule> {
    let mut routes = Vec::new();
    for pg in bp.postgres.iter().filter(|p| p.host == host.name) {
        for c in crate::resolve::private::remote_clients(bp, pg) {
            let port = crate::resolve::private::POSTGRES_PORT;
            let comment = format!("{} (docker, host port {port}) from {}", pg.name, c.host);
            routes.push(Rule::new(port, "tcp", c.address, comment, true));
        }
    }
    routes
}

fn source_name(source: &Source) -> &'static str {
    match source {
        Source::Anywhere => "anywhere",
        Source::Vpn => "the vpn",
        Source::LoadBalancer => "the load balancer",
        Source::AdminCidrs => "admin networks",
        Source::Localhost => "localhost",
    }
}

/// Who can reach each port of the host from outside, through every layer:
/// compose publishing, UFW and DOCKER-USER, the Hetzner Cloud Firewall
/// (cloud hosts; gen's Terraform opens exactly the ports that need to be
/// public), the load balancer and the VPN.
pub fn exposure(bp: &Blueprint, host: &Host, compose: Option<&ComposePlan>) -> Vec<Exposure> {
    let mut rows = Vec::new();
    let sources = ssh_sources(bp);
    let ssh_cidrs: Vec<String> = sources.iter().flat_map(|s| cidrs(bp, s)).collect();
    rows.push(Exposure {
        port: SSH_PORT,
        proto: "tcp",
        service: "sshd".into(),
        via: "host",
        intent: Intent::Admin,
        internet: ssh_cidrs.iter().any(|c| c == "any"),
        who: if ssh_cidrs.is_empty() { "nobody".into() } else { ssh_cidrs.join(", ") },
        pointer: "/firewall/ssh_from".into(),
    });
    if let Some(vpn) = bp.vpn.as_ref().filter(|v| v.host == host.name) {
        rows.push(Exposure {
            port: vpn.port,
            proto: "udp",
            service: "wireguard".into(),
            via: "host",
            intent: Intent::Public,
            internet: true,
            who: "any (only holders of a peer key get an answer)".into(),
            pointer: "/vpn/port".into(),
        });
        for proto in ["udp", "tcp"] {
            rows.push(Exposure {
                port: crate::components::network::resolve::DNS_PORT,
                proto,
                service: "vpn dns".into(),
                via: "host",
                intent: Intent::VpnOnly,
                internet: false,
                who: vpn.subnet.clone(),
                pointer: "/vpn/address".into(),
            });
        }
    }
    let extra: Vec<_> = bp.firewall.iter().flat_map(|f| f.rules.iter().enumerate()).collect();
    for (i, r) in &extra {
        let from = cidrs(bp, &r.from);
        rows.push(Exposure {
            port: r.port,
            proto: proto(r.proto),
            service: r.comment.clone().unwrap_or_else(|| "firewall rule".into()),
            via: "host",
            intent: intent_of(&r.from),
            internet: from.iter().any(|c| c == "any"),
            who: from.join(", "),
            pointer: format!("/firewall/rules/{i}"),
        });
    }
    let nfs = crate::resolve::private::nfs(bp, host);
    if !nfs.exports.is_empty() {
        rows.push(Exposure {
            port: crate::resolve::private::NFS_PORT,
            proto: "tcp",
            service: "nfs".into(),
            via: "host",
            intent: Intent::Private,
            internet: false,
            who: nfs.clients().join(", "),
            pointer: format!("/hosts/{}/private_ip", bp.hosts.iter().position(|h| h.name == host.name).unwrap_or(0)),
        });
    }
    let lb_target = is_lb_target(bp, host);
    for (service, p) in compose.map(published).unwrap_or_default() {
        let private = p.is_loopback() || is_private_bind(&p.ip);
        // A firewall rule that names this port says who it is meant for.
        let ruled = extra.iter().find(|(_, r)| r.port == p.host_port && proto(r.proto) == p.proto);
        let (intent, pointer) = match ruled {
            Some((i, r)) => (intent_of(&r.from), format!("/firewall/rules/{i}")),
            None if lb_target && service == "nginx" => {
                let (k, _) = bp.load_balancers_of(host.name.as_str()).next().expect("a target has a load balancer");
                (Intent::LoadBalancerOnly, format!("/load_balancers/{k}/use_private_network"))
            }
            None if service == "nginx" => (Intent::Public, "/proxy".to_string()),
            None => (Intent::Private, String::new()),
        };
        let db_clients = bp
            .postgres
            .iter()
            .find(|pg| pg.host == host.name && pg.name.0 == service)
            .map(|pg| crate::resolve::private::remote_clients(bp, pg))
            .filter(|c| !c.is_empty());
        let (intent, pointer) = match &db_clients {
            Some(_) if ruled.is_none() => (
                Intent::Private,
                format!("/postgres/{}", bp.postgres.iter().position(|pg| pg.name.0 == service).unwrap_or(0)),
            ),
            _ => (intent, pointer),
        };
        let who = if let (true, Some(clients)) = (private, &db_clients) {
            format!(
                "{} only (IPv4), from {} (ufw route, pg_hba.conf)",
                p.ip,
                clients.iter().map(|c| format!("{} ({})", c.address, c.host)).collect::<Vec<_>>().join(", ")
            )
        } else if private {
            // One IPv4 address: Docker binds nothing on IPv6 for it.
            format!("{} only (IPv4)", if p.ip.is_empty() { "localhost" } else { p.ip.as_str() })
        } else {
            "any, IPv4 and IPv6: Docker publishes it on every address (IPv6 by ip6tables DNAT), \
             DOCKER-USER routes it"
                .into()
        };
        rows.push(Exposure {
            port: p.host_port,
            proto: p.proto,
            service,
            via: "docker",
            intent,
            internet: !private,
            who,
            pointer,
        });
    }
    if host.kind == HostKind::Cloud {
        // The Hetzner Cloud Firewall drops what is not meant to be reached
        // from the internet, before it reaches the host at all.
        for row in &mut rows {
            if row.internet && matches!(row.intent, Intent::Private) {
                row.internet = false;
                row.who = "nobody: the Hetzner Cloud Firewall does not open it".into();
            }
        }
    }
    rows
}

/// The exposure table of `gen plan`.
pub fn describe(s: &mut String, rows: &[Exposure]) {
    use std::fmt::Write as _;
    let _ = writeln!(s, "  exposure (who reaches each port from the internet)");
    let _ = writeln!(s, "    {:<10} {:<22} {:<7} {:<9} {:<9} who", "port", "service", "via", "meant", "internet");
    for r in rows {
        let _ = writeln!(
            s,
            "    {:<10} {:<22} {:<7} {:<9} {:<9} {}",
            format!("{}/{}", r.port, r.proto),
            r.service,
            r.via,
            r.intent.label(),
            if r.internet { "yes" } else { "no" },
            r.who
        );
    }
    let _ = writeln!(
        s,
        "    IPv6 the same: UFW writes every rule for both families; Docker publishes on IPv6 by ip6tables \
         DNAT (daemon.json), through DOCKER-USER in after6.rules"
    );
}

fn intent_of(source: &Source) -> Intent {
    match source {
        Source::Anywhere => Intent::Public,
        Source::Vpn => Intent::VpnOnly,
        Source::LoadBalancer => Intent::LoadBalancerOnly,
        Source::AdminCidrs => Intent::Admin,
        Source::Localhost => Intent::Private,
    }
}

/// Parses `a.b.c.d/n`.
pub fn net(cidr: &str) -> Option<Ipv4Net> {
    cidr.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_binds() {
        assert!(is_private_bind("10.0.1.11"));
        assert!(is_private_bind("127.0.0.1"));
        assert!(!is_private_bind(""));
        assert!(!is_private_bind("0.0.0.0"));
        assert!(!is_private_bind("203.0.113.5"));
    }
}

#[cfg(test)]
mod private_network_tests {
    use super::*;

    fn plan_of(bp: &Blueprint, name: &str) -> (FirewallPlan, Vec<Exposure>) {
        let host = bp.hosts.iter().find(|h| h.name.as_str() == name).expect("host");
        let placed = crate::resolve::placement::on_host(bp, host);
        let compose = crate::components::docker::resolve::compose::plan(
            bp,
            host,
            &placed,
            &crate::components::proxy::resolve::vhost::on_host(bp, host),
        );
        (plan(bp, host, compose.as_ref()), exposure(bp, host, compose.as_ref()))
    }

    #[test]
    fn the_database_host_admits_its_clients_alone() {
        let bp = crate::resolve::private::tests::scale_out(&[]);
        let (db, rows) = plan_of(&bp, "db");
        let routes: Vec<&str> = db.routes.iter().map(|r| r.ufw.as_str()).collect();
        assert_eq!(
            routes,
            [
                "route allow from 10.0.2.11 to any port 5432 proto tcp",
                "route allow from 10.0.2.12 to any port 5432 proto tcp"
            ]
        );
        let nfs: Vec<&str> = db.rules.iter().filter(|r| r.port == 2049).map(|r| r.ufw.as_str()).collect();
        assert_eq!(
            nfs,
            ["allow from 10.0.2.11 to any port 2049 proto tcp", "allow from 10.0.2.12 to any port 2049 proto tcp"]
        );
        // The private range is not let through DOCKER-USER wholesale here.
        assert_eq!(db.docker_user[0].trusted, [NETWORK_SUBNET]);
        let pg = rows.iter().find(|r| r.port == 5432).expect("5432 row");
        assert!(!pg.internet && pg.intent == Intent::Private, "{pg:?}");
        assert!(pg.who.starts_with("10.0.2.20 only (IPv4), from 10.0.2.11 (odoo-1), 10.0.2.12 (odoo-2)"), "{}", pg.who);
        assert!(rows.iter().any(|r| r.port == 2049 && !r.internet && r.who == "10.0.2.11, 10.0.2.12"));
        // An application host (a load balancer target) keeps trusting the range the load balancer comes from.
        let (app, _) = plan_of(&bp, "odoo-1");
        assert_eq!(app.docker_user[0].trusted, [NETWORK_SUBNET, "10.0.0.0/16"]);
        assert!(app.routes.is_empty() && !app.rules.iter().any(|r| r.port == 2049));
    }
}
