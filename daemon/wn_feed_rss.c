/*
 * wn_feed_rss.c: RSS 2.0, and the RSS 0.91/0.92 documents that are its
 * subset, from a parsed tree to items.  RSS elements are in no namespace
 * (or, rarely, in UserLand's); the extensions read beside them are
 * content:encoded, dc:creator, dc:date, dc:subject, atom:updated and
 * dcterms:modified.  Title and description are HTML, as feeds write them.
 */
#include <string.h>
#include <strings.h>

#include <winnow/host.h>

#include "wn_feed_int.h"

/*
 * RSS <author> is an e-mail address, usually with the name in parentheses
 * ("lawyer@boyer.net (Lawyer Boyer)"): the name is what a reader wants.
 */
static const char *
wn_feed_rss_author(struct wn_feed_ctx *ctx, const char *author)
{
    const char *open, *end, *name;

    if (author == NULL) {
        return NULL;
    }
    open = strchr(author, '(');
    end = author + strlen(author);
    if (open == NULL || open == author || end[-1] != ')'
        || memchr(author, '@', (size_t) (open - author)) == NULL)
    {
        return author;
    }
    wn_buf_reset(&ctx->raw);
    if (wn_buf_append(&ctx->raw, open + 1, (size_t) (end - 1 - (open + 1)))
        != 0) {
        return author;
    }
    name = wn_feed_plain(ctx, ctx->raw.data);
    return name != NULL ? name : author;
}

/* One <item>; returns 1 when it is kept. */
static int
wn_feed_rss_item(struct wn_feed_ctx *ctx, xmlNodePtr node, const char *ns,
                 const char *base, struct wn_feed_item *it)
{
    const char *guid = NULL, *guid_base = NULL, *author = NULL;
    const char *creator = NULL;
    int permalink = 0;
    int64_t dc_date = WN_TIME_NONE;

    memset(it, 0, sizeof(*it));
    it->published = WN_TIME_NONE;
    it->updated = WN_TIME_NONE;
    base = wn_feed_base(ctx, node, base);
    for (xmlNodePtr c = wn_feed_elem(node->children); c != NULL && ctx->rc == 0;
         c = wn_feed_elem(c->next))
    {
        if (wn_feed_is(c, ns, "title")) {
            if (it->title == NULL) {
                it->title = wn_feed_text(ctx, c, WN_FEED_HTML);
            }
        } else if (wn_feed_is(c, ns, "link")) {
            if (it->link == NULL) {
                const char *b = wn_feed_base(ctx, c, base);
                it->link = wn_feed_link(ctx, b, wn_feed_raw(ctx, c));
            }
        } else if (wn_feed_is(c, ns, "description")) {
            if (it->summary == NULL) {
                it->summary = wn_feed_text(ctx, c, WN_FEED_HTML);
            }
        } else if (wn_feed_is(c, ns, "guid")) {
            if (guid == NULL) {
                /* isPermaLink defaults to true: the guid is then the
                 * item's URL, and its link when there is no <link>. */
                const char *perm = wn_feed_attr(ctx, c, NULL, "isPermaLink");

                permalink = perm == NULL || strcasecmp(perm, "false") != 0;
                guid_base = wn_feed_base(ctx, c, base);
                guid = wn_feed_dup(ctx, wn_feed_raw(ctx, c));
            }
        } else if (wn_feed_is(c, ns, "pubDate")) {
            if (it->published == WN_TIME_NONE) {
                it->published = wn_feed_time(ctx, c);
            }
        } else if (wn_feed_is(c, ns, "author")) {
            if (author == NULL) {
                author = wn_feed_text(ctx, c, WN_FEED_TEXT);
            }
        } else if (wn_feed_is(c, ns, "category")
                   || wn_feed_is(c, WN_NS_DC, "subject")) {
            wn_feed_item_category(ctx, wn_feed_text(ctx, c, WN_FEED_TEXT));
        } else if (wn_feed_is(c, ns, "enclosure")) {
            const char *b = wn_feed_base(ctx, c, base);
            const char *url =
                wn_feed_link(ctx, b, wn_feed_attr(ctx, c, NULL, "url"));

            wn_feed_item_enclosure(
                ctx, url, wn_feed_attr(ctx, c, NULL, "type"),
                wn_feed_length(wn_feed_attr(ctx, c, NULL, "length")));
        } else if (wn_feed_is(c, WN_NS_CONTENT, "encoded")) {
            if (it->content_html == NULL) {
                it->content_html = wn_feed_html(ctx, c, WN_FEED_HTML);
            }
        } else if (wn_feed_is(c, WN_NS_DC, "creator")) {
            creator =
                wn_feed_join(ctx, creator, wn_feed_text(ctx, c, WN_FEED_TEXT));
        } else if (wn_feed_is(c, WN_NS_DC, "date")) {
            if (dc_date == WN_TIME_NONE) {
                dc_date = wn_feed_time(ctx, c);
            }
        } else if (wn_feed_is(c, WN_NS_ATOM, "updated")
                   || wn_feed_is(c, WN_NS_DCTERMS, "modified"))
        {
            if (it->updated == WN_TIME_NONE) {
                it->updated = wn_feed_time(ctx, c);
            }
        }
    }
    if (it->link == NULL && permalink) {
        it->link = wn_feed_link(ctx, guid_base, guid);
    }
    if (it->published == WN_TIME_NONE) {
        it->published = dc_date;
    }
    /* dc:creator is a name; <author> is an address with a name in it. */
    it->author = creator != NULL ? creator : wn_feed_rss_author(ctx, author);
    return wn_feed_item_finish(ctx, it, guid);
}

