/*
 * wn_writer.c: batches store operations into transactions on a thread of
 * its own.  Only this file touches the store while the loop runs.
 *
 * The writer is the pipeline's one serial stage, so it does not queue on
 * the libuv threadpool: there its batches waited behind the cleaning jobs
 * queued before them (FIFO), about 0.9 s of 8 s on bench/run_sched.py's
 * pass.  The queue is shared under `mu`: the loop appends to it, and the
 * thread takes the next batch itself as soon as one ends, handing the last
 * back through the `done` async handle (before, it waited for the loop to
 * hear of each batch and give it the next: 0.5-0.7 s of the same pass).
 * The handle is referenced only while ops are in flight, as queued work
 * requests would be.
 */
#include "wn_writer.h"

#include <stdlib.h>
#include <string.h>

#include "wn_err.h"
#include "wn_log.h"
#include "wn_store.h"

/* Batches the thread may finish before the loop has heard of them: with
 * two, the next batch runs while the loop hands the last one back. */
#define WN_WRITER_AHEAD 2

/* A batch taken from the queue: run on the thread, then handed back. */
struct wn_writer_batch {
    struct wn_write_op *ops;
    int rc;       /* the transaction's own outcome */
    int replayed; /* the batch ran again op by op */
    struct wn_err err;
    int up;                   /* the store took writes after it */
    char why[WN_ERR_MSG_MAX]; /* why not, when !up */
};

struct wn_writer {
    struct wn_store *store;
    size_t batch_max;
    uv_thread_t thread;
    uv_mutex_t mu;
    uv_cond_t cv;
    uv_async_t done; /* the thread finished a batch */
    /* Under mu: the queue, the batches and the thread's state.  Batches
     * live in a ring: `next` is the oldest not yet handed back, `nready`
     * follow it done, and the one after those runs while `working`. */
    struct wn_write_op *head, *tail; /* queued */
    struct wn_write_op *first_tail;  /* last queued op with `first` */
    size_t nfirst;                   /* queued ops with `first` */
    size_t queued;                   /* ops in the queue */
    struct wn_writer_batch batches[WN_WRITER_AHEAD];
    size_t next, nready;
    int working;
    int quit;
    /* Loop thread only. */
    size_t inflight; /* ops submitted whose done has not run */
    int closing;
    struct wn_writer_stats stats;
    int down;                 /* the store cannot take writes (disk full...) */
    char why[WN_ERR_MSG_MAX]; /* why, while down */
    void (*close_cb)(void *arg);
    void *close_arg;
    void (*batch_cb)(void *arg);
    void *batch_arg;
};

/*
 * One pass over the batch inside one transaction.  With `savepoints`, each
 * op runs inside its own savepoint and a failing op is rolled back alone;
 * without, the first failing op ends the pass and returns its rc (the
 * caller rolls the whole transaction back).  Savepoints are not free: in
 * SQLite every page an op changes is first copied to the statement journal,
 * so the common case (every op succeeds) runs without them.
 */
static int
wn_writer_pass(struct wn_writer *w, struct wn_writer_batch *b, int savepoints)
{
    struct wn_write_op *op;

    wn_err_clear(&b->err);
    b->rc = wn_store_begin(w->store, &b->err);
    for (op = b->ops; op != NULL; op = op->next) {
        if (b->rc != 0) {
            op->rc = b->rc;
            op->err = b->err;
            continue;
        }
        wn_err_clear(&op->err);
        if (!savepoints) {
            op->rc = op->fn(w->store, op, &op->err);
            if (op->rc != 0) {
                return op->rc;
            }
            continue;
        }
        op->rc = wn_store_savepoint(w->store, &op->err);
        if (op->rc == 0) {
            op->rc = op->fn(w->store, op, &op->err);
            /* A failed op is rolled back to its savepoint only. */
            int rel = wn_store_release(w->store, op->rc == 0, &b->err);
            if (rel != 0) {
                b->rc = rel;
                if (op->rc != 0) {
                    b->err = op->err; /* the cause, for every op lost */
                }
            }
        }
    }
    return 0;
}

/* Writer thread: one transaction over the batch; a batch with a failing op
 * is rolled back and run again with a savepoint per op.  The store's
 * health after it goes back with it. */
