#!/usr/bin/env bash
# Runs every test. The tests run the real validators and servers (Debian's
# nginx, docker-compose, PostgreSQL 15, cloud-init, systemd-analyze, promtool,
# ShellCheck, ufw, WireGuard, sshd, chromium and more, listed below); this
# script installs the missing ones when it runs as root, and the tests fail
# (never skip) when one is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v nginx >/dev/null || packages+=(nginx)
command -v docker-compose >/dev/null || packages+=(docker-compose)
command -v openssl >/dev/null || packages+=(openssl)
command -v unshare >/dev/null || packages+=(util-linux)
command -v sha256sum >/dev/null || packages+=(coreutils)
# Backups, health checks and monitoring (tests/ops_validators.rs, tests/backup_live.rs).
command -v systemd-analyze >/dev/null || packages+=(systemd)
command -v crontab >/dev/null || packages+=(cron)
/usr/bin/python3 -c 'import croniter' 2>/dev/null || packages+=(python3-croniter)
command -v promtool >/dev/null || packages+=(prometheus)
command -v restic >/dev/null || packages+=(restic)
command -v rsync >/dev/null || packages+=(rsync)
command -v curl >/dev/null || packages+=(curl)
[ -x /usr/lib/postgresql/15/bin/postgres ] && [ -x /usr/lib/postgresql/15/bin/pg_dump ] || packages+=(postgresql-15)
# MariaDB's server and clients (tests/mariadb.rs): gen.cnf, dumps and restores.
{ command -v mariadbd >/dev/null && command -v mariadb-dump >/dev/null; } || packages+=(mariadb-server mariadb-client)
/usr/bin/python3 -c "import passlib" 2>/dev/null || packages+=(python3-passlib)
# Hosts, network and provisioning (tests/provision.rs).
command -v ufw >/dev/null || packages+=(ufw)
command -v iptables >/dev/null || packages+=(iptables)
command -v dockerd >/dev/null || packages+=(docker.io)
command -v ip >/dev/null || packages+=(iproute2)
command -v wg >/dev/null || packages+=(wireguard-tools)
command -v wireguard-go >/dev/null || packages+=(wireguard-go)
command -v shellcheck >/dev/null || packages+=(shellcheck)
command -v cloud-init >/dev/null || packages+=(cloud-init)
command -v netplan >/dev/null || packages+=(netplan.io)
command -v fail2ban-regex >/dev/null || packages+=(fail2ban)
command -v logrotate >/dev/null || packages+=(logrotate)
command -v dnsmasq >/dev/null || packages+=(dnsmasq-base)
command -v hcloud >/dev/null || packages+=(hcloud-cli)
[ -x /usr/sbin/sshd ] || packages+=(openssh-server)
command -v chromium >/dev/null || packages+=(chromium)
# The report printed to PDF and looked at page by page (tests/report_print.rs).
command -v pdftoppm >/dev/null || packages+=(poppler-utils)
[ -x /usr/bin/git ] || packages+=(git)
# The manual pages gen writes (tests/cli.rs renders them); bash checks the completions.
command -v groff >/dev/null || packages+=(groff-base)
command -v man >/dev/null || packages+=(man-db)
# The Jinja2 pipeline gen is compared with (tests/jinja2_peer.rs).
/usr/bin/python3 -c "import jinja2" 2>/dev/null || packages+=(python3-jinja2)
/usr/bin/python3 -c "import yaml" 2>/dev/null || packages+=(python3-yaml)
# The deployment harness (tests/e2e/run.sh): Docker Engines, debootstrap for
# the images, pebble as Let's Encrypt, and what cloud-init installs on a host.
command -v debootstrap >/dev/null || packages+=(debootstrap)
command -v pebble >/dev/null || packages+=(pebble)
command -v tini >/dev/null || packages+=(tini)
command -v haproxy >/dev/null || packages+=(haproxy)
command -v nmap >/dev/null || packages+=(nmap)
# The rollout with Ansible (tests/ansible.rs, tests/e2e/scenarios/rollout.sh).
{ command -v ansible-playbook >/dev/null && command -v ansible-inventory >/dev/null; } || packages+=(ansible-core)
# The journal on the simulated hosts (fail2ban's sshd jail reads it).
{ [ -x /lib/systemd/systemd-journald ] && command -v systemd-cat >/dev/null; } || packages+=(systemd)
command -v certbot >/dev/null || packages+=(certbot)
command -v htpasswd >/dev/null || packages+=(apache2-utils)
command -v sudo >/dev/null || packages+=(sudo)
command -v logrotate >/dev/null || packages+=(logrotate)
command -v dnsmasq >/dev/null || packages+=(dnsmasq-base)
command -v nsenter >/dev/null || packages+=(util-linux)
dpkg-query -W -f='${Status}' unattended-upgrades 2>/dev/null | grep -q 'install ok installed' || packages+=(unattended-upgrades)
/usr/bin/python3 -c 'import systemd.journal' 2>/dev/null || packages+=(python3-systemd)
# Install (tests/install/run.sh, scripts/release.sh): cargo-deb's strip and
# dpkg-shlibdeps, a clean root by debootstrap, and pre-commit for the
# README's example. scripts/release.sh installs cargo-deb itself.
command -v strip >/dev/null || packages+=(binutils)
command -v dpkg-shlibdeps >/dev/null || packages+=(dpkg-dev)
command -v pre-commit >/dev/null || packages+=(pre-commit)
# Hostile input: peak memory of gen (tests/invalid.rs).
[ -x /usr/bin/time ] || packages+=(time)
# The editor test (tests/editor.rs) runs yaml-language-server on Node.js.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing validators: ${packages[*]}; install them (apt-get install ${packages[*]}) or run as root" >&2
    exit 1
  fi
  # Keep package scripts from starting the daemons they install.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# yaml-language-server for tests/editor.rs, from the npm registry into a cache
