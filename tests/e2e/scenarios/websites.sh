# shellcheck shell=bash
# Day 0 of the websites reference (blueprints/hetzner-websites.yaml): 25
# sites, each a FastAPI backend and a Node frontend, on two cloud servers
# (app-1, app-2) behind the load balancer `web-lb`, which terminates TLS and
# reaches nginx over the private network 10.0.1.0/24. The load balancer is
# HAProxy configured from the generated Terraform JSON (lib/lb.sh).
#
# Each site's code is the operator's, deployed into the app directories the
# blueprint names: the harness puts a small FastAPI module (its routes: /health
# and /api/hello) and a Node server (package.json with `npm start`) there.

WEB_HOSTS=(app-1 app-2)
declare -A WEB_V4=([app-1]=203.0.113.11 [app-2]=203.0.113.12)
declare -A WEB_V6=([app-1]=2001:db8:1::11 [app-2]=2001:db8:1::12)
WEB_STACK=/opt/websites
WEB_TF=$E2E_STATE/project/out/hetzner-websites/infra/main.tf.json

web_diagnose() {
  local h
  for h in "${WEB_HOSTS[@]}"; do
    host_docker "$h" ps -a --format '{{.Names}} {{.Status}}' | grep -v -E 'Up .*\(healthy\)|Up [^()]*$' | head -5
  done
  if [ -S "$E2E_STATE/lb/admin.sock" ]; then
    echo "load balancer: app-1 $(lb_status https_targets app-1), app-2 $(lb_status https_targets app-2)"
  fi
}

# host_private_v4 HOST: HOST's address on the private network, from the Terraform JSON.
host_private_v4() {
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["resource"]["hcloud_server"][sys.argv[2]]["network"][0]["ip"])' \
    "$WEB_TF" "$1"
}

# The site's code, where the blueprint's app_dir says it lives.
web_deploy_code() {
  local h=$1
  host_sh "$h" '
    for site_dir in /srv/websites/*/; do
      site=$(basename "$site_dir")
      mkdir -p "$site_dir/backend" "$site_dir/frontend"
      cat > "$site_dir/backend/main.py" <<PY
from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/api/hello")
def hello():
    return {"site": "$site"}
PY
      cat > "$site_dir/frontend/package.json" <<JSON
{"name": "$site-frontend", "private": true, "scripts": {"start": "node server.js"}}
JSON
      cat > "$site_dir/frontend/server.js" <<JS
const http = require("http");
http.createServer((req, res) => {
  res.setHeader("content-type", "text/plain");
  res.end("frontend $site via " + (req.headers["x-forwarded-proto"] || "?") + " for " + (req.headers["x-forwarded-for"] || "?") + "\\n");
}).listen(3000);
JS
    done'
}

# site_get SITE PATH [CURL-ARGS...]: a request through the load balancer.
site_get() {
  local site=$1 path=$2
  shift 2
  in_inet curl -sS --max-time 10 --cacert "$ACME_DIR/ca.pem" --resolve "$site.example.com:443:$LB_V4" "$@" \
    "https://$site.example.com$path"
}
site_status() { site_get "$1" "$2" -o /dev/null -w '%{http_code}' || true; }

# every_host_serves SITE: with round robin, two requests reach both hosts.
both_serve() {
  local i
  for i in 1 2 3 4; do
    [ "$(site_status "$1" "$2")" = 200 ] || return 1
  done
}

websites_scenarios() {
  E2E_DIAGNOSE=web_diagnose
  project_build hetzner-websites
  priv_up
  local h
  for h in "${WEB_HOSTS[@]}"; do
    web_host_up "$h" "${WEB_V4[$h]}" "${WEB_V6[$h]}" "$(host_private_v4 "$h")" \
      https://git.example.com/ops/websites-infra.git hetzner-websites "$WEB_STACK"
  done

  scenario "websites: first boot converges on both hosts"
  local t0
  for h in "${WEB_HOSTS[@]}"; do
    first_boot "$h" hetzner-websites
    check "$h: first boot without .env started nothing" eq "" host_docker "$h" ps -aq
    check "$h: the site directories exist for the operator's code" host_exec "$h" test -d /srv/websites/site-01/frontend
    web_deploy_code "$h"
    write_env "$h" "$WEB_STACK"
  done
  t0=$(date +%s)
  for h in "${WEB_HOSTS[@]}"; do
    check "$h: install.sh with .env exits 0" host_exec "$h" "/var/lib/gen/config/out/hetzner-websites/hosts/$h/install.sh"
  done
  for h in "${WEB_HOSTS[@]}"; do
    check "$h: all containers healthy within 240 s" wait_for 240 "healthy containers on $h" healthy_all "$h"
  done
  log "  both hosts healthy $(($(date +%s) - t0)) s after the first install.sh started"
  end_scenario

  scenario "websites: the load balancer from the Terraform JSON"
  lb_up_managed "$WEB_TF" web-lb 10.0.1.200/24
  for h in "${WEB_HOSTS[@]}"; do
    check "$h passes the load balancer's health check (path and port from the JSON)" \
      wait_for 30 "$h UP" eq UP lb_status https_targets "$h"
  done
  check "a site's frontend answers through the load balancer on both hosts" both_serve site-01 /
  check "a site's backend answers its /api/ route" contains '"route": "/api/hello"' site_get site-07 /api/hello
  check "HTTP is redirected to HTTPS by the load balancer" eq "301" \
    in_inet curl -s -o /dev/null -w '%{http_code}' --resolve "site-01.example.com:80:$LB_V4" http://site-01.example.com/
  check "the application sees https and the client's address" contains "via https for $INET_V4" site_get site-03 /
  check "nginx logs the client's real address, not the load balancer's" contains "$INET_V4 - - " \
    host_exec app-1 sh -c "cat $(printf '%s' /var/log/websites/nginx/access.log)"
  check "nginx is not reachable on the servers' public addresses" fails \
    in_inet curl -s -o /dev/null --max-time 3 "http://${WEB_V4[app-1]}/health"
  end_scenario

  scenario "websites: one sick site cannot take the others down"
  host_docker app-1 stop site-05-frontend >/dev/null
  check "site-05's frontend stopped on app-1: site-06 still answers on both hosts" both_serve site-06 /
  check "... app-1 still passes the load balancer's health check" eq UP lb_status https_targets app-1
  check "... nginx on app-1 reloads" host_docker app-1 exec nginx sh -c 'nginx -t && nginx -s reload'
  check "... and restarts" host_docker app-1 restart nginx
  check "... and serves site-06 again" wait_for 30 "site-06 after restart" both_serve site-06 /
  host_docker app-1 start site-05-frontend >/dev/null
  check "site-05 back on both hosts" wait_for 30 "site-05 back" both_serve site-05 /
  end_scenario

  websites_day2_scenarios
}
