//! Several hosts, networks and load balancers (issue 14): the websites'
//! phase 2 in two regions, and dedicated servers behind a load balancer
//! through a vSwitch. Terraform is checked with the provider's documented
//! arguments and its references (`provision::validated_terraform`), the
//! vSwitch interface with netplan itself.

use std::path::Path;

use serde_json::Value;

use crate::common::{built, repo, require, Gen};
use crate::provision::validated_terraform;

fn names(v: &Value) -> Vec<String> {
    v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
}

/// The phase-2 blueprint: a network and a load balancer per region, each
/// load balancer's targets, certificate and spread group its region's only,
/// a volume per server, and the cost report per region.
#[test]
fn phase_2_has_a_network_and_a_load_balancer_per_region() {
    let dir = built(|_, t| t);
    let out = dir.path().join("out/hetzner-websites-phase2");
    let tf = validated_terraform(&out.join("infra"));
    let r = &tf["resource"];

    let subnets = &r["hcloud_network_subnet"];
    assert_eq!(subnets["web-eu"]["network_zone"], "eu-central");
    assert_eq!(subnets["web-us"]["network_zone"], "us-east");
    for (server, network) in [("eu-1", "web-eu"), ("eu-2", "web-eu"), ("us-1", "web-us"), ("us-2", "web-us")] {
        assert_eq!(
            r["hcloud_server"][server]["network"][0]["network_id"],
            format!("${{hcloud_network.{network}.id}}"),
            "{server} joins its region's network"
        );
    }

    assert_eq!(names(&r["hcloud_load_balancer"]), ["lb-eu", "lb-us"]);
    assert_eq!(r["hcloud_load_balancer"]["lb-us"]["location"], "ash");
    assert_eq!(r["hcloud_load_balancer_network"]["lb-us"]["network_id"], "${hcloud_network.web-us.id}");
    let targets = &r["hcloud_load_balancer_target"];
    assert_eq!(names(targets), ["lb-eu_eu-1", "lb-eu_eu-2", "lb-us_us-1", "lb-us_us-2"]);
    assert_eq!(targets["lb-us_us-2"]["load_balancer_id"], "${hcloud_load_balancer.lb-us.id}");
    assert_eq!(targets["lb-us_us-2"]["server_id"], "${hcloud_server.us-2.id}");

    // Each region's managed certificate holds its own 50 sites' 100 names.
    for (lb, first, last) in [("lb-eu", 1, 50), ("lb-us", 51, 100)] {
        let domains = r["hcloud_managed_certificate"][lb]["domain_names"].as_array().expect("names");
        assert_eq!(domains.len(), 100, "{lb}");
        assert_eq!(domains[0], format!("site-{first:03}.example.com"));
        assert_eq!(domains[99], format!("www.site-{last:03}.example.com"));
    }
    assert_eq!(names(&r["hcloud_placement_group"]), ["lb-eu-spread", "lb-us-spread"]);
    assert_eq!(r["hcloud_server"]["us-1"]["placement_group_id"], "${hcloud_placement_group.lb-us-spread.id}");
    assert_eq!(names(&r["hcloud_volume"]).len(), 4);
    assert_eq!(tf["output"]["lb_ipv4_lb-us"]["value"], "${hcloud_load_balancer.lb-us.ipv4}");

    // nginx on an EU server serves the EU sites only, and listens on its
    // private address, where only its load balancer comes from.
    let eu_conf = std::fs::read_dir(out.join("hosts/eu-1/rootfs/etc/gen/nginx/conf.d"))
        .or_else(|_| std::fs::read_dir(find_dir(&out.join("hosts/eu-1"), "conf.d")))
        .expect("eu-1's vhosts");
    let vhosts: Vec<String> = eu_conf.map(|e| e.expect("entry").file_name().to_string_lossy().to_string()).collect();
    assert!(vhosts.iter().any(|v| v.contains("site-001")), "{vhosts:?}");
    assert!(!vhosts.iter().any(|v| v.contains("site-051")), "a US site on an EU server: {vhosts:?}");

    // Both blue-green scripts, each for its own load balancer.
    for lb in ["lb-eu", "lb-us"] {
        let script = std::fs::read_to_string(out.join(format!("infra/blue-green-{lb}.sh"))).expect("script");
        assert!(script.contains(&format!("lb='{lb}'")) || script.contains(&format!("lb={lb}")), "{lb}");
    }

    // The cost report: a row per region, equal here (the same hardware).
    let cost: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report/cost.json")).expect("cost.json")).expect("json");
    let regions = cost["cost"]["regions"].as_array().expect("regions");
    let rows: Vec<(&str, &str)> =
        regions.iter().map(|r| (r["region"].as_str().unwrap(), r["monthly"].as_str().unwrap())).collect();
    assert_eq!(rows, [("eu-central", "369.67"), ("us-east", "369.67")]);
}

