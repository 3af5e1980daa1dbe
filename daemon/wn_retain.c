/*
 * wn_retain.c: the retention timer of `run`: one pass at a time through
 * the writer, its result logged on the loop thread.
 */
#include "wn_retain.h"

#include <stdlib.h>
#include <string.h>

#include <winnow/error.h>

#include "wn_err.h"
#include "wn_log.h"
#include "wn_store.h"
#include "wn_time.h"
#include "wn_writer.h"

struct wn_retain {
    uv_timer_t timer;
    struct wn_writer *writer;
    struct wn_retain_opts opts; /* the configuration's, loop thread */
    struct wn_write_op op;
    struct wn_store_retain pass; /* the pass in flight: days in, counts out */
    struct wn_retain_stats stats;
    long articles, pages; /* removed by the chunks of this round so far */
    int busy;             /* a pass is queued or running */
    int closing;          /* wn_retain_close() was called */
    int closed;           /* the timer's close callback ran */
    int failing; /* the last pass failed (logged once until one succeeds) */
};

void
wn_retain_log(const struct wn_store_retain *res)
{
    if (res->articles + res->pages > 0) {
        WN_LOG(WN_LOG_NOTICE, "store",
               "retention: %ld articles and %ld raw pages expired "
               "(keep_days %ld unless the feed's own, keep_pages_days %ld)",
               res->articles, res->pages, res->keep_days, res->keep_pages_days);
    } else {
        WN_LOG(WN_LOG_DEBUG, "store", "retention: nothing expired");
    }
}

static void
wn_retain_free_if_done(struct wn_retain *r)
{
    if (r->closed && !r->busy) {
        free(r);
    }
}

/*
 * Threadpool, inside the writer's transaction.  Restartable: the writer
 * may run it twice in one batch (wn_writer.h), and each run starts from
 * the days alone and only deletes, so the second run counts what the
 * rolled-back first one had.
 */
static int
wn_retain_write(struct wn_store *s, struct wn_write_op *op, struct wn_err *err)
{
    struct wn_retain *r = op->data;

    r->pass.now = wn_time_now();
    return wn_store_retain(s, &r->pass, err); /* resets the counts */
}

static void wn_retain_tick(uv_timer_t *t);

static void
wn_retain_done(struct wn_write_op *op)
{
    struct wn_retain *r = op->data;

    r->busy = 0;
    r->stats.passes++;
    if (op->rc != 0) {
        r->stats.failed++;
        /* Rolled back with its batch: the next pass tries again. */
        if (!r->failing) {
            WN_LOG(WN_LOG_WARNING, "store",
                   "retention: %s; tried again in %llu s", op->err.msg,
                   (unsigned long long) (r->opts.every_ms / 1000u));
        }
        r->failing = 1;
    } else {
        r->failing = 0;
        r->stats.articles += (uint64_t) r->pass.articles;
        r->stats.pages += (uint64_t) r->pass.pages;
        r->articles += r->pass.articles;
        r->pages += r->pass.pages;
        if (r->pass.more && !r->closing) {
            /* A backlog: the next chunk soon, after the batches queued
             * meanwhile; then the period again. */
            uint64_t again = r->opts.every_ms < WN_RETAIN_AGAIN_MS
                                 ? r->opts.every_ms
                                 : WN_RETAIN_AGAIN_MS;
            uv_timer_start(&r->timer, wn_retain_tick, again, r->opts.every_ms);
        } else {
            r->pass.articles = r->articles;
            r->pass.pages = r->pages;
            wn_retain_log(&r->pass);
            r->articles = r->pages = 0;
        }
    }
    wn_retain_free_if_done(r);
}

static void
wn_retain_tick(uv_timer_t *t)
{
    struct wn_retain *r = t->data;

    if (r->busy || r->closing) {
        return; /* a slow pass: this period's is skipped */
    }
    memset(&r->pass, 0, sizeof(r->pass));
    r->pass.keep_days = r->opts.keep_days;
    r->pass.keep_pages_days = r->opts.keep_pages_days;
    r->pass.limit = r->opts.chunk > 0 ? r->opts.chunk : WN_RETAIN_CHUNK;
    r->busy = 1;
    r->op.fn = wn_retain_write;
    r->op.done = wn_retain_done;
    r->op.data = r;
    wn_writer_submit(r->writer, &r->op);
}

int
wn_retain_init(uv_loop_t *loop, struct wn_writer *writer,
               const struct wn_retain_opts *o, struct wn_retain **out)
{
    struct wn_retain *r = calloc(1, sizeof(*r));

    *out = NULL;
    if (r == NULL) {
        return WN_ENOMEM;
    }
    r->writer = writer;
    r->opts = *o;
    uv_timer_init(loop, &r->timer);
    r->timer.data = r;
    uv_timer_start(&r->timer, wn_retain_tick, o->every_ms, o->every_ms);
    *out = r;
    return 0;
}

void
wn_retain_set(struct wn_retain *r, const struct wn_retain_opts *o)
{
    uint64_t every = r->opts.every_ms;

    if (r->closing) {
        return;
    }
    r->opts = *o;
    if (o->every_ms != every) {
        uv_timer_start(&r->timer, wn_retain_tick, o->every_ms, o->every_ms);
    }
}

void
wn_retain_stats(const struct wn_retain *r, struct wn_retain_stats *out)
{
    *out = r->stats;
}

static void
wn_retain_closed(uv_handle_t *h)
{
    struct wn_retain *r = h->data;

    r->closed = 1;
    wn_retain_free_if_done(r);
}

void
wn_retain_close(struct wn_retain *r)
{
    if (r == NULL || r->closing) {
        return;
    }
    r->closing = 1;
    uv_close((uv_handle_t *) &r->timer, wn_retain_closed);
}
