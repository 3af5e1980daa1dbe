/*
 * wn_feed.c: the feed parser's entry point.  It applies the limits, runs
 * the pipeline of wn_feed_int.h (charset, scan, libxml2), recognizes the
 * format by the root element and its namespace (never by URL), and hands
 * the tree to that format's file.  It reads no element below the root.
 */
#include "wn_feed.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>

#include <winnow/host.h>

#include "wn_err.h"
#include "wn_feed_int.h"
#include "wn_time.h"
#include "wn_url.h"

/* The XML formats, by root element (JSON Feed is told by its '{'). */
#define WN_FEED_NS_ANY "*" /* any namespace, but one */
static const struct wn_feed_family {
    const char *root; /* local name of the root element */
    const char *ns;   /* its namespace; NULL: none */
    int format;
    int (*parse)(struct wn_feed_ctx *ctx, xmlNodePtr root);
} wn_feed_families[] = {
    { "rss", NULL, WN_FEED_RSS2, wn_feed_rss_parse },
    /* <rss> in UserLand's namespace, or wrongly in RSS 1.0's or another:
     * still RSS, its elements in the root's namespace. */
    { "rss", WN_FEED_NS_ANY, WN_FEED_RSS2, wn_feed_rss_parse },
    { "feed", WN_NS_ATOM, WN_FEED_ATOM1, wn_feed_atom_parse },
    { "feed", WN_NS_ATOM03, WN_FEED_ATOM03, wn_feed_atom_parse },
    { "RDF", WN_NS_RDF, WN_FEED_RSS1, wn_feed_rdf_parse },
};

/* For the scan: may an element of this local name be a feed's root? */
static int
wn_feed_root_known(const char *local, size_t len)
{
    for (size_t i = 0;
         i < sizeof(wn_feed_families) / sizeof(wn_feed_families[0]); i++)
    {
        const char *r = wn_feed_families[i].root;
        if (strlen(r) == len && memcmp(r, local, len) == 0) {
            return 1;
        }
    }
    return 0;
}

/*
 * libxml2 options.  Never XML_PARSE_NOENT (entity substitution),
 * XML_PARSE_DTDLOAD or XML_PARSE_DTDATTR (fetching DTDs), or
 * XML_PARSE_HUGE (lifts libxml2's own depth and size guards).  The input
 * is always UTF-8 by now, so the declared encoding is ignored.
 */
#define WN_FEED_XML_OPTIONS                                                    \
    (XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOCDATA                   \
     | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_COMPACT             \
     | XML_PARSE_IGNORE_ENC | XML_PARSE_BIG_LINES)

/* The first error libxml2 reports: the most telling one. */
struct wn_feed_xml_err {
    int count;
    int line;
    char msg[128];
};

static void
wn_feed_xml_error(void *data, xmlErrorPtr e)
{
    xmlParserCtxtPtr pc = data;
    struct wn_feed_xml_err *xe = pc->_private;
    size_t n;

    /* Warnings and namespace errors (an undeclared "dc:") do not damage
     * the tree. */
    if (e->level < XML_ERR_ERROR || e->domain == XML_FROM_NAMESPACE) {
        return;
    }
    if (xe->count++ > 0) {
        return;
    }
    xe->line = e->line;
    snprintf(xe->msg, sizeof(xe->msg), "%s", e->message ? e->message : "error");
    n = strlen(xe->msg);
    while (n > 0 && (xe->msg[n - 1] == '\n' || xe->msg[n - 1] == ' ')) {
        xe->msg[--n] = '\0';
    }
}

/* Parses text[0..len) (UTF-8) into *out; *well_formed says whether
 * libxml2 had to recover. */
static int
wn_feed_xml(const char *text, size_t len, xmlDocPtr *out, int *well_formed,
            struct wn_feed_xml_err *xe)
{
    xmlParserCtxtPtr pc;

