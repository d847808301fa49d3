#!/usr/bin/env bash
# gen against the pipeline a user would otherwise write (PyYAML + Jinja2,
# scripts/jinja2_peer.py), both as whole processes, on one synthetic
# blueprint (or the reference blueprints), side by side in one run. Prints each run, the medians and the
# ratio. docs/design.md's "Performance: gen against a Jinja2 pipeline" quotes it.
#
#   scripts/compare-jinja2.sh [RUNS] [synth|reference]
#     RUNS default 7; synth (default): `gen synth` with SITES=1000 HOSTS=50;
#     reference: blueprints/*.yaml. TMPDIR picks where the trees are written.
#
# gen's time is `gen build` (load, check, plan, render, write out/).
# The peer's is PyYAML load + context load + Jinja2 render + write; the
# context (`gen build --export-context`) is exported once, untimed, so the
# plan the peer renders from costs it nothing. Each run of either writes a
# new tree into a new directory, and nothing is deleted until the end: on
# ext4, creating files right after deleting thousands costs more than the
# rendering (the kernel's recently-deleted inode check). The runs alternate,
# so background load hits both alike.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
runs=${1:-7}
set_=${2:-synth}
sites=${SITES:-1000}
hosts=${HOSTS:-50}
python=/usr/bin/python3

"$python" -c 'import jinja2, yaml' 2>/dev/null ||
  { echo "needs $python with python3-jinja2 and python3-yaml (apt-get install python3-jinja2 python3-yaml)" >&2; exit 1; }
cargo build --release --locked --quiet
gen=$repo/target/release/gen

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/blueprints"
case $set_ in
  synth) "$gen" synth --sites "$sites" --hosts "$hosts" > "$work/blueprints/synth.yaml" ;;
  reference) cp blueprints/*.yaml "$work/blueprints/" ;;
  *) echo "usage: $0 [RUNS] [synth|reference]" >&2; exit 2 ;;
esac
"$gen" -C "$work" build --export-context "$work/context" 2>/dev/null

# Wall ms, CPU ms (user + system) and peak RSS MB of one command, from the
# kernel's rusage (microseconds; /usr/bin/time rounds CPU to 10 ms). On a busy
# machine wall time waits for other processes; CPU time does not.
measure() {
  "$python" -c '
import os, subprocess, sys, time
with open(sys.argv[1], "wb") as err:
    start = time.perf_counter()
    child = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
if os.waitstatus_to_exitcode(status) != 0:
    sys.exit(open(sys.argv[1]).read())
cpu = usage.ru_utime + usage.ru_stime
print(round(wall * 1000), round(cpu * 1000), usage.ru_maxrss // 1024)
' "$work/stderr" "$@"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

files=$("$gen" -C "$work" build 2>&1 | awk '/^built out\// { n += $3 } END { print n }')
case $set_ in
  synth) echo "synthetic blueprint: $sites sites on $hosts web hosts, $files files; $(nproc) cores; $runs runs each" ;;
  reference) echo "reference blueprints: $(cd "$work/blueprints" && echo *), $files files; $(nproc) cores; $runs runs each" ;;
esac
echo "gen: $("$gen" --version); peer: Python $("$python" -c 'import platform; print(platform.python_version())'), Jinja2 $("$python" -c 'import jinja2; print(jinja2.__version__)'), PyYAML $("$python" -c 'import yaml; print(yaml.__version__, "(libyaml)" if yaml.__with_libyaml__ else "(pure Python)")')"
printf '%-4s %9s %9s %7s   %9s %9s %7s\n' run 'gen wall' 'gen CPU' 'gen MB' 'j2 wall' 'j2 CPU' 'j2 MB'
: > "$work/gen.wall"; : > "$work/gen.cpu"; : > "$work/peer.wall"; : > "$work/peer.cpu"
for run in $(seq "$runs"); do
  mkdir "$work/gen-$run"
  cp -r "$work/blueprints" "$work/gen-$run/"
  read -r gen_wall gen_cpu gen_mb < <(measure "$gen" -C "$work/gen-$run" build)
  read -r peer_wall peer_cpu peer_mb < <(measure "$python" "$repo/scripts/jinja2_peer.py" "$work" "$work/context" "$work/peer-$run" "$repo/templates")
  # The same bytes, or the race is meaningless.
  diff -r "$work/gen-$run/out" "$work/peer-$run" >/dev/null || { echo "run $run: the trees differ" >&2; exit 1; }
  printf '%-4s %9s %9s %7s   %9s %9s %7s\n' "$run" "${gen_wall}ms" "${gen_cpu}ms" "$gen_mb" "${peer_wall}ms" "${peer_cpu}ms" "$peer_mb"
  echo "$gen_wall" >> "$work/gen.wall"; echo "$gen_cpu" >> "$work/gen.cpu"
  echo "$peer_wall" >> "$work/peer.wall"; echo "$peer_cpu" >> "$work/peer.cpu"
done
ratio() { awk -v g="$1" -v p="$2" 'BEGIN { printf "%.1f", p / g }'; }
gw=$(median < "$work/gen.wall"); gc=$(median < "$work/gen.cpu")
pw=$(median < "$work/peer.wall"); pc=$(median < "$work/peer.cpu")
echo "median wall: gen ${gw} ms, jinja2 ${pw} ms: gen is $(ratio "$gw" "$pw")x faster"
echo "median CPU:  gen ${gc} ms, jinja2 ${pc} ms: gen is $(ratio "$gc" "$pc")x faster"
echo "(identical trees; written to $(df --output=fstype "$work" | tail -1 | tr -d " "); TMPDIR picks the file system)"
