/*
 * wn_feed_int.h: what the files of the feed parser share, and nothing the
 * rest of the daemon may use (that is wn_feed.h).  The pipeline is
 *
 *   wn_feed_enc.c    bytes in any charset -> UTF-8
 *   wn_feed_scan.c   UTF-8 -> checked, repaired XML text
 *   wn_feed.c        libxml2 tree; dispatch on the root element
 *   wn_feed_rss.c    RSS 2.0 and 0.9x tree -> items
 *   wn_feed_atom.c   Atom 1.0 tree -> items
 *   wn_feed_field.c  one element -> one field (text, HTML, link, time, id)
 *   wn_feed_json.c   items -> the JSON of `winnowd parse`
 *
 * A new family (RSS 1.0, Atom 0.3, JSON Feed) is one more file with one
 * function of the shape of wn_feed_rss_parse() and one row in wn_feed.c.
 */
#ifndef WN_FEED_INT_H
#define WN_FEED_INT_H

#include <libxml/tree.h>
#include <stddef.h>
#include <stdint.h>

#include <winnow/error.h>

#include "wn_arena.h"
#include "wn_buf.h"
#include "wn_feed.h"

/*
 * Limits beside those of wn_feed.h.  Real feeds stay far below each; a
 * document beyond one is hostile or broken, and the limit keeps the work
 * linear in the input.
 */
#define WN_FEED_MAX_ATTRS        256 /* attributes (and xmlns) per element */
#define WN_FEED_MAX_ENTITIES     32  /* <!ENTITY> declarations accepted */
#define WN_FEED_MAX_ENTITY_VALUE 256 /* bytes of one entity's text */
#define WN_FEED_MAX_CATEGORIES   64  /* kept per item; more are dropped */
#define WN_FEED_MAX_ENCLOSURES   16  /* kept per item; more are dropped */
#define WN_FEED_MAX_FIELD        WN_FEED_MAX_BYTES /* bytes of one field */
/* Everything one document keeps; only entity expansion can get near it. */
#define WN_FEED_MAX_ARENA (4 * (size_t) WN_FEED_MAX_BYTES)

/* Namespaces the parsers look for. */
#define WN_NS_ATOM    "http://www.w3.org/2005/Atom"
#define WN_NS_ATOM03  "http://purl.org/atom/ns#"
#define WN_NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define WN_NS_DC      "http://purl.org/dc/elements/1.1/"
#define WN_NS_DCTERMS "http://purl.org/dc/terms/"
#define WN_NS_RDF     "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define WN_NS_RSS2    "http://backend.userland.com/rss2"
#define WN_NS_XHTML   "http://www.w3.org/1999/xhtml"
#define WN_NS_XML     "http://www.w3.org/XML/1998/namespace"
#define WN_NS_RSS1    "http://purl.org/rss/1.0/"
#define WN_NS_RSS090  "http://my.netscape.com/rdf/simple/0.9/"
#define WN_NS_MEDIA   "http://search.yahoo.com/mrss/"
#define WN_NS_ITUNES  "http://www.itunes.com/dtds/podcast-1.0.dtd"

/* ---- wn_feed_enc.c ---------------------------------------------------- */

/*
 * The input as UTF-8.  *text points into data (already UTF-8, byte order
 * mark skipped) or into conv, which the caller frees with wn_buf_free().
 * Order of trust (RFC 7303): a byte order mark, the charset of
 * `content_type`, the XML declaration's encoding, then UTF-8.  A Latin-1 or
 * windows-1252 label on valid non-ASCII UTF-8 is taken as UTF-8; text
 * that should be UTF-8 and is not keeps its valid sequences and reads the
 * other bytes as windows-1252 (truncated characters become U+FFFD).
 * *damaged is set when a label was unusable or bytes had to be guessed.
 */
int wn_feed_enc_utf8(const char *data, size_t len, const char *content_type,
                     struct wn_buf *conv, const char **text, size_t *text_len,
                     int *damaged, struct wn_err *err);

/* ---- wn_feed_scan.c --------------------------------------------------- */

/*
 * One linear pass over the UTF-8 text before libxml2 sees it.  It refuses
 * what libxml2 2.9.14 handles badly (DTD subsets beyond a few text
 * entities, elements with too many attributes, nesting beyond the depth
 * cap, a root element that is no feed's) and repairs the damage feeds carry
 * (bare '&', HTML entities, stray '<', control characters, invalid UTF-8,
 * unquoted attributes, unbalanced or missing end tags, junk around the root
 * element), because libxml2's own recovery drops every entity reference
 * after its first error and nests the rest of the document inside an
 * unclosed tag.  A clean document is not copied.
 */
