/*
 * generic_chrome.c: removal of whole containers by markup: page chrome
 * (nav, aside, footer, page header, forms, hidden elements, dialogs),
 * containers whose class, id or role names a boilerplate kind (share bars,
 * comment sections, newsletter boxes, consent banners, bylines...),
 * figures, and link lists.  It runs over the whole page before scoring and
 * again over the main content once chosen.  Text patterns are
 * generic_filter.c's business.
 *
 * One guard covers every rule here: a container that holds the headline,
 * the microdata article body, or a large part of the paragraphs below the
 * sweep's root is never removed, whatever its class says, so that a
 * mislabelled wrapper ("article-body share-enabled") cannot take the
 * article with it.
 */
#include <string.h>
#include <strings.h>

#include "generic.h"

/* Share of the root's paragraph text above which a container is kept. */
#define GENERIC_CHROME_KEEP_SHARE 0.35

/* Largest text (characters, paragraphs of 25 words or more) of a container
 * removed for a narrow kind: a "date" wrapper with 2000 characters is not a
 * dateline, and a "caption" with two paragraphs is the article's text. */
static const struct {
    int filter;
    uint32_t max_chars, max_paras;
} generic_chrome_caps[] = {
    { GENERIC_F_DATELINES, 200, 0 }, { GENERIC_F_BYLINES, 1000, 2 },
    { GENERIC_F_TAGS, 800, 0 },      { GENERIC_F_CAPTIONS, 600, 1 },
    { GENERIC_F_SOURCES, 300, 0 },   { GENERIC_F_COPYRIGHT, 1000, 2 },
};

/* Which filter a container's kinds name, most specific first. */
static const int generic_chrome_order[] = {
    GENERIC_F_COMMENTS,    GENERIC_F_CONSENT,   GENERIC_F_APP_BANNERS,
    GENERIC_F_NEWSLETTERS, GENERIC_F_SHARE,     GENERIC_F_RELATED,
    GENERIC_F_ADS,         GENERIC_F_TAGS,      GENERIC_F_BYLINES,
    GENERIC_F_CAPTIONS,    GENERIC_F_DATELINES, GENERIC_F_COPYRIGHT,
    GENERIC_F_SOURCES,     GENERIC_F_CHROME,
};

/*
 * Does kind f, named by e's own class or id, make e removable?  Narrow
 * kinds (a byline, a date, a caption...) name small things: not a large
 * container, and not an element that also carries a class of content words
 * only, as WordPress's "post hentry tag-travel author-jane" does.  A
 * structural kind (widget, sidebar) never takes a subtree that holds
 * content-classed elements: Blogger wraps its posts in "widget Blog".
 */
static int
generic_chrome_kind_applies(const struct generic_el *e, int f)
{
    for (size_t c = 0;
         c < sizeof(generic_chrome_caps) / sizeof(generic_chrome_caps[0]); c++)
    {
        if (generic_chrome_caps[c].filter == f) {
            return !e->hint.content
                   && e->chars <= generic_chrome_caps[c].max_chars
                   && e->paras <= generic_chrome_caps[c].max_paras;
        }
    }
    if (f == GENERIC_F_CHROME) {
        return !(e->marks & GENERIC_EL_CONTENT);
    }
    return 1;
}

/* Is the element hidden from readers (attribute or inline style)? */
static int
generic_chrome_hidden(xmlNodePtr n)
{
    const char *v;
    char style[256];
    size_t len = 0;

    if (generic_attr(n, "hidden") != NULL) {
        return 1;
    }
    v = generic_attr(n, "aria-hidden");
    if (v != NULL && strcasecmp(v, "true") == 0) {
        return 1;
    }
    v = generic_attr(n, "style");
    if (v == NULL) {
        return 0;
    }
    /* Compare without white space: "display : none". */
    for (; *v && len + 1 < sizeof(style); v++) {
        if (*v != ' ' && *v != '\t' && *v != '\n' && *v != '\r') {
            style[len++] = (char) (*v >= 'A' && *v <= 'Z' ? *v + 32 : *v);
        }
    }
    style[len] = '\0';
    return strstr(style, "display:none") != NULL
           || strstr(style, "visibility:hidden") != NULL;
}

/* Is n inside an <article> or <main> below `stop`? */
static int
generic_chrome_in_article(xmlNodePtr n, xmlNodePtr stop)
{
    for (n = n->parent; n != NULL && n != stop; n = n->parent) {
        if (generic_name_is(n, "article") || generic_name_is(n, "main")) {
            return 1;
        }
    }
    return 0;
}

