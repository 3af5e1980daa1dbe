#!/usr/bin/env python3
"""The real unit under a real systemd: a minimal Debian 12 tree made with
debootstrap (cached), the .deb that CPack builds from this build installed
into it, booted with systemd-nspawn.  Inside, nspawn/driver.sh starts the
unit (systemctl returns only after READY=1), watches it fetch from a server
on the host, probes the sandbox from the service's own namespaces, reloads
it (systemctl reload: SIGHUP) and stops it; this test checks what it saw.

Skips (exit 77) when it cannot run here: not root, no systemd-nspawn or
debootstrap, a sanitizer build, or WN_NSPAWN=0; fails instead when
WN_NSPAWN_REQUIRED=1 (.ci/run).  The base tree is cached in
$WN_NSPAWN_CACHE (default /var/tmp/winnow-nspawn) so reruns take seconds.

Environment (set by CTest): WN_BUILD_DIR, WN_FIXTURES.
"""
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wnlib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("WN_BUILD_DIR", "build")
FIXTURES = os.environ.get("WN_FIXTURES", "tests/fixtures/demo")
CACHE = os.environ.get("WN_NSPAWN_CACHE", "/var/tmp/winnow-nspawn")
MIRROR = os.environ.get("WN_DEBIAN_MIRROR", "http://deb.debian.org/debian")
# What the tree needs beyond minbase: an init, and winnowd's libraries (the
# .deb's Depends are checked by dpkg; apt fills any others from the mirror).
PACKAGES = ("systemd,systemd-sysv,dbus,libcurl4,libxml2,libuv1,libsqlite3-0,libjansson4,"
            "libutf8proc2,libxxhash0,libinih1,libpcre2-8-0,libsystemd0,libpq5,libzstd1,"
            "libjemalloc2")
SKIP = 77


def why_not():
    if os.environ.get("WN_NSPAWN") == "0":
        return "WN_NSPAWN=0"
    if os.geteuid() != 0:
        return "needs root (systemd-nspawn, debootstrap)"
    for tool in ("systemd-nspawn", "debootstrap", "cpack", "dpkg-deb", "dpkg-shlibdeps"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install systemd-container debootstrap dpkg-dev)"
    with open(os.path.join(BUILD, "CMakeCache.txt")) as f:
        if re.search(r"^WN_SANITIZE:BOOL=ON", f.read(), re.M):
            return "sanitizer build (the .deb is for the normal build)"
    return None


def base_tree():
    """The cached debootstrap tree, made once (under a lock)."""
    os.makedirs(CACHE, exist_ok=True)
    # named by its package list: a new dependency makes a new tree once
    tag = hashlib.sha1(PACKAGES.encode()).hexdigest()[:10]
    base = os.path.join(CACHE, f"bookworm-{tag}")
    with open(os.path.join(CACHE, "lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.isfile(os.path.join(base, "usr/lib/systemd/systemd")):
            tmp = base + ".tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            subprocess.run(["debootstrap", "--variant=minbase", f"--include={PACKAGES}",
                            "bookworm", tmp, MIRROR], check=True, capture_output=True,
                           timeout=1800)
            shutil.rmtree(base, ignore_errors=True)
            os.rename(tmp, base)
    return base


