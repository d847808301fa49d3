#!/usr/bin/env python3
"""STAND-IN for Odoo 17 (`odoo` in the gen-e2e odoo:17.0 image): NOT Odoo.

Odoo cannot be installed in the test harness, so this program honours the
parts of Odoo's contract that the generated deployment relies on, with the
Python standard library and psycopg2 only:

* configuration: optparse command line + the rc file (-c/--config, else
  $ODOO_RC, else ~/.odoorc) read with configparser.RawConfigParser, section
  [options]; `True`/`true` and `False`/`false` become booleans, integer
  options are cast with optparse's checker (a bad integer fails at start with
  optparse's message, as Odoo does); command-line values win over the file.
  Unknown command-line options fail (optparse), as in Odoo.
  DIFFERENCE: a boolean option (proxy_mode, list_db, ...) whose file value is
  not True/False/true/false fails here; real Odoo would keep the string and
  treat any non-empty string (even "0" or "no") as true.
* start-up checks, each fatal with a clear message: db_user `postgres`
  (Odoo aborts: security risk); data_dir not writable (Odoo creates
  data_dir/sessions and data_dir/filestore/<db>: done here, failing with the
  PermissionError); PostgreSQL unreachable after ~10 s of retries.
* database: connects with db_host/db_port/db_user/db_password to db_name
  (the first of a comma-separated list), or to `postgres` when db_name is unset
  or False; creates db_name when missing (like `-i base` would; ENCODING
  unicode, TEMPLATE template0, LC_COLLATE C, as Odoo creates databases); keeps
  a psycopg2 ThreadedConnectionPool of at most db_maxconn connections (a full
  pool answers 500, as Odoo's PoolError would); creates table
  ir_standin_hits(id serial, path text, at timestamptz default now()) and
  inserts one row per GET /web/login, so backups have rows to restore;
  res_users(id, login, password) with `admin`/`admin` (plain text here;
  Odoo hashes it) and ir_attachment(id, name, store_fname, checksum,
  file_size, mimetype). Several Odoo processes on several hosts may start
  at once against one database: creating the database and the tables is
  serialized (a lost race on CREATE DATABASE is ignored, the tables are
  made under an advisory lock), as Odoo's registry loading is.
* HTTP (threaded, HTTP/1.1) on http_interface:http_port:
    GET /web/health            200 {"status": "pass"}           (Odoo 17's route)
    GET /web/login             200 HTML naming the database; sets a session_id
                               cookie whose session is a file
                               data_dir/sessions/<sid[:2]>/<sid> (JSON), the
                               layout of Odoo 17's FilesystemSessionStore
                               (odoo/http.py, config.session_dir =
                               data_dir/sessions)
    POST /web/login            login/password (form) checked against the
                               res_users table (a new database has `admin`
                               with password `admin`, as `-i base` makes it);
                               on success the session is rotated (a new sid,
                               the old file removed, as Odoo 17 does), its
                               file records uid and login, 303 to /web; on
                               failure 200 "Wrong login/password"
    GET /web                   200 naming the logged-in user when the
                               session file has a uid; else 303 to
                               /web/login (Odoo's auth='user' redirect)
    POST /web/binary/upload_attachment
                               (auth='user', multipart field `ufile`) the
                               file stored as Odoo's ir.attachment stores it:
                               data_dir/filestore/<db>/<sha1[:2]>/<sha1>,
                               a row in ir_attachment (store_fname, checksum);
                               answers [{"id", "filename", "size"}]
    GET /web/content/<id>      (auth='user') the attachment's bytes read back
                               from the filestore; 404 when the row or the
                               file is missing (DIFFERENCE: Odoo logs the
                               missing file and answers an empty body)
    GET /web/database/manager  200 when list_db, else 403 (database manager disabled)
    GET /websocket             see below
    anything else              404
  Every response carries X-Standin-Remote / X-Standin-Scheme / X-Standin-Host:
  the client address, scheme and host as Odoo 17 sees them. Odoo applies
  werkzeug's ProxyFix(x_for=1, x_proto=1, x_host=1) only when proxy_mode is
  on AND the request has X-Forwarded-Host; x_for=1 trusts ONE proxy hop, so
  the remote address is the LAST X-Forwarded-For entry (the one nginx
  appends), and likewise the last X-Forwarded-Proto / X-Forwarded-Host entry.
* websocket: with workers > 0 (Odoo's prefork mode) the "gevent" server
  listens on gevent_port and answers GET /websocket with an RFC 6455
  handshake (101, Sec-WebSocket-Accept) and echoes one text frame; /websocket
  on http_port then answers 400 (Odoo cannot bind a websocket outside the
  evented server). With workers = 0 (threaded mode) /websocket is served on
  http_port and gevent_port is not opened. Both servers live in one process
  here (real Odoo forks workers, a cron worker and the gevent process).
* one log line per request on stdout; SIGTERM/SIGINT stop it promptly;
  --stop-after-init checks the configuration and the database, then exits 0.
"""
import base64
import configparser
import email.parser
import email.policy
import hashlib
import html
import json
import optparse
import os
import secrets
import signal
import socket
import socketserver
import sys
import threading
import time
import urllib.parse
import http.server
from datetime import datetime, timezone

