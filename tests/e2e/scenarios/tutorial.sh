# shellcheck shell=bash
# The README's tutorial ("a first blueprint, from nothing to a host"),
# followed as written by a new user: `gen init` in an empty git repository,
# `gen new --from websites shop`, the placeholders replaced (the SSH key:
# the domains stay under example.com, which the harness's DNS and load
# balancer serve), lint, build, check, commit; then step 6 on two simulated
# servers: cloud-init clones the repository, install.sh stops until .env
# holds the secrets, converges once it does, and both sites answer through
# the load balancer the Terraform JSON describes.
#
# Then day 2 of the user's project: a static site, a redirect and a
# container service with a data directory added to the blueprint, deployed the operator's way, served through the load
# balancer (whose managed certificate the Terraform JSON now extends).
#
# Runs after the websites reference, whose hosts and load balancer it
# removes first: the starter takes the same private addresses.

TUT_HOSTS=(web-1 web-2)
declare -A TUT_V4=([web-1]=203.0.113.21 [web-2]=203.0.113.22)
declare -A TUT_V6=([web-1]=2001:db8:1::21 [web-2]=2001:db8:1::22)
TUT_DIR=$E2E_STATE/project
TUT_REPO=https://git.example.com/ops/websites.git

tut_diagnose() {
  local h
  for h in "${TUT_HOSTS[@]}"; do
    [ -e "$(host_state "$h")/init.pid" ] || continue
    host_docker "$h" ps -a --format '{{.Names}} {{.Status}}' | grep -v -E 'Up .*\(healthy\)|Up [^()]*$' | head -5
  done
}

# tut_gen ARGS...: gen as the user runs it, in the project directory.
tut_gen() { (cd "$TUT_DIR" && "$GEN" "$@"); }

# tut_commit MESSAGE: blueprints and out/ committed together (step 5).
tut_commit() {
  git -C "$TUT_DIR" add -A &&
    git -C "$TUT_DIR" -c user.name=gen-e2e -c user.email=e2e@invalid commit -q -m "$1"
}

# tut_has_key HOST KEY-FILE: the admin `ops` on HOST has exactly that key.
tut_has_key() {
  eq "$(cat "$2")" host_exec "$1" grep -v '^#' /home/ops/.ssh/authorized_keys
}

tutorial_scenarios() {
  E2E_DIAGNOSE=tut_diagnose
  local h key=$E2E_STATE/tutorial-key
  # The websites reference leaves: its servers, load balancer and project.
  for h in "${WEB_HOSTS[@]}"; do host_destroy "$h"; done
  lb_down
  [ -n "$(ip netns list | grep -x "$PRIV_NS" || true)" ] || priv_up
  rm -rf "$TUT_DIR"

  scenario "tutorial: init, a starter, lint, build, check, commit (README steps 1-5)"
  mkdir -p "$TUT_DIR"
  check "git init && gen init" sh -c "git -C '$TUT_DIR' init -q -b main && cd '$TUT_DIR' && '$GEN' init"
  check "... wrote the schema, out/, a .gitignore keeping .env out, CI and pre-commit" \
    sh -c "cd '$TUT_DIR' && test -s schemas/blueprint.schema.json && test -d out && grep -qx '.env' .gitignore &&
      test -s .github/workflows/gen.yml && test -s .pre-commit-config.yaml"
  check "gen new --from websites shop" tut_gen new --from websites shop
  check "... whose \$schema line resolves in the project" \
    sh -c "cd '$TUT_DIR/blueprints' && test -s \"\$(sed -n '1s/.*\\\$schema=//p' shop.yaml)\""
  check "... and carries no customer data (every domain under example.com)" \
    eq "" sh -c "grep -v -E '^ *#|example\\.com' '$TUT_DIR/blueprints/shop.yaml' | grep -o -E '[a-z0-9-]+\\.(de|com|net|org|io)\\b' || true"
  # Step 2: the placeholders the user replaces. The SSH key is theirs.
  rm -f "$key" "$key.pub"
  ssh-keygen -q -t ed25519 -N '' -C tutorial -f "$key"
  sed -i "s|ssh-ed25519 .* replace-with-your-key|$(cat "$key.pub")|" "$TUT_DIR/blueprints/shop.yaml"
  check "gen lint --deny warnings: the edited starter has no diagnostic" tut_gen lint --deny warnings
  check "gen explain answers for a code the tutorial names" contains "W401" tut_gen explain W401
  check "gen build" tut_gen build
  check "... the report states the monthly total, net and gross" \
    grep -q -i 'gross' "$TUT_DIR/out/shop/report/index.html"
  check "gen plan" contains "web-1" tut_gen plan blueprints/shop.yaml
  check "git add -A && git commit" tut_commit "shop: first build"
  check "gen check: out/ is what the blueprint compiles to" tut_gen check
  check "... and the .gitignore kept no .env in git" eq "" git -C "$TUT_DIR" ls-files '*.env' '.env'
  end_scenario

  scenario "tutorial: the servers (README step 6)"
  WEB_TF=$TUT_DIR/out/shop/infra/main.tf.json
  for h in "${TUT_HOSTS[@]}"; do
    web_host_up "$h" "${TUT_V4[$h]}" "${TUT_V6[$h]}" "$(host_private_v4 "$h")" "$TUT_REPO" shop /opt/shop
  done
  for h in "${TUT_HOSTS[@]}"; do
    first_boot "$h" shop
    check "$h: cloud-init cloned the repository" host_exec "$h" test -x "/var/lib/gen/config/out/shop/hosts/$h/install.sh"
    check "$h: first boot stopped before .env: no container" eq "" host_docker "$h" ps -aq
    check "$h: ... and .env.example names the secrets to write" host_exec "$h" test -s /opt/shop/.env.example
    check "$h: the user's key logs in as ops" tut_has_key "$h" "$key.pub"
    web_deploy_code "$h"
    write_env "$h" /opt/shop
  done
  for h in "${TUT_HOSTS[@]}"; do
    check "$h: install.sh again, with .env, exits 0" host_exec "$h" "/var/lib/gen/config/out/shop/hosts/$h/install.sh"
  done
  for h in "${TUT_HOSTS[@]}"; do
    check "$h: all containers healthy within 240 s" wait_for 240 "healthy containers on $h" healthy_all "$h"
  done
  lb_up_managed "$WEB_TF" web-lb 10.0.1.200/24
  for h in "${TUT_HOSTS[@]}"; do
    check "$h passes the load balancer's health check" wait_for 30 "$h UP" eq UP lb_status https_targets "$h"
  done
  check "shop.example.com answers through the load balancer on both servers" both_serve shop /
  check "blog.example.com answers its /api/ route" contains '"route": "/api/hello"' site_get blog /api/hello
  check "ops logs in over SSH from the admin network with the user's key" \
    in_admin timeout 10 ssh -q -i "$key" -o BatchMode=yes -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null "ops@${TUT_V4[web-1]}" true
  end_scenario

  tutorial_day2
  # The same two servers rolled out with Ansible (scenarios/rollout.sh).
  tutorial_rollout
}

