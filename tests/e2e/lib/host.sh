# shellcheck shell=bash
# Simulated hosts: each in its own network, mount, PID and UTS namespaces,
# with its own root (an overlay of this machine's Debian 12 root, which has
# the packages cloud-init installs) and, once cloud-init's runcmd starts
# it, its own Docker Engine with its own iptables.

# host_ns NAME: the host's network namespace.
host_ns() { echo "$E2E_NAME-h-$1"; }
host_state() { echo "$E2E_STATE/hosts/$1"; }
# host_pid NAME: PID (in the harness's namespace) of the host's init.
host_pid() { cat "$(host_state "$1")/init.pid"; }

# host_create NAME V4 V6: network namespace and address; the root is
# prepared (host_prepare) and booted (host_boot) separately.
host_create() {
  local name=$1 v4=$2 v6=$3 state
  state=$(host_state "$name")
  mkdir -p "$state/upper" "$state/work" "$state/root"
  ip netns add "$(host_ns "$name")"
  net_attach "$(host_ns "$name")" eth0 "$v4" "$v6"
  echo "$v4" > "$state/v4"
  echo "$v6" > "$state/v6"
}

# host_file NAME PATH MODE < CONTENT: a file in the host's root before boot
# (written into the overlay's upper layer).
host_file() {
  local name=$1 path=$2 mode=$3 dest
  dest=$(host_state "$name")/upper$path
  mkdir -p "$(dirname "$dest")"
  cat > "$dest"
  chmod "$mode" "$dest"
}

# host_boot NAME: starts the host's init; returns once it runs.
host_boot() {
  local name=$1 state pid
  state=$(host_state "$name")
  ip netns exec "$(host_ns "$name")" \
    unshare --mount --pid --uts --fork --propagation private \
    "$E2E_DIR/lib/host-init.sh" "$name" "$state" </dev/null >"$state/init.log" 2>&1 9>&- &
  local unshare_pid=$!
  # Not a job of this shell: killing the host later prints nothing.
  disown "$unshare_pid"
  wait_for 10 "init of $name" pgrep -P "$unshare_pid"
  pid=$(pgrep -P "$unshare_pid")
  echo "$pid" > "$state/init.pid"
  wait_for 10 "root of $name" test -e "/proc/$pid/root/usr/bin/tini"
  # tini runs once the chroot is done.
  wait_for 10 "tini on $name" grep -q tini "/proc/$pid/cmdline"
}

# host_exec NAME COMMAND...: runs COMMAND as root on the host, with the
# environment a login shell on the host would have (UTC unless the host's
# /etc/timezone says otherwise, C.UTF-8).
host_exec() {
  local name=$1
  shift
  nsenter --target "$(host_pid "$name")" --mount --uts --net --pid --root --wd \
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 TERM=dumb "$@"
}

# host_sh NAME SCRIPT: runs a bash script on the host.
host_sh() {
  local name=$1
  shift
  host_exec "$name" bash -euo pipefail -c "$*"
}

# host_docker NAME ARGS...: the host's own engine.
host_docker() {
  local name=$1
  shift
  host_exec "$name" "$DOCKER" "$@"
}

host_stop() {
  local name=$1 pid
  pid=$(host_pid "$name" 2>/dev/null) || return 0
  # Killing PID 1 of a PID namespace kills everything in it.
  kill -9 "$pid" 2>/dev/null || true
}

# host_destroy NAME: the host stopped, its namespace (and so its links)
# deleted and its root removed; its name and addresses can be used again.
host_destroy() {
  local name=$1 pid
  pid=$(host_pid "$name" 2>/dev/null) || return 0
  host_stop "$name"
  wait_for 10 "$name to stop" fails test -e "/proc/$pid"
  ip netns delete "$(host_ns "$name")" 2>/dev/null || true
  rm -rf "$(host_state "$name")" || log "could not remove the root of $name (still mounted?)"
}
