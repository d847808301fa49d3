//! Hosts, network and provisioning artifacts under their real tools: UFW
//! applied for real in a throwaway root (its own network namespace),
//! WireGuard configs loaded into a wireguard-go interface, shellcheck on
//! every script, cloud-init's schema, fail2ban, and the Terraform JSON
//! against the hcloud provider's documented arguments.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{built, project, repo, require, Gen};

pub(crate) fn files(root: &Path, pred: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && pred(e.path()))
        .map(|e| e.path().to_path_buf())
        .collect();
    found.sort();
    found
}

fn named(root: &Path, name: &str) -> Vec<PathBuf> {
    files(root, |p| p.file_name().is_some_and(|n| n == name))
}

/// Runs SCRIPT in a throwaway root (tests/validate/throwaway-root.sh).
pub(crate) fn throwaway(script: &str, args: &[&Path]) -> Output {
    require("unshare");
    let out = Command::new(repo().join("tests/validate/throwaway-root.sh"))
        .arg(script)
        .args(args)
        .output()
        .expect("throwaway-root.sh runs");
    out
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn host_dirs(out: &Path) -> Vec<PathBuf> {
    named(out, "gen-firewall").iter().map(|p| p.ancestors().nth(5).unwrap().to_path_buf()).collect()
}

/// The firewall script, applied for real to a throwaway root's UFW in its
/// own network namespace: it loads, it is idempotent, it closes the Docker
/// gap in DOCKER-USER, and it deletes rules gen no longer makes.
#[test]
fn ufw_script_applies_idempotently_in_a_throwaway_root() {
    require("ufw");
    require("iptables");
    let dir = built(|_, t| t);
    let hosts = host_dirs(&dir.path().join("out"));
    assert_eq!(hosts.len(), crate::common::host_count(), "{hosts:?}");
    for host in hosts {
        let script = r#"
rootfs=$1
cp "$rootfs/usr/local/sbin/gen-firewall" "$R/usr/local/sbin/"
cp "$rootfs"/etc/ufw/gen-docker-user*.rules "$R/etc/ufw/"
chroot "$R" gen-firewall --dry-run > "$R/tmp/dry" || { cat "$R/tmp/dry"; exit 1; }
grep -q "would update the DOCKER-USER block in /etc/ufw/after.rules" "$R/tmp/dry"
grep -q "would update the DOCKER-USER block in /etc/ufw/after6.rules" "$R/tmp/dry"
chroot "$R" gen-firewall > /dev/null
# Both blocks are in UFW's files, once, and UFW loaded them.
cmp <(sed -n '/^# BEGIN gen DOCKER-USER$/,/^# END gen DOCKER-USER$/p' "$R/etc/ufw/after.rules") "$R/etc/ufw/gen-docker-user.rules"
cmp <(sed -n '/^# BEGIN gen DOCKER-USER6$/,/^# END gen DOCKER-USER6$/p' "$R/etc/ufw/after6.rules") "$R/etc/ufw/gen-docker-user6.rules"
test "$(grep -c '^# BEGIN gen DOCKER-USER' "$R/etc/ufw/after6.rules")" = 1
chroot "$R" ufw show added > "$R/tmp/added1"
iptables -S DOCKER-USER > "$R/tmp/docker-user1"
ip6tables -S DOCKER-USER > "$R/tmp/docker-user6"
iptables-save | grep -v '^#' | sed 's/\[[0-9:]*\]//' > "$R/tmp/save1"
# The IPv6 jump to DOCKER-USER is rule 1 of FORWARD.
test "$(ip6tables -S FORWARD | sed -n 2p)" = "-A FORWARD -j DOCKER-USER"
# Again: nothing changes.
chroot "$R" gen-firewall > /dev/null
chroot "$R" ufw show added > "$R/tmp/added2"
iptables-save | grep -v '^#' | sed 's/\[[0-9:]*\]//' > "$R/tmp/save2"
cmp "$R/tmp/added1" "$R/tmp/added2"
cmp "$R/tmp/save1" "$R/tmp/save2"
# (ip6tables from the second run on: UFW 0.36 fills its own ufw6-user-limit
# chains only on its first reload, whatever gen does.)
ip6tables-save | grep -v '^#' | sed 's/\[[0-9:]*\]//' > "$R/tmp/save61"
chroot "$R" gen-firewall > /dev/null
ip6tables-save | grep -v '^#' | sed 's/\[[0-9:]*\]//' > "$R/tmp/save62"
cmp "$R/tmp/save61" "$R/tmp/save62"
# Docker (before 23.0) puts its FORWARD rules first when it starts or makes a
# network; --forward-first puts the jump back in front, once.
ip6tables -I FORWARD 1 -o br-test -j ACCEPT
ip6tables -A FORWARD -j DOCKER-USER
chroot "$R" gen-firewall --forward-first
test "$(ip6tables -S FORWARD | sed -n 2p)" = "-A FORWARD -j DOCKER-USER"
test "$(ip6tables -S FORWARD | grep -c -- '-j DOCKER-USER')" = 1
ip6tables -D FORWARD -o br-test -j ACCEPT
# A rule gen does not make is deleted on the next run.
chroot "$R" ufw allow 8080/tcp > /dev/null
chroot "$R" gen-firewall > "$R/tmp/third"
grep -q "deleting ufw allow 8080/tcp" "$R/tmp/third"
chroot "$R" ufw show added > "$R/tmp/added3"
cmp "$R/tmp/added1" "$R/tmp/added3"
echo ADDED; cat "$R/tmp/added1"
echo DOCKERUSER; cat "$R/tmp/docker-user1"
echo DOCKERUSER6; cat "$R/tmp/docker-user6"
echo ROUTES6; ip6tables -S ufw6-user-forward
echo INPUT; iptables -S ufw-user-input
"#;
        let o = throwaway(script, &[&host.join("rootfs")]);
        let out = text(&o);
        assert!(o.status.success(), "{}:\n{out}", host.display());
        assert!(out.contains("-A DOCKER-USER -j ufw-user-forward"), "{out}");
        assert!(out.contains("-A DOCKER-USER -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN"), "{out}");
        assert!(out.contains("-j gen-docker-deny"), "{out}");
        // IPv6: the same block in ip6tables, routed through UFW's IPv6 route rules.
        let six = out.split("DOCKERUSER6").nth(1).unwrap();
        assert!(six.contains("-A DOCKER-USER -j ufw6-user-forward"), "{out}");
        assert!(six.contains("-A DOCKER-USER -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN"), "{out}");
        assert!(six.contains("::/48 -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j gen-docker-deny"), "{out}");
        let name = host.file_name().unwrap().to_string_lossy().to_string();
        if name == "ax52" {
            // Odoo: nginx publishes 80/443 publicly, SSH from the VPN and the admins.
            assert!(out.contains("ufw route allow 80/tcp"), "{out}");
            assert!(out.contains("ufw route allow 443/tcp"), "{out}");
            // UFW writes the route rules for IPv6 too, where DOCKER-USER's IPv6 block sends them.
            let routes6 = out.split("ROUTES6").nth(1).unwrap();
            assert!(routes6.contains("-A ufw6-user-forward -p tcp -m tcp --dport 80 -j ACCEPT"), "{out}");
            assert!(routes6.contains("-A ufw6-user-forward -p tcp -m tcp --dport 443 -j ACCEPT"), "{out}");
            assert!(out.contains("ufw allow 51820/udp"), "{out}");
            assert!(out.contains("ufw allow from 10.8.0.0/24 to any port 22 proto tcp"), "{out}");
            // The VPN's DNS responder, from the VPN subnet only.
            assert!(out.contains("ufw allow from 10.8.0.0/24 to any port 53 proto udp"), "{out}");
            assert!(out.contains("ufw allow from 10.8.0.0/24 to any port 53 proto tcp"), "{out}");
            assert!(!out.contains("allow 53"), "DNS must never be open to everyone: {out}");
        } else if !host.to_string_lossy().contains("/out/hetzner-websites") {
            // The examples (one cloud server each): nginx public, SSH from
            // the admin network only, no VPN.
            assert!(out.contains("ufw route allow 80/tcp") && out.contains("ufw route allow 443/tcp"), "{out}");
            assert!(out.contains("ufw allow from 198.51.100.0/24 to any port 22 proto tcp"), "{out}");
            assert!(!out.contains("51820"), "{out}");
            assert!(!out.contains("3306"), "MariaDB stays on the compose network: {out}");
        } else {
            // Websites (phase 1, and phase 2's two regions): nginx only on
            // the private address; no route rule at all; the host's own
            // network trusted, not the other region's.
            assert!(!out.contains("route allow"), "{out}");
            let us = host.to_string_lossy().contains("/hosts/us-");
            let (own, other) = if us { ("10.1.0.0/16", "10.0.0.0/16") } else { ("10.0.0.0/16", "10.1.0.0/16") };
            assert!(out.contains(&format!("-A DOCKER-USER -s {own} -j RETURN")), "{out}");
            assert!(!out.contains(&format!("-s {other}")), "{out}");
            assert!(out.contains("ufw allow from 198.51.100.0/24 to any port 22 proto tcp"), "{out}");
        }
        assert!(!out.contains("allow 22/tcp"), "SSH must never be open to everyone here: {out}");
    }
}

/// SSH only from the VPN the same host serves: the script refuses while wg0
/// is down, and changes nothing.
#[test]
fn ufw_script_guards_against_a_vpn_lockout() {
    require("ufw");
    let dir =
        built(
            |name, t| {
                if name == "odoo-dedicated" {
                    t.replace("ssh_from: [vpn, admin_cidrs]", "ssh_from: [vpn]")
                } else {
                    t
                }
            },
        );
    let rootfs = dir.path().join("out/odoo-dedicated/hosts/ax52/rootfs");
    let script = r#"
cp "$1/usr/local/sbin/gen-firewall" "$R/usr/local/sbin/"
cp "$1"/etc/ufw/gen-docker-user*.rules "$R/etc/ufw/"
if chroot "$R" gen-firewall; then echo "applied without wg0"; exit 1; fi
chroot "$R" ufw status | grep -q "Status: inactive"
test -z "$(chroot "$R" ufw show added | grep '^ufw ' || true)"
"#;
    let o = throwaway(script, &[&rootfs]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("wg0 is down"), "{}", text(&o));
}

/// `bash -n` and `shellcheck -S warning` on every script gen writes.
#[test]
fn every_script_passes_shellcheck() {
    require("shellcheck");
    let dir = built(|_, t| t);
    let scripts = files(&dir.path().join("out"), |p| {
        std::fs::read(p).is_ok_and(|b| b.starts_with(b"#!/usr/bin/env bash") || b.starts_with(b"#!/bin/sh"))
    });
    assert!(scripts.len() >= 3, "{scripts:?}");
    for s in scripts {
        let n = Command::new("bash").arg("-n").arg(&s).output().unwrap();
        assert!(n.status.success(), "bash -n {}: {}", s.display(), text(&n));
        // -x follows `source` lines (the ops scripts share ops/common.sh).
        let c = Command::new("shellcheck")
            .args(["-x", "-S", "warning", "-f", "gcc"])
            .arg(&s)
            .current_dir(s.parent().unwrap())
            .output()
            .unwrap();
        assert!(c.status.success(), "shellcheck {}:\n{}", s.display(), text(&c));
    }
}

/// Keys gen does not know, generated for the test with `wg genkey`.
fn keypair() -> (String, String) {
    let private = Command::new("wg").arg("genkey").output().unwrap();
    assert!(private.status.success());
    let private = String::from_utf8(private.stdout).unwrap().trim().to_string();
    let mut child = Command::new("wg")
        .arg("pubkey")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), private.as_bytes()).unwrap();
    let public = String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap().trim().to_string();
    (private, public)
}