    *out = NULL;
    memset(xe, 0, sizeof(*xe));
    if (len > INT32_MAX) {
        return WN_ETOOBIG;
    }
    pc = xmlNewParserCtxt();
    if (pc == NULL) {
        return WN_ENOMEM;
    }
    pc->_private = xe;
    pc->sax->serror = wn_feed_xml_error;
    *out = xmlCtxtReadMemory(pc, text, (int) len, NULL, "UTF-8",
                             WN_FEED_XML_OPTIONS);
    *well_formed = pc->wellFormed;
    xmlFreeParserCtxt(pc);
    return 0;
}

/*
 * Whether text may go to libxml2 before the scan: no DTD at all, and no
 * tag with more than WN_FEED_MAX_ATTRS '=' (libxml2 2.9.14 checks
 * attributes for duplicates in quadratic time).  Nesting needs no check:
 * libxml2 stops at its own depth limit, which is WN_FEED_MAX_DEPTH.  A
 * cheap look (memchr), never a parse.
 */
static int
wn_feed_xml_plain(const char *text, size_t len)
{
    const char *p = text, *end = text + len;

    _Static_assert(WN_FEED_MAX_DEPTH == 256, "libxml2's xmlParserMaxDepth");
    while ((p = memchr(p, '<', (size_t) (end - p))) != NULL) {
        const char *gt;
        size_t eq = 0;

        if (end - p >= 2 && p[1] == '!' && end - p >= 9
            && (memcmp(p, "<!DOCTYPE", 9) == 0 || memcmp(p, "<!ENTITY", 8) == 0))
        {
            return 0;
        }
        gt = memchr(p, '>', (size_t) (end - p));
        if (gt == NULL) {
            return 0;
        }
        for (const char *q = p; (q = memchr(q, '=', (size_t) (gt - q))) != NULL;
             q++) {
            if (++eq > WN_FEED_MAX_ATTRS) {
                return 0;
            }
        }
        p = gt + 1;
    }
    return 1;
}

int
wn_feed_xml_text(struct wn_feed_scan *scan, const char *text, size_t len,
                 xmlDocPtr *xml, int *well_formed, struct wn_err *err)
{
    struct wn_feed_xml_err xe;
    int rc;

    *xml = NULL;
    /*
     * Most feeds are well-formed: libxml2 reads them as they are, and only
     * a document it finds damaged (or one of a root the caller does not
     * know) goes through the scan and a second parse.  The result is the
     * same either way; the scan's work is saved where it repairs nothing.
     */
    if ((scan->max_depth == 0 || scan->max_depth >= WN_FEED_MAX_DEPTH)
        && wn_feed_xml_plain(text, len)
        && wn_feed_xml(text, len, xml, well_formed, &xe) == 0)
    {
        xmlNodePtr root = *xml != NULL ? xmlDocGetRootElement(*xml) : NULL;

        if (*well_formed && root != NULL
            && scan->root_known((const char *) root->name,
                                strlen((const char *) root->name)))
        {
            scan->max_depth = WN_FEED_MAX_DEPTH;
            scan->data = text;
            scan->len = len;
            return 0;
        }
        xmlFreeDoc(*xml);
        *xml = NULL;
    }
    rc = wn_feed_scan(scan, text, len, err);
    if (rc != 0) {
        return rc;
    }
    rc = wn_feed_xml(scan->data, scan->len, xml, well_formed, &xe);
    if (rc == 0 && !*well_formed && scan->named_refs > 0) {
        /*
         * Damage the scan did not see: libxml2 dropped the named entity
         * references after it.  Parse once more with them as character
         * references, which it keeps.  Only damaged feeds pay for this.
         */
        xmlFreeDoc(*xml);
        *xml = NULL;
        wn_buf_free(&scan->out);
        scan->numeric_refs = 1;
        rc = wn_feed_scan(scan, text, len, err);
        if (rc != 0) {
            return rc;
        }
        rc = wn_feed_xml(scan->data, scan->len, xml, well_formed, &xe);
    }
    if (rc != 0) {
        return wn_err_set(err, rc, "%s", wn_strerror(rc));
    }
    if (*xml == NULL || xmlDocGetRootElement(*xml) == NULL) {
        xmlFreeDoc(*xml);
        *xml = NULL;
        return wn_err_set(err, WN_EPARSE, "line %zu: %s",
                          (size_t) xe.line + scan->lines_dropped,
                          xe.count > 0 ? xe.msg : "no document");
    }
    return 0;
}

