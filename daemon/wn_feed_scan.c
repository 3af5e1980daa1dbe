/*
 * wn_feed_scan.c: the byte-level pass between the fetched UTF-8 text and
 * libxml2.  It tokenizes markup just enough to refuse what libxml2 2.9.14
 * must never see and to repair what feeds commonly get wrong; it builds no
 * tree and knows no feed format beyond the names of root elements.
 *
 * Why repair here rather than trust XML_PARSE_RECOVER: after its first
 * error, libxml2 2.9.14 silently drops every later entity reference
 * ("&lt;p&gt;" becomes "p"), and an end tag that does not match closes
 * whatever element is open, so one unclosed <b> in a title nests every later
 * item inside that title.  Balancing tags and escaping strays here keeps
 * the items apart and the text whole.  libxml2 still runs with
 * XML_PARSE_RECOVER for the damage this pass does not know.
 *
 * Repairs only replace or drop bytes at the point being read, so the output
 * is written lazily: a clean document is never copied.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wn_err.h"
#include "wn_feed_int.h"

#define WN_SCAN_JUNK_MAX 4096 /* junk searched for an XML declaration */

/* A span of the input: names on the element stack, declared entities. */
struct wn_scan_span {
    size_t off;
    size_t len;
};

struct wn_scan {
    const char *in;
    size_t len;
    size_t pos;     /* next byte to read */
    size_t flushed; /* in[0..flushed) is accounted for in out */
    int copying;    /* out holds the text so far */
    struct wn_feed_scan *s;
    struct wn_err *err;
    struct wn_scan_span stack[WN_FEED_MAX_DEPTH];
    size_t depth;
    int void_open; /* the top of the stack is an HTML void element */
    int root_seen;
    int doctype_seen;
    int external_subset;
    struct wn_scan_entity {
        struct wn_scan_span name;
        struct wn_scan_span value; /* the literal, character references kept */
    } ents[WN_FEED_MAX_ENTITIES];
    size_t nents;
    size_t ndecls; /* declarations seen, duplicates included */
};

/* Bytes that stop a run of text, as a bitmap (nginx's style): control
 * characters but tab, LF and CR; '&' and '<'; every non-ASCII byte (a
 * multi-byte sequence, validated one by one). */
static const uint32_t wn_scan_stop_map[8] = {
    0xffffd9ff, /* 0x00-0x1f: all but 0x09, 0x0a, 0x0d */
    0x10000040, /* 0x20-0x3f: '&' (0x26), '<' (0x3c) */
    0x00000000, /* 0x40-0x5f */
    0x00000000, /* 0x60-0x7f */
    0xffffffff, /* 0x80-0xff */
    0xffffffff, 0xffffffff, 0xffffffff,
};

static int
wn_scan_stop(unsigned char c)
{
    return (wn_scan_stop_map[c >> 5] >> (c & 0x1f)) & 1;
}

#define WN_SCAN_ONES  0x0101010101010101ull
#define WN_SCAN_HIGHS 0x8080808080808080ull

/* Bytes of w that are zero, as their high bits (exact: no false hits). */
static uint64_t
wn_scan_zero_bytes(uint64_t w)
{
    return ~(((w & ~WN_SCAN_HIGHS) + ~WN_SCAN_HIGHS) | w | ~WN_SCAN_HIGHS);
}

/*
 * How many bytes from p[0..n) are plain: printable ASCII that neither ends
 * a run of text nor is `c1` or `c2`, read eight at a time; the word that
 * holds the first other byte is left to the byte loops.
 */
static size_t
wn_scan_plain(const unsigned char *p, size_t n, unsigned char c1,
              unsigned char c2)
{
    size_t i = 0;

    while (i + 8 <= n) {
        uint64_t w, low;

        memcpy(&w, p + i, 8);
        /* bytes below 0x20: (b + 0x60) has no high bit (b < 0x80) */
        low = ~((w & ~WN_SCAN_HIGHS) + 0x6060606060606060ull) & WN_SCAN_HIGHS;
        if (((w & WN_SCAN_HIGHS) | low | wn_scan_zero_bytes(w ^ (WN_SCAN_ONES * c1))
             | wn_scan_zero_bytes(w ^ (WN_SCAN_ONES * c2)))
            != 0)
        {
            break;
        }
        i += 8;
    }
    return i;
}

/*
 * HTML elements that never have content.  A feed that embeds HTML without
 * escaping it writes <br> and <img ...> unclosed; they are closed right
 * away instead of swallowing what follows.  Feed elements with HTML names
 * (RSS <link>, <source>) are left out on purpose.
 */
static const char *const wn_scan_void[] = {
    "area",  "base",   "br",    "col",   "embed", "hr", "img",
    "input", "keygen", "param", "track", "wbr",   NULL,
};

static int
wn_scan_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
wn_scan_is_name_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
           || c == ':' || c >= 0x80;
}

/* Bytes that end a tag or attribute name. */
static int
wn_scan_is_name_end(unsigned char c)
{
    return wn_scan_is_space(c) || c < 0x20 || c == '/' || c == '>' || c == '<'
           || c == '=' || c == '"' || c == '\'' || c == '&';
}

static size_t
wn_scan_line(const struct wn_scan *sc, size_t pos)
{
    size_t line = 1;

    for (const char *p = sc->in, *end = sc->in + pos;
         (p = memchr(p, '\n', (size_t) (end - p))) != NULL; p++)
    {
        line++;
    }
    return line;
}