/// The server config has no key and no SaveConfig; `wg-quick strip` parses
/// it, and wireguard-go takes it with `wg setconf` in a network namespace,
/// with every peer and its /32. Each client config does the same once its
/// two placeholders are filled, as the operator does.
#[test]
fn wireguard_configs_load_into_a_real_interface() {
    require("wg");
    require("wg-quick");
    require("wireguard-go");
    let dir = built(|_, t| t);
    let out = dir.path().join("out/odoo-dedicated");
    let server = out.join("hosts/ax52/rootfs/etc/wireguard/wg0.conf");
    let conf = std::fs::read_to_string(&server).unwrap();
    assert!(!conf.contains("PrivateKey"), "{conf}");
    assert!(!conf.contains("SaveConfig"), "{conf}");
    assert_eq!(conf.matches("[Peer]").count(), 5);
    let (server_private, server_public) = keypair();
    let key_dir = tempfile::tempdir().unwrap();
    let key = key_dir.path().join("wg0.key");
    std::fs::write(&key, format!("{server_private}\n")).unwrap();
    let clients = named(&out.join("vpn"), "cled-admin.conf");
    assert_eq!(clients.len(), 1);
    let (client_private, _) = keypair();
    let client = std::fs::read_to_string(&clients[0])
        .unwrap()
        .replace("YOUR_PRIVATE_KEY", &client_private)
        .replace("SERVER_PUBLIC_KEY", &server_public)
        .replace("ax52.invalid", "192.0.2.1");
    let client_path = key_dir.path().join("client.conf");
    std::fs::write(&client_path, client).unwrap();
    // PostUp's own command, with %i and the key file the host would have.
    let post_up = conf
        .lines()
        .find_map(|l| l.strip_prefix("PostUp = "))
        .unwrap()
        .replace("%i", "wg0")
        .replace("/etc/wireguard/wg0.key", "/tmp/wg0.key");
    // Inside the chroot: the UAPI sockets go to the throwaway root's own /run.
    let script = format!(
        r#"
cp "$1" "$R/tmp/wg0.conf"; cp "$2" "$R/tmp/wg1.conf"; cp "$3" "$R/tmp/wg0.key"
chroot "$R" env WG_ENDPOINT_RESOLUTION_RETRIES=0 sh -euc '
wg-quick strip /tmp/wg0.conf > /tmp/wg0.stripped
wg-quick strip /tmp/wg1.conf > /tmp/wg1.stripped
wireguard-go wg0 >/dev/null 2>&1
wireguard-go wg1 >/dev/null 2>&1
wg setconf wg0 /tmp/wg0.stripped
{post_up}
wg setconf wg1 /tmp/wg1.stripped
echo PEERS; wg show wg0 allowed-ips
echo PORT; wg show wg0 listen-port
echo PUB; wg show wg0 public-key
echo CLIENT; wg show wg1 endpoints; wg show wg1 allowed-ips
'
"#
    );
    let o = throwaway(&script, &[&server, &client_path, &key]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    for ip in ["10.8.0.2/32", "10.8.0.3/32", "10.8.0.4/32", "10.8.0.5/32", "10.8.0.6/32"] {
        assert!(t.contains(ip), "{ip} missing:\n{t}");
    }
    assert!(t.contains("51820"), "{t}");
    assert!(t.contains(&server_public), "PostUp loaded the host's key:\n{t}");
    assert!(t.contains("192.0.2.1:51820"), "{t}");
    assert!(t.contains("\t10.8.0.0/24"), "split tunnel: only the VPN subnet:\n{t}");
}

/// The VPN's DNS responder: dnsmasq's own syntax check, then the real
/// dnsmasq in its own network namespace with the VPN address on loopback:
/// it listens on that address only, answers the `vpn_only` name (and names
/// under it) with the VPN address and keeps its AAAA from going upstream
/// (NODATA), and every client config points its DNS at it.
#[test]
fn vpn_dns_answers_vpn_only_names_with_the_vpn_address() {
    require("dnsmasq");
    require("unshare");
    let dir = built(|_, t| t);
    let out = dir.path().join("out/odoo-dedicated");
    let conf = out.join("hosts/ax52/rootfs/etc/gen/odoo-vpn-dns.conf");
    let o = Command::new("dnsmasq").arg("--test").arg(format!("--conf-file={}", conf.display())).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let raw = std::fs::read_to_string(&conf).unwrap();
    assert!(
        raw.contains("\nlisten-address=10.8.0.1\n")
            && raw.contains("\naddress=/odoo-dev.becker-sicherheit.de/10.8.0.1\n")
    );
    for client in files(&out.join("vpn"), |p| p.extension().is_some_and(|e| e == "conf")) {
        let c = std::fs::read_to_string(&client).unwrap();
        assert!(c.contains("\nDNS = 10.8.0.1\n"), "{}: {c}", client.display());
    }
    let unit = std::fs::read_to_string(out.join("hosts/ax52/rootfs/etc/systemd/system/odoo-vpn-dns.service")).unwrap();
    assert!(unit.contains("ExecStart=/usr/sbin/dnsmasq --keep-in-foreground --conf-file=/etc/gen/odoo-vpn-dns.conf"));
    let query = r#"
import socket, struct, sys
def ask(name, qtype):
    q = struct.pack(">HHHHHH", 7, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0" + struct.pack(">HH", qtype, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
    s.sendto(q, ("10.8.0.1", 53)); r = s.recv(512)
    n = struct.unpack(">H", r[6:8])[0]
    print(name, qtype, "rcode", r[3] & 15, "answers", n, ".".join(map(str, r[-4:])) if n and qtype == 1 else "-")
for name in sys.argv[1:]:
    ask(name, 1); ask(name, 28)
"#;
    let script = format!(
        "ip link set lo up; ip addr add 10.8.0.1/32 dev lo\n\
         dnsmasq --keep-in-foreground --conf-file='{}' & pid=$!\n\
         sleep 1; echo LISTEN; ss -lnu | grep ':53 ' || true\n\
         python3 -c '{query}' odoo-dev.becker-sicherheit.de a.odoo-dev.becker-sicherheit.de; rc=$?\n\
         kill $pid; exit $rc",
        conf.display()
    );
    let o = Command::new("unshare").args(["-n", "sh", "-c", &script]).output().unwrap();
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("odoo-dev.becker-sicherheit.de 1 rcode 0 answers 1 10.8.0.1"), "{t}");
    assert!(t.contains("a.odoo-dev.becker-sicherheit.de 1 rcode 0 answers 1 10.8.0.1"), "{t}");
    assert!(t.contains("odoo-dev.becker-sicherheit.de 28 rcode 0 answers 0 -"), "AAAA must not go upstream: {t}");
    let listen = t.split("LISTEN").nth(1).unwrap_or_default();
    assert!(
        listen.contains("10.8.0.1:53") && !listen.contains("0.0.0.0:53") && !listen.contains("127.0.0.1:53"),
        "{t}"
    );
}

/// A broken key fails the real loader: the harness can fail.
#[test]
fn wireguard_harness_rejects_a_bad_key() {
    require("wireguard-go");
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("wg0.conf");
    std::fs::write(
        &conf,
        "[Interface]\nListenPort = 51820\n\n[Peer]\nPublicKey = <CLIENT_1_PUBLIC_KEY>\nAllowedIPs = 10.8.0.2/32\n",
    )
    .unwrap();
    let o = throwaway(
        r#"cp "$1" "$R/tmp/wg0.conf"; chroot "$R" sh -c 'wireguard-go wg0 >/dev/null 2>&1; wg setconf wg0 /tmp/wg0.conf'"#,
        &[&conf],
    );
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("Key is not the correct length or format"), "{}", text(&o));
}

