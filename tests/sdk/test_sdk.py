#!/usr/bin/env python3
"""The plugin SDK as a plugin author uses it, outside this tree.

Installs the SDK component of this build (headers, winnow-plugin.pc, the
CMake package) into a temporary prefix, copies plugins/example out of the
tree, builds it twice against the installed SDK -- with CMake
find_package(Winnow) and with pkg-config -- and loads each result in the
real winnowd: the plugin must run on a page of its host and remove what it
was written to remove.

Usage: test_sdk.py --build DIR --source DIR --winnowd EXE --cc CC
Standard library only; exit status 0 when every check passes.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

PAGE = """<!DOCTYPE html><html lang="en"><head><title>Story</title></head>
<body><div id="story">
<p>The first paragraph of the story is long enough to be an article on its
own, with words that tell a reader what happened and why it matters.</p>
<div class="promo">Subscribe to Example News Plus for the price of a coffee</div>
<p>Advertisement</p>
<p>The second paragraph goes on with the story in the same calm way, adding
facts, names and places so that the cleaner has something to keep.</p>
</div></body></html>
"""


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)
    if r.returncode != 0:
        sys.exit("FAIL: %s exited %d\n%s%s" % (" ".join(cmd), r.returncode,
                                                 r.stdout[-3000:], r.stderr[-3000:]))
    return r.stdout


def check_plugin(winnowd, plugin_dir, page, how):
    out = run([winnowd, "clean", page, "--url", "https://news.example.com/a",
               "--plugin-dir", plugin_dir, "--explain"])
    if "removed by example (example: promo box)" not in out:
        sys.exit("FAIL (%s): the example plugin removed no promo box:\n%s" % (how, out))
    if "removed by example (example: ad label)" not in out:
        sys.exit("FAIL (%s): the example plugin dropped no ad label:\n%s" % (how, out))
    text = out.split("----\n", 1)[1]
    if "Subscribe" in text or "Advertisement" in text or "first paragraph" not in text:
        sys.exit("FAIL (%s): wrong text:\n%s" % (how, text))
    js = json.loads(run([winnowd, "clean", page, "--url", "https://news.example.com/a",
                         "--plugin-dir", plugin_dir, "--json"]))
    if "example/1.0.0" not in js["plugins"] or js["site"] != "Example News":
        sys.exit("FAIL (%s): plugins %r, site %r" % (how, js["plugins"], js["site"]))
    # On a host it does not handle, the plugin must not run.
    js = json.loads(run([winnowd, "clean", page, "--url", "https://other.test/a",
                         "--plugin-dir", plugin_dir, "--json"]))
    if "example/" in js["plugins"]:
        sys.exit("FAIL (%s): ran for another host: %r" % (how, js["plugins"]))
    print("ok %s" % how)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--winnowd", required=True)
    ap.add_argument("--cc", default="cc")
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="winnow-sdk-")
    try:
        prefix = os.path.join(tmp, "prefix")
        run(["cmake", "--install", a.build, "--prefix", prefix, "--component", "sdk"])
        for f in ("winnow/winnow.h", "winnow/plugin.h", "winnow/host.h", "winnow/error.h"):
            if not os.path.exists(os.path.join(prefix, "include", f)):
                sys.exit("FAIL: %s not installed" % f)
        src = os.path.join(tmp, "src")
        os.mkdir(src)
        for f in ("example.c", "CMakeLists.txt"):
            shutil.copy(os.path.join(a.source, "plugins", "example", f), src)
        page = os.path.join(tmp, "page.html")
        with open(page, "w") as f:
            f.write(PAGE)

        # 1. CMake: find_package(Winnow) and winnow_add_plugin().
        bdir = os.path.join(tmp, "build-cmake")
        env = dict(os.environ, CC=a.cc)
        run(["cmake", "-S", src, "-B", bdir, "-DCMAKE_PREFIX_PATH=" + prefix,
             "-DCMAKE_BUILD_TYPE=Release"], env=env)
        run(["cmake", "--build", bdir], env=env)
        if not os.path.exists(os.path.join(bdir, "wn_example.so")):
            sys.exit("FAIL: the CMake build made no wn_example.so")
        check_plugin(a.winnowd, bdir, page, "cmake find_package")

        # 2. pkg-config.
        pdir = os.path.join(tmp, "build-pc")
        os.mkdir(pdir)
        pcdirs = [d for d, _, fs in os.walk(prefix) if "winnow-plugin.pc" in fs]
        if len(pcdirs) != 1:
            sys.exit("FAIL: winnow-plugin.pc installed %d times" % len(pcdirs))
        pcenv = dict(os.environ, PKG_CONFIG_PATH=pcdirs[0])
        cflags = run(["pkg-config", "--cflags", "winnow-plugin"], env=pcenv).split()
        libs = run(["pkg-config", "--libs", "winnow-plugin"], env=pcenv).split()
        if not any(c.startswith("-I" + prefix) for c in cflags):
            sys.exit("FAIL: pkg-config cflags do not point into the prefix: %r" % cflags)
        run([a.cc, "-std=c17", "-shared", "-fPIC", "-O2", "-Wall", "-Werror"] + cflags +
            [os.path.join(src, "example.c"), "-o", os.path.join(pdir, "wn_example.so"),
             "-Wl,--no-undefined,-z,now"] + libs)
        check_plugin(a.winnowd, pdir, page, "pkg-config")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
