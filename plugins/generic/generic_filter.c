/*
 * generic_filter.c: the boilerplate filters over the blocks of the main
 * content (the whole body in text mode), in this order:
 *
 *   1. markup: the in-main container sweep (generic_chrome.c), then the
 *      children the main-content choice queued as not content;
 *   2. text patterns (generic_pattern.c), each anchored and word-limited;
 *   3. short all-link blocks (related links) in HTML;
 *   4. leads: the alt-text line right before a caption, the headline
 *      right before another article's excerpt;
 *   5. lines that only name the site, tag lists that repeat the page's
 *      known tags;
 *   6. the headline repeated at the top of the body;
 *   7. repeats: a block equal to or contained in another, and teaser
 *      echoes, truncated copies of earlier text ending in an ellipsis;
 *   8. the trailer: short leftovers after the article's end marker.
 *
 * Every rule looks at block text plus, where there is markup, the block's
 * element; so the same rules clean a page and a flattened text.
 */
#include <stdlib.h>
#include <string.h>

#include "generic.h"

#define GENERIC_FILTER_KEY_MAX       8192  /* bytes of one block's key */
#define GENERIC_FILTER_REPEAT_MIN    20    /* key bytes a repeat needs */
#define GENERIC_FILTER_CONTAIN_WORDS 8     /* words a contained block needs */
#define GENERIC_FILTER_TEASER_WORDS  5     /* words a teaser echo needs */
#define GENERIC_FILTER_TITLE_WORDS   20    /* words of a headline line */
#define GENERIC_FILTER_TITLE_CUT     20    /* key bytes of a cut headline */
#define GENERIC_FILTER_TAG_WORDS     40    /* words of a tag line */
#define GENERIC_FILTER_LEAD_WORDS    20    /* words of a caption lead */
#define GENERIC_FILTER_LINK_WORDS    12    /* words of an all-link block */
#define GENERIC_FILTER_BLOCKS_MAX    1500u /* blocks compared pairwise */
#define GENERIC_FILTER_SITE_WORDS    6     /* words of a site-name line */
#define GENERIC_FILTER_SIG_WORDS     20    /* words of a signature line */
#define GENERIC_FILTER_THREAD_SIGS   3     /* signatures that make a thread */

struct generic_blk {
    xmlNodePtr node;
    const char *text;
    size_t len, link_len;
    size_t words;
    unsigned flags; /* WN_BLOCK_* */
    int gone;       /* the filter that removed it + 1, or 0 */
    char *key;      /* generic_key() of text, arena, when repeats run */
    size_t klen;    /* strlen(key) */
};

struct generic_blocks {
    struct generic_blk *v;
    size_t n;
    xmlNodePtr main;
};

static int
generic_filter_remove(struct generic_run *r, struct generic_blocks *b, size_t i,
                      int filter)
{
    struct generic_blk *k = &b->v[i];

    if (k->gone || k->node == b->main || !generic_enabled(r, filter)) {
        return 0;
    }
    if (generic_remove(r, k->node, filter) != 0) {
        return 0;
    }
    k->gone = filter + 1;
    return 1;
}

/* Will the repeats filter run on n blocks?  It needs their keys. */
static int
generic_filter_repeats_on(const struct generic_run *r, size_t n)
{
    return generic_enabled(r, GENERIC_F_REPEATS)
           && n <= GENERIC_FILTER_BLOCKS_MAX;
}

/* A block's words, and its key when the repeats filter will want it: one
 * pass over the text for both.  buf has GENERIC_FILTER_KEY_MAX bytes. */
static int
generic_filter_measure(struct generic_run *r, struct generic_blk *k, char *buf)
{
    if (buf == NULL) {
        k->words = generic_words(k->text);
        return 0;
    }
    k->words =
        generic_words_key(k->text, buf, GENERIC_FILTER_KEY_MAX, &k->klen);
    k->key = r->h->alloc(r->call, k->klen + 1);
    if (k->key == NULL) {
        return WN_ENOMEM;
    }
    memcpy(k->key, buf, k->klen + 1);
    return 0;
}

static int
generic_filter_load(struct generic_run *r, struct generic_blocks *b)
{
    struct wn_block *wb;
    char *buf = NULL;
    size_t n;
    int rc;

    b->v = NULL;
    b->n = 0;
    b->main = r->h->main_node(r->doc);
    rc = r->h->blocks(r->call, r->doc, &wb, &n);
    if (rc != 0 || n == 0) {
        return rc;
    }
    b->v = r->h->alloc(r->call, n * sizeof(*b->v));
    if (b->v == NULL) {
        return WN_ENOMEM;
    }
    if (generic_filter_repeats_on(r, n)) {
        buf = malloc(GENERIC_FILTER_KEY_MAX);
        if (buf == NULL) {
            return WN_ENOMEM;
        }
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct generic_blk *k = &b->v[i];
        memset(k, 0, sizeof(*k));
        k->node = wb[i].node;
        k->text = wb[i].text;
        k->len = wb[i].len;
        k->link_len = wb[i].link_len;
        k->flags = wb[i].flags;
        rc = generic_filter_measure(r, k, buf);
    }
    free(buf);
    b->n = n;
    return rc;
}

