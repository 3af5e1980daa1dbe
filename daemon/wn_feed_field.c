/*
 * wn_feed_field.c: turns one element of a parsed feed into one field of an
 * item: plain text, HTML, an absolute link, a time, a length, an identity.
 * It knows how feeds mark up text, not which element means what (the
 * format files decide that).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wn_err.h"
#include "wn_feed_int.h"
#include "wn_html.h"
#include "wn_strset.h"
#include "wn_text.h"
#include "wn_time.h"
#include "wn_url.h"

/* Prefixes feeds use without declaring them; libxml2 then keeps
 * "prefix:local" as the element's name. */
static const struct {
    const char *ns;
    const char *prefix;
} wn_feed_prefixes[] = {
    { WN_NS_DC, "dc" },
    { WN_NS_CONTENT, "content" },
    { WN_NS_ATOM, "atom" },
    { WN_NS_DCTERMS, "dcterms" },
    { WN_NS_MEDIA, "media" },
    { WN_NS_ITUNES, "itunes" },
};

/* HTML elements written as <br/> when serializing XHTML. */
static const char *const wn_feed_void[] = {
    "area",  "base", "br",   "col",   "embed",  "hr",    "img",
    "input", "link", "meta", "param", "source", "track", "wbr",
};

void
wn_feed_fail(struct wn_feed_ctx *ctx, int rc)
{
    if (ctx->rc != 0) {
        return;
    }
    ctx->rc = rc;
    if (rc == WN_ETOOBIG) {
        wn_err_set(ctx->err, rc,
                   "feed text over its limits (%u bytes per field, %zu in "
                   "all)",
                   WN_FEED_MAX_FIELD, WN_FEED_MAX_ARENA);
    } else {
        wn_err_set(ctx->err, rc, "%s", wn_strerror(rc));
    }
}

static void
wn_feed_put(struct wn_feed_ctx *ctx, struct wn_buf *b, const void *p, size_t n)
{
    int rc = wn_buf_append(b, p, n);

    if (rc != 0) {
        wn_feed_fail(ctx, rc);
    }
}

int
wn_feed_is(xmlNodePtr node, const char *ns, const char *local)
{
    const char *name, *colon;

    if (node == NULL || node->type != XML_ELEMENT_NODE) {
        return 0;
    }
    name = (const char *) node->name;
    if (node->ns != NULL && node->ns->href != NULL) {
        return ns != NULL && strcmp(name, local) == 0
               && strcmp((const char *) node->ns->href, ns) == 0;
    }
    if (ns == NULL) {
        return strcmp(name, local) == 0;
    }
    colon = strchr(name, ':');
    if (colon == NULL || strcmp(colon + 1, local) != 0) {
        return 0;
    }
    for (size_t i = 0;
         i < sizeof(wn_feed_prefixes) / sizeof(wn_feed_prefixes[0]); i++)
    {
        const char *p = wn_feed_prefixes[i].prefix;
        if (strcmp(wn_feed_prefixes[i].ns, ns) == 0
            && strlen(p) == (size_t) (colon - name)
            && memcmp(p, name, (size_t) (colon - name)) == 0)
        {
            return 1;
        }
    }
    return 0;
}

xmlNodePtr
wn_feed_elem(xmlNodePtr node)
{
    while (node != NULL && node->type != XML_ELEMENT_NODE) {
        node = node->next;
    }
    return node;
}

static int
wn_feed_has_elements(xmlNodePtr node)
{
    return wn_feed_elem(node->children) != NULL;
}

/*
 * Appends the text under the node list `first` to b: text (CDATA is text,
 * XML_PARSE_NOCDATA) and the text inside child elements.  There are no
 * entity references: the scan replaced them.  Depth is bounded by the
 * scan's nesting cap.
 */
static void
wn_feed_gather(struct wn_feed_ctx *ctx, xmlNodePtr first, struct wn_buf *b,
               size_t depth)
{
    for (xmlNodePtr n = first; n != NULL && ctx->rc == 0; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content != NULL) {
                wn_feed_put(ctx, b, n->content,
                            strlen((const char *) n->content));
            }
        } else if (n->type == XML_ELEMENT_NODE && depth < ctx->max_depth) {
            wn_feed_gather(ctx, n->children, b, depth + 1);
        }
    }
}

/* An attribute's value: borrowed when it is one text node (always, in
 * practice), else its text nodes joined in the arena. */
static const char *
wn_feed_attr_value(struct wn_feed_ctx *ctx, xmlAttrPtr a)
{
    struct wn_buf b;
    const char *v;

    if (a->children == NULL) {
        return "";
    }
    if (a->children->type == XML_TEXT_NODE && a->children->next == NULL) {
        return (const char *) a->children->content;
    }
    wn_buf_init(&b, WN_FEED_MAX_FIELD);
    wn_feed_gather(ctx, a->children, &b, 0);
    v = wn_feed_dup(ctx, b.data != NULL ? b.data : "");
    wn_buf_free(&b);
    return v;
}

