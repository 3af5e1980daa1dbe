/*
 * wn_feed_jsonfeed.c: JSON Feed 1.0 and 1.1 (https://jsonfeed.org) to
 * items, through jansson.  A JSON Feed is a JSON object whose "version" is
 * a jsonfeed.org version URL; the fields map to the contract as
 *
 *   title, home_page_url, description, language     the feed's
 *   id (a string; numbers, which feeds send, as written), url (else
 *   external_url), title, summary, content_html (else content_text
 *   escaped), date_published, date_modified, authors (1.1) or author
 *   (1.0), else the feed's, tags, attachments (url, mime_type,
 *   size_in_bytes)                                   an item's
 *
 * Text fields are plain text already (white space is folded); URLs go
 * through the same resolution and scheme check as XML feeds' links.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include <winnow/host.h>

#include "wn_err.h"
#include "wn_feed_int.h"

#define WN_JSONFEED_VERSION  "://jsonfeed.org/version/"
#define WN_JSONFEED_MAX_TAGS WN_FEED_MAX_CATEGORIES

int
wn_feed_jsonfeed_sniff(const char *text, size_t len)
{
    size_t i = 0;

    while (i < len
           && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r'
               || text[i] == '\n'))
    {
        i++;
    }
    return i < len && text[i] == '{';
}

/* obj[key] when it is a non-empty string, else NULL (borrowed). */
static const char *
wn_jsonfeed_str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;

    return s != NULL && *s != '\0' ? s : NULL;
}

/* The names in a 1.1 "authors" array or a 1.0 "author" object, joined. */
static const char *
wn_jsonfeed_authors(struct wn_feed_ctx *ctx, json_t *obj)
{
    json_t *arr = json_object_get(obj, "authors");
    json_t *one = json_object_get(obj, "author");
    const char *all = NULL;
    size_t i;
    json_t *a;

    if (json_is_array(arr)) {
        json_array_foreach(arr, i, a)
        {
            all = wn_feed_join(ctx, all,
                               wn_feed_plain(ctx, wn_jsonfeed_str(a, "name")));
        }
    }
    if (all == NULL && json_is_object(one)) {
        all = wn_feed_plain(ctx, wn_jsonfeed_str(one, "name"));
    }
    return all;
}

/* An item's id as the feed wrote it: a string, or a number's digits. */
static const char *
wn_jsonfeed_id(struct wn_feed_ctx *ctx, json_t *item)
{
    json_t *v = json_object_get(item, "id");
    char num[32];

    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        return wn_feed_plain(ctx, s); /* NULL when only white space */
    }
    if (json_is_integer(v)) {
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
                 json_integer_value(v));
        return wn_feed_dup(ctx, num);
    }
    return NULL;
}

static void
wn_jsonfeed_attachments(struct wn_feed_ctx *ctx, json_t *arr)
{
    size_t i;
    json_t *a;

    if (!json_is_array(arr)) {
        return;
    }
    json_array_foreach(arr, i, a)
    {
        json_t *size = json_object_get(a, "size_in_bytes");
        int64_t length = -1;

        if (json_is_integer(size) && json_integer_value(size) >= 0) {
            length = (int64_t) json_integer_value(size);
        } else if (json_is_real(size) && json_real_value(size) >= 0
                   && json_real_value(size) < 9e18)
        {
            length = (int64_t) json_real_value(size);
        }
        wn_feed_item_enclosure(
            ctx, wn_feed_link(ctx, ctx->url, wn_jsonfeed_str(a, "url")),
            wn_jsonfeed_str(a, "mime_type"), length);
    }
}

/* One item; returns 1 when it is kept. */
static int
wn_jsonfeed_item(struct wn_feed_ctx *ctx, json_t *obj, const char *authors,
                 struct wn_feed_item *it)
{
    json_t *tags = json_object_get(obj, "tags");
    const char *text;
    size_t i;
    json_t *t;

    memset(it, 0, sizeof(*it));
    it->link = wn_feed_link(ctx, ctx->url, wn_jsonfeed_str(obj, "url"));
    if (it->link == NULL) {
        it->link =
            wn_feed_link(ctx, ctx->url, wn_jsonfeed_str(obj, "external_url"));
    }
    it->title = wn_feed_plain(ctx, wn_jsonfeed_str(obj, "title"));
    it->summary = wn_feed_plain(ctx, wn_jsonfeed_str(obj, "summary"));
    it->content_html = wn_feed_dup(ctx, wn_jsonfeed_str(obj, "content_html"));
    text = wn_jsonfeed_str(obj, "content_text");
    if (it->content_html == NULL && text != NULL) {
        it->content_html = wn_feed_escaped(ctx, text);
    }
    it->published = wn_feed_time_str(ctx, wn_jsonfeed_str(obj, "date_published"));
    it->updated = wn_feed_time_str(ctx, wn_jsonfeed_str(obj, "date_modified"));
    it->author = wn_jsonfeed_authors(ctx, obj);
    if (it->author == NULL) {
        it->author = authors;
    }
    if (json_is_array(tags)) {
        json_array_foreach(tags, i, t)
        {
            if (json_is_string(t)) {
                wn_feed_item_category(ctx,
                                      wn_feed_plain(ctx, json_string_value(t)));
            }
        }
    }
    wn_jsonfeed_attachments(ctx, json_object_get(obj, "attachments"));
    return wn_feed_item_finish(ctx, it, wn_jsonfeed_id(ctx, obj));
}

int
wn_feed_jsonfeed_parse(struct wn_feed_ctx *ctx, const char *text, size_t len)
{
    struct wn_feed_doc *doc = ctx->doc;
    json_error_t jerr;
    json_t *root, *items;
    const char *version, *authors;
    size_t n, i;
    json_t *obj;

    root = json_loadb(text, len, 0, &jerr);
    if (root == NULL) {
        return wn_err_set(ctx->err, WN_EPARSE, "line %d: JSON: %s", jerr.line,
                          jerr.text);
    }
    version = wn_jsonfeed_str(root, "version");
    if (!json_is_object(root) || version == NULL
        || strstr(version, WN_JSONFEED_VERSION) == NULL)
    {
        json_decref(root);
        return wn_err_set(ctx->err, WN_ENOTFEED,
                          "JSON without a jsonfeed.org \"version\" is not a "
                          "feed");
    }
    doc->format = WN_FEED_JSONFEED;
    doc->title = wn_feed_plain(ctx, wn_jsonfeed_str(root, "title"));
    doc->link =
        wn_feed_link(ctx, ctx->url, wn_jsonfeed_str(root, "home_page_url"));
    doc->description = wn_feed_plain(ctx, wn_jsonfeed_str(root, "description"));
    doc->language = wn_feed_plain(ctx, wn_jsonfeed_str(root, "language"));
    authors = wn_jsonfeed_authors(ctx, root);
    items = json_object_get(root, "items");
    n = json_is_array(items) ? json_array_size(items) : 0;
    n = n < ctx->max_items ? n : ctx->max_items;
    if (n > 0 && ctx->rc == 0) {
        doc->items = wn_arena_alloc(ctx->arena, n * sizeof(*doc->items));
        if (doc->items == NULL) {
            wn_feed_fail(ctx, WN_ETOOBIG);
        }
    }
    json_array_foreach(items, i, obj)
    {
        if (ctx->rc != 0 || doc->nitems >= n) {
            break;
        }
        if (json_is_object(obj)
            && wn_jsonfeed_item(ctx, obj, authors, &doc->items[doc->nitems]))
        {
            doc->nitems++;
        }
    }
    json_decref(root);
    return ctx->rc;
}