static void
wn_writer_work(struct wn_writer *w, struct wn_writer_batch *b)
{
    struct wn_write_op *op;

    b->replayed = 0;
    if (wn_writer_pass(w, b, 0) != 0) {
        wn_store_rollback(w->store);
        b->replayed = 1;
        wn_writer_pass(w, b, 1);
    }
    if (b->rc == 0) {
        b->rc = wn_store_commit(w->store, &b->err);
    }
    if (b->rc != 0) {
        wn_store_rollback(w->store);
        /* Nothing of this batch is stored: every op failed. */
        for (op = b->ops; op != NULL; op = op->next) {
            if (op->rc == 0) {
                op->rc = b->rc;
                op->err = b->err;
            }
        }
    }
    b->up = wn_store_health(w->store, b->why, sizeof(b->why));
}

/*
 * Under mu: when the thread is idle and a batch's place is free, takes
 * the next batch from the queue and wakes the thread.  Called by the loop
 * when it queues an op or hears a batch back, and by the thread when it
 * finishes one, so that the next starts without waiting for the loop.
 */
static void
wn_writer_take(struct wn_writer *w)
{
    struct wn_writer_batch *b;
    struct wn_write_op **tail;
    size_t n = 0;

    if (w->working || w->head == NULL || w->nready == WN_WRITER_AHEAD) {
        return;
    }
    b = &w->batches[(w->next + w->nready) % WN_WRITER_AHEAD];
    b->ops = w->head;
    tail = &b->ops;
    while (*tail != NULL && n < w->batch_max) {
        tail = &(*tail)->next;
        n++;
    }
    w->head = *tail;
    *tail = NULL;
    if (w->head == NULL) {
        w->tail = NULL;
    }
    /* the `first` ops lead the queue, so any left are still at its head */
    for (struct wn_write_op *op = b->ops; op != NULL; op = op->next) {
        w->nfirst -= op->first != 0;
    }
    if (w->nfirst == 0) {
        w->first_tail = NULL;
    }
    w->queued -= n;
    w->working = 1;
    uv_cond_signal(&w->cv);
}

/* The writer's thread: runs each batch it is given, and takes the next
 * itself while the loop hears of the last. */
static void
wn_writer_thread(void *arg)
{
    struct wn_writer *w = arg;

    uv_mutex_lock(&w->mu);
    for (;;) {
        while (!w->working && !w->quit) {
            uv_cond_wait(&w->cv, &w->mu);
        }
        if (!w->working) {
            break; /* quit, with nothing queued */
        }
        struct wn_writer_batch *b =
            &w->batches[(w->next + w->nready) % WN_WRITER_AHEAD];
        uv_mutex_unlock(&w->mu);
        wn_writer_work(w, b);
        uv_mutex_lock(&w->mu);
        w->working = 0;
        w->nready++;
        wn_writer_take(w);
        uv_async_send(&w->done);
    }
    uv_mutex_unlock(&w->mu);
}

/*
 * Follows the store's health after each batch: a full disk or read-only
 * database makes the writer not ready (logged once, with the reason) until a
 * batch commits again.  Failed operations are reported to their owners,
 * who keep the work pending, so nothing is lost meanwhile.
 */
static void
wn_writer_health_update(struct wn_writer *w, const struct wn_writer_batch *b)
{
    if (!b->up && !w->down) {
        WN_LOG(WN_LOG_ERR, "store",
               "cannot write: %s; not ready, items stay pending and are "
               "retried",
               b->why);
    } else if (b->up && w->down) {
        WN_LOG(WN_LOG_NOTICE, "store", "writes succeed again; ready");
    }
    w->down = !b->up;
    memcpy(w->why, b->why, sizeof(w->why));
}

/* Loop thread: the batch's owners hear back.  Done callbacks never touch
 * the store (they may queue more ops, while the next batch runs). */
static void
wn_writer_deliver(struct wn_writer *w, struct wn_writer_batch *b)
{
    struct wn_write_op *op = b->ops, *next;

    b->ops = NULL;
    w->stats.batches++;
    w->stats.replays += (uint64_t) b->replayed;
    if (b->rc != 0) {
        w->stats.failed_batches++;
        WN_LOG(WN_LOG_ERR, "store", "transaction failed: %s", b->err.msg);
    }
    wn_writer_health_update(w, b);
    for (; op != NULL; op = next) {
        next = op->next;
        op->next = NULL;
        w->stats.ops++;
        if (op->rc != 0) {
            w->stats.failed_ops++;
        }
        if (--w->inflight == 0) {
            uv_unref((uv_handle_t *) &w->done); /* idle: keeps no loop */
        }
        op->done(op);
    }
    if (w->batch_cb != NULL) {
        w->batch_cb(w->batch_arg);
    }
}

