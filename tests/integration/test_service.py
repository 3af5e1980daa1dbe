#!/usr/bin/env python3
"""winnowd run as a service: the notify protocol seen from a NOTIFY_SOCKET
the test opens (READY, STATUS, WATCHDOG, RELOADING with MONOTONIC_USEC,
STOPPING), SIGHUP reloads under load without losing a transfer (and a bad
configuration is refused while the old one runs on), SIGTERM during a busy
pass exits 0 with every fetched article stored, and a start from the
environment alone.

Environment (set by CTest): WN_WINNOWD, WN_PLUGIN_DIR.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wnlib  # noqa: E402

WINNOWD = os.environ.get("WN_WINNOWD", "build/winnowd")
PLUGINS = os.environ.get("WN_PLUGIN_DIR", "build/plugins")

WORDS = ("river lantern orchard copper meadow signal harbor velvet quarry "
         "thistle beacon cinder marble willow falcon prairie ember glacier").split()


def make_site(root, nfeeds, nitems, delay_ms):
    """nfeeds RSS feeds of nitems items each, every item's page slow."""
    os.makedirs(os.path.join(root, "a"), exist_ok=True)
    for f in range(nfeeds):
        items = []
        for i in range(nitems):
            name = f"f{f}-i{i}"
            words = [WORDS[(f * 7 + i * 3 + k) % len(WORDS)] for k in range(60)]
            paras = "".join(
                f"<p>Paragraph {p} of story {name}: {' '.join(words[p*12:(p+1)*12])}, "
                f"told in full sentences for the reader number {f*1000+i*10+p}.</p>"
                for p in range(5))
            with open(os.path.join(root, "a", name + ".html"), "w") as out:
                out.write(f"<html><head><title>Story {name}</title></head><body>"
                          f"<article><h1>Story {name}</h1>{paras}</article></body></html>")
            items.append(f"<item><title>Story {name}</title>"
                         f"<link>/slow/{delay_ms}/a/{name}.html</link>"
                         f"<guid>{name}</guid><description>short</description></item>")
        with open(os.path.join(root, f"feed{f}.xml"), "w") as out:
            out.write('<?xml version="1.0"?><rss version="2.0"><channel>'
                      f"<title>Feed {f}</title><link>/</link>{''.join(items)}"
                      "</channel></rss>")


class Daemon:
    """winnowd run in the background, its stderr collected."""

    def __init__(self, args, env=None):
        self.lines = []
        self.proc = subprocess.Popen([WINNOWD, *args], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, env=env)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stderr:
            self.lines.append(line)

    def log(self):
        return "".join(self.lines)

    def wait_log(self, pattern, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            if re.search(pattern, self.log()):
                return True
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"no {pattern!r} in the log:\n{self.log()[-4000:]}")

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        rc = self.proc.wait(timeout)
        self.reader.join(5)
        return rc


