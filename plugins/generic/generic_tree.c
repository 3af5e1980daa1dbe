/*
 * generic_tree.c: the element statistics the generic cleaner decides with
 * (text, link text, commas, paragraphs below each element), and the small
 * tree and text helpers the other files share.  It decides nothing itself.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "generic.h"

/*
 * The host's block elements and skipped elements (daemon/wn_html.c), sorted
 * for bsearch.  The block walk and the scoring must agree on what a block
 * is, so keep these lists in step with the host's.
 */
static const char *const generic_block_tags[] = {
    "address",  "article", "aside",    "blockquote", "body",    "caption",
    "center",   "dd",      "details",  "dialog",     "dir",     "div",
    "dl",       "dt",      "fieldset", "figcaption", "figure",  "footer",
    "form",     "frame",   "frameset", "h1",         "h2",      "h3",
    "h4",       "h5",      "h6",       "header",     "hgroup",  "hr",
    "html",     "legend",  "li",       "main",       "menu",    "nav",
    "noframes", "ol",      "p",        "pre",        "section", "summary",
    "table",    "tbody",   "td",       "tfoot",      "th",      "thead",
    "tr",       "ul",
};

static const char *const generic_skipped_tags[] = {
    "applet",   "audio",  "button",   "canvas",   "datalist", "embed",
    "head",     "iframe", "input",    "map",      "math",     "meter",
    "noscript", "object", "optgroup", "option",   "progress", "script",
    "select",   "style",  "svg",      "template", "textarea", "video",
};

static int
generic_tree_cmp(const void *key, const void *elem)
{
    const unsigned char *a = key, *b = *(const unsigned char *const *) elem;

    /* Most steps of the search differ in the first letter: no call. */
    return a[0] != b[0] ? a[0] - b[0] : strcmp(key, (const char *) b);
}

static int
generic_in(const xmlChar *name, const char *const *set, size_t n)
{
    return name != NULL
           && bsearch(name, set, n, sizeof(*set), generic_tree_cmp) != NULL;
}

int
generic_is_block_tag(const xmlChar *name)
{
    return generic_in(name, generic_block_tags,
                      sizeof(generic_block_tags)
                          / sizeof(generic_block_tags[0]));
}

int
generic_is_skipped_tag(const xmlChar *name)
{
    return generic_in(name, generic_skipped_tags,
                      sizeof(generic_skipped_tags)
                          / sizeof(generic_skipped_tags[0]));
}

int
generic_name_is(xmlNodePtr n, const char *name)
{
    return n != NULL && n->type == XML_ELEMENT_NODE
           && strcmp((const char *) n->name, name) == 0;
}

const char *
generic_attr_value(xmlAttrPtr a)
{
    if (a->children != NULL && a->children->type == XML_TEXT_NODE
        && a->children->content != NULL)
    {
        return (const char *) a->children->content;
    }
    return "";
}

const char *
generic_attr(xmlNodePtr n, const char *name)
{
    if (n == NULL || n->type != XML_ELEMENT_NODE) {
        return NULL;
    }
    for (xmlAttrPtr a = n->properties; a != NULL; a = a->next) {
        const char *an = (const char *) a->name;
        /* The first letters first: elements carry many attributes. */
        if (an != NULL && (an[0] | 0x20) == (name[0] | 0x20)
            && strcasecmp(an, name) == 0)
        {
            return generic_attr_value(a);
        }
    }
    return NULL;
}

int
generic_is_ancestor(xmlNodePtr a, xmlNodePtr n)
{
    for (; n != NULL; n = n->parent) {
        if (n == a) {
            return 1;
        }
    }
    return 0;
}

int
generic_attached(xmlNodePtr n)
{
    for (; n != NULL; n = n->parent) {
        if (n->type == XML_DOCUMENT_NODE || n->type == XML_HTML_DOCUMENT_NODE) {
            return 1;
        }
    }
    return 0;
}

int
generic_has_text(xmlNodePtr n)
{
    xmlNodePtr cur = n;
    unsigned depth = 0;

    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        return !xmlIsBlankNode(n);
    }
    if (n->type != XML_ELEMENT_NODE || generic_is_skipped_tag(n->name)) {
        return 0;
    }
    cur = n->children;
    depth = 1;
    while (cur != NULL && cur != n) {
        if ((cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE)
            && !xmlIsBlankNode(cur))
        {
            return 1;
        }
        if (cur->type == XML_ELEMENT_NODE && cur->children != NULL
            && !generic_is_skipped_tag(cur->name) && depth < 512)
        {
            cur = cur->children;
            depth++;
            continue;
        }
        while (cur != n && cur->next == NULL) {
            cur = cur->parent;
            depth--;
        }
        if (cur == n) {
            break;
        }
        cur = cur->next;
    }
    return 0;
}

