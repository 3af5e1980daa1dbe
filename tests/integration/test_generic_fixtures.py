#!/usr/bin/env python3
"""The generic cleaner on the demo fixtures, checked against the seeds.

For every page tests/fixtures/demo/articles/NNN-*.html this runs the real
pipeline, `winnowd clean --url URL PAGE` (URL: the page's own canonical
link), and compares the stored text with ../shared/fixtures/seeds/NNN_*:

  * every paragraph of NNN.gold.txt is in the output, in order;
  * no line of NNN.removed.txt is an output paragraph more often than it is
    a gold paragraph (seed 001's removed list repeats its standfirst, which
    the gold keeps once);
  * with --exact, the output equals the gold exactly (without the gold's
    trailing newline);
  * with --json, title, published, author (the seed's byline) and tags
    match NNN.meta.json where it gives them.

It also checks the fixtures themselves, so that a page edited later cannot
quietly stop testing what it was made for: every gold paragraph and every
removed line must be visible text of the page, and both demo feeds must
list every page by a relative link, with a summary and no full text.

--text instead runs `winnowd clean --text NNN.txt` on the seeds' flattened
text and requires the gold exactly: the same filters on plain text; with
--json it must report the title, published time, byline, tags and paragraph
count of NNN.meta.json (which lists what the text states).

Standard library only.  Exit status 0 when every check passes.
"""
import argparse
import glob
import html
import html.parser
import json
import os
import re
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET

TIMEOUT = 60  # seconds per winnowd run


def fold(s):
    """White space folded, NFC: how winnow stores a paragraph."""
    return unicodedata.normalize('NFC', ' '.join(s.split()))


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def seed_files(seeds, prefix):
    gold = glob.glob(os.path.join(seeds, prefix + '_*.gold.txt'))
    if len(gold) != 1:
        raise SystemExit(f'no single seed {prefix}_*.gold.txt in {seeds}')
    base = gold[0][:-len('.gold.txt')]
    return base


def paragraphs(text):
    return [p for p in text.split('\n\n') if p != '']


class VisibleText(html.parser.HTMLParser):
    """The text a reader sees: no <head>, scripts, styles or attributes."""

    SKIP = {'head', 'script', 'style', 'template', 'noscript', 'svg'}
    INLINE = {'a', 'abbr', 'b', 'cite', 'code', 'em', 'font', 'i', 'img',
              'label', 'mark', 'q', 's', 'small', 'span', 'strong', 'sub',
              'sup', 'time', 'u'}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        if tag not in self.INLINE:
            self.parts.append(' ')

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skip > 0:
            self.skip -= 1
        if tag not in self.INLINE:
            self.parts.append(' ')

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(page):
    p = VisibleText()
    p.feed(page)
    p.close()
    return fold(''.join(p.parts))


def canonical_url(page):
    m = re.search(r'<link\s+rel=["\']canonical["\']\s+href=["\']([^"\']+)', page)
    return html.unescape(m.group(1)) if m else None


def winnowd(exe, *args):
    r = subprocess.run([exe, 'clean', *args], capture_output=True,
                       timeout=TIMEOUT)
    if r.returncode != 0:
        raise AssertionError(f'winnowd clean {" ".join(args)} exited '
                             f'{r.returncode}: {r.stderr.decode(errors="replace")}')
    return r.stdout.decode('utf-8')


class Checker:
    def __init__(self):
        self.failures = 0

    def check(self, ok, what):
        if not ok:
            self.failures += 1
            print(f'FAIL {what}')
        return ok


def check_in_order(c, name, gold, got):
    at = 0
    for g in gold:
        try:
            at = got.index(g, at) + 1
        except ValueError:
            c.check(False, f'{name}: gold paragraph missing or out of order: '
                           f'{g[:100]!r}')


def check_removed(c, name, removed, gold, got):
    for line in removed:
        line = fold(line)
        if not line:
            continue
        n_got, n_gold = got.count(line), gold.count(line)
        c.check(n_got <= n_gold,
                f'{name}: removed line kept as a paragraph {n_got} times '
                f'(gold has it {n_gold}): {line[:100]!r}')


def check_meta(c, name, meta, got):
    for key, field in (('title', 'title'), ('published', 'published'),
                       ('byline', 'author')):
        if key in meta:
            c.check(got.get(field) == meta[key],
                    f'{name}: {field} is {got.get(field)!r}, seed says '
                    f'{meta[key]!r}')
    if 'tags' in meta:
        want = [t.lower() for t in meta['tags']]
        have = [t.lower() for t in got.get('tags') or []]
        c.check(all(t in have for t in want),
                f'{name}: tags {have!r} miss some of {want!r}')
    if 'paragraphs' in meta:
        c.check(got.get('paragraphs') == meta['paragraphs'],
                f'{name}: {got.get("paragraphs")} paragraphs, seed says '
                f'{meta["paragraphs"]}')