class Service(unittest.TestCase):
    def setUp(self):
        self.tmp = wnlib.TempDir()
        self.dir = self.tmp.__enter__()
        self.site = os.path.join(self.dir, "site")
        self.conf = os.path.join(self.dir, "winnow.conf")
        self.db = os.path.join(self.dir, "winnow.db")
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.stop()
        self.tmp.__exit__(None, None, None)

    def serve(self, nfeeds, nitems, delay_ms):
        make_site(self.site, nfeeds, nitems, delay_ms)
        self.server = wnlib.Server(self.site)

    def write(self, nfeeds, extra=""):
        feeds = [(f"feed{f}", f"{self.server.base}/feed{f}.xml", "always")
                 for f in range(nfeeds)]
        wnlib.write_conf(self.conf, self.db, PLUGINS, feeds,
                         "[daemon]\nlog_level = info\n" + extra)

    def stored(self):
        if not os.path.exists(self.db):
            return []
        p = wnlib.run(WINNOWD, "export", "-c", self.conf)
        if p.returncode != 0:
            return []
        import json
        return [json.loads(l)["url"] for l in p.stdout.splitlines() if l.strip()]

    def wait_stored(self, n, timeout=90):
        end = time.time() + timeout
        while time.time() < end:
            got = self.stored()
            if len(got) >= n:
                return got
            time.sleep(0.2)
        self.fail(f"only {len(self.stored())} of {n} articles stored")

    def notify_socket(self):
        """A NOTIFY_SOCKET like systemd's; returns its path and the list
        (monotonic time, message) that a thread fills."""
        path = os.path.join(self.dir, "notify.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        sock.settimeout(0.2)
        msgs = []

        def recv():
            while True:
                try:
                    msgs.append((time.monotonic(), sock.recv(4096).decode()))
                except socket.timeout:
                    continue
                except OSError:
                    return

        threading.Thread(target=recv, daemon=True).start()
        self.addCleanup(sock.close)
        return path, msgs

    def wait_msg(self, msgs, prefix, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            if any(m.startswith(prefix) for _, m in msgs):
                return
            time.sleep(0.05)
        self.fail(f"no {prefix!r} notification in {msgs}")

    def test_notify_messages_from_start_to_stop(self):
        self.serve(2, 2, 0)
        self.write(2)
        sock_path, timed = self.notify_socket()
        env = dict(os.environ, NOTIFY_SOCKET=sock_path, WATCHDOG_USEC="600000")
        d = Daemon(["run", "-c", self.conf], env=env)
        self.wait_stored(4)
        time.sleep(1.0)
        d.proc.send_signal(signal.SIGHUP)
        d.wait_log(r"reloaded")
        time.sleep(0.5)
        self.assertEqual(d.stop(), 0, d.log())
        time.sleep(0.3)
        msgs = [m for _, m in timed]
        joined = "\n--\n".join(msgs)
        ready = [i for i, m in enumerate(msgs) if m.startswith("READY=1")]
        self.assertTrue(ready, joined)
        self.assertTrue(any(re.search(r"STATUS=2 feeds: .*\d+ stored", m) for m in msgs), joined)
        # the watchdog, about every 300 ms while healthy
        self.assertGreaterEqual(sum(m == "WATCHDOG=1" for m in msgs), 3, joined)
        rel = [i for i, m in enumerate(msgs) if m.startswith("RELOADING=1\nMONOTONIC_USEC=")]
        self.assertEqual(len(rel), 1, joined)
        usec = int(re.match(r"RELOADING=1\nMONOTONIC_USEC=(\d+)", msgs[rel[0]]).group(1))
        self.assertAlmostEqual(usec / 1e6, time.clock_gettime(time.CLOCK_MONOTONIC), delta=30)
        self.assertTrue(any(i > rel[0] for i in ready), "READY=1 again after the reload")
        self.assertTrue(msgs[-1].startswith("STOPPING=1") or
                        any(m.startswith("STOPPING=1") for m in msgs[-3:]), joined)

    def test_watchdog_stops_while_the_store_is_stuck(self):
        import sqlite3
        self.serve(1, 2, 1000)
        self.write(1)
        sock, msgs = self.notify_socket()
        env = dict(os.environ, NOTIFY_SOCKET=sock, WATCHDOG_USEC="1000000")
        d = Daemon(["run", "-c", self.conf], env=env)
        self.wait_msg(msgs, "READY=1")
        t0 = time.monotonic()
        # another writer holds the database: the writer blocks, then fails
        db = sqlite3.connect(self.db, timeout=10, isolation_level=None)
        db.execute("BEGIN EXCLUSIVE")
        time.sleep(8)
        db.execute("COMMIT")
        db.close()
        time.sleep(4)
        self.assertEqual(d.stop(), 0, d.log())
        pings = [t - t0 for t, m in msgs if m == "WATCHDOG=1" and t >= t0]
        # every 0.5 s while healthy; a gap of seconds while the writer was
        # blocked (5 s busy timeout) and its transaction had just failed
        gaps = [b - a for a, b in zip([0.0] + pings, pings) if a < 8.0]
        self.assertGreaterEqual(max(gaps, default=0), 3.0, f"pings: {pings}")
        self.assertTrue([p for p in pings if p > 9.5], f"pings resumed: {pings}")
        self.assertIn(d.log().count("watchdog: store not healthy"), (1, 2), d.log())
        self.assertIn("watchdog: store healthy again", d.log())

    def test_reload_under_load_loses_no_transfer(self):
        self.serve(9, 8, 250)
        self.write(8)
        d = Daemon(["run", "-c", self.conf])
        d.wait_log(r"feed feed\d+: 8 items, 8 new")
        # a good reload in the middle of the pass: one feed more
        self.write(9)
        d.proc.send_signal(signal.SIGHUP)
        d.wait_log(r"reloaded .*: 9 feeds \(1 added, 0 removed")
        # a bad one is refused, naming the file, the line and the key
        with open(self.conf, "a") as f:
            f.write("\n[fetch]\ncolour = blue\n")
        d.proc.send_signal(signal.SIGHUP)
        d.wait_log(re.escape(self.conf) + r":\d+: \[fetch\] colour: unknown key")
        d.wait_log(r"refused; the running configuration stays in effect")
        self.write(9)
        d.proc.send_signal(signal.SIGHUP)
        d.wait_log(r"reloaded .*: 9 feeds \(0 added")
        urls = self.wait_stored(72)
        self.assertEqual(d.stop(), 0, d.log())
        log = d.log()
        self.assertEqual(len(urls), len(set(urls)), "each article once")
        self.assertEqual(len(urls), 72)
        problems = [l for l in log.splitlines()
                    if re.search(r"(?i)cancel|fail|warning:|error:", l) and "reload:" not in l]
        self.assertFalse(problems, "\n".join(problems[:10]))

    def test_reload_reinitialises_plugins(self):
        self.serve(1, 1, 0)
        plugins = os.path.join(self.dir, "plugins")
        os.makedirs(plugins)
        shutil.copy(os.path.join(PLUGINS, "wn_generic.so"), plugins)
        feeds = [("feed0", f"{self.server.base}/feed0.xml", None)]
        wnlib.write_conf(self.conf, self.db, plugins, feeds, "[daemon]\nlog_level = info\n")
        d = Daemon(["run", "-c", self.conf])
        d.wait_log(r"running: 1 feeds, 1 plugins")
        # a plugin installed while running is loaded by the reload, and
        # every plugin is initialised again from its section
        shutil.copy(os.path.join(PLUGINS, "wn_example.so"), plugins)
        with open(self.conf, "a") as f:
            f.write("\n[plugin:example]\npromo_class = teaser\n")
        d.proc.send_signal(signal.SIGHUP)
        d.wait_log(r"reloaded .*: 1 feeds .*, 2 plugins")
        self.assertEqual(len(re.findall(r"loaded generic", d.log())), 2, d.log())
        # a broken plugin file is skipped, as at start; the reload goes on
        with open(os.path.join(plugins, "wn_broken.so"), "w") as f:
            f.write("not a shared object")
        d.proc.send_signal(signal.SIGHUP)
        d.wait_log(r"warning: reload: .*wn_broken\.so")
        d.wait_log(r"(?s)wn_broken.*reloaded .*: 1 feeds .*, 2 plugins")
        # a section the plugin refuses refuses the reload
        with open(self.conf, "a") as f:
            f.write("drop_ads = perhaps\n")
        d.proc.send_signal(signal.SIGHUP)
        d.wait_log(r"\[plugin:example\] drop_ads:")
        d.wait_log(r"refused; the running configuration stays in effect")
        self.assertEqual(d.stop(), 0, d.log())

    def test_reload_reads_site_rules_again(self):
        if not os.path.exists(os.path.join(PLUGINS, "wn_rules.so")):
            self.skipTest("no rules plugin in this build")
        os.makedirs(os.path.join(self.site, "a"))
        body = " ".join(WORDS * 2)

        def page(name):
            with open(os.path.join(self.site, "a", name + ".html"), "w") as f:
                f.write(f"<html><head><title>Story {name}</title></head><body><article>"
                        f"<h1>Story {name}</h1><p>First paragraph of {name}: {body}.</p>"
                        f"<p class='zap'>Marked paragraph of {name}: {body}.</p>"
                        f"<p>Last paragraph of {name}: {body}.</p></article></body></html>")

        def feed(names):
            items = "".join(f"<item><title>Story {n}</title><link>/a/{n}.html</link>"
                            f"<guid>{n}</guid></item>" for n in names)
            with open(os.path.join(self.site, "feed.xml"), "w") as f:
                f.write(f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
                        f"<link>/</link>{items}</channel></rss>")

        def rule(xpath):
            with open(os.path.join(sites, "local.conf"), "w") as f:
                f.write(f"[site]\nhosts = 127.0.0.1\nremove = {xpath}\n")

        sites = os.path.join(self.dir, "sites.d")
        os.makedirs(sites)
        page("one")
        page("two")
        feed(["one"])
        rule("//p[@class='nothing']")
        self.server = wnlib.Server(self.site)
        wnlib.write_conf(self.conf, self.db, PLUGINS,
                         [("local", f"{self.server.base}/feed.xml", "always")],
                         f"[daemon]\nlog_level = info\n[schedule]\ninterval = 1s\n"
                         f"[plugin:rules]\ndir = {sites}\n")
        d = Daemon(["run", "-c", self.conf])
        self.wait_stored(1)
        # the site's rule file changes; SIGHUP re-initialises the rules plugin
        rule("//p[@class='zap']")
        d.proc.send_signal(signal.SIGHUP)
        d.wait_log(r"reloaded ")
        feed(["one", "two"])
        self.wait_stored(2)
        self.assertEqual(d.stop(), 0, d.log())
        import json
        p = wnlib.run(WINNOWD, "export", "-c", self.conf, check=0)
        text = {json.loads(l)["url"].rsplit("/", 1)[1]: json.loads(l)["text"]
                for l in p.stdout.splitlines() if l.strip()}
        self.assertIn("Marked paragraph of one", text["one.html"])
        self.assertIn("First paragraph of two", text["two.html"])
        self.assertNotIn("Marked paragraph of two", text["two.html"])

    def test_sigterm_during_a_busy_pass_keeps_every_fetched_article(self):
        self.serve(6, 10, 400)
        self.write(6, "stop_timeout = 60s\n[fetch]\nmax_articles = 4\n")
        d = Daemon(["run", "-c", self.conf])
        self.wait_stored(3)
        started = time.time()
        rc = d.stop(signal.SIGTERM)
        self.assertEqual(rc, 0, d.log())
        self.assertLess(time.time() - started, 30)
        self.assertIn("stopping (SIGTERM)", d.log())
        served = {path.split("/", 3)[3] for method, path, status in self.server.requests()
                  if path.startswith("/slow/") and status == 200}
        stored = self.stored()
        stored_names = {u.split("/", 3)[3] if "/slow/" not in u else u.split("/slow/", 1)[1].split("/", 1)[1]
                        for u in stored}
        self.assertTrue(served, "pages were fetched before the stop")
        self.assertLess(len(stored), 60, "the stop came in the middle of the pass")
        missing = served - stored_names
        self.assertFalse(missing, f"fetched but not stored: {sorted(missing)[:5]}")
        # the rest comes on the next start, nothing twice
        wnlib.run(WINNOWD, "once", "-c", self.conf, timeout=300, check=0)
        urls = self.stored()
        self.assertEqual(len(urls), 60)
        self.assertEqual(len(set(urls)), 60)

    def test_sigterm_bound_cancels_what_does_not_finish(self):
        hung = wnlib.SilentServer()
        try:
            wnlib.write_conf(self.conf, self.db, PLUGINS, [("hung", hung.base + "/feed.xml", None)],
                             "[daemon]\nstop_timeout = 1s\n")
            d = Daemon(["run", "-c", self.conf])
            d.wait_log(r"running: 1 feeds")
            time.sleep(1.0)
            started = time.time()
            self.assertEqual(d.stop(signal.SIGINT), 0, d.log())
            self.assertLess(time.time() - started, 8)
            self.assertIn("still in flight after [daemon] stop_timeout", d.log())
            # a second signal does not wait for the bound
            wnlib.write_conf(self.conf, self.db, PLUGINS, [("hung", hung.base + "/feed.xml", None)],
                             "[daemon]\nstop_timeout = 1h\n")
            d = Daemon(["run", "-c", self.conf])
            d.wait_log(r"running: 1 feeds")
            time.sleep(1.0)
            started = time.time()
            d.proc.send_signal(signal.SIGTERM)
            d.wait_log(r"stopping \(SIGTERM\)")
            self.assertEqual(d.stop(signal.SIGTERM), 0, d.log())
            self.assertLess(time.time() - started, 8)
            self.assertIn("SIGTERM again: canceling work in flight now", d.log())
        finally:
            hung.stop()

    def test_environment_only_start(self):
        self.serve(2, 3, 0)
        env = {k: v for k, v in os.environ.items() if not k.startswith("WINNOW_")}
        env.update({
            "WINNOW_STORE_PATH": self.db,
            "WINNOW_PLUGINS_DIR": PLUGINS,
            "WINNOW_FETCH_ALLOW_PRIVATE": "127.0.0.1",
            "WINNOW_DAEMON_LOG_FORMAT": "json",
            "WINNOW_DAEMON_LOG_LEVEL": "info",
            "WINNOW_FEED_FIRST_URL": self.server.base + "/feed0.xml",
            "WINNOW_FEED_SECOND_URL": self.server.base + "/feed1.xml",
            "WINNOW_FEED_SECOND_FETCH_ARTICLE": "always",
        })
        p = subprocess.run([WINNOWD, "once"], env=env, capture_output=True, text=True,
                           timeout=120, cwd=self.dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        import json
        lines = [json.loads(l) for l in p.stderr.splitlines() if l.startswith("{")]
        self.assertTrue(any(l["component"] == "feed second" for l in lines), p.stderr)
        with open(self.conf, "w") as f:
            f.write(f"[store]\npath = {self.db}\n")
        self.assertEqual(len(self.stored()), 6)
        # a misspelt variable is an error naming it
        env["WINNOW_FETCH_TIMEOUTT"] = "5s"
        p = subprocess.run([WINNOWD, "check-config"], env=env, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 78)
        self.assertIn("$WINNOW_FETCH_TIMEOUTT: [fetch] timeoutt: unknown key", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