/* The last kept block that reads like a paragraph of the article. */
static size_t
generic_filter_last_long(const struct generic_blocks *b)
{
    size_t last = 0;

    for (size_t i = 0; i < b->n; i++) {
        const struct generic_blk *k = &b->v[i];
        if (!k->gone && k->words >= GENERIC_BLOCK_WORDS_SHORT
            && k->link_len * 2 < k->len)
        {
            last = i + 1;
        }
    }
    return last; /* one past it; 0 when there is none */
}

/* The first kept block that reads like a paragraph, or b->n. */
static size_t
generic_filter_first_long(const struct generic_blocks *b)
{
    for (size_t i = 0; i < b->n; i++) {
        if (!b->v[i].gone && b->v[i].words >= GENERIC_BLOCK_WORDS_SHORT) {
            return i;
        }
    }
    return b->n;
}

/* Learns the tags of a "Tags: a | b, c" line. */
static void
generic_filter_learn_tags(struct generic_run *r, const char *text)
{
    const char *p = strchr(text, ':');
    char tag[80];

    if (p == NULL) {
        return;
    }
    p++;
    while (*p) {
        /* ASCII separators only: strcspn() takes bytes, not characters. */
        size_t n = strcspn(p, "|,;");
        const char *t = p;
        while (n > 0 && *t == ' ') {
            t++;
            n--;
        }
        while (n > 0 && t[n - 1] == ' ') {
            n--;
        }
        if (n > 0 && n < sizeof(tag)) {
            memcpy(tag, t, n);
            tag[n] = '\0';
            r->h->tag_add(r->call, r->doc, tag);
            generic_meta_tag(r, tag);
        }
        p += strcspn(p, "|,;");
        if (*p) {
            p++;
        }
    }
}

/* Marks the blocks that left the tree with a container. */
static void
generic_filter_sync(struct generic_blocks *b, int filter)
{
    for (size_t i = 0; i < b->n; i++) {
        if (!b->v[i].gone && !generic_attached(b->v[i].node)) {
            b->v[i].gone = filter + 1;
        }
    }
}

/* Does `node` come first in `container`, with no text before it? */
static int
generic_filter_leads(xmlNodePtr container, xmlNodePtr node)
{
    for (xmlNodePtr x = node; x != NULL && x != container; x = x->parent) {
        for (xmlNodePtr s = x->prev; s != NULL; s = s->prev) {
            if (generic_has_text(s)) {
                return 0;
            }
        }
    }
    return 1;
}

/* May `n` go with a section heading?  Not the main node or its wrappers,
 * and not what holds the article's first paragraph. */
static int
generic_filter_section_ok(const struct generic_blocks *b, size_t first,
                          xmlNodePtr n)
{
    if (n == NULL || n == b->main || generic_is_ancestor(n, b->main)) {
        return 0;
    }
    return first >= b->n || !generic_is_ancestor(n, b->v[first].node);
}

/*
 * Is a comment heading really followed by comments?  It counts them ("12
 * Responses to"), or a signature line comes after it.  A subheading that
 * happens to read "Comments" in an essay has neither.
 */
static int
generic_filter_thread_follows(struct generic_run *r,
                              const struct generic_blocks *b, size_t i)
{
    if (strpbrk(b->v[i].text, "0123456789") != NULL) {
        return 1;
    }
    for (size_t k = i + 1; k < b->n; k++) {
        if (b->v[k].words <= GENERIC_FILTER_SIG_WORDS
            && generic_pattern_signature(r, b->v[k].text, b->v[k].len))
        {
            return 1;
        }
    }
    return 0;
}

/*
 * A section heading ("Related stories", "12 Responses to ...") takes what
 * it opens: the container it leads, else the container right after it;
 * with neither, a comment heading after the article takes the rest.
 */
