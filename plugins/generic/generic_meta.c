/*
 * generic_meta.c: the article's metadata as the page states it: headline,
 * author, published and updated times, site name, language, canonical URL,
 * description and tags, read from <meta> and <link> elements, JSON-LD
 * (schema.org Article and its kinds), microdata and the visible headline.
 * A value an earlier plugin already set is never overwritten.  It removes
 * nothing from the page.
 */
#include <jansson.h>
#include <libxml/uri.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "generic.h"

#define GENERIC_LD_SCRIPTS_MAX 16         /* JSON-LD scripts read per page */
#define GENERIC_LD_BYTES_MAX   (1u << 20) /* bytes of one JSON-LD script */
#define GENERIC_LD_DEPTH_MAX   6          /* nesting searched for an Article */
#define GENERIC_LD_BODY_MAX    (256u << 10) /* bytes of articleBody kept */
#define GENERIC_META_H1_MAX    8            /* <h1> elements looked at */
#define GENERIC_META_VALUE_MAX 1024         /* bytes of one metadata value */
#define GENERIC_META_TAG_MAX   80           /* bytes of one tag */

enum generic_slot {
    GENERIC_M_OG_TITLE = 0,
    GENERIC_M_TW_TITLE,
    GENERIC_M_SITE,
    GENERIC_M_APP_NAME,
    GENERIC_M_OG_DESC,
    GENERIC_M_DESC,
    GENERIC_M_TW_DESC,
    GENERIC_M_AUTHOR,
    GENERIC_M_ARTICLE_AUTHOR,
    GENERIC_M_PUBLISHED,
    GENERIC_M_DATE,
    GENERIC_M_MODIFIED,
    GENERIC_M_KEYWORDS,
    GENERIC_M_NEWS_KEYWORDS,
    GENERIC_M_LANG,
    GENERIC_M_LOCALE,
    GENERIC_M_OG_URL,
    GENERIC_M_COUNT
};

/* <meta name|property|itemprop=KEY content=...> to a slot. */
static const struct {
    const char *key;
    int slot;
} generic_meta_keys[] = {
    { "og:title", GENERIC_M_OG_TITLE },
    { "twitter:title", GENERIC_M_TW_TITLE },
    { "og:site_name", GENERIC_M_SITE },
    { "application-name", GENERIC_M_APP_NAME },
    { "og:description", GENERIC_M_OG_DESC },
    { "description", GENERIC_M_DESC },
    { "twitter:description", GENERIC_M_TW_DESC },
    { "author", GENERIC_M_AUTHOR },
    { "byl", GENERIC_M_AUTHOR },
    { "dc.creator", GENERIC_M_AUTHOR },
    { "sailthru.author", GENERIC_M_AUTHOR },
    { "parsely-author", GENERIC_M_AUTHOR },
    { "article:author", GENERIC_M_ARTICLE_AUTHOR },
    { "article:published_time", GENERIC_M_PUBLISHED },
    { "article:published", GENERIC_M_PUBLISHED },
    { "og:published_time", GENERIC_M_PUBLISHED },
    { "datepublished", GENERIC_M_PUBLISHED },
    { "date", GENERIC_M_DATE },
    { "pubdate", GENERIC_M_DATE },
    { "publishdate", GENERIC_M_DATE },
    { "publish-date", GENERIC_M_DATE },
    { "publish_date", GENERIC_M_DATE },
    { "dc.date", GENERIC_M_DATE },
    { "dc.date.issued", GENERIC_M_DATE },
    { "dcterms.created", GENERIC_M_DATE },
    { "dcterms.date", GENERIC_M_DATE },
    { "sailthru.date", GENERIC_M_DATE },
    { "parsely-pub-date", GENERIC_M_DATE },
    { "article.published", GENERIC_M_DATE },
    { "originalpublicationdate", GENERIC_M_DATE },
    { "article:modified_time", GENERIC_M_MODIFIED },
    { "og:updated_time", GENERIC_M_MODIFIED },
    { "datemodified", GENERIC_M_MODIFIED },
    { "dcterms.modified", GENERIC_M_MODIFIED },
    { "last-modified", GENERIC_M_MODIFIED },
    { "keywords", GENERIC_M_KEYWORDS },
    { "news_keywords", GENERIC_M_NEWS_KEYWORDS },
    { "content-language", GENERIC_M_LANG },
    { "og:locale", GENERIC_M_LOCALE },
    { "og:url", GENERIC_M_OG_URL },
};

