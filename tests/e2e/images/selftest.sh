#!/usr/bin/env bash
# Runs the images from build.sh the way the generated compose file of
# out/odoo-dedicated runs them (the real file, unmodified, plus an override)
# against DOCKER_HOST, and checks each service's contract.
#
#   DOCKER_HOST=unix:///some.sock tests/e2e/images/selftest.sh
#
# The override (written to the work directory) only:
#   - caps deploy.resources CPUs at 1 (limits above the machine's CPU count fail)
#   - maps the absolute host paths (/mnt/odoo-data/..., /etc/letsencrypt, ...)
#     into the work directory, by container target path
#   - replaces the published ports by loopback ports SELFTEST_HTTP_PORT /
#     SELFTEST_HTTPS_PORT / SELFTEST_PROM_PORT (default 18080/18443/19090)
#   - shortens health-check intervals to 3 s (the test commands are unchanged)
#     and drops start_interval on engines older than 25, which refuse it
#   - drops rslave from node_exporter's / mount when / is a private mount
# Environment: GEN_E2E_CACHE (compose plugin), SELFTEST_WORK (default: mktemp),
# SELFTEST_KEEP=1 leaves the stack running.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
CACHE=${GEN_E2E_CACHE:-/var/cache/gen-e2e}
DOCKER=${DOCKER:-/usr/bin/docker}
: "${DOCKER_HOST:?set DOCKER_HOST to the engine that holds the images}"
export DOCKER_HOST
HTTP_PORT=${SELFTEST_HTTP_PORT:-18080}
HTTPS_PORT=${SELFTEST_HTTPS_PORT:-18443}
PROM_PORT=${SELFTEST_PROM_PORT:-19090}
src="$repo/out/odoo-dedicated/hosts/ax52/rootfs/opt/odoo"
compose_bin="$CACHE/cli-plugins/docker-compose"   # compose v2 runs standalone too
[[ -x $compose_bin ]] || { echo "selftest: $compose_bin missing: run build.sh first" >&2; exit 1; }

t0=$(date +%s)
work=${SELFTEST_WORK:-$(mktemp -d /tmp/gen-e2e-selftest.XXXXXX)}
stack="$work/odoo"   # the compose project name is the directory's name, as on the host
failures=0
pass() { echo "  ok   $*"; }
fail() { echo "  FAIL $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what"; fi; }

compose() { "$compose_bin" --project-directory "$stack" -f "$stack/docker-compose.yml" -f "$work/override.yml" "$@"; }

cleanup() {
  local rc=$?
  if [[ $rc != 0 || $failures != 0 ]]; then
    echo "--- container states and last log lines"
    compose ps -a 2>/dev/null || true
    for c in postgres odoo-prod odoo-test odoo-dev nginx prometheus node_exporter cadvisor; do
      echo "--- $c"; "$DOCKER" logs --tail 15 "$c" 2>&1 || true
    done
  fi
  if [[ ${SELFTEST_KEEP:-0} != 1 ]]; then
    compose down -v --remove-orphans >/dev/null 2>&1 || true
    rm -rf "$work"
  else
    echo "selftest: stack left running; work directory $work"
  fi
}
trap cleanup EXIT

echo "==> staging $src in $work"
if [[ -f $work/override.yml && -f $stack/docker-compose.yml ]]; then
  compose down -v --remove-orphans >/dev/null 2>&1 || true   # a kept earlier run
fi
rm -rf "$stack" "$work/host"
mkdir -p "$stack" "$work/host"
cp -a "$src/." "$stack/"
pg_password="pg-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
cat >"$stack/.env" <<EOF
ODOO_ADMIN_PASSWD=admin-selftest
POSTGRES_PASSWORD=$pg_password
RESTIC_PASSWORD=unused
TELEGRAM_BOT_TOKEN=unused
EOF
chmod 0600 "$stack/.env"
"$stack/odoo/render-config.sh" >/dev/null   # the generated script writes odoo/<env>.conf

# Host paths. Odoo's data dirs belong to uid 101 (the image's odoo user);
# nothing in the generated files creates them (see the report).
h="$work/host"
mkdir -p "$h/odoo-data/prod" "$h/odoo-data/test" "$h/odoo-data/dev" "$h/odoo-data/postgres" \
  "$h/building-plans" "$h/certbot" "$h/textfile" "$h/docker" "$h/disk"
