/*
 * wn_html.c: libxml2's HTML parser with winnow's limits and charset rules,
 * and the text of a subtree.
 */
#include "wn_html.h"

#include <libxml/HTMLparser.h>
#include <libxml/xmlerror.h>
#include <string.h>
#include <strings.h>

#include "wn_charset.h"
#include "wn_err.h"
#include "wn_text.h"

/* Tags that end a line of text: block-level in HTML's rendering model. */
/*
 * Every tag with a class, sorted by name: WN_TAG_BLOCK for what HTML renders
 * on its own lines, WN_TAG_SKIPPED for what is never text of the page.
 */
static const struct {
    const char *name;
    unsigned flags;
} wn_html_tags[] = {
    { "address", WN_TAG_BLOCK },    { "applet", WN_TAG_SKIPPED },
    { "article", WN_TAG_BLOCK },    { "aside", WN_TAG_BLOCK },
    { "audio", WN_TAG_SKIPPED },    { "blockquote", WN_TAG_BLOCK },
    { "body", WN_TAG_BLOCK },       { "button", WN_TAG_SKIPPED },
    { "canvas", WN_TAG_SKIPPED },   { "caption", WN_TAG_BLOCK },
    { "center", WN_TAG_BLOCK },     { "datalist", WN_TAG_SKIPPED },
    { "dd", WN_TAG_BLOCK },         { "details", WN_TAG_BLOCK },
    { "dialog", WN_TAG_BLOCK },     { "dir", WN_TAG_BLOCK },
    { "div", WN_TAG_BLOCK },        { "dl", WN_TAG_BLOCK },
    { "dt", WN_TAG_BLOCK },         { "embed", WN_TAG_SKIPPED },
    { "fieldset", WN_TAG_BLOCK },   { "figcaption", WN_TAG_BLOCK },
    { "figure", WN_TAG_BLOCK },     { "footer", WN_TAG_BLOCK },
    { "form", WN_TAG_BLOCK },       { "frame", WN_TAG_BLOCK },
    { "frameset", WN_TAG_BLOCK },   { "h1", WN_TAG_BLOCK },
    { "h2", WN_TAG_BLOCK },         { "h3", WN_TAG_BLOCK },
    { "h4", WN_TAG_BLOCK },         { "h5", WN_TAG_BLOCK },
    { "h6", WN_TAG_BLOCK },         { "head", WN_TAG_SKIPPED },
    { "header", WN_TAG_BLOCK },     { "hgroup", WN_TAG_BLOCK },
    { "hr", WN_TAG_BLOCK },         { "html", WN_TAG_BLOCK },
    { "iframe", WN_TAG_SKIPPED },   { "input", WN_TAG_SKIPPED },
    { "legend", WN_TAG_BLOCK },     { "li", WN_TAG_BLOCK },
    { "main", WN_TAG_BLOCK },       { "map", WN_TAG_SKIPPED },
    { "math", WN_TAG_SKIPPED },     { "menu", WN_TAG_BLOCK },
    { "meter", WN_TAG_SKIPPED },    { "nav", WN_TAG_BLOCK },
    { "noframes", WN_TAG_BLOCK },   { "noscript", WN_TAG_SKIPPED },
    { "object", WN_TAG_SKIPPED },   { "ol", WN_TAG_BLOCK },
    { "optgroup", WN_TAG_SKIPPED }, { "option", WN_TAG_SKIPPED },
    { "p", WN_TAG_BLOCK },          { "pre", WN_TAG_BLOCK },
    { "progress", WN_TAG_SKIPPED }, { "script", WN_TAG_SKIPPED },
    { "section", WN_TAG_BLOCK },    { "select", WN_TAG_SKIPPED },
    { "style", WN_TAG_SKIPPED },    { "summary", WN_TAG_BLOCK },
    { "svg", WN_TAG_SKIPPED },      { "table", WN_TAG_BLOCK },
    { "tbody", WN_TAG_BLOCK },      { "td", WN_TAG_BLOCK },
    { "template", WN_TAG_SKIPPED }, { "textarea", WN_TAG_SKIPPED },
    { "tfoot", WN_TAG_BLOCK },      { "th", WN_TAG_BLOCK },
    { "thead", WN_TAG_BLOCK },      { "tr", WN_TAG_BLOCK },
    { "ul", WN_TAG_BLOCK },         { "video", WN_TAG_SKIPPED },
};

