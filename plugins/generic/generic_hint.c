/*
 * generic_hint.c: what an element's class, id, role and itemprop say about
 * it: a Readability-style weight (content words up, boilerplate words
 * down) and the boilerplate kinds named, as filter bits.  Words are matched
 * whole after splitting on punctuation and camelCase, never as substrings,
 * so "header" does not read as "ad" and "commentary" is not "comment".
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "generic.h"

#define GENERIC_HINT_WORD_MAX 32 /* longer words are not looked up */
#define GENERIC_HINT_WORDS    24 /* words of one class or id looked at */

enum generic_match {
    GENERIC_EXACT,
    GENERIC_PREFIX
};

/* generic_hint_word.positive */
#define GENERIC_HINT_NEG    (-1) /* weighs down, names no kind ("widget") */
#define GENERIC_HINT_POS    1    /* a content word ("content", "text") */
#define GENERIC_HINT_STRONG 2    /* names an article on its own ("hentry") */

struct generic_hint_word {
    const char *word;
    int match;      /* enum generic_match */
    int positive;   /* GENERIC_HINT_*, or 0 */
    unsigned kinds; /* GENERIC_KIND() bits */
};

#define K(f) GENERIC_KIND(GENERIC_F_##f)

/*
 * Looked up in order: the first entry that matches a word decides it, so
 * exceptions ("commentary") come before the prefixes they would match.
 */