void
wn_feed_global_init(void)
{
    xmlInitParser();
}

const char *
wn_feed_format_name(int format)
{
    switch (format) {
    case WN_FEED_RSS2:
        return "rss2.0";
    case WN_FEED_RSS1:
        return "rss1.0";
    case WN_FEED_RSS09X:
        return "rss0.9x";
    case WN_FEED_ATOM1:
        return "atom1.0";
    case WN_FEED_ATOM03:
        return "atom0.3";
    case WN_FEED_JSONFEED:
        return "jsonfeed1.x";
    default:
        return "unknown";
    }
}

static const struct wn_feed_family *
wn_feed_family(xmlNodePtr root)
{
    const char *ns = root->ns != NULL ? (const char *) root->ns->href : NULL;

    for (size_t i = 0;
         i < sizeof(wn_feed_families) / sizeof(wn_feed_families[0]); i++)
    {
        const struct wn_feed_family *f = &wn_feed_families[i];

        if (strcmp(f->root, (const char *) root->name) == 0
            && (f->ns == NULL ? ns == NULL
                              : ns != NULL
                                    && (strcmp(f->ns, WN_FEED_NS_ANY) == 0
                                        || strcmp(f->ns, ns) == 0)))
        {
            return f;
        }
    }
    return NULL;
}

/* The rule for zoneless and future times (wn_feed.h, wn_feed_opts). */
static void
wn_feed_ctx_times(struct wn_feed_ctx *ctx, const struct wn_feed_opts *opts)
{
    int64_t now = opts->now != 0 ? opts->now : wn_time_now();

    ctx->zone_minutes = opts->zone_minutes;
    ctx->future = opts->keep_future ? INT64_MAX : now + WN_FEED_FUTURE_SLACK;
}

/* Sets up ctx for one document of `format`; wn_feed_ctx_close() after. */
static int
wn_feed_ctx_open(struct wn_feed_ctx *ctx, const struct wn_feed_opts *opts,
                 size_t max_depth, int format, struct wn_err *err)
{
    struct wn_arena *arena;
    int rc = wn_arena_create(&arena, WN_FEED_MAX_ARENA);

    memset(ctx, 0, sizeof(*ctx));
    if (rc != 0) {
        return wn_err_set(err, rc, "out of memory");
    }
    ctx->arena = arena;
    ctx->err = err;
    ctx->url = opts->url;
    ctx->url_flags = wn_url_is_file(opts->url) ? WN_URL_ALLOW_FILE : 0;
    ctx->max_items = opts->max_items != 0 ? opts->max_items : WN_FEED_MAX_ITEMS;
    ctx->max_depth = max_depth;
    wn_feed_ctx_times(ctx, opts);
    wn_buf_init(&ctx->raw, WN_FEED_MAX_FIELD);
    wn_buf_init(&ctx->text, WN_FEED_MAX_FIELD);
    ctx->doc = wn_arena_alloc(arena, sizeof(*ctx->doc));
    if (ctx->doc == NULL) {
        wn_feed_fail(ctx, WN_ENOMEM);
        return ctx->rc;
    }
    ctx->doc->arena = arena;
    ctx->doc->format = format;
    ctx->doc->updated = WN_TIME_NONE;
    return 0;
}

/* Ends ctx after parse returned rc: the document in *out, or the error. */
static int
wn_feed_ctx_close(struct wn_feed_ctx *ctx, int rc, struct wn_feed_doc **out)
{
    if (rc != 0) {
        wn_feed_fail(ctx, rc);
    }
    if (ctx->rc == 0) {
        wn_feed_ids_check(ctx);
    }
    wn_buf_free(&ctx->raw);
    wn_buf_free(&ctx->text);
    if (ctx->rc != 0) {
        wn_arena_destroy(ctx->arena);
        return ctx->rc;
    }
    *out = ctx->doc;
    return 0;
}

