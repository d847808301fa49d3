//! The real upstream validators on everything gen writes: Debian's nginx
//! (`nginx -t` in a throwaway root) and docker-compose (`config -q`). A
//! missing validator fails the test; it is never skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{built, repo, require, Gen};

/// The fixture with container services, static sites and redirects.
const SERVED: &str = "tests/fixtures/served/static-and-redirects.yaml";

pub(crate) fn find(root: &Path, file_name: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == file_name)
        .map(|e| e.path().to_path_buf())
        .collect();
    found.sort();
    found
}

fn nginx_t(nginx_dir: &Path, downport: bool) -> (bool, String) {
    let mut cmd = Command::new(repo().join("tests/validate/nginx-t.sh"));
    cmd.arg(nginx_dir);
    if downport {
        cmd.arg("--downport-http2");
    }
    let out = cmd.output().expect("nginx-t.sh runs");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).to_string())
}

#[test]
fn nginx_accepts_every_generated_config() {
    require("nginx");
    require("unshare");
    let dir = built(|_, t| t);
    let confs = find(&dir.path().join("out"), "nginx.conf");
    assert_eq!(confs.len(), crate::common::nginx_host_count(), "one nginx per host that serves HTTP");
    for conf in confs {
        let nginx_dir = conf.parent().unwrap();
        // Debian 12 has nginx 1.22; the references run 1.28, whose `http2 on;`
        // the harness rewrites to the 1.22 form. Everything else is checked as is.
        let (ok, err) = nginx_t(nginx_dir, true);
        assert!(ok, "nginx -t failed for {}:\n{err}", nginx_dir.display());
    }
}

#[test]
fn nginx_rejects_a_broken_config() {
    require("nginx");
    let dir = built(|_, t| t);
    let conf = find(&dir.path().join("out/odoo-dedicated"), "odoo-prod.conf").remove(0);
    let text = std::fs::read_to_string(&conf).unwrap();
    std::fs::write(&conf, text.replacen("proxy_read_timeout", "proxy_read_timeoutt", 1)).unwrap();
    let (ok, err) = nginx_t(conf.parent().unwrap().parent().unwrap(), true);
    assert!(!ok, "the harness must fail on an unknown directive");
    assert!(err.contains("unknown directive"), "{err}");
}

/// A blueprint pinned to nginx 1.22 gets the `listen … http2` syntax, which
/// Debian's nginx accepts without any rewriting.
#[test]
fn nginx_syntax_follows_the_pinned_version() {
    require("nginx");
    let dir = built(|_, t| t.replace("nginx:1.28.0-alpine", "nginx:1.22.1-alpine"));
    for conf in find(&dir.path().join("out"), "nginx.conf") {
        let nginx_dir = conf.parent().unwrap();
        let all: String =
            find(nginx_dir, "").into_iter().map(|p| std::fs::read_to_string(p).unwrap_or_default()).collect();
        assert!(!all.contains("http2 on;"), "1.22 does not know `http2 on;`");
        let (ok, err) = nginx_t(nginx_dir, false);
        assert!(ok, "nginx -t failed for {}:\n{err}", nginx_dir.display());
    }
    let odoo =
        std::fs::read_to_string(find(&dir.path().join("out/odoo-dedicated"), "odoo-prod.conf").remove(0)).unwrap();
    assert!(odoo.contains("listen 443 ssl http2;"));
}