const char *
wn_feed_attr(struct wn_feed_ctx *ctx, xmlNodePtr node, const char *ns,
             const char *name)
{
    for (xmlAttrPtr a = node->properties; a != NULL; a = a->next) {
        const char *href = a->ns != NULL ? (const char *) a->ns->href : NULL;

        if (strcmp((const char *) a->name, name) == 0
            && (ns == NULL ? href == NULL
                           : href != NULL && strcmp(href, ns) == 0))
        {
            return wn_feed_attr_value(ctx, a);
        }
    }
    return NULL;
}

static int
wn_feed_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Trims b in place; returns its first non-space byte or NULL when empty. */
static const char *
wn_feed_trim(struct wn_buf *b)
{
    size_t start = 0, end = b->len;

    while (start < end && wn_feed_is_space(b->data[start])) {
        start++;
    }
    while (end > start && wn_feed_is_space(b->data[end - 1])) {
        end--;
    }
    if (start == end) {
        return NULL;
    }
    b->data[end] = '\0';
    return b->data + start;
}

const char *
wn_feed_raw(struct wn_feed_ctx *ctx, xmlNodePtr node)
{
    wn_buf_reset(&ctx->raw);
    wn_feed_gather(ctx, node->children, &ctx->raw, 0);
    return ctx->rc == 0 ? wn_feed_trim(&ctx->raw) : NULL;
}

/*
 * The element's text when it is one text node (most fields), trimmed, as
 * a pointer into the tree and a length; 0 when it is anything else.
 */
static int
wn_feed_one_text(xmlNodePtr node, const char **s, size_t *n)
{
    xmlNodePtr c = node->children;
    const char *p, *e;

    if (c == NULL || c->next != NULL
        || (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE)
        || c->content == NULL)
    {
        return 0;
    }
    p = (const char *) c->content;
    e = p + strlen(p);
    while (p < e && wn_feed_is_space(*p)) {
        p++;
    }
    while (e > p && wn_feed_is_space(e[-1])) {
        e--;
    }
    *s = p;
    *n = (size_t) (e - p);
    return 1;
}

/* s[0..n) copied into the arena, or NULL when n is 0. */
static const char *
wn_feed_dupn(struct wn_feed_ctx *ctx, const char *s, size_t n)
{
    char *p;

    if (n == 0 || ctx->rc != 0) {
        return NULL;
    }
    p = wn_arena_strndup(ctx->arena, s, n);
    if (p == NULL) {
        wn_feed_fail(ctx, wn_arena_used(ctx->arena) + n + 1 > WN_FEED_MAX_ARENA
                              ? WN_ETOOBIG
                              : WN_ENOMEM);
    }
    return p;
}

const char *
wn_feed_dup(struct wn_feed_ctx *ctx, const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    if (*s == '\0') {
        return "";
    }
    return wn_feed_dupn(ctx, s, strlen(s));
}

const char *
wn_feed_join(struct wn_feed_ctx *ctx, const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        return a != NULL ? a : b;
    }
    wn_buf_reset(&ctx->text);
    wn_feed_put(ctx, &ctx->text, a, strlen(a));
    wn_feed_put(ctx, &ctx->text, ", ", 2);
    wn_feed_put(ctx, &ctx->text, b, strlen(b));
    return ctx->rc == 0 ? wn_feed_dup(ctx, ctx->text.data) : NULL;
}

/* ctx->text as a field: NULL when empty. */
static const char *
wn_feed_text_field(struct wn_feed_ctx *ctx)
{
    if (ctx->rc != 0 || ctx->text.len == 0) {
        return NULL;
    }
    return wn_feed_dup(ctx, ctx->text.data);
}

/* Appends code point cp as UTF-8, folded like the text around it. */
static int
wn_feed_fold_cp(struct wn_buf *out, unsigned long cp, int *space)
{
    char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (char) cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char) (0xc0 | (cp >> 6));
        u[1] = (char) (0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char) (0xe0 | (cp >> 12));
        u[1] = (char) (0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char) (0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (char) (0xf0 | (cp >> 18));
        u[1] = (char) (0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char) (0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char) (0x80 | (cp & 0x3f));
        n = 4;
    }
    return wn_text_fold(out, u, n, space);
}

/* "&name;" or "&#N;" / "&#xH;" at s[0..n): its code point and length, or
 * 0 when it is not a reference the HTML parser would decode. */
