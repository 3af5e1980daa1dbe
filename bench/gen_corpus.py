#!/usr/bin/env python3
"""gen_corpus.py: writes the deterministic local corpus the fetch bench serves.

It generates N feeds (RSS 2.0, with a share of Atom 1.0) of M items each and
K article pages of realistic size and shape; it serves nothing and measures
nothing (run_fetch.py does both).

Only K items carry a short summary and link to an article page that exists;
every other item carries its full text in content:encoded (Atom: <content>),
at least FULLTEXT_MIN_WORDS long (winnowd's fetch_article = auto takes 150
words as the full text), so the daemon has no reason to fetch its page, whose link
deliberately does not exist (a 404 in the daemon's log means it fetched a page
it should not have).

Feeds are written as templates: every absolute URL that points at the bench
server starts with the token @ORIGIN@, because the server's address (one of
several loopback IPs, and a free port) is only known when the bench runs.
run_fetch.py substitutes it per run.  Article pages never mention the bench
server: their canonical URLs are on fictitious public domains, as they would
be behind a CDN.

Output (in --out):
  manifest.json        parameters, counts, bytes, and per feed its name,
                       path, format and article paths
  paths.txt            "<feed index> <path>" per line: every feed first, then
                       every article page (the floor program's URL list,
                       before run_fetch.py turns it into URLs)
  feeds/fNNNN.rss|atom feed templates (with @ORIGIN@)
  a/<site>/YYYY/MM/DD/<slug>-<id>.html  article pages

Python 3 standard library only.  The same seed and sizes give byte-identical
output, whichever number of worker processes is used.
"""

import argparse
import datetime as dt
import json
import multiprocessing
import os
import random
import shutil
import sys
from html import escape
from xml.sax.saxutils import escape as xml_escape

CORPUS_VERSION = 2  # bump when the output changes for the same parameters

ORIGIN = "@ORIGIN@"

# The newest item is published at BASE_TIME; older ones spread over the
# previous days.  Fixed, so the corpus does not depend on when it was made.
BASE_TIME = dt.datetime(2024, 6, 3, 9, 30, 0, tzinfo=dt.timezone.utc)

PAGE_MIN_BYTES = 50 * 1024  # article page size range (a typical news page)
PAGE_MAX_BYTES = 150 * 1024
PAGE_MODE_BYTES = 85 * 1024
BODY_MIN_PARAS = 8  # paragraphs of prose on an article page
BODY_MAX_PARAS = 30
FULLTEXT_MIN_PARAS = 6  # paragraphs of prose in a full-text feed item
FULLTEXT_MAX_PARAS = 14
FULLTEXT_MIN_WORDS = 250  # well above any "is this the full text?" threshold

# ---------------------------------------------------------------- vocabulary

FIRST = (
    "Amara Ben Carla Dmitri Elena Farah George Hannah Ivan Julia Kwame Laura "
    "Mateo Nadia Oliver Priya Quentin Rosa Samuel Tara Umar Vera William Xin "
    "Yusuf Zoe Aisha Bruno Chloe Daniel Esther Felix Grace Hugo Ingrid Jonas "
    "Kenji Leila Marco Nora Omar Paula Rahul Sofia Tomas Ursula Victor Wendy"
).split()
LAST = (
    "Adeyemi Brennan Castillo Dubois Eriksen Fischer Gallagher Haddad Ibarra "
    "Jensen Kowalski Lindqvist Moreau Nakamura Okafor Petrova Quinn Rossi "
    "Schmidt Tanaka Underwood Valdez Whitaker Xu Yilmaz Zielinski Abbott "
    "Bianchi Chen Doyle Evans Ferreira Gomez Holt Iqbal Johansson Kaur Lopez "
    "Murphy Novak O'Brien Patel Reyes Singh Torres Walsh"
).split()
PLACES = (
    "Lisbon|Nairobi|Osaka|Manchester|Porto Alegre|Gdansk|Montreal|Adelaide|"
    "Valencia|Lagos|Hamburg|Seoul|Bristol|Denver|Lyon|Chennai|Tbilisi|"
    "Rotterdam|Quito|Halifax|the Rhine valley|the northern provinces|"
    "the capital|the coastal region|the eastern suburbs|the harbour district"
).split("|")
ORGS = (
    "the central bank|the health ministry|the city council|the regulator|"
    "the European Commission|the national grid operator|the teachers' union|"
    "the transport authority|the supreme court|the opposition party|"
    "the statistics office|the energy watchdog|the football association|"
    "the port authority|the university|the met office|the competition "
    "authority|the largest carmaker|the state broadcaster|the water company"
).split("|")
ORG_NAMES = (
    "Northwind Energy|Helix Biotech|Argent Bank|Corvid Logistics|Lumen Labs|"
    "Tessellate Systems|Bluehaven Foods|Orbital Freight|Kestrel Motors|"
    "Meridian Insurance|Quarry Hill Mining|Silverline Rail|Pioneer Telecom|"
    "Cobalt Pharmaceuticals|Harbourview Retail"
).split("|")
NOUNS = (
    "budget plan proposal deal report inquiry strike election vote reform "
    "ruling forecast shortage surplus rally crisis policy merger agreement "
    "investigation recovery outbreak festival season campaign scheme "
    "programme network bridge railway stadium harbour pipeline tariff law "
    "treaty summit market decline increase verdict review audit study trial "
    "project upgrade contract licence tender subsidy loan pension wage rent "
    "price flood drought wildfire storm heatwave harvest vaccine study survey"
).split()
PLURALS = (
    "residents workers officials investors farmers teachers nurses drivers "
    "voters students commuters researchers analysts tenants shoppers fans "
    "engineers doctors families pensioners businesses lawmakers regulators "
    "economists activists scientists landlords exporters airlines hospitals"
).split()
ADJS = (
    "new major local national regional unexpected controversial long-awaited "
    "sharp modest record early late final fresh rare rising falling fragile "
    "cautious ambitious costly delayed temporary permanent widespread limited "
    "historic sweeping narrow surprising steady uncertain initial revised "
    "emergency public private annual quarterly independent cross-party"
).split()
VERBS_PAST = (
    "announced approved rejected delayed criticised welcomed unveiled "
    "questioned confirmed challenged expanded suspended defended proposed "
    "published reviewed postponed revised backed blocked launched cut "
    "raised extended scrapped signed finalised investigated warned about "
    "reported debated outlined endorsed"
).split()
VERBS_PRES = (
    "warns faces wins loses seeks plans rejects backs delays cuts raises "
    "unveils approves blocks targets expands scraps signs probes eyes"
).split()
ADVS = (
    "sharply quietly formally publicly again finally reportedly narrowly "
    "broadly partly largely repeatedly briefly openly"
).split()
TIMES = (
    "on Monday|on Tuesday|on Wednesday|on Thursday|on Friday|at the weekend|"
    "last week|earlier this month|this year|in recent months|overnight|"
    "late on Sunday|since January|over the past decade|by the end of the year"
).split("|")
ROLES = (
    "chief executive|spokesperson|minister|mayor|professor of economics|"
    "senior analyst|union leader|director|chair of the committee|researcher|"
    "head of policy|councillor|lead author|founder|deputy governor"
).split("|")
SECTIONS = (
    "World|Business|Politics|Science|Technology|Health|Environment|Sport|"
    "Culture|Education|Money|Travel|Cities"
).split("|")
NUMBERS = (
    "two|three|four|five|six|a dozen|hundreds of|thousands of|dozens of|"
    "several|more than 200|nearly 40|about 1,500|roughly 70,000|over 3 million"
).split("|")
PERCENTS = ("1.2%", "3%", "4.5%", "7%", "12%", "18%", "23%", "0.8%", "31%", "9%")
MONEY = (
    "£4.2bn|$750m|€1.3bn|£85m|$12bn|€300,000|£2.6m|$48m|€9bn|£610m"
).split("|")
AGENCIES = "Reuters|AFP|AP|Getty Images|EPA|Shutterstock|PA Media|Alamy".split("|")

