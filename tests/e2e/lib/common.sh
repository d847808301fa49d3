# shellcheck shell=bash
# Shared settings and helpers of the deployment harness (tests/e2e/run.sh).
#
# Every address the harness targets lies in a namespace it created itself:
# the documentation ranges 203.0.113.0/24 ("the internet"), 198.51.100.0/24
# (the admin network) and 2001:db8::/32, plus loopback.

E2E_NAME=gen-e2e
# Run-time state: host roots, engines, logs. On the machine's own file
# system (not tmpfs, not overlay), because each host's Docker Engine needs a
# data root that overlay2 can stack on.
E2E_STATE=${GEN_E2E_STATE:-/var/lib/gen-e2e}
# Build cache (debootstrapped root, image tarball). Never assumed in CI: the
# harness rebuilds whatever is missing.
E2E_CACHE=${GEN_E2E_CACHE:-/var/cache/gen-e2e}
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROJECT_DIR=$(cd "$E2E_DIR/../.." && pwd)
# The Debian 12 client that matches the engines (dockerd 20.10): the newer
# client some machines carry in /usr/local/bin refuses old engines.
DOCKER=/usr/bin/docker

# The internet: one bridge in its own namespace.
INET_NS=$E2E_NAME-inet
INET_V4=203.0.113.1
INET_V6=2001:db8:1::1
ADMIN_NS=$E2E_NAME-admin
ADMIN_V4=198.51.100.7

log() { printf '%s e2e: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }

# Runs a command in the internet namespace (a client anywhere on the internet).
in_inet() { ip netns exec "$INET_NS" "$@"; }
in_admin() { ip netns exec "$ADMIN_NS" "$@"; }

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.5 s.
wait_for() {
  local timeout=$1 what=$2 start
  shift 2
  start=$(date +%s)
  until "$@" >/dev/null 2>&1; do
    if [ $(($(date +%s) - start)) -ge "$timeout" ]; then
      log "timed out after ${timeout}s waiting for $what"
      return 1
    fi
    sleep 0.5
  done
}
