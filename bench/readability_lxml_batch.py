#!/usr/bin/env python3
"""Debian's python3-readability (readability-lxml) over every page of a
folder in one process, for bench/run_extract.py.  Writes OUT/<id>.txt (one
line per block of the summary) and one JSON line of figures to stdout
(CPU seconds of this process: the machine is shared).

usage: readability_lxml_batch.py HTML_DIR OUT_DIR"""
import json
import os
import sys
import time

import lxml.html
from readability import Document

BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "blockquote",
          "td", "th", "dt", "dd", "figcaption", "div", "section", "article"}


def block_lines(root):
    lines, cur = [], []

    def flush():
        t = " ".join("".join(cur).split())
        if t:
            lines.append(t)
        cur.clear()

    def walk(el):
        if el.text:
            cur.append(el.text)
        for c in el:
            tag = c.tag if isinstance(c.tag, str) else ""
            if tag in BLOCKS:
                flush()
                walk(c)
                flush()
            else:
                walk(c)
            if c.tail:
                cur.append(c.tail)

    walk(root)
    flush()
    return lines


def main():
    html_dir, out_dir = sys.argv[1:3]
    files = sorted(f for f in os.listdir(html_dir) if f.endswith(".html"))
    seconds = 0.0
    size = failed = 0
    for f in files:
        with open(os.path.join(html_dir, f), "rb") as fh:
            data = fh.read()
        size += len(data)
        t0 = time.process_time()
        text = ""
        try:
            summary = Document(data).summary(html_partial=True)
            text = "\n".join(block_lines(lxml.html.fromstring(summary)))
        except Exception:  # noqa: BLE001 - a failed page is counted
            failed += 1
        seconds += time.process_time() - t0
        with open(os.path.join(out_dir, f[:-5] + ".txt"), "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    print(json.dumps({"pages": len(files), "bytes": size, "failed": failed,
                      "seconds": seconds}))


if __name__ == "__main__":
    main()
