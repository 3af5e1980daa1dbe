/*
 * wn_store.h: the store interface: feeds, items and article text behind
 * one function table, with SQLite (the embedded default) and PostgreSQL
 * backends.  Synchronous and thread-confined: one struct wn_store is used by
 * one thread at a time (the writer's batches, or a command).  It knows
 * nothing about fetching or the loop; wn_writer.c batches calls into
 * transactions off the loop thread.
 */
#ifndef WN_STORE_H
#define WN_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <winnow/error.h>

#define WN_STORE_SCHEMA_VERSION 8
#define WN_STORE_BUSY_MS        5000 /* wait for another writer's lock */
/* SQLite: WAL pages after which a commit copies them back into the
 * database (and fsyncs it): 10,000 (40 MB of WAL) instead of SQLite's 1,000
 * writes a page changed by many transactions back once, and fsyncs a tenth
 * as often.  bench/store_bench, 60,000 articles of 50 words, alternating
 * runs: 13,000-15,700 articles/s at 1,000, 14,000-18,600 at 10,000. */
#define WN_STORE_SQLITE_CHECKPOINT_PAGES 10000
/* ...but from this many, a thread of the store's own copies them back
 * (wn_checkpoint.h), so that at 10,000 the writer has little left to do. */
#define WN_STORE_SQLITE_CHECKPOINT_BG_PAGES 4000
/* Article fetches per item before giving up. */
#define WN_STORE_ITEM_ATTEMPTS 3
/* Candidates whose whole text is compared, those sharing most keys first. */
#define WN_STORE_STORY_VERIFY 4
/* Search results when the caller sets no limit, and at most. */
#define WN_STORE_SEARCH_LIMIT     20
#define WN_STORE_SEARCH_LIMIT_MAX 10000
/* Unfiltered searches rank the newest matches, this many at most. */
#define WN_STORE_SEARCH_WINDOW 2000

struct wn_store;
struct wn_article;
struct wn_feed_item;

#define WN_STORE_READONLY 0x1u

/*
 * Opens (creating and migrating unless read-only) the store at `path`: a
 * SQLite file name, or a PostgreSQL connection URI (postgresql://...).
 * Errors name the location and the reason.
 */
int wn_store_open(const char *path, unsigned flags, struct wn_store **out,
                  struct wn_err *err);
void wn_store_close(struct wn_store *s);

/*
 * Caps the database at about max_bytes (0: no cap); a write past it fails
 * as a full disk would, and the store reports itself down until space is
 * freed.  SQLite only (max_page_count); other backends return WN_EINVAL.
 */
int wn_store_limit(struct wn_store *s, int64_t max_bytes, struct wn_err *err);

/* ---- shared feed sets (PostgreSQL) ---- */

/* True when several daemons may share this store's feeds through leases. */
int wn_store_shared(const struct wn_store *s);

typedef int (*wn_store_lease_cb)(int64_t feed_id, void *arg);

/*
 * Leases at most `max` feeds that are due at `now` and not leased by a live
 * daemon to `owner` until now + lease_secs, calling cb for each (a non-zero
 * return stops the calls, not the leases).  wn_store_feed_fetched() ends a
 * lease; an expired lease is free for any daemon.  Returns the number
 * leased or < 0 (WN_EINVAL when the store is not shared).
 */
int wn_store_lease(struct wn_store *s, const char *owner, int64_t now,
                   long lease_secs, size_t max, wn_store_lease_cb cb, void *arg,
                   struct wn_err *err);

/* The backend's name: "sqlite" or "postgresql". */
const char *wn_store_backend(const struct wn_store *s);

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
    char *fetch_url;     /* malloc'd, where a permanent redirect led, or NULL */
    int64_t retired;     /* when a 410 retired it, or WN_TIME_NONE */
    long interval;       /* s, the interval last chosen, or 0 */
    char *error_class;   /* malloc'd: the last error's class while failing */
    uint32_t skip_hours; /* the last document's skipHours (bit per hour) */
    unsigned skip_days;  /* its skipDays (bit per day, 0 Sunday) */
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
    const char *fetch_url;   /* new address (301/308), or NULL: unchanged */
    const char *error_class; /* when !ok: wn_fetch_class_name() */
    int retired;             /* when !ok: 410 Gone, fetch no more */
    long interval;           /* when ok: s until the next fetch */
    uint32_t skip_hours;     /* when ok: the hours and days the feed asks */
    unsigned skip_days;      /* not to be fetched (kept across restarts) */
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

/* One feed's state, for `winnowd feeds`; strings may be NULL. */
struct wn_store_feed_row {
    const char *name, *url, *fetch_url, *title, *last_error, *error_class;
    int64_t last_fetch, last_ok, retired; /* or WN_TIME_NONE */
    int64_t next_fetch;
    long last_status, error_count, interval;
};

typedef int (*wn_store_feed_row_cb)(const struct wn_store_feed_row *row,
                                    void *arg);

/* Calls cb for every feed, by name; stops early when cb returns non-zero. */
int wn_store_feeds(struct wn_store *s, wn_store_feed_row_cb cb, void *arg,
                   struct wn_err *err);

/* Calls cb for every article stored at or after `since` (Unix seconds),
 * oldest first; stops early when cb returns non-zero. */
