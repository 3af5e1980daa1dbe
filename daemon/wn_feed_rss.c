/*
 * wn_feed_rss.c: the RSS family from a parsed tree to items: RSS 2.0 and
 * 0.91-0.94 (<rss>, elements in no namespace or, rarely, UserLand's), RSS
 * 1.0 and 0.90 (<rdf:RDF>, items beside the channel, elements in the RSS
 * 1.0 or Netscape namespace).  One item reader serves both: the
 * extensions read beside the core elements are content:encoded,
 * dc:creator/date/subject/identifier, atom:link (alternate, enclosure),
 * atom:updated, dcterms:modified, media:content/group/thumbnail/
 * description/title and itunes:author/summary/subtitle.  Title and
 * description are HTML, as feeds write them.
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

/*
 * <atom:link> in RSS: rel="alternate" (or none) is the item's link when it
 * has no <link>, rel="enclosure" an enclosure; self, hub and the rest
 * say nothing about the item.
 */
static void
wn_feed_rss_atom_link(struct wn_feed_ctx *ctx, xmlNodePtr c, const char *base,
                      const char **alternate)
{
    const char *rel = wn_feed_attr(ctx, c, NULL, "rel");
    const char *b = wn_feed_base(ctx, c, base);

    if (rel == NULL || *rel == '\0' || strcmp(rel, "alternate") == 0) {
        if (*alternate == NULL) {
            *alternate =
                wn_feed_link(ctx, b, wn_feed_attr(ctx, c, NULL, "href"));
        }
    } else if (strcmp(rel, "enclosure") == 0) {
        wn_feed_item_enclosure(
            ctx, wn_feed_link(ctx, b, wn_feed_attr(ctx, c, NULL, "href")),
            wn_feed_attr(ctx, c, NULL, "type"),
            wn_feed_length(wn_feed_attr(ctx, c, NULL, "length")));
    }
}

/* One <item>; returns 1 when it is kept. */
static int
wn_feed_rss_item(struct wn_feed_ctx *ctx, xmlNodePtr node, const char *ns,
                 const char *base, struct wn_feed_item *it)
{
    const char *about = wn_feed_dup(
        ctx, wn_feed_attr(ctx, node, WN_NS_RDF, "about"));
    const char *guid = NULL, *guid_base = NULL, *author = NULL;
    const char *creator = NULL, *dc_id = NULL, *atom_link = NULL;
    const char *fallback_summary = NULL, *fallback_title = NULL;
    const char *itunes_author = NULL;
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
        } else if (wn_feed_is(c, WN_NS_DC, "identifier")) {
            if (dc_id == NULL) {
                dc_id = wn_feed_dup(ctx, wn_feed_raw(ctx, c));
            }
        } else if (wn_feed_is(c, WN_NS_ATOM, "link")) {
            wn_feed_rss_atom_link(ctx, c, base, &atom_link);
        } else if (wn_feed_is_media(c)) {
            wn_feed_media(ctx, c, base, &fallback_title,
                              &fallback_summary, 0);
        } else if (wn_feed_is(c, WN_NS_ITUNES, "author")) {
            if (itunes_author == NULL) {
                itunes_author = wn_feed_text(ctx, c, WN_FEED_TEXT);
            }
        } else if (wn_feed_is(c, WN_NS_ITUNES, "summary")
                   || wn_feed_is(c, WN_NS_ITUNES, "subtitle"))
        {
            if (fallback_summary == NULL) {
                fallback_summary = wn_feed_text(ctx, c, WN_FEED_TEXT);
            }
        }
    }
    if (it->link == NULL && permalink) {
        it->link = wn_feed_link(ctx, guid_base, guid);
    }
    if (it->link == NULL) {
        it->link = atom_link;
    }
    if (it->title == NULL) {
        it->title = fallback_title;
    }
    if (it->summary == NULL) {
        it->summary = fallback_summary;
    }
    if (guid == NULL) {
        /* RSS 1.0 names each item by rdf:about; dc:identifier otherwise. */
        guid = dc_id != NULL ? dc_id : about;
    }
    if (it->published == WN_TIME_NONE) {
        it->published = dc_date;
    }
    /* dc:creator is a name; <author> is an address with a name in it. */
    it->author = creator != NULL ? creator : wn_feed_rss_author(ctx, author);
    if (it->author == NULL) {
        it->author = itunes_author;
    }
    return wn_feed_item_finish(ctx, it, guid);
}

/*
 * The <item> children of parent, and the items nested in them: an
 * unclosed <item> makes libxml2 put every later item inside it.
 */