static size_t
wn_feed_html_ref(const char *s, size_t n, unsigned long *cp)
{
    size_t i = 1;
    long v;

    if (n > 2 && s[1] == '#') {
        /* What the HTML parser decodes: not NUL, surrogates or beyond. */
        size_t len = wn_feed_charref(s, n, cp);
        return *cp == 0 || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff)
                   ? 0
                   : len;
    }
    while (i < n && i < 34
           && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')
               || (s[i] >= '0' && s[i] <= '9')))
    {
        i++;
    }
    if (i == 1 || i == n || s[i] != ';') {
        return 0;
    }
    v = wn_feed_entity_lookup(s + 1, i - 1);
    if (v < 0) {
        return 0;
    }
    *cp = (unsigned long) v;
    return i + 1;
}

/*
 * A run of HTML text: references decoded as libxml2's HTML parser decodes
 * them (HTML 4 names and numbers, with the ';'; anything else stays
 * literal) and the text folded; *space carries a pending space across runs.
 */
static int
wn_feed_html_run(struct wn_buf *out, const char *s, size_t n, int *space)
{
    const char *end = s + n, *amp;
    int rc;

    while ((amp = memchr(s, '&', (size_t) (end - s))) != NULL) {
        unsigned long cp;
        size_t len = wn_feed_html_ref(amp, (size_t) (end - amp), &cp);

        rc = wn_text_fold(out, s, (size_t) (amp - s) + (len == 0), space);
        if (rc >= 0 && len > 0) {
            rc = wn_feed_fold_cp(out, cp, space);
        }
        if (rc < 0) {
            return rc;
        }
        s = amp + (len > 0 ? len : 1);
    }
    rc = wn_text_fold(out, s, (size_t) (end - s), space);
    return rc < 0 ? rc : 0;
}

/* HTML text without a single tag, which is most titles. */
static int
wn_feed_html_untagged(struct wn_buf *out, const char *s, size_t n)
{
    int space = 0;

    return wn_feed_html_run(out, s, n, &space);
}

static int
wn_feed_is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The first occurrence of needle (ASCII, lower case, starting with '<') in
 * s[0..n), case folded, or NULL. */
static const char *
wn_feed_find_ci(const char *s, size_t n, const char *needle)
{
    size_t m = strlen(needle);

    for (const char *p = s; m <= n && p <= s + n - m; p++) {
        p = memchr(p, '<', (size_t) (s + n - m - p) + 1);
        if (p == NULL) {
            return NULL;
        }
        if (strncasecmp(p, needle, m) == 0) {
            return p;
        }
    }
    return NULL;
}

/* The '>' that ends the tag whose attributes start at p (quotes
 * respected), or NULL. */
static const char *
wn_feed_tag_end(const char *p, const char *end)
{
    char quote = 0;

    for (; p < end; p++) {
        if (quote != 0) {
            quote = *p == quote ? 0 : quote;
        } else if (*p == '"' || *p == '\'') {
            quote = *p;
        } else if (*p == '>') {
            return p;
        }
    }
    return NULL;
}

/*
 * The plain text of an HTML fragment (a summary) in one pass, without
 * building a document: what wn_html_fragment_text() gives for the fragments
 * feeds carry.  Tags are dropped, block tags and <br> separate words,
 * script, style and the other skipped elements lose their content,
 * comments and declarations vanish, CDATA is text, a '<' that starts no
 * tag is text, and an unterminated tag ends the text.
 */
