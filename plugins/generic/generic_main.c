/*
 * generic_main.c: chooses the main content of a page by scoring, after
 * Readability: every paragraph gives points (one, one per comma, one per
 * hundred characters up to three) to its parent, half to its grandparent
 * and less further up; class and id words add or take away; link density
 * scales the result down.  The best element may then be widened: to an
 * ancestor that holds several near-best candidates, to a parent that
 * scores higher, to the parent whose other children look like more of the
 * article (Readability's sibling test), and to the container that also
 * holds the standfirst.  The children of the widened node that do not look
 * like content are queued for removal (r->prune) so that the in-main
 * filters can name what they recognise first.
 *
 * It decides where the article is; what inside it is boilerplate is
 * generic_chrome.c's and generic_filter.c's business.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "generic.h"

#define GENERIC_MAIN_LEVELS      5  /* ancestors a paragraph gives points to */
#define GENERIC_MAIN_MIN_CHARS   25 /* shorter blocks give no points */
#define GENERIC_MAIN_TOP         5  /* candidates kept for the ancestor test */
#define GENERIC_MAIN_NEAR        0.75 /* "near-best" share of the top score */
#define GENERIC_MAIN_HOLDERS     3 /* near-best candidates an ancestor needs */
#define GENERIC_MAIN_LD_BONUS    50.0 /* for the JSON-LD articleBody's element */
#define GENERIC_MAIN_KEY_MAX     4096 /* bytes of a block's key compared */
#define GENERIC_MAIN_LD_LEAF     40   /* characters of a leaf matched to it */
#define GENERIC_MAIN_LD_PREFIX   60   /* key bytes of a leaf looked for */
#define GENERIC_MAIN_LD_LEAVES   2000 /* leaves matched at most */
#define GENERIC_MAIN_LIFT_LEVELS 4    /* how far up the standfirst may pull */
#define GENERIC_MAIN_LIFT_CHARS  2000 /* text the lift may add beyond ... */
#define GENERIC_MAIN_LIFT_RATIO  2    /* ... this many times the top's */

/* Readability's starting score of a candidate, by tag and hints. */
static double
generic_main_base(const struct generic_el *e)
{
    static const struct {
        const char *tag;
        int score;
    } tags[] = {
        { "div", 5 },        { "article", 5 },  { "pre", 3 }, { "td", 3 },
        { "blockquote", 3 }, { "address", -3 }, { "ol", -3 }, { "ul", -3 },
        { "dl", -3 },        { "dd", -3 },      { "dt", -3 }, { "li", -3 },
        { "form", -3 },      { "th", -5 },      { "h1", -5 }, { "h2", -5 },
        { "h3", -5 },        { "h4", -5 },      { "h5", -5 }, { "h6", -5 },
    };
    double score = 0;

    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
        if (strcmp((const char *) e->node->name, tags[i].tag) == 0) {
            score = tags[i].score;
            break;
        }
    }
    return score + e->hint.weight;
}

static double
generic_main_final(const struct generic_el *e)
{
    double ld = e->chars > 0 ? (double) e->link_chars / (double) e->chars : 0;

    return e->score * (1.0 - ld);
}

static int
generic_main_is_ancestor(const struct generic_tree *t, int a, int i)
{
    for (; i >= 0; i = t->v[i].parent) {
        if (i == a) {
            return 1;
        }
    }
    return 0;
}

static int
generic_main_lca(const struct generic_tree *t, int a, int b)
{
    while (a >= 0 && !generic_main_is_ancestor(t, a, b)) {
        a = t->v[a].parent;
    }
    return a;
}

/*
 * The element holding the JSON-LD articleBody: the common ancestor of the
 * first and last blocks whose text the articleBody contains.  -1 if none.
 */
static int
generic_main_ld_element(struct generic_run *r, const struct generic_tree *t)
{
    char *body, *key;
    int first = -1, last = -1, matched = 0, tried = 0;
    size_t cap;

    if (r->ld_body == NULL) {
        return -1;
    }
    cap = strlen(r->ld_body) + 1;
    body = malloc(cap);
    key = malloc(GENERIC_MAIN_KEY_MAX);
    if (body == NULL || key == NULL) {
        free(body);
        free(key);
        return -1;
    }
    generic_key(r->ld_body, body, cap);
    for (size_t i = 1; i < t->n && tried < GENERIC_MAIN_LD_LEAVES; i++) {
        const struct generic_el *e = &t->v[i];
        const char *text;
        if (!e->leaf || e->chars < GENERIC_MAIN_LD_LEAF) {
            continue;
        }
        if (++tried % 256 == 0 && generic_stop(r)) {
            break;
        }
        text = r->h->node_text(r->call, e->node);
        if (text == NULL
            || generic_key(text, key, GENERIC_MAIN_KEY_MAX)
                   < GENERIC_MAIN_LD_PREFIX)
        {
            continue;
        }
        /* A prefix: the articleBody may cut or reflow the page's text. */
        key[GENERIC_MAIN_LD_PREFIX] = '\0';
        if (strstr(body, key) != NULL) {
            if (first < 0) {
                first = (int) i;
            }
            last = (int) i;
            matched++;
        }
    }
    free(body);
    free(key);
    if (matched < 2) {
        return -1;
    }
    return generic_main_lca(t, first, last);
}

