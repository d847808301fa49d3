#!/usr/bin/env bash
# The issue-17 benchmark, with issue 14's scale targets: gen's performance
# targets, each measured side by side with its reference in one run, whole
# processes, release build.
# Run it when the machine is otherwise quiet. Prints every measurement
# (median of RUNS runs: wall ms, CPU ms = user + system, peak RSS MB, from
# the kernel's rusage), then one line per target with its measured ratio,
# and exits 1 when a target is missed.
#
#   1. reference blueprints: gen ≥ 20 × faster than the Jinja2 + PyYAML peer
#      (scripts/jinja2_peer.py), trees byte-identical;
#   2. 1,000 sites on 50 hosts into a fresh directory: ≤ 1.5 × `cp -r` of
#      the finished tree, on tmpfs (/dev/shm) and on ext4 ($EXT4_DIR, default
#      /var/tmp), same file system for both;
#   3. linear (issue 14): 100 → 1,000 → 10,000 sites (6, 50, 500 hosts),
#      the three fleets' runs interleaved: 10 × the sites ≤ 11 × the wall
#      time, and ≤ 11 × the peak RSS (memory may grow no faster than the
#      time); 1,000 sites ≤ 60 MB (issue 17);
#   3b. phase 2 (issue 14): a phase-2 fleet (`gen synth --phase2`: 100 sites
#      on 4 hosts, 2 load balancers, 2 regions) against phase 1
#      (blueprints/hetzner-websites.yaml: 25 sites, 2 hosts, 1 load
#      balancer), runs interleaved: 4 × the sites ≤ 4.4 × the wall time and
#      the peak RSS (linear, with issue 14's 10 % margin);
#   4. incremental: after one site changes, `gen build` ≤ 1.1 × (a rebuild
#      of the unchanged tree, that is load → check → plan → render → hash
#      → survey of out/, plus `cp` of the changed files);
#   5. `gen check` on the unchanged tree ≤ 1.5 × `sha256sum -c` of its manifest;
#   6. hostile input: a 4 MiB document of nested brackets and one of
#      brackets nested as deep as allowed (32) are refused in ≤ 1 s per MiB.
#
# usage: scripts/bench.sh [RUNS]   (default 7)
#   GEN_BIN=path/to/gen measures another build of gen (say, an older
#   commit's, for before-and-after figures) instead of this one (whose
#   `gen synth` still writes the synthetic blueprints);
#   SKIP_HOSTILE=1 leaves out target 6 (a gen without the nesting bound
#   spends about two hours on it).
# (summarize sets NAME_wall, NAME_cpu and NAME_rss through printf -v,
# which a static check cannot follow.)
# shellcheck disable=SC2154
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
runs=${1:-7}
python=/usr/bin/python3
ext4=${EXT4_DIR:-/var/tmp}

# This checkout's gen writes the synthetic blueprints (`gen synth`), also
# when another build is measured, so both measure the same fleets.
cargo build --release --locked -q
synth=$repo/target/release/gen
gen=$(realpath "${GEN_BIN:-$synth}")
export LC_ALL=C

work_shm=$(mktemp -d -p /dev/shm gen-bench.XXXXXX)
work_ext4=$(mktemp -d -p "$ext4" gen-bench.XXXXXX)
trap 'rm -rf "$work_shm" "$work_ext4"' EXIT
w=$work_shm