static int
wn_feed_html_strip(struct wn_buf *out, const char *s, size_t n)
{
    const char *p = s, *text = s, *end = s + n;
    int space = 0, rc = 0;

    while (rc == 0 && p < end) {
        const char *lt = memchr(p, '<', (size_t) (end - p)), *q;
        char c, name[16];
        size_t nlen = 0;
        int closing;

        if (lt == NULL || lt + 1 >= end) {
            break;
        }
        c = lt[1];
        if (!wn_feed_is_alpha(c) && c != '/' && c != '!' && c != '?') {
            p = lt + 1; /* "1 < 2": text */
            continue;
        }
        rc = wn_feed_html_run(out, text, (size_t) (lt - text), &space);
        if (rc != 0) {
            break;
        }
        if (c == '!' && end - lt >= 4 && memcmp(lt, "<!--", 4) == 0) {
            for (q = lt + 4; q + 3 <= end && memcmp(q, "-->", 3) != 0; q++) {
            }
            p = text = q + 3 <= end ? q + 3 : end;
            continue;
        }
        if (c == '!' && end - lt >= 9 && memcmp(lt, "<![CDATA[", 9) == 0) {
            for (q = lt + 9; q + 3 <= end && memcmp(q, "]]>", 3) != 0; q++) {
            }
            rc = wn_text_fold(out, lt + 9, (size_t) ((q + 3 <= end ? q : end) - (lt + 9)),
                              &space);
            rc = rc < 0 ? rc : 0;
            p = text = q + 3 <= end ? q + 3 : end;
            continue;
        }
        if (c == '!' || c == '?') {
            q = memchr(lt, '>', (size_t) (end - lt));
            p = text = q != NULL ? q + 1 : end;
            continue;
        }
        closing = c == '/';
        q = lt + 1 + closing;
        while (q < end && (wn_feed_is_alpha(*q) || (*q >= '0' && *q <= '9'))) {
            if (nlen + 1 < sizeof(name)) {
                name[nlen++] = (char) (*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
            }
            q++;
        }
        name[nlen] = '\0';
        q = wn_feed_tag_end(q, end);
        if (q == NULL) {
            p = text = end; /* an unterminated tag: the rest is markup */
            break;
        }
        p = text = q + 1;
        if (nlen > 0) {
            unsigned flags = wn_html_tag_flags((const xmlChar *) name);

            if ((flags & WN_TAG_BLOCK) || strcmp(name, "br") == 0) {
                space = 1;
            }
            if (!closing && (flags & WN_TAG_SKIPPED) && q[-1] != '/') {
                /* script, style...: everything up to their end tag */
                char close[20];
                const char *e;

                snprintf(close, sizeof(close), "</%s", name);
                e = wn_feed_find_ci(p, (size_t) (end - p), close);
                e = e != NULL ? wn_feed_tag_end(e, end) : NULL;
                p = text = e != NULL ? e + 1 : end;
            }
        }
    }
    if (rc == 0) {
        rc = wn_feed_html_run(out, text, (size_t) (end - text), &space);
    }
    return rc;
}

const char *
wn_feed_text(struct wn_feed_ctx *ctx, xmlNodePtr node, enum wn_feed_markup m)
{
    int rc;

    wn_buf_reset(&ctx->text);
    if (m == WN_FEED_XHTML || wn_feed_has_elements(node)) {
        /* Markup that libxml2 parsed: text with spaces at block edges. */
        rc = wn_html_node_text(node, &ctx->text);
    } else {
        const char *s;
        size_t n;

        if (!wn_feed_one_text(node, &s, &n)) {
            wn_buf_reset(&ctx->raw);
            wn_feed_gather(ctx, node->children, &ctx->raw, 0);
            s = ctx->raw.data;
            n = ctx->raw.len;
        }
        if (ctx->rc != 0 || n == 0) {
            return NULL;
        }
        if (m == WN_FEED_HTML && memchr(s, '<', n)) {
            rc = wn_feed_html_strip(&ctx->text, s, n);
        } else if (m == WN_FEED_HTML) {
            rc = wn_feed_html_untagged(&ctx->text, s, n);
        } else {
            rc = wn_text_fold(&ctx->text, s, n, NULL);
            rc = rc > 0 ? 0 : rc; /* a count of bytes */
        }
    }
    if (rc == WN_ENOMEM || rc == WN_ETOOBIG) {
        wn_feed_fail(ctx, rc);
        return NULL;
    }
    /* HTML the parser cannot read at all loses this field, not the feed. */
    return rc == 0 ? wn_feed_text_field(ctx) : NULL;
}

const char *
wn_feed_plain(struct wn_feed_ctx *ctx, const char *s)
{
    int rc;

    if (s == NULL) {
        return NULL;
    }
    wn_buf_reset(&ctx->text);
    rc = wn_text_fold(&ctx->text, s, strlen(s), NULL);
    if (rc < 0) {
        wn_feed_fail(ctx, rc);
        return NULL;
    }
    return wn_feed_text_field(ctx);
}

/* Appends s[0..n) with the characters HTML needs escaped. */
static void
wn_feed_escape(struct wn_feed_ctx *ctx, struct wn_buf *b, const char *s,
               size_t n, int attr)
{
    size_t span = 0;

    for (size_t i = 0; i < n; i++) {
        const char *rep = s[i] == '&'           ? "&amp;"
                          : s[i] == '<'         ? "&lt;"
                          : s[i] == '>'         ? "&gt;"
                          : attr && s[i] == '"' ? "&quot;"
                                                : NULL;
        if (rep != NULL) {
            wn_feed_put(ctx, b, s + span, i - span);
            wn_feed_put(ctx, b, rep, strlen(rep));
            span = i + 1;
        }
    }
    wn_feed_put(ctx, b, s + span, n - span);
}

static int
wn_feed_is_void(const char *name)
{
    for (size_t i = 0; i < sizeof(wn_feed_void) / sizeof(wn_feed_void[0]); i++)
    {
        if (strcasecmp(name, wn_feed_void[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

/*
 * Serializes the node list `first` as HTML: elements by local name (an
 * "xhtml:" prefix means nothing to an HTML reader), attributes, escaped
 * text; comments and processing instructions are left out.
 */
static void
wn_feed_serialize(struct wn_feed_ctx *ctx, xmlNodePtr first, struct wn_buf *b,
                  size_t depth)
{
    for (xmlNodePtr n = first; n != NULL && ctx->rc == 0; n = n->next) {
        const char *name = (const char *) n->name;

        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content != NULL) {
                wn_feed_escape(ctx, b, (const char *) n->content,
                               strlen((const char *) n->content), 0);
            }
            continue;
        }
        if (n->type != XML_ELEMENT_NODE || depth >= ctx->max_depth) {
            continue;
        }
        wn_feed_put(ctx, b, "<", 1);
        wn_feed_put(ctx, b, name, strlen(name));
        for (xmlAttrPtr a = n->properties; a != NULL; a = a->next) {
            const char *v = wn_feed_attr_value(ctx, a);
            wn_feed_put(ctx, b, " ", 1);
            if (a->ns != NULL && a->ns->prefix != NULL) {
                wn_feed_put(ctx, b, a->ns->prefix,
                            strlen((const char *) a->ns->prefix));
                wn_feed_put(ctx, b, ":", 1);
            }
            wn_feed_put(ctx, b, a->name, strlen((const char *) a->name));
            wn_feed_put(ctx, b, "=\"", 2);
            if (v != NULL) {
                wn_feed_escape(ctx, b, v, strlen(v), 1);
            }
            wn_feed_put(ctx, b, "\"", 1);
        }
        if (n->children == NULL && wn_feed_is_void(name)) {
            wn_feed_put(ctx, b, "/>", 2);
            continue;
        }
        wn_feed_put(ctx, b, ">", 1);
        wn_feed_serialize(ctx, n->children, b, depth + 1);
        wn_feed_put(ctx, b, "</", 2);
        wn_feed_put(ctx, b, name, strlen(name));
        wn_feed_put(ctx, b, ">", 1);
    }
}

/* The XHTML of an Atom xhtml construct: the children of its one <div>,
 * which RFC 4287 4.1.3.3 says is not part of the content. */
static xmlNodePtr
wn_feed_xhtml_body(xmlNodePtr node)
{
    xmlNodePtr div = wn_feed_elem(node->children);

    if (div != NULL && strcmp((const char *) div->name, "div") == 0
        && wn_feed_elem(div->next) == NULL)
    {
        return div->children;
    }
    return node->children;
}

const char *
wn_feed_html(struct wn_feed_ctx *ctx, xmlNodePtr node, enum wn_feed_markup m)
{
    const char *raw;

    wn_buf_reset(&ctx->text);
    if (m == WN_FEED_XHTML || wn_feed_has_elements(node)) {
        wn_feed_serialize(
            ctx, m == WN_FEED_XHTML ? wn_feed_xhtml_body(node) : node->children,
            &ctx->text, 0);
        raw = wn_feed_trim(&ctx->text);
        return raw != NULL && ctx->rc == 0 ? wn_feed_dup(ctx, raw) : NULL;
    }
    if (m == WN_FEED_HTML) {
        const char *s;
        size_t n;

        if (wn_feed_one_text(node, &s, &n)) {
            return wn_feed_dupn(ctx, s, n); /* as the feed gave it */
        }
        raw = wn_feed_raw(ctx, node);
        return raw != NULL ? wn_feed_dup(ctx, raw) : NULL;
    }
    raw = wn_feed_raw(ctx, node);
    if (raw == NULL) {
        return NULL;
    }
    wn_feed_escape(ctx, &ctx->text, raw, strlen(raw), 0);
    return wn_feed_text_field(ctx);
}

static int
wn_feed_is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
           || (c >= 'A' && c <= 'F');
}

/*
 * Whether s[0..n) is an absolute http(s) URL that resolution and curl's
 * normalization would return unchanged: lower-case scheme and host, a
 * path, only characters that need no encoding, valid %-escapes and no dot
 * segments.  Most feed links are; they skip the URL parser.
 */
static int
wn_feed_link_plain(const char *s, size_t n)
{
    static const char ok[] = "-._~:/?#@!$&'()*+,;=";
    size_t i = strncmp(s, "https://", 8) == 0  ? 8
               : strncmp(s, "http://", 7) == 0 ? 7
                                                : 0;
    size_t host = i;

    if (i == 0) {
        return 0;
    }
    while (i < n
           && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')
               || s[i] == '-' || (s[i] == '.' && i > host && s[i - 1] != '.')))
    {
        i++;
    }
    if (i == host || i == n || s[i] != '/' || s[i - 1] == '.') {
        return 0;
    }
    for (; i < n; i++) {
        char c = s[i];

        if (c == '%') {
            if (i + 2 >= n || !wn_feed_is_hex(s[i + 1])
                || !wn_feed_is_hex(s[i + 2]))
            {
                return 0;
            }
        } else if (c == '/' && i + 1 < n && s[i + 1] == '.'
                   && (i + 2 == n || s[i + 2] == '/' || s[i + 2] == '.'
                       || s[i + 2] == '?' || s[i + 2] == '#'))
        {
            return 0; /* "/." and "/.." segments */
        } else if (c == '?' || c == '#') {
            /* no dot segments after the path; an empty query or fragment
             * is dropped by curl */
            if (i + 1 == n || s[i + 1] == '#') {
                return 0;
            }
            for (i++; i < n; i++) {
                if (s[i] == '#' && i + 1 == n) {
                    return 0;
                }
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')
                      || (s[i] >= '0' && s[i] <= '9')
                      || (s[i] != '%' && strchr(ok, s[i]) != NULL)
                      || (s[i] == '%' && i + 2 < n && wn_feed_is_hex(s[i + 1])
                          && wn_feed_is_hex(s[i + 2]))))
                {
                    return 0;
                }
            }
            return 1;
        } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                     || (c >= '0' && c <= '9') || strchr(ok, c) != NULL))
        {
            return 0;
        }
    }
    return 1;
}