/// install.sh in a throwaway root, convergent: --dry-run writes nothing;
/// without .env (or with a name of .env.example empty) it installs the files,
/// the WireGuard key and the firewall, exits 3 and starts nothing; with .env
/// it starts the stack and does the restarts and reloads the earlier run left
/// pending; a run with no change still runs `compose up` but restarts
/// nothing; drift in one nginx file reloads only nginx; a run killed before
/// its restarts leaves them pending and the next run does them; a file that
/// differs from the manifest stops it before anything is copied. systemctl,
/// docker, sshd and certbot are recording stubs (no init, no daemon here).
#[test]
fn install_sh_converges_and_finishes_what_a_killed_run_left() {
    require("ufw");
    require("wg");
    let dir = built(|_, t| t);
    let tree = dir.path().join("out/odoo-dedicated");
    let script = r##"
cp -a "$1" "$R/tmp/tree"
for tool in systemctl docker sshd certbot; do
  printf '#!/bin/sh\n[ "$1" = is-active ] && exit 3\necho "%s $*" >> /tmp/calls\n' "$tool" > "$R/usr/local/bin/$tool"
  chmod +x "$R/usr/local/bin/$tool"
done
# A docker that fails `compose up` while /tmp/fail-up exists (a run killed half-way).
cat >> "$R/usr/local/bin/docker" <<'STUB'
if [ "$2" = up ] && [ -e /tmp/fail-up ]; then exit 1; fi
if [ "$2" = up ]; then mkdir -p /var/lib/docker/containers/c1; touch /var/lib/docker/containers/c1/c1-json.log; fi
STUB
i=/tmp/tree/hosts/ax52/install.sh
pending=/var/lib/gen/odoo/ax52.pending
rc=0; chroot "$R" $i --dry-run > "$R/tmp/dry" 2>&1 || rc=$?
test $rc -eq 3
test ! -e "$R/etc/wireguard/wg0.conf"
# Only reads: which image each of the stack's containers runs.
if [ -e "$R/tmp/calls" ] && grep -v '^docker ps ' "$R/tmp/calls"; then echo "the dry run did something"; exit 1; fi
test ! -e "$R$pending"
grep -q "would install /etc/wireguard/wg0.conf (0600)" "$R/tmp/dry"
rc=0; chroot "$R" $i > "$R/tmp/first" 2>&1 || rc=$?
echo FIRST; cat "$R/tmp/first"; cat "$R/tmp/calls"
test $rc -eq 3
grep -q "/opt/odoo/.env is missing" "$R/tmp/first"
test "$(stat -c %a "$R/etc/wireguard/wg0.conf")" = 600
test "$(stat -c %a "$R/etc/wireguard/wg0.key")" = 600
test "$(stat -c %a "$R/usr/local/sbin/gen-firewall")" = 755
test -s "$R/opt/odoo/docker-compose.yml"
# Bind-mounted directories, owned by the image's user before any container runs.
test "$(stat -c '%u:%g %a' "$R/mnt/odoo-data/prod")" = "101:101 750"
test "$(stat -c '%u:%g %a' "$R/mnt/odoo-data/postgres")" = "70:70 700"
test "$(stat -c '%u:%g %a' "$R/opt/odoo/nginx/auth")" = "0:101 750"
test "$(stat -c '%u:%g %a' "$R/var/lib/node_exporter/textfile")" = "0:0 755"
chroot "$R" ufw status | grep -q "Status: active"
if grep -q "compose up" "$R/tmp/calls"; then echo "started without .env"; exit 1; fi
grep -qE '^[0-9]+ reload nginx$' "$R$pending"
grep -qE '^[0-9]+ restart postgres$' "$R$pending"
sed -e 's/=$/=v/' -e 's/^ODOO_ADMIN_PASSWD=.*/ODOO_ADMIN_PASSWD=/' "$R/opt/odoo/.env.example" > "$R/opt/odoo/.env"
rc=0; chroot "$R" $i > "$R/tmp/half" 2>&1 || rc=$?
test $rc -eq 3
grep -q "lacks a value for: ODOO_ADMIN_PASSWD" "$R/tmp/half"
if grep -q "compose up" "$R/tmp/calls"; then echo "started with an incomplete .env"; exit 1; fi
sed -i "s/^ODOO_ADMIN_PASSWD=.*/ODOO_ADMIN_PASSWD='y'/" "$R/opt/odoo/.env"
: > "$R/tmp/calls"
chroot "$R" $i > "$R/tmp/full"
grep -q '^admin_passwd = [$]pbkdf2-sha512[$]' "$R/opt/odoo/odoo/prod.conf"
# The basic-auth file: bcrypt from .env, 0640 root:nginx, unchanged on the next run.
test "$(stat -c '%u:%g %a' "$R/opt/odoo/nginx/auth/odoo-test.htpasswd")" = "0:101 640"
grep -q '^becker:[$]2y[$]' "$R/opt/odoo/nginx/auth/odoo-test.htpasswd"
sum=$(sha256sum < "$R/opt/odoo/nginx/auth/odoo-test.htpasswd")
test ! -e "$R$pending"
echo FULL; cat "$R/tmp/calls"
: > "$R/tmp/calls"
chroot "$R" $i > "$R/tmp/second"
grep -q "no file changed" "$R/tmp/second"
test "$sum" = "$(sha256sum < "$R/opt/odoo/nginx/auth/odoo-test.htpasswd")"
echo SECOND; cat "$R/tmp/calls"
echo "# drift" >> "$R/opt/odoo/nginx/conf.d/odoo-prod.conf"
: > "$R/tmp/calls"
chroot "$R" $i > "$R/tmp/third"
echo THIRD; cat "$R/tmp/calls"; cat "$R/tmp/third"
echo "# drift" >> "$R/opt/odoo/postgres/postgres/postgresql.conf"
touch "$R/tmp/fail-up"
: > "$R/tmp/calls"
if chroot "$R" $i > "$R/tmp/killed" 2>&1; then echo "a failed compose up passed"; exit 1; fi
grep -qE '^[0-9]+ restart postgres$' "$R$pending"
rm "$R/tmp/fail-up"
: > "$R/tmp/calls"
chroot "$R" $i > "$R/tmp/resumed"
test ! -e "$R$pending"
echo RESUMED; cat "$R/tmp/calls"
echo tampered >> "$R/tmp/tree/hosts/ax52/rootfs/opt/odoo/nginx/nginx.conf"
: > "$R/tmp/calls"
if chroot "$R" $i > "$R/tmp/fourth" 2>&1; then echo "installed a tampered tree"; exit 1; fi
grep -q "nothing installed" "$R/tmp/fourth"
test ! -s "$R/tmp/calls"
"##;
    let o = throwaway(script, &[&tree]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    let section = |from: &str, to: &str| t.split(from).nth(1).unwrap().split(to).next().unwrap().to_string();
    let first = section("FIRST", "FULL");
    assert!(first.contains("systemctl enable --now wg-quick@wg0"), "{t}");
    assert!(first.contains("sshd -t"), "{t}");
    let full = section("FULL", "SECOND");
    for call in [
        "docker compose up -d --remove-orphans",
        "docker compose restart odoo-prod",
        "docker compose restart postgres",
        "docker compose exec -T nginx nginx -s reload",
        "systemctl reload-or-restart fail2ban",
        "certbot certonly --webroot -w /var/www/certbot --cert-name odoo.becker-sicherheit.de -d odoo.becker-sicherheit.de",
    ] {
        assert!(full.contains(call), "the run with .env lacks `{call}`:\n{t}");
    }
    let second = section("SECOND", "THIRD");
    assert!(second.contains("docker compose up -d --remove-orphans"), "every run converges the stack:\n{t}");
    assert!(second.contains("systemctl daemon-reload"), "{t}");
    // (gen-certs reloads nginx after each certbot success; the stub never saves a certificate.)
    for quiet in ["restart odoo", "restart postgres", "nginx nginx -t", "sshd"] {
        assert!(!second.contains(quiet), "a run without changes did `{quiet}`:\n{t}");
    }
    let third = section("THIRD", "RESUMED");
    assert!(third.contains("docker compose exec -T nginx nginx -t"), "{t}");
    assert!(third.contains("installed /opt/odoo/nginx/conf.d/odoo-prod.conf"), "{t}");
    assert!(!third.contains("restart postgres") && !third.contains("restart odoo"), "{t}");
    let resumed = t.split("RESUMED").nth(1).unwrap();
    assert!(resumed.contains("docker compose restart postgres"), "the killed run's restart was lost:\n{t}");
}

/// Day 2, removal: install.sh of a tree without the `dev` environment, run
/// over a host that ran the tree with it, removes what only the old tree had
/// (the vhost, the odoo.conf template and the odoo.conf rendered from it, the
/// certificate gen-certs made for the name) and reloads nginx, keeps the
/// environment's filestore and says so once. The stubs are those of the test
/// above.
#[test]
fn install_sh_removes_what_the_blueprint_no_longer_has_and_keeps_data() {
    require("ufw");
    require("wg");
    let with = built(|_, t| t);
    let without = built(|name, t| {
        if name != "odoo-dedicated" {
            return t;
        }
        let start = t.find("      - name: dev\n").expect("the dev environment");
        let end = t.find("\npostgres:").expect("postgres section");
        format!("{}{}", &t[..start], &t[end..])
    });
    let script = r##"
trap 'echo "failed at line $LINENO"; cat "$R"/tmp/second "$R"/tmp/first 2>/dev/null | tail -40' ERR
cp -a "$1" "$R/tmp/tree"
cp -a "$2" "$R/tmp/tree2"
for tool in systemctl docker sshd; do
  printf '#!/bin/sh\n[ "$1" = is-active ] && exit 3\necho "%s $*" >> /tmp/calls\n' "$tool" > "$R/usr/local/bin/$tool"
  chmod +x "$R/usr/local/bin/$tool"
done
# A certbot that issues and deletes lineages as certbot lays them out.
cat > "$R/usr/local/bin/certbot" <<'STUB'
#!/bin/sh
echo "certbot $*" >> /tmp/calls
name=$(echo "$*" | sed -n 's/.*--cert-name \([^ ]*\).*/\1/p')
case "$1" in
  certonly) mkdir -p /etc/letsencrypt/live/$name /etc/letsencrypt/renewal
    echo cert > /etc/letsencrypt/live/$name/fullchain.pem; echo key > /etc/letsencrypt/live/$name/privkey.pem
    echo "[renewalparams]" > /etc/letsencrypt/renewal/$name.conf ;;
  delete) rm -rf /etc/letsencrypt/live/$name /etc/letsencrypt/renewal/$name.conf ;;
