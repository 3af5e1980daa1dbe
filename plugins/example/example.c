/*
 * example.c: the template a plugin author copies.  It cleans pages of
 * example.com and its subdomains: removes the site's promo boxes by class,
 * drops "Advertisement" labels by pattern, and names the site.  Everything
 * it does goes through the host table, so it links with --no-undefined and
 * resolves nothing from winnowd.
 *
 * Copy this folder to plugins/<yoursite>/, rename the file, the descriptor's
 * name (it must match wn_<name>.so) and the hosts, and build it in this tree
 * or against the installed SDK (docs/plugins.md).
 */
#include <stdio.h>
#include <stdlib.h>

#include <winnow/winnow.h>

/* The plugin's configuration: [plugin:example] in winnow.conf. */
struct example_conf {
    const char *promo_class; /* class of the site's promo boxes */
    int drop_ads;            /* drop "Advertisement" labels */
};

/* State built once by init and only read by process (several threads). */
struct example_state {
    const struct wn_host *host;
    char promo_xpath[256];
    int drop_ads;
};

static const struct wn_directive example_directives[] = {
    { "promo_class", WN_DIRECTIVE_STRING, "promo",
      offsetof(struct example_conf, promo_class), 0, 0,
      "class name of promotion boxes to remove" },
    { "drop_ads", WN_DIRECTIVE_BOOL, "yes",
      offsetof(struct example_conf, drop_ads), 0, 0,
      "remove blocks that only say Advertisement" },
    { 0 },
};

static const char *const example_hosts[] = { "example.com", "*.example.com",
                                             NULL };

static int
example_init(const struct wn_host *host, const void *conf, void **state,
             struct wn_err *err)
{
    const struct example_conf *c = conf;
    struct example_state *st;
    int n;

    st = calloc(1, sizeof(*st));
    if (st == NULL) {
        err->code = WN_ENOMEM;
        snprintf(err->msg, sizeof(err->msg), "out of memory");
        return WN_ENOMEM;
    }
    st->host = host;
    st->drop_ads = c->drop_ads;
    n = snprintf(
        st->promo_xpath, sizeof(st->promo_xpath),
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' %s ')]",
        c->promo_class);
    if (n < 0 || (size_t) n >= sizeof(st->promo_xpath)) {
        free(st);
        err->code = WN_ECONFIG;
        snprintf(err->msg, sizeof(err->msg), "promo_class is too long");
        return WN_ECONFIG;
    }
    *state = st;
    return 0;
}

static int
example_process(void *state, struct wn_call *call, const struct wn_item *item,
                struct wn_doc *doc)
{
    const struct example_state *st = state;
    const struct wn_host *h = st->host;
    int n;

    (void) item;
    /* The article body, when the page has the site's usual wrapper. */
    h->select_main(call, doc, "//div[@id='story']");

    n = h->remove_xpath(call, doc, st->promo_xpath, "example: promo box");
    if (n < 0) {
        return h->set_error(call, n, "bad promo xpath");
    }
    if (st->drop_ads) {
        h->drop_matching(call, doc, "^(?i)advertisement$", "example: ad label");
    }
    if (h->meta_get(doc, WN_META_SITE) == NULL) {
        h->meta_set(call, doc, WN_META_SITE, "Example News");
    }
    return 0;
}

static void
example_fini(void *state)
{
    free(state);
}

WN_PLUGIN_DESCRIPTOR = {
    WN_PLUGIN_INIT,
    .name = "example",
    .version = "1.0.0",
    .summary = "template: promo boxes and ad labels on example.com",
    .hosts = example_hosts,
    .directives = example_directives,
    .conf_size = sizeof(struct example_conf),
    .init = example_init,
    .process = example_process,
    .fini = example_fini,
};
