//! Check: what the Hetzner Cloud API refuses, before `terraform apply` runs
//! into it.
//!
//! - E610 (after render, [`user_data`]): a cloud server's user data
//!   (`hosts/<host>/cloud-init.yaml`, which gen's Terraform passes as
//!   `user_data`) over 32 KiB. The API's server-create field: "Cloud-Init
//!   user data to use during Server creation. This field is limited to
//!   32KiB." (Hetzner Cloud API, POST /v1/servers,
//!   <https://docs.hetzner.cloud/reference/cloud#servers-create-a-server>; the
//!   same text in hcloud-go's and the OpenAPI clients' documentation).
//! - E611: a load balancer asked for more services, targets or certificates
//!   than its type takes: gen's Terraform creates one `https` service
//!   (`tls: terminate`) or two `tcp` ones (`passthrough`), one target per
//!   entry of `targets`, and one managed certificate per 100 site names.
//!   W611: the same against a figure gen could not confirm.

use crate::blueprint::model::{Blueprint, HostKind, TlsMode};
use crate::diag::Finding;

/// The API's limit of a server's `user_data`: 32 KiB.
pub const USER_DATA_MAX: usize = 32 * 1024;

/// What one load balancer type takes (the API's `load_balancer_types`
/// fields `max_services`, `max_targets`, `max_assigned_certificates`).
#[derive(Debug, Clone, Copy)]
pub struct LbType {
    pub name: &'static str,
    pub services: usize,
    pub targets: usize,
    pub certificates: usize,
    /// Where the figures were read; `false`: not found in the data searched.
    pub verified: bool,
    /// Concurrent connections the type holds, from Hetzner's product page
    /// as remembered (10,000, 20,000, 40,000): not in the API's answer and
    /// not confirmed in the data searched, so W612 is a warning.
    pub connections: usize,
}

/// Connections one user's browser opens to one host over HTTP/1.1: six
/// in Chromium and Firefox (`network.http.max-persistent-connections-per-server`),
/// the worst case W612 counts; HTTP/2 needs one.
pub const CONNECTIONS_PER_USER: usize = 6;

/// LB11 and LB21 as in hetznercloud/hcloud-python's fixtures of the API's
/// answer (tests/unit/load_balancer_types/conftest.py, commit c920c34; LB11
/// also in the Ruby client's example of GET /v1/load_balancers); LB31's
/// figures were not found and are Hetzner's product page as remembered:
/// unverified.
pub const LB_TYPES: &[LbType] = &[
    LbType { name: "lb11", services: 5, targets: 25, certificates: 10, verified: true, connections: 10_000 },
    LbType { name: "lb21", services: 15, targets: 75, certificates: 25, verified: true, connections: 20_000 },
    LbType { name: "lb31", services: 30, targets: 150, certificates: 50, verified: false, connections: 40_000 },
];

const LB_SOURCE: &str = "the API's GET /v1/load_balancer_types (hetznercloud/hcloud-python test fixtures)";

/// Runs this family's rules (the module's doc lists them) over `bp`,
/// appending each finding to `out`.
pub fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    for (k, lb) in bp.load_balancers.iter().enumerate() {
        check_one(bp, k, lb, out);
    }
}

fn check_one(bp: &Blueprint, k: usize, lb: &crate::blueprint::model::LoadBalancer, out: &mut Vec<Finding>) {
    let Some(t) = LB_TYPES.iter().find(|t| t.name.eq_ignore_ascii_case(&lb.lb_type)) else { return };
    connections(bp, k, lb, t, out);
    let names = crate::components::load_balanced_names(bp, lb).len();
    let (services, certificates) = match lb.tls {
        TlsMode::Terminate => (1, names.div_ceil(crate::catalog::NAMES_PER_CERTIFICATE)),
        TlsMode::Passthrough => (2, 0),
    };
    let asks = [
        ("services", services, t.services, format!("/load_balancers/{k}/tls"), String::new()),
        ("targets", lb.targets.len(), t.targets, format!("/load_balancers/{k}/targets"), String::new()),
        (
            "managed certificates",
            certificates,
            t.certificates,
            format!("/load_balancers/{k}/tls"),
            format!(" ({names} site names, at most {} per certificate)", crate::catalog::NAMES_PER_CERTIFICATE),
        ),
    ];
    for (what, need, max, pointer, why) in asks {
        if need <= max {
            continue;
        }
        let bigger = LB_TYPES.iter().find(|b| match what {
            "services" => b.services >= need,
            "targets" => b.targets >= need,
            _ => b.certificates >= need,
        });
        let message = format!(
            "`{}` ({}) takes at most {max} {what}{}; gen's Terraform asks for {need}{why}",
            lb.name,
            t.name.to_ascii_uppercase(),
            if t.verified { "" } else { " (unverified figure)" }
        );
        let hint = match bigger {
            Some(b) => format!(
                "choose `type: {}` (at most {} {what}); source: {LB_SOURCE}",
                b.name,
                match what {
                    "services" => b.services,
                    "targets" => b.targets,
                    _ => b.certificates,
                }
            ),
            None => format!("split the sites over several load balancers; source: {LB_SOURCE}"),
        };
        let f = if t.verified {
            Finding::error("E611", pointer, message)
        } else {
            Finding::warning("W611", pointer, message)
        };
        out.push(f.hint(hint).at_value());
    }
}