static const struct generic_hint_word generic_hint_words[] = {
    /* neutral words that a prefix below would misread */
    { "commentary", GENERIC_EXACT, GENERIC_HINT_POS, 0 },
    { "commentaries", GENERIC_EXACT, GENERIC_HINT_POS, 0 },
    { "postal", GENERIC_EXACT, 0, 0 },
    { "poster", GENERIC_EXACT, 0, 0 },
    { "textwidget", GENERIC_EXACT, 0, 0 },
    { "contentinfo", GENERIC_EXACT, 0, K(CHROME) },
    { "mainnav", GENERIC_EXACT, 0, K(CHROME) },
    { "mainmenu", GENERIC_EXACT, 0, K(CHROME) },
    { "bodytext", GENERIC_EXACT, GENERIC_HINT_POS, 0 },
    { "adjust", GENERIC_PREFIX, 0, 0 },

    /* content */
    { "article", GENERIC_PREFIX, GENERIC_HINT_STRONG, 0 },
    { "body", GENERIC_PREFIX, GENERIC_HINT_POS, 0 },
    { "content", GENERIC_PREFIX, GENERIC_HINT_POS, 0 },
    { "entry", GENERIC_PREFIX, GENERIC_HINT_STRONG, 0 },
    { "hentry", GENERIC_EXACT, GENERIC_HINT_STRONG, 0 },
    { "hnews", GENERIC_EXACT, GENERIC_HINT_STRONG, 0 },
    { "main", GENERIC_EXACT, GENERIC_HINT_POS, 0 },
    { "post", GENERIC_EXACT, GENERIC_HINT_POS, 0 },
    { "posts", GENERIC_EXACT, GENERIC_HINT_POS, 0 },
    { "postbody", GENERIC_EXACT, GENERIC_HINT_STRONG, 0 },
    { "postcontent", GENERIC_EXACT, GENERIC_HINT_STRONG, 0 },
    { "story", GENERIC_PREFIX, GENERIC_HINT_STRONG, 0 },
    { "text", GENERIC_EXACT, GENERIC_HINT_POS, 0 },
    { "blog", GENERIC_PREFIX, GENERIC_HINT_POS, 0 },
    { "prose", GENERIC_EXACT, GENERIC_HINT_POS, 0 },
    { "rte", GENERIC_EXACT, GENERIC_HINT_POS, 0 },

    /* boilerplate-ish, but too broad to remove by */
    { "widget", GENERIC_PREFIX, GENERIC_HINT_NEG, 0 },
    { "extra", GENERIC_EXACT, GENERIC_HINT_NEG, 0 },
    { "supplemental", GENERIC_EXACT, GENERIC_HINT_NEG, 0 },

    /* comments */
    { "comment", GENERIC_PREFIX, 0, K(COMMENTS) },
    { "disqus", GENERIC_PREFIX, 0, K(COMMENTS) },
    { "respond", GENERIC_EXACT, 0, K(COMMENTS) },
    { "replies", GENERIC_EXACT, 0, K(COMMENTS) },
    { "discussion", GENERIC_EXACT, 0, K(COMMENTS) },
    { "discuss", GENERIC_EXACT, 0, K(COMMENTS) },
    { "talkback", GENERIC_EXACT, 0, K(COMMENTS) },

    /* share bars */
    { "share", GENERIC_PREFIX, 0, K(SHARE) },
    { "sharing", GENERIC_EXACT, 0, K(SHARE) },
    { "social", GENERIC_PREFIX, 0, K(SHARE) },
    { "sociable", GENERIC_EXACT, 0, K(SHARE) },
    { "addthis", GENERIC_PREFIX, 0, K(SHARE) },
    { "addtoany", GENERIC_EXACT, 0, K(SHARE) },
    { "shariff", GENERIC_EXACT, 0, K(SHARE) },
    { "follow", GENERIC_EXACT, 0, K(SHARE) },
    { "print", GENERIC_EXACT, 0, K(SHARE) },
    { "tweet", GENERIC_PREFIX, 0, K(SHARE) },
    { "facebook", GENERIC_EXACT, 0, K(SHARE) },
    { "twitter", GENERIC_EXACT, 0, K(SHARE) },

    /* related stories and link lists */
    { "related", GENERIC_PREFIX, 0, K(RELATED) },
    { "recommend", GENERIC_PREFIX, 0, K(RELATED) },
    { "outbrain", GENERIC_PREFIX, 0, K(RELATED) },
    { "taboola", GENERIC_PREFIX, 0, K(RELATED) },
    { "trending", GENERIC_EXACT, 0, K(RELATED) },
    { "popular", GENERIC_EXACT, 0, K(RELATED) },
    { "readmore", GENERIC_EXACT, 0, K(RELATED) },
    { "morestories", GENERIC_EXACT, 0, K(RELATED) },
    { "also", GENERIC_EXACT, 0, K(RELATED) },
    { "more", GENERIC_EXACT, 0, K(RELATED) },
    { "nextprev", GENERIC_EXACT, 0, K(RELATED) },
    { "prevnext", GENERIC_EXACT, 0, K(RELATED) },

    /* newsletters */
    { "newsletter", GENERIC_PREFIX, 0, K(NEWSLETTERS) },
    { "subscri", GENERIC_PREFIX, 0, K(NEWSLETTERS) },
    { "signup", GENERIC_PREFIX, 0, K(NEWSLETTERS) },
    { "mailchimp", GENERIC_PREFIX, 0, K(NEWSLETTERS) },
    { "mailing", GENERIC_EXACT, 0, K(NEWSLETTERS) },
    { "optin", GENERIC_PREFIX, 0, K(NEWSLETTERS) },
    { "mc4wp", GENERIC_EXACT, 0, K(NEWSLETTERS) },
    { "paywall", GENERIC_PREFIX, 0, K(NEWSLETTERS) },

    /* consent */
    { "cookie", GENERIC_PREFIX, 0, K(CONSENT) },
    { "consent", GENERIC_PREFIX, 0, K(CONSENT) },
    { "gdpr", GENERIC_PREFIX, 0, K(CONSENT) },
    { "ccpa", GENERIC_EXACT, 0, K(CONSENT) },
    { "onetrust", GENERIC_PREFIX, 0, K(CONSENT) },
    /* consent-management platforms, named in their markup */
    { "didomi", GENERIC_PREFIX, 0, K(CONSENT) },
    { "cookiebot", GENERIC_PREFIX, 0, K(CONSENT) },
    { "usercentrics", GENERIC_PREFIX, 0, K(CONSENT) },
    { "trustarc", GENERIC_PREFIX, 0, K(CONSENT) },
    { "truste", GENERIC_EXACT, 0, K(CONSENT) },
    { "iubenda", GENERIC_PREFIX, 0, K(CONSENT) },
    { "cmp", GENERIC_EXACT, 0, K(CONSENT) },

    /* app banners */
    { "smartbanner", GENERIC_PREFIX, 0, K(APP_BANNERS) },
    { "appbanner", GENERIC_PREFIX, 0, K(APP_BANNERS) },
    { "apppromo", GENERIC_PREFIX, 0, K(APP_BANNERS) },

    /* ads */
    { "ad", GENERIC_EXACT, 0, K(ADS) },
    { "ads", GENERIC_EXACT, 0, K(ADS) },
    { "adv", GENERIC_EXACT, 0, K(ADS) },
    { "advert", GENERIC_PREFIX, 0, K(ADS) },
    { "adsense", GENERIC_EXACT, 0, K(ADS) },
    { "adslot", GENERIC_EXACT, 0, K(ADS) },
    { "adunit", GENERIC_EXACT, 0, K(ADS) },
    { "adwrap", GENERIC_PREFIX, 0, K(ADS) },
    { "dfp", GENERIC_EXACT, 0, K(ADS) },
    { "sponsor", GENERIC_PREFIX, 0, K(ADS) },
    { "promo", GENERIC_PREFIX, 0, K(ADS) },
    { "skyscraper", GENERIC_EXACT, 0, K(ADS) },
    { "banner", GENERIC_EXACT, 0, K(CHROME) },
    { "commercial", GENERIC_EXACT, 0, K(ADS) },

    /* captions */
    { "caption", GENERIC_PREFIX, 0, K(CAPTIONS) },
    { "figcaption", GENERIC_EXACT, 0, K(CAPTIONS) },
    { "credit", GENERIC_PREFIX, 0, K(CAPTIONS) },
    { "gallery", GENERIC_EXACT, 0, K(CAPTIONS) },

    /* bylines and author bios */
    { "byline", GENERIC_PREFIX, 0, K(BYLINES) },
    { "author", GENERIC_PREFIX, 0, K(BYLINES) },
    { "contributor", GENERIC_PREFIX, 0, K(BYLINES) },
    { "writer", GENERIC_EXACT, 0, K(BYLINES) },
    { "bio", GENERIC_EXACT, 0, K(BYLINES) },
    { "vcard", GENERIC_EXACT, 0, K(BYLINES) },
    { "meta", GENERIC_EXACT, 0, K(BYLINES) },
    { "postmeta", GENERIC_EXACT, 0, K(BYLINES) },
    { "entrymeta", GENERIC_EXACT, 0, K(BYLINES) },

    /* tags */
    { "tag", GENERIC_EXACT, 0, K(TAGS) },
    { "tags", GENERIC_EXACT, 0, K(TAGS) },
    { "tagcloud", GENERIC_EXACT, 0, K(TAGS) },
    { "taglist", GENERIC_EXACT, 0, K(TAGS) },
    { "keywords", GENERIC_EXACT, 0, K(TAGS) },
    { "topics", GENERIC_EXACT, 0, K(TAGS) },
    { "categories", GENERIC_EXACT, 0, K(TAGS) },
    { "labels", GENERIC_EXACT, 0, K(TAGS) },

    /* dates */
    { "date", GENERIC_PREFIX, 0, K(DATELINES) },
    { "timestamp", GENERIC_PREFIX, 0, K(DATELINES) },
    { "time", GENERIC_EXACT, 0, K(DATELINES) },
    { "pubdate", GENERIC_EXACT, 0, K(DATELINES) },
    { "published", GENERIC_EXACT, 0, K(DATELINES) },
    { "updated", GENERIC_EXACT, 0, K(DATELINES) },

    /* legal footers */
    { "copyright", GENERIC_PREFIX, 0, K(COPYRIGHT) },
    { "legal", GENERIC_EXACT, 0, K(COPYRIGHT) },
    { "disclaimer", GENERIC_PREFIX, 0, K(COPYRIGHT) },
    { "trademark", GENERIC_PREFIX, 0, K(COPYRIGHT) },

    /* sources */
    { "source", GENERIC_EXACT, 0, K(SOURCES) },

    /* page chrome */
    { "nav", GENERIC_PREFIX, 0, K(CHROME) },
    { "menu", GENERIC_PREFIX, 0, K(CHROME) },
    { "masthead", GENERIC_EXACT, 0, K(CHROME) },
    { "footer", GENERIC_PREFIX, 0, K(CHROME) },
    { "foot", GENERIC_EXACT, 0, K(CHROME) },
    { "sidebar", GENERIC_PREFIX, 0, K(CHROME) },
    { "breadcrumb", GENERIC_PREFIX, 0, K(CHROME) },
    { "crumbs", GENERIC_EXACT, 0, K(CHROME) },
    { "toolbar", GENERIC_EXACT, 0, K(CHROME) },
    { "tools", GENERIC_EXACT, 0, K(CHROME) },
    { "skip", GENERIC_EXACT, 0, K(CHROME) },
    { "visuallyhidden", GENERIC_EXACT, 0, K(CHROME) },
    { "modal", GENERIC_PREFIX, 0, K(CHROME) },
    { "popup", GENERIC_PREFIX, 0, K(CHROME) },
    { "overlay", GENERIC_EXACT, 0, K(CHROME) },
    { "login", GENERIC_EXACT, 0, K(CHROME) },
    { "signin", GENERIC_EXACT, 0, K(CHROME) },
    { "search", GENERIC_PREFIX, 0, K(CHROME) },
    { "pagination", GENERIC_EXACT, 0, K(CHROME) },
    { "pager", GENERIC_EXACT, 0, K(CHROME) },
    { "rail", GENERIC_EXACT, 0, K(CHROME) },
    { "aside", GENERIC_EXACT, 0, K(CHROME) },
    { "combx", GENERIC_EXACT, 0, K(CHROME) },
    { "shoutbox", GENERIC_EXACT, 0, K(CHROME) },
    { "jump", GENERIC_EXACT, 0, K(CHROME) },
};