try:
    import psycopg2
    import psycopg2.errors
    import psycopg2.pool
    from psycopg2 import sql
except ImportError:  # pragma: no cover - the image installs python3-psycopg2
    sys.stderr.write("odoo-standin: python3-psycopg2 is missing\n")
    sys.exit(1)

VERSION = "17.0 (gen-e2e stand-in)"
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def log(level, msg):
    # Odoo's log format: time pid level db logger: message
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]
    sys.stdout.write("%s %d %s %s odoo.standin: %s\n" % (now, os.getpid(), level, CONFIG.get("db_name") or "?", msg))
    sys.stdout.flush()


def die(msg, code=1):
    sys.stderr.write("odoo-standin: %s\n" % msg)
    sys.stderr.flush()
    sys.exit(code)


# --------------------------------------------------------------------------
# configuration, the way odoo/tools/config.py does it
# --------------------------------------------------------------------------
CONFIG = {}


def build_parser():
    p = optparse.OptionParser(version="Odoo Server " + VERSION)
    add = p.add_option
    add("-c", "--config", dest="config")
    add("-s", "--save", action="store_true", dest="save")
    add("-i", "--init", dest="init")
    add("-u", "--update", dest="update")
    add("--without-demo", dest="without_demo")
    add("--addons-path", dest="addons_path")
    add("--upgrade-path", dest="upgrade_path")
    add("--load", dest="server_wide_modules")
    add("-D", "--data-dir", dest="data_dir")
    add("--http-interface", dest="http_interface")
    add("-p", "--http-port", dest="http_port", type="int")
    add("--gevent-port", "--longpolling-port", dest="gevent_port", type="int")
    add("--no-http", dest="http_enable", action="store_false")
    add("--proxy-mode", dest="proxy_mode", action="store_true")
    add("--x-sendfile", dest="x_sendfile", action="store_true")
    add("--dbfilter", dest="dbfilter")
    add("--log-level", dest="log_level")
    add("--logfile", dest="logfile")
    add("--log-handler", dest="log_handler", action="append")
    add("-d", "--database", dest="db_name")
    add("-r", "--db_user", dest="db_user")
    add("-w", "--db_password", dest="db_password")
    add("--pg_path", dest="pg_path")
    add("--db_host", dest="db_host")
    add("--db_port", dest="db_port", type="int")
    add("--db_sslmode", dest="db_sslmode")
    add("--db_maxconn", dest="db_maxconn", type="int")
    add("--db-template", dest="db_template")
    add("--no-database-list", dest="list_db", action="store_false")
    add("--workers", dest="workers", type="int")
    add("--max-cron-threads", dest="max_cron_threads", type="int")
    add("--limit-memory-soft", dest="limit_memory_soft", type="int")
    add("--limit-memory-hard", dest="limit_memory_hard", type="int")
    add("--limit-time-cpu", dest="limit_time_cpu", type="int")
    add("--limit-time-real", dest="limit_time_real", type="int")
    add("--limit-time-real-cron", dest="limit_time_real_cron", type="int")
    add("--limit-request", dest="limit_request", type="int")
    add("--stop-after-init", dest="stop_after_init", action="store_true")
    add("--unaccent", dest="unaccent", action="store_true")
    add("--dev", dest="dev_mode")
    return p


