# shellcheck shell=bash
# A deployable project: the harness's copy of a blueprint, compiled by gen,
# committed to a git repository that the hosts clone as cloud-init says.

# project_build BLUEPRINT [SED-EXPR...]: copies blueprints/BLUEPRINT.yaml
# into $E2E_STATE/project (applying the sed expressions: test keys instead
# of the customer's), builds it with gen and commits out/.
project_build() {
  local bp=$1 dir=$E2E_STATE/project
  shift
  mkdir -p "$dir/blueprints"
  cp "$PROJECT_DIR/blueprints/$bp.yaml" "$dir/blueprints/$bp.yaml"
  local expr
  for expr in "$@"; do sed -i "$expr" "$dir/blueprints/$bp.yaml"; done
  "$GEN" -C "$dir" build "blueprints/$bp.yaml" >"$dir/build.log" 2>&1 ||
    { cat "$dir/build.log" >&2; return 1; }
  if [ ! -d "$dir/.git" ]; then git -C "$dir" init -q -b main; fi
  git -C "$dir" add -A
  git -C "$dir" -c user.name=gen-e2e -c user.email=e2e@invalid commit -q -m "build $bp" --allow-empty
}

# host_prepare NAME REPOSITORY-URL: the world a fresh host finds on first
# boot: its root (this machine's Debian 12, which carries the packages
# cloud-init installs), the systemctl and cloud-init stand-ins, the compose
# v2 plugin, pebble trusted, DNS, and the git server that holds the config
# repository under the URL the blueprint names.
host_prepare() {
  local name=$1 url=$2 state
  state=$(host_state "$name")
  cp -a "$E2E_DIR/root/." "$state/upper/"
  install -D -m 0755 "$E2E_CACHE/cli-plugins/docker-compose" \
    "$state/upper/usr/libexec/docker/cli-plugins/docker-compose"
  # A fresh Debian or Ubuntu host has an empty /usr/local/bin; this machine's
  # (a newer docker client, a second git, tools of this workplace) is hidden
  # by an opaque directory in the overlay.
  mkdir -p "$state/upper/usr/local/bin"
  python3 -c 'import os, sys; os.setxattr(sys.argv[1], "trusted.overlay.opaque", b"y")' \
    "$state/upper/usr/local/bin"
  acme_host_setup "$name"
  mkdir -p "$state/upper/srv/git"
  git clone -q --bare "$E2E_STATE/project" "$state/upper/srv/git/config.git"
  printf '[url "file:///srv/git/config.git"]\n\tinsteadOf = %s\n[safe]\n\tdirectory = *\n' "$url" |
    host_file "$name" /etc/gitconfig 0644
}

# host_push NAME: the project's newest commit reaches the host's git server.
# As a bundle fetched on the host: a write into the overlay's upper
# directory behind the mounted overlay's back is not seen by the host, and
# git cannot work in a path under /proc/PID/root of another mount namespace.
host_push() {
  local name=$1
  git -C "$E2E_STATE/project" bundle create -q - main | host_exec "$name" sh -c 'cat > /tmp/e2e-push.bundle'
  host_exec "$name" git -C /srv/git/config.git fetch -q --force /tmp/e2e-push.bundle main:main
}

# host_deploy NAME BLUEPRINT LOG: the operator's deploy on one host: the
# project's newest commit pulled into the host's checkout, then the host's
# install.sh, its output in LOG (and its last lines on stdout when it fails).
# Exit status: install.sh's (1 when the pull fails).
host_deploy() {
  local name=$1 bp=$2 log=$3 rc=0
  host_push "$name" || return 1
  host_exec "$name" git -C /var/lib/gen/config pull -q --ff-only >/dev/null 2>&1 || return 1
  host_exec "$name" "/var/lib/gen/config/out/$bp/hosts/$name/install.sh" >"$log" 2>&1 || rc=$?
  if [ $rc -ne 0 ]; then tail -n 20 "$log"; fi
  return $rc
}

# host_build_image NAME TAG < DOCKERFILE: an image built on the host's own
# engine from a Dockerfile on stdin (no build context; the legacy builder,
# which needs no registry).
host_build_image() {
  host_exec "$1" env DOCKER_BUILDKIT=0 docker build -q -t "$2" - >/dev/null
}

# healthy_all NAME: every container of the host runs and, where it has a
# health check, is healthy.
healthy_all() {
  local name=$1 lines
  lines=$(host_docker "$name" ps -a --format '{{.Names}} {{.Status}}')
  [ -n "$lines" ] || { echo "no containers"; return 1; }
  if grep -v -E ' Up .*\(healthy\)$| Up [^()]*$' <<< "$lines"; then return 1; fi
}

# container_logs NAME: the last lines of every container's log.
container_logs() {
  local name=$1 c
  for c in $(host_docker "$name" ps -a --format '{{.Names}}'); do
    echo "--- $name: $c ($(host_docker "$name" inspect -f '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}' "$c"))"
    host_docker "$name" logs --tail 15 "$c" 2>&1 | sed 's/^/    /'
  done
}

