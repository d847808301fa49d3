#!/usr/bin/env bash
# The issue-7 benchmark, whole processes on this machine (run it when the
# machine is otherwise quiet):
#   1. a build of 1,000 sites on 50 hosts (`gen synth`): ≤ 1 s, ≤ 100 MB peak RSS;
#   2. `gen check` on the unchanged tree: ≤ 2 × `sha256sum` over the same files;
#   3. each reference blueprint: ≤ 50 ms;
#   4. 10 × the sites: ≤ 11 × the time.
# Prints one line per measurement (median of RUNS runs, peak RSS of the worst)
# and exits 1 when a target is missed. usage: scripts/bench.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}

cargo build --release --locked -q
gen=$PWD/target/release/gen
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C

# measure LABEL BEFORE CMD...: median wall seconds and max RSS (kB) over
# $runs runs of CMD; BEFORE (a shell command, untimed) runs before each.
measure() {
  local label=$1 before=$2 i
  shift 2
  : > "$work/times"
  for ((i = 0; i < runs; i++)); do
    bash -c "$before"
    # Wall time in nanoseconds (time(1) rounds to 10 ms); peak RSS from time(1).
    start=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$work/one" "$@" > /dev/null 2>&1 || true
    end=$(date +%s%N)
    echo "$(( (end - start) / 1000 )) $(cat "$work/one")" | awk '{ printf "%.4f %d\n", $1 / 1e6, $2 }' >> "$work/times"
  done
  median=$(sort -n "$work/times" | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }')
  rss=$(awk '$2 > m { m = $2 } END { print m }' "$work/times")
  printf '%-52s %8.4f s %8d kB\n' "$label" "$median" "$rss"
}

project() { # project DIR SITES HOSTS
  mkdir -p "$1/blueprints"
  "$gen" synth --sites "$2" --hosts "$3" > "$1/blueprints/synth.yaml"
}

fail=0
target() { # target DESCRIPTION CONDITION (awk expression)
  if awk "BEGIN { exit !($2) }"; then echo "  ok    $1"; else echo "  MISS  $1"; fail=1; fi
}

project "$work/big" 1000 50
project "$work/small" 100 6
measure "build, 1,000 sites on 50 hosts (fresh out/)" "rm -rf '$work/big/out'" "$gen" -C "$work/big" build
big=$median big_rss=$rss
files=$(find "$work/big/out" -type f | wc -l)
measure "build, 1,000 sites, unchanged out/" : "$gen" -C "$work/big" build
measure "check, 1,000 sites, unchanged ($files files)" : "$gen" -C "$work/big" check
check=$median
# What an operator runs to hash the tree: find lists it, sha256sum hashes it
# (gen check also has to find the files). The hashing alone, from a list
# made beforehand, is printed for reference.
measure "find + sha256sum over the same $files files" : sh -c "cd '$work/big/out' && find . -type f -exec sha256sum {} +"
sha=$median
(cd "$work/big/out" && find . -type f -print0 > "$work/list")
measure "sha256sum alone (list made beforehand)" : sh -c "cd '$work/big/out' && xargs -0 sha256sum < '$work/list'"
measure "build, 100 sites on 6 hosts (fresh out/)" "rm -rf '$work/small/out'" "$gen" -C "$work/small" build
small=$median

for bp in blueprints/*.yaml; do
  name=$(basename "$bp" .yaml)
  mkdir -p "$work/ref-$name/blueprints"
  cp "$bp" "$work/ref-$name/blueprints/"
  measure "build $name (whole process, fresh out/)" "rm -rf '$work/ref-$name/out'" "$gen" -C "$work/ref-$name" build
  eval "ref_${name//-/_}=$median"
done

echo
target "1,000 sites in ≤ 1 s ($big s)" "$big <= 1.0"
target "≤ 100 MB peak RSS ($((big_rss / 1024)) MB)" "$big_rss <= 102400"
target "check ≤ 2 × sha256sum ($check s against $sha s)" "$check <= 2 * $sha"
for name in ref_odoo_dedicated ref_hetzner_websites; do
  target "$name ≤ 50 ms (${!name} s)" "${!name} <= 0.05"
done
target "10 × the sites ≤ 11 × the time ($small s → $big s)" "$big <= 11 * $small"
exit $fail