DEFAULTS = {
    "admin_passwd": "admin", "addons_path": None, "data_dir": os.path.expanduser("~/.local/share/Odoo"),
    "http_interface": "", "http_port": 8069, "gevent_port": 8072, "http_enable": True,
    "proxy_mode": False, "x_sendfile": False, "dbfilter": "", "log_level": "info",
    "db_name": False, "db_user": False, "db_password": False, "db_host": False, "db_port": False,
    "db_sslmode": "prefer", "db_maxconn": 64, "db_template": "template0", "list_db": True,
    "workers": 0, "max_cron_threads": 2, "limit_memory_soft": 2048 * 1024 * 1024,
    "limit_memory_hard": 2560 * 1024 * 1024, "limit_time_cpu": 60, "limit_time_real": 120,
    "limit_time_real_cron": -1, "limit_request": 2 ** 16, "stop_after_init": False,
    "without_demo": False, "init": None, "update": None, "unaccent": False,
}
BOOLEAN_OPTIONS = ("proxy_mode", "x_sendfile", "list_db", "http_enable", "stop_after_init", "unaccent")


def load_config(argv):
    parser = build_parser()
    opt, args = parser.parse_args(argv)
    if args:
        parser.error("unexpected arguments: %s" % " ".join(args))
    options = dict(DEFAULTS)
    rcfile = opt.config or os.environ.get("ODOO_RC") or os.environ.get("OPENERP_SERVER") or os.path.expanduser("~/.odoorc")
    options["config"] = rcfile
    # Odoo's config.load(): RawConfigParser, [options], True/False strings to bools
    p = configparser.RawConfigParser()
    try:
        p.read([rcfile])
        for name, value in p.items("options"):
            name = {"xmlrpc_port": "http_port", "xmlrpc_interface": "http_interface",
                    "longpolling_port": "gevent_port"}.get(name, name)
            if value in ("True", "true"):
                value = True
            if value in ("False", "false"):
                value = False
            options[name] = value
    except configparser.NoSectionError:
        pass
    except configparser.Error as e:  # Odoo lets these propagate: a traceback and exit 1
        die("cannot parse configuration file %s: %s" % (rcfile, e))
    # command line wins; else cast the file's string with the option's type
    for o in parser.option_list:
        if not o.dest or o.dest == "config":
            continue
        value = getattr(opt, o.dest)
        if value is not None:
            options[o.dest] = value
        elif isinstance(options.get(o.dest), str) and o.type in optparse.Option.TYPE_CHECKER:
            try:
                options[o.dest] = optparse.Option.TYPE_CHECKER[o.type](o, o.dest, options[o.dest])
            except optparse.OptionValueError as e:
                die("%s (in %s)" % (e, rcfile))
    for name in BOOLEAN_OPTIONS:  # stricter than Odoo: see the module docstring
        if not isinstance(options.get(name), bool):
            die("option %s: invalid boolean value: %r (in %s; use True or False)" % (name, options.get(name), rcfile))
    if isinstance(options.get("db_port"), str) and options["db_port"] == "":
        options["db_port"] = False
    options["admin_passwd"] = "***"  # never logged
    CONFIG.update(options)
    return options


# --------------------------------------------------------------------------
# start-up: data_dir and database
# --------------------------------------------------------------------------
POOL = None
DB_NAME = None


def database_names():
    value = CONFIG.get("db_name")
    if not value:
        return []
    return [d.strip() for d in str(value).split(",") if d.strip()]


def check_data_dir(db):
    data_dir = CONFIG["data_dir"]
    try:
        os.makedirs(os.path.join(data_dir, "sessions"), 0o700, exist_ok=True)
        if db:
            os.makedirs(os.path.join(data_dir, "filestore", db), 0o700, exist_ok=True)
        probe = os.path.join(data_dir, "sessions", ".standin-write-test")
        with open(probe, "w") as f:
            f.write("ok")
        os.unlink(probe)
    except OSError as e:
        die("data_dir %s is not usable by uid %d: %s" % (data_dir, os.getuid(), e))


def connect_args(dbname):
    args = {"dbname": dbname, "application_name": "odoo-%d" % os.getpid()}
    for key, opt in (("host", "db_host"), ("port", "db_port"), ("user", "db_user"), ("password", "db_password")):
        if CONFIG.get(opt):
            args[key] = CONFIG[opt]
    if CONFIG.get("db_sslmode"):
        args["sslmode"] = CONFIG["db_sslmode"]
    return args