# Sites: one per brand; a feed belongs to site (feed index % number of sites).
SITES = (
    ("dailyledger", "The Daily Ledger", "dailyledger.example"),
    ("northstar", "Northstar News", "northstar-news.example"),
    ("metroherald", "Metro Herald", "metroherald.example"),
    ("coastpost", "The Coast Post", "coastpost.example"),
    ("civicwire", "CivicWire", "civicwire.example"),
    ("sentinel", "The Sentinel", "sentinel-online.example"),
    ("brightpaper", "The Bright Paper", "brightpaper.example"),
    ("gazette", "Evening Gazette", "evening-gazette.example"),
)

# ------------------------------------------------------------------- prose


class Prose:
    """Sentences, paragraphs and headlines from one random source."""

    def __init__(self, rng):
        self.r = rng

    def person(self):
        r = self.r
        return r.choice(FIRST) + " " + r.choice(LAST)

    def subject(self):
        r = self.r
        k = r.random()
        if k < 0.35:
            return r.choice(ORGS)
        if k < 0.55:
            return r.choice(ORG_NAMES)
        if k < 0.8:
            return r.choice(NUMBERS) + " " + r.choice(PLURALS)
        return "the " + r.choice(ADJS) + " " + r.choice(NOUNS)

    def obj(self):
        r = self.r
        k = r.random()
        if k < 0.5:
            return a_an(r.choice(ADJS)) + " " + r.choice(NOUNS)
        if k < 0.75:
            return "the " + r.choice(NOUNS) + " for " + r.choice(PLACES)
        return "plans for " + r.choice(ADJS) + " " + plural(r.choice(NOUNS))

    def sentence(self):
        r = self.r
        k = r.randrange(12)
        if k == 0:
            s = ('"We have ' + r.choice(VERBS_PAST) + " " + self.obj()
                 + " and we will not stop there,\" said " + self.person()
                 + ", " + r.choice(ROLES) + " at " + r.choice(ORG_NAMES) + ".")
            return s
        if k == 1:
            return ("The " + r.choice(NOUNS) + " is expected to cost "
                    + r.choice(MONEY) + ", according to figures published "
                    + r.choice(TIMES) + ".")
        if k == 2:
            return ("Critics said " + self.subject() + " had "
                    + r.choice(VERBS_PAST) + " the " + r.choice(NOUNS)
                    + " without consulting " + r.choice(PLURALS)
                    + " in " + r.choice(PLACES) + ".")
        if k == 3:
            return ("Prices rose by " + r.choice(PERCENTS) + " "
                    + r.choice(TIMES) + ", the fastest pace since "
                    + str(r.randrange(1990, 2023)) + ".")
        if k == 4:
            return ("In " + r.choice(PLACES) + ", " + r.choice(NUMBERS) + " "
                    + r.choice(PLURALS) + " gathered outside the offices of "
                    + r.choice(ORGS) + " to protest against the "
                    + r.choice(NOUNS) + ".")
        if k == 5:
            return (self.person() + ", who has studied the "
                    + r.choice(NOUNS) + " for " + str(r.randrange(3, 30))
                    + " years, said the " + r.choice(ADJS)
                    + " figures were \"" + r.choice(
                        ("deeply worrying", "not a surprise",
                         "a turning point", "hard to explain",
                         "encouraging, but fragile")) + "\".")
        if k == 6:
            return ("It is not yet clear whether " + self.subject()
                    + " will " + r.choice(VERBS_PRES).rstrip("s")
                    + " the " + r.choice(NOUNS) + " before "
                    + r.choice(("the summer", "the next election",
                                "the end of the year", "the deadline",
                                "parliament returns")) + ".")
        if k == 7:
            return (r.choice(("However", "Meanwhile", "Separately",
                              "At the same time", "Earlier"))
                    + ", " + self.subject() + " " + r.choice(ADVS) + " "
                    + r.choice(VERBS_PAST) + " " + self.obj() + " "
                    + r.choice(TIMES) + ".")
        if k == 8:
            return ("The " + r.choice(ADJS) + " " + r.choice(NOUNS)
                    + " affects " + r.choice(NUMBERS) + " " + r.choice(PLURALS)
                    + ", most of them in " + r.choice(PLACES) + " and "
                    + r.choice(PLACES) + ".")
        if k == 9:
            return ("A spokesperson for " + r.choice(ORGS)
                    + " declined to comment on the " + r.choice(NOUNS)
                    + " but said " + a_an(r.choice(ADJS)) + " "
                    + r.choice(NOUNS) + " would be published "
                    + r.choice(("shortly", "in the autumn", "next month",
                                "in due course")) + ".")
        if k == 10:
            return (cap(self.subject()) + " " + r.choice(VERBS_PAST)
                    + " " + self.obj() + " " + r.choice(TIMES) + ", "
                    + r.choice(("adding to pressure on",
                                "in a setback for", "in a boost for",
                                "raising questions for"))
                    + " " + r.choice(ORGS) + ".")
        return (cap(self.subject()) + " " + r.choice(VERBS_PAST)
                + " " + self.obj() + " " + r.choice(TIMES) + ".")

    def paragraph(self, lo=2, hi=5):
        return " ".join(self.sentence() for _ in range(self.r.randint(lo, hi)))

    def headline(self):
        r = self.r
        k = r.randrange(5)
        if k == 0:
            return (r.choice(ORG_NAMES) + " " + r.choice(VERBS_PRES) + " "
                    + r.choice(ADJS) + " " + r.choice(NOUNS) + " as "
                    + r.choice(PLURALS) + " " + r.choice(
                        ("push back", "count the cost", "wait for answers",
                         "prepare for change")))
        if k == 1:
            return (cap(r.choice(PLACES)) + " " + r.choice(NOUNS)
                    + " " + r.choice(VERBS_PAST) + " after "
                    + r.choice(ADJS) + " " + r.choice(NOUNS))
        if k == 2:
            return ("What the " + r.choice(ADJS) + " " + r.choice(NOUNS)
                    + " means for " + r.choice(PLURALS))
        if k == 3:
            return (cap(r.choice(ORGS)) + " " + r.choice(VERBS_PRES)
                    + " " + r.choice(MONEY) + " " + r.choice(NOUNS))
        return (cap(r.choice(NUMBERS)) + " " + r.choice(PLURALS)
                + " " + r.choice(("hit by", "warned over", "back",
                                  "protest against", "split over"))
                + " " + r.choice(ADJS) + " " + r.choice(NOUNS))