#undef K

/* Word pairs that name a kind only together ("sr-only", "app-banner"). */
struct generic_hint_pair {
    const char *a, *b;
    unsigned kinds;
};

static const struct generic_hint_pair generic_hint_pairs[] = {
    { "sr", "only", GENERIC_KIND(GENERIC_F_CHROME) },
    { "screen", "reader", GENERIC_KIND(GENERIC_F_CHROME) },
    { "visually", "hidden", GENERIC_KIND(GENERIC_F_CHROME) },
    { "app", "banner", GENERIC_KIND(GENERIC_F_APP_BANNERS) },
    { "app", "promo", GENERIC_KIND(GENERIC_F_APP_BANNERS) },
    { "app", "download", GENERIC_KIND(GENERIC_F_APP_BANNERS) },
    { "app", "store", GENERIC_KIND(GENERIC_F_APP_BANNERS) },
    { "app", "install", GENERIC_KIND(GENERIC_F_APP_BANNERS) },
    { "read", "more", GENERIC_KIND(GENERIC_F_RELATED) },
    { "most", "read", GENERIC_KIND(GENERIC_F_RELATED) },
    { "sign", "up", GENERIC_KIND(GENERIC_F_NEWSLETTERS) },
    { "site", "header", GENERIC_KIND(GENERIC_F_CHROME) },
    { "page", "header", GENERIC_KIND(GENERIC_F_CHROME) },
    { "global", "header", GENERIC_KIND(GENERIC_F_CHROME) },
};