chown 101:101 "$h/odoo-data/prod" "$h/odoo-data/test" "$h/odoo-data/dev"
for d in odoo.becker-sicherheit.de odoo-test.becker-sicherheit.de odoo-dev.becker-sicherheit.de; do
  mkdir -p "$h/letsencrypt/live/$d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$d" \
    -keyout "$h/letsencrypt/live/$d/privkey.pem" -out "$h/letsencrypt/live/$d/fullchain.pem" 2>/dev/null
done
mkdir -p "$stack/nginx/auth"

# node_exporter mounts / with rslave propagation, which Docker refuses unless /
# is a shared or slave mount (it is on a systemd host; often not in a sandbox):
# then the override drops rslave, and says so.
root_shared=0
if findmnt -no PROPAGATION / | grep -Eq 'shared|slave'; then root_shared=1; else
  echo "selftest: / is a private mount here: node_exporter gets /:/host:ro without rslave"
fi

# Health checks every 3 s. The generated file may set start_interval, which
# compose refuses outright below Docker Engine 25 (API 1.44): then the
# override resets it, and says so.
hc='{interval: 3s}'
api=$("$DOCKER" version --format '{{.Server.APIVersion}}')
if [[ $(printf '%s\n' "$api" 1.44 | sort -V | head -n 1) != 1.44 ]] && grep -q 'start_interval:' "$stack/docker-compose.yml"; then
  hc='{interval: 3s, start_interval: !reset null}'
  echo "selftest: engine API $api < 1.44 (Engine 25): the override drops healthcheck.start_interval"
fi

odoo_env() { cat <<EOF
  $1:
    volumes:
      - "$h/odoo-data/$2:/var/lib/odoo"
$( [[ $2 == prod ]] && echo "      - \"$h/building-plans:/mnt/building-plans:ro\"" )
    healthcheck: $hc
    deploy: {resources: {limits: {cpus: "1.0"}, reservations: {cpus: "0.1"}}}
EOF
}
cat >"$work/override.yml" <<EOF
# selftest override: CPU caps, host paths in the work directory, loopback ports, fast health checks
services:
$(odoo_env odoo-prod prod)
$(odoo_env odoo-test test)
$(odoo_env odoo-dev dev)
  postgres:
    volumes:
      - "$h/odoo-data/postgres:/var/lib/postgresql/data"
    healthcheck: $hc
    deploy: {resources: {limits: {cpus: "1.0"}, reservations: {cpus: "0.1"}}}
  nginx:
    ports: !override
      - "127.0.0.1:$HTTP_PORT:80"
      - "127.0.0.1:$HTTPS_PORT:443"
    volumes:
      - "$h/letsencrypt:/etc/letsencrypt:ro"
      - "$h/certbot:/var/www/certbot:ro"
    healthcheck: $hc
    deploy: {resources: {limits: {cpus: "1.0"}, reservations: {cpus: "0.1"}}}
  prometheus:
    ports: !override
      - "127.0.0.1:$PROM_PORT:9090"
    healthcheck: $hc
  node_exporter:
    volumes:
      - "$h/textfile:/textfile:ro"
$( [[ $root_shared == 1 ]] || echo '      - "/:/host:ro"' )
    healthcheck: $hc
  cadvisor:
    volumes:
      - "$h/docker:/var/lib/docker:ro"
      - "$h/disk:/dev/disk:ro"
    healthcheck: $hc
EOF

echo "==> compose up"
compose down -v --remove-orphans >/dev/null 2>&1 || true
t_up=$(date +%s)
if ! compose up -d --wait --wait-timeout 180; then
  fail "compose up --wait: every service healthy"
  exit 1
fi
pass "compose up --wait: every service healthy ($(( $(date +%s) - t_up ))s)"

dx() { "$DOCKER" exec "$@"; }
health() { "$DOCKER" inspect -f '{{.State.Health.Status}}' "$1"; }

echo "==> postgres"
[[ $(health postgres) == healthy ]] && pass "postgres healthy" || fail "postgres healthy"
check "pg_isready -U odoo -d postgres" dx postgres pg_isready -U odoo -d postgres
check "runs as uid 70" test "$(dx postgres sh -c 'ps -o uid= -p 1' | tr -d ' ')" = 70
check "data dir owned by uid 70, mode 700" test "$(stat -c %u:%a "$h/odoo-data/postgres")" = 70:700
check "the generated postgresql.conf is in effect (max_connections 150)" \
  test "$(dx postgres psql -XAt -U odoo -d postgres -c 'show max_connections')" = 150