static size_t
wn_feed_rss_count(xmlNodePtr parent, const char *ns)
{
    size_t n = 0;

    for (xmlNodePtr c = wn_feed_elem(parent->children); c != NULL;
         c = wn_feed_elem(c->next))
    {
        n += wn_feed_is(c, ns, "item");
    }
    return n;
}

/* The <item> children of parent, up to the item cap. */
static void
wn_feed_rss_items(struct wn_feed_ctx *ctx, xmlNodePtr parent, const char *ns,
                  const char *base)
{
    struct wn_feed_doc *doc = ctx->doc;

    for (xmlNodePtr c = wn_feed_elem(parent->children);
         c != NULL && ctx->rc == 0 && doc->nitems < ctx->max_items;
         c = wn_feed_elem(c->next))
    {
        if (wn_feed_is(c, ns, "item")
            && wn_feed_rss_item(ctx, c, ns, base, &doc->items[doc->nitems]))
        {
            doc->nitems++;
        }
    }
}

int
wn_feed_rss_parse(struct wn_feed_ctx *ctx, xmlNodePtr root)
{
    struct wn_feed_doc *doc = ctx->doc;
    const char *ns = root->ns != NULL ? (const char *) root->ns->href : NULL;
    const char *version = wn_feed_attr(ctx, root, NULL, "version");
    const char *base = wn_feed_base(ctx, root, ctx->url);
    int64_t build = WN_TIME_NONE, pub = WN_TIME_NONE, dc_date = WN_TIME_NONE;
    xmlNodePtr channel = NULL;
    size_t n;

    doc->format = version != NULL && strncmp(version, "0.9", 3) == 0
                      ? WN_FEED_RSS09X
                      : WN_FEED_RSS2;
    for (xmlNodePtr c = wn_feed_elem(root->children); c != NULL;
         c = wn_feed_elem(c->next))
    {
        if (wn_feed_is(c, ns, "channel")) {
            channel = c;
            break;
        }
    }
    if (channel == NULL) {
        channel = root; /* no <channel>: read what is under <rss> */
    } else {
        base = wn_feed_base(ctx, channel, base);
    }
    /* Items belong in <channel>; some feeds put them after it. */
    n = wn_feed_rss_count(channel, ns)
        + (channel != root ? wn_feed_rss_count(root, ns) : 0);
    n = n < ctx->max_items ? n : ctx->max_items;
    if (n > 0) {
        doc->items = wn_arena_alloc(ctx->arena, n * sizeof(*doc->items));
        if (doc->items == NULL) {
            wn_feed_fail(ctx, WN_ETOOBIG);
            return ctx->rc;
        }
    }
    ctx->max_items = n;
    for (xmlNodePtr c = wn_feed_elem(channel->children);
         c != NULL && ctx->rc == 0; c = wn_feed_elem(c->next))
    {
        if (wn_feed_is(c, ns, "title")) {
            if (doc->title == NULL) {
                doc->title = wn_feed_text(ctx, c, WN_FEED_HTML);
            }
        } else if (wn_feed_is(c, ns, "link")) {
            if (doc->link == NULL) {
                const char *b = wn_feed_base(ctx, c, base);
                doc->link = wn_feed_link(ctx, b, wn_feed_raw(ctx, c));
            }
        } else if (wn_feed_is(c, ns, "description")) {
            if (doc->description == NULL) {
                doc->description = wn_feed_text(ctx, c, WN_FEED_HTML);
            }
        } else if (wn_feed_is(c, ns, "language")
                   || wn_feed_is(c, WN_NS_DC, "language")) {
            if (doc->language == NULL) {
                doc->language = wn_feed_dup(ctx, wn_feed_raw(ctx, c));
            }
        } else if (wn_feed_is(c, ns, "lastBuildDate")) {
            build = build == WN_TIME_NONE ? wn_feed_time(ctx, c) : build;
        } else if (wn_feed_is(c, ns, "pubDate")) {
            pub = pub == WN_TIME_NONE ? wn_feed_time(ctx, c) : pub;
        } else if (wn_feed_is(c, WN_NS_DC, "date")) {
            dc_date = dc_date == WN_TIME_NONE ? wn_feed_time(ctx, c) : dc_date;
        } else {
            wn_feed_hint(ctx, c, ns);
        }
    }
    wn_feed_hint_end(ctx);
    /* When the feed last changed: its build time, else its publication. */
    doc->updated = build != WN_TIME_NONE ? build
                   : pub != WN_TIME_NONE ? pub
                                         : dc_date;
    wn_feed_rss_items(ctx, channel, ns, base);
    if (channel != root) {
        wn_feed_rss_items(ctx, root, ns, wn_feed_base(ctx, root, ctx->url));
    }
    return ctx->rc;
}