/// The first directory named `name` below `root`.
fn find_dir(root: &Path, name: &str) -> std::path::PathBuf {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.file_type().is_dir() && e.file_name() == name)
        .map(|e| e.into_path())
        .unwrap_or_else(|| panic!("no {name} under {}", root.display()))
}

/// Dedicated servers behind a load balancer: IP targets at their vSwitch
/// addresses, a vSwitch subnet in the network, and install.sh's VLAN
/// interface, which netplan itself turns into systemd-networkd units.
#[test]
fn dedicated_servers_are_ip_targets_through_the_vswitch() {
    require("netplan");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("blueprints")).expect("mkdir");
    std::fs::copy(repo().join("tests/fixtures/fleet/vswitch.yaml"), dir.path().join("blueprints/shop.yaml"))
        .expect("copy");
    Gen::new(dir.path()).args(["build"]).succeeds();
    let out = dir.path().join("out/shop");
    let tf = validated_terraform(&out.join("infra"));
    let r = &tf["resource"];
    assert!(r.get("hcloud_server").is_none(), "dedicated servers are not cloud servers");
    assert_eq!(r["hcloud_network"]["shop"]["expose_routes_to_vswitch"], true);
    assert_eq!(r["hcloud_network_subnet"]["shop_vswitch"]["vswitch_id"], 12345);
    assert_eq!(r["hcloud_network_subnet"]["shop_vswitch"]["ip_range"], "10.0.2.0/24");
    for (target, ip) in [("shop-lb_app-1", "10.0.2.11"), ("shop-lb_app-2", "10.0.2.12")] {
        assert_eq!(r["hcloud_load_balancer_target"][target]["type"], "ip");
        assert_eq!(r["hcloud_load_balancer_target"][target]["ip"], ip);
    }

    // install.sh's netplan file for app-1, with the link the host's default
    // route has (here `enp0s31f6`, as on an AX52), through netplan generate.
    let install = std::fs::read_to_string(out.join("hosts/app-1/install.sh")).expect("install.sh");
    let start = install.find("  vswitch_text=\"# Written").expect("the netplan text") + "  vswitch_text=\"".len();
    let text = &install[start..];
    let text = &text[..text.find('"').expect("end of the text")];
    assert!(install.contains("vswitch_if=vlan4000\n"), "the interface's name fits 15 characters");
    let text = text.replace("$vswitch_if", "vlan4000").replace("$vswitch_link", "enp0s31f6");
    let root = tempfile::tempdir().expect("root");
    let netplan = root.path().join("etc/netplan");
    std::fs::create_dir_all(&netplan).expect("mkdir");
    // What installimage writes for the server's own link.
    std::fs::write(
        netplan.join("01-netcfg.yaml"),
        "network:\n  version: 2\n  ethernets:\n    enp0s31f6:\n      addresses: [203.0.113.10/32]\n",
    )
    .expect("write");
    std::fs::write(netplan.join("60-gen-vswitch.yaml"), format!("{text}\n")).expect("write");
    let generate = std::process::Command::new("netplan")
        .args(["generate", "--root-dir"])
        .arg(root.path())
        .output()
        .expect("netplan runs");
    assert!(generate.status.success(), "netplan generate: {}", String::from_utf8_lossy(&generate.stderr));
    let units = root.path().join("run/systemd/network");
    let netdev = std::fs::read_to_string(units.join("10-netplan-vlan4000.netdev")).expect("the VLAN netdev");
    assert!(netdev.contains("Kind=vlan") && netdev.contains("Id=4000"), "{netdev}");
    let network = std::fs::read_to_string(units.join("10-netplan-vlan4000.network")).expect("its network");
    assert!(network.contains("Address=10.0.2.11/24"), "{network}");
    assert!(network.contains("Destination=10.0.0.0/16") && network.contains("Gateway=10.0.2.1"), "{network}");
    assert!(network.contains("MTUBytes=1400"), "{network}");
}

