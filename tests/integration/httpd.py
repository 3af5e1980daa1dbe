#!/usr/bin/env python3
"""A real HTTP server for winnow's integration tests (standard library only).

Serves a folder on 127.0.0.1 with the validators a feed server sends (ETag
from the content, Last-Modified from the file time), answers conditional
requests with 304, gzips when asked, and logs every request as
"METHOD PATH STATUS" to --log, so tests can see what winnowd asked for.

Special paths:
  /status/NNN       answers with status NNN and a short body
  /redirect/PATH    302 to /PATH
  /slow/MS/PATH     waits MS milliseconds, then answers as for /PATH

It prints "PORT <n>" on stdout once it listens, then serves until killed.
"""
import argparse
import email.utils
import gzip
import hashlib
import http.server
import os
import sys
import threading
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    root = "."
    log_path = None
    log_lock = threading.Lock()

    def log_message(self, fmt, *args):  # quiet: the request log is ours
        pass

    def record(self, status):
        if self.log_path:
            with self.log_lock, open(self.log_path, "a") as f:
                # The time last: readers that take three fields still work.
                f.write(f"{self.command} {self.path} {status} {time.time():.3f}\n")

    def send_body(self, status, body, ctype, headers=()):
        gz = "gzip" in self.headers.get("Accept-Encoding", "") and len(body) > 256
        if gz:
            body = gzip.compress(body)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if gz:
            self.send_header("Content-Encoding", "gzip")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.record(status)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path.startswith("/slow/"):
            parts = path.split("/", 3)
            time.sleep(int(parts[2]) / 1000.0)
            path = "/" + (parts[3] if len(parts) > 3 else "")
        if path.startswith("/status/"):
            code = int(path.split("/")[2])
            self.send_body(code, f"status {code}\n".encode(), "text/plain")
            return
        if path.startswith("/redirect/"):
            self.send_response(302)
            self.send_header("Location", "/" + path[len("/redirect/"):])
            self.send_header("Content-Length", "0")
            self.end_headers()
            self.record(302)
            return
        full = os.path.realpath(os.path.join(self.root, path.lstrip("/")))
        if not full.startswith(os.path.realpath(self.root) + os.sep) or not os.path.isfile(full):
            self.send_body(404, b"not found\n", "text/plain")
            return
        with open(full, "rb") as f:
            body = f.read()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        mtime = int(os.stat(full).st_mtime)
        last_modified = email.utils.formatdate(mtime, usegmt=True)
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        not_modified = False
        if inm is not None:
            not_modified = etag in [t.strip() for t in inm.split(",")]
        elif ims is not None:
            try:
                not_modified = email.utils.parsedate_to_datetime(ims).timestamp() >= mtime
            except (TypeError, ValueError):
                not_modified = False
        if not_modified:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.end_headers()
            self.record(304)
            return
        if full.endswith(".xml"):
            ctype = "application/rss+xml" if "atom" not in os.path.basename(full) else "application/atom+xml"
        elif full.endswith(".html"):
            ctype = "text/html; charset=utf-8"
        else:
            ctype = "application/octet-stream"
        self.send_body(200, body, ctype, [("ETag", etag), ("Last-Modified", last_modified)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--log")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    Handler.root = args.root
    Handler.log_path = args.log
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
