/*
 * test_wn_feed.c: the feed parser's behaviour on RSS and Atom, on damage
 * and on hostile input (entities, DTDs, attribute floods, nesting).  The
 * fixture suite (tests/fixtures/feeds) checks whole documents; these
 * tests check one rule each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include <winnow/error.h>
#include <winnow/host.h>

#include "wn_buf.h"
#include "wn_err.h"
#include "wn_feed.h"
#include "wn_html.h"
#include "wn_url.h"

#define RSS_OPEN                                                               \
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>"
#define RSS_CLOSE "</channel></rss>"
#define ATOM_OPEN "<feed xmlns=\"http://www.w3.org/2005/Atom\">"

static struct wn_feed_doc *
parse_url(const char *xml, const char *url)
{
    struct wn_feed_opts opts;
    struct wn_feed_doc *doc = NULL;
    struct wn_err err;
    int rc;

    memset(&opts, 0, sizeof(opts));
    opts.url = url;
    wn_err_clear(&err);
    rc = wn_feed_parse(xml, strlen(xml), &opts, &doc, &err);
    if (rc != 0) {
        fail_msg("parse failed: %d %s", rc, err.msg);
    }
    assert_non_null(doc);
    return doc;
}

static struct wn_feed_doc *
parse(const char *xml)
{
    return parse_url(xml, "https://example.com/feed.xml");
}

/* Parses what must fail; returns the code and leaves the reason in err. */
static int
parse_fails(const char *xml, size_t len, struct wn_err *err)
{
    struct wn_feed_doc *doc = (struct wn_feed_doc *) 1;
    int rc;

    wn_err_clear(err);
    rc = wn_feed_parse(xml, len, NULL, &doc, err);
    assert_int_not_equal(rc, 0);
    assert_null(doc);
    assert_int_equal(err->code, rc);
    assert_true(err->msg[0] != '\0');
    return rc;
}

static double
now_seconds(void)
{
    return (double) uv_hrtime() / 1e9;
}

/* A document made of head, `n` copies of rep and tail; the caller frees. */
static char *
repeat(const char *head, const char *rep, size_t n, const char *tail)
{
    struct wn_buf b;

    wn_buf_init(&b, (size_t) 64 << 20);
    assert_int_equal(wn_buf_puts(&b, head), 0);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(wn_buf_puts(&b, rep), 0);
    }
    assert_int_equal(wn_buf_puts(&b, tail), 0);
    return wn_buf_steal(&b);
}

static int
setup(void **state)
{
    (void) state;
    wn_html_global_init();
    wn_feed_global_init();
    return 0;
}

/* ---- identity and links ---------------------------------------------- */

static void
rss_item_without_guid_uses_link(void **state)
{
    struct wn_feed_doc *doc;

    (void) state;
    doc = parse(
        RSS_OPEN
        "<item><title>A</title><link>https://example.com/a</link></item>"
        "<item><title>B</title><guid>tag:b</guid><link>https://example.com/b</link></item>" RSS_CLOSE);
    assert_int_equal(doc->nitems, 2);
    assert_string_equal(doc->items[0].id, "https://example.com/a");
    assert_string_equal(doc->items[1].id, "tag:b");
    assert_string_equal(doc->items[1].link, "https://example.com/b");
    wn_feed_free(doc);
}

static void
rss_permalink_guid_is_the_link(void **state)
{
    struct wn_feed_doc *doc;

    (void) state;
    doc = parse(
        RSS_OPEN
        "<item><guid>https://example.com/p</guid></item>"
        "<item><guid isPermaLink=\"false\">https://example.com/q</guid></item>" RSS_CLOSE);
    assert_int_equal(doc->nitems, 2);
    assert_string_equal(doc->items[0].link, "https://example.com/p");
    assert_null(doc->items[1].link);
    assert_string_equal(doc->items[1].id, "https://example.com/q");
    wn_feed_free(doc);
}

static void
item_without_guid_or_link_gets_stable_hash(void **state)
{
    const char *xml = RSS_OPEN "<item><title>Only a title</title>"
                               "<description>and text</description></item>"
                               "<item/>" RSS_CLOSE;
    struct wn_feed_doc *a, *b;

    (void) state;
    a = parse(xml);
    b = parse(xml);
    assert_int_equal(a->nitems, 1); /* the empty <item/> is not kept */
    assert_int_equal(strncmp(a->items[0].id, "sha:", 4), 0);
    assert_int_equal(strlen(a->items[0].id), 4 + 32);
    assert_string_equal(a->items[0].id, b->items[0].id);
    wn_feed_free(a);
    wn_feed_free(b);
}

static void
relative_link_against_feed_url(void **state)
{
    const char *xml = RSS_OPEN
        "<link>./</link><item><link>articles/x.html</link>"
        "<enclosure url=\"../m/a.mp3\" type=\"audio/mpeg\"/></item>" RSS_CLOSE;
    struct wn_feed_doc *doc;

    (void) state;
    doc = parse_url(xml, "http://127.0.0.1:8080/demo/feed.xml");
    assert_string_equal(doc->link, "http://127.0.0.1:8080/demo/");
    assert_string_equal(doc->items[0].link,
                        "http://127.0.0.1:8080/demo/articles/x.html");
    assert_string_equal(doc->items[0].enclosures[0].url,
                        "http://127.0.0.1:8080/m/a.mp3");
    assert_int_equal(doc->items[0].enclosures[0].length, -1);
    wn_feed_free(doc);

    /* A feed read from a file keeps file: links for the fetcher to judge. */
    doc = parse_url(xml, "file:///srv/demo/feed.xml");
    assert_string_equal(doc->items[0].link, "file:///srv/demo/articles/x.html");
    wn_feed_free(doc);

    /* Without any base only absolute http(s) links survive. */
    doc = parse_url(
        RSS_OPEN
        "<item><title>a</title><link>articles/x.html</link></item>"
        "<item><title>b</title><link>http://example.org/y</link></item>" RSS_CLOSE,
        NULL);
    assert_null(doc->items[0].link);
    assert_string_equal(doc->items[1].link, "http://example.org/y");
    wn_feed_free(doc);
}