static void
generic_filter_section(struct generic_run *r, struct generic_blocks *b,
                       size_t i, int filter)
{
    size_t first = generic_filter_first_long(b);
    xmlNodePtr node = b->v[i].node, c = NULL, next;

    /* Never <body> or <html>: in text mode, or with no main node, the
     * heading may lead the whole document. */
    for (xmlNodePtr p = node->parent;
         p != NULL && p->type == XML_ELEMENT_NODE && p != b->main
         && !generic_name_is(p, "body") && !generic_name_is(p, "html")
         && generic_filter_leads(p, node);
         p = p->parent)
    {
        if (!generic_filter_section_ok(b, first, p)) {
            break;
        }
        c = p;
    }
    if (c == NULL) {
        for (next = node->next; next != NULL; next = next->next) {
            if (next->type == XML_ELEMENT_NODE || generic_has_text(next)) {
                break;
            }
        }
        if (next != NULL && next->type == XML_ELEMENT_NODE && i > first
            && generic_is_block_tag(next->name) && !generic_name_is(next, "p")
            && generic_filter_section_ok(b, first, next))
        {
            c = next;
        }
    }
    if (c != NULL && generic_remove(r, c, filter) == 0) {
        generic_filter_sync(b, filter);
        if (!b->v[i].gone) {
            generic_filter_remove(r, b, i, filter);
        }
        return;
    }
    generic_filter_remove(r, b, i, filter);
    if (filter == GENERIC_F_COMMENTS && i > first
        && generic_filter_thread_follows(r, b, i))
    {
        for (size_t k = i + 1; k < b->n; k++) {
            generic_filter_remove(r, b, k, filter);
        }
    }
}

/* What a removed dateline or byline said, kept as metadata when the page
 * gave none: a dateline naming its zone beats one that does not. */
static void
generic_filter_meta_from(struct generic_run *r, const struct generic_blk *k,
                         int filter)
{
    char buf[256]; /* a date, or a name of at most 8 words */
    int zoned;

    if (filter == GENERIC_F_DATELINES
        && (r->h->meta_get(r->doc, WN_META_PUBLISHED) == NULL
            || r->published_loose)
        && generic_date_parse(k->text, buf, sizeof(buf), &zoned) == 0
        && (zoned || !r->published_loose)
        && r->h->meta_set(r->call, r->doc, WN_META_PUBLISHED, buf) == 0)
    {
        r->published_loose = !zoned;
    } else if (filter == GENERIC_F_BYLINES
               && r->h->meta_get(r->doc, WN_META_AUTHOR) == NULL
               && generic_byline_name(k->text, buf, sizeof(buf)) == 0)
    {
        r->h->meta_set(r->call, r->doc, WN_META_AUTHOR, buf);
    }
}

/* 2. The text patterns; the first that matches a block removes it. */
static void
generic_filter_patterns(struct generic_run *r, struct generic_blocks *b)
{
    const struct generic_state *st = r->st;
    size_t tail = generic_filter_last_long(b);

    for (size_t i = 0; i < b->n && !generic_stop(r); i++) {
        struct generic_blk *k = &b->v[i];
        if (k->gone) {
            continue;
        }
        for (size_t p = 0; p < st->npatterns; p++) {
            const struct generic_pattern *pat = &st->patterns[p];
            if (k->words > pat->max_words
                || (pat->tail && (tail == 0 || i < tail))
                || (pat->prose && (k->flags & (WN_BLOCK_CELL | WN_BLOCK_LIST)))
                || !generic_enabled(r, pat->filter))
            {
                continue;
            }
            if (generic_pattern_test(r, pat, k->text, k->len)) {
                int heading = (k->flags & WN_BLOCK_HEADING) != 0
                              || (r->doc_flags & WN_DOC_TEXT);
                if (pat->section && (!pat->headed || heading)) {
                    generic_filter_section(r, b, i, pat->filter);
                } else if (generic_filter_remove(r, b, i, pat->filter)) {
                    if (pat->filter == GENERIC_F_TAGS) {
                        generic_filter_learn_tags(r, k->text);
                    } else if (pat->filter == GENERIC_F_DATELINES
                               || pat->filter == GENERIC_F_BYLINES)
                    {
                        generic_filter_meta_from(r, k, pat->filter);
                    }
                }
                break;
            }
        }
    }
}

/* 3. A short block that is all link: a related story, a menu item. */
static void
generic_filter_links(struct generic_run *r, struct generic_blocks *b)
{
    for (size_t i = 0; i < b->n; i++) {
        struct generic_blk *k = &b->v[i];
        if (!k->gone && k->len > 0 && k->words <= GENERIC_FILTER_LINK_WORDS
            && !(k->flags & WN_BLOCK_HEADING) && k->link_len * 10 >= k->len * 9)
        {
            generic_filter_remove(r, b, i, GENERIC_F_RELATED);
        }
    }
}

/* Was a related block the excerpt of another article (it has sentences),
 * rather than a heading or a link? */
static int
generic_filter_excerpt(const struct generic_blk *k)
{
    return k->words > GENERIC_FILTER_LINK_WORDS && k->link_len * 2 < k->len;
}

/* Ends a sentence or a quotation, as a headline does not. */
static int
generic_filter_ends_sentence(const char *s, size_t len)
{
    static const char *const ends[] = { ".", "!", "?", ":", ";", "\"",
                                        "'", ")", "…", "”", "’", "»" };

    for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
        size_t n = strlen(ends[i]);
        if (len >= n && memcmp(s + len - n, ends[i], n) == 0) {
            return 1;
        }
    }
    return 0;
}

