//! The provider's refusals, checked before `terraform apply`: the websites
//! reference edited to host its zone at Cloudflare (E605), to put more
//! targets behind its LB11 than it takes (E611), and the build refusing a
//! user data over 32 KiB (E610, a check on the rendered files).

use crate::common::{project, Gen};

fn edited(edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let dir = project();
    let path = dir.path().join("blueprints/hetzner-websites.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, edit(text)).expect("write");
    dir
}

#[test]
fn the_websites_reference_with_its_zone_at_cloudflare() {
    let dir = edited(|t| {
        assert!(t.contains("{zone: example.com, provider: hetzner}"));
        t.replace("{zone: example.com, provider: hetzner}", "{zone: example.com, provider: cloudflare}")
    });
    let (_, stderr) = Gen::new(dir.path()).args(["lint", "blueprints/hetzner-websites.yaml"]).fails();
    assert!(
        stderr.contains("error[E605]: 50 of the 50 names on `web-lb`'s managed certificate are in `example.com`, whose DNS is at Cloudflare"),
        "{stderr}"
    );
    // And `gen build` writes nothing for it.
    let (_, stderr) = Gen::new(dir.path()).args(["build", "blueprints/hetzner-websites.yaml"]).fails();
    assert!(stderr.contains("E605"), "{stderr}");
}

#[test]
fn the_websites_reference_without_dns_warns() {
    let dir = edited(|t| t.replace("dns:\n  - {zone: example.com, provider: hetzner}\n", ""));
    let (_, stderr) = Gen::new(dir.path()).args(["lint", "blueprints/hetzner-websites.yaml"]).succeeds();
    assert!(stderr.contains("warning[W605]: 50 of the 50 names"), "{stderr}");
}

#[test]
fn an_lb11_takes_25_targets() {
    // The reference's two targets, named 13 times each: 26 > 25.
    let dir = edited(|t| {
        let many = vec!["app-1, app-2"; 13].join(", ");
        t.replace("targets: [app-1, app-2]", &format!("targets: [{many}]"))
    });
    let out = Gen::new(dir.path()).args(["lint", "blueprints/hetzner-websites.yaml"]).output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error[E611]: `web-lb` (LB11) takes at most 25 targets; gen's Terraform asks for 26"),
        "{stderr}"
    );
    assert!(stderr.contains("choose `type: lb21` (at most 75 targets)"), "{stderr}");
}

#[test]
fn build_refuses_user_data_over_32_kib() {
    let dir = project();
    let fixture = crate::common::repo().join("tests/fixtures/invalid/user-data-too-large.yaml");
    std::fs::copy(fixture, dir.path().join("blueprints/web.yaml")).expect("copy");
    let (_, stderr) = Gen::new(dir.path()).args(["build", "blueprints/web.yaml"]).fails();
    assert!(
        // 35377 bytes here: the header comment names blueprints/web.yaml.
        stderr.contains(
            "error[E610]: `app-1`'s user data (hosts/app-1/cloud-init.yaml) is 35377 bytes, 2609 over the Hetzner \
             Cloud API's limit of 32768 (32 KiB)"
        ),
        "{stderr}"
    );
    assert!(!dir.path().join("out/web").exists(), "nothing is written");
}
