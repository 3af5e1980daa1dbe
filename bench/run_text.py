#!/usr/bin/env python3
"""Text mode on pages flattened whole: every devset page becomes the plain
text a naive scraper would give (visible text, one line per block element,
scripts and styles dropped), `winnowd clean --text` cleans it, and
../shared/eval/score.py scores the result beside the flattened text itself
(every line kept).  This is the harsh case of `--text`: the seeds in
../shared/fixtures/seeds keep only some boilerplate, these keep the whole
page's menus and footers.

usage: run_text.py [--winnowd build/winnowd] [--data DIR] [--jobs 2]
Standard library only; prints score.py's table for both.
"""
import argparse
import concurrent.futures
import html.parser
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BLOCK = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
         "br", "section", "article", "header", "footer", "nav", "aside", "ul",
         "ol", "table", "blockquote", "pre", "figure", "figcaption", "dd", "dt",
         "form", "main", "title"}
SKIP = {"script", "style", "noscript", "template", "svg", "head"}


class Flatten(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines, self.cur, self.skip = [], [], 0

    def flush(self):
        t = " ".join("".join(self.cur).split())
        if t:
            self.lines.append(t)
        self.cur = []

    def handle_starttag(self, tag, attrs):
        self.skip += tag in SKIP
        if tag in BLOCK:
            self.flush()

    def handle_endtag(self, tag):
        if tag in SKIP and self.skip:
            self.skip -= 1
        if tag in BLOCK:
            self.flush()

    def handle_data(self, data):
        if not self.skip:
            self.cur.append(data)


def flatten(raw):
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    p = Flatten()
    try:
        p.feed(text)
        p.close()
    except Exception:  # noqa: BLE001 - a broken page flattens as far as it goes
        pass
    p.flush()
    return "\n".join(p.lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--winnowd", default=os.path.join(ROOT, "build", "winnowd"))
    ap.add_argument("--data", default=os.environ.get(
        "WINNOW_EXTRACTION_DATA", os.path.join(ROOT, "..", "shared", "eval", "devset")))
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    scorer = os.path.join(os.path.dirname(os.path.abspath(a.data)), "score.py")
    out = os.path.join(HERE, "out", "text")
    flat, clean = os.path.join(out, "flat"), os.path.join(out, "clean")
    for d in (flat, clean):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    html_dir = os.path.join(a.data, "html")
    ids = sorted(f[:-5] for f in os.listdir(html_dir) if f.endswith(".html"))
    for i in ids:
        with open(os.path.join(html_dir, i + ".html"), "rb") as f:
            text = flatten(f.read())
        with open(os.path.join(flat, i + ".txt"), "w", encoding="utf-8") as f:
            f.write(text)

    def run(i):
        r = subprocess.run([a.winnowd, "clean", "--text", os.path.join(flat, i + ".txt")],
                           capture_output=True, timeout=60)
        with open(os.path.join(clean, i + ".txt"), "wb") as f:
            f.write(r.stdout)

    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        list(ex.map(run, ids))
    print("%-20s %-14s %-14s %-14s" % ("tool", "F1", "precision", "recall"))
    for name, d in (("winnow --text", clean), ("all lines kept", flat)):
        r = subprocess.run([sys.executable, scorer, "--data", a.data, "--texts", d,
                            "--name", name], capture_output=True, text=True)
        rows = [l for l in r.stdout.splitlines() if l.startswith(name[:20])]
        print(rows[0] if r.returncode == 0 and rows else r.stderr.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
