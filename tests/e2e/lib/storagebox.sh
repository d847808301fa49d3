# shellcheck shell=bash
# The Storage Box of the Odoo reference (`sftp://u123456@u123456.your-storagebox.de:23/odoo`),
# simulated: OpenSSH's sshd on port 23 in its own network namespace on the
# internet bridge, with DNS for its name. Stand-in parts, as the provider's
# box differs: the user `u123456` is uid 0 of the box's own mount namespace
# (a copy of /etc/passwd bind-mounted there, so this machine gets no new
# user) with its home in the harness's state; the provider's
# `install-ssh-key` command (which on a real box asks for its password) is a
# forced command of an "operator" key that appends stdin to
# .ssh/authorized_keys. SFTP is sshd's internal-sftp, as on the box.

SBOX_NS=$E2E_NAME-sbox
SBOX_V4=203.0.113.40
SBOX_V6=2001:db8:1::40
SBOX_NAME=u123456.your-storagebox.de
SBOX_DIR=$E2E_STATE/storagebox

sbox_up() {
  local d=$SBOX_DIR
  mkdir -p "$d/home/.ssh"
  ssh-keygen -q -t ed25519 -N '' -C storagebox -f "$d/host_key"
  ssh-keygen -q -t ed25519 -N '' -C operator -f "$d/operator"
  cat > "$d/install-ssh-key" <<'SH'
#!/bin/sh
[ "$SSH_ORIGINAL_COMMAND" = install-ssh-key ] || { echo "only install-ssh-key" >&2; exit 1; }
cat >> "$HOME/.ssh/authorized_keys"
echo 'Key No. 1 was installed'
SH
  chmod 0755 "$d/install-ssh-key"
  printf 'command="%s",restrict %s\n' "$d/install-ssh-key" "$(cat "$d/operator.pub")" > "$d/home/.ssh/authorized_keys"
  { grep -v '^u123456:' /etc/passwd; echo "u123456:x:0:0:storage box:/home/u123456:/bin/sh"; } > "$d/passwd"
  cat > "$d/sshd_config" <<CONF
Port 23
HostKey $d/host_key
PidFile $d/sshd.pid
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AuthorizedKeysFile .ssh/authorized_keys
Subsystem sftp internal-sftp
CONF
  ip netns add "$SBOX_NS"
  net_attach "$SBOX_NS" eth0 "$SBOX_V4" "$SBOX_V6"
  ip netns exec "$SBOX_NS" unshare --mount --propagation private sh -c "
    mount -t tmpfs tmpfs /home
    mkdir -p /home/u123456 /run/sshd
    mount --bind '$d/home' /home/u123456
    mount --bind '$d/passwd' /etc/passwd
    exec /usr/sbin/sshd -D -e -f '$d/sshd_config'" </dev/null >"$d/sshd.log" 2>&1 9>&- &
  disown $!
  wait_for 10 "the storage box's sshd" ip netns exec "$SBOX_NS" sh -c "ss -Hltn | grep -q ':23 '"
  dns_add "$SBOX_NAME" "$SBOX_V4" "$SBOX_V6"
}

# sbox_block / sbox_unblock: the box stops answering on port 23 (refused,
# as a box under maintenance), over IPv4 and IPv6, and answers again.
sbox_block() { sbox_reject -I; }
sbox_unblock() { sbox_reject -D; }
# sbox_reject -I|-D: inserts or deletes the box's refusal of port 23, both families.
sbox_reject() {
  local t
  for t in iptables ip6tables; do ip netns exec "$SBOX_NS" "$t" "$1" INPUT -p tcp --dport 23 -j REJECT --reject-with tcp-reset; done
}
