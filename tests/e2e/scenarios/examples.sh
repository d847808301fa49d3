# shellcheck shell=bash
# The example blueprints (blueprints/odoo-small.yaml and blueprints/nextcloud.yaml),
# each deployed on a simulated Hetzner Cloud server, one after the other
# (the first is destroyed before the second boots): first boot from
# cloud-init and install.sh, every served name's certificate from the ACME
# server, the application over HTTPS through nginx, the nightly backup
# (local, then offsite to the Storage Box stand-in) and a restore that
# brings back deleted data.
#
# Test substitutions, made in the blueprint copy before gen compiles it: the
# offsite repository's box becomes the stand-in's (`u123456`, lib/storagebox.sh);
# the path in the box stays the example's own. Domains, images, ports and
# secrets' names are the examples' own.
#
# Hetzner Cloud volumes (nextcloud's two): what `terraform apply` attaches,
# a blank block device of the volume's size at
# /dev/disk/by-id/scsi-0HC_Volume_<id>, is a loop device over a sparse file
# (in the cache directory, on disk: mkfs writes the journal), linked there
# in the host's own /dev/disk (a tmpfs of its mount namespace).

# Not the load balancer's .30 (lib/lb.sh), which the tutorial leaves up.
EX_V4=203.0.113.57
EX_V6=2001:db8:1::57
EX_SBOX_EXPR='s|sftp://u[0-9]*@u[0-9]*\.your-storagebox\.de:23/|sftp://u123456@u123456.your-storagebox.de:23/|'

ex_diagnose() {
  [ -n "${EX_HOST:-}" ] && [ -e "$(host_state "$EX_HOST")/init.pid" ] || return 0
  container_logs "$EX_HOST"
  tail -n 20 "$E2E_STATE/ex-install.log" 2>/dev/null | sed 's/^/    install.sh: /'
}

