/*
 * rules.c: the declarative rules plugin's descriptor and lifecycle: init()
 * reads every *.conf of its folder (conf/sites.d), match() says which hosts
 * have a rule file, process() applies the best one through the host table.
 * Rules are read only at init, so re-initialising plugins (SIGHUP) reloads
 * them.
 */
#include "rules.h"
#include "wn_hostmatch.h" /* the host chain's own rule */

#include <dirent.h>
#include <errno.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef RULES_DEFAULT_DIR
#define RULES_DEFAULT_DIR "/etc/winnow/sites.d"
#endif

struct rules_conf {
    const char *dir; /* folder of rule files */
};

static const struct wn_directive rules_directives[] = {
    { "dir", WN_DIRECTIVE_STRING, RULES_DEFAULT_DIR,
      offsetof(struct rules_conf, dir), 0, 0,
      "folder of site rule files (*.conf), one per site" },
    { 0 },
};

static void
rules_free_state(struct rules_state *st)
{
    if (st == NULL) {
        return;
    }
    for (size_t i = 0; i < st->nsites; i++) {
        rules_site_free(&st->sites[i]);
    }
    free(st->sites);
    free(st);
}

static int
rules_cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The *.conf names of dir, sorted, so that load order is stable. */
static int
rules_list_dir(const char *dir, char ***out, size_t *n, struct wn_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;

    *out = NULL;
    *n = 0;
    if (d == NULL) {
        int e0 = errno;
        err->code = -e0;
        snprintf(err->msg, sizeof(err->msg), "rule folder %s: %s", dir,
                 strerror(e0));
        return -e0;
    }
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        char **v;
        if (e->d_name[0] == '.' || len < 6
            || strcmp(e->d_name + len - 5, ".conf") != 0) {
            continue;
        }
        if (*n >= RULES_FILES_MAX) {
            err->code = WN_ETOOBIG;
            snprintf(err->msg, sizeof(err->msg),
                     "rule folder %s: more than %u rule files", dir,
                     RULES_FILES_MAX);
            goto failed;
        }
        v = realloc(names, (*n + 1) * sizeof(*v));
        if (v == NULL) {
            goto nomem;
        }
        names = v;
        names[*n] = strdup(e->d_name);
        if (names[*n] == NULL) {
            goto nomem;
        }
        (*n)++;
    }
    closedir(d);
    if (*n > 1) {
        qsort(names, *n, sizeof(*names), rules_cmp_names);
    }
    *out = names;
    return 0;
nomem:
    err->code = WN_ENOMEM;
    snprintf(err->msg, sizeof(err->msg), "out of memory");
failed:
    closedir(d);
    for (size_t i = 0; i < *n; i++) {
        free(names[i]);
    }
    free(names);
    *n = 0;
    return err->code;
}

static int
rules_init(const struct wn_host *host, const void *conf, void **state,
           struct wn_err *err)
{
    const struct rules_conf *c = conf;
    struct rules_state *st;
    char **names = NULL;
    size_t n = 0;
    int rc;