/* The filter that removes container e, or -1 to keep it. */
static int
generic_chrome_rule(const struct generic_tree *t, size_t i, int in_main)
{
    const struct generic_el *e = &t->v[i];
    xmlNodePtr n = e->node;
    const char *name = (const char *) n->name;

    if (generic_chrome_hidden(n)) {
        return GENERIC_F_CHROME;
    }
    if (strcmp(name, "nav") == 0 || strcmp(name, "aside") == 0
        || strcmp(name, "footer") == 0 || strcmp(name, "dialog") == 0
        || strcmp(name, "menu") == 0)
    {
        return GENERIC_F_CHROME;
    }
    if (strcmp(name, "header") == 0 && !in_main
        && !generic_chrome_in_article(n, t->v[0].node))
    {
        return GENERIC_F_CHROME;
    }
    if (strcmp(name, "form") == 0 && e->paras == 0) {
        if (e->hint.kinds & GENERIC_KIND(GENERIC_F_NEWSLETTERS)) {
            return GENERIC_F_NEWSLETTERS;
        }
        if (e->hint.kinds & GENERIC_KIND(GENERIC_F_COMMENTS)) {
            return GENERIC_F_COMMENTS;
        }
        return GENERIC_F_CHROME;
    }
    if (strcmp(name, "figure") == 0 && e->paras < 2) {
        return GENERIC_F_CAPTIONS;
    }
    if (!e->block) {
        return -1;
    }
    if (e->hint.kinds != 0) {
        for (size_t k = 0;
             k < sizeof(generic_chrome_order) / sizeof(generic_chrome_order[0]);
             k++)
        {
            int f = generic_chrome_order[k];
            if ((e->hint.kinds & GENERIC_KIND(f))
                && generic_chrome_kind_applies(e, f)) {
                return f;
            }
        }
    }
    /* A list or box of links with little else: related stories, a menu. */
    if (in_main && e->links >= 3 && e->paras == 0
        && e->link_chars * 10 >= e->chars * 6 && e->chars - e->link_chars < 150
        && (strcmp(name, "ul") == 0 || strcmp(name, "ol") == 0
            || strcmp(name, "dl") == 0 || strcmp(name, "div") == 0
            || strcmp(name, "section") == 0 || strcmp(name, "table") == 0))
    {
        return GENERIC_F_RELATED;
    }
    return -1;
}

/*
 * Never removed: the headline, the microdata body, most of the text.  A
 * comment section is the exception to the last: it is often longer than
 * the article it follows.
 */
static int
generic_chrome_protected(const struct generic_tree *t, size_t i, int f)
{
    const struct generic_el *e = &t->v[i], *root = &t->v[0];

    if (e->marks & (GENERIC_EL_H1 | GENERIC_EL_BODY)) {
        return 1;
    }
    if (f == GENERIC_F_COMMENTS) {
        return 0;
    }
    return e->paras >= 2
           && (double) e->para_chars
                  >= GENERIC_CHROME_KEEP_SHARE * (double) root->para_chars;
}

/*
 * Removes the containers of tree t that a rule names, outermost first, and
 * marks them removed in t.  `in_main` is set for the sweep inside the
 * chosen main content, where headers stay (they hold the standfirst) and
 * link lists go.  Returns the number removed.
 */
int
generic_chrome_sweep(struct generic_run *r, struct generic_tree *t, int in_main)
{
    unsigned skip_depth = 0;
    int count = 0;

    for (size_t i = 1; i < t->n; i++) {
        struct generic_el *e = &t->v[i];
        int f;

        if (skip_depth != 0) {
            if (e->depth > skip_depth) {
                continue;
            }
            skip_depth = 0;
        }
        if ((i & 255) == 0 && generic_stop(r)) {
            break;
        }
        f = generic_chrome_rule(t, i, in_main);
        if (f < 0 || !generic_enabled(r, f)
            || generic_chrome_protected(t, i, f)) {
            continue;
        }
        if (generic_remove(r, e->node, f) == 0) {
            e->removed = 1;
            count++;
            skip_depth = e->depth;
        }
    }
    return count;
}

int
generic_chrome_remove(struct generic_run *r)
{
    xmlNodePtr body = generic_body(r->xml);
    int rc, count;

    generic_tree_free(&r->tree);
    if (body == NULL) {
        return 0;
    }
    rc = generic_tree_build(r, body, &r->tree);
    if (rc != 0) {
        return rc;
    }
    count = generic_chrome_sweep(r, &r->tree, 0);
    /* The scoring reads the same tree less what went. */
    rc = count > 0 ? generic_tree_prune(&r->tree) : 0;
    if (rc != 0) {
        generic_tree_free(&r->tree);
        return rc;
    }
    return count;
}
