/*
 * wn_fetch_host.h: the table of hosts the fetcher is talking to, so that
 * politeness is per host: how many transfers run, when the next may start
 * (the minimum delay, a Retry-After with host scope) and the requests that
 * wait for it.  A hash of lower-cased host names to small records; a host
 * without requests and without a pending delay is removed, so the table
 * holds only hosts in use.
 *
 * Loop thread only.
 */
#ifndef WN_FETCH_HOST_H
#define WN_FETCH_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "wn_heap.h"

struct wn_fetch_req;

struct wn_fetch_host {
    char *name;                            /* lower case */
    unsigned active;                       /* transfers running */
    uint64_t next_ok;                      /* loop ms: next start allowed */
    struct wn_fetch_req *qhead, *qtail;    /* waiting, oldest first */
    size_t queued;                         /* requests in the queue */
    struct wn_fetch_host *ready_next;      /* in the fetcher's ready list */
    int ready;                             /* in that list */
    struct wn_heap_entry wake;             /* in the fetcher's wake heap */
    struct wn_fetch_host *hnext;           /* hash chain */
};

struct wn_fetch_hosts {
    struct wn_fetch_host **b; /* buckets, a power of two */
    size_t nb, n;
};

void wn_fetch_hosts_init(struct wn_fetch_hosts *t);

/* The record of `name` (compared case-insensitively), created when new;
 * NULL when out of memory. */
struct wn_fetch_host *wn_fetch_hosts_get(struct wn_fetch_hosts *t,
                                         const char *name);

/* The record of `name`, or NULL. */
struct wn_fetch_host *wn_fetch_hosts_find(const struct wn_fetch_hosts *t,
                                          const char *name);

/* Removes and frees h; it must have no requests and be in no list. */
void wn_fetch_hosts_del(struct wn_fetch_hosts *t, struct wn_fetch_host *h);

/* Frees every record (requests are the caller's). */
void wn_fetch_hosts_free(struct wn_fetch_hosts *t);

#endif /* WN_FETCH_HOST_H */
