/*
 * wn_writer.c: batches store operations into transactions on a thread of
 * its own.  Only this file touches the store while the loop runs.
 *
 * The writer is the pipeline's one serial stage, so it does not queue on
 * the libuv threadpool: there its batches waited behind the cleaning jobs
 * queued before them (FIFO), about 0.9 s of 8 s on bench/run_sched.py's
 * pass.  The loop hands a batch over under `mu` and the thread hands it
 * back through the `done` async handle, which is referenced only while a
 * batch runs, as a queued work request would be.
 */
#include "wn_writer.h"

#include <stdlib.h>
#include <string.h>

#include "wn_err.h"
#include "wn_log.h"
#include "wn_store.h"

struct wn_writer {
    uv_loop_t *loop;
    struct wn_store *store;
    size_t batch_max;
    struct wn_write_op *head, *tail; /* queued */
    struct wn_write_op *first_tail;  /* last queued op with `first` */
    size_t nfirst;                   /* queued ops with `first` */
    struct wn_write_op *batch;       /* running */
    uv_thread_t thread;
    uv_mutex_t mu;
    uv_cond_t cv;
    uv_async_t done; /* the thread finished the batch */
    int handed;      /* under mu: a batch is the thread's */
    int quit;        /* under mu: the thread ends */
    int running;
    int closing;
    struct wn_writer_stats stats;
    int batch_rc; /* the transaction's own outcome */
    int replayed; /* the batch ran again op by op */
    struct wn_err batch_err;
    int down;      /* the store cannot take writes (disk full, read-only) */
    char why[256]; /* why, while down */
    void (*close_cb)(void *arg);
    void *close_arg;
    void (*batch_cb)(void *arg);
    void *batch_arg;
};

static void wn_writer_kick(struct wn_writer *w);

/*
 * One pass over the batch inside one transaction.  With `savepoints`, each
 * op runs inside its own savepoint and a failing op is rolled back alone;
 * without, the first failing op ends the pass and returns its rc (the
 * caller rolls the whole transaction back).  Savepoints are not free: in
 * SQLite every page an op changes is first copied to the statement journal,
 * so the common case (every op succeeds) runs without them.
 */
static int
wn_writer_pass(struct wn_writer *w, int savepoints)
{
    struct wn_write_op *op;

    wn_err_clear(&w->batch_err);
    w->batch_rc = wn_store_begin(w->store, &w->batch_err);
    for (op = w->batch; op != NULL; op = op->next) {
        if (w->batch_rc != 0) {
            op->rc = w->batch_rc;
            op->err = w->batch_err;
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
            int rel = wn_store_release(w->store, op->rc == 0, &w->batch_err);
            if (rel != 0) {
                w->batch_rc = rel;
            }
        }
    }
    return 0;
}

/* Writer thread: one transaction over the batch; a batch with a failing op
 * is rolled back and run again with a savepoint per op. */
static void
wn_writer_work(struct wn_writer *w)
{
    struct wn_write_op *op;

    w->replayed = 0;
    if (wn_writer_pass(w, 0) != 0) {
        wn_store_rollback(w->store);
        w->replayed = 1; /* counted on the loop thread, in after */
        wn_writer_pass(w, 1);
    }
    if (w->batch_rc == 0) {
        w->batch_rc = wn_store_commit(w->store, &w->batch_err);
    }
    if (w->batch_rc != 0) {
        wn_store_rollback(w->store);
        /* Nothing of this batch is stored: every op failed. */
        for (op = w->batch; op != NULL; op = op->next) {
            if (op->rc == 0) {
                op->rc = w->batch_rc;
                op->err = w->batch_err;
            }
        }
    }
}

/*
 * Follows the store's health after each batch: a full disk or read-only
 * database makes the writer not ready (logged once, with the reason) until a
 * batch commits again.  Failed operations are reported to their owners,
 * who keep the work pending, so nothing is lost meanwhile.
 */
static void
wn_writer_health_update(struct wn_writer *w)
{
    char why[sizeof(w->why)];
    int up = wn_store_health(w->store, why, sizeof(why));

    if (!up && !w->down) {
        WN_LOG(WN_LOG_ERR, "store",
               "cannot write: %s; not ready, items stay pending and are "
               "retried",
               why);
    } else if (up && w->down) {
        WN_LOG(WN_LOG_NOTICE, "store", "writes succeed again; ready");
    }
    w->down = !up;
    memcpy(w->why, why, sizeof(why));
}

