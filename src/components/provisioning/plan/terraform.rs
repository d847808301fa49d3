//! Hetzner Cloud as Terraform JSON (`infra/main.tf.json`, hcloud provider):
//! servers, the private network, the load balancer with its services,
//! health checks, targets and managed certificate, a spread placement group
//! for the servers behind the load balancer, one Cloud Firewall per
//! server opening what the UFW plan opens to the internet, SSH keys, labels,
//! and each server's user_data read from its cloud-init artifact.
//! Dedicated (Robot) hosts are installed with installimage instead.

use serde_json::{json, Map, Value};

use crate::blueprint::model::{Algorithm, Blueprint, HostKind, TlsMode};
use crate::catalog::{NAMES_PER_CERTIFICATE, SPREAD_GROUP_SIZE};
use crate::plan::HostPlan;

const ANYWHERE: [&str; 2] = ["0.0.0.0/0", "::/0"];

/// The hcloud_server arguments the provider marks ForceNew: a change of any
/// of them destroys the server and creates a new one (terraform-provider-hcloud,
/// internal/server/resource.go). `server_type`, `name`, `labels`,
/// `firewall_ids`, `network` and `placement_group_id` change in place.
pub const SERVER_FORCE_NEW: &[&str] = &["image", "location", "datacenter", "user_data", "ssh_keys"];

/// The ForceNew arguments every server ignores after creation
/// (`lifecycle.ignore_changes`): admins and keys change on the host through
/// install.sh's gen-admins, cloud-init runs on first boot only anyway, and
/// a new OS image is a reinstall the operator asks for by name
/// (`terraform apply -replace=hcloud_server.NAME`), never a side effect.
/// What remains ForceNew (`location`) replaces the server.
pub const SERVER_IGNORED: &[&str] = &["user_data", "ssh_keys", "image"];

fn id(kind: &str, name: &str) -> String {
    format!("${{{kind}.{name}.id}}")
}

fn labels(bp: &Blueprint, extra: &std::collections::BTreeMap<String, String>) -> Value {
    let mut m = Map::new();
    m.insert("project".into(), json!(bp.project.name.to_string()));
    m.insert("managed-by".into(), json!("gen"));
    for (k, v) in extra {
        m.insert(k.clone(), json!(v));
    }
    Value::Object(m)
}

fn sources(from: &str) -> Vec<String> {
    if from == "any" {
        ANYWHERE.iter().map(|s| (*s).to_string()).collect()
    } else {
        vec![from.to_string()]
    }
}

/// Whether a CIDR arrives over the public interface (the only one the
/// Cloud Firewall filters): not the VPN, not the private network.
fn public_source(bp: &Blueprint, from: &str) -> bool {
    let inside = |cidr: &str| from == cidr;
    !(bp.vpn.as_ref().is_some_and(|v| inside(&v.subnet))
        || bp.networks.iter().any(|n| inside(&n.ip_range))
        || from.starts_with("127."))
}

