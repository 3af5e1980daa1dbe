/*
 * wn_extract.h: one page (or plain text) to one article: parse, run the
 * plugin chain, fall back to the generic cleaner when a plugin fails, and
 * normalize what is left into the stored text format.  CPU work only: call
 * it on threadpool threads, never on the loop thread; it never blocks.
 */
#ifndef WN_EXTRACT_H
#define WN_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include <winnow/host.h>

#include "wn_doc.h"
#include "wn_plugin.h"
#include "wn_shingle.h"
#include "wn_text.h"

#define WN_EXTRACT_ARENA_MAX (64u << 20) /* memory per page */
#define WN_ARTICLE_TEXT_MAX  (4u << 20)  /* bytes of stored text */

/* Input flags. */
#define WN_EXTRACT_TEXT         0x1u /* data is plain text, one block a line */
#define WN_EXTRACT_EXPLAIN      0x2u /* keep the removal record */
#define WN_EXTRACT_FEED_CONTENT 0x4u /* data is the feed's content fragment */

/* Article flags. */
#define WN_ARTICLE_FALLBACK     0x1u /* a plugin failed: generic result kept */
#define WN_ARTICLE_FEED_CONTENT 0x2u /* the text comes from the feed */

struct wn_extract_in {
    const char *data; /* page bytes */
    size_t len;
    const char *url;            /* the page's URL, or NULL */
    const char *content_type;   /* HTTP Content-Type, or NULL */
    const struct wn_item *item; /* what the feed said, or NULL */
    unsigned flags;             /* WN_EXTRACT_* */
    const volatile int *stop;   /* set when the daemon stops, or NULL */
};

struct wn_article {
    struct wn_arena *arena; /* owns everything below */
    const char *text;       /* normalized body, "" when nothing left */
    size_t len;
    size_t words;
    size_t paragraphs;
    const char *meta[WN_META_COUNT];
    const char **tags;
    size_t ntags;
    const char *plugins; /* "name/version ..." of those that ran */
    char hash[WN_TEXT_HASH_HEX + 1];
    uint64_t simhash;
    /* The bottom-k sketch of the text's shingles (wn_shingle.h), made on
     * the cleaning thread so the store's writer need not; nsketch 0: not
     * made (the store then makes it). */
    uint64_t sketch[WN_SHINGLE_SKETCH];
    size_t nsketch;
    unsigned flags;              /* WN_ARTICLE_* */
    const char *main_why;        /* how the main node was chosen */
    struct wn_removal *removals; /* with WN_EXTRACT_EXPLAIN */
    size_t nremovals;
};

/*
 * Cleans one page.  On success *out is a new article the caller frees with
 * wn_article_free(); a plugin's failure is not an error (the generic result
 * is kept and WN_ARTICLE_FALLBACK set).  Errors: WN_EPARSE, WN_ETOOBIG,
 * WN_ENOMEM, WN_ECANCELED, with err naming the URL.
 */
int wn_extract(const struct wn_plugins *plugins, const struct wn_extract_in *in,
               struct wn_article **out, struct wn_err *err);

void wn_article_free(struct wn_article *a);

#endif /* WN_EXTRACT_H */