static int
wn_scan_at(const struct wn_scan *sc, const char *lit)
{
    size_t n = strlen(lit);

    return sc->len - sc->pos >= n && memcmp(sc->in + sc->pos, lit, n) == 0;
}

/* Finds lit at or after from; returns its offset or len. */
static size_t
wn_scan_find(const struct wn_scan *sc, size_t from, const char *lit)
{
    size_t n = strlen(lit);
    const char *p = sc->in + from, *end = sc->in + sc->len;

    while ((size_t) (end - p) >= n
           && (p = memchr(p, lit[0], (size_t) (end - p) - n + 1)) != NULL)
    {
        if (memcmp(p, lit, n) == 0) {
            return (size_t) (p - sc->in);
        }
        p++;
    }
    return sc->len;
}

/*
 * The one way output changes: in[flushed..at) is kept, `repl` is written,
 * and reading resumes at `skip_to`.  The first call copies what came before.
 */
static int
wn_scan_emit(struct wn_scan *sc, size_t at, const char *repl, size_t rlen,
             size_t skip_to)
{
    struct wn_buf *out = &sc->s->out;
    int rc;

    sc->copying = 1;
    rc = wn_buf_append(out, sc->in + sc->flushed, at - sc->flushed);
    if (rc == 0 && rlen > 0) {
        rc = wn_buf_append(out, repl, rlen);
    }
    sc->flushed = skip_to;
    if (rc == WN_ETOOBIG) {
        return wn_err_set(sc->err, rc, "repairs grow the feed beyond %zu bytes",
                          out->max);
    }
    return rc == 0 ? 0 : wn_err_set(sc->err, rc, "%s", wn_strerror(rc));
}

/* A repair: damage that libxml2 would have tripped on. */
static int
wn_scan_repair(struct wn_scan *sc, size_t at, const char *repl, size_t skip_to)
{
    sc->s->repairs++;
    return wn_scan_emit(sc, at, repl, strlen(repl), skip_to);
}

/* Writes "</name>" for the element on top of the stack and pops it. */
static int
wn_scan_close_top(struct wn_scan *sc, size_t at)
{
    const struct wn_scan_span *top = &sc->stack[--sc->depth];
    int rc;

    sc->void_open = 0;
    sc->s->repairs++;
    rc = wn_scan_emit(sc, at, "</", 2, at);
    if (rc == 0) {
        rc = wn_scan_emit(sc, at, sc->in + top->off, top->len, at);
    }
    if (rc == 0) {
        rc = wn_scan_emit(sc, at, ">", 1, at);
    }
    return rc;
}

/* The output's state for input offset `at`, so that a construct repaired
 * halfway can still be dropped whole (a tag cut off by the end). */
struct wn_scan_mark {
    size_t at;
    size_t out_len;
    size_t flushed;
    int copying;
};

static void
wn_scan_mark(const struct wn_scan *sc, struct wn_scan_mark *m, size_t at)
{
    m->at = at;
    m->out_len = sc->s->out.len;
    m->flushed = sc->flushed;
    m->copying = sc->copying;
}

/* Drops in[m->at..len) and whatever was written for it. */
static int
wn_scan_drop_from(struct wn_scan *sc, const struct wn_scan_mark *m)
{
    struct wn_buf *out = &sc->s->out;

    if (sc->copying && sc->flushed > m->at) {
        /* Something inside the construct was written: forget it.  What
         * came before m->at went out unchanged after the mark. */
        out->len = m->copying ? m->out_len + (m->at - m->flushed) : m->at;
        out->data[out->len] = '\0';
        sc->flushed = m->at;
    }
    sc->pos = sc->len;
    return wn_scan_repair(sc, m->at, "", sc->len);
}

/* Length of a valid UTF-8 sequence that is also an XML character at p, or
 * 0.  Overlongs, surrogates, U+FFFE/U+FFFF and beyond U+10FFFF are not. */
static size_t
wn_scan_utf8(const unsigned char *p, size_t n)
{
    unsigned long c;
    size_t len;

    if (p[0] < 0xc2 || p[0] > 0xf4) {
        return 0;
    }
    len = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
    if (n < len) {
        return 0;
    }
    c = p[0] & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
        c = (c << 6) | (p[i] & 0x3f);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff))
        || (c >= 0xd800 && c <= 0xdfff) || c == 0xfffe || c == 0xffff)
    {
        return 0;
    }
    return len;
}

/* A character allowed in XML 1.0 (for character references). */
static int
wn_scan_xml_char(unsigned long c)
{
    return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff)
           || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/* Handles a byte that stopped a text run and is not '<' or '&': a control
 * character (dropped) or the start of a multi-byte sequence. */
static int
wn_scan_byte(struct wn_scan *sc)
{
    const unsigned char *p = (const unsigned char *) sc->in + sc->pos;
    size_t n;

    if (*p < 0x80) {
        sc->pos++;
        return wn_scan_repair(sc, sc->pos - 1, "", sc->pos);
    }
    n = wn_scan_utf8(p, sc->len - sc->pos);
    if (n == 0) {
        sc->pos++;
        return wn_scan_repair(sc, sc->pos - 1, "\xef\xbf\xbd", sc->pos);
    }
    sc->pos += n;
    return 0;
}

