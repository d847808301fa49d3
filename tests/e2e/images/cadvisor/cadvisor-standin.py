#!/usr/bin/env python3
"""STAND-IN for cAdvisor (gen-e2e test harness): not cAdvisor.

Serves GET /healthz -> 200 "ok" and GET /metrics -> a few Prometheus text
lines (cadvisor_version_info, container_last_seen for the root cgroup and
machine_cpu_cores) on -port (default 8080). Flags of the real binary are
accepted and ignored, except -port and -listen_ip.
"""
import http.server
import os
import signal
import sys
import time

VERSION = "v0.49.1-gen-e2e-standin"


def flag(name, default):
    for i, arg in enumerate(sys.argv[1:], 1):
        for prefix in ("-" + name + "=", "--" + name + "="):
            if arg.startswith(prefix):
                return arg[len(prefix):]
        if arg in ("-" + name, "--" + name) and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
    return default


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "cadvisor-standin"

    def reply(self, status, body, ctype="text/plain; charset=utf-8"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            self.reply(200, "ok")
        elif path == "/metrics":
            now = time.time()
            self.reply(200, "".join([
                "# HELP cadvisor_version_info A metric with a constant '1' value labeled by kernel version, OS version, docker version, cadvisor version & cadvisor revision.\n",
                "# TYPE cadvisor_version_info gauge\n",
                'cadvisor_version_info{cadvisorRevision="standin",cadvisorVersion="%s",dockerVersion="",kernelVersion="%s",osVersion="stand-in"} 1\n'
                % (VERSION, os.uname().release),
                "# HELP container_last_seen Last time a container was seen by the exporter\n",
                "# TYPE container_last_seen gauge\n",
                'container_last_seen{id="/",image="",name=""} %.3f\n' % now,
                "# HELP machine_cpu_cores Number of logical CPU cores.\n",
                "# TYPE machine_cpu_cores gauge\n",
                'machine_cpu_cores{boot_id="",machine_id="",system_uuid=""} %d\n' % (os.cpu_count() or 1),
            ]), "text/plain; version=0.0.4; charset=utf-8")
        else:
            self.reply(404, "404 page not found\n")

    do_HEAD = do_GET

    def log_message(self, fmt, *args):
        sys.stderr.write("cadvisor-standin: %s %s\n" % (self.address_string(), fmt % args))


def main():
    port = int(flag("port", "8080"))
    ip = flag("listen_ip", "")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    srv = http.server.ThreadingHTTPServer((ip, port), Handler)
    srv.daemon_threads = True
    sys.stderr.write("cadvisor-standin %s: STAND-IN, not cAdvisor; listening on %s:%d\n" % (VERSION, ip or "*", port))
    sys.stderr.flush()
    srv.serve_forever()


if __name__ == "__main__":
    main()
