/*
 * tp.c: test plugins for the loader and the chain, one variant per build
 * (-DTP_VARIANT=...): well-formed ones and every kind of broken descriptor
 * the host must refuse.  Never installed.
 */
#include <stdlib.h>
#include <string.h>

#include <winnow/winnow.h>

#define TP_OK          0
#define TP_BAD_MAJOR   1
#define TP_NEWER_MINOR 2
#define TP_SHORT       3
#define TP_NO_PROCESS  4
#define TP_BAD_NAME    5
#define TP_RESERVED    6
#define TP_NO_SYMBOL   7
#define TP_INIT_FAILS  8
#define TP_FAILS       9
#define TP_GARBAGE     10
#define TP_SLOW        11
#define TP_BAD_UTF8    12
#define TP_HUGE        13

#ifndef TP_VARIANT
#error "TP_VARIANT must be set"
#endif

struct tp_conf {
    long level;
    int enabled;
    const char *label;
};

struct tp_state {
    const struct wn_host *host;
    struct tp_conf conf;
};

static const struct wn_directive tp_directives[] = {
    { "level", WN_DIRECTIVE_INT, "3", offsetof(struct tp_conf, level), 1, 10,
      "a number from 1 to 10" },
    { "enabled", WN_DIRECTIVE_BOOL, "yes", offsetof(struct tp_conf, enabled), 0,
      0, "a switch" },
    { "label", WN_DIRECTIVE_STRING, "none", offsetof(struct tp_conf, label), 0,
      0, "a string" },
    { 0 },
};

static const char *const tp_hosts[] = { "tp.example", "*.tp.example", NULL };

#if TP_VARIANT == TP_RESERVED
static int tp_marker; /* any non-NULL pointer for a reserved field */
#endif

static int
tp_init(const struct wn_host *host, const void *conf, void **state,
        struct wn_err *err)
{
#if TP_VARIANT == TP_INIT_FAILS
    (void) host;
    (void) conf;
    (void) state;
    err->code = WN_ECONFIG;
    strncpy(err->msg, "needs a license key", sizeof(err->msg) - 1);
    return WN_ECONFIG;
#else
    struct tp_state *st;

    (void) err;
    st = calloc(1, sizeof(*st));
    if (st == NULL) {
        return WN_ENOMEM;
    }
    st->host = host;
    memcpy(&st->conf, conf, sizeof(st->conf));
    *state = st;
    return 0;
#endif
}

#if TP_VARIANT != TP_NO_PROCESS
static int
tp_process(void *state, struct wn_call *call, const struct wn_item *item,
           struct wn_doc *doc)
{
    struct tp_state *st = state;
    const struct wn_host *h = st->host;

    (void) item;
#if TP_VARIANT == TP_FAILS
    (void) doc;
    return h->set_error(call, WN_EPLUGIN, "cannot handle this page (level %ld)",
                        st->conf.level);
#elif TP_VARIANT == TP_GARBAGE
    /* Removes every block: a page with nothing left. */
    struct wn_block *b;
    size_t n;
    if (h->blocks(call, doc, &b, &n) != 0) {
        return WN_EPLUGIN;
    }
    for (size_t i = 0; i < n; i++) {
        h->remove_node(call, doc, b[i].node, "tp: everything");
    }
    return 0;
#elif TP_VARIANT == TP_BAD_UTF8
    /* Appends a paragraph of bytes that are not UTF-8. */
    (void) call;
    xmlNodePtr body = xmlDocGetRootElement(h->doc_tree(doc));
    xmlNodePtr p = xmlNewNode(NULL, (const xmlChar *) "p");
    xmlAddChild(p, xmlNewText((const xmlChar *) "bad \xff\xfe\xc0\x80 bytes"));
    xmlAddChild(body, p);
    return 0;
#elif TP_VARIANT == TP_HUGE
    /* Appends a paragraph of 20 MiB. */
    size_t len = 20u << 20;
    char *big = malloc(len + 1);
    xmlNodePtr body = xmlDocGetRootElement(h->doc_tree(doc));
    xmlNodePtr p = xmlNewNode(NULL, (const xmlChar *) "p");
    if (big == NULL) {
        return h->set_error(call, WN_ENOMEM, "out of memory");
    }
    memset(big, 'a', len);
    big[len] = '\0';
    xmlAddChild(p, xmlNewText((const xmlChar *) big));
    free(big);
    xmlAddChild(body, p);
    return 0;
#elif TP_VARIANT == TP_SLOW
    (void) doc;
    while (!h->should_stop(call)) {
    }
    return 0;
#else
    if (!st->conf.enabled) {
        return WN_EDECLINED;
    }
    h->remove_xpath(call, doc, "//*[@class='tp-junk']", "tp: junk class");
    h->meta_set(call, doc, WN_META_SITE, st->conf.label);
    return 0;
#endif
}
#endif

static void
tp_fini(void *state)
{
    free(state);
}

#if TP_VARIANT == TP_NO_SYMBOL
/* A shared object that is not a winnow plugin: the descriptor under
 * another name. */
extern WN_EXPORT const struct wn_plugin tp_other_symbol;
WN_EXPORT const struct wn_plugin tp_other_symbol = {
#else
WN_PLUGIN_DESCRIPTOR = {
#endif
#if TP_VARIANT == TP_BAD_MAJOR
    .abi_major = WN_PLUGIN_ABI_MAJOR + 1,
    .abi_minor = 0,
    .size = sizeof(struct wn_plugin),
#elif TP_VARIANT == TP_NEWER_MINOR
    .abi_major = WN_PLUGIN_ABI_MAJOR,
    .abi_minor = WN_PLUGIN_ABI_MINOR + 1,
    .size = sizeof(struct wn_plugin),
#elif TP_VARIANT == TP_SHORT
.abi_major = WN_PLUGIN_ABI_MAJOR, .abi_minor = WN_PLUGIN_ABI_MINOR,
                                  .size = offsetof(struct wn_plugin, fini),
#else
WN_PLUGIN_INIT,
#endif
#if TP_VARIANT == TP_BAD_NAME
    .name = "someone_else",
#else
    .name = TP_NAME,
#endif
    .version = "9.9.9",
    .summary = "test plugin",
    .hosts = tp_hosts,
    .directives = tp_directives,
    .conf_size = sizeof(struct tp_conf),
    .init = tp_init,
#if TP_VARIANT != TP_NO_PROCESS
    .process = tp_process,
#endif
    .fini = tp_fini,
#if TP_VARIANT == TP_RESERVED
    .reserved = { (void *) &tp_marker },
#endif
};
