#!/usr/bin/env python3
"""winnowd against a misbehaving HTTP server on loopback (httpd.py's special
paths) beside a good one on another loopback address: every bad answer ends
as specified and is recorded with its class in `winnowd feeds`, the good
host's feeds are all fetched while the bad host still stalls, the second
pass is conditional (304), permanent redirects move the stored URL and
temporary ones do not, per-feed overrides and proxies reach the server,
connections are reused while hosts take turns, and feeds fetched while the
article backlog is full wait on disk (or, without a spool folder, wait to
start) with nothing lost or stored twice.

Environment (set by CTest): WN_WINNOWD, WN_PLUGIN_DIR.
"""
import collections
import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pgserver  # noqa: E402
import wnlib  # noqa: E402

WINNOWD = os.environ.get("WN_WINNOWD", "build/winnowd")
PLUGINS = os.environ.get("WN_PLUGIN_DIR", "build/plugins")

DRIP_LIMIT = 3  # s: [fetch] low_speed_time in these tests


def rss(title, n, words=20):
    items = "".join(
        f"<item><title>{title} {i}</title><link>http://example.invalid/{title}/{i}</link>"
        f"<guid>{title}-{i}</guid><pubDate>Mon, 0{1 + i % 9} Jan 2024 10:00:00 GMT</pubDate>"
        f"<description>{' '.join(['word'] * words)}</description></item>"
        for i in range(n))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://example.invalid/</link><ttl>90</ttl>{items}</channel></rss>")


def feeds_json(conf):
    p = wnlib.run(WINNOWD, "feeds", "-c", conf, "--json", check=0)
    return {r["name"]: r for r in map(json.loads, p.stdout.splitlines())}


