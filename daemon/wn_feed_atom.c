/*
 * wn_feed_atom.c: Atom 1.0 (RFC 4287) and Atom 0.3 from a parsed tree to
 * items: text constructs by their type, links by rel, authors inherited
 * from the source or the feed, xml:base at every level.  Atom 0.3 is the
 * same tree in another namespace with other names for three things
 * (issued/created/modified for published/updated, tagline for subtitle)
 * and a mode="xml|escaped|base64" beside a MIME type on text.
 */
#include <string.h>
#include <strings.h>

#include <winnow/host.h>

#include "wn_feed_int.h"

#define WN_FEED_IANA_REL "http://www.iana.org/assignments/relation/"

/* type="text|html|xhtml" of a text construct; for <content> also a MIME
 * type.  -1: not text (base64 media, other XML). */
static int
wn_feed_atom_markup(struct wn_feed_ctx *ctx, xmlNodePtr node)
{
    const char *type = wn_feed_attr(ctx, node, NULL, "type");

    if (ctx->doc->format == WN_FEED_ATOM03) {
        const char *mode = wn_feed_attr(ctx, node, NULL, "mode");
        if (mode != NULL && strcasecmp(mode, "base64") == 0) {
            return -1;
        }
        if (mode != NULL && strcasecmp(mode, "escaped") == 0 && type != NULL
            && strcasecmp(type, "application/xhtml+xml") == 0)
        {
            return WN_FEED_HTML; /* escaped XHTML is HTML text */
        }
    }
    if (type == NULL || *type == '\0' || strcasecmp(type, "text") == 0) {
        return WN_FEED_TEXT;
    }
    if (strcasecmp(type, "html") == 0 || strcasecmp(type, "text/html") == 0) {
        return WN_FEED_HTML;
    }
    if (strcasecmp(type, "xhtml") == 0
        || strcasecmp(type, "application/xhtml+xml") == 0)
    {
        return WN_FEED_XHTML;
    }
    if (strncasecmp(type, "text/", 5) == 0) {
        return WN_FEED_TEXT;
    }
    return -1;
}

/* rel="x" or its IANA URI form; no rel means "alternate" (4.2.7.2). */
static int
wn_feed_atom_rel(const char *rel, const char *want)
{
    if (rel == NULL || *rel == '\0') {
        rel = "alternate";
    } else if (strncmp(rel, WN_FEED_IANA_REL, strlen(WN_FEED_IANA_REL)) == 0) {
        rel += strlen(WN_FEED_IANA_REL);
    }
    return strcmp(rel, want) == 0;
}

/*
 * How well a <link> serves as the item's link: an alternate to an HTML
 * page (2), an alternate of another type (1), anything else (0).
 */
static int
wn_feed_atom_link_rank(struct wn_feed_ctx *ctx, xmlNodePtr link)
{
    const char *type;

    if (!wn_feed_atom_rel(wn_feed_attr(ctx, link, NULL, "rel"), "alternate")) {
        return 0;
    }
    type = wn_feed_attr(ctx, link, NULL, "type");
    if (type == NULL || strcasecmp(type, "text/html") == 0
        || strcasecmp(type, "application/xhtml+xml") == 0)
    {
        return 2;
    }
    return 1;
}

/* The best alternate link among node's children, resolved. */
static const char *
wn_feed_atom_link(struct wn_feed_ctx *ctx, xmlNodePtr node, const char *base)
{
    const char *best = NULL;
    int best_rank = 0;

    for (xmlNodePtr c = wn_feed_elem(node->children); c != NULL && ctx->rc == 0;
         c = wn_feed_elem(c->next))
    {
        int rank;
        const char *href;

        if (!wn_feed_is(c, ctx->atom_ns, "link")) {
            continue;
        }
        rank = wn_feed_atom_link_rank(ctx, c);
        if (rank <= best_rank) {
            continue;
        }
        href = wn_feed_link(ctx, wn_feed_base(ctx, c, base),
                            wn_feed_attr(ctx, c, NULL, "href"));
        if (href != NULL) {
            best = href;
            best_rank = rank;
        }
    }
    return best;
}