static int
generic_filter_starts_lower(const char *s)
{
    unsigned char c = (unsigned char) s[0];

    /* ASCII only: an accented lower-case start is rare enough in alt text
     * and its absence only keeps a block. */
    return c >= 'a' && c <= 'z';
}

/*
 * 4. Leads: the alt text or title line right before a caption, lower case
 * first and without an end mark ("red tape at the scene"); and the
 * headline right before another article's excerpt ("Ferries return ...
 * Read more").  A subheading before a caption starts upper case and stays.
 */
static void
generic_filter_leads_of(struct generic_run *r, struct generic_blocks *b)
{
    for (size_t i = 0; i + 1 < b->n; i++) {
        struct generic_blk *k = &b->v[i];
        int next = b->v[i + 1].gone - 1;

        if (k->gone || k->words == 0 || k->words > GENERIC_FILTER_LEAD_WORDS
            || generic_filter_ends_sentence(k->text, k->len))
        {
            continue;
        }
        if (next == GENERIC_F_CAPTIONS && generic_filter_starts_lower(k->text))
        {
            generic_filter_remove(r, b, i, GENERIC_F_CAPTIONS);
        } else if (next == GENERIC_F_RELATED
                   && generic_filter_excerpt(&b->v[i + 1])) {
            generic_filter_remove(r, b, i, GENERIC_F_RELATED);
        }
    }
}

static int
generic_filter_known_tag(const struct generic_run *r, const char *key)
{
    for (size_t i = 0; i < r->ntags; i++) {
        if (strcmp(r->tags[i], key) == 0) {
            return 1;
        }
    }
    return 0;
}

/*
 * A short block that only names the site ("The Daily Example" on its
 * own pages): the byline of a newsroom, or its masthead.
 */
static void
generic_filter_site_lines(struct generic_run *r, struct generic_blocks *b)
{
    const char *site = r->h->meta_get(r->doc, WN_META_SITE);
    char ks[256], kb[256];

    if (site == NULL || generic_key(site, ks, sizeof(ks)) == 0) {
        return;
    }
    for (size_t i = 0; i < b->n; i++) {
        struct generic_blk *k = &b->v[i];
        if (!k->gone && k->words <= GENERIC_FILTER_SITE_WORDS
            && generic_key(k->text, kb, sizeof(kb)) > 0 && strcmp(kb, ks) == 0)
        {
            generic_filter_remove(r, b, i, GENERIC_F_BYLINES);
        }
    }
}

/* 5. A line of separated items that are all known tags. */
static void
generic_filter_tag_lines(struct generic_run *r, struct generic_blocks *b)
{
    if (r->ntags == 0) {
        return;
    }
    for (size_t i = 0; i < b->n; i++) {
        struct generic_blk *k = &b->v[i];
        const char *p = k->text;
        size_t items = 0, known = 0;

        if (k->gone || k->words > GENERIC_FILTER_TAG_WORDS
            || strpbrk(k->text, ",|;") == NULL)
        {
            continue;
        }
        while (*p) {
            size_t n = strcspn(p, ",|;");
            char item[80], key[80];
            if (n < sizeof(item)) {
                memcpy(item, p, n);
                item[n] = '\0';
                if (generic_key(item, key, sizeof(key)) > 0) {
                    items++;
                    known += generic_filter_known_tag(r, key);
                }
            } else {
                items++;
            }
            p += n;
            if (*p) {
                p++;
            }
        }
        if (items >= 2 && known == items) {
            generic_filter_remove(r, b, i, GENERIC_F_TAGS);
        }
    }
}

/* Does a block's text say the headline (equal, or cut, or with a kicker)? */
static int
generic_filter_is_title(const char *block, const char *title)
{
    char kb[1024], kt[1024];
    size_t nb = generic_key(block, kb, sizeof(kb));
    size_t nt = generic_key(title, kt, sizeof(kt));

    if (nb == 0 || nt == 0) {
        return 0;
    }
    if (strcmp(kb, kt) == 0) {
        return 1;
    }
    /* One is the other cut short, keeping at least 60% of it. */
    if (nb >= GENERIC_FILTER_TITLE_CUT && nb < nt && strncmp(kt, kb, nb) == 0
        && kt[nb] == ' ' && nb * 10 >= nt * 6)
    {
        return 1;
    }
    return nt >= GENERIC_FILTER_TITLE_CUT && nt < nb && strncmp(kb, kt, nt) == 0
           && kb[nt] == ' ' && nt * 10 >= nb * 6;
}

/*
 * 6. The headline: a block before the first paragraph that says the
 * title, else the first <h1> there.  In text mode with no title known,
 * the first line is the headline when it looks like one: short, with no
 * end mark, and more text follows.
 */
