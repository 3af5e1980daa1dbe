#!/usr/bin/env python3
"""The admin endpoint of a real `winnowd run` against a real HTTP server on
loopback: /healthz, /readyz, /metrics (validated by promtool), /feeds, and
the status page loaded in headless Chromium; the limits (unknown routes,
methods, oversized requests, the connection cap, idle timeouts); a unix
socket; a non-loopback address refused; SIGTERM answered with exit 0.

promtool (Debian: prometheus) and chromium are installed by dev.sh; where
they are missing those two checks are skipped with the reason.

Environment (set by CTest): WN_WINNOWD, WN_PLUGIN_DIR, WN_FIXTURES.
"""
import html.parser
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wnlib  # noqa: E402

WINNOWD = os.environ.get("WN_WINNOWD", "build/winnowd")
PLUGINS = os.environ.get("WN_PLUGIN_DIR", "build/plugins")
FIXTURES = os.environ.get("WN_FIXTURES", "tests/fixtures/demo")


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=10):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


class Daemon:
    """winnowd run in the background; .address once it listens."""

    def __init__(self, conf, dir):
        self.log = os.path.join(dir, "winnowd.log")
        self.logf = open(self.log, "w")
        self.proc = subprocess.Popen([WINNOWD, "run", "-c", conf],
                                     stdout=subprocess.DEVNULL, stderr=self.logf)
        self.address = None
        deadline = time.time() + 20
        while time.time() < deadline and self.address is None:
            m = re.search(r"admin: listening on (\S+)", self.text())
            if m:
                self.address = m.group(1)
            elif self.proc.poll() is not None:
                break
            time.sleep(0.05)

    def text(self):
        with open(self.log) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()
        return self.proc.returncode


def get(address, path, method="GET", headers=None, body=None, timeout=10):
    if address.startswith("unix:"):
        c = UnixConnection(address[5:], timeout=timeout)
    else:
        host, port = address.rsplit(":", 1)
        c = http.client.HTTPConnection(host, int(port), timeout=timeout)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict(r.getheaders()), data.decode("utf-8", "replace")