/* Builds the document from the tree; scan says how deep it may be and
 * how many lines before it were dropped (for line numbers). */
static int
wn_feed_build(xmlDocPtr xml, const struct wn_feed_opts *opts,
              const struct wn_feed_scan *scan, struct wn_feed_doc **out,
              struct wn_err *err)
{
    xmlNodePtr root = xmlDocGetRootElement(xml);
    const struct wn_feed_family *f = wn_feed_family(root);
    struct wn_feed_ctx ctx;
    int rc;

    if (f == NULL) {
        return wn_err_set(err, WN_ENOTFEED,
                          "line %ld: root element <%s> in %s%s is not RSS or "
                          "Atom",
                          xmlGetLineNo(root) + (long) scan->lines_dropped,
                          (const char *) root->name,
                          root->ns != NULL ? "namespace " : "no namespace",
                          root->ns != NULL ? (const char *) root->ns->href
                                           : "");
    }
    rc = wn_feed_ctx_open(&ctx, opts, scan->max_depth, f->format, err);
    if (rc == 0) {
        ctx.xml = xml;
        rc = f->parse(&ctx, root);
    }
    return wn_feed_ctx_close(&ctx, rc, out);
}

/* A JSON document: JSON Feed or not a feed. */
static int
wn_feed_build_json(const char *text, size_t len,
                   const struct wn_feed_opts *opts, struct wn_feed_doc **out,
                   struct wn_err *err)
{
    struct wn_feed_ctx ctx;
    int rc = wn_feed_ctx_open(&ctx, opts, WN_FEED_MAX_DEPTH, WN_FEED_JSONFEED,
                              err);

    if (rc == 0) {
        rc = wn_feed_jsonfeed_parse(&ctx, text, len);
    }
    if (rc != 0 && ctx.rc == 0) {
        ctx.rc = rc; /* err already says why */
    }
    return wn_feed_ctx_close(&ctx, rc, out);
}

int
wn_feed_parse(const char *data, size_t len, const struct wn_feed_opts *opts,
              struct wn_feed_doc **out, struct wn_err *err)
{
    static const struct wn_feed_opts defaults;
    struct wn_feed_scan scan;
    struct wn_buf conv;
    xmlDocPtr xml = NULL;
    const char *text;
    size_t text_len;
    int rc, damaged = 0, well_formed = 0;

    *out = NULL;
    memset(&scan, 0, sizeof(scan));
    wn_buf_init(&conv, 0);
    if (opts == NULL) {
        opts = &defaults;
    }
    if (data == NULL && len > 0) {
        return wn_err_set(err, WN_EINVAL, "no data");
    }
    if (len > WN_FEED_MAX_BYTES) {
        return wn_err_set(err, WN_ETOOBIG,
                          "feed of %zu bytes over the %u byte limit", len,
                          WN_FEED_MAX_BYTES);
    }
    rc = wn_feed_enc_utf8(data != NULL ? data : "", len, opts->content_type,
                          &conv, &text, &text_len, &damaged, err);
    if (rc != 0) {
        goto failed;
    }
    if (wn_feed_jsonfeed_sniff(text, text_len)) {
        rc = wn_feed_build_json(text, text_len, opts, out, err);
        if (rc == 0 && damaged) {
            (*out)->flags |= WN_FEED_RECOVERED;
        }
        goto failed;
    }
    scan.max_depth = opts->max_depth;
    scan.root_known = wn_feed_root_known;
    rc = wn_feed_xml_text(&scan, text, text_len, &xml, &well_formed, err);
    if (rc != 0) {
        goto failed;
    }
    rc = wn_feed_build(xml, opts, &scan, out, err);
    if (rc == 0 && (damaged || scan.repairs > 0 || !well_formed)) {
        (*out)->flags |= WN_FEED_RECOVERED;
    }
failed:
    xmlFreeDoc(xml);
    wn_buf_free(&scan.out);
    wn_buf_free(&conv);
    return rc;
}

void
wn_feed_free(struct wn_feed_doc *doc)
{
    if (doc != NULL) {
        wn_arena_destroy(doc->arena); /* doc lives in its own arena */
    }
}