static size_t
wn_feed_rss_count(xmlNodePtr parent, const char *ns)
{
    size_t n = 0;

    for (xmlNodePtr c = wn_feed_elem(parent->children); c != NULL;
         c = wn_feed_elem(c->next))
    {
        if (wn_feed_is(c, ns, "item")) {
            n += 1 + wn_feed_rss_count(c, ns);
        }
    }
    return n;
}

/* The <item> children of parent (and the items nested in them), up to the
 * item cap. */
static void
wn_feed_rss_items(struct wn_feed_ctx *ctx, xmlNodePtr parent, const char *ns,
                  const char *base)
{
    struct wn_feed_doc *doc = ctx->doc;

    for (xmlNodePtr c = wn_feed_elem(parent->children);
         c != NULL && ctx->rc == 0 && doc->nitems < ctx->max_items;
         c = wn_feed_elem(c->next))
    {
        if (!wn_feed_is(c, ns, "item")) {
            continue;
        }
        if (wn_feed_rss_item(ctx, c, ns, base, &doc->items[doc->nitems])) {
            doc->nitems++;
        }
        wn_feed_rss_items(ctx, c, ns, base); /* siblings really */
    }
}

/*
 * The channel's metadata and every item, under <channel> and (where feeds
 * put them) beside it under `outer`; ns is the RSS elements' namespace.
 */
static int
wn_feed_rss_read(struct wn_feed_ctx *ctx, xmlNodePtr outer, xmlNodePtr channel,
                 const char *ns, const char *base)
{
    struct wn_feed_doc *doc = ctx->doc;
    int64_t build = WN_TIME_NONE, pub = WN_TIME_NONE, dc_date = WN_TIME_NONE;
    const char *outer_base = base, *atom_link = NULL;
    size_t n;

    if (channel == NULL) {
        channel = outer; /* no <channel>: read what is under the root */
    } else {
        base = wn_feed_base(ctx, channel, base);
    }
    n = wn_feed_rss_count(channel, ns)
        + (channel != outer ? wn_feed_rss_count(outer, ns) : 0);
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
        } else if (wn_feed_is(c, WN_NS_ATOM, "link")) {
            const char *rel = wn_feed_attr(ctx, c, NULL, "rel");
            if (atom_link == NULL
                && (rel == NULL || strcmp(rel, "alternate") == 0))
            {
                atom_link =
                    wn_feed_link(ctx, wn_feed_base(ctx, c, base),
                                 wn_feed_attr(ctx, c, NULL, "href"));
            }
        }
    }
    if (doc->link == NULL) {
        doc->link = atom_link;
    }
    /* When the feed last changed: its build time, else its publication. */
    doc->updated = build != WN_TIME_NONE ? build
                   : pub != WN_TIME_NONE ? pub
                                         : dc_date;
    wn_feed_rss_items(ctx, channel, ns, base);
    if (channel != outer) {
        wn_feed_rss_items(ctx, outer, ns, outer_base);
    }
    return ctx->rc;
}

int
wn_feed_rss_parse(struct wn_feed_ctx *ctx, xmlNodePtr root)
{
    const char *ns = root->ns != NULL ? (const char *) root->ns->href : NULL;
    const char *version = wn_feed_attr(ctx, root, NULL, "version");
    xmlNodePtr channel = NULL;

    ctx->doc->format = version != NULL && strncmp(version, "0.9", 3) == 0
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
    return wn_feed_rss_read(ctx, root, channel, ns,
                            wn_feed_base(ctx, root, ctx->url));
}

/*
 * RSS 1.0 and 0.90: <rdf:RDF> holds <channel>, <item>s, <image> and
 * <textinput> as siblings, in the RSS 1.0 namespace (0.90: Netscape's).
 * Feeds that leave the namespace out are read as RSS 1.0 too.
 */
int
wn_feed_rdf_parse(struct wn_feed_ctx *ctx, xmlNodePtr root)
{
    static const char *const nss[] = { WN_NS_RSS1, WN_NS_RSS090, NULL };
    xmlNodePtr channel = NULL;
    const char *ns = WN_NS_RSS1;

    int found = 0;

    for (xmlNodePtr c = wn_feed_elem(root->children); c != NULL && !found;
         c = wn_feed_elem(c->next))
    {
        for (size_t i = 0; i < sizeof(nss) / sizeof(nss[0]) && !found; i++) {
            if (wn_feed_is(c, nss[i], "channel")) {
                channel = c;
                found = 1;
            } else {
                found = wn_feed_is(c, nss[i], "item");
            }
            ns = found ? nss[i] : ns;
        }
    }
    ctx->doc->format = ns != NULL && strcmp(ns, WN_NS_RSS090) == 0
                           ? WN_FEED_RSS09X
                           : WN_FEED_RSS1;
    return wn_feed_rss_read(ctx, root, channel, ns,
                            wn_feed_base(ctx, root, ctx->url));
}