    *state = NULL;
    st = calloc(1, sizeof(*st));
    if (st == NULL) {
        err->code = WN_ENOMEM;
        snprintf(err->msg, sizeof(err->msg), "out of memory");
        return WN_ENOMEM;
    }
    st->host = host;
    rc = rules_list_dir(c->dir, &names, &n, err);
    if (rc == -ENOENT && strcmp(c->dir, RULES_DEFAULT_DIR) == 0) {
        /* No rules installed in the default place: nothing to do. */
        *state = st;
        return 0;
    }
    if (rc != 0) {
        free(st);
        return rc;
    }
    st->sites = calloc(n > 0 ? n : 1, sizeof(*st->sites));
    if (st->sites == NULL) {
        err->code = rc = WN_ENOMEM;
        snprintf(err->msg, sizeof(err->msg), "out of memory");
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char path[4096];
        int w = snprintf(path, sizeof(path), "%s/%s", c->dir, names[i]);
        if (w < 0 || (size_t) w >= sizeof(path)) {
            err->code = rc = WN_ETOOBIG;
            snprintf(err->msg, sizeof(err->msg), "%s/%s: path too long", c->dir,
                     names[i]);
            break;
        }
        rc = rules_file_load(path, &st->sites[st->nsites], err);
        if (rc == 0) {
            st->nsites++;
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
    if (rc != 0) {
        rules_free_state(st);
        return rc;
    }
    *state = st;
    return 0;
}

/* The site whose host patterns fit `host` best, or NULL. */
static const struct rules_site *
rules_best(const struct rules_state *st, const char *host, int *score)
{
    const struct rules_site *best = NULL;

    *score = 0;
    for (size_t i = 0; st != NULL && i < st->nsites; i++) {
        for (size_t k = 0; k < st->sites[i].hosts.n; k++) {
            int s = wn_host_match(st->sites[i].hosts.v[k], host);
            if (s > *score) {
                *score = s;
                best = &st->sites[i];
            }
        }
    }
    return best;
}

static int
rules_match(void *state, const char *host)
{
    int score;

    rules_best(state, host, &score);
    return score;
}

/* The host part of an absolute http(s) URL, lower case, into out. */
static int
rules_url_host(const char *url, char *out, size_t cap)
{
    const char *p, *end, *at;
    size_t n;

    if (url == NULL || (p = strstr(url, "://")) == NULL) {
        return -1;
    }
    p += 3;
    end = p + strcspn(p, "/?#");
    at = memchr(p, '@', (size_t) (end - p));
    if (at != NULL) {
        p = at + 1;
    }
    n = (size_t) (end - p);
    if (n > 0 && p[0] == '[') {
        return -1; /* an IPv6 literal names no site */
    }
    for (size_t i = 0; i < n; i++) {
        if (p[i] == ':') {
            n = i;
            break;
        }
    }
    if (n == 0 || n >= cap) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        out[i] = (ch >= 'A' && ch <= 'Z') ? (char) (ch - 'A' + 'a') : ch;
    }
    out[n] = '\0';
    return 0;
}

/* The string value of an XPath selector: an attribute's value, an
 * element's text or a string result; NULL when nothing matches. */
static const char *
rules_select_text(const struct wn_host *h, struct wn_call *call,
                  struct wn_doc *doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(h->doc_tree(doc));
    xmlXPathObjectPtr obj;
    const char *out = NULL;

    if (ctx == NULL) {
        return NULL;
    }
    ctx->error = rules_xpath_quiet;
    ctx->opLimit = RULES_XPATH_OPS_MAX;
    obj = xmlXPathEvalExpression((const xmlChar *) expr, ctx);
    xmlXPathFreeContext(ctx);
    if (obj == NULL) {
        return NULL;
    }
    if (obj->type == XPATH_NODESET && obj->nodesetval != NULL
        && obj->nodesetval->nodeNr > 0)
    {
        xmlNodePtr n = obj->nodesetval->nodeTab[0];
        if (n->type == XML_ELEMENT_NODE) {
            out = h->node_text(call, n);
        } else {
            xmlChar *s = xmlNodeGetContent(n);
            if (s != NULL) {
                out = h->strdup(call, (const char *) s);
                xmlFree(s);
            }
        }
    } else if (obj->type == XPATH_STRING && obj->stringval != NULL) {
        out = h->strdup(call, (const char *) obj->stringval);
    }
    xmlXPathFreeObject(obj);
    if (out != NULL && (out[0] == '\0' || strlen(out) > RULES_META_MAX)) {
        out = NULL;
    }
    return out;
}

static void
rules_meta(const struct wn_host *h, struct wn_call *call, struct wn_doc *doc,
           const struct rules_site *s, const char *expr, int key)
{
    const char *v;

    if (expr == NULL || h->meta_get(doc, key) != NULL) {
        return;
    }
    v = rules_select_text(h, call, doc, expr);
    if (v != NULL && h->meta_set(call, doc, key, v) != 0) {
        h->log(call, WN_LOG_DEBUG, "rule %s: \"%.80s\" is not a usable %s",
               s->name, v, key == WN_META_PUBLISHED ? "date" : "value");
    }
}

static int
rules_process(void *state, struct wn_call *call, const struct wn_item *item,
              struct wn_doc *doc)
{
    const struct rules_state *st = state;
    const struct wn_host *h = st->host;
    const struct rules_site *s;
    char host[256];
    int score, rc;

    (void) item;
    if (rules_url_host(h->doc_url(doc), host, sizeof(host)) != 0
        || (s = rules_best(st, host, &score)) == NULL)
    {
        return WN_EDECLINED;
    }
    /* Metadata first: the nodes it reads may be removed below. */
    rules_meta(h, call, doc, s, s->title, WN_META_TITLE);
    rules_meta(h, call, doc, s, s->author, WN_META_AUTHOR);
    rules_meta(h, call, doc, s, s->date, WN_META_PUBLISHED);
    for (size_t i = 0; i < s->main.n; i++) {
        rc = h->select_main(call, doc, s->main.v[i]);
        if (rc == 0) {
            break;
        }
        if (rc != WN_EDECLINED) {
            return h->set_error(call, rc, "rule %s: main %s failed", s->name,
                                s->main.v[i]);
        }
    }
    for (size_t i = 0; i < s->remove.n; i++) {
        if (h->should_stop(call)) {
            return h->set_error(call, WN_ETIMEOUT, "rule %s: out of time",
                                s->name);
        }
        rc = h->remove_xpath(call, doc, s->remove.v[i], s->remove_why.v[i]);
        if (rc < 0) {
            return h->set_error(call, rc, "rule %s: remove %s failed", s->name,
                                s->remove.v[i]);
        }
    }
    for (size_t i = 0; i < s->drop.n; i++) {
        if (h->should_stop(call)) {
            return h->set_error(call, WN_ETIMEOUT, "rule %s: out of time",
                                s->name);
        }
        rc = h->drop_matching(call, doc, s->drop.v[i], s->drop_why.v[i]);
        if (rc < 0) {
            return h->set_error(call, rc, "rule %s: drop %s failed", s->name,
                                s->drop.v[i]);
        }
    }
    return 0;
}

static void
rules_fini(void *state)
{
    rules_free_state(state);
}

WN_PLUGIN_DESCRIPTOR = {
    WN_PLUGIN_INIT,
    .flags = WN_PLUGIN_F_RULES,
    .name = "rules",
    .version = "1.0.0",
    .summary = "declarative site rules from conf/sites.d (XPath, PCRE2)",
    .directives = rules_directives,
    .conf_size = sizeof(struct rules_conf),
    .init = rules_init,
    .match = rules_match,
    .process = rules_process,
    .fini = rules_fini,
};