def metric(text, name, labels=""):
    m = re.search(r"^" + re.escape(name + labels) + r" (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


class StatusPage(html.parser.HTMLParser):
    """What the rendered DOM shows: feed rows, their cells, chart bars."""

    def __init__(self):
        super().__init__()
        self.rows, self.row, self.cell, self.rects, self.external = [], None, None, 0, []
        self.store, self.in_store, self.plugins, self.in_plugins = "", False, [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href"):
            if k in a and tag != "a":
                self.external.append(a[k])
        if tag == "tr" and "feed" in (a.get("class") or "").split():
            self.row = {"class": a["class"], "cells": [], "rects": 0}
            self.rows.append(self.row)
        elif tag == "td" and self.row is not None:
            self.cell = []
            self.row["cells"].append(self.cell)
        elif tag == "rect" and self.row is not None:
            self.row["rects"] += 1
        elif tag == "dd" and a.get("id") == "store":
            self.in_store = True
        elif tag == "table" and a.get("id") == "plugins":
            self.in_plugins = True

    def handle_endtag(self, tag):
        if tag == "tr":
            self.row = None
        if tag == "dd":
            self.in_store = False
        if tag == "table":
            self.in_plugins = False

    def handle_data(self, data):
        if self.cell is not None and self.row is not None:
            self.cell.append(data)
        if self.in_store:
            self.store += data
        if self.in_plugins and data.strip():
            self.plugins.append(data.strip())


class AdminEndpoint(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = wnlib.TempDir()
        cls.dir = cls.tmp.__enter__()
        site = os.path.join(cls.dir, "site")
        shutil.copytree(FIXTURES, site)
        cls.server = wnlib.Server(site)
        cls.conf = os.path.join(cls.dir, "winnow.conf")
        wnlib.write_conf(cls.conf, os.path.join(cls.dir, "winnow.db"), PLUGINS, [
            ("demo-rss", cls.server.base + "/rss.xml", None),
            ("demo-atom", cls.server.base + "/atom.xml", None),
            ("gone", cls.server.base + "/status/404", None),
        ], extra="[admin]\nlisten = 127.0.0.1:0\nmax_connections = 4\n"
                 "timeout = 1s\nmax_request = 4k\n")
        cls.d = Daemon(cls.conf, cls.dir)
        if cls.d.address is None:
            raise AssertionError("winnowd did not listen:\n" + cls.d.text())
        # Wait until the first pass stored the five articles.
        deadline = time.time() + 60
        while time.time() < deadline:
            _, _, body = get(cls.d.address, "/feeds")
            feeds = json.loads(body)
            if (feeds["store"]["articles"] >= 5
                    and all(f["state"] != "fetching" and f["last_fetch"] for f in feeds["feeds"])):
                break
            time.sleep(0.2)
        time.sleep(2.5)  # the store figures are cached for 2 s

    @classmethod
    def tearDownClass(cls):
        rc = cls.d.stop()
        text = cls.d.text()
        cls.server.stop()
        cls.tmp.__exit__(None, None, None)
        # SIGTERM ends it cleanly (and, under ASan, without a leak).
        if rc != 0:
            raise AssertionError(f"winnowd exited {rc} on SIGTERM:\n{text[-3000:]}")

    def test_healthz_and_readyz(self):
        st, h, body = get(self.d.address, "/healthz")
        self.assertEqual((st, body), (200, "ok\n"))
        st, _, body = get(self.d.address, "/readyz")
        self.assertEqual(st, 200, body)
        self.assertRegex(body, r"^ready\nstore: ok\nloop: ok")
        st, _, _ = get(self.d.address, "/healthz", method="HEAD")
        self.assertEqual(st, 200)

    def test_metrics_pass_promtool_and_count_what_happened(self):
        st, h, text = get(self.d.address, "/metrics")
        self.assertEqual(st, 200)
        self.assertTrue(h["Content-Type"].startswith("text/plain; version=0.0.4"))
        self.assertEqual(metric(text, "winnow_articles_total", '{result="stored"}'), 5)
        self.assertEqual(metric(text, "winnow_feeds"), 3)
        self.assertEqual(metric(text, "winnow_feeds_broken"), 1)
        self.assertEqual(metric(text, "winnow_fetches_total", '{result="http_error"}'), 1)
        self.assertEqual(metric(text, "winnow_store_articles"), 5)
        self.assertGreater(metric(text, "winnow_store_size_bytes"), 0)
        # 3 feeds and 5 pages were fetched; every fetch is in the histogram.
        self.assertEqual(metric(text, "winnow_fetch_duration_seconds_count"), 8)
        self.assertEqual(metric(text, "winnow_fetch_duration_seconds_bucket", '{le="+Inf"}'), 8)
        self.assertGreater(metric(text, "winnow_plugin_clean_seconds_total",
                                  '{plugin="generic"}'), 0)
        self.assertEqual(metric(text, "winnow_plugin_calls_total",
                                '{plugin="generic",result="ok"}'), 5)
        self.assertIsNotNone(metric(text, "winnow_queue_depth", '{queue="articles_waiting"}'))
        promtool = shutil.which("promtool")
        if promtool is None:
            self.skipTest("promtool not installed (Debian package prometheus)")
        p = subprocess.run([promtool, "check", "metrics"], input=text, text=True,
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_feeds_json(self):
        st, h, body = get(self.d.address, "/feeds")
        self.assertEqual(st, 200)
        self.assertEqual(h["Content-Type"], "application/json")
        feeds = {f["name"]: f for f in json.loads(body)["feeds"]}
        self.assertEqual(sorted(feeds), ["demo-atom", "demo-rss", "gone"])
        self.assertEqual(feeds["gone"]["state"], "failing")
        self.assertIn("404", feeds["gone"]["last_error"])
        self.assertEqual(feeds["demo-rss"]["state"], "ok")
        self.assertEqual(feeds["demo-rss"]["items_per_day"][-1], 5)
        self.assertEqual(len(feeds["demo-rss"]["items_per_day"]), 14)
        self.assertIsNotNone(feeds["demo-rss"]["next_fetch"])

    def test_status_page_in_headless_chromium(self):
        chromium = shutil.which("chromium")
        if chromium is None:
            self.skipTest("chromium not installed")
        profile = os.path.join(self.dir, "chromium-profile")
        shot = os.path.join(self.dir, "status.png")
        url = f"http://{self.d.address}/"
        p = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                            "--no-first-run", f"--user-data-dir={profile}",
                            "--dump-dom", url], capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        page = StatusPage()
        page.feed(p.stdout)
        rows = {"".join(r["cells"][0]).split("http")[0]: r for r in page.rows}
        names = sorted(n for n in rows)
        self.assertEqual(len(page.rows), 3, p.stdout[:2000])
        self.assertTrue(any(n.startswith("gone") for n in names), names)
        gone = next(r for n, r in rows.items() if n.startswith("gone"))
        self.assertIn("failing", gone["class"])
        self.assertIn("404", "".join(gone["cells"][4]))
        rss = next(r for n, r in rows.items() if n.startswith("demo-rss"))
        self.assertEqual("".join(rss["cells"][1]).strip(), "ok")
        self.assertEqual(rss["rects"], 14)  # one bar per day
        self.assertTrue("".join(rss["cells"][3]).startswith("in "))  # next fetch
        self.assertIn("5 articles", page.store)
        self.assertIn("generic", page.plugins)
        self.assertEqual(page.external, [], "the page loads nothing from elsewhere")
        # And it draws: a screenshot of the page is a real image.
        p = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                            "--no-first-run", f"--user-data-dir={profile}",
                            f"--screenshot={shot}", "--window-size=1200,800", url],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        with open(shot, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

    def test_keep_alive(self):
        host, port = self.d.address.rsplit(":", 1)
        c = http.client.HTTPConnection(host, int(port), timeout=10)
        for path in ("/healthz", "/metrics", "/healthz"):
            c.request("GET", path)
            r = c.getresponse()
            r.read()
            self.assertEqual(r.status, 200)
            self.assertNotEqual(r.getheader("Connection"), "close")
        c.close()

    def test_limits(self):
        st, _, body = get(self.d.address, "/nope")
        self.assertEqual(st, 404)
        st, h, _ = get(self.d.address, "/metrics", method="POST", body="x" * 100)
        self.assertEqual(st, 405)
        self.assertEqual(h.get("Allow"), "GET, HEAD")
        with self.assertRaises((ConnectionError, http.client.HTTPException)):
            get(self.d.address, "/metrics", method="POST", body="x" * 200000)
        st, _, _ = get(self.d.address, "/healthz", headers={"X-Big": "y" * 8000})
        self.assertIn(st, (413, 431), "a request head over max_request is refused")
        # The connection cap: four idle connections fill it...
        host, port = self.d.address.rsplit(":", 1)
        idle = [socket.create_connection((host, int(port))) for _ in range(4)]
        time.sleep(0.3)
        with self.assertRaises((ConnectionError, http.client.HTTPException, OSError)):
            get(self.d.address, "/healthz", timeout=0.5)
        # ...and the idle timeout (1 s) closes them, so service resumes.
        time.sleep(2.5)
        for s in idle:
            s.settimeout(5)
            self.assertEqual(s.recv(10), b"", "an idle connection is closed")
            s.close()
        st, _, _ = get(self.d.address, "/healthz")
        self.assertEqual(st, 200)


class AdminAddresses(unittest.TestCase):
    def setUp(self):
        self.tmp = wnlib.TempDir()
        self.dir = self.tmp.__enter__()
        self.conf = os.path.join(self.dir, "winnow.conf")

    def tearDown(self):
        self.tmp.__exit__(None, None, None)

    def write(self, listen):
        wnlib.write_conf(self.conf, os.path.join(self.dir, "winnow.db"), PLUGINS, [],
                         extra=f"[admin]\nlisten = {listen}\n")

    def test_unix_socket_and_sigterm(self):
        path = os.path.join(self.dir, "admin.sock")
        self.write("unix:" + path)
        d = Daemon(self.conf, self.dir)
        try:
            self.assertEqual(d.address, "unix:" + path, d.text())
            st, _, body = get(d.address, "/healthz")
            self.assertEqual((st, body), (200, "ok\n"))
            st, _, body = get(d.address, "/readyz")
            self.assertEqual(st, 200, body)
        finally:
            rc = d.stop()
        self.assertEqual(rc, 0, d.text())
        self.assertFalse(os.path.exists(path), "the socket is removed on exit")

    def test_non_loopback_is_refused(self):
        self.write("0.0.0.0:0")
        p = wnlib.run(WINNOWD, "run", "-c", self.conf, timeout=30)
        self.assertEqual(p.returncode, 78, p.stderr)
        self.assertIn("[admin] listen: 0.0.0.0:0: not a loopback address", p.stderr)

    def test_bad_address_is_refused(self):
        self.write("localhost")
        p = wnlib.run(WINNOWD, "run", "-c", self.conf, timeout=30)
        self.assertEqual(p.returncode, 78, p.stderr)
        self.assertIn("[admin] listen: localhost: not HOST:PORT", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
