/*
 * winnow/host.h: what the host gives a plugin: the versioned table of host
 * functions passed to init(), the item a page belongs to, the text blocks of
 * a document, and the metadata keys.
 *
 * Plugins call the daemon only through struct wn_host, so they resolve
 * nothing from winnowd at link time (link with --no-undefined).  The table
 * is append-only: a plugin that uses a function added after v1.0 checks
 * host->abi_minor (or that the pointer is not NULL) first.
 *
 * Ownership: everything a host function returns is allocated from the
 * call's arena and freed by the host after the document is stored; plugins
 * never free it.  The document's libxml2 tree belongs to the host; plugins
 * may read and change it, and must remove nodes only through remove_node()
 * (or unlink and free them themselves, never touching the main node's
 * ancestors), so that --explain stays complete.
 */
#ifndef WINNOW_HOST_H
#define WINNOW_HOST_H

#include <libxml/tree.h>
#include <stddef.h>
#include <stdint.h>

#include <winnow/error.h>

struct wn_call; /* one process() call: arena, logger, error, budget */
struct wn_doc;  /* the document being cleaned */

/* Log levels are the syslog priorities. */
enum wn_log_level {
    WN_LOG_ERR = 3,     /* data lost or a feed disabled */
    WN_LOG_WARNING = 4, /* degraded, retrying */
    WN_LOG_NOTICE = 5,  /* state changes */
    WN_LOG_INFO = 6,    /* one line per fetch */
    WN_LOG_DEBUG = 7    /* per-item detail */
};

/* Metadata keys of a document.  Times are stored as RFC 3339 UTC strings. */
enum wn_meta {
    WN_META_TITLE = 0,
    WN_META_AUTHOR,
    WN_META_PUBLISHED,
    WN_META_UPDATED,
    WN_META_SITE,
    WN_META_LANG,
    WN_META_CANONICAL,
    WN_META_DESCRIPTION,
    WN_META_COUNT
};

/* A time that is not known. */
#define WN_TIME_NONE INT64_MIN

/* Document flags (doc_flags()). */
#define WN_DOC_TEXT         0x1u /* built from plain text, one <p> per line */
#define WN_DOC_FEED_CONTENT 0x2u /* built from the feed's own content */

/*
 * What the feed said about the item whose page is being cleaned.  Read only;
 * fields the feed did not have are NULL or WN_TIME_NONE.
 */
struct wn_item {
    uint32_t size;            /* sizeof(struct wn_item) of the host */
    const char *url;          /* the page's absolute URL, or NULL */
    const char *feed_url;     /* the feed's URL, or NULL */
    const char *feed_title;   /* plain text */
    const char *title;        /* plain text */
    const char *author;       /* plain text */
    const char *summary;      /* plain text */
    const char *content_html; /* the feed's content as it gave it, or NULL */
    int64_t published;        /* Unix seconds UTC */
};

/* Tag classes (tag_flags()). */
#define WN_TAG_BLOCK   0x1u /* rendered on lines of its own: p, div, li, h2 */
#define WN_TAG_SKIPPED 0x2u /* never text of the page: script, style, svg */

/* Block flags. */
#define WN_BLOCK_HEADING 0x01u /* h1..h6 */
#define WN_BLOCK_LIST    0x02u /* li, dt, dd */
#define WN_BLOCK_QUOTE   0x04u /* inside blockquote */
#define WN_BLOCK_PRE     0x08u /* pre: white space kept */
#define WN_BLOCK_CAPTION 0x10u /* inside figcaption, caption or figure */
#define WN_BLOCK_CELL    0x20u /* td or th */

/*
 * One block of text inside the main node: an element whose children are all
 * inline (a paragraph, a heading, a list item).  Text that sits directly in a
 * container beside block children is wrapped in a new <p> element first, so
 * every block is one element.  Blocks never nest.
 */
struct wn_block {
    xmlNodePtr node;  /* the block element */
    const char *text; /* its text, white space folded, UTF-8 */
    size_t len;       /* strlen(text) */
    size_t link_len;  /* bytes of text inside <a> elements */
    unsigned flags;   /* WN_BLOCK_* */
    unsigned depth;   /* element depth below the main node */
};

