/*
 * wn_doc.c: documents under cleaning: the block walk, removals with their
 * reasons, the main node and metadata.  What counts as boilerplate is the
 * plugins' business, not this file's.
 */
#include "wn_doc.h"

#include <libxml/HTMLtree.h>
#include <libxml/xpath.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <uv.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "wn_buf.h"
#include "wn_err.h"
#include "wn_html.h"
#include "wn_log.h"
#include "wn_text.h"
#include "wn_time.h"

#define WN_DOC_BLOCK_TEXT_MAX    (1u << 20) /* bytes of text in one block */
#define WN_DOC_BLOCKS_MAX        100000u    /* blocks walked per document */
#define WN_DOC_PCRE2_MATCH_LIMIT 1000000u   /* backtracking steps per match */
#define WN_DOC_XPATH_OPS_MAX     50000000ul /* XPath steps per evaluation */

/* node->_private marks of the block walk. */
#define WN_DOC_INLINE ((void *) 1) /* no block element below */
#define WN_DOC_BLOCKY ((void *) 2) /* a block element somewhere below */

int
wn_doc_init(struct wn_doc *doc, xmlDocPtr xml, const char *url, unsigned flags,
            struct wn_arena *arena, int explain)
{
    memset(doc, 0, sizeof(*doc));
    doc->xml = xml;
    doc->arena = arena;
    doc->flags = flags;
    doc->explain = explain;
    doc->url = url != NULL ? wn_arena_strdup(arena, url) : NULL;
    if (url != NULL && doc->url == NULL) {
        return WN_ENOMEM;
    }
    return 0;
}

int
wn_doc_init_text(struct wn_doc *doc, const char *text, size_t len,
                 const char *url, struct wn_arena *arena, int explain)
{
    xmlDocPtr xml = htmlNewDocNoDtD(NULL, NULL);
    xmlNodePtr html, body;
    struct wn_buf line;
    size_t i = 0;
    int rc = 0;

    if (xml == NULL) {
        return WN_ENOMEM;
    }
    html = xmlNewDocNode(xml, NULL, (const xmlChar *) "html", NULL);
    xmlDocSetRootElement(xml, html);
    body = xmlNewChild(html, NULL, (const xmlChar *) "body", NULL);
    wn_buf_init(&line, WN_DOC_BLOCK_TEXT_MAX);
    while (i < len && rc == 0) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t n = nl ? (size_t) (nl - (text + i)) : len - i;

        wn_buf_reset(&line);
        rc = wn_text_fold(&line, text + i, n, NULL);
        if (rc > 0) {
            xmlNodePtr p = xmlNewChild(body, NULL, (const xmlChar *) "p", NULL);
            if (p == NULL) {
                rc = WN_ENOMEM;
                break;
            }
            xmlNodeAddContentLen(p, (const xmlChar *) line.data,
                                 (int) line.len);
            rc = 0;
        }
        i += n + 1;
    }
    wn_buf_free(&line);
    if (rc < 0) {
        xmlFreeDoc(xml);
        return rc;
    }
    rc = wn_doc_init(doc, xml, url, WN_DOC_TEXT, arena, explain);
    if (rc != 0) {
        xmlFreeDoc(xml);
        doc->xml = NULL;
    }
    return rc;
}

void
wn_doc_free(struct wn_doc *doc)
{
    for (size_t i = 0; i < doc->ngraveyard; i++) {
        xmlFreeNode(doc->graveyard[i]);
    }
    free(doc->graveyard);
    free(doc->removals);
    if (doc->xml != NULL) {
        xmlFreeDoc(doc->xml);
    }
    memset(doc, 0, sizeof(*doc));
}

void *
wn_doc_alloc(struct wn_call *call, size_t size)
{
    return wn_arena_alloc(call->arena, size);
}

char *
wn_doc_strdup(struct wn_call *call, const char *s)
{
    return wn_arena_strdup(call->arena, s);
}

int
wn_doc_should_stop(struct wn_call *call)
{
    if (call->stop != NULL && *call->stop) {
        return 1;
    }
    return call->deadline != 0 && uv_hrtime() > call->deadline;
}

