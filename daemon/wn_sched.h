/*
 * wn_sched.h: when feeds are due.  A min-heap of due times drives one
 * uv_timer armed for the earliest entry, so the cost per feed is O(log n)
 * and an idle daemon wakes only when the next feed is due.  What "due"
 * means (intervals, backoff, hints) is decided by the caller.
 *
 * Loop thread only.
 */
#ifndef WN_SCHED_H
#define WN_SCHED_H

#include <stdint.h>

#include <uv.h>

#include "wn_heap.h"

struct wn_sched;

/* Called for each entry that came due; it has left the heap. */
typedef void (*wn_sched_due_cb)(struct wn_heap_entry *e, void *arg);

int wn_sched_init(uv_loop_t *loop, wn_sched_due_cb cb, void *arg,
                  struct wn_sched **out);

/* (Re)schedules e to come due `delay_ms` from now (loop time). */
int wn_sched_in(struct wn_sched *s, struct wn_heap_entry *e, uint64_t delay_ms);

void wn_sched_cancel(struct wn_sched *s, struct wn_heap_entry *e);

/* Entries waiting. */
size_t wn_sched_size(const struct wn_sched *s);

/* Stops and frees the scheduler after its timer closed; cb may be NULL. */
void wn_sched_close(struct wn_sched *s, void (*cb)(void *arg), void *arg);

#endif /* WN_SCHED_H */