static void
wn_html_quiet_generic(void *ctx, const char *msg, ...)
{
    (void) ctx;
    (void) msg;
}

static void
wn_html_quiet_structured(void *ctx, xmlErrorPtr error)
{
    (void) ctx;
    (void) error;
}

void
wn_html_global_init(void)
{
    xmlInitParser();
    /* The defaults for threads created from now on, and this thread's. */
    xmlThrDefSetGenericErrorFunc(NULL, wn_html_quiet_generic);
    xmlThrDefSetStructuredErrorFunc(NULL, wn_html_quiet_structured);
    xmlSetGenericErrorFunc(NULL, wn_html_quiet_generic);
    xmlSetStructuredErrorFunc(NULL, wn_html_quiet_structured);
}

unsigned
wn_html_tag_flags(const xmlChar *name)
{
    size_t lo = 0, hi = sizeof(wn_html_tags) / sizeof(wn_html_tags[0]);

    if (name == NULL) {
        return 0;
    }
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *t = wn_html_tags[mid].name;
        /* Most comparisons are decided by the first byte. */
        int c = name[0] != (unsigned char) t[0]
                    ? (int) name[0] - (int) (unsigned char) t[0]
                    : strcmp((const char *) name, t);
        if (c == 0) {
            return wn_html_tags[mid].flags;
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return 0;
}

int
wn_html_is_block(const xmlChar *name)
{
    return (wn_html_tag_flags(name) & WN_TAG_BLOCK) != 0;
}

int
wn_html_is_skipped(const xmlChar *name)
{
    return (wn_html_tag_flags(name) & WN_TAG_SKIPPED) != 0;
}

const char *
wn_html_attr(xmlNodePtr node, const char *name)
{
    if (node == NULL || node->type != XML_ELEMENT_NODE) {
        return NULL;
    }
    for (xmlAttrPtr a = node->properties; a != NULL; a = a->next) {
        if (a->name != NULL && strcasecmp((const char *) a->name, name) == 0
            && a->children != NULL && a->children->type == XML_TEXT_NODE)
        {
            return (const char *) a->children->content;
        }
    }
    return NULL;
}

/* The charset parameter of a Content-Type, into buf. */
static int
wn_html_charset_param(const char *ct, char *buf, size_t cap)
{
    return ct != NULL && wn_charset_param(ct, strlen(ct), "charset", buf, cap);
}

/* The charset a <meta> declares in the first bytes (HTML's prescan). */
static int
wn_html_meta_charset(const char *data, size_t len, char *buf, size_t cap)
{
    const size_t scan = len < 4096 ? len : 4096;

    for (size_t i = 0; i + 5 < scan; i++) {
        if (data[i] != '<' || strncasecmp(data + i + 1, "meta", 4) != 0) {
            continue;
        }
        const char *end = memchr(data + i, '>', scan - i);
        if (end == NULL) {
            break;
        }
        for (const char *p = data + i; p + 8 < end; p++) {
            if (strncasecmp(p, "charset", 7) == 0) {
                char tag[512];
                size_t n = (size_t) (end - p) < sizeof(tag) - 1
                               ? (size_t) (end - p)
                               : sizeof(tag) - 1;
                memcpy(tag, p, n);
                tag[n] = '\0';
                return wn_html_charset_param(tag, buf, cap);
            }
        }
        i = (size_t) (end - data);
    }
    return 0;
}

/* ASCII case-insensitive prefix test against a lower-case word. */
static int
wn_html_word_at(const char *p, const char *end, const char *lower)
{
    for (; *lower != '\0'; p++, lower++) {
        if (p >= end || (*p | 0x20) != *lower) {
            return 0;
        }
    }
    return 1;
}

/* The end of the tag that starts at p ('<'), past its '>', quotes
 * respected; `end` when the tag is cut off. */
static const char *
wn_html_tag_end(const char *p, const char *end)
{
    char quote = 0;

    for (p++; p < end; p++) {
        if (quote != 0) {
            if (*p == quote) {
                quote = 0;
            }
        } else if (*p == '"' || *p == '\'') {
            quote = *p;
        } else if (*p == '>') {
            return p + 1;
        }
    }
    return end;
}

/* Does the start tag [p, e) hold JSON-LD (type="application/ld+json")? */
static int
wn_html_is_json_ld(const char *p, const char *e)
{
    for (; p + 7 <= e; p++) {
        if ((*p | 0x20) == 'l' && wn_html_word_at(p, e, "ld+json")) {
            return 1;
        }
    }
    return 0;
}

/*
 * Copies UTF-8 HTML to `out` without what is never text of the page:
 * comments and the bodies of <script> (JSON-LD kept: plugins read it) and
 * <style>; the elements themselves stay.  libxml2 walks those bodies one
 * character at a time, and on pages of today they are often most of the
 * bytes.  Tags are skipped whole, quotes respected, so "<script" inside an
 * attribute or a comment is not taken for a script.  A body ends where
 * libxml2's recovering parser ends it: at "</script" or "</style".
 * Returns 1 when something was left out (out holds the page), 0 when the
 * page has nothing to leave out (out untouched), < 0 on the cap.
 */
static int
wn_html_strip_code(const char *data, size_t len, struct wn_buf *out)
{
    const char *p = data, *end = data + len, *copied = data;
    int stripped = 0, rc;

    while (p < end) {
        const char *lt = memchr(p, '<', (size_t) (end - p));
        const char *skip_to = NULL, *resume = NULL;

        if (lt == NULL) {
            break;
        }
        if (wn_html_word_at(lt + 1, end, "!--")) {
            const char *c = lt + 4;
            while (c + 2 < end && !(c[0] == '-' && c[1] == '-' && c[2] == '>'))
            {
                c++;
            }
            skip_to = lt;
            resume = c + 2 < end ? c + 3 : end;
        } else {
            const char *te = wn_html_tag_end(lt, end);
            const char *name = lt + 1;
            const char *close = NULL;

            if (wn_html_word_at(name, end, "script") && name + 6 < end
                && (name[6] == '>' || name[6] == ' ' || name[6] == '\t'
                    || name[6] == '\n' || name[6] == '\r' || name[6] == '/')
                && !wn_html_is_json_ld(lt, te))
            {
                close = "</script";
            } else if (wn_html_word_at(name, end, "style") && name + 5 < end
                       && (name[5] == '>' || name[5] == ' ' || name[5] == '\t'
                           || name[5] == '\n' || name[5] == '\r'))
            {
                close = "</style";
            }
            if (close != NULL) {
                const char *c = te;
                while (c < end) {
                    c = memchr(c, '<', (size_t) (end - c));
                    if (c == NULL || wn_html_word_at(c, end, close)) {
                        break;
                    }
                    c++;
                }
                if (c == NULL) {
                    c = end;
                }
                if (c > te) {
                    skip_to = te; /* keep the start tag, drop the body */
                    resume = c;
                }
            }
            if (skip_to == NULL) {
                p = te;
                continue;
            }
        }
        rc = wn_buf_append(out, copied, (size_t) (skip_to - copied));
        if (rc != 0) {
            return rc;
        }
        stripped = 1;
        copied = p = resume;
    }
    if (!stripped) {
        return 0;
    }
    rc = wn_buf_append(out, copied, (size_t) (end - copied));
    return rc != 0 ? rc : 1;
}

/*
 * Decides the character set, in this order of trust: a byte order mark; the
 * bytes themselves when they are valid UTF-8 with multi-byte sequences (a
 * legacy label on valid UTF-8 is a mislabel far more often than real text);
 * the HTTP charset; a <meta> charset; windows-1252.  windows-1252 (and the
 * labels that mean it) is decoded here, so libxml2 always gets UTF-8 or a
 * charset it has a converter for, and is told to ignore <meta> (it would
 * otherwise switch charsets in the middle of the document).
 */
int
wn_html_parse(const char *data, size_t len, const char *url,
              const char *content_type, xmlDocPtr *out, struct wn_err *err)
{
    int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING
               | HTML_PARSE_NONET | HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC;
    char charset[64];
    const char *enc = "UTF-8";
    struct wn_buf utf8, lean;
    xmlDocPtr doc;

    *out = NULL;
    if (len > WN_HTML_MAX_BYTES) {
        return wn_err_set(err, WN_ETOOBIG,
                          "%s: page of %zu bytes over the %u byte limit",
                          url ? url : "page", len, WN_HTML_MAX_BYTES);
    }
    wn_buf_init(&utf8, 3 * (size_t) WN_HTML_MAX_BYTES);
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
        enc = "UTF-8";
    } else if (len >= 2
               && (memcmp(data, "\xff\xfe", 2) == 0
                   || memcmp(data, "\xfe\xff", 2) == 0))
    {
        enc = NULL; /* libxml2 reads UTF-16 byte order marks itself */
        opts &= ~HTML_PARSE_IGNORE_ENC;
    } else if (wn_text_utf8_valid(data, len)) {
        enc = "UTF-8";
    } else {
        int labelled =
            wn_html_charset_param(content_type, charset, sizeof(charset))
            || wn_html_meta_charset(data, len, charset, sizeof(charset));
        xmlCharEncodingHandlerPtr h = NULL;

        if (labelled && !wn_charset_is_cp1252(charset)
            && (h = xmlFindCharEncodingHandler(charset)) != NULL)
        {
            enc = charset; /* a charset libxml2 converts (iconv) */
            xmlCharEncCloseFunc(h);
        } else {
            if (wn_charset_cp1252_to_utf8(data, len, &utf8) != 0) {
                wn_buf_free(&utf8);
                return wn_err_set(err, WN_ENOMEM, "%s: out of memory",
                                  url ? url : "page");
            }
            data = utf8.data != NULL ? utf8.data : "";
            len = utf8.len;
        }
    }
    /* Scripts, styles and comments never reach libxml2 (UTF-8 only: other
     * charsets may hold '<' bytes inside multi-byte characters). */
    wn_buf_init(&lean, 3 * (size_t) WN_HTML_MAX_BYTES);
    if (enc != NULL && strcmp(enc, "UTF-8") == 0) {
        int rc = wn_html_strip_code(data, len, &lean);
        if (rc < 0) {
            wn_buf_free(&utf8);
            wn_buf_free(&lean);
            return wn_err_set(err, WN_ENOMEM, "%s: out of memory",
                              url ? url : "page");
        }
        if (rc > 0) {
            data = lean.data;
            len = lean.len;
        }
    }
    if (len > INT32_MAX) {
        wn_buf_free(&utf8);
        wn_buf_free(&lean);
        return wn_err_set(err, WN_ETOOBIG, "page too large");
    }
    doc = htmlReadMemory(data, (int) len, url, enc, opts);
    wn_buf_free(&utf8);
    wn_buf_free(&lean);
    if (doc == NULL) {
        return wn_err_set(err, WN_EPARSE, "%s: not parseable as HTML",
                          url ? url : "page");
    }
    *out = doc;
    return 0;
}

