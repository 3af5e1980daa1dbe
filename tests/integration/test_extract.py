#!/usr/bin/env python3
"""Extraction beyond the generic cleaner, through the real winnowd:

  * the rules plugin: `winnowd test-rules` passes on conf/sites.d and fails
    (naming the rule file and the paragraph) when a sample's expected text
    is wrong; a bad rule file is a configuration error naming file and
    line; --explain names each rule that removed something; rule selectors
    set the metadata; SIGHUP-style re-initialisation is plugin init, so a
    changed rule file is read by the next process;
  * the newsmax C site plugin: zone-less US Eastern datelines to UTC across
    daylight saving time, which rules cannot express;
  * a page that leaves implausibly little text loses to the feed's own
    content, and the stored article records that it came from the feed.

Environment (set by CTest): WN_WINNOWD, WN_PLUGIN_DIR, WN_SOURCE_DIR.
"""
import json
import os
import re
import shutil
import sqlite3
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wnlib  # noqa: E402

WINNOWD = os.environ.get("WN_WINNOWD", "build/winnowd")
PLUGINS = os.environ.get("WN_PLUGIN_DIR", "build/plugins")
SOURCE = os.environ.get("WN_SOURCE_DIR", ".")
SITES = os.path.join(SOURCE, "conf", "sites.d")

PARA = ("The council voted on Tuesday to rebuild the old stone bridge over the "
        "river, after engineers found that the winter floods had loosened {} of "
        "its piers and that lorries would have to take the long road around.")


SUMMARY = ("The ferry between the two islands will run again from Monday, the "
           "harbour authority said, after engineers replaced the pilings that the "
           "winter storms had broken and the insurers agreed to pay for the work.")


def article(n, first=0):
    return "".join("<p>%s</p>" % PARA.format("number %d" % (first + i))
                   for i in range(n))


class Rules(unittest.TestCase):
    def setUp(self):
        self.tmp = wnlib.TempDir()
        self.dir = self.tmp.__enter__()
        self.sites = os.path.join(self.dir, "sites.d")
        shutil.copytree(SITES, self.sites)
        self.conf = os.path.join(self.dir, "winnow.conf")
        with open(self.conf, "w") as f:
            f.write("[plugins]\ndir = %s\n\n[plugin:rules]\ndir = sites.d\n"
                    % os.path.abspath(PLUGINS))

    def tearDown(self):
        self.tmp.__exit__(None, None, None)

    def test_shipped_rule_files_pass(self):
        p = wnlib.run(WINNOWD, "test-rules", SITES, "--plugin-dir", PLUGINS, check=0)
        self.assertRegex(p.stdout, r"(\d+) rule files in .*: \1 passed, 0 failed")
        self.assertNotIn("note:", p.stdout, "a shipped rule removes nothing")
        # The relative dir of [plugin:rules] is read from the file's folder.
        p = wnlib.run(WINNOWD, "test-rules", "-c", self.conf, check=0)
        self.assertIn("0 failed", p.stdout)

    def test_wrong_expected_text_fails_naming_file_and_paragraph(self):
        path = os.path.join(self.sites, "samples", "france24.txt")
        with open(path, encoding="utf-8") as f:
            paras = f.read().split("\n\n")
        paras[2] = "A paragraph the page does not have."
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n\n".join(paras))
        with open(os.path.join(self.sites, "france24.conf")) as f:
            rule = f.read()
        with open(os.path.join(self.sites, "france24.conf"), "w") as f:
            f.write(rule.replace("[test]", "remove = //div[@class='gone']\n\n[test]"))
        p = wnlib.run(WINNOWD, "test-rules", "-c", self.conf, check=65)
        self.assertIn("FAIL france24.conf", p.stdout)
        self.assertIn("note: remove //div[@class='gone'] removed nothing", p.stdout)
        self.assertIn("paragraph 3 differs", p.stdout)
        self.assertIn("ok   aljazeera.conf", p.stdout)

    def test_bad_rule_file_is_a_configuration_error_with_line(self):
        with open(os.path.join(self.sites, "broken.conf"), "w") as f:
            f.write("[site]\nhosts = broken.example\n# a comment\nremove = //div[\n")
        p = wnlib.run(WINNOWD, "check-config", "-c", self.conf)
        self.assertNotEqual(p.returncode, 0)
        self.assertRegex(p.stdout + p.stderr,
                         r"broken\.conf:4: remove: .*not a valid XPath")
        with open(os.path.join(self.sites, "broken.conf"), "w") as f:
            f.write("[site]\nhosts = broken.example\ndrop = (unclosed\n")
        p = wnlib.run(WINNOWD, "check-config", "-c", self.conf)
        self.assertRegex(p.stdout + p.stderr, r"broken\.conf:3: drop: bad PCRE2")
        with open(os.path.join(self.sites, "broken.conf"), "w") as f:
            f.write("[site]\nhost = typo.example\n")
        p = wnlib.run(WINNOWD, "check-config", "-c", self.conf)
        self.assertRegex(p.stdout + p.stderr, r"broken\.conf:2: host: unknown key")

    def test_rules_apply_explain_and_reload(self):
        page = os.path.join(self.dir, "page.html")
        with open(page, "w") as f:
            f.write("<html><head><title>x</title></head><body>"
                    "<div class='wrap'><h1 class='hl'>Bridge to be rebuilt</h1>"
                    "<span class='who'>Ann Smith</span>"
                    "<div class='promo'>Win a trip to the seaside with our partners "
                    "by answering three simple questions today</div>"
                    "<div class='story'>" + article(4) +
                    "<p>Sponsored: the bridge shop</p></div></div></body></html>")
        with open(os.path.join(self.sites, "local.conf"), "w") as f:
            f.write("[site]\nhosts = *.local.example\n"
                    "main = //div[@class='story']\n"
                    "remove = //div[@class='promo']\n"
                    "drop = ^Sponsored:\n"
                    "title = //h1[@class='hl']\n"
                    "author = //span[@class='who']\n")
        args = ["clean", page, "-c", self.conf, "--url", "https://news.local.example/a"]
        out = wnlib.run(WINNOWD, *args, "--explain", check=0).stdout
        self.assertIn("main: xpath //div[@class='story']", out)
        self.assertIn("removed by rules (rule local: drop ^Sponsored:)", out)
        js = json.loads(wnlib.run(WINNOWD, *args, "--json", check=0).stdout)
        self.assertEqual(js["title"], "Bridge to be rebuilt")
        self.assertEqual(js["author"], "Ann Smith")
        self.assertIn("rules/", js["plugins"])
        self.assertNotIn("Sponsored", js["text"])
        self.assertNotIn("seaside", js["text"])
        # Another host: the rules do not run.
        js = json.loads(wnlib.run(WINNOWD, "clean", page, "-c", self.conf, "--url",
                                  "https://other.example/a", "--json", check=0).stdout)
        self.assertNotIn("rules/", js["plugins"])
        # Rule files are read at plugin init: a changed file is what the next
        # initialisation (a new process, or SIGHUP in the daemon) applies.
        with open(os.path.join(self.sites, "local.conf"), "a") as f:
            f.write("drop = ^The council voted on Tuesday to rebuild .* number 0 of\n")
        js = json.loads(wnlib.run(WINNOWD, *args, "--json", check=0).stdout)
        self.assertNotIn("number 0 of", js["text"])
        self.assertIn("number 1 of", js["text"])


