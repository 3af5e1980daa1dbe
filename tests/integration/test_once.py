#!/usr/bin/env python3
"""winnowd once against a real HTTP server on loopback serving the demo
fixtures: the seeds are cleaned as their gold says, a second run is answered
with 304s and stores nothing twice, and bad input (dead server, 404, a page
that is not a feed, broken XML, a plugin file that is not a plugin) each get
one log line naming the feed or file while the pass goes on.

Environment (set by CTest): WN_WINNOWD, WN_PLUGIN_DIR, WN_FIXTURES (the demo
folder), WN_SEEDS (../shared/fixtures/seeds).
"""
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wnlib  # noqa: E402

WINNOWD = os.environ.get("WN_WINNOWD", "build/winnowd")
PLUGINS = os.environ.get("WN_PLUGIN_DIR", "build/plugins")
FIXTURES = os.environ.get("WN_FIXTURES", "tests/fixtures/demo")
SEEDS = os.environ.get("WN_SEEDS", "../shared/fixtures/seeds")


def seed_of(url):
    m = re.search(r"/(\d{3})[-_][^/]*$", url)
    return m.group(1) if m else None


class OnceAgainstFixtures(unittest.TestCase):
    def setUp(self):
        self.tmp = wnlib.TempDir()
        self.dir = self.tmp.__enter__()
        self.site = os.path.join(self.dir, "site")
        shutil.copytree(FIXTURES, self.site)
        self.server = wnlib.Server(self.site)
        self.conf = os.path.join(self.dir, "winnow.conf")
        self.db = os.path.join(self.dir, "winnow.db")
        wnlib.write_conf(self.conf, self.db, PLUGINS, [
            ("demo-rss", self.server.base + "/rss.xml", None),
            ("demo-atom", self.server.base + "/atom.xml", None),
        ])

    def tearDown(self):
        self.server.stop()
        self.tmp.__exit__(None, None, None)

    def test_seeds_are_cleaned_and_a_second_run_stores_nothing_twice(self):
        p = wnlib.run(WINNOWD, "once", "-c", self.conf, check=0)
        self.assertRegex(p.stderr, r"2 feeds: 2 ok, 0 not modified, 0 failed")
        rows = wnlib.export(WINNOWD, self.conf)
        seeds = wnlib.seeds(SEEDS)
        by_seed = {seed_of(r["url"]): r for r in rows}
        self.assertEqual(sorted(by_seed), sorted(seeds), "one article per seed")
        self.assertEqual(len(rows), len(seeds), "each article stored once")
        failures = []
        for num, seed in sorted(seeds.items()):
            text = by_seed[num]["text"]
            for problem in wnlib.check_against_seed(text, seed):
                failures.append(f"seed {num}: {problem}")
            if num == "003" and text != seed["gold"].rstrip("\n"):
                failures.append("seed 003: stored text is not exactly its gold")
            title = seed["meta"].get("title")
            if title and by_seed[num]["title"] != title:
                failures.append(f"seed {num}: title {by_seed[num]['title']!r} != {title!r}")
            published = seed["meta"].get("published")
            if published and by_seed[num]["published"] != published:
                failures.append(f"seed {num}: published {by_seed[num]['published']!r} != {published!r}")
        self.assertEqual(failures, [], "\n".join(failures))
        # items of both feeds point at the same five articles
        db = sqlite3.connect(self.db)
        items, articles = db.execute(
            "SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM articles)").fetchone()
        self.assertEqual((items, articles), (2 * len(seeds), len(seeds)))
        db.close()

        # Second run: both feeds answer 304, nothing is parsed or stored again.
        self.server.clear()
        p = wnlib.run(WINNOWD, "once", "-c", self.conf, check=0)
        self.assertRegex(p.stderr, r"2 feeds: 0 ok, 2 not modified, 0 failed")
        self.assertRegex(p.stderr, r"0 articles stored")
        reqs = self.server.requests()
        self.assertEqual(sorted(r for r in reqs if r[1].endswith(".xml")),
                         [("GET", "/atom.xml", 304), ("GET", "/rss.xml", 304)])
        self.assertFalse([r for r in reqs if "/articles/" in r[1]], "no article fetched again")
        self.assertEqual(len(wnlib.export(WINNOWD, self.conf)), len(seeds))
        db = sqlite3.connect(self.db)
        self.assertEqual(db.execute("SELECT count(*) FROM items").fetchone()[0], 2 * len(seeds))
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        db.close()

    def test_bad_input_is_one_line_each_and_the_pass_goes_on(self):
        with open(os.path.join(self.site, "notfeed.html"), "w") as f:
            f.write("<!doctype html><html><body><p>Just a page.</p></body></html>\n")
        with open(os.path.join(self.site, "broken.xml"), "wb") as f:
            f.write(b"\x00\x01\x02 <<<< this is not XML at all >>>> \xff\xfe")
        plugins = os.path.join(self.dir, "plugins")
        shutil.copytree(PLUGINS, plugins)
        with open(os.path.join(plugins, "wn_bogus.so"), "w") as f:
            f.write("not a shared object\n")
        wnlib.write_conf(self.conf, self.db, plugins, [
            ("dead", "http://127.0.0.1:1/rss.xml", None),
            ("missing", self.server.base + "/status/404", None),
            ("notfeed", self.server.base + "/notfeed.html", None),
            ("broken", self.server.base + "/broken.xml", None),
            ("demo-rss", self.server.base + "/rss.xml", None),
        ])
        p = wnlib.run(WINNOWD, "once", "-c", self.conf, check=0)
        err = p.stderr
        self.assertRegex(err, r"5 feeds: 1 ok, 0 not modified, 4 failed")
        for name, why in [("dead", r"(?i)connect|refused"), ("missing", r"404"),
                          ("notfeed", r"(?i)not a feed"), ("broken", r"(?i)pars|xml|not a feed")]:
            lines = [l for l in err.splitlines() if f"feed {name}:" in l]
            self.assertEqual(len(lines), 1, f"one line for feed {name}:\n{err}")
            self.assertRegex(lines[0], why)
        bogus = [l for l in err.splitlines() if "wn_bogus.so" in l]
        self.assertEqual(len(bogus), 1, err)
        self.assertEqual(len(wnlib.export(WINNOWD, self.conf)), len(wnlib.seeds(SEEDS)))

    def test_an_article_that_fails_keeps_its_reason_on_its_item(self):
        # Three items, no feed content: a page that is gone, a page with no
        # text to keep, and a good one.  Each failure gets one log line with
        # its URL and reason, and the same reason is kept on its item.
        with open(os.path.join(self.site, "empty.html"), "w") as f:
            f.write("<!doctype html><html><head><title>t</title></head><body></body></html>\n")
        with open(os.path.join(self.site, "good.html"), "w") as f:
            f.write("<!doctype html><html><body><article>"
                    + "".join(f"<p>Paragraph {i} of the good page says something "
                              f"worth keeping about topic {i}.</p>" for i in range(12))
                    + "</article></body></html>\n")
        base = self.server.base
        items = "".join(
            f"<item><title>{t}</title><link>{base}{path}</link><guid>{t}</guid></item>"
            for t, path in [("gone", "/status/404"), ("empty", "/empty.html"),
                            ("good", "/good.html")])
        with open(os.path.join(self.site, "fails.xml"), "w") as f:
            f.write(f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>'
                    f"<link>{base}/</link>{items}</channel></rss>\n")
        wnlib.write_conf(self.conf, self.db, PLUGINS,
                         [("fails", base + "/fails.xml", "always")])
        p = wnlib.run(WINNOWD, "once", "-c", self.conf, check=0)
        self.assertRegex(p.stderr, r"1 article stored|1 articles stored")
        for path, why in [("/status/404", r"404"), ("/empty.html", r"no text")]:
            lines = [l for l in p.stderr.splitlines() if path in l and "article" in l]
            self.assertEqual(len(lines), 1, p.stderr)
            self.assertRegex(lines[0], why)
        db = sqlite3.connect(self.db)
        got = dict(db.execute("SELECT guid, last_error FROM items"))
        db.close()
        self.assertRegex(got["gone"] or "", r"404")
        self.assertRegex(got["empty"] or "", r"no text")
        self.assertIsNone(got["good"])

    def test_nothing_possible_is_a_failure(self):
        wnlib.write_conf(self.conf, self.db, PLUGINS, [
            ("dead", "http://127.0.0.1:1/rss.xml", None),
            ("missing", self.server.base + "/status/404", None),
        ])
        p = wnlib.run(WINNOWD, "once", "-c", self.conf)
        self.assertNotEqual(p.returncode, 0)
        self.assertRegex(p.stderr, r"2 feeds: 0 ok, 0 not modified, 2 failed")

    def test_private_addresses_are_refused_unless_allowed(self):
        lines = open(self.conf).read().replace("allow_private = 127.0.0.1", "allow_private = no")
        with open(self.conf, "w") as f:
            f.write(lines)
        p = wnlib.run(WINNOWD, "once", "-c", self.conf)
        self.assertNotEqual(p.returncode, 0)
        self.assertRegex(p.stderr, r"feed demo-rss: .*refused to connect to 127\.0\.0\.1")
        self.assertEqual(self.server.requests(), [], "no request reached the server")

    def test_local_file_source_reads_only_below_its_root(self):
        rss = os.path.join(self.site, "rss.xml")
        with open(self.conf, "w") as f:
            f.write(f"[store]\npath = {self.db}\n[plugins]\ndir = {PLUGINS}\n"
                    f"[fetch]\nfile_root = {self.site}\n"
                    f"[feed:local]\nurl = file://{rss}\n"
                    f"[feed:outside]\nurl = file:///etc/hostname\n")
        p = wnlib.run(WINNOWD, "once", "-c", self.conf, check=0)
        self.assertRegex(p.stderr, r"2 feeds: 1 ok, 0 not modified, 1 failed")
        self.assertRegex(p.stderr, r"outside \[fetch\] file_root")
        rows = wnlib.export(WINNOWD, self.conf)
        self.assertEqual(len(rows), len(wnlib.seeds(SEEDS)))
        self.assertTrue(all(r["url"].startswith("file://") for r in rows))
        # Unchanged files are "not modified" the second time.
        p = wnlib.run(WINNOWD, "once", "-c", self.conf, check=0)
        self.assertRegex(p.stderr, r"2 feeds: 0 ok, 1 not modified, 1 failed")

    def test_run_stores_and_stops_cleanly_on_sigterm(self):
        proc = subprocess.Popen([WINNOWD, "run", "-c", self.conf], stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.time() + 60
            n = 0
            while time.time() < deadline:
                time.sleep(0.3)
                try:
                    db = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
                    n = db.execute("SELECT count(*) FROM articles").fetchone()[0]
                    db.close()
                except sqlite3.Error:
                    n = 0
                if n >= len(wnlib.seeds(SEEDS)):
                    break
            self.assertEqual(n, len(wnlib.seeds(SEEDS)))
            proc.send_signal(signal.SIGTERM)
            rc = proc.wait(30)
            err = proc.stderr.read()
            self.assertEqual(rc, 0, err)
            self.assertIn("stopping (SIGTERM)", err)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


class StopIsBounded(unittest.TestCase):
    def test_sigterm_with_a_hung_server_exits_0_within_stop_timeout(self):
        with wnlib.TempDir() as d:
            hung = wnlib.SilentServer()
            conf = os.path.join(d, "c.conf")
            wnlib.write_conf(conf, os.path.join(d, "w.db"), PLUGINS,
                             [("hung", hung.base + "/feed.xml", None)],
                             extra="[daemon]\nstop_timeout = 1s\n")
            proc = subprocess.Popen([WINNOWD, "run", "-c", conf], stderr=subprocess.PIPE, text=True)
            try:
                time.sleep(1.0)
                t0 = time.time()
                proc.send_signal(signal.SIGTERM)
                rc = proc.wait(30)
                took = time.time() - t0
                err = proc.stderr.read()
                self.assertEqual(rc, 0, err)
                self.assertLess(took, 10, "stop is bounded by stop_timeout")
                self.assertRegex(err, r"still in flight after \[daemon\] stop_timeout")
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                hung.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
