/*
 * wn_extract.c: the cleaning pipeline for one page and the normalizer.
 * Which nodes are boilerplate is decided by the plugins; this file runs
 * them in order, contains their failures and turns the tree into text.
 */
#include "wn_extract.h"

#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "wn_err.h"
#include "wn_html.h"
#include "wn_log.h"
#include "wn_time.h"
#include "wn_url.h"

#define WN_EXTRACT_CHAIN_MAX 8 /* plugins run over one page */

static int
wn_extract_parse(const struct wn_extract_in *in, struct wn_arena *arena,
                 struct wn_doc *doc, struct wn_err *err)
{
    int explain = (in->flags & WN_EXTRACT_EXPLAIN) != 0;
    xmlDocPtr xml;
    int rc;

    if (in->flags & WN_EXTRACT_TEXT) {
        if (in->len > WN_HTML_MAX_BYTES) {
            return wn_err_set(err, WN_ETOOBIG,
                              "%s: text of %zu bytes over the limit",
                              in->url ? in->url : "text", in->len);
        }
        return wn_doc_init_text(doc, in->data, in->len, in->url, arena,
                                explain);
    }
    rc = wn_html_parse(in->data, in->len, in->url, in->content_type, &xml, err);
    if (rc != 0) {
        return rc;
    }
    rc = wn_doc_init(doc, xml, in->url,
                     (in->flags & WN_EXTRACT_FEED_CONTENT) ? WN_DOC_FEED_CONTENT
                                                           : 0,
                     arena, explain);
    if (rc != 0) {
        xmlFreeDoc(xml);
    }
    return rc;
}

/* Appends "name/version" to the record of plugins that ran. */
static void
wn_extract_note_plugin(struct wn_buf *ran, const struct wn_plugin_inst *p)
{
    if (ran->len > 0) {
        wn_buf_putc(ran, ' ');
    }
    wn_buf_printf(ran, "%s/%s", p->desc.name, p->desc.version);
}

/*
 * Runs the chain.  Returns 0, or the failing plugin's code with *failed set
 * and err filled.  A plugin other than the generic one fails too when what
 * it leaves is garbage (wn_doc_check()).  *ran_site is the last plugin
 * other than the generic one that ran and succeeded, or NULL.
 */
static int
wn_extract_run(const struct wn_plugins *ps, struct wn_plugin_inst **chain,
               size_t n, const struct wn_extract_in *in, struct wn_doc *doc,
               struct wn_arena *arena, struct wn_buf *ran,
               struct wn_plugin_inst **failed, struct wn_plugin_inst **ran_site,
               struct wn_err *err)
{
    static const struct wn_item no_item = { .size = sizeof(struct wn_item),
                                            .published = WN_TIME_NONE };
    const struct wn_item *item = in->item != NULL ? in->item : &no_item;

    *failed = NULL;
    *ran_site = NULL;
    for (size_t i = 0; i < n; i++) {
        struct wn_plugin_inst *p = chain[i];
        struct wn_call call;
        uint64_t t0, dt;
        int rc;

        if (in->stop != NULL && *in->stop) {
            return wn_err_set(err, WN_ECANCELED, "stopping");
        }
        memset(&call, 0, sizeof(call));
        call.arena = arena;
        call.doc = doc;
        call.plugin = p->desc.name;
        call.stop = in->stop;
        t0 = uv_hrtime();
        call.deadline = ps->timeout_ns ? t0 + ps->timeout_ns : 0;
        doc->plugin = p->desc.name;
        rc = p->desc.process(p->state, &call, item, doc);
        dt = uv_hrtime() - t0;
        doc->plugin = NULL;
        atomic_fetch_add(&p->calls, 1);
        atomic_fetch_add(&p->nanoseconds, dt);
        if (rc == WN_EDECLINED) {
            atomic_fetch_add(&p->declined, 1);
            continue;
        }
        if (rc == 0 && ps->timeout_ns != 0 && dt > ps->timeout_ns) {
            rc = wn_err_set(&call.err, WN_ETIMEOUT,
                            "took %llu ms, over its budget of %llu ms",
                            (unsigned long long) (dt / 1000000),
                            (unsigned long long) (ps->timeout_ns / 1000000));
        }
        /* What a site or rules plugin leaves must be text we can store. */
        if (rc == 0 && p != ps->generic) {
            const char *why;
            if (wn_doc_check(doc, &why) != 0) {
                rc = wn_err_set(&call.err, WN_EGARBAGE, "left %s", why);
            } else {
                *ran_site = p;
            }
        }
        if (rc != 0) {
            atomic_fetch_add(&p->failures, 1);
            *failed = p;
            return wn_err_set(err, rc < 0 ? rc : WN_EPLUGIN, "plugin %s: %s",
                              p->desc.name,
                              call.err.msg[0] ? call.err.msg : wn_strerror(rc));
        }
        wn_extract_note_plugin(ran, p);
    }
    return 0;
}

/* The normalizer: one paragraph per block, separated by a blank line. */
static int
wn_extract_normalize(struct wn_doc *doc, struct wn_arena *arena,
                     struct wn_buf *text, size_t *paragraphs)
{
    struct wn_call call;
    struct wn_block *blocks;
    struct wn_buf para;
    size_t n;
    int rc;

