/*
 * wn_feed_json.c: a parsed feed as the JSON object of `winnowd parse`
 * (DESIGN.md, "Command line"), with jansson.  Keys in the contract's
 * order, null for what the feed lacks, times in RFC 3339 UTC.
 */
#include <jansson.h>

#include <winnow/host.h>

#include "wn_feed.h"
#include "wn_time.h"

/* Builds one JSON value at a time; the first failure sticks. */
struct wn_feed_json {
    int failed;
};

static json_t *
wn_feed_json_str(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *
wn_feed_json_time(int64_t t)
{
    char buf[WN_TIME_BUFSZ];

    if (t == WN_TIME_NONE || wn_time_format(t, buf) == 0) {
        return json_null();
    }
    return json_string(buf);
}

/* Sets obj[key] = v, taking v; NULL v (invalid UTF-8, no memory) fails. */
static void
wn_feed_json_set(struct wn_feed_json *j, json_t *obj, const char *key,
                 json_t *v)
{
    if (v == NULL || json_object_set_new(obj, key, v) != 0) {
        j->failed = 1;
    }
}

static void
wn_feed_json_push(struct wn_feed_json *j, json_t *arr, json_t *v)
{
    if (v == NULL || json_array_append_new(arr, v) != 0) {
        j->failed = 1;
    }
}

static json_t *
wn_feed_json_item(struct wn_feed_json *j, const struct wn_feed_item *it)
{
    json_t *o = json_object(), *cats = json_array(), *encs = json_array();

    if (o == NULL || cats == NULL || encs == NULL) {
        j->failed = 1;
        json_decref(cats);
        json_decref(encs);
        return o;
    }
    wn_feed_json_set(j, o, "id", wn_feed_json_str(it->id));
    wn_feed_json_set(j, o, "title", wn_feed_json_str(it->title));
    wn_feed_json_set(j, o, "link", wn_feed_json_str(it->link));
    wn_feed_json_set(j, o, "published", wn_feed_json_time(it->published));
    wn_feed_json_set(j, o, "updated", wn_feed_json_time(it->updated));
    wn_feed_json_set(j, o, "author", wn_feed_json_str(it->author));
    wn_feed_json_set(j, o, "summary", wn_feed_json_str(it->summary));
    wn_feed_json_set(j, o, "content_html", wn_feed_json_str(it->content_html));
    for (size_t i = 0; i < it->ncategories; i++) {
        wn_feed_json_push(j, cats, wn_feed_json_str(it->categories[i]));
    }
    wn_feed_json_set(j, o, "categories", cats);
    for (size_t i = 0; i < it->nenclosures; i++) {
        const struct wn_feed_enclosure *e = &it->enclosures[i];
        json_t *eo = json_object();

        if (eo == NULL) {
            j->failed = 1;
            break;
        }
        wn_feed_json_set(j, eo, "url", wn_feed_json_str(e->url));
        wn_feed_json_set(j, eo, "type", wn_feed_json_str(e->type));
        wn_feed_json_set(j, eo, "length", json_integer(e->length));
        wn_feed_json_push(j, encs, eo);
    }
    wn_feed_json_set(j, o, "enclosures", encs);
    return o;
}

int
wn_feed_to_json(const struct wn_feed_doc *doc, char **json)
{
    struct wn_feed_json j = { 0 };
    json_t *root = json_object(), *feed = json_object(), *items = json_array();

    *json = NULL;
    if (root == NULL || feed == NULL || items == NULL) {
        json_decref(root);
        json_decref(feed);
        json_decref(items);
        return WN_ENOMEM;
    }
    wn_feed_json_set(&j, feed, "format",
                     json_string(wn_feed_format_name(doc->format)));
    wn_feed_json_set(&j, feed, "title", wn_feed_json_str(doc->title));
    wn_feed_json_set(&j, feed, "link", wn_feed_json_str(doc->link));
    wn_feed_json_set(&j, feed, "description",
                     wn_feed_json_str(doc->description));
    wn_feed_json_set(&j, feed, "language", wn_feed_json_str(doc->language));
    wn_feed_json_set(&j, feed, "updated", wn_feed_json_time(doc->updated));
    wn_feed_json_set(&j, root, "feed", feed);
    for (size_t i = 0; i < doc->nitems && !j.failed; i++) {
        wn_feed_json_push(&j, items, wn_feed_json_item(&j, &doc->items[i]));
    }
    wn_feed_json_set(&j, root, "items", items);
    if (!j.failed) {
        *json = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    }
    json_decref(root);
    if (j.failed) {
        return WN_EINVAL; /* a string that is not UTF-8, or no memory */
    }
    return *json != NULL ? 0 : WN_ENOMEM;
}
