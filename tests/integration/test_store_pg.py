#!/usr/bin/env python3
"""The store's commands on PostgreSQL, side by side with SQLite: `winnowd
once` over the demo feeds (and a third feed on another host name) served on
loopback into a PostgreSQL server started for the test, then the same into
SQLite.  On each store: `search` finds a known word with a marked snippet
and honours --feed, --site, --since and --until; `export` gives seeds 000
and 002 one story and 003, 004 and the third feed's article stories of
their own, and `--since` follows the stored time; `reclean` changes nothing
until a site rule changes, then rewrites the text (and the search index);
a second `once`, over feeds refetched whole and with changed GUIDs, stores
nothing twice; retention (keep_days) expires an old article and its feed
does not bring it back.  Then both stores must have answered alike.

Skipped when PostgreSQL is not installed.  Environment (set by CTest):
WN_WINNOWD, WN_PLUGIN_DIR, WN_FIXTURES.
"""
import json
import os
import re
import shutil
import sqlite3
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pgserver  # noqa: E402
import wnlib  # noqa: E402

WINNOWD = os.environ.get("WN_WINNOWD", "build/winnowd")
PLUGINS = os.path.abspath(os.environ.get("WN_PLUGIN_DIR", "build/plugins"))
FIXTURES = os.environ.get("WN_FIXTURES", "tests/fixtures/demo")

CHEESE = ("<!doctype html><html><head><title>Cheese festival opens</title></head>"
          "<body><article><h1>Cheese festival opens in the old town</h1>\n"
          + "\n".join(f"<p>{p}</p>" for p in (
              "The cheese festival opened in the old town square on Saturday with forty "
              "stalls, a brass band and a queue for the raclette that wound twice around "
              "the fountain by noon.",
              "Farmers from the valleys brought wheels aged in caves for three years, and "
              "the mayor cut the first one with a wire while the crowd counted down.",
              "Organisers expect twenty thousand visitors over the weekend, twice last "
              "year's number, and have laid on extra buses from the station.",
              "A jury of cheesemakers and chefs will name the best mountain cheese on "
              "Sunday afternoon; last year's winner came from a dairy of six cows.",
          )) + "\n</article></body></html>\n")


def seed_of(url):
    if url.endswith("/cheese.html"):
        return "cheese"
    m = re.search(r"/(\d{3})[-_][^/]*$", url)
    return m.group(1) if m else None


