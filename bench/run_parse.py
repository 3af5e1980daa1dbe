#!/usr/bin/env python3
"""run_parse.py: the parse bench.  Feed parsing throughput (MB/s, items/s)
of winnow's parser over a corpus of real-world-shaped feeds, measured in the
same run beside raw libxml2 parsing of the same bytes (the floor) and beside
Python feedparser (Debian's python3-feedparser).  Results are ratios against
those two, never absolute times; all three count CPU time, not wall time,
so that other work on a shared machine stretches none of them.

Targets: winnow >= 60% of the libxml2 floor's MB/s, and >= 30x feedparser's.

    cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWN_BUILD_BENCH=ON
    cmake --build build -j2 --target parse_bench
    python3 bench/run_parse.py [--build build] [--reps 5] [--scale 1]
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FEEDPARSER_PY = "/usr/bin/python3"  # Debian's, where python3-feedparser lives

FEEDPARSER_CODE = r"""
import feedparser, sys, time, json
files = sys.argv[1:]
data = [open(f, 'rb').read() for f in files]
feedparser.parse(data[0])
best = None
for _ in range(%d):
    t0 = time.process_time(); items = 0
    for d in data:
        items += len(feedparser.parse(d).entries)
    dt = time.process_time() - t0
    best = dt if best is None or dt < best else best
print(json.dumps({"mode": "feedparser", "files": len(files), "bytes": sum(map(len, data)),
                  "items": items, "seconds": best, "mb_per_s": sum(map(len, data)) / 1e6 / best,
                  "items_per_s": items / best, "version": feedparser.__version__}))
"""


def run_json(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"run_parse: {' '.join(cmd[:3])}... failed: {p.stderr.strip()}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--reps", type=int, default=5, help="timed passes per C mode (best kept)")
    ap.add_argument("--fp-reps", type=int, default=1, help="timed passes of feedparser")
    ap.add_argument("--rounds", type=int, default=2, help="libxml2/winnow alternations (best kept)")
    ap.add_argument("--scale", type=float, default=1.0, help="corpus size factor (215 feeds at 1)")
    args = ap.parse_args()

    bench = os.path.join(args.build, "bench", "parse_bench")
    if not os.access(bench, os.X_OK):
        sys.exit(f"run_parse: {bench} missing: configure with -DWN_BUILD_BENCH=ON "
                 "and build the parse_bench target")
    corpus = os.path.join(args.out, f"parse-corpus-{args.scale:g}")
    if not os.path.isdir(corpus):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_feeds.py"), "--out", corpus,
                        "--scale", str(args.scale)], check=True, stdout=subprocess.DEVNULL)
    files = sorted(glob.glob(os.path.join(corpus, "*.xml")))

    best = {}
    for _ in range(args.rounds):
        for mode in ("libxml2", "winnow"):
            r = run_json([bench, mode, str(args.reps), *files])
            if mode not in best or r["seconds"] < best[mode]["seconds"]:
                best[mode] = r
    best["feedparser"] = run_json([FEEDPARSER_PY, "-c", FEEDPARSER_CODE % args.fp_reps, *files])

    floor, wn, fp = best["libxml2"], best["winnow"], best["feedparser"]
    vs_floor = wn["mb_per_s"] / floor["mb_per_s"]
    vs_fp = wn["mb_per_s"] / fp["mb_per_s"]
    print(f"corpus: {len(files)} feeds, {wn['bytes'] / 1e6:.1f} MB ({corpus})")
    print(f"{'parser':<12} {'MB/s':>9} {'items/s':>11} {'items':>8} {'failed':>6}")
    for name, r in (("libxml2", floor), ("winnow", wn), ("feedparser", fp)):
        items = "-" if name == "libxml2" else f"{r['items_per_s']:.0f}"
        count = "-" if name == "libxml2" else str(r["items"])
        print(f"{name:<12} {r['mb_per_s']:>9.2f} {items:>11} {count:>8} {r.get('failed', 0):>6}")
    if wn["items"] != fp["items"] or wn.get("failed") or floor.get("failed"):
        print(f"warning: winnow found {wn['items']} items, feedparser {fp['items']}; "
              f"failed: winnow {wn.get('failed')}, libxml2 {floor.get('failed')}")
    print(f"winnow / libxml2 floor: {vs_floor * 100:.1f}% (target >= 60%)")
    print(f"winnow / feedparser:    {vs_fp:.1f}x (target >= 30x)")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "parse.json"), "w") as f:
        json.dump({"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "results": best,
                   "winnow_vs_floor": vs_floor, "winnow_vs_feedparser": vs_fp}, f, indent=2)
    return 0 if vs_floor >= 0.6 and vs_fp >= 30 else 1


if __name__ == "__main__":
    sys.exit(main())