static int
wn_scan_is_predefined(const char *name, size_t len, const char **num)
{
    static const struct {
        const char *name;
        const char *num;
    } pre[] = {
        { "amp", "&#38;" },  { "lt", "&#60;" },   { "gt", "&#62;" },
        { "quot", "&#34;" }, { "apos", "&#39;" },
    };

    for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
        if (strlen(pre[i].name) == len && memcmp(pre[i].name, name, len) == 0) {
            *num = pre[i].num;
            return 1;
        }
    }
    return 0;
}

static const struct wn_scan_entity *
wn_scan_declared(const struct wn_scan *sc, const char *name, size_t len)
{
    for (size_t i = 0; i < sc->nents; i++) {
        if (sc->ents[i].name.len == len
            && memcmp(sc->in + sc->ents[i].name.off, name, len) == 0)
        {
            return &sc->ents[i];
        }
    }
    return NULL;
}

/* Replaces the reference in[at..pos) by the entity's text; in an
 * attribute value its quotes become references, or they would end it. */
static int
wn_scan_inline(struct wn_scan *sc, size_t at, const struct wn_scan_entity *ent,
               int in_attr)
{
    const char *v = sc->in + ent->value.off, *end = v + ent->value.len;
    const char *q;
    int rc;

    if (!in_attr) {
        return wn_scan_emit(sc, at, v, ent->value.len, sc->pos);
    }
    rc = wn_scan_emit(sc, at, NULL, 0, sc->pos);
    for (; rc == 0 && v < end; v = q + 1) {
        for (q = v; q < end && *q != '"' && *q != '\''; q++) {
        }
        rc = wn_scan_emit(sc, sc->pos, v, (size_t) (q - v), sc->pos);
        if (rc == 0 && q < end) {
            rc = wn_scan_emit(sc, sc->pos, *q == '"' ? "&#34;" : "&#39;", 5,
                              sc->pos);
        }
    }
    return rc;
}

/*
 * A reference at '&' in text or an attribute value.  Character references
 * to characters XML allows and references to predefined entities stay;
 * declared entities are replaced by their text (plain text and character
 * references, as wn_scan_entity_decl() made sure), so libxml2 never keeps
 * an entity reference it could drop after an error; HTML entity names
 * become character references; anything else is a literal '&'.
 */
static int
wn_scan_ref(struct wn_scan *sc, int in_attr)
{
    const char *p = sc->in + sc->pos + 1, *end = sc->in + sc->len;
    const struct wn_scan_entity *ent;
    const char *name = p, *num;
    char buf[32];
    size_t start = sc->pos;
    long cp;

    if (p < end && *p == '#') {
        unsigned long c;
        size_t n = wn_feed_charref(sc->in + start, sc->len - start, &c);

        if (n == 0) {
            sc->pos = start + 1;
            return wn_scan_repair(sc, start, "&amp;", sc->pos);
        }
        sc->pos = start + n;
        return wn_scan_xml_char(c)
                   ? 0
                   : wn_scan_repair(sc, start, "\xef\xbf\xbd", sc->pos);
    }
    while (p < end && p - name < 32
           && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
               || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'
               || *p == '.' || (unsigned char) *p >= 0x80))
    {
        p++;
    }
    if (p == name || p == end || *p != ';') {
        sc->pos = start + 1;
        return wn_scan_repair(sc, start, "&amp;", sc->pos);
    }
    sc->pos = (size_t) (p + 1 - sc->in);
    if (wn_scan_is_predefined(name, (size_t) (p - name), &num)) {
        if (sc->s->numeric_refs) {
            return wn_scan_emit(sc, start, num, strlen(num), sc->pos);
        }
        sc->s->named_refs++;
        return 0;
    }
    ent = wn_scan_declared(sc, name, (size_t) (p - name));
    if (ent != NULL) {
        return wn_scan_inline(sc, start, ent, in_attr);
    }
    cp = wn_feed_entity_lookup(name, (size_t) (p - name));
    if (cp >= 0) {
        snprintf(buf, sizeof(buf), "&#%ld;", cp);
        /* Not damage when an external DTD we do not load may declare it. */
        if (!sc->external_subset) {
            sc->s->repairs++;
        }
        return wn_scan_emit(sc, start, buf, strlen(buf), sc->pos);
    }
    sc->pos = start + 1;
    return wn_scan_repair(sc, start, "&amp;", sc->pos);
}

/* Text up to the next '<' (or the end).  Outside the root element only
 * white space belongs; anything else there is junk and is dropped. */
static int
wn_scan_text(struct wn_scan *sc)
{
    const unsigned char *in = (const unsigned char *) sc->in;
    int rc = 0;

    if (sc->depth == 0) {
        size_t start = sc->pos;
        const char *lt = memchr(sc->in + start, '<', sc->len - start);
        size_t stop = lt != NULL ? (size_t) (lt - sc->in) : sc->len;

        for (size_t i = start; i < stop; i++) {
            if (!wn_scan_is_space(in[i])) {
                sc->pos = stop;
                return wn_scan_repair(sc, start, "", stop);
            }
        }
        sc->pos = stop;
        return 0;
    }
    if (sc->void_open && sc->pos < sc->len && in[sc->pos] != '<') {
        rc = wn_scan_close_top(sc, sc->pos);
    }
    while (rc == 0 && sc->pos < sc->len) {
        sc->pos += wn_scan_plain(in + sc->pos, sc->len - sc->pos, '<', '&');
        while (sc->pos < sc->len && !wn_scan_stop(in[sc->pos])) {
            sc->pos++;
        }
        if (sc->pos == sc->len || in[sc->pos] == '<') {
            break;
        }
        rc = in[sc->pos] == '&' ? wn_scan_ref(sc, 0) : wn_scan_byte(sc);
    }
    return rc;
}

