#!/usr/bin/env python3
"""STAND-IN for Nextcloud 31 (`apache2-foreground` in the gen-e2e
nextcloud:31.0.9-apache image): NOT Nextcloud.

It honours the part of the official image's documented contract that
blueprints/nextcloud.yaml relies on, with python3's standard library,
psycopg2 and redis (Debian packages):

* environment: POSTGRES_HOST, POSTGRES_DB, POSTGRES_USER, POSTGRES_PASSWORD
  (the database; PostgreSQL on port 5432), REDIS_HOST (port 6379),
  NEXTCLOUD_ADMIN_USER / NEXTCLOUD_ADMIN_PASSWORD (the admin account made at
  installation), NEXTCLOUD_TRUSTED_DOMAINS (space-separated, added to
  `localhost`, as the image's auto-configuration does).
* installation on the first start (the image runs `occ maintenance:install`):
  waits up to 60 s for PostgreSQL and Redis, creates its tables (oc_users,
  oc_filecache), the admin with a salted SHA-256 of the password (real
  Nextcloud: bcrypt/argon2), the data directory's `.ocdata` marker and the
  admin's `files/` folder, and writes /var/www/html/config/config.php with
  `'installed' => true` (the database password in it, as the real one). A
  later start with that config skips the installation. DIFFERENCE: the real
  installer refuses an existing database with tables; this one reuses them.
* serves HTTP on port 80 (bound as root, then it runs as www-data 33:33):
    GET /status.php   200 JSON {"installed":true,"maintenance":false,...},
                      from any Host (the image's health checks use localhost)
    PUT    /remote.php/dav/files/<user>/<path>   store a file (201 new, 204 replaced)
    GET    /remote.php/dav/files/<user>/<path>   the file (200) or 404
    DELETE /remote.php/dav/files/<user>/<path>   204, or 404
    PROPFIND /remote.php/dav/files/<user>/       207, a <d:href> per file
  WebDAV needs HTTP basic auth as <user> (401 otherwise) and a trusted Host
  (400 "Access through untrusted domain" otherwise, as Nextcloud). A file
  lives in data/<user>/files/<path> with one row in oc_filecache (path,
  size, mtime, etag); the row is what a GET trusts (DIFFERENCE: the real
  server rescans a file that is on disk but not in the cache). Each PUT holds
  a Redis lock key (`lock:<path>`, Nextcloud's memcache.locking) while it
  writes; Redis unreachable fails the request with 503.
* the data directory must carry `.ocdata` and must not be readable by
  others (mode & 0o007 == 0), as Nextcloud checks: otherwise every WebDAV
  request answers 503 with the reason; status.php still answers.
* one log line per request on stderr; SIGTERM stops it.
"""
import base64
import hashlib
import json
import os
import secrets
import signal
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2
import redis

ROOT = "/var/www/html"
DATA = ROOT + "/data"
CONFIG = ROOT + "/config/config.php"
VERSION = "31.0.9"
DAV = "/remote.php/dav/files/"


def env(name, default=""):
    return os.environ.get(name, default)


def db():
    return psycopg2.connect(host=env("POSTGRES_HOST", "db"), port=5432, dbname=env("POSTGRES_DB", "nextcloud"),
                            user=env("POSTGRES_USER", "nextcloud"), password=env("POSTGRES_PASSWORD"),
                            connect_timeout=5)


def cache():
    return redis.Redis(host=env("REDIS_HOST"), port=6379, socket_timeout=3) if env("REDIS_HOST") else None


def wait(what, probe, seconds=60):
    start = time.time()
    while True:
        try:
            return probe()
        except Exception as e:  # noqa: BLE001 - any failure is retried
            if time.time() - start > seconds:
                sys.exit(f"Nextcloud stand-in: {what} unreachable after {seconds} s: {e}")
            time.sleep(1)


def hashed(password, salt=None):
    salt = salt or secrets.token_hex(8)
    return salt + "$" + hashlib.sha256((salt + password).encode()).hexdigest()


