#!/usr/bin/env python3
"""Where feeds come from besides [feed:NAME]: `winnowd discover` on a page
served over loopback (and on a feed, and on a page with none), `winnowd
opml` on a subscription list, and `winnowd once` with `[feeds] opml` taking
its feeds from that list.

Environment (set by CTest): WN_WINNOWD, WN_PLUGIN_DIR.
"""
import os
import sqlite3
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wnlib  # noqa: E402

WINNOWD = os.environ.get("WN_WINNOWD", "build/winnowd")
PLUGINS = os.environ.get("WN_PLUGIN_DIR", "build/plugins")

PAGE = """<!doctype html><html><head><title>Blog</title>
<link rel="stylesheet" href="/s.css">
<link rel="alternate" type="application/rss+xml" title="Posts &amp; news" href="/rss.xml">
<link rel="Alternate Feed" type="application/atom+xml" href="atom.xml">
<link rel="alternate" type="text/html" hreflang="de" href="/de/">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="alternate" type="application/feed+json" title="JSON" href="{base}/feed.json">
</head><body><p>Hello</p></body></html>
"""

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback RSS</title>
<link>https://blog.example/</link><description>d</description>
<item><title>From OPML one</title><link>https://blog.example/1</link><description>Short.</description></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Loopback Atom</title>
<id>urn:loopback</id><updated>2021-01-01T00:00:00Z</updated>
<entry><id>urn:e1</id><title>From OPML two</title><link href="https://blog.example/2"/><summary>Short.</summary></entry>
</feed>
"""

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Subscriptions</title></head><body>
<outline text="Blogs" title="Blogs">
  <outline type="rss" text="Loopback RSS" xmlUrl="{base}/rss.xml" htmlUrl="https://blog.example/"/>
  <outline type="rss" text="Loopback Atom" xmlUrl="{base}/atom.xml"/>
  <outline type="rss" text="Again" xmlUrl="{base}/rss.xml"/>
</outline>
<outline text="Broken" xmlUrl="ftp://example.com/feed"/>
</body></opml>
"""


class FeedTools(unittest.TestCase):
    def setUp(self):
        self.tmp = wnlib.TempDir(prefix="winnow-feed-tools-")
        self.dir = self.tmp.__enter__()
        self.site = os.path.join(self.dir, "site")
        os.makedirs(self.site)
        self.server = wnlib.Server(self.site)
        base = self.server.base
        for name, text in (("index.html", PAGE.format(base=base)), ("rss.xml", RSS),
                           ("atom.xml", ATOM), ("none.html", "<html><body>no feeds</body></html>")):
            with open(os.path.join(self.site, name), "w") as f:
                f.write(text)
        self.opml = os.path.join(self.dir, "subs.opml")
        with open(self.opml, "w") as f:
            f.write(OPML.format(base=base))

    def tearDown(self):
        self.server.stop()
        self.tmp.__exit__(None, None, None)

    def test_discover_over_http(self):
        base = self.server.base
        p = wnlib.run(WINNOWD, "discover", base + "/index.html", check=0)
        lines = [l.split("\t") for l in p.stdout.splitlines()]
        self.assertEqual(lines, [
            [base + "/rss.xml", "application/rss+xml", "Posts & news"],
            [base + "/atom.xml", "application/atom+xml", ""],
            [base + "/feed.json", "application/feed+json", "JSON"],
        ])
        # A feed's URL is its own discovery.
        p = wnlib.run(WINNOWD, "discover", base + "/rss.xml", check=0)
        self.assertEqual(p.stdout, f"{base}/rss.xml\trss2.0\tLoopback RSS\n")
        # A page without feeds, and a dead URL: one clear line each.
        p = wnlib.run(WINNOWD, "discover", base + "/none.html", check=65)
        self.assertIn("names no feed", p.stderr)
        p = wnlib.run(WINNOWD, "discover", base + "/missing.html", check=65)
        self.assertIn("404", p.stderr)
        p = wnlib.run(WINNOWD, "discover", "ftp://127.0.0.1/x", check=65)
        self.assertEqual(len(p.stderr.splitlines()), 1)

    def test_opml_command(self):
        base = self.server.base
        p = wnlib.run(WINNOWD, "opml", self.opml, check=0)
        self.assertEqual(p.stdout,
                         "[feed:loopback-rss]\n; Loopback RSS (Blogs)\n"
                         f"url = {base}/rss.xml\n\n"
                         "[feed:loopback-atom]\n; Loopback Atom (Blogs)\n"
                         f"url = {base}/atom.xml\n")
        bad = os.path.join(self.dir, "bad.opml")
        with open(bad, "w") as f:
            f.write("<html><body>not a list</body></html>")
        p = wnlib.run(WINNOWD, "opml", bad, check=65)
        self.assertIn("bad.opml", p.stderr)

    def test_once_reads_feeds_from_opml(self):
        conf = os.path.join(self.dir, "winnow.conf")
        db = os.path.join(self.dir, "winnow.db")
        wnlib.write_conf(conf, db, PLUGINS, [], extra=f"[feeds]\nopml = {self.opml}\n")
        wnlib.run(WINNOWD, "check-config", "-c", conf, check=0)
        wnlib.run(WINNOWD, "once", "-c", conf)
        con = sqlite3.connect(db)
        feeds = sorted(r[0] for r in con.execute("SELECT name FROM feeds"))
        titles = sorted(r[0] for r in con.execute("SELECT title FROM items"))
        con.close()
        self.assertEqual(feeds, ["loopback-atom", "loopback-rss"])
        self.assertEqual(titles, ["From OPML one", "From OPML two"])


if __name__ == "__main__":
    unittest.main()