pub fn plan(bp: &Blueprint, hosts: &[HostPlan], header: &str) -> Option<Value> {
    let cloud: Vec<(&crate::blueprint::model::Host, &HostPlan)> = bp
        .hosts
        .iter()
        .filter(|h| h.kind == HostKind::Cloud)
        .filter_map(|h| hosts.iter().find(|p| p.name == h.name.0).map(|p| (h, p)))
        .collect();
    // Dedicated servers alone need no Terraform, unless a load balancer or
    // a network (with its vSwitch) stands in front of them.
    if cloud.is_empty() && bp.load_balancers.is_empty() && bp.networks.is_empty() {
        return None;
    }
    let mut res = Map::new();
    let mut ssh_keys = Map::new();
    let mut key_ids = Vec::new();
    for admin in &bp.admins {
        for (i, key) in admin.ssh_keys.iter().enumerate() {
            let name = if i == 0 { admin.name.to_string() } else { format!("{}-{}", admin.name, i + 1) };
            key_ids.push(id("hcloud_ssh_key", &name));
            ssh_keys.insert(
                name.clone(),
                json!({ "name": name, "public_key": key, "labels": labels(bp, &Default::default()) }),
            );
        }
    }
    if !cloud.is_empty() {
        // Keys are for the cloud servers; Robot servers get theirs through installimage.
        res.insert("hcloud_ssh_key".into(), Value::Object(ssh_keys));
    }

    networks(bp, &mut res);

    let spread = spread_groups(bp);
    if !spread.is_empty() {
        let mut groups = Map::new();
        for group in spread.values() {
            groups.insert(
                group.clone(),
                json!({ "name": group, "type": "spread", "labels": labels(bp, &Default::default()) }),
            );
        }
        res.insert("hcloud_placement_group".into(), Value::Object(groups));
    }

    let mut firewalls = Map::new();
    let mut servers = Map::new();
    for (host, plan) in &cloud {
        let name = host.name.to_string();
        let mut rules =
            vec![json!({ "description": "ping", "direction": "in", "protocol": "icmp", "source_ips": ANYWHERE })];
        for r in plan.firewall.rules.iter().chain(plan.firewall.routes.iter()) {
            if !public_source(bp, &r.from) {
                continue;
            }
            rules.push(json!({
                "description": r.comment,
                "direction": "in",
                "protocol": r.proto,
                "port": r.port.to_string(),
                "source_ips": sources(&r.from),
            }));
        }
        firewalls
            .insert(name.clone(), json!({ "name": name, "labels": labels(bp, &Default::default()), "rule": rules }));
        let mut server = json!({
            "name": name,
            "server_type": host.server_type.to_lowercase(),
            "image": host.os,
            "location": host.location,
            "ssh_keys": key_ids,
            "user_data": format!("${{file(\"${{path.module}}/../hosts/{name}/cloud-init.yaml\")}}"),
            "firewall_ids": [id("hcloud_firewall", &name)],
            "labels": labels(bp, &host.labels),
            "public_net": { "ipv4_enabled": true, "ipv6_enabled": true },
            "lifecycle": {
                // Terraform JSON's comment property, in the lifecycle block.
                "//": "user_data, ssh_keys and image force a new server in the hcloud provider: later changes are ignored, so an admin or cloud-init change never replaces a server (install.sh's gen-admins manages admins on the host)",
                "ignore_changes": SERVER_IGNORED,
            },
        });
        if let Some(group) = spread.get(&name) {
            server["placement_group_id"] = json!(id("hcloud_placement_group", group));
        }
        if host.backups {
            // The provider's daily Backups, 7 kept (20 % of the server's price).
            server["backups"] = json!(true);
        }
        if let (Some((_, net)), Some(ip)) = (bp.network_of(host), &host.private_ip) {
            let n = net.name.to_string();
            server["network"] = json!([{ "network_id": id("hcloud_network", &n), "ip": ip }]);
            server["depends_on"] = json!([format!("hcloud_network_subnet.{n}")]);
        }
        servers.insert(name, server);
    }
    if !servers.is_empty() {
        res.insert("hcloud_firewall".into(), Value::Object(firewalls));
        res.insert("hcloud_server".into(), Value::Object(servers));
    }
    let volumes = volumes(bp, &cloud);
    if !volumes.is_empty() {
        res.insert("hcloud_volume".into(), Value::Object(volumes));
    }

    load_balancers(bp, &mut res);

    let moved = moved_from_short_names(bp, &res);
    // The addresses the operator needs: DNS records (a load balancer's
    // when the names are behind one), the VPN endpoint.
    let mut outputs: Map<String, Value> = cloud
        .iter()
        .map(|(h, _)| {
            (format!("ipv4_{}", h.name), json!({ "value": format!("${{hcloud_server.{}.ipv4_address}}", h.name) }))
        })
        .collect();
    for lb in &bp.load_balancers {
        outputs.insert(
            format!("lb_ipv4_{}", lb.name),
            json!({ "value": format!("${{hcloud_load_balancer.{}.ipv4}}", lb.name) }),
        );
    }
    let mut tf = json!({
        // Terraform JSON's comment property.
        "//": header,
        "terraform": { "required_providers": { "hcloud": { "source": "hetznercloud/hcloud", "version": "~> 1.52" } } },
        "variable": { "hcloud_token": { "type": "string", "sensitive": true, "description": "Hetzner Cloud API token (read/write); never stored in the repository" } },
        "provider": { "hcloud": { "token": "${var.hcloud_token}" } },
        "resource": Value::Object(res),
        "output": Value::Object(outputs),
    });
    if !moved.is_empty() {
        tf["moved"] = json!(moved);
    }
    Some(tf)
}