xmlNodePtr
generic_body(xmlDocPtr xml)
{
    xmlNodePtr root = xmlDocGetRootElement(xml);

    if (root == NULL) {
        return NULL;
    }
    for (xmlNodePtr c = root->children; c != NULL; c = c->next) {
        if (generic_name_is(c, "body")) {
            return c;
        }
    }
    return root;
}

/* Decodes one UTF-8 sequence at s (n bytes left); returns its length. */
static size_t
generic_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0 && n >= 2) {
        *cp = ((uint32_t) (s[0] & 0x1f) << 6) | (s[1] & 0x3f);
        return 2;
    }
    if ((s[0] & 0xf0) == 0xe0 && n >= 3) {
        *cp = ((uint32_t) (s[0] & 0x0f) << 12) | ((uint32_t) (s[1] & 0x3f) << 6)
              | (s[2] & 0x3f);
        return 3;
    }
    if ((s[0] & 0xf8) == 0xf0 && n >= 4) {
        *cp = ((uint32_t) (s[0] & 0x07) << 18)
              | ((uint32_t) (s[1] & 0x3f) << 12)
              | ((uint32_t) (s[2] & 0x3f) << 6) | (s[3] & 0x3f);
        return 4;
    }
    *cp = 0xfffd;
    return 1;
}

/* White space, punctuation and symbols: what separates words. */
static int
generic_is_sep(uint32_t cp)
{
    if (cp < 0x80) {
        return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z')
                 || (cp >= 'A' && cp <= 'Z'));
    }
    return (cp >= 0x80 && cp <= 0xbf) || cp == 0xd7 || cp == 0xf7
           || (cp >= 0x2000 && cp <= 0x206f) || (cp >= 0x20a0 && cp <= 0x20cf)
           || (cp >= 0x2190 && cp <= 0x2bff) || (cp >= 0x3000 && cp <= 0x303f)
           || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff0f)
           || cp == 0xfeff || cp == 0xfffd;
}

/* A letter or digit of ASCII: what makes words in ASCII text. */
static inline int
generic_ascii_alnum(unsigned c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
           || (c >= 'A' && c <= 'Z');
}

/*
 * Decodes the character at p (n bytes left) into *cp, sets *sep to
 * generic_is_sep(*cp), and returns its length.  ASCII is decided inline:
 * nearly every byte of the text is ASCII, and the text of a page is read
 * this way several times.
 */
static inline size_t
generic_char(const unsigned char *p, size_t n, uint32_t *cp, int *sep)
{
    size_t k;

    if (p[0] < 0x80) {
        *cp = p[0];
        *sep = !generic_ascii_alnum(p[0]);
        return 1;
    }
    k = generic_utf8(p, n, cp);
    *sep = generic_is_sep(*cp);
    return k;
}

/*
 * Counts the words of s (runs of letters and digits, apostrophes inside)
 * and, when out is not NULL, writes its key (generic_key()) to out, at
 * most cap - 1 bytes and a terminator; *klen gets the key's length.  One
 * pass for both: a block's text is read for its words and for its key.
 * Inline, so that each caller gets the loop it needs.
 */
