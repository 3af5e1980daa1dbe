/*
 * wn_ingest.h: the pipeline of DESIGN.md's data flow, for one daemon:
 * fetch a feed (wn_fetch) -> parse it on the threadpool (wn_feed) -> record
 * it and learn which items are new (wn_writer) -> fetch the article pages
 * of new items, politely bounded -> clean them on the threadpool
 * (wn_extract) -> store them (wn_writer).  It decides nothing about when a
 * feed is due (wn_sched and the commands do) and owns no handle but its
 * own queues.
 *
 * Loop thread only, except the work callbacks it queues.
 */
#ifndef WN_INGEST_H
#define WN_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "wn_heap.h"

struct wn_conf;
struct wn_conf_feed;
struct wn_fetcher;
struct wn_plugins;
struct wn_writer;
struct wn_ingest;

/* A feed as the daemon tracks it. */
struct wn_ingest_feed {
    const struct wn_conf_feed *conf; /* borrowed from the configuration */
    int64_t store_id;
    char *etag; /* validators, owned */
    char *last_modified;
    char *fetch_url;     /* where a permanent redirect led, owned, or NULL */
    int64_t next_fetch;  /* Unix seconds, from the store or the schedule */
    long error_count;    /* consecutive failures */
    long interval;       /* s, the last interval chosen from hints, or 0 */
    uint32_t skip_hours; /* the feed's skipHours (bit per UTC hour) */
    unsigned char skip_days; /* its skipDays (bit per day, 0 Sunday) */
    unsigned char retired;   /* 410 Gone: not fetched until its URL changes */
    unsigned char rate_limited; /* its last error was a 429/503 (Retry-After) */
    unsigned char busy; /* a pass over this feed is waiting or in flight */
    struct wn_heap_entry sched;       /* the scheduler's entry */
    struct wn_ingest_feed *wait_next; /* in the ingest's waiting list */
};

struct wn_ingest_stats {
    uint64_t feeds_ok, feeds_not_modified, feeds_failed;
    uint64_t items_seen, items_new;
    uint64_t articles_stored, articles_failed, articles_from_feed;
    size_t feeds_busy, feeds_waiting, articles_active, articles_queued;
    size_t feeds_parked; /* fetched, parse waiting, body on disk */
};

/* The URL a feed is fetched from: its permanent new address, if any. */
const char *wn_ingest_feed_url(const struct wn_ingest_feed *feed);

/* Called on the loop thread when a feed's pass ends (ok: fetched or 304). */
typedef void (*wn_ingest_feed_cb)(struct wn_ingest_feed *feed, int ok,
                                  void *arg);

/* Called on the loop thread each time nothing is in flight any more. */
typedef void (*wn_ingest_idle_cb)(void *arg);

struct wn_ingest_opts {
    uv_loop_t *loop;
    const struct wn_conf *conf;
    const struct wn_plugins *plugins;
    struct wn_fetcher *fetcher;
    struct wn_writer *writer;
    struct wn_sinks *sinks;   /* stored articles go there; may be NULL */
    const volatile int *stop; /* set when stopping; seen by plugins */
    wn_ingest_feed_cb feed_cb;
    wn_ingest_idle_cb idle_cb;
    void *arg;
};

int wn_ingest_init(const struct wn_ingest_opts *opts, struct wn_ingest **out);

/*
 * Starts a pass over `feed`, or queues it while [fetch] max_transfers feeds
 * are in flight, or while the article backlog is over WN_INGEST_BACKLOG
 * pages per [fetch] max_articles and no fetched feed can be parked on disk
 * to wait for it (backpressure: the pages of feeds already read go first,
 * so memory does not grow with the number of feeds).  Returns 0 and
 * calls feed_cb once later (also when the fetch is refused at once: that is
 * a failed pass, logged and recorded), or WN_EINVAL when the feed is busy,
 * without calling it.
 */
int wn_ingest_feed(struct wn_ingest *in, struct wn_ingest_feed *feed);

/*
 * Queues the article of an item an earlier run stored but could not
 * finish.  `feed` may be NULL (its policy then defaults to auto).
 */
int wn_ingest_pending(struct wn_ingest *in, struct wn_ingest_feed *feed,
                      const char *url, const char *title, const char *author,
                      const char *summary, int64_t published);

/* Starts what waited for room (a sink that was full has room again). */
void wn_ingest_kick(struct wn_ingest *in);

/*
 * Makes later work use `conf`, `plugins` and `fetcher` (SIGHUP).  Work in
 * flight finishes with what it started with: the caller keeps the old ones
 * alive until wn_ingest_idle() (the old fetcher: until its transfers end).
 */
void wn_ingest_reconfigure(struct wn_ingest *in, const struct wn_conf *conf,
                           const struct wn_plugins *plugins,
                           struct wn_fetcher *fetcher);

/* True when no feed, article or write is in flight or queued. */
int wn_ingest_idle(const struct wn_ingest *in);

/* Stops taking new article work: queued articles are dropped (their items
 * stay pending in the store for the next run). */
void wn_ingest_drain(struct wn_ingest *in);

void wn_ingest_stats(const struct wn_ingest *in, struct wn_ingest_stats *out);

/* Frees the ingest; only when idle. */
void wn_ingest_free(struct wn_ingest *in);

#endif /* WN_INGEST_H */