    memset(&call, 0, sizeof(call));
    call.arena = arena;
    call.doc = doc;
    rc = wn_doc_blocks_ex(&call, doc, WN_DOC_BLOCKS_TEXT_ONLY, &blocks, &n);
    if (rc != 0) {
        return rc;
    }
    *paragraphs = 0;
    wn_buf_init(&para, WN_ARTICLE_TEXT_MAX);
    for (size_t i = 0; i < n && rc == 0; i++) {
        /* Block text is already folded (wn_html_node_text); only NFC is
         * left to do. */
        wn_buf_reset(&para);
        rc = wn_buf_append(&para, blocks[i].text, blocks[i].len);
        if (rc == 0) {
            rc = wn_text_nfc(&para);
        }
        if (rc < 0 || para.len == 0) {
            continue;
        }
        if (text->len > 0) {
            rc = wn_buf_append(text, "\n\n", 2);
        }
        if (rc >= 0) {
            rc = wn_buf_append(text, para.data, para.len);
        }
        (*paragraphs)++;
    }
    wn_buf_free(&para);
    return rc < 0 ? rc : 0;
}

/* Copies what the document found into the article, filling gaps from the
 * feed's item; the site is the page's host when the page does not say. */
static int
wn_extract_finish(struct wn_article *a, struct wn_doc *doc,
                  const struct wn_extract_in *in, const char *host)
{
    const struct wn_item *item = in->item;

    for (int k = 0; k < WN_META_COUNT; k++) {
        a->meta[k] = doc->meta[k];
    }
    if (item != NULL) {
        if (a->meta[WN_META_TITLE] == NULL && item->title != NULL) {
            a->meta[WN_META_TITLE] = wn_arena_strdup(a->arena, item->title);
        }
        if (a->meta[WN_META_AUTHOR] == NULL && item->author != NULL) {
            a->meta[WN_META_AUTHOR] = wn_arena_strdup(a->arena, item->author);
        }
        if (a->meta[WN_META_PUBLISHED] == NULL
            && item->published != WN_TIME_NONE) {
            char buf[WN_TIME_BUFSZ];
            wn_time_format(item->published, buf);
            a->meta[WN_META_PUBLISHED] = wn_arena_strdup(a->arena, buf);
        }
    }
    if (a->meta[WN_META_SITE] == NULL && host != NULL && *host != '\0') {
        a->meta[WN_META_SITE] = wn_arena_strdup(a->arena, host);
    }
    a->tags = doc->tags;
    a->ntags = doc->ntags;
    a->main_why = doc->main_why;
    if (doc->nremovals > 0) {
        a->removals =
            wn_arena_alloc(a->arena, doc->nremovals * sizeof(*a->removals));
        if (a->removals == NULL) {
            return WN_ENOMEM;
        }
        memcpy(a->removals, doc->removals,
               doc->nremovals * sizeof(*a->removals));
        a->nremovals = doc->nremovals;
    }
    return 0;
}

/* Appends s (NUL included) at *p; returns the copy. */
static const char *
wn_extract_put(char **p, const char *s, size_t n)
{
    char *copy = *p;

    memcpy(copy, s, n);
    copy[n] = '\0';
    *p += n + 1;
    return copy;
}

/*
 * A cleaned article keeps only its results: they move into one block of
 * an arena of their own, and the arena the cleaning worked in (the
 * document's blocks, the plugins' scratch: about five times the text)
 * goes.  A cleaned article may wait a while for the writer, beside up to
 * two store batches of others.  Explained articles (removals) stay as
 * they are; so does one that cannot be moved (out of memory).
 */
static void
wn_extract_compact(struct wn_article *a)
{
    struct wn_arena *to;
    size_t total = a->ntags * sizeof(*a->tags) + a->len + 1;
    const char **tags;
    char *p;

    if (a->nremovals > 0) {
        return;
    }
    for (int k = 0; k < WN_META_COUNT; k++) {
        total += a->meta[k] != NULL ? strlen(a->meta[k]) + 1 : 0;
    }
    for (size_t i = 0; i < a->ntags; i++) {
        total += strlen(a->tags[i]) + 1;
    }
    total += a->plugins != NULL ? strlen(a->plugins) + 1 : 0;
    total += a->main_why != NULL ? strlen(a->main_why) + 1 : 0;
    if (wn_arena_create(&to, total) != 0) {
        return;
    }
    tags = wn_arena_alloc(to, total); /* pointers first: aligned */
    if (tags == NULL) {
        wn_arena_destroy(to);
        return;
    }
    p = (char *) (tags + a->ntags);
    a->text = wn_extract_put(&p, a->text, a->len);
    for (int k = 0; k < WN_META_COUNT; k++) {
        if (a->meta[k] != NULL) {
            a->meta[k] = wn_extract_put(&p, a->meta[k], strlen(a->meta[k]));
        }
    }
    for (size_t i = 0; i < a->ntags; i++) {
        tags[i] = wn_extract_put(&p, a->tags[i], strlen(a->tags[i]));
    }
    a->tags = a->ntags > 0 ? tags : NULL;
    if (a->plugins != NULL) {
        a->plugins = wn_extract_put(&p, a->plugins, strlen(a->plugins));
    }
    if (a->main_why != NULL) {
        a->main_why = wn_extract_put(&p, a->main_why, strlen(a->main_why));
    }
    wn_arena_destroy(a->arena);
    a->arena = to;
}