/* What the walk over the page found; strings borrow from the tree. */
struct generic_found {
    const char *slot[GENERIC_M_COUNT];
    const char *html_lang;
    const char *canonical;
    xmlNodePtr title_el;
    xmlNodePtr h1[GENERIC_META_H1_MAX];
    size_t nh1;
    xmlNodePtr ld[GENERIC_LD_SCRIPTS_MAX];
    size_t nld;
    xmlNodePtr time_el;     /* first <time datetime> */
    xmlNodePtr item_pub;    /* itemprop=datePublished */
    xmlNodePtr item_mod;    /* itemprop=dateModified */
    xmlNodePtr item_author; /* itemprop=author or rel=author */
};

/* What JSON-LD said; arena strings. */
struct generic_ld {
    const char *headline, *published, *modified, *author, *publisher;
    const char *keywords, *body, *description, *lang;
    int found;
};

static const char *
generic_meta_trim(const char *s)
{
    const char *t = s;

    if (s == NULL) {
        return NULL;
    }
    while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r') {
        t++;
    }
    return *t != '\0' ? t : NULL;
}

static void
generic_meta_slot(struct generic_found *f, const char *key, const char *content)
{
    if (key == NULL || content == NULL || *content == '\0') {
        return;
    }
    for (size_t i = 0;
         i < sizeof(generic_meta_keys) / sizeof(generic_meta_keys[0]); i++)
    {
        if (strcasecmp(key, generic_meta_keys[i].key) == 0) {
            int s = generic_meta_keys[i].slot;
            if (f->slot[s] == NULL) {
                f->slot[s] = content;
            }
            return;
        }
    }
}

static void generic_meta_add_tags(struct generic_run *r, const char *list);

/* Is `name` the element name `want`?  The first letters first: the walk
 * asks this of every element of the page. */
static int
generic_meta_is(const char *name, const char *want)
{
    return name[0] == want[0] && strcmp(name, want) == 0;
}

/* One element of the walk. */
static void
generic_meta_visit(struct generic_run *r, struct generic_found *f, xmlNodePtr n)
{
    const char *name = (const char *) n->name;
    int meta = generic_meta_is(name, "meta"),
        link = generic_meta_is(name, "link");
    const char *v;

    if (meta) {
        const char *content = generic_attr(n, "content");
        const char *key = generic_attr(n, "property");
        if (key == NULL || *key == '\0') {
            key = generic_attr(n, "name");
        }
        if (key == NULL || *key == '\0') {
            key = generic_attr(n, "itemprop");
        }
        if (key == NULL || *key == '\0') {
            key = generic_attr(n, "http-equiv");
        }
        if (key != NULL && content != NULL
            && strcasecmp(key, "article:tag") == 0) {
            generic_meta_add_tags(r, content);
        } else {
            generic_meta_slot(f, key, content);
        }
    } else if (link) {
        v = generic_attr(n, "rel");
        if (v != NULL && strcasecmp(v, "canonical") == 0
            && f->canonical == NULL) {
            f->canonical = generic_attr(n, "href");
        }
    } else if (generic_meta_is(name, "title") && f->title_el == NULL) {
        f->title_el = n;
    } else if (generic_meta_is(name, "script")) {
        v = generic_attr(n, "type");
        if (v != NULL && strcasecmp(v, "application/ld+json") == 0
            && f->nld < GENERIC_LD_SCRIPTS_MAX)
        {
            f->ld[f->nld++] = n;
        }
    } else if (generic_meta_is(name, "h1") && f->nh1 < GENERIC_META_H1_MAX) {
        f->h1[f->nh1++] = n;
    } else if (generic_meta_is(name, "time") && f->time_el == NULL
               && generic_attr(n, "datetime") != NULL)
    {
        f->time_el = n;
    }
    if (!meta && (v = generic_attr(n, "itemprop")) != NULL) {
        if (strcasecmp(v, "datePublished") == 0 && f->item_pub == NULL) {
            f->item_pub = n;
        } else if (strcasecmp(v, "dateModified") == 0 && f->item_mod == NULL) {
            f->item_mod = n;
        } else if (strcasecmp(v, "author") == 0 && f->item_author == NULL) {
            f->item_author = n;
        }
    }
    if ((v = generic_attr(n, "rel")) != NULL && strcasecmp(v, "author") == 0
        && f->item_author == NULL && !link)
    {
        f->item_author = n;
    }
}

