/*
 * wn_sink.h: sinks, where stored articles go next (the sidecar case).  The
 * ingest hands each article to the set after the store committed it; the
 * writer's batch callback then flushes every sink, so a sink sees exactly
 * what is stored, batch by batch.  Each record is one JSON object on one
 * line (JSON Lines) with the article's metadata and text.  Sinks: JSON
 * Lines to stdout or a file (wn_sink_jsonl.c) and a signed HTTP webhook
 * (wn_sink_webhook.c).
 *
 * A sink never drops a record.  One that cannot keep up says it is full;
 * the ingest then starts no new work until the sink calls back with room.
 * A sink whose bound is in records also says how many more it takes, and
 * the ingest keeps no more articles in flight than that, so its queue
 * never grows past the bound; for the others the backlog is bounded by
 * the queue plus the articles in flight when it filled.
 *
 * Loop thread only.
 */
#ifndef WN_SINK_H
#define WN_SINK_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include <winnow/error.h>

#include "wn_buf.h"

#define WN_SINKS_MAX        4
#define WN_SINK_RECORD_MAX  (64u << 20) /* bytes of one batch's records */

struct wn_article;
struct wn_conf;
struct wn_sink;
struct wn_sinks;

/* What every sink does; each sink embeds struct wn_sink first. */
struct wn_sink_ops {
    const char *name;
    /* Takes one record (no newline); 0, or < 0 when it cannot (logged). */
    int (*put)(struct wn_sink *s, const char *line, size_t len);
    /* The records so far are committed in the store: deliver them. */
    void (*flush)(struct wn_sink *s);
    size_t (*queued)(const struct wn_sink *s); /* not yet delivered */
    /* Records it takes before it is full: 0 when full, SIZE_MAX when its
     * bound is not in records (then only "full or not" is known). */
    size_t (*space)(const struct wn_sink *s);
    /* Delivers what is queued for at most bound_ms, then frees the sink and
     * calls done with its set (always, exactly once). */
    void (*close)(struct wn_sink *s, long bound_ms,
                  void (*done)(struct wn_sinks *set));
};

struct wn_sink {
    const struct wn_sink_ops *ops;
    struct wn_sinks *set;
};

/*
 * Opens the sinks [sink] configures (none is fine: *out is then an empty
 * set).  Errors name the key and the reason.
 */
int wn_sinks_open(uv_loop_t *loop, const struct wn_conf *conf,
                  struct wn_sinks **out, struct wn_err *err);

/* Gives a stored article to every sink.  s may be NULL. */
void wn_sinks_article(struct wn_sinks *s, const char *feed, const char *url,
                      const struct wn_article *a);

/* The writer's batch callback: flushes every sink.  arg is the set. */
void wn_sinks_flush(void *arg);

/* True when a sink's queue is full: start no new work.  s may be NULL. */
int wn_sinks_full(const struct wn_sinks *s);

/* Records every sink still takes before one is full (the least of their
 * space); SIZE_MAX with no sink or none that counts records.  s may be
 * NULL. */
size_t wn_sinks_space(const struct wn_sinks *s);

/* Records taken but not yet delivered, over all sinks. */
size_t wn_sinks_queued(const struct wn_sinks *s);

/* cb runs each time a full set has room again. */
void wn_sinks_on_room(struct wn_sinks *s, void (*cb)(void *arg), void *arg);

/* Called by a sink whose queue went below its bound. */
void wn_sinks_room(struct wn_sinks *s);

/*
 * Delivers what is queued for at most bound_ms, frees the set and calls cb
 * (may be NULL).  s may be NULL.
 */
void wn_sinks_close(struct wn_sinks *s, long bound_ms, void (*cb)(void *arg),
                    void *arg);

/* The article as the record sinks deliver; appended to out, no newline. */
int wn_sink_record(const char *feed, const char *url,
                   const struct wn_article *a, int64_t stored_at,
                   struct wn_buf *out);

/* The sinks themselves. */
int wn_sink_jsonl_open(uv_loop_t *loop, const char *path, struct wn_sink **out,
                       struct wn_err *err);
int wn_sink_webhook_open(uv_loop_t *loop, const struct wn_conf *conf,
                         struct wn_sink **out, struct wn_err *err);

#endif /* WN_SINK_H */
