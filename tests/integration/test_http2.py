#!/usr/bin/env python3
"""HTTP/2 over TLS, with a private CA: a throw-away CA and server
certificates made with the openssl CLI at run time, nginx on loopback with
`listen ... ssl http2` serving several feeds on one host name (localhost).

Checks, from nginx's access log ($server_protocol, $connection): every feed
is fetched over HTTP/2.0 and over fewer connections than requests (streams
multiplexed on a reused connection); `[fetch] ca_file` and a feed's own
`ca_file` make winnowd trust the private CA; verification stays on: a
self-signed server, and the private server without its CA, fail with a TLS
error that names the feed; a ca_file that cannot be read is a configuration
error naming the key and the file; through a CONNECT proxy (httpd.py),
permanent redirects still move the stored URL, across a second tunnel too.

Skipped when nginx or openssl is not installed (dev.sh installs both).
Environment (set by CTest): WN_WINNOWD, WN_PLUGIN_DIR.
"""
import collections
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wnlib  # noqa: E402
from pgserver import free_port  # noqa: E402

WINNOWD = os.environ.get("WN_WINNOWD", "build/winnowd")
PLUGINS = os.path.abspath(os.environ.get("WN_PLUGIN_DIR", "build/plugins"))
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK)
                                  else None)
OPENSSL = shutil.which("openssl")
NFEEDS = 8

NGINX_CONF = """\
{user}
daemon off;
master_process on;
worker_processes 1;
pid {dir}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 256; }}
http {{
    types {{ application/rss+xml xml; }}
    log_format h2 '$server_port $server_protocol $connection $connection_requests '
                  '$status $request_uri';
    access_log {dir}/access.log h2;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    keepalive_timeout 30s;
    server {{
        listen 127.0.0.1:{port} ssl http2;
        listen 127.0.0.1:{alt_port} ssl http2;
        server_name localhost;
        ssl_certificate {dir}/server.pem;
        ssl_certificate_key {dir}/server.key;
        root {dir}/site;
        location = /moved301.xml {{ return 301 https://localhost:{alt_port}/f3.xml; }}
        location = /moved308.xml {{ return 308 /moved301.xml; }}
        location = /away302.xml {{ return 302 /f5.xml; }}
    }}
    server {{
        listen 127.0.0.1:{rogue_port} ssl http2;
        server_name localhost;
        ssl_certificate {dir}/rogue.pem;
        ssl_certificate_key {dir}/rogue.key;
        root {dir}/site;
    }}
}}
"""


def openssl(*args, cwd):
    subprocess.run([OPENSSL, *args], cwd=cwd, check=True, capture_output=True)