xmlDocPtr
wn_doc_tree(struct wn_doc *doc)
{
    return doc->xml;
}

const char *
wn_doc_url(const struct wn_doc *doc)
{
    return doc->url;
}

unsigned
wn_doc_flags(const struct wn_doc *doc)
{
    return doc->flags;
}

xmlNodePtr
wn_doc_main_node(struct wn_doc *doc)
{
    return doc->main;
}

int
wn_doc_attached(const struct wn_doc *doc, xmlNodePtr node)
{
    unsigned depth = 0;

    while (node != NULL && depth++ < 100000) {
        if (node == (xmlNodePtr) doc->xml) {
            return 1;
        }
        node = node->parent;
    }
    return 0;
}

static xmlNodePtr
wn_doc_body(struct wn_doc *doc)
{
    xmlNodePtr root = xmlDocGetRootElement(doc->xml);

    if (root == NULL) {
        return NULL;
    }
    for (xmlNodePtr c = root->children; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE
            && strcmp((const char *) c->name, "body") == 0) {
            return c;
        }
    }
    return root;
}

int
wn_doc_set_main(struct wn_call *call, struct wn_doc *doc, xmlNodePtr node,
                const char *why)
{
    if (node == NULL || node->type != XML_ELEMENT_NODE
        || !wn_doc_attached(doc, node))
    {
        return WN_EINVAL;
    }
    doc->main = node;
    doc->main_why = why ? wn_arena_strdup(call->arena, why) : NULL;
    return 0;
}

/* libxml2 would print XPath syntax errors to stderr; the caller reports. */
static void
wn_doc_xpath_quiet(void *ctx, xmlErrorPtr error)
{
    (void) ctx;
    (void) error;
}

/* Evaluates an XPath expression over the document. */
static int
wn_doc_xpath(struct wn_doc *doc, const char *expr, xmlXPathObjectPtr *out)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc->xml);
    xmlXPathObjectPtr obj;

    *out = NULL;
    if (ctx == NULL) {
        return WN_ENOMEM;
    }
    ctx->error = wn_doc_xpath_quiet;
    /* A plugin's expression can be quadratic (a count() of every element
     * inside a predicate over every element): libxml2 stops it after this
     * many steps instead of running for minutes. */
    ctx->opLimit = WN_DOC_XPATH_OPS_MAX;
    obj = xmlXPathEvalExpression((const xmlChar *) expr, ctx);
    xmlXPathFreeContext(ctx);
    if (obj == NULL) {
        return WN_EINVAL;
    }
    if (obj->type != XPATH_NODESET) {
        xmlXPathFreeObject(obj);
        return WN_EINVAL;
    }
    *out = obj;
    return 0;
}

int
wn_doc_select_main(struct wn_call *call, struct wn_doc *doc, const char *xpath)
{
    xmlXPathObjectPtr obj;
    int rc = wn_doc_xpath(doc, xpath, &obj);

    if (rc != 0) {
        return rc;
    }
    rc = WN_EDECLINED;
    if (obj->nodesetval != NULL) {
        for (int i = 0; i < obj->nodesetval->nodeNr; i++) {
            xmlNodePtr n = obj->nodesetval->nodeTab[i];
            if (n->type == XML_ELEMENT_NODE) {
                char why[256];
                snprintf(why, sizeof(why), "xpath %s", xpath);
                rc = wn_doc_set_main(call, doc, n, why);
                break;
            }
        }
    }
    xmlXPathFreeObject(obj);
    return rc;
}

static int
wn_doc_is_ancestor_or_self(xmlNodePtr a, xmlNodePtr n)
{
    for (; n != NULL; n = n->parent) {
        if (n == a) {
            return 1;
        }
    }
    return 0;
}