class Nspawn(unittest.TestCase):
    def test_unit_under_systemd(self):
        tmp = tempfile.mkdtemp(prefix="wn-nspawn-", dir="/var/tmp")
        try:
            self.run_in(tmp)
        finally:
            if os.environ.get("WN_KEEP_TEMP"):
                print(f"kept {tmp}", file=sys.stderr)
            else:
                shutil.rmtree(tmp, ignore_errors=True)

    def run_in(self, tmp):
        tree = os.path.join(tmp, "root")
        results = os.path.join(tmp, "results")
        os.makedirs(results)
        subprocess.run(["cp", "-a", "--reflink=auto", base_tree(), tree], check=True)

        # the package, from this build
        pkg = os.path.join(tmp, "pkg")
        p = subprocess.run(["cpack", "-G", "DEB", "--config",
                            os.path.join(BUILD, "CPackConfig.cmake"), "-B", pkg],
                           capture_output=True, text=True, cwd=BUILD, timeout=600)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        deb = [f for f in os.listdir(pkg) if f.endswith(".deb")][0]
        shutil.copy(os.path.join(pkg, deb), os.path.join(tree, "tmp", deb))
        p = subprocess.run(["chroot", tree, "dpkg", "-i", f"/tmp/{deb}"],
                           capture_output=True, text=True)
        if p.returncode != 0:  # a dependency the cached tree lacks: from the mirror
            shutil.copy("/etc/resolv.conf", os.path.join(tree, "etc/resolv.conf"))
            subprocess.run(["chroot", tree, "apt-get", "update", "-qq"], check=True,
                           capture_output=True)
            p = subprocess.run(["chroot", tree, "apt-get", "install", "-f", "-y", "-qq"],
                               capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(os.path.join(tree, "etc/passwd")) as f:
            self.assertIn("winnow:", f.read(), "postinst made the sysusers.d user")
        units = [os.path.join(tree, d.lstrip("/"), "winnowd.service")
                 for d in ("/usr/local/lib/systemd/system", "/usr/lib/systemd/system",
                           "/lib/systemd/system")]
        units = [u for u in units if os.path.exists(u)]
        self.assertTrue(units, "the unit is installed where systemd looks")
        with open(units[0]) as f:
            unit = f.read()
        conf = re.search(r"ExecStart=\S+ run -c (\S+)", unit).group(1)
        site = os.path.join(tmp, "site")
        shutil.copytree(FIXTURES, site)
        with wnlib.Server(site) as server:
            with open(tree + conf) as f:
                text = f.read()
            text = text.replace("allow_private = no", "allow_private = 127.0.0.1")
            text = text.replace("log_level = notice", "log_level = info")
            text += f"\n[feed:demo]\nurl = {server.base}/rss.xml\n"
            with open(tree + conf, "w") as f:
                f.write(text)
            narticles = len(os.listdir(os.path.join(FIXTURES, "articles")))
            shutil.copy(os.path.join(HERE, "nspawn", "driver.sh"),
                        os.path.join(tree, "usr/local/sbin/wn-driver"))
            with open(os.path.join(tree, "etc/systemd/system/wn-driver.service"), "w") as f:
                f.write("[Unit]\nDescription=winnow test driver\n"
                        "After=multi-user.target\n\n[Service]\nType=oneshot\n"
                        f"Environment=WN_WANT=1 WN_WANT_AFTER={narticles}\n"
                        f"Environment=WN_ADDED_URL={server.base}/atom.xml\n"
                        "ExecStart=/usr/local/sbin/wn-driver\nStandardOutput=journal\n\n"
                        "[Install]\nWantedBy=multi-user.target\n")
            os.symlink("/etc/systemd/system/wn-driver.service",
                       os.path.join(tree, "etc/systemd/system/multi-user.target.wants/"
                                    "wn-driver.service"))
            # the host's network (the server is on its loopback); no machined
            # or bus on a host that is not itself run by systemd
            p = subprocess.run(["systemd-nspawn", "-q", "-D", tree, "-b", "--register=no",
                                "--keep-unit", "--console=pipe",
                                f"--bind={results}:/results",
                                f"--machine=wn-test-{os.getpid()}"],
                               stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               timeout=400)
        res = {}
        path = os.path.join(results, "result.txt")
        if os.path.exists(path):
            with open(path) as f:
                for line in f:
                    k, _, v = line.rstrip("\n").partition("=")
                    res[k] = v
        def read(name):
            path = os.path.join(results, name)
            if not os.path.exists(path):
                return ""
            with open(path, errors="replace") as f:
                return f.read()
        log, journal = read("driver.log"), read("journal.txt")
        ctx = f"results: {res}\n--- driver:\n{log[-3000:]}\n--- journal:\n{journal[-4000:]}\n" \
              f"--- nspawn:\n{p.stdout[-2000:]}{p.stderr[-2000:]}"
        print(f"nspawn results: {json.dumps(res, indent=1)}", file=sys.stderr)
        self.assertEqual(res.get("done"), "yes", ctx)
        # started, READY seen, as the sysusers user
        self.assertEqual(res["start_rc"], "0", ctx)
        self.assertEqual(res["type"], "notify", ctx)
        self.assertEqual(res["active"], "active/running", ctx)
        self.assertEqual(res["user"], "winnow", ctx)
        self.assertEqual(res["watchdog_pinged"], "yes", ctx)
        self.assertRegex(res["status"], r"^1 feeds: .*[1-9]\d* stored", ctx)
        # fetched from the host's server, before and after the reload
        self.assertGreaterEqual(int(res["stored_before_reload"]), 1, ctx)
        self.assertEqual(res["reload_rc"], "0", ctx)
        self.assertEqual(res["pid_kept"], "yes", ctx)
        self.assertEqual(res["active_after_reload"], "active", ctx)
        self.assertGreaterEqual(int(res["stored_after_reload"]), narticles, ctx)
        self.assertRegex(journal, r"reloaded .*: 2 feeds \(1 added", ctx)
        # the sandbox
        self.assertEqual(res["write_state"], "allowed ", ctx)
        for key in ("write_etc", "write_etc_root", "write_usr"):
            self.assertIn("Read-only file system", res[key], ctx)
            self.assertTrue(res[key].endswith("refused "), ctx)
        self.assertEqual(res["host_var_tmp_sees"], "no", "PrivateTmp: " + ctx)
        self.assertEqual(res["home_visible"], "no ", ctx)
        self.assertEqual(res["caps"], "0000000000000000", ctx)
        self.assertEqual(res["no_new_privs"], "1", ctx)
        self.assertEqual(res["seccomp"], "2", ctx)
        # the running unit, as the live systemd rates it
        self.assertLessEqual(float(res["security"]), 1.5, ctx)
        # a clean stop
        self.assertEqual(res["stop_rc"], "0", ctx)
        self.assertEqual(res["result"], "success", ctx)
        self.assertEqual(res["exit_status"], "0", ctx)
        self.assertIn("stopping (SIGTERM)", journal, ctx)
        # journald parsed the <N> prefixes: several priorities, no "<6>" text
        prios = set()
        with open(os.path.join(results, "journal.json")) as f:
            for line in f:
                e = json.loads(line)
                if e.get("_COMM") == "winnowd" and "PRIORITY" in e:
                    prios.add(e["PRIORITY"])
                    self.assertFalse(str(e.get("MESSAGE", "")).startswith("<"), e)
        self.assertTrue({"5", "6"} <= prios, prios)


if __name__ == "__main__":
    reason = why_not()
    if reason:
        print(f"SKIP: {reason}", file=sys.stderr)
        # .ci/run sets WN_NSPAWN_REQUIRED: there, not running is a failure
        sys.exit(1 if os.environ.get("WN_NSPAWN_REQUIRED") == "1" else SKIP)
    unittest.main(verbosity=2)
