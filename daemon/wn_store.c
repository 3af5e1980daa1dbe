/*
 * wn_store.c: the store interface: picks the backend from the configured
 * location and forwards each call to its function table.  It holds no SQL;
 * the backends (wn_store_sqlite.c, wn_store_pg.c) do.
 */
#include "wn_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wn_err.h"
#include "wn_feed.h"
#include "wn_store_int.h"
#include "wn_text.h"

int
wn_store_open(const char *path, unsigned flags, struct wn_store **out,
              struct wn_err *err)
{
    *out = NULL;
    if (path == NULL || path[0] == '\0') {
        return wn_err_set(err, WN_EINVAL, "store: no path configured");
    }
    if (strncmp(path, "postgresql://", 13) == 0
        || strncmp(path, "postgres://", 11) == 0)
    {
#ifdef WN_HAVE_LIBPQ
        return wn_store_pg_open(path, flags, out, err);
#else
        return wn_err_set(err, WN_ECONFIG,
                          "store: this winnowd was built without PostgreSQL "
                          "(libpq)");
#endif
    }
    return wn_store_sqlite_open(path, flags, out, err);
}

int
wn_store_limit(struct wn_store *s, int64_t max_bytes, struct wn_err *err)
{
    if (s->ops->limit == NULL) {
        return wn_err_set(err, WN_EINVAL,
                          "store: the %s backend has no size cap",
                          s->ops->name);
    }
    return s->ops->limit(s, max_bytes, err);
}

int
wn_store_shared(const struct wn_store *s)
{
    return s->ops->lease != NULL;
}

int
wn_store_lease(struct wn_store *s, const char *owner, int64_t now,
               long lease_secs, size_t max, wn_store_lease_cb cb, void *arg,
               struct wn_err *err)
{
    if (s->ops->lease == NULL) {
        return wn_err_set(err, WN_EINVAL,
                          "store: the %s backend does not lease feeds",
                          s->ops->name);
    }
    return s->ops->lease(s, owner, now, lease_secs, max, cb, arg, err);
}

const char *
wn_store_backend(const struct wn_store *s)
{
    return s->ops->name;
}

void
wn_store_close(struct wn_store *s)
{
    if (s != NULL) {
        s->ops->close(s);
    }
}

int
wn_store_begin(struct wn_store *s, struct wn_err *err)
{
    s->down_txn = 0;
    return s->ops->begin(s, err);
}

int
wn_store_commit(struct wn_store *s, struct wn_err *err)
{
    return s->ops->commit(s, err);
}

void
wn_store_rollback(struct wn_store *s)
{
    s->ops->rollback(s);
}

int
wn_store_savepoint(struct wn_store *s, struct wn_err *err)
{
    return s->ops->savepoint(s, err);
}

int
wn_store_release(struct wn_store *s, int ok, struct wn_err *err)
{
    return s->ops->release(s, ok, err);
}

int
wn_store_feed_sync(struct wn_store *s, const char *name, const char *url,
                   struct wn_store_feed *out, struct wn_err *err)
{
    return s->ops->feed_sync(s, name, url, out, err);
}

void
wn_store_feed_clear(struct wn_store_feed *f)
{
    free(f->etag);
    free(f->last_modified);
    free(f->fetch_url);
    free(f->error_class);
    memset(f, 0, sizeof(*f));
}

int
wn_store_feed_fetched(struct wn_store *s, const struct wn_store_fetch *f,
                      struct wn_err *err)
{
    return s->ops->feed_fetched(s, f, err);
}

int
wn_store_item_put(struct wn_store *s, int64_t feed_id,
                  const struct wn_feed_item *item, const char *url, int64_t now,
                  int *want, struct wn_err *err)
{
    return s->ops->item_put(s, feed_id, item, url, now, want, err);
}

int
wn_store_item_failed(struct wn_store *s, const char *url, const char *why,
                     struct wn_err *err)
{
    return s->ops->item_failed(s, url, why, err);
}

int
wn_store_article_put(struct wn_store *s, const struct wn_article *a,
                     const char *url, const char *fetched_url, int64_t now,
                     struct wn_err *err)
{
    return s->ops->article_put(s, a, url, fetched_url, now, err);
}

int
wn_store_article_exists(struct wn_store *s, const char *url, struct wn_err *err)
{
    return s->ops->article_exists(s, url, err);
}

int
wn_store_pending(struct wn_store *s, size_t limit, wn_store_pending_cb cb,
                 void *arg, struct wn_err *err)
{
    return s->ops->pending(s, limit, cb, arg, err);
}