const char *
wn_feed_link(struct wn_feed_ctx *ctx, const char *base, const char *ref)
{
    const char *start, *end;
    char *abs = NULL;
    const char *link;
    int rc;

    if (ref == NULL || ctx->rc != 0) {
        return NULL;
    }
    start = ref;
    while (wn_feed_is_space(*start)) {
        start++;
    }
    end = start + strlen(start);
    while (end > start && wn_feed_is_space(end[-1])) {
        end--;
    }
    if (start == end) {
        return NULL;
    }
    if (!(ctx->url_flags & WN_URL_ALLOW_FILE)
        && wn_feed_link_plain(start, (size_t) (end - start))
        && (size_t) (end - start) <= WN_URL_MAX)
    {
        wn_buf_reset(&ctx->text);
        wn_feed_put(ctx, &ctx->text, start, (size_t) (end - start));
        return ctx->rc == 0 ? wn_feed_text_field(ctx) : NULL;
    }
    if (*end != '\0') {
        /* A trimmed copy; ref may live in ctx->raw but never in ctx->text. */
        wn_buf_reset(&ctx->text);
        wn_feed_put(ctx, &ctx->text, start, (size_t) (end - start));
        if (ctx->rc != 0) {
            return NULL;
        }
        start = ctx->text.data;
    }
    rc = wn_url_resolve(base, start, ctx->url_flags, &abs);
    if (rc == WN_ENOMEM) {
        wn_feed_fail(ctx, rc);
    }
    if (rc != 0) {
        return NULL; /* relative without a base, a refused scheme, junk */
    }
    link = wn_feed_dup(ctx, abs);
    free(abs);
    return link;
}

