/*
 * fuzz_feed.c: the feed parser and its JSON output on arbitrary bytes.  The
 * first byte picks the URL the feed claims (none, http, file) so relative
 * link resolution is exercised too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "wn_feed.h"
#include "wn_html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    if (wn_feed_parse((const char *) data + 1, size - 1, &opts, &doc, &err) == 0) {
        if (wn_feed_to_json(doc, &json) == 0) {
            free(json);
        }
        wn_feed_free(doc);
    }
    return 0;
}