/// E642 still refuses a dedicated target without a vSwitch address, and
/// E316 a dedicated server's address outside a vSwitch subnet.
#[test]
fn a_dedicated_target_without_a_vswitch_address_is_refused() {
    let fixture = std::fs::read_to_string(repo().join("tests/fixtures/fleet/vswitch.yaml")).expect("fixture");
    let lint = lint_codes;
    assert_eq!(lint(&fixture), Vec::<String>::new());
    let no_vswitch = fixture.replace("    vswitch: {id: 12345, vlan: 4000, subnet: 10.0.2.0/24}\n", "");
    assert_eq!(lint(&no_vswitch), ["E316", "E642"]);
    // In the cloud subnet: not a vSwitch address, so no IP target either.
    let outside = fixture.replace("private_ip: 10.0.2.12", "private_ip: 10.0.1.12");
    assert_eq!(lint(&outside), ["E316", "E642"]);

    // Found by the break test: each of these linted clean and built
    // artifacts that could not work.
    let cases = [
        // the vSwitch gateway, which install.sh would route through
        ("private_ip: 10.0.2.12", "private_ip: 10.0.2.1", &["E316"][..]),
        // one address for two hosts
        ("private_ip: 10.0.2.12", "private_ip: 10.0.2.11", &["E316"][..]),
        // host bits, which `ip route` refuses
        ("ip_range: 10.0.0.0/16", "ip_range: 10.0.9.9/16", &["E316"][..]),
        // Docker's default bridge
        ("ip_range: 10.0.0.0/16", "ip_range: 172.17.0.0/16", &["E316"][..]),
        // a load balancer without targets
        ("targets: [app-1, app-2]", "targets: []", &["E641"][..]),
    ];
    for (from, to, codes) in cases {
        assert!(fixture.contains(from), "{from}");
        let edited = fixture.replacen(from, to, 1);
        let edited = if to.contains("172.17.") {
            edited
                .replace("subnet: 10.0.1.0/24", "subnet: 172.17.1.0/24")
                .replace("10.0.2.0/24", "172.17.2.0/24")
                .replace("10.0.2.1", "172.17.2.1")
        } else {
            edited
        };
        assert_eq!(lint(&edited), codes, "{to}");
    }
}

/// A host behind one load balancer over the private network and another
/// over public addresses: nginx listens for one of them only (E643).
#[test]
fn a_host_behind_a_private_and_a_public_load_balancer() {
    let fixture = std::fs::read_to_string(repo().join("tests/fixtures/fleet/vswitch.yaml")).expect("fixture");
    let public = "  - name: lb-pub\n    type: lb11\n    location: fsn1\n    tls: terminate\n    targets: [app-2]\n    use_private_network: false\n    health_check: {path: /health, interval: 15s, timeout: 10s, retries: 3}\ndns:";
    let text = fixture.replacen("dns:", public, 1);
    let codes = lint_codes(&text);
    assert!(codes.iter().any(|c| c == "E643"), "{codes:?}");
}

/// The codes `gen lint` reports on `text` (written as shop.yaml), sorted and
/// each once.
fn lint_codes(text: &str) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("shop.yaml"), text).expect("write");
    let run = Gen::new(dir.path()).args(["lint", "--format", "json", "shop.yaml"]).output();
    let report: Value = serde_json::from_slice(&run.stdout).expect("json");
    let mut codes: Vec<String> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

/// The benchmark's phase-2 fleet (`gen synth --phase2`, scripts/bench.sh
/// target 3b) is what phase 2 is: 100 sites on 4 hosts in 2 regions, a
/// network and a load balancer per region, and it compiles without an error.
#[test]
fn the_synthetic_phase_2_fleet_has_two_regions_and_no_error() {
    let text = gen::synth::phase2("phase2", 100, 4).expect("synth");
    let (loaded, diags) =
        gen::compile::lint_bytes(Path::new("phase2.yaml"), text.as_bytes()).unwrap_or_else(|f| panic!("{f:?}"));
    let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let bp = &loaded.blueprint;
    assert_eq!(bp.hosts.len(), 4);
    assert_eq!(bp.networks.len(), 2);
    assert_eq!(bp.load_balancers.len(), 2);
    assert_eq!(bp.websites.as_ref().map(|w| w.sites.len()), Some(100));
    assert!(gen::synth::phase2("phase2", 100, 3).is_err(), "hosts split evenly over the regions");
}
