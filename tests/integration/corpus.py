"""A made-up site for store tests: feeds whose items link to article pages
of distinct random text (no two alike, so nothing is a near duplicate by
accident), written under a folder that httpd.py serves."""
import os
import random

WORDS = ("river station council budget harbour winter market school bridge "
         "railway minister festival museum hospital garden factory airport "
         "village election farmer library theatre stadium province coast "
         "mountain valley island forest desert harvest storm drought flood "
         "orchestra painter engineer doctor teacher sailor miner baker "
         "journalist senator mayor judge lawyer nurse pilot driver").split()


def paragraph(rng, n):
    words = [rng.choice(WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def article_html(rng, title):
    paras = "\n".join(f"<p>{paragraph(rng, rng.randint(30, 60))} "
                      f"{rng.getrandbits(64):x}.</p>" for _ in range(rng.randint(4, 8)))
    return (f"<!doctype html><html><head><title>{title}</title></head><body>"
            f"<article><h1>{title}</h1>\n{paras}\n</article></body></html>\n")


def write_site(root, feeds, items, seed=1, base="http://127.0.0.1:0"):
    """feeds x items articles; returns {feed_name: path of its feed} and the
    article paths.  Links are relative to the feed so any port works."""
    rng = random.Random(seed)
    os.makedirs(os.path.join(root, "a"), exist_ok=True)
    out, pages = {}, []
    for f in range(feeds):
        entries = []
        for i in range(items):
            title = f"Story {f}-{i}: {paragraph(rng, 5)[:-1]}"
            path = f"a/{f}-{i}.html"
            with open(os.path.join(root, path), "w") as fh:
                fh.write(article_html(rng, title))
            pages.append(path)
            entries.append(f"<item><title>{title}</title><link>/{path}</link>"
                           f"<guid>urn:{f}:{i}</guid>"
                           f"<description>{paragraph(rng, 8)}</description></item>")
        name = f"f{f}.xml"
        with open(os.path.join(root, name), "w") as fh:
            fh.write('<?xml version="1.0"?><rss version="2.0"><channel>'
                     f"<title>Feed {f}</title><link>/</link>"
                     + "".join(entries) + "</channel></rss>\n")
        out[f"f{f}"] = name
    return out, pages
