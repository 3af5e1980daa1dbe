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
    long max_body;        /* bytes, on the wire and after decompression */
    long max_redirects;
    long max_transfers;               /* at once, all hosts */
    long max_host_transfers;          /* at once, one host */
    long host_delay;                  /* ms between starts to one host */
    const struct wn_net_allow *allow; /* borrowed; NULL: no special addresses */
    const char *file_root; /* folder file: URLs may read, or NULL: none */
    const char *proxy;     /* NULL: the environment's (http_proxy, ...);
                              "": none; else a proxy URL */
    const char *ca_file;   /* CA certificates (PEM) to check servers
                              against, or NULL: the system's bundle */
    long max_host_wait;    /* ms: requests of a host deferred longer than
                              this (wn_fetch_defer_host) end at once as
                              rate-limited instead of waiting; 0: they wait
                              (`run`; `once` would linger) */
};

/* Per request; every field may be 0 or NULL (the fetcher's setting). */
struct wn_fetch_req_opts {
    const char *etag; /* validators: the GET is conditional */
    const char *last_modified;
    const char *user_agent;
    const char *const *headers; /* nheaders "Name: value" lines */
    size_t nheaders;
    const char *cookie;   /* "name=value; name2=value2" */
    const char *username; /* basic auth, with password */
    const char *password;
    const char *proxy;   /* as wn_fetch_opts.proxy */
    const char *ca_file; /* as wn_fetch_opts.ca_file */
    long timeout;        /* ms, whole transfer */
};

/* Why a fetch failed, for the schedule and the status listing. */
enum wn_fetch_class {
    WN_FETCH_OK = 0,
    WN_FETCH_NETWORK,   /* DNS, connect, TLS, reset, truncated body */
    WN_FETCH_TIMEOUT,   /* connect, total or low-speed limit */
    WN_FETCH_HTTP,      /* an HTTP error status */
    WN_FETCH_RATE,      /* 429, or 503 with Retry-After */
    WN_FETCH_GONE,      /* 410 */
    WN_FETCH_CHALLENGE, /* a bot-challenge page (403/503 with its markers) */
    WN_FETCH_BLOCKED,   /* address, scheme or file refused by policy */
    WN_FETCH_TOO_BIG,   /* over max_body */
    WN_FETCH_CANCELED   /* the fetcher closed */
};

/* What one fetch ended with.  Passed to the callback, which may steal the
 * body (wn_buf_steal(&res->body)); the rest is freed after it returns. */
struct wn_fetch_result {
    int rc;                    /* 0: a response arrived (see status); < 0 */
    int cls;                   /* enum wn_fetch_class */
    long status;               /* HTTP status; 200 for a file read */
    int not_modified;          /* 304, or the file is unchanged */
    struct wn_buf body;        /* the body, NUL-terminated */
    const char *url;           /* the URL asked for */
    const char *effective_url; /* after redirects */
    const char *permanent_url; /* where 301/308 redirects that came first
                                  lead (the new address), or NULL */
    const char *content_type;  /* or NULL */
    const char *etag;          /* or NULL */
    const char *last_modified; /* or NULL */
    long retry_after;          /* s from now (Retry-After), or -1 */
    long max_age;              /* s fresh (Cache-Control, Expires), or -1 */
    long redirects;            /* followed */
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
    size_t active, queued, hosts;
};

int wn_fetch_init(uv_loop_t *loop, const struct wn_fetch_opts *opts,
                  struct wn_fetcher **out, struct wn_err *err);

/*
 * Starts, or queues, a GET of `url`.  A request waits while max_transfers
 * run, while its host has max_host_transfers running, until host_delay has
 * passed since the last start to its host, and while its host is deferred
 * (wn_fetch_defer_host); hosts take turns, so one slow host never holds up
 * the others.  `ro` may be NULL.  Returns 0 and later calls cb once, or
 * returns < 0 (bad URL, scheme refused, file outside the root, out of
 * memory) with err saying why, and never calls cb.
 */
int wn_fetch_start(struct wn_fetcher *f, const char *url,
                   const struct wn_fetch_req_opts *ro, wn_fetch_cb cb,
                   void *arg, struct wn_err *err);

/* No request to url's host starts in the next `seconds` (a Retry-After
 * meant for the whole host). */
void wn_fetch_defer_host(struct wn_fetcher *f, const char *url, long seconds);

/* "network", "timeout", "http", ... for the status listing; "" for OK. */
const char *wn_fetch_class_name(int cls);

/* Parses a Retry-After value (delay-seconds or HTTP-date) against `now`
 * (Unix seconds): seconds to wait (>= 0), or -1 when it is neither. */
long wn_fetch_parse_retry_after(const char *value, int64_t now);

/* Seconds a response stays fresh from Cache-Control (no-store, no-cache:
 * 0; max-age and s-maxage less Age) or else Expires less Date (either may
 * be NULL); -1 when they say nothing. */
long wn_fetch_parse_freshness(const char *cache_control, const char *expires,
                              const char *date, const char *age);

/* Does this error body look like a bot challenge (Cloudflare, Akamai,
 * Imperva, DDoS-Guard, PerimeterX, a CAPTCHA wall)? */
int wn_fetch_is_challenge(const char *body, size_t len);

void wn_fetch_stats(const struct wn_fetcher *f, struct wn_fetch_stats *out);

/*
 * Cancels every fetch (their callbacks run with WN_ECANCELED), closes the
 * handles and calls close_cb (may be NULL) when the memory can go.
 */
void wn_fetch_close(struct wn_fetcher *f, void (*close_cb)(void *arg),
                    void *arg);

#endif /* WN_FETCH_H */