static void
wn_writer_closed(uv_handle_t *h)
{
    struct wn_writer *w = h->data;
    void (*cb)(void *) = w->close_cb;
    void *arg = w->close_arg;

    uv_cond_destroy(&w->cv);
    uv_mutex_destroy(&w->mu);
    free(w);
    if (cb != NULL) {
        cb(arg);
    }
}

/* Closing, once every op submitted has been heard back: ends the thread
 * and frees the writer. */
static void
wn_writer_finish(struct wn_writer *w)
{
    if (!w->closing || w->inflight > 0
        || uv_is_closing((uv_handle_t *) &w->done)) {
        return;
    }
    uv_mutex_lock(&w->mu);
    w->quit = 1;
    uv_cond_signal(&w->cv);
    uv_mutex_unlock(&w->mu);
    uv_thread_join(&w->thread);
    uv_close((uv_handle_t *) &w->done, wn_writer_closed);
}

/* Loop thread: hands back, in order, the batches the thread finished. */
static void
wn_writer_done_cb(uv_async_t *a)
{
    struct wn_writer *w = a->data;
    size_t n;

    uv_mutex_lock(&w->mu); /* and what the thread wrote is seen here */
    n = w->nready;
    uv_mutex_unlock(&w->mu);
    while (n-- > 0) {
        /* `next` moves on this thread only */
        wn_writer_deliver(w, &w->batches[w->next]);
        uv_mutex_lock(&w->mu);
        w->next = (w->next + 1) % WN_WRITER_AHEAD;
        w->nready--;
        wn_writer_take(w); /* its place is free */
        uv_mutex_unlock(&w->mu);
    }
    wn_writer_finish(w);
}

int
wn_writer_init(uv_loop_t *loop, struct wn_store *store, size_t batch_max,
               struct wn_writer **out)
{
    struct wn_writer *w = calloc(1, sizeof(*w));

    *out = NULL;
    if (w == NULL) {
        return WN_ENOMEM;
    }
    w->store = store;
    w->batch_max = batch_max > 0 ? batch_max : 1;
    if (uv_mutex_init(&w->mu) != 0) {
        goto no_mutex;
    }
    if (uv_cond_init(&w->cv) != 0) {
        goto no_cond;
    }
    if (uv_async_init(loop, &w->done, wn_writer_done_cb) != 0) {
        goto no_async;
    }
    w->done.data = w;
    if (uv_thread_create(&w->thread, wn_writer_thread, w) != 0) {
        /* freed by the loop, once the handle is closed */
        uv_close((uv_handle_t *) &w->done, wn_writer_closed);
        return WN_ENOMEM;
    }
    uv_unref((uv_handle_t *) &w->done); /* idle: keeps no loop alive */
    *out = w;
    return 0;

no_async:
    uv_cond_destroy(&w->cv);
no_cond:
    uv_mutex_destroy(&w->mu);
no_mutex:
    free(w);
    return WN_ENOMEM;
}

void
wn_writer_on_batch(struct wn_writer *w, void (*cb)(void *arg), void *arg)
{
    w->batch_cb = cb;
    w->batch_arg = arg;
}

void
wn_writer_submit(struct wn_writer *w, struct wn_write_op *op)
{
    op->rc = 0;
    if (w->inflight++ == 0) {
        uv_ref((uv_handle_t *) &w->done); /* the loop waits for the op */
    }
    uv_mutex_lock(&w->mu);
    if (op->first) {
        /* behind the other `first` ops, ahead of the rest */
        struct wn_write_op **at =
            w->first_tail ? &w->first_tail->next : &w->head;
        op->next = *at;
        *at = op;
        w->first_tail = op;
        w->nfirst++;
        if (op->next == NULL) {
            w->tail = op;
        }
    } else {
        op->next = NULL;
        if (w->tail != NULL) {
            w->tail->next = op;
        } else {
            w->head = op;
        }
        w->tail = op;
    }
    w->queued++;
    wn_writer_take(w);
    uv_mutex_unlock(&w->mu);
}

int
wn_writer_busy(const struct wn_writer *w)
{
    return w->inflight > 0;
}

void
wn_writer_stats(struct wn_writer *w, struct wn_writer_stats *out)
{
    *out = w->stats;
    uv_mutex_lock(&w->mu);
    out->queued = w->queued;
    uv_mutex_unlock(&w->mu);
}

void
wn_writer_close(struct wn_writer *w, void (*cb)(void *arg), void *arg)
{
    w->closing = 1;
    w->close_cb = cb;
    w->close_arg = arg;
    wn_writer_finish(w);
}

int
wn_writer_ready(const struct wn_writer *w, const char **why)
{
    if (why != NULL) {
        *why = w->down ? w->why : NULL;
    }
    return !w->down;
}
