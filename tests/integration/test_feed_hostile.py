#!/usr/bin/env python3
"""Hostile feeds against the real winnowd: each input is generated here at
run time (none is committed), given to `winnowd parse` and to the daemon
(`winnowd once` over a loopback server), and must end in bounded time and
memory with a clear one-line error or a bounded result: never a crash, a
hang, a fetch of an external entity or DTD, or local data in the output.

Environment (set by CTest): WN_WINNOWD, WN_PLUGIN_DIR.
"""
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wnlib  # noqa: E402

WINNOWD = os.environ.get("WN_WINNOWD", "build/winnowd")
PLUGINS = os.environ.get("WN_PLUGIN_DIR", "build/plugins")

SECRET = "TOPSECRET-4711-winnow"
TIME_LIMIT = 60            # seconds per run, sanitizer builds included
MEMORY_LIMIT = 2 << 30     # bytes of peak RSS per run (ASan's shadow included)
EXIT_DATA = 65             # winnowd's exit status for input that is not a feed

RSS_HEAD = ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            '<title>Hostile</title><link>https://example.com/</link>'
            '<description>x</description>\n')
RSS_TAIL = "</channel></rss>\n"


class Listener:
    """A TCP port on loopback that records every connection: an external
    entity or DTD that points here must never be fetched."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.done = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.done:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.hits += 1
            conn.close()

    def stop(self):
        self.done = True
        self.sock.close()


def run_measured(args, stdin=None):
    """Runs winnowd; returns (status, stdout, stderr, seconds, peak RSS)."""
    t0 = time.monotonic()
    p = subprocess.Popen([WINNOWD, *args], stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = []
    readers = [threading.Thread(target=lambda f=f: out.append((f, f.read())), daemon=True)
               for f in (p.stdout, p.stderr)]
    for r in readers:
        r.start()
    if stdin is not None:
        try:
            stdin(p.stdin)
        except BrokenPipeError:
            pass  # winnowd stopped reading: what a size limit should do
        finally:
            try:
                p.stdin.close()
            except BrokenPipeError:
                pass
    deadline = t0 + TIME_LIMIT
    while True:
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid != 0:
            break
        if time.monotonic() > deadline:
            p.kill()
            pid, status, usage = os.wait4(p.pid, 0)
            raise AssertionError(f"winnowd {' '.join(args)}: still running after {TIME_LIMIT} s")
        time.sleep(0.02)
    for r in readers:
        r.join()
    p.stdout.close()
    p.stderr.close()
    streams = dict(out)
    p.returncode = os.waitstatus_to_exitcode(status)
    return (p.returncode, streams[p.stdout].decode("utf-8", "replace"),
            streams[p.stderr].decode("utf-8", "replace"), time.monotonic() - t0,
            usage.ru_maxrss * 1024)


class HostileParse(unittest.TestCase):
    maxDiff = 2000

    # One folder per test, not per class: other test suites on the machine
    # sweep /tmp/wn-test-*, so the prefix is this suite's own.
    def setUp(self):
        self.tmp = wnlib.TempDir(prefix="winnow-feed-hostile-")
        self.dir = self.tmp.__enter__()
        self.secret = os.path.join(self.dir, "secret.txt")
        with open(self.secret, "w") as f:
            f.write(SECRET + "\n")
        self.listener = Listener()

    def tearDown(self):
        self.listener.stop()
        self.tmp.__exit__(None, None, None)

    def write(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        return path

    def parse(self, name, data, want_error=None):
        """winnowd parse on data: bounded; want_error: the error must name
        the file and contain this text; None: it must parse."""
        path = self.write(name, data)
        status, out, err, secs, rss = run_measured(["parse", path, "--url", "https://example.com/f"])
        self.assertNotIn(SECRET, out + err, f"{name}: local data in the output")
        self.assertLess(rss, MEMORY_LIMIT, f"{name}: peak RSS {rss >> 20} MB")
        self.assertNotIn(status, (-6, -11, 134, 139), f"{name}: crashed: {err}")
        if want_error is None:
            self.assertEqual(status, 0, f"{name}: {err}")
            return out
        self.assertEqual(status, EXIT_DATA, f"{name}: exit {status}: {err[:300]}")
        self.assertEqual(out, "", f"{name}: printed {out[:200]!r}")
        lines = err.splitlines()
        self.assertEqual(len(lines), 1, f"{name}: stderr {err[:500]!r}")
        self.assertIn(name, lines[0])
        self.assertIn(want_error, lines[0])
        return None

    def test_billion_laughs(self):
        ents = '<!ENTITY lol "lol">' + "".join(
            f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
        self.parse("laughs.xml", f'<?xml version="1.0"?><!DOCTYPE rss [{ents}]>'
                   '<rss><channel><title>&lol9;</title></channel></rss>', "entity")

    def test_quadratic_blowup(self):
        doc = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + "x" * 200 + '">]>' + RSS_HEAD
               + "<item><title>" + "&a;" * 100000 + "</title></item>" + RSS_TAIL)
        self.parse("quadratic.xml", doc, "beyond")

    def test_external_entities_and_dtds_are_never_loaded(self):
        url = f"http://127.0.0.1:{self.listener.port}"
        cases = {
            "xxe-file.xml": f'<!DOCTYPE rss [<!ENTITY x SYSTEM "file://{self.secret}">]>'
                            '<rss><channel><title>&x;</title></channel></rss>',
            "xxe-loopback.xml": f'<!DOCTYPE rss [<!ENTITY x SYSTEM "{url}/e">]>'
                                '<rss><channel><title>&x;</title></channel></rss>',
            "xxe-parameter.xml": f'<!DOCTYPE rss [<!ENTITY % p SYSTEM "file://{self.secret}"> %p;]>'
                                 '<rss/>',
            "xxe-parameter-loopback.xml": f'<!DOCTYPE rss [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;]><rss/>',
        }
        for name, doc in cases.items():
            self.parse(name, doc, "DTD")
        # An external DTD subset is a reference, not a fetch: the feed parses.
        for name, sysid in (("dtd-file.xml", f"file://{self.secret}"), ("dtd-loopback.xml", f"{url}/rss.dtd")):
            out = self.parse(name, f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{sysid}">' + RSS_HEAD
                             + "<item><title>a&ent;b</title><link>https://example.com/1</link></item>" + RSS_TAIL)
            self.assertIn('"title":"a&ent;b"', out)
        time.sleep(0.2)
        self.assertEqual(self.listener.hits, 0, "winnowd connected to a DTD or entity URL")

    def test_deep_nesting(self):
        depth = 100000
        self.parse("deep.xml", RSS_HEAD + "<item>" + "<div>" * depth + "x" + "</div>" * depth
                   + "</item>" + RSS_TAIL, "nest")
        self.parse("deep-unclosed.xml", RSS_HEAD + "<a>" * depth, "nest")
        self.parse("deep-atom.xml", '<feed xmlns="http://www.w3.org/2005/Atom">'
                   + "<entry>" * depth, "nest")
        self.parse("deep.json", '{"version": "https://jsonfeed.org/version/1.1", "items": '
                   + "[" * depth + "]" * depth + "}", "JSON")
        self.parse("deep-object.json", '{"version": "https://jsonfeed.org/version/1", "x": '
                   + '{"a": ' * depth + "1" + "}" * depth + ', "items": []}', "JSON")

    def test_hundred_thousand_items(self):
        items = "".join(f"<item><title>Item {i}</title><link>https://example.com/{i}</link></item>\n"
                        for i in range(100000))
        out = self.parse("many-items.xml", RSS_HEAD + items + RSS_TAIL)
        self.assertEqual(out.count('"id":'), 10000)  # WN_FEED_MAX_ITEMS
        self.assertIn('"title":"Item 9999"', out)
        self.assertNotIn('"title":"Item 10000"', out)
        # The same in JSON Feed.
        items = ",".join(f'{{"id": "{i}", "title": "Item {i}"}}' for i in range(100000))
        out = self.parse("many-items.json", '{"version": "https://jsonfeed.org/version/1.1", '
                         '"title": "J", "items": [' + items + "]}")
        self.assertEqual(out.count('"id":'), 10000)

    def test_huge_text_node(self):
        # 200 MB in one text node: refused at the size limit, from a file
        # and from a pipe (which winnowd stops reading).
        chunk = b"x" * (1 << 20)
        path = os.path.join(self.dir, "huge.xml")
        with open(path, "wb") as f:
            f.write(RSS_HEAD.encode() + b"<item><title>")
            for _ in range(200):
                f.write(chunk)
            f.write(b"</title></item>" + RSS_TAIL.encode())
        status, out, err, secs, rss = run_measured(["parse", path])
        os.unlink(path)
        self.assertEqual(status, EXIT_DATA, err)
        self.assertIn("huge.xml", err)
        self.assertIn("limit", err)
        self.assertLess(rss, MEMORY_LIMIT)

        def feed(pipe):
            pipe.write(RSS_HEAD.encode() + b"<item><title>")
            for _ in range(200):
                pipe.write(chunk)
            pipe.write(b"</title></item>" + RSS_TAIL.encode())
        status, out, err, secs, rss = run_measured(["parse", "-"], stdin=feed)
        self.assertEqual(status, EXIT_DATA, err)
        self.assertIn("limit", err)
        self.assertLess(rss, MEMORY_LIMIT)
        # Under the limits, a 9 MB text node parses (bounded work).
        big = "y" * (9 << 20)
        out = self.parse("big-field.xml", RSS_HEAD + "<item><title>" + big
                         + "</title><link>https://example.com/1</link></item>" + RSS_TAIL)
        self.assertTrue('"link":"https://example.com/1"' in out, out[-300:])

    def test_nul_bytes_and_invalid_utf8(self):
        doc = (RSS_HEAD + "<item><title>a\0b\0</title><link>https://example.com/1</link>"
               "<description>\0\0\0</description></item>" + RSS_TAIL).encode()
        out = self.parse("nul.xml", doc)
        self.assertIn('"title":"ab"', out)
        self.parse("all-nul.xml", b"\0" * 100000, "")
        junk = bytes((i * 7919 + 13) % 256 for i in range(300000))
        self.parse("junk.xml", junk, "")
        bad = (RSS_HEAD + "<item><title>").encode() + bytes(range(0x80, 0x100)) * 100 \
            + ("</title><link>https://example.com/1</link></item>" + RSS_TAIL).encode()
        out = self.parse("invalid-utf8.xml", bad)
        self.assertIn('"link":"https://example.com/1"', out)
        self.parse("nul.json", b'{"version": "https://jsonfeed.org/version/1.1", "title": "a\0b", "items": []}', "JSON")


class HostileDaemon(unittest.TestCase):
    """The same inputs through the daemon: each hostile feed fails alone
    with a logged reason, the good feed is stored, nothing local leaks."""

    def test_once_survives_hostile_feeds(self):
        with wnlib.TempDir(prefix="winnow-feed-hostile-") as d:
            site = os.path.join(d, "site")
            os.makedirs(site)
            secret = os.path.join(d, "secret.txt")
            with open(secret, "w") as f:
                f.write(SECRET + "\n")
            listener = Listener()
            docs = {
                "good.xml": RSS_HEAD + "<item><title>Good</title><link>https://example.com/good</link>"
                            "<description>Fine</description></item>" + RSS_TAIL,
                "xxe.xml": f'<!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
                           "<rss><channel><title>&x;</title></channel></rss>",
                "dtd.xml": f'<!DOCTYPE rss SYSTEM "http://127.0.0.1:{listener.port}/x.dtd">' + RSS_HEAD
                           + "<item><title>a&x;</title><link>https://example.com/dtd</link></item>" + RSS_TAIL,
                "deep.xml": RSS_HEAD + "<x>" * 100000,
                "laughs.xml": '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">' + "".join(
                    f'<!ENTITY a{i} "{("&a%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 9))
                    + ']><rss><channel><title>&a8;</title></channel></rss>',
                "many.xml": RSS_HEAD + "".join(
                    f"<item><title>{i}</title><link>https://example.com/m/{i}</link></item>"
                    for i in range(100000)) + RSS_TAIL,
            }
            for name, doc in docs.items():
                with open(os.path.join(site, name), "w") as f:
                    f.write(doc)
            with open(os.path.join(site, "huge.xml"), "wb") as f:
                f.write(RSS_HEAD.encode() + b"<item><title>")
                f.write(b"z" * (200 << 20))
            conf = os.path.join(d, "winnow.conf")
            db = os.path.join(d, "winnow.db")
            with wnlib.Server(site) as server:
                feeds = [(n[:-4], f"{server.base}/{n}", "never") for n in sorted(docs) + ["huge.xml"]]
                wnlib.write_conf(conf, db, PLUGINS, feeds, extra="[schedule]\nmax_items = 200\n")
                status, out, err, secs, rss = run_measured(["once", "-c", conf])
            listener.stop()
            os.unlink(os.path.join(site, "huge.xml"))
            self.assertNotIn(status, (-6, -11, 134, 139), err[-2000:])
            self.assertLess(rss, MEMORY_LIMIT)
            self.assertEqual(listener.hits, 0)
            self.assertNotIn(SECRET, out + err)
            for name in ("xxe", "deep", "laughs", "huge"):
                self.assertRegex(err, rf"(?m)^.*\b{name}\b.*$", f"no log line for {name}:\n{err[-3000:]}")
            with open(db, "rb") as f:
                self.assertNotIn(SECRET.encode(), f.read())
            con = sqlite3.connect(db)
            titles = {r[0] for r in con.execute("SELECT title FROM items")}
            con.close()
            self.assertIn("Good", titles)
            self.assertIn("a&x;", titles)  # parsed; its DTD never fetched
            self.assertLessEqual(len([t for t in titles if t.isdigit()]), 200)


if __name__ == "__main__":
    unittest.main()
