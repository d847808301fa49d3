#!/usr/bin/env bash
# Runs a script against a throwaway root: a copy-on-write overlay of / in
# private mount, net and pid namespaces (../shared/VALIDATORS.md). Whatever
# the script writes under $R (the overlay) or does to the network vanishes
# with the namespaces; no process survives them.
#
# usage: throwaway-root.sh SCRIPT [ARGS...]
#   SCRIPT runs with bash -euo pipefail, ARGS as $1..., and R set to the
#   overlay's path; it usually copies files into $R and runs `chroot "$R" ...`.
set -euo pipefail
command -v unshare >/dev/null || { echo "unshare is not installed" >&2; exit 127; }
script=$1
shift
exec unshare --mount --net --pid --fork bash -euo pipefail -c '
T=$(mktemp -d); mount -t tmpfs t "$T"; mkdir "$T/u" "$T/w" "$T/r"
mount -t overlay o -o "lowerdir=/,upperdir=$T/u,workdir=$T/w" "$T/r"
mount --rbind /dev "$T/r/dev"; mount -t proc p "$T/r/proc"
mount -t tmpfs t "$T/r/run"; mount -t tmpfs t "$T/r/tmp"
ip link set lo up
export R=$T/r
script=$1; shift
bash -euo pipefail -c "$script" bash "$@"
' bash "$script" "$@"