/* s escaped for XML text: '&' and '<' as references. */
static void
xml_text(const char *s, char *esc, size_t cap)
{
    size_t n = 0;

    for (const char *p = s; *p && n + 6 < cap; p++) {
        if (*p == '&') {
            memcpy(esc + n, "&amp;", 5);
            n += 5;
        } else if (*p == '<') {
            memcpy(esc + n, "&lt;", 4);
            n += 4;
        } else {
            esc[n++] = *p;
        }
    }
    esc[n] = '\0';
}

/* Links the parser takes without the URL parser must come out exactly as
 * the URL parser would give them. */
static void
plain_links_match_the_url_parser(void **state)
{
    static const char *const links[] = {
        "https://example.com/",
        "https://example.com/a/b?c=d&e=f#g",
        "http://sub.example.co.uk/path/to/page.html",
        "https://example.com/%7Euser/%E2%82%AC",
        "https://example.com/a%zz",
        "https://example.com/a%2",
        "https://example.com",
        "https://Example.com/",
        "HTTPS://example.com/",
        "https://example.com:443/x",
        "https://example.com:8080/x",
        "https://example.com/./a",
        "https://example.com/a/../b",
        "https://example.com/a/.",
        "https://example.com/a/..",
        "https://example.com/a/.b/..c",
        "https://example.com/a?x=/../y",
        "https://example.com/a#/./b",
        "https://example.com/a b",
        "https://example.com/\xc3\xa9t\xc3\xa9",
        "https://example.com/a|b",
        "https://example.com/a{b}",
        "https://example.com/a\"b",
        "https://example.com/a^b",
        "https://example.com/a`b",
        "https://example.com/a\\b",
        "https://example.com/[x]",
        "https://user:pass@example.com/x",
        "https://example..com/x",
        "https://.example.com/x",
        "https://example.com./x",
        "https://-example.com/x",
        "https://example.com/a?b=c%20d",
        "https://example.com/a?q=caf\xc3\xa9",
        "https://example.com/a?q=x y",
        "https://example.com//double//slash",
        "https://example.com/a;b=c,d",
        "https://example.com/~tilde/(paren)/!bang/*star/$/+'",
        "https://xn--bcher-kva.example/x",
        "https://192.168.0.1/x",
        "https://[::1]/x",
        "https://example.com/a#",
        "https://example.com/?",
    };
    char xml[1024];

    (void) state;
    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        struct wn_feed_doc *doc;
        char *want = NULL;
        int rc = wn_url_resolve(NULL, links[i], 0, &want);
        char esc[512];

        xml_text(links[i], esc, sizeof(esc));
        snprintf(xml, sizeof(xml),
                 "<rss><channel><item><title>t</title><link>%s</link></item>"
                 "</channel></rss>",
                 esc);
        doc = parse(xml);
        if (rc != 0) {
            assert_null(doc->items[0].link);
        } else if (doc->items[0].link == NULL
                   || strcmp(doc->items[0].link, want) != 0)
        {
            fail_msg("%s: \"%s\", the URL parser: \"%s\"", links[i],
                     doc->items[0].link ? doc->items[0].link : "(null)", want);
        }
        free(want);
        wn_feed_free(doc);
    }
}

static void
javascript_link_dropped(void **state)
{
    struct wn_feed_doc *doc;

    (void) state;
    doc = parse(
        RSS_OPEN
        "<item><title>a</title><link>javascript:alert(1)</link></item>"
        "<item><title>b</title><link>data:text/html,hi</link></item>"
        "<item><title>c</title><link>file:///etc/passwd</link></item>"
        "<item><title>d</title><link>ftp://example.com/x</link>"
        "<enclosure url=\"javascript:x\" type=\"audio/mpeg\"/></item>" RSS_CLOSE);
    assert_int_equal(doc->nitems, 4);
    for (size_t i = 0; i < doc->nitems; i++) {
        assert_null(doc->items[i].link);
        assert_int_equal(strncmp(doc->items[i].id, "sha:", 4), 0);
    }
    assert_int_equal(doc->items[3].nenclosures, 0);
    wn_feed_free(doc);
}

static void
atom_xml_base_resolves_nested(void **state)
{
    struct wn_feed_doc *doc;

    (void) state;
    doc = parse_url(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"http://a.example/blog/\">"
        "<link href=\"./\"/>"
        "<entry xml:base=\"2021/\"><id>e1</id><link href=\"post.html\"/></entry>"
        "<entry xml:base=\"/other/\"><id>e2</id>"
        "<link xml:base=\"deep/\" href=\"p?x=1#f\"/></entry>"
        "<entry xml:base=\"javascript:alert(1)//\"><id>e3</id><link href=\"q\"/></entry>"
        "</feed>",
        "https://ignored.example/feed");
    assert_string_equal(doc->link, "http://a.example/blog/");
    assert_string_equal(doc->items[0].link,
                        "http://a.example/blog/2021/post.html");
    assert_string_equal(doc->items[1].link,
                        "http://a.example/other/deep/p?x=1#f");
    /* A base that is not http(s) is ignored, not followed. */
    assert_string_equal(doc->items[2].link, "http://a.example/blog/q");
    wn_feed_free(doc);

    /* A relative xml:base resolves against the feed's URL. */
    doc = parse_url(ATOM_OPEN
                    "<entry xml:base=\"sub/\"><id>x</id><link href=\"a\"/>"
                    "</entry></feed>",
                    "https://example.com/f/atom.xml");
    assert_string_equal(doc->items[0].link, "https://example.com/f/sub/a");
    wn_feed_free(doc);
}

static void
atom_link_prefers_html_alternate(void **state)
{
    struct wn_feed_doc *doc;

    (void) state;
    doc = parse(
        ATOM_OPEN
        "<entry><id>x</id>"
        "<link rel=\"edit\" href=\"https://example.com/edit\"/>"
        "<link rel=\"alternate\" type=\"application/pdf\" href=\"https://example.com/x.pdf\"/>"
        "<link rel=\"alternate\" type=\"text/html\" href=\"https://example.com/x\"/>"
        "<link rel=\"enclosure\" length=\"12\" href=\"https://example.com/x.mp3\"/>"
        "</entry></feed>");
    assert_string_equal(doc->items[0].link, "https://example.com/x");
    assert_int_equal(doc->items[0].nenclosures, 1);
    assert_int_equal(doc->items[0].enclosures[0].length, 12);
    assert_null(doc->items[0].enclosures[0].type);
    wn_feed_free(doc);
}

/* ---- text ------------------------------------------------------------ */