def connect_with_retry(dbname, seconds=10.0):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return psycopg2.connect(**connect_args(dbname))
        except psycopg2.OperationalError as e:
            if time.monotonic() >= deadline:
                die("cannot connect to PostgreSQL at %s:%s as %s (database %s): %s"
                    % (CONFIG.get("db_host") or "<socket>", CONFIG.get("db_port") or 5432,
                       CONFIG.get("db_user"), dbname, str(e).strip()))
            time.sleep(1)


def setup_database():
    global POOL, DB_NAME
    if CONFIG.get("db_user") == "postgres":
        die("Using the database user 'postgres' is a security risk, aborting.")
    dbs = database_names()
    DB_NAME = dbs[0] if dbs else None
    conn = connect_with_retry("postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT version()")
            log("INFO", "PostgreSQL: %s" % cr.fetchone()[0])
            if DB_NAME:
                cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,))
                if not cr.fetchone():
                    log("INFO", "creating database %s" % DB_NAME)
                    try:
                        cr.execute(sql.SQL("CREATE DATABASE {} ENCODING 'unicode' LC_COLLATE 'C' TEMPLATE {}").format(
                            sql.Identifier(DB_NAME), sql.Identifier(CONFIG.get("db_template") or "template0")))
                    except (psycopg2.errors.DuplicateDatabase, psycopg2.errors.UniqueViolation):
                        log("INFO", "database %s was created by another Odoo meanwhile" % DB_NAME)
    except psycopg2.Error as e:
        die("cannot prepare database %s: %s" % (DB_NAME, str(e).strip()))
    finally:
        conn.close()
    maxconn = int(CONFIG.get("db_maxconn") or 64)
    if maxconn < 1:
        die("db_maxconn must be at least 1, got %d" % maxconn)
    try:
        POOL = psycopg2.pool.ThreadedConnectionPool(0, maxconn, **connect_args(DB_NAME or "postgres"))
        with Cursor() as cr:
            cr.execute("SELECT pg_advisory_xact_lock(17017)")
            cr.execute("CREATE TABLE IF NOT EXISTS ir_standin_hits"
                       " (id serial PRIMARY KEY, path text, at timestamptz DEFAULT now())")
            cr.execute("CREATE TABLE IF NOT EXISTS res_users"
                       " (id serial PRIMARY KEY, login text UNIQUE NOT NULL, password text NOT NULL)")
            cr.execute("INSERT INTO res_users (id, login, password) VALUES (2, 'admin', 'admin')"
                       " ON CONFLICT DO NOTHING")
            cr.execute("CREATE TABLE IF NOT EXISTS ir_attachment"
                       " (id serial PRIMARY KEY, name text, store_fname text, checksum text,"
                       " file_size integer, mimetype text)")
    except (psycopg2.Error, psycopg2.pool.PoolError) as e:
        die("cannot use database %s: %s" % (DB_NAME or "postgres", str(e).strip()))
    log("INFO", "database %s ready (pool of at most %d connections)" % (DB_NAME or "postgres", maxconn))


class Cursor:
    """A pooled connection for one transaction (commit on success)."""

    def __enter__(self):
        self.conn = POOL.getconn()
        self.cr = self.conn.cursor()
        return self.cr

    def __exit__(self, exc_type, exc, tb):
        broken = False
        try:
            if exc_type is None:
                self.conn.commit()
            else:
                self.conn.rollback()
        except psycopg2.Error:
            broken = True
        finally:
            self.cr.close()
            POOL.putconn(self.conn, close=broken or self.conn.closed != 0)
        return False