/* generic_hint_parts() gives each part of a pair one bit of a uint32_t. */
_Static_assert(sizeof(generic_hint_pairs) / sizeof(generic_hint_pairs[0]) <= 16,
               "too many class word pairs");

/* The words of one class name, lower case, with their lengths. */
struct generic_words {
    char w[GENERIC_HINT_WORDS][GENERIC_HINT_WORD_MAX];
    uint8_t len[GENERIC_HINT_WORDS];
    size_t n;
};

/* Splits one attribute value into lower-case words. */
static void
generic_hint_split(const char *s, struct generic_words *out)
{
    size_t len = 0;
    char prev = 0;

    out->n = 0;
    for (size_t i = 0; i <= GENERIC_HINT_MAX; i++) {
        char c = i < GENERIC_HINT_MAX ? s[i] : '\0';
        int upper = c >= 'A' && c <= 'Z';
        int alnum = upper || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        /* A camelCase boundary starts a new word. */
        int boundary = upper && prev >= 'a' && prev <= 'z';

        if ((!alnum || boundary) && len > 0) {
            if (len < GENERIC_HINT_WORD_MAX) {
                out->len[out->n] = (uint8_t) len;
                out->w[out->n++][len] = '\0';
            }
            len = 0;
        }
        if (c == '\0' || out->n == GENERIC_HINT_WORDS) {
            break;
        }
        if (alnum) {
            if (len + 1 < GENERIC_HINT_WORD_MAX) {
                out->w[out->n][len] = (char) (upper ? c + 32 : c);
            }
            len++;
        }
        prev = c;
    }
}