const char *
wn_feed_base(struct wn_feed_ctx *ctx, xmlNodePtr node, const char *parent_base)
{
    const char *v = wn_feed_attr(ctx, node, WN_NS_XML, "base");
    const char *base;

    if (v == NULL || *v == '\0') {
        return parent_base;
    }
    /* A base that does not resolve (javascript:, junk) is ignored. */
    base = wn_feed_link(ctx, parent_base, v);
    return base != NULL ? base : parent_base;
}

/* An element of Media RSS (declared, or the bare "media:" prefix). */
int
wn_feed_is_media(xmlNodePtr c)
{
    if (c->ns != NULL && c->ns->href != NULL) {
        return strcmp((const char *) c->ns->href, WN_NS_MEDIA) == 0;
    }
    return strncmp((const char *) c->name, "media:", 6) == 0;
}

/*
 * Media RSS: <media:content> is an enclosure (url, type, fileSize), also
 * inside <media:group>; <media:title> and <media:description> stand in for
 * a missing title and description (type="html" or plain);
 * <media:thumbnail> is an image of the item, not a field of the contract.
 */
void
wn_feed_media(struct wn_feed_ctx *ctx, xmlNodePtr c, const char *base,
                  const char **title, const char **summary, int depth)
{
    const char *local = (const char *) c->name;
    const char *colon = strchr(local, ':');

    local = colon != NULL ? colon + 1 : local;
    if (strcmp(local, "content") == 0) {
        const char *b = wn_feed_base(ctx, c, base);
        const char *type = wn_feed_attr(ctx, c, NULL, "type");

        /* medium="image" is no MIME type: the type stays unknown. */
        wn_feed_item_enclosure(
            ctx, wn_feed_link(ctx, b, wn_feed_attr(ctx, c, NULL, "url")),
            type,
            wn_feed_length(wn_feed_attr(ctx, c, NULL, "fileSize")));
        if (depth == 0) {
            /* title and description may sit inside <media:content> */
            for (xmlNodePtr g = wn_feed_elem(c->children); g != NULL;
                 g = wn_feed_elem(g->next))
            {
                if (wn_feed_is(g, WN_NS_MEDIA, "title")
                    || wn_feed_is(g, WN_NS_MEDIA, "description"))
                {
                    wn_feed_media(ctx, g, base, title, summary, 1);
                }
            }
        }
    } else if (strcmp(local, "group") == 0 && depth == 0) {
        for (xmlNodePtr g = wn_feed_elem(c->children); g != NULL;
             g = wn_feed_elem(g->next))
        {
            if (wn_feed_is_media(g)) {
                wn_feed_media(ctx, g, base, title, summary, 1);
            }
        }
    } else if (strcmp(local, "title") == 0 || strcmp(local, "description") == 0)
    {
        const char *type = wn_feed_attr(ctx, c, NULL, "type");
        const char **slot = local[0] == 't' ? title : summary;

        if (*slot == NULL) {
            *slot = wn_feed_text(ctx, c,
                                 type != NULL && strcasecmp(type, "html") == 0
                                     ? WN_FEED_HTML
                                     : WN_FEED_TEXT);
        }
    }
}

