/*
 * wn_feed_list.c: feed URLs from an OPML subscription list and from a web
 * page's autodiscovery links (wn_feed_list.h).  OPML goes through the feed
 * parser's own charset, scan and libxml2 path, so a hostile list gets the
 * same limits as a hostile feed; pages go through wn_html_parse().
 */
#include "wn_feed_list.h"

#include <libxml/HTMLparser.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wn_buf.h"
#include "wn_err.h"
#include "wn_feed_int.h"
#include "wn_html.h"
#include "wn_strset.h"
#include "wn_text.h"
#include "wn_url.h"

#define WN_FEED_LIST_DEPTH 64 /* outline folders; more are flattened */

/* The walk of one list or page. */
struct wn_feed_list {
    wn_feed_ref_cb cb;
    void *arg;
    struct wn_strset seen; /* URLs given already */
    size_t count;
    int rc; /* sticky: a callback's stop or an error */
};

/* A string as plain text (white space folded), malloc'ed; NULL if empty. */
static char *
wn_feed_list_plain(const char *s)
{
    struct wn_buf b;
    char *out = NULL;

    if (s == NULL) {
        return NULL;
    }
    wn_buf_init(&b, WN_URL_MAX);
    if (wn_text_fold(&b, s, strlen(s), NULL) > 0 && b.len > 0) {
        out = strndup(b.data, b.len);
    }
    wn_buf_free(&b);
    return out;
}

/* Gives one feed to the callback unless its URL was given before. */
static void
wn_feed_list_emit(struct wn_feed_list *l, const char *base, const char *href,
                  const char *title, const char *type, const char *category,
                  const char *page)
{
    struct wn_feed_ref ref;
    char *url = NULL, *plain, *site = NULL;
    int rc;

    if (l->rc != 0 || href == NULL) {
        return;
    }
    while (*href == ' ' || *href == '\t' || *href == '\n' || *href == '\r') {
        href++;
    }
    if (wn_url_resolve(base, href, 0, &url) != 0) {
        return; /* relative without a base, javascript:, junk */
    }
    rc = wn_strset_add(&l->seen, url);
    if (rc <= 0 || l->count >= WN_FEED_LIST_MAX) {
        l->rc = rc < 0 ? rc : 0;
        free(url);
        return;
    }
    l->count++;
    if (page != NULL && wn_url_resolve(base, page, 0, &site) != 0) {
        site = NULL;
    }
    plain = wn_feed_list_plain(title);
    memset(&ref, 0, sizeof(ref));
    ref.url = url;
    ref.title = plain;
    ref.type = type != NULL && *type != '\0' ? type : NULL;
    ref.category = category;
    ref.page = site;
    l->rc = l->cb(&ref, l->arg);
    free(plain);
    free(site);
    free(url);
}

/* ---- OPML ------------------------------------------------------------- */

static int
wn_feed_opml_root(const char *local, size_t len)
{
    return len == 4 && memcmp(local, "opml", 4) == 0;
}

static const char *
wn_feed_opml_attr(xmlNodePtr node, const char *name)
{
    /* Attribute names vary in case in the wild ("xmlurl", "XMLURL"). */
    for (xmlAttrPtr a = node->properties; a != NULL; a = a->next) {
        if (strcasecmp((const char *) a->name, name) == 0 && a->children != NULL
            && a->children->type == XML_TEXT_NODE)
        {
            return (const char *) a->children->content;
        }
    }
    return NULL;
}

/* The outlines under node; folder is the category path so far (b). */
static void
wn_feed_opml_walk(struct wn_feed_list *l, xmlNodePtr node, const char *base,
                  struct wn_buf *folder, size_t depth)
{
    for (xmlNodePtr c = node->children; c != NULL && l->rc == 0; c = c->next) {
        const char *xml_url, *title;
        size_t mark = folder->len;

        if (c->type != XML_ELEMENT_NODE
            || strcasecmp((const char *) c->name, "outline") != 0)
        {
            continue;
        }
        xml_url = wn_feed_opml_attr(c, "xmlUrl");
        title = wn_feed_opml_attr(c, "title");
        if (title == NULL || *title == '\0') {
            title = wn_feed_opml_attr(c, "text");
        }
        if (xml_url != NULL && *xml_url != '\0') {
            wn_feed_list_emit(l, base, xml_url, title,
                              wn_feed_opml_attr(c, "type"),
                              folder->len > 0 ? folder->data : NULL,
                              wn_feed_opml_attr(c, "htmlUrl"));
            continue;
        }
        if (depth < WN_FEED_LIST_DEPTH && title != NULL && *title != '\0') {
            char *plain = wn_feed_list_plain(title);
            if (plain != NULL) {
                if (folder->len > 0) {
                    wn_buf_append(folder, "/", 1);
                }
                wn_buf_append(folder, plain, strlen(plain));
                free(plain);
            }
        }
        wn_feed_opml_walk(l, c, base, folder, depth + 1);
        folder->len = mark;
        if (folder->data != NULL) {
            folder->data[mark] = '\0';
        }
    }
}

