/*
 * wn_sched.c: the heap of due times and the one timer armed for its
 * minimum.
 */
#include "wn_sched.h"

#include <stdlib.h>

#include <winnow/error.h>

struct wn_sched {
    uv_loop_t *loop;
    uv_timer_t timer;
    struct wn_heap heap;
    wn_sched_due_cb cb;
    void *arg;
    int firing;
    void (*close_cb)(void *arg);
    void *close_arg;
};

static void wn_sched_fire(uv_timer_t *t);

static void
wn_sched_arm(struct wn_sched *s)
{
    struct wn_heap_entry *e = wn_heap_min(&s->heap);
    uint64_t now = uv_now(s->loop);

    if (s->firing) {
        return; /* wn_sched_fire re-arms when it is done */
    }
    if (e == NULL) {
        uv_timer_stop(&s->timer);
        return;
    }
    uv_timer_start(&s->timer, wn_sched_fire, e->key > now ? e->key - now : 0,
                   0);
}

static void
wn_sched_fire(uv_timer_t *t)
{
    struct wn_sched *s = t->data;
    uint64_t now = uv_now(s->loop);
    struct wn_heap_entry *e;

    s->firing = 1;
    while ((e = wn_heap_min(&s->heap)) != NULL && e->key <= now) {
        wn_heap_pop(&s->heap);
        s->cb(e, s->arg);
    }
    s->firing = 0;
    wn_sched_arm(s);
}

int
wn_sched_init(uv_loop_t *loop, wn_sched_due_cb cb, void *arg,
              struct wn_sched **out)
{
    struct wn_sched *s = calloc(1, sizeof(*s));

    *out = NULL;
    if (s == NULL) {
        return WN_ENOMEM;
    }
    s->loop = loop;
    s->cb = cb;
    s->arg = arg;
    wn_heap_init(&s->heap);
    uv_timer_init(loop, &s->timer);
    s->timer.data = s;
    *out = s;
    return 0;
}

int
wn_sched_in(struct wn_sched *s, struct wn_heap_entry *e, uint64_t delay_ms)
{
    uint64_t key = uv_now(s->loop) + delay_ms;

    if (e->index != WN_HEAP_NONE) {
        wn_heap_update(&s->heap, e, key);
    } else {
        e->key = key;
        if (wn_heap_push(&s->heap, e) != 0) {
            return WN_ENOMEM;
        }
    }
    wn_sched_arm(s);
    return 0;
}

void
wn_sched_cancel(struct wn_sched *s, struct wn_heap_entry *e)
{
    wn_heap_remove(&s->heap, e);
    wn_sched_arm(s);
}

size_t
wn_sched_size(const struct wn_sched *s)
{
    return s->heap.n;
}

static void
wn_sched_closed(uv_handle_t *h)
{
    struct wn_sched *s = h->data;
    void (*cb)(void *) = s->close_cb;
    void *arg = s->close_arg;

    wn_heap_free(&s->heap);
    free(s);
    if (cb != NULL) {
        cb(arg);
    }
}

void
wn_sched_close(struct wn_sched *s, void (*cb)(void *arg), void *arg)
{
    /* Entries belong to their owners; forget them. */
    while (wn_heap_pop(&s->heap) != NULL) {
    }
    s->close_cb = cb;
    s->close_arg = arg;
    uv_timer_stop(&s->timer);
    uv_close((uv_handle_t *) &s->timer, wn_sched_closed);
}
