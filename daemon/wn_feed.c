/*
 * wn_feed.c: placeholder until the feed parser lands (RSS 2.0 and Atom 1.0).
 */
#include "wn_feed.h"

#include "wn_err.h"

void
wn_feed_global_init(void)
{
}

int
wn_feed_parse(const char *data, size_t len, const struct wn_feed_opts *opts,
              struct wn_feed_doc **out, struct wn_err *err)
{
    (void) data;
    (void) len;
    (void) opts;
    *out = NULL;
    return wn_err_set(err, WN_ENOTFEED, "feed parser not built yet");
}

void
wn_feed_free(struct wn_feed_doc *doc)
{
    (void) doc;
}

const char *
wn_feed_format_name(int format)
{
    (void) format;
    return "unknown";
}

int
wn_feed_to_json(const struct wn_feed_doc *doc, char **json)
{
    (void) doc;
    *json = NULL;
    return WN_EINVAL;
}
