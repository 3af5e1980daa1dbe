#!/usr/bin/env python3
"""`cmake --install` into a staging folder (DESTDIR): every piece lands in
its FHS place, the installed winnowd runs from there with the installed
plugins and example configuration, the man pages render, the unit's
hardening scores 1.5 or better, every configuration key is documented in
conf/winnow.conf and winnow.conf(5), and CPack builds a .deb holding the
same files with its dependencies.

Environment (set by CTest): WN_BUILD_DIR, WN_SOURCE_DIR, WN_FIXTURES.
"""
import os
import re
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wnlib  # noqa: E402

BUILD = os.environ.get("WN_BUILD_DIR", "build")
SOURCE = os.environ.get("WN_SOURCE_DIR", ".")
FIXTURES = os.environ.get("WN_FIXTURES", "tests/fixtures/demo")


def cache(name):
    with open(os.path.join(BUILD, "CMakeCache.txt")) as f:
        for line in f:
            if line.startswith(name + ":"):
                return line.split("=", 1)[1].strip()
    return None


class Install(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = wnlib.TempDir()
        cls.dir = cls.tmp.__enter__()
        cls.stage = os.path.join(cls.dir, "stage")
        env = dict(os.environ, DESTDIR=cls.stage)
        p = subprocess.run(["cmake", "--install", BUILD], env=env, capture_output=True,
                           text=True, timeout=300)
        if p.returncode != 0:
            raise AssertionError(p.stdout + p.stderr)
        cls.prefix = cache("CMAKE_INSTALL_PREFIX")
        cls.root = cls.stage + cls.prefix

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def staged(self, path):
        return self.stage + path

    def test_files_are_in_their_places(self):
        etc = "/etc" if self.prefix == "/usr" else self.prefix + "/etc"
        want = [self.prefix + "/bin/winnowd",
                etc + "/winnow/winnow.conf",
                self.prefix + "/lib/systemd/system/winnowd.service",
                self.prefix + "/lib/sysusers.d/winnow.conf",
                self.prefix + "/lib/tmpfiles.d/winnow.conf",
                self.prefix + "/share/man/man8/winnowd.8",
                self.prefix + "/share/man/man5/winnow.conf.5"]
        for path in want:
            self.assertTrue(os.path.isfile(self.staged(path)), path)
        plugins = [os.path.join(d, f) for d, _, fs in os.walk(self.root) for f in fs
                   if re.match(r"wn_.*\.so$", f)]
        self.assertTrue(any(p.endswith("/winnow/plugins/wn_generic.so") for p in plugins),
                        plugins)
        with open(self.staged(self.prefix + "/lib/systemd/system/winnowd.service")) as f:
            unit = f.read()
        self.assertIn(f"ExecStart={self.prefix}/bin/winnowd run -c {etc}/winnow/winnow.conf",
                      unit)
        self.assertIn("Type=notify", unit)

    def test_installed_daemon_runs_from_the_stage(self):
        winnowd = self.staged(self.prefix + "/bin/winnowd")
        etc = "/etc" if self.prefix == "/usr" else self.prefix + "/etc"
        with open(self.staged(etc + "/winnow/winnow.conf")) as f:
            text = f.read()
        plugin_dir = re.search(r"^dir = (.*)$", text, re.M).group(1)
        self.assertTrue(os.path.isfile(self.staged(plugin_dir) + "/wn_generic.so"),
                        "the installed configuration names the installed plugins")
        site = os.path.join(self.dir, "site")
        shutil.copytree(FIXTURES, site)
        with wnlib.Server(site) as server:
            conf = os.path.join(self.dir, "staged.conf")
            text = text.replace(f"dir = {plugin_dir}", f"dir = {self.staged(plugin_dir)}")
            text = text.replace("path = /var/lib/winnow/winnow.db",
                                f"path = {self.dir}/winnow.db")
            text = text.replace("allow_private = no", "allow_private = 127.0.0.1")
            text += f"\n[feed:demo]\nurl = {server.base}/rss.xml\n"
            with open(conf, "w") as f:
                f.write(text)
            p = wnlib.run(winnowd, "check-config", "-c", conf, check=0)
            self.assertIn("ok: 1 feeds, ", p.stdout)
            p = wnlib.run(winnowd, "plugins", "-c", conf, check=0)
            self.assertIn("generic", p.stdout)
            p = wnlib.run(winnowd, "once", "-c", conf, timeout=300, check=0)
            self.assertRegex(p.stderr, r"1 feeds: 1 ok")
            self.assertGreater(len(wnlib.export(winnowd, conf)), 0)

    @unittest.skipUnless(shutil.which("man"), "man is not installed")
    def test_man_pages_render_without_warnings(self):
        for page in ("man8/winnowd.8", "man5/winnow.conf.5"):
            path = self.staged(self.prefix + "/share/man/" + page)
            p = subprocess.run(["man", "--warnings", "-l", path], capture_output=True,
                               text=True, env=dict(os.environ, MANPAGER="cat", PAGER="cat",
                                                   MANWIDTH="80"))
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stderr.strip(), "", page)
            self.assertNotIn("@WN_VERSION@", p.stdout)

    def test_every_key_is_documented(self):
        with open(os.path.join(SOURCE, "daemon", "wn_conf.c")) as f:
            src = f.read()
        table = src[src.index("wn_conf_keys[] = {"):src.index("#define WN_CONF_NKEYS")]
        keys = re.findall(r'\{\s*"([a-z]+)",\s*"([a-z_]+)"', table)
        feed = re.search(r"wn_conf_feed_keys\[\] = \{([^}]*)\}", src).group(1)
        keys += [("feed:NAME", k) for k in re.findall(r'"([a-z_]+)"', feed)]
        self.assertGreater(len(keys), 20)
        with open(os.path.join(SOURCE, "conf", "winnow.conf")) as f:
            conf = f.read()
        with open(os.path.join(SOURCE, "docs", "man", "winnow.conf.5")) as f:
            man = f.read()
        for section, key in keys:
            self.assertRegex(conf, rf"(?m)^;?{key} =", f"[{section}] {key} in conf/winnow.conf")
            self.assertRegex(man, rf"(?m)^\.B {key}\b", f"[{section}] {key} in winnow.conf(5)")

    @unittest.skipUnless(shutil.which("systemd-analyze"), "no systemd-analyze")
    def test_unit_hardening_scores_at_most_1_5(self):
        unit = os.path.join(SOURCE, "systemd", "winnowd.service")
        p = subprocess.run(["systemd-analyze", "security", "--offline=yes", unit],
                           capture_output=True, text=True)
        m = re.search(r"Overall exposure level for winnowd.service: (\d+\.\d)", p.stdout)
        self.assertIsNotNone(m, p.stdout + p.stderr)
        self.assertLessEqual(float(m.group(1)), 1.5, p.stdout)

    @unittest.skipUnless(shutil.which("cpack") and shutil.which("dpkg-deb")
                         and shutil.which("dpkg-shlibdeps"), "no cpack or dpkg tools")
    def test_cpack_builds_a_deb(self):
        out = os.path.join(self.dir, "pkg")
        p = subprocess.run(["cpack", "-G", "DEB", "--config",
                            os.path.join(BUILD, "CPackConfig.cmake"), "-B", out],
                           capture_output=True, text=True, timeout=600, cwd=BUILD)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        debs = [f for f in os.listdir(out) if f.endswith(".deb")]
        self.assertEqual(len(debs), 1, os.listdir(out))
        deb = os.path.join(out, debs[0])
        files = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True,
                               text=True, check=True).stdout
        files = {l.split()[-1].lstrip(".") for l in files.splitlines()}
        # the same files as `cmake --install`, in the same places
        staged = {os.path.join(d, f)[len(self.stage):] for d, _, fs in os.walk(self.stage)
                  for f in fs}
        self.assertEqual(staged - files, set())
        info = subprocess.run(["dpkg-deb", "-I", deb], capture_output=True, text=True,
                              check=True).stdout
        self.assertRegex(info, r"Depends:.*libcurl4.*libuv1")
        self.assertIn("postinst", info)
        self.assertIn("conffiles", info)


if __name__ == "__main__":
    unittest.main(verbosity=2)