def installed():
    try:
        with open(CONFIG) as f:
            return "'installed' => true" in f.read()
    except FileNotFoundError:
        return False


def install():
    user, password = env("NEXTCLOUD_ADMIN_USER"), env("NEXTCLOUD_ADMIN_PASSWORD")
    if not user or not password:
        sys.exit("Nextcloud stand-in: not installed and NEXTCLOUD_ADMIN_USER/PASSWORD unset")
    conn = wait("PostgreSQL", db)
    with conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS oc_users (uid text PRIMARY KEY, password text NOT NULL)")
        cur.execute("CREATE TABLE IF NOT EXISTS oc_filecache (path text PRIMARY KEY, size bigint NOT NULL,"
                    " mtime bigint NOT NULL, etag text NOT NULL)")
        cur.execute("INSERT INTO oc_users VALUES (%s, %s) ON CONFLICT (uid) DO NOTHING", (user, hashed(password)))
    conn.close()
    os.makedirs(f"{DATA}/{user}/files", exist_ok=True)
    open(f"{DATA}/.ocdata", "a").close()
    domains = ["localhost"] + env("NEXTCLOUD_TRUSTED_DOMAINS").split()
    os.makedirs(os.path.dirname(CONFIG), exist_ok=True)
    with open(CONFIG + ".tmp", "w") as f:
        f.write("<?php\n$CONFIG = array (\n")
        f.write(f"  'instanceid' => '{secrets.token_hex(6)}',\n")
        f.write("  'trusted_domains' => array (" + ", ".join(f"'{d}'" for d in domains) + "),\n")
        f.write(f"  'datadirectory' => '{DATA}',\n  'dbtype' => 'pgsql',\n  'version' => '{VERSION}.1',\n")
        f.write(f"  'dbname' => '{env('POSTGRES_DB')}',\n  'dbhost' => '{env('POSTGRES_HOST')}',\n")
        f.write(f"  'dbuser' => '{env('POSTGRES_USER')}',\n  'dbpassword' => '{env('POSTGRES_PASSWORD')}',\n")
        if env("REDIS_HOST"):
            f.write(f"  'memcache.locking' => '\\\\OC\\\\Memcache\\\\Redis',\n  'redis' => array ('host' => '{env('REDIS_HOST')}', 'port' => 6379),\n")
        f.write("  'installed' => true,\n);\n")
    os.chmod(CONFIG + ".tmp", 0o640)
    os.rename(CONFIG + ".tmp", CONFIG)
    print(f"Nextcloud stand-in: installed, admin `{user}`, trusted domains {domains}", file=sys.stderr)


def trusted():
    try:
        with open(CONFIG) as f:
            line = next(l for l in f if "'trusted_domains'" in l)
        return [d.strip(" '") for d in line.split("(", 1)[1].rsplit(")", 1)[0].split(",")]
    except (FileNotFoundError, StopIteration):
        return ["localhost"]