static void
generic_filter_title(struct generic_run *r, struct generic_blocks *b)
{
    size_t first = generic_filter_first_long(b);
    int text_mode = (r->doc_flags & WN_DOC_TEXT) != 0;

    if (r->title != NULL) {
        for (size_t i = 0; i < first; i++) {
            if (!b->v[i].gone
                && generic_filter_is_title(b->v[i].text, r->title)) {
                generic_filter_remove(r, b, i, GENERIC_F_TITLE);
                return;
            }
        }
    }
    if (!text_mode) {
        for (size_t i = 0; i < first; i++) {
            struct generic_blk *k = &b->v[i];
            if (!k->gone && generic_name_is(k->node, "h1")) {
                if (r->title == NULL) {
                    r->h->meta_set(r->call, r->doc, WN_META_TITLE, k->text);
                    r->title = r->h->meta_get(r->doc, WN_META_TITLE);
                }
                generic_filter_remove(r, b, i, GENERIC_F_TITLE);
                return;
            }
        }
        return;
    }
    if (r->title != NULL) {
        return;
    }
    for (size_t i = 0; i < b->n; i++) {
        struct generic_blk *k = &b->v[i];
        unsigned char c;
        if (k->gone) {
            continue;
        }
        c = (unsigned char) k->text[0];
        if (k->words >= 2 && k->words <= GENERIC_FILTER_TITLE_WORDS
            && !generic_filter_ends_sentence(k->text, k->len)
            && !generic_filter_starts_lower(k->text) && c != '(' && c != '['
            && first < b->n && first > i)
        {
            /* The title is metadata whether or not the filter is on. */
            if (r->h->meta_get(r->doc, WN_META_TITLE) == NULL) {
                r->h->meta_set(r->call, r->doc, WN_META_TITLE, k->text);
                r->title = r->h->meta_get(r->doc, WN_META_TITLE);
            }
            generic_filter_remove(r, b, i, GENERIC_F_TITLE);
        }
        return;
    }
}

/* The text of a teaser without its ellipsis, or 0 when it has none. */
static size_t
generic_filter_teaser_len(const char *s, size_t len)
{
    static const char *const marks[] = { "[…]",   "[...]", "(…)",
                                         "(...)", "…",     "..." };

    for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
        size_t n = strlen(marks[i]);
        if (len > n && memcmp(s + len - n, marks[i], n) == 0) {
            return len - n;
        }
    }
    return 0;
}

/* A block equal to a kept earlier one goes: the later copy. */
static void
generic_filter_equal(struct generic_run *r, struct generic_blocks *b)
{
    for (size_t i = 1; i < b->n; i++) {
        struct generic_blk *k = &b->v[i];
        if (k->gone || k->klen < GENERIC_FILTER_REPEAT_MIN) {
            continue;
        }
        for (size_t j = 0; j < i; j++) {
            const struct generic_blk *o = &b->v[j];
            if (!o->gone && o->klen == k->klen
                && memcmp(o->key, k->key, k->klen) == 0) {
                generic_filter_remove(r, b, i, GENERIC_F_REPEATS);
                break;
            }
        }
    }
}

/*
 * The kept keys joined by single spaces, with where each block's key
 * starts, and every word start in it chained by a hash of its word.  Any
 * occurrence of a key at word boundaries starts at a word start whose
 * word is the key's first word, so a search visits only those instead of
 * running strstr() over the whole text once per block and match: that
 * made repeats quadratic in the page's text.
 */
struct generic_joined {
    char *all;
    size_t len;
    size_t *start;   /* per block: its key's offset in all */
    uint32_t *pos;   /* word starts: offset in all */
    uint32_t *owner; /* ... and the block whose key holds it */
    uint32_t *next;  /* ... and the next one in its chain, + 1 (0 ends) */
    uint32_t *head;  /* per chain: its first word start, + 1 (0: empty) */
    size_t npos;
    uint32_t mask; /* chains - 1, a power of two less one */
};

/* FNV-1a of the word at s: the bytes before a space or the end (the
 * index computes the same inline as it walks the words). */
static uint32_t
generic_filter_word_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < len && s[i] != ' ' && s[i] != '\0'; i++) {
        h = (h ^ (unsigned char) s[i]) * 16777619u;
    }
    return h;
}

static void
generic_filter_join_free(struct generic_joined *j)
{
    free(j->all);
    free(j->start);
    free(j->pos);
    free(j->owner);
    free(j->next);
    free(j->head);
    memset(j, 0, sizeof(*j));
}

