/*
 * wn_retain.h: retention while the daemon runs.  A timer submits one write
 * op at a time to the writer, so expiring articles and raw pages runs
 * inside a batch and never races the article writes; what each pass
 * removed is logged.  The SQL (a feed's own keep_days winning, items kept)
 * is the store's (wn_store_retain()).
 */
#ifndef WN_RETAIN_H
#define WN_RETAIN_H

#include <stdint.h>

#include <uv.h>

struct wn_retain;
struct wn_store_retain;
struct wn_writer;

/* Articles (and pages) one pass deletes at most, so that a backlog (a
 * keep_days just lowered) does not hold the writer for long; the rest
 * goes in the passes that follow, WN_RETAIN_AGAIN_MS apart (or every_ms
 * when shorter). */
#define WN_RETAIN_CHUNK    5000
#define WN_RETAIN_AGAIN_MS 1000

struct wn_retain_opts {
    uint64_t every_ms;    /* between passes ([store] retain_every); > 0 */
    long keep_days;       /* [store] keep_days: 0 keeps articles for ever */
    long keep_pages_days; /* [store] keep_pages_days */
    long chunk;           /* per pass; 0: WN_RETAIN_CHUNK */
};

/*
 * Starts the timer: the first pass runs every_ms from now (the daemon ran
 * one at start).  A pass that reaches its chunk is followed by another
 * WN_RETAIN_AGAIN_MS later, until one does not; what they removed is
 * logged once, at the end.  0 or WN_ENOMEM.
 */
int wn_retain_init(uv_loop_t *loop, struct wn_writer *writer,
                   const struct wn_retain_opts *o, struct wn_retain **out);

/*
 * Takes a reloaded configuration: the next pass uses the new days; a new
 * period restarts the timer from now.  A pass in flight keeps its days.
 */
void wn_retain_set(struct wn_retain *r, const struct wn_retain_opts *o);

/* Passes run so far (chunks included) and articles and pages they
 * removed (for tests and status). */
struct wn_retain_stats {
    uint64_t passes, failed;
    uint64_t articles, pages;
};
void wn_retain_stats(const struct wn_retain *r, struct wn_retain_stats *out);

/*
 * Stops the timer; a pass in flight finishes (the writer runs what is
 * queued when it closes) and the state is freed after it.  Call before
 * closing the writer.  r may be NULL.
 */
void wn_retain_close(struct wn_retain *r);

/* Logs one pass's result at notice level when it removed something (at
 * debug level otherwise); shared with the pass the daemon runs at start. */
void wn_retain_log(const struct wn_store_retain *res);

#endif /* WN_RETAIN_H */
