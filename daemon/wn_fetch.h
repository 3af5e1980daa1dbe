/*
 * wn_fetch.h: HTTP(S) (and deliberately configured local file) fetches on
 * the libuv loop through libcurl's multi_socket interface: one uv_poll per
 * socket, one uv_timer for curl's timeouts, completed transfers read after
 * every action.  It knows nothing about feeds or articles; it enforces the
 * transfer limits and the address policy on every connection.
 *
 * Loop thread only.
 */
#ifndef WN_FETCH_H
#define WN_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include <winnow/error.h>

#include "wn_buf.h"

struct wn_fetcher;
struct wn_net_allow;

struct wn_fetch_opts {
    const char *user_agent;
    long connect_timeout; /* ms */
    long timeout;         /* ms, whole transfer */
    long low_speed_time;  /* ms below low_speed_limit before giving up */
    long low_speed_limit; /* bytes per second */
    long max_body;        /* bytes, after decompression */
    long max_redirects;
    long max_transfers;               /* at once, all hosts */
    long max_host_transfers;          /* at once, one host */
    const struct wn_net_allow *allow; /* borrowed; NULL: no special addresses */
    const char *file_root; /* folder file: URLs may read, or NULL: none */
};

/* What one fetch ended with.  Passed to the callback, which may steal the
 * body (wn_buf_steal(&res->body)); the rest is freed after it returns. */
struct wn_fetch_result {
    int rc;                    /* 0: a response arrived (see status); < 0 */
    long status;               /* HTTP status; 200 for a file read */
    int not_modified;          /* 304, or the file is unchanged */
    struct wn_buf body;        /* the body, NUL-terminated */
    const char *url;           /* the URL asked for */
    const char *effective_url; /* after redirects */
    const char *content_type;  /* or NULL */
    const char *etag;          /* or NULL */
    const char *last_modified; /* or NULL */
    double seconds;            /* total time */
    char error[256];           /* why, when rc < 0 or status >= 400 */
};

/*
 * Called exactly once per started fetch, on the loop thread, also when the
 * fetcher closes before the transfer ended (rc WN_ECANCELED).
 */
typedef void (*wn_fetch_cb)(struct wn_fetch_result *res, void *arg);

/* Counters, for the summary and metrics. */
struct wn_fetch_stats {
    uint64_t started, ok, not_modified, http_errors, failed, blocked, too_big,
        bytes;
    size_t active, queued;
};

int wn_fetch_init(uv_loop_t *loop, const struct wn_fetch_opts *opts,
                  struct wn_fetcher **out, struct wn_err *err);

/*
 * Starts (or queues, past max_transfers) a GET of `url`.  `etag` and
 * `last_modified` (either may be NULL) make it conditional.  Returns 0 and
 * later calls cb once, or returns < 0 (bad URL, scheme refused, file outside
 * the root, out of memory) with err saying why, and never calls cb.
 */
int wn_fetch_start(struct wn_fetcher *f, const char *url, const char *etag,
                   const char *last_modified, wn_fetch_cb cb, void *arg,
                   struct wn_err *err);

void wn_fetch_stats(const struct wn_fetcher *f, struct wn_fetch_stats *out);

/*
 * Cancels every fetch (their callbacks run with WN_ECANCELED), closes the
 * handles and calls close_cb (may be NULL) when the memory can go.
 */
void wn_fetch_close(struct wn_fetcher *f, void (*close_cb)(void *arg),
                    void *arg);

#endif /* WN_FETCH_H */
