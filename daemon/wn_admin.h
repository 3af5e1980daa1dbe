/*
 * wn_admin.h: the admin HTTP endpoint on a loopback address or a unix
 * socket: /healthz, /readyz, /metrics, /feeds and the status page at /.
 * libmicrohttpd parses HTTP; this module drives it from the libuv loop (its
 * epoll descriptor under one uv_poll, its timeouts on one uv_timer) and
 * routes.  What the store says is read on the threadpool through a
 * read-only connection of its own and cached briefly, so a request never
 * blocks the loop.  What the pages look like is wn_admin_page.c's job.
 *
 * Loop thread only.
 */
#ifndef WN_ADMIN_H
#define WN_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include <winnow/error.h>

struct wn_admin;
struct wn_conf;
struct wn_ingest_feed;
struct wn_plugins;

#define WN_ADMIN_DAYS        14   /* days drawn in each feed's chart */
#define WN_ADMIN_CACHE_MS    2000 /* store figures reused for this long */
#define WN_ADMIN_READY_MS    1000 /* /readyz wants a store probe this fresh */
#define WN_ADMIN_LAG_TICK_MS 250  /* the loop-lag timer's period */
#define WN_ADMIN_MAX_BODY    (8u << 20) /* a rendered page or metrics */

/* The daemon's live state, filled on the loop thread for each request. */
struct wn_admin_live {
    /* The i-th configured feed (borrowed), for i < nfeeds. */
    const struct wn_ingest_feed *(*feed)(void *arg, size_t i);
    void *feed_arg;
    size_t nfeeds;
    const struct wn_plugins *plugins; /* borrowed, may be NULL */
    int store_ok;           /* the last write transaction committed */
    const char *store_why;  /* when !store_ok */
    int stopping;           /* SIGTERM seen: not ready */
    uint64_t started;       /* uv_hrtime() at start */
};

/*
 * Fills *live and updates the gauges and counters that are read from the
 * modules' own statistics (queue depths, fetch results); called before
 * every response.
 */
typedef void (*wn_admin_live_fn)(void *arg, struct wn_admin_live *live);

/*
 * Starts serving on conf->admin_listen ("127.0.0.1:9310", "[::1]:9310",
 * "unix:/run/winnow/admin.sock"; port 0 picks one, which is logged).
 * Refuses addresses that are not loopback: the endpoint has no
 * authentication.  What it needs of conf is copied, so a reload may free
 * conf (the endpoint keeps its address and limits until a restart).
 * Returns 0 (and *out NULL when admin_listen is empty),
 * WN_ECONFIG for a bad address, or -errno when it cannot listen, with err
 * naming the address.
 */
int wn_admin_start(uv_loop_t *loop, const struct wn_conf *conf,
                   wn_admin_live_fn live, void *arg, struct wn_admin **out,
                   struct wn_err *err);

/* The address it listens on, with the port it got ("127.0.0.1:41234"). */
const char *wn_admin_address(const struct wn_admin *a);

/*
 * Answers what is in flight, closes the listener, the connections and the
 * handles, waits for a store read in flight, frees the admin and calls cb
 * (may be NULL).  a may be NULL (cb is then called at once).
 */
void wn_admin_close(struct wn_admin *a, void (*cb)(void *arg), void *arg);

#endif /* WN_ADMIN_H */