int
wn_extract(const struct wn_plugins *ps, const struct wn_extract_in *in,
           struct wn_article **out, struct wn_err *err)
{
    struct wn_plugin_inst *chain[WN_EXTRACT_CHAIN_MAX], *failed = NULL;
    struct wn_plugin_inst *site = NULL;
    struct wn_article *a;
    struct wn_buf text, ran;
    struct wn_doc doc;
    char *host = NULL;
    size_t n = 0;
    int rc;

    *out = NULL;
    memset(&doc, 0, sizeof(doc));
    a = calloc(1, sizeof(*a));
    if (a == NULL) {
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    rc = wn_arena_create(&a->arena, WN_EXTRACT_ARENA_MAX);
    if (rc != 0) {
        free(a);
        return wn_err_set(err, rc, "out of memory");
    }
    wn_buf_init(&text, WN_ARTICLE_TEXT_MAX);
    wn_buf_init(&ran, 4096);

    rc = wn_extract_parse(in, a->arena, &doc, err);
    if (rc != 0) {
        goto failed;
    }
    if (in->url != NULL && !wn_url_is_file(in->url)) {
        wn_url_host(in->url, &host);
    }
    wn_plugins_chain(ps, host, chain, WN_EXTRACT_CHAIN_MAX, &n);
    rc = wn_extract_run(ps, chain, n, in, &doc, a->arena, &ran, &failed, &site,
                        err);
    if (rc == 0) {
        size_t paragraphs = 0;
        rc = wn_extract_normalize(&doc, a->arena, &text, &paragraphs);
        a->paragraphs = paragraphs;
        /* A site plugin that leaves nothing of a page, or more text than
         * can be stored, returned garbage. */
        if (site != NULL && site != ps->generic
            && ((rc == 0 && text.len == 0) || rc == WN_ETOOBIG))
        {
            failed = site;
            atomic_fetch_add(&failed->failures, 1);
            rc = wn_err_set(err, WN_EGARBAGE, "plugin %s: left %s",
                            failed->desc.name,
                            rc == 0 ? "no text" : "more text than is stored");
        }
    }
    if (rc != 0 && failed != NULL && failed != ps->generic
        && ps->generic != NULL) {
        struct wn_plugin_inst *generic = ps->generic;
        size_t paragraphs = 0;

        WN_LOG(WN_LOG_WARNING, "extract",
               "%s: %s; storing the generic cleaner's result",
               in->url ? in->url : "page", err->msg);
        wn_doc_free(&doc);
        wn_buf_reset(&text);
        wn_buf_reset(&ran);
        rc = wn_extract_parse(in, a->arena, &doc, err);
        if (rc == 0) {
            rc = wn_extract_run(ps, &generic, 1, in, &doc, a->arena, &ran,
                                &failed, &site, err);
        }
        if (rc == 0) {
            rc = wn_extract_normalize(&doc, a->arena, &text, &paragraphs);
            a->paragraphs = paragraphs;
        }
        a->flags |= WN_ARTICLE_FALLBACK;
    }
    if (rc != 0) {
        if (err->msg[0] == '\0') {
            wn_err_set(err, rc, "%s: %s", in->url ? in->url : "page",
                       wn_strerror(rc));
        }
        goto failed;
    }
    rc = wn_extract_finish(a, &doc, in, host);
    if (rc != 0) {
        wn_err_set(err, rc, "out of memory");
        goto failed;
    }
    a->text = wn_arena_strndup(a->arena, text.data ? text.data : "", text.len);
    a->plugins = wn_arena_strdup(a->arena, ran.data ? ran.data : "");
    if (a->text == NULL || a->plugins == NULL) {
        rc = wn_err_set(err, WN_ENOMEM, "out of memory");
        goto failed;
    }
    a->len = text.len;
    wn_text_hash(a->text, a->len, a->hash);
    a->simhash = wn_text_fingerprint(a->text, a->len, &a->words);
    if (wn_shingles_sketch_of(a->text, a->len, a->sketch, &a->nsketch) != 0) {
        a->nsketch = 0; /* the store makes it */
    }
    if (in->flags & WN_EXTRACT_FEED_CONTENT) {
        a->flags |= WN_ARTICLE_FEED_CONTENT;
    }
    wn_doc_free(&doc);
    wn_buf_free(&text);
    wn_buf_free(&ran);
    free(host);
    wn_extract_compact(a);
    *out = a;
    return 0;

failed:
    wn_doc_free(&doc);
    wn_buf_free(&text);
    wn_buf_free(&ran);
    free(host);
    wn_article_free(a);
    return rc;
}

void
wn_article_free(struct wn_article *a)
{
    if (a != NULL) {
        wn_arena_destroy(a->arena);
        free(a);
    }
}