struct wn_feed_scan {
    /* In. */
    size_t max_depth; /* at most WN_FEED_MAX_DEPTH */
    /* Whether a root element of this local name can be a feed's. */
    int (*root_known)(const char *local, size_t len);
    int numeric_refs; /* rewrite &amp; &lt; ... as &#38; &#60; ... */
    /* Out. */
    const char *data; /* text for libxml2: the input or out.data */
    size_t len;
    struct wn_buf out;    /* the repaired copy; free with wn_buf_free */
    size_t repairs;       /* places repaired (damage, not rewrites) */
    size_t named_refs;    /* &amp; &lt; ... left for libxml2 */
    size_t lines_dropped; /* lines removed before the document */
};

/*
 * Scans text[0..len); s->max_depth, root_known and numeric_refs must be
 * set.  0 or WN_ENOTFEED (no markup, or a root not root_known), WN_EPARSE (a
 * refused DTD), WN_ETOOBIG (attributes, depth, entities), WN_ENOMEM; err
 * names the reason and the line.
 */
int wn_feed_scan(struct wn_feed_scan *s, const char *text, size_t len,
                 struct wn_err *err);

/*
 * Scans text[0..len) with *s (set up as for wn_feed_scan()) and parses the
 * result with libxml2 (never loading anything, never expanding entities
 * without bounds); a second pass with character references when libxml2
 * had to recover.  On success *xml has a root element (the caller frees it
 * with xmlFreeDoc(), and s->out with wn_buf_free()) and *well_formed says
 * whether libxml2 recovered.  Errors as wn_feed_scan(), and WN_EPARSE with
 * libxml2's first error and its line.
 */
int wn_feed_xml_text(struct wn_feed_scan *s, const char *text, size_t len,
                     xmlDocPtr *xml, int *well_formed, struct wn_err *err);

/* The code point of an HTML 4 entity name (case-sensitive), or -1. */
long wn_feed_entity_lookup(const char *name, size_t len);

/* A character reference ("&#38;", "&#x26;") at s[0..n): its length with
 * the ';' and its code point (any value), or 0 when malformed. */
size_t wn_feed_charref(const char *s, size_t n, unsigned long *cp);

/* ---- wn_feed_field.c -------------------------------------------------- */

/* How a field's text is marked up: RSS is HTML unless told otherwise,
 * Atom says so in type="text|html|xhtml". */
enum wn_feed_markup {
    WN_FEED_TEXT,
    WN_FEED_HTML,
    WN_FEED_XHTML
};

/*
 * The state of one wn_feed_parse() call.  Field helpers never fail
 * loudly: they return NULL (or WN_TIME_NONE) and keep the first error in
 * rc, like SQLite's sqlite3_str; the walkers check rc once per item.
 */
struct wn_feed_ctx {
    struct wn_feed_doc *doc;
    struct wn_arena *arena; /* doc->arena */
    xmlDocPtr xml;
    const char *url;    /* the feed's URL or NULL */
    unsigned url_flags; /* WN_URL_ALLOW_FILE for a file: feed */
    size_t max_items;
    size_t max_depth;
    int zone_minutes;   /* opts: zone of zoneless times */
    int64_t future;     /* times after this are dropped; INT64_MAX: kept */
    const char *atom_ns; /* Atom's namespace: 1.0 or 0.3 */
    int rc;             /* first error, sticky */
    struct wn_err *err; /* says why, once rc is set */
    struct wn_buf raw;  /* scratch: an element's text */
    struct wn_buf text; /* scratch: the field being built */
    /* The item being built. */
    const char *cats[WN_FEED_MAX_CATEGORIES];
    size_t ncats;
    struct wn_feed_enclosure encs[WN_FEED_MAX_ENCLOSURES];
    size_t nencs;
};

/* Records the first failure (WN_ENOMEM, WN_ETOOBIG) in ctx->rc and err. */
void wn_feed_fail(struct wn_feed_ctx *ctx, int rc);

/* True when node is an element named `local` in namespace `ns` (NULL: no
 * namespace).  Also matches an undeclared "prefix:local" for the customary
 * prefix of ns (dc:, content:, atom:), which sloppy feeds use. */
int wn_feed_is(xmlNodePtr node, const char *ns, const char *local);

/* The next element sibling from node on (node itself when it is one). */
xmlNodePtr wn_feed_elem(xmlNodePtr node);

/* Attribute `name` in namespace ns (NULL: none), borrowed from the tree
 * (or the arena); NULL when absent. */
const char *wn_feed_attr(struct wn_feed_ctx *ctx, xmlNodePtr node,
                         const char *ns, const char *name);

/* The base URI for node's content: its xml:base resolved against
 * parent_base, else parent_base.  Borrowed (arena or caller's). */