def check_page(c, args, page_path, exact):
    name = os.path.basename(page_path)
    prefix = name[:3]
    failures = c.failures
    base = seed_files(args.seeds, prefix)
    gold_text = read(base + '.gold.txt')
    gold = paragraphs(gold_text.rstrip('\n'))
    removed = read(base + '.removed.txt').splitlines()
    meta = json.loads(read(base + '.meta.json'))
    page = read(page_path)

    # The fixture holds what it is meant to test.
    seen = visible_text(page)
    for g in gold:
        c.check(fold(g) in seen, f'{name}: fixture lacks gold paragraph {g[:80]!r}')
    for line in removed:
        if line.strip():
            c.check(fold(line) in seen,
                    f'{name}: fixture lacks removed line {line[:80]!r}')

    url = canonical_url(page)
    if not c.check(url is not None, f'{name}: no <link rel="canonical">'):
        return
    text = winnowd(args.winnowd, '--url', url, page_path)
    got = paragraphs(text.rstrip('\n'))
    check_in_order(c, name, gold, got)
    check_removed(c, name, removed, gold, got)
    if exact:
        c.check(text.rstrip('\n') == gold_text.rstrip('\n'),
                f'{name}: stored text differs from {os.path.basename(base)}.gold.txt')
    check_meta(c, name, meta, json.loads(winnowd(args.winnowd, '--json',
                                                 '--url', url, page_path)))
    if c.failures == failures:
        print(f'ok   {name}: {len(got)} paragraphs'
              + (', exact' if text.rstrip('\n') == gold_text.rstrip('\n') else ''))


def check_feeds(c, fixtures, pages):
    want = sorted(os.path.relpath(p, fixtures) for p in pages)
    atom = '{http://www.w3.org/2005/Atom}'
    content = '{http://purl.org/rss/1.0/modules/content/}encoded'
    failures = c.failures

    rss = ET.parse(os.path.join(fixtures, 'rss.xml')).getroot()
    items = rss.findall('./channel/item')
    links = sorted(i.findtext('link') for i in items)
    c.check(links == want, f'rss.xml links {links} are not the pages {want}')
    for i in items:
        c.check(i.findtext('guid') and i.findtext('pubDate')
                and i.findtext('description') and i.find(content) is None,
                f'rss.xml item {i.findtext("link")}: needs guid, pubDate and '
                f'a summary, and no full text')

    feed = ET.parse(os.path.join(fixtures, 'atom.xml')).getroot()
    entries = feed.findall(atom + 'entry')
    links = sorted(e.find(atom + 'link').get('href') for e in entries)
    c.check(links == want, f'atom.xml links {links} are not the pages {want}')
    for e in entries:
        c.check(e.findtext(atom + 'id') and e.findtext(atom + 'published')
                and e.findtext(atom + 'summary') and e.find(atom + 'content') is None,
                f'atom.xml entry {e.findtext(atom + "id")}: needs id, published '
                f'and a summary, and no content')
    for link in want:
        c.check(not re.match(r'^[a-z]+:', link) and not link.startswith('/'),
                f'feed link {link} is not relative')
    if c.failures == failures:
        print(f'ok   feeds: {len(items)} RSS items, {len(entries)} Atom entries')


def check_text_mode(c, args):
    for gold_path in sorted(glob.glob(os.path.join(args.seeds, '*.gold.txt'))):
        base = gold_path[:-len('.gold.txt')]
        name = os.path.basename(base)
        text = winnowd(args.winnowd, '--text', base + '.txt')
        failures = c.failures
        c.check(text.rstrip('\n') == read(gold_path).rstrip('\n'),
                f'{name}: --text output differs from its gold')
        # The seed's metadata is what the text states: --json must find it.
        meta = json.loads(read(base + '.meta.json'))
        check_meta(c, name + '.txt', meta,
                   json.loads(winnowd(args.winnowd, '--text', '--json',
                                      base + '.txt')))
        if c.failures == failures:
            print(f'ok   {name}.txt: exact, metadata as the seed says')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--winnowd', required=True)
    ap.add_argument('--fixtures', required=True, help='tests/fixtures/demo')
    ap.add_argument('--seeds', required=True, help='shared/fixtures/seeds')
    ap.add_argument('--exact', default='003',
                    help='comma-separated seed numbers whose text must equal '
                         'the gold, or "all"')
    ap.add_argument('--text', action='store_true',
                    help='check the seeds in text mode instead')
    args = ap.parse_args()
    c = Checker()

    if args.text:
        check_text_mode(c, args)
    else:
        pages = sorted(glob.glob(os.path.join(args.fixtures, 'articles', '*.html')))
        if not pages:
            raise SystemExit(f'no pages in {args.fixtures}/articles')
        exact = args.exact.split(',')
        for p in pages:
            check_page(c, args, p, args.exact == 'all'
                       or os.path.basename(p)[:3] in exact)
        check_feeds(c, args.fixtures, pages)
    if c.failures:
        print(f'{c.failures} check(s) failed')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