# --------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------
def last_value(header):
    if not header:
        return None
    values = [v.strip() for v in header.split(",") if v.strip()]
    return values[-1] if values else None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    evented = False  # True on the gevent_port server

    def version_string(self):
        return "Werkzeug/2.0.2 (odoo-standin)"

    # -- what Odoo sees, with proxy_mode semantics --
    def seen(self):
        remote = self.client_address[0]
        scheme = "http"
        host = self.headers.get("Host", "")
        if CONFIG.get("proxy_mode") and self.headers.get("X-Forwarded-Host"):
            remote = last_value(self.headers.get("X-Forwarded-For")) or remote
            scheme = last_value(self.headers.get("X-Forwarded-Proto")) or scheme
            host = last_value(self.headers.get("X-Forwarded-Host")) or host
        return remote, scheme, host

    def respond(self, status, body, ctype="text/html; charset=utf-8", headers=()):
        data = body.encode() if isinstance(body, str) else body
        remote, scheme, host = self.seen()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Standin-Remote", remote)
        self.send_header("X-Standin-Scheme", scheme)
        self.send_header("X-Standin-Host", host)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def log_request(self, code="-", size="-"):
        remote, scheme, host = self.seen()
        log("INFO", '%s - - "%s" %s %s (%s://%s%s)' % (
            remote, self.requestline, code, size, scheme, host, " gevent" if self.evented else ""))

    def log_message(self, fmt, *args):
        log("WARNING", "%s %s" % (self.client_address[0], fmt % args))

    def do_HEAD(self):
        self.do_GET()

    def do_POST(self):
        self.do_GET()

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        try:
            if path == "/web/login" and self.command == "POST":
                self.login_post()
            elif path == "/web":
                self.web()
            elif path == "/web/binary/upload_attachment" and self.command == "POST":
                self.upload_attachment()
            elif path.startswith("/web/content/") and path[len("/web/content/"):].isdigit():
                self.content(int(path[len("/web/content/"):]))
            elif path == "/web/health":
                self.respond(200, json.dumps({"status": "pass"}), "application/json",
                             [("Cache-Control", "no-store")])
            elif path == "/web/login":
                self.login()
            elif path == "/web/database/manager":
                if CONFIG.get("list_db"):
                    self.respond(200, "<!DOCTYPE html><html><body><h1>Database manager (stand-in)</h1>"
                                      "<ul><li>%s</li></ul></body></html>" % html.escape(DB_NAME or ""))
                else:
                    self.respond(403, "<!DOCTYPE html><html><body><h1>403: Forbidden</h1>"
                                      "<p>The database manager has been disabled by the administrator</p></body></html>")
            elif path == "/websocket":
                self.websocket()
            else:
                self.respond(404, "<!DOCTYPE html><html><body><h1>404: Not Found</h1></body></html>")
        except psycopg2.pool.PoolError as e:
            log("ERROR", "connection pool: %s" % e)
            self.respond(500, "<h1>500: Internal Server Error</h1><p>The Connection Pool Is Full</p>")
        except psycopg2.Error as e:
            log("ERROR", "database error: %s" % str(e).strip())
            self.respond(500, "<h1>500: Internal Server Error</h1>")

    # -- sessions: files, as Odoo 17's FilesystemSessionStore keeps them --
    @staticmethod
    def session_path(sid):
        return os.path.join(CONFIG["data_dir"], "sessions", sid[:2], sid)

    def session(self):
        """(sid, data) of the request's session_id cookie when its file exists, else (None, None)."""
        for part in (self.headers.get("Cookie") or "").split(";"):
            k, _, v = part.strip().partition("=")
            if k == "session_id" and v and v.replace("-", "").replace("_", "").isalnum():
                try:
                    with open(self.session_path(v)) as f:
                        return v, json.load(f)
                except (OSError, ValueError):
                    pass
        return None, None

    def save_session(self, sid, data):
        path = self.session_path(sid)
        os.makedirs(os.path.dirname(path), 0o700, exist_ok=True)
        tmp = "%s.%d.tmp" % (path, os.getpid())
        with open(tmp, "w") as f:
            json.dump(data, f)
        os.replace(tmp, path)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def redirect(self, location, headers=()):
        self.respond(303, "", headers=[("Location", location)] + list(headers))

    def login_post(self):
        form = urllib.parse.parse_qs(self.body().decode("utf-8", "replace"))
        login = (form.get("login") or [""])[0]
        password = (form.get("password") or [""])[0]
        with Cursor() as cr:
            cr.execute("SELECT id FROM res_users WHERE login = %s AND password = %s", (login, password))
            row = cr.fetchone()
        if not row:
            self.respond(200, "<!DOCTYPE html><html><body><p class=\"alert\">Wrong login/password</p></body></html>")
            return
        old_sid, _ = self.session()
        remote, _, _ = self.seen()
        sid = secrets.token_urlsafe(63)[:84]
        self.save_session(sid, {"db": DB_NAME, "uid": row[0], "login": login, "context": {},
                                "remote": remote, "at": time.time()})
        if old_sid:  # rotated, as Odoo 17 does on authentication
            try:
                os.unlink(self.session_path(old_sid))
            except OSError:
                pass
        log("INFO", "Login successful for db:%s login:%s from %s" % (DB_NAME, login, remote))
        self.redirect("/web", [("Set-Cookie", "session_id=%s; Max-Age=%d; HttpOnly; Path=/; SameSite=Lax"
                                % (sid, 7 * 24 * 3600))])

    def user_session(self):
        """The logged-in session's data, or None after answering Odoo's redirect to the login page."""
        _, data = self.session()
        if not data or not data.get("uid") or data.get("db") != DB_NAME:
            self.redirect("/web/login?redirect=" + urllib.parse.quote(self.path, safe=""))
            return None
        return data

    def web(self):
        data = self.user_session()
        if data:
            self.respond(200, "<!DOCTYPE html><html><body><p>Odoo 17 stand-in: logged in as"
                              " <b id=\"login\">%s</b> (uid <b id=\"uid\">%d</b>) on %s</p></body></html>"
                         % (html.escape(data["login"]), data["uid"], html.escape(DB_NAME or "")))

    def filestore(self):
        return os.path.join(CONFIG["data_dir"], "filestore", DB_NAME or "")

    def upload_attachment(self):
        if not self.user_session():
            return
        ctype = self.headers.get("Content-Type", "")
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + self.body())
        files = [p for p in msg.iter_parts() if p.get_param("name", header="content-disposition") == "ufile"] \
            if msg.is_multipart() else []
        if not files:
            self.respond(400, "<h1>400: Bad Request</h1><p>no ufile part</p>")
            return
        out = []
        for part in files:
            data = part.get_payload(decode=True) or b""
            checksum = hashlib.sha1(data).hexdigest()
            fname = "%s/%s" % (checksum[:2], checksum)
            full = os.path.join(self.filestore(), fname)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            if not os.path.exists(full):
                with open(full + ".tmp", "wb") as f:
                    f.write(data)
                os.replace(full + ".tmp", full)
            with Cursor() as cr:
                cr.execute("INSERT INTO ir_attachment (name, store_fname, checksum, file_size, mimetype)"
                           " VALUES (%s, %s, %s, %s, %s) RETURNING id",
                           (part.get_filename() or "file", fname, checksum, len(data),
                            part.get_content_type()))
                out.append({"id": cr.fetchone()[0], "filename": part.get_filename() or "file", "size": len(data)})
        self.respond(200, json.dumps(out), "application/json")

    def content(self, att_id):
        if not self.user_session():
            return
        with Cursor() as cr:
            cr.execute("SELECT store_fname, mimetype FROM ir_attachment WHERE id = %s", (att_id,))
            row = cr.fetchone()
        try:
            with open(os.path.join(self.filestore(), row[0]), "rb") as f:
                data = f.read()
        except (TypeError, OSError) as e:
            log("ERROR", "_read_file reading attachment %s: %s" % (att_id, e))
            self.respond(404, "<h1>404: Not Found</h1>")
            return
        self.respond(200, data, row[1] or "application/octet-stream")

    def login(self):
        sid, _ = self.session()
        new = sid is None
        if new:
            sid = secrets.token_urlsafe(63)[:84]
        remote, scheme, host = self.seen()
        _, data = self.session()
        if not data:
            self.save_session(sid, {"db": DB_NAME, "uid": None, "login": None, "context": {},
                                    "remote": remote, "at": time.time()})
        with Cursor() as cr:
            cr.execute("INSERT INTO ir_standin_hits (path) VALUES (%s)", (self.path,))
        body = ("<!DOCTYPE html><html><head><title>Odoo</title></head><body>"
                "<form action=\"/web/login\" method=\"post\"><p>Database: <b id=\"db\">%s</b></p>"
                "<p>Odoo 17 stand-in (gen-e2e)</p></form></body></html>" % html.escape(DB_NAME or ""))
        headers = []
        if new:
            headers.append(("Set-Cookie", "session_id=%s; Max-Age=%d; HttpOnly; Path=/; SameSite=Lax"
                            % (sid, 7 * 24 * 3600)))
        self.respond(200, body, headers=headers)

    def websocket(self):
        if CONFIG.get("workers") and not self.evented:
            self.respond(400, "<h1>400: Bad Request</h1><p>Couldn't bind the websocket."
                              " Is the connection opened on the evented port (%s)?</p>" % CONFIG.get("gevent_port"))
            return
        h = self.headers
        missing = [n for n in ("Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version") if not h.get(n)]
        if missing or h.get("Upgrade", "").lower() != "websocket" or "upgrade" not in h.get("Connection", "").lower() \
                or h.get("Sec-WebSocket-Version") != "13":
            self.respond(400, "<h1>400: Bad Request</h1><p>Empty or invalid websocket header(s): %s</p>"
                         % html.escape(", ".join(missing) or "Upgrade/Connection/Sec-WebSocket-Version"))
            return
        accept = base64.b64encode(hashlib.sha1((h["Sec-WebSocket-Key"].strip() + WS_GUID).encode()).digest()).decode()
        remote, scheme, host = self.seen()
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.send_header("X-Standin-Remote", remote)
        self.send_header("X-Standin-Scheme", scheme)
        self.send_header("X-Standin-Host", host)
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        try:
            self.connection.settimeout(30)
            opcode, payload = self.read_frame()
            if opcode == 1:
                self.send_frame(1, payload)
            self.send_frame(8, (1000).to_bytes(2, "big"))
        except (OSError, ValueError) as e:
            log("WARNING", "websocket: %s" % e)

    def read_exact(self, n):
        data = self.rfile.read(n)
        if len(data) != n:
            raise ValueError("connection closed mid-frame")
        return data

    def read_frame(self):
        b0, b1 = self.read_exact(2)
        opcode, masked, length = b0 & 0x0F, b1 & 0x80, b1 & 0x7F
        if length == 126:
            length = int.from_bytes(self.read_exact(2), "big")
        elif length == 127:
            length = int.from_bytes(self.read_exact(8), "big")
        if length > 1 << 20:
            raise ValueError("frame too large")
        mask = self.read_exact(4) if masked else b"\0\0\0\0"
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(self.read_exact(length)))
        return opcode, payload

    def send_frame(self, opcode, payload):
        head = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([n])
        elif n < 1 << 16:
            head += bytes([126]) + n.to_bytes(2, "big")
        else:
            head += bytes([127]) + n.to_bytes(8, "big")
        self.wfile.write(head + payload)
        self.wfile.flush()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, interface, port, handler):
        self.address_family = socket.AF_INET6 if ":" in interface else socket.AF_INET
        super().__init__((interface, port), handler)