static int
wn_doc_record(struct wn_call *call, struct wn_doc *doc, xmlNodePtr node,
              const char *reason)
{
    struct wn_removal *r;
    struct wn_buf text;

    if (doc->nremovals == doc->removals_cap) {
        size_t cap = doc->removals_cap ? doc->removals_cap * 2 : 32;
        struct wn_removal *p = realloc(doc->removals, cap * sizeof(*p));
        if (p == NULL) {
            return WN_ENOMEM;
        }
        doc->removals = p;
        doc->removals_cap = cap;
    }
    r = &doc->removals[doc->nremovals];
    wn_buf_init(&text, WN_DOC_BLOCK_TEXT_MAX);
    wn_html_node_text(node, &text);
    if (text.len > WN_DOC_EXCERPT) {
        size_t cut = WN_DOC_EXCERPT;
        /* Do not cut inside a UTF-8 sequence. */
        while (cut > 0 && ((unsigned char) text.data[cut] & 0xc0) == 0x80) {
            cut--;
        }
        text.len = cut;
        text.data[cut] = '\0';
        wn_buf_puts(&text, "...");
    }
    r->text = wn_arena_strdup(call->arena, text.data ? text.data : "");
    r->reason = wn_arena_strdup(call->arena, reason ? reason : "unnamed");
    r->plugin =
        wn_arena_strdup(call->arena, doc->plugin ? doc->plugin : "host");
    wn_buf_free(&text);
    if (r->text == NULL || r->reason == NULL || r->plugin == NULL) {
        return WN_ENOMEM;
    }
    doc->nremovals++;
    return 0;
}

int
wn_doc_remove_node(struct wn_call *call, struct wn_doc *doc, xmlNodePtr node,
                   const char *reason)
{
    int rc;

    if (node == NULL || node->type == XML_DOCUMENT_NODE
        || node->type == XML_HTML_DOCUMENT_NODE
        || node->type == XML_ATTRIBUTE_NODE
        || node == xmlDocGetRootElement(doc->xml)
        || !wn_doc_attached(doc, node))
    {
        return WN_EINVAL;
    }
    if (doc->main != NULL && node != doc->main
        && wn_doc_is_ancestor_or_self(node, doc->main))
    {
        /* Removing a wrapper of the main content would remove it too. */
        return WN_EINVAL;
    }
    if (doc->ngraveyard == doc->graveyard_cap) {
        size_t cap = doc->graveyard_cap ? doc->graveyard_cap * 2 : 64;
        xmlNodePtr *p = realloc(doc->graveyard, cap * sizeof(*p));
        if (p == NULL) {
            return WN_ENOMEM;
        }
        doc->graveyard = p;
        doc->graveyard_cap = cap;
    }
    if (doc->explain) {
        rc = wn_doc_record(call, doc, node, reason);
        if (rc != 0) {
            return rc;
        }
    }
    if (node == doc->main) {
        doc->main = NULL;
    }
    xmlUnlinkNode(node);
    /* Kept, not freed: plugins may still hold pointers into it. */
    doc->graveyard[doc->ngraveyard++] = node;
    return 0;
}

int
wn_doc_remove_xpath(struct wn_call *call, struct wn_doc *doc, const char *xpath,
                    const char *reason)
{
    xmlXPathObjectPtr obj;
    int rc = wn_doc_xpath(doc, xpath, &obj), count = 0;

    if (rc != 0) {
        return rc;
    }
    if (obj->nodesetval != NULL) {
        for (int i = 0; i < obj->nodesetval->nodeNr; i++) {
            xmlNodePtr n = obj->nodesetval->nodeTab[i];
            /* Skip nodes inside something removed a moment ago. */
            if (n->type == XML_NAMESPACE_DECL || !wn_doc_attached(doc, n)) {
                continue;
            }
            if (wn_doc_remove_node(call, doc, n, reason) == 0) {
                count++;
            }
        }
    }
    xmlXPathFreeObject(obj);
    return count;
}

/* ---- the block walk ---- */

static int
wn_doc_name_is(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE
           && strcmp((const char *) n->name, name) == 0;
}

