/*
 * wn_store.h: the SQLite store: schema and migrations, feeds, items and
 * article text.  Synchronous and thread-confined: one struct wn_store is
 * used by one thread at a time (the writer's batches, or a command).  It
 * knows nothing about fetching or the loop; wn_writer.c batches calls into
 * transactions off the loop thread.
 */
#ifndef WN_STORE_H
#define WN_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <winnow/error.h>

#define WN_STORE_SCHEMA_VERSION 1
#define WN_STORE_BUSY_MS        5000 /* wait for another writer's lock */
#define WN_STORE_ITEM_ATTEMPTS  3 /* article fetches per item before giving up \
                                   */

struct wn_store;
struct wn_article;
struct wn_feed_item;

#define WN_STORE_READONLY 0x1u

/* Opens (creating and migrating unless read-only) the database at path. */
int wn_store_open(const char *path, unsigned flags, struct wn_store **out,
                  struct wn_err *err);
void wn_store_close(struct wn_store *s);

int wn_store_begin(struct wn_store *s, struct wn_err *err);
int wn_store_commit(struct wn_store *s, struct wn_err *err);
void wn_store_rollback(struct wn_store *s);
int wn_store_savepoint(struct wn_store *s, struct wn_err *err);
int wn_store_release(struct wn_store *s, int ok, struct wn_err *err);

/* What the store remembers of a feed between fetches. */
struct wn_store_feed {
    int64_t id;
    char *etag;          /* malloc'd or NULL */
    char *last_modified; /* malloc'd or NULL */
    int64_t next_fetch;  /* Unix seconds, 0 when never fetched */
    long error_count;
};

/*
 * Makes sure feed `name` exists with `url`; a changed URL forgets the old
 * validators.  Fills *out (free with wn_store_feed_clear()).
 */
int wn_store_feed_sync(struct wn_store *s, const char *name, const char *url,
                       struct wn_store_feed *out, struct wn_err *err);
void wn_store_feed_clear(struct wn_store_feed *f);

/* The outcome of one fetch of a feed. */
struct wn_store_fetch {
    int64_t feed_id;
    int64_t fetched_at;
    int64_t next_fetch;
    long status;       /* HTTP status or 0 */
    int ok;            /* fetched (or 304) and parsed */
    const char *error; /* when !ok */
    const char *etag;  /* new validators when ok, else ignored */
    const char *last_modified;
    const char *title, *link, *format; /* feed metadata when parsed */
};

int wn_store_feed_fetched(struct wn_store *s, const struct wn_store_fetch *f,
                          struct wn_err *err);

/*
 * Records an item of a feed.  `url` is the canonical article URL (may be
 * NULL).  *want is set when the item still needs its article: it is new
 * (or was left pending by an earlier run with attempts left) and no
 * article with that URL is stored.  Returns 1 when the item is new, 0 when
 * it was known.
 */
int wn_store_item_put(struct wn_store *s, int64_t feed_id,
                      const struct wn_feed_item *item, const char *url,
                      int64_t now, int *want, struct wn_err *err);

/* Counts a failed attempt at the article of every item with `url`. */
int wn_store_item_failed(struct wn_store *s, const char *url, const char *why,
                         struct wn_err *err);

/* Stores an article under its canonical URL (idempotent: a second put of
 * the same URL replaces the text).  `fetched_url` is what was fetched. */
int wn_store_article_put(struct wn_store *s, const struct wn_article *a,
                         const char *url, const char *fetched_url, int64_t now,
                         struct wn_err *err);

/* True (1) when an article with this canonical URL is stored. */
int wn_store_article_exists(struct wn_store *s, const char *url,
                            struct wn_err *err);

/* An item whose article is still missing, from an earlier run. */
struct wn_store_pending {
    int64_t feed_id;
    const char *url, *link, *title, *author, *summary;
    int64_t published;
};

typedef int (*wn_store_pending_cb)(const struct wn_store_pending *p, void *arg);

/* Calls cb for at most `limit` items that still need their article and
 * have attempts left, one per URL. */
int wn_store_pending(struct wn_store *s, size_t limit, wn_store_pending_cb cb,
                     void *arg, struct wn_err *err);

/* One stored article, for export and listings; strings borrowed for the
 * duration of the callback. */
struct wn_store_row {
    const char *url, *feed, *title, *author, *site, *lang, *text, *plugins,
        *story, *tags;
    int64_t published, updated, stored_at;
    long words;
};

typedef int (*wn_store_row_cb)(const struct wn_store_row *row, void *arg);

/* Calls cb for every article stored at or after `since` (Unix seconds),
 * oldest first; stops early when cb returns non-zero. */
int wn_store_articles(struct wn_store *s, int64_t since, wn_store_row_cb cb,
                      void *arg, struct wn_err *err);

/* Counts for summaries and tests. */
struct wn_store_counts {
    long feeds, items, articles, pending;
};
int wn_store_counts(struct wn_store *s, struct wn_store_counts *out,
                    struct wn_err *err);

/* A feed's record, for the status page; strings borrowed for the
 * duration of the callback (NULL when unknown), times Unix seconds or 0. */
struct wn_store_feed_report {
    const char *name, *url, *title, *last_error;
    int64_t last_fetch, last_ok, next_fetch;
    long last_status, error_count;
};

typedef int (*wn_store_feed_report_cb)(const struct wn_store_feed_report *r,
                                       void *arg);

/* Calls cb for every feed in name order; stops when cb returns non-zero. */
int wn_store_feed_report(struct wn_store *s, wn_store_feed_report_cb cb,
                         void *arg, struct wn_err *err);

typedef int (*wn_store_day_cb)(const char *feed, int64_t day, long items,
                               void *arg);

/* Items first seen at or after `since`, counted per feed and UTC day (Unix
 * seconds / 86400). */
int wn_store_item_days(struct wn_store *s, int64_t since, wn_store_day_cb cb,
                       void *arg, struct wn_err *err);

/* The database's size in bytes. */
int wn_store_size(struct wn_store *s, int64_t *bytes, struct wn_err *err);

#endif /* WN_STORE_H */