static void
html_summary_becomes_plain_text(void **state)
{
    struct wn_feed_doc *doc;

    (void) state;
    doc = parse(
        RSS_OPEN
        "<item><title>Tom &amp;amp; &lt;b&gt;Jerry&lt;/b&gt;</title>"
        "<description><![CDATA[<p>One&nbsp;<a href=\"x\">two</a></p>\n\n"
        "<p>three &eacute;<script>evil()</script></p>]]></description></item>" RSS_CLOSE);
    assert_string_equal(doc->items[0].title, "Tom & Jerry");
    assert_string_equal(doc->items[0].summary, "One two three \xc3\xa9");
    wn_feed_free(doc);
}

/* Titles without tags skip the HTML parser; they must decode the same. */
static void
untagged_html_decodes_like_the_html_parser(void **state)
{
    static const char *const texts[] = {
        "AT&T",
        "Q&A &amp; more",
        "&amp",
        "&copy 2021",
        "&copy; 2021",
        "caf&eacute; &Eacute;t&eacute;",
        "&#8217;&#x201C;&#X201d;",
        "&nosuchentity; x",
        "a&nbsp;b &nbsp; c",
        "&lt;&gt;&quot;",
        "  lead and trail  ",
        "tab\tand\nnewline",
        "& alone",
        "&&&",
        "&#65;&#x42;C",
        "&hellip;&mdash;&trade;",
        "\xc3\xa9t\xc3\xa9",
        "&#150;",
        "&#9;x",
        "&amp;amp;",
        /* With tags: one pass here, libxml2's HTML parser there. */
        "<p>One&nbsp;<a href=\"x\">two</a></p>\n\n<p>three &eacute;</p>",
        "<b>Bold</b> title &amp; more",
        "a<br>b<br/>c<hr>d",
        "<div><span>in</span>line</div><ul><li>one</li><li>two</li></ul>",
        "x<script>if (a < b) alert('</p>')</script>y",
        "x<style>p { color: red }</style>y<noscript>no</noscript>z",
        "<!-- comment <b>x</b> -->after",
        "1 < 2 and 3 > 2",
        "<img src=\"a.png\" alt=\"A > B\"> caption",
        "<a href='q?a=1&b=2' title=\"x>y\">link</a> text",
        "<P>Upper</P><BR>Case",
        "<h2>Head</h2>para<blockquote>quote</blockquote>",
        "<table><tr><td>a</td><td>b</td></tr></table>",
        "text <3 love",
        "<em>caf&eacute;</em>&mdash;<strong>ok</strong>",
        "<p>one</p>   <p>   two   </p>",
        "<figure><img src=x><figcaption>Cap</figcaption></figure>rest",
        "<iframe src=\"https://e.example/\"></iframe>after",
        "<svg><text>drawn</text></svg>visible",
        "<p>[&#8230;]</p>",
    };
    char xml[1024], esc[512];

    (void) state;
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        struct wn_buf want;
        struct wn_feed_doc *doc;

        /* The title's text is texts[i], escaped once for XML. */
        xml_text(texts[i], esc, sizeof(esc));
        snprintf(xml, sizeof(xml),
                 "<rss><channel><title>%s</title></channel></rss>", esc);
        wn_buf_init(&want, 1024);
        assert_int_equal(
            wn_html_fragment_text(texts[i], strlen(texts[i]), &want), 0);
        doc = parse(xml);
        if (want.len == 0) {
            assert_null(doc->title);
        } else {
            assert_non_null(doc->title);
            if (strcmp(doc->title, want.data) != 0) {
                fail_msg("%s: \"%s\", the HTML parser: \"%s\"", texts[i],
                         doc->title, want.data);
            }
        }
        wn_feed_free(doc);
        wn_buf_free(&want);
    }
    /* Where they differ on purpose: libxml2's HTML parser drops a
     * malformed numeric reference with everything after it; kept here. */
    {
        struct wn_feed_doc *doc =
            parse("<rss><channel><title>a &amp;#; b</title></channel></rss>");
        assert_string_equal(doc->title, "a &#; b");
        wn_feed_free(doc);
    }
}

static void
content_html_is_kept_raw(void **state)
{
    struct wn_feed_doc *doc;

    (void) state;
    doc = parse(
        "<rss xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">"
        "<channel><item><title>t</title><content:encoded><![CDATA["
        "<p>Raw <b>HTML</b> &amp; stays</p>]]></content:encoded></item>" RSS_CLOSE);
    assert_string_equal(doc->items[0].content_html,
                        "<p>Raw <b>HTML</b> &amp; stays</p>");
    wn_feed_free(doc);
}

static void
atom_text_constructs_by_type(void **state)
{
    struct wn_feed_doc *doc;

    (void) state;
    doc = parse(
        ATOM_OPEN
        "<entry><id>x</id>"
        "<title type=\"text\">a &lt;b&gt; c</title>"
        "<summary type=\"html\">a &lt;b&gt;bold&lt;/b&gt; c</summary>"
        "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
        "<p>Hi <em>there</em><br/>x &amp; y</p></div></content></entry>"
        "<entry><id>y</id><title type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
        "An <b>xhtml</b> title</div></title><content>1 &lt; 2</content></entry>"
        "<entry><id>z</id><content type=\"image/png\">iVBORw0KGgo=</content></entry>"
        "</feed>");
    assert_string_equal(doc->items[0].title, "a <b> c"); /* text is text */
    assert_string_equal(doc->items[0].summary, "a bold c");
    assert_string_equal(doc->items[0].content_html,
                        "<p>Hi <em>there</em><br/>x &amp; y</p>");
    assert_string_equal(doc->items[1].title, "An xhtml title");
    assert_string_equal(doc->items[1].content_html, "1 &lt; 2");
    assert_null(doc->items[2].content_html);
    wn_feed_free(doc);
}