# tut_deploy: the project's newest commit pulled and installed on both servers.
tut_deploy() {
  local h
  for h in "${TUT_HOSTS[@]}"; do
    host_deploy "$h" shop "$E2E_STATE/tut-deploy-$h.log" || return 1
  done
}

# tut_location NAME PATH: the Location header of a request through the load balancer.
tut_location() {
  in_inet curl -sS --max-time 10 --cacert "$ACME_DIR/ca.pem" --resolve "$1:443:$LB_V4" -o /dev/null \
    -w '%{http_code} %{redirect_url}' "https://$1$2"
}

# tut_landing_both: four requests through the load balancer reach both
# servers' copy of the landing page.
tut_landing_both() {
  local i seen=""
  for i in 1 2 3 4; do
    seen+=$(in_inet curl -sS --max-time 10 --cacert "$ACME_DIR/ca.pem" \
      --resolve "landing.example.com:443:$LB_V4" https://landing.example.com/) || return 1
  done
  echo "$seen"
  grep -q 'landing on web-1' <<<"$seen" && grep -q 'landing on web-2' <<<"$seen"
}

# tut_counter_writes: a request to the counter service lands in its data
# directory on the host.
tut_counter_writes() {
  host_docker web-1 exec counter wget -q -O - http://127.0.0.1:3001/hello >/dev/null &&
    host_exec web-1 grep -qx /hello /srv/shop/counter/hits
}

# tut_counter_db SQL: SQL as the counter's role over the compose network
# (pg_hba's SCRAM rule), with the password the host's .env holds.
tut_counter_db() {
  local password
  password=$(host_exec web-1 sed -n 's/^COUNTER_DB_PASSWORD=//p' /opt/shop/.env)
  host_docker web-1 exec -e PGPASSWORD="$password" postgres psql -h postgres -U counter -d counter -tAc "$1"
}

# tut_counter_redis: a PING from the counter's container to its Redis.
tut_counter_redis() {
  host_docker web-1 exec counter node -e "
    const s = require('net').connect(6379, 'counter-redis', () => s.write('PING\\r\\n'));
    s.on('data', d => { process.stdout.write(d.toString()); process.exit(0); });
    setTimeout(() => process.exit(1), 3000);"
}

tutorial_day2() {
  scenario "tutorial: day 2, a static site, a redirect and a service added"
  cat >> "$TUT_DIR/blueprints/shop.yaml" <<'YAML'

static_sites:
  - {name: landing, hosts: [web-1, web-2], domains: [landing.example.com], expires: 1h}
redirects:
  - {from: [www.blog.example.com], to: blog.example.com, hosts: [web-1, web-2]}
# A container service of its own: counts requests into its data directory.
services:
  - name: counter
    host: web-1
    image: node:24-alpine
    port: 3001
    user: "1000:1000"
    command: [node, -e, "const fs=require('fs');require('http').createServer((q,r)=>{fs.appendFileSync('/data/hits',q.url+'\\n');r.end(fs.readFileSync('/data/hits','utf8').split('\\n').length-1+'\\n')}).listen(3001)"]
    volumes:
      - {source: /srv/shop/counter, target: /data, owner: "1000:1000"}
    database: {server: postgres, name: counter, user: counter, password_secret: COUNTER_DB_PASSWORD}
    redis: {memory: 32M}
    resources:
      limits: {cpus: 0.25, memory: 128M}
postgres:
  - name: postgres
    host: web-1
    image: postgres:16.10-alpine
    data_dir: /srv/shop/postgres
    password_secret: POSTGRES_PASSWORD
    resources:
      limits: {cpus: 0.5, memory: 512M}
secrets:
  - {name: POSTGRES_PASSWORD, description: password of the PostgreSQL superuser}
  - {name: COUNTER_DB_PASSWORD, description: password of the counter's database role}
YAML
  # A database on web-1 cannot come back within 15 minutes (E520, which
  # gen lint reports): the user states what the design gives.
  sed -i 's/^  rto: 15m$/  rto: 1h/' "$TUT_DIR/blueprints/shop.yaml"
  check "gen lint: no error (W401 says web-1's limits now overcommit its CPUs)" tut_gen lint
  check "gen build && commit" sh -c "cd '$TUT_DIR' && '$GEN' build >/dev/null && git add -A &&
    git -c user.name=gen-e2e -c user.email=e2e@invalid commit -q -m 'landing page, www.blog redirect'"
  check "the load balancer's certificate now names landing.example.com and www.blog.example.com" \
    sh -c "grep -q '\"landing.example.com\"' '$WEB_TF' && grep -q '\"www.blog.example.com\"' '$WEB_TF'"
  local h
  for h in "${TUT_HOSTS[@]}"; do
    # The operator's deploy of the files, where the blueprint says they live.
    host_sh "$h" "mkdir -p /srv/shop/static/landing && echo '<h1>landing on $h</h1>' > /srv/shop/static/landing/index.html"
  done
  # The operator adds the new secrets that .env.example now names.
  host_sh web-1 "printf 'POSTGRES_PASSWORD=e2e-pg-%s\nCOUNTER_DB_PASSWORD=e2e-it'\''s-%s\n' \$RANDOM \$RANDOM >> /opt/shop/.env"
  local before after
  before=$(container_states web-1)
  check "both servers pull and install" tut_deploy
  after=$(container_states web-1)
  check "... nginx is recreated with the files mounted" eq recreated fate nginx "$before" "$after"
  check "... the sites' containers are kept" eq kept fate shop-frontend "$before" "$after"
  # The managed certificate is the load balancer's: it is re-made from the new JSON.
  lb_down
  lb_up_managed "$WEB_TF" web-lb 10.0.1.200/24
  for h in "${TUT_HOSTS[@]}"; do
    check "$h passes the load balancer's health check" wait_for 30 "$h UP" eq UP lb_status https_targets "$h"
  done
  check "landing.example.com serves the operator's index.html from both servers" \
    wait_for 20 "the landing page from both servers" tut_landing_both
  check "... a missing file is 404" eq 404 \
    in_inet curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$ACME_DIR/ca.pem" \
    --resolve "landing.example.com:443:$LB_V4" https://landing.example.com/missing.html
  check "... with the blueprint's expires (Cache-Control max-age=3600)" contains "max-age=3600" \
    in_inet curl -sS -D - -o /dev/null --max-time 10 --cacert "$ACME_DIR/ca.pem" \
    --resolve "landing.example.com:443:$LB_V4" https://landing.example.com/
  check "www.blog.example.com redirects permanently to blog.example.com, path and query kept" \
    eq "301 https://blog.example.com/a/b?c=1" tut_location www.blog.example.com '/a/b?c=1'
  check "the service counter is healthy on web-1 (gen's health check on its port)" \
    wait_for 60 "counter healthy" eq healthy host_docker web-1 inspect -f '{{.State.Health.Status}}' counter
  check "... runs as 1000:1000 in the directory install.sh made for it" eq "1000:1000 750" \
    host_exec web-1 stat -c '%u:%g %a' /srv/shop/counter
  check "... and keeps its data there, on the host" tut_counter_writes
  check "... its database and role exist, with the password from .env (a quote in it too)" eq counter \
    tut_counter_db 'select current_user'
  tut_counter_db 'CREATE TABLE hits (n int); INSERT INTO hits VALUES (1)' >/dev/null
  check "... install.sh again exits 0" host_exec web-1 /var/lib/gen/config/out/shop/hosts/web-1/install.sh
  check "... and keeps the database with its rows" eq 1 tut_counter_db 'SELECT count(*) FROM hits'
  check "... its Redis answers it over the compose network" contains "+PONG" tut_counter_redis
  check "... with the blueprint's maxmemory (32M)" contains 33554432 \
    host_docker web-1 exec counter-redis redis-cli config get maxmemory
  check "the sites still answer" both_serve shop /
  end_scenario
}