/* The bucket of a word's first character, or -1 (words are [a-z0-9]). */
static int
generic_hint_letter(char c)
{
    if (c >= 'a' && c <= 'z') {
        return c - 'a';
    }
    if (c >= '0' && c <= '9') {
        return 26 + (c - '0');
    }
    return -1;
}

/* Files word i of a table under its first character, after those before
 * it, so that a bucket keeps the table's order. */
static int
generic_hint_index_add(struct generic_hint_index *ix, const char *word,
                       size_t i, struct wn_err *err)
{
    int b = generic_hint_letter(word[0]);
    size_t len = strlen(word);
    struct generic_hint_slot *s;

    if (b < 0 || len >= GENERIC_HINT_WORD_MAX || i > UINT8_MAX
        || ix->n[b] == GENERIC_HINT_BUCKET_MAX)
    {
        err->code = WN_EINVAL;
        snprintf(err->msg, sizeof(err->msg),
                 "class word \"%s\" does not fit the index", word);
        return WN_EINVAL;
    }
    s = &ix->slot[b][ix->n[b]++];
    s->entry = (uint8_t) i;
    s->len = (uint8_t) len;
    return 0;
}

int
generic_hint_init(struct generic_state *st, struct wn_err *err)
{
    const size_t nwords =
        sizeof(generic_hint_words) / sizeof(generic_hint_words[0]);
    const size_t npairs =
        sizeof(generic_hint_pairs) / sizeof(generic_hint_pairs[0]);
    int rc = 0;

    memset(&st->hint_words, 0, sizeof(st->hint_words));
    memset(&st->hint_parts, 0, sizeof(st->hint_parts));
    for (size_t i = 0; i < nwords && rc == 0; i++) {
        rc = generic_hint_index_add(&st->hint_words, generic_hint_words[i].word,
                                    i, err);
    }
    /* Part p of the pairs: p / 2 is the pair, p % 2 says a or b. */
    for (size_t p = 0; p < 2 * npairs && rc == 0; p++) {
        const struct generic_hint_pair *pair = &generic_hint_pairs[p / 2];
        rc = generic_hint_index_add(&st->hint_parts,
                                    p % 2 == 0 ? pair->a : pair->b, p, err);
    }
    return rc;
}

/*
 * The first table entry that matches word w (len bytes): equal to it, or
 * a prefix of it.  Only entries with w's first character can match, and a
 * bucket is in table order, so its first match is the table's first match.
 */
static const struct generic_hint_word *
generic_hint_lookup(const struct generic_hint_index *ix, const char *w,
                    size_t len)
{
    int b = generic_hint_letter(w[0]);

    for (size_t k = 0; b >= 0 && k < ix->n[b]; k++) {
        const struct generic_hint_slot *s = &ix->slot[b][k];
        const struct generic_hint_word *e = &generic_hint_words[s->entry];
        int fits = e->match == GENERIC_EXACT ? len == s->len : len >= s->len;
        if (fits && memcmp(w, e->word, s->len) == 0) {
            return e;
        }
    }
    return NULL;
}

/* The pair parts that word w (len bytes) is: bit p for part p. */
static uint32_t
generic_hint_parts(const struct generic_hint_index *ix, const char *w,
                   size_t len)
{
    int b = generic_hint_letter(w[0]);
    uint32_t parts = 0;

    for (size_t k = 0; b >= 0 && k < ix->n[b]; k++) {
        const struct generic_hint_slot *s = &ix->slot[b][k];
        const struct generic_hint_pair *pair =
            &generic_hint_pairs[s->entry / 2];
        const char *part = s->entry % 2 == 0 ? pair->a : pair->b;
        if (len == s->len && memcmp(w, part, len) == 0) {
            parts |= (uint32_t) 1 << s->entry;
        }
    }
    return parts;
}

/* What one class name ("entry-meta") says. */
struct generic_hint_says {
    int pos;        /* strongest content word, GENERIC_HINT_POS or _STRONG */
    int npos;       /* content words */
    int neg;        /* a weight-only negative word */
    unsigned kinds; /* kinds named */
};

static void
generic_hint_name(const struct generic_state *st, const char *name,
                  struct generic_hint_says *out)
{
    struct generic_words ws;
    uint32_t parts = 0;