static void
authors_from_every_form(void **state)
{
    struct wn_feed_doc *doc;

    (void) state;
    doc = parse(
        "<rss xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel>"
        "<item><title>a</title><author>jo@example.com (Jo Smith)</author></item>"
        "<item><title>b</title><author>jo@example.com</author></item>"
        "<item><title>c</title><author>x@example.com (X)</author>"
        "<dc:creator>Ann</dc:creator><dc:creator>Bob</dc:creator></item>" RSS_CLOSE);
    assert_string_equal(doc->items[0].author, "Jo Smith");
    assert_string_equal(doc->items[1].author, "jo@example.com");
    assert_string_equal(doc->items[2].author, "Ann, Bob");
    wn_feed_free(doc);

    doc = parse(
        ATOM_OPEN
        "<author><name>Feed Author</name></author>"
        "<entry><id>1</id></entry>"
        "<entry><id>2</id><author><name>A</name></author>"
        "<author><email>b@example.com</email></author></entry>"
        "<entry><id>3</id><source><author><name>Src</name></author></source></entry>"
        "</feed>");
    assert_string_equal(doc->items[0].author, "Feed Author");
    assert_string_equal(doc->items[1].author, "A, b@example.com");
    assert_string_equal(doc->items[2].author, "Src");
    wn_feed_free(doc);
}

static void
categories_deduplicated_and_capped(void **state)
{
    struct wn_feed_doc *doc;
    struct wn_buf b;
    char cat[64];
    char *xml;

    (void) state;
    doc =
        parse(RSS_OPEN
              "<item><title>t</title><category>a</category>"
              "<category> a </category><category>x</category>"
              "<category>y</category><category>x</category></item>" RSS_CLOSE);
    assert_int_equal(doc->items[0].ncategories, 3);
    assert_string_equal(doc->items[0].categories[0], "a");
    assert_string_equal(doc->items[0].categories[2], "y");
    wn_feed_free(doc);

    wn_buf_init(&b, 1u << 20);
    assert_int_equal(wn_buf_puts(&b, RSS_OPEN "<item><title>t</title>"), 0);
    for (int i = 0; i < 500; i++) {
        snprintf(cat, sizeof(cat), "<category>c%d</category>", i);
        assert_int_equal(wn_buf_puts(&b, cat), 0);
    }
    assert_int_equal(wn_buf_puts(&b, "</item>" RSS_CLOSE), 0);
    xml = wn_buf_steal(&b);
    doc = parse(xml);
    assert_int_equal(doc->items[0].ncategories, 64); /* the first 64 */
    assert_string_equal(doc->items[0].categories[63], "c63");
    wn_feed_free(doc);
    free(xml);
}

static void
unparseable_date_is_null(void **state)
{
    struct wn_feed_doc *doc;

    (void) state;
    doc = parse(
        RSS_OPEN
        "<lastBuildDate>someday</lastBuildDate>"
        "<item><title>t</title><pubDate>not a date</pubDate></item>"
        "<item><title>u</title><pubDate>Wed, 24 Feb 2021 07:27:00 -0500</pubDate></item>" RSS_CLOSE);
    assert_int_equal(doc->updated, WN_TIME_NONE);
    assert_int_equal(doc->items[0].published, WN_TIME_NONE);
    assert_int_equal(doc->items[1].published, 1614169620);
    wn_feed_free(doc);
}

/* ---- formats and refusals ---------------------------------------------- */

static void
format_detected_by_content(void **state)
{
    struct wn_feed_doc *doc;
    struct wn_err err;

    (void) state;
    doc = parse(
        "<rss version=\"0.91\"><channel><title>Old</title></channel></rss>");
    assert_int_equal(doc->format, WN_FEED_RSS09X);
    assert_string_equal(wn_feed_format_name(doc->format), "rss0.9x");
    wn_feed_free(doc);
    doc = parse(ATOM_OPEN "</feed>");
    assert_string_equal(wn_feed_format_name(doc->format), "atom1.0");
    wn_feed_free(doc);

    doc = parse("<feed xmlns=\"http://purl.org/atom/ns#\" version=\"0.3\"/>");
    assert_string_equal(wn_feed_format_name(doc->format), "atom0.3");
    wn_feed_free(doc);
    doc = parse("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-"
                "ns#\" xmlns=\"http://purl.org/rss/1.0/\"><channel/></rdf:RDF>");
    assert_string_equal(wn_feed_format_name(doc->format), "rss1.0");
    wn_feed_free(doc);
    doc = parse("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-"
                "ns#\" xmlns=\"http://my.netscape.com/rdf/simple/0.9/\">"
                "<channel/></rdf:RDF>");
    assert_string_equal(wn_feed_format_name(doc->format), "rss0.9x");
    wn_feed_free(doc);
    doc = parse("{\"version\": \"https://jsonfeed.org/version/1.1\", "
                "\"title\": \"J\", \"items\": []}");
    assert_string_equal(wn_feed_format_name(doc->format), "jsonfeed1.x");
    wn_feed_free(doc);
    {
        const char *json = "{\"version\": 2, \"items\": 3}";
        assert_int_equal(parse_fails(json, strlen(json), &err), WN_ENOTFEED);
    }
}

static void
not_a_feed_is_enotfeed(void **state)
{
    static const char *const docs[] = {
        "<!DOCTYPE html><html><head><title>x</title></head><body><p>hi<br></body></html>",
        "{\"name\": \"left-pad\", \"version\": \"1.3.0\", \"items\": []}",
        "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        "<feed><entry/></feed>", /* no Atom namespace */
        "just some text",
        "",
        "\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    };
    struct wn_err err;

    (void) state;
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        size_t len = i == 6 ? 16 : strlen(docs[i]);
        assert_int_equal(parse_fails(docs[i], len, &err), WN_ENOTFEED);
    }
    /* Random bytes. */
    {
        char junk[4096];
        unsigned seed = 12345;
        for (size_t i = 0; i < sizeof(junk); i++) {
            seed = seed * 1103515245u + 12345u;
            junk[i] = (char) (seed >> 16);
        }
        junk[0] = 'x';
        assert_int_equal(parse_fails(junk, sizeof(junk), &err), WN_ENOTFEED);
    }
}

static void
recovered_damage_sets_flag(void **state)
{
    struct wn_feed_doc *doc;

    (void) state;
    doc = parse(RSS_OPEN "<item><title>ok</title></item>" RSS_CLOSE);
    assert_int_equal(doc->flags & WN_FEED_RECOVERED, 0);
    wn_feed_free(doc);

    /* Unclosed tag, bare '&', HTML entity, truncation. */
    doc = parse(
        RSS_OPEN
        "<item><title>one <b>bold</title><description>AT&T &copy; &lt;p&gt;x</description></item>"
        "<item><title>two</title><description>&lt;i&gt;kept&lt;/i&gt;</description></item>"
        "<item><title>three</title><link>https://example.com/3</li");
    assert_true(doc->flags & WN_FEED_RECOVERED);
    assert_int_equal(doc->nitems, 3);
    assert_string_equal(doc->items[0].title, "one bold");
    assert_string_equal(doc->items[0].summary, "AT&T \xc2\xa9 x");
    assert_string_equal(doc->items[1].title, "two"); /* not inside item one */
    assert_string_equal(doc->items[1].summary, "kept");
    assert_string_equal(doc->items[2].title, "three");
    wn_feed_free(doc);
}

