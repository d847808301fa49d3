#!/usr/bin/env bash
# The deployment harness: boots the hosts gen generates and asserts, from
# the outside, that they work. Run as root on Debian 12 (scripts/test.sh
# runs it after the unit and validator tests; it installs the packages).
#
#   tests/e2e/run.sh            every scenario
#   GEN_E2E_KEEP=1 tests/e2e/run.sh   leave the hosts running for a look
#                                      (tests/e2e/run.sh --down stops them)
#   GEN_E2E_SKIP_IMAGES=1 ...          reuse the cached image tarball as it is
#                                      (local iteration only; CI builds them)
#   GEN_E2E_GEN=PATH ...               run this gen instead of building one
#   GEN_E2E_BARRIER=FILE ...           the groups from the websites on
#                                      start once FILE exists (scripts/test.sh:
#                                      its foreground parts are done)
#   GEN_E2E_ONLY=websites ...          some scenario groups only (local
#                                      iteration; CI runs them all: odoo
#                                      websites tutorial examples agency
#                                      scaleout)
#
# What is real and what is a stand-in is listed in the README ("Deployment
# harness"). Exit status: 0 when every check passed, 1 otherwise.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib/common.sh
source "$here/lib/common.sh"
# shellcheck source=tests/e2e/lib/net.sh
source "$here/lib/net.sh"
# shellcheck source=tests/e2e/lib/host.sh
source "$here/lib/host.sh"
# shellcheck source=tests/e2e/lib/acme.sh
source "$here/lib/acme.sh"
# shellcheck source=tests/e2e/lib/assert.sh
source "$here/lib/assert.sh"
# shellcheck source=tests/e2e/lib/stack.sh
source "$here/lib/stack.sh"
# shellcheck source=tests/e2e/lib/lb.sh
source "$here/lib/lb.sh"
# shellcheck source=tests/e2e/lib/storagebox.sh
source "$here/lib/storagebox.sh"
# shellcheck source=tests/e2e/lib/probe.sh
source "$here/lib/probe.sh"

[ "$(id -u)" -eq 0 ] || die "run as root: the harness makes namespaces and starts Docker Engines"
for tool in dockerd "$DOCKER" haproxy pebble pebble-challtestsrv debootstrap tini nsenter unshare \
  wireguard-go wg certbot ufw fail2ban-client restic htpasswd sshd git curl openssl python3 \
  ansible-playbook ansible-inventory psql netplan; do
  command -v "$tool" >/dev/null || die "missing $tool (scripts/test.sh installs it)"
done

