/*
 * generic.c: placeholder generic cleaner: chooses <article>, <main> or
 * <body> and removes page chrome.  Replaced by the real cleaner.
 */
#include <stddef.h>

#include <winnow/winnow.h>

static const struct wn_host *generic_host;

static int
generic_init(const struct wn_host *host, const void *conf, void **state,
             struct wn_err *err)
{
    (void) conf;
    (void) err;
    *state = (void *) (size_t) 1;
    generic_host = host;
    return 0;
}

static int
generic_process(void *state, struct wn_call *call, const struct wn_item *item,
                struct wn_doc *doc)
{
    const struct wn_host *h = generic_host;

    (void) state;
    (void) item;
    h->remove_xpath(call, doc, "//nav|//footer|//aside|//header|//form",
                    "chrome");
    if (h->main_node(doc) == NULL
        && h->select_main(call, doc, "//article") == WN_EDECLINED)
    {
        h->select_main(call, doc, "//main");
    }
    return 0;
}

WN_PLUGIN_DESCRIPTOR = {
    WN_PLUGIN_INIT,
    .flags = WN_PLUGIN_F_GENERIC,
    .name = "generic",
    .version = "0.0.1",
    .summary = "placeholder generic cleaner",
    .init = generic_init,
    .process = generic_process,
};