static void
entities_survive_damage_libxml2_reports(void **state)
{
    struct wn_feed_doc *doc;

    (void) state;
    /* A duplicate attribute: damage the scan leaves to libxml2, after which
     * libxml2 drops named entity references; the retry keeps them. */
    doc = parse(
        RSS_OPEN
        "<item><title a=\"1\" a=\"2\">x</title>"
        "<description>&lt;p&gt;Tom &amp;amp; Jerry&lt;/p&gt;</description></item>" RSS_CLOSE);
    assert_true(doc->flags & WN_FEED_RECOVERED);
    assert_string_equal(doc->items[0].summary, "Tom & Jerry");
    wn_feed_free(doc);
}

static void
junk_around_the_document_is_dropped(void **state)
{
    struct wn_feed_doc *doc;

    (void) state;
    doc = parse("\n\n  <br />\n<b>Warning</b>: headers already sent in x.php\n"
                "<?xml version=\"1.0\"?>" RSS_OPEN
                "<item><title>a</title></item>" RSS_CLOSE
                "\n<p>footer junk</p><rss>second</rss>");
    assert_true(doc->flags & WN_FEED_RECOVERED);
    assert_int_equal(doc->nitems, 1);
    assert_string_equal(doc->title, "T");
    wn_feed_free(doc);
}

static void
charsets_become_utf8(void **state)
{
    static const char latin1[] =
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
        "<rss><channel><title>caf\xe9 \x93q\x94</title>" RSS_CLOSE;
    /* "<rss><channel><title>é</title></channel></rss>" in UTF-16LE with a BOM.
     */
    const char *ascii = "<rss><channel><title>X</title></channel></rss>";
    char utf16[256];
    size_t n = 0;
    struct wn_feed_doc *doc;

    (void) state;
    doc = parse(latin1);
    /* Labelled Latin-1, read as windows-1252 (curly quotes at 0x93/0x94). */
    assert_string_equal(doc->title, "caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d");
    wn_feed_free(doc);

    utf16[n++] = '\xff';
    utf16[n++] = '\xfe';
    for (const char *p = ascii; *p; p++) {
        if (*p == 'X') {
            utf16[n++] = '\xe9'; /* U+00E9 */
        } else {
            utf16[n++] = *p;
        }
        utf16[n++] = '\0';
    }
    {
        struct wn_feed_doc *d16 = NULL;
        struct wn_err err;
        assert_int_equal(wn_feed_parse(utf16, n, NULL, &d16, &err), 0);
        assert_string_equal(d16->title, "\xc3\xa9");
        wn_feed_free(d16);
    }

    /* Bytes that are not UTF-8 in a UTF-8 feed: windows-1252, flagged;
     * a truncated character: U+FFFD. */
    doc = parse(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss><channel><title>a\xff"
        "b &amp; c \x93q\x94 \xe2\x82!</title>" RSS_CLOSE);
    assert_string_equal(doc->title, "a\xc3\xbf"
                                    "b & c \xe2\x80\x9cq\xe2\x80\x9d "
                                    "\xef\xbf\xbd\xef\xbf\xbd!");
    assert_true(doc->flags & WN_FEED_RECOVERED);
    wn_feed_free(doc);
}

static void
charset_from_content_type_and_its_lies(void **state)
{
    static const char latin1[] =
        "<rss><channel><title>caf\xe9</title></channel></rss>";
    static const char utf8[] =
        "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>"
        "<rss><channel><title>caf\xc3\xa9</title></channel></rss>";
    struct wn_feed_opts opts;
    struct wn_feed_doc *doc = NULL;
    struct wn_err err;

    (void) state;
    memset(&opts, 0, sizeof(opts));
    /* No declaration: the HTTP charset decides. */
    opts.content_type = "application/rss+xml; charset=\"ISO-8859-15\"";
    assert_int_equal(wn_feed_parse(latin1, strlen(latin1), &opts, &doc, &err),
                     0);
    assert_string_equal(doc->title, "caf\xc3\xa9");
    assert_int_equal(doc->flags & WN_FEED_RECOVERED, 0);
    wn_feed_free(doc);

    /* The HTTP charset wins over the declaration (RFC 7303)... */
    opts.content_type = "text/xml; charset=utf-8";
    assert_int_equal(wn_feed_parse(utf8, strlen(utf8), &opts, &doc, &err), 0);
    assert_string_equal(doc->title, "caf\xc3\xa9");
    assert_int_equal(doc->flags & WN_FEED_RECOVERED, 0);
    wn_feed_free(doc);
    opts.content_type = "text/xml; charset=koi8-r";
    {
        static const char cyr[] =
            "<?xml version=\"1.0\" encoding=\"windows-1251\"?>"
            "<rss><channel><title>\xd0\xd2</title></channel></rss>";
        assert_int_equal(wn_feed_parse(cyr, strlen(cyr), &opts, &doc, &err),
                         0);
        /* KOI8-R 0xd0 0xd2 is "пр" (windows-1251 would be "Ртћ") */
        assert_string_equal(doc->title, "\xd0\xbf\xd1\x80");
        wn_feed_free(doc);
    }
    /* ...but Latin-1 on valid UTF-8 is a lie: read as UTF-8, flagged. */
    opts.content_type = "text/xml; charset=iso-8859-1";
    assert_int_equal(wn_feed_parse(utf8, strlen(utf8), &opts, &doc, &err), 0);
    assert_string_equal(doc->title, "caf\xc3\xa9");
    assert_true(doc->flags & WN_FEED_RECOVERED);
    wn_feed_free(doc);

    /* An unknown label: guessed, flagged. */
    opts.content_type = "text/xml; charset=x-no-such-charset";
    assert_int_equal(wn_feed_parse(latin1, strlen(latin1), &opts, &doc, &err),
                     0);
    assert_string_equal(doc->title, "caf\xc3\xa9");
    assert_true(doc->flags & WN_FEED_RECOVERED);
    wn_feed_free(doc);
}