/// `moved` blocks from the names gen gave a single load balancer's
/// services and targets before names carried the load balancer
/// (`hcloud_load_balancer_service.https`, `hcloud_load_balancer_target.<target>`)
/// to the first load balancer's names, so a stack built with those names
/// keeps its live services and targets instead of Terraform destroying and
/// creating them. A `from` address missing from the state is a no-op.
fn moved_from_short_names(bp: &Blueprint, res: &Map<String, Value>) -> Vec<Value> {
    let Some(lb) = bp.load_balancers.first() else { return Vec::new() };
    let prefix = format!("{}_", lb.name);
    let mut moved = Vec::new();
    for kind in ["hcloud_load_balancer_service", "hcloud_load_balancer_target"] {
        for key in res.get(kind).and_then(Value::as_object).into_iter().flat_map(|m| m.keys()) {
            if let Some(short) = key.strip_prefix(&prefix) {
                moved.push(json!({ "from": format!("{kind}.{short}"), "to": format!("{kind}.{key}") }));
            }
        }
    }
    moved
}

/// Every private network with its cloud subnet and, when dedicated servers
/// join it, its vSwitch subnet. A network with a vSwitch exposes its routes
/// to it (`expose_routes_to_vswitch`), so the dedicated servers reach the
/// cloud subnet through the vSwitch gateway. Subnets are keyed by network
/// name (`<network>` for the cloud subnet, `<network>_vswitch`: `_` is not
/// in a blueprint name, so no other network's key can be the same).
fn networks(bp: &Blueprint, res: &mut Map<String, Value>) {
    if bp.networks.is_empty() {
        return;
    }
    let mut networks = Map::new();
    let mut subnets = Map::new();
    for net in &bp.networks {
        let n = net.name.to_string();
        let mut network = json!({ "name": n, "ip_range": net.ip_range, "labels": labels(bp, &Default::default()) });
        subnets.insert(
            n.clone(),
            json!({
                "network_id": id("hcloud_network", &n),
                "type": "cloud",
                "network_zone": net.zone,
                "ip_range": net.subnet,
            }),
        );
        if let Some(vswitch) = &net.vswitch {
            network["expose_routes_to_vswitch"] = json!(true);
            subnets.insert(
                format!("{n}_vswitch"),
                json!({
                    "network_id": id("hcloud_network", &n),
                    "type": "vswitch",
                    "network_zone": net.zone,
                    "ip_range": vswitch.subnet,
                    "vswitch_id": vswitch.id,
                }),
            );
        }
        networks.insert(n, network);
    }
    res.insert("hcloud_network".into(), Value::Object(networks));
    res.insert("hcloud_network_subnet".into(), Value::Object(subnets));
}

/// Each cloud host's volumes, attached to it (in its location) and left
/// blank: install.sh formats a new one with its name as the file system label and
/// mounts it by that label. Delete protection keeps `terraform destroy` or a
/// removed entry from deleting the data with it.
fn volumes(bp: &Blueprint, cloud: &[(&crate::blueprint::model::Host, &HostPlan)]) -> Map<String, Value> {
    let mut volumes = Map::new();
    for (host, _) in cloud {
        for v in host.storage.iter().flat_map(|s| s.volumes.iter()) {
            volumes.insert(
                v.name.to_string(),
                json!({
                    "name": v.name.to_string(),
                    "size": crate::components::cost::resolve::gb(v.size),
                    "server_id": id("hcloud_server", &host.name.0),
                    "automount": false,
                    "delete_protection": true,
                    "labels": labels(bp, &Default::default()),
                }),
            );
        }
    }
    volumes
}

/// The Terraform resource types of the load balancers, in the order they
/// are written. Each maps resource names to arguments; a type no load
/// balancer uses is left out.
const LB_RESOURCES: [&str; 5] = [
    "hcloud_load_balancer",
    "hcloud_load_balancer_network",
    "hcloud_managed_certificate",
    "hcloud_load_balancer_service",
    "hcloud_load_balancer_target",
];