class EventedHandler(Handler):
    evented = True


def serve(interface, port, handler, name):
    try:
        srv = Server(interface, port, handler)
    except OSError as e:
        die("cannot listen on %s:%d (%s): %s" % (interface or "0.0.0.0", port, name, e))
    t = threading.Thread(target=srv.serve_forever, name=name, daemon=True)
    t.start()
    log("INFO", "HTTP service (%s) running on %s:%d" % (name, interface or "0.0.0.0", port))
    return srv


def main(argv):
    if argv and argv[0] == "server":  # `odoo server ...` is the default command
        argv = argv[1:]
    load_config(argv)
    log("INFO", "Odoo version %s" % VERSION)
    log("INFO", "Using configuration file at %s" % CONFIG["config"])
    log("INFO", "STAND-IN: this is not Odoo (gen-e2e test image)")
    dbs = database_names()
    check_data_dir(dbs[0] if dbs else None)
    setup_database()
    if CONFIG.get("stop_after_init"):
        log("INFO", "--stop-after-init: configuration and database checked")
        return 0
    stop = threading.Event()

    def on_signal(signum, frame):
        log("INFO", "received signal %d, shutting down" % signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    interface = CONFIG.get("http_interface") or ""
    servers = []
    if CONFIG.get("http_enable", True):
        servers.append(serve(interface, int(CONFIG["http_port"]), Handler, "http"))
        if int(CONFIG.get("workers") or 0) > 0:
            servers.append(serve(interface, int(CONFIG["gevent_port"]), EventedHandler, "gevent"))
    stop.wait()
    for srv in servers:
        srv.server_close()
    if POOL:
        POOL.closeall()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