# run CMD...: "wall_ms cpu_ms rss_mb" of one run of CMD (stdout and stderr
# discarded; a failure is reported and ends the benchmark unless the
# command is marked as expected to fail with ALLOW_FAIL=1).
run() {
  "$python" -c '
import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
wall = time.perf_counter() - start
if os.waitstatus_to_exitcode(status) != 0 and sys.argv[1] != "1":
    sys.exit("failed: " + " ".join(sys.argv[2:]))
print("%.2f %.2f %.1f" % (wall * 1000, (usage.ru_utime + usage.ru_stime) * 1000, usage.ru_maxrss / 1024))
' "${ALLOW_FAIL:-0}" "$@"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# once NAME SETUP CMD...: runs SETUP (a shell command, untimed; `$i` is
# the run's number) and then CMD once, and adds the run to NAME's figures.
once() {
  local name=$1 setup=$2
  shift 2
  i=$i bash -c "$setup"
  local args=("${@//@i@/$i}")
  read -r wall cpu rss < <(run "${args[@]}")
  echo "$wall" >> "$w/m.$name.wall"; echo "$cpu" >> "$w/m.$name.cpu"; echo "$rss" >> "$w/m.$name.rss"
}

# summarize NAME: sets NAME_wall, NAME_cpu (medians) and NAME_rss (the
# largest) from NAME's runs, and prints them after $label.
summarize() {
  local name=$1
  printf -v "${name}_wall" '%s' "$(median < "$w/m.$name.wall")"
  printf -v "${name}_cpu" '%s' "$(median < "$w/m.$name.cpu")"
  printf -v "${name}_rss" '%s' "$(sort -n "$w/m.$name.rss" | tail -1)"
  rm -f "$w/m.$name".*
  local vw="${name}_wall" vc="${name}_cpu" vr="${name}_rss"
  printf '  %-62s %9.1f ms wall %9.1f ms CPU %7.1f MB\n' "$label" "${!vw}" "${!vc}" "${!vr}"
}

# measure NAME SETUP CMD...: SETUP and CMD $runs times (see once), then
# summarize NAME.
measure() {
  local name=$1 setup=$2
  shift 2
  for ((i = 0; i < runs; i++)); do once "$name" "$setup" "$@"; done
  summarize "$name"
}

project() { # project DIR SITES HOSTS
  mkdir -p "$1/blueprints"
  "$synth" synth --sites "$2" --hosts "$3" > "$1/blueprints/synth.yaml"
}

results=()
fail=0
target() { # target TEXT CONDITION (an awk expression)
  if awk "BEGIN { exit !($2) }"; then results+=("  ok    $1"); else results+=("  MISS  $1"); fail=1; fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "gen: $("$gen" --version); $(nproc) cores; $runs runs each; tmpfs $w, ext4 $work_ext4"

# 1. Reference blueprints against the Jinja2 peer (tmpfs: the CPU work).
echo "1. reference blueprints, gen against the Jinja2 peer (tmpfs)"
mkdir -p "$w/ref"
cp -r blueprints "$w/ref/"
"$gen" -C "$w/ref" build --export-context "$w/ref-context" 2>/dev/null
label="gen build, both reference blueprints (fresh out/)"
measure ref "rm -rf '$w/ref/out'" "$gen" -C "$w/ref" build
label="jinja2_peer.py, the same trees"
measure peer "rm -rf '$w/peer'" "$python" "$repo/scripts/jinja2_peer.py" "$w/ref" "$w/ref-context" "$w/peer" "$repo/templates"
diff -r "$w/ref/out" "$w/peer" > /dev/null || { echo "the gen and Jinja2 trees differ" >&2; exit 1; }
for bp in blueprints/*.yaml; do
  name=$(basename "$bp" .yaml)
  mkdir -p "$w/one-$name/blueprints"
  cp "$bp" "$w/one-$name/blueprints/"
  label="gen build $name alone"
  measure "one_${name//-/_}" "rm -rf '$w/one-$name/out'" "$gen" -C "$w/one-$name" build
done
target "1. reference: Jinja2 peer / gen = $(ratio "$peer_wall" "$ref_wall")× (≥ 20×; gen $ref_wall ms, peer $peer_wall ms)" \
  "$peer_wall >= 20 * $ref_wall"

# 2. 1,000 sites into a fresh directory against cp -r of the finished tree.
echo "2. 1,000 sites on 50 hosts, fresh directory, against cp -r of the same tree"
for fs in tmpfs ext4; do
  [ $fs = tmpfs ] && base=$work_shm || base=$work_ext4
  project "$base/big" 1000 50
  "$gen" -C "$base/big" build 2> /dev/null
  # Every run writes into a new directory; they are deleted together at
  # the end (on ext4, creating inodes right after deleting thousands costs
  # more than the writing: the kernel's recently-deleted check).
  mkdir -p "$base/runs"
  label="gen build, 1,000 sites ($fs)"
  measure "fresh_$fs" "mkdir -p '$base/runs/g'\$i && cp -r '$base/big/blueprints' '$base/runs/g'\$i/" \
    "$gen" -C "$base/runs/g@i@" build
  label="cp -r of the finished tree ($fs)"
  measure "cp_$fs" "true" cp -r "$base/big/out" "$base/runs/c@i@"
  rm -rf "$base/runs"
done
for fs in tmpfs ext4; do
  g="fresh_${fs}_wall" c="cp_${fs}_wall"
  target "2. 1,000 sites on $fs: gen / cp -r = $(ratio "${!g}" "${!c}")× (≤ 1.5×; gen ${!g} ms, cp ${!c} ms)" \
    "${!g} <= 1.5 * ${!c}"
done

# 3. Linear in sites and hosts (tmpfs). Each round builds the three fleets
# one after the other, so a change in the machine's load falls on all three.
echo "3. 100 → 1,000 → 10,000 sites (6, 50, 500 hosts; tmpfs; runs interleaved)"
hosts_for() { echo $(( $1 == 100 ? 6 : $1 / 20 )); }
for n in 100 1000 10000; do project "$w/s$n" "$n" "$(hosts_for "$n")"; done
for ((i = 0; i < runs; i++)); do
  for n in 100 1000 10000; do once "s$n" "rm -rf '$w/s$n/out'" "$gen" -C "$w/s$n" build; done
done
for n in 100 1000 10000; do
  label="gen build, $n sites on $(hosts_for "$n") hosts (fresh out/)"
  summarize "s$n"
done
for step in "100 1000" "1000 10000"; do
  read -r a b <<< "$step"
  ta="s${a}_wall" tb="s${b}_wall" ca="s${a}_cpu" cb="s${b}_cpu" ra="s${a}_rss" rb="s${b}_rss"
  target "3. $a → $b sites: time × $(ratio "${!tb}" "${!ta}") (≤ 11; CPU × $(ratio "${!cb}" "${!ca}"))" "${!tb} <= 11 * ${!ta}"
  target "3. $a → $b sites: peak RSS × $(ratio "${!rb}" "${!ra}") (≤ 11)" "${!rb} <= 11 * ${!ra}"
done
target "3. peak RSS of 1,000 sites: $s1000_rss MB (≤ 60 MB)" "$s1000_rss <= 60"

# 3b. Phase 2 against phase 1 (tmpfs), runs interleaved.
echo "3b. phase 2 (100 sites, 4 hosts, 2 load balancers, 2 regions) against phase 1 (tmpfs; runs interleaved)"
mkdir -p "$w/phase1/blueprints" "$w/phase2/blueprints"
cp blueprints/hetzner-websites.yaml "$w/phase1/blueprints/"
"$synth" synth --phase2 --sites 100 --hosts 4 --name phase2 > "$w/phase2/blueprints/phase2.yaml"
for ((i = 0; i < runs; i++)); do
  for p in phase1 phase2; do once "$p" "rm -rf '$w/$p/out'" "$gen" -C "$w/$p" build; done
done
label="gen build, phase 1 (blueprints/hetzner-websites.yaml)"
summarize phase1
label="gen build, phase 2 (gen synth --phase2 --sites 100 --hosts 4)"
summarize phase2
target "3b. phase 2 / phase 1: time × $(ratio "$phase2_wall" "$phase1_wall") (≤ 4.4; CPU × $(ratio "$phase2_cpu" "$phase1_cpu"); $phase2_wall against $phase1_wall ms)" \
  "$phase2_wall <= 4.4 * $phase1_wall"
target "3b. phase 2 / phase 1: peak RSS × $(ratio "$phase2_rss" "$phase1_rss") (≤ 4.4; $phase2_rss against $phase1_rss MB)" \
  "$phase2_rss <= 4.4 * $phase1_rss"

# 4. Incremental: one site changes (its domain), then gen build.
echo "4. incremental rebuild after one site changed (tmpfs)"
inc=$w/s1000
"$gen" -C "$inc" build 2> /dev/null
cp "$inc/blueprints/synth.yaml" "$w/synth-a.yaml"
"$python" - "$w/synth-a.yaml" "$w/synth-b.yaml" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
# The first site's first domain gets another name: its vhost, the hosts'
# certificate lists, the report and the manifests change.
m = re.search(r"domains:\n *- ([^\n]+)", text)
text = text[:m.start(1)] + "changed-" + m.group(1) + text[m.end(1):]
open(sys.argv[2], "w").write(text)
EOF
# Which files the change touches, for the plain-writer reference.
cp -a "$inc/out/synth" "$w/tree-a"
cp "$w/synth-b.yaml" "$inc/blueprints/synth.yaml"
"$gen" -C "$inc" build 2> "$w/inc.log"
changed=$(cd "$inc/out/synth" && find . -type f -newer "$w/tree-a/MANIFEST.sha256" | wc -l)
grep '^built' "$w/inc.log" | sed 's/^/  /'
(cd "$inc/out/synth" && find . -type f -newer "$w/tree-a/MANIFEST.sha256" -printf '%P\0') > "$w/changed.list"
label="gen build after one site changed (blueprint alternates)"
measure inc "cp '$w/synth-'\$([ \$((i % 2)) = 0 ] && echo a || echo b)'.yaml' '$inc/blueprints/synth.yaml'" "$gen" -C "$inc" build
label="gen build, nothing changed (compile + hash + survey)"
measure same "true" "$gen" -C "$inc" build
label="gen lint (load, check, plan, render; no hashing, no out/)"
measure lint "true" "$gen" -C "$inc" lint
label="cp of the $changed changed files"
measure cpchanged "rm -rf '$w/cpc' && mkdir -p '$w/cpc'" sh -c "cd '$inc/out/synth' && xargs -0 cp --parents -t '$w/cpc' < '$w/changed.list'"
target "4. incremental: gen / (unchanged rebuild + cp of $changed files) = $(ratio "$inc_wall" "$(awk -v a="$same_wall" -v b="$cpchanged_wall" 'BEGIN { print a + b }')")× (≤ 1.1×; $inc_wall ms against $same_wall + $cpchanged_wall ms)" \
  "$inc_wall <= 1.1 * ($same_wall + $cpchanged_wall)"
results+=("        (against gen lint + cp: $(ratio "$inc_wall" "$(awk -v a="$lint_wall" -v b="$cpchanged_wall" 'BEGIN { print a + b }')")×, for reference)")

# 5. gen check against sha256sum -c of the manifest.
echo "5. check of the unchanged 1,000-site tree (tmpfs)"
label="gen check"
measure check "true" "$gen" -C "$inc" check
label="sha256sum -c MANIFEST.sha256"
measure sha "true" sh -c "cd '$inc/out/synth' && sha256sum --quiet -c MANIFEST.sha256"
target "5. check: gen / sha256sum -c = $(ratio "$check_wall" "$sha_wall")× (≤ 1.5×; $check_wall ms against $sha_wall ms)" \
  "$check_wall <= 1.5 * $sha_wall"

# 6. Hostile input at the size limit.
[ -n "${SKIP_HOSTILE:-}" ] && { echo; printf '%s\n' "${results[@]}"; exit $fail; }
echo "6. hostile input, 4 MiB (tmpfs)"
mkdir -p "$w/hostile/blueprints"
"$python" - "$w/hostile" <<'EOF'
import sys
size = 4 * 1024 * 1024 - 64
half = (size - 10) // 2
open(sys.argv[1] + "/deep.yaml", "w").write("project: " + "[" * half + "]" * half + "\n")
unit = "[" * 30 + "]" * 30 + ", "
open(sys.argv[1] + "/wide.yaml", "w").write("project: [" + unit * ((size - 12) // len(unit)) + "0]\n")
EOF
for kind in deep wide; do
  label="gen build, 4 MiB $kind brackets (refused)"
  ALLOW_FAIL=1 measure "h_$kind" "cp '$w/hostile/$kind.yaml' '$w/hostile/blueprints/x.yaml'" "$gen" -C "$w/hostile" build
  v="h_${kind}_cpu"
  target "6. hostile, $kind nesting: $(awk -v t="${!v}" 'BEGIN { printf "%.0f", t / 4 }') ms CPU per MiB (≤ 1000)" "${!v} <= 4000"
done

echo
printf '%s\n' "${results[@]}"
exit $fail