esac
STUB
chmod +x "$R/usr/local/bin/certbot"
rc=0; chroot "$R" /tmp/tree/hosts/ax52/install.sh > /dev/null 2>&1 || rc=$?
test $rc -eq 3
sed -e 's/=$/=v/' "$R/opt/odoo/.env.example" > "$R/opt/odoo/.env"
chroot "$R" /tmp/tree/hosts/ax52/install.sh > "$R/tmp/first" 2>&1
test -e "$R/opt/odoo/nginx/conf.d/odoo-dev.conf"
test -e "$R/opt/odoo/odoo/dev.conf"
test -e "$R/etc/letsencrypt/live/odoo-dev.becker-sicherheit.de/fullchain.pem"
grep -qx odoo-dev.becker-sicherheit.de "$R/var/lib/gen/odoo/ax52.certs"
echo data > "$R/mnt/odoo-data/dev/file"
: > "$R/tmp/calls"
chroot "$R" /tmp/tree2/hosts/ax52/install.sh > "$R/tmp/second" 2>&1
echo SECOND; cat "$R/tmp/second"; cat "$R/tmp/calls"
test ! -e "$R/opt/odoo/nginx/conf.d/odoo-dev.conf"
test ! -e "$R/opt/odoo/odoo/dev.conf.in"
test ! -e "$R/opt/odoo/odoo/dev.conf"
test -e "$R/opt/odoo/odoo/prod.conf"
test ! -e "$R/etc/letsencrypt/live/odoo-dev.becker-sicherheit.de"
test -e "$R/etc/letsencrypt/live/odoo.becker-sicherheit.de/fullchain.pem"
grep -q "removed the certificate for odoo-dev.becker-sicherheit.de" "$R/tmp/second"
grep -q "certbot delete --cert-name odoo-dev.becker-sicherheit.de" "$R/tmp/calls"
test ! -e "$R/etc/letsencrypt/renewal/odoo-dev.becker-sicherheit.de.conf"
grep -q "kept /mnt/odoo-data/dev: nothing mounts it" "$R/tmp/second"
test "$(cat "$R/mnt/odoo-data/dev/file")" = data
if grep -q odoo-dev "$R/var/lib/gen/odoo/ax52.installed"; then echo "record keeps odoo-dev"; exit 1; fi
: > "$R/tmp/calls"
chroot "$R" /tmp/tree2/hosts/ax52/install.sh > "$R/tmp/third" 2>&1
echo THIRD; cat "$R/tmp/third"
if grep -q "kept /mnt\|removed " "$R/tmp/third"; then echo "said twice"; exit 1; fi
"##;
    let o = throwaway(script, &[&with.path().join("out/odoo-dedicated"), &without.path().join("out/odoo-dedicated")]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    let second = t.split("SECOND").nth(1).unwrap().split("THIRD").next().unwrap();
    assert!(second.contains("removed /opt/odoo/nginx/conf.d/odoo-dev.conf"), "{t}");
    assert!(second.contains("docker compose up -d --remove-orphans"), "{t}");
    assert!(second.contains("docker compose exec -T nginx nginx -s reload"), "the vhost's removal reloads nginx:\n{t}");
    // prod and test restart: dev's share of max_connections goes to their db_maxconn.
    assert!(second.contains("docker compose restart odoo-prod"), "{t}");
    assert!(!second.contains("restart postgres") && !second.contains("restart odoo-dev"), "{t}");
}

/// The nginx basic-auth filter against nginx's own error-log lines (the
/// host file compose mounts), with fail2ban's own fail2ban-regex:
/// mismatches and unknown users match, with the client's address; a request
/// without credentials does not. The jail reads one fixed file that exists
/// before any container (never Docker's per-container json logs), in UTC.
#[test]
fn fail2ban_filter_matches_nginx_auth_failures_in_the_error_log() {
    require("fail2ban-regex");
    let dir = built(|_, t| t);
    let out = dir.path().join("out/odoo-dedicated");
    let filter = named(&out, "gen-nginx-auth.conf").remove(0);
    let jail = std::fs::read_to_string(named(&out, "gen.local").remove(0)).unwrap();
    let jail = jail.split("[gen-nginx-auth]").nth(1).expect("nginx jail");
    assert!(jail.contains("\nlogpath = /var/log/odoo/nginx/error.log\n"), "{jail}");
    assert!(jail.contains("\nlogtimezone = UTC\n") && !jail.contains("chain ="), "{jail}");
    let action = std::fs::read_to_string(named(&out, "gen-raw-drop.conf").remove(0)).unwrap();
    assert!(action.contains("\nchain = PREROUTING\n") && action.contains("iptables <lockingopt> -t raw"), "{action}");
    assert!(action.contains("ip6tables <lockingopt> -t raw"), "{action}");
    assert!(!jail.contains("/var/lib/docker") && !jail.contains('*'), "{jail}");
    let compose = std::fs::read_to_string(named(&out, "docker-compose.yml").remove(0)).unwrap();
    assert!(compose.contains("- \"/var/log/odoo/nginx:/var/log/nginx\""), "{compose}");
    let install = std::fs::read_to_string(named(&out, "install.sh").remove(0)).unwrap();
    let touch = install.find("/dev/null '/var/log/odoo/nginx/error.log'").expect("install.sh creates the error log");
    assert!(touch < install.find("fail2ban-client -t").unwrap(), "the log exists before fail2ban starts");
    assert!(install.find("fail2ban-client -t").unwrap() < install.find("exit 3").unwrap(), "jails before .env");
    let log = dir.path().join("error.log");
    std::fs::write(
        &log,
        concat!(
            "2026/02/05 10:00:00 [error] 31#31: *7 user \"admin\": password mismatch, client: 203.0.113.9, server: odoo-test.becker-sicherheit.de, request: \"GET / HTTP/1.1\", host: \"odoo-test.becker-sicherheit.de\"\n",
            "2026/02/05 10:00:05 [error] 31#31: *8 user \"root\" was not found in \"/etc/nginx/auth/odoo-test.htpasswd\", client: 203.0.113.10, server: odoo-test.becker-sicherheit.de, request: \"GET / HTTP/1.1\"\n",
            "2026/02/05 10:00:09 [error] 31#31: *9 no user/password was provided for basic authentication, client: 198.51.100.7, server: odoo-test.becker-sicherheit.de\n",
        ),
    )
    .unwrap();
    let o = Command::new("fail2ban-regex").arg("--print-all-matched").arg(&log).arg(&filter).output().unwrap();
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("Lines: 3 lines, 0 ignored, 2 matched, 1 missed"), "{t}");
    assert!(t.contains("203.0.113.9") && t.contains("203.0.113.10"), "{t}");
}

