#!/usr/bin/env bash
# PID 1 of a simulated host, started by host_boot in fresh mount, PID and
# UTS namespaces inside the host's network namespace. It builds the host's
# root (a copy-on-write overlay of this machine's Debian 12, which carries
# the packages cloud-init installs), mounts what a booted Linux has, and
# becomes tini, which reaps orphans as init does.
set -euo pipefail
name=$1 state=$2
root=$state/root
mount -t overlay overlay -o "lowerdir=/,upperdir=$state/upper,workdir=$state/work" "$root"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
# `ip netns exec` put a fresh sysfs on /sys, without the cgroup hierarchies:
# mount each cgroup v1 controller again (the same hierarchies as the
# machine's), as systemd would on a booted host.
mount -t tmpfs -o mode=0755 cgroup "$root/sys/fs/cgroup"
while read -r line; do
  opts=$(echo "$line" | cut -d: -f2)
  [ -n "$opts" ] || continue
  dir=${opts#name=}
  mkdir -p "$root/sys/fs/cgroup/$dir"
  mount -t cgroup -o "$opts" cgroup "$root/sys/fs/cgroup/$dir"
done < /proc/self/cgroup
mount --rbind /dev "$root/dev"
mount -t tmpfs -o size=1g,mode=1777 shm "$root/dev/shm"
mount -t tmpfs -o mode=0755 run "$root/run"
mount -t tmpfs -o mode=1777 tmp "$root/tmp"
mkdir -p "$root/var/lib/docker" "$state/docker"
mount --bind "$state/docker" "$root/var/lib/docker"
# Mounts a scenario asks for, one "SOURCE DEST" a line in $state/binds
# (scenarios/scaleout.sh: the directories that stand in for NFS exports).
if [ -f "$state/binds" ]; then
  while read -r src dest; do
    mkdir -p "$root$dest"
    mount --rbind "$src" "$root$dest"
  done < "$state/binds"
fi
hostname "$name"
echo "$name" > "$root/etc/hostname"
# pivot_root, not chroot: the namespace's root mount must be the host's
# root, or runc's `docker exec` (setns into a container's mount namespace)
# lands in the namespace's real root instead of the container's.
cd "$root"
mkdir -p .oldroot
pivot_root . .oldroot
cd /
umount -l /.oldroot
rmdir /.oldroot
# systemd makes every mount shared on a booted host; node_exporter's
# `/:/host:ro,rslave` bind needs it.
mount --make-rshared /
exec /usr/bin/tini -s -- /bin/sleep infinity