/* Sets _private on every element below root: BLOCKY or INLINE. */
static void
wn_doc_mark(xmlNodePtr root)
{
    xmlNodePtr cur = root;
    unsigned depth = 0;

    /* Iterative post-order walk. */
    for (;;) {
        if (cur->type == XML_ELEMENT_NODE && cur->children != NULL
            && depth < WN_HTML_MAX_DEPTH && !wn_html_is_skipped(cur->name)
            && cur->_private != (void *) 3)
        {
            cur->_private = (void *) 3; /* children pending */
            cur = cur->children;
            depth++;
            continue;
        }
        if (cur->type == XML_ELEMENT_NODE) {
            void *mark = WN_DOC_INLINE;
            if (cur->_private == (void *) 3) {
                for (xmlNodePtr c = cur->children; c != NULL; c = c->next) {
                    if (c->type == XML_ELEMENT_NODE
                        && !wn_html_is_skipped(c->name)
                        && (wn_html_is_block(c->name)
                            || c->_private == WN_DOC_BLOCKY))
                    {
                        mark = WN_DOC_BLOCKY;
                        break;
                    }
                }
            }
            cur->_private = mark;
        }
        if (cur == root) {
            return;
        }
        if (cur->next != NULL) {
            cur = cur->next;
            continue;
        }
        cur = cur->parent;
        depth--;
    }
}

struct wn_doc_walk {
    unsigned flags; /* WN_DOC_BLOCKS_* */
    struct wn_call *call;
    struct wn_doc *doc;
    xmlNodePtr root;
    struct wn_block *blocks; /* malloc'd while walking */
    size_t n, cap;
    struct wn_buf text;
    int rc;
};

static unsigned
wn_doc_flags_of(xmlNodePtr e)
{
    const char *n = (const char *) e->name;

    if (n[0] == 'h' && n[1] >= '1' && n[1] <= '6' && n[2] == '\0') {
        return WN_BLOCK_HEADING;
    }
    if (!strcmp(n, "li") || !strcmp(n, "dt") || !strcmp(n, "dd")) {
        return WN_BLOCK_LIST;
    }
    if (!strcmp(n, "blockquote")) {
        return WN_BLOCK_QUOTE;
    }
    if (!strcmp(n, "pre")) {
        return WN_BLOCK_PRE;
    }
    if (!strcmp(n, "figcaption") || !strcmp(n, "figure")
        || !strcmp(n, "caption")) {
        return WN_BLOCK_CAPTION;
    }
    if (!strcmp(n, "td") || !strcmp(n, "th")) {
        return WN_BLOCK_CELL;
    }
    return 0;
}

/* Bytes of text inside <a> elements below e. */
static size_t
wn_doc_link_len(xmlNodePtr e, struct wn_buf *scratch, unsigned depth)
{
    size_t total = 0;

    if (depth > WN_HTML_MAX_DEPTH) {
        return 0;
    }
    for (xmlNodePtr c = e->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }
        if (wn_doc_name_is(c, "a")) {
            wn_buf_reset(scratch);
            wn_html_node_text(c, scratch);
            total += scratch->len;
        } else {
            total += wn_doc_link_len(c, scratch, depth + 1);
        }
    }
    return total;
}

static void
wn_doc_emit(struct wn_doc_walk *w, xmlNodePtr e, unsigned flags, unsigned depth)
{
    struct wn_block *b;

    if (w->rc != 0) {
        return;
    }
    wn_buf_reset(&w->text);
    if (wn_html_node_text(e, &w->text) < 0 || w->text.len == 0) {
        return;
    }
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        struct wn_block *p;
        if (cap > WN_DOC_BLOCKS_MAX) {
            w->rc = WN_ETOOBIG;
            return;
        }
        p = realloc(w->blocks, cap * sizeof(*p));
        if (p == NULL) {
            w->rc = WN_ENOMEM;
            return;
        }
        w->blocks = p;
        w->cap = cap;
    }
    b = &w->blocks[w->n];
    b->node = e;
    b->text = wn_arena_strndup(w->call->arena, w->text.data, w->text.len);
    b->len = w->text.len;
    b->flags = flags | wn_doc_flags_of(e);
    b->depth = depth;
    if (b->text == NULL) {
        w->rc = WN_ENOMEM;
        return;
    }
    if (!(w->flags & WN_DOC_BLOCKS_TEXT_ONLY)) {
        struct wn_buf scratch;
        wn_buf_init(&scratch, WN_DOC_BLOCK_TEXT_MAX);
        b->link_len = wn_doc_link_len(e, &scratch, 0);
        wn_buf_free(&scratch);
    } else {
        b->link_len = 0;
    }
    w->n++;
}

