#!/usr/bin/env python3
"""Where stored articles go next, with the real winnowd against real
servers on loopback: the JSON Lines sink streams each stored article to
stdout while the daemon runs and stops cleanly on SIGTERM; the webhook sink
POSTs batches signed with HMAC-SHA256 (verified here), retries with backoff
after failures without losing or repeating a record, and applies
backpressure (ingestion waits) while the receiver is stuck; `once` shows
progress as a redrawn line on a terminal and as log lines otherwise.

Environment (set by CTest): WN_WINNOWD, WN_PLUGIN_DIR, WN_FIXTURES.
"""
import hashlib
import hmac
import http.server
import json
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wnlib  # noqa: E402

WINNOWD = os.environ.get("WN_WINNOWD", "build/winnowd")
PLUGINS = os.environ.get("WN_PLUGIN_DIR", "build/plugins")
FIXTURES = os.environ.get("WN_FIXTURES", "tests/fixtures/demo")
SECRET = "s3cret-key"


class Receiver:
    """A webhook receiver: checks each POST's signature, fails the first
    `fail` POSTs with 503, and can hold requests until released."""

    def __init__(self, fail=0):
        self.lock = threading.Lock()
        self.records, self.deliveries, self.bad, self.times = [], [], [], []
        self.fail = fail
        self.open = threading.Event()
        self.open.set()
        self.waiting = 0
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with outer.lock:
                    outer.times.append(time.time())
                    outer.waiting += 1
                outer.open.wait(60)
                sig = self.headers.get("X-Winnow-Signature", "")
                want = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                with outer.lock:
                    outer.waiting -= 1
                    failing = outer.fail > 0
                    if failing:
                        outer.fail -= 1
                    elif not hmac.compare_digest(sig, want):
                        outer.bad.append(sig)
                    else:
                        outer.deliveries.append(self.headers.get("X-Winnow-Delivery"))
                        outer.records += [json.loads(l) for l in body.decode().splitlines()]
                code = 503 if failing else 204
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.open.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class Sinks(unittest.TestCase):
    def setUp(self):
        self.tmp = wnlib.TempDir()
        self.dir = self.tmp.__enter__()
        site = os.path.join(self.dir, "site")
        shutil.copytree(FIXTURES, site)
        self.server = wnlib.Server(site)
        self.conf = os.path.join(self.dir, "winnow.conf")
        self.db = os.path.join(self.dir, "winnow.db")

    def tearDown(self):
        self.server.stop()
        self.tmp.__exit__(None, None, None)

    def write(self, extra):
        wnlib.write_conf(self.conf, self.db, PLUGINS, [
            ("demo-rss", self.server.base + "/rss.xml", None),
            ("demo-atom", self.server.base + "/atom.xml", None),
        ], extra=extra)

    def stored_urls(self):
        return sorted(r["url"] for r in wnlib.export(WINNOWD, self.conf))

    def test_jsonl_streams_to_stdout_and_stops_on_sigterm(self):
        self.write("[sink]\njsonl = -\n")
        errpath = os.path.join(self.dir, "stderr")
        with open(errpath, "w") as errf:
            p = subprocess.Popen([WINNOWD, "run", "-c", self.conf], stdout=subprocess.PIPE,
                                 stderr=errf)
        lines = []

        def read():
            for line in iter(p.stdout.readline, b""):
                lines.append(line)

        reader = threading.Thread(target=read)
        reader.start()
        deadline = time.time() + 60
        while len(lines) < 5 and time.time() < deadline:
            time.sleep(0.05)
        # Streamed while running: the daemon is still up.
        self.assertIsNone(p.poll())
        p.send_signal(signal.SIGTERM)
        p.wait(30)
        reader.join(10)
        with open(errpath) as f:
            err = f.read()
        p.stdout.close()
        self.assertEqual(p.returncode, 0, err)
        records = [json.loads(l) for l in lines if l.strip()]
        self.assertEqual(sorted(r["url"] for r in records), self.stored_urls())
        for r in records:
            self.assertEqual(r["feed"] in ("demo-rss", "demo-atom"), True)
            self.assertTrue(r["text"] and r["title"] and r["words"] > 50, r)
            self.assertRegex(r["stored_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    def test_webhook_signed_retried_nothing_lost_or_repeated(self):
        rx = Receiver(fail=2)
        try:
            self.write(f"[sink]\nwebhook_url = {rx.url}\nwebhook_secret = {SECRET}\n"
                       "webhook_batch = 2\nwebhook_retry_min = 100ms\nwebhook_retry_max = 400ms\n")
            p = wnlib.run(WINNOWD, "once", "-c", self.conf, timeout=120)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(rx.bad, [], "every signature verifies")
            urls = [r["url"] for r in rx.records]
            self.assertEqual(sorted(urls), self.stored_urls(), "each article once")
            self.assertEqual(len(urls), len(set(urls)))
            self.assertEqual(len(rx.times), len(rx.deliveries) + 2, "two failed POSTs retried")
            # Backoff: the second retry waits longer than the first.
            # retry_min 100 ms, doubled, each up to a quarter less (jitter).
            self.assertGreater(rx.times[1] - rx.times[0], 0.07)
            self.assertGreater(rx.times[2] - rx.times[1], 0.14)
            self.assertIn("webhook", p.stderr)
            self.assertRegex(p.stderr, r"http status 503; \d+ records kept, retry 1")
        finally:
            rx.stop()

    def test_webhook_backpressure_holds_ingestion(self):
        rx = Receiver()
        rx.open.clear()  # the receiver is stuck
        try:
            self.write(f"[sink]\nwebhook_url = {rx.url}\nwebhook_secret = {SECRET}\n"
                       "webhook_batch = 1\nwebhook_queue = 1\nwebhook_timeout = 60s\n")
            with open(self.conf) as f:
                text = f.read().replace("[fetch]\n", "[fetch]\nmax_articles = 1\n", 1)
            with open(self.conf, "w") as f:
                f.write(text)
            p = subprocess.Popen([WINNOWD, "once", "-c", self.conf],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            deadline = time.time() + 30
            while rx.waiting == 0 and time.time() < deadline:
                time.sleep(0.05)
            self.assertEqual(rx.waiting, 1, "the first POST arrived")
            time.sleep(2)  # time enough to fetch and store every other article
            held = len(self.stored_urls())
            # The queue has room for one record, so no more than one
            # article is ever in flight: the one it holds is all there is.
            self.assertEqual(held, 1, "ingestion waits while the sink is full")
            self.assertIsNone(p.poll())
            rx.open.set()
            out, err = p.communicate(timeout=60)
            self.assertEqual(p.returncode, 0, err)
            self.assertEqual(sorted(r["url"] for r in rx.records), self.stored_urls())
            self.assertEqual(len(rx.records), 5, "nothing dropped")
        finally:
            rx.stop()

    def test_once_progress_plain_and_on_a_terminal(self):
        self.write("")
        p = wnlib.run(WINNOWD, "once", "-c", self.conf, check=0)
        self.assertRegex(p.stderr, r"progress: 2/2 feeds, 10 new items, 5 articles, 0 errors")
        self.assertNotIn("\r", p.stderr)
        os.unlink(self.db)
        master, slave = pty.openpty()
        proc = subprocess.Popen([WINNOWD, "once", "-c", self.conf], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        proc.wait(60)
        os.close(master)
        text = out.decode("utf-8", "replace")
        self.assertEqual(proc.returncode, 0, text)
        self.assertIn("\r\x1b[K", text, "the line is redrawn in place")
        self.assertRegex(text, r"\r\x1b\[K2/2 feeds, 10 new items, 5 articles, 0 errors, 0 in flight\r?\n")


if __name__ == "__main__":
    unittest.main(verbosity=2)