static inline size_t
generic_text_scan(const char *s, char *out, size_t cap, size_t *klen)
{
    const unsigned char *p = (const unsigned char *) s;
    size_t n = strlen(s), words = 0, len = 0;
    int in = 0, space = 0, keying = out != NULL && cap > 0;

    while (n > 0) {
        uint32_t cp;
        int sep;
        size_t k = 1;

        if (p[0] < 0x80 && generic_ascii_alnum(p[0])) {
            /* A run of ASCII letters and digits, the common case. */
            while (k < n && p[k] < 0x80 && generic_ascii_alnum(p[k])) {
                k++;
            }
            words += !in;
            in = 1;
            if (keying) {
                if (space && len + 1 < cap) {
                    out[len++] = ' ';
                }
                space = 0;
                for (size_t i = 0; i < k && keying; i++) {
                    if (len + 1 >= cap) {
                        keying = 0; /* the key is full; the words go on */
                    } else {
                        out[len++] =
                            (char) (p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32
                                                               : p[i]);
                    }
                }
            }
        } else if (p[0] < 0x80) {
            /* An apostrophe keeps a word whole ("don't" is one key). */
            words += p[0] == '\'' && !in;
            in = p[0] == '\'';
            if (keying && p[0] != '\'') {
                space = len > 0;
            }
        } else {
            /* Decoded; an overlong sequence may decode to ASCII. */
            int apos;
            k = generic_char(p, n, &cp, &sep);
            apos = cp == '\'' || cp == 0x2019; /* "don’t" as "don't" */
            words += (!sep || apos) && !in;
            in = !sep || apos;
            if (!keying || apos) {
            } else if (sep) {
                space = len > 0;
            } else {
                if (space && len + 1 < cap) {
                    out[len++] = ' ';
                }
                space = 0;
                if (len + k >= cap) {
                    keying = 0;
                } else if (cp < 0x80) {
                    out[len++] = (char) (cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
                } else {
                    memcpy(out + len, p, k);
                    len += k;
                }
            }
        }
        p += k;
        n -= k;
    }
    if (out != NULL && cap > 0) {
        out[len] = '\0';
    }
    if (klen != NULL) {
        *klen = len;
    }
    return words;
}

size_t
generic_words(const char *s)
{
    return generic_text_scan(s, NULL, 0, NULL);
}

size_t
generic_key(const char *s, char *out, size_t cap)
{
    size_t len = 0;

    (void) generic_text_scan(s, out, cap, &len);
    return len;
}

size_t
generic_words_key(const char *s, char *out, size_t cap, size_t *klen)
{
    return generic_text_scan(s, out, cap, klen);
}

/* ---- element statistics ---- */

static int
generic_tree_push(struct generic_tree *t, xmlNodePtr node, int parent,
                  unsigned depth)
{
    struct generic_el *e;

    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        struct generic_el *v;
        if (cap > GENERIC_ELEMENTS_MAX) {
            return WN_ETOOBIG;
        }
        v = realloc(t->v, cap * sizeof(*v));
        if (v == NULL) {
            return WN_ENOMEM;
        }
        t->v = v;
        t->cap = cap;
    }
    e = &t->v[t->n++];
    memset(e, 0, sizeof(*e));
    e->node = node;
    e->parent = parent;
    e->depth = depth;
    return 0;
}

/* Adds the text of one text node to e's own statistics: characters with
 * white space folded, commas, words.  A run of ASCII letters and digits
 * is taken at once; only other bytes are decoded one by one. */
static void
generic_tree_text(struct generic_el *e, const char *s)
{
    const unsigned char *p = (const unsigned char *) s;
    size_t n = strlen(s);
    uint32_t chars = 0;
    int space = 1, in_word = 0;

    while (n > 0) {
        uint32_t cp;
        int sep, ws;
        size_t k = 1;

        if (p[0] < 0x80 && generic_ascii_alnum(p[0])) {
            while (k < n && p[k] < 0x80 && generic_ascii_alnum(p[k])) {
                k++;
            }
            chars += (uint32_t) k;
            space = 0;
            e->own_words += !in_word;
            in_word = 1;
            p += k;
            n -= k;
            continue;
        }
        k = generic_char(p, n, &cp, &sep);
        ws = cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f'
             || cp == 0xa0;
        if (ws) {
            if (!space) {
                chars++;
            }
            space = 1;
        } else {
            chars++;
            space = 0;
        }
        if (cp == ',' || cp == 0xff0c || cp == 0x3001 || cp == 0x060c) {
            e->own_commas++;
        }
        if (!sep && !in_word) {
            e->own_words++;
        }
        in_word = !sep || cp == '\'' || cp == 0x2019;
        p += k;
        n -= k;
    }
    e->own_chars += chars;
}

/* What element e is and says, apart from the elements around it. */
static void
generic_tree_own(struct generic_run *r, struct generic_hint_memo *memo,
                 struct generic_el *e)
{
    const char *name = (const char *) e->node->name;

    e->link = strcmp(name, "a") == 0;
    e->block = generic_is_block_tag(e->node->name) != 0;
    e->heading =
        name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && name[2] == '\0';
    generic_hint_of(r->st, memo, e->node, &e->hint);
    if (e->hint.strong) {
        e->own_marks |= GENERIC_EL_CONTENT;
    }
    if (e->heading && name[1] == '1') {
        e->own_marks |= GENERIC_EL_H1;
    }
    if (e->hint.body) {
        e->own_marks |= GENERIC_EL_BODY;
    }
    for (xmlNodePtr c = e->node->children; c != NULL; c = c->next) {
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
            && c->content != NULL)
        {
            generic_tree_text(e, (const char *) c->content);
        }
    }
}

/*
 * The subtree statistics from the elements' own: whether each is in a
 * link, then, children after their parents, a reverse pass that adds each
 * element into its parent.  Scores are cleared.
 */