/*
 * The host function table.  All functions taking a call must be called on
 * the thread that received that call.
 */
struct wn_host {
    uint32_t abi_major; /* WN_PLUGIN_ABI_MAJOR of the host */
    uint32_t abi_minor; /* WN_PLUGIN_ABI_MINOR of the host */
    uint32_t size;      /* sizeof(struct wn_host) of the host */
    uint32_t reserved;

    /* Memory from the call's arena: freed after the document is stored.
     * Return NULL only when the arena's cap is reached. */
    void *(*alloc)(struct wn_call *call, size_t size);
    char *(*strdup)(struct wn_call *call, const char *s);

    /* One log line prefixed with "plugin NAME:"; printf-style. */
    void (*log)(struct wn_call *call, int level, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
        __attribute__((format(printf, 3, 4)))
#endif
        ;

    /* Records why process() fails; returns `code` for `return` chaining. */
    int (*set_error)(struct wn_call *call, int code, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
        __attribute__((format(printf, 3, 4)))
#endif
        ;

    /* Non-zero when the plugin's time budget is spent or the daemon stops. */
    int (*should_stop)(struct wn_call *call);

    /* The document's libxml2 tree (xmlDocPtr), its URL and WN_DOC_* flags. */
    xmlDocPtr (*doc_tree)(struct wn_doc *doc);
    const char *(*doc_url)(const struct wn_doc *doc);
    unsigned (*doc_flags)(const struct wn_doc *doc);

    /* The main-content node chosen so far, or NULL when none is chosen. */
    xmlNodePtr (*main_node)(struct wn_doc *doc);

    /* Choose `node` as the main content; `why` goes to --explain. */
    int (*set_main)(struct wn_call *call, struct wn_doc *doc, xmlNodePtr node,
                    const char *why);

    /* Choose the first node matching `xpath`; WN_EDECLINED if none does,
     * WN_EINVAL if the expression is invalid. */
    int (*select_main)(struct wn_call *call, struct wn_doc *doc,
                       const char *xpath);

    /* Remove every node matching `xpath`; returns how many, or < 0. */
    int (*remove_xpath)(struct wn_call *call, struct wn_doc *doc,
                        const char *xpath, const char *reason);

    /* Remove one node and record `reason` (the filter or rule name). */
    int (*remove_node)(struct wn_call *call, struct wn_doc *doc,
                       xmlNodePtr node, const char *reason);

    /* Remove every block whose text matches the PCRE2 pattern (UTF mode);
     * returns how many, or WN_EINVAL for a bad pattern. */
    int (*drop_matching)(struct wn_call *call, struct wn_doc *doc,
                         const char *pattern, const char *reason);

    /* The blocks of the main node (the whole body when none is chosen), in
     * document order.  The array is arena memory; removing a block's node
     * invalidates that block only. */
    int (*blocks)(struct wn_call *call, struct wn_doc *doc,
                  struct wn_block **out, size_t *n);

    /* The folded text of any node, arena memory. */
    const char *(*node_text)(struct wn_call *call, xmlNodePtr node);

    /* Metadata.  meta_set() copies `value`; times are parsed and stored as
     * RFC 3339 UTC (WN_EPARSE if unreadable).  meta_get() returns NULL when
     * unset. */
    const char *(*meta_get)(const struct wn_doc *doc, int key);
    int (*meta_set)(struct wn_call *call, struct wn_doc *doc, int key,
                    const char *value);
    int (*tag_add)(struct wn_call *call, struct wn_doc *doc, const char *tag);

    /* Parses RFC 822/2822 and RFC 3339/ISO 8601 times to Unix seconds UTC. */
    int (*parse_time)(const char *s, int64_t *out);

    /* WN_TAG_* classes of an HTML element name (lower case), as the host's
     * own block walk and text extraction see it; 0 for inline tags. */
    unsigned (*tag_flags)(const xmlChar *name);
};

#endif /* WINNOW_HOST_H */