const char *wn_feed_base(struct wn_feed_ctx *ctx, xmlNodePtr node,
                         const char *parent_base);

/* An element's text content trimmed of white space, in ctx->raw until the
 * next helper call; NULL when empty. */
const char *wn_feed_raw(struct wn_feed_ctx *ctx, xmlNodePtr node);

/* An element's content as plain text in the arena, or NULL when empty. */
const char *wn_feed_text(struct wn_feed_ctx *ctx, xmlNodePtr node,
                         enum wn_feed_markup m);

/* A string (an attribute) as plain text in the arena: white space folded;
 * NULL when empty. */
const char *wn_feed_plain(struct wn_feed_ctx *ctx, const char *s);

/* An element's content as HTML in the arena (text is escaped, XHTML is
 * serialized, HTML is kept as given), or NULL when empty. */
const char *wn_feed_html(struct wn_feed_ctx *ctx, xmlNodePtr node,
                         enum wn_feed_markup m);

/* ref resolved against base: absolute http(s) (or file: for a file: feed)
 * in the arena, or NULL when ref is NULL, empty or not acceptable. */
const char *wn_feed_link(struct wn_feed_ctx *ctx, const char *base,
                         const char *ref);

/* Whether node is a Media RSS element (declared, or the bare "media:"). */
int wn_feed_is_media(xmlNodePtr node);

/*
 * A Media RSS element of an item or entry: <media:content> (also inside
 * <media:group>) becomes an enclosure; <media:title> and
 * <media:description> fill *title and *summary when they are NULL.  depth
 * is 0 for a child of the item.
 */
void wn_feed_media(struct wn_feed_ctx *ctx, xmlNodePtr node, const char *base,
                   const char **title, const char **summary, int depth);

/* The element's text as a time (the rule of wn_feed_opts), or
 * WN_TIME_NONE. */
int64_t wn_feed_time(struct wn_feed_ctx *ctx, xmlNodePtr node);
int64_t wn_feed_time_str(struct wn_feed_ctx *ctx, const char *s);

/* s as HTML text (& < > escaped) in the arena, or NULL when empty. */
const char *wn_feed_escaped(struct wn_feed_ctx *ctx, const char *s);

/* A byte count ("12345"), or -1 when s is not a plain decimal number. */
int64_t wn_feed_length(const char *s);

/* s copied into the arena (NULL stays NULL). */
const char *wn_feed_dup(struct wn_feed_ctx *ctx, const char *s);

/* "a, b" in the arena; either may be NULL. */
const char *wn_feed_join(struct wn_feed_ctx *ctx, const char *a, const char *b);

/* The item being built: categories (plain text, duplicates dropped) and
 * enclosures (url already resolved; NULL url drops it). */
void wn_feed_item_category(struct wn_feed_ctx *ctx, const char *cat);
void wn_feed_item_enclosure(struct wn_feed_ctx *ctx, const char *url,
                            const char *type, int64_t length);

/*
 * Finishes *item: moves the categories and enclosures into the arena and
 * sets its identity (the rule is in wn_feed_field.c).  Returns 1 when the
 * item is kept, 0 when it carries nothing to identify or store.
 */
int wn_feed_item_finish(struct wn_feed_ctx *ctx, struct wn_feed_item *item,
                        const char *id);

/* ---- one function per format family ----------------------------------- */

/* Fill ctx->doc from the tree under root; 0 or an error in ctx->rc terms. */
int wn_feed_rss_parse(struct wn_feed_ctx *ctx, xmlNodePtr root);
int wn_feed_rdf_parse(struct wn_feed_ctx *ctx, xmlNodePtr root);
int wn_feed_atom_parse(struct wn_feed_ctx *ctx, xmlNodePtr root);

/* ---- wn_feed_jsonfeed.c ----------------------------------------------- */

/* Whether text (UTF-8) looks like a JSON document: '{' first. */
int wn_feed_jsonfeed_sniff(const char *text, size_t len);

/*
 * JSON Feed 1.0 and 1.1 from text[0..len) into ctx->doc (already
 * allocated); WN_ENOTFEED when it is JSON but no JSON Feed, WN_EPARSE when
 * it is not JSON.
 */
int wn_feed_jsonfeed_parse(struct wn_feed_ctx *ctx, const char *text,
                           size_t len);

/* ---- identity (wn_feed_field.c) --------------------------------------- */

/*
 * After all items: when ids repeat inside the document, the feed's ids
 * cannot be trusted, and every item takes its link (when links are
 * unique) or its content hash instead (docs/feeds.md, "Identity").
 */
void wn_feed_ids_check(struct wn_feed_ctx *ctx);

#endif /* WN_FEED_INT_H */