static void
generic_meta_walk(struct generic_run *r, struct generic_found *f)
{
    xmlNodePtr root = xmlDocGetRootElement(r->xml), n;
    unsigned depth = 0;

    if (root == NULL) {
        return;
    }
    f->html_lang = generic_attr(root, "lang");
    if (f->html_lang == NULL || *f->html_lang == '\0') {
        f->html_lang = generic_attr(root, "xml:lang");
    }
    n = root;
    while (n != NULL) {
        if (n->type == XML_ELEMENT_NODE) {
            generic_meta_visit(r, f, n);
            if (n->children != NULL && depth < 512
                && strcmp((const char *) n->name, "script") != 0)
            {
                n = n->children;
                depth++;
                continue;
            }
        }
        while (n != NULL && n != root && n->next == NULL) {
            n = n->parent;
            depth--;
        }
        if (n == NULL || n == root) {
            break;
        }
        n = n->next;
    }
}

/* ---- JSON-LD ---- */

static const char *
generic_ld_string(struct generic_run *r, json_t *v)
{
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;

    return s != NULL && *s != '\0' ? r->h->strdup(r->call, s) : NULL;
}

/* A name: "x", {"name": "x"}, or a list of those joined by ", ". */
static const char *
generic_ld_names(struct generic_run *r, json_t *v)
{
    char buf[GENERIC_META_VALUE_MAX];
    size_t len = 0;

    if (json_is_string(v) || json_is_object(v)) {
        json_t *one = json_is_object(v) ? json_object_get(v, "name") : v;
        return generic_ld_string(r, one);
    }
    if (!json_is_array(v)) {
        return NULL;
    }
    buf[0] = '\0';
    for (size_t i = 0; i < json_array_size(v) && i < 16; i++) {
        json_t *e = json_array_get(v, i);
        const char *s = json_is_object(e)
                            ? json_string_value(json_object_get(e, "name"))
                            : json_string_value(e);
        size_t n = s != NULL ? strlen(s) : 0;
        if (n == 0 || len + n + 3 >= sizeof(buf)) {
            continue;
        }
        if (len > 0) {
            memcpy(buf + len, ", ", 2);
            len += 2;
        }
        memcpy(buf + len, s, n);
        len += n;
        buf[len] = '\0';
    }
    return len > 0 ? r->h->strdup(r->call, buf) : NULL;
}

