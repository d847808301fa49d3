# shellcheck shell=bash
# Day 2 of the websites reference, on the two running hosts of websites.sh
# behind the load balancer: a site removed and added back, with an nginx
# option changed in the same deploy, rolled out the operator's way (edit,
# gen build, commit, each host pulls and runs install.sh); then both hosts'
# firewalls probed with nmap from the internet (IPv4 and IPv6), the admin
# network and the load balancer, against the exposure table of `gen plan`.

# web_deploy [SED-EXPR...]: the reference blueprint with the edits, built,
# committed, pulled and installed on every host; install.sh's output of host
# H is in $E2E_STATE/web-deploy-H.log.
web_deploy() {
  project_build hetzner-websites "$@" || return 1
  local h rc=0
  for h in "${WEB_HOSTS[@]}"; do
    host_deploy "$h" hetzner-websites "$E2E_STATE/web-deploy-$h.log" || rc=$?
  done
  return $rc
}

websites_day2_remove_add() {
  scenario "websites: day 2, a site removed and added back, an nginx option changed"
  local h
  declare -A before after
  for h in "${WEB_HOSTS[@]}"; do before[$h]=$(container_states "$h"); done
  check "both hosts deploy the blueprint without site-25 and with max_body 12M" \
    web_deploy '/name: site-25,/d' 's|^  max_body: 10M$|  max_body: 12M|'
  for h in "${WEB_HOSTS[@]}"; do
    after[$h]=$(container_states "$h")
    check "$h: site-25's containers are gone" eq "removed removed" echo \
      "$(fate site-25-backend "${before[$h]}" "${after[$h]}") $(fate site-25-frontend "${before[$h]}" "${after[$h]}")"
    check "$h: ... its vhost is gone" host_exec "$h" test ! -e "$WEB_STACK/nginx/conf.d/site-site-25.conf"
    check "$h: ... its code is kept, and install.sh said so" contains "kept /srv/websites/site-25/backend" \
      cat "$E2E_STATE/web-deploy-$h.log"
    check "$h: nginx kept its container (a reload)" eq kept fate nginx "${before[$h]}" "${after[$h]}"
    check "$h: ... and serves the new client_max_body_size" contains "client_max_body_size 12m" \
      host_docker "$h" exec nginx nginx -T
    check "$h: the other sites' containers are untouched" eq "kept kept" echo \
      "$(fate site-01-backend "${before[$h]}" "${after[$h]}") $(fate site-24-frontend "${before[$h]}" "${after[$h]}")"
    check "$h: still passes the load balancer's health check" eq UP lb_status https_targets "$h"
  done
  check "site-01 answers on both hosts" both_serve site-01 /
  check "site-25 no longer answers" fails eq 200 site_status site-25 /
  check "adding site-25 back deploys on both hosts" web_deploy
  for h in "${WEB_HOSTS[@]}"; do
    check "$h: site-25 healthy again" wait_for 90 "site-25 on $h" healthy_all "$h"
  done
  check "site-25 answers on both hosts, from its kept code" wait_for 30 "site-25 back" both_serve site-25 /
  end_scenario
}

websites_day2_firewall() {
  scenario "websites: day 2, the firewall probed from the internet, the admin network and the load balancer"
  local h internet admin lb listening scope
  for h in "${WEB_HOSTS[@]}"; do
    internet=$(exposure_ports hetzner-websites "$h" internet)
    admin=$(exposure_ports hetzner-websites "$h" admin)
    lb=$(exposure_ports hetzner-websites "$h" lb)
    listening=$(listening_ports "$h")
    # Every port on the first host; the second, built from the same files,
    # on the ports anything listens on.
    scope=
    [ "$h" = "${WEB_HOSTS[0]}" ] || scope=$listening
    check "$h from the internet, IPv4, ${scope:-every port}: ${internet:-none}" eq "$internet" \
      open_ports "$INET_NS" "${WEB_V4[$h]}" "$scope"
    check "$h from the internet, IPv6, ${scope:-every port}: ${internet:-none}" eq "$internet" \
      open_ports "$INET_NS" "${WEB_V6[$h]}" "$scope"
    check "$h from the admin network: $admin (of $listening listening)" eq "$admin" \
      open_ports "$ADMIN_NS" "${WEB_V4[$h]}" "$listening"
    check "$h from the load balancer, private address: $lb" eq "$lb" \
      open_ports "$LB_NS" "$(host_private_v4 "$h")" "$listening"
  done
  end_scenario
}

websites_day2_scenarios() {
  websites_day2_remove_add
  websites_day2_firewall
}