/* Is c the second <br> of a pair (only white space between)? */
static int
wn_doc_is_double_br(xmlNodePtr c)
{
    xmlNodePtr p;

    if (!wn_doc_name_is(c, "br")) {
        return 0;
    }
    for (p = c->prev; p != NULL; p = p->prev) {
        if (p->type == XML_TEXT_NODE && xmlIsBlankNode(p)) {
            continue;
        }
        return wn_doc_name_is(p, "br");
    }
    return 0;
}

/* Moves children [first, stop) of their parent into a new <p>. */
static xmlNodePtr
wn_doc_wrap(xmlNodePtr first, xmlNodePtr stop)
{
    xmlNodePtr p = xmlNewDocNode(first->doc, NULL, (const xmlChar *) "p", NULL);
    xmlNodePtr c, next;

    if (p == NULL) {
        return NULL;
    }
    xmlAddPrevSibling(first, p);
    for (c = first; c != NULL && c != stop; c = next) {
        next = c->next;
        xmlUnlinkNode(c);
        xmlAddChild(p, c); /* may merge and free adjacent text nodes */
    }
    p->_private = WN_DOC_INLINE;
    return p;
}

/* True when [first, stop) holds visible text. */
static int
wn_doc_has_text(xmlNodePtr first, xmlNodePtr stop)
{
    for (xmlNodePtr c = first; c != NULL && c != stop; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (!xmlIsBlankNode(c)) {
                return 1;
            }
        } else if (c->type == XML_ELEMENT_NODE && !wn_html_is_skipped(c->name)
                   && !wn_doc_name_is(c, "br"))
        {
            return 1;
        }
    }
    return 0;
}

/* An element with inline content only: one block, or several when double
 * <br> separate paragraphs inside it. */
static void
wn_doc_leaf(struct wn_doc_walk *w, xmlNodePtr e, unsigned flags, unsigned depth)
{
    xmlNodePtr c, seg;
    int split = 0;

    for (c = e->children; c != NULL; c = c->next) {
        if (wn_doc_is_double_br(c)) {
            split = 1;
            break;
        }
    }
    if (!split) {
        wn_doc_emit(w, e, flags, depth);
        return;
    }
    seg = e->children;
    while (seg != NULL && w->rc == 0) {
        for (c = seg; c != NULL && !wn_doc_is_double_br(c); c = c->next) {
        }
        if (wn_doc_has_text(seg, c)) {
            xmlNodePtr p = wn_doc_wrap(seg, c);
            if (p == NULL) {
                w->rc = WN_ENOMEM;
                return;
            }
            wn_doc_emit(w, p, flags | wn_doc_flags_of(e), depth + 1);
        }
        seg = c != NULL ? c->next : NULL;
    }
}

static void
wn_doc_visit(struct wn_doc_walk *w, xmlNodePtr e, unsigned flags,
             unsigned depth)
{
    xmlNodePtr c, run = NULL, next;

    if (w->rc != 0 || depth > WN_HTML_MAX_DEPTH || wn_html_is_skipped(e->name))
    {
        return;
    }
    if (e->_private != WN_DOC_BLOCKY) {
        if (e == w->root || wn_html_is_block(e->name)) {
            wn_doc_leaf(w, e, flags, depth);
        }
        return;
    }
    flags |= wn_doc_flags_of(e)
             & (WN_BLOCK_QUOTE | WN_BLOCK_CAPTION | WN_BLOCK_LIST);
    for (c = e->children; c != NULL; c = next) {
        next = c->next;
        int inline_node =
            c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE
            || (c->type == XML_ELEMENT_NODE && !wn_html_is_block(c->name)
                && c->_private != WN_DOC_BLOCKY);
        if (inline_node) {
            if (run == NULL) {
                run = c;
            }
            continue;
        }
        if (c->type != XML_ELEMENT_NODE) {
            continue; /* comments and the like stay inside a run or out */
        }
        if (run != NULL) {
            if (wn_doc_has_text(run, c)) {
                xmlNodePtr p = wn_doc_wrap(run, c);
                if (p == NULL) {
                    w->rc = WN_ENOMEM;
                    return;
                }
                wn_doc_leaf(w, p, flags, depth + 1);
            }
            run = NULL;
        }
        wn_doc_visit(w, c, flags, depth + 1);
    }
    if (run != NULL && wn_doc_has_text(run, NULL)) {
        xmlNodePtr p = wn_doc_wrap(run, NULL);
        if (p == NULL) {
            w->rc = WN_ENOMEM;
            return;
        }
        wn_doc_leaf(w, p, flags, depth + 1);
    }
}