    memset(out, 0, sizeof(*out));
    generic_hint_split(name, &ws);
    for (size_t i = 0; i < ws.n; i++) {
        const struct generic_hint_word *e =
            generic_hint_lookup(&st->hint_words, ws.w[i], ws.len[i]);
        parts |= generic_hint_parts(&st->hint_parts, ws.w[i], ws.len[i]);
        /* A word glued from several ("articlebodytext") is looked up as
         * it is; its parts are not guessed. */
        if (e == NULL) {
            continue;
        }
        if (e->positive > 0) {
            out->npos++;
            out->pos = e->positive > out->pos ? e->positive : out->pos;
        } else if (e->positive < 0) {
            out->neg = 1;
        }
        out->kinds |= e->kinds;
    }
    /* A pair names its kind when both of its parts are among the words. */
    for (size_t i = 0;
         i < sizeof(generic_hint_pairs) / sizeof(generic_hint_pairs[0]); i++)
    {
        uint32_t both = (uint32_t) 3 << (2 * i);
        if ((parts & both) == both) {
            out->kinds |= generic_hint_pairs[i].kinds;
        }
    }
}

/*
 * Weighs one attribute value: +25 for a content word, -25 for a
 * boilerplate word (Readability's class weight).  A class name made of
 * content words only ("entry", "post-body") marks the element as content.
 */
static void
generic_hint_value(const struct generic_state *st, const char *value,
                   struct generic_hint *out)
{
    char name[GENERIC_HINT_MAX];
    int pos = 0, neg = 0, content = 0, strong = 0;
    unsigned pure = 0, mixed = 0;
    size_t i = 0;

    while (value[i] != '\0' && i < GENERIC_HINT_MAX) {
        struct generic_hint_says says;
        size_t n = 0;

        while (value[i] == ' ' || value[i] == '\t' || value[i] == '\n') {
            i++;
        }
        while (value[i] != '\0' && value[i] != ' ' && value[i] != '\t'
               && value[i] != '\n' && i < GENERIC_HINT_MAX)
        {
            if (n + 1 < sizeof(name)) {
                name[n++] = value[i];
            }
            i++;
        }
        /* "js-social-images": a hook for scripts, not a description. */
        if (n == 0
            || (n > 3 && name[0] == 'j' && name[1] == 's'
                && (name[2] == '-' || name[2] == '_')))
        {
            continue;
        }
        name[n] = '\0';
        generic_hint_name(st, name, &says);
        pos |= says.pos > 0;
        neg |= says.neg;
        if (says.pos > 0) {
            mixed |= says.kinds;
            if (says.kinds == 0 && !says.neg) {
                content = 1;
                strong |= says.pos == GENERIC_HINT_STRONG || says.npos >= 2;
            }
        } else {
            pure |= says.kinds;
        }
    }
    /*
     * Beside a class of content words, a class that mixes content words
     * with a kind is taxonomy ("entry-category-twitter", "entry-author-x"
     * on a Typepad post), not a kind of its own.
     */
    if (content) {
        mixed = 0;
    }
    out->weight += (pos ? 25 : 0) - ((pure | mixed) != 0 || neg ? 25 : 0);
    out->content |= content;
    out->strong |= strong;
    out->kinds |= pure | mixed;
}

/* The attributes a hint reads; NULL when absent, as generic_attr() says. */
struct generic_hint_attrs {
    const char *cls, *id, *role, *itemprop, *rel;
};

/*
 * Finds the five attributes in one pass over the element's attributes
 * (the first of each name wins, as in generic_attr()): the element walk
 * reads them for every element, most of which have one or two attributes.
 */
static void
generic_hint_attrs(xmlNodePtr node, struct generic_hint_attrs *at)
{
    memset(at, 0, sizeof(*at));
    for (xmlAttrPtr a = node->properties; a != NULL; a = a->next) {
        const char *name = (const char *) a->name;
        const char **slot = NULL;

        if (name == NULL) {
            continue;
        }
        switch (name[0]) {
        case 'c':
        case 'C':
            slot = strcasecmp(name, "class") == 0 ? &at->cls : NULL;
            break;
        case 'i':
        case 'I':
            slot = strcasecmp(name, "id") == 0         ? &at->id
                   : strcasecmp(name, "itemprop") == 0 ? &at->itemprop
                                                       : NULL;
            break;
        case 'r':
        case 'R':
            slot = strcasecmp(name, "role") == 0  ? &at->role
                   : strcasecmp(name, "rel") == 0 ? &at->rel
                                                  : NULL;
            break;
        default:
            break;
        }
        if (slot != NULL && *slot == NULL) {
            *slot = generic_attr_value(a);
        }
    }
}