int64_t
wn_feed_time_str(struct wn_feed_ctx *ctx, const char *s)
{
    int64_t t;

    if (s == NULL || wn_time_parse_zone(s, ctx->zone_minutes, &t) != 0
        || t > ctx->future)
    {
        return WN_TIME_NONE;
    }
    return t;
}

int64_t
wn_feed_time(struct wn_feed_ctx *ctx, xmlNodePtr node)
{
    return wn_feed_time_str(ctx, wn_feed_raw(ctx, node));
}

const char *
wn_feed_escaped(struct wn_feed_ctx *ctx, const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    wn_buf_reset(&ctx->text);
    wn_feed_escape(ctx, &ctx->text, s, strlen(s), 0);
    return wn_feed_text_field(ctx);
}

int64_t
wn_feed_length(const char *s)
{
    int64_t v = 0;
    int digits = 0;

    if (s == NULL) {
        return -1;
    }
    while (wn_feed_is_space(*s)) {
        s++;
    }
    for (; *s >= '0' && *s <= '9'; s++) {
        if (++digits > 18) {
            return -1; /* beyond any real file, and int64_t */
        }
        v = v * 10 + (*s - '0');
    }
    while (wn_feed_is_space(*s)) {
        s++;
    }
    return digits > 0 && *s == '\0' ? v : -1;
}

void
wn_feed_item_category(struct wn_feed_ctx *ctx, const char *cat)
{
    if (cat == NULL || ctx->ncats == WN_FEED_MAX_CATEGORIES) {
        return;
    }
    for (size_t i = 0; i < ctx->ncats; i++) {
        if (strcmp(ctx->cats[i], cat) == 0) {
            return;
        }
    }
    ctx->cats[ctx->ncats++] = cat;
}

void
wn_feed_item_enclosure(struct wn_feed_ctx *ctx, const char *url,
                       const char *type, int64_t length)
{
    struct wn_feed_enclosure *e;

    if (url == NULL || ctx->nencs == WN_FEED_MAX_ENCLOSURES) {
        return;
    }
    for (size_t i = 0; i < ctx->nencs; i++) {
        if (strcmp(ctx->encs[i].url, url) == 0) {
            return;
        }
    }
    e = &ctx->encs[ctx->nencs++];
    e->url = url;
    e->type = type != NULL && *type != '\0' ? wn_feed_dup(ctx, type) : NULL;
    e->length = length;
}

static void *
wn_feed_copy(struct wn_feed_ctx *ctx, const void *p, size_t size)
{
    void *q;

    if (size == 0) {
        return NULL;
    }
    q = wn_arena_alloc(ctx->arena, size);
    if (q == NULL) {
        wn_feed_fail(ctx, WN_ETOOBIG);
        return NULL;
    }
    memcpy(q, p, size);
    return q;
}

/* "sha:" and the hex content hash of an item (the rule below). */
static const char *
wn_feed_item_hash(struct wn_feed_ctx *ctx, const struct wn_feed_item *item)
{
    const char *parts[4];
    char hex[WN_TEXT_HASH_HEX + 1];

    parts[0] = item->title;
    parts[1] = item->summary;
    parts[2] = item->content_html;
    parts[3] = item->nenclosures > 0 ? item->enclosures[0].url : NULL;
    wn_buf_reset(&ctx->text);
    for (size_t i = 0; i < 4; i++) {
        if (i > 0) {
            wn_feed_put(ctx, &ctx->text, "\n", 1);
        }
        if (parts[i] != NULL) {
            wn_feed_put(ctx, &ctx->text, parts[i], strlen(parts[i]));
        }
    }
    if (ctx->rc != 0) {
        return NULL;
    }
    wn_text_hash(ctx->text.data, ctx->text.len, hex);
    wn_buf_reset(&ctx->text);
    wn_feed_put(ctx, &ctx->text, "sha:", 4);
    wn_feed_put(ctx, &ctx->text, hex, WN_TEXT_HASH_HEX);
    return wn_feed_text_field(ctx);
}

