/*
 * wn_heap.c: the array-backed binary heap behind the scheduler.
 */
#include "wn_heap.h"

#include <stdlib.h>

#include <winnow/error.h>

void
wn_heap_init(struct wn_heap *h)
{
    h->v = NULL;
    h->n = h->cap = 0;
}

void
wn_heap_entry_init(struct wn_heap_entry *e)
{
    e->key = 0;
    e->index = WN_HEAP_NONE;
}

static void
wn_heap_set(struct wn_heap *h, size_t i, struct wn_heap_entry *e)
{
    h->v[i] = e;
    e->index = i;
}

static void
wn_heap_up(struct wn_heap *h, size_t i)
{
    struct wn_heap_entry *e = h->v[i];

    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (h->v[parent]->key <= e->key) {
            break;
        }
        wn_heap_set(h, i, h->v[parent]);
        i = parent;
    }
    wn_heap_set(h, i, e);
}

static void
wn_heap_down(struct wn_heap *h, size_t i)
{
    struct wn_heap_entry *e = h->v[i];

    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        uint64_t mk = e->key;

        if (l < h->n && h->v[l]->key < mk) {
            m = l;
            mk = h->v[l]->key;
        }
        if (r < h->n && h->v[r]->key < mk) {
            m = r;
        }
        if (m == i) {
            break;
        }
        wn_heap_set(h, i, h->v[m]);
        i = m;
    }
    wn_heap_set(h, i, e);
}

int
wn_heap_push(struct wn_heap *h, struct wn_heap_entry *e)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        struct wn_heap_entry **v = realloc(h->v, cap * sizeof(*v));
        if (v == NULL) {
            return WN_ENOMEM;
        }
        h->v = v;
        h->cap = cap;
    }
    wn_heap_set(h, h->n++, e);
    wn_heap_up(h, h->n - 1);
    return 0;
}

struct wn_heap_entry *
wn_heap_min(const struct wn_heap *h)
{
    return h->n > 0 ? h->v[0] : NULL;
}

void
wn_heap_remove(struct wn_heap *h, struct wn_heap_entry *e)
{
    size_t i = e->index;

    if (i == WN_HEAP_NONE || i >= h->n || h->v[i] != e) {
        return;
    }
    e->index = WN_HEAP_NONE;
    if (--h->n == i) {
        return;
    }
    struct wn_heap_entry *moved = h->v[h->n];
    wn_heap_set(h, i, moved);
    wn_heap_down(h, i);
    wn_heap_up(h, moved->index);
}

struct wn_heap_entry *
wn_heap_pop(struct wn_heap *h)
{
    struct wn_heap_entry *e = wn_heap_min(h);

    if (e != NULL) {
        wn_heap_remove(h, e);
    }
    return e;
}

void
wn_heap_update(struct wn_heap *h, struct wn_heap_entry *e, uint64_t key)
{
    if (e->index == WN_HEAP_NONE) {
        e->key = key;
        return;
    }
    e->key = key;
    wn_heap_down(h, e->index);
    wn_heap_up(h, e->index);
}

void
wn_heap_free(struct wn_heap *h)
{
    free(h->v);
    wn_heap_init(h);
}
