/*
 * wn_lease.c: the lease timer of a daemon sharing its store's feeds: one
 * lease request at a time through the writer, feeds handed over on the loop
 * thread.  The SQL (FOR UPDATE SKIP LOCKED, expiry) is the store's.
 */
#include "wn_lease.h"

#include <stdlib.h>
#include <string.h>

#include <winnow/error.h>

#include "wn_err.h"
#include "wn_log.h"
#include "wn_store.h"
#include "wn_time.h"
#include "wn_writer.h"

struct wn_lease {
    uv_timer_t timer;
    struct wn_writer *writer;
    char *owner;
    long lease_secs;
    wn_lease_room_fn room;
    wn_lease_feed_fn feed;
    void *arg;
    struct wn_write_op op;
    size_t want; /* feeds asked for by the request in flight */
    int64_t ids[WN_LEASE_BATCH];
    size_t n;
    int busy;    /* a request is queued or running */
    int closing; /* wn_lease_close() was called */
    int closed;  /* the timer's close callback ran */
    int failing; /* the last request failed (logged once) */
};

static void
wn_lease_free_if_done(struct wn_lease *l)
{
    if (l->closed && !l->busy) {
        free(l->owner);
        free(l);
    }
}

static int
wn_lease_collect(int64_t feed_id, void *arg)
{
    struct wn_lease *l = arg;

    if (l->n < WN_LEASE_BATCH) {
        l->ids[l->n++] = feed_id;
    }
    return 0;
}

/* Threadpool, inside the writer's transaction. */
static int
wn_lease_write(struct wn_store *s, struct wn_write_op *op, struct wn_err *err)
{
    struct wn_lease *l = op->data;
    int rc;

    l->n = 0;
    rc = wn_store_lease(s, l->owner, wn_time_now(), l->lease_secs, l->want,
                        wn_lease_collect, l, err);
    return rc < 0 ? rc : 0;
}

static void
wn_lease_done(struct wn_write_op *op)
{
    struct wn_lease *l = op->data;

    l->busy = 0;
    if (op->rc != 0) {
        /* The leases were rolled back with the batch: nothing is held. */
        if (!l->failing) {
            WN_LOG(WN_LOG_ERR, "lease", "%s", op->err.msg);
        }
        l->failing = 1;
    } else {
        l->failing = 0;
        for (size_t i = 0; i < l->n && !l->closing; i++) {
            l->feed(l->ids[i], l->arg);
        }
    }
    wn_lease_free_if_done(l);
}

static void
wn_lease_tick(uv_timer_t *t)
{
    struct wn_lease *l = t->data;
    size_t room;

    if (l->busy || l->closing) {
        return;
    }
    room = l->room(l->arg);
    if (room == 0) {
        return;
    }
    l->want = room < WN_LEASE_BATCH ? room : WN_LEASE_BATCH;
    l->busy = 1;
    l->op.fn = wn_lease_write;
    l->op.done = wn_lease_done;
    l->op.data = l;
    wn_writer_submit(l->writer, &l->op);
}

int
wn_lease_init(uv_loop_t *loop, struct wn_writer *writer, const char *owner,
              long lease_secs, wn_lease_room_fn room, wn_lease_feed_fn feed,
              void *arg, struct wn_lease **out)
{
    struct wn_lease *l = calloc(1, sizeof(*l));

    *out = NULL;
    if (l == NULL || (l->owner = strdup(owner)) == NULL) {
        free(l);
        return WN_ENOMEM;
    }
    l->writer = writer;
    l->lease_secs = lease_secs;
    l->room = room;
    l->feed = feed;
    l->arg = arg;
    uv_timer_init(loop, &l->timer);
    l->timer.data = l;
    uv_timer_start(&l->timer, wn_lease_tick, 0, WN_LEASE_POLL_MS);
    *out = l;
    return 0;
}

static void
wn_lease_closed(uv_handle_t *h)
{
    struct wn_lease *l = h->data;

    l->closed = 1;
    wn_lease_free_if_done(l);
}

void
wn_lease_close(struct wn_lease *l)
{
    if (l == NULL || l->closing) {
        return;
    }
    l->closing = 1;
    uv_close((uv_handle_t *) &l->timer, wn_lease_closed);
}
