/*
 * generic.c: the generic cleaner's descriptor, directives and lifecycle,
 * and process(), which runs the steps of the other files in order:
 * metadata, page chrome, main-content choice (HTML pages only, and only
 * when no earlier plugin chose the main node), then the boilerplate
 * filters.  It
 * cleans any site with no site rule; see README.md beside it.
 *
 * Thread safety: process() runs on several threadpool threads at once.
 * The state (filter switches, compiled patterns) is built by init() and
 * only read afterwards; PCRE2 match data, which a match writes, is made per
 * call.  Per-call memory comes from the host's arena or is freed before
 * process() returns.
 */
#include "generic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const generic_filter_names[GENERIC_F_COUNT] = {
    [GENERIC_F_CHROME] = "chrome",
    [GENERIC_F_CONSENT] = "consent",
    [GENERIC_F_APP_BANNERS] = "app_banners",
    [GENERIC_F_NEWSLETTERS] = "newsletters",
    [GENERIC_F_SHARE] = "share",
    [GENERIC_F_COMMENTS] = "comments",
    [GENERIC_F_CAPTIONS] = "captions",
    [GENERIC_F_BYLINES] = "bylines",
    [GENERIC_F_TAGS] = "tags",
    [GENERIC_F_DATELINES] = "datelines",
    [GENERIC_F_COPYRIGHT] = "copyright",
    [GENERIC_F_SOURCES] = "sources",
    [GENERIC_F_REPEATS] = "repeats",
    [GENERIC_F_RELATED] = "related",
    [GENERIC_F_ADS] = "ads",
    [GENERIC_F_TITLE] = "title",
    [GENERIC_F_TRAILER] = "trailer",
};

/* [plugin:generic] in winnow.conf: one switch per filter. */
struct generic_conf {
    int filter[GENERIC_F_COUNT];
};

/* "filter_<name>" for filter f; init() checks the names agree. */
#define GENERIC_DIRECTIVE(name, f, what)                                       \
    {                                                                          \
        "filter_" name, WN_DIRECTIVE_BOOL, "yes",                              \
            offsetof(struct generic_conf, filter)                              \
                + sizeof(int) * (size_t) (f),                                  \
            0, 0, what                                                         \
    }

static const struct wn_directive generic_directives[] = {
    GENERIC_DIRECTIVE(
        "chrome", GENERIC_F_CHROME,
        "remove nav, page header, footer, aside, forms and hidden elements"),
    GENERIC_DIRECTIVE("consent", GENERIC_F_CONSENT,
                      "remove cookie and consent notices"),
    GENERIC_DIRECTIVE(
        "app_banners", GENERIC_F_APP_BANNERS,
        "remove app-store banners (\"Download on the App Store\")"),
    GENERIC_DIRECTIVE("newsletters", GENERIC_F_NEWSLETTERS,
                      "remove newsletter and subscription prompts"),
    GENERIC_DIRECTIVE("share", GENERIC_F_SHARE,
                      "remove share bars and follow-us lines"),
    GENERIC_DIRECTIVE("comments", GENERIC_F_COMMENTS,
                      "remove comment sections and comment prompts"),
    GENERIC_DIRECTIVE(
        "captions", GENERIC_F_CAPTIONS,
        "remove figures, captions, photo credits and image file names"),
    GENERIC_DIRECTIVE("bylines", GENERIC_F_BYLINES,
                      "remove bylines and author bios"),
    GENERIC_DIRECTIVE("tags", GENERIC_F_TAGS,
                      "remove tag and topic lists (\"Tags: a | b\")"),
    GENERIC_DIRECTIVE("datelines", GENERIC_F_DATELINES,
                      "remove lines that are only a date or a reading time"),
    GENERIC_DIRECTIVE("copyright", GENERIC_F_COPYRIGHT,
                      "remove copyright, trademark and imprint lines"),
    GENERIC_DIRECTIVE("sources", GENERIC_F_SOURCES,
                      "remove source lines (\"Source: agencies\")"),
    GENERIC_DIRECTIVE("repeats", GENERIC_F_REPEATS,
                      "remove repeated blocks and truncated teaser echoes"),
    GENERIC_DIRECTIVE(
        "related", GENERIC_F_RELATED,
        "remove related-story lists, link lists and read-more lines"),
    GENERIC_DIRECTIVE("ads", GENERIC_F_ADS,
                      "remove ad slots and \"Advertisement\" labels"),
    GENERIC_DIRECTIVE("title", GENERIC_F_TITLE,
                      "remove the headline where the body repeats it"),
    GENERIC_DIRECTIVE("trailer", GENERIC_F_TRAILER,
                      "remove short blocks after the article's end marker"),
    { 0 },
};

int
generic_enabled(const struct generic_run *r, int filter)
{
    return filter >= 0 && filter < GENERIC_F_COUNT && r->st->on[filter];
}