def cap(s):
    """Upper-cases the first letter only (str.capitalize lowers the rest)."""
    return s[:1].upper() + s[1:]


def a_an(word):
    return ("an " if word[:1] in "aeiou" else "a ") + word


def plural(noun):
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    if noun.endswith(("s", "sh", "ch")):
        return noun + "es"
    return noun + "s"


def slugify(title):
    out = []
    for ch in title.lower():
        if ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")[:72]


# ----------------------------------------------------- per-site boilerplate


def _ident(r, n=None):
    letters = "abcdefghijklmnopqrstuvwxyz"
    return "".join(r.choice(letters) for _ in range(n or r.randint(1, 3)))


def _js_chunk(r):
    """About 1-4 KB of code in the shape of minified bundler output."""
    parts = ["(self.webpackChunk=self.webpackChunk||[]).push([[",
             str(r.randrange(100, 9999)), "],{"]
    for m in range(r.randint(3, 9)):
        a, b, c = _ident(r), _ident(r), _ident(r)
        mod = str(r.randrange(10000, 99999))
        body = [mod, ":function(", a, ",", b, ",", c, "){\"use strict\";",
                c, ".d(", b, ",{", _ident(r, 1), ":function(){return ",
                _ident(r, 2), "}});"]
        for _ in range(r.randint(2, 7)):
            k = r.randrange(5)
            x, y = _ident(r), _ident(r)
            if k == 0:
                body += ["var ", x, "=", c, "(", str(r.randrange(10000, 99999)),
                         "),", y, "=", c, ".n(", x, ");"]
            elif k == 1:
                body += ["function ", x, "(e,t){if(!e)return null;var n=e.",
                         r.choice(("getAttribute", "querySelector", "closest")),
                         "(\"data-", _ident(r, 5), "\");return n&&t?n:", y, "}"]
            elif k == 2:
                body += ["const ", x, "={", _ident(r, 4), ":", str(r.randrange(1000)),
                         ",", _ident(r, 6), ":\"", _ident(r, 8), "\",",
                         _ident(r, 5), ":!", str(r.randrange(2)), "};"]
            elif k == 3:
                body += ["window.addEventListener(\"",
                         r.choice(("scroll", "load", "resize", "message")),
                         "\",function(e){", x, "&&", x, ".",
                         r.choice(("track", "push", "emit", "flush")),
                         "({type:\"", _ident(r, 6), "\",ts:Date.now()})},{passive:!0});"]
            else:
                body += ["try{", x, "=JSON.parse(localStorage.getItem(\"",
                         _ident(r, 7), "\")||\"{}\")}catch(", y, "){", x, "={}}"]
        body.append("}")
        parts += body
        if m:
            parts.append(",")
    parts.append("}]);")
    return "".join(parts)


