#!/usr/bin/env python3
"""The store through winnowd's commands, against a loopback server serving
the demo fixtures: one story for the two seeds that share a wire story (000
and 002) and none shared by 003 or 004; one article for two URLs that differ
by tracking parameters; `winnowd search` ranked with snippets and filters;
`export --since`; `reclean` re-running the plugins over kept pages; and a
full database (a [store] max_size cap, as a full disk) reported clearly,
the daemon staying up and resuming once space is freed; retention on the
timer of a running daemon (SQLite, and PostgreSQL when installed).

Environment (set by CTest): WN_WINNOWD, WN_PLUGIN_DIR, WN_FIXTURES.
"""
import collections
import json
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
import corpus  # noqa: E402
import pgserver  # noqa: E402
import wnlib  # noqa: E402

WINNOWD = os.environ.get("WN_WINNOWD", "build/winnowd")
PLUGINS = os.path.abspath(os.environ.get("WN_PLUGIN_DIR", "build/plugins"))
FIXTURES = os.environ.get("WN_FIXTURES", "tests/fixtures/demo")


def seed_of(url):
    m = re.search(r"/(\d{3})[-_][^/]*$", url)
    return m.group(1) if m else None


class StoreCommands(unittest.TestCase):
    def setUp(self):
        self.tmp = wnlib.TempDir()
        self.dir = self.tmp.__enter__()
        self.site = os.path.join(self.dir, "site")
        shutil.copytree(FIXTURES, self.site)
        # A third feed reaching article 000 through a tracking URL.
        with open(os.path.join(self.site, "tracked.xml"), "w") as f:
            f.write('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
                    '<item><title>Rockets</title><guid>t-1</guid>'
                    '<link>articles/000-newsmax-rocket-strikes-iraq.html'
                    '?utm_source=rss&amp;utm_medium=feed&amp;fbclid=IwAR0x#top</link>'
                    '</item></channel></rss>\n')
        self.server = wnlib.Server(self.site)
        self.conf = os.path.join(self.dir, "winnow.conf")
        self.db = os.path.join(self.dir, "winnow.db")
        wnlib.write_conf(self.conf, self.db, PLUGINS, [
            ("demo-rss", self.server.base + "/rss.xml", None),
            ("demo-atom", self.server.base + "/atom.xml", None),
            ("tracked", self.server.base + "/tracked.xml", "always"),
        ])

    def tearDown(self):
        self.server.stop()
        self.tmp.__exit__(None, None, None)

    def test_stories_urls_search_export_and_reclean(self):
        wnlib.run(WINNOWD, "once", "-c", self.conf, check=0)
        rows = wnlib.export(WINNOWD, self.conf)
        by_seed = {seed_of(r["url"]): r for r in rows}
        self.assertEqual(sorted(by_seed), ["000", "001", "002", "003", "004"])
        self.assertEqual(len(rows), 5, "the tracking URL is the same article")
        self.assertNotIn("utm_", "".join(r["url"] for r in rows))
        stories = {s: r["story"] for s, r in by_seed.items()}
        self.assertEqual(stories["000"], stories["002"], "one wire story")
        for s in ("003", "004"):
            others = [stories[o] for o in stories if o != s]
            self.assertNotIn(stories[s], others, f"{s} linked to nothing")

        # search: ranked, snippets mark the words, filters narrow.
        p = wnlib.run(WINNOWD, "search", "-c", self.conf, "Kadhimi", "--json", check=0)
        hits = [json.loads(l) for l in p.stdout.splitlines()]
        self.assertGreaterEqual(len(hits), 1)
        self.assertIn("[Kadhimi]", hits[0]["snippet"])
        self.assertEqual(hits, sorted(hits, key=lambda h: h["rank"]))
        p = wnlib.run(WINNOWD, "search", "-c", self.conf, "rockets", "--json", check=0)
        all_hits = [json.loads(l) for l in p.stdout.splitlines()]
        self.assertGreaterEqual(len(all_hits), 3)
        p = wnlib.run(WINNOWD, "search", "-c", self.conf, "rockets", "--json",
                      "--feed", "tracked", check=0)
        tracked = [json.loads(l) for l in p.stdout.splitlines()]
        self.assertEqual([seed_of(h["url"]) for h in tracked], ["000"])
        p = wnlib.run(WINNOWD, "search", "-c", self.conf, "rockets", "--json",
                      "--site", "127.0.0.1", "--limit", "2", check=0)
        self.assertEqual(len(p.stdout.splitlines()), 2)
        p = wnlib.run(WINNOWD, "search", "-c", self.conf, "rockets",
                      "--site", "example.org", check=0)
        self.assertEqual(p.stdout, "")
        p = wnlib.run(WINNOWD, "search", "-c", self.conf, "rockets", "--until",
                      "2000-01-01T00:00:00Z", check=0)
        self.assertEqual(p.stdout, "")
        p = wnlib.run(WINNOWD, "search", "-c", self.conf, "covid-19 AT&T (", check=0)
        self.assertEqual(p.stdout, "")
        p = wnlib.run(WINNOWD, "search", "-c", self.conf, "x", "--since", "yesterday")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--since yesterday", p.stderr)

        # export --since: everything was stored in the last hour, nothing
        # after now.
        p = wnlib.run(WINNOWD, "export", "-c", self.conf, "--since", "1h", check=0)
        self.assertEqual(len(p.stdout.splitlines()), 5)
        p = wnlib.run(WINNOWD, "export", "-c", self.conf, "--since",
                      "2999-01-01T00:00:00Z", check=0)
        self.assertEqual(p.stdout, "")

        # reclean: as if an older plugin had stored worse text and another
        # version; the current plugins put back the right text and names.
        c = sqlite3.connect(self.db)
        want = dict(c.execute("SELECT url, text FROM articles"))
        self.assertEqual(c.execute("SELECT count(*) FROM pages").fetchone()[0], 5)
        c.execute("UPDATE articles SET text = 'old text', hash = 'x', plugins = 'generic/0.0'")
        c.commit()
        c.close()
        p = wnlib.run(WINNOWD, "reclean", "-c", self.conf, "--site", "127.0.0.1", check=0)
        self.assertIn("reclean: 5 kept pages, 5 changed, 0 failed", p.stdout)
        c = sqlite3.connect(self.db)
        got = dict(c.execute("SELECT url, text FROM articles"))
        self.assertEqual(got, want)
        self.assertEqual(c.execute("SELECT count(*) FROM articles WHERE plugins "
                                   "LIKE '%generic/0.0%'").fetchone()[0], 0)
        c.close()
        p = wnlib.run(WINNOWD, "search", "-c", self.conf, "old text", check=0)
        self.assertEqual(p.stdout, "", "the search index follows the reclean")
        p = wnlib.run(WINNOWD, "reclean", "-c", self.conf, check=0)
        self.assertIn("reclean: 5 kept pages, 0 changed, 0 failed", p.stdout)
        p = wnlib.run(WINNOWD, "reclean", "-c", self.conf, "--site", "example.org", check=0)
        self.assertIn("reclean: 0 kept pages", p.stdout)

    def test_search_index_behind_missing_and_rebuilt(self):
        """The index file is written behind the store: a search says how
        far behind it is, `once` brings it up to date, and a lost index
        file is built again from the store."""
        wnlib.run(WINNOWD, "once", "-c", self.conf, check=0)
        # Changes the daemon has not indexed (as if it was killed first).
        c = sqlite3.connect(self.db)
        c.execute("UPDATE articles SET text = text || ' zebrafish'"
                  " WHERE url LIKE '%/001-%'")
        c.execute("DELETE FROM articles WHERE url LIKE '%/003-%'")
        c.commit()
        c.close()
        p = wnlib.run(WINNOWD, "search", "-c", self.conf, "zebrafish", check=0)
        self.assertEqual(p.stdout, "")
        self.assertIn("the search index is 2 articles behind the store", p.stderr)

        # The next pass indexes them before it exits.
        wnlib.run(WINNOWD, "once", "-c", self.conf, check=0)
        p = wnlib.run(WINNOWD, "search", "-c", self.conf, "zebrafish", "--json", check=0)
        hits = [json.loads(l) for l in p.stdout.splitlines()]
        self.assertEqual([seed_of(h["url"]) for h in hits], ["001"])
        self.assertNotIn("behind", p.stderr)

        # A lost index file: the search says so; the next pass builds it.
        for suffix in ("-search", "-search-wal", "-search-shm"):
            if os.path.exists(self.db + suffix):
                os.remove(self.db + suffix)
        p = wnlib.run(WINNOWD, "search", "-c", self.conf, "zebrafish")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no search index yet", p.stderr)
        self.assertIn(self.db + "-search", p.stderr)
        wnlib.run(WINNOWD, "once", "-c", self.conf, check=0)
        p = wnlib.run(WINNOWD, "search", "-c", self.conf, "Kadhimi", "--json", check=0)
        self.assertGreaterEqual(len(p.stdout.splitlines()), 1)
        self.assertEqual(p.stderr, "")


