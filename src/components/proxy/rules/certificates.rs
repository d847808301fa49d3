//! Check: names that the chosen way of getting certificates, or of reaching
//! them, cannot serve.
//!
//! - E605: a load balancer that terminates TLS gets one Hetzner managed
//!   certificate per 100 site names (`components::provisioning::plan::terraform`), and Hetzner issues
//!   those "only [for] domains managed by Hetzner DNS" (Hetzner Cloud API,
//!   POST /v1/certificates, <https://docs.hetzner.cloud/reference/cloud#certificates-create-a-certificate>;
//!   the same text at <https://metacpan.org/pod/VM::HetznerCloud::API::Certificates>).
//!   A name in a zone the blueprint's `dns` says another provider hosts
//!   (the websites spec's next step: "Cloudflare-Integration für DNS") is
//!   never issued, and `terraform apply` waits on a failed action. One
//!   finding per zone, with the number of names.
//! - W605: names of that certificate in no zone of `dns`: gen cannot tell.
//! - E606: a `vpn_only` Odoo environment on a host other than the VPN host.
//!   gen makes `vpn_only` names work on the VPN host by itself: the clients'
//!   `DNS =` is the server's VPN address, whose dnsmasq answers those names
//!   with that address (`components::network::resolve::VpnDns`), so requests go through
//!   the split tunnel (AllowedIPs = the VPN subnet) and nginx sees a VPN
//!   source. On another host nothing routes the VPN subnet there and the
//!   VPN's DNS does not answer for it: clients resolve the public address,
//!   go around the tunnel, and nginx, which admits only the VPN subnet,
//!   answers 403.
//!
//! Names HTTP-01 cannot issue where nginx terminates TLS (wildcards,
//! non-public names) are E213 in `literals`.

use crate::blueprint::model::{Access, Blueprint, DnsProvider, LoadBalancer, TlsMode};
use crate::diag::Finding;

/// The `dns` entry whose zone is the longest suffix of `name`, with its index.
fn zone_of<'a>(bp: &'a Blueprint, name: &str) -> Option<(usize, &'a crate::blueprint::model::DnsZone)> {
    let name = name.trim_start_matches("*.").trim_end_matches('.').to_ascii_lowercase();
    bp.dns
        .iter()
        .enumerate()
        .filter(|(_, z)| {
            let zone = z.zone.trim_end_matches('.').to_ascii_lowercase();
            name == zone || name.ends_with(&format!(".{zone}"))
        })
        .max_by_key(|(_, z)| z.zone.len())
}

/// `a, b, c and 47 more`.
fn some(names: &[&str]) -> String {
    const SHOWN: usize = 3;
    let head = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    match names.len().saturating_sub(SHOWN) {
        0 => head,
        more => format!("{head} and {more} more"),
    }
}

fn managed_certificate(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (k, lb) in bp.load_balancers.iter().enumerate().filter(|(_, lb)| lb.tls == TlsMode::Terminate) {
        managed_certificate_of(bp, k, lb, out);
    }
}

fn managed_certificate_of(bp: &Blueprint, k: usize, lb: &LoadBalancer, out: &mut Vec<Finding>) {
    let names: Vec<&str> = crate::components::load_balanced_names(bp, lb).into_iter().map(|n| n.domain).collect();
    let mut unknown: Vec<&str> = Vec::new();
    let mut elsewhere: Vec<(usize, Vec<&str>)> = Vec::new();
    for name in &names {
        match zone_of(bp, name) {
            None => unknown.push(name),
            Some((_, z)) if z.provider == DnsProvider::Hetzner => {}
            Some((i, _)) => match elsewhere.iter_mut().find(|(z, _)| *z == i) {
                Some((_, list)) => list.push(name),
                None => elsewhere.push((i, vec![name])),
            },
        }
    }
    for (i, list) in elsewhere {
        let zone = &bp.dns[i];
        out.push(
            Finding::error(
                "E605",
                format!("/dns/{i}/provider"),
                format!(
                    "{} of the {} names on `{}`'s managed certificate are in `{}`, whose DNS is at {}: Hetzner issues \
                     managed certificates only for zones at Hetzner DNS ({})",
                    list.len(),
                    names.len(),
                    lb.name,
                    zone.zone,
                    zone.provider.label(),
                    some(&list)
                ),
            )
            .hint(
                "move the zone to Hetzner DNS, or set the load balancer's `tls: passthrough` so nginx gets its own \
                 certificates by HTTP-01 (any DNS); source: Hetzner Cloud API, POST /v1/certificates",
            )
            .at_value(),
        );
    }
    if !unknown.is_empty() {
        out.push(
            Finding::warning(
                "W605",
                format!("/load_balancers/{k}/tls"),
                format!(
                    "{} of the {} names on `{}`'s managed certificate are in no zone of `dns` ({}): Hetzner issues \
                     managed certificates only for zones at Hetzner DNS, and gen cannot tell where these are",
                    unknown.len(),
                    names.len(),
                    lb.name,
                    some(&unknown)
                ),
            )
            .hint("say where each zone is hosted: `dns: [{zone: example.com, provider: hetzner}]`")
            .at_value(),
        );
    }
}

fn vpn_only_elsewhere(bp: &Blueprint, out: &mut Vec<Finding>) {
    let Some(vpn) = &bp.vpn else { return }; // E303 already
    for g in crate::components::guarded(bp).into_iter().filter(|g| g.access == Access::VpnOnly) {
        // An unknown host is E205; each other host gets one finding per name.
        for host in g.hosts.iter().filter(|h| ***h != vpn.host && bp.hosts.iter().any(|k| &&k.name == *h)) {
            for domain in &g.domains {
                out.push(
                    Finding::error(
                        "E606",
                        format!("{}/access", g.pointer),
                        format!(
                            "`{domain}` is `vpn_only` on `{host}`, but the VPN ends on `{}`: its clients route only {} \
                             through the tunnel and the VPN's DNS ({}) answers only for names on `{}`, so `{domain}` \
                             resolves to `{host}`'s public address and nginx, which admits only {}, answers 403",
                            vpn.host, vpn.subnet, vpn.address, vpn.host, vpn.subnet
                        ),
                    )
                    .hint(format!("serve it on `{}` (the VPN host), or move `vpn.host` to `{host}`", vpn.host))
                    .at_value(),
                );
            }
        }
    }
}

pub fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    managed_certificate(bp, out);
    vpn_only_elsewhere(bp, out);
}

#[cfg(test)]
mod tests {
    #[test]
    fn lists_are_shortened() {
        assert_eq!(super::some(&["a", "b"]), "`a`, `b`");
        assert_eq!(super::some(&["a", "b", "c", "d", "e"]), "`a`, `b`, `c` and 2 more");
    }
}