def _css(r, nrules):
    props = ("margin:0 auto", "padding:0 16px", "display:flex",
             "font-family:Georgia,serif", "font-size:1.125rem",
             "line-height:1.6", "color:#1a1a1a", "background:#fff",
             "border-bottom:1px solid #e5e5e5", "max-width:640px",
             "position:relative", "text-decoration:none", "font-weight:700",
             "grid-template-columns:repeat(12,1fr)", "gap:24px",
             "transition:opacity .2s ease-in", "z-index:10", "overflow:hidden")
    blocks = ("header", "nav", "story", "byline", "share", "newsletter",
              "related", "footer", "cookie", "ad", "ticker", "teaser",
              "figure", "caption", "comments", "most-read", "promo")
    out = []
    for _ in range(nrules):
        sel = "." + r.choice(blocks) + "__" + _ident(r, 5)
        if r.random() < 0.3:
            sel += " ." + r.choice(blocks) + "-" + _ident(r, 4)
        out.append(sel + "{" + ";".join(r.sample(props, r.randint(2, 6))) + "}")
        if r.random() < 0.05:
            out.append("@media (min-width:" + str(r.choice((600, 768, 1024, 1280)))
                       + "px){" + sel + "{" + r.choice(props) + "}}")
    return "".join(out)


class Site:
    """The fixed chrome of one news site: styles, scripts, navigation."""

    def __init__(self, seed, index):
        key, name, domain = SITES[index % len(SITES)]
        r = random.Random("%s:site:%d" % (seed, index))
        self.key, self.name, self.domain = key, name, domain
        self.css = _css(r, r.randint(180, 320))
        self.js = [_js_chunk(r) for _ in range(48)]
        self.analytics = _js_chunk(r)
        self.build = "%08x" % r.getrandbits(32)
        nav = ['<nav class="main-nav" aria-label="Sections"><ul class="main-nav__list">']
        for sec in SECTIONS:
            low = sec.lower()
            nav.append('<li class="main-nav__item"><a class="main-nav__link" '
                       'href="/%s/">%s</a><ul class="main-nav__sub">' % (low, sec))
            for _ in range(r.randint(3, 7)):
                sub = r.choice(PLACES + list(NOUNS))
                nav.append('<li><a href="/%s/%s/">%s</a></li>'
                           % (low, slugify(sub), cap(escape(sub))))
            nav.append("</ul></li>")
        nav.append("</ul></nav>")
        self.nav = "".join(nav)
        foot = ['<footer class="site-footer"><div class="site-footer__cols">']
        for col in ("About us", "Help", "Our journalism", "Advertise",
                    "Legal", "Follow us"):
            foot.append('<div class="site-footer__col"><h3>%s</h3><ul>' % col)
            for label in r.sample(
                    ("Contact us", "Complaints and corrections", "Careers",
                     "Terms of service", "Privacy policy", "Cookie settings",
                     "Accessibility", "Modern slavery statement",
                     "Editorial standards", "Newsletters", "Podcasts",
                     "Archive", "Subscribe", "Gift a subscription",
                     "Media kit", "Licensing", "Facebook", "Instagram",
                     "LinkedIn", "YouTube", "RSS feeds", "Sitemap"),
                    r.randint(4, 7)):
                foot.append('<li><a href="/info/%s">%s</a></li>'
                            % (slugify(label), label))
            foot.append("</ul></div>")
        foot.append('</div><p class="site-footer__legal">&copy; 2024 %s Media '
                    'Group Ltd. All rights reserved. Registered in England and '
                    'Wales No. %07d. Registered office: 1 Example Street, '
                    'London.</p><p class="site-footer__legal">%s is not '
                    'responsible for the content of external sites.</p>'
                    '</footer>' % (name, r.randrange(10 ** 7), name))
        self.footer = "".join(foot)
        self.logo = ('<svg class="logo" viewBox="0 0 240 40" role="img" '
                     'aria-label="%s"><path d="%s"/></svg>'
                     % (name, " ".join("M%d %dl%d %d" % (
                         r.randrange(240), r.randrange(40), r.randrange(-20, 20),
                         r.randrange(-20, 20)) for _ in range(40))))


_SITES = {}


def site_for(seed, index):
    s = _SITES.get(index % len(SITES))
    if s is None:
        s = Site(seed, index % len(SITES))
        _SITES[index % len(SITES)] = s
    return s


# ------------------------------------------------------------ article pages