int
wn_doc_check(const struct wn_doc *doc, const char **why)
{
    xmlNodePtr root = xmlDocGetRootElement(doc->xml), cur = root;
    size_t text = 0, nodes = 0;

    *why = NULL;
    while (cur != NULL) {
        if (++nodes > WN_DOC_NODES_MAX) {
            *why = "a tree of absurd size";
            return WN_EGARBAGE;
        }
        if ((cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE)
            && cur->content != NULL)
        {
            size_t n = strlen((const char *) cur->content);
            text += n;
            if (text > WN_DOC_TEXT_MAX) {
                *why = "text of absurd size";
                return WN_EGARBAGE;
            }
            if (!wn_text_utf8_valid((const char *) cur->content, n)) {
                *why = "invalid UTF-8 in the text";
                return WN_EGARBAGE;
            }
        }
        if (cur->type == XML_ELEMENT_NODE && cur->children != NULL) {
            cur = cur->children;
            continue;
        }
        while (cur != NULL && cur != root && cur->next == NULL) {
            cur = cur->parent;
        }
        cur = (cur == NULL || cur == root) ? NULL : cur->next;
    }
    return 0;
}

int
wn_doc_blocks(struct wn_call *call, struct wn_doc *doc, struct wn_block **out,
              size_t *n)
{
    return wn_doc_blocks_ex(call, doc, 0, out, n);
}

int
wn_doc_blocks_ex(struct wn_call *call, struct wn_doc *doc, unsigned flags,
                 struct wn_block **out, size_t *n)
{
    struct wn_doc_walk w;
    xmlNodePtr root = doc->main != NULL ? doc->main : wn_doc_body(doc);

    *out = NULL;
    *n = 0;
    if (root == NULL) {
        return 0;
    }
    memset(&w, 0, sizeof(w));
    w.flags = flags;
    w.call = call;
    w.doc = doc;
    w.root = root;
    wn_buf_init(&w.text, WN_DOC_BLOCK_TEXT_MAX);
    wn_doc_mark(root);
    wn_doc_visit(&w, root, 0, 0);
    wn_buf_free(&w.text);
    if (w.rc == 0 && w.n > 0) {
        *out = wn_arena_alloc(call->arena, w.n * sizeof(**out));
        if (*out == NULL) {
            w.rc = WN_ENOMEM;
        } else {
            memcpy(*out, w.blocks, w.n * sizeof(**out));
            *n = w.n;
        }
    }
    free(w.blocks);
    return w.rc;
}

int
wn_doc_drop_matching(struct wn_call *call, struct wn_doc *doc,
                     const char *pattern, const char *reason)
{
    pcre2_code *re;
    pcre2_match_data *md;
    pcre2_match_context *mc;
    struct wn_block *blocks;
    size_t n;
    int errcode, count = 0, rc;
    PCRE2_SIZE erroff;

    re = pcre2_compile((PCRE2_SPTR) pattern, PCRE2_ZERO_TERMINATED,
                       PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &errcode, &erroff,
                       NULL);
    if (re == NULL) {
        return WN_EINVAL;
    }
    md = pcre2_match_data_create_from_pattern(re, NULL);
    mc = pcre2_match_context_create(NULL);
    if (md == NULL || mc == NULL) {
        rc = WN_ENOMEM;
        goto failed;
    }
    pcre2_set_match_limit(mc, WN_DOC_PCRE2_MATCH_LIMIT);
    rc = wn_doc_blocks(call, doc, &blocks, &n);
    if (rc != 0) {
        goto failed;
    }
    for (size_t i = 0; i < n; i++) {
        if (pcre2_match(re, (PCRE2_SPTR) blocks[i].text, blocks[i].len, 0, 0,
                        md, mc)
                >= 0
            && wn_doc_remove_node(call, doc, blocks[i].node, reason) == 0)
        {
            count++;
        }
    }
    rc = count;
failed:
    pcre2_match_context_free(mc);
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return rc;
}