/* Refusal of a DTD construct, with its line. */
static int
wn_scan_refuse(struct wn_scan *sc, int code, const char *what)
{
    return wn_err_set(sc->err, code,
                      "line %zu: %s; a DTD may only declare up to %d "
                      "entities as plain text (<!ENTITY name \"text\">)",
                      wn_scan_line(sc, sc->pos), what, WN_FEED_MAX_ENTITIES);
}

static void
wn_scan_skip_space(struct wn_scan *sc)
{
    while (sc->pos < sc->len
           && wn_scan_is_space((unsigned char) sc->in[sc->pos])) {
        sc->pos++;
    }
}

static size_t
wn_scan_name(struct wn_scan *sc)
{
    const unsigned char *in = (const unsigned char *) sc->in;
    size_t start = sc->pos;

    while (sc->pos < sc->len && !wn_scan_is_name_end(in[sc->pos])) {
        if (in[sc->pos] >= 0x80) {
            size_t n = wn_scan_utf8(in + sc->pos, sc->len - sc->pos);
            if (n == 0) {
                break; /* not UTF-8: not part of a name */
            }
            sc->pos += n;
        } else {
            sc->pos++;
        }
    }
    return sc->pos - start;
}

/* A quoted literal (the external ID of a DOCTYPE); 0 or -1. */
static int
wn_scan_literal(struct wn_scan *sc)
{
    char q = sc->pos < sc->len ? sc->in[sc->pos] : '\0';
    const char *end;

    if (q != '"' && q != '\'') {
        return -1;
    }
    end = memchr(sc->in + sc->pos + 1, q, sc->len - sc->pos - 1);
    if (end == NULL) {
        return -1;
    }
    sc->pos = (size_t) (end + 1 - sc->in);
    return 0;
}

/* <!ENTITY name "text">, the only declaration accepted. */
/*
 * <!ENTITY name "text">, the only declaration accepted: its replacement
 * text must be plain text, so that it can stand in for its references and
 * never adds markup (no '<', no '&' but character references to neither).
 */
static int
wn_scan_entity_decl(struct wn_scan *sc)
{
    struct wn_scan_entity ent;
    size_t start;
    char q;

    sc->pos += strlen("<!ENTITY");
    wn_scan_skip_space(sc);
    if (sc->pos < sc->len && sc->in[sc->pos] == '%') {
        return wn_scan_refuse(sc, WN_EPARSE, "parameter entity declared");
    }
    ent.name.off = sc->pos;
    ent.name.len = wn_scan_name(sc);
    if (ent.name.len == 0) {
        return wn_scan_refuse(sc, WN_EPARSE, "malformed <!ENTITY>");
    }
    wn_scan_skip_space(sc);
    if (wn_scan_at(sc, "SYSTEM") || wn_scan_at(sc, "PUBLIC")) {
        return wn_scan_refuse(sc, WN_EPARSE, "external entity declared");
    }
    q = sc->pos < sc->len ? sc->in[sc->pos] : '\0';
    if (q != '"' && q != '\'') {
        return wn_scan_refuse(sc, WN_EPARSE, "malformed <!ENTITY>");
    }
    for (start = ++sc->pos; sc->pos < sc->len && sc->in[sc->pos] != q;) {
        char c = sc->in[sc->pos];
        unsigned long cp;
        size_t n;

        if (sc->pos - start >= WN_FEED_MAX_ENTITY_VALUE) {
            return wn_scan_refuse(sc, WN_ETOOBIG, "entity text too long");
        }
        if (c == '%') {
            return wn_scan_refuse(sc, WN_EPARSE,
                                  "parameter entity in an entity value");
        }
        if (c == '<') {
            return wn_scan_refuse(sc, WN_EPARSE, "markup in an entity value");
        }
        if ((unsigned char) c >= 0x80) {
            size_t u = wn_scan_utf8((const unsigned char *) sc->in + sc->pos,
                                    sc->len - sc->pos);
            if (u == 0) {
                return wn_scan_refuse(sc, WN_EPARSE,
                                      "entity value is not UTF-8");
            }
            sc->pos += u;
            continue;
        }
        if ((unsigned char) c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            return wn_scan_refuse(sc, WN_EPARSE,
                                  "control character in an entity value");
        }
        if (c != '&') {
            sc->pos++;
            continue;
        }
        n = wn_feed_charref(sc->in + sc->pos, sc->len - sc->pos, &cp);
        if (n == 0) {
            /* Entities made of entities are how "billion laughs" grows. */
            return wn_scan_refuse(sc, WN_EPARSE,
                                  "entity value refers to another entity");
        }
        if (cp == '&' || cp == '<' || !wn_scan_xml_char(cp)) {
            return wn_scan_refuse(sc, WN_EPARSE, "markup in an entity value");
        }
        sc->pos += n;
    }
    if (sc->pos == sc->len) {
        return wn_scan_refuse(sc, WN_EPARSE, "unterminated <!ENTITY>");
    }
    ent.value.off = start;
    ent.value.len = sc->pos - start;
    sc->pos++;
    wn_scan_skip_space(sc);
    if (sc->pos == sc->len || sc->in[sc->pos] != '>') {
        return wn_scan_refuse(sc, WN_EPARSE, "malformed <!ENTITY>");
    }
    sc->pos++;
    if (++sc->ndecls > WN_FEED_MAX_ENTITIES) {
        return wn_scan_refuse(sc, WN_ETOOBIG, "too many entities declared");
    }
    /* The first declaration binds (XML 1.0, 4.2). */
    if (wn_scan_declared(sc, sc->in + ent.name.off, ent.name.len) == NULL) {
        sc->ents[sc->nents++] = ent;
    }
    return 0;
}