def article_page(r, p, site, art):
    """One article page of roughly art['size'] bytes; returns str."""
    title, author, when = art["title"], art["author"], art["when"]
    iso = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    human = when.strftime("%-d %B %Y, %H.%M UTC")
    canonical = "https://www.%s%s" % (site.domain, art["path"].replace("/a/%s" % site.key, "", 1))
    img = "https://i.%s/img/%s/%d.jpg" % (site.domain, art["id"], r.randrange(10 ** 6))
    section = art["section"]
    dek = p.sentence()
    credit = "%s/%s" % (p.person(), r.choice(AGENCIES))
    caption = p.sentence()
    paras = [p.paragraph(2, 6) for _ in range(r.randint(BODY_MIN_PARAS, BODY_MAX_PARAS))]

    jsonld = json.dumps({
        "@context": "https://schema.org", "@type": "NewsArticle",
        "headline": title, "description": art["summary"],
        "datePublished": iso, "dateModified": iso,
        "author": [{"@type": "Person", "name": author,
                    "url": "https://www.%s/profile/%s" % (site.domain, slugify(author))}],
        "publisher": {"@type": "Organization", "name": site.name,
                      "logo": {"@type": "ImageObject",
                               "url": "https://www.%s/logo.png" % site.domain}},
        "image": [img], "mainEntityOfPage": canonical,
        "articleSection": section, "isAccessibleForFree": True,
    }, separators=(",", ":"))

    h = []
    w = h.append
    w('<!DOCTYPE html>\n<html lang="en-GB" class="no-js">\n<head>\n'
      '<meta charset="utf-8">\n')
    w("<title>%s | %s | %s</title>\n" % (escape(title), section, site.name))
    w('<meta name="viewport" content="width=device-width,initial-scale=1">\n')
    w('<meta name="description" content="%s">\n' % escape(art["summary"]))
    w('<meta name="author" content="%s">\n' % escape(author))
    w('<meta name="robots" content="max-image-preview:large">\n')
    w('<link rel="canonical" href="%s">\n' % canonical)
    w('<meta property="og:type" content="article">\n')
    w('<meta property="og:site_name" content="%s">\n' % site.name)
    w('<meta property="og:title" content="%s">\n' % escape(title))
    w('<meta property="og:description" content="%s">\n' % escape(art["summary"]))
    w('<meta property="og:url" content="%s">\n' % canonical)
    w('<meta property="og:image" content="%s">\n' % img)
    w('<meta name="twitter:card" content="summary_large_image">\n')
    w('<meta property="article:published_time" content="%s">\n' % iso)
    w('<meta property="article:section" content="%s">\n' % section)
    w('<link rel="preconnect" href="https://cdn.%s">\n' % site.domain)
    w('<link rel="stylesheet" href="https://cdn.%s/static/main.%s.css">\n'
      % (site.domain, site.build))
    w('<link rel="alternate" type="application/rss+xml" href="/%s/rss">\n'
      % section.lower())
    w("<style>%s</style>\n" % site.css)
    w('<script type="application/ld+json">%s</script>\n' % jsonld)
    w('<script>window.dataLayer=window.dataLayer||[];dataLayer.push({"page":'
      '{"type":"article","section":"%s","id":"%s","words":%d}});%s</script>\n'
      % (section, art["id"], sum(len(x.split()) for x in paras), site.analytics))
    w('<script async src="https://securepubads.example/tag/js/gpt.js"></script>\n')
    w("</head>\n<body class=\"page page--article section-%s\">\n"
      % section.lower())
    w('<a class="skip-link" href="#maincontent">Skip to main content</a>\n')
    w('<div id="cookie-banner" class="cookie-consent" role="dialog" '
      'aria-live="polite"><div class="cookie-consent__inner"><h2>We value your '
      'privacy</h2><p>We and our %d partners use cookies and similar '
      'technologies to store and access information on your device, for '
      'personalised advertising and content, measurement and audience '
      'research. You can accept all, reject all or manage your choices at any '
      'time via Privacy settings in the footer.</p><div class="cookie-consent'
      '__buttons"><button class="btn btn--primary">Accept all</button><button '
      'class="btn">Reject all</button><button class="btn btn--link">Manage '
      'preferences</button></div></div></div>\n' % r.randrange(120, 900))
    w('<header class="site-header"><div class="site-header__top"><a href="/" '
      'class="site-header__logo">%s</a><div class="site-header__tools"><a '
      'href="/search" class="icon-search">Search</a><a href="/subscribe" '
      'class="btn btn--subscribe">Subscribe from &pound;1</a><a href="/signin">'
      'Sign in</a></div></div>%s</header>\n' % (site.logo, site.nav))
    w('<div class="ad-slot ad-slot--leaderboard" id="ad-top-%d" '
      'data-ad-unit="/%d/%s/%s/article" data-sizes="[[728,90],[970,250]]">'
      '<span class="ad-slot__label">Advertisement</span></div>\n'
      % (r.randrange(99), r.randrange(10 ** 8), site.key, section.lower()))
    w('<div class="ticker"><strong>Breaking</strong><ul>%s</ul></div>\n'
      % "".join('<li><a href="/news/%d">%s</a></li>' % (r.randrange(10 ** 6), escape(p.headline()))
                for _ in range(3)))
    w('<main id="maincontent" class="layout"><article class="story" '
      'itemscope itemtype="https://schema.org/NewsArticle">\n')
    w('<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="/">'
      'Home</a></li><li><a href="/%s/">%s</a></li><li>%s</li></ol></nav>\n'
      % (section.lower(), section, cap(escape(r.choice(PLACES)))))
    w('<h1 class="story__headline" itemprop="headline">%s</h1>\n' % escape(title))
    w('<p class="story__standfirst">%s</p>\n' % escape(dek))
    w('<div class="story__byline">By <a rel="author" class="byline__name" '
      'href="/profile/%s">%s</a>, %s<br><time datetime="%s" '
      'itemprop="datePublished">%s</time></div>\n'
      % (slugify(author), escape(author), r.choice(ROLES), iso, human))
    share = ('<div class="share-bar share-bar--%s"><span>Share</span><a '
             'href="https://www.facebook.com/sharer.php?u=%s">Facebook</a><a '
             'href="https://twitter.com/intent/tweet?url=%s">X</a><a '
             'href="mailto:?subject=%s">Email</a><button '
             'class="share-bar__copy">Copy link</button></div>\n')
    w(share % ("top", canonical, canonical, escape(title)))
    w('<figure class="story__figure"><img src="%s" srcset="%s?w=480 480w, '
      '%s?w=960 960w, %s?w=1440 1440w" sizes="(min-width:960px) 640px, 100vw" '
      'alt="%s" width="1440" height="810" loading="eager"><figcaption '
      'class="story__caption">%s <span class="story__credit">Photograph: '
      '%s</span></figcaption></figure>\n'
      % (img, img, img, img, escape(caption), escape(caption), escape(credit)))
    w('<div class="story__body" itemprop="articleBody">\n')
    teaser_at = r.randrange(2, max(3, len(paras) - 1))
    ad_at = r.randrange(3, max(4, len(paras)))
    app_at = r.randrange(1, len(paras))
    for i, para in enumerate(paras):
        if i and i % 7 == 0 and r.random() < 0.6:
            w("<h2>%s</h2>\n" % escape(p.headline()))
        w("<p>%s</p>\n" % escape(para))
        if i == teaser_at:
            w('<p class="story__teaser"><strong>Read more:</strong> <a '
              'href="/news/%d">%s</a></p>\n' % (r.randrange(10 ** 6), escape(p.headline())))
        if i == ad_at:
            w('<div class="ad-slot ad-slot--inline" id="ad-inline-%d">'
              '<span class="ad-slot__label">Advertisement</span></div>\n' % i)
        if i == app_at and r.random() < 0.4:
            w('<aside class="app-promo"><p>Get the %s app: the latest news, '
              'free on iOS and Android.</p><a href="https://apps.example/%s">'
              'Download now</a></aside>\n' % (site.name, site.key))
        if i == len(paras) // 2 and r.random() < 0.5:
            w('<blockquote class="pull-quote"><p>%s</p></blockquote>\n'
              % escape(p.sentence()))
    w("</div>\n")
    w('<div class="story__tags"><span>Topics</span><ul>%s</ul></div>\n'
      % "".join('<li><a href="/topic/%s">%s</a></li>' % (slugify(t), escape(t))
                for t in r.sample(NOUNS, 4)))
    w(share % ("bottom", canonical, canonical, escape(title)))
    w('<aside class="newsletter"><h3>Sign up to %s Morning Briefing</h3><p>Our '
      'editors pick the day\'s most important stories and send them to your '
      'inbox every weekday before 7am.</p><form class="newsletter__form" '
      'action="/newsletters/subscribe" method="post"><label for="nl-email">'
      'Email address</label><input id="nl-email" type="email" name="email">'
      '<button type="submit">Sign up</button></form><p class="newsletter__'
      'small">Privacy notice: newsletters may contain info about charities, '
      'online ads, and content funded by outside parties.</p></aside>\n'
      % site.name)
    w('<section class="related"><h2>Related stories</h2><ul>')
    for _ in range(r.randint(6, 10)):
        w('<li class="related__item"><a href="/%s/%d/%s"><img src="https://i.%s/'
          'thumb/%d.jpg" alt="" loading="lazy" width="160" height="90"><span '
          'class="related__title">%s</span></a></li>'
          % (section.lower(), r.randrange(10 ** 6), slugify(p.headline()),
             site.domain, r.randrange(10 ** 6), escape(p.headline())))
    w("</ul></section>\n")
    w('<section class="comments-prompt" id="comments"><h2>Comments</h2><p>'
      'Join the conversation: comments on this article are open to '
      'subscribers. Please keep to our community guidelines.</p><button '
      'class="btn" data-count="%d">Show %d comments</button></section>\n'
      % ((n := r.randrange(4, 900)), n))
    w("</article>\n")
    w('<aside class="most-read" aria-label="Most read"><h2>Most read</h2><ol>%s'
      '</ol><div class="ad-slot ad-slot--mpu" id="ad-mpu-1"><span '
      'class="ad-slot__label">Advertisement</span></div></aside>\n'
      % "".join('<li><a href="/news/%d">%s</a></li>' % (r.randrange(10 ** 6), escape(p.headline()))
                for _ in range(10)))
    w("</main>\n")
    w(site.footer)
    w("\n")
    # Bundled scripts fill the page to its target size, as they do on real
    # news sites (most of a page's bytes are code and markup, not text).
    used = sum(len(x) for x in h)
    tail = ['<script>window.__PRELOADED_STATE__={"article":{"id":"%s","section":'
            '"%s","paywall":false,"ads":{"slots":%d}},"user":null,'
            '"experiments":{"%s":"b"}};</script>\n'
            % (art["id"], section, r.randrange(3, 9), _ident(r, 8))]
    used += len(tail[0]) + 30
    order = list(range(len(site.js)))
    r.shuffle(order)
    for k in order:
        if used >= art["size"]:
            break
        chunk = site.js[k]
        tail.append("<script>%s</script>\n" % chunk)
        used += len(chunk) + 18
    h.extend(tail)
    w("</body>\n</html>\n")
    return "".join(h)