/* The names of the persons in node's <author> children, ", " between. */
static const char *
wn_feed_atom_authors(struct wn_feed_ctx *ctx, xmlNodePtr node)
{
    const char *all = NULL;

    for (xmlNodePtr c = wn_feed_elem(node->children); c != NULL && ctx->rc == 0;
         c = wn_feed_elem(c->next))
    {
        const char *name = NULL, *email = NULL;

        if (!wn_feed_is(c, ctx->atom_ns, "author")) {
            continue;
        }
        for (xmlNodePtr p = wn_feed_elem(c->children); p != NULL;
             p = wn_feed_elem(p->next))
        {
            if (name == NULL && wn_feed_is(p, ctx->atom_ns, "name")) {
                name = wn_feed_text(ctx, p, WN_FEED_TEXT);
            } else if (email == NULL && wn_feed_is(p, ctx->atom_ns, "email")) {
                email = wn_feed_text(ctx, p, WN_FEED_TEXT);
            }
        }
        all = wn_feed_join(ctx, all, name != NULL ? name : email);
    }
    return all;
}

static const char *
wn_feed_atom_text(struct wn_feed_ctx *ctx, xmlNodePtr node)
{
    int m = wn_feed_atom_markup(ctx, node);

    return wn_feed_text(ctx, node,
                        m < 0 ? WN_FEED_TEXT : (enum wn_feed_markup) m);
}

/* One <entry>; returns 1 when it is kept. */
static int
wn_feed_atom_entry(struct wn_feed_ctx *ctx, xmlNodePtr node, const char *base,
                   const char *feed_authors, struct wn_feed_item *it)
{
    const char *id = NULL, *source_authors = NULL;
    const char *media_title = NULL, *media_summary = NULL;
    int64_t created = WN_TIME_NONE;

    memset(it, 0, sizeof(*it));
    it->published = WN_TIME_NONE;
    it->updated = WN_TIME_NONE;
    base = wn_feed_base(ctx, node, base);
    it->link = wn_feed_atom_link(ctx, node, base);
    it->author = wn_feed_atom_authors(ctx, node);
    for (xmlNodePtr c = wn_feed_elem(node->children); c != NULL && ctx->rc == 0;
         c = wn_feed_elem(c->next))
    {
        if (wn_feed_is(c, ctx->atom_ns, "id")) {
            if (id == NULL) {
                id = wn_feed_dup(ctx, wn_feed_raw(ctx, c));
            }
        } else if (wn_feed_is(c, ctx->atom_ns, "title")) {
            if (it->title == NULL) {
                it->title = wn_feed_atom_text(ctx, c);
            }
        } else if (wn_feed_is(c, ctx->atom_ns, "summary")) {
            if (it->summary == NULL) {
                it->summary = wn_feed_atom_text(ctx, c);
            }
        } else if (wn_feed_is(c, ctx->atom_ns, "content")) {
            int m = wn_feed_atom_markup(ctx, c);
            /* With src the content is elsewhere (4.1.3.2). */
            if (it->content_html == NULL && m >= 0
                && wn_feed_attr(ctx, c, NULL, "src") == NULL)
            {
                it->content_html =
                    wn_feed_html(ctx, c, (enum wn_feed_markup) m);
            }
        } else if (wn_feed_is(c, ctx->atom_ns, "published")
                   || wn_feed_is(c, ctx->atom_ns, "issued")) {
            if (it->published == WN_TIME_NONE) {
                it->published = wn_feed_time(ctx, c);
            }
        } else if (wn_feed_is(c, ctx->atom_ns, "created")) {
            created = created == WN_TIME_NONE ? wn_feed_time(ctx, c) : created;
        } else if (wn_feed_is(c, ctx->atom_ns, "updated")
                   || wn_feed_is(c, ctx->atom_ns, "modified")) {
            if (it->updated == WN_TIME_NONE) {
                it->updated = wn_feed_time(ctx, c);
            }
        } else if (wn_feed_is(c, ctx->atom_ns, "category")) {
            /* The label is for people; the term is the identifier. */
            const char *label =
                wn_feed_plain(ctx, wn_feed_attr(ctx, c, NULL, "label"));
            wn_feed_item_category(
                ctx,
                label != NULL
                    ? label
                    : wn_feed_plain(ctx, wn_feed_attr(ctx, c, NULL, "term")));
        } else if (wn_feed_is(c, ctx->atom_ns, "link")) {
            if (wn_feed_atom_rel(wn_feed_attr(ctx, c, NULL, "rel"),
                                 "enclosure")) {
                const char *url =
                    wn_feed_link(ctx, wn_feed_base(ctx, c, base),
                                 wn_feed_attr(ctx, c, NULL, "href"));
                wn_feed_item_enclosure(
                    ctx, url, wn_feed_attr(ctx, c, NULL, "type"),
                    wn_feed_length(wn_feed_attr(ctx, c, NULL, "length")));
            }
        } else if (wn_feed_is_media(c)) {
            /* YouTube and others: the description is in media:group */
            wn_feed_media(ctx, c, base, &media_title, &media_summary, 0);
        } else if (wn_feed_is(c, ctx->atom_ns, "source")) {
            if (source_authors == NULL) {
                source_authors = wn_feed_atom_authors(ctx, c);
            }
        }
    }
    if (it->published == WN_TIME_NONE) {
        it->published = created;
    }
    if (it->title == NULL) {
        it->title = media_title;
    }
    if (it->summary == NULL) {
        it->summary = media_summary;
    }
    /* An entry without authors has its source's, else its feed's (4.2.1). */
    if (it->author == NULL) {
        it->author = source_authors != NULL ? source_authors : feed_authors;
    }
    return wn_feed_item_finish(ctx, it, id);
}

