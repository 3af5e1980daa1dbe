#!/usr/bin/env python3
"""gen_feeds.py: writes the deterministic corpus of the parse bench: feeds
shaped like the ones people subscribe to (same seed, same bytes).

  wordpress  RSS 2.0 with full articles in content:encoded (CDATA),
             dc:creator, categories, wfw/slash, atom:link self
  news       RSS 2.0, many items, escaped HTML descriptions, media:content
             and media:thumbnail
  blogger    Atom 1.0, escaped HTML content, authors, categories, links
  podcast    RSS 2.0 with itunes:*, enclosures, long show notes
  youtube    Atom 1.0 with yt: and media:group
  rdf        RSS 1.0 with dc:*
  latin1     RSS 2.0 in ISO-8859-1 / windows-1252 with entities
  xhtml      Atom 1.0 with type="xhtml" content

    gen_feeds.py --out bench/out/feeds [--scale 1]
"""
import argparse
import html
import os
import random

WORDS = ("the of and to in a is that for it as was with be by on not he this are or "
         "his from at which but have an they you were her she there one all we their "
         "been has would when who will more no if out so said what up its about into "
         "than them can only other new some could time these two may then do first any "
         "my now such like our over man me even most made after also did many before "
         "must through back years where much your way well down should because each "
         "just those people how too little state good very make world still own see "
         "men work long get here between both life being under never day same another "
         "know while last might us great old year off come since against go came right "
         "used take three government council minister election market company report "
         "research climate energy health school police court water city police data "
         "software release security update network service community football season").split()


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def words(self, lo, hi):
        return " ".join(self.r.choice(WORDS) for _ in range(self.r.randint(lo, hi)))

    def title(self):
        return self.words(4, 12).capitalize()

    def para(self):
        w = [self.r.choice(WORDS) for _ in range(self.r.randint(25, 90))]
        w[0] = w[0].capitalize()
        if self.r.random() < 0.3:
            i = self.r.randrange(len(w) - 3)
            w[i] = f'<a href="https://example.org/{self.r.randint(1, 99999)}">{w[i]}'
            w[i + 2] += "</a>"
        s = " ".join(w) + "."
        if self.r.random() < 0.3:
            s += f" <strong>{self.words(2, 5)}</strong> &amp; <em>{self.words(1, 3)}</em>."
        return f"<p>{s}</p>"

    def article(self, lo, hi):
        parts = [self.para() for _ in range(self.r.randint(lo, hi))]
        if self.r.random() < 0.4:
            parts.insert(2, f'<figure><img src="https://cdn.example.org/{self.r.randint(1, 9999)}.jpg" '
                            f'alt="{self.words(3, 6)}" width="800" height="450"/>'
                            f"<figcaption>{self.words(5, 12)}</figcaption></figure>")
        if self.r.random() < 0.3:
            parts.append("<ul>" + "".join(f"<li>{self.words(3, 9)}</li>" for _ in range(4)) + "</ul>")
        return "\n".join(parts)

    def date822(self, i):
        d = 28 - i % 28
        return f"{['Mon','Tue','Wed','Thu','Fri','Sat','Sun'][i % 7]}, {d:02d} Oct 2024 {i % 24:02d}:{(i * 7) % 60:02d}:00 {self.r.choice(['+0000','GMT','-0400','+0200','EST'])}"

    def date3339(self, i):
        return f"2024-10-{28 - i % 28:02d}T{i % 24:02d}:{(i * 7) % 60:02d}:00{self.r.choice(['Z','+02:00','-05:00'])}"