check "the generated pg_hba.conf is in effect" \
  test "$(dx postgres psql -XAt -U odoo -d postgres -c 'show hba_file')" = /etc/postgresql/pg_hba.conf
pycon='import psycopg2,sys; psycopg2.connect(host="postgres", user="odoo", password=sys.argv[1], dbname="postgres").close()'
check "role odoo accepted over the network with the password (scram)" dx odoo-prod python3 -c "$pycon" "$pg_password"
if dx odoo-prod python3 -c "$pycon" wrong-password >/dev/null 2>&1; then fail "a wrong password is refused"; else pass "a wrong password is refused"; fi
for b in pg_dump pg_restore psql pg_isready; do
  check "$b on PATH" dx postgres bash -c "command -v $b"
done

echo "==> odoo stand-in"
for e in prod test dev; do
  [[ $(health odoo-$e) == healthy ]] && pass "odoo-$e healthy" || fail "odoo-$e healthy"
  check "odoo-$e /web/health 200 via the container network" \
    dx nginx wget -q -O /dev/null "http://odoo-$e:8069/web/health"
done
check "odoo runs as uid 101" test "$(dx odoo-prod sh -c 'ps -o uid= -p 1' | tr -d ' ')" = 101
login_headers=$(dx nginx wget -S -q -O /dev/null http://odoo-prod:8069/web/login 2>&1 || true)
check "/web/login sets session_id" grep -q 'Set-Cookie: session_id=' <<<"$login_headers"
check "session file in the bind-mounted data dir, owned by 101" \
  test -n "$(find "$h/odoo-data/prod/sessions" -type f -uid 101 | head -n 1)"
check "filestore/odoo_prod created, owned by 101" test "$(stat -c %u "$h/odoo-data/prod/filestore/odoo_prod")" = 101
check "a row per login in odoo_prod.ir_standin_hits" \
  test "$(dx postgres psql -XAt -U odoo -d odoo_prod -c 'select count(*) from ir_standin_hits')" -ge 1
check "database manager refused in prod (list_db = False): 403" \
  bash -c "'$DOCKER' exec nginx wget -S -q -O /dev/null http://odoo-prod:8069/web/database/manager 2>&1 | grep -q ' 403 '"
check "database manager open in dev (list_db = True)" \
  dx nginx wget -q -O /dev/null http://odoo-dev:8069/web/database/manager
check "workers > 0: gevent port 8072 open" dx nginx wget -q -O /dev/null http://odoo-prod:8072/web/health

echo "==> nginx"
[[ $(health nginx) == healthy ]] && pass "nginx healthy" || fail "nginx healthy"
check "/health on the published port" curl -fsS "http://127.0.0.1:$HTTP_PORT/health"
check "runs workers as user nginx" bash -c "'$DOCKER' exec nginx ps -o user= -C nginx | grep -qx nginx"
resolve=(--resolve "odoo.becker-sicherheit.de:$HTTPS_PORT:127.0.0.1")
hdrs=$(curl -ksS -D - -o /dev/null "${resolve[@]}" -H 'X-Forwarded-For: 203.0.113.9' \
  "https://odoo.becker-sicherheit.de:$HTTPS_PORT/web/login" || true)
check "https odoo.becker-sicherheit.de/web/login -> odoo-prod 200" grep -q '^HTTP/[0-9.]* 200' <<<"$hdrs"
check "odoo sees scheme https through proxy_mode" grep -qi '^X-Standin-Scheme: https' <<<"$hdrs"
check "odoo sees host odoo.becker-sicherheit.de" grep -qi '^X-Standin-Host: odoo.becker-sicherheit.de' <<<"$hdrs"
remote=$(grep -i '^X-Standin-Remote:' <<<"$hdrs" | tr -d '\r' | cut -d' ' -f2 || true)
check "odoo sees the client ($remote: nginx's X-Forwarded-For hop), not the spoofed 203.0.113.9" \
  test -n "$remote" -a "$remote" != 203.0.113.9
ws=$(python3 - "$HTTPS_PORT" <<'PY'
import base64, os, socket, ssl, sys
port = int(sys.argv[1])
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="odoo.becker-sicherheit.de")
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(("GET /websocket HTTP/1.1\r\nHost: odoo.becker-sicherheit.de\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % key).encode())
buf = b""
while b"\r\n\r\n" not in buf:
    buf += s.recv(4096)
head, rest = buf.split(b"\r\n\r\n", 1)
print(head.split(b"\r\n")[0].decode())
msg = b"hello"
mask = os.urandom(4)
s.sendall(bytes([0x81, 0x80 | len(msg)]) + mask + bytes(c ^ mask[i % 4] for i, c in enumerate(msg)))
while len(rest) < 2 + len(msg):
    rest += s.recv(4096)
print(rest[2:2 + len(msg)].decode())
PY
) || true
check "websocket through nginx to the gevent port: 101" grep -q ' 101 ' <<<"$ws"
check "websocket echoes a text frame" grep -qx hello <<<"$ws"
check "unknown host name over TLS is rejected (ssl_reject_handshake)" \
  bash -c "! curl -ksS -o /dev/null --resolve unknown.example:$HTTPS_PORT:127.0.0.1 https://unknown.example:$HTTPS_PORT/"

echo "==> monitoring"
for c in prometheus node_exporter cadvisor; do
  [[ $(health $c) == healthy ]] && pass "$c healthy" || fail "$c healthy"
done
check "prometheus /-/healthy on the published loopback port" curl -fsS "http://127.0.0.1:$PROM_PORT/-/healthy"
check "prometheus runs as nobody" test "$(dx prometheus id -u)" = 65534
check "node_exporter /metrics has node_ metrics" \
  bash -c "'$DOCKER' exec node_exporter wget -q -O - http://127.0.0.1:9100/metrics | grep -q '^node_'"
check "node_exporter runs as nobody" test "$(dx node_exporter id -u)" = 65534
check "cadvisor stand-in /metrics" \
  bash -c "'$DOCKER' exec cadvisor wget -q -O - http://127.0.0.1:8080/metrics | grep -q '^container_last_seen'"

echo "==> backup tools (as ops/backup.sh runs them with docker exec)"
check "pg_dump | pg_restore --list of odoo_prod" \
  bash -c "'$DOCKER' exec postgres pg_dump -U odoo --format=custom --dbname=odoo_prod | '$DOCKER' exec -i postgres pg_restore --list >/dev/null"

echo "==> node:22-alpine and the FastAPI stand-in (as out/hetzner-websites runs them)"
if "$DOCKER" image inspect node:22-alpine >/dev/null 2>&1; then
  check "node: an option as first argument runs node" \
    test "$("$DOCKER" run --rm node:22-alpine -e 'console.log(6*7)')" = 42
  check "node: npm on PATH" "$DOCKER" run --rm node:22-alpine npm --version
  check "node: global fetch (the generated health check uses it)" \
    "$DOCKER" run --rm node:22-alpine node -e "process.exit(typeof fetch === 'function' ? 0 : 1)"
else
  echo "  skip node:22-alpine is not built"
fi
if "$DOCKER" image inspect tiangolo/uvicorn-gunicorn-fastapi:python3.11 >/dev/null 2>&1; then
  "$DOCKER" run -d --name fastapi-selftest -e MAX_WORKERS=1 -e MODULE_NAME=main -e VARIABLE_NAME=app \
    tiangolo/uvicorn-gunicorn-fastapi:python3.11 >/dev/null
  hc="import urllib.request; urllib.request.urlopen('http://127.0.0.1:80/health', timeout=4)"
  for _ in $(seq 1 20); do dx fastapi-selftest python3 -c "$hc" >/dev/null 2>&1 && break; sleep 0.5; done
  check "fastapi stand-in: the generated health check passes" dx fastapi-selftest python3 -c "$hc"
  "$DOCKER" rm -f fastapi-selftest >/dev/null
else
  echo "  skip tiangolo/uvicorn-gunicorn-fastapi:python3.11 is not built"
fi

echo "==> odoo stand-in: start-up contract (docker run on the stack network)"
conf() {  # conf NAME SED-EXPR: a variant of the rendered prod.conf
  sed -e "$2" "$stack/odoo/prod.conf" >"$work/$1.conf"; chmod 0644 "$work/$1.conf"
}
mkdir -p "$h/odoo-scratch" "$h/odoo-rootowned"; chown 101:101 "$h/odoo-scratch"
# odoo_run [--raw] CONF DATA_DIR ARGS...: one-off container, output on stdout.
# --raw runs /usr/bin/odoo without the entrypoint, whose --db_* arguments
# come last and so win over any given here (as in the official image).
odoo_run() {
  local raw=()
  if [[ $1 == --raw ]]; then raw=(--entrypoint /usr/bin/odoo); shift; fi
  local c=$1 d=$2; shift 2
  "$DOCKER" run --rm --network odoo_stack -e HOST=postgres -e PORT=5432 -e USER=odoo \
    -e PASSWORD="$pg_password" -v "$work/$c.conf:/etc/odoo/odoo.conf:ro" -v "$d:/var/lib/odoo" \
    "${raw[@]}" odoo:17.0 "$@" 2>&1
}
expect_fail() {  # expect_fail WHAT PATTERN CONF DATA_DIR ARGS...
  local what=$1 pattern=$2 out; shift 2
  if out=$(odoo_run "$@"); then fail "$what: exited 0"; return; fi
  if grep -q -- "$pattern" <<<"$out"; then pass "$what"; else fail "$what: no '$pattern' in: $out"; fi
}
conf good 's/^db_name = .*/db_name = odoo_scratch/'
check "--stop-after-init with a good config exits 0 (and creates db_name)" \
  odoo_run good "$h/odoo-scratch" odoo --stop-after-init
check "... database odoo_scratch exists" \
  test "$(dx postgres psql -XAt -U odoo -d postgres -c "select count(*) from pg_database where datname='odoo_scratch'")" = 1
conf badint 's/^workers = .*/workers = ten/'
expect_fail "bad integer in the config fails" "invalid integer value" badint "$h/odoo-scratch" odoo --stop-after-init
conf badbool 's/^proxy_mode = .*/proxy_mode = yes/'
expect_fail "bad boolean in the config fails" "invalid boolean value" badbool "$h/odoo-scratch" odoo --stop-after-init
expect_fail "a data_dir not writable by uid 101 fails" "Permission denied" good "$h/odoo-rootowned" odoo --stop-after-init
expect_fail "db_user postgres is refused, as Odoo does" "security risk" --raw good "$h/odoo-scratch" --stop-after-init --db_host postgres --db_user postgres
t_nodb=$(date +%s)
expect_fail "an unreachable PostgreSQL fails after retrying" "cannot connect to PostgreSQL" --raw good "$h/odoo-scratch" \
  --stop-after-init --db_host 127.0.0.1 --db_port 1 --db_user odoo
check "... after about 10 s of retries" test $(( $(date +%s) - t_nodb )) -ge 9
conf threaded 's/^workers = .*/workers = 0/'
"$DOCKER" run -d --name odoo-threaded --network odoo_stack -e HOST=postgres -e USER=odoo -e PASSWORD="$pg_password" \
  -v "$work/threaded.conf:/etc/odoo/odoo.conf:ro" -v "$h/odoo-scratch:/var/lib/odoo" odoo:17.0 >/dev/null
ws_local='
import base64, os, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(("GET /websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % base64.b64encode(os.urandom(16)).decode()).encode())
print(s.recv(4096).split(b"\r\n")[0].decode())'
for _ in $(seq 1 20); do dx odoo-threaded python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8069/web/health')" >/dev/null 2>&1 && break; sleep 0.5; done
check "workers = 0: /websocket answered on http_port (101)" \
  bash -c "'$DOCKER' exec odoo-threaded python3 -c '$ws_local' 8069 | grep -q ' 101 '"
check "workers = 0: gevent_port not opened" \
  bash -c "! '$DOCKER' exec odoo-threaded python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", 8072), timeout=2)'"
check "workers > 0: /websocket on http_port refused (400)" \
  bash -c "'$DOCKER' exec odoo-prod python3 -c '$ws_local' 8069 | grep -q ' 400 '"
t_term=$(date +%s)
"$DOCKER" stop -t 10 odoo-threaded >/dev/null
check "SIGTERM stops the stand-in promptly ($(( $(date +%s) - t_term ))s)" test $(( $(date +%s) - t_term )) -lt 3
"$DOCKER" rm -f odoo-threaded >/dev/null

echo "==> stop"
t_stop=$(date +%s)
compose stop -t 20 >/dev/null 2>&1
stop_s=$(( $(date +%s) - t_stop ))
check "every service stops on its stop signal within 20 s (took ${stop_s}s)" test "$stop_s" -lt 20

echo "==> selftest: $failures failure(s), $(( $(date +%s) - t0 ))s"
[[ $failures == 0 ]]
