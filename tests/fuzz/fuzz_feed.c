/*
 * fuzz_feed.c: the feed parser and its JSON output on arbitrary bytes.  The
 * first byte picks the URL the feed claims (none, http, file) so relative
 * link resolution is exercised too, the date rule (a zone for zoneless
 * times, future times kept), and for two values in eight the same bytes
 * go to the OPML reader and to feed autodiscovery instead.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wn_feed.h"
#include "wn_feed_list.h"
#include "wn_html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fuzz_feed_ref(const struct wn_feed_ref *ref, void *arg)
{
    size_t *n = arg;

    *n += strlen(ref->url) + (ref->title != NULL ? strlen(ref->title) : 0);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const urls[] = { NULL, "https://example.com/feeds/a.xml",
                                         "file:///srv/feeds/a.xml" };
    static int ready;
    struct wn_feed_opts opts = { 0 };
    struct wn_feed_doc *doc = NULL;
    struct wn_err err;
    char *json = NULL;

    if (!ready) {
        wn_html_global_init();
        wn_feed_global_init();
        ready = 1;
    }
    if (size == 0) {
        return 0;
    }
    opts.url = urls[data[0] % 3];
    if (data[0] % 8 == 6 || data[0] % 8 == 7) {
        size_t n = 0;
        if (data[0] % 8 == 6) {
            wn_feed_opml((const char *) data + 1, size - 1, opts.url,
                         fuzz_feed_ref, &n, &err);
        } else {
            wn_feed_discover((const char *) data + 1, size - 1, opts.url, NULL,
                             fuzz_feed_ref, &n, &err);
        }
        return 0;
    }
    opts.zone_minutes = (data[0] & 0x10) ? 120 : 0;
    opts.keep_future = (data[0] & 0x20) != 0;
    if (wn_feed_parse((const char *) data + 1, size - 1, &opts, &doc, &err) == 0) {
        if (wn_feed_to_json(doc, &json) == 0) {
            free(json);
        }
        wn_feed_free(doc);
    }
    return 0;
}
