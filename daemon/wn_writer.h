/*
 * wn_writer.h: the one writer in front of the store.  Operations are
 * queued on the loop thread and run in batches, one transaction per batch,
 * on the writer's own thread (never the loop thread); at most one batch
 * runs at a time, so operations queued while a batch runs form the next,
 * which the thread starts as soon as the last ends.
 * One failing operation does not undo the others: the batch is then run
 * again with each operation inside its own savepoint.
 */
#ifndef WN_WRITER_H
#define WN_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include <winnow/error.h>

struct wn_store;
struct wn_writer;
struct wn_write_op;

/*
 * Runs on the writer's thread inside the batch's transaction: does the op's
 * store calls and returns 0 or < 0 (filling err).  It may run twice for
 * one submission: when an op of its batch fails, the whole transaction is
 * rolled back and the batch runs again with a savepoint per op, so fn
 * must start afresh from its inputs each time (reset what it collects).
 */
typedef int (*wn_write_fn)(struct wn_store *s, struct wn_write_op *op,
                           struct wn_err *err);

/* Runs on the loop thread after the batch committed (or failed), maybe
 * while the next batch runs: it must not use the store. */
typedef void (*wn_write_done_fn)(struct wn_write_op *op);

/*
 * One operation.  Owned by the caller, who keeps it (and what `data`
 * points to) alive until `done` runs; `done` runs exactly once per
 * submitted op.
 */
struct wn_write_op {
    wn_write_fn fn;
    wn_write_done_fn done;
    void *data;
    /* Set before submitting: runs before every queued op without it (a
     * feed's items, which hold up the feed, before its articles). */
    int first;
    int rc;            /* set before done: 0 or < 0 */
    struct wn_err err; /* why, when rc < 0 */
    struct wn_write_op *next;
};

struct wn_writer_stats {
    uint64_t ops, batches, failed_ops, failed_batches;
    uint64_t replays; /* batches run again, op by op, after an op failed */
    size_t queued;
};

/* `batch_max` caps operations per transaction. */
int wn_writer_init(uv_loop_t *loop, struct wn_store *store, size_t batch_max,
                   struct wn_writer **out);

/*
 * Calls cb on the loop thread after each batch, once every op of it had
 * its done callback (the sinks flush there).  cb NULL: none.
 */
void wn_writer_on_batch(struct wn_writer *w, void (*cb)(void *arg), void *arg);

/* Queues op; its done callback runs later, even when the writer closes. */
void wn_writer_submit(struct wn_writer *w, struct wn_write_op *op);

/* True while operations are queued or running. */
int wn_writer_busy(const struct wn_writer *w);

void wn_writer_stats(struct wn_writer *w, struct wn_writer_stats *out);

/*
 * 1 when the store takes writes; 0 after a batch failed because the disk
 * is full, the database is read-only or I/O failed, until a batch commits
 * again (*why, when not NULL, then points to the reason, valid until the
 * next batch ends).  For readiness checks (/readyz); loop thread only.
 */
int wn_writer_ready(const struct wn_writer *w, const char **why);

/*
 * Runs what is queued, then frees the writer and calls cb (may be NULL).
 * The store stays the caller's.
 */
void wn_writer_close(struct wn_writer *w, void (*cb)(void *arg), void *arg);

#endif /* WN_WRITER_H */
