/*
 * wn_doc.h: the document a page becomes while plugins clean it: the libxml2
 * tree, the chosen main node, metadata, and the record of every removal
 * (for --explain).  It implements the document half of the host table; it
 * knows nothing about plugins, loading or storage.
 *
 * A document and its calls belong to one thread at a time.
 */
#ifndef WN_DOC_H
#define WN_DOC_H

#include <libxml/tree.h>
#include <stddef.h>
#include <stdint.h>

#include <winnow/host.h>

#include "wn_arena.h"

#define WN_DOC_META_MAX 2048 /* bytes kept of one metadata value */
#define WN_DOC_TAGS_MAX 64   /* tags kept per document */
#define WN_DOC_EXCERPT  160  /* bytes of removed text kept for --explain */
#define WN_DOC_TEXT_MAX (16u << 20) /* bytes of text a document may hold */
#define WN_DOC_NODES_MAX 4000000u   /* nodes a document may hold */

/* One removal, for --explain. */
struct wn_removal {
    const char *plugin; /* who removed it */
    const char *reason; /* the filter or rule */
    const char *text;   /* its text, cut at WN_DOC_EXCERPT bytes */
};

struct wn_doc {
    xmlDocPtr xml;   /* owned */
    xmlNodePtr main; /* chosen main content, or NULL */
    const char *url; /* arena */
    unsigned flags;  /* WN_DOC_* */
    const char *meta[WN_META_COUNT];
    const char *main_why; /* who chose the main node and why */
    const char **tags;
    size_t ntags;
    struct wn_arena *arena; /* borrowed: the item's arena */
    int explain;            /* record removals */
    const char *plugin;     /* the plugin being run, for the record */
    struct wn_removal *removals;
    size_t nremovals, removals_cap;
    xmlNodePtr *graveyard; /* removed nodes, freed with the document */
    size_t ngraveyard, graveyard_cap;
};

/*
 * The per-call context handed to process(): the arena, the plugin's name
 * for log lines, the error record and the time budget.
 */
struct wn_call {
    struct wn_arena *arena;
    struct wn_doc *doc;
    const char *plugin;       /* name, for log prefixes */
    struct wn_err err;        /* filled by set_error() */
    uint64_t deadline;        /* uv_hrtime() nanoseconds; 0: none */
    const volatile int *stop; /* non-zero when the daemon stops; may be NULL */
};

/* Makes a document around `xml` (ownership moves to the document). */
int wn_doc_init(struct wn_doc *doc, xmlDocPtr xml, const char *url,
                unsigned flags, struct wn_arena *arena, int explain);

/* Builds a document from plain text: one <p> per non-empty line. */
int wn_doc_init_text(struct wn_doc *doc, const char *text, size_t len,
                     const char *url, struct wn_arena *arena, int explain);

/* Frees the tree and removed nodes; the arena is the caller's. */
void wn_doc_free(struct wn_doc *doc);

/* The host table functions over documents (see winnow/host.h). */
void *wn_doc_alloc(struct wn_call *call, size_t size);
char *wn_doc_strdup(struct wn_call *call, const char *s);
int wn_doc_should_stop(struct wn_call *call);
xmlDocPtr wn_doc_tree(struct wn_doc *doc);
const char *wn_doc_url(const struct wn_doc *doc);
unsigned wn_doc_flags(const struct wn_doc *doc);
xmlNodePtr wn_doc_main_node(struct wn_doc *doc);
int wn_doc_set_main(struct wn_call *call, struct wn_doc *doc, xmlNodePtr node,
                    const char *why);
int wn_doc_select_main(struct wn_call *call, struct wn_doc *doc,
                       const char *xpath);
int wn_doc_remove_xpath(struct wn_call *call, struct wn_doc *doc,
                        const char *xpath, const char *reason);
int wn_doc_remove_node(struct wn_call *call, struct wn_doc *doc,
                       xmlNodePtr node, const char *reason);
int wn_doc_drop_matching(struct wn_call *call, struct wn_doc *doc,
                         const char *pattern, const char *reason);
int wn_doc_blocks(struct wn_call *call, struct wn_doc *doc,
                  struct wn_block **out, size_t *n);

/*
 * Checks what a plugin left: every text node valid UTF-8, at most
 * WN_DOC_TEXT_MAX bytes of text and WN_DOC_NODES_MAX nodes in the tree.
 * Returns 0, or WN_EGARBAGE with `why` (a static string) saying what is
 * wrong.  One walk over the tree.
 */
int wn_doc_check(const struct wn_doc *doc, const char **why);

/* wn_doc_blocks() for the host's own use: with WN_DOC_BLOCKS_TEXT_ONLY the
 * blocks carry no link_len (the normalizer needs only their text). */
#define WN_DOC_BLOCKS_TEXT_ONLY 0x1u
int wn_doc_blocks_ex(struct wn_call *call, struct wn_doc *doc, unsigned flags,
                     struct wn_block **out, size_t *n);
const char *wn_doc_node_text(struct wn_call *call, xmlNodePtr node);
const char *wn_doc_meta_get(const struct wn_doc *doc, int key);
int wn_doc_meta_set(struct wn_call *call, struct wn_doc *doc, int key,
                    const char *value);
int wn_doc_tag_add(struct wn_call *call, struct wn_doc *doc, const char *tag);

/* True when `node` is still attached to the document's tree. */
int wn_doc_attached(const struct wn_doc *doc, xmlNodePtr node);

#endif /* WN_DOC_H */