/* Scores every candidate; returns the best one or -1. */
static int
generic_main_score(struct generic_run *r, struct generic_tree *t, int ld_el)
{
    int best = -1;

    for (size_t i = 1; i < t->n; i++) {
        struct generic_el *e = &t->v[i];
        double s;
        int a = e->parent;

        if (!e->leaf || e->heading || e->chars < GENERIC_MAIN_MIN_CHARS) {
            continue;
        }
        s = 1.0 + e->commas + fmin(floor(e->chars / 100.0), 3.0);
        for (int level = 0; a >= 0 && level < GENERIC_MAIN_LEVELS; level++) {
            struct generic_el *p = &t->v[a];
            double div = level == 0 ? 1.0 : level == 1 ? 2.0 : level * 3.0;
            if (!p->scored) {
                p->score = generic_main_base(p);
                if (a == ld_el) {
                    p->score += GENERIC_MAIN_LD_BONUS;
                }
                p->scored = 1;
            }
            p->score += s / div;
            a = p->parent;
        }
        if ((i & 1023) == 0 && generic_stop(r)) {
            return -1;
        }
    }
    for (size_t i = 0; i < t->n; i++) {
        if (t->v[i].scored
            && (best < 0
                || generic_main_final(&t->v[i])
                       > generic_main_final(&t->v[best])))
        {
            best = (int) i;
        }
    }
    return best;
}

static void
generic_main_init(struct generic_tree *t, int i)
{
    if (!t->v[i].scored) {
        t->v[i].score = generic_main_base(&t->v[i]);
        t->v[i].scored = 1;
    }
}

/* Readability: an ancestor holding three near-best candidates wins. */
static int
generic_main_holders(struct generic_tree *t, int top)
{
    int alt[GENERIC_MAIN_TOP];
    size_t nalt = 0;
    double top_score = generic_main_final(&t->v[top]);

    for (size_t i = 0; i < t->n; i++) {
        double s;
        if (!t->v[i].scored || (int) i == top) {
            continue;
        }
        s = generic_main_final(&t->v[i]);
        if (s < GENERIC_MAIN_NEAR * top_score) {
            continue;
        }
        if (nalt < GENERIC_MAIN_TOP) {
            alt[nalt++] = (int) i;
        } else {
            size_t worst = 0;
            for (size_t k = 1; k < nalt; k++) {
                if (generic_main_final(&t->v[alt[k]])
                    < generic_main_final(&t->v[alt[worst]])) {
                    worst = k;
                }
            }
            if (s > generic_main_final(&t->v[alt[worst]])) {
                alt[worst] = (int) i;
            }
        }
    }
    if (nalt < GENERIC_MAIN_HOLDERS) {
        return top;
    }
    for (int p = t->v[top].parent; p > 0; p = t->v[p].parent) {
        size_t holding = 0;
        for (size_t k = 0; k < nalt; k++) {
            holding += generic_main_is_ancestor(t, p, alt[k]) && alt[k] != p;
        }
        if (holding >= GENERIC_MAIN_HOLDERS) {
            generic_main_init(t, p);
            return p;
        }
    }
    return top;
}

/* Readability: climb while a parent scores higher than the child. */
static int
generic_main_climb(struct generic_tree *t, int top)
{
    double last = generic_main_final(&t->v[top]), threshold = last / 3;

    for (int p = t->v[top].parent; p > 0; p = t->v[p].parent) {
        double s;
        if (!t->v[p].scored) {
            continue;
        }
        s = generic_main_final(&t->v[p]);
        if (s < threshold) {
            break;
        }
        if (s > last) {
            return p;
        }
        last = s;
    }
    return top;
}

static size_t
generic_main_element_children(xmlNodePtr n)
{
    size_t count = 0;

    for (xmlNodePtr c = n->children; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && !generic_is_skipped_tag(c->name)) {
            count++;
        }
    }
    return count;
}