/// W612: the users the blueprint states (`project.users`), each with
/// [`CONNECTIONS_PER_USER`] connections, against what the type holds.
fn connections(
    bp: &Blueprint,
    k: usize,
    lb: &crate::blueprint::model::LoadBalancer,
    t: &LbType,
    out: &mut Vec<Finding>,
) {
    let Some(users) = bp.project.users else { return };
    // The users spread evenly over the stack's load balancers.
    let users = (users as usize).div_ceil(bp.load_balancers.len().max(1));
    let need = users * CONNECTIONS_PER_USER;
    if need <= t.connections {
        return;
    }
    let bigger = LB_TYPES.iter().find(|b| b.connections >= need);
    out.push(
        Finding::warning(
            "W612",
            format!("/load_balancers/{k}/type"),
            format!(
                "`{}` ({}) holds about {} concurrent connections; its {users} users (the stated users spread over the load balancers) open up to {need} ({CONNECTIONS_PER_USER} each over HTTP/1.1)",
                lb.name,
                t.name.to_ascii_uppercase(),
                t.connections
            ),
        )
        .hint(match bigger {
            Some(b) => format!("choose `type: {}` (about {} connections), or spread the users over several load balancers", b.name, b.connections),
            None => "spread the users over several load balancers".to_string(),
        })
        .at_value(),
    );
}

/// E610: each cloud host's rendered user data against [`USER_DATA_MAX`].
/// Runs on the rendered files (the size exists only there), after render
/// and before emit; it reads the files and changes nothing.
pub fn user_data(bp: &Blueprint, size_of: &dyn Fn(&str) -> Option<usize>) -> Vec<Finding> {
    let mut out = Vec::new();
    for (h, host) in bp.hosts.iter().enumerate().filter(|(_, h)| h.kind == HostKind::Cloud) {
        let path = format!("hosts/{}/cloud-init.yaml", host.name);
        let Some(size) = size_of(&path) else { continue };
        if size > USER_DATA_MAX {
            out.push(
                Finding::error(
                    "E610",
                    format!("/hosts/{h}"),
                    format!(
                        "`{}`'s user data ({path}) is {size} bytes, {} over the Hetzner Cloud API's limit of {} \
                         (32 KiB): creating the server fails",
                        host.name,
                        size - USER_DATA_MAX,
                        USER_DATA_MAX
                    ),
                )
                .hint(
                    "cloud-init carries every admin's SSH keys: use ssh-ed25519 keys (about 80 characters; an \
                     RSA-4096 key is over 700) or fewer admins; source: Hetzner Cloud API, POST /v1/servers, \
                     `user_data`",
                ),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    /// The minimal blueprint's host as a cloud server behind one load
    /// balancer of `lb_type`, for `users` users.
    fn codes(lb_type: &str, users: u32) -> Vec<&'static str> {
        let lb = format!(
            "networks: [{{name: n, ip_range: 10.0.0.0/16, subnet: 10.0.1.0/24}}]
load_balancers:
  - {{name: lb, type: {lb_type}, location: fsn1, tls: terminate, targets: [ax52],
     health_check: {{interval: 15s, timeout: 10s, retries: 3}}}}
"
        );
        let base = include_str!("../../../../tests/fixtures/invalid/base/minimal.yaml")
            .replace("  title: Odoo ERP\n", &format!("  title: Odoo ERP\n  users: {users}\n"));
        let bp: crate::blueprint::model::Blueprint = serde_yaml::from_str(&format!("{base}{lb}")).expect("blueprint");
        let mut out = Vec::new();
        super::check(&bp, &mut out);
        out.iter().map(|f| f.code).collect()
    }

    #[test]
    fn the_stated_users_fit_the_load_balancers_connections() {
        // 1,666 users × 6 = 9,996 fit an LB11's 10,000; 1,667 do not.
        assert!(codes("lb11", 1666).is_empty());
        assert_eq!(codes("lb11", 1667), ["W612"]);
        assert!(codes("lb21", 1667).is_empty(), "an LB21 holds 20,000");
        assert_eq!(codes("lb31", 10_000), ["W612"], "no type holds 60,000");
    }
}
