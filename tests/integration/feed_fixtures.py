#!/usr/bin/env python3
"""feed_fixtures.py: runs the real `winnowd parse` on every feed fixture and
compares its output with the expected one (conventions in
tests/fixtures/feeds/README.md).  Standard library only.

    feed_fixtures.py --winnowd build/winnowd --fixtures tests/fixtures/feeds [NAME...]
"""

import argparse
import difflib
import json
import os
import subprocess
import sys

DEFAULT_URL = "https://example.com/feeds/{name}.xml"
TIMEOUT = 30  # seconds per fixture

# The key order of the JSON contract (DESIGN.md, "Command line").
FEED_KEYS = ["format", "title", "link", "description", "language", "updated"]
ITEM_KEYS = ["id", "title", "link", "published", "updated", "author",
             "summary", "content_html", "categories", "enclosures"]
ENCLOSURE_KEYS = ["url", "type", "length"]


def read_first_line(path):
    with open(path, encoding="utf-8") as f:
        return f.readline().strip()


def pretty(value):
    return json.dumps(value, indent=2, ensure_ascii=False).splitlines()


def key_order_problems(doc):
    """Where the output's keys differ from the contract's, in order."""
    problems = []

    def check(obj, want, where):
        if not isinstance(obj, dict) or list(obj) != want:
            got = list(obj) if isinstance(obj, dict) else type(obj).__name__
            problems.append(f"{where}: keys {got}, want {want}")

    if not isinstance(doc, dict) or list(doc) != ["feed", "items"]:
        return ["top level: keys must be ['feed', 'items']"]
    check(doc["feed"], FEED_KEYS, "feed")
    for i, item in enumerate(doc["items"]):
        check(item, ITEM_KEYS, f"items[{i}]")
        for j, enc in enumerate(item.get("enclosures") or []):
            check(enc, ENCLOSURE_KEYS, f"items[{i}].enclosures[{j}]")
    return problems


def run_one(winnowd, fixtures, name):
    """Returns a list of failure lines (empty when the fixture passes)."""
    base = os.path.join(fixtures, name)
    url = DEFAULT_URL.format(name=name)
    if os.path.exists(base + ".url"):
        url = read_first_line(base + ".url")
    cmd = [winnowd, "parse", base + ".xml"]
    if url != "-":
        cmd += ["--url", url]
    if os.path.exists(base + ".args"):
        cmd += read_first_line(base + ".args").split()
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return [f"timed out after {TIMEOUT} s: {' '.join(cmd)}"]
    stdout = proc.stdout.decode("utf-8", "replace")
    stderr = proc.stderr.decode("utf-8", "replace")
    err_lines = stderr.splitlines()

    if os.path.exists(base + ".err"):
        want = read_first_line(base + ".err")
        fails = []
        if proc.returncode == 0:
            fails.append("exit status 0, want a failure")
        if len(err_lines) != 1:
            fails.append(f"{len(err_lines)} lines on stderr, want 1: {stderr!r}")
        elif want not in err_lines[0]:
            fails.append(f"stderr {err_lines[0]!r} does not contain {want!r}")
        if stdout:
            fails.append(f"stdout not empty: {stdout[:200]!r}")
        return fails

    with open(base + ".json", encoding="utf-8") as f:
        expected = json.load(f)
    if proc.returncode != 0:
        return [f"exit status {proc.returncode}: {stderr.strip()}"]
    try:
        actual = json.loads(stdout)
    except ValueError as e:
        return [f"output is not JSON ({e}): {stdout[:200]!r}"]
    fails = key_order_problems(actual)
    if actual != expected:
        fails.append("output differs (--- expected, +++ actual):")
        fails += difflib.unified_diff(pretty(expected), pretty(actual),
                                      "expected", "actual", lineterm="")
    # Damage is reported, and only damage: fixtures named damaged-* must
    # say so on stderr, every other one must keep stderr empty.
    if name.startswith("damaged-"):
        if len(err_lines) != 1 or "damaged" not in err_lines[0]:
            fails.append(f"want one 'damaged feed' warning, stderr: {stderr!r}")
    elif stderr:
        fails.append(f"stderr not empty: {stderr!r}")
    return fails


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--winnowd", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("names", nargs="*", help="only these fixtures")
    args = ap.parse_args()

    names = args.names or sorted(
        f[:-4] for f in os.listdir(args.fixtures) if f.endswith(".xml"))
    failed = 0
    for name in names:
        base = os.path.join(args.fixtures, name)
        has_json = os.path.exists(base + ".json")
        has_err = os.path.exists(base + ".err")
        if has_json == has_err:
            fails = ["needs exactly one of NAME.json and NAME.err"]
        else:
            fails = run_one(args.winnowd, args.fixtures, name)
        if fails:
            failed += 1
            print(f"FAIL {name}")
            for line in fails:
                print(f"    {line}")
        else:
            print(f"ok   {name}")
    print(f"{len(names)} fixtures, {failed} failed")
    return 1 if failed or not names else 0


if __name__ == "__main__":
    sys.exit(main())
