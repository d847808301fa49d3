#!/usr/bin/env bash
# The install test (README, "Install"): every documented way to get gen,
# checked on a clean Debian root, as root. scripts/test.sh runs it.
#
#   1. scripts/release.sh twice: the two archives are the same bytes (and the
#      two Debian packages too), and SHA256SUMS verifies.
#   2. `cargo install --locked --path . --root T`, and the README workflow's
#      `cargo install --locked --git URL --tag vX.Y.Z gen` with URL a clone
#      of HEAD tagged there (offline).
#   3. In a clean root (debootstrap --variant=minbase of this machine's Debian
#      suite, cached as a tarball in $GEN_INSTALL_CACHE, default
#      /var/cache/gen-install), one fresh overlay per way: the .deb installed
#      with `dpkg -i`, the archive unpacked, each cargo-installed binary
#      copied in. Each gen prints `gen <Cargo.toml version>` and `gen build`
#      of a copy of blueprints/ writes exactly the committed out/ (bytes and
#      executable bits).
#   4. The README's .pre-commit-config.yaml, URL replaced by the tagged clone,
#      with a real pre-commit: it passes on the built project and fails once
#      out/ is edited.
#
# Environment: GEN_INSTALL_MIRROR (default
# http://deb.debian.org/debian).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

[ "$(id -u)" -eq 0 ] || { echo "install test: needs root (debootstrap, chroot, mounts)" >&2; exit 1; }
for tool in debootstrap unshare chroot git cargo dpkg-deb cmp; do
  command -v "$tool" >/dev/null || { echo "install test: $tool is not installed (scripts/test.sh installs it)" >&2; exit 127; }
done