/*
 * An item's identity, the first of:
 *   1. the id the feed gives it: RSS <guid>, Atom <id>, as written
 *      (trimmed), whether or not it is a URL;
 *   2. its link, resolved (absolute);
 *   3. "sha:" and the hex wn_text_hash() of title "\n" summary "\n"
 *      content_html "\n" first enclosure URL, absent fields as "", so that
 *      the same text gives the same id on every fetch.
 * An item with none of them is empty and is not kept.
 */
int
wn_feed_item_finish(struct wn_feed_ctx *ctx, struct wn_feed_item *item,
                    const char *id)
{
    item->categories =
        wn_feed_copy(ctx, ctx->cats, ctx->ncats * sizeof(ctx->cats[0]));
    item->ncategories = ctx->ncats;
    item->enclosures =
        wn_feed_copy(ctx, ctx->encs, ctx->nencs * sizeof(ctx->encs[0]));
    item->nenclosures = ctx->nencs;
    ctx->ncats = 0;
    ctx->nencs = 0;
    if (ctx->rc != 0) {
        return 0;
    }
    if (id != NULL) {
        item->id = id;
        return 1;
    }
    if (item->link != NULL) {
        item->id = item->link;
        return 1;
    }
    if (item->title == NULL && item->summary == NULL
        && item->content_html == NULL && item->nenclosures == 0)
    {
        return 0;
    }
    item->id = wn_feed_item_hash(ctx, item);
    return item->id != NULL;
}

/*
 * When ids repeat inside one document with other content (another link or
 * title), the feed's ids say nothing: a CMS that gives every item the same
 * guid, or the channel's URL.  As FreshRSS does when it sees bad GUIDs,
 * identity then falls back for every item of the document: to the link
 * when every item has one and no two share it, else to the content hash.
 * An item repeated whole (same id, link and title) is one item listed
 * twice: the first is kept and the ids stay.
 */
static int
wn_feed_ids_cmp(const void *a, const void *b)
{
    const struct wn_feed_item *x = *(const struct wn_feed_item *const *) a;
    const struct wn_feed_item *y = *(const struct wn_feed_item *const *) b;
    int c = strcmp(x->id, y->id);

    return c != 0 ? c : (x < y ? -1 : x > y);
}

static int
wn_feed_same(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

void
wn_feed_ids_check(struct wn_feed_ctx *ctx)
{
    struct wn_feed_doc *doc = ctx->doc;
    struct wn_feed_item **by_id;
    struct wn_strset seen;
    size_t repeats = 0, kept = 0;
    int bad = 0, links_ok = 1, rc = 0;

    if (doc->nitems < 2) {
        return;
    }
    by_id = malloc(doc->nitems * sizeof(*by_id));
    if (by_id == NULL) {
        wn_feed_fail(ctx, WN_ENOMEM);
        return;
    }
    for (size_t i = 0; i < doc->nitems; i++) {
        by_id[i] = &doc->items[i];
    }
    /* Sorted by id, then by position: the first of a run is the one kept. */
    qsort(by_id, doc->nitems, sizeof(*by_id), wn_feed_ids_cmp);
    for (size_t i = 1; i < doc->nitems; i++) {
        struct wn_feed_item *first = by_id[i - 1], *it = by_id[i];

        if (strcmp(first->id, it->id) != 0) {
            continue;
        }
        if (!wn_feed_same(first->link, it->link)
            || !wn_feed_same(first->title, it->title))
        {
            bad = 1;
            break;
        }
        it->id = NULL; /* a repeat, dropped below */
        by_id[i] = first;
        repeats++;
    }
    free(by_id);
    if (bad) {
        wn_strset_init(&seen);
        for (size_t i = 0; i < doc->nitems && links_ok && rc >= 0; i++) {
            rc = doc->items[i].link == NULL
                     ? 0
                     : wn_strset_add(&seen, doc->items[i].link);
            links_ok = rc > 0;
        }
        wn_strset_free(&seen);
        for (size_t i = 0; i < doc->nitems && rc >= 0 && ctx->rc == 0; i++) {
            struct wn_feed_item *it = &doc->items[i];
            it->id = links_ok ? it->link : wn_feed_item_hash(ctx, it);
        }
        /* Items that still share an id are the same item: keep the first. */
        wn_strset_init(&seen);
        for (size_t i = 0; i < doc->nitems && rc >= 0 && ctx->rc == 0; i++) {
            struct wn_feed_item *it = &doc->items[i];
            if (it->id != NULL && (rc = wn_strset_add(&seen, it->id)) > 0) {
                doc->items[kept++] = *it;
            }
        }
        wn_strset_free(&seen);
        if (rc >= 0 && ctx->rc == 0) {
            doc->nitems = kept;
        }
    } else if (repeats > 0) {
        for (size_t i = 0; i < doc->nitems; i++) {
            if (doc->items[i].id != NULL) {
                doc->items[kept++] = doc->items[i];
            }
        }
        doc->nitems = kept;
    }
    if (rc < 0) {
        wn_feed_fail(ctx, rc);
    }
}