def data_problem():
    if not os.path.exists(DATA + "/.ocdata"):
        return 'Your data directory is invalid: ensure there is a file called ".ocdata" in its root'
    if os.stat(DATA).st_mode & 0o007:
        return "Your data directory is readable by other people"
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Apache"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def answer(self, code, body=b"", ctype="text/plain; charset=utf-8"):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        if urllib.parse.urlsplit(self.path).path == "/status.php":
            return self.answer(200, json.dumps({
                "installed": installed(), "maintenance": False, "needsDbUpgrade": False,
                "version": VERSION + ".1", "versionstring": VERSION, "edition": "",
                "productname": "Nextcloud (gen-e2e stand-in)", "extendedSupport": False}), "application/json")
        self.dav()

    do_HEAD = do_GET

    def do_PUT(self):
        self.dav()

    def do_DELETE(self):
        self.dav()

    def do_PROPFIND(self):
        self.dav()

    def dav(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        if host not in trusted():
            return self.answer(400, "Access through untrusted domain\n")
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        if not path.startswith(DAV):
            return self.answer(404, "Not found\n")
        user, _, rel = path[len(DAV):].partition("/")
        if not self.authorized(user):
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="Nextcloud", charset="UTF-8"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        problem = data_problem()
        if problem:
            return self.answer(503, problem + "\n")
        rel = rel.strip("/")
        if ".." in rel.split("/"):
            return self.answer(400, "Bad path\n")
        key = f"{user}/files/{rel}"
        disk = f"{DATA}/{key}"
        try:
            conn = db()
        except psycopg2.Error as e:
            return self.answer(503, f"database unreachable: {e}\n")
        try:
            with conn, conn.cursor() as cur:
                if self.command == "PUT":
                    return self.put(cur, key, disk, body)
                if self.command == "PROPFIND":
                    cur.execute("SELECT path, size FROM oc_filecache WHERE path LIKE %s ORDER BY path", (key.rstrip("/") + "%",))
                    hrefs = "".join(f"<d:response><d:href>{DAV}{user}/{p.split('/files/', 1)[1]}</d:href>"
                                    f"<d:propstat><d:prop><d:getcontentlength>{s}</d:getcontentlength></d:prop>"
                                    "<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>" for p, s in cur.fetchall())
                    return self.answer(207, f'<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">{hrefs}</d:multistatus>',
                                       "application/xml; charset=utf-8")
                cur.execute("SELECT etag FROM oc_filecache WHERE path = %s", (key,))
                row = cur.fetchone()
                if row is None or not os.path.isfile(disk):
                    return self.answer(404, "File not found\n")
                if self.command == "DELETE":
                    os.unlink(disk)
                    cur.execute("DELETE FROM oc_filecache WHERE path = %s", (key,))
                    return self.answer(204)
                with open(disk, "rb") as f:
                    return self.answer(200, f.read(), "application/octet-stream")
        finally:
            conn.close()

    def put(self, cur, key, disk, body):
        r = cache()
        try:
            if r is not None and not r.set("lock:" + key, "1", nx=True, ex=30):
                return self.answer(423, "Locked\n")
        except redis.RedisError as e:
            return self.answer(503, f"redis unreachable: {e}\n")
        try:
            existed = os.path.exists(disk)
            os.makedirs(os.path.dirname(disk), exist_ok=True)
            with open(disk + ".part", "wb") as f:
                f.write(body)
            os.rename(disk + ".part", disk)
            etag = hashlib.md5(body).hexdigest()
            cur.execute("INSERT INTO oc_filecache VALUES (%s, %s, %s, %s) ON CONFLICT (path) DO UPDATE"
                        " SET size = EXCLUDED.size, mtime = EXCLUDED.mtime, etag = EXCLUDED.etag",
                        (key, len(body), int(time.time()), etag))
        finally:
            if r is not None:
                r.delete("lock:" + key)
        return self.answer(204 if existed else 201)

    def authorized(self, user):
        auth = self.headers.get("Authorization") or ""
        if not auth.startswith("Basic "):
            return False
        try:
            login, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            return False
        if login != user:
            return False
        try:
            conn = db()
            with conn, conn.cursor() as cur:
                cur.execute("SELECT password FROM oc_users WHERE uid = %s", (user,))
                row = cur.fetchone()
            conn.close()
        except psycopg2.Error:
            return False
        return row is not None and hashed(password, row[0].split("$", 1)[0]) == row[0]


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = ThreadingHTTPServer(("0.0.0.0", 80), Handler)
    # Apache's workers run as www-data; so does everything from here on.
    os.setgroups([])
    os.setgid(33)
    os.setuid(33)
    os.umask(0o027)
    if env("REDIS_HOST"):
        wait("Redis", lambda: cache().ping())
    if not installed():
        install()
    print("Nextcloud stand-in: serving on port 80", file=sys.stderr)
    server.serve_forever()


if __name__ == "__main__":
    main()