# ------------------------------------------------------------------- feeds


def rfc822(t):
    return t.strftime("%a, %d %b %Y %H:%M:%S +0000")


def rfc3339(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def gen_feed(job):
    """Writes one feed and its article pages; returns its manifest entry."""
    seed, out, fi, nitems, with_article, is_atom = job
    r = random.Random("%s:feed:%d" % (seed, fi))
    p = Prose(r)
    site = site_for(seed, fi)
    section = SECTIONS[fi % len(SECTIONS)]
    name = "f%04d" % (fi + 1)
    ext = "atom" if is_atom else "rss"
    feed_path = "/feeds/%s.%s" % (name, ext)
    feed_title = "%s: %s (%s)" % (site.name, section, cap(r.choice(PLACES)))
    feed_home = "%s/%s/%s/" % (ORIGIN, site.key, section.lower())
    t = BASE_TIME - dt.timedelta(minutes=r.randrange(0, 600))
    items = []
    articles = []
    nbytes = 0
    for ii in range(nitems):
        t -= dt.timedelta(minutes=r.randrange(7, 240))
        title = p.headline()
        iid = "%d%04d%02d" % (fi + 1, ii, r.randrange(100))
        path = "/a/%s/%s/%s-%s.html" % (site.key, t.strftime("%Y/%m/%d"),
                                        slugify(title), iid)
        summary = p.paragraph(1, 3)
        author = p.person()
        cats = r.sample(NOUNS, r.randint(1, 3))
        item = {"title": title, "id": iid, "path": path, "when": t,
                "summary": summary, "author": author, "cats": cats,
                "section": section}
        if with_article[ii]:
            item["size"] = int(r.triangular(PAGE_MIN_BYTES, PAGE_MAX_BYTES,
                                            PAGE_MODE_BYTES))
            page = article_page(r, p, site, item)
            dest = os.path.join(out, path.lstrip("/"))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            data = page.encode("utf-8")
            with open(dest, "wb") as f:
                f.write(data)
            nbytes += len(data)
            articles.append(path)
        else:
            paras = [p.paragraph(2, 6) for _ in range(
                r.randint(FULLTEXT_MIN_PARAS, FULLTEXT_MAX_PARAS))]
            while sum(len(x.split()) for x in paras) < FULLTEXT_MIN_WORDS:
                paras.append(p.paragraph(2, 6))
            item["content"] = "".join("<p>%s</p>\n" % escape(x, quote=False)
                                      for x in paras)
            if r.random() < 0.3:
                item["content"] = ('<figure><img src="https://i.%s/img/%s.jpg" '
                                   'alt=""><figcaption>%s</figcaption></figure>\n'
                                   % (site.domain, iid, escape(p.sentence()))
                                   + item["content"])
        if r.random() < 0.2:
            item["enclosure"] = "https://i.%s/img/%s.jpg" % (site.domain, iid)
        items.append(item)

    x = []
    w = x.append
    if is_atom:
        w('<?xml version="1.0" encoding="utf-8"?>\n'
          '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n')
        w("<title>%s</title>\n" % xml_escape(feed_title))
        w("<subtitle>The latest %s news from %s</subtitle>\n" % (section, site.name))
        w('<link rel="alternate" type="text/html" href="%s"/>\n' % feed_home)
        w('<link rel="self" type="application/atom+xml" href="%s%s"/>\n'
          % (ORIGIN, feed_path))
        w("<id>tag:%s,2024:feed:%s</id>\n" % (site.domain, name))
        w("<updated>%s</updated>\n" % rfc3339(items[0]["when"]))
        w("<generator>Winnow bench corpus</generator>\n")
        w("<rights>&#169; 2024 %s</rights>\n" % site.name)
        for it in items:
            w("<entry>\n<title>%s</title>\n" % xml_escape(it["title"]))
            w('<link rel="alternate" type="text/html" href="%s%s"/>\n'
              % (ORIGIN, it["path"]))
            w("<id>tag:%s,2024:%s</id>\n" % (site.domain, it["id"]))
            w("<published>%s</published>\n<updated>%s</updated>\n"
              % (rfc3339(it["when"]), rfc3339(it["when"])))
            w("<author><name>%s</name></author>\n" % xml_escape(it["author"]))
            for c in it["cats"]:
                w('<category term="%s"/>\n' % c)
            w("<summary>%s</summary>\n" % xml_escape(it["summary"]))
            if "content" in it:
                w('<content type="html">%s</content>\n' % xml_escape(it["content"]))
            if "enclosure" in it:
                w('<link rel="enclosure" type="image/jpeg" length="%d" href="%s"/>\n'
                  % (r.randrange(20000, 400000), it["enclosure"]))
            w("</entry>\n")
        w("</feed>\n")
    else:
        w('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
          'xmlns:dc="http://purl.org/dc/elements/1.1/" '
          'xmlns:atom="http://www.w3.org/2005/Atom" '
          'xmlns:media="http://search.yahoo.com/mrss/">\n<channel>\n')
        w("<title>%s</title>\n" % xml_escape(feed_title))
        w("<link>%s</link>\n" % feed_home)
        w('<atom:link href="%s%s" rel="self" type="application/rss+xml"/>\n'
          % (ORIGIN, feed_path))
        w("<description>The latest %s news from %s</description>\n"
          % (section, site.name))
        w("<language>en-gb</language>\n")
        w("<copyright>&#169; 2024 %s</copyright>\n" % site.name)
        w("<lastBuildDate>%s</lastBuildDate>\n" % rfc822(items[0]["when"]))
        w("<ttl>15</ttl>\n")
        w("<image><url>https://www.%s/logo.png</url><title>%s</title><link>%s"
          "</link></image>\n" % (site.domain, xml_escape(site.name), feed_home))
        permalink_guids = fi % 3 == 0
        for it in items:
            w("<item>\n<title>%s</title>\n" % xml_escape(it["title"]))
            w("<link>%s%s</link>\n" % (ORIGIN, it["path"]))
            if permalink_guids:
                w('<guid isPermaLink="true">%s%s</guid>\n' % (ORIGIN, it["path"]))
            else:
                w('<guid isPermaLink="false">%s-%s</guid>\n' % (site.key, it["id"]))
            w("<pubDate>%s</pubDate>\n" % rfc822(it["when"]))
            w("<dc:creator>%s</dc:creator>\n" % xml_escape(it["author"]))
            for c in it["cats"]:
                w("<category>%s</category>\n" % c)
            w("<description>%s</description>\n" % xml_escape(it["summary"]))
            if "content" in it:
                w("<content:encoded><![CDATA[%s]]></content:encoded>\n"
                  % it["content"])
            if "enclosure" in it:
                w('<media:content url="%s" medium="image" width="1440" '
                  'height="810"/>\n' % it["enclosure"])
            w("</item>\n")
        w("</channel>\n</rss>\n")
    data = "".join(x).encode("utf-8")
    with open(os.path.join(out, feed_path.lstrip("/")), "wb") as f:
        f.write(data)
    nbytes_feed = len(data)
    return {"name": name, "path": feed_path, "format": "atom1.0" if is_atom else "rss2.0",
            "items": nitems, "articles": articles, "feed_bytes": nbytes_feed,
            "article_bytes": nbytes}


# -------------------------------------------------------------------- main


def params_of(a):
    return {"version": CORPUS_VERSION, "feeds": a.feeds, "items": a.items,
            "articles": a.articles, "atom_share": a.atom_share, "seed": a.seed}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=1000, help="feeds (default 1000)")
    ap.add_argument("--items", type=int, default=20, help="items per feed (default 20)")
    ap.add_argument("--articles", type=int, default=5000,
                    help="items with an article page to fetch (default 5000)")
    ap.add_argument("--atom-share", type=float, default=0.15,
                    help="share of feeds written as Atom 1.0 (default 0.15)")
    ap.add_argument("--seed", default="1", help="random seed (default 1)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "out", "corpus"),
                    help="output folder (default bench/out/corpus); replaced")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="worker processes (output does not depend on it)")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)
    total = a.feeds * a.items
    if a.feeds < 1 or a.items < 1 or not 0 <= a.articles <= total:
        ap.error("need feeds >= 1, items >= 1 and 0 <= articles <= feeds*items")
    if not 0.0 <= a.atom_share <= 1.0:
        ap.error("--atom-share is between 0 and 1")

    out = os.path.abspath(a.out)
    tmp = out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, "feeds"))

    # Which items have a page, and which feeds are Atom: drawn once from the
    # seed, so workers need not agree on anything.
    r = random.Random("%s:corpus" % a.seed)
    chosen = set(r.sample(range(total), a.articles))
    natom = round(a.feeds * a.atom_share)
    atom = set(r.sample(range(a.feeds), natom))
    jobs = [(a.seed, tmp, fi, a.items,
             [fi * a.items + ii in chosen for ii in range(a.items)], fi in atom)
            for fi in range(a.feeds)]
    if a.jobs > 1:
        with multiprocessing.Pool(a.jobs) as pool:
            feeds = pool.map(gen_feed, jobs, chunksize=8)
    else:
        feeds = [gen_feed(j) for j in jobs]

    with open(os.path.join(tmp, "paths.txt"), "w") as f:
        for fi, fd in enumerate(feeds):
            f.write("%d %s\n" % (fi, fd["path"]))
        for fi, fd in enumerate(feeds):
            for path in fd["articles"]:
                f.write("%d %s\n" % (fi, path))
    manifest = {
        "params": params_of(a),
        "origin_token": ORIGIN,
        "feeds_total": a.feeds,
        "items_total": total,
        "articles_total": a.articles,
        "atom_feeds": natom,
        "feed_bytes": sum(fd["feed_bytes"] for fd in feeds),
        "article_bytes": sum(fd["article_bytes"] for fd in feeds),
        "feeds": feeds,
    }
    with open(os.path.join(tmp, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=0)
    shutil.rmtree(out, ignore_errors=True)
    os.rename(tmp, out)
    if not a.quiet:
        print("corpus: %s: %d feeds (%d Atom), %d items, %d article pages; "
              "feeds %.1f MB, pages %.1f MB (avg %.0f KB)"
              % (out, a.feeds, natom, total, a.articles,
                 manifest["feed_bytes"] / 1e6, manifest["article_bytes"] / 1e6,
                 manifest["article_bytes"] / max(1, a.articles) / 1024))
    return 0


if __name__ == "__main__":
    sys.exit(main())