#[test]
fn docker_compose_accepts_every_generated_file() {
    require("docker-compose");
    let dir = built(|_, t| t);
    let files = find(&dir.path().join("out"), "docker-compose.yml");
    assert_eq!(files.len(), crate::common::host_count());
    for file in files {
        let stack = file.parent().unwrap();
        // The operator's .env: every name from .env.example, with a value.
        let example = std::fs::read_to_string(stack.join(".env.example")).unwrap();
        let env: String = example.lines().filter(|l| l.ends_with('=')).map(|l| format!("{l}value\n")).collect();
        std::fs::write(stack.join(".env"), env).unwrap();
        // No `start_interval`: compose v2 refuses it on engines before 25.
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.lines().any(|l| l.trim_start().starts_with("start_interval:")), "{}", file.display());
        let checked = file.clone();
        let out = Command::new("docker-compose")
            .arg("-f")
            .arg(&checked)
            .args(["config", "-q"])
            .current_dir(stack)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "docker-compose config failed for {}:\n{}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        // With the .env, no variable is left unset.
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("is not set"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// What DESIGN.md and the issue require of every compose file, read as data.
#[test]
fn compose_files_are_current_and_closed() {
    let dir = built(|_, t| t);
    for file in find(&dir.path().join("out"), "docker-compose.yml") {
        let doc: serde_yaml::Value = serde_yaml::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert!(doc.get("version").is_none(), "obsolete `version:` in {}", file.display());
        let services = doc["services"].as_mapping().unwrap();
        for (name, s) in services {
            let name = name.as_str().unwrap();
            let image = s["image"].as_str().unwrap();
            assert!(image.contains(':') && !image.ends_with(":latest"), "{name}: unpinned image {image}");
            assert!(s.get("healthcheck").is_some(), "{name}: no healthcheck");
            assert!(s["deploy"]["resources"]["limits"]["memory"].as_str().is_some(), "{name}: no memory limit");
            for port in s.get("ports").and_then(|p| p.as_sequence()).into_iter().flatten() {
                let port = port.as_str().unwrap();
                // Loopback-only ports (Prometheus) are reachable from the host alone.
                if port.starts_with("127.0.0.1:") {
                    continue;
                }
                // PostgreSQL for clients on other hosts: on the database
                // host's private address only, never every address.
                if file.to_string_lossy().contains("/odoo-scale-out/hosts/db/") && name == "postgres" {
                    assert_eq!(port, "10.0.2.20:5432:5432", "PostgreSQL publishes privately");
                    continue;
                }
                assert_eq!(name, "nginx", "only the proxy publishes ports, {name} publishes {port}");
                if file.to_string_lossy().contains("hetzner-websites") {
                    // Phase 1's subnet, and phase 2's EU and US subnets.
                    let private = ["10.0.1.", "10.1.1."].iter().any(|s| port.starts_with(s));
                    assert!(private, "behind the load balancer nginx listens privately: {port}");
                }
            }
            // nginx resolves upstreams per request: nothing may hold it back.
            assert!(name != "nginx" || s.get("depends_on").is_none(), "nginx waits for upstreams");
            if let Some(deps) = s.get("depends_on").and_then(|d| d.as_mapping()) {
                for (_, dep) in deps {
                    assert!(dep["condition"].as_str().is_some(), "{name}: depends_on without a condition");
                }
            }
        }
    }
}

#[test]
fn nginx_configs_follow_the_tls_and_proxy_rules() {
    let dir = built(|_, t| t);
    let out = dir.path().join("out");
    let all: Vec<(PathBuf, String)> = walkdir::WalkDir::new(&out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "conf"))
        // nginx's files only (the VPN's dnsmasq config speaks of its upstream too).
        .filter(|e| e.path().components().any(|c| c.as_os_str() == "nginx"))
        .map(|e| (e.path().to_path_buf(), std::fs::read_to_string(e.path()).unwrap()))
        .collect();
    for (path, text) in &all {
        for banned in ["X-XSS-Protection", "brotli", "proxy_cache_valid", "ssl_stapling", "http2_push"] {
            assert!(!text.contains(banned), "{banned} in {}", path.display());
        }
        let dhe = text.split([':', ' ', '\'']).any(|token| token.starts_with("DHE-"));
        assert!(!dhe, "a DHE cipher in {}", path.display());
    }
    let odoo_main = std::fs::read_to_string(find(&out.join("odoo-dedicated"), "nginx.conf").remove(0)).unwrap();
    assert!(odoo_main.contains("ssl_protocols TLSv1.2 TLSv1.3;"));
    assert!(odoo_main
        .contains(&format!("ssl_ciphers {};", gen::components::proxy::resolve::nginx::MOZILLA_INTERMEDIATE_CIPHERS)));
    assert!(odoo_main.contains("map $http_upgrade $connection_upgrade"));
    // Upstreams resolve per request in Docker's DNS: no `upstream` block that
    // nginx would resolve at start, so one stopped container cannot stop it.
    assert!(odoo_main.contains("resolver 127.0.0.11 valid=10s ipv6=off;"), "{odoo_main}");
    for (path, text) in &all {
        assert!(!text.contains("upstream "), "an upstream block in {}", path.display());
        for line in text.lines().filter(|l| l.contains("proxy_pass") && !l.trim_start().starts_with('#')) {
            assert!(line.contains("proxy_pass http://$gen_"), "{}: {line}", path.display());
        }
    }
    let read = |name: &str| std::fs::read_to_string(find(&out.join("odoo-dedicated"), name).remove(0)).unwrap();
    let (prod, test, dev) = (read("odoo-prod.conf"), read("odoo-test.conf"), read("odoo-dev.conf"));
    for conf in [&prod, &test, &dev] {
        assert!(conf.contains("max-age=63072000"));
        assert!(conf.contains("location /websocket"));
        assert!(conf.contains(":8072;"), "websocket upstream on the gevent port");
        assert!(conf.contains("location ^~ /.well-known/acme-challenge/"));
        assert!(conf.contains("return 301 https://$host$request_uri;"));
        assert!(conf.contains("proxy_set_header X-Forwarded-Proto $scheme;"));
        assert!(conf.contains("proxy_set_header X-Forwarded-Host $host;"));
    }
    assert!(test.contains("auth_basic_user_file") && !prod.contains("auth_basic"));
    assert!(dev.contains("allow 10.8.0.0/24;") && dev.contains("deny all;"));
    let default = std::fs::read_to_string(find(&out.join("hetzner-websites"), "00-default.conf").remove(0)).unwrap();
    assert!(default.contains("location = /health"));
    let site = std::fs::read_to_string(find(&out.join("hetzner-websites"), "site-site-01.conf").remove(0)).unwrap();
    assert!(!site.contains("ssl_certificate"), "the load balancer terminates TLS for the websites");
}

/// Static sites and redirects on the Odoo reference (nginx terminates TLS)
/// and the websites reference (the load balancer does): nginx accepts every
/// vhost, and each one's certificate, password file and mount follow from it.
/// Where a load balancer ends TLS, every proxied vhost (websites, Odoo,
/// services) passes on the scheme the load balancer saw; where nginx ends
/// TLS, its own. The harness's scale-out found Odoo behind the load balancer
/// told `http` (its absolute URLs and web.base.url then say http).
#[test]
fn every_vhost_forwards_the_scheme_the_client_used() {
    let dir = built(|_, t| t);
    let out = dir.path().join("out");
    let mut behind_lb = 0;
    for path in walkdir::WalkDir::new(&out)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.path().to_path_buf())
        .filter(|p| p.extension().is_some_and(|x| x == "conf") && p.parent().is_some_and(|d| d.ends_with("conf.d")))
    {
        let text = std::fs::read_to_string(&path).unwrap();
        let tls = text.contains("listen 443 ssl");
        for line in text.lines().filter(|l| l.contains("proxy_set_header X-Forwarded-Proto")) {
            let want = if tls { "$scheme;" } else { "$forwarded_proto;" };
            assert!(line.trim_end().ends_with(want), "{}: {line}", path.display());
        }
        if !tls && text.contains("X-Forwarded-Proto") {
            behind_lb += 1;
        }
    }
    let prod = std::fs::read_to_string(find(&out.join("odoo-scale-out"), "odoo-prod.conf").remove(0)).unwrap();
    assert!(prod.contains("proxy_set_header X-Forwarded-Proto $forwarded_proto;"), "{prod}");
    assert!(behind_lb > 2, "vhosts behind a load balancer: {behind_lb}");
}