# compose_override NAME BLUEPRINT STACK-DIR: this machine has 2 cores and
# compose refuses CPU limits above the machine's; the only change the
# harness makes to a generated stack is a docker-compose.override.yml (which
# compose reads beside the file) capping limits.cpus at the cores.
compose_override() {
  local name=$1 bp=$2 stack=$3
  python3 - "$E2E_STATE/project/out/$bp/hosts/$name/rootfs$stack/docker-compose.yml" "$(nproc)" <<'PY' |
import sys, yaml
compose = yaml.safe_load(open(sys.argv[1]))
cores = float(sys.argv[2])
out = {"services": {}}
for name, svc in compose["services"].items():
    cpus = svc.get("deploy", {}).get("resources", {}).get("limits", {}).get("cpus")
    if cpus is not None and float(cpus) > cores:
        out["services"][name] = {"deploy": {"resources": {"limits": {"cpus": str(cores)}}}}
print("# gen-e2e: CPU limits capped at this machine's cores\n" + yaml.safe_dump(out, sort_keys=True))
PY
    host_file "$name" "$stack/docker-compose.override.yml" 0644
}

# boot_with_cloud_init NAME BLUEPRINT: the host's partitions (installimage's
# mount points, as directories: one file system here) and its user-data,
# then boot, the CA store, and sshd (what the provider's image starts).
boot_with_cloud_init() {
  local name=$1 bp=$2 part tree=$E2E_STATE/project/out/$2/hosts/$1
  if [ -f "$tree/installimage.conf" ]; then
    for part in $(awk '$1 == "PART" && $2 ~ /^\// { print $2 }' "$tree/installimage.conf"); do
      mkdir -p "$(host_state "$name")/upper$part"
    done
  fi
  host_file "$name" /var/lib/cloud/seed/nocloud/user-data 0600 < "$tree/cloud-init.yaml"
  host_boot "$name"
  host_exec "$name" update-ca-certificates >/dev/null 2>&1
  host_exec "$name" systemctl start ssh
}

# write_env NAME STACK-DIR: the operator's .env: every name of .env.example
# with a value of the harness's own.
write_env() {
  host_sh "$1" "umask 077; sed -e 's/^\([A-Z0-9_]*\)=\$/\1=e2e-\1-$RANDOM$RANDOM/' $2/.env.example > $2/.env"
}

# container_states NAME: "name id started-at" of every container on host NAME.
container_states() {
  # shellcheck disable=SC2046 # one argument per container id
  host_docker "$1" inspect -f '{{.Name}} {{.Id}} {{.State.StartedAt}}' $(host_docker "$1" ps -aq) |
    sed 's|^/||' | sort
}

# fate CONTAINER BEFORE AFTER: what a deploy did to CONTAINER, from two
# container_states: kept (same container, not restarted), restarted (same
# container, started again), recreated (a new container) or removed.
fate() {
  local before after
  before=$(grep "^$1 " <<<"$2" || true)
  after=$(grep "^$1 " <<<"$3" || true)
  if [ -z "$after" ]; then
    echo removed
  elif [ "$before" = "$after" ]; then
    echo kept
  elif [ "$(cut -d' ' -f2 <<<"$before")" = "$(cut -d' ' -f2 <<<"$after")" ]; then
    echo restarted
  else
    echo recreated
  fi
}

# web_host_up NAME V4 V6 PRIVATE-V4 REPOSITORY-URL BLUEPRINT STACK-DIR: a
# load-balanced host: on the internet and the private network, prepared,
# its compose file capped to this machine, booted with its user-data (the
# cloud-init modules not yet run: first_boot does).
web_host_up() {
  local name=$1 v4=$2 v6=$3 private=$4 url=$5 bp=$6 stack=$7
  host_create "$name" "$v4" "$v6"
  priv_attach "$(host_ns "$name")" "$private/24"
  host_prepare "$name" "$url"
  compose_override "$name" "$bp" "$stack"
  boot_with_cloud_init "$name" "$bp"
}

# first_boot NAME BLUEPRINT: what the provider's first boot does, as checks:
# cloud-init's own schema check of the user-data, Docker started, the pinned
# images in its engine (no registry: host_create put them in its data root),
# then cloud-init's modules (their failure is the scenario's to judge:
# without .env, install.sh stops on purpose).
first_boot() {
  local name=$1 bp=$2
  check "$name: cloud-init.yaml passes cloud-init's own schema check" \
    cloud-init schema --config-file "$E2E_STATE/project/out/$bp/hosts/$name/cloud-init.yaml"
  host_exec "$name" systemctl start docker
  check "$name: the pinned images are in the host's engine" host_images_present "$name"
  host_exec "$name" /usr/local/lib/gen-e2e/cloud-init-run /var/lib/cloud/seed/nocloud/user-data >/dev/null 2>&1 || true
}