/* The writer's thread: runs each batch it is handed. */
static void
wn_writer_thread(void *arg)
{
    struct wn_writer *w = arg;

    uv_mutex_lock(&w->mu);
    for (;;) {
        while (!w->handed && !w->quit) {
            uv_cond_wait(&w->cv, &w->mu);
        }
        if (!w->handed) {
            break; /* quit, with no batch left */
        }
        uv_mutex_unlock(&w->mu);
        wn_writer_work(w);
        uv_mutex_lock(&w->mu);
        w->handed = 0;
        uv_async_send(&w->done);
    }
    uv_mutex_unlock(&w->mu);
}

static void
wn_writer_after(struct wn_writer *w)
{
    struct wn_write_op *op = w->batch, *next;

    uv_unref((uv_handle_t *) &w->done);
    w->batch = NULL;
    w->running = 0;
    w->stats.batches++;
    w->stats.replays += (uint64_t) w->replayed;
    if (w->batch_rc != 0) {
        w->stats.failed_batches++;
        WN_LOG(WN_LOG_ERR, "store", "transaction failed: %s", w->batch_err.msg);
    }
    /* No batch runs now, so the store may be read on this thread. */
    wn_writer_health_update(w);
    /* The next batch starts at once, while this one's owners hear back:
     * done callbacks never touch the store (they may queue more ops).
     * With nothing queued, the kick waits for the end (closing frees w). */
    if (w->head != NULL) {
        wn_writer_kick(w);
    }
    for (; op != NULL; op = next) {
        next = op->next;
        op->next = NULL;
        w->stats.ops++;
        if (op->rc != 0) {
            w->stats.failed_ops++;
        }
        op->done(op);
    }
    if (w->batch_cb != NULL) {
        w->batch_cb(w->batch_arg);
    }
    wn_writer_kick(w);
}

/* Loop thread: the batch handed over came back (or a send coalesced). */
static void
wn_writer_done_cb(uv_async_t *a)
{
    struct wn_writer *w = a->data;
    int back;

    uv_mutex_lock(&w->mu); /* and what the thread wrote is seen here */
    back = w->running && !w->handed;
    uv_mutex_unlock(&w->mu);
    if (back) {
        wn_writer_after(w);
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

/* Starts the next batch, or finishes closing. */
static void
wn_writer_kick(struct wn_writer *w)
{
    struct wn_write_op **tail;
    size_t n = 0;

    if (w->running) {
        return;
    }
    if (w->head == NULL) {
        if (w->closing && !uv_is_closing((uv_handle_t *) &w->done)) {
            uv_mutex_lock(&w->mu);
            w->quit = 1;
            uv_cond_signal(&w->cv);
            uv_mutex_unlock(&w->mu);
            uv_thread_join(&w->thread);
            uv_close((uv_handle_t *) &w->done, wn_writer_closed);
        }
        return;
    }
    w->batch = w->head;
    tail = &w->batch;
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
    for (struct wn_write_op *op = w->batch; op != NULL; op = op->next) {
        w->nfirst -= op->first != 0;
    }
    if (w->nfirst == 0) {
        w->first_tail = NULL;
    }
    w->stats.queued -= n;
    w->running = 1;
    uv_ref((uv_handle_t *) &w->done); /* the loop waits for the batch */
    uv_mutex_lock(&w->mu);
    w->handed = 1;
    uv_cond_signal(&w->cv);
    uv_mutex_unlock(&w->mu);
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
    w->loop = loop;
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
    w->stats.queued++;
    wn_writer_kick(w);
}

int
wn_writer_busy(const struct wn_writer *w)
{
    return w->running || w->head != NULL;
}

void
wn_writer_stats(const struct wn_writer *w, struct wn_writer_stats *out)
{
    *out = w->stats;
}

void
wn_writer_close(struct wn_writer *w, void (*cb)(void *arg), void *arg)
{
    w->closing = 1;
    w->close_cb = cb;
    w->close_arg = arg;
    wn_writer_kick(w);
}

int
wn_writer_ready(const struct wn_writer *w, const char **why)
{
    if (why != NULL) {
        *why = w->down ? w->why : NULL;
    }
    return !w->down;
}