static void
generic_tree_sum(struct generic_tree *t)
{
    for (size_t i = 0; i < t->n; i++) {
        struct generic_el *e = &t->v[i];
        e->in_link = e->link || (i > 0 && t->v[e->parent].in_link);
        e->chars = e->own_chars;
        e->link_chars = e->in_link ? e->own_chars : 0;
        e->commas = e->own_commas;
        e->words = e->own_words;
        e->paras = e->para_chars = 0;
        e->links = e->link;
        e->marks = e->own_marks;
        e->has_block = e->leaf = e->scored = 0;
        e->score = 0;
    }
    for (size_t i = t->n; i-- > 0;) {
        struct generic_el *e = &t->v[i];

        e->leaf = e->block && !e->has_block;
        if (e->leaf && e->words >= GENERIC_BLOCK_WORDS_SHORT
            && e->link_chars * 2 < e->chars && !e->heading)
        {
            e->paras++;
            e->para_chars += e->chars;
        }
        if (e->parent >= 0) {
            struct generic_el *p = &t->v[e->parent];
            p->chars += e->chars;
            p->link_chars += e->link_chars;
            p->commas += e->commas;
            p->paras += e->paras;
            p->para_chars += e->para_chars;
            p->links += e->links;
            p->marks |= e->marks;
            p->words += e->words;
            if (e->block || e->has_block) {
                p->has_block = 1;
            }
        }
    }
}

int
generic_tree_build(struct generic_run *r, xmlNodePtr root,
                   struct generic_tree *t)
{
    struct generic_hint_memo *memo;
    int cur = 0, rc;
    unsigned steps = 0;
    xmlNodePtr n;

    memset(t, 0, sizeof(*t));
    if (root == NULL) {
        return 0;
    }
    rc = generic_tree_push(t, root, -1, 0);
    if (rc != 0) {
        return rc;
    }
    /* Pre-order walk; `cur` is the index of n's parent element. */
    n = root->children;
    while (n != NULL && n != root) {
        int descend = 0;

        if (n->type == XML_ELEMENT_NODE && !generic_is_skipped_tag(n->name)) {
            rc = generic_tree_push(t, n, cur, t->v[cur].depth + 1);
            if (rc != 0) {
                goto failed;
            }
            if (n->children != NULL
                && t->v[t->n - 1].depth < GENERIC_TREE_DEPTH_MAX) {
                cur = (int) t->n - 1;
                descend = 1;
            } else if (n->children != NULL) {
                t->cut = 1;
            }
        }
        if (descend) {
            n = n->children;
            continue;
        }
        while (n != root && n->next == NULL) {
            n = n->parent;
            if (n != root && n == t->v[cur].node) {
                cur = t->v[cur].parent;
            }
        }
        if (n == root) {
            break;
        }
        n = n->next;
        if ((++steps & 4095) == 0 && generic_stop(r)) {
            rc = WN_ETIMEOUT;
            goto failed;
        }
    }
    /* Without memory for the memo, every class value is read anew. */
    memo = calloc(1, sizeof(*memo));
    for (size_t i = 0; i < t->n; i++) {
        generic_tree_own(r, memo, &t->v[i]);
    }
    free(memo);
    generic_tree_sum(t);
    return 0;

failed:
    generic_tree_free(t);
    return rc;
}

int
generic_tree_prune(struct generic_tree *t)
{
    int *map; /* old index -> new index, or -1 for a removed element */
    size_t kept = 0;

    if (t->n == 0) {
        return 0;
    }
    map = malloc(t->n * sizeof(*map));
    if (map == NULL) {
        return WN_ENOMEM;
    }
    for (size_t i = 0; i < t->n; i++) {
        struct generic_el e = t->v[i];
        /* Parents come first: a parent that went took its subtree. */
        if (e.removed || (i > 0 && map[e.parent] < 0)) {
            map[i] = -1;
            continue;
        }
        map[i] = (int) kept;
        if (i > 0) {
            e.parent = map[e.parent];
        }
        t->v[kept++] = e;
    }
    free(map);
    t->n = kept;
    generic_tree_sum(t);
    return 0;
}

int
generic_tree_subtree(struct generic_run *r, const struct generic_tree *src,
                     size_t at, struct generic_tree *t)
{
    unsigned base = src->v[at].depth;
    size_t end = at + 1;

    /* Below the depth cap the subtree's own build would go deeper. */
    if (src->cut) {
        return generic_tree_build(r, src->v[at].node, t);
    }
    while (end < src->n && src->v[end].depth > base) {
        end++;
    }
    memset(t, 0, sizeof(*t));
    t->v = malloc((end - at) * sizeof(*t->v));
    if (t->v == NULL) {
        return WN_ENOMEM;
    }
    t->n = t->cap = end - at;
    for (size_t i = at; i < end; i++) {
        struct generic_el *e = &t->v[i - at];
        *e = src->v[i];
        e->parent = i == at ? -1 : e->parent - (int) at;
        e->depth -= base;
    }
    generic_tree_sum(t);
    return 0;
}

void
generic_tree_free(struct generic_tree *t)
{
    free(t->v);
    memset(t, 0, sizeof(*t));
}