static int
generic_filter_join(const struct generic_blocks *b, struct generic_joined *j)
{
    size_t total = 1, words = 0, chains = 1, len = 0;

    memset(j, 0, sizeof(*j));
    for (size_t i = 0; i < b->n; i++) {
        total += b->v[i].gone ? 0 : b->v[i].klen + 1;
    }
    if (total > UINT32_MAX) {
        return WN_ETOOBIG;
    }
    j->all = malloc(total);
    j->start = malloc((b->n + 1) * sizeof(*j->start));
    if (j->all == NULL || j->start == NULL) {
        return WN_ENOMEM;
    }
    for (size_t i = 0; i < b->n; i++) {
        j->start[i] = len;
        if (!b->v[i].gone) {
            if (len > 0) {
                j->all[len++] = ' ';
                j->start[i] = len;
            }
            memcpy(j->all + len, b->v[i].key, b->v[i].klen);
            len += b->v[i].klen;
        }
    }
    j->start[b->n] = len;
    j->all[len] = '\0';
    j->len = len;
    /* Words are separated by spaces: at most one more than the spaces. */
    for (size_t p = 0; p < len; p++) {
        words += j->all[p] == ' ';
    }
    words++;
    while (chains < words) {
        chains *= 2;
    }
    j->mask = (uint32_t) (chains - 1);
    j->pos = malloc(words * sizeof(*j->pos));
    j->owner = malloc(words * sizeof(*j->owner));
    j->next = malloc(words * sizeof(*j->next));
    j->head = calloc(chains, sizeof(*j->head));
    if (j->pos == NULL || j->owner == NULL || j->next == NULL
        || j->head == NULL) {
        return WN_ENOMEM;
    }
    for (size_t i = 0; i < b->n; i++) {
        size_t p = j->start[i], end = p + (b->v[i].gone ? 0 : b->v[i].klen);
        /* p is at a word start: the beginning, or after a space. */
        while (p < end) {
            size_t q = p;
            uint32_t h = 2166136261u;
            if (j->all[p] == ' ') {
                p++;
                continue;
            }
            while (q < end && j->all[q] != ' ') {
                h = (h ^ (unsigned char) j->all[q++]) * 16777619u;
            }
            h &= j->mask;
            j->pos[j->npos] = (uint32_t) p;
            j->owner[j->npos] = (uint32_t) i;
            j->next[j->npos] = j->head[h];
            j->head[h] = (uint32_t) ++j->npos;
            p = q;
        }
    }
    return 0;
}

/*
 * The next word start after `*it` (0 to begin) where `needle` (n > 0 bytes,
 * not starting with a space) stands in the joined keys at word
 * boundaries; returns its index in j->pos, or -1 when there is none.
 */
static long
generic_filter_join_next(const struct generic_joined *j, const char *needle,
                         size_t n, uint32_t *it)
{
    uint32_t k = *it == 0
                     ? j->head[generic_filter_word_hash(needle, n) & j->mask]
                     : j->next[*it - 1];

    for (; k != 0; k = j->next[k - 1]) {
        size_t p = j->pos[k - 1];
        if (p + n <= j->len && memcmp(j->all + p, needle, n) == 0
            && (j->all[p + n] == ' ' || j->all[p + n] == '\0'))
        {
            *it = k;
            return (long) (k - 1);
        }
    }
    *it = 0;
    return -1;
}

/*
 * A block ending in an ellipsis whose text, less its last word (which
 * may be cut), runs on elsewhere in the kept blocks: a teaser echo.
 */
static int
generic_filter_teasers(struct generic_run *r, struct generic_blocks *b,
                       const struct generic_joined *j)
{
    char *tkey = malloc(GENERIC_FILTER_KEY_MAX);
    char *raw = malloc(GENERIC_FILTER_KEY_MAX);

    if (tkey == NULL || raw == NULL) {
        free(tkey);
        free(raw);
        return WN_ENOMEM;
    }
    for (size_t i = 0; i < b->n; i++) {
        struct generic_blk *k = &b->v[i];
        size_t cut = k->gone ? 0 : generic_filter_teaser_len(k->text, k->len);
        char *sp;
        uint32_t it = 0;
        long w;
        if (cut == 0 || cut >= GENERIC_FILTER_KEY_MAX) {
            continue;
        }
        memcpy(raw, k->text, cut);
        raw[cut] = '\0';
        generic_key(raw, tkey, GENERIC_FILTER_KEY_MAX);
        sp = strrchr(tkey, ' ');
        if (sp == NULL) {
            continue;
        }
        *sp = '\0';
        if (generic_words(tkey) < GENERIC_FILTER_TEASER_WORDS) {
            continue;
        }
        while (
            (w = generic_filter_join_next(j, tkey, (size_t) (sp - tkey), &it))
            >= 0) {
            size_t at = j->pos[w];
            /* Its own text does not count. */
            if (at >= j->start[i] && at < j->start[i] + k->klen) {
                continue;
            }
            generic_filter_remove(r, b, i, GENERIC_F_REPEATS);
            break;
        }
    }
    free(tkey);
    free(raw);
    return 0;
}

/* Is block i's key inside the key of another kept, longer block that is
 * not a teaser (a teaser holds the text it repeats: the teaser goes)? */