int
generic_remove(struct generic_run *r, xmlNodePtr node, int filter)
{
    return r->h->remove_node(r->call, r->doc, node,
                             generic_filter_names[filter]);
}

int
generic_stop(struct generic_run *r)
{
    if (!r->stopped && r->h->should_stop(r->call)) {
        r->stopped = 1;
    }
    return r->stopped;
}

static int
generic_init(const struct wn_host *host, const void *conf, void **state,
             struct wn_err *err)
{
    const struct generic_conf *c = conf;
    struct generic_state *st;
    int rc;

    for (int f = 0; f < GENERIC_F_COUNT; f++) {
        const char *name = generic_directives[f].name;
        if (name == NULL || strncmp(name, "filter_", 7) != 0
            || strcmp(name + 7, generic_filter_names[f]) != 0)
        {
            err->code = WN_EINVAL;
            snprintf(err->msg, sizeof(err->msg),
                     "directive %d does not name filter %s", f,
                     generic_filter_names[f]);
            return WN_EINVAL;
        }
    }
    st = calloc(1, sizeof(*st));
    if (st == NULL) {
        err->code = WN_ENOMEM;
        snprintf(err->msg, sizeof(err->msg), "out of memory");
        return WN_ENOMEM;
    }
    st->host = host;
    for (int f = 0; f < GENERIC_F_COUNT; f++) {
        st->on[f] = c != NULL ? c->filter[f] : 1;
    }
    rc = generic_hint_init(st, err);
    if (rc == 0) {
        rc = generic_patterns_init(st, err);
    }
    if (rc != 0) {
        generic_patterns_free(st);
        free(st);
        return rc;
    }
    *state = st;
    return 0;
}

static int
generic_process(void *state, struct wn_call *call, const struct wn_item *item,
                struct wn_doc *doc)
{
    const struct generic_state *st = state;
    const struct wn_host *h = st->host;
    struct generic_run r;
    int rc = 0;

    memset(&r, 0, sizeof(r));
    r.st = st;
    r.h = h;
    r.call = call;
    r.doc = doc;
    r.xml = h->doc_tree(doc);
    r.doc_flags = h->doc_flags(doc);
    r.tree_main = -1;
    if (r.xml == NULL) {
        return h->set_error(call, WN_EINVAL, "no document");
    }
    r.md = pcre2_match_data_create(4, NULL);
    r.mc = pcre2_match_context_create(NULL);
    if (r.md == NULL || r.mc == NULL) {
        rc = h->set_error(call, WN_ENOMEM, "out of memory");
        goto done;
    }
    pcre2_set_match_limit(r.mc, GENERIC_MATCH_LIMIT);

    if (r.doc_flags & WN_DOC_TEXT) {
        r.title = h->meta_get(doc, WN_META_TITLE);
        if (r.title == NULL && item != NULL) {
            r.title = item->title;
        }
    } else {
        rc = generic_meta_extract(&r, item);
        /* A feed's own content is the article already: no page to find
         * it in, only boilerplate to filter. */
        if (rc == 0 && h->main_node(doc) == NULL
            && !(r.doc_flags & WN_DOC_FEED_CONTENT))
        {
            struct wn_block *blocks;
            size_t n;
            /* The host's block walk wraps loose text in <p> elements, so
             * that every run of text is a paragraph the scoring can see. */
            rc = h->blocks(call, doc, &blocks, &n);
            if (rc == 0) {
                rc = generic_chrome_remove(&r);
                rc = rc < 0 ? rc : 0;
            }
            if (rc == 0) {
                rc = generic_main_choose(&r);
            }
        }
    }
    if (rc == 0) {
        rc = generic_filter_main(&r);
    }
    if (rc == 0 && r.stopped) {
        rc = WN_ETIMEOUT;
    }
    if (rc != 0) {
        rc = h->set_error(call, rc, "%s",
                          rc == WN_ETIMEOUT ? "stopped: time budget spent"
                                            : "cleaning failed");
    }
done:
    generic_tree_free(&r.tree);
    pcre2_match_context_free(r.mc);
    pcre2_match_data_free(r.md);
    return rc;
}

static void
generic_fini(void *state)
{
    struct generic_state *st = state;

    if (st != NULL) {
        generic_patterns_free(st);
        free(st);
    }
}

WN_PLUGIN_DESCRIPTOR = {
    WN_PLUGIN_INIT,
    .flags = WN_PLUGIN_F_GENERIC,
    .name = "generic",
    .version = "1.0.0",
    .summary =
        "main-content scoring and named boilerplate filters for any site",
    .directives = generic_directives,
    .conf_size = sizeof(struct generic_conf),
    .init = generic_init,
    .process = generic_process,
    .fini = generic_fini,
};