/*
 * <!DOCTYPE name [SYSTEM "..." | PUBLIC "..." "..."] [ [subset] ]>.  The
 * external DTD is never loaded (no XML_PARSE_DTDLOAD); the internal subset
 * may hold comments and a few text entities (for &nbsp; and the like),
 * nothing else: libxml2 2.9.14 spends minutes on 100,000 ATTLISTs, and
 * external or nested entities are how XXE and billion laughs work.
 */
static int
wn_scan_doctype(struct wn_scan *sc)
{
    int rc;

    if (sc->root_seen || sc->doctype_seen) {
        return wn_scan_refuse(sc, WN_EPARSE, "<!DOCTYPE> not at the start");
    }
    sc->doctype_seen = 1;
    sc->pos += strlen("<!DOCTYPE");
    wn_scan_skip_space(sc);
    wn_scan_name(sc);
    wn_scan_skip_space(sc);
    if (wn_scan_at(sc, "SYSTEM") || wn_scan_at(sc, "PUBLIC")) {
        int public = wn_scan_at(sc, "PUBLIC");

        sc->pos += 6;
        wn_scan_skip_space(sc);
        if (wn_scan_literal(sc) != 0) {
            return wn_scan_refuse(sc, WN_EPARSE, "malformed <!DOCTYPE>");
        }
        wn_scan_skip_space(sc);
        if (public && wn_scan_literal(sc) != 0) {
            return wn_scan_refuse(sc, WN_EPARSE, "malformed <!DOCTYPE>");
        }
        sc->external_subset = 1;
        wn_scan_skip_space(sc);
    }
    if (sc->pos < sc->len && sc->in[sc->pos] == '[') {
        sc->pos++;
        for (;;) {
            wn_scan_skip_space(sc);
            if (sc->pos == sc->len) {
                return wn_scan_refuse(sc, WN_EPARSE, "unterminated <!DOCTYPE>");
            }
            if (sc->in[sc->pos] == ']') {
                sc->pos++;
                break;
            }
            if (wn_scan_at(sc, "<!--")) {
                size_t end = wn_scan_find(sc, sc->pos + 4, "-->");
                if (end == sc->len) {
                    return wn_scan_refuse(sc, WN_EPARSE,
                                          "unterminated comment");
                }
                sc->pos = end + 3;
            } else if (wn_scan_at(sc, "<!ENTITY")) {
                rc = wn_scan_entity_decl(sc);
                if (rc != 0) {
                    return rc;
                }
            } else if (sc->in[sc->pos] == '%') {
                return wn_scan_refuse(sc, WN_EPARSE,
                                      "parameter entity reference");
            } else {
                return wn_scan_refuse(
                    sc, WN_EPARSE,
                    "declaration other than <!ENTITY> in the DTD");
            }
        }
        wn_scan_skip_space(sc);
    }
    if (sc->pos == sc->len || sc->in[sc->pos] != '>') {
        return wn_scan_refuse(sc, WN_EPARSE, "malformed <!DOCTYPE>");
    }
    sc->pos++;
    return 0;
}

/* The local part of a qualified name. */
static void
wn_scan_local(const char *name, size_t len, const char **local, size_t *llen)
{
    const char *colon = memchr(name, ':', len);

    *local = colon != NULL ? colon + 1 : name;
    *llen = len - (size_t) (*local - name);
}

static int
wn_scan_root(struct wn_scan *sc, size_t name, size_t len)
{
    const char *local;
    size_t llen;
    int shown = len < 64 ? (int) len : 64; /* of a name in the message */

    sc->root_seen = 1;
    wn_scan_local(sc->in + name, len, &local, &llen);
    if (sc->s->root_known(local, llen)) {
        return 0;
    }
    return wn_err_set(sc->err, WN_ENOTFEED,
                      "line %zu: root element <%.*s> is not a feed's",
                      wn_scan_line(sc, name), shown, sc->in + name);
}

static int
wn_scan_is_void(const char *name, size_t len)
{
    char first;

    /* Every start tag asks: the names are 2 to 6 letters long. */
    if (len < 2 || len > 6) {
        return 0;
    }
    first = (char) (name[0] | 0x20);
    for (const char *const *v = wn_scan_void; *v != NULL; v++) {
        if ((*v)[0] == first && strlen(*v) == len
            && strncasecmp(*v, name, len) == 0) {
            return 1;
        }
    }
    return 0;
}

/* A quoted attribute value from its opening quote; 1 when it ends before
 * the input does. */