/// logrotate's own parser accepts the nginx log rotation (debug mode: no
/// file is touched), and it reopens nginx's logs after the rename.
#[test]
fn logrotate_config_for_nginx_logs_parses() {
    require("logrotate");
    let dir = built(|_, t| t);
    for f in files(&dir.path().join("out"), |p| p.parent().is_some_and(|d| d.ends_with("etc/logrotate.d"))) {
        let raw = std::fs::read_to_string(&f).unwrap();
        assert!(raw.contains("docker exec nginx nginx -s reopen"), "{raw}");
        let state = dir.path().join("logrotate.state");
        let o = Command::new("logrotate").arg("--debug").arg("--state").arg(&state).arg(&f).output().unwrap();
        let t = text(&o);
        assert!(o.status.success() && !t.contains("error:"), "{}: {t}", f.display());
    }
}

/// cloud-init's own schema check, plus what it does not check: only known
/// top-level keys, no password login, distribution packages only (no host
/// nginx next to the nginx container), no download from third-party URLs,
/// and small enough for Hetzner's 32 KiB user_data.
#[test]
fn cloud_init_is_valid_and_minimal() {
    require("cloud-init");
    let dir = built(|_, t| t);
    let known = [
        "hostname",
        "timezone",
        "ssh_pwauth",
        "disable_root",
        "users",
        "package_update",
        "package_upgrade",
        "packages",
        "swap",
        "write_files",
        "runcmd",
    ];
    let files = named(&dir.path().join("out"), "cloud-init.yaml");
    assert_eq!(files.len(), crate::common::host_count());
    for f in files {
        let o = Command::new("cloud-init").args(["schema", "--config-file"]).arg(&f).output().unwrap();
        assert!(o.status.success(), "{}: {}", f.display(), text(&o));
        let raw = std::fs::read_to_string(&f).unwrap();
        assert!(raw.starts_with("#cloud-config\n"));
        assert!(raw.len() < 32 * 1024, "{} bytes", raw.len());
        let doc: serde_yaml::Value = serde_yaml::from_str(&raw).unwrap();
        for (k, _) in doc.as_mapping().unwrap() {
            assert!(known.contains(&k.as_str().unwrap()), "unknown key {k:?}");
        }
        assert_eq!(doc["ssh_pwauth"], serde_yaml::Value::Bool(false));
        assert_eq!(doc["disable_root"], serde_yaml::Value::Bool(true));
        for user in doc["users"].as_sequence().unwrap() {
            assert_eq!(user["lock_passwd"], serde_yaml::Value::Bool(true));
            assert!(!user["ssh_authorized_keys"].as_sequence().unwrap().is_empty());
        }
        let packages: Vec<&str> = doc["packages"].as_sequence().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
        for p in ["docker.io", "docker-compose-v2", "ufw", "fail2ban", "wireguard-tools", "unattended-upgrades"] {
            assert!(packages.contains(&p), "{p} missing: {packages:?}");
        }
        for p in ["nginx", "apache2", "postgresql", "docker-ce"] {
            assert!(!packages.contains(&p), "{p} would fight a container for its port");
        }
        for line in raw.lines().filter(|l| l.contains("http")) {
            assert!(line.contains("git.example.com"), "only the config repository is fetched: {line}");
        }
        // Nothing is downloaded at boot (the curl package is for the alert scripts).
        for cmd in doc["runcmd"].as_sequence().into_iter().flatten() {
            let text = serde_yaml::to_string(cmd).unwrap();
            assert!(!text.contains("curl") && !text.contains("wget"), "download at boot: {text}");
        }
        for file in doc["write_files"].as_sequence().unwrap() {
            assert!(file["permissions"].as_str().is_some_and(|p| p.len() == 4), "quoted octal: {file:?}");
        }
    }
}

/// The hcloud provider's documented arguments, per resource and nested
/// block (registry.terraform.io/providers/hetznercloud/hcloud, resource
/// docs). Terraform itself cannot be installed here.
fn hcloud_arguments(kind: &str) -> (&'static [&'static str], &'static [&'static str]) {
    // (allowed, required)
    match kind {
        "hcloud_server" => (
            &[
                "name",
                "server_type",
                "image",
                "location",
                "datacenter",
                "user_data",
                "ssh_keys",
                "public_net",
                "keep_disk",
                "iso",
                "rescue",
                "labels",
                "backups",
                "firewall_ids",
                "ignore_remote_firewall_ids",
                "network",
                "placement_group_id",
                "delete_protection",
                "rebuild_protection",
                "allow_deprecated_images",
                "shutdown_before_deletion",
            ],
            &["name", "server_type", "image"],
        ),
        "server.network" => (&["network_id", "ip", "alias_ips"], &["network_id"]),
        "server.public_net" => (&["ipv4_enabled", "ipv4", "ipv6_enabled", "ipv6"], &[]),
        "hcloud_load_balancer" => (
            &[
                "name",
                "load_balancer_type",
                "location",
                "network_zone",
                "algorithm",
                "labels",
                "delete_protection",
                "target",
            ],
            &["name", "load_balancer_type"],
        ),
        "lb.algorithm" => (&["type"], &["type"]),
        "hcloud_load_balancer_service" => (
            &[
                "load_balancer_id",
                "protocol",
                "listen_port",
                "destination_port",
                "proxyprotocol",
                "http",
                "health_check",
            ],
            &["load_balancer_id", "protocol"],
        ),
        "service.http" => {
            (&["sticky_sessions", "cookie_name", "cookie_lifetime", "certificates", "redirect_http"], &[])
        }
        "service.health_check" => (&["protocol", "port", "interval", "timeout", "retries", "http"], &["protocol"]),
        "health_check.http" => (&["domain", "path", "response", "tls", "status_codes"], &[]),
        "hcloud_load_balancer_target" => (
            &["type", "load_balancer_id", "server_id", "label_selector", "ip", "use_private_ip"],
            &["type", "load_balancer_id"],
        ),
        "hcloud_load_balancer_network" => {
            (&["load_balancer_id", "network_id", "subnet_id", "ip", "enable_public_interface"], &["load_balancer_id"])
        }
        "hcloud_placement_group" => (&["name", "type", "labels"], &["name", "type"]),
        "hcloud_network" => {
            (&["name", "ip_range", "labels", "delete_protection", "expose_routes_to_vswitch"], &["name", "ip_range"])
        }
        "hcloud_network_subnet" => (
            &["network_id", "type", "network_zone", "ip_range", "vswitch_id"],
            &["network_id", "type", "network_zone", "ip_range"],
        ),
        "hcloud_firewall" => (&["name", "labels", "rule", "apply_to"], &[]),
        "firewall.rule" => (
            &["direction", "protocol", "port", "source_ips", "destination_ips", "description"],
            &["direction", "protocol"],
        ),
        "hcloud_ssh_key" => (&["name", "public_key", "labels"], &["name", "public_key"]),
        "hcloud_managed_certificate" => (&["name", "domain_names", "labels"], &["name", "domain_names"]),
        "hcloud_volume" => (
            &["name", "size", "location", "server_id", "automount", "format", "labels", "delete_protection"],
            &["name", "size"],
        ),
        other => panic!("gen emits `{other}`, which this test does not know"),
    }
}

fn check_args(kind: &str, at: &str, value: &serde_json::Value) {
    let (allowed, required) = hcloud_arguments(kind);
    let meta = ["depends_on", "count", "for_each", "lifecycle", "provider"];
    let obj = value.as_object().unwrap_or_else(|| panic!("{at}: not an object"));
    for key in obj.keys() {
        assert!(
            allowed.contains(&key.as_str()) || meta.contains(&key.as_str()),
            "{at}: `{key}` is not an argument of {kind}"
        );
    }
    for key in required {
        assert!(obj.contains_key(*key), "{at}: required `{key}` missing");
    }
}