/* ---- hostile input ----------------------------------------------------- */

static void
external_entity_is_not_loaded(void **state)
{
    char path[] = "/tmp/wn_feed_secretXXXXXX";
    char xml[1024];
    struct wn_feed_doc *doc = NULL;
    struct wn_err err;
    int fd = mkstemp(path);
    FILE *f;
    int rc;

    (void) state;
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("TOPSECRET-4711", f);
    fclose(f);

    snprintf(
        xml, sizeof(xml),
        "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file://%s\">]>"
        "<rss><channel><title>&xxe;</title><item><title>&xxe;</title>"
        "<description>&xxe;</description></item></channel></rss>",
        path);
    wn_err_clear(&err);
    rc = wn_feed_parse(xml, strlen(xml), NULL, &doc, &err);
    assert_int_equal(rc, WN_EPARSE);
    assert_null(doc);
    assert_non_null(strstr(err.msg, "external entity"));
    assert_null(strstr(err.msg, "TOPSECRET"));

    /* Nor through a parameter entity, nor a DOCTYPE's external subset. */
    snprintf(xml, sizeof(xml),
             "<!DOCTYPE rss [<!ENTITY %% p SYSTEM \"file://%s\"> %%p;]><rss/>",
             path);
    assert_int_equal(parse_fails(xml, strlen(xml), &err), WN_EPARSE);
    snprintf(
        xml, sizeof(xml),
        "<!DOCTYPE rss SYSTEM \"file://%s\"><rss><channel><title>a&secret;b</title>"
        "</channel></rss>",
        path);
    doc = parse(xml);
    assert_string_equal(doc->title, "a&secret;b"); /* unknown: literal */
    wn_feed_free(doc);
    unlink(path);
}

static void
internal_text_entities_are_allowed(void **state)
{
    struct wn_feed_doc *doc;

    (void) state;
    doc = parse(
        "<?xml version=\"1.0\"?><!DOCTYPE rss [\n"
        "  <!-- the usual HTML ones -->\n"
        "  <!ENTITY nbsp \"&#160;\"> <!ENTITY site 'Example &#169; Co'>\n"
        "  <!ENTITY q \"it's &#34;q&#34;\">\n"
        "]><rss><channel><title>&site;</title>"
        "<item><title a=\"&site;\">a&nbsp;b</title>"
        "<enclosure url=\"https://example.com/a\" type=\"&q;\"/>"
        "<enclosure url='https://example.com/b' type='&q;'/></item></channel></rss>");
    assert_string_equal(doc->title, "Example \xc2\xa9 Co");
    assert_string_equal(doc->items[0].title, "a b");
    /* In attribute values the entity's quotes do not end the value. */
    assert_int_equal(doc->items[0].nenclosures, 2);
    assert_string_equal(doc->items[0].enclosures[0].type, "it's \"q\"");
    assert_string_equal(doc->items[0].enclosures[1].type, "it's \"q\"");
    assert_int_equal(doc->flags & WN_FEED_RECOVERED, 0);
    wn_feed_free(doc);

    /* An entity whose text would be markup ('&#38;' is '&') is refused. */
    {
        const char *amp = "<!DOCTYPE rss [<!ENTITY a 'x &#38; y'>]><rss/>";
        struct wn_err err;
        assert_int_equal(parse_fails(amp, strlen(amp), &err), WN_EPARSE);
        assert_non_null(strstr(err.msg, "markup"));
    }
}

static void
billion_laughs_is_bounded(void **state)
{
    const char *lol =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
        "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
        "<!ENTITY lol9 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
        "]><rss><channel><title>&lol9;</title></channel></rss>";
    struct wn_err err;
    double t0 = now_seconds();
    char *wide, *many;

    (void) state;
    assert_int_equal(parse_fails(lol, strlen(lol), &err), WN_EPARSE);
    assert_non_null(strstr(err.msg, "another entity"));

    /* Flat amplification: the most a document can expand is bounded. */
    wide = repeat("<!DOCTYPE rss [<!ENTITY a \"", "x", 255,
                  "\">]><rss><channel><title>");
    many = repeat(wide, "&a;", 200000, "</title></channel></rss>");
    /* 51 MB of text from 600 kB: over the field cap, refused. */
    assert_int_equal(parse_fails(many, strlen(many), &err), WN_ETOOBIG);
    free(wide);
    free(many);

    /* Too many declarations. */
    many = repeat("<!DOCTYPE rss [", "<!ENTITY e \"x\">", 100, "]><rss/>");
    assert_int_equal(parse_fails(many, strlen(many), &err), WN_ETOOBIG);
    free(many);
    many = repeat("<!DOCTYPE rss [", "<!ATTLIST rss a CDATA #IMPLIED>", 100000,
                  "]><rss/>");
    assert_int_equal(parse_fails(many, strlen(many), &err), WN_EPARSE);
    free(many);
    assert_true(now_seconds() - t0 < 10.0);
}

static void
many_attributes_refused_quickly(void **state)
{
    char *xml, *ok;
    struct wn_err err;
    struct wn_feed_doc *doc;
    double t0;
    char attr[32];
    struct wn_buf b;

    (void) state;
    /* libxml2 2.9.14 needs minutes for this; the scan refuses it at once. */
    wn_buf_init(&b, 16u << 20);
    assert_int_equal(wn_buf_puts(&b, "<rss><channel><item "), 0);
    for (int i = 0; i < 200000; i++) {
        snprintf(attr, sizeof(attr), "a%d=\"1\" ", i);
        assert_int_equal(wn_buf_puts(&b, attr), 0);
    }
    assert_int_equal(wn_buf_puts(&b, "/></channel></rss>"), 0);
    xml = wn_buf_steal(&b);
    t0 = now_seconds();
    assert_int_equal(parse_fails(xml, strlen(xml), &err), WN_ETOOBIG);
    assert_non_null(strstr(err.msg, "attributes"));
    assert_true(now_seconds() - t0 < 1.0);
    free(xml);

    /* Namespace declarations count too, and the cap itself is accepted. */
    wn_buf_init(&b, 1u << 20);
    assert_int_equal(wn_buf_puts(&b, "<rss"), 0);
    for (int i = 0; i < 256; i++) {
        snprintf(attr, sizeof(attr), " xmlns:n%d=\"u:%d\"", i, i);
        assert_int_equal(wn_buf_puts(&b, attr), 0);
    }
    assert_int_equal(
        wn_buf_puts(&b, "><channel><title>t</title></channel></rss>"), 0);
    ok = wn_buf_steal(&b);
    doc = parse(ok);
    assert_string_equal(doc->title, "t");
    wn_feed_free(doc);
    free(ok);
}