static int
generic_filter_inside(const struct generic_blocks *b,
                      const struct generic_joined *j, const int *teaser,
                      size_t i)
{
    const struct generic_blk *k = &b->v[i];
    uint32_t it = 0;
    long w;

    /*
     * A key with no letters or digits (a block of apostrophes and marks
     * can count 8 words) repeats nothing.  strstr() finds an empty needle
     * everywhere, and the strstr() loop used before ran on past the end
     * of the other key looking for a word boundary after it.
     */
    if (k->klen == 0) {
        return 0;
    }
    while ((w = generic_filter_join_next(j, k->key, k->klen, &it)) >= 0) {
        size_t o = j->owner[w];
        const struct generic_blk *ok = &b->v[o];
        if (o != i && !ok->gone && ok->klen > k->klen && !teaser[o]
            && j->pos[w] + k->klen <= j->start[o] + ok->klen)
        {
            return 1;
        }
    }
    return 0;
}

/*
 * 7. Repeats.  A block equal to an earlier one goes (the later copy); a
 * block of GENERIC_FILTER_CONTAIN_WORDS words or more found inside a longer
 * block goes (pull quotes, teasers); a block ending in an ellipsis whose
 * text, less its last word, runs on in other blocks goes (a teaser echo,
 * "First paragraph. Start of the second...").
 */
static int
generic_filter_repeats(struct generic_run *r, struct generic_blocks *b)
{
    struct generic_joined j;
    int *teaser = NULL;
    int rc;

    /* The keys were made with the words (generic_filter_load()). */
    if (!generic_filter_repeats_on(r, b->n)) {
        return 0;
    }
    generic_filter_equal(r, b);
    rc = generic_filter_join(b, &j);
    if (rc == 0) {
        rc = generic_filter_teasers(r, b, &j);
    }
    if (rc == 0) {
        teaser = malloc(b->n * sizeof(*teaser));
        rc = teaser == NULL ? WN_ENOMEM : 0;
    }
    if (rc != 0) {
        free(teaser);
        generic_filter_join_free(&j);
        return rc;
    }
    for (size_t i = 0; i < b->n; i++) {
        teaser[i] = generic_filter_teaser_len(b->v[i].text, b->v[i].len) != 0;
    }
    /* Blocks inside longer ones: pull quotes, teasers of one paragraph. */
    for (size_t i = 0; i < b->n && !generic_stop(r); i++) {
        struct generic_blk *k = &b->v[i];
        if (!k->gone && k->words >= GENERIC_FILTER_CONTAIN_WORDS
            && generic_filter_inside(b, &j, teaser, i))
        {
            generic_filter_remove(r, b, i, GENERIC_F_REPEATS);
        }
    }
    free(teaser);
    generic_filter_join_free(&j);
    return 0;
}

/*
 * Comment threads without markup to say so: once the article has begun,
 * three or more signature lines ("Posted by NAME at DATE", "NAME says:
 * DATE") mean a thread; it starts at the first of them (the post's own
 * signature, or the first comment's) and runs to the end.
 */
static void
generic_filter_threads(struct generic_run *r, struct generic_blocks *b)
{
    size_t first = generic_filter_first_long(b), start = b->n, count = 0;

    if (!generic_enabled(r, GENERIC_F_COMMENTS)) {
        return;
    }
    for (size_t i = first + 1; i < b->n; i++) {
        const struct generic_blk *k = &b->v[i];
        if (k->words <= GENERIC_FILTER_SIG_WORDS
            && (k->gone == 0 || k->gone == GENERIC_F_BYLINES + 1
                || k->gone == GENERIC_F_DATELINES + 1)
            && generic_pattern_signature(r, k->text, k->len))
        {
            if (count++ == 0) {
                start = i;
            }
        }
    }
    if (count < GENERIC_FILTER_THREAD_SIGS) {
        return;
    }
    for (size_t i = start; i < b->n; i++) {
        generic_filter_remove(r, b, i, GENERIC_F_COMMENTS);
    }
}

/* Filters whose removal after the last paragraph marks the article's end. */
static int
generic_filter_is_end_marker(int gone)
{
    static const int markers[] = {
        GENERIC_F_BYLINES,     GENERIC_F_COPYRIGHT, GENERIC_F_SOURCES,
        GENERIC_F_TAGS,        GENERIC_F_SHARE,     GENERIC_F_COMMENTS,
        GENERIC_F_NEWSLETTERS, GENERIC_F_RELATED,   GENERIC_F_APP_BANNERS,
        GENERIC_F_CONSENT,
    };

    for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
        if (gone == markers[i] + 1) {
            return 1;
        }
    }
    return 0;
}

/*
 * 8. The trailer.  After the last long paragraph, once a block was removed
 * as an end-of-article kind (a byline, a copyright line, a tag list...),
 * the short blocks that follow are the page's, not the article's.
 */
static void
generic_filter_trailer(struct generic_run *r, struct generic_blocks *b)
{
    size_t i = generic_filter_last_long(b);

    /* With no paragraph at all there is no end to find. */
    if (i == 0) {
        return;
    }
    for (; i < b->n && !generic_filter_is_end_marker(b->v[i].gone); i++) {
    }
    for (i++; i < b->n; i++) {
        struct generic_blk *k = &b->v[i];
        if (!k->gone && k->words < GENERIC_BLOCK_WORDS_SHORT) {
            generic_filter_remove(r, b, i, GENERIC_F_TRAILER);
        }
    }
}