ex_status() {
  in_inet curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$ACME_DIR/roots.pem" \
    --resolve "$1:443:$EX_V4" "${@:3}" "https://$1$2" || true
}
ex_cert_verifies() {
  in_inet sh -c "openssl s_client -connect $EX_V4:443 -servername $1 -CAfile $ACME_DIR/roots.pem -verify_return_error </dev/null >/dev/null 2>&1"
}
ex_env() { host_exec "$EX_HOST" sed -n "s/^$1=//p" "$EX_STACK/.env"; }
ex_sql() { host_docker "$EX_HOST" exec postgres psql -X -A -t -U "$1" -d "$2" -c "$3"; }
ex_install() { host_exec "$EX_HOST" "/var/lib/gen/config/out/$EX_BP/hosts/$EX_HOST/install.sh" >"$E2E_STATE/ex-install.log" 2>&1; }
ex_restic() { host_sh "$EX_HOST" ". $EX_STACK/ops/common.sh; restic_password; restic $*"; }
ex_snapshots() { ex_restic snapshots --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'; }

# ex_up BLUEPRINT HOST STACK REPOSITORY NAME...: the example built, its
# server booted from its user-data, first boot stopped at the missing .env,
# .env written, install.sh again, every container healthy, every NAME with
# a real certificate.
ex_up() {
  EX_BP=$1 EX_HOST=$2 EX_STACK=$3
  local url=$4 name
  shift 4
  project_build "$EX_BP" "$EX_SBOX_EXPR"
  for name in "$@"; do dns_add "$name" "$EX_V4" "$EX_V6"; done
  host_create "$EX_HOST" "$EX_V4" "$EX_V6"
  host_prepare "$EX_HOST" "$url"
  compose_override "$EX_HOST" "$EX_BP" "$EX_STACK"
  boot_with_cloud_init "$EX_HOST" "$EX_BP"
  ex_attach_volumes
  first_boot "$EX_HOST" "$EX_BP"
  check "$EX_HOST: cloud-init cloned the repository" \
    host_exec "$EX_HOST" test -x "/var/lib/gen/config/out/$EX_BP/hosts/$EX_HOST/install.sh"
  check "$EX_HOST: first boot stopped before .env: no container" eq "" host_docker "$EX_HOST" ps -aq
  write_env "$EX_HOST" "$EX_STACK"
  local t0=$SECONDS
  check "$EX_HOST: install.sh with .env exits 0" ex_install
  check "$EX_HOST: every container healthy within 180 s" wait_for 180 "healthy containers" healthy_all "$EX_HOST"
  log "  $EX_BP: healthy $((SECONDS - t0)) s after install.sh started"
  for name in "$@"; do
    check "$name has a certificate from the ACME server" wait_for 30 "$name's certificate" ex_cert_verifies "$name"
    check "... and HTTP redirects to HTTPS" eq "301 https://$name/x" in_inet curl -s -o /dev/null \
      -w '%{http_code} %{redirect_url}' --resolve "$name:80:$EX_V4" "http://$name/x"
  done
}

# ex_attach_volumes: every hcloud_volume of the example's Terraform JSON
# attached to its server as a blank device of its size (whole GiB).
EX_LOOPS=()
ex_attach_volumes() {
  local tf=$E2E_STATE/project/out/$EX_BP/infra/main.tf.json name size file loop id=100000
  [ -f "$tf" ] || return 0
  while read -r name size; do
    id=$((id + 1))
    file=$E2E_CACHE/volume-$EX_HOST-$name.img
    rm -f "$file"
    truncate -s "${size}G" "$file"
    loop=$(losetup -f --show "$file")
    EX_LOOPS+=("$loop")
    host_sh "$EX_HOST" "mountpoint -q /dev/disk || mount -t tmpfs -o mode=0755 disk /dev/disk
      mkdir -p /dev/disk/by-id && ln -sfn $loop /dev/disk/by-id/scsi-0HC_Volume_$id"
    log "  volume $name (${size} GB) attached to $EX_HOST as $loop (HC_Volume_$id)"
  done < <(python3 -c 'import json, sys
for n, v in json.load(open(sys.argv[1]))["resource"].get("hcloud_volume", {}).items(): print(n, v["size"])' "$tf")
}

# ex_detach_volumes: the loop devices and their files gone (the host is).
ex_detach_volumes() {
  local loop
  for loop in "${EX_LOOPS[@]}"; do losetup -d "$loop" 2>/dev/null || true; done
  EX_LOOPS=()
  rm -f "$E2E_CACHE"/volume-*.img
}

# ex_label MOUNT: the ext4 label of the file system mounted at MOUNT.
ex_label() { host_sh "$EX_HOST" "blkid -o value -s LABEL \"\$(findmnt -n -o SOURCE --mountpoint $1)\""; }

# ex_offsite REPO-DIR: offsite-init.sh with the key the box learns by its
# install-ssh-key, then the timer's offsite run; the box holds the repository.
ex_offsite() {
  local key=$EX_BP-offsite
  check "the host reaches the Storage Box's port 23 by its name" wait_for 90 "port 23 of $SBOX_NAME" \
    host_exec "$EX_HOST" timeout 3 bash -c "exec 3<>/dev/tcp/$SBOX_NAME/23"
  check "offsite-init.sh stops at the key the box does not know yet" \
    contains "install-ssh-key" host_exec "$EX_HOST" "$EX_STACK/ops/offsite-init.sh"
  host_exec "$EX_HOST" sh -c 'umask 077; cat > /tmp/e2e-operator' < "$SBOX_DIR/operator"
  check "the operator installs the key with the box's install-ssh-key" host_sh "$EX_HOST" \
    "ssh -i /tmp/e2e-operator -o IdentitiesOnly=yes -p 23 -o UserKnownHostsFile=/root/.ssh/$key.known_hosts \
      -o StrictHostKeyChecking=yes u123456@$SBOX_NAME install-ssh-key < /root/.ssh/$key.pub"
  check "offsite-init.sh completes: restic init and the first copy" host_exec "$EX_HOST" "$EX_STACK/ops/offsite-init.sh"
  check "the offsite timer's run succeeds" host_exec "$EX_HOST" systemctl start "$EX_BP-offsite.service"
  check "... the repository is in the box user's home ($1)" test -s "$SBOX_DIR/home/$1/config"
}

examples_odoo_small() {
  local prod=erp.nordlicht-handel.de staging=erp-staging.nordlicht-handel.de
  scenario "examples: odoo-small on a CX33, first boot to HTTPS"
  ex_up odoo-small erp /opt/odoo-small https://git.example.com/nordlicht/erp-infra.git "$prod" "$staging"
  check "prod answers /web/health over HTTPS through nginx" eq 200 ex_status "$prod" /web/health
  check "prod serves its login page from database odoo_prod" contains odoo_prod \
    in_inet curl -sS --max-time 10 --cacert "$ACME_DIR/roots.pem" --resolve "$prod:443:$EX_V4" "https://$prod/web/login"
  check "staging without its login: 401" eq 401 ex_status "$staging" /web/health
  check "staging with the password from .env: 200" eq 200 ex_status "$staging" /web/health \
    -u "staging:$(ex_env ODOO_STAGING_BASIC_AUTH)"
  check "install.sh made the local backups' directory on the server's disk, root's alone" eq "0:0 700" \
    host_exec erp stat -c '%u:%g %a' /srv/backups
  check "prod runs the blueprint's 2 workers with 1.25G hard limits" eq "2 1342177280" \
    host_exec erp sh -c "awk -F' = ' '\$1 == \"workers\" { w = \$2 } \$1 == \"limit_memory_hard\" { m = \$2 } END { print w, m }' /opt/odoo-small/odoo/prod.conf"
  end_scenario

  scenario "examples: odoo-small backup, offsite copy and restore"
  local rows
  for _ in 1 2 3; do ex_status "$prod" /web/login >/dev/null; done
  rows=$(ex_sql odoo odoo_prod "SELECT count(*) FROM ir_standin_hits")
  check "the nightly backup runs" host_exec erp systemctl start odoo-small-backup.service
  check "... its set holds both databases' dumps and verifies" host_sh erp \
    'cd /srv/backups/daily/latest && test -s db-odoo_prod.dump && test -s db-odoo_staging.dump && sha256sum -c --quiet SHA256SUMS'
  ex_offsite erp
  # Two runs of one night's set, and `restic forget --keep-daily` keeps one a day.
  check "... keeping one snapshot of the day (restic forget --keep-daily)" eq 1 ex_snapshots
  # Data the backup does not hold, then the rows it holds deleted.
  ex_status "$prod" /web/login >/dev/null; ex_status "$prod" /web/login >/dev/null
  ex_sql odoo odoo_prod "DELETE FROM ir_standin_hits" >/dev/null
  host_docker erp stop odoo-prod >/dev/null
  check "restore-db.sh brings odoo_prod back from the set" host_exec erp /opt/odoo-small/ops/restore-db.sh odoo_prod
  check "... with every row of the backup ($rows) and none after it" eq "$rows" \
    ex_sql odoo odoo_prod "SELECT count(*) FROM ir_standin_hits"
  host_docker erp start odoo-prod >/dev/null
  check "... and prod serves again" wait_for 60 "prod after the restore" eq 200 ex_status "$prod" /web/health
  check "a set restored from the Storage Box verifies" host_sh erp \
    ". /opt/odoo-small/ops/common.sh; restic_password; rm -rf /tmp/e2e-restore
     restic restore latest --target /tmp/e2e-restore >/dev/null
     cd \"\$(dirname \"\$(find /tmp/e2e-restore -name SHA256SUMS | head -n 1)\")\" && sha256sum -c --quiet SHA256SUMS && test -s db-odoo_prod.dump"
  end_scenario
}

# nc_dav PATH CURL-ARGS...: a WebDAV request as the admin through nginx.
nc_dav() {
  local path=$1
  shift
  in_inet curl -sS --max-time 20 --cacert "$ACME_DIR/roots.pem" --resolve "$NC_NAME:443:$EX_V4" \
    -u "admin:$(ex_env NEXTCLOUD_ADMIN_PASSWORD)" "$@" "https://$NC_NAME/remote.php/dav/files/admin/$path"
}
nc_get() { nc_dav "$1" -f; }
nc_code() { nc_dav "$1" -o /dev/null -w '%{http_code}' "${@:2}" || true; }
nc_upload_two() {
  echo "$(nc_code projekte/plan-a.txt -T "$E2E_STATE/plan-a.txt") $(nc_code projekte/render.bin -T "$E2E_STATE/render.bin")"
}
nc_rows() { ex_sql nextcloud nextcloud "SELECT count(*) FROM oc_filecache"; }

examples_nextcloud() {
  NC_NAME=cloud.weber-partner-architekten.de
  scenario "examples: nextcloud on a CX33, first boot to HTTPS"
  ex_up nextcloud cloud /opt/nextcloud https://git.example.com/weber/cloud-infra.git "$NC_NAME"
  check "status.php over HTTPS through nginx says installed" contains '"installed": true' \
    in_inet curl -sS --max-time 10 --cacert "$ACME_DIR/roots.pem" --resolve "$NC_NAME:443:$EX_V4" "https://$NC_NAME/status.php"
  check "install.sh formatted the files volume and mounted it by its label at /mnt/files" eq cloud-files ex_label /mnt/files
  check "... and the backups volume at /mnt/backups" eq cloud-backups ex_label /mnt/backups
  check "... each in /etc/fstab for the next boot" eq 2 host_sh cloud "grep -c -E '^LABEL=cloud-(files|backups) ' /etc/fstab"
  check "the installation belongs to www-data (33:33) in the directory install.sh made" eq "33:33 750" \
    host_exec cloud stat -c '%u:%g %a' /srv/nextcloud/html
  check "... and so does the data directory on the files volume's mount" eq "33:33 750" \
    host_exec cloud stat -c '%u:%g %a' /mnt/files/data
  check "a WebDAV upload without a login: 401" eq 401 nc_dav plan.txt -o /dev/null -w '%{http_code}' -u admin:wrong -T /etc/hostname
  printf 'Grundriss EG, Rev. C\n' > "$E2E_STATE/plan-a.txt"
  head -c 3000000 /dev/urandom > "$E2E_STATE/render.bin"
  check "the admin uploads two files over WebDAV (one 3 MB): 201 each" eq "201 201" nc_upload_two
  check "... which come back byte for byte" cmp <(nc_get projekte/render.bin) "$E2E_STATE/render.bin"
  check "... stored in the data volume's directory, as www-data" eq "33:33" \
    host_exec cloud stat -c '%u:%g' /mnt/files/data/admin/files/projekte/plan-a.txt
  check "... on the files volume, not the server's disk" eq /mnt/files \
    host_exec cloud findmnt -n -o TARGET --target /mnt/files/data/admin/files/projekte/render.bin
  check "... with a row each in PostgreSQL" eq 2 nc_rows
  check "install.sh again exits 0, the volumes kept as they are" ex_install
  check "... the files still there" cmp <(nc_get projekte/plan-a.txt) "$E2E_STATE/plan-a.txt"
  check "... through the Redis beside it (a lock per upload)" contains "+PONG" \
    host_docker cloud exec nextcloud python3 -c "import socket; s=socket.create_connection(('nextcloud-redis', 6379)); s.send(b'PING\r\n'); print(s.recv(16).decode())"
  end_scenario

  scenario "examples: nextcloud backup, offsite copy, restore of deleted files"
  check "the nightly backup runs" host_exec cloud systemctl start nextcloud-backup.service
  check "... its set holds the database dump, the installation and the files" host_sh cloud \
    'cd /mnt/backups/daily/latest && test -s db-nextcloud.dump && ls | grep -q html && test -s tree-files/data/admin/files/projekte/render.bin && sha256sum -c --quiet SHA256SUMS'
  ex_offsite nextcloud
  local today
  today=$(host_exec cloud date -u +%F)
  check "the admin deletes a file (WebDAV DELETE: 204)" eq 204 nc_code projekte/render.bin -X DELETE
  check "... it is gone from the data volume" fails host_exec cloud test -e /mnt/files/data/admin/files/projekte/render.bin
  check "... and from the database" eq 1 nc_rows
  # The local sets are lost too (a disk failure): the restore comes from the box.
  host_exec cloud rm -rf /mnt/backups/daily
  host_sh cloud 'cd /opt/nextcloud && docker compose stop nextcloud' >/dev/null 2>&1
  check "restore-tree.sh fetches today's files from the Storage Box onto the files volume" \
    host_exec cloud /opt/nextcloud/ops/restore-tree.sh files "$today" /mnt/files
  check "... the deleted file is back on the volume" host_exec cloud test -s /mnt/files/data/admin/files/projekte/render.bin
  check "restic brings back the set's database dump" host_sh cloud \
    ". /opt/nextcloud/ops/common.sh; restic_password; mkdir -p /mnt/backups/daily
     restic restore latest --target /mnt/backups/daily/restored >/dev/null
     set=\$(dirname \"\$(find /mnt/backups/daily/restored -name db-nextcloud.dump | head -n 1)\")
     mv \"\$set\" /mnt/backups/daily/$today && ln -sfn $today /mnt/backups/daily/latest"
  check "restore-db.sh brings the nextcloud database back" host_exec cloud /opt/nextcloud/ops/restore-db.sh nextcloud
  check "... with both files' rows" eq 2 nc_rows
  host_sh cloud 'cd /opt/nextcloud && docker compose start nextcloud' >/dev/null 2>&1
  check "nextcloud is healthy again" wait_for 90 "nextcloud healthy" eq healthy \
    host_docker cloud inspect -f '{{.State.Health.Status}}' nextcloud
  check "the deleted file downloads again, byte for byte" cmp <(nc_get projekte/render.bin) "$E2E_STATE/render.bin"
  end_scenario
}

examples_scenarios() {
  E2E_DIAGNOSE=ex_diagnose
  # The groups before are done: their hosts' memory and CPU go to the examples.
  local h
  for h in "$E2E_STATE"/hosts/*; do [ -d "$h" ] && host_stop "$(basename "$h")"; done
  ip netns list | awk '{ print $1 }' | grep -qx "$SBOX_NS" || sbox_up
  examples_odoo_small
  host_destroy erp
  examples_nextcloud
  host_destroy cloud
  ex_detach_volumes
}