/// Checks one infra/main.tf.json (in `infra`) against the provider's
/// documented arguments, every reference and `depends_on` against the
/// resources the file defines, and each server's user_data against its
/// cloud-init artifact; returns the parsed file. Terraform itself cannot be
/// installed here, so this is the reference check `terraform validate`
/// would make.
pub(crate) fn validated_terraform(infra: &Path) -> serde_json::Value {
    let raw = std::fs::read_to_string(infra.join("main.tf.json")).unwrap();
    let tf: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(tf["terraform"]["required_providers"]["hcloud"]["source"], "hetznercloud/hcloud");
    assert!(tf["provider"]["hcloud"]["token"].as_str().unwrap().starts_with("${var."), "no token in the file");
    let resources = tf["resource"].as_object().unwrap();
    let mut defined = std::collections::BTreeSet::new();
    for (kind, instances) in resources {
        for (name, body) in instances.as_object().unwrap() {
            defined.insert(format!("{kind}.{name}"));
            let at = format!("{kind}.{name}");
            check_args(kind, &at, body);
            match kind.as_str() {
                "hcloud_server" => {
                    for n in body["network"].as_array().into_iter().flatten() {
                        check_args("server.network", &at, n);
                    }
                    check_args("server.public_net", &at, &body["public_net"]);
                    let file = body["user_data"].as_str().unwrap();
                    let path = file.split("path.module}/").nth(1).unwrap().split('"').next().unwrap();
                    let cloud_init = std::fs::read_to_string(infra.join(path)).unwrap();
                    assert!(cloud_init.starts_with("#cloud-config"), "{path}");
                    assert_ne!(body["server_type"], "cx32", "removed type");
                    // The provider's ForceNew arguments that admin, key and
                    // cloud-init changes touch are ignored after creation:
                    // such a change never replaces a server.
                    assert_eq!(
                        body["lifecycle"]["ignore_changes"],
                        serde_json::json!(["user_data", "ssh_keys", "image"]),
                        "{at}"
                    );
                    assert!(body["lifecycle"]["//"].is_string(), "{at}: the lifecycle block says why");
                }
                "hcloud_load_balancer" => check_args("lb.algorithm", &at, &body["algorithm"]),
                "hcloud_load_balancer_service" => {
                    check_args("service.health_check", &at, &body["health_check"]);
                    if let Some(http) = body.get("http") {
                        check_args("service.http", &at, http);
                    }
                    if let Some(http) = body["health_check"].get("http") {
                        check_args("health_check.http", &at, http);
                    }
                }
                "hcloud_load_balancer_target" => {
                    // A server target names a server; an IP target an address.
                    match body["type"].as_str() {
                        Some("server") => assert!(body["server_id"].is_string(), "{at}"),
                        Some("ip") => assert!(body["ip"].as_str().is_some_and(|ip| !ip.is_empty()), "{at}"),
                        other => panic!("{at}: target type {other:?}"),
                    }
                }
                "hcloud_network_subnet" => match body["type"].as_str() {
                    Some("cloud") => assert!(body.get("vswitch_id").is_none(), "{at}"),
                    Some("vswitch") => assert!(body["vswitch_id"].is_u64(), "{at}: a vswitch subnet names its vSwitch"),
                    other => panic!("{at}: subnet type {other:?}"),
                },
                "hcloud_firewall" => {
                    for rule in body["rule"].as_array().unwrap() {
                        check_args("firewall.rule", &at, rule);
                        if rule["protocol"] == "tcp" || rule["protocol"] == "udp" {
                            assert!(rule["port"].is_string(), "{at}: port is a string");
                        }
                    }
                }
                _ => {}
            }
        }
    }
    // Every ${type.name.attr} and depends_on names a resource defined here.
    for reference in raw.split("${").skip(1) {
        let expr = reference.split('}').next().unwrap();
        if expr.starts_with("var.") || expr.starts_with("path.") || expr.starts_with("file(") {
            continue;
        }
        let target: Vec<&str> = expr.split('.').take(2).collect();
        assert!(defined.contains(&target.join(".")), "dangling reference ${{{expr}}}");
    }
    for dep in raw.lines().filter(|l| l.trim_start().starts_with("\"hcloud_") && l.trim_end().ends_with("\",")) {
        let dep = dep.trim().trim_matches(|c| c == '"' || c == ',');
        if dep.contains('.') {
            assert!(defined.contains(dep), "depends_on {dep}");
        }
    }
    tf
}

/// infra/main.tf.json against the provider's documented arguments, with
/// every reference pointing at a resource the file defines and user_data
/// read from the host's cloud-init artifact.
#[test]
fn terraform_json_uses_only_documented_hcloud_arguments() {
    let dir = built(|_, t| t);
    assert!(!dir.path().join("out/odoo-dedicated/infra/main.tf.json").exists(), "dedicated hosts are not in Terraform");
    for infra in std::fs::read_dir(dir.path().join("out")).unwrap().map(|e| e.unwrap().path().join("infra")) {
        if infra.join("main.tf.json").exists() {
            validated_terraform(&infra);
        }
    }
    let tf = validated_terraform(&dir.path().join("out/hetzner-websites/infra"));
    let resources = tf["resource"].as_object().unwrap();
    assert_eq!(resources["hcloud_server"].as_object().unwrap().len(), 2);
    // The load balancer: TLS at the LB with a managed certificate for every
    // site's names, health checks on /health, targets over the private network.
    let service = &resources["hcloud_load_balancer_service"]["https"];
    assert_eq!(service["protocol"], "https");
    assert_eq!(service["destination_port"], 80);
    assert_eq!(service["health_check"]["http"]["path"], "/health");
    assert_eq!(service["health_check"]["interval"], 15);
    let names = resources["hcloud_managed_certificate"]["web-lb"]["domain_names"].as_array().unwrap();
    assert_eq!(names.len(), 50);
    for target in resources["hcloud_load_balancer_target"].as_object().unwrap().values() {
        assert_eq!(target["use_private_ip"], true);
    }
    // The Cloud Firewall opens SSH to the admins only, and no web port: the
    // load balancer reaches nginx over the private network.
    for fw in resources["hcloud_firewall"].as_object().unwrap().values() {
        for rule in fw["rule"].as_array().unwrap() {
            assert!(rule["port"] != "80" && rule["port"] != "443", "{rule}");
            if rule["port"] == "22" {
                assert_eq!(rule["source_ips"], serde_json::json!(["198.51.100.0/24"]));
            }
        }
    }
}

/// Every blueprint's infra/main.tf.json uses documented arguments only, and
/// each cloud host's volumes become `hcloud_volume`s attached to their
/// server (size in whole GB, blank, delete-protected), which install.sh
/// mounts by label before it makes any directory on them.
#[test]
fn cloud_volumes_are_created_attached_and_mounted_before_use() {
    let dir = built(|_, t| t);
    let out = dir.path().join("out");
    let mut volumes = 0;
    for tf_path in named(&out, "main.tf.json") {
        let tf: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&tf_path).unwrap()).unwrap();
        let resources = tf["resource"].as_object().unwrap();
        for (kind, instances) in resources {
            for (name, body) in instances.as_object().unwrap() {
                check_args(kind, &format!("{}: {kind}.{name}", tf_path.display()), body);
            }
        }
        let Some(vols) = resources.get("hcloud_volume") else { continue };
        let blueprint = tf_path.parent().unwrap().parent().unwrap();
        for (name, v) in vols.as_object().unwrap() {
            volumes += 1;
            let server = v["server_id"].as_str().unwrap();
            let host = server.trim_start_matches("${hcloud_server.").trim_end_matches(".id}");
            assert!(resources["hcloud_server"].get(host).is_some(), "{name} attached to a defined server: {server}");
            assert_eq!(v["delete_protection"], true, "{name}");
            assert_eq!(v["automount"], false, "{name}: install.sh mounts it at the blueprint's mount point");
            assert!(v.get("format").is_none(), "{name}: left blank, install.sh formats it with its label");
            let install = std::fs::read_to_string(blueprint.join(format!("hosts/{host}/install.sh"))).unwrap();
            let gib = v["size"].as_u64().unwrap();
            let call = format!("mount_volume '{name}' ");
            let line = install.lines().find(|l| l.starts_with(&call)).unwrap_or_else(|| panic!("{host} mounts {name}"));
            // `mount_volume LABEL MOUNT BYTES FS`
            assert_eq!(
                line.split_whitespace().nth(3),
                Some((gib << 30).to_string().as_str()),
                "the device's size in bytes: {line}"
            );
            // Mounted before any data directory is made.
            let first_dir = install.find("\nensure_dir ").expect("ensure_dir");
            assert!(install.find(line).unwrap() < first_dir, "{name} is mounted before the data directories");
            // A cloud server has no disks of its own to state: no RAID in its runbook.
            let recovery = std::fs::read_to_string(blueprint.join(format!("hosts/{host}/RECOVERY.md"))).unwrap();
            assert!(!recovery.contains("RAID degraded"), "{host}: no RAID on a cloud server");
        }
    }
    assert!(volumes >= 2, "blueprints/nextcloud.yaml has two volumes");
}

/// installimage: one DRIVE per disk, software RAID at the blueprint's level,
/// a PART per partition plus /boot, and the PART sizes (MiB) within the
/// RAID's usable capacity; cloud hosts get none.
#[test]
fn installimage_matches_the_disk_layout() {
    let dir = built(|_, t| t);
    let out = dir.path().join("out");
    let confs = named(&out, "installimage.conf");
    assert_eq!(confs.len(), 1, "only the dedicated host: {confs:?}");
    let conf = std::fs::read_to_string(&confs[0]).unwrap();
    let lines: Vec<&str> = conf.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).collect();
    assert_eq!(lines.iter().filter(|l| l.starts_with("DRIVE")).count(), 2);
    assert!(lines.contains(&"SWRAID 1") && lines.contains(&"SWRAIDLEVEL 1"));
    let parts: Vec<(&str, u64)> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("PART "))
        .map(|p| {
            let f: Vec<&str> = p.split_whitespace().collect();
            (f[0], f[2].strip_suffix('M').unwrap().parse().unwrap())
        })
        .collect();
    let mounts: Vec<&str> = parts.iter().map(|(m, _)| *m).collect();
    assert_eq!(
        mounts,
        ["/boot", "/", "/var/lib/docker", "/mnt/odoo-data", "/mnt/building-plans", "/mnt/backups", "swap"]
    );
    let total: u64 = parts.iter().map(|(_, s)| s).sum();
    assert!(total <= 1863 * 1024, "{total} MiB on a 1863 GiB mirror");
    assert!(lines.iter().any(|l| l.starts_with("IMAGE /root/.oldroot/nfs/images/Ubuntu-2404-noble")));
}

