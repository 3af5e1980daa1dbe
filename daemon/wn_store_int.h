/*
 * wn_store_int.h: the interface between wn_store.c and its backends
 * (wn_store_sqlite.c, wn_store_pg.c).  A backend embeds struct wn_store as
 * its first member and fills the function table; wn_store.c only forwards.
 * Nothing outside the store includes this file.
 */
#ifndef WN_STORE_INT_H
#define WN_STORE_INT_H

#include "wn_store.h"
#include "wn_text.h"

/*
 * One backend.  Every entry has the contract of the wn_store_* function of
 * the same name in wn_store.h; all are required.
 */
struct wn_store_ops {
    const char *name; /* "sqlite", "postgresql" */
    void (*close)(struct wn_store *s);
    int (*begin)(struct wn_store *s, struct wn_err *err);
    int (*commit)(struct wn_store *s, struct wn_err *err);
    void (*rollback)(struct wn_store *s);
    int (*savepoint)(struct wn_store *s, struct wn_err *err);
    int (*release)(struct wn_store *s, int ok, struct wn_err *err);
    int (*feed_sync)(struct wn_store *s, const char *name, const char *url,
                     struct wn_store_feed *out, struct wn_err *err);
    int (*feed_fetched)(struct wn_store *s, const struct wn_store_fetch *f,
                        struct wn_err *err);
    int (*feeds)(struct wn_store *s, wn_store_feed_row_cb cb, void *arg,
                 struct wn_err *err);
    int (*item_put)(struct wn_store *s, int64_t feed_id,
                    const struct wn_feed_item *item, const char *url,
                    int64_t now, int *want, struct wn_err *err);
    int (*item_failed)(struct wn_store *s, const char *url, const char *why,
                       struct wn_err *err);
    int (*article_put)(struct wn_store *s, const struct wn_article *a,
                       const char *url, const char *fetched_url, int64_t now,
                       struct wn_err *err);
    int (*article_exists)(struct wn_store *s, const char *url,
                          struct wn_err *err);
    int (*pending)(struct wn_store *s, size_t limit, wn_store_pending_cb cb,
                   void *arg, struct wn_err *err);
    int (*articles)(struct wn_store *s, int64_t since, wn_store_row_cb cb,
                    void *arg, struct wn_err *err);
    int (*counts)(struct wn_store *s, struct wn_store_counts *out,
                  struct wn_err *err);
    int (*page_put)(struct wn_store *s, const char *url,
                    const struct wn_store_page *p, struct wn_err *err);
    int (*kept_pages)(struct wn_store *s, const char *host, int64_t since,
                      wn_store_kept_cb cb, void *arg, struct wn_err *err);
    int (*feed_keep)(struct wn_store *s, int64_t feed_id, long keep_days,
                     struct wn_err *err);
    int (*retain)(struct wn_store *s, struct wn_store_retain *r,
                  struct wn_err *err);
    int (*limit)(struct wn_store *s, int64_t max_bytes,
                 struct wn_err *err); /* may be NULL */
    int (*lease)(struct wn_store *s, const char *owner, int64_t now,
                 long lease_secs, size_t max, wn_store_lease_cb cb, void *arg,
                 struct wn_err *err); /* NULL: no shared feed set */
    int (*search)(struct wn_store *s, const struct wn_store_query *q,
                  wn_store_hit_cb cb, void *arg, struct wn_err *err);
    int (*search_sync)(struct wn_store *s,
                       struct wn_err *err); /* NULL: always in step */
    /* The admin endpoint's reports; each may be NULL. */
    int (*feed_report)(struct wn_store *s, wn_store_feed_report_cb cb,
                       void *arg, struct wn_err *err);
    int (*item_days)(struct wn_store *s, int64_t since, wn_store_day_cb cb,
                     void *arg, struct wn_err *err);
    int (*size)(struct wn_store *s, int64_t *bytes, struct wn_err *err);
};

struct wn_store {
    const struct wn_store_ops *ops;
    int down;      /* the last write failed for want of space or access */
    int down_txn;  /* ...and it failed inside the open transaction */
    char why[256]; /* the reason, when down */
};

/* Backends call these: a write failed for want of space or access (`why`
 * is the message), or a commit that wrote succeeded.  A commit does not
 * make the store up again when a write inside its own transaction failed
 * that way (the writer rolls that write back and commits the others: a
 * full disk still takes small rows). */
void wn_store_set_down(struct wn_store *s, const char *why);
void wn_store_set_up(struct wn_store *s);

/*
 * An item's content identity within its feed (title and content or
 * summary, hashed); 0 when it has no content to go by.
 */
int wn_store_item_chash(const struct wn_feed_item *item,
                        char out[WN_TEXT_HASH_HEX + 1]);

/* The SQLite backend: `path` is a file name. */
int wn_store_sqlite_open(const char *path, unsigned flags,
                         struct wn_store **out, struct wn_err *err);

#ifdef WN_HAVE_LIBPQ
/* The PostgreSQL backend: `uri` is a libpq connection URI. */
int wn_store_pg_open(const char *uri, unsigned flags, struct wn_store **out,
                     struct wn_err *err);
#endif

#endif /* WN_STORE_INT_H */
