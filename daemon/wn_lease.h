/*
 * wn_lease.h: which feeds this daemon fetches when several daemons share
 * one store (PostgreSQL).  A timer asks the writer, off the loop thread, to
 * lease due feeds (wn_store_lease()); the leased feeds are handed to a
 * callback on the loop thread.  It knows nothing about fetching; the lease
 * ends when the feed's outcome is stored (wn_store_feed_fetched()).
 */
#ifndef WN_LEASE_H
#define WN_LEASE_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

/* How often due feeds are looked for. */
#define WN_LEASE_POLL_MS 250
/* Feeds leased per look at most (a daemon takes a share, not all). */
#define WN_LEASE_BATCH 32

struct wn_lease;
struct wn_writer;

/* How many more feeds the daemon can start now (loop thread). */
typedef size_t (*wn_lease_room_fn)(void *arg);
/* A feed this daemon now holds the lease of (loop thread). */
typedef void (*wn_lease_feed_fn)(int64_t feed_id, void *arg);

/*
 * Starts leasing as `owner` (copied) for lease_secs at a time.  0 or
 * WN_ENOMEM.
 */
int wn_lease_init(uv_loop_t *loop, struct wn_writer *writer, const char *owner,
                  long lease_secs, wn_lease_room_fn room, wn_lease_feed_fn feed,
                  void *arg, struct wn_lease **out);

/* Stops leasing; a lease request in flight finishes without callbacks.
 * Call before closing the writer. */
void wn_lease_close(struct wn_lease *l);

#endif /* WN_LEASE_H */