CACHE=${GEN_INSTALL_CACHE:-/var/cache/gen-install}
MIRROR=${GEN_INSTALL_MIRROR:-http://deb.debian.org/debian}
version=$(cargo pkgid --locked | sed 's/.*[#@]//')
# The day the tests pin (tests/common/mod.rs, TODAY_EPOCH): the dated checks
# (end of life, catalog age) give the same verdict as in the snapshots.
today=1795996800
work=$(mktemp -d /tmp/gen-install.XXXXXX)
trap 'rm -rf "$work"' EXIT
t0=$SECONDS
step() { echo "== install test ($((SECONDS - t0)) s): $*"; }
fail() { echo "install test: FAILED: $*" >&2; exit 1; }

# --- 1. the release artifacts, twice ----------------------------------------
step "scripts/release.sh (twice)"
scripts/release.sh "$work/dist" >"$work/release-1.log" 2>&1 || { cat "$work/release-1.log" >&2; fail "scripts/release.sh"; }
scripts/release.sh "$work/dist2" >"$work/release-2.log" 2>&1 || { cat "$work/release-2.log" >&2; fail "scripts/release.sh (second run)"; }
archive=$(cd "$work/dist" && ls gen-"$version"-*.tar.gz)
deb=$(cd "$work/dist" && ls gen_"$version"-*.deb)
for f in "$archive" "$deb" SHA256SUMS; do
  cmp "$work/dist/$f" "$work/dist2/$f" || fail "$f differs between two runs of scripts/release.sh"
done
(cd "$work/dist" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not verify"
# What the archive holds, in order, owned by 0:0 and dated SOURCE_DATE_EPOCH.
listing=$(tar -tvzf "$work/dist/$archive" --numeric-owner)
awk '$2 != "0/0" { bad = 1 } END { exit bad }' <<<"$listing" || fail "archive entries not owned by 0/0:"$'\n'"$listing"
names=$(tar -tzf "$work/dist/$archive")
name=${archive%.tar.gz}
for f in gen README.md schemas/blueprint.schema.json man/man1/gen.1 man/man1/gen-build.1 completions/gen.bash completions/_gen completions/gen.fish; do
  grep -qx "$name/$f" <<<"$names" || fail "archive lacks $name/$f"
done
LC_ALL=C sort -c <<<"$names" || fail "archive entries are not sorted"
# The archive and the package ship the same binary.
mkdir "$work/unpacked"
tar -xzf "$work/dist/$archive" -C "$work/unpacked"
dpkg-deb -x "$work/dist/$deb" "$work/unpacked/deb"
cmp "$work/unpacked/$name/gen" "$work/unpacked/deb/usr/bin/gen" || fail "the archive's gen and the package's differ"
[ "$(dpkg-deb --field "$work/dist/$deb" Version)" = "$version-1" ] || fail "the .deb's version is not $version-1"

# --- 2. cargo install, from the path and from a git URL ---------------------
step "cargo install --locked --path ."
cargo install --locked --quiet --path . --root "$work/cargo-path" || fail "cargo install --path ."
# The README's CI workflow installs with this line; run it as written, the
# repository URL replaced by a clone of HEAD tagged v<version> there.
ci_line=$(sed -n 's/^ *- run: \(cargo install --locked --git .*\)$/\1/p' README.md)
[ -n "$ci_line" ] || fail "README.md's workflow has no '- run: cargo install --locked --git …' step"
step "the README workflow's ${ci_line/https:\/\/github.com\/OWNER\/gen/file:\/\/CLONE}"
git clone -q --no-hardlinks "$repo" "$work/clone"
git -C "$work/clone" -c user.name=test -c user.email=test@example.invalid tag -a "v$version" -m "v$version"
# In cargo's own temporary target directory, as on a user's machine: the
# release build's target/ cannot be shared, as cargo then takes the clone's
# gen for the one already built there (Fresh even when the clone's sources
# differ), so this compiles everything from the clone (minutes).
env -u CARGO_TARGET_DIR CARGO_INSTALL_ROOT="$work/cargo-git" \
  bash -euo pipefail -c "${ci_line//https:\/\/github.com\/OWNER\/gen/file://$work/clone} --quiet" \
  || fail "cargo install --git (the README workflow's line)"

# --- 3. each way on a clean root ---------------------------------------------
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
arch=$(dpkg --print-architecture)
key=$(printf '%s\n' "$suite" "$arch" "$MIRROR" minbase | sha256sum | cut -c1-16)
base_tar=$CACHE/$suite-minbase-$key.tar
if [ ! -f "$base_tar" ]; then
  step "debootstrap --variant=minbase $suite (cached in $base_tar)"
  mkdir -p "$CACHE"
  debootstrap --variant=minbase "$suite" "$work/debootstrap" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 30 "$work/debootstrap.log" >&2; fail "debootstrap $suite"; }
  tar -C "$work/debootstrap" --exclude='./var/cache/apt/archives/*.deb' --exclude='./proc/*' --exclude='./sys/*' \
    -cf "$base_tar.tmp" .
  mv "$base_tar.tmp" "$base_tar"
  rm -rf "$work/debootstrap"
fi
step "clean root $suite: unpack"
mkdir "$work/base"
tar -C "$work/base" -xf "$base_tar"
chroot "$work/base" sh -c 'command -v gen' >/dev/null && fail "the clean root already has a gen"

# The committed out/, as git holds it.
mkdir "$work/committed"
git archive HEAD out | tar -x -C "$work/committed"
git diff --quiet HEAD -- out blueprints || echo "install test: note: out/ or blueprints/ differ from HEAD; comparing with HEAD's out/" >&2

cp "$work/dist/$deb" "$work/dist/$archive" "$work"/
mkdir -p "$work/bin-path" "$work/bin-git"
cp "$work/cargo-path/bin/gen" "$work/bin-path/gen"
cp "$work/cargo-git/bin/gen" "$work/bin-git/gen"

# Runs one way in a fresh overlay of the clean root, in private mount, net
# and pid namespaces. $1: how (deb|archive|cargo-path|cargo-git).
try_way() {
  local way=$1 dir=$work/way-$1
  mkdir -p "$dir/upper" "$dir/work" "$dir/root" "$dir/project"
  unshare --mount --net --pid --fork bash -euo pipefail -c '
    way=$1 work=$2 dir=$3 deb=$4 archive=$5 today=$6 repo=$7
    r=$dir/root
    mount -t overlay o -o "lowerdir=$work/base,upperdir=$dir/upper,workdir=$dir/work" "$r"
    mount -t proc p "$r/proc"
    mount --bind /dev "$r/dev"
    mkdir -p "$r/media/pkg" "$r/root/project/blueprints"
    mount --bind -o ro "$work" "$r/media/pkg"
    cp "$repo"/blueprints/*.yaml "$r/root/project/blueprints/"
    in_root() { chroot "$r" env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root NO_COLOR=1 \
      SOURCE_DATE_EPOCH="$today" "$@"; }
    case $way in
      deb)
        in_root dpkg -i "/media/pkg/$deb" >/dev/null
        [ "$(in_root dpkg-query -W -f "\${Status}" gen)" = "install ok installed" ]
        files=$(in_root dpkg -L gen)
        for f in /usr/bin/gen /usr/share/man/man1/gen.1.gz /usr/share/man/man1/gen-build.1.gz \
                 /usr/share/bash-completion/completions/gen /usr/share/gen/blueprint.schema.json; do
          grep -qx "$f" <<<"$files" || { echo "the package lacks $f" >&2; exit 1; }
        done
        in_root sh -c "zcat /usr/share/man/man1/gen.1.gz | grep -q \"^\\.TH gen 1\""
        in_root bash -c ". /usr/share/bash-completion/completions/gen && complete -p gen" >/dev/null
        ;;
      archive)
        in_root sh -c "cd /tmp && tar -xzf /media/pkg/$archive && install -m 0755 ${archive%.tar.gz}/gen /usr/local/bin/gen"
        ;;
      cargo-path) install -m 0755 "$work/bin-path/gen" "$r/usr/local/bin/gen" ;;
      cargo-git) install -m 0755 "$work/bin-git/gen" "$r/usr/local/bin/gen" ;;
    esac
    in_root gen --version >"$dir/version"
    in_root sh -c "cd /root/project && gen build" >"$dir/build.log" 2>&1 || { cat "$dir/build.log" >&2; exit 1; }
    in_root sh -c "cd /root/project && gen check" >>"$dir/build.log" 2>&1 || { cat "$dir/build.log" >&2; exit 1; }
    cp -a "$r/root/project/out" "$dir/project/"
  ' bash "$way" "$work" "$dir" "$deb" "$archive" "$today" "$repo" || fail "$way: install or gen failed in the clean root"
  [ "$(cat "$dir/version")" = "gen $version" ] || fail "$way: gen --version says '$(cat "$dir/version")', Cargo.toml '$version'"
  diff -r "$work/committed/out" "$dir/project/out" >"$dir/diff" || { head -n 40 "$dir/diff" >&2; fail "$way: gen build wrote another out/ than the committed one"; }
  cmp <(cd "$work/committed/out" && find . -type f -perm -u+x | LC_ALL=C sort) \
      <(cd "$dir/project/out" && find . -type f -perm -u+x | LC_ALL=C sort) || fail "$way: executable bits differ from the committed out/"
  echo "install test: $way: $(cat "$dir/version"), gen build wrote the committed out/ ($(find "$dir/project/out" -type f | wc -l) files)"
}

for way in deb archive cargo-path cargo-git; do
  step "clean root: $way"
  try_way "$way"
done
# --- 4. the README's pre-commit example ---------------------------------------
step "pre-commit with the README's .pre-commit-config.yaml"
user=$work/user
mkdir -p "$user/blueprints"
cp blueprints/*.yaml "$user/blueprints/"
cp -a "$work/committed/out" "$user/"
awk '/^# \.pre-commit-config\.yaml$/ { on = 1 } on && /^```/ { exit } on { print }' README.md \
  | sed "s|https://github.com/OWNER/gen|file://$work/clone|" >"$user/.pre-commit-config.yaml"
grep -q "file://$work/clone" "$user/.pre-commit-config.yaml" || fail "README.md has no .pre-commit-config.yaml example naming https://github.com/OWNER/gen"
git -C "$user" init -q
git -C "$user" add -A
git -C "$user" -c user.name=test -c user.email=test@example.invalid commit -q -m project
precommit() {
  (cd "$user" && env PATH="$work/cargo-path/bin:$PATH" PRE_COMMIT_HOME="$work/pre-commit-home" \
    SOURCE_DATE_EPOCH="$today" NO_COLOR=1 pre-commit run --all-files --color never) >"$work/pre-commit.log" 2>&1
}
precommit || { cat "$work/pre-commit.log" >&2; fail "pre-commit fails on the built project"; }
grep -q "^gen check.*Passed" "$work/pre-commit.log" || { cat "$work/pre-commit.log" >&2; fail "pre-commit ran no gen check"; }
# sed reads to the end: `head -n 1` would close the pipe early and, under
# pipefail, sort's SIGPIPE (exit 141) would fail the test once the list
# outgrows one write.
first=$(cd "$user/out" && find . -type f -name '*.conf' | LC_ALL=C sort | sed -n 1p)
echo "# edited by hand" >>"$user/out/$first"
git -C "$user" add -A
if precommit; then cat "$work/pre-commit.log" >&2; fail "pre-commit passes with an edited out/$first"; fi
grep -q "^gen check.*Failed" "$work/pre-commit.log" || { cat "$work/pre-commit.log" >&2; fail "pre-commit failed for another reason"; }

step "done: $(stat -c %s "$work/dist/$archive") bytes $archive, $(stat -c %s "$work/dist/$deb") bytes $deb"