static int
generic_ld_is_article_type(const char *t)
{
    static const char *const suffixes[] = { "Article", "BlogPosting", "Posting",
                                            "Report" };
    size_t n = strlen(t);

    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        size_t k = strlen(suffixes[i]);
        if (n >= k && strcmp(t + n - k, suffixes[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static int
generic_ld_is_article(json_t *obj)
{
    json_t *t = json_object_get(obj, "@type");

    if (json_is_string(t)) {
        return generic_ld_is_article_type(json_string_value(t));
    }
    if (json_is_array(t)) {
        for (size_t i = 0; i < json_array_size(t); i++) {
            json_t *e = json_array_get(t, i);
            if (json_is_string(e)
                && generic_ld_is_article_type(json_string_value(e))) {
                return 1;
            }
        }
    }
    return 0;
}

static void
generic_ld_take(struct generic_run *r, json_t *obj, struct generic_ld *ld)
{
    json_t *v;

    ld->found = 1;
    ld->headline = generic_ld_string(r, json_object_get(obj, "headline"));
    if (ld->headline == NULL) {
        ld->headline = generic_ld_string(r, json_object_get(obj, "name"));
    }
    ld->published = generic_ld_string(r, json_object_get(obj, "datePublished"));
    ld->modified = generic_ld_string(r, json_object_get(obj, "dateModified"));
    ld->author = generic_ld_names(r, json_object_get(obj, "author"));
    ld->publisher = generic_ld_names(r, json_object_get(obj, "publisher"));
    ld->description = generic_ld_string(r, json_object_get(obj, "description"));
    ld->lang = generic_ld_string(r, json_object_get(obj, "inLanguage"));
    v = json_object_get(obj, "keywords");
    if (json_is_string(v)) {
        ld->keywords = generic_ld_string(r, v);
    } else if (json_is_array(v)) {
        ld->keywords = generic_ld_names(r, v);
    }
    v = json_object_get(obj, "articleBody");
    if (json_is_string(v) && json_string_length(v) > 0) {
        size_t n = json_string_length(v);
        char *s;
        if (n > GENERIC_LD_BODY_MAX) {
            n = GENERIC_LD_BODY_MAX;
        }
        s = r->h->alloc(r->call, n + 1);
        if (s != NULL) {
            memcpy(s, json_string_value(v), n);
            s[n] = '\0';
            ld->body = s;
        }
    }
}

static void
generic_ld_search(struct generic_run *r, json_t *v, struct generic_ld *ld,
                  unsigned depth)
{
    if (ld->found || depth > GENERIC_LD_DEPTH_MAX) {
        return;
    }
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v) && !ld->found; i++) {
            generic_ld_search(r, json_array_get(v, i), ld, depth + 1);
        }
    } else if (json_is_object(v)) {
        if (generic_ld_is_article(v)) {
            generic_ld_take(r, v, ld);
            return;
        }
        generic_ld_search(r, json_object_get(v, "@graph"), ld, depth + 1);
        generic_ld_search(r, json_object_get(v, "mainEntity"), ld, depth + 1);
    }
}

/* Parses one <script type=application/ld+json>.  Raw control characters,
 * which many sites leave inside strings, become spaces first. */
static void
generic_ld_parse(struct generic_run *r, xmlNodePtr script,
                 struct generic_ld *ld)
{
    size_t len = 0, start, end;
    char *buf;
    json_t *root;

    for (xmlNodePtr c = script->children; c != NULL; c = c->next) {
        if (c->content != NULL) {
            len += strlen((const char *) c->content);
        }
    }
    if (len == 0 || len > GENERIC_LD_BYTES_MAX) {
        return;
    }
    buf = malloc(len + 1);
    if (buf == NULL) {
        return;
    }
    len = 0;
    for (xmlNodePtr c = script->children; c != NULL; c = c->next) {
        if (c->content != NULL) {
            size_t n = strlen((const char *) c->content);
            memcpy(buf + len, c->content, n);
            len += n;
        }
    }
    buf[len] = '\0';
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char) buf[i] < 0x20) {
            buf[i] = ' ';
        }
    }
    /* Skip "<!--" or "//<![CDATA[" wrappers around the value. */
    for (start = 0; start < len && buf[start] != '{' && buf[start] != '[';
         start++) {
    }
    for (end = len; end > start && buf[end - 1] != '}' && buf[end - 1] != ']';
         end--)
    {
    }
    if (end > start) {
        root = json_loadb(buf + start, end - start, 0, NULL);
        if (root != NULL) {
            generic_ld_search(r, root, ld, 0);
            json_decref(root);
        }
    }
    free(buf);
}

/* ---- choosing values ---- */