def make_certificates(d):
    """ca.pem signs server.pem (localhost); rogue.pem signs itself."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=winnow test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=localhost", cwd=d)
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2",
            "-extfile", "server.ext", cwd=d)
    openssl("req", "-x509", *ec, "-keyout", "rogue.key", "-out", "rogue.pem", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", cwd=d)


def rss(title):
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>https://localhost/</link><item><title>{title} 1</title>"
            f"<link>https://localhost/{title}/1</link><guid>{title}-1</guid>"
            f"<description>one item of {title}</description></item></channel></rss>")


def feeds_json(conf):
    p = wnlib.run(WINNOWD, "feeds", "-c", conf, "--json", check=0)
    return {r["name"]: r for r in map(json.loads, p.stdout.splitlines())}


@unittest.skipIf(NGINX is None or OPENSSL is None, "nginx or openssl is not installed")
class Http2PrivateCa(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = wnlib.TempDir(prefix="winnow-http2-")
        cls.dir = cls.tmp.__enter__()
        make_certificates(cls.dir)
        os.mkdir(os.path.join(cls.dir, "site"))
        for i in range(NFEEDS):
            with open(os.path.join(cls.dir, "site", f"f{i}.xml"), "w") as f:
                f.write(rss(f"f{i}"))
        cls.port, cls.rogue_port, cls.alt_port = free_port(), free_port(), free_port()
        with open(os.path.join(cls.dir, "nginx.conf"), "w") as f:
            f.write(NGINX_CONF.format(user="user root;" if os.geteuid() == 0 else "",
                                      dir=cls.dir, port=cls.port,
                                      rogue_port=cls.rogue_port, alt_port=cls.alt_port))
        cls.nginx_err = open(os.path.join(cls.dir, "nginx.err"), "w")
        cls.nginx = subprocess.Popen(
            [NGINX, "-p", cls.dir, "-c", os.path.join(cls.dir, "nginx.conf"), "-e", "stderr"],
            stdin=subprocess.DEVNULL, stdout=cls.nginx_err, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        for port in (cls.port, cls.rogue_port, cls.alt_port):
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if cls.nginx.poll() is not None or time.monotonic() > deadline:
                        cls.tearDownClass()
                        raise RuntimeError("nginx did not start: "
                                           + open(os.path.join(cls.dir, "nginx.err")).read())
                    time.sleep(0.05)

    @classmethod
    def tearDownClass(cls):
        if cls.nginx.poll() is None:
            cls.nginx.terminate()
            try:
                cls.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                cls.nginx.kill()
                cls.nginx.wait()
        cls.nginx_err.close()
        cls.tmp.__exit__(None, None, None)

    def access(self):
        """[(port, protocol, connection, request uri)] so far."""
        with open(os.path.join(self.dir, "access.log")) as f:
            return [(int(p), proto, conn, uri)
                    for p, proto, conn, _, _, uri in (line.split() for line in f)]

    def conf(self, name, feeds, fetch_extra=(), allow=()):
        """feeds: [(name, url, [extra lines])]; allow: more allow_private
        entries"""
        lines = ["[store]", f"path = {os.path.join(self.dir, name + '.db')}",
                 "[plugins]", f"dir = {PLUGINS}",
                 "[fetch]",
                 # localhost may also resolve to ::1, where nothing listens
                 " ".join(["allow_private =", f"127.0.0.1:{self.port}",
                           f"127.0.0.1:{self.rogue_port}", "::1", *allow]),
                 "timeout = 20s", "connect_timeout = 5s", *fetch_extra]
        for n, url, extra in feeds:
            lines += [f"[feed:{n}]", f"url = {url}", "fetch_article = never", *extra]
        path = os.path.join(self.dir, name + ".conf")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def test_feeds_come_over_http2_on_shared_connections(self):
        base = f"https://localhost:{self.port}"
        feeds = [(f"f{i}", f"{base}/f{i}.xml", []) for i in range(NFEEDS)]
        rogue = ("rogue", f"https://localhost:{self.rogue_port}/f0.xml", [])
        conf = self.conf("h2", feeds + [rogue], ["ca_file = ca.pem"])
        before = len(self.access())
        p = wnlib.run(WINNOWD, "once", "-c", conf, check=0)
        self.assertRegex(p.stderr, rf"{NFEEDS + 1} feeds: {NFEEDS} ok, 0 not modified, "
                                   r"1 failed;", p.stderr)
        seen = [r for r in self.access()[before:] if r[0] == self.port]
        self.assertEqual(sorted(uri for _, _, _, uri in seen),
                         sorted(f"/f{i}.xml" for i in range(NFEEDS)))
        self.assertEqual({proto for _, proto, _, _ in seen}, {"HTTP/2.0"}, seen)
        conns = collections.Counter(conn for _, _, conn, _ in seen)
        self.assertLess(len(conns), len(seen), f"one connection per request: {seen}")

        # the self-signed server is refused, and the error names the feed
        line = [l for l in p.stderr.splitlines() if "feed rogue:" in l]
        self.assertEqual(len(line), 1, p.stderr)
        self.assertRegex(line[0], r"TLS|SSL|certificate")
        self.assertIn("certificate", line[0])
        state = feeds_json(conf)
        self.assertEqual(state["rogue"]["error_class"], "network")
        self.assertIn("certificate", state["rogue"]["last_error"])
        self.assertEqual(state["f0"]["state"], "ok")
        # nothing reached the rogue server's HTTP layer
        self.assertEqual([r for r in self.access()[before:] if r[0] == self.rogue_port], [])

        # second pass: conditional requests, again over HTTP/2
        before = len(self.access())
        p = wnlib.run(WINNOWD, "once", "-c", conf, check=0)
        self.assertRegex(p.stderr, rf"0 ok, {NFEEDS} not modified, 1 failed", p.stderr)
        again = [r for r in self.access()[before:] if r[0] == self.port]
        self.assertEqual({proto for _, proto, _, _ in again}, {"HTTP/2.0"})
        self.assertEqual(len(again), NFEEDS)

    def test_a_feeds_own_ca_file_and_verification_without_one(self):
        base = f"https://localhost:{self.port}"
        conf = self.conf("own", [
            ("private", f"{base}/f1.xml", [f"ca_file = {os.path.join(self.dir, 'ca.pem')}"]),
            ("plain", f"{base}/f2.xml", []),
        ])
        p = wnlib.run(WINNOWD, "once", "-c", conf, check=0)
        self.assertRegex(p.stderr, r"2 feeds: 1 ok, 0 not modified, 1 failed;", p.stderr)
        state = feeds_json(conf)
        self.assertEqual(state["private"]["state"], "ok")
        # the system's bundle does not know the private CA: verification is on
        self.assertEqual(state["plain"]["state"], "failing")
        self.assertIn("certificate", state["plain"]["last_error"])
        self.assertRegex(p.stderr, r"feed plain: .*certificate")

    def test_permanent_redirects_through_a_connect_proxy(self):
        """An https feed through a proxy: the proxy's "200 Connection
        established" is not a hop of the redirect chain, so a 301 or 308
        still moves the stored URL, and a 302 still does not.  The 301 leads
        to another port: a second tunnel opens in the middle of the chain."""
        base = f"https://localhost:{self.port}"
        with wnlib.Server(self.dir) as proxy:
            via = [f"proxy = http://127.0.0.1:{proxy.port}"]
            conf = self.conf("proxied", [
                ("m301", f"{base}/moved301.xml", via),
                ("m308", f"{base}/moved308.xml", via),
                ("t302", f"{base}/away302.xml", via),
                ("plain", f"{base}/f6.xml", via),
            ], ["ca_file = ca.pem"], [f"127.0.0.1:{proxy.port}"])
            before = len(self.access())
            p = wnlib.run(WINNOWD, "once", "-c", conf, check=0)
            self.assertRegex(p.stderr, r"4 feeds: 4 ok, 0 not modified, 0 failed;", p.stderr)
            tunnels = [r for r in proxy.requests() if r[0] == "CONNECT"]
        # every request went through the proxy's tunnels
        self.assertGreater(len(tunnels), 0)
        self.assertEqual({path for _, path, _ in tunnels},
                         {f"localhost:{self.port}", f"localhost:{self.alt_port}"})
        seen = sorted((port, uri) for port, _, _, uri in self.access()[before:])
        self.assertEqual(seen, sorted([
            (self.port, "/moved301.xml"), (self.port, "/moved308.xml"),
            (self.port, "/moved301.xml"), (self.port, "/away302.xml"),
            (self.alt_port, "/f3.xml"), (self.alt_port, "/f3.xml"),
            (self.port, "/f5.xml"), (self.port, "/f6.xml")]))
        state = feeds_json(conf)
        moved = f"https://localhost:{self.alt_port}/f3.xml"
        self.assertEqual(state["m301"]["fetch_url"], moved)
        self.assertEqual(state["m308"]["fetch_url"], moved)
        self.assertIsNone(state["t302"]["fetch_url"])
        self.assertIsNone(state["plain"]["fetch_url"])

    def test_an_unreadable_ca_file_is_a_configuration_error(self):
        conf = self.conf("missing", [("x", f"https://localhost:{self.port}/f1.xml",
                                      ["ca_file = nowhere/feed-ca.pem"])],
                         ["ca_file = nowhere/ca.pem"])
        p = wnlib.run(WINNOWD, "check-config", "-c", conf)
        self.assertNotEqual(p.returncode, 0)
        self.assertRegex(p.stderr, r"\[fetch\] ca_file: .*nowhere/ca\.pem: No such file")
        self.assertRegex(p.stderr, r"\[feed:x\] ca_file: .*nowhere/feed-ca\.pem: No such file")


if __name__ == "__main__":
    unittest.main(verbosity=2)
