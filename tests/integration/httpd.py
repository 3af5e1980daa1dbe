#!/usr/bin/env python3
"""A real HTTP server for winnow's integration tests (standard library only).

Serves a folder on 127.0.0.1 with the validators a feed server sends (ETag
from the content, Last-Modified from the file time), answers conditional
requests with 304, gzips when asked, and logs every request as
"METHOD PATH STATUS" to --log, so tests can see what winnowd asked for.

Special paths (a misbehaving server on demand):
  /status/NNN       answers with status NNN and a short body; query:
                    retry_after=N (seconds) or retry_after=date:+N (an
                    HTTP-date N seconds ahead), challenge=1 (a bot-challenge
                    page as the body)
  /redirect/PATH    302 to /PATH
  /move/CODE/PATH   CODE (301, 302, 307, 308) to /PATH
  /loop             302 to itself, for ever
  /goto?u=URL       302 to an absolute URL (file:, a private address...)
  /drip?every=S     promises 100 bytes, sends one every S seconds
  /endless          a chunked body that never ends
  /bomb             a gzip body that inflates to 16 MB of zeros
  /lie              Content-Length 5000, sends 100 bytes and closes
  /reset            sends half a body, then resets the connection
  /slow/MS/PATH     waits MS milliseconds, then answers as for /PATH
A request in absolute form (through a proxy) is served by its path.
CONNECT host:port (an https proxy) opens a tunnel to host:port when host is
127.0.0.1 or localhost, and logs "CONNECT host:port 200"; other hosts get 403.
With --headers-log, each request's User-Agent, Authorization, Cookie and
X-* headers go there as one JSON object per line.

It prints "PORT <n>" on stdout once it listens, then serves until killed.
"""
import argparse
import email.utils
import gzip
import hashlib
import http.server
import io
import json
import os
import select
import socket
import struct
import sys
import threading
import time
import urllib.parse

BOMB = None
BOMB_LOCK = threading.Lock()


def bomb():
    """16 MB of zeros, gzipped once (about 16 KB)."""
    global BOMB
    with BOMB_LOCK:
        if BOMB is None:
            BOMB = gzip.compress(b"\0" * (16 << 20), compresslevel=6)
        return BOMB


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle's algorithm the
    # body waited for the client's delayed ACK, 40 ms per answer.
    disable_nagle_algorithm = True
    root = "."
    log_path = None
    headers_log = None
    log_lock = threading.Lock()

    def log_message(self, fmt, *args):  # quiet: the request log is ours
        pass

    def record(self, status):
        if self.log_path:
            with self.log_lock, open(self.log_path, "a") as f:
                # the client's port tells its connections apart
                f.write(f"{self.command} {self.path} {status} {time.time():.3f} "
                        f"{self.client_address[1]}\n")

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

    def redirect(self, code, location):
        self.send_response(code)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.record(code)

    def misbehave(self, path, query):
        """The special paths; True when one answered."""
        if path.startswith("/status/"):
            code = int(path.split("/")[2])
            headers = []
            ra = query.get("retry_after", [None])[0]
            if ra is not None and ra.startswith("date:"):
                ra = email.utils.formatdate(time.time() + int(ra[5:]), usegmt=True)
            if ra is not None:
                headers.append(("Retry-After", ra))
            body = f"status {code}\n".encode()
            if query.get("challenge"):
                body = (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
                        b"<body><div id=\"challenge-platform\">Checking your browser"
                        b"</div></body></html>")
            self.send_body(code, body, "text/html", headers)
        elif path.startswith("/move/"):
            _, _, code, rest = path.split("/", 3)
            self.redirect(int(code), "/" + rest)
        elif path == "/loop":
            self.redirect(302, "/loop")
        elif path == "/goto":
            self.redirect(302, query["u"][0])
        elif path == "/drip":
            every = float(query.get("every", ["10"])[0])
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.record(200)
            try:
                for _ in range(100):
                    self.wfile.write(b"<")
                    self.wfile.flush()
                    time.sleep(every)
            except OSError:
                pass
        elif path == "/endless":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.record(200)
            chunk = b"<rss>" + b"x" * 16379
            try:
                while True:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:
                pass
        elif path == "/bomb":
            body = bomb()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.record(200)
            try:
                self.wfile.write(body)
            except OSError:
                pass
        elif path == "/lie":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b"<rss>" + b"y" * 95)
            self.wfile.flush()
            self.record(200)
            self.close_connection = True
        elif path == "/reset":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b"<rss>" + b"z" * 2000)
            self.wfile.flush()
            self.record(200)
            # SO_LINGER 0: close() sends RST instead of FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
            self.wfile = io.BytesIO()  # finish() flushes into nothing
            self.close_connection = True
        else:
            return False
        return True

    def do_CONNECT(self):
        """A tunnel, as an https proxy opens one: loopback targets only."""
        host, _, port = self.path.rpartition(":")
        if host not in ("127.0.0.1", "localhost") or not port.isdigit():
            self.send_body(403, b"loopback tunnels only\n", "text/plain")
            self.close_connection = True
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
        except OSError:
            self.send_body(502, b"cannot reach the target\n", "text/plain")
            self.close_connection = True
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        self.record(200)
        self.close_connection = True
        socks = [self.connection, upstream]
        try:
            while True:
                ready, _, _ = select.select(socks, [], [], 30)
                if not ready:
                    break
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (upstream if s is self.connection else self.connection).sendall(data)
        except OSError:
            pass
        finally:
            upstream.close()

    def do_GET(self):
        if self.path.startswith("http://") or self.path.startswith("https://"):
            self.path = urllib.parse.urlsplit(self.path)._replace(scheme="", netloc="").geturl() or "/"
        if self.headers_log:
            seen = {k: v for k, v in self.headers.items()
                    if k.lower() in ("user-agent", "authorization", "cookie") or k.lower().startswith("x-")}
            seen["path"] = self.path
            with self.log_lock, open(self.headers_log, "a") as f:
                f.write(json.dumps(seen) + "\n")
        path, _, qs = self.path.partition("?")
        if path.startswith("/slow/"):
            parts = path.split("/", 3)
            time.sleep(int(parts[2]) / 1000.0)
            path = "/" + (parts[3] if len(parts) > 3 else "")
        if self.misbehave(path, urllib.parse.parse_qs(qs)):
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


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # clients that give up mid-answer are what the special paths are for
        if not isinstance(sys.exc_info()[1], (ConnectionError, BrokenPipeError)):
            super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--log")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--headers-log")
    args = ap.parse_args()
    Handler.root = args.root
    Handler.log_path = args.log
    Handler.headers_log = args.headers_log
    server = Server((args.host, args.port), Handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