def wordpress(g, n):
    host = f"blog{n}.example.com"
    items = []
    for i in range(g.r.randint(10, 15)):
        slug = f"{host}/2024/10/{i}/{g.words(2, 4).replace(' ', '-')}/"
        cats = "".join(f"<category><![CDATA[{g.words(1, 2)}]]></category>" for _ in range(g.r.randint(1, 4)))
        items.append(f"""	<item>
		<title>{html.escape(g.title())}</title>
		<link>https://{slug}</link>
		<comments>https://{slug}#respond</comments>
		<dc:creator><![CDATA[{g.words(2, 2).title()}]]></dc:creator>
		<pubDate>{g.date822(i)}</pubDate>
		{cats}
		<guid isPermaLink="false">https://{host}/?p={1000 + i}</guid>
		<description><![CDATA[{g.words(30, 55)} [&#8230;]]]></description>
		<content:encoded><![CDATA[{g.article(4, 14)}]]></content:encoded>
		<wfw:commentRss>https://{slug}feed/</wfw:commentRss>
		<slash:comments>{g.r.randint(0, 40)}</slash:comments>
	</item>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel>
	<title>{html.escape(g.title())}</title>
	<atom:link href="https://{host}/feed/" rel="self" type="application/rss+xml" />
	<link>https://{host}</link>
	<description>{html.escape(g.words(5, 12))}</description>
	<lastBuildDate>{g.date822(0)}</lastBuildDate>
	<language>en-US</language>
	<sy:updatePeriod>hourly</sy:updatePeriod>
	<sy:updateFrequency>1</sy:updateFrequency>
	<generator>https://wordpress.org/?v=6.6.2</generator>
{chr(10).join(items)}
</channel>
</rss>
"""


def news(g, n):
    host = f"news{n}.example.net"
    items = []
    for i in range(g.r.randint(40, 120)):
        img = f"https://static.{host}/img/{g.r.randint(1, 999999)}.jpg"
        items.append(f"""<item><title>{html.escape(g.title())}</title>
<link>https://www.{host}/story/{g.r.randint(10**6, 10**7)}?at_medium=RSS&amp;at_campaign=rss</link>
<description>{html.escape('<p>' + g.words(15, 45) + '</p><img src="' + img + '"/>')}</description>
<pubDate>{g.date822(i)}</pubDate><guid isPermaLink="true">https://www.{host}/story/{i}</guid>
<media:content url="{img}" medium="image" width="1024" height="576"><media:credit>{g.words(1, 3)}</media:credit></media:content>
<media:thumbnail url="{img}?w=240" width="240" height="135"/></item>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom" version="2.0">
<channel><title><![CDATA[{g.title()}]]></title><description><![CDATA[{g.words(5, 10)}]]></description>
<link>https://www.{host}/</link><image><url>https://www.{host}/logo.png</url><title>{host}</title><link>https://www.{host}/</link></image>
<generator>RSS for Node</generator><lastBuildDate>{g.date822(1)}</lastBuildDate><copyright><![CDATA[Copyright 2024]]></copyright><language><![CDATA[en-gb]]></language><ttl>15</ttl>
{chr(10).join(items)}
</channel></rss>
"""


def blogger(g, n):
    host = f"atom{n}.example.org"
    entries = []
    for i in range(g.r.randint(15, 25)):
        cats = "".join(f'<category scheme="http://www.blogger.com/atom/ns#" term="{g.words(1, 2)}"/>' for _ in range(g.r.randint(0, 3)))
        entries.append(f"""<entry><id>tag:blogger.com,1999:blog-{n}.post-{i}</id><published>{g.date3339(i)}</published><updated>{g.date3339(i)}</updated>{cats}
<title type="text">{html.escape(g.title())}</title><content type="html">{html.escape(g.article(3, 10))}</content>
<link rel="replies" type="application/atom+xml" href="https://{host}/feeds/{i}/comments/default" title="Post Comments"/>
<link rel="edit" type="application/atom+xml" href="https://www.blogger.com/feeds/{n}/posts/default/{i}"/>
<link rel="self" type="application/atom+xml" href="https://www.blogger.com/feeds/{n}/posts/default/{i}"/>
<link rel="alternate" type="text/html" href="https://{host}/2024/10/{g.words(2, 3).replace(' ', '-')}.html" title="{html.escape(g.words(3, 6), quote=True)}"/>
<author><name>{g.words(2, 2).title()}</name><uri>https://www.blogger.com/profile/{n}</uri><email>noreply@blogger.com</email></author></entry>""")
    return f"""<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom' xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/' xmlns:thr='http://purl.org/syndication/thread/1.0'>
<id>tag:blogger.com,1999:blog-{n}</id><updated>{g.date3339(0)}</updated><title type='text'>{html.escape(g.title())}</title><subtitle type='html'>{html.escape(g.words(4, 9))}</subtitle>
<link rel='alternate' type='text/html' href='https://{host}/'/><link rel='self' type='application/atom+xml' href='https://{host}/feeds/posts/default'/>
<author><name>{g.words(2, 2).title()}</name></author><generator version='7.00' uri='http://www.blogger.com'>Blogger</generator><openSearch:totalResults>200</openSearch:totalResults>
{chr(10).join(entries)}
</feed>
"""


def podcast(g, n):
    host = f"pod{n}.example.fm"
    items = []
    for i in range(g.r.randint(50, 150)):
        items.append(f"""<item><title>Episode {i}: {html.escape(g.title())}</title><itunes:title>{html.escape(g.title())}</itunes:title>
<description><![CDATA[{g.article(2, 5)}]]></description><itunes:summary>{html.escape(g.words(20, 60))}</itunes:summary>
<pubDate>{g.date822(i)}</pubDate><guid isPermaLink="false">{host}-ep-{i}</guid>
<enclosure url="https://media.{host}/ep{i}.mp3?source=rss" length="{g.r.randint(10**7, 10**8)}" type="audio/mpeg"/>
<itunes:duration>{g.r.randint(10, 120)}:{g.r.randint(0, 59):02d}</itunes:duration><itunes:episode>{i}</itunes:episode><itunes:explicit>false</itunes:explicit>
<itunes:image href="https://media.{host}/ep{i}.jpg"/></item>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel><title>{html.escape(g.title())}</title><link>https://{host}/</link><language>en</language><itunes:author>{g.words(2, 2).title()}</itunes:author>
<description>{html.escape(g.words(20, 40))}</description><itunes:image href="https://{host}/cover.jpg"/><itunes:category text="Technology"/><itunes:explicit>false</itunes:explicit>
<atom:link href="https://{host}/feed.xml" rel="self" type="application/rss+xml"/>
{chr(10).join(items)}
</channel></rss>
"""


def youtube(g, n):
    entries = []
    for i in range(15):
        vid = "".join(g.r.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789_-") for _ in range(11))
        entries.append(f""" <entry>
  <id>yt:video:{vid}</id>
  <yt:videoId>{vid}</yt:videoId>
  <yt:channelId>UC{n:022d}</yt:channelId>
  <title>{html.escape(g.title())}</title>
  <link rel="alternate" href="https://www.youtube.com/watch?v={vid}"/>
  <author>
   <name>{g.words(1, 3).title()}</name>
   <uri>https://www.youtube.com/channel/UC{n:022d}</uri>
  </author>
  <published>{g.date3339(i)}</published>
  <updated>{g.date3339(i)}</updated>
  <media:group>
   <media:title>{html.escape(g.title())}</media:title>
   <media:content url="https://www.youtube.com/v/{vid}?version=3" type="application/x-shockwave-flash" width="640" height="390"/>
   <media:thumbnail url="https://i3.ytimg.com/vi/{vid}/hqdefault.jpg" width="480" height="360"/>
   <media:description>{html.escape(g.words(20, 120))}</media:description>
   <media:community>
    <media:starRating count="{g.r.randint(0, 9999)}" average="5.00" min="1" max="5"/>
    <media:statistics views="{g.r.randint(0, 10**6)}"/>
   </media:community>
  </media:group>
 </entry>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
 <link rel="self" href="http://www.youtube.com/feeds/videos.xml?channel_id=UC{n:022d}"/>
 <id>yt:channel:UC{n:022d}</id>
 <yt:channelId>UC{n:022d}</yt:channelId>
 <title>{html.escape(g.title())}</title>
 <link rel="alternate" href="https://www.youtube.com/channel/UC{n:022d}"/>
 <author><name>{g.words(1, 3).title()}</name><uri>https://www.youtube.com/channel/UC{n:022d}</uri></author>
 <published>2012-03-04T05:06:07+00:00</published>
{chr(10).join(entries)}
</feed>
"""


def rdf(g, n):
    host = f"rdf{n}.example.org"
    items = []
    for i in range(g.r.randint(15, 30)):
        url = f"https://{host}/story/{i}?from=rss"
        items.append(f"""<item rdf:about="{html.escape(url)}"><title>{html.escape(g.title())}</title><link>{html.escape(url)}</link>
<description>{html.escape(g.words(30, 90))}</description><dc:creator>{g.words(1, 1)}</dc:creator><dc:subject>{g.words(1, 1)}</dc:subject><dc:date>{g.date3339(i)}</dc:date>
<slash:department>{g.words(3, 6).replace(' ', '-')}</slash:department><slash:section>news</slash:section><slash:comments>{g.r.randint(0, 900)}</slash:comments></item>""")
    seq = "".join(f'<rdf:li rdf:resource="https://{host}/story/{i}?from=rss"/>' for i in range(len(items)))
    return f"""<?xml version="1.0" encoding="ISO-8859-1"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:slash="http://purlorg/rss/1.0/modules/slash/" xmlns:syn="http://purl.org/rss/1.0/modules/syndication/">
<channel rdf:about="https://{host}/"><title>{html.escape(g.title())}</title><link>https://{host}/</link><description>{html.escape(g.words(5, 10))}</description><dc:language>en-us</dc:language><dc:date>{g.date3339(0)}</dc:date><syn:updatePeriod>hourly</syn:updatePeriod><items><rdf:Seq>{seq}</rdf:Seq></items></channel>
{chr(10).join(items)}
</rdf:RDF>
"""


def latin1(g, n):
    host = f"alt{n}.example.de"
    accents = ["caf\u00e9", "na\u00efve", "\u00fcber", "Stra\u00dfe", "Gr\u00fc\u00dfe", "r\u00e9sum\u00e9", "\u201cquoted\u201d", "\u2013"]
    items = []
    for i in range(g.r.randint(20, 40)):
        t = g.title() + " " + g.r.choice(accents)
        body = g.article(1, 4).replace(" the ", " " + g.r.choice(accents) + " ", 3)
        items.append(f"""<item><title>{html.escape(t)}</title><link>https://{host}/artikel/{i}.html</link>
<description>{html.escape(body)}</description><pubDate>{g.date822(i)}</pubDate><guid>https://{host}/artikel/{i}.html</guid><author>redaktion@{host} (Redaktion)</author><category>{g.words(1, 1)}</category></item>""")
    doc = f"""<?xml version="1.0" encoding="windows-1252"?>
<rss version="2.0"><channel><title>{html.escape(g.title())} {accents[n % len(accents)]}</title><link>https://{host}/</link><description>{g.words(5, 9)}</description><language>de</language>
{chr(10).join(items)}
</channel></rss>
"""
    return doc.encode("cp1252")


def xhtml(g, n):
    host = f"w3c{n}.example.org"
    entries = []
    for i in range(g.r.randint(10, 20)):
        entries.append(f"""<entry xml:base="/{2024 - i % 3}/"><id>https://{host}/{i}</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">{html.escape(g.title())} <code>{g.words(1, 1)}</code></div></title>
<link href="news/{i}"/><updated>{g.date3339(i)}</updated><author><name>{g.words(2, 2).title()}</name></author>
<summary type="html">{html.escape(g.para())}</summary>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">{g.article(2, 6)}</div></content></entry>""")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://{host}/" xml:lang="en">
<title>{html.escape(g.title())}</title><id>https://{host}/feed</id><updated>{g.date3339(0)}</updated><link rel="self" href="feed.atom"/><link href="./"/>
{chr(10).join(entries)}
</feed>
"""


SHAPES = [("wordpress", wordpress, 60, "xml"), ("news", news, 50, "xml"), ("blogger", blogger, 40, "xml"),
          ("podcast", podcast, 20, "xml"), ("youtube", youtube, 15, "xml"), ("rdf", rdf, 10, "xml"),
          ("latin1", latin1, 10, "xml"), ("xhtml", xhtml, 10, "xml")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--scale", type=float, default=1.0, help="feeds per shape times this")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    total = 0
    for name, fn, count, ext in SHAPES:
        for n in range(max(1, int(count * args.scale))):
            g = Gen(f"{name}-{n}")
            doc = fn(g, n)
            data = doc.encode("utf-8") if isinstance(doc, str) else doc
            with open(os.path.join(args.out, f"{name}-{n:03d}.{ext}"), "wb") as f:
                f.write(data)
            total += 1
    print(total)


if __name__ == "__main__":
    main()
