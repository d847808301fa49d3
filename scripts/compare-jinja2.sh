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

# Wall time in ms and peak RSS in MB of one command.
measure() {
  local start end
  start=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>"$work/stderr" ||
    { cat "$work/stderr" >&2; exit 1; }
  end=$(date +%s%N)
  echo "$(( (end - start) / 1000000 )) $(( $(tail -1 "$work/rss") / 1024 ))"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

files=$("$gen" -C "$work" build 2>&1 | sed -n 's/^built out\/synth: \([0-9]*\) files.*/\1/p')
echo "synthetic blueprint: $sites sites on $hosts web hosts, $files files; $(nproc) cores; $runs runs each"
echo "gen: $("$gen" --version); peer: Python $("$python" -c 'import platform; print(platform.python_version())'), Jinja2 $("$python" -c 'import jinja2; print(jinja2.__version__)'), PyYAML $("$python" -c 'import yaml; print(yaml.__version__, "(libyaml)" if yaml.__with_libyaml__ else "(pure Python)")')"
printf '%-4s %12s %10s %14s %10s\n' run 'gen ms' 'gen MB' 'jinja2 ms' 'jinja2 MB'
: > "$work/gen.ms"
: > "$work/peer.ms"
for run in $(seq "$runs"); do
  rm -rf "$work/out/synth"
  read -r gen_ms gen_mb < <(measure "$gen" -C "$work" build)
  rm -rf "$work/peer"
  read -r peer_ms peer_mb < <(measure "$python" "$repo/scripts/jinja2_peer.py" "$work" "$work/context" "$work/peer" "$repo/templates")
  printf '%-4s %12s %10s %14s %10s\n' "$run" "$gen_ms" "$gen_mb" "$peer_ms" "$peer_mb"
  echo "$gen_ms" >> "$work/gen.ms"
  echo "$peer_ms" >> "$work/peer.ms"
done
# The same bytes, or the race is meaningless.
diff -r "$work/out/synth" "$work/peer/synth" >/dev/null || { echo "the trees differ" >&2; exit 1; }
gen_median=$(median < "$work/gen.ms")
peer_median=$(median < "$work/peer.ms")
echo "median: gen $gen_median ms, jinja2 $peer_median ms; gen is $(awk -v g="$gen_median" -v p="$peer_median" 'BEGIN { printf "%.1f", p / g }')x faster (identical trees)"