static int
generic_main_sentence(const char *s)
{
    const char *p = strchr(s, '.');

    for (; p != NULL; p = strchr(p + 1, '.')) {
        if (p[1] == ' ' || p[1] == '\0') {
            return 1;
        }
    }
    return 0;
}

/* Readability's sibling test: does sibling s belong with the top? */
static int
generic_main_sibling(struct generic_run *r, const struct generic_tree *t,
                     int top, int s)
{
    const struct generic_el *e = &t->v[s];
    double top_score = generic_main_final(&t->v[top]);
    double threshold = fmax(10.0, top_score * 0.2), bonus = 0;
    const char *ct = generic_attr(t->v[top].node, "class");
    const char *cs = generic_attr(e->node, "class");

    if (ct != NULL && *ct && cs != NULL && strcmp(ct, cs) == 0) {
        bonus = top_score * 0.2;
    }
    if (e->scored && generic_main_final(e) + bonus >= threshold) {
        return 1;
    }
    if (generic_name_is(e->node, "p") && e->chars > 0) {
        double ld = (double) e->link_chars / (double) e->chars;
        if (e->chars > 80 && ld < 0.25) {
            return 1;
        }
        if (e->chars < 80 && e->link_chars == 0) {
            const char *text = r->h->node_text(r->call, e->node);
            return text != NULL && generic_main_sentence(text);
        }
    }
    return 0;
}

/* Class words of a standfirst. */
static int
generic_main_standfirst_class(xmlNodePtr n)
{
    static const char *const words[] = {
        "standfirst", "subhead",   "subheading",  "subtitle", "dek",
        "deck",       "summary",   "lede",        "lead",     "intro",
        "excerpt",    "strapline", "description", "sapo",     "abstract",
    };
    const char *cls = generic_attr(n, "class");
    char buf[GENERIC_HINT_MAX];
    size_t len = 0;

    if (cls == NULL) {
        return 0;
    }
    /* Lower case, punctuation to spaces: " article sub title " */
    buf[len++] = ' ';
    for (; *cls && len + 2 < sizeof(buf); cls++) {
        char c = *cls;
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9');
        buf[len++] = alnum ? (char) (c >= 'A' && c <= 'Z' ? c + 32 : c) : ' ';
    }
    buf[len++] = ' ';
    buf[len] = '\0';
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        char w[32];
        snprintf(w, sizeof(w), " %s ", words[i]);
        if (strstr(buf, w) != NULL) {
            return 1;
        }
    }
    return 0;
}

/* Is leaf i the standfirst: the description, or marked as one? */
static int
generic_main_is_standfirst(struct generic_run *r, const struct generic_tree *t,
                           int i, const char *desc_key)
{
    const struct generic_el *e = &t->v[i];
    const char *text;
    char key[1024];
    size_t n, words;

    if (generic_name_is(e->node, "h1") || e->link_chars * 2 > e->chars) {
        return 0;
    }
    text = r->h->node_text(r->call, e->node);
    if (text == NULL || (words = generic_words(text)) < 5 || words > 80) {
        return 0;
    }
    if (generic_main_standfirst_class(e->node)
        || (e->parent >= 0
            && generic_main_standfirst_class(t->v[e->parent].node)))
    {
        return 1;
    }
    if (desc_key == NULL || desc_key[0] == '\0') {
        return 0;
    }
    n = generic_key(text, key, sizeof(key));
    if (n < 20) {
        return 0;
    }
    /* The description is the standfirst, whole or cut short. */
    return strncmp(key, desc_key, n) == 0
           || (strlen(desc_key) >= 20
               && strncmp(key, desc_key, strlen(desc_key)) == 0);
}

/*
 * The standfirst before the top candidate: the closest leaf before it that
 * is the page's description or is marked as a standfirst, searched no
 * further than GENERIC_MAIN_LIFT_LEVELS above the top.  Returns the leaf's
 * index and sets *lca to the common ancestor, or returns -1.
 */
static int
generic_main_standfirst(struct generic_run *r, const struct generic_tree *t,
                        int top, int *lca)
{
    char desc[1024] = "";
    unsigned floor_depth = t->v[top].depth > GENERIC_MAIN_LIFT_LEVELS
                               ? t->v[top].depth - GENERIC_MAIN_LIFT_LEVELS
                               : 1;

    if (r->description != NULL) {
        generic_key(r->description, desc, sizeof(desc));
    }
    for (int i = top - 1; i > 0; i--) {
        const struct generic_el *e = &t->v[i];
        int a;
        if (!e->leaf || e->chars < 25 || e->chars > 800
            || generic_main_is_ancestor(t, i, top))
        {
            continue;
        }
        a = generic_main_lca(t, i, top);
        if (a <= 0 || t->v[a].depth < floor_depth) {
            return -1;
        }
        if (generic_main_is_standfirst(r, t, i, desc)) {
            *lca = a;
            return i;
        }
    }
    return -1;
}

