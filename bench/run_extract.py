#!/usr/bin/env python3
"""The extraction bench: quality and speed of winnow's cleaner beside Mozilla
Readability (npm @mozilla/readability with jsdom) and Debian's
python3-readability, on the development set, in the same run.

Quality: each tool writes its text for every page; ../shared/eval/score.py
scores the folders (precision, recall, F1 of 4-token shingles, averaged over
pages).  Speed: each tool runs in ONE process over pages already read from
disk (no process start-up counted): winnow's whole cleaning path (parse,
plugins, normalizer) and raw libxml2 HTML parsing of the same bytes (the
floor) come from bench/clean_bench.c, Readability from
bench/readability_batch.js, readability-lxml from
bench/readability_lxml_batch.py.  The shared machine is noisy, so targets
are ratios measured in the same run:

  * winnow F1 > 0.90, and above both Readability tools;
  * winnow at least 30x Readability's pages per second;
  * winnow at least half raw libxml2 parsing's throughput.

Setup (once): Node.js 20 and npm, /usr/bin/python3 with python3-readability
(`./dev.sh setup bench`); jsdom 27.0.0 (the last release for Node 20) and
@mozilla/readability are installed by this script into bench/out/node.
The build needs -DWN_BUILD_BENCH=ON for clean_bench; this script configures
and builds that target in --build when it is missing.

Exit status: 0 every target met, 1 one missed, 2 the bench could not run.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
JSDOM = "27.0.0"
READABILITY = "0.6.0"


def die(msg):
    print("run_extract: " + msg, file=sys.stderr)
    sys.exit(2)


def sh(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        die("%s failed (%d):\n%s%s" % (" ".join(cmd), r.returncode,
                                       r.stdout[-2000:], r.stderr[-2000:]))
    return r.stdout


def ensure_clean_bench(build):
    exe = os.path.join(build, "bench", "clean_bench")
    src = os.path.join(HERE, "clean_bench.c")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        sh(["cmake", "-S", ROOT, "-B", build, "-DWN_BUILD_BENCH=ON"])
        sh(["cmake", "--build", build, "-j2", "--target", "clean_bench",
            "wn_plugin_generic", "wn_plugin_rules"])
    return exe


def ensure_node_tools():
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        die("needs node and npm (./dev.sh setup bench)")
    major = int(sh([node, "--version"]).strip().lstrip("v").split(".")[0])
    if major < 20:
        die("needs Node.js 20 or later for jsdom %s" % JSDOM)
    prefix = os.path.join(OUT, "node")
    mods = os.path.join(prefix, "node_modules")
    have = os.path.join(mods, "jsdom", "package.json")
    if not os.path.exists(have) or json.load(open(have))["version"] != JSDOM \
            or not os.path.exists(os.path.join(mods, "@mozilla", "readability")):
        os.makedirs(prefix, exist_ok=True)
        print("installing jsdom@%s and @mozilla/readability@%s into %s"
              % (JSDOM, READABILITY, prefix), file=sys.stderr)
        sh(["npm", "install", "--prefix", prefix, "--no-audit", "--no-fund",
            "--no-save", "jsdom@" + JSDOM, "@mozilla/readability@" + READABILITY])
    return node, mods


def score(scorer, data, texts, name):
    out = os.path.join(OUT, "extract", name + ".score.json")
    sh([sys.executable, scorer, "--data", data, "--texts", texts, "--name", name,
        "--json", out])
    return json.load(open(out))["metrics"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--data", default=os.environ.get(
        "WINNOW_EXTRACTION_DATA", os.path.join(ROOT, "..", "shared", "eval", "devset")))
    ap.add_argument("--scorer", help="score.py (default: beside --data)")
    ap.add_argument("--rounds", type=int, default=5,
                    help="timed rounds of winnow and libxml2 (median)")
    a = ap.parse_args()

    html = os.path.join(a.data, "html")
    scorer = a.scorer or os.path.join(os.path.dirname(os.path.abspath(a.data)), "score.py")
    if not os.path.isdir(html) or not os.path.exists(scorer):
        die("no pages in %s or no scorer %s" % (html, scorer))
    lxml_py = "/usr/bin/python3"
    if subprocess.run([lxml_py, "-c", "import readability"],
                      capture_output=True).returncode != 0:
        die("python3-readability is not installed (./dev.sh setup bench)")
    bench = ensure_clean_bench(a.build)
    node, mods = ensure_node_tools()

    dirs = {}
    for name in ("winnow", "readability-js", "readability-lxml"):
        dirs[name] = os.path.join(OUT, "extract", name)
        shutil.rmtree(dirs[name], ignore_errors=True)
        os.makedirs(dirs[name])

    print("winnow and raw libxml2 (%d rounds)..." % a.rounds, file=sys.stderr)
    w = json.loads(sh([bench, os.path.join(a.build, "plugins"), html,
                       dirs["winnow"], str(a.rounds)]))
    print("Mozilla Readability + jsdom...", file=sys.stderr)
    env = dict(os.environ, NODE_PATH=mods)
    rj = json.loads(sh([node, os.path.join(HERE, "readability_batch.js"), html,
                        dirs["readability-js"]], env=env))
    print("readability-lxml...", file=sys.stderr)
    rl = json.loads(sh([lxml_py, os.path.join(HERE, "readability_lxml_batch.py"), html,
                        dirs["readability-lxml"]]))

    q = {name: score(scorer, a.data, d, name) for name, d in dirs.items()}
    mb = w["bytes"] / 1e6
    rows = [
        ("winnow", q["winnow"], w["pages"] / w["winnow_s"], mb / w["winnow_s"]),
        ("readability-js", q["readability-js"], rj["pages"] / rj["seconds"],
         rj["bytes"] / 1e6 / rj["seconds"]),
        ("readability-lxml", q["readability-lxml"], rl["pages"] / rl["seconds"],
         rl["bytes"] / 1e6 / rl["seconds"]),
        ("libxml2 parse only", None, w["pages"] / w["libxml2_s"], mb / w["libxml2_s"]),
    ]
    print("\n%d pages, %.1f MB (%s)" % (w["pages"], mb, a.data))
    print("%-20s %6s %9s %7s %10s %8s" % ("tool", "F1", "precision", "recall",
                                          "pages/s", "MB/s"))
    for name, m, pps, mbs in rows:
        if m is None:
            print("%-20s %6s %9s %7s %10.1f %8.2f" % (name, "-", "-", "-", pps, mbs))
        else:
            print("%-20s %6.3f %9.3f %7.3f %10.1f %8.2f" % (
                name, m["f1"], m["precision"], m["recall"], pps, mbs))
    speed_vs_rj = rows[0][2] / rows[1][2]
    ratios = sorted(p / c for c, p in zip(w["winnow_rounds"], w["libxml2_rounds"]))
    vs_floor = ratios[len(ratios) // 2]  # median of the per-round ratios
    f1 = q["winnow"]["f1"]
    targets = [
        ("winnow F1 > 0.90", f1 > 0.90, "%.3f" % f1),
        ("winnow F1 above Readability (js)", f1 > q["readability-js"]["f1"],
         "%.3f vs %.3f" % (f1, q["readability-js"]["f1"])),
        ("winnow F1 above readability-lxml", f1 > q["readability-lxml"]["f1"],
         "%.3f vs %.3f" % (f1, q["readability-lxml"]["f1"])),
        (">= 30x Readability (js) per page", speed_vs_rj >= 30, "%.1fx" % speed_vs_rj),
        (">= 0.5 of raw libxml2 throughput", vs_floor >= 0.5, "%.2f" % vs_floor),
    ]
    print()
    for what, ok, fig in targets:
        print("%-4s %-36s %s" % ("ok" if ok else "MISS", what, fig))
    failed = w["failed"] + rj["failed"] + rl["failed"]
    if failed:
        print("(pages that failed: winnow %d, readability-js %d, readability-lxml %d)"
              % (w["failed"], rj["failed"], rl["failed"]))
    return 0 if all(ok for _, ok, _ in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