class FullDisk(unittest.TestCase):
    def test_a_full_store_is_reported_and_writing_resumes(self):
        with wnlib.TempDir() as tmp:
            site = os.path.join(tmp, "site")
            feeds, pages = corpus.write_site(site, 4, 100, seed=3)
            with wnlib.Server(site) as server:
                conf = os.path.join(tmp, "winnow.conf")
                db = os.path.join(tmp, "winnow.db")
                log = os.path.join(tmp, "winnowd.log")
                wnlib.write_conf(conf, db, PLUGINS,
                                 [(n, f"{server.base}/{p}", "always")
                                  for n, p in sorted(feeds.items())],
                                 extra="[schedule]\ninterval = 2s\n",
                                 store_keys="max_size = 400k\nbatch = 20\n")
                with open(log, "w") as lf:
                    p = subprocess.Popen([WINNOWD, "run", "-c", conf, "--log-level", "info"],
                                         stdout=lf, stderr=lf)
                try:
                    def wait_for(pattern, timeout=60):
                        end = time.time() + timeout
                        while time.time() < end:
                            with open(log, errors="replace") as f:
                                if re.search(pattern, f.read()):
                                    return True
                            self.assertIsNone(p.poll(), "winnowd exited")
                            time.sleep(0.2)
                        with open(log, errors="replace") as f:
                            self.fail(f"no {pattern!r} in the log:\n{f.read()[-3000:]}")
                    wait_for(r"store: cannot write: store .*winnow\.db: .*\(disk full\); not ready")
                    time.sleep(1)
                    self.assertIsNone(p.poll(), "winnowd stays up")
                    c = sqlite3.connect(db, timeout=30)
                    n = c.execute("SELECT count(*) FROM articles").fetchone()[0]
                    self.assertGreater(n, 0)
                    self.assertLess(n, len(pages))
                    # Free space: what was stored goes (as an operator would
                    # move it elsewhere); the daemon must resume by itself.
                    c.execute("DELETE FROM articles")
                    c.commit()
                    c.close()
                    wait_for(r"store: writes succeed again; ready")
                    self.assertIsNone(p.poll())
                finally:
                    p.send_signal(signal.SIGTERM)
                    try:
                        p.wait(30)
                    except subprocess.TimeoutExpired:
                        p.kill()
                        p.wait()
                c = sqlite3.connect(db)
                self.assertEqual(c.execute("PRAGMA integrity_check").fetchone()[0], "ok")
                c.close()