/// Every `hcloud` subcommand and flag the blue-green script uses exists in
/// Debian's hcloud CLI (`--help`); then the script runs against recording
/// stubs of hcloud and ssh: a good deploy moves the target out and back,
/// a failed health check rolls the host back to its previous commit.
#[test]
fn blue_green_switch_uses_real_hcloud_flags_and_rolls_back() {
    require("hcloud");
    let dir = built(|_, t| t);
    let script = dir.path().join("out/hetzner-websites/infra/blue-green.sh");
    let text_of = std::fs::read_to_string(&script).unwrap();
    let mut checked = 0;
    for line in text_of.lines() {
        let Some(rest) = line.split("hcloud ").nth(1) else { continue };
        if line.trim_start().starts_with('#') {
            continue;
        }
        let words: Vec<&str> = rest.split_whitespace().collect();
        let sub: Vec<&str> =
            words.iter().take_while(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '-')).copied().collect();
        if sub.is_empty() {
            continue;
        }
        let help = Command::new("hcloud").args(&sub).arg("--help").output().unwrap();
        let help = text(&help);
        assert!(
            help.contains(&format!("hcloud {}", sub.join(" "))),
            "`hcloud {}` is not a command:\n{help}",
            sub.join(" ")
        );
        for flag in words.iter().filter(|w| w.starts_with("--")) {
            assert!(help.contains(&format!("{flag} ")), "`hcloud {}` has no {flag}", sub.join(" "));
        }
        checked += 1;
    }
    assert!(checked >= 4, "{checked} hcloud calls checked");

    let bin = tempfile::tempdir().unwrap();
    let log = bin.path().join("calls");
    let stub = |name: &str, body: &str| {
        let p = bin.path().join(name);
        std::fs::write(&p, format!("#!/bin/sh\necho \"{name} $*\" >> {}\n{body}\n", log.display())).unwrap();
        std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    };
    stub(
        "hcloud",
        r#"case "$1 $2" in
  "load-balancer describe") printf 'app-1 healthy healthy\napp-2 healthy\n' ;;
  "server ip") echo 203.0.113.20 ;;
esac"#,
    );
    let run = |health_ok: bool| {
        std::fs::write(&log, "").unwrap();
        stub(
            "ssh",
            &format!(
                r#"case "$*" in
  *rev-parse*) echo 1111111 ;;
  *curl*) exit {} ;;
esac"#,
                if health_ok { 0 } else { 22 }
            ),
        );
        let path = format!("{}:{}", bin.path().display(), std::env::var("PATH").unwrap());
        let o = Command::new("bash").arg(&script).arg("app-2").env("PATH", path).output().unwrap();
        (o, std::fs::read_to_string(&log).unwrap())
    };
    let (o, calls) = run(true);
    assert!(o.status.success(), "{}\n{calls}", text(&o));
    let order: Vec<&str> = calls
        .lines()
        .filter(|l| (l.starts_with("hcloud ") || l.starts_with("ssh ")) && !l.contains("describe"))
        .collect();
    assert!(
        order.iter().position(|l| l.contains("remove-target web-lb --server app-2")).unwrap()
            < order.iter().position(|l| l.contains("pull --ff-only")).unwrap(),
        "{calls}"
    );
    assert!(order.last().unwrap().contains("add-target web-lb --server app-2 --use-private-ip"), "{calls}");
    assert!(calls.contains("curl -fsS --max-time 5 -o /dev/null http://10.0.1.12/health"), "{calls}");

    let (o, calls) = run(false);
    assert!(!o.status.success(), "a failed health check must fail the switch:\n{calls}");
    assert!(calls.contains("reset --hard -q 1111111"), "rolled back to the previous commit:\n{calls}");
    let last = calls.lines().rfind(|l| l.starts_with("hcloud ") || l.starts_with("ssh ")).unwrap();
    assert!(last.ends_with("add-target web-lb --server app-2 --use-private-ip"), "{calls}");
}

/// `gen lint` on a reference blueprint with one edit: the codes reported.
fn lint_edited(blueprint: &str, from: &str, to: &str) -> Vec<String> {
    let dir = project();
    let path = dir.path().join(format!("blueprints/{blueprint}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "`{from}` is not in {blueprint}");
    let lint = || {
        let out = Gen::new(dir.path()).args(["lint", &format!("blueprints/{blueprint}.yaml")]).output();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_ne!(out.status.code(), Some(101), "panic:\n{stderr}");
        stderr
            .lines()
            .filter_map(|l| l.strip_prefix("error[").or_else(|| l.strip_prefix("warning[")))
            .filter_map(|r| r.split_once(']').map(|(c, _)| c.to_string()))
            .collect::<Vec<String>>()
    };
    // What the reference reports as it is (its known warnings) is not new.
    let mut baseline = lint();
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    let mut codes: Vec<String> = lint()
        .into_iter()
        .filter(|c| match baseline.iter().position(|b| b == c) {
            Some(i) => {
                baseline.remove(i);
                false
            }
            None => true,
        })
        .collect();
    codes.sort();
    codes
}

/// Each network and provisioning mistake, made in a reference blueprint,
/// is reported with its code (and nothing else new).
#[test]
fn network_and_provisioning_mistakes_have_codes() {
    let odoo = "odoo-dedicated";
    let web = "hetzner-websites";
    let peer = "{name: cled-admin, address: 10.8.0.2,";
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (odoo, peer, "{name: cled-admin, address: 10.9.0.2,", &["E313"]),
        // A duplicate peer address is E201, from the names family.
        (odoo, peer, "{name: cled-admin, address: 10.8.0.3,", &["E201"]),
        (odoo, peer, "{name: cled-admin, address: 10.8.0.1,", &["E314"]),
        (odoo, peer, "{name: cled-admin, address: 10.8.0.255,", &["E313"]),
        (odoo, "public_key: UbWUBqab6BcAeKI49JFpW9L95YO+9vV9x7fD5/jPqjA=", "public_key: <CLIENT_1_PUBLIC_KEY>", &["E315"]),
        (odoo, "address: 10.8.0.1\n", "address: 10.9.0.1\n", &["E312"]),
        (odoo, "subnet: 10.8.0.0/24", "subnet: 10.8.0.0/33", &["E312"]),
        (odoo, "admin_cidrs: [198.51.100.0/24]", "admin_cidrs: [0.0.0.0/0]", &["E316"]),
        (odoo, "ssh_from: [vpn, admin_cidrs]", "ssh_from: [vpn]", &["W310"]),
        (
            odoo,
            "ssh_from: [vpn, admin_cidrs]",
            "ssh_from: [vpn, admin_cidrs]\n  rules:\n    - {port: 9100, from: vpn, comment: node exporter}",
            &[],
        ),
        (odoo, "- ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBs2", "- ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIBs2", &["E621"]),
        (odoo, "os: ubuntu-24.04", "os: debian-12", &["E623"]),
        (odoo, "- {mount: /, size: 60G, purpose: OS and logs}", "- {mount: /srv, size: 60G}", &["E625"]),
        (odoo, "- {mount: /var/lib/docker, size: 100G", "- {mount: var/lib/docker, size: 100G", &["E624"]),
        (odoo, "- {mount: /mnt/backups, size: 600G", "- {mount: /mnt/backups, size: 1137G", &["E626"]),
        (web, "private_ip: 10.0.1.11", "private_ip: 10.0.2.11", &["E316"]),
        (web, "subnet: 10.0.1.0/24", "subnet: 10.1.1.0/24", &["E316", "E316", "E316"]),
        (web, "tls: terminate", "tls: passthrough", &["E317"]),
        (web, "use_private_network: true", "use_private_network: false", &["E310"]),
        (web, "ssh_keys:\n      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN+qjizSnuuoecBTqNzx04mm0Hc51Nrc8p1zfpi0py2n ops", "ssh_keys: []", &["E620"]),
        (web, "labels: {role: app, deployment: blue}", "labels: {role: app, deployment: blue}\n    storage:\n      disks: [{size: 80G, kind: ssd}]\n      partitions: [{mount: /, size: 80G}]", &["W620"]),
    ];
    for (bp, from, to, want) in cases {
        let got = lint_edited(bp, from, to);
        assert_eq!(got, *want, "{bp}: `{from}` → `{to}`");
    }
}

/// A port the blueprint keeps for the VPN, published by Docker on every
/// interface, is reachable from the internet (E311) whatever UFW says.
#[test]
fn vpn_only_port_published_by_docker_is_an_error() {
    let got = lint_edited(
        "odoo-dedicated",
        "ssh_from: [vpn, admin_cidrs]",
        "ssh_from: [vpn, admin_cidrs]\n  rules:\n    - {port: 8071, from: vpn, comment: odoo dev}",
    );
    assert!(got.is_empty(), "{got:?}");
    let dir = project();
    let path = dir.path().join("blueprints/odoo-dedicated.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replacen(
            "ssh_from: [vpn, admin_cidrs]",
            "ssh_from: [vpn, admin_cidrs]\n  rules:\n    - {port: 8071, from: vpn, comment: odoo dev}",
            1,
        )
        .replacen("        access: vpn_only\n", "        access: vpn_only\n        ports: [\"8071:8069\"]\n", 1);
    std::fs::write(&path, text).unwrap();
    let (_, stderr) = Gen::new(dir.path()).args(["lint", "blueprints/odoo-dedicated.yaml"]).fails();
    assert!(
        stderr.contains("error[E311]: port 8071/tcp (odoo-dev) on `ax52` is VPN-only but reachable from the internet"),
        "{stderr}"
    );
    assert!(stderr.contains("error[E301]"), "{stderr}");
}

/// The sshd drop-in, loaded by the real sshd (`-t` checks it, `-T` prints the
/// effective settings): keys only, no root, no passwords.
#[test]
fn sshd_accepts_the_hardening_drop_in() {
    require("sshd");
    require("ssh-keygen");
    let dir = built(|_, t| t);
    let drop_ins = files(&dir.path().join("out"), |p| p.ends_with("sshd_config.d/10-gen.conf"));
    assert_eq!(drop_ins.len(), crate::common::host_count(), "one per host: {drop_ins:?}");
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("host_ed25519");
    let keygen = Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(&key).output().unwrap();
    assert!(keygen.status.success(), "{}", text(&keygen));
    // sshd refuses to start without its privilege-separation directory.
    std::fs::create_dir_all("/run/sshd").unwrap();
    for drop_in in drop_ins {
        let config = tmp.path().join("sshd_config");
        std::fs::write(&config, format!("Include {}\nHostKey {}\n", drop_in.display(), key.display())).unwrap();
        let check = Command::new("/usr/sbin/sshd").arg("-t").arg("-f").arg(&config).output().unwrap();
        assert!(check.status.success(), "sshd -t {}: {}", drop_in.display(), text(&check));
        let effective = Command::new("/usr/sbin/sshd").arg("-T").arg("-f").arg(&config).output().unwrap();
        let settings = String::from_utf8_lossy(&effective.stdout).to_string();
        for line in [
            "permitrootlogin no",
            "passwordauthentication no",
            "kbdinteractiveauthentication no",
            "authenticationmethods publickey",
        ] {
            assert!(settings.lines().any(|l| l == line), "{}: `{line}` in\n{settings}", drop_in.display());
        }
    }
}

/// The generated daemon.json under a real dockerd (Debian's docker.io, 20.10
/// as on the deployment harness) in a throwaway root with the host's UFW
/// applied by gen-firewall: dockerd starts with it (experimental,
/// ip6tables), a dual-stack network like compose's gets IPv6 NAT, and
/// `gen-firewall --forward-first` puts the IPv6 jump to DOCKER-USER ahead of
/// the FORWARD rules Docker inserts for the network.
#[test]
fn dockerd_accepts_daemon_json_and_ipv6_forward_goes_through_docker_user() {
    require("dockerd");
    require("ufw");
    let dir = built(|_, t| t);
    let rootfs = dir.path().join("out/odoo-dedicated/hosts/ax52/rootfs");
    let compose = std::fs::read_to_string(rootfs.join("opt/odoo/docker-compose.yml")).unwrap();
    let subnet6 = compose
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- subnet: \""))
        .find(|s| s.contains(':'))
        .unwrap()
        .trim_end_matches('"')
        .to_string();
    let script = r#"