/* Iterative walk: appends text of node's subtree with block spacing. */
int
wn_html_node_text(xmlNodePtr node, struct wn_buf *out)
{
    xmlNodePtr cur = node;
    unsigned depth = 0;
    int space = 0, rc;

    if (node == NULL) {
        return 0;
    }
    if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
        rc = wn_text_fold(out, (const char *) node->content,
                          strlen((const char *) node->content), &space);
        return rc < 0 ? rc : 0;
    }
    cur = node->children;
    depth = 1;
    while (cur != NULL && cur != node) {
        int descend = 0;

        if (cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE) {
            if (cur->content != NULL) {
                rc = wn_text_fold(out, (const char *) cur->content,
                                  strlen((const char *) cur->content), &space);
                if (rc < 0) {
                    return rc;
                }
            }
        } else if (cur->type == XML_ELEMENT_NODE) {
            if (wn_html_is_skipped(cur->name)) {
                /* nothing */
            } else if (strcmp((const char *) cur->name, "br") == 0) {
                space = 1;
            } else {
                if (wn_html_is_block(cur->name)) {
                    space = 1;
                }
                descend = cur->children != NULL && depth < WN_HTML_MAX_DEPTH;
            }
        }
        if (descend) {
            cur = cur->children;
            depth++;
            continue;
        }
        while (cur != node && cur->next == NULL) {
            cur = cur->parent;
            depth--;
            if (cur != NULL && cur != node && cur->type == XML_ELEMENT_NODE
                && wn_html_is_block(cur->name))
            {
                space = 1;
            }
            if (cur == NULL) {
                return 0;
            }
        }
        if (cur == node) {
            break;
        }
        cur = cur->next;
    }
    /* A fold pending at the end is dropped: no trailing space. */
    if (out->len > 0 && out->data[out->len - 1] == ' ') {
        out->data[--out->len] = '\0';
    }
    return 0;
}