static int
wn_scan_quoted(struct wn_scan *sc, int *rc)
{
    const unsigned char *in = (const unsigned char *) sc->in;
    unsigned char q = in[sc->pos++];

    while (*rc == 0 && sc->pos < sc->len && in[sc->pos] != q) {
        unsigned char c = in[sc->pos];

        if (c == '&') {
            *rc = wn_scan_ref(sc, 1);
        } else if (c == '<') {
            *rc = wn_scan_repair(sc, sc->pos, "&lt;", sc->pos + 1);
            sc->pos++;
        } else if (wn_scan_stop(c)) {
            *rc = wn_scan_byte(sc);
        } else {
            sc->pos++;
        }
    }
    if (sc->pos == sc->len) {
        return 0;
    }
    sc->pos++;
    return 1;
}

/* An unquoted value (HTML style): quoted, with '"' and '<' escaped. */
static int
wn_scan_unquoted(struct wn_scan *sc)
{
    const unsigned char *in = (const unsigned char *) sc->in;
    int rc = wn_scan_repair(sc, sc->pos, "\"", sc->pos);

    while (rc == 0 && sc->pos < sc->len && !wn_scan_is_space(in[sc->pos])
           && in[sc->pos] != '>' && in[sc->pos] != '<'
           && !(in[sc->pos] == '/' && sc->pos + 1 < sc->len
                && in[sc->pos + 1] == '>'))
    {
        unsigned char c = in[sc->pos];

        if (c == '&') {
            rc = wn_scan_ref(sc, 1);
        } else if (c == '"' || c == '<') {
            rc = wn_scan_emit(sc, sc->pos, c == '"' ? "&quot;" : "&lt;",
                              c == '"' ? 6 : 4, sc->pos + 1);
            sc->pos++;
        } else if (wn_scan_stop(c)) {
            rc = wn_scan_byte(sc);
        } else {
            sc->pos++;
        }
    }
    return rc != 0 ? rc : wn_scan_emit(sc, sc->pos, "\"", 1, sc->pos);
}

/*
 * A start tag at '<'.  Counts attributes before libxml2 does (2.9.14 takes
 * minutes on 200,000 of them: its duplicate check is quadratic).
 */
static int
wn_scan_start_tag(struct wn_scan *sc)
{
    const unsigned char *in = (const unsigned char *) sc->in;
    size_t tag = sc->pos, name = ++sc->pos, len, nattrs = 0;
    struct wn_scan_mark mark;
    int rc = 0, empty = 0;

    wn_scan_mark(sc, &mark, tag);
    len = wn_scan_name(sc);
    if (!sc->root_seen) {
        rc = wn_scan_root(sc, name, len);
        if (rc != 0) {
            return rc;
        }
    }
    for (;;) {
        wn_scan_skip_space(sc);
        if (sc->pos == sc->len) {
            return wn_scan_drop_from(sc, &mark); /* cut off inside */
        }
        if (in[sc->pos] == '>') {
            sc->pos++;
            break;
        }
        if (in[sc->pos] == '/' && sc->pos + 1 < sc->len
            && in[sc->pos + 1] == '>') {
            sc->pos += 2;
            empty = 1;
            break;
        }
        if (in[sc->pos] == '<') {
            rc = wn_scan_repair(sc, sc->pos, ">", sc->pos);
            break;
        }
        if (wn_scan_is_name_end(in[sc->pos])
            || (in[sc->pos] >= 0x80
                && wn_scan_utf8(in + sc->pos, sc->len - sc->pos) == 0))
        {
            /* Junk where an attribute should start: a space keeps the
             * names on either side apart. */
            rc = wn_scan_repair(sc, sc->pos, " ", sc->pos + 1);
            sc->pos++;
            if (rc != 0) {
                return rc;
            }
            continue;
        }
        if (++nattrs > WN_FEED_MAX_ATTRS) {
            return wn_err_set(
                sc->err, WN_ETOOBIG,
                "line %zu: more than %d attributes on one element",
                wn_scan_line(sc, tag), WN_FEED_MAX_ATTRS);
        }
        wn_scan_name(sc);
        if (sc->pos + 1 < sc->len && wn_scan_is_space(in[sc->pos])) {
            size_t save = sc->pos;
            wn_scan_skip_space(sc);
            if (sc->pos < sc->len && in[sc->pos] != '=') {
                sc->pos = save;
            }
        }
        if (sc->pos < sc->len && in[sc->pos] == '=') {
            sc->pos++;
            wn_scan_skip_space(sc);
            if (sc->pos < sc->len
                && (in[sc->pos] == '"' || in[sc->pos] == '\'')) {
                if (!wn_scan_quoted(sc, &rc)) {
                    return rc != 0 ? rc : wn_scan_drop_from(sc, &mark);
                }
                if (rc == 0 && sc->pos < sc->len
                    && !wn_scan_is_space(in[sc->pos]) && in[sc->pos] != '>'
                    && in[sc->pos] != '/')
                {
                    rc = wn_scan_repair(sc, sc->pos, " ", sc->pos);
                }
            } else if (sc->pos < sc->len && in[sc->pos] != '>') {
                rc = wn_scan_unquoted(sc);
            } else {
                rc = wn_scan_repair(sc, sc->pos, "\"\"", sc->pos);
            }
        } else {
            rc = wn_scan_repair(sc, sc->pos, "=\"\"", sc->pos);
        }
        if (rc != 0) {
            return rc;
        }
    }
    if (rc != 0 || empty) {
        return rc;
    }
    if (sc->depth == sc->s->max_depth) {
        return wn_err_set(sc->err, WN_ETOOBIG,
                          "line %zu: elements nested deeper than %zu",
                          wn_scan_line(sc, tag), sc->s->max_depth);
    }
    sc->stack[sc->depth].off = name;
    sc->stack[sc->depth].len = len;
    sc->depth++;
    sc->void_open = wn_scan_is_void(sc->in + name, len);
    return 0;
}

