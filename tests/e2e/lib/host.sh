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

# The images the compose files pin reach a host's engine as a registry
# pull would put them there: in its data root before its dockerd starts.
# engine_seed loads images.tar once into a throwaway engine (same dockerd,
# overlay2) and keeps that engine's image store (image/ and overlay2/, not
# its networks or containers) in $E2E_SEED, cached under the tarball's size,
# time and tags and dockerd's version; host_create copies it into each new
# host's data root. A copy takes 2-5 s where `docker load` of the 2 GB
# tarball into each of eleven engines took 16-70 s.
E2E_SEED=$E2E_CACHE/engine-seed
engine_seed() {
  local key sock=$E2E_STATE/seed.sock t0 pid
  key=$( { stat -c '%s %Y' "$E2E_CACHE/images.tar"; cat "$E2E_CACHE/images.tags"; dockerd --version; } |
    sha256sum | cut -c1-16)
  if [ "$(cat "$E2E_SEED/key" 2>/dev/null)" = "$key" ]; then
    log "engine seed: $E2E_SEED is current"
    return 0
  fi
  t0=$(date +%s)
  rm -rf "$E2E_SEED" "$E2E_SEED.tmp"
  mkdir -p "$E2E_SEED.tmp"
  dockerd --host "unix://$sock" --data-root "$E2E_SEED.tmp" --exec-root "$E2E_STATE/seed-exec" \
    --pidfile "$E2E_STATE/seed.pid" --bridge=none --iptables=false --ip6tables=false \
    >"$E2E_STATE/seed.log" 2>&1 9>&- &
  pid=$!
  wait_for 60 "the seed engine" "$DOCKER" -H "unix://$sock" info ||
    { kill "$pid"; cat "$E2E_STATE/seed.log" >&2; die "the seed engine did not start"; }
  "$DOCKER" -H "unix://$sock" load -q -i "$E2E_CACHE/images.tar" >/dev/null ||
    { kill "$pid"; die "docker load of $E2E_CACHE/images.tar into the seed engine failed"; }
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  find "$E2E_SEED.tmp" -mindepth 1 -maxdepth 1 ! -name image ! -name overlay2 -exec rm -rf {} +
  echo "$key" >"$E2E_SEED.tmp/key"
  mv "$E2E_SEED.tmp" "$E2E_SEED"
  log "engine seed: images.tar loaded once in $(($(date +%s) - t0)) s"
}

# host_images_present NAME: every tag of images.tar is an image of the
# host's engine (checked once its dockerd runs).
host_images_present() {
  local tags
  mapfile -t tags <"$E2E_CACHE/images.tags"
  [ ${#tags[@]} -gt 0 ] || { echo "no tags in $E2E_CACHE/images.tags"; return 1; }
  host_docker "$1" image inspect -f '{{.Id}}' "${tags[@]}" >/dev/null
}

# host_create NAME V4 V6: network namespace and address, and the engine's
# data root holding the pinned images; the root is prepared (host_prepare)
# and booted (host_boot) separately.
host_create() {
  local name=$1 v4=$2 v6=$3 state
  state=$(host_state "$name")
  mkdir -p "$state/upper" "$state/work" "$state/root" "$state/docker"
  cp -a "$E2E_SEED/image" "$E2E_SEED/overlay2" "$state/docker/"
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
