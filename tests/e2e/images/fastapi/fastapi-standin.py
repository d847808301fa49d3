#!/usr/bin/env python3
"""STAND-IN for a FastAPI app under gunicorn/uvicorn (gen-e2e): not FastAPI.

Honours the image's contract as far as the generated files depend on it:
APP_MODULE (`module:variable`, from MODULE_NAME/VARIABLE_NAME) must name a
module file under /app that defines the variable, or the server exits 1 at
start as gunicorn does ("ModuleNotFoundError" / "Failed to find attribute");
it then answers exactly the GET routes the module declares with
`@<variable>.get("/path")` (200 and a JSON body naming the route), and 404
{"detail": "Not Found"} (FastAPI's body) for anything else. The Python code
of the routes is never run. Logs one line per request; SIGTERM stops it.
"""
import http.server
import json
import os
import re
import signal
import sys

APP = os.environ.get("APP_MODULE", "main:app")
ROUTES = set()


def load_routes():
    module, _, variable = APP.partition(":")
    path = os.path.join("/app", *module.split(".")) + ".py"
    if not os.path.isfile(path):
        sys.exit("ModuleNotFoundError: No module named '%s' (no %s)" % (module, path))
    text = open(path).read()
    if not re.search(r"^%s\s*=" % re.escape(variable), text, re.M):
        sys.exit("Failed to find attribute '%s' in '%s'." % (variable, module))
    ROUTES.update(re.findall(r"^@%s\.get\(\s*[\"']([^\"']+)[\"']" % re.escape(variable), text, re.M))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self):
        return "uvicorn"

    def reply(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path in ROUTES:
            self.reply(200, {"route": path, "app": APP, "forwarded_for": self.headers.get("X-Forwarded-For", "")})
        else:
            self.reply(404, {"detail": "Not Found"})

    do_HEAD = do_GET

    def log_message(self, fmt, *args):
        sys.stdout.write('INFO:     %s - "%s"\n' % (self.client_address[0], fmt % args))
        sys.stdout.flush()


def main():
    host, port = os.environ.get("HOST", "0.0.0.0"), int(os.environ.get("PORT", "80"))
    print("STAND-IN (gen-e2e), not FastAPI/gunicorn: APP_MODULE=%s MODULE_NAME=%s VARIABLE_NAME=%s "
          "MAX_WORKERS=%s WEB_CONCURRENCY=%s; listening on %s:%d"
          % (APP, os.environ.get("MODULE_NAME"), os.environ.get("VARIABLE_NAME"),
             os.environ.get("MAX_WORKERS"), os.environ.get("WEB_CONCURRENCY"), host, port), flush=True)
    load_routes()
    print("routes: %s" % " ".join(sorted(ROUTES)), flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    srv = http.server.ThreadingHTTPServer((host, port), Handler)
    srv.daemon_threads = True
    srv.serve_forever()


if __name__ == "__main__":
    main()