/*
 * Plain text has no elements to score, but a page flattened whole still
 * has its menus, section lists and footer link lists as runs of short
 * lines around the article.  The article is the run of lines with the most
 * prose: the maximum-sum span where a line of GENERIC_TEXT_PROSE_WORDS or
 * more words counts its words and a shorter one costs
 * GENERIC_TEXT_SHORT_COST.  Outside that span, short lines that stand in a
 * run of at least GENERIC_TEXT_RUN_MIN go as page chrome; a lone short line
 * (a subheading, a standfirst) and every prose line stay.
 */
#define GENERIC_TEXT_PROSE_WORDS 12
#define GENERIC_TEXT_SHORT_COST  2
#define GENERIC_TEXT_RUN_MIN     3
#define GENERIC_TEXT_SPAN_MIN    60 /* the span's net words: else no frame */

static void
generic_filter_text_frame(struct generic_run *r, struct generic_blocks *b)
{
    long best = 0, sum = 0;
    size_t start = 0, first = 0, last = 0, i;
    int found = 0;

    for (i = 0; i < b->n; i++) {
        const struct generic_blk *k = &b->v[i];
        if (k->gone) {
            continue;
        }
        if (sum <= 0) {
            sum = 0;
            start = i;
        }
        sum += k->words >= GENERIC_TEXT_PROSE_WORDS
                   ? (long) k->words
                   : -(long) GENERIC_TEXT_SHORT_COST;
        if (sum > best) {
            best = sum;
            first = start;
            last = i;
            found = 1;
        }
    }
    /* Without a clear run of prose (a list, a poem, a short note) there is
     * no article to frame: leave the lines to the other filters. */
    if (!found || best < GENERIC_TEXT_SPAN_MIN) {
        return;
    }
    for (i = 0; i < b->n; i++) {
        size_t run = 0, j;
        if (i >= first && i <= last) {
            continue;
        }
        /* The run of short (or gone) lines outside the span from i. */
        for (j = i;
             j < b->n && (j < first || j > last)
             && (b->v[j].gone || b->v[j].words < GENERIC_TEXT_PROSE_WORDS);
             j++)
        {
            run += !b->v[j].gone;
        }
        if (run >= GENERIC_TEXT_RUN_MIN) {
            for (size_t k = i; k < j; k++) {
                generic_filter_remove(r, b, k, GENERIC_F_CHROME);
            }
        }
        i = j > i ? j - 1 : i;
    }
}

/* 1. The container sweep inside the main node, over its part of the
 * scoring's tree when the scoring chose it. */
static int
generic_filter_sweep_main(struct generic_run *r, xmlNodePtr main)
{
    struct generic_tree t;
    int rc;

    if (r->tree_main >= 0 && (size_t) r->tree_main < r->tree.n
        && r->tree.v[r->tree_main].node == main)
    {
        rc = generic_tree_subtree(r, &r->tree, (size_t) r->tree_main, &t);
    } else {
        rc = generic_tree_build(r, main, &t);
    }
    generic_tree_free(&r->tree);
    r->tree_main = -1;
    if (rc != 0) {
        return rc;
    }
    rc = generic_chrome_sweep(r, &t, 1);
    generic_tree_free(&t);
    return rc;
}

int
generic_filter_main(struct generic_run *r)
{
    struct generic_blocks b;
    xmlNodePtr main = r->h->main_node(r->doc);
    int rc;

    if (!(r->doc_flags & WN_DOC_TEXT) && main != NULL) {
        rc = generic_filter_sweep_main(r, main);
        if (rc < 0) {
            return rc;
        }
    }
    for (size_t i = 0; i < r->nprune; i++) {
        if (generic_attached(r->prune[i])) {
            r->h->remove_node(r->call, r->doc, r->prune[i], "main");
        }
    }
    rc = generic_filter_load(r, &b);
    if (rc != 0 || b.n == 0) {
        return rc;
    }
    generic_filter_patterns(r, &b);
    if (!(r->doc_flags & WN_DOC_TEXT)) {
        generic_filter_links(r, &b);
    }
    generic_filter_threads(r, &b);
    generic_filter_leads_of(r, &b);
    generic_filter_site_lines(r, &b);
    generic_filter_tag_lines(r, &b);
    generic_filter_title(r, &b);
    rc = generic_filter_repeats(r, &b);
    if (rc != 0) {
        return rc;
    }
    if (r->doc_flags & WN_DOC_TEXT) {
        generic_filter_text_frame(r, &b);
    }
    generic_filter_trailer(r, &b);
    return generic_stop(r) ? WN_ETIMEOUT : 0;
}