def unix(t):
    return time.mktime(time.strptime(t, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone


class FetchMisbehaving(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # a prefix of its own: other suites on the machine sweep /tmp/wn-test-*
        cls.tmp = wnlib.TempDir(prefix="winnow-fetch-")
        cls.dir = cls.tmp.__enter__()
        cls.site = os.path.join(cls.dir, "site")
        os.mkdir(cls.site)
        for i in range(1, 9):
            with open(os.path.join(cls.site, f"good{i}.xml"), "w") as f:
                f.write(rss(f"good{i}", 3))
        with open(os.path.join(cls.site, "nottl.xml"), "w") as f:
            f.write(rss("nottl", 3).replace("<ttl>90</ttl>", ""))
        cls.bad = wnlib.Server(cls.site, host="127.0.0.1")
        cls.good = wnlib.Server(cls.site, host="127.0.0.2")

    @classmethod
    def tearDownClass(cls):
        cls.bad.stop()
        cls.good.stop()
        cls.tmp.__exit__(None, None, None)

    def conf(self, name, feeds, fetch_extra=""):
        """feeds: [(name, url, [extra lines])]"""
        path = os.path.join(self.dir, name + ".conf")
        lines = [
            "[store]", f"path = {os.path.join(self.dir, name + '.db')}",
            "[plugins]", f"dir = {PLUGINS}",
            "[fetch]",
            f"allow_private = 127.0.0.1:{self.bad.port} 127.0.0.2:{self.good.port}",
            "timeout = 6s", "connect_timeout = 2s",
            f"low_speed_time = {DRIP_LIMIT}s", "low_speed_limit = 10",
            "max_body = 256k", "max_redirects = 3",
            "max_transfers = 4", "max_host_transfers = 2",
            fetch_extra,
            "[schedule]", "interval = 30m",
        ]
        for n, url, extra in feeds:
            lines += [f"[feed:{n}]", f"url = {url}", "fetch_article = never", *extra]
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def test_bad_answers_end_as_specified_and_never_delay_good_feeds(self):
        b, g = self.bad.base, self.good.base
        bad = [
            ("drip", f"{b}/drip?every=10", "timeout"),
            ("drip2", f"{b}/drip?every=10", "timeout"),
            ("endless", f"{b}/endless", "too-big"),
            ("bomb", f"{b}/bomb", "too-big"),
            ("lie", f"{b}/lie", "network"),
            ("reset", f"{b}/reset", "network"),
            ("r429", f"{b}/status/429?retry_after=120", "rate-limited"),
            ("r503", f"{b}/status/503?retry_after=date:%2B600", "rate-limited"),
            ("gone", f"{b}/status/410", "gone"),
            ("challenge", f"{b}/status/403?challenge=1", "bot-challenge"),
            ("plain403", f"{b}/status/403", "http"),
            ("loop", f"{b}/loop", "http"),
            ("tofile", f"{b}/goto?u=file:///etc/passwd", "blocked"),
            ("toprivate", f"{b}/goto?u=http://10.255.255.1/feed.xml", "blocked"),
            ("toloopback", f"{b}/goto?u=http://127.0.0.3:{self.good.port}/good1.xml", "blocked"),
        ]
        good = [(f"good{i}", f"{g}/good{i}.xml") for i in range(1, 5)] + [
            ("m301", f"{g}/move/301/good5.xml"),
            ("m308", f"{g}/move/308/move/301/good6.xml"),
            ("t302", f"{g}/move/302/good7.xml"),
            ("t307", f"{g}/move/307/good8.xml"),
            ("mixed", f"{g}/move/301/move/302/good1.xml"),
        ]
        # the bad feeds come first: they take their host's slots first
        conf = self.conf("bad", [(n, u, []) for n, u, _ in bad] + [(n, u, []) for n, u in good])
        start = time.time()
        p = wnlib.run(WINNOWD, "once", "-c", conf, "--log-level", "info", check=0, timeout=120)
        elapsed = time.time() - start
        self.assertRegex(p.stderr, rf"{len(bad) + len(good)} feeds: {len(good)} ok, 0 not modified, "
                                   rf"{len(bad)} failed")
        self.assertLess(elapsed, 30, "the pass ends although servers misbehave")

        # good feeds were all fetched before the first drip ran out of time
        good_times = [t for path, st, t in self.good.timed_requests() if st == 200]
        self.assertEqual(len(good_times), len(good))
        self.assertLess(max(good_times) - start, DRIP_LIMIT,
                        "a slow host delayed the feeds of a good one")
        self.assertGreaterEqual(elapsed, DRIP_LIMIT)

        state = feeds_json(conf)
        now = time.time()
        for name, _, cls in bad:
            with self.subTest(feed=name):
                self.assertEqual(state[name]["error_class"], cls, state[name])
                self.assertEqual(state[name]["error_count"], 1)
                self.assertIn(name, p.stderr)  # one log line names the feed
        self.assertIn("refused to connect to 10.255.255.1", state["toprivate"]["last_error"])
        self.assertIn("refused to connect to 127.0.0.3", state["toloopback"]["last_error"])
        self.assertIn("max_redirects", state["loop"]["last_error"])
        self.assertIn("max_body", state["bomb"]["last_error"])
        # Retry-After (seconds and HTTP-date) sets the next try
        self.assertGreaterEqual(unix(state["r429"]["next_try"]), now + 110)
        self.assertGreaterEqual(unix(state["r503"]["next_try"]), now + 590)
        # other failures back off but come back (never a permanent stop)
        self.assertIsNotNone(state["plain403"]["next_try"])
        self.assertEqual(state["gone"]["state"], "retired")
        self.assertIsNone(state["gone"]["next_try"])
        # permanent redirects move the stored URL; temporary ones do not
        self.assertEqual(state["m301"]["fetch_url"], f"{g}/good5.xml")
        self.assertEqual(state["m308"]["fetch_url"], f"{g}/good6.xml")
        self.assertIsNone(state["t302"]["fetch_url"])
        self.assertIsNone(state["t307"]["fetch_url"])
        self.assertEqual(state["mixed"]["fetch_url"], f"{g}/move/302/good1.xml")
        for name, _ in good:
            self.assertEqual(state[name]["state"], "ok")
            self.assertEqual(state[name]["error_count"], 0)
            # <ttl>90</ttl>: at least 90 minutes, not [schedule] interval's 30
            self.assertGreaterEqual(state[name]["interval"], 90 * 60)

        # the text listing shows the same
        text = wnlib.run(WINNOWD, "feeds", "-c", conf, check=0).stdout
        self.assertRegex(text, r"gone  retired")
        self.assertRegex(text, r"r429  failing  errors 1")
        self.assertIn("rate-limited: http status 429, Retry-After 120 s", text)
        self.assertIn(f"{g}/good5.xml (moved from {g}/move/301/good5.xml)", text)

        # second pass: conditional GETs answered 304; the moved feed is asked
        # at its new address; the retired feed is not asked at all
        self.good.clear()
        self.bad.clear()
        p = wnlib.run(WINNOWD, "once", "-c", conf, check=0, timeout=120)
        self.assertRegex(p.stderr, rf"{len(good)} not modified")
        paths = [path for path, st, _ in self.good.timed_requests()]
        self.assertIn("/good5.xml", paths)
        self.assertNotIn("/move/301/good5.xml", paths)
        self.assertIn("/move/302/good7.xml", paths)
        self.assertTrue(all(st == 304 for path, st, _ in self.good.timed_requests()
                            if path.endswith(".xml") and "/move/" not in path))
        self.assertNotIn("/status/410", [path for path, _, _ in self.bad.timed_requests()])
        # the 429 and the 503 are waited out (Retry-After), not asked again
        self.assertRegex(p.stderr, r"2 waiting for Retry-After")
        for path in ("/status/429?retry_after=120", "/status/503?retry_after=date:%2B600"):
            self.assertNotIn(path, [q for q, _, _ in self.bad.timed_requests()])
        self.assertEqual(feeds_json(conf)["drip"]["error_count"], 2)

    def test_connections_are_reused_while_hosts_take_turns(self):
        # Four hosts take turns under a cap of two transfers: the next
        # request nearly always goes to a host other than the one that just
        # finished, so each host's connection must wait, idle, for its turn.
        # With connections capped at the transfer cap, curl closed an idle
        # one to open each new one (about one connection per request).
        hosts = [self.good] + [wnlib.Server(self.site, host=f"127.0.0.{i}") for i in (4, 5, 6)]
        try:
            feeds = [(f"turn{i}", f"{hosts[i % 4].base}/good{1 + i % 8}.xml?n={i}")
                     for i in range(32)]
            path = os.path.join(self.dir, "turns.conf")
            lines = ["[store]", f"path = {os.path.join(self.dir, 'turns.db')}",
                     "[plugins]", f"dir = {PLUGINS}",
                     "[fetch]", "allow_private = yes", "timeout = 20s",
                     "max_transfers = 2", "max_host_transfers = 1", "host_delay = 0",
                     "[schedule]", "interval = 30m"]
            for n, url in feeds:
                lines += [f"[feed:{n}]", f"url = {url}", "fetch_article = never"]
            with open(path, "w") as f:
                f.write("\n".join(lines) + "\n")
            for h in hosts:
                h.clear()
            p = wnlib.run(WINNOWD, "once", "-c", path, check=0, timeout=120)
            self.assertRegex(p.stderr, r"32 feeds: 32 ok")
            for h in hosts:
                with self.subTest(host=h.host):
                    self.assertEqual(len(h.requests()), 8)
                    # one connection per host, reused for all its requests
                    self.assertEqual(h.connections(), 1)
        finally:
            for h in hosts[1:]:
                h.stop()

    def park_pass(self, name, env):
        """30 feeds of 12 items (feed content) fetched two at a time while
        one article at a time is cleaned: bodies come in faster than their
        articles go out."""
        feeds = []
        for i in range(30):
            with open(os.path.join(self.site, f"park{i}.xml"), "w") as f:
                f.write(rss(f"park{i}", 12, words=60))
            feeds.append((f"park{i}", f"{self.good.base}/park{i}.xml", []))
        conf = self.conf(name, feeds, "max_articles = 1")
        with open(conf) as f:
            text = f.read().replace("max_transfers = 4", "max_transfers = 2")
        with open(conf, "w") as f:
            f.write(text)
        p = subprocess.run([WINNOWD, "once", "-c", conf, "--log-level", "debug"],
                           capture_output=True, text=True, timeout=120,
                           env={**os.environ, **env})
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        self.assertRegex(p.stderr, r"30 feeds: 30 ok, 0 not modified, 0 failed; 360 items, "
                                   r"360 new; 360 articles stored")
        urls = [r["url"] for r in wnlib.export(WINNOWD, conf)]
        self.assertEqual(len(urls), 360)
        self.assertEqual(len(set(urls)), 360, "each article once")
        self.assertTrue(all(s["state"] == "ok" for s in feeds_json(conf).values()))
        return p.stderr

    def test_fetched_feeds_wait_on_disk_for_a_full_backlog(self):
        err = self.park_pass("park", {})
        # feeds went on being fetched, their bodies parked on disk
        self.assertRegex(err, r"park\d+: parked for the parser \(\d+ feeds, \d+ bytes on disk\)")
        self.assertNotIn("cannot park", err)

    def test_without_a_spool_folder_feeds_wait_to_start(self):
        err = self.park_pass("nopark", {"TMPDIR": os.path.join(self.dir, "missing")})
        self.assertRegex(err, r"cannot park fetched feeds on disk \(spool folder "
                              r"\S+/missing: No such file or directory\)")
        self.assertNotIn("parked for the parser", err)

    def test_once_waits_out_retry_after_unless_forced(self):
        b, g = self.bad.base, self.good.base
        conf = self.conf("wait", [("slow", f"{b}/status/429?retry_after=120&wait", []),
                                  ("fine", f"{g}/good2.xml?wait", [])])

        def asked():
            return [q for q, _, _ in self.bad.timed_requests() if q.endswith("&wait")]

        self.bad.clear()
        p = wnlib.run(WINNOWD, "once", "-c", conf, check=0)
        self.assertRegex(p.stderr, r"2 feeds: 1 ok, 0 not modified, 1 failed;", p.stderr)
        self.assertEqual(len(asked()), 1)
        state = feeds_json(conf)
        self.assertEqual(state["slow"]["error_class"], "rate-limited")
        self.assertTrue(state["slow"]["waiting_retry_after"])
        self.assertFalse(state["fine"]["waiting_retry_after"])
        text = wnlib.run(WINNOWD, "feeds", "-c", conf, check=0).stdout
        self.assertIn("waiting for the server's Retry-After until", text)

        # a cron job's next `once`: the 429 feed is left alone, the other is asked
        p = wnlib.run(WINNOWD, "once", "-c", conf, check=0)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stderr, r"2 feeds: 0 ok, 1 not modified, 0 failed, "
                                   r"1 waiting for Retry-After \(not asked\);", p.stderr)
        self.assertRegex(p.stderr, r"feed slow: the server asked to wait .* until "
                                   r"\d{4}-\d\d-\d\dT")
        self.assertEqual(len(asked()), 1, "a second once asked the 429 feed again")
        self.assertEqual(feeds_json(conf)["slow"]["error_count"], 1)

        # only that feed waiting: nothing failed, so the exit status is 0
        only = self.conf("waitonly", [("slow", f"{b}/status/429?retry_after=120&wait", [])])
        p = wnlib.run(WINNOWD, "once", "-c", only, check=None)
        self.assertEqual(p.returncode, 1, "nothing could be done: exit 1")
        self.assertEqual(len(asked()), 2)
        p = wnlib.run(WINNOWD, "once", "-c", only, check=0)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(asked()), 2)

        # --force asks it anyway
        p = wnlib.run(WINNOWD, "once", "-c", conf, "--force", check=0)
        self.assertRegex(p.stderr, r"2 feeds: 0 ok, 1 not modified, 1 failed;", p.stderr)
        self.assertEqual(len(asked()), 3)
        self.assertEqual(feeds_json(conf)["slow"]["error_count"], 2)

    def test_once_does_not_linger_on_a_host_that_asks_to_wait(self):
        """[fetch] retry_after_host: a 429 with Retry-After 3600 on one feed
        ends its host's queued requests at once (rate-limited, not asked)
        instead of holding `once` for an hour; the next `once` leaves the
        whole host alone."""
        b, g = self.bad.base, self.good.base
        sibs = [(f"s{i}", f"{b}/good{1 + i % 8}.xml?hw{i}", []) for i in range(8)]
        conf = self.conf("hostwait", [("limit", f"{b}/status/429?retry_after=3600&hw", [])]
                         + sibs + [("other", f"{g}/good3.xml?hw", [])],
                         fetch_extra="retry_after_host = yes")

        def asked():
            return [q for q, _, _ in self.bad.timed_requests() if "hw" in q]

        self.bad.clear()
        start = time.time()
        p = wnlib.run(WINNOWD, "once", "-c", conf, check=0, timeout=60)
        self.assertLess(time.time() - start, 10, "once waited for the host's Retry-After")
        self.assertEqual(asked().count("/status/429?retry_after=3600&hw"), 1)
        state = feeds_json(conf)
        shed = [n for n, _, _ in sibs if state[n]["state"] == "failing"]
        self.assertGreaterEqual(len(shed), 1, state)
        self.assertEqual(len(asked()), 1 + len(sibs) - len(shed), p.stderr)
        for n in shed:
            self.assertEqual(state[n]["error_class"], "rate-limited")
            self.assertIn("not asked: its host asked to wait", state[n]["last_error"])
            self.assertGreaterEqual(unix(state[n]["next_try"]), time.time() + 3000)
        self.assertEqual(state["other"]["state"], "ok")

        # the next pass leaves every feed of that host alone
        self.bad.clear()
        p = wnlib.run(WINNOWD, "once", "-c", conf, check=0)
        self.assertEqual(asked(), [], p.stderr)
        self.assertRegex(p.stderr, rf"{len(sibs) + 1} waiting for Retry-After", p.stderr)
        self.assertRegex(p.stderr, r"feed s\d: its host 127\.0\.0\.1 asked another feed to wait")

    def skip_hours_survive_a_restart(self, store):
        """A feed that asks to be skipped every hour but one (H, five hours
        from now, UTC): its next try falls in H after the first fetch (200)
        and still after the second, a new process answered 304."""
        hour = (time.gmtime().tm_hour + 5) % 24
        skip = "".join(f"<hour>{h}</hour>" for h in range(24) if h != hour)
        name = f"skiphours-{abs(hash(store)) % 1000}.xml"
        with open(os.path.join(self.site, name), "w") as f:
            f.write(rss("skip", 3).replace("<ttl>90</ttl>",
                                           f"<skipHours>{skip}</skipHours>"))
        conf = self.conf("skip", [("skip", f"{self.good.base}/{name}", [])])
        with open(conf) as f:
            text = f.read()
        with open(conf, "w") as f:
            f.write(text.replace(f"path = {os.path.join(self.dir, 'skip.db')}\n",
                                 f"path = {store}\n", 1))
        for status in ("1 ok, 0 not modified", "0 ok, 1 not modified"):
            p = wnlib.run(WINNOWD, "once", "-c", conf, check=0)
            self.assertRegex(p.stderr, rf"1 feeds: {status}", p.stderr)
            nxt = unix(feeds_json(conf)["skip"]["next_try"])
            self.assertEqual(time.gmtime(nxt).tm_hour, hour, (status, nxt, time.time()))

    def test_skip_hours_survive_a_restart_sqlite(self):
        self.skip_hours_survive_a_restart(os.path.join(self.dir, "skip.db"))

    def test_skip_hours_survive_a_restart_postgresql(self):
        if pgserver.bindir() is None:
            self.skipTest("PostgreSQL is not installed")
        with pgserver.PgServer() as pg:
            self.skip_hours_survive_a_restart(pg.uri)

    def test_per_feed_overrides_reach_the_server(self):
        g = self.good.base
        secret = os.path.join(self.dir, "secret")
        with open(secret, "w") as f:
            f.write("s3cret\n")
        conf = self.conf("over", [
            ("custom", f"{g}/good1.xml", [
                "user_agent = custom-agent/1.0 (+https://example.invalid/contact)",
                "header = X-Test: one", "header = X-Other: two",
                "cookie = session=abc", "username = alice",
                "password_file = secret", "timeout = 5s",
                "min_interval = 4h", "max_interval = 5h"]),
            ("plain", f"{g}/good2.xml", []),
        ], fetch_extra="user_agent = winnow-test (+https://example.invalid/winnow)")
        wnlib.run(WINNOWD, "once", "-c", conf, check=0)
        seen = {h["path"]: h for h in self.good.headers()}
        c, pl = seen["/good1.xml"], seen["/good2.xml"]
        self.assertEqual(c["User-Agent"], "custom-agent/1.0 (+https://example.invalid/contact)")
        self.assertEqual((c["X-Test"], c["X-Other"], c["Cookie"]), ("one", "two", "session=abc"))
        self.assertEqual(c["Authorization"], "Basic YWxpY2U6czNjcmV0")  # alice:s3cret
        self.assertEqual(pl["User-Agent"], "winnow-test (+https://example.invalid/winnow)")
        self.assertNotIn("Authorization", pl)
        self.assertNotIn("Cookie", pl)
        state = feeds_json(conf)
        self.assertEqual(state["custom"]["interval"], 4 * 3600)  # raised to its min_interval
        self.assertLessEqual(state["plain"]["interval"], 7 * 86400)

    def test_proxies_from_the_environment_and_the_configuration(self):
        # a host name that does not resolve: only a proxy can fetch it
        conf = self.conf("proxy", [
            ("viaenv", "http://feeds.invalid/good3.xml", []),
            ("viaconf", "http://other.invalid/good4.xml",
             [f"proxy = http://127.0.0.2:{self.good.port}"]),
        ])
        env = dict(os.environ, http_proxy=f"http://127.0.0.2:{self.good.port}")
        env.pop("no_proxy", None)
        env.pop("NO_PROXY", None)
        p = subprocess.run([WINNOWD, "once", "-c", conf], env=env, capture_output=True,
                           text=True, timeout=60)
        self.assertRegex(p.stderr, r"2 feeds: 2 ok", p.stderr)
        # without the variable, the env feed cannot resolve; the other still works
        env.pop("http_proxy")
        os.unlink(os.path.join(self.dir, "proxy.db"))
        p = subprocess.run([WINNOWD, "once", "-c", conf], env=env, capture_output=True,
                           text=True, timeout=60)
        self.assertRegex(p.stderr, r"2 feeds: 1 ok, 0 not modified, 1 failed", p.stderr)

    def test_run_follows_the_schedule(self):
        """winnowd run: a good feed comes back every interval, a 429 with
        Retry-After waits it out, a 410 is asked once, a failing feed backs
        off; SIGTERM stops it cleanly."""
        b, g = self.bad.base, self.good.base
        conf = self.conf("run", [
            ("every2s", f"{g}/nottl.xml", ["interval = 2s"]),
            ("ttl", f"{g}/good4.xml?run", ["interval = 2s"]),
            ("r429", f"{b}/status/429?retry_after=3600&run", ["interval = 1s"]),
            ("gone", f"{b}/status/410?run", ["interval = 1s"]),
            ("down", f"{b}/status/500?run", ["interval = 1s"]),
        ])
        with open(conf) as f:
            text = f.read().replace("interval = 30m", "interval = 30m\njitter = 0\n"
                                    "adaptive = no\nbackoff_max = 30s")
        with open(conf, "w") as f:
            f.write(text)
        proc = subprocess.Popen([WINNOWD, "run", "-c", conf], stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(7.5)
        finally:
            proc.send_signal(15)
            _, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 0, err)
        good = collections.Counter(p for p, st, _ in self.good.timed_requests())
        bad = collections.Counter(p for p, st, _ in self.bad.timed_requests() if p.endswith("run"))
        # every 2 s (no jitter): at about 0, 2, 4 and 6 s
        self.assertGreaterEqual(good["/nottl.xml"], 3, good)
        self.assertLessEqual(good["/nottl.xml"], 5, good)
        # <ttl>90</ttl> raises even a feed's own interval: asked once
        self.assertEqual(good["/good4.xml?run"], 1, good)
        self.assertEqual(bad["/status/429?retry_after=3600&run"], 1)
        self.assertEqual(bad["/status/410?run"], 1)
        # 500 with interval 1 s: retries at most every min(1 s * 2^n) with
        # full jitter, so a few times in 7 s, never a tight loop
        self.assertGreaterEqual(bad["/status/500?run"], 2)
        self.assertLessEqual(bad["/status/500?run"], 8)
        state = feeds_json(conf)
        self.assertEqual(state["gone"]["state"], "retired")
        self.assertGreater(unix(state["r429"]["next_try"]), time.time() + 3000)


if __name__ == "__main__":
    unittest.main(verbosity=2)