/// Every load balancer with its network attachment, services, managed
/// certificates and targets. A service or target is named
/// `<lb>_<service>` / `<lb>_<target>` and a second certificate `<lb>_2`:
/// `_` is not in a blueprint name, so two load balancers' names never meet
/// (`lb` with target `eu-x` and `lb-eu` with target `x` would as
/// `lb-eu-x`), and a name stays the same when a load balancer is added.
fn load_balancers(bp: &Blueprint, res: &mut Map<String, Value>) {
    let mut maps: Vec<Map<String, Value>> = LB_RESOURCES.iter().map(|_| Map::new()).collect();
    for lb in &bp.load_balancers {
        load_balancer(bp, lb, &mut maps);
    }
    for (kind, map) in LB_RESOURCES.iter().zip(maps) {
        if !map.is_empty() {
            res.insert((*kind).into(), Value::Object(map));
        }
    }
}

fn load_balancer(bp: &Blueprint, lb: &crate::blueprint::model::LoadBalancer, maps: &mut [Map<String, Value>]) {
    let [lbs, attachments, certificates, service_map, target_map] = maps else {
        unreachable!("one map per entry of LB_RESOURCES")
    };
    let name = lb.name.to_string();
    let key = |short: &str| format!("{name}_{short}");
    let lb_id = id("hcloud_load_balancer", &name);
    lbs.insert(
        name.clone(),
        json!({
            "name": name,
            "load_balancer_type": lb.lb_type.to_lowercase(),
            "location": lb.location,
            "algorithm": { "type": match lb.algorithm { Algorithm::RoundRobin => "round_robin", Algorithm::LeastConnections => "least_connections" } },
            "labels": labels(bp, &Default::default()),
        }),
    );
    let net = bp.network_of_load_balancer(lb).map(|(_, n)| n);
    if let Some(net) = net {
        let n = net.name.to_string();
        attachments.insert(
            name.clone(),
            json!({
                "load_balancer_id": lb_id,
                "network_id": id("hcloud_network", &n),
                "depends_on": [format!("hcloud_network_subnet.{n}")],
            }),
        );
    }
    let hc = |protocol: &str, port: u16| {
        let mut h = json!({
            "protocol": protocol,
            "port": port,
            "interval": lb.health_check.interval.seconds(),
            "timeout": lb.health_check.timeout.seconds(),
            "retries": lb.health_check.retries,
        });
        if protocol == "http" {
            h["http"] = json!({ "path": lb.health_check.path, "status_codes": ["2??"] });
        }
        h
    };
    match lb.tls {
        TlsMode::Terminate => {
            let domains: Vec<&str> =
                crate::components::load_balanced_names(bp, lb).into_iter().map(|n| n.domain).collect();
            let mut cert_ids = Vec::new();
            for (i, chunk) in domains.chunks(NAMES_PER_CERTIFICATE).enumerate() {
                let cert = if i == 0 { name.clone() } else { format!("{name}_{}", i + 1) };
                cert_ids.push(id("hcloud_managed_certificate", &cert));
                certificates.insert(
                    cert.clone(),
                    json!({ "name": cert, "domain_names": chunk, "labels": labels(bp, &Default::default()) }),
                );
            }
            service_map.insert(
                key("https"),
                json!({
                    "load_balancer_id": lb_id,
                    "protocol": "https",
                    "listen_port": 443,
                    "destination_port": 80,
                    "http": { "certificates": cert_ids, "redirect_http": true },
                    "health_check": hc("http", 80),
                }),
            );
        }
        TlsMode::Passthrough => {
            for port in [80u16, 443] {
                service_map.insert(
                    key(&format!("tcp-{port}")),
                    json!({
                        "load_balancer_id": lb_id,
                        "protocol": "tcp",
                        "listen_port": port,
                        "destination_port": port,
                        "health_check": hc("http", 80),
                    }),
                );
            }
        }
    }
    for t in &lb.targets {
        let Some(host) = bp.host(t.as_str()) else { continue }; // E205
        let mut target = match host.kind {
            HostKind::Cloud => json!({
                "type": "server",
                "load_balancer_id": lb_id,
                "server_id": id("hcloud_server", &t.0),
                "use_private_ip": net.is_some(),
            }),
            // A dedicated server is an IP target at its vSwitch address
            // (E642 when it has none): the provider accepts a Robot server's
            // public IP or a private IP in a subnet of type vswitch.
            HostKind::Dedicated => json!({
                "type": "ip",
                "load_balancer_id": lb_id,
                "ip": host.private_ip.clone().unwrap_or_default(),
            }),
        };
        if let Some(net) = net {
            let mut after = vec![format!("hcloud_load_balancer_network.{name}")];
            if host.kind == HostKind::Dedicated && net.vswitch.is_some() {
                // The vSwitch subnet holds the target's address.
                after.push(format!("hcloud_network_subnet.{}_vswitch", net.name));
            }
            target["depends_on"] = json!(after);
        }
        target_map.insert(key(t.as_str()), target);
    }
}