#[test]
fn static_sites_and_redirects_pass_nginx_and_bring_their_certificates() {
    require("nginx");
    require("unshare");
    let dir = built(|name, text| {
        match name {
        "odoo-dedicated" => format!(
            "{text}
static_sites:
  - {{name: docs, hosts: [ax52], domains: [docs.becker-sicherheit.de], access: basic_auth,
     basic_auth: {{user: docs, password_secret: DOCS_PASSWORD}}, expires: 1h}}
  - {{name: intranet, hosts: [ax52], domains: [intranet.becker-sicherheit.de], access: vpn_only,
     root: /srv/www/intranet}}
services:
  - {{name: wiki, host: ax52, image: \"requarks/wiki:2.5.308\", port: 3000, domains: [wiki.becker-sicherheit.de],
     environment: {{DB_TYPE: postgres, DB_HOST: postgres, DB_USER: wiki, DB_NAME: wiki, DB_PASS: \"${{WIKI_DB_PASSWORD}}\"}},
     database: {{server: postgres, name: wiki, user: wiki, password_secret: WIKI_DB_PASSWORD, connections: 12}},
     resources: {{limits: {{cpus: 0.5, memory: 512M}}}}}}
redirects:
  - {{from: [www.becker-sicherheit.de, becker-sicherheit.com], to: odoo.becker-sicherheit.de, hosts: [ax52]}}
  - {{from: [alt.becker-sicherheit.de], to: \"https://odoo.becker-sicherheit.de/web/login\", hosts: [ax52],
     permanent: false, keep_path: false}}
"
        )
        .replace(
            "secrets:\n",
            "secrets:\n  - {name: DOCS_PASSWORD, description: basic-auth password of the docs site}\n  - {name: WIKI_DB_PASSWORD, description: the wiki's database role}\n",
        ),
        "hetzner-websites" => format!(
            "{text}
static_sites:
  - {{name: landing, hosts: [app-1, app-2], domains: [landing.example.com]}}
redirects:
  - {{from: [www.landing.example.com], to: landing.example.com, hosts: [app-1, app-2]}}
"
        ),
        _ => text,
    }
    });
    std::fs::copy(repo().join(SERVED), dir.path().join("blueprints/served.yaml")).expect("copy the fixture");
    Gen::new(dir.path()).args(["build", "blueprints/served.yaml"]).succeeds();
    let out = dir.path().join("out");
    let confs = find(&out, "nginx.conf");
    assert_eq!(
        confs.len(),
        crate::common::nginx_host_count() + 1,
        "one per host of blueprints/ that serves HTTP and the served fixture's"
    );
    for conf in confs {
        let (ok, err) = nginx_t(conf.parent().unwrap(), true);
        assert!(ok, "nginx -t failed for {}:\n{err}", conf.display());
    }
    let read = |bp: &str, name: &str| std::fs::read_to_string(find(&out.join(bp), name).remove(0)).unwrap();

    // Odoo host: nginx terminates TLS, so each vhost has its certificate.
    let docs = read("odoo-dedicated", "static-docs.conf");
    assert!(docs.contains("root /srv/static/docs;") && docs.contains("try_files $uri $uri/ =404;"), "{docs}");
    assert!(
        docs.contains("expires 1h;") && docs.contains("auth_basic_user_file /etc/nginx/auth/static-docs.htpasswd;")
    );
    assert!(docs.contains("ssl_certificate /etc/letsencrypt/live/docs.becker-sicherheit.de/fullchain.pem;"));
    let intranet = read("odoo-dedicated", "static-intranet.conf");
    assert!(intranet.contains("allow 10.8.0.0/24;") && intranet.contains("deny all;"), "{intranet}");
    let www = read("odoo-dedicated", "redirect-www.becker-sicherheit.de.conf");
    assert!(www.contains("server_name www.becker-sicherheit.de becker-sicherheit.com;"), "{www}");
    assert!(www.contains("return 301 https://odoo.becker-sicherheit.de$request_uri;"), "{www}");
    assert!(www.contains("location ^~ /.well-known/acme-challenge/"), "the redirect's names get certificates");
    let alt = read("odoo-dedicated", "redirect-alt.becker-sicherheit.de.conf");
    assert!(alt.contains("return 302 https://odoo.becker-sicherheit.de/web/login;"), "{alt}");
    let certs = read("odoo-dedicated", "gen-certs");
    for wanted in [
        "'docs.becker-sicherheit.de'",
        "'intranet.becker-sicherheit.de'",
        "'www.becker-sicherheit.de,becker-sicherheit.com'",
        "'alt.becker-sicherheit.de'",
    ] {
        assert!(certs.contains(wanted), "gen-certs requests {wanted}:\n{certs}");
    }
    let compose = read("odoo-dedicated", "docker-compose.yml");
    assert!(compose.contains("/srv/odoo/static/docs:/srv/static/docs:ro"), "{compose}");
    assert!(compose.contains("/srv/www/intranet:/srv/static/intranet:ro"), "{compose}");
    let install = read("odoo-dedicated", "install.sh");
    assert!(
        install.contains("static-docs.htpasswd") && install.contains("DOCS_PASSWORD"),
        "install.sh writes the password file"
    );
    let env = read("odoo-dedicated", ".env.example");
    assert!(env.contains("DOCS_PASSWORD=") && env.contains("WIKI_DB_PASSWORD="), "{env}");
    // The wiki's database: created by install.sh before the service starts,
    // which waits for PostgreSQL; declared to the backups; in the budget.
    assert!(install.contains("service_database 'postgres' 'odoo' 'wiki' 'wiki' 'WIKI_DB_PASSWORD'"), "{install}");
    assert!(compose.contains("  wiki:") && compose.contains("condition: service_healthy"), "{compose}");
    let common = read("odoo-dedicated", "common.sh");
    assert!(common.contains("postgres:wiki"), "backup.sh requires the wiki's dump: {common}");
    let (plan, _) = Gen::new(dir.path()).args(["plan", "blueprints/odoo-dedicated.yaml"]).succeeds();
    assert!(plan.contains("+ wiki 12 +"), "the wiki's 12 connections in the connection budget: {plan}");
    let dns = read("odoo-dedicated", "odoo-vpn-dns.conf");
    assert!(dns.contains("intranet.becker-sicherheit.de"), "VPN clients resolve the vpn_only site: {dns}");

    // Websites: the load balancer terminates TLS; its managed certificate
    // covers the new names, nginx answers them on port 80.
    let landing = read("hetzner-websites", "static-landing.conf");
    assert!(!landing.contains("ssl_certificate") && landing.contains("root /srv/static/landing;"), "{landing}");
    let redirect = read("hetzner-websites", "redirect-www.landing.example.com.conf");
    assert!(redirect.contains("return 301 https://landing.example.com$request_uri;"), "{redirect}");
    // The fixture's container service: its vhost proxies every path with
    // WebSocket upgrades; its data directory belongs to the image's user.
    let status = read("served", "service-status.conf");
    assert!(status.contains("set $gen_status status:3001;") && status.contains("proxy_set_header Upgrade"), "{status}");
    let compose = read("served", "docker-compose.yml");
    assert!(
        compose.contains("\"/srv/agency/status:/app/data\"") && compose.contains("user: \"1000:1000\""),
        "{compose}"
    );
    let install = read("served", "install.sh");
    assert!(
        install.contains("/srv/agency/status") && install.contains("1000:1000"),
        "install.sh creates the data directory"
    );
    let tf = read("hetzner-websites", "main.tf.json");
    assert!(
        tf.contains("\"landing.example.com\"") && tf.contains("\"www.landing.example.com\""),
        "the managed certificate"
    );
}
