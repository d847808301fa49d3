#!/usr/bin/env bash
# Builds the container images that the generated compose files pin, tagged
# exactly as pinned, from one debootstrapped Debian trixie root (there is no
# registry to pull from). Stand-ins replace what Debian does not package
# (Odoo, cAdvisor, the FastAPI app image, Nextcloud); see each image's Dockerfile.
#
#   DOCKER_HOST=unix:///some.sock tests/e2e/images/build.sh
#
# Environment:
#   GEN_E2E_CACHE   cache directory (default /var/cache/gen-e2e); holds
#                   trixie-root-<key>.tar, cli-plugins/docker-compose, images.tar
#   GEN_E2E_IMAGES  space-separated subset of image directories to build
#                   (default: all; `base` is always built)
#   GEN_E2E_MIRROR  Debian mirror (default http://deb.debian.org/debian)
#   DOCKER          docker client (default /usr/bin/docker: the 20.10 client
#                   matching the engine)
#
# Layout: one `docker import` of the root (gen-e2e/base:trixie-root), one
# shared fix-up layer (gen-e2e/base:trixie, images/base/Dockerfile), then one
# tiny Dockerfile per image under images/<name>/. Each image carries a label
# gen-e2e.key (hash of its inputs); an image whose label matches is skipped.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
CACHE=${GEN_E2E_CACHE:-/var/cache/gen-e2e}
MIRROR=${GEN_E2E_MIRROR:-http://deb.debian.org/debian}
SUITE=trixie
DOCKER=${DOCKER:-/usr/bin/docker}
export DOCKER_BUILDKIT=0   # the classic builder of docker.io 20.10; no extra daemon parts

: "${DOCKER_HOST:?set DOCKER_HOST to the engine to build into (unix:///path.sock)}"

# Packages of the shared root. Changing this list changes the cache key.
PACKAGES=(
  ca-certificates curl docker-compose iproute2 nginx postgresql postgresql-client
  procps prometheus prometheus-node-exporter python3 python3-psycopg2 wget
)

# image directory -> tag, in build order (base first).
declare -A TAGS=(
  [base]=gen-e2e/base:trixie
  [postgres]=postgres:16.10-alpine
  [nginx]=nginx:1.28.0-alpine
  [odoo]=odoo:17.0
  [prometheus]=prom/prometheus:v2.53.2
  [node-exporter]=prom/node-exporter:v1.8.2
  [cadvisor]=gcr.io/cadvisor/cadvisor:v0.49.1
  [node]=node:22-alpine
  [fastapi]=tiangolo/uvicorn-gunicorn-fastapi:python3.11
  [redis]=redis:7.4.2-alpine
  [nextcloud]=nextcloud:31.0.9-apache
  [mariadb]=mariadb:11.4.7
  [wordpress]=wordpress:6.8.3-php8.3-apache
)
ORDER=(base postgres nginx odoo prometheus node-exporter cadvisor node fastapi redis nextcloud mariadb wordpress)
# Further tags of the same image: the starter blueprints (starters/) pin a
# newer node than the websites reference, and the stand-in is one image.
declare -A ALSO_TAGS=([node]=node:24-alpine)
if [[ -n ${GEN_E2E_IMAGES:-} ]]; then
  read -r -a wanted <<<"${GEN_E2E_IMAGES}"
  for w in "${wanted[@]}"; do
    [[ -n ${TAGS[$w]:-} ]] || { echo "build.sh: unknown image directory '$w' (known: ${ORDER[*]})" >&2; exit 2; }
  done
  ORDER=(base "${wanted[@]/base/}")
fi

t_all=$(date +%s)
step_start=0
step() { step_start=$(date +%s); echo "==> $*"; }
done_step() { echo "    $* ($(( $(date +%s) - step_start ))s)"; }

mkdir -p "$CACHE"
"$DOCKER" version --format 'engine {{.Server.Version}}' >/dev/null

# --- 1. the debootstrapped root, cached as a tarball keyed by its inputs ----
root_key=$(printf '%s\n' "$SUITE" "$MIRROR" minbase unsafe-io "${PACKAGES[@]}" | sha256sum | cut -c1-16)
root_tar="$CACHE/trixie-root-$root_key.tar"
if [[ -f $root_tar ]]; then
  echo "==> root: cached $root_tar"
else
  step "root: debootstrap $SUITE (${PACKAGES[*]})"
  if ! command -v debootstrap >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap
  fi
  dir="$CACHE/trixie-root-$root_key.d"
  rm -rf "$dir"
  # dpkg without an fsync per file, in debootstrap's second stage and in
  # every image's apt-get (the official Debian images carry the same file):
  # the node image's npm install took 237 s with fsync, 82 s without.
  mkdir -p "$dir/etc/dpkg/dpkg.cfg.d"
  echo force-unsafe-io >"$dir/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
  include=$(IFS=,; echo "${PACKAGES[*]}")
  debootstrap --variant=minbase --include="$include" "$SUITE" "$dir" "$MIRROR" \
    >"$CACHE/debootstrap-$root_key.log" 2>&1 || {
      tail -n 30 "$CACHE/debootstrap-$root_key.log" >&2
      echo "build.sh: debootstrap failed; full log in $CACHE/debootstrap-$root_key.log" >&2
      exit 1
    }
  # Downloaded .debs are not part of any image.
  tar -C "$dir" --exclude='./var/cache/apt/archives/*.deb' --exclude='./proc/*' --exclude='./sys/*' \
    -cf "$root_tar.tmp" .
  mv "$root_tar.tmp" "$root_tar"
  rm -rf "$dir"
  done_step "wrote $root_tar ($(du -h "$root_tar" | cut -f1))"
fi

# --- 2. the compose v2 CLI plugin, for the harness's simulated hosts ---------
plugin="$CACHE/cli-plugins/docker-compose"
if [[ ! -x $plugin || $root_tar -nt $plugin ]]; then
  step "compose plugin -> $plugin"
  mkdir -p "$CACHE/cli-plugins"
  tar -xOf "$root_tar" ./usr/libexec/docker/cli-plugins/docker-compose >"$plugin.tmp"
  chmod 0755 "$plugin.tmp"
  mv "$plugin.tmp" "$plugin"
  done_step "$("$plugin" version 2>/dev/null || echo 'docker-compose plugin')"
fi

label_of() {
  "$DOCKER" image inspect -f '{{index .Config.Labels "gen-e2e.key"}}' "$1" 2>/dev/null || true
}

rebuilt=0

# also_tag NAME: the image of directory NAME under its further tags, if any.
also_tag() {
  local extra
  for extra in ${ALSO_TAGS[$1]:-}; do "$DOCKER" tag "${TAGS[$1]}" "$extra"; done
}

# --- 3. import the root once -------------------------------------------------
if [[ $(label_of gen-e2e/base:trixie-root) == "$root_key" ]]; then
  echo "==> import: gen-e2e/base:trixie-root is current"
else
  step "import: $root_tar -> gen-e2e/base:trixie-root"
  "$DOCKER" import --change "LABEL gen-e2e.key=$root_key" --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$root_tar" gen-e2e/base:trixie-root >/dev/null
  rebuilt=1
  done_step "imported"
fi

# --- 4. one small Dockerfile per image ---------------------------------------
# base first; the others build on it only, so they build GEN_E2E_BUILD_JOBS
# (default 3) at a time: most of their time is apt and pip downloading.
# build_one NAME writes its exit status to $status_dir/NAME and, when it
# built, $status_dir/NAME.rebuilt.
status_dir=$(mktemp -d)
trap 'rm -rf "$status_dir"' EXIT
build_one() {
  local name=$1 tag ctx key
  tag=${TAGS[$name]}
  ctx="$here/$name"
  [[ -f $ctx/Dockerfile ]] || { echo "build.sh: $ctx/Dockerfile is missing" >&2; return 1; }
  # inputs: the base it builds on and every file of its directory
  key=$( { echo "$base_key"; (cd "$ctx" && find . -type f -print0 | sort -z | xargs -0 sha256sum); } | sha256sum | cut -c1-16)
  if [[ $name == base ]]; then base_key=$key; fi
  if [[ $(label_of "$tag") == "$key" ]]; then
    echo "==> $tag: current"
    also_tag "$name"
    return 0
  fi
  step "build $tag from images/$name"
  # --network host: RUN steps that use the Debian mirror (node) do not depend
  # on the engine's bridge or NAT (an engine may run with --bridge=none).
  if ! "$DOCKER" build -q --network host --label "gen-e2e.key=$key" -t "$tag" "$ctx" >"$CACHE/build-$name.log" 2>&1; then
    cat "$CACHE/build-$name.log" >&2
    echo "build.sh: building $tag failed" >&2
    return 1
  fi
  : >"$status_dir/$name.rebuilt"
  done_step "built $tag"
  also_tag "$name"
}
base_key=$root_key
build_one base || exit 1
[[ -e $status_dir/base.rebuilt ]] && rebuilt=1
jobs_max=${GEN_E2E_BUILD_JOBS:-3}
# The slow builds (apt-get install from the mirror) first.
slow=(node wordpress mariadb nextcloud redis)
build_order=()
for name in "${slow[@]}" "${ORDER[@]}"; do
  [[ -n $name && $name != base && " ${build_order[*]} " != *" $name "* && " ${ORDER[*]} " == *" $name "* ]] || continue
  build_order+=("$name")
done
for name in "${build_order[@]}"; do
  while [[ $(jobs -rp | wc -l) -ge $jobs_max ]]; do wait -n || true; done
  ( rc=0; build_one "$name" || rc=$?; echo "$rc" >"$status_dir/$name" ) &
done
wait
for name in "${ORDER[@]}"; do
  [[ -n $name && $name != base ]] || continue
  [[ $(cat "$status_dir/$name" 2>/dev/null) == 0 ]] || { echo "build.sh: ${TAGS[$name]} did not build" >&2; exit 1; }
  [[ -e $status_dir/$name.rebuilt ]] && rebuilt=1
done

if [[ $rebuilt == 1 ]]; then  # earlier builds of these tags, now untagged
  "$DOCKER" image prune -f --filter label=gen-e2e.key >/dev/null
fi

# --- 5. one archive of every tag, for `docker load` into each host's engine --
tags=()
for name in "${ORDER[@]}"; do
  [[ -n $name && $name != base ]] || continue
  tags+=("${TAGS[$name]}")
  for extra in ${ALSO_TAGS[$name]:-}; do tags+=("$extra"); done
done
if [[ ${#tags[@]} == 0 ]]; then
  echo "==> images.tar: no image selected"
elif [[ $rebuilt == 1 || ! -f $CACHE/images.tar ]] || ! printf '%s\n' "${tags[@]}" | cmp -s - "$CACHE/images.tags"; then
  step "save ${#tags[@]} tags -> $CACHE/images.tar"
  "$DOCKER" save -o "$CACHE/images.tar.tmp" "${tags[@]}"
  mv "$CACHE/images.tar.tmp" "$CACHE/images.tar"
  printf '%s\n' "${tags[@]}" >"$CACHE/images.tags"
  done_step "$(du -h "$CACHE/images.tar" | cut -f1)"
else
  echo "==> images.tar: current"
fi

echo "==> done in $(( $(date +%s) - t_all ))s: ${tags[*]}"