# directory, every package pinned by tests/editor/package-lock.json (`npm ci`).
# The test looks for it in the same place.
yls_version=$(sed -n 's/.*"yaml-language-server": "\([0-9.]*\)".*/\1/p' tests/editor/package.json)
yls_dir="${XDG_CACHE_HOME:-$HOME/.cache}/gen/npm/yaml-language-server@$yls_version"
if ! cmp -s tests/editor/package-lock.json "$yls_dir/package-lock.json" || [ ! -x "$yls_dir/node_modules/.bin/yaml-language-server" ]; then
  rm -rf "$yls_dir"
  mkdir -p "$yls_dir"
  cp tests/editor/package.json tests/editor/package-lock.json "$yls_dir/"
  (cd "$yls_dir" && npm ci --no-audit --no-fund --ignore-scripts >/dev/null)
fi

# The parts: cargo test, the install test, the deployment harness and, when
# GEN_TEST_ALSO names a command (.ci/run gives its lints and drift check),
# that. Every part runs even when an earlier one failed; the end names each
# part that failed (exit 1).
failed=()
part() {
  local name=$1 t0=$SECONDS rc=0
  shift
  echo "== $name"
  "$@" || rc=$?
  if [ "$rc" -eq 0 ]; then
    echo "== $name: ok ($((SECONDS - t0)) s)"
  else
    echo "== $name: FAILED (exit $rc, $((SECONDS - t0)) s)" >&2
    failed+=("$name")
  fi
}
finish() {
  if [ ${#failed[@]} -gt 0 ]; then
    echo "test.sh: FAILED: ${failed[*]}" >&2
    exit 1
  fi
  echo "test.sh: every part passed ($SECONDS s)"
}

# The install test and the deployment harness (README, "Install", and
# docs/design.md, "Deployment harness") need root; only a filtered cargo
# test run (arguments given) skips them, and says so.
if [ $# -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
  echo "the install test and the deployment harness need root: run scripts/test.sh as root" >&2
  exit 1
fi

# The harness (about two thirds of the time, mostly waiting on hosts,
# containers and the network) runs in the background from here, its output
# in a log file that follows once the other parts are done. Its odoo group
# runs beside them; its groups after that wait for them (GEN_E2E_BARRIER):
# the websites' first boot missed its health-check deadline beside the
# install test's release builds. The install test and GEN_TEST_ALSO run at
# a lower CPU priority (nice 10) beside the harness; cargo test does not, as
# tests/invalid.rs bounds each gen run at 10 s of wall time. docs/design.md,
# "CI time", has the measurements.
e2e_pid=
beside=()
if [ $# -eq 0 ]; then
  shellcheck -S warning scripts/release.sh tests/install/run.sh
  shellcheck -S warning -x tests/e2e/run.sh tests/e2e/lib/host-init.sh tests/e2e/root/usr/bin/systemctl tests/e2e/images/*.sh
  # gen first: cargo test would hold the build directory's lock while the
  # harness waited for it.
  part "cargo build (the gen the harness runs)" cargo build --locked
  e2e_log=$(mktemp "${TMPDIR:-/tmp}/gen-e2e-log.XXXXXX")
fi
if [ $# -eq 0 ] && [ ${#failed[@]} -gt 0 ]; then
  failed+=("deployment harness (not run: gen did not build)")
elif [ $# -eq 0 ]; then
  GEN_E2E_BARRIER=$e2e_log.foreground-done GEN_E2E_GEN=${CARGO_TARGET_DIR:-$PWD/target}/debug/gen \
    tests/e2e/run.sh >"$e2e_log" 2>&1 </dev/null &
  e2e_pid=$!
  e2e_start=$SECONDS
  # An interrupted run stops the harness too (its own trap tears its hosts down).
  trap 'if [ -n "$e2e_pid" ]; then kill "$e2e_pid" 2>/dev/null || true; wait "$e2e_pid" 2>/dev/null || true; fi' EXIT
  echo "== deployment harness (tests/e2e/run.sh): started in the background, log in $e2e_log"
  beside=(nice -n 10)
fi

# Snapshots never update silently here: a changed artifact fails the run.
part "cargo test" env INSTA_UPDATE=no cargo test --locked "$@"
if [ $# -gt 0 ]; then
  echo "test.sh: arguments given, so only cargo test ran; tests/install/run.sh and tests/e2e/run.sh run the rest"
  finish
  exit 0
fi
# Every documented way to install gen, on a clean Debian root (README,
# "Install"): the release build, the archive, the .deb, cargo install.
part "install test (tests/install/run.sh)" "${beside[@]}" tests/install/run.sh
if [ -n "${GEN_TEST_ALSO:-}" ]; then
  part "$GEN_TEST_ALSO" "${beside[@]}" bash -c "$GEN_TEST_ALSO"
fi
if [ -n "$e2e_pid" ]; then
  touch "$e2e_log.foreground-done"
  echo "== deployment harness (tests/e2e/run.sh): its log from the start, live until it ends"
  tail -n +1 -f --pid="$e2e_pid" "$e2e_log"
  rc=0
  wait "$e2e_pid" || rc=$?
  e2e_pid=
  if [ "$rc" -eq 0 ]; then
    echo "== deployment harness: ok ($((SECONDS - e2e_start)) s)"
  else
    echo "== deployment harness: FAILED (exit $rc, $((SECONDS - e2e_start)) s)" >&2
    failed+=("deployment harness (tests/e2e/run.sh)")
  fi
fi
rm -f "$e2e_log" "$e2e_log.foreground-done"
finish