/* The text of an element, folded, or NULL when empty. */
static const char *
generic_meta_text(struct generic_run *r, xmlNodePtr n)
{
    const char *s = n != NULL ? r->h->node_text(r->call, n) : NULL;

    return s != NULL && *s != '\0' ? s : NULL;
}

/* The first label of the page's host without "www." ("example"). */
static void
generic_meta_host_label(struct generic_run *r, char *out, size_t cap)
{
    const char *url = r->h->doc_url(r->doc), *p, *end;
    size_t n;

    out[0] = '\0';
    if (url == NULL || (p = strstr(url, "://")) == NULL) {
        return;
    }
    p += 3;
    if (strncasecmp(p, "www.", 4) == 0) {
        p += 4;
    }
    for (end = p; *end && *end != '.' && *end != '/' && *end != ':'; end++) {
    }
    n = (size_t) (end - p) < cap - 1 ? (size_t) (end - p) : cap - 1;
    for (size_t i = 0; i < n; i++) {
        out[i] = (char) (p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
    }
    out[n] = '\0';
}

/* Separators between a headline and a site name in <title>. */
static const char *const generic_title_seps[] = {
    " | ", " - ", " – ", " — ", " :: ", " · ", " • ", " « ", " » ", " / ",
};

/* Does `part` name the site (its name, or its host's label)? */
static int
generic_meta_is_site(const char *part, const char *site, const char *label)
{
    char a[256], b[256];

    generic_key(part, a, sizeof(a));
    if (a[0] == '\0') {
        return 0;
    }
    if (site != NULL) {
        generic_key(site, b, sizeof(b));
        if (b[0] != '\0' && (strcmp(a, b) == 0 || strstr(a, b) != NULL)) {
            return 1;
        }
    }
    return label[0] != '\0' && strlen(label) >= 3 && strstr(a, label) != NULL;
}

/*
 * Strips a site name from the end (or start) of a title.  With `loose`
 * (the <title> element, the last resort) a short last part is taken for a
 * site name even when it does not say so.
 */
static const char *
generic_meta_strip_site(struct generic_run *r, const char *title,
                        const char *site, int loose)
{
    char label[64];
    const char *best = NULL;
    size_t seplen = 0;

    generic_meta_host_label(r, label, sizeof(label));
    for (size_t i = 0;
         i < sizeof(generic_title_seps) / sizeof(generic_title_seps[0]); i++)
    {
        const char *p = title, *q;
        while ((q = strstr(p, generic_title_seps[i])) != NULL) {
            if (best == NULL || q > best) {
                best = q;
                seplen = strlen(generic_title_seps[i]);
            }
            p = q + 1;
        }
    }
    if (best != NULL && best > title) {
        const char *suffix = best + seplen;
        size_t head = (size_t) (best - title);
        char *copy;
        if (generic_meta_is_site(suffix, site, label)
            || (loose && generic_words(suffix) <= 4 && head > 12))
        {
            copy = r->h->alloc(r->call, head + 1);
            if (copy != NULL) {
                memcpy(copy, title, head);
                copy[head] = '\0';
                return copy;
            }
        }
    }
    /* "Site | Headline" */
    for (size_t i = 0;
         i < sizeof(generic_title_seps) / sizeof(generic_title_seps[0]); i++)
    {
        const char *q = strstr(title, generic_title_seps[i]);
        if (q != NULL && q > title) {
            size_t head = (size_t) (q - title);
            char part[256];
            if (head < sizeof(part)) {
                memcpy(part, title, head);
                part[head] = '\0';
                if (generic_meta_is_site(part, site, label)) {
                    return q + strlen(generic_title_seps[i]);
                }
            }
            break;
        }
    }
    return title;
}

static const char *
generic_meta_title(struct generic_run *r, const struct generic_found *f,
                   const struct generic_ld *ld, const char *site)
{
    const char *t;
    const char *tag = generic_meta_text(r, f->title_el);

    if ((t = ld->headline) != NULL || (t = f->slot[GENERIC_M_OG_TITLE]) != NULL
        || (t = f->slot[GENERIC_M_TW_TITLE]) != NULL)
    {
        return generic_meta_strip_site(r, t, site, 0);
    }
    /* The visible headline: the <h1> that <title> contains, else a lone one. */
    if (tag != NULL) {
        char kt[1024], kh[1024];
        generic_key(tag, kt, sizeof(kt));
        for (size_t i = 0; i < f->nh1; i++) {
            const char *h = generic_meta_text(r, f->h1[i]);
            if (h != NULL && generic_key(h, kh, sizeof(kh)) > 0
                && strstr(kt, kh) != NULL) {
                return h;
            }
        }
    }
    if (f->nh1 == 1 && (t = generic_meta_text(r, f->h1[0])) != NULL) {
        return t;
    }
    return tag != NULL ? generic_meta_strip_site(r, tag, site, 1) : NULL;
}

/* Sets `key` from the first candidate the host accepts. */
static void
generic_meta_set_first(struct generic_run *r, int key, const char *const *cands,
                       size_t n)
{
    if (r->h->meta_get(r->doc, key) != NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *v = generic_meta_trim(cands[i]);
        if (v != NULL && strlen(v) < GENERIC_META_VALUE_MAX
            && r->h->meta_set(r->call, r->doc, key, v) == 0)
        {
            return;
        }
    }
}

static const char *
generic_meta_attr_time(xmlNodePtr n)
{
    const char *v;

    if (n == NULL) {
        return NULL;
    }
    if ((v = generic_attr(n, "datetime")) != NULL && *v) {
        return v;
    }
    if ((v = generic_attr(n, "content")) != NULL && *v) {
        return v;
    }
    return NULL;
}

/* An author name, not a profile URL. */
static const char *
generic_meta_name(const char *s)
{
    if (s == NULL || strncasecmp(s, "http", 4) == 0 || strchr(s, '/') == s
        || strchr(s, '@') != NULL)
    {
        return NULL;
    }
    return s;
}

void
generic_meta_tag(struct generic_run *r, const char *tag)
{
    char key[GENERIC_META_TAG_MAX];
    char *copy;

    if (generic_key(tag, key, sizeof(key)) == 0 || r->ntags == GENERIC_TAGS_MAX)
    {
        return;
    }
    for (size_t i = 0; i < r->ntags; i++) {
        if (strcmp(r->tags[i], key) == 0) {
            return;
        }
    }
    copy = r->h->strdup(r->call, key);
    if (copy != NULL) {
        r->tags[r->ntags++] = copy;
    }
}

/* Adds every tag of a comma-separated list. */
static void
generic_meta_add_tags(struct generic_run *r, const char *list)
{
    const char *p = list;

    while (p != NULL && *p) {
        const char *end = strpbrk(p, ",;");
        size_t n = end != NULL ? (size_t) (end - p) : strlen(p);
        char tag[GENERIC_META_TAG_MAX];

        while (n > 0 && (*p == ' ' || *p == '\t' || *p == '\n')) {
            p++;
            n--;
        }
        while (n > 0
               && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n')) {
            n--;
        }
        if (n > 0 && n < sizeof(tag)) {
            memcpy(tag, p, n);
            tag[n] = '\0';
            r->h->tag_add(r->call, r->doc, tag);
            generic_meta_tag(r, tag);
        }
        p = end != NULL ? end + 1 : NULL;
    }
}

int
generic_meta_extract(struct generic_run *r, const struct wn_item *item)
{
    struct generic_found f;
    struct generic_ld ld;
    const char *site, *title, *v;

    memset(&f, 0, sizeof(f));
    memset(&ld, 0, sizeof(ld));
    generic_meta_walk(r, &f);
    for (size_t i = 0; i < f.nld && !ld.found; i++) {
        generic_ld_parse(r, f.ld[i], &ld);
    }

    site = f.slot[GENERIC_M_SITE] != NULL ? f.slot[GENERIC_M_SITE]
           : ld.publisher != NULL         ? ld.publisher
                                          : f.slot[GENERIC_M_APP_NAME];
    {
        const char *c[] = { site };
        generic_meta_set_first(r, WN_META_SITE, c, 1);
    }

    title = r->h->meta_get(r->doc, WN_META_TITLE);
    if (title == NULL) {
        title = generic_meta_title(r, &f, &ld, site);
        if (title != NULL
            && r->h->meta_set(r->call, r->doc, WN_META_TITLE, title) == 0) {
            title = r->h->meta_get(r->doc, WN_META_TITLE);
        }
    }
    if (title == NULL && item != NULL && item->title != NULL) {
        title = item->title;
    }
    r->title = title;

    {
        const char *c[] = { ld.author,
                            generic_meta_name(f.slot[GENERIC_M_AUTHOR]),
                            generic_meta_name(f.slot[GENERIC_M_ARTICLE_AUTHOR]),
                            NULL };
        const char *t = generic_meta_text(r, f.item_author);
        if (t != NULL && generic_words(t) <= 8) {
            if (strncasecmp(t, "by ", 3) == 0) {
                t += 3;
            }
            c[3] = t;
        }
        generic_meta_set_first(r, WN_META_AUTHOR, c, 4);
    }
    {
        const char *c[] = { ld.published, f.slot[GENERIC_M_PUBLISHED],
                            f.slot[GENERIC_M_DATE],
                            generic_meta_attr_time(f.item_pub),
                            generic_meta_attr_time(f.time_el) };
        generic_meta_set_first(r, WN_META_PUBLISHED, c, 5);
    }
    {
        const char *c[] = { ld.modified, f.slot[GENERIC_M_MODIFIED],
                            generic_meta_attr_time(f.item_mod) };
        generic_meta_set_first(r, WN_META_UPDATED, c, 3);
    }
    {
        char locale[16] = "";
        v = f.slot[GENERIC_M_LOCALE];
        if (v != NULL && strlen(v) < sizeof(locale)) {
            for (size_t i = 0; v[i]; i++) {
                locale[i] = v[i] == '_' ? '-' : v[i];
                locale[i + 1] = '\0';
            }
        }
        const char *c[] = { f.html_lang, f.slot[GENERIC_M_LANG], ld.lang,
                            locale[0] ? locale : NULL };
        generic_meta_set_first(r, WN_META_LANG, c, 4);
    }
    {
        const char *href = f.canonical != NULL && *f.canonical
                               ? f.canonical
                               : f.slot[GENERIC_M_OG_URL];
        const char *base = r->h->doc_url(r->doc);
        if (href != NULL && r->h->meta_get(r->doc, WN_META_CANONICAL) == NULL) {
            xmlChar *abs =
                xmlBuildURI((const xmlChar *) href,
                            (const xmlChar *) (base != NULL ? base : ""));
            const char *c[] = { abs != NULL ? (const char *) abs : href };
            generic_meta_set_first(r, WN_META_CANONICAL, c, 1);
            xmlFree(abs);
        }
    }
    {
        const char *c[] = { f.slot[GENERIC_M_OG_DESC], f.slot[GENERIC_M_DESC],
                            ld.description, f.slot[GENERIC_M_TW_DESC] };
        generic_meta_set_first(r, WN_META_DESCRIPTION, c, 4);
        r->description = r->h->meta_get(r->doc, WN_META_DESCRIPTION);
    }
    if (f.slot[GENERIC_M_KEYWORDS] != NULL) {
        generic_meta_add_tags(r, f.slot[GENERIC_M_KEYWORDS]);
    }
    if (f.slot[GENERIC_M_NEWS_KEYWORDS] != NULL) {
        generic_meta_add_tags(r, f.slot[GENERIC_M_NEWS_KEYWORDS]);
    }
    if (ld.keywords != NULL) {
        generic_meta_add_tags(r, ld.keywords);
    }
    r->ld_body = ld.body;
    return 0;
}
