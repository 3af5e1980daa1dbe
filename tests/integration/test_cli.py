#!/usr/bin/env python3
"""winnowd's offline commands as a user meets them: check-config with every
error named by file and line, parse and clean on files and stdin, exit
statuses, export and list on an empty store.

Environment (set by CTest): WN_WINNOWD, WN_PLUGIN_DIR, WN_SOURCE_DIR.
"""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wnlib  # noqa: E402

WINNOWD = os.environ.get("WN_WINNOWD", "build/winnowd")
PLUGINS = os.environ.get("WN_PLUGIN_DIR", "build/plugins")
SOURCE = os.environ.get("WN_SOURCE_DIR", ".")


class Cli(unittest.TestCase):
    def setUp(self):
        self.tmp = wnlib.TempDir()
        self.dir = self.tmp.__enter__()

    def tearDown(self):
        self.tmp.__exit__(None, None, None)

    def write(self, name, text, mode="w"):
        path = os.path.join(self.dir, name)
        with open(path, mode) as f:
            f.write(text)
        return path

    def test_shipped_configuration_is_valid(self):
        conf = os.path.join(SOURCE, "conf", "winnow.conf")
        p = wnlib.run(WINNOWD, "check-config", "-c", conf, "--plugin-dir", PLUGINS, check=0)
        self.assertIn("ok", p.stdout)

    def test_check_config_names_file_line_and_key_for_every_error(self):
        conf = self.write("bad.conf",
                          "[fetch]\nmax_body = huge\ncolour = blue\n"
                          "[feed:x]\nurl = ftp://example.com/feed\n"
                          "[plugin:example]\ndrop_ads = maybe\n"
                          "[plugin:nosuch]\nx = 1\n"
                          "[plugins]\n"
                          f"dir = {PLUGINS}\n")
        p = wnlib.run(WINNOWD, "check-config", "-c", conf)
        self.assertEqual(p.returncode, 78)
        for want in [f"{conf}:2: [fetch] max_body:", f"{conf}:3: [fetch] colour: unknown key",
                     f"{conf}:5: [feed:x] url:", f"{conf}:7: [plugin:example] drop_ads:",
                     f"{conf}:8: [plugin:nosuch] no such plugin"]:
            self.assertIn(want, p.stderr)

    def test_missing_configuration_is_a_clear_error(self):
        for cmd in ("once", "run", "check-config", "export"):
            p = wnlib.run(WINNOWD, cmd, "-c", "/nonexistent/winnow.conf")
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("/nonexistent/winnow.conf: cannot read", p.stderr)

    def test_parse_refuses_what_is_not_a_feed(self):
        page = self.write("page.html", "<html><body><p>hello</p></body></html>")
        p = wnlib.run(WINNOWD, "parse", page)
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertIn(page, p.stderr)
        p = wnlib.run(WINNOWD, "parse", os.path.join(self.dir, "absent.xml"))
        self.assertNotEqual(p.returncode, 0)

    def test_clean_reads_files_and_stdin_alike(self):
        html = ("<html lang=en><head><title>A headline</title></head><body>"
                "<article><h1>A headline</h1><p>First paragraph of the story, "
                "with enough words to be a paragraph.</p><p>Second paragraph.</p>"
                "</article></body></html>")
        page = self.write("page.html", html)
        a = wnlib.run(WINNOWD, "clean", page, "--plugin-dir", PLUGINS, check=0).stdout
        b = subprocess.run([WINNOWD, "clean", "-", "--plugin-dir", PLUGINS], input=html,
                           capture_output=True, text=True, check=True).stdout
        self.assertEqual(a, b)
        self.assertIn("First paragraph of the story", a)
        j = json.loads(wnlib.run(WINNOWD, "clean", page, "--json", "--plugin-dir", PLUGINS,
                                 check=0).stdout)
        self.assertEqual(j["text"], a.rstrip("\n"))
        self.assertGreater(j["words"], 5)

    def test_export_of_an_absent_store_fails_clearly(self):
        conf = self.write("c.conf", f"[store]\npath = {self.dir}/none.db\n")
        p = wnlib.run(WINNOWD, "export", "-c", conf)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("none.db", p.stderr)

    def test_unknown_command_and_option_are_usage_errors(self):
        self.assertEqual(wnlib.run(WINNOWD, "frobnicate").returncode, 2)
        self.assertEqual(wnlib.run(WINNOWD, "once", "--frobnicate").returncode, 2)
        self.assertEqual(wnlib.run(WINNOWD, "--version", check=0).returncode, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