int
wn_feed_atom_parse(struct wn_feed_ctx *ctx, xmlNodePtr root)
{
    struct wn_feed_doc *doc = ctx->doc;
    const char *base = wn_feed_base(ctx, root, ctx->url);
    const char *authors;
    size_t n = 0;

    ctx->atom_ns = doc->format == WN_FEED_ATOM03 ? WN_NS_ATOM03 : WN_NS_ATOM;
    doc->language =
        wn_feed_plain(ctx, wn_feed_attr(ctx, root, WN_NS_XML, "lang"));
    doc->link = wn_feed_atom_link(ctx, root, base);
    authors = wn_feed_atom_authors(ctx, root);
    for (xmlNodePtr c = wn_feed_elem(root->children); c != NULL && ctx->rc == 0;
         c = wn_feed_elem(c->next))
    {
        if (wn_feed_is(c, ctx->atom_ns, "entry")) {
            n++;
        } else if (wn_feed_is(c, ctx->atom_ns, "title")) {
            if (doc->title == NULL) {
                doc->title = wn_feed_atom_text(ctx, c);
            }
        } else if (wn_feed_is(c, ctx->atom_ns, "subtitle")
                   || wn_feed_is(c, ctx->atom_ns, "tagline")) {
            if (doc->description == NULL) {
                doc->description = wn_feed_atom_text(ctx, c);
            }
        } else if (wn_feed_is(c, ctx->atom_ns, "updated")
                   || wn_feed_is(c, ctx->atom_ns, "modified")) {
            if (doc->updated == WN_TIME_NONE) {
                doc->updated = wn_feed_time(ctx, c);
            }
        }
    }
    n = n < ctx->max_items ? n : ctx->max_items;
    if (n > 0 && ctx->rc == 0) {
        doc->items = wn_arena_alloc(ctx->arena, n * sizeof(*doc->items));
        if (doc->items == NULL) {
            wn_feed_fail(ctx, WN_ETOOBIG);
        }
    }
    for (xmlNodePtr c = wn_feed_elem(root->children);
         c != NULL && ctx->rc == 0 && doc->nitems < n;
         c = wn_feed_elem(c->next))
    {
        if (wn_feed_is(c, ctx->atom_ns, "entry")
            && wn_feed_atom_entry(ctx, c, base, authors,
                                  &doc->items[doc->nitems]))
        {
            doc->nitems++;
        }
    }
    return ctx->rc;
}