class RetentionWhileRunning(unittest.TestCase):
    """`run` expires articles and raw pages on its [store] retain_every
    timer: articles stored more than keep_days ago go (a feed's own
    keep_days wins), raw pages past keep_pages_days go, their items stay so
    neither the feed listing them again nor a restart fetches them again,
    and nothing else is touched.  On SQLite, and on PostgreSQL when it is
    installed."""

    def test_articles_expire_while_the_daemon_runs(self):
        with wnlib.TempDir() as tmp:
            db = os.path.join(tmp, "winnow.db")

            def query(sql):
                c = sqlite3.connect(db, timeout=30)
                try:
                    rows = c.execute(sql).fetchall()
                    c.commit()
                    return rows
                finally:
                    c.close()
            self.expire_while_running(tmp, db, query)
            self.assertEqual(query("PRAGMA integrity_check")[0][0], "ok")
            # The search index lost what expired (its own file, written
            # behind the store: `once` after SIGTERM syncs it).
            wnlib.run(WINNOWD, "once", "-c", os.path.join(tmp, "winnow.conf"),
                      timeout=120)
            c = sqlite3.connect(db + "-search")
            try:
                c.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
                c.execute("ATTACH ? AS store", (db,))
                off = c.execute("SELECT (SELECT count(*) FROM articles_fts)"
                                " - (SELECT count(*) FROM store.articles),"
                                " (SELECT count(*) FROM store.articles a"
                                "  LEFT JOIN articles_fts f ON f.rowid = a.id"
                                "  WHERE f.rowid IS NULL)").fetchone()
                self.assertEqual(off, (0, 0))
            finally:
                c.close()

    def test_articles_expire_while_the_daemon_runs_on_postgresql(self):
        if pgserver.bindir() is None:
            self.skipTest("PostgreSQL is not installed")
        with wnlib.TempDir() as tmp, pgserver.PgServer() as pg:
            def query(sql):
                return [tuple(l.split("|")) for l in pg.psql(sql).splitlines() if l]
            self.expire_while_running(tmp, pg.uri, query)

    def expire_while_running(self, tmp, store, query):
        """query(sql): the rows, as an operator's second connection."""
        def count(sql):
            return int(query(sql)[0][0])

        site = os.path.join(tmp, "site")
        feeds, pages = corpus.write_site(site, 2, 6, seed=11)
        with wnlib.Server(site) as server:
            conf = os.path.join(tmp, "winnow.conf")
            log = os.path.join(tmp, "winnowd.log")
            # [store]: two days, pages five, a pass every second; feed f1
            # keeps its articles for ever.
            wnlib.write_conf(conf, store, PLUGINS,
                             [(n, f"{server.base}/{p}", "always")
                              for n, p in sorted(feeds.items())],
                             extra="[schedule]\ninterval = 1s\n",
                             store_keys="keep_days = 2\nkeep_pages_days = 5\n"
                                        "retain_every = 1s\n")
            with open(conf) as f:
                text = f.read()
            text = text.replace(f"url = {server.base}/f1.xml\n",
                                f"url = {server.base}/f1.xml\nkeep_days = 0\n", 1)
            with open(conf, "w") as f:
                f.write(text)

            def start():
                with open(log, "a") as lf:
                    return subprocess.Popen([WINNOWD, "run", "-c", conf, "--log-level", "info"],
                                            stdout=lf, stderr=lf)

            def stop(p):
                p.send_signal(signal.SIGTERM)
                try:
                    self.assertEqual(p.wait(30), 0)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
                    self.fail("winnowd did not stop on SIGTERM")

            def log_text():
                with open(log, errors="replace") as f:
                    return f.read()

            def wait(what, cond, p, timeout=60):
                end = time.time() + timeout
                while time.time() < end:
                    if cond():
                        return
                    self.assertIsNone(p.poll(), "winnowd exited")
                    time.sleep(0.2)
                self.fail(f"{what}: not within {timeout} s; log:\n{log_text()[-3000:]}")

            def urls():
                return {u for (u,) in query("SELECT url FROM articles")}

            def feeds_refetched():
                """Changes both feeds; returns a test that both were
                fetched whole since."""
                t0 = time.time()
                for name in feeds.values():
                    with open(os.path.join(site, name), "a") as f:
                        f.write(f"<!-- {t0} -->\n")
                return lambda: {path for path, status, t in server.timed_requests()
                                if status == 200 and t > t0 and path.endswith(".xml")
                                } == {"/" + n for n in feeds.values()}

            p = start()
            try:
                wait("running", lambda: " running: " in log_text(), p)
                wait("every article stored",
                     lambda: count("SELECT count(*) FROM articles") == len(pages), p)
                feed_of = dict(query("SELECT a.url, f.name FROM articles a "
                                     "JOIN feeds f ON f.id = a.feed_id"))
                short = sorted(u for u, f in feed_of.items() if f == "f0")
                keeper = sorted(u for u, f in feed_of.items() if f == "f1")
                expired, paged = short[:2], short[2]
                # Each text ends its paragraphs with a token of its own.
                token = {r["url"]: re.findall(r"\b[0-9a-f]{12,16}\b", r["text"])[-1]
                         for r in wnlib.export(WINNOWD, conf)}

                def quoted(us):
                    return ", ".join(f"'{u}'" for u in us)
                query("UPDATE articles SET stored_at = stored_at - 3 * 86400 "
                      f"WHERE url IN ({quoted(expired + keeper[:1])})")
                query("UPDATE pages SET fetched_at = fetched_at - 6 * 86400 WHERE "
                      f"article_id = (SELECT id FROM articles WHERE url = {quoted([paged])})")
                wait("the aged articles expired",
                     lambda: count("SELECT count(*) FROM articles") == len(pages) - 2, p,
                     timeout=30)
                wait("the pass logged",
                     lambda: re.search(r"notice: store: retention: 2 articles and 1 raw "
                                       r"pages expired", log_text()), p, timeout=10)
                self.assertEqual(urls(), set(feed_of) - set(expired))
                self.assertEqual(count("SELECT count(*) FROM items"), len(pages))
                self.assertEqual(count("SELECT count(*) FROM pages"), len(pages) - 3)
                self.assertEqual(count("SELECT count(*) FROM pages WHERE article_id = "
                                       f"(SELECT id FROM articles WHERE url = {quoted([paged])})"),
                                 0)
                for u in expired:
                    out = wnlib.run(WINNOWD, "search", "-c", conf, token[u], check=0)
                    self.assertEqual(out.stdout, "", f"{u} left the search index")
                for u in (keeper[0], paged):
                    out = wnlib.run(WINNOWD, "search", "-c", conf, token[u], "--json", check=0)
                    self.assertEqual([json.loads(l)["url"] for l in out.stdout.splitlines()], [u])

                # The feeds list the expired articles again: not fetched.
                wait("both feeds fetched again", feeds_refetched(), p)
                time.sleep(1.5)
            finally:
                stop(p)
            # Nor after a restart (the pending articles queued at start).
            p = start()
            try:
                wait("running again", lambda: log_text().count(" running: ") == 2, p)
                wait("both feeds fetched again", feeds_refetched(), p)
                time.sleep(1.5)
            finally:
                stop(p)
            fetched = collections.Counter(path for path, status, _ in server.timed_requests()
                                          if path.startswith("/a/"))
            self.assertEqual(sorted(fetched), sorted("/" + x for x in pages))
            self.assertEqual(set(fetched.values()), {1}, "no article fetched twice")
            self.assertEqual(urls(), set(feed_of) - set(expired))
            self.assertEqual(count("SELECT count(*) FROM items"), len(pages))


if __name__ == "__main__":
    unittest.main()
