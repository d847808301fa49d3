# shellcheck shell=bash
# The rollout with Ansible (out/<project>/ansible/, README "Rolling out with
# Ansible"), on the tutorial's two servers once its day 2 is done: Debian's
# ansible-core on the admin network, over SSH as the user's admin `ops`
# with the user's key, the inventory's addresses from an extra-vars file as
# the README writes it. A blueprint change (the landing page's `expires`)
# is dry-run with --check (nothing on either host changes), then rolled
# out: one host after the other, each installed and healthy before the
# next is touched. Then a host whose install.sh fails (its .env moved
# away: install.sh exits 3) stops the rollout before the second host.
#
# Runs inside the tutorial group, reusing its hosts and load balancer.

ROLL_ADDRESSES=$E2E_STATE/rollout-addresses.yml
ROLL_TREE=/var/lib/gen/rollout/shop

# roll_playbook LOG [ARGS...]: the generated playbook from the admin
# network, as the operator runs it from out/shop/ansible/.
roll_playbook() {
  local log=$1 rc=0
  shift
  # 9>&-: ssh's ControlPersist masters must not hold the harness's lock.
  (cd "$TUT_DIR/out/shop/ansible" &&
    in_admin env ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=False \
      ansible-playbook -i inventory.yml rollout.yml -e "@$ROLL_ADDRESSES" \
      --private-key "$E2E_STATE/tutorial-key" "$@") >"$log" 2>&1 9>&- || rc=$?
  if [ $rc -ne 0 ]; then tail -n 30 "$log"; fi
  return $rc
}

# roll_state HOST: what a deploy would change on HOST: every file (with its
# change time) under the stack, the rollout's tree, /etc and /usr/local,
# and every container with its id and start time.
roll_state() {
  host_sh "$1" "find /opt/shop /var/lib/gen /etc /usr/local -xdev -printf '%p %C@ %s\n' 2>/dev/null | sort | sha256sum"
  container_states "$1"
}

# roll_ctime HOST PATH: PATH's change time on HOST, in nanoseconds.
roll_ctime() { host_exec "$1" python3 -c 'import os, sys; print(os.stat(sys.argv[1]).st_ctime_ns)' "$2"; }

# roll_expires HOST: the landing page's Cache-Control on HOST's nginx.
roll_expires() {
  host_exec "$1" curl -sS -o /dev/null -D - --max-time 5 -H 'Host: landing.example.com' "http://$(host_private_v4 "$1")/" |
    tr -d '\r' | sed -n 's/^[Cc]ache-[Cc]ontrol: //p'
}

# roll_in_order LOG: every line about web-1 comes before the first about
# web-2 (the recap aside): one host at a time.
roll_in_order() {
  awk '/^PLAY RECAP/ { exit } /\[web-1\]/ { last1 = NR } /\[web-2\]/ && !first2 { first2 = NR }
    END { if (!last1 || !first2 || last1 > first2) { print "web-1 last at " last1 ", web-2 first at " first2; exit 1 } }' "$1"
}

# roll_rebuild EXPIRES: the landing page's expires changed, built, committed.
roll_rebuild() {
  sed -i -E "s/(name: landing, .*expires: )[0-9]+h/\\1$1/" "$TUT_DIR/blueprints/shop.yaml"
  grep -q "expires: $1}" "$TUT_DIR/blueprints/shop.yaml" &&
    (cd "$TUT_DIR" && "$GEN" build >/dev/null 2>&1 && git add -A &&
      git -c user.name=gen-e2e -c user.email=e2e@invalid commit -q -m "landing: expires $1")
}

tutorial_rollout() {
  scenario "rollout: Ansible dry run, then one host at a time, stopping at the first failure"
  local h log=$E2E_STATE/rollout
  # The operator's addresses file (README: from `terraform output`).
  printf 'gen_addresses:\n  web-1: %s\n  web-2: %s\n' "${TUT_V4[web-1]}" "${TUT_V4[web-2]}" >"$ROLL_ADDRESSES"
  check "ansible-inventory lists both servers with their private addresses" \
    contains '"private_ip": "10.0.1.12"' sh -c "cd '$TUT_DIR/out/shop/ansible' && ansible-inventory -i inventory.yml --list"
  check "the landing page's expires changed to 2h, built and committed" roll_rebuild 2h
  declare -A before
  for h in "${TUT_HOSTS[@]}"; do before[$h]=$(roll_state "$h"); done

  check "ansible-playbook --check over SSH succeeds on both servers" roll_playbook "$log-check.log" --check
  check "... and reports the files it would copy" contains "changed: [web-2]" cat "$log-check.log"
  for h in "${TUT_HOSTS[@]}"; do
    check "$h: the dry run changed nothing (files, change times, containers)" eq "${before[$h]}" roll_state "$h"
  done
  check "... web-1 still serves max-age=3600" eq "max-age=3600" roll_expires web-1

  local t0
  t0=$(date +%s)
  check "ansible-playbook rolls the change out over SSH" roll_playbook "$log.log"
  log "  rollout of both servers took $(($(date +%s) - t0)) s"
  check "... one host at a time: every task on web-1 before the first on web-2" roll_in_order "$log.log"
  check "... web-2's tree arrived after web-1's install.sh had copied the change" \
    test "$(roll_ctime web-2 "$ROLL_TREE/MODES")" -gt \
    "$(roll_ctime web-1 /opt/shop/nginx/conf.d/static-landing.conf)"
  for h in "${TUT_HOSTS[@]}"; do
    check "$h: install.sh ran from the rollout's tree: the change is served (max-age=7200)" \
      eq "max-age=7200" roll_expires "$h"
    check "$h: every container healthy" healthy_all "$h"
    check "$h: the load balancer calls it healthy" eq UP lb_status https_targets "$h"
  done
  check "the git checkout cloud-init cloned is left as it was (no local change)" \
    eq "" host_exec web-1 git -C /var/lib/gen/config status --porcelain

  # web-1 fails: its .env is gone, so install.sh stops with exit 3.
  check "the landing page's expires changed to 3h, built and committed" roll_rebuild 3h
  local web2_tree
  web2_tree=$(roll_ctime web-2 "$ROLL_TREE/MODES")
  host_exec web-1 mv /opt/shop/.env /opt/shop/.env.away
  check "with web-1's install.sh failing, the rollout fails" fails roll_playbook "$log-fail.log"
  check "... at web-1's install.sh (exit 3: .env missing)" contains '"rc": 3' cat "$log-fail.log"
  check "... and never touched web-2: its tree is the one before" eq "$web2_tree" roll_ctime web-2 "$ROLL_TREE/MODES"
  check "... nor a task on web-2" fails grep -q '\[web-2\]' "$log-fail.log"
  check "... web-2 still serves the previous change (max-age=7200)" eq "max-age=7200" roll_expires web-2
  host_exec web-1 mv /opt/shop/.env.away /opt/shop/.env
  check "with .env back, the rollout converges both servers" roll_playbook "$log-again.log"
  for h in "${TUT_HOSTS[@]}"; do
    check "$h: serves max-age=10800" eq "max-age=10800" roll_expires "$h"
  done
  end_scenario
}