# What cloud-init installs on the generated hosts must be in this machine's
# root, which every simulated host overlays: install what is missing
# (docker-compose-v2 is Ubuntu's name; the harness brings compose v2 itself).
host_packages() {
  local missing=() pkg
  for pkg in $(python3 -c '
import glob, sys, yaml
names = set()
for f in glob.glob(sys.argv[1] + "/out/*/hosts/*/cloud-init.yaml"):
    names.update(yaml.safe_load(open(f)).get("packages", []))
print(" ".join(sorted(names - {"docker-compose-v2"})))' "$PROJECT_DIR"); do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing what cloud-init installs on the hosts: ${missing[*]}"
    [ -e /usr/sbin/policy-rc.d ] || printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

teardown() {
  local h
  for h in "$E2E_STATE"/hosts/*; do [ -d "$h" ] && host_stop "$(basename "$h")"; done
  net_down
  if [ -n "${BUILDER_PID:-}" ]; then kill "$BUILDER_PID" 2>/dev/null || true; fi
  # The seed's engine (lib/host.sh, engine_seed), if a failure left it running.
  if [ -s "$E2E_STATE/seed.pid" ] && [ "$(cat "/proc/$(cat "$E2E_STATE/seed.pid")/comm" 2>/dev/null)" = dockerd ]; then
    kill "$(cat "$E2E_STATE/seed.pid")" 2>/dev/null || true
  fi
  # The examples' simulated Hetzner Cloud volumes (scenarios/examples.sh).
  local img
  for img in "$E2E_CACHE"/volume-*.img; do
    [ -e "$img" ] || continue
    losetup -j "$img" -n -O NAME | xargs -r -n 1 losetup -d
    rm -f "$img"
  done
}

if [ "${1:-}" = --down ]; then
  teardown
  umount -l "$E2E_STATE" 2>/dev/null || true
  exit 0
fi

mkdir -p "$E2E_CACHE"
# One run at a time (daemons the run starts close this descriptor).
exec 9>"$E2E_CACHE/run.lock"
flock -n 9 || die "another harness run holds $E2E_CACHE/run.lock"

E2E_START=$(date +%s)
teardown
umount -l "$E2E_STATE" 2>/dev/null || true
mkdir -p "$E2E_STATE" "$E2E_CACHE"
# Host roots and engines on tmpfs: fast, and gone with the run.
mount -t tmpfs -o size=20g,mode=0755 gen-e2e "$E2E_STATE"
if [ "${GEN_E2E_KEEP:-0}" != 1 ]; then trap 'teardown; umount -l "$E2E_STATE" 2>/dev/null || true' EXIT; fi

host_packages
if [ -n "${GEN_E2E_GEN:-}" ]; then
  # scripts/test.sh built it: cargo test, beside the harness, holds the
  # build directory's lock while it compiles, so a build here would wait.
  log "gen: $GEN_E2E_GEN (built by scripts/test.sh)"
  built=$GEN_E2E_GEN
else
  log "building gen"
  (cd "$PROJECT_DIR" && cargo build --locked -q)
  built=$PROJECT_DIR/target/debug/gen
fi
# The harness's own copy: scripts/test.sh runs cargo beside the harness, and
# a cargo run may replace target/debug/gen while a scenario runs it.
install -m 0755 "$built" "$E2E_STATE/gen"
GEN=$E2E_STATE/gen

if [ "${GEN_E2E_SKIP_IMAGES:-0}" = 1 ] && [ -s "$E2E_CACHE/images.tar" ]; then
  log "GEN_E2E_SKIP_IMAGES=1: using $E2E_CACHE/images.tar as it is"
else
log "building the images the compose files pin (tests/e2e/images/build.sh)"
builder_sock=$E2E_CACHE/builder.sock
dockerd --host "unix://$builder_sock" --data-root "$E2E_CACHE/builder-data" \
  --exec-root "$E2E_STATE/builder-exec" --pidfile "$E2E_STATE/builder.pid" >"$E2E_STATE/builder.log" 2>&1 9>&- &
BUILDER_PID=$!
wait_for 60 "the image builder's engine" "$DOCKER" -H "unix://$builder_sock" info
t0=$(date +%s)
DOCKER_HOST="unix://$builder_sock" "$here/images/build.sh"
log "images ready in $(($(date +%s) - t0)) s"
kill "$BUILDER_PID"; wait "$BUILDER_PID" 2>/dev/null || true; BUILDER_PID=
fi
# Every host's engine starts with the images already in its data root
# (lib/host.sh, host_create): one `docker load`, cached.
engine_seed

net_up
acme_up
acme_roots "$ACME_DIR/roots.pem"

# shellcheck source=tests/e2e/scenarios/odoo.sh
source "$here/scenarios/odoo.sh"
# shellcheck source=tests/e2e/scenarios/odoo-day0.sh
source "$here/scenarios/odoo-day0.sh"
# shellcheck source=tests/e2e/scenarios/odoo-day2.sh
source "$here/scenarios/odoo-day2.sh"
# shellcheck source=tests/e2e/scenarios/websites.sh
source "$here/scenarios/websites.sh"
# shellcheck source=tests/e2e/scenarios/websites-day2.sh
source "$here/scenarios/websites-day2.sh"
# shellcheck source=tests/e2e/scenarios/tutorial.sh
source "$here/scenarios/tutorial.sh"
# shellcheck source=tests/e2e/scenarios/rollout.sh
source "$here/scenarios/rollout.sh"
# shellcheck source=tests/e2e/scenarios/examples.sh
source "$here/scenarios/examples.sh"
# shellcheck source=tests/e2e/scenarios/agency.sh
source "$here/scenarios/agency.sh"
# shellcheck source=tests/e2e/scenarios/scaleout.sh
source "$here/scenarios/scaleout.sh"
only=${GEN_E2E_ONLY:-odoo websites tutorial examples agency scaleout}
if [[ " $only " == *" odoo "* ]]; then
  odoo_scenarios
  # The Odoo host is done: its engine's memory and CPU go to the websites.
  host_stop "$ODOO_HOST"
fi
# Beside scripts/test.sh's foreground parts (cargo test; the install test
# and the lints at nice 10) the odoo group keeps its deadlines; the websites' first
# boot, 72 containers at once, did not beside the install test's release
# builds (docs/design.md, "CI time"). The later groups wait for them.
if [ -n "${GEN_E2E_BARRIER:-}" ]; then
  log "waiting for scripts/test.sh's foreground parts ($GEN_E2E_BARRIER)"
  t0=$(date +%s)
  while [ ! -e "$GEN_E2E_BARRIER" ]; do sleep 2; done
  log "  waited $(($(date +%s) - t0)) s"
fi
if [[ " $only " == *" websites "* ]]; then
  websites_scenarios
fi
if [[ " $only " == *" tutorial "* ]]; then
  tutorial_scenarios
fi
if [[ " $only " == *" examples "* ]]; then
  examples_scenarios
fi
if [[ " $only " == *" agency "* ]]; then
  agency_scenarios
fi
if [[ " $only " == *" scaleout "* ]]; then
  # The earlier groups are done: their hosts (engines, roots and images on
  # the tmpfs), the load balancer's addresses and the private network go,
  # so that the scale-out's three hosts have the memory.
  for h in "$E2E_STATE"/hosts/*; do [ -d "$h" ] && host_destroy "$(basename "$h")"; done
  lb_down
  ip netns delete "$PRIV_NS" 2>/dev/null || true
  scaleout_scenarios
fi

summary
[ "$E2E_FAILED" -eq 0 ]