static void
nesting_beyond_cap_refused(void **state)
{
    struct wn_feed_opts opts;
    struct wn_feed_doc *doc = NULL;
    struct wn_err err;
    char *deep, *fits;

    (void) state;
    deep = repeat(RSS_OPEN "<item><title>t</title><description>", "<div>", 300,
                  "</description></item>" RSS_CLOSE);
    assert_int_equal(parse_fails(deep, strlen(deep), &err), WN_ETOOBIG);
    assert_non_null(strstr(err.msg, "deeper than 256"));
    free(deep);

    /* 256 levels in all (rss, channel, item, description: 4): accepted. */
    fits = repeat(RSS_OPEN "<item><title>t</title><description>", "<div>", 252,
                  "x</description></item>" RSS_CLOSE);
    doc = parse(fits);
    assert_string_equal(doc->items[0].summary, "x");
    wn_feed_free(doc);

    /* A lower cap from the options. */
    memset(&opts, 0, sizeof(opts));
    opts.max_depth = 8;
    assert_int_equal(wn_feed_parse(fits, strlen(fits), &opts, &doc, &err),
                     WN_ETOOBIG);
    free(fits);
}

/* An RSS feed of n items, each with its own link; the caller frees. */
static char *
numbered_items(size_t n)
{
    size_t cap = strlen(RSS_OPEN) + strlen(RSS_CLOSE) + n * 96 + 1, len;
    char *xml = malloc(cap);

    assert_non_null(xml);
    len = (size_t) snprintf(xml, cap, "%s", RSS_OPEN);
    for (size_t i = 0; i < n; i++) {
        len += (size_t) snprintf(xml + len, cap - len,
                                 "<item><title>i</title><link>https://"
                                 "example.com/%zu</link></item>",
                                 i);
    }
    snprintf(xml + len, cap - len, "%s", RSS_CLOSE);
    return xml;
}

static void
items_over_cap_dropped(void **state)
{
    struct wn_feed_opts opts;
    struct wn_feed_doc *doc = NULL;
    struct wn_err err;
    char *xml;

    (void) state;
    xml = numbered_items(WN_FEED_MAX_ITEMS + 5);
    assert_int_equal(wn_feed_parse(xml, strlen(xml), NULL, &doc, &err), 0);
    assert_int_equal(doc->nitems, WN_FEED_MAX_ITEMS);
    wn_feed_free(doc);

    memset(&opts, 0, sizeof(opts));
    opts.max_items = 3;
    assert_int_equal(wn_feed_parse(xml, strlen(xml), &opts, &doc, &err), 0);
    assert_int_equal(doc->nitems, 3);
    assert_int_equal(doc->flags & WN_FEED_RECOVERED, 0);
    wn_feed_free(doc);
    free(xml);
}

static void
oversized_input_refused(void **state)
{
    struct wn_feed_doc *doc = NULL;
    struct wn_err err;
    char *big = malloc(WN_FEED_MAX_BYTES + 1);

    (void) state;
    assert_non_null(big);
    memset(big, ' ', WN_FEED_MAX_BYTES + 1);
    assert_int_equal(
        wn_feed_parse(big, WN_FEED_MAX_BYTES + 1, NULL, &doc, &err),
        WN_ETOOBIG);
    assert_null(doc);
    free(big);
}

static void
refusal_names_the_line(void **state)
{
    const char *dtd = "<!DOCTYPE rss [\n\n<!ELEMENT rss ANY>]><rss/>";
    const char *html =
        "<?xml version=\"1.0\"?>\n<!-- x -->\n<html><body/></html>";
    struct wn_err err;

    (void) state;
    assert_int_equal(parse_fails(dtd, strlen(dtd), &err), WN_EPARSE);
    assert_non_null(strstr(err.msg, "line 3"));
    assert_int_equal(parse_fails(html, strlen(html), &err), WN_ENOTFEED);
    assert_non_null(strstr(err.msg, "line 3"));
    assert_non_null(strstr(err.msg, "<html>"));
}

/*
 * Damage of every kind at random places in real fixtures: the parser must
 * either give a document that prints as JSON or fail with a reason.  Run
 * under ASan and UBSan this is a small, deterministic fuzzer.
 */
static void
survives_mutated_fixtures(void **state)
{
    static const char *const files[] = {
        "rss-spec-sample.xml",        "rss-podcast.xml",
        "atom-rfc4287-extensive.xml", "atom-content-kinds.xml",
        "rss-internal-entities.xml",  "damaged-raw-html.xml",
    };
    static const char *const tokens[] = {
        "<",
        ">",
        "&",
        "</",
        "/>",
        "<![CDATA[",
        "]]>",
        "<!--",
        "\"",
        "=",
        "&amp;",
        "&#",
        ";",
        "<!DOCTYPE x [",
        "<!ENTITY a \"b\">",
        "&a;",
        "\xff",
        "\xc3",
        "<item>",
        "</item>",
        "<entry>",
        "<br>",
        "<p>",
        "&nbsp;",
        "xml:base=\"javascript:x\"",
        "<div xmlns=\"http://www.w3.org/1999/xhtml\">",
    };
    unsigned seed = 20210224;

    (void) state;
    for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        char path[1024], *orig, *buf;
        size_t n;
        FILE *fp;

        snprintf(path, sizeof(path), "%s/feeds/%s", WN_FIXTURES_DIR, files[f]);
        fp = fopen(path, "rb");
        assert_non_null(fp);
        orig = malloc(1 << 16);
        buf = malloc(1 << 17);
        assert_non_null(orig);
        assert_non_null(buf);
        n = fread(orig, 1, 1 << 16, fp);
        fclose(fp);
        for (int iter = 0; iter < 300; iter++) {
            struct wn_feed_doc *doc = NULL;
            struct wn_err err;
            size_t len = n;
            int rc;

            memcpy(buf, orig, n);
            for (int m = 1 + (int) (seed % 6); m > 0 && len > 0; m--) {
                size_t pos, k;
                seed = seed * 1103515245u + 12345u;
                pos = (seed >> 8) % len;
                switch (seed % 4) {
                case 0:
                    buf[pos] = (char) (seed >> 16);
                    break;
                case 1:
                    k = (seed >> 4) % 16 < len - pos ? (seed >> 4) % 16
                                                     : len - pos;
                    memmove(buf + pos, buf + pos + k, len - pos - k);
                    len -= k;
                    break;
                case 2: {
                    const char *t =
                        tokens[(seed >> 12)
                               % (sizeof(tokens) / sizeof(tokens[0]))];
                    k = strlen(t);
                    memmove(buf + pos + k, buf + pos, len - pos);
                    memcpy(buf + pos, t, k);
                    len += k;
                    break;
                }
                default:
                    len = pos; /* truncation */
                }
            }
            err.msg[0] = '\0';
            rc = wn_feed_parse(buf, len, NULL, &doc, &err);
            if (rc == 0) {
                char *json = NULL;
                assert_int_equal(wn_feed_to_json(doc, &json), 0);
                free(json);
                wn_feed_free(doc);
            } else {
                assert_null(doc);
                assert_true(err.msg[0] != '\0');
            }
        }
        free(orig);
        free(buf);
    }
}

