/*
 * wn_cmd_store.c: the commands that work on what is stored rather than on
 * feeds: `winnowd search` (full-text search with filters) and `winnowd
 * reclean` (re-running the current plugins over kept raw pages).  The SQL
 * is the store's; this file parses options and prints.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wn_cmd.h"
#include "wn_conf.h"
#include "wn_err.h"
#include "wn_extract.h"
#include "wn_log.h"
#include "wn_page.h"
#include "wn_plugin.h"
#include "wn_store.h"
#include "wn_time.h"

/* Pages re-cleaned per transaction. */
#define WN_CMD_RECLEAN_BATCH 200

int
wn_cmd_time_arg(const char *opt, const char *v, int64_t *out)
{
    long ms;

    if (wn_time_parse(v, out) == 0) {
        return 0;
    }
    if (wn_conf_parse_duration(v, &ms) == 0) {
        *out = wn_time_now() - ms / 1000;
        return 0;
    }
    fprintf(stderr,
            "winnowd: %s %s: not a time (2021-02-24T12:00:00Z) or a duration "
            "ago (36h, 7d)\n",
            opt, v);
    return -1;
}

/* ---- search ---- */

static void
wn_cmd_json_str(json_t *obj, const char *key, const char *v)
{
    json_object_set_new(obj, key, v != NULL ? json_string(v) : json_null());
}

static int
wn_cmd_search_hit(const struct wn_store_hit *h, void *arg)
{
    const int *json = arg;
    char when[WN_TIME_BUFSZ] = "";
    int64_t t = h->published != WN_TIME_NONE ? h->published : h->stored_at;

    wn_time_format(t, when);
    if (*json) {
        json_t *obj = json_object();
        char *line;
        wn_cmd_json_str(obj, "url", h->url);
        wn_cmd_json_str(obj, "feed", h->feed);
        wn_cmd_json_str(obj, "title", h->title);
        wn_cmd_json_str(obj, "site", h->site);
        wn_cmd_json_str(obj, "published",
                        h->published != WN_TIME_NONE ? when : NULL);
        wn_cmd_json_str(obj, "story", h->story);
        json_object_set_new(obj, "rank", json_real(h->rank));
        wn_cmd_json_str(obj, "snippet", h->snippet);
        line = json_dumps(obj, JSON_COMPACT);
        json_decref(obj);
        if (line == NULL) {
            return -1;
        }
        puts(line);
        free(line);
    } else {
        printf("%s\n  %s, %s, %s\n  %s\n\n",
               h->title != NULL ? h->title : "(untitled)",
               h->site != NULL ? h->site : "?", when, h->url,
               h->snippet != NULL ? h->snippet : "");
    }
    return ferror(stdout) ? -1 : 0;
}

int
wn_cmd_search(const struct wn_opts *o)
{
    struct wn_store_query q;
    struct wn_store *store = NULL;
    struct wn_conf *conf;
    struct wn_err err;
    int rc, json = o->json;

    if (o->file == NULL) {
        fprintf(stderr, "winnowd search: needs a QUERY\n");
        return WN_EXIT_USAGE;
    }
    memset(&q, 0, sizeof(q));
    q.match = o->file;
    q.feed = o->feed;
    q.site = o->site;
    q.since = q.until = WN_TIME_NONE;
    if ((o->since != NULL && wn_cmd_time_arg("--since", o->since, &q.since))
        || (o->until != NULL && wn_cmd_time_arg("--until", o->until, &q.until)))
    {
        return WN_EXIT_USAGE;
    }
    q.limit = o->limit > 0 ? (size_t) o->limit : 0;
    conf = wn_cmd_conf(o, 0);
    if (conf == NULL) {
        return WN_EXIT_CONFIG;
    }
    wn_err_clear(&err);
    rc = wn_store_open(conf->store_path, WN_STORE_READONLY, &store, &err);
    if (rc == 0) {
        rc = wn_store_search(store, &q, wn_cmd_search_hit, &json, &err);
    }
    if (rc < 0) {
        fprintf(stderr, "winnowd: search: %s\n", err.msg);
    }
    wn_store_close(store);
    wn_conf_free(conf);
    return rc < 0 ? WN_EXIT_FAILURE : WN_EXIT_OK;
}

/* ---- reclean ---- */

struct wn_cmd_reclean {
    struct wn_store *store;
    struct wn_plugins *plugins;
    size_t seen, changed, failed, in_batch;
    int rc;
    struct wn_err err;
};

