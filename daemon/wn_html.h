/*
 * wn_html.h: HTML bytes to a libxml2 tree and node text.  It decides the
 * character set and applies the size limits; it knows nothing about what is
 * content and what is boilerplate (wn_doc.c and the plugins do).
 */
#ifndef WN_HTML_H
#define WN_HTML_H

#include <libxml/tree.h>
#include <stddef.h>

#include <winnow/error.h>
#include <winnow/host.h>

#include "wn_buf.h"

#define WN_HTML_MAX_BYTES (16u << 20) /* input accepted by wn_html_parse */
#define WN_HTML_MAX_DEPTH 512u        /* deeper subtrees are not walked */

/*
 * Initializes libxml2 once, on the main thread, before any other thread
 * parses: xmlInitParser() and no-op error printers for every thread, since
 * winnow reports parse problems through its own error records.
 */
void wn_html_global_init(void);

/*
 * Parses an HTML page.  The charset comes from a byte order mark, else the
 * bytes when they are valid UTF-8, else the HTTP Content-Type (may be
 * NULL), else a <meta charset>, else windows-1252.  Scripts are never run,
 * nothing is fetched.  The caller frees *out with xmlFreeDoc().
 */
int wn_html_parse(const char *data, size_t len, const char *url,
                  const char *content_type, xmlDocPtr *out, struct wn_err *err);

/* Element classes used by text extraction and the block walk: WN_TAG_*
 * flags of winnow/host.h (also the host table's tag_flags()). */
unsigned wn_html_tag_flags(const xmlChar *name);
int wn_html_is_block(const xmlChar *name);
int wn_html_is_skipped(const xmlChar *name); /* script, style, template ... */

/*
 * Appends the visible text of `node` to `out`, white space folded, with a
 * space at block boundaries and <br>.  Returns 0 or < 0 (the buffer cap).
 */
int wn_html_node_text(xmlNodePtr node, struct wn_buf *out);

/*
 * A quick look at an HTML fragment without parsing it: the number of words
 * outside tags (letters and digits of any script; entities count as word
 * breaks, <script> and <style> contents are skipped), and the last
 * `tailcap - 1` bytes of its visible text, lower-cased ASCII, white space
 * folded.  Approximate by design: it decides whether feed content looks
 * like the full article, not what is stored.
 */
size_t wn_html_quick_words(const char *html, size_t len, char *tail,
                           size_t tailcap);

/* Plain text of an HTML fragment (a feed's summary); folded. */
int wn_html_fragment_text(const char *html, size_t len, struct wn_buf *out);

/* The value of attribute `name` on `node` as a borrowed string, or NULL. */
const char *wn_html_attr(xmlNodePtr node, const char *name);

#endif /* WN_HTML_H */
