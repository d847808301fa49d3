#!/usr/bin/env bash
# gen against the pipeline a user would otherwise write (PyYAML + Jinja2,
# scripts/jinja2_peer.py), both as whole processes, on one synthetic
# blueprint, side by side in one run. Prints each run, the medians and the
# ratio. The README's "Performance: gen against a Jinja2 pipeline" quotes it.
#
#   scripts/compare-jinja2.sh [RUNS]        (default 7; SITES=1000 HOSTS=50)
#
# gen's time is `gen build` (load, check, plan, render, write out/, sync).
# The peer's is PyYAML load + context load + Jinja2 render + write; the
# context (`gen build --export-context`) is exported once, untimed, so the
# plan the peer renders from costs it nothing. Both write into a removed
# tree each run; the runs alternate, so background load hits both alike.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
runs=${1:-7}
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
"$gen" synth --sites "$sites" --hosts "$hosts" > "$work/blueprints/synth.yaml"
"$gen" -C "$work" build --export-context "$work/context" 2>/dev/null

# Wall ms, CPU ms (user + system) and peak RSS MB of one command. On a busy
# machine wall time waits for other processes; CPU time does not.
measure() {
  local start end
  start=$(date +%s%N)
  /usr/bin/time -f '%U %S %M' -o "$work/usage" "$@" >/dev/null 2>"$work/stderr" ||
    { cat "$work/stderr" >&2; exit 1; }
  end=$(date +%s%N)
  awk -v wall=$(( (end - start) / 1000000 )) '{ printf "%d %d %d\n", wall, ($1 + $2) * 1000, $3 / 1024 }' "$work/usage"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

files=$("$gen" -C "$work" build 2>&1 | sed -n 's/^built out\/synth: \([0-9]*\) files.*/\1/p')
echo "synthetic blueprint: $sites sites on $hosts web hosts, $files files; $(nproc) cores; $runs runs each"
echo "gen: $("$gen" --version); peer: Python $("$python" -c 'import platform; print(platform.python_version())'), Jinja2 $("$python" -c 'import jinja2; print(jinja2.__version__)'), PyYAML $("$python" -c 'import yaml; print(yaml.__version__, "(libyaml)" if yaml.__with_libyaml__ else "(pure Python)")')"
printf '%-4s %9s %9s %7s   %9s %9s %7s\n' run 'gen wall' 'gen CPU' 'gen MB' 'j2 wall' 'j2 CPU' 'j2 MB'
: > "$work/gen.wall"; : > "$work/gen.cpu"; : > "$work/peer.wall"; : > "$work/peer.cpu"
for run in $(seq "$runs"); do
  rm -rf "$work/out/synth"
  read -r gen_wall gen_cpu gen_mb < <(measure "$gen" -C "$work" build)
  rm -rf "$work/peer"
  read -r peer_wall peer_cpu peer_mb < <(measure "$python" "$repo/scripts/jinja2_peer.py" "$work" "$work/context" "$work/peer" "$repo/templates")
  printf '%-4s %9s %9s %7s   %9s %9s %7s\n' "$run" "${gen_wall}ms" "${gen_cpu}ms" "$gen_mb" "${peer_wall}ms" "${peer_cpu}ms" "$peer_mb"
  echo "$gen_wall" >> "$work/gen.wall"; echo "$gen_cpu" >> "$work/gen.cpu"
  echo "$peer_wall" >> "$work/peer.wall"; echo "$peer_cpu" >> "$work/peer.cpu"
done
# The same bytes, or the race is meaningless.
diff -r "$work/out/synth" "$work/peer/synth" >/dev/null || { echo "the trees differ" >&2; exit 1; }
ratio() { awk -v g="$1" -v p="$2" 'BEGIN { printf "%.1f", p / g }'; }
gw=$(median < "$work/gen.wall"); gc=$(median < "$work/gen.cpu")
pw=$(median < "$work/peer.wall"); pc=$(median < "$work/peer.cpu")
echo "median wall: gen ${gw} ms, jinja2 ${pw} ms: gen is $(ratio "$gw" "$pw")x faster"
echo "median CPU:  gen ${gc} ms, jinja2 ${pc} ms: gen is $(ratio "$gc" "$pc")x faster"
echo "(identical trees; written to $(df --output=fstype "$work" | tail -1 | tr -d " "); TMPDIR picks the file system)"