static int
wn_cmd_reclean_page(const struct wn_store_kept *k, void *arg)
{
    struct wn_cmd_reclean *r = arg;
    struct wn_extract_in in;
    struct wn_item item;
    struct wn_article *a = NULL;
    struct wn_err err;
    char *page = NULL;
    size_t len;
    int rc;

    r->seen++;
    wn_err_clear(&err);
    rc = wn_page_unpack(k->data, k->size, &page, &len);
    if (rc != 0) {
        fprintf(stderr, "winnowd: reclean: %s: kept page unusable: %s\n",
                k->url, wn_strerror(rc));
        r->failed++;
        return 0;
    }
    memset(&item, 0, sizeof(item));
    item.size = sizeof(item);
    item.url = k->fetched_url != NULL ? k->fetched_url : k->url;
    item.title = k->title;
    item.author = k->author;
    item.published = k->published;
    memset(&in, 0, sizeof(in));
    in.data = page;
    in.len = len;
    in.url = item.url;
    in.content_type = k->content_type;
    in.item = &item;
    rc = wn_extract(r->plugins, &in, &a, &err);
    free(page);
    if (rc != 0 || a->len == 0) {
        fprintf(stderr, "winnowd: reclean: %s: %s\n", k->url,
                rc != 0 ? err.msg : "no text left after cleaning");
        r->failed++;
        wn_article_free(a);
        return 0;
    }
    if (strcmp(a->hash, k->hash != NULL ? k->hash : "") != 0
        || strcmp(a->plugins != NULL ? a->plugins : "",
                  k->plugins != NULL ? k->plugins : "")
               != 0)
    {
        rc = wn_store_article_put(r->store, a, k->url, k->fetched_url,
                                  wn_time_now(), &r->err);
        if (rc != 0) {
            r->rc = rc;
            wn_article_free(a);
            return 1;
        }
        r->changed++;
        WN_LOG(WN_LOG_INFO, "reclean", "%s: %zu words, %s", k->url, a->words,
               a->plugins != NULL ? a->plugins : "no plugins");
    }
    wn_article_free(a);
    if (++r->in_batch == WN_CMD_RECLEAN_BATCH) {
        r->in_batch = 0;
        r->rc = wn_store_commit(r->store, &r->err);
        if (r->rc == 0) {
            r->rc = wn_store_begin(r->store, &r->err);
        }
        return r->rc != 0;
    }
    return 0;
}

int
wn_cmd_reclean(const struct wn_opts *o)
{
    struct wn_cmd_reclean r;
    struct wn_conf *conf;
    int64_t since = 0;
    int rc;

    if (o->since != NULL && wn_cmd_time_arg("--since", o->since, &since) != 0) {
        return WN_EXIT_USAGE;
    }
    conf = wn_cmd_conf(o, 0);
    if (conf == NULL) {
        return WN_EXIT_CONFIG;
    }
    memset(&r, 0, sizeof(r));
    wn_err_clear(&r.err);
    if (wn_plugins_load(conf, &r.plugins, NULL) != 0) {
        fprintf(stderr, "winnowd: reclean: no plugins loaded from %s\n",
                conf->plugin_dir);
    }
    rc = wn_store_open(conf->store_path, 0, &r.store, &r.err);
    if (rc == 0) {
        rc = wn_store_begin(r.store, &r.err);
    }
    if (rc == 0) {
        rc = wn_store_kept_pages(r.store, o->site, since, wn_cmd_reclean_page,
                                 &r, &r.err);
        if (rc >= 0 && r.rc != 0) {
            rc = r.rc;
        }
        if (rc >= 0) {
            rc = wn_store_commit(r.store, &r.err);
        } else {
            wn_store_rollback(r.store);
        }
    }
    if (rc < 0) {
        fprintf(stderr, "winnowd: reclean: %s\n", r.err.msg);
    } else {
        printf("reclean: %zu kept pages, %zu changed, %zu failed\n", r.seen,
               r.changed, r.failed);
        if (wn_store_search_sync(r.store, &r.err) != 0) {
            fprintf(stderr, "winnowd: reclean: %s\n", r.err.msg);
        }
    }
    wn_store_close(r.store);
    wn_plugins_free(r.plugins);
    wn_conf_free(conf);
    return rc < 0 ? WN_EXIT_FAILURE : WN_EXIT_OK;
}