/*
 * What class value v says, from the memo when an element before had the
 * same value: pages repeat their class values ("menu-item
 * menu-item-type-post_type" on every item of a menu), and reading one
 * costs a split and a lookup per word.  Only the first GENERIC_HINT_MAX
 * bytes count, as in generic_hint_value().
 */
static void
generic_hint_class(const struct generic_state *st, struct generic_hint_memo *m,
                   const char *v, struct generic_hint *out)
{
    uint32_t h = 2166136261u;
    size_t len = 0, i;
    struct generic_hint_memo_slot *s = NULL;

    while (len < GENERIC_HINT_MAX && v[len] != '\0') {
        h = (h ^ (unsigned char) v[len++]) * 16777619u;
    }
    for (i = h % GENERIC_HINT_MEMO; m->slot[i].value != NULL;
         i = (i + 1) % GENERIC_HINT_MEMO)
    {
        s = &m->slot[i];
        if (s->hash == h && s->len == len && memcmp(s->value, v, len) == 0) {
            break;
        }
        s = NULL;
    }
    if (s == NULL) {
        struct generic_hint add;
        memset(&add, 0, sizeof(add));
        generic_hint_value(st, v, &add);
        /* A full memo only stops remembering: one slot stays empty. */
        if (m->n + 1 < GENERIC_HINT_MEMO) {
            s = &m->slot[i];
            s->value = v;
            s->hash = h;
            s->len = (uint32_t) len;
            s->add = add;
            m->n++;
        }
        out->weight += add.weight;
        out->content |= add.content;
        out->strong |= add.strong;
        out->kinds |= add.kinds;
        return;
    }
    out->weight += s->add.weight;
    out->content |= s->add.content;
    out->strong |= s->add.strong;
    out->kinds |= s->add.kinds;
}

void
generic_hint_of(const struct generic_state *st, struct generic_hint_memo *memo,
                xmlNodePtr node, struct generic_hint *out)
{
    struct generic_hint_attrs at;
    const char *v;

    memset(out, 0, sizeof(*out));
    if (node == NULL || node->type != XML_ELEMENT_NODE) {
        return;
    }
    generic_hint_attrs(node, &at);
    if ((v = at.cls) != NULL && *v) {
        if (memo != NULL) {
            generic_hint_class(st, memo, v, out);
        } else {
            generic_hint_value(st, v, out);
        }
    }
    if ((v = at.id) != NULL && *v) {
        generic_hint_value(st, v, out);
    }
    if ((v = at.role) != NULL) {
        static const char *const chrome_roles[] = {
            "navigation", "banner",  "contentinfo", "complementary",
            "search",     "menubar", "menu",        "toolbar",
        };
        for (size_t i = 0; i < sizeof(chrome_roles) / sizeof(chrome_roles[0]);
             i++) {
            if (strcasecmp(v, chrome_roles[i]) == 0) {
                out->kinds |= GENERIC_KIND(GENERIC_F_CHROME);
                out->weight -= 25;
            }
        }
        if (strcasecmp(v, "main") == 0 || strcasecmp(v, "article") == 0) {
            out->weight += 25;
        }
    }
    if ((v = at.itemprop) != NULL) {
        out->body = strcasecmp(v, "articleBody") == 0;
        if (out->body || strcasecmp(v, "text") == 0) {
            out->content = 1;
            out->strong = 1;
            out->weight += 50;
        } else if (strcasecmp(v, "author") == 0) {
            out->kinds |= GENERIC_KIND(GENERIC_F_BYLINES);
        } else if (strcasecmp(v, "datePublished") == 0
                   || strcasecmp(v, "dateModified") == 0)
        {
            out->kinds |= GENERIC_KIND(GENERIC_F_DATELINES);
        } else if (strcasecmp(v, "keywords") == 0) {
            out->kinds |= GENERIC_KIND(GENERIC_F_TAGS);
        }
    }
    if ((v = at.rel) != NULL) {
        if (strcasecmp(v, "author") == 0) {
            out->kinds |= GENERIC_KIND(GENERIC_F_BYLINES);
        } else if (strcasecmp(v, "tag") == 0) {
            out->kinds |= GENERIC_KIND(GENERIC_F_TAGS);
        }
    }
}