/*
 * An end tag at "</".  One that closes an element further down the stack
 * closes the elements above it first; one that closes nothing is dropped.
 */
static int
wn_scan_end_tag(struct wn_scan *sc)
{
    size_t tag = sc->pos, name, len, i, junk, end;
    const char *gt, *lt;
    int rc = 0;

    sc->pos += 2;
    name = sc->pos;
    len = wn_scan_name(sc);
    wn_scan_skip_space(sc);
    junk = sc->pos;
    gt = memchr(sc->in + junk, '>', sc->len - junk);
    lt = memchr(sc->in + junk, '<', sc->len - junk);
    /* Without its '>' (cut off, or "</a<b>"), the tag ends here. */
    end = gt != NULL && (lt == NULL || gt < lt) ? (size_t) (gt - sc->in) : junk;
    for (i = sc->depth; i > 0; i--) {
        const struct wn_scan_span *e = &sc->stack[i - 1];
        if (e->len == len && memcmp(sc->in + e->off, sc->in + name, len) == 0) {
            break;
        }
    }
    if (i == 0) {
        sc->pos = end < sc->len && sc->in[end] == '>' ? end + 1 : end;
        return wn_scan_repair(sc, tag, "", sc->pos);
    }
    while (rc == 0 && sc->depth > i) {
        rc = wn_scan_close_top(sc, tag);
    }
    sc->depth--;
    sc->void_open = 0;
    if (rc == 0 && end == junk && (end == sc->len || sc->in[end] != '>')) {
        sc->pos = end;
        return wn_scan_repair(sc, end, ">", end);
    }
    if (rc == 0 && end > junk) {
        rc = wn_scan_repair(sc, junk, "", end); /* "</a junk>" */
    }
    sc->pos = end + 1;
    return rc;
}

/* Skips a construct from here to `term` (comment, PI, CDATA); at the end
 * of the input the construct is cut off (dropped, or closed by `close`). */
static int
wn_scan_skip_to(struct wn_scan *sc, size_t body, const char *term,
                const char *close)
{
    size_t end = wn_scan_find(sc, body, term);

    if (end == sc->len) {
        size_t start = sc->pos;
        sc->pos = sc->len;
        if (close != NULL) {
            sc->s->repairs++;
            return wn_scan_emit(sc, sc->len, close, strlen(close), sc->len);
        }
        return wn_scan_repair(sc, start, "", sc->len);
    }
    sc->pos = end + strlen(term);
    return 0;
}

/* CDATA content is data: control characters and invalid UTF-8 are
 * repaired as in text. */
static int
wn_scan_cdata(struct wn_scan *sc)
{
    const unsigned char *in = (const unsigned char *) sc->in;
    int rc = 0;

    sc->pos += strlen("<![CDATA[");
    while (rc == 0 && sc->pos < sc->len) {
        unsigned char c;

        sc->pos += wn_scan_plain(in + sc->pos, sc->len - sc->pos, ']', ']');
        if (sc->pos >= sc->len) {
            break;
        }
        c = in[sc->pos];

        if (c == ']' && wn_scan_at(sc, "]]>")) {
            sc->pos += 3;
            return 0;
        }
        if (c != '&' && c != '<' && wn_scan_stop(c)) {
            rc = wn_scan_byte(sc);
        } else {
            sc->pos++;
        }
    }
    if (rc == 0) {
        sc->s->repairs++;
        rc = wn_scan_emit(sc, sc->len, "]]>", 3, sc->len);
    }
    return rc;
}