class NewsmaxPlugin(unittest.TestCase):
    def clean(self, dateline):
        with wnlib.TempDir() as d:
            page = os.path.join(d, "page.html")
            with open(page, "w") as f:
                f.write("<html><body><h1>Bridge</h1><div class='artDate'>%s</div>"
                        "<div id='mainArticleDiv'>%s</div></body></html>"
                        % (dateline, article(4)))
            return json.loads(wnlib.run(
                WINNOWD, "clean", page, "--plugin-dir", PLUGINS, "--url",
                "https://www.newsmax.com/world/x/", "--json", check=0).stdout)

    def test_eastern_datelines_become_utc_across_dst(self):
        cases = [("Monday, 05 July 2021 09:00 AM", "2021-07-05T13:00:00Z"),
                 ("Friday, 05 February 2021 09:00 PM", "2021-02-06T02:00:00Z"),
                 ("Sunday, 14 March 2021 01:30 AM", "2021-03-14T06:30:00Z"),
                 ("Sunday, 14 March 2021 03:30 AM", "2021-03-14T07:30:00Z"),
                 ("Wednesday, 24 February 2021 07:27 AM EST", "2021-02-24T12:27:00Z")]
        for line, want in cases:
            js = self.clean(line)
            self.assertEqual(js["published"], want, line)
            self.assertTrue(js["plugins"].startswith("newsmax/"), js["plugins"])


class ShortPageFallsBackToFeed(unittest.TestCase):
    def test_stub_page_loses_to_feed_content(self):
        with wnlib.TempDir() as d:
            site = os.path.join(d, "site")
            os.mkdir(site)
            with open(os.path.join(site, "stub.html"), "w") as f:
                f.write("<html><body><article><p>Subscribe to read the rest of "
                        "this story.</p></article></body></html>")
            body = article(5)
            with open(os.path.join(site, "feed.xml"), "w") as f:
                f.write('<?xml version="1.0"?><rss version="2.0" '
                        'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
                        "<channel><title>T</title><link>http://x/</link>"
                        "<description>d</description><item><title>Bridge</title>"
                        "<link>stub.html</link><guid>stub-1</guid>"
                        "<content:encoded><![CDATA[%s]]></content:encoded>"
                        "</item><item><title>Ferry</title><link>stub.html?2</link>"
                        "<guid>stub-2</guid><description>%s</description></item>"
                        "</channel></rss>" % (body, SUMMARY))
            with wnlib.Server(site) as srv:
                conf = os.path.join(d, "winnow.conf")
                db = os.path.join(d, "winnow.db")
                wnlib.write_conf(conf, db, PLUGINS,
                                 [("f", srv.base + "/feed.xml", "always")])
                p = wnlib.run(WINNOWD, "once", "-c", conf, check=0)
                self.assertIn("GET /stub.html", "\n".join(
                    "%s %s" % r[:2] for r in srv.requests()))
            self.assertIn("2 articles stored (2 from feed content)", p.stderr)
            rows = {r["title"]: r for r in wnlib.export(WINNOWD, conf)}
            self.assertEqual(sorted(rows), ["Bridge", "Ferry"])
            self.assertIn("number 4 of", rows["Bridge"]["text"])
            self.assertNotIn("Subscribe", rows["Bridge"]["text"])
            # With no content in the feed, its summary still beats the stub.
            self.assertEqual(rows["Ferry"]["text"], SUMMARY)
            flags = sqlite3.connect(db).execute("SELECT flags FROM articles").fetchall()
            self.assertTrue(all(f[0] & 2 for f in flags), "WN_ARTICLE_FEED_CONTENT not recorded")


if __name__ == "__main__":
    unittest.main(verbosity=2)