/* ---- JSON -------------------------------------------------------------- */

static void
json_follows_the_contract(void **state)
{
    struct wn_feed_doc *doc;
    char *json = NULL;

    (void) state;
    doc = parse(
        RSS_OPEN
        "<item><title>A \"q\"</title><link>https://example.com/a</link>"
        "<pubDate>Wed, 24 Feb 2021 12:27:00 GMT</pubDate>"
        "<category>c1</category>"
        "<enclosure url=\"https://example.com/a.mp3\" length=\"10\" type=\"audio/mpeg\"/>"
        "</item>" RSS_CLOSE);
    assert_int_equal(wn_feed_to_json(doc, &json), 0);
    assert_string_equal(
        json,
        "{\"feed\":{\"format\":\"rss2.0\",\"title\":\"T\",\"link\":null,"
        "\"description\":null,\"language\":null,\"updated\":null},"
        "\"items\":[{\"id\":\"https://example.com/a\",\"title\":\"A \\\"q\\\"\","
        "\"link\":\"https://example.com/a\",\"published\":\"2021-02-24T12:27:00Z\","
        "\"updated\":null,\"author\":null,\"summary\":null,\"content_html\":null,"
        "\"categories\":[\"c1\"],\"enclosures\":[{\"url\":\"https://example.com/a.mp3\","
        "\"type\":\"audio/mpeg\",\"length\":10}]}]}");
    free(json);
    wn_feed_free(doc);
}

/* ---- threads ----------------------------------------------------------- */

#define THREADS 4

struct thread_arg {
    const char *xml;
    char *json;
};

static void
parse_thread(void *p)
{
    struct thread_arg *a = p;
    struct wn_feed_doc *doc = NULL;
    struct wn_err err;

    for (int i = 0; i < 20; i++) {
        free(a->json);
        a->json = NULL;
        if (wn_feed_parse(a->xml, strlen(a->xml), NULL, &doc, &err) == 0) {
            wn_feed_to_json(doc, &a->json);
            wn_feed_free(doc);
        }
    }
}

static void
parses_on_several_threads_at_once(void **state)
{
    struct thread_arg args[THREADS];
    uv_thread_t tids[THREADS];
    char *xml = repeat(RSS_OPEN,
                       "<item><title>A &amp; B &eacute;<b>x</title>"
                       "<description>&lt;p&gt;d&lt;/p&gt;</description></item>",
                       200, RSS_CLOSE);

    (void) state;
    for (int i = 0; i < THREADS; i++) {
        args[i].xml = xml;
        args[i].json = NULL;
        assert_int_equal(uv_thread_create(&tids[i], parse_thread, &args[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(uv_thread_join(&tids[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        assert_non_null(args[i].json);
        assert_string_equal(args[i].json, args[0].json);
    }
    assert_non_null(strstr(args[0].json, "\"title\":\"A & B \xc3\xa9x\""));
    for (int i = 0; i < THREADS; i++) {
        free(args[i].json);
    }
    free(xml);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rss_item_without_guid_uses_link),
        cmocka_unit_test(rss_permalink_guid_is_the_link),
        cmocka_unit_test(item_without_guid_or_link_gets_stable_hash),
        cmocka_unit_test(relative_link_against_feed_url),
        cmocka_unit_test(plain_links_match_the_url_parser),
        cmocka_unit_test(javascript_link_dropped),
        cmocka_unit_test(atom_xml_base_resolves_nested),
        cmocka_unit_test(atom_link_prefers_html_alternate),
        cmocka_unit_test(html_summary_becomes_plain_text),
        cmocka_unit_test(untagged_html_decodes_like_the_html_parser),
        cmocka_unit_test(content_html_is_kept_raw),
        cmocka_unit_test(atom_text_constructs_by_type),
        cmocka_unit_test(authors_from_every_form),
        cmocka_unit_test(categories_deduplicated_and_capped),
        cmocka_unit_test(unparseable_date_is_null),
        cmocka_unit_test(format_detected_by_content),
        cmocka_unit_test(not_a_feed_is_enotfeed),
        cmocka_unit_test(recovered_damage_sets_flag),
        cmocka_unit_test(entities_survive_damage_libxml2_reports),
        cmocka_unit_test(junk_around_the_document_is_dropped),
        cmocka_unit_test(charsets_become_utf8),
        cmocka_unit_test(charset_from_content_type_and_its_lies),
        cmocka_unit_test(external_entity_is_not_loaded),
        cmocka_unit_test(internal_text_entities_are_allowed),
        cmocka_unit_test(billion_laughs_is_bounded),
        cmocka_unit_test(many_attributes_refused_quickly),
        cmocka_unit_test(nesting_beyond_cap_refused),
        cmocka_unit_test(items_over_cap_dropped),
        cmocka_unit_test(oversized_input_refused),
        cmocka_unit_test(refusal_names_the_line),
        cmocka_unit_test(survives_mutated_fixtures),
        cmocka_unit_test(json_follows_the_contract),
        cmocka_unit_test(parses_on_several_threads_at_once),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
