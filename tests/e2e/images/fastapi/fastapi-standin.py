#!/usr/bin/env python3
"""STAND-IN for a FastAPI app under gunicorn/uvicorn (gen-e2e): not FastAPI.

GET /health -> 200 {"status": "ok"}; GET / -> 200 JSON naming the app module;
anything else -> 404 {"detail": "Not Found"} (FastAPI's body). Logs one line
per request; SIGTERM stops it.
"""
import http.server
import json
import os
import signal
import sys

APP = os.environ.get("APP_MODULE", "main:app")


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
        if path == "/health":
            self.reply(200, {"status": "ok"})
        elif path == "/":
            self.reply(200, {"message": "Hello world! From the gen-e2e stand-in for %s" % APP})
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
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    srv = http.server.ThreadingHTTPServer((host, port), Handler)
    srv.daemon_threads = True
    srv.serve_forever()


if __name__ == "__main__":
    main()