int wn_store_articles(struct wn_store *s, int64_t since, wn_store_row_cb cb,
                      void *arg, struct wn_err *err);

/* Counts for summaries and tests.  pending: item URLs without an article
 * that are still to be fetched (attempts left; not those whose fetches
 * failed for good or whose article expired). */
struct wn_store_counts {
    long feeds, items, articles, pending;
};
int wn_store_counts(struct wn_store *s, struct wn_store_counts *out,
                    struct wn_err *err);

/* ---- raw pages (kept for re-cleaning) ---- */

/* A raw page as fetched, packed by wn_page_pack(). */
struct wn_store_page {
    const char *content_type; /* or NULL */
    const void *data;         /* packed bytes */
    size_t size;              /* packed size */
    int64_t fetched_at;
};

/*
 * Keeps the raw page of the article stored under canonical `url` (call
 * after wn_store_article_put() in the same transaction); replaces an
 * earlier one.  0 or < 0.
 */
int wn_store_page_put(struct wn_store *s, const char *url,
                      const struct wn_store_page *p, struct wn_err *err);

/* One kept page with what re-cleaning needs; borrowed for the callback. */
struct wn_store_kept {
    int64_t article_id;
    const char *url, *fetched_url, *content_type, *title, *author, *plugins;
    const char *hash;
    int64_t published, fetched_at;
    const void *data; /* packed */
    size_t size;
};

typedef int (*wn_store_kept_cb)(const struct wn_store_kept *k, void *arg);

/*
 * Calls cb for every kept page whose article's host is `host` or a
 * subdomain of it (NULL: any) and was stored at or after `since`, oldest
 * first.  cb may write to the store (the list is taken first); a non-zero
 * return stops.  Returns the number of pages visited or < 0.
 */
int wn_store_kept_pages(struct wn_store *s, const char *host, int64_t since,
                        wn_store_kept_cb cb, void *arg, struct wn_err *err);

/* ---- retention ---- */

/* Sets a feed's own retention in days (< 0: the store-wide default). */
int wn_store_feed_keep(struct wn_store *s, int64_t feed_id, long keep_days,
                       struct wn_err *err);

struct wn_store_retain {
    int64_t now;
    long keep_days;       /* articles: 0 keeps them for ever */
    long keep_pages_days; /* raw pages: 0 keeps them as long as the article */
    long articles, pages; /* out: how many were deleted */
    long limit; /* articles, and pages, deleted per call at most; 0: all */
    int more;   /* out: a limit was reached, more may have expired */
};

/*
 * Deletes articles stored more than keep_days ago (a feed's own keep_days
 * wins), with their pages, search entries and story keys, and raw pages
 * older than keep_pages_days.  Items stay, their fetches used up
 * (attempts = WN_STORE_ITEM_ATTEMPTS), so an expired article is fetched
 * again neither when its feed still lists it nor as pending.  With a
 * limit, the oldest (lowest ids) go first and `more` says to call again.
 * Restartable in one transaction (it only deletes; the counts are reset).
 * 0 or < 0.
 */
int wn_store_retain(struct wn_store *s, struct wn_store_retain *r,
                    struct wn_err *err);

/* ---- search ---- */

struct wn_store_query {
    const char *match;    /* words (all must match), or FTS5 query syntax */
    const char *feed;     /* a feed that listed it, or NULL */
    const char *site;     /* host (subdomains too), or NULL */
    int64_t since, until; /* published (stored when unknown) in [since,
                             until); WN_TIME_NONE for no bound */
    size_t limit;         /* 0: WN_STORE_SEARCH_LIMIT */
};

/* One hit, best first; strings borrowed for the callback.  The snippet
 * marks matched words with [ and ]. */
struct wn_store_hit {
    const char *url, *feed, *title, *site, *snippet, *story;
    int64_t published, stored_at;
    double rank; /* lower is better (bm25) */
};

typedef int (*wn_store_hit_cb)(const struct wn_store_hit *h, void *arg);

/*
 * Full-text search over titles (weighted up) and texts, best first among
 * the WN_STORE_SEARCH_WINDOW newest matches that pass the filters (SQLite;
 * PostgreSQL ranks every match).  Words that are not valid
 * FTS5 syntax are searched as plain words.  Returns hits or < 0.
 */
int wn_store_search(struct wn_store *s, const struct wn_store_query *q,
                    wn_store_hit_cb cb, void *arg, struct wn_err *err);

/*
 * Waits until the search index holds every article this store committed
 * (SQLite indexes on a thread of its own, a little behind the writer; a
 * search on a writable store does this first).  `winnowd once` and
 * `reclean` call it before they exit.  Returns 0, or < 0 when the index
 * cannot be written (then searches miss the newest articles).
 */
int wn_store_search_sync(struct wn_store *s, struct wn_err *err);

/* ---- health ---- */

/*
 * 1 when the store takes writes, 0 when the last write failed because the
 * disk is full, the database read-only or I/O failed (why gets the reason);
 * a later commit that wrote, with no such failure in its transaction,
 * makes it 1 again.  Not thread-safe: call it
 * where the store is used (the writer reads it between batches).
 */
int wn_store_health(const struct wn_store *s, char *why, size_t n);

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