rootfs=$1
cp "$rootfs/usr/local/sbin/gen-firewall" "$R/usr/local/sbin/"
cp "$rootfs"/etc/ufw/gen-docker-user*.rules "$R/etc/ufw/"
chroot "$R" gen-firewall > /dev/null
k=$R/tmp/dk; mkdir -p "$k"
D="/usr/bin/docker -H unix://$k/s.sock"
dockerd --config-file "$rootfs/etc/docker/daemon.json" --host "unix://$k/s.sock" --data-root "$k/data" \
  --exec-root "$k/exec" --pidfile "$k/pid" > "$k/log" 2>&1 &
for _ in $(seq 60); do $D info >/dev/null 2>&1 && break; sleep 0.5; done
$D info > "$k/info" 2>&1 || { cat "$k/log"; exit 1; }
grep -q "Experimental: true" "$k/info"
$D network create --ipv6 --subnet 172.30.0.0/24 --subnet "$2" stack > /dev/null
test "$($D network inspect -f '{{.EnableIPv6}}' stack)" = true
ip6tables -t nat -S POSTROUTING | grep -q -- "-s $2"
chroot "$R" gen-firewall --forward-first
ip6tables -S FORWARD
test "$(ip6tables -S FORWARD | sed -n 2p)" = "-A FORWARD -j DOCKER-USER"
kill "$(cat "$k/pid")"
for _ in $(seq 60); do [ -e "$k/pid" ] || break; sleep 0.5; done
"#;
    let o = Command::new(repo().join("tests/validate/throwaway-root.sh"))
        .arg(script)
        .arg(&rootfs)
        .arg(&subnet6)
        .output()
        .expect("throwaway-root.sh runs");
    assert!(o.status.success(), "{}", text(&o));
}

/// gen-admins in a throwaway root: it creates the blueprint's admins as
/// cloud-init does (sudo without a password, keys only), writes their
/// authorized_keys exactly, changes nothing on a second run, locks an admin
/// the blueprint no longer lists (home kept, keys emptied) and opens it
/// again when it is listed again.
#[test]
fn gen_admins_manages_admins_idempotently_in_a_throwaway_root() {
    require("visudo");
    require("useradd");
    let ops = built(|_, t| t);
    let alice =
        built(|name, t| if name == "hetzner-websites" { t.replace("  - name: ops\n", "  - name: alice\n") } else { t });
    let script_of =
        |dir: &tempfile::TempDir| dir.path().join("out/hetzner-websites/hosts/app-1/rootfs/usr/local/sbin/gen-admins");
    let script = r#"
v1=$1 v2=$2
admins() { cp "$1" "$R/usr/local/sbin/gen-admins"; chroot "$R" gen-admins; }
shadow() { chroot "$R" getent shadow "$1" | cut -d: -f2,8; }
chroot "$R" groupadd -f docker
cp "$v1" "$R/usr/local/sbin/gen-admins"
chroot "$R" gen-admins --dry-run > "$R/tmp/dry"
grep -q "would run: useradd --create-home --shell /bin/bash ops" "$R/tmp/dry"
! chroot "$R" getent passwd ops || exit 1
admins "$v1" > "$R/tmp/first"
echo FIRST; cat "$R/tmp/first"
test "$(chroot "$R" getent passwd ops | cut -d: -f7)" = /bin/bash
chroot "$R" id -nG ops | grep -qw sudo
chroot "$R" id -nG ops | grep -qw docker
test "$(chroot "$R" stat -c '%U %a' "/home/ops/.ssh")" = "ops 700"
test "$(chroot "$R" stat -c '%U %a' "/home/ops/.ssh/authorized_keys")" = "ops 600"
grep -c '^ssh-ed25519 ' "$R/home/ops/.ssh/authorized_keys" | grep -qx 1
test "$(chroot "$R" stat -c '%U %a' "/etc/sudoers.d/gen-websites-admins")" = "root 440"
grep -qx 'ops ALL=(ALL) NOPASSWD:ALL' "$R/etc/sudoers.d/gen-websites-admins"
chroot "$R" sudo -l -U ops | grep -q 'NOPASSWD: ALL'
test "$(cat "$R/var/lib/gen/websites/admins")" = ops
# A key added by hand goes: the file is exactly the blueprint's.
echo "ssh-ed25519 AAAAhand hand" >> "$R/home/ops/.ssh/authorized_keys"
admins "$v1" > "$R/tmp/hand"
grep -q "wrote /home/ops/.ssh/authorized_keys" "$R/tmp/hand"
! grep -q hand "$R/home/ops/.ssh/authorized_keys" || exit 1
# Again: nothing to do, nothing said.
test -z "$(admins "$v1")"
# ops leaves, alice arrives.
admins "$v2" > "$R/tmp/second"
echo SECOND; cat "$R/tmp/second"
grep -q "locked ops" "$R/tmp/second"
test "$(shadow ops | cut -d: -f2)" = 1
shadow ops | grep -q '^!'
test -d "$R/home/ops"
test ! -s "$R/home/ops/.ssh/authorized_keys"
grep -c '^ssh-ed25519 ' "$R/home/alice/.ssh/authorized_keys" | grep -qx 1
! grep -q '^ops ' "$R/etc/sudoers.d/gen-websites-admins" || exit 1
test "$(tr '\n' ' ' < "$R/var/lib/gen/websites/admins")" = "alice ops "
test -z "$(admins "$v2")"
# ops is listed again: the account opens, its keys come back, alice is locked.
admins "$v1" > "$R/tmp/third"
echo THIRD; cat "$R/tmp/third"
test -z "$(shadow ops | cut -d: -f2)"
grep -c '^ssh-ed25519 ' "$R/home/ops/.ssh/authorized_keys" | grep -qx 1
test "$(shadow alice | cut -d: -f2)" = 1
test -z "$(admins "$v1")"
"#;
    let o = throwaway(script, &[&script_of(&ops), &script_of(&alice)]);
    assert!(o.status.success(), "{}", text(&o));
}