int
wn_store_articles(struct wn_store *s, int64_t since, wn_store_row_cb cb,
                  void *arg, struct wn_err *err)
{
    return s->ops->articles(s, since, cb, arg, err);
}

int
wn_store_feeds(struct wn_store *s, wn_store_feed_row_cb cb, void *arg,
               struct wn_err *err)
{
    return s->ops->feeds(s, cb, arg, err);
}

int
wn_store_counts(struct wn_store *s, struct wn_store_counts *out,
                struct wn_err *err)
{
    return s->ops->counts(s, out, err);
}

int
wn_store_page_put(struct wn_store *s, const char *url,
                  const struct wn_store_page *p, struct wn_err *err)
{
    return s->ops->page_put(s, url, p, err);
}

int
wn_store_kept_pages(struct wn_store *s, const char *host, int64_t since,
                    wn_store_kept_cb cb, void *arg, struct wn_err *err)
{
    return s->ops->kept_pages(s, host, since, cb, arg, err);
}

int
wn_store_feed_keep(struct wn_store *s, int64_t feed_id, long keep_days,
                   struct wn_err *err)
{
    return s->ops->feed_keep(s, feed_id, keep_days, err);
}

int
wn_store_retain(struct wn_store *s, struct wn_store_retain *r,
                struct wn_err *err)
{
    r->articles = 0;
    r->pages = 0;
    return s->ops->retain(s, r, err);
}

int
wn_store_search(struct wn_store *s, const struct wn_store_query *q,
                wn_store_hit_cb cb, void *arg, struct wn_err *err)
{
    if (q->match == NULL || q->match[0] == '\0') {
        return wn_err_set(err, WN_EINVAL, "search: empty query");
    }
    return s->ops->search(s, q, cb, arg, err);
}

int
wn_store_search_sync(struct wn_store *s, struct wn_err *err)
{
    return s->ops->search_sync != NULL ? s->ops->search_sync(s, err) : 0;
}

void
wn_store_set_down(struct wn_store *s, const char *why)
{
    s->down = 1;
    s->down_txn = 1;
    snprintf(s->why, sizeof(s->why), "%s", why);
}

void
wn_store_set_up(struct wn_store *s)
{
    if (s->down_txn) {
        return; /* this transaction's own writes hit the wall */
    }
    s->down = 0;
    s->why[0] = '\0';
}

int
wn_store_health(const struct wn_store *s, char *why, size_t n)
{
    if (why != NULL && n > 0) {
        snprintf(why, n, "%s", s->down ? s->why : "");
    }
    return !s->down;
}

/*
 * The identity of an item's content within its feed: a hash of its title
 * and its content (or summary).  0 when it has neither content nor summary,
 * since a title alone is too weak to call two items one.
 */
int
wn_store_item_chash(const struct wn_feed_item *item,
                    char out[WN_TEXT_HASH_HEX + 1])
{
    const char *body =
        item->content_html != NULL ? item->content_html : item->summary;
    const char *title = item->title != NULL ? item->title : "";
    size_t tl = strlen(title), bl;
    char *buf;

    if (body == NULL || body[0] == '\0') {
        return 0;
    }
    bl = strlen(body);
    buf = malloc(tl + bl + 2);
    if (buf == NULL) {
        return 0;
    }
    memcpy(buf, title, tl);
    buf[tl] = '\n';
    memcpy(buf + tl + 1, body, bl + 1);
    wn_text_hash(buf, tl + bl + 1, out);
    free(buf);
    return 1;
}

/* ---- reports for the admin endpoint (wn_admin.c) ---- */

int
wn_store_feed_report(struct wn_store *s, wn_store_feed_report_cb cb, void *arg,
                     struct wn_err *err)
{
    if (s->ops->feed_report == NULL) {
        return wn_err_set(err, WN_EINVAL,
                          "store: the %s backend has no feed "
                          "report",
                          s->ops->name);
    }
    return s->ops->feed_report(s, cb, arg, err);
}

int
wn_store_item_days(struct wn_store *s, int64_t since, wn_store_day_cb cb,
                   void *arg, struct wn_err *err)
{
    if (s->ops->item_days == NULL) {
        return wn_err_set(err, WN_EINVAL,
                          "store: the %s backend has no items "
                          "per day",
                          s->ops->name);
    }
    return s->ops->item_days(s, since, cb, arg, err);
}

int
wn_store_size(struct wn_store *s, int64_t *bytes, struct wn_err *err)
{
    *bytes = 0;
    if (s->ops->size == NULL) {
        return wn_err_set(err, WN_EINVAL, "store: the %s backend has no size",
                          s->ops->name);
    }
    return s->ops->size(s, bytes, err);
}