const char *
wn_doc_node_text(struct wn_call *call, xmlNodePtr node)
{
    struct wn_buf b;
    const char *s;

    wn_buf_init(&b, WN_DOC_BLOCK_TEXT_MAX);
    if (wn_html_node_text(node, &b) < 0) {
        wn_buf_free(&b);
        return NULL;
    }
    s = wn_arena_strndup(call->arena, b.data ? b.data : "", b.len);
    wn_buf_free(&b);
    return s;
}

const char *
wn_doc_meta_get(const struct wn_doc *doc, int key)
{
    if (key < 0 || key >= WN_META_COUNT) {
        return NULL;
    }
    return doc->meta[key];
}

/* Folds value into an arena string of at most WN_DOC_META_MAX bytes. */
static const char *
wn_doc_fold_copy(struct wn_arena *arena, const char *value)
{
    struct wn_buf b;
    const char *s = NULL;

    wn_buf_init(&b, WN_DOC_META_MAX);
    size_t n = strlen(value);
    if (n > 4 * WN_DOC_META_MAX) {
        n = 4 * WN_DOC_META_MAX;
    }
    /* Folding past the cap fails; cut at the cap instead. */
    if (wn_text_fold(&b, value, n, NULL) < 0 && b.data != NULL) {
        while (b.len > 0 && ((unsigned char) b.data[b.len - 1] & 0xc0) == 0x80)
        {
            b.len--;
        }
        if (b.len > 0 && (unsigned char) b.data[b.len - 1] >= 0xc0) {
            b.len--;
        }
    }
    if (b.len > 0) {
        wn_text_nfc(&b);
        s = wn_arena_strndup(arena, b.data, b.len);
    }
    wn_buf_free(&b);
    return s;
}

int
wn_doc_meta_set(struct wn_call *call, struct wn_doc *doc, int key,
                const char *value)
{
    if (key < 0 || key >= WN_META_COUNT) {
        return WN_EINVAL;
    }
    if (value == NULL) {
        doc->meta[key] = NULL;
        return 0;
    }
    if (key == WN_META_PUBLISHED || key == WN_META_UPDATED) {
        char buf[WN_TIME_BUFSZ];
        int64_t t;
        if (wn_time_parse(value, &t) != 0) {
            return WN_EPARSE;
        }
        wn_time_format(t, buf);
        doc->meta[key] = wn_arena_strdup(call->arena, buf);
    } else {
        const char *s = wn_doc_fold_copy(call->arena, value);
        if (s == NULL) {
            return WN_EINVAL; /* empty after folding */
        }
        doc->meta[key] = s;
    }
    return doc->meta[key] != NULL ? 0 : WN_ENOMEM;
}

int
wn_doc_tag_add(struct wn_call *call, struct wn_doc *doc, const char *tag)
{
    const char *s;

    if (tag == NULL) {
        return WN_EINVAL;
    }
    if (doc->ntags >= WN_DOC_TAGS_MAX) {
        return WN_ETOOBIG;
    }
    s = wn_doc_fold_copy(call->arena, tag);
    if (s == NULL) {
        return WN_EINVAL;
    }
    for (size_t i = 0; i < doc->ntags; i++) {
        if (strcasecmp(doc->tags[i], s) == 0) {
            return 0;
        }
    }
    if (doc->tags == NULL) {
        doc->tags =
            wn_arena_alloc(call->arena, WN_DOC_TAGS_MAX * sizeof(*doc->tags));
        if (doc->tags == NULL) {
            return WN_ENOMEM;
        }
    }
    doc->tags[doc->ntags++] = s;
    return 0;
}
