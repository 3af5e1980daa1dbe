/*
 * fuzz_clean.c: the whole cleaning path (HTML parse, the rules plugin with
 * the shipped conf/sites.d, the newsmax site plugin, the generic plugin's
 * filters, the normalizer) on arbitrary bytes, as a page or, when the first
 * byte is odd, as plain text.  Bits 2 and 3 of the first byte choose the
 * page's URL, so that the rules and the site plugin run on it.  Loads the
 * built plugins once.
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
#ifndef WN_SITES_DIR
#define WN_SITES_DIR "conf/sites.d"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct wn_plugins fuzz_plugins;
static struct wn_plugin_inst *fuzz_generic, *fuzz_v[3];

static struct wn_plugin_inst *
fuzz_clean_open(const char *name, const struct wn_conf_plugin *section)
{
    struct wn_plugin_inst *inst;
    struct wn_err err;
    char path[512];

    snprintf(path, sizeof(path), "%s/wn_%s.so", WN_PLUGIN_BUILD_DIR, name);
    if (wn_plugin_open(path, NULL, section, &inst, &err) != 0) {
        fprintf(stderr, "fuzz_clean: %s\n", err.msg);
        abort();
    }
    return inst;
}

static void
fuzz_clean_init(void)
{
    static char key[] = "dir", value[] = WN_SITES_DIR, name[] = "rules";
    static struct wn_conf_kv dir = { key, value, 0 };
    static struct wn_conf_plugin rules = { name, 0, &dir, 1 };

    wn_html_global_init();
    fuzz_generic = fuzz_clean_open("generic", NULL);
    fuzz_v[0] = fuzz_clean_open("rules", &rules);
    fuzz_v[1] = fuzz_clean_open("newsmax", NULL);
    fuzz_v[2] = fuzz_generic;
    fuzz_plugins.v = fuzz_v;
    fuzz_plugins.n = 3;
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
    static const char *const urls[] = {
        "https://news.example.com/2024/story",
        "https://www.aljazeera.com/news/2021/2/24/story",
        "https://www.newsmax.com/world/story/2021/02/24/id/1/",
        "https://atalayar.com/en/content/story",
    };
    in.url = urls[(data[0] >> 2) & 3];
    in.flags = (data[0] & 1) ? WN_EXTRACT_TEXT : 0;
    in.flags |= (data[0] & 2) ? WN_EXTRACT_EXPLAIN : 0;
    if (wn_extract(&fuzz_plugins, &in, &a, &err) == 0) {
        wn_article_free(a);
    }
    return 0;
}
