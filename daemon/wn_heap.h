/*
 * wn_heap.h: a binary min-heap of intrusive entries keyed by a 64-bit
 * time, with O(log n) insert, remove and update (each entry remembers its
 * index).  Single-threaded; the heap never owns its entries.
 */
#ifndef WN_HEAP_H
#define WN_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define WN_HEAP_NONE ((size_t) -1) /* index of an entry not in a heap */

struct wn_heap_entry {
    uint64_t key;
    size_t index; /* WN_HEAP_NONE when not in the heap */
};

struct wn_heap {
    struct wn_heap_entry **v;
    size_t n, cap;
};

void wn_heap_init(struct wn_heap *h);
void wn_heap_entry_init(struct wn_heap_entry *e);
/* 0 or WN_ENOMEM; e must not be in a heap. */
int wn_heap_push(struct wn_heap *h, struct wn_heap_entry *e);
struct wn_heap_entry *wn_heap_min(const struct wn_heap *h);
struct wn_heap_entry *wn_heap_pop(struct wn_heap *h);
void wn_heap_remove(struct wn_heap *h, struct wn_heap_entry *e);
/* Changes e's key and restores the order. */
void wn_heap_update(struct wn_heap *h, struct wn_heap_entry *e, uint64_t key);
void wn_heap_free(struct wn_heap *h);

#endif /* WN_HEAP_H */