int
wn_feed_opml(const char *data, size_t len, const char *base,
             wn_feed_ref_cb cb, void *arg, struct wn_err *err)
{
    struct wn_feed_scan scan;
    struct wn_feed_list l;
    struct wn_buf conv, folder;
    xmlDocPtr xml = NULL;
    const char *text;
    size_t text_len;
    int rc, damaged = 0, well_formed = 0;
    xmlNodePtr body = NULL;

    if (len > WN_FEED_MAX_BYTES) {
        return wn_err_set(err, WN_ETOOBIG,
                          "OPML of %zu bytes over the %u byte limit", len,
                          WN_FEED_MAX_BYTES);
    }
    memset(&scan, 0, sizeof(scan));
    memset(&l, 0, sizeof(l));
    wn_buf_init(&conv, 0);
    wn_buf_init(&folder, 4096);
    rc = wn_feed_enc_utf8(data != NULL ? data : "", len, NULL, &conv, &text,
                          &text_len, &damaged, err);
    if (rc == 0) {
        scan.root_known = wn_feed_opml_root;
        rc = wn_feed_xml_text(&scan, text, text_len, &xml, &well_formed, err);
        if (rc == WN_ENOTFEED) {
            rc = wn_err_set(err, WN_EPARSE, "not an OPML document (%s)",
                            err->msg);
        }
    }
    if (rc == 0) {
        xmlNodePtr root = xmlDocGetRootElement(xml);
        if (strcmp((const char *) root->name, "opml") != 0) {
            rc = wn_err_set(err, WN_EPARSE, "root element <%s> is not <opml>",
                            (const char *) root->name);
        }
        for (xmlNodePtr c = root->children; rc == 0 && c != NULL; c = c->next)
        {
            if (c->type == XML_ELEMENT_NODE
                && strcmp((const char *) c->name, "body") == 0)
            {
                body = c;
                break;
            }
        }
    }
    if (rc == 0 && body != NULL) {
        l.cb = cb;
        l.arg = arg;
        wn_strset_init(&l.seen);
        wn_feed_opml_walk(&l, body, base, &folder, 0);
        wn_strset_free(&l.seen);
        rc = l.rc;
        if (rc < 0) {
            wn_err_set(err, rc, "%s", wn_strerror(rc));
        }
    }
    xmlFreeDoc(xml);
    wn_buf_free(&scan.out);
    wn_buf_free(&conv);
    wn_buf_free(&folder);
    return rc;
}

/* ---- autodiscovery ---------------------------------------------------- */

/* Whether a rel list ("alternate", "Alternate feed") names a feed. */
static int
wn_feed_discover_rel(const char *rel)
{
    const char *p = rel;

    while (p != NULL && *p != '\0') {
        size_t n;

        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            p++;
        }
        n = strcspn(p, " \t\r\n");
        if ((n == 9 && strncasecmp(p, "alternate", 9) == 0)
            || (n == 4 && strncasecmp(p, "feed", 4) == 0))
        {
            return 1;
        }
        p += n;
    }
    return 0;
}