class StoreParity(unittest.TestCase):
    def scenario(self, tmp, store, execute):
        """Runs the commands against `store`; execute(sql) changes its
        rows as an operator would.  Returns what the commands answered."""
        site = os.path.join(tmp, "site")
        shutil.copytree(FIXTURES, site)
        sites_d = os.path.join(tmp, "sites.d")
        os.makedirs(sites_d)
        with open(os.path.join(site, "cheese.html"), "w") as f:
            f.write(CHEESE)
        with open(os.path.join(site, "local.xml"), "w") as f:
            f.write('<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title>'
                    '<item><title>Cheese festival opens</title><link>cheese.html</link>'
                    '<guid>local-1</guid></item></channel></rss>\n')
        out = {}
        with wnlib.Server(site) as server:
            conf = os.path.join(tmp, "winnow.conf")
            local = f"http://localhost:{server.port}"
            wnlib.write_conf(conf, store, PLUGINS, [
                ("demo-rss", server.base + "/rss.xml", None),
                ("demo-atom", server.base + "/atom.xml", None),
                ("local", local + "/local.xml", None),
            ], extra=f"[plugin:rules]\ndir = {sites_d}\n")

            def cmd(*args):
                return wnlib.run(WINNOWD, *args[:1], "-c", conf, *args[1:], check=0)

            def hits(*args):
                p = cmd("search", *args, "--json")
                return [json.loads(l) for l in p.stdout.splitlines()]

            def seeds(*args):
                return sorted(seed_of(h["url"]) for h in hits(*args))

            p = cmd("once")
            self.assertIn("6 articles stored", p.stderr)
            rows = wnlib.export(WINNOWD, conf)
            by_seed = {seed_of(r["url"]): r for r in rows}
            self.assertEqual(sorted(by_seed), ["000", "001", "002", "003", "004", "cheese"])
            self.assertEqual(len(rows), 6)
            stories = {s: r["story"] for s, r in by_seed.items()}
            self.assertEqual(stories["000"], stories["002"], "one wire story")
            for s in ("003", "004", "cheese"):
                self.assertNotIn(stories[s], [stories[o] for o in stories if o != s],
                                 f"{s} is linked to nothing")
            out["stories"] = sorted(sorted(s for s in stories if stories[s] == st)
                                    for st in set(stories.values()))
            out["texts"] = {s: r["text"] for s, r in by_seed.items()}

            # search: a known word with a marked snippet, and the filters.
            k = hits("Kadhimi")
            self.assertGreaterEqual(len(k), 1)
            self.assertIn("[Kadhimi]", k[0]["snippet"])
            self.assertEqual(k, sorted(k, key=lambda h: h["rank"]))
            out["search"] = {
                "Kadhimi": seeds("Kadhimi"),
                "rockets": seeds("rockets"),
                "raclette": seeds("raclette"),
                "rockets 127.0.0.1": seeds("rockets", "--site", "127.0.0.1"),
                "rockets localhost": seeds("rockets", "--site", "localhost"),
                "raclette localhost": seeds("raclette", "--site", "localhost"),
                "raclette demo-rss": seeds("raclette", "--feed", "demo-rss"),
                "raclette local": seeds("raclette", "--feed", "local"),
                # published: 000-002 on 24 February, 004 the 25th, 003 in April
                "rockets since March": seeds("rockets", "--since", "2021-03-01T00:00:00Z"),
                "rockets until 25 Feb": seeds("rockets", "--until", "2021-02-25T00:00:00Z"),
            }
            s = out["search"]
            self.assertEqual(s["raclette"], ["cheese"])
            self.assertEqual(s["rockets localhost"], [])
            self.assertEqual(s["raclette localhost"], ["cheese"])
            self.assertEqual(s["raclette demo-rss"], [])
            self.assertEqual(s["raclette local"], ["cheese"])
            self.assertEqual(s["rockets since March"], ["003"])
            self.assertEqual(s["rockets until 25 Feb"], ["000", "001", "002"])
            self.assertTrue(set(s["rockets 127.0.0.1"]) <= {"000", "001", "002", "003", "004"})
            self.assertGreaterEqual(len(s["rockets 127.0.0.1"]), 3)
            self.assertEqual(s["rockets 127.0.0.1"], s["rockets"])
            self.assertEqual(cmd("search", "rockets", "--site", "127.0.0.1",
                                 "--limit", "2", "--json").stdout.count("\n"), 2)

            # export --since follows the stored time: 000 and 001 as if
            # stored two days ago.
            execute("UPDATE articles SET stored_at = stored_at - 2 * 86400 "
                    "WHERE url LIKE '%/000-%' OR url LIKE '%/001-%'")
            recent = [seed_of(json.loads(l)["url"])
                      for l in cmd("export", "--since", "1d").stdout.splitlines()]
            self.assertEqual(sorted(recent), ["002", "003", "004", "cheese"])
            self.assertEqual(len(cmd("export", "--since", "3d").stdout.splitlines()), 6)
            self.assertEqual(cmd("export", "--since", "2999-01-01T00:00:00Z").stdout, "")

            # reclean: nothing changed, nothing to do; a site rule for the
            # loopback host drops the blocks naming Kadhimi.
            p = cmd("reclean")
            self.assertIn("reclean: 6 kept pages, 0 changed, 0 failed", p.stdout)
            with open(os.path.join(sites_d, "loopback.conf"), "w") as f:
                f.write("[site]\nhosts = 127.0.0.1\ndrop = Kadhimi\n")
            p = cmd("reclean", "--site", "127.0.0.1")
            m = re.search(r"reclean: (\d+) kept pages, (\d+) changed, 0 failed", p.stdout)
            self.assertIsNotNone(m, p.stdout + p.stderr)
            self.assertEqual(m.group(1), "5")
            after = {seed_of(r["url"]): r for r in wnlib.export(WINNOWD, conf)}
            changed = sorted(x for x in after if after[x]["text"] != out["texts"][x])
            had = sorted(x for x in out["texts"] if "Kadhimi" in out["texts"][x])
            self.assertTrue(had, "some article names Kadhimi")
            self.assertEqual(changed, had)
            for x in changed:
                self.assertNotIn("Kadhimi", after[x]["text"])
            self.assertEqual(after["cheese"]["text"], out["texts"]["cheese"])
            self.assertEqual(seeds("Kadhimi"),
                             sorted(x for x in had if "Kadhimi" in after[x]["title"]),
                             "the search index follows the reclean")
            out["reclean"] = changed
            out["texts_after"] = {x: r["text"] for x, r in after.items()}

            # A second once: the feeds fetched whole again, the RSS feed's
            # GUIDs all changed; nothing is stored twice or fetched again.
            pages_before = [r for r in server.requests() if r[1].endswith(".html")]
            with open(os.path.join(site, "rss.xml")) as f:
                rss = f.read()
            rss = re.sub(r"(<guid[^>]*>)([^<]+)</guid>", r"\1\2#v2</guid>", rss)
            with open(os.path.join(site, "rss.xml"), "w") as f:
                f.write(rss)
            for name in ("atom.xml", "local.xml"):
                with open(os.path.join(site, name), "a") as f:
                    f.write(f"<!-- {time.time()} -->\n")
            p = cmd("once")
            self.assertIn("0 articles stored", p.stderr)
            self.assertRegex(p.stderr, r"3 feeds: 3 ok")
            self.assertEqual([r for r in server.requests() if r[1].endswith(".html")],
                             pages_before, "no article fetched again")
            again = wnlib.export(WINNOWD, conf)
            self.assertEqual(len(again), 6)
            self.assertEqual(len({r["url"] for r in again}), 6)
            self.assertEqual({seed_of(r["url"]): r["text"] for r in again},
                             out["texts_after"])

            # Retention (at the start of once): the cheese article as if
            # stored ten days ago, five days kept.  Its item stays and the
            # feed listing it again does not bring it back.
            execute("UPDATE articles SET stored_at = stored_at - 10 * 86400 "
                    "WHERE url LIKE '%/cheese.html'")
            with open(conf) as f:
                text = f.read()
            with open(conf, "w") as f:
                f.write(text.replace(f"path = {store}\n", f"path = {store}\nkeep_days = 5\n", 1))
            with open(os.path.join(site, "local.xml"), "a") as f:
                f.write(f"<!-- {time.time()} -->\n")
            p = cmd("once")
            self.assertIn("retention: 1 articles and 0 raw pages expired", p.stderr)
            self.assertIn("0 articles stored", p.stderr)
            self.assertEqual([r for r in server.requests() if r[1].endswith(".html")],
                             pages_before, "the expired article is not fetched again")
            out["after retention"] = sorted(seed_of(r["url"])
                                            for r in wnlib.export(WINNOWD, conf))
            self.assertEqual(out["after retention"], ["000", "001", "002", "003", "004"])
            self.assertEqual(seeds("raclette"), [])
            out["items"] = execute("SELECT count(*) FROM items")
        return out

    def test_postgresql_answers_like_sqlite(self):
        if pgserver.bindir() is None:
            self.skipTest("PostgreSQL is not installed (Debian's postgresql package; "
                          "./dev.sh setup installs it)")
        with wnlib.TempDir() as tmp, pgserver.PgServer() as pg:
            os.makedirs(os.path.join(tmp, "pg"))
            got_pg = self.scenario(os.path.join(tmp, "pg"), pg.uri, pg.psql)
            counts = pg.psql("SELECT count(*) FROM articles; SELECT count(DISTINCT url) "
                             "FROM articles; SELECT count(*) FROM pages").split()
            self.assertEqual(counts, ["5", "5", "5"])
        with wnlib.TempDir() as tmp:
            os.makedirs(os.path.join(tmp, "sqlite"))
            db = os.path.join(tmp, "sqlite", "winnow.db")

            def execute(sql):
                c = sqlite3.connect(db, timeout=30)
                rows = c.execute(sql).fetchall()
                c.commit()
                c.close()
                return "".join("|".join(str(v) for v in r) + "\n" for r in rows)
            got_sqlite = self.scenario(os.path.join(tmp, "sqlite"), db, execute)
        self.assertEqual(got_pg, got_sqlite)


if __name__ == "__main__":
    unittest.main()
