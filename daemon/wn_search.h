/*
 * wn_search.h: the SQLite store's full-text index, in a file of its own
 * beside the store (`<store>-search`) and written by a thread of its own.
 *
 * Kept in the store's own transactions, FTS5 (tokenizing every article
 * and merging its segments) cost the writer, the daemon's one serial
 * stage, more than everything else an article's insert does: on
 * bench/store_bench the store committed about 7,000 articles/s with it and
 * 32,000 without.  So the writer only commits articles, and an indexer
 * thread, with its own connections, copies what was committed into the
 * index:
 *
 *  - new articles: every article id above the index's watermark;
 *  - changed and deleted articles: the store's triggers log their ids in
 *    `search_dirty` (schema 8), and the indexer reads each one again.
 *
 * The watermark and the log position commit with the index rows they
 * describe, so a crash at any moment loses nothing: the indexer resumes
 * where its last commit ended.  The index is derived data: a missing file,
 * or one made for another store (the store's `search_meta` key differs),
 * is built again from the store.
 *
 * Searches see what the indexer has committed.  While the daemon is busy
 * that is a little behind the store; wn_search_sync() waits for it.
 */
#ifndef WN_SEARCH_H
#define WN_SEARCH_H

#include <stdint.h>

#include <winnow/error.h>

/* Articles (or logged changes) indexed per transaction of the indexer:
 * about a tenth of a second of FTS5 work, so that stopping waits no
 * longer, and the store's WAL is not pinned by a long read. */
#define WN_SEARCH_BATCH 1000
/* Suffix of the index's file after the store's path. */
#define WN_SEARCH_SUFFIX "-search"
/* The index file's own schema (its user_version). */
#define WN_SEARCH_SCHEMA_VERSION 1

struct wn_search;

/* `<store_path>-search`, malloc'd; NULL when out of memory. */
char *wn_search_path(const char *store_path);

/*
 * Starts the indexer of the SQLite store at `store_path` (a store at
 * schema 8 or later, already migrated).  The thread opens its connections
 * and catches up at once.  Returns 0, or WN_ENOMEM / a libuv error with
 * `err` set (then the store works without an index being written).
 */
int wn_search_start(const char *store_path, struct wn_search **out,
                    struct wn_err *err);

/* After a commit that wrote: there may be articles to index.  Cheap (a
 * mutex and a signal); never waits for the indexer.  x may be NULL. */
void wn_search_kick(struct wn_search *x);

/*
 * Waits until everything committed before the call is indexed.  Returns
 * 0, or WN_ESTORE with `err` naming the index file and why (it cannot be
 * opened or written: then searches see an index behind the store).
 */
int wn_search_sync(struct wn_search *x, struct wn_err *err);

/* Caps the index file like the store (PRAGMA max_page_count; 0: none),
 * from the indexer's next transaction on. */
void wn_search_limit(struct wn_search *x, int64_t max_bytes);

/* What the indexer did (thread-safe; the unit test reads it). */
struct wn_search_stats {
    uint64_t indexed;  /* new articles added */
    uint64_t resynced; /* logged changes applied */
    uint64_t rounds;   /* transactions committed */
    uint64_t rebuilds; /* times the index was started again from nothing */
};
void wn_search_stats(struct wn_search *x, struct wn_search_stats *out);

/*
 * Ends the thread after its current transaction (it does not catch up:
 * what is left is indexed at the next start) and closes its connections.
 * x may be NULL.
 */
void wn_search_stop(struct wn_search *x);

#endif /* WN_SEARCH_H */