static int
wn_feed_discover_type(const char *type)
{
    static const char *const types[] = {
        "application/rss+xml", "application/atom+xml", "application/rdf+xml",
        "application/feed+json", "application/json", "application/xml",
        "text/xml",
    };
    size_t n;

    if (type == NULL) {
        return 0;
    }
    n = strcspn(type, "; \t");
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strlen(types[i]) == n && strncasecmp(type, types[i], n) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The first <base href> of the page, resolved (malloc'ed), or NULL. */
static char *
wn_feed_discover_base(xmlNodePtr node, const char *url, size_t depth)
{
    for (xmlNodePtr c = node; c != NULL && depth < WN_FEED_MAX_DEPTH;
         c = c->next)
    {
        char *abs = NULL;

        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }
        if (strcasecmp((const char *) c->name, "base") == 0
            && wn_html_attr(c, "href") != NULL
            && wn_url_resolve(url, wn_html_attr(c, "href"), 0, &abs) == 0)
        {
            return abs;
        }
        if (strcasecmp((const char *) c->name, "body") == 0) {
            return NULL; /* <base> belongs in <head> */
        }
        abs = wn_feed_discover_base(c->children, url, depth + 1);
        if (abs != NULL) {
            return abs;
        }
    }
    return NULL;
}

static void
wn_feed_discover_walk(struct wn_feed_list *l, xmlNodePtr node,
                      const char *base, size_t depth)
{
    for (xmlNodePtr c = node; c != NULL && l->rc == 0; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }
        if (strcasecmp((const char *) c->name, "link") == 0) {
            const char *type = wn_html_attr(c, "type");
            if (wn_feed_discover_rel(wn_html_attr(c, "rel"))
                && wn_feed_discover_type(type))
            {
                wn_feed_list_emit(l, base, wn_html_attr(c, "href"),
                                  wn_html_attr(c, "title"), type, NULL, NULL);
            }
        } else if (depth < WN_FEED_MAX_DEPTH) {
            wn_feed_discover_walk(l, c->children, base, depth + 1);
        }
    }
}

int
wn_feed_discover(const char *data, size_t len, const char *url,
                 const char *content_type, wn_feed_ref_cb cb, void *arg,
                 struct wn_err *err)
{
    struct wn_feed_list l;
    xmlDocPtr doc = NULL;
    char *base;
    int rc = wn_html_parse(data, len, url, content_type, &doc, err);

    if (rc != 0) {
        return rc;
    }
    memset(&l, 0, sizeof(l));
    l.cb = cb;
    l.arg = arg;
    wn_strset_init(&l.seen);
    base = wn_feed_discover_base(doc->children, url, 0);
    wn_feed_discover_walk(&l, doc->children, base != NULL ? base : url, 0);
    free(base);
    wn_strset_free(&l.seen);
    xmlFreeDoc(doc);
    if (l.rc < 0) {
        wn_err_set(err, l.rc, "%s", wn_strerror(l.rc));
    }
    return l.rc;
}

/* ---- names ------------------------------------------------------------ */

/* Appends the slug of s to out[*n..cap-1). */
static void
wn_feed_list_slug(const char *s, char *out, size_t cap, size_t *n)
{
    int dash = *n > 0;

    for (; s != NULL && *s != '\0' && *n + 1 < cap; s++) {
        unsigned char ch = (unsigned char) *s;

        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
            if (dash && *n > 0) {
                out[(*n)++] = '-';
                if (*n + 1 >= cap) {
                    break;
                }
            }
            out[(*n)++] = (char) ch;
            dash = 0;
        } else if (ch >= 'A' && ch <= 'Z') {
            if (dash && *n > 0) {
                out[(*n)++] = '-';
                if (*n + 1 >= cap) {
                    break;
                }
            }
            out[(*n)++] = (char) (ch - 'A' + 'a');
            dash = 0;
        } else {
            dash = 1;
        }
    }
    out[*n] = '\0';
}

void
wn_feed_list_name(const struct wn_feed_ref *ref, char *out, size_t cap,
                  int (*taken)(const char *name, void *arg), void *arg)
{
    size_t n = 0, base_len;
    char *host = NULL;

    if (cap < 16) {
        if (cap > 0) {
            out[0] = '\0';
        }
        return;
    }
    wn_feed_list_slug(ref->title, out, cap - 8, &n);
    if (n == 0 && wn_url_host(ref->url, &host) == 0) {
        wn_feed_list_slug(host, out, cap - 8, &n);
        free(host);
    }
    if (n == 0) {
        wn_feed_list_slug("feed", out, cap - 8, &n);
    }
    base_len = n;
    for (unsigned i = 2; taken != NULL && taken(out, arg) && i < 1000000; i++) {
        snprintf(out + base_len, cap - base_len, "-%u", i);
    }
}
