/*
 * fuzz_clean.c: the whole cleaning path (HTML parse, the generic plugin's
 * filters, the normalizer) on arbitrary bytes, as a page or, when the first
 * byte is odd, as plain text.  Loads the built generic plugin once.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "wn_extract.h"
#include "wn_html.h"
#include "wn_plugin.h"

#ifndef WN_PLUGIN_BUILD_DIR
#define WN_PLUGIN_BUILD_DIR "plugins"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct wn_plugins fuzz_plugins;
static struct wn_plugin_inst *fuzz_generic;

static void
fuzz_clean_init(void)
{
    struct wn_err err;

    wn_html_global_init();
    if (wn_plugin_open(WN_PLUGIN_BUILD_DIR "/wn_generic.so", NULL, NULL,
                       &fuzz_generic, &err)
        != 0)
    {
        fprintf(stderr, "fuzz_clean: %s\n", err.msg);
        abort();
    }
    fuzz_plugins.v = &fuzz_generic;
    fuzz_plugins.n = 1;
    fuzz_plugins.generic = fuzz_generic;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wn_extract_in in = { 0 };
    struct wn_article *a = NULL;
    struct wn_err err;

    if (fuzz_generic == NULL) {
        fuzz_clean_init();
    }
    if (size == 0) {
        return 0;
    }
    in.data = (const char *) data + 1;
    in.len = size - 1;
    in.url = "https://news.example.com/2024/story";
    in.flags = (data[0] & 1) ? WN_EXTRACT_TEXT : 0;
    in.flags |= (data[0] & 2) ? WN_EXTRACT_EXPLAIN : 0;
    if (wn_extract(&fuzz_plugins, &in, &a, &err) == 0) {
        wn_article_free(a);
    }
    return 0;
}