/* Appends c to the ring of the last visible characters. */
static void
wn_html_tail_push(char *ring, size_t cap, size_t *n, char c)
{
    if (cap < 2) {
        return;
    }
    if (c == ' ' && (*n == 0 || ring[(*n - 1) % (cap - 1)] == ' ')) {
        return;
    }
    ring[*n % (cap - 1)] = c >= 'A' && c <= 'Z' ? (char) (c | 0x20) : c;
    (*n)++;
}

size_t
wn_html_quick_words(const char *html, size_t len, char *tail, size_t tailcap)
{
    const unsigned char *p = (const unsigned char *) html;
    size_t words = 0, i = 0, seen = 0;
    char ring[256];
    int in_word = 0;

    if (tailcap > sizeof(ring) + 1) {
        tailcap = sizeof(ring) + 1;
    }
    while (i < len) {
        unsigned char c = p[i];

        if (c == '<') {
            /* Skip the tag; and the contents of script and style. */
            int skip_body =
                (i + 7 < len && strncasecmp(html + i + 1, "script", 6) == 0)
                || (i + 6 < len && strncasecmp(html + i + 1, "style", 5) == 0);
            const char *gt = memchr(html + i, '>', len - i);
            i = gt != NULL ? (size_t) (gt - html) + 1 : len;
            if (skip_body) {
                while (i < len
                       && !(p[i] == '<' && i + 1 < len && p[i + 1] == '/')) {
                    i++;
                }
            }
            in_word = 0;
            wn_html_tail_push(ring, tailcap, &seen, ' ');
            continue;
        }
        if (c == '&') {
            size_t k = i + 1;
            while (k < len && k < i + 12 && p[k] != ';' && p[k] != ' ') {
                k++;
            }
            if (k < len && p[k] == ';') {
                i = k + 1;
                in_word = 0;
                wn_html_tail_push(ring, tailcap, &seen, ' ');
                continue;
            }
        }
        if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
            || c >= 0x80)
        {
            if (!in_word) {
                words++;
                in_word = 1;
            }
        } else {
            in_word = 0;
        }
        wn_html_tail_push(ring, tailcap, &seen,
                          c == '\n' || c == '\t' || c == '\r' ? ' ' : (char) c);
        i++;
    }
    if (tailcap > 0) {
        size_t n = seen < tailcap - 1 ? seen : tailcap - 1, k = 0;
        for (size_t j = seen - n; j < seen; j++) {
            tail[k++] = ring[j % (tailcap - 1)];
        }
        while (k > 0 && tail[k - 1] == ' ') {
            k--;
        }
        tail[k] = '\0';
    }
    return words;
}

int
wn_html_fragment_text(const char *html, size_t len, struct wn_buf *out)
{
    xmlDocPtr doc;
    xmlNodePtr root;
    int rc;

    /* Plain text with no markup at all needs no parser. */
    if (memchr(html, '<', len) == NULL && memchr(html, '&', len) == NULL) {
        rc = wn_text_fold(out, html, len, NULL);
        return rc < 0 ? rc : 0;
    }
    rc = wn_html_parse(html, len, NULL, "text/html; charset=utf-8", &doc, NULL);
    if (rc != 0) {
        return rc;
    }
    root = xmlDocGetRootElement(doc);
    rc = wn_html_node_text(root, out);
    xmlFreeDoc(doc);
    return rc;
}