/// The spread placement group of each cloud server behind the load
/// balancer, when two or more are: servers that stand in for each other
/// must not share a physical host, or one hardware fault takes them all
/// (Hetzner Cloud docs, "Placement groups"). A group holds at most
/// [`SPREAD_GROUP_SIZE`] servers, so a larger fleet gets `<lb>-spread-2`, ….
/// Keyed by server name.
fn spread_groups(bp: &Blueprint) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for lb in &bp.load_balancers {
        // A server behind two load balancers stays in its first one's group:
        // the provider puts a server into one placement group only.
        let cloud: Vec<&str> = lb
            .targets
            .iter()
            .filter(|t| bp.host(t.as_str()).is_some_and(|h| h.kind == HostKind::Cloud))
            .map(|t| t.as_str())
            .filter(|t| !out.contains_key(*t))
            .collect();
        if cloud.len() < 2 {
            continue;
        }
        for (i, chunk) in cloud.chunks(SPREAD_GROUP_SIZE).enumerate() {
            let group = if i == 0 { format!("{}-spread", lb.name) } else { format!("{}-spread-{}", lb.name, i + 1) };
            for t in chunk {
                out.insert((*t).to_string(), group.clone());
            }
        }
    }
    out
}

/// The blue-green switch for the hosts behind one load balancer: what the
/// generated script needs to move one target out, deploy, check and move it back.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BlueGreen {
    pub load_balancer: String,
    /// Where the script goes: `infra/blue-green.sh` for a stack's only load
    /// balancer, `infra/blue-green-<lb>.sh` for each of several.
    pub file: String,
    pub targets: Vec<BlueGreenTarget>,
    /// The admin user the script logs in as.
    pub admin: String,
    pub checkout: &'static str,
    pub health_path: String,
    /// How long the load balancer may take to call a target healthy.
    pub wait_seconds: u64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct BlueGreenTarget {
    pub name: String,
    pub private_ip: String,
    pub color: String,
}

/// One script per load balancer with two or more cloud servers as targets
/// (the hcloud CLI moves server targets; a dedicated IP target is rolled
/// out with the Ansible playbook instead).
pub fn blue_green(bp: &Blueprint) -> Vec<BlueGreen> {
    let several = bp.load_balancers.len() > 1;
    bp.load_balancers.iter().filter_map(|lb| blue_green_of(bp, lb, several)).collect()
}

fn blue_green_of(bp: &Blueprint, lb: &crate::blueprint::model::LoadBalancer, several: bool) -> Option<BlueGreen> {
    let cloud: Vec<&crate::blueprint::model::Host> =
        lb.targets.iter().filter_map(|t| bp.host(t.as_str())).filter(|h| h.kind == HostKind::Cloud).collect();
    if cloud.len() < 2 {
        return None;
    }
    let targets = cloud
        .into_iter()
        .map(|h| BlueGreenTarget {
            name: h.name.to_string(),
            private_ip: h.private_ip.clone().unwrap_or_default(),
            color: h.labels.get("deployment").cloned().unwrap_or_default(),
        })
        .collect();
    let hc = &lb.health_check;
    Some(BlueGreen {
        load_balancer: lb.name.to_string(),
        file: if several { format!("infra/blue-green-{}.sh", lb.name) } else { "infra/blue-green.sh".into() },
        targets,
        admin: bp.admins.first().map(|a| a.name.to_string()).unwrap_or_else(|| "root".into()),
        checkout: "/var/lib/gen/config",
        health_path: hc.path.clone(),
        // Enough checks to pass `retries` times in a row, with room to spare.
        wait_seconds: (hc.interval.seconds() + hc.timeout.seconds()) * u64::from(hc.retries + 1) + 30,
    })
}