/* Queues node for removal after the in-main filters had their look. */
static void
generic_main_prune(struct generic_run *r, xmlNodePtr n)
{
    if (r->nprune < GENERIC_PRUNE_MAX) {
        r->prune[r->nprune++] = n;
    }
}

/*
 * Queues the children of `main` that neither hold the kept nodes nor pass
 * the sibling test.  Headings stay: they are subheadings or the headline,
 * which the title filter takes.
 */
static void
generic_main_siblings(struct generic_run *r, const struct generic_tree *t,
                      int main, int top, int keep)
{
    for (size_t i = (size_t) main + 1;
         i < t->n && t->v[i].depth > t->v[main].depth; i++)
    {
        const struct generic_el *e = &t->v[i];
        if (e->parent != main || e->heading) {
            continue;
        }
        if (generic_main_is_ancestor(t, (int) i, top)
            || (keep >= 0 && generic_main_is_ancestor(t, (int) i, keep))
            || generic_main_sibling(r, t, top, (int) i))
        {
            continue;
        }
        generic_main_prune(r, e->node);
    }
}

/* Does any other child of top's parent pass the sibling test? */
static int
generic_main_has_siblings(struct generic_run *r, const struct generic_tree *t,
                          int top)
{
    int parent = t->v[top].parent;

    for (size_t i = (size_t) parent + 1;
         i < t->n && t->v[i].depth > t->v[parent].depth; i++)
    {
        if (t->v[i].parent == parent && (int) i != top && !t->v[i].heading
            && generic_main_sibling(r, t, top, (int) i))
        {
            return 1;
        }
    }
    return 0;
}

int
generic_main_choose(struct generic_run *r)
{
    struct generic_tree t;
    xmlNodePtr body = generic_body(r->xml);
    int top, main, ld_el, rc, sf, lca = -1, widened = 0;
    char why[160];

    r->tree_main = -1;
    if (body == NULL) {
        return 0;
    }
    /* The page sweep's tree when it is the body's, else a new one. */
    if (r->tree.n > 0 && r->tree.v[0].node == body) {
        t = r->tree;
        memset(&r->tree, 0, sizeof(r->tree));
    } else {
        generic_tree_free(&r->tree);
        rc = generic_tree_build(r, body, &t);
        if (rc != 0) {
            return rc;
        }
    }
    ld_el = generic_main_ld_element(r, &t);
    top = generic_main_score(r, &t, ld_el);
    if (top <= 0) {
        /* No paragraph anywhere, or only in <body> itself: the page's own
         * <article> or <main> if it has one, else <body> (main stays NULL). */
        generic_tree_free(&t);
        rc = r->h->select_main(r->call, r->doc, "(//article|//main)[1]");
        return rc == WN_EDECLINED ? 0 : rc;
    }
    top = generic_main_holders(&t, top);
    top = generic_main_climb(&t, top);
    /* An only child says nothing its parent does not. */
    while (t.v[top].parent > 0
           && generic_main_element_children(t.v[t.v[top].parent].node) == 1)
    {
        top = t.v[top].parent;
    }

    main = top;
    if (t.v[top].parent > 0 && generic_main_has_siblings(r, &t, top)) {
        main = t.v[top].parent;
        widened = 1;
    }
    sf = generic_main_standfirst(r, &t, top, &lca);
    if (sf > 0 && !generic_main_is_ancestor(&t, main, sf)
        && t.v[lca].chars <= t.v[top].chars * GENERIC_MAIN_LIFT_RATIO
                                 + GENERIC_MAIN_LIFT_CHARS)
    {
        main = lca;
        widened = 1;
    }
    if (widened) {
        generic_main_siblings(r, &t, main, top, sf);
    }
    snprintf(why, sizeof(why), "generic: <%s> scoring %.1f%s",
             (const char *) t.v[main].node->name, generic_main_final(&t.v[top]),
             widened ? ", widened" : "");
    rc = r->h->set_main(r->call, r->doc, t.v[main].node, why);
    /* Kept for the sweep inside the main node. */
    r->tree = t;
    r->tree_main = main;
    return rc;
}