/* Markup at '<'. */
static int
wn_scan_markup(struct wn_scan *sc)
{
    unsigned char next =
        sc->pos + 1 < sc->len ? (unsigned char) sc->in[sc->pos + 1] : 0;

    if (sc->void_open && next != '/') {
        int rc = wn_scan_close_top(sc, sc->pos);
        if (rc != 0) {
            return rc;
        }
    }
    if (wn_scan_at(sc, "<!--")) {
        return wn_scan_skip_to(sc, sc->pos + 4, "-->", NULL);
    }
    if (wn_scan_at(sc, "<![CDATA[")) {
        if (sc->depth == 0) {
            size_t start = sc->pos;
            sc->pos = wn_scan_find(sc, start, "]]>");
            sc->pos = sc->pos == sc->len ? sc->len : sc->pos + 3;
            return wn_scan_repair(sc, start, "", sc->pos);
        }
        return wn_scan_cdata(sc);
    }
    if (wn_scan_at(sc, "<!DOCTYPE")) {
        return wn_scan_doctype(sc);
    }
    if (next == '?') {
        size_t start = sc->pos;
        int rc = wn_scan_skip_to(sc, start + 2, "?>", NULL);
        /* An XML declaration anywhere but at the very start (two feeds
         * glued together) is dropped. */
        if (rc == 0 && start > 0 && sc->pos - start > 6
            && memcmp(sc->in + start, "<?xml", 5) == 0
            && wn_scan_is_space((unsigned char) sc->in[start + 5]))
        {
            rc = wn_scan_repair(sc, start, "", sc->pos);
        }
        return rc;
    }
    if (next == '!') {
        size_t start = sc->pos;
        const char *gt = memchr(sc->in + start, '>', sc->len - start);
        sc->pos = gt != NULL ? (size_t) (gt + 1 - sc->in) : sc->len;
        return wn_scan_repair(sc, start, "", sc->pos);
    }
    if (next == '/') {
        if (sc->depth == 0) {
            size_t start = sc->pos;
            const char *gt = memchr(sc->in + start, '>', sc->len - start);
            sc->pos = gt != NULL ? (size_t) (gt + 1 - sc->in) : sc->len;
            return wn_scan_repair(sc, start, "", sc->pos);
        }
        return wn_scan_end_tag(sc);
    }
    if (wn_scan_is_name_start(next)
        && (next < 0x80
            || wn_scan_utf8((const unsigned char *) sc->in + sc->pos + 1,
                            sc->len - sc->pos - 1)
                   != 0))
    {
        return wn_scan_start_tag(sc);
    }
    /* A '<' that starts nothing: "a < b" in text. */
    sc->pos++;
    if (sc->depth == 0) {
        return wn_scan_repair(sc, sc->pos - 1, "", sc->pos);
    }
    return wn_scan_repair(sc, sc->pos - 1, "&lt;", sc->pos);
}

/*
 * Before the document: libxml2 wants an XML declaration at byte 0, but
 * feeds arrive after blank lines and PHP warnings.  Whatever precedes the
 * declaration (or the first '<', without one) is dropped.
 */
static int
wn_scan_prolog(struct wn_scan *sc)
{
    size_t start = sc->pos, decl, lt;
    const char *p;

    wn_scan_skip_space(sc);
    p = memchr(sc->in + sc->pos, '<', sc->len - sc->pos);
    if (p == NULL) {
        const char *what =
            sc->pos < sc->len
                    && (sc->in[sc->pos] == '{' || sc->in[sc->pos] == '[')
                ? "JSON"
                : "text";
        return wn_err_set(sc->err, WN_ENOTFEED,
                          sc->pos == sc->len ? "empty document"
                                             : "%s without any markup",
                          what);
    }
    lt = (size_t) (p - sc->in);
    decl = wn_scan_find(sc, start, "<?xml");
    if (decl == start) {
        return 0;
    }
    if (decl == sc->len || decl - start > WN_SCAN_JUNK_MAX) {
        decl = lt; /* no declaration: start at the first '<' */
        if (sc->pos == lt) {
            return 0; /* white space before markup is allowed */
        }
    }
    for (const char *q = sc->in + start;
         (q = memchr(q, '\n', decl - (size_t) (q - sc->in))) != NULL; q++)
    {
        sc->s->lines_dropped++;
    }
    sc->pos = decl;
    return wn_scan_repair(sc, start, "", decl);
}

/* After the root element: comments and white space may follow; the rest
 * (a second feed glued on, server junk) is cut off. */
static int
wn_scan_epilog(struct wn_scan *sc)
{
    for (;;) {
        size_t start;

        wn_scan_skip_space(sc);
        if (sc->pos == sc->len) {
            return 0;
        }
        start = sc->pos;
        if (wn_scan_at(sc, "<!--")) {
            size_t end = wn_scan_find(sc, sc->pos + 4, "-->");
            if (end != sc->len) {
                sc->pos = end + 3;
                continue;
            }
        }
        sc->pos = sc->len;
        return wn_scan_repair(sc, start, "", sc->len);
    }
}

int
wn_feed_scan(struct wn_feed_scan *s, const char *text, size_t len,
             struct wn_err *err)
{
    struct wn_scan *sc;
    int rc;

    s->data = text;
    s->len = len;
    s->repairs = 0;
    s->named_refs = 0;
    s->lines_dropped = 0;
    /* Repairs grow the text a little (&amp; for &); twice is plenty. */
    wn_buf_init(&s->out, 2 * len + 4096);
    if (s->max_depth == 0 || s->max_depth > WN_FEED_MAX_DEPTH) {
        s->max_depth = WN_FEED_MAX_DEPTH;
    }
    sc = calloc(1, sizeof(*sc));
    if (sc == NULL) {
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    sc->in = text;
    sc->len = len;
    sc->s = s;
    sc->err = err;
    rc = wn_scan_prolog(sc);
    while (rc == 0 && sc->pos < sc->len) {
        if (sc->root_seen && sc->depth == 0) {
            rc = wn_scan_epilog(sc);
            break;
        }
        if (sc->in[sc->pos] == '<') {
            rc = wn_scan_markup(sc);
        } else {
            rc = wn_scan_text(sc);
        }
    }
    if (rc == 0 && !sc->root_seen) {
        rc = wn_err_set(err, WN_ENOTFEED, "no root element");
    }
    /* Cut off: close what is open. */
    while (rc == 0 && sc->depth > 0) {
        rc = wn_scan_close_top(sc, sc->len);
    }
    if (rc == 0 && sc->copying) {
        rc = wn_scan_emit(sc, sc->len, NULL, 0, sc->len);
        if (rc == 0) {
            s->data = s->out.data;
            s->len = s->out.len;
        }
    }
    free(sc);
    return rc;
}
