/*
 * wn_fetch.c: libcurl's multi_socket interface driven by libuv.  curl tells
 * us which sockets to watch (wn_fetch_socket_cb -> uv_poll) and when to wake
 * it (wn_fetch_timer_cb -> one uv_timer); after every action the finished
 * transfers are read with curl_multi_info_read().  There is no
 * curl_multi_perform() loop and no blocking easy call.
 *
 * Policy enforced here for every transfer and every redirect: http and
 * https only (file: only under a configured root), special addresses
 * refused after DNS resolution unless allowed (CURLOPT_OPENSOCKETFUNCTION
 * sees every connection curl opens), a byte cap counted in the write
 * callback (Content-Length can lie and curl's size limit does not stop
 * bodies of unknown length or decompressed bodies; a progress callback
 * caps the bytes on the wire too), redirect and time caps.
 *
 * Politeness: requests wait in per-host queues (wn_fetch_host.h); a host
 * starts a request when it runs fewer than max_host_transfers, host_delay
 * has passed since its last start and no Retry-After defers it.  Hosts
 * that may start wait in a ready list and take turns, so the global cap is
 * shared fairly and a slow host only ever holds up itself.  Hosts that
 * must wait sit in a heap (wn_sched) that wakes them.
 */
#include "wn_fetch.h"

#include <sys/resource.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "wn_err.h"
#include "wn_fetch_host.h"
#include "wn_log.h"
#include "wn_metrics.h"
#include "wn_net.h"
#include "wn_sched.h"
#include "wn_time.h"
#include "wn_url.h"

/* Statuses remembered per transfer, to tell permanent redirects apart. */
#define WN_FETCH_MAX_HOPS 52
/* Idle connections curl keeps for reuse, per [fetch] max_transfers.  The
 * fetcher takes hosts in turn, so the next request usually goes to a host
 * other than the one that just finished: with only max_transfers
 * connections in all, curl closed an idle connection to open each new one.
 * 10,000 feeds over 50 loopback hosts opened 6,512 connections with none
 * kept idle and 165 with four per transfer (bench/run_sched.py). */
#define WN_FETCH_IDLE_PER_TRANSFER 4
/* Descriptors left to everything but connections (store, logs, admin
 * socket, plugins) when the open-file limit bounds the connection cache. */
#define WN_FETCH_FD_RESERVE 128

struct wn_fetch_req {
    struct wn_fetcher *f;
    struct wn_fetch_host *host;
    CURL *easy;
    char *url;
    char *etag;
    char *last_modified;
    char *user_agent, *cookie, *username, *password, *proxy; /* or NULL */
    char *ca_file;                                           /* or NULL */
    long timeout;
    wn_fetch_cb cb;
    void *arg;
    struct wn_buf body;
    struct curl_slist *headers;
    int is_file;
    int too_big;
    int blocked;
    long host_wait; /* s its host still waits, when shed unstarted */
    unsigned nhops;
    short hops[WN_FETCH_MAX_HOPS]; /* final status of each response */
    char blocked_addr[INET6_ADDRSTRLEN + 8];
    char lm_buf[64]; /* Last-Modified of a file, HTTP-date */
    char errbuf[CURL_ERROR_SIZE];
    struct wn_fetch_req *prev, *next; /* queue or active list */
};

struct wn_fetch_sock {
    uv_poll_t poll;
    curl_socket_t fd;
    struct wn_fetcher *f;
};

struct wn_fetcher {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;
    struct wn_fetch_opts opts;
    char *user_agent;
    char *file_root; /* realpath, or NULL */
    char *proxy;     /* or NULL */
    char *ca_file;   /* or NULL */
    struct wn_fetch_hosts hosts;
    struct wn_fetch_host *ready_head, *ready_tail; /* may start now */
    struct wn_sched *wake;                         /* hosts that must wait */
    struct wn_fetch_req *active;
    struct wn_fetch_stats stats;
    unsigned open_handles; /* timer + polls not yet closed */
    int closing;
    void (*close_cb)(void *arg);
    void *close_arg;
};

static void wn_fetch_check(struct wn_fetcher *f);
static void wn_fetch_pump(struct wn_fetcher *f);

/* ---- list helpers ---- */

static void
wn_fetch_active_add(struct wn_fetcher *f, struct wn_fetch_req *r)
{
    r->prev = NULL;
    r->next = f->active;
    if (f->active != NULL) {
        f->active->prev = r;
    }
    f->active = r;
    f->stats.active++;
}

static void
wn_fetch_active_del(struct wn_fetcher *f, struct wn_fetch_req *r)
{
    if (r->prev != NULL) {
        r->prev->next = r->next;
    } else {
        f->active = r->next;
    }
    if (r->next != NULL) {
        r->next->prev = r->prev;
    }
    r->prev = r->next = NULL;
    f->stats.active--;
}

/* ---- per-host queues ---- */

static void
wn_fetch_host_push(struct wn_fetch_host *h, struct wn_fetch_req *r)
{
    r->next = NULL;
    if (h->qtail != NULL) {
        h->qtail->next = r;
    } else {
        h->qhead = r;
    }
    h->qtail = r;
    h->queued++;
    r->f->stats.queued++;
}

static struct wn_fetch_req *
wn_fetch_host_pop(struct wn_fetch_host *h)
{
    struct wn_fetch_req *r = h->qhead;

    if (r != NULL) {
        h->qhead = r->next;
        if (h->qhead == NULL) {
            h->qtail = NULL;
        }
        r->next = NULL;
        h->queued--;
        r->f->stats.queued--;
    }
    return r;
}

static void
wn_fetch_ready_push(struct wn_fetcher *f, struct wn_fetch_host *h)
{
    h->ready = 1;
    h->ready_next = NULL;
    if (f->ready_tail != NULL) {
        f->ready_tail->ready_next = h;
    } else {
        f->ready_head = h;
    }
    f->ready_tail = h;
}

static struct wn_fetch_host *
wn_fetch_ready_pop(struct wn_fetcher *f)
{
    struct wn_fetch_host *h = f->ready_head;

    if (h != NULL) {
        f->ready_head = h->ready_next;
        if (f->ready_head == NULL) {
            f->ready_tail = NULL;
        }
        h->ready_next = NULL;
        h->ready = 0;
    }
    return h;
}

/* True when h must wait longer than [the fetcher's] max_host_wait. */
static int
wn_fetch_host_sheds(const struct wn_fetcher *f, const struct wn_fetch_host *h)
{
    return f->opts.max_host_wait > 0
           && h->next_ok > uv_now(f->loop) + (uint64_t) f->opts.max_host_wait;
}

/*
 * Puts h where it belongs: in the ready list when its next request may
 * start now, in the wake heap when it must wait for its delay, nowhere
 * while it runs its cap (a finishing transfer looks again).  A host with
 * nothing to do waits in the heap until its delay is over, then goes.
 */
static void
wn_fetch_host_place(struct wn_fetcher *f, struct wn_fetch_host *h)
{
    uint64_t now = uv_now(f->loop);

    if (h->ready || f->closing) {
        return;
    }
    if (h->qhead != NULL && h->active >= (unsigned) f->opts.max_host_transfers)
    {
        if (h->wake.index != WN_HEAP_NONE) {
            wn_sched_cancel(f->wake, &h->wake);
        }
        return;
    }
    if (h->next_ok > now && h->qhead != NULL && wn_fetch_host_sheds(f, h)) {
        /* Its queue is ended from the wake heap, not the caller's stack. */
        wn_sched_in(f->wake, &h->wake, 0);
        return;
    }
    if (h->next_ok > now) {
        if (h->wake.index == WN_HEAP_NONE || h->wake.key != h->next_ok) {
            wn_sched_in(f->wake, &h->wake, h->next_ok - now);
        }
        return;
    }
    if (h->wake.index != WN_HEAP_NONE) {
        wn_sched_cancel(f->wake, &h->wake);
    }
    if (h->qhead != NULL) {
        wn_fetch_ready_push(f, h);
    } else if (h->active == 0) {
        wn_fetch_hosts_del(&f->hosts, h);
        f->stats.hosts = f->hosts.n;
    }
}

static void wn_fetch_finish(struct wn_fetcher *f, struct wn_fetch_req *r,
                            CURLcode code, int canceled);

/* Ends every queued request of h, which must wait too long, as
 * rate-limited (their callbacks may queue new ones: they wait their turn). */
static void
wn_fetch_host_shed(struct wn_fetcher *f, struct wn_fetch_host *h)
{
    long secs = (long) ((h->next_ok - uv_now(f->loop) + 999) / 1000);
    struct wn_fetch_req *list = NULL, **tail = &list, *r;

    while ((r = wn_fetch_host_pop(h)) != NULL) {
        *tail = r;
        tail = &r->next;
    }
    while ((r = list) != NULL) {
        list = r->next;
        r->next = NULL;
        r->host_wait = secs;
        wn_fetch_finish(f, r, CURLE_OK, 0);
    }
}

static void
wn_fetch_host_wake(struct wn_heap_entry *e, void *arg)
{
    struct wn_fetcher *f = arg;
    struct wn_fetch_host *h =
        (struct wn_fetch_host *) (void *) ((char *) e
                                           - offsetof(struct wn_fetch_host,
                                                      wake));

    if (h->qhead != NULL && wn_fetch_host_sheds(f, h)) {
        wn_fetch_host_shed(f, h);
    }
    wn_fetch_host_place(f, h);
    wn_fetch_pump(f);
}

/* ---- curl <-> uv glue ---- */

static void wn_fetch_release(struct wn_fetcher *f);

static void
wn_fetch_sched_closed(void *arg)
{
    wn_fetch_release(arg);
}

static void
wn_fetch_handle_closed(uv_handle_t *h)
{
    struct wn_fetcher *f = h->data;

    if (h->type == UV_POLL) {
        struct wn_fetch_sock *s = (struct wn_fetch_sock *) (void *) h;
        f = s->f;
        free(s);
    }
    wn_fetch_release(f);
}

/* One handle (timer, poll, the wake heap) closed; frees f after the last. */
static void
wn_fetch_release(struct wn_fetcher *f)
{
    if (--f->open_handles == 0 && f->closing) {
        void (*cb)(void *) = f->close_cb;
        void *arg = f->close_arg;
        free(f->user_agent);
        free(f->file_root);
        free(f->proxy);
        free(f->ca_file);
        wn_fetch_hosts_free(&f->hosts);
        free(f);
        if (cb != NULL) {
            cb(arg);
        }
    }
}

static void
wn_fetch_poll_cb(uv_poll_t *h, int status, int events)
{
    struct wn_fetch_sock *s = (struct wn_fetch_sock *) (void *) h;
    struct wn_fetcher *f = s->f;
    int flags = 0, running;

    if (status < 0) {
        flags = CURL_CSELECT_ERR;
    } else {
        if (events & UV_READABLE) {
            flags |= CURL_CSELECT_IN;
        }
        if (events & UV_WRITABLE) {
            flags |= CURL_CSELECT_OUT;
        }
    }
    /* s may be closed by curl inside this call; do not touch it after. */
    curl_multi_socket_action(f->multi, s->fd, flags, &running);
    wn_fetch_check(f);
}

static int
wn_fetch_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp,
                   void *socketp)
{
    struct wn_fetcher *f = userp;
    struct wn_fetch_sock *s = socketp;
    int events = 0;

    (void) easy;
    if (what == CURL_POLL_REMOVE) {
        if (s != NULL) {
            uv_poll_stop(&s->poll);
            curl_multi_assign(f->multi, fd, NULL);
            uv_close((uv_handle_t *) &s->poll, wn_fetch_handle_closed);
        }
        return 0;
    }
    if (s == NULL) {
        s = calloc(1, sizeof(*s));
        if (s == NULL) {
            return -1;
        }
        if (uv_poll_init_socket(f->loop, &s->poll, fd) != 0) {
            free(s);
            return -1;
        }
        s->fd = fd;
        s->f = f;
        s->poll.data = s;
        f->open_handles++;
        curl_multi_assign(f->multi, fd, s);
    }
    if (what & CURL_POLL_IN) {
        events |= UV_READABLE;
    }
    if (what & CURL_POLL_OUT) {
        events |= UV_WRITABLE;
    }
    return uv_poll_start(&s->poll, events, wn_fetch_poll_cb) == 0 ? 0 : -1;
}

static void
wn_fetch_timeout_cb(uv_timer_t *t)
{
    struct wn_fetcher *f = t->data;
    int running;

    curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    wn_fetch_check(f);
}

static int
wn_fetch_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    struct wn_fetcher *f = userp;

    (void) multi;
    if (timeout_ms < 0) {
        uv_timer_stop(&f->timer);
    } else {
        /* 0 means "as soon as possible": the next loop iteration, never
         * from inside this callback (curl forbids re-entry). */
        uv_timer_start(&f->timer, wn_fetch_timeout_cb, (uint64_t) timeout_ms,
                       0);
    }
    return 0;
}

/* ---- per-transfer callbacks ---- */

static size_t
wn_fetch_write_cb(char *p, size_t size, size_t n, void *userp)
{
    struct wn_fetch_req *r = userp;
    size_t total = size * n;
    int rc = wn_buf_append(&r->body, p, total);

    if (rc != 0) {
        r->too_big = rc == WN_ETOOBIG;
        return 0; /* aborts the transfer */
    }
    return total;
}

/* Every header line of every response, redirects included: the status
 * lines tell which redirects were permanent. */
static size_t
wn_fetch_header_cb(char *p, size_t size, size_t n, void *userp)
{
    struct wn_fetch_req *r = userp;
    size_t len = size * n;
    long code;

    if (len > 12 && strncmp(p, "HTTP/", 5) == 0) {
        const char *sp = memchr(p, ' ', len);
        if (sp != NULL && (size_t) (sp - p) + 4 <= len && sp[1] >= '0'
            && sp[1] <= '9' && sp[2] >= '0' && sp[2] <= '9' && sp[3] >= '0'
            && sp[3] <= '9')
        {
            code = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
            if (code >= 200 && code <= 999 && r->nhops < WN_FETCH_MAX_HOPS) {
                r->hops[r->nhops++] = (short) code;
            }
        }
    }
    return len;
}

/* Caps the bytes on the wire (the write callback caps them decoded). */
static int
wn_fetch_progress_cb(void *userp, curl_off_t dltotal, curl_off_t dlnow,
                     curl_off_t ultotal, curl_off_t ulnow)
{
    struct wn_fetch_req *r = userp;

    (void) dltotal;
    (void) ultotal;
    (void) ulnow;
    if (dlnow > (curl_off_t) r->f->opts.max_body) {
        r->too_big = 1;
        return 1; /* aborts the transfer */
    }
    return 0;
}

static curl_socket_t
wn_fetch_opensocket_cb(void *clientp, curlsocktype purpose,
                       struct curl_sockaddr *a)
{
    struct wn_fetch_req *r = clientp;

    (void) purpose;
    if (!wn_net_allowed(r->f->opts.allow, &a->addr)) {
        const void *bytes = NULL;
        if (a->family == AF_INET) {
            bytes = &((const struct sockaddr_in *) (const void *) &a->addr)
                         ->sin_addr;
        } else if (a->family == AF_INET6) {
            bytes = &((const struct sockaddr_in6 *) (const void *) &a->addr)
                         ->sin6_addr;
        }
        if (bytes == NULL
            || inet_ntop(a->family, bytes, r->blocked_addr,
                         sizeof(r->blocked_addr))
                   == NULL)
        {
            snprintf(r->blocked_addr, sizeof(r->blocked_addr), "(family %d)",
                     a->family);
        }
        r->blocked = 1;
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* ---- lifecycle of one request ---- */

static void
wn_fetch_req_free(struct wn_fetch_req *r)
{
    if (r->easy != NULL) {
        curl_easy_cleanup(r->easy);
    }
    curl_slist_free_all(r->headers);
    wn_buf_free(&r->body);
    free(r->url);
    free(r->etag);
    free(r->last_modified);
    free(r->user_agent);
    free(r->cookie);
    free(r->username);
    free(r->password);
    free(r->proxy);
    free(r->ca_file);
    free(r);
}

/* Header `name` of response `request` (-1: the last), or NULL. */
static const char *
wn_fetch_header(CURL *easy, const char *name, int request)
{
    struct curl_header *h = NULL;

    if (curl_easy_header(easy, name, 0, CURLH_HEADER, request, &h) == CURLHE_OK
        && h != NULL && h->value != NULL && *h->value != '\0')
    {
        return h->value;
    }
    return NULL;
}

static void
wn_fetch_http_date(int64_t t, char *buf, size_t cap)
{
    static const char *const days[] = { "Thu", "Fri", "Sat", "Sun",
                                        "Mon", "Tue", "Wed" };
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
                                          "May", "Jun", "Jul", "Aug",
                                          "Sep", "Oct", "Nov", "Dec" };
    char iso[WN_TIME_BUFSZ];
    int y, mo, d, h, mi, s;
    int64_t days_since = t >= 0 ? t / 86400 : (t - 86399) / 86400;

    wn_time_format(t, iso);
    if (sscanf(iso, "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &s) != 6) {
        buf[0] = '\0';
        return;
    }
    snprintf(buf, cap, "%s, %02d %s %04d %02d:%02d:%02d GMT",
             days[((days_since % 7) + 7) % 7], d, months[mo - 1], y, h, mi, s);
}

/* ---- response headers ---- */

long
wn_fetch_parse_retry_after(const char *value, int64_t now)
{
    int64_t t;
    long secs;

    if (value == NULL) {
        return -1;
    }
    while (*value == ' ' || *value == '\t') {
        value++;
    }
    if (*value >= '0' && *value <= '9') {
        const char *p = value;
        secs = 0;
        for (; *p >= '0' && *p <= '9'; p++) {
            secs = secs < 100000000L ? secs * 10 + (*p - '0') : secs;
        }
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        return *p == '\0' ? secs : -1;
    }
    if (wn_time_parse(value, &t) != 0) {
        return -1;
    }
    return t > now ? (long) (t - now < 100000000 ? t - now : 100000000) : 0;
}

/* The number after "name=" in a Cache-Control list, or -1. */
static long
wn_fetch_directive(const char *cc, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = cc; p != NULL && *p != '\0';) {
        while (*p == ' ' || *p == ',' || *p == '\t') {
            p++;
        }
        if (strncasecmp(p, name, n) == 0 && p[n] == '=') {
            long v = 0;
            p += n + 1;
            if (*p == '"') {
                p++;
            }
            if (*p < '0' || *p > '9') {
                return -1;
            }
            for (; *p >= '0' && *p <= '9'; p++) {
                v = v < 100000000L ? v * 10 + (*p - '0') : v;
            }
            return v;
        }
        p = strchr(p, ',');
    }
    return -1;
}

static int
wn_fetch_has_token(const char *cc, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = cc; p != NULL && *p != '\0';) {
        while (*p == ' ' || *p == ',' || *p == '\t') {
            p++;
        }
        if (strncasecmp(p, name, n) == 0
            && (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '='))
        {
            return 1;
        }
        p = strchr(p, ',');
    }
    return 0;
}

long
wn_fetch_parse_freshness(const char *cache_control, const char *expires,
                         const char *date, const char *age)
{
    long fresh = -1, a = 0;

    if (age != NULL) {
        a = wn_fetch_parse_retry_after(age, 0);
        a = a < 0 ? 0 : a;
    }
    if (cache_control != NULL) {
        if (wn_fetch_has_token(cache_control, "no-store")
            || wn_fetch_has_token(cache_control, "no-cache"))
        {
            return 0;
        }
        fresh = wn_fetch_directive(cache_control, "s-maxage");
        if (fresh < 0) {
            fresh = wn_fetch_directive(cache_control, "max-age");
        }
        if (fresh >= 0) {
            return fresh > a ? fresh - a : 0;
        }
    }
    if (expires != NULL) {
        int64_t e, d;
        if (wn_time_parse(expires, &e) != 0) {
            return 0; /* an invalid Expires means already expired */
        }
        if (date == NULL || wn_time_parse(date, &d) != 0) {
            d = wn_time_now();
        }
        return e > d ? (long) (e - d < 100000000 ? e - d : 100000000) : 0;
    }
    return -1;
}

int
wn_fetch_is_challenge(const char *body, size_t len)
{
    static const char *const marks[] = {
        "cf-chl",
        "challenge-platform",
        "cf_chl_opt",
        "Just a moment...",
        "Attention Required!",
        "_Incapsula_Resource",
        "ddos-guard",
        "px-captcha",
        "captcha-delivery",
        "g-recaptcha",
        "h-captcha",
        "hcaptcha.com",
        "Checking your browser",
    };
    size_t n = len < 65536 ? len : 65536;

    if (body == NULL) {
        return 0;
    }
    for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
        size_t m = strlen(marks[i]);
        for (size_t k = 0; k + m <= n; k++) {
            if (body[k] == marks[i][0] && memcmp(body + k, marks[i], m) == 0) {
                return 1;
            }
        }
    }
    return 0;
}

const char *
wn_fetch_class_name(int cls)
{
    static const char *const names[] = {
        [WN_FETCH_OK] = "",
        [WN_FETCH_NETWORK] = "network",
        [WN_FETCH_TIMEOUT] = "timeout",
        [WN_FETCH_HTTP] = "http",
        [WN_FETCH_RATE] = "rate-limited",
        [WN_FETCH_GONE] = "gone",
        [WN_FETCH_CHALLENGE] = "bot-challenge",
        [WN_FETCH_BLOCKED] = "blocked",
        [WN_FETCH_TOO_BIG] = "too-big",
        [WN_FETCH_CANCELED] = "canceled",
    };

    return cls >= 0 && (size_t) cls < sizeof(names) / sizeof(names[0])
                   && names[cls] != NULL
               ? names[cls]
               : "error";
}

/*
 * Where the permanent redirects at the start of the chain lead: the URL
 * to store in place of the one asked for.  A temporary redirect ends the
 * walk (what comes after it is not the feed's new address).  NULL when
 * the first response was not a 301 or 308.
 */
static char *
wn_fetch_permanent_url(struct wn_fetch_req *r)
{
    CURLU *u;
    char *cur = NULL;
    unsigned i;

    if (r->nhops < 2 || (r->hops[0] != 301 && r->hops[0] != 308)) {
        return NULL;
    }
    u = curl_url();
    if (u == NULL || curl_url_set(u, CURLUPART_URL, r->url, 0) != CURLUE_OK) {
        curl_url_cleanup(u);
        return NULL;
    }
    for (i = 0; i + 1 < r->nhops && (r->hops[i] == 301 || r->hops[i] == 308);
         i++) {
        const char *loc = wn_fetch_header(r->easy, "Location", (int) i);
        if (loc == NULL || curl_url_set(u, CURLUPART_URL, loc, 0) != CURLUE_OK)
        {
            break;
        }
        curl_free(cur);
        cur = NULL;
        if (curl_url_get(u, CURLUPART_URL, &cur, 0) != CURLUE_OK) {
            cur = NULL;
            break;
        }
    }
    curl_url_cleanup(u);
    if (cur != NULL && strcmp(cur, r->url) == 0) {
        curl_free(cur);
        cur = NULL;
    }
    return cur;
}

/* Builds the result, runs the callback, frees the request. */
static void
wn_fetch_finish(struct wn_fetcher *f, struct wn_fetch_req *r, CURLcode code,
                int canceled)
{
    struct wn_fetch_result res;
    char *s = NULL, *permanent = NULL;
    long status = 0;

    memset(&res, 0, sizeof(res));
    res.url = r->url;
    res.effective_url = r->url;
    res.retry_after = -1;
    res.max_age = -1;
    res.body = r->body;
    wn_buf_init(&r->body, 0); /* ownership moved to res */
    if (r->easy != NULL && !canceled) {
        double secs = 0;
        long unmet = 0;

        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(r->easy, CURLINFO_REDIRECT_COUNT, &res.redirects);
        if (curl_easy_getinfo(r->easy, CURLINFO_EFFECTIVE_URL, &s) == CURLE_OK
            && s != NULL)
        {
            res.effective_url = s;
        }
        s = NULL;
        if (curl_easy_getinfo(r->easy, CURLINFO_CONTENT_TYPE, &s) == CURLE_OK) {
            res.content_type = s;
        }
        curl_easy_getinfo(r->easy, CURLINFO_TOTAL_TIME, &secs);
        res.seconds = secs;
        if (r->is_file) {
            curl_off_t ft = -1;
            curl_easy_getinfo(r->easy, CURLINFO_CONDITION_UNMET, &unmet);
            curl_easy_getinfo(r->easy, CURLINFO_FILETIME_T, &ft);
            if (ft >= 0) {
                wn_fetch_http_date((int64_t) ft, r->lm_buf, sizeof(r->lm_buf));
                res.last_modified = r->lm_buf;
            }
            status = code == CURLE_OK ? (unmet ? 304 : 200) : 0;
        } else if (status > 0) {
            res.etag = wn_fetch_header(r->easy, "ETag", -1);
            res.last_modified = wn_fetch_header(r->easy, "Last-Modified", -1);
            res.retry_after = wn_fetch_parse_retry_after(
                wn_fetch_header(r->easy, "Retry-After", -1), wn_time_now());
            res.max_age = wn_fetch_parse_freshness(
                wn_fetch_header(r->easy, "Cache-Control", -1),
                wn_fetch_header(r->easy, "Expires", -1),
                wn_fetch_header(r->easy, "Date", -1),
                wn_fetch_header(r->easy, "Age", -1));
            permanent = wn_fetch_permanent_url(r);
            res.permanent_url = permanent;
        }
    }
    res.status = status;
    f->stats.bytes += res.body.len;

    if (canceled) {
        res.rc = WN_ECANCELED;
        res.cls = WN_FETCH_CANCELED;
        snprintf(res.error, sizeof(res.error), "canceled: winnowd is stopping");
    } else if (r->host_wait > 0) {
        res.rc = WN_EFETCH;
        res.cls = WN_FETCH_RATE;
        res.retry_after = r->host_wait;
        snprintf(res.error, sizeof(res.error),
                 "not asked: its host asked to wait %ld s more (Retry-After "
                 "on another request)",
                 r->host_wait);
        f->stats.failed++;
    } else if (r->blocked) {
        res.rc = WN_EBLOCKED;
        res.cls = WN_FETCH_BLOCKED;
        snprintf(res.error, sizeof(res.error),
                 "refused to connect to %s, a private or special address "
                 "(allow it with [fetch] allow_private)",
                 r->blocked_addr);
        f->stats.blocked++;
    } else if (r->too_big || code == CURLE_FILESIZE_EXCEEDED) {
        res.rc = WN_ETOOBIG;
        res.cls = WN_FETCH_TOO_BIG;
        snprintf(res.error, sizeof(res.error),
                 "body larger than [fetch] max_body (%ld bytes)",
                 f->opts.max_body);
        f->stats.too_big++;
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
        res.rc = WN_ETIMEOUT;
        res.cls = WN_FETCH_TIMEOUT;
        snprintf(res.error, sizeof(res.error), "timed out: %.200s",
                 r->errbuf[0] ? r->errbuf : curl_easy_strerror(code));
        f->stats.failed++;
    } else if (code == CURLE_UNSUPPORTED_PROTOCOL) {
        res.rc = WN_EBLOCKED;
        res.cls = WN_FETCH_BLOCKED;
        snprintf(
            res.error, sizeof(res.error),
            "refused: redirected to a scheme other than http or https (%.180s)",
            r->errbuf[0] ? r->errbuf : curl_easy_strerror(code));
        f->stats.blocked++;
    } else if (code == CURLE_TOO_MANY_REDIRECTS) {
        res.rc = WN_EFETCH;
        res.cls = WN_FETCH_HTTP;
        snprintf(res.error, sizeof(res.error),
                 "more than [fetch] max_redirects (%ld) redirects, or a "
                 "redirect loop",
                 f->opts.max_redirects);
        f->stats.failed++;
    } else if (code != CURLE_OK) {
        res.rc = WN_EFETCH;
        res.cls = WN_FETCH_NETWORK;
        snprintf(res.error, sizeof(res.error), "%.250s",
                 r->errbuf[0] ? r->errbuf : curl_easy_strerror(code));
        f->stats.failed++;
    } else if (status == 304) {
        res.not_modified = 1;
        f->stats.not_modified++;
    } else if (status < 200 || status >= 300) {
        res.rc = WN_EHTTP;
        f->stats.http_errors++;
        if ((status == 403 || status == 503 || status == 429)
            && wn_fetch_is_challenge(res.body.data, res.body.len))
        {
            res.cls = WN_FETCH_CHALLENGE;
            snprintf(res.error, sizeof(res.error),
                     "http status %ld with a bot-challenge page (the site "
                     "wants a browser)",
                     status);
        } else if (status == 429 || (status == 503 && res.retry_after >= 0)) {
            res.cls = WN_FETCH_RATE;
            if (res.retry_after >= 0) {
                snprintf(res.error, sizeof(res.error),
                         "http status %ld, Retry-After %ld s", status,
                         res.retry_after);
            } else {
                snprintf(res.error, sizeof(res.error), "http status %ld",
                         status);
            }
        } else if (status == 410) {
            res.cls = WN_FETCH_GONE;
            snprintf(res.error, sizeof(res.error), "http status 410 Gone");
        } else {
            res.cls = WN_FETCH_HTTP;
            snprintf(res.error, sizeof(res.error), "http status %ld", status);
        }
    } else {
        f->stats.ok++;
    }
    wn_metrics_observe(WN_M_FETCH_SECONDS, NULL, NULL, res.seconds);
    r->cb(&res, r->arg);
    wn_buf_free(&res.body);
    curl_free(permanent);
    wn_fetch_req_free(r);
}

/* A transfer of h ended (or never started): h may start another. */
static void
wn_fetch_host_done(struct wn_fetcher *f, struct wn_fetch_host *h)
{
    if (h != NULL) {
        h->active--;
        wn_fetch_host_place(f, h);
    }
}

/* Reads every finished transfer. */
static void
wn_fetch_check(struct wn_fetcher *f)
{
    CURLMsg *msg;
    int left;

    while (f->multi != NULL
           && (msg = curl_multi_info_read(f->multi, &left)) != NULL)
    {
        struct wn_fetch_req *r = NULL;
        struct wn_fetch_host *h;
        CURL *easy = msg->easy_handle;
        CURLcode code = msg->data.result;

        if (msg->msg != CURLMSG_DONE) {
            continue;
        }
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **) &r);
        curl_multi_remove_handle(f->multi, easy);
        wn_fetch_active_del(f, r);
        h = r->host;
        wn_fetch_finish(f, r, code, 0);
        wn_fetch_host_done(f, h);
    }
    wn_fetch_pump(f);
}

/* Is this file: URL inside the configured root?  Fills `path`. */
static int
wn_fetch_file_allowed(struct wn_fetcher *f, const char *url, struct wn_err *err)
{
    char resolved[PATH_MAX];
    CURLU *u;
    char *path = NULL;
    size_t n;
    int rc = 0;

    if (f->file_root == NULL) {
        return wn_err_set(err, WN_EBLOCKED,
                          "refused: file URLs need [fetch] file_root");
    }
    u = curl_url();
    if (u == NULL) {
        return WN_ENOMEM;
    }
    if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME)
            != CURLUE_OK
        || curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE) != CURLUE_OK)
    {
        curl_url_cleanup(u);
        return wn_err_set(err, WN_EPARSE, "not a file URL");
    }
    if (realpath(path, resolved) == NULL) {
        rc = wn_err_set(err, -errno, "%s", strerror(errno));
    } else {
        n = strlen(f->file_root);
        if (strncmp(resolved, f->file_root, n) != 0
            || (resolved[n] != '/' && resolved[n] != '\0'))
        {
            rc = wn_err_set(err, WN_EBLOCKED,
                            "refused: outside [fetch] file_root %s",
                            f->file_root);
        }
    }
    curl_free(path);
    curl_url_cleanup(u);
    return rc;
}

static int
wn_fetch_setup(struct wn_fetcher *f, struct wn_fetch_req *r)
{
    const struct wn_fetch_opts *o = &f->opts;
    CURL *e = curl_easy_init();
    long low_speed = o->low_speed_time / 1000;
    const char *proxy = r->proxy != NULL ? r->proxy : f->proxy;
    const char *ca_file = r->ca_file != NULL ? r->ca_file : f->ca_file;

    if (e == NULL) {
        return WN_ENOMEM;
    }
    r->easy = e;
    curl_easy_setopt(e, CURLOPT_URL, r->url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, (char *) r);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, wn_fetch_write_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, wn_fetch_progress_cb);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, r);
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) o->max_body);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                     r->timeout > 0 ? r->timeout : o->timeout);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, o->low_speed_limit);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, low_speed > 0 ? low_speed : 1L);
    if (r->is_file) {
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "file");
        curl_easy_setopt(e, CURLOPT_FILETIME, 1L);
        if (r->last_modified != NULL) {
            int64_t t;
            if (wn_time_parse(r->last_modified, &t) == 0) {
                curl_easy_setopt(e, CURLOPT_TIMECONDITION,
                                 (long) CURL_TIMECOND_IFMODSINCE);
                curl_easy_setopt(e, CURLOPT_TIMEVALUE_LARGE, (curl_off_t) t);
            }
        }
        return 0;
    }
    /* http and https only, for the request and every redirect. */
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, o->max_redirects);
    /* Every encoding this libcurl decodes (Debian 12: gzip, deflate, br,
     * zstd); the write callback counts the decoded bytes. */
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    /* A proxy's answer to CONNECT (https through a proxy, configured or
     * from the environment) is not a response of the redirect chain. */
    curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, wn_fetch_header_cb);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(e, CURLOPT_USERAGENT,
                     r->user_agent != NULL ? r->user_agent : f->user_agent);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, wn_fetch_opensocket_cb);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, r);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (ca_file != NULL) {
        /* Instead of the system's bundle: a private CA's certificates. */
        curl_easy_setopt(e, CURLOPT_CAINFO, ca_file);
    }
    if (proxy != NULL) {
        /* "" turns the environment's proxy off; unset, libcurl reads
         * http_proxy, https_proxy, all_proxy and no_proxy itself. */
        curl_easy_setopt(e, CURLOPT_PROXY, proxy);
    }
    if (r->cookie != NULL) {
        curl_easy_setopt(e, CURLOPT_COOKIE, r->cookie);
    }
    if (r->username != NULL) {
        curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
        curl_easy_setopt(e, CURLOPT_USERNAME, r->username);
        curl_easy_setopt(e, CURLOPT_PASSWORD,
                         r->password != NULL ? r->password : "");
        /* Credentials go to the configured host only, never to a host a
         * redirect leads to (CURLOPT_UNRESTRICTED_AUTH stays off). */
    }
    if (r->headers != NULL) {
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
    }
    return 0;
}

/* Starts one request of h (the head of the ready list). */
static void
wn_fetch_begin(struct wn_fetcher *f, struct wn_fetch_host *h)
{
    struct wn_fetch_req *r = wn_fetch_host_pop(h);
    int rc;

    h->active++;
    h->next_ok = uv_now(f->loop) + (uint64_t) f->opts.host_delay;
    rc = wn_fetch_setup(f, r);
    if (rc == 0 && curl_multi_add_handle(f->multi, r->easy) != CURLM_OK) {
        rc = WN_ENOMEM;
    }
    if (rc != 0) {
        /* Accepted earlier, so the callback must still fire once. */
        snprintf(r->errbuf, sizeof(r->errbuf), "cannot start transfer: %s",
                 wn_strerror(rc));
        wn_fetch_finish(f, r, CURLE_OUT_OF_MEMORY, 0);
        wn_fetch_host_done(f, h);
        return;
    }
    f->stats.started++;
    wn_fetch_active_add(f, r);
    wn_fetch_host_place(f, h);
}

/* Starts requests of ready hosts, one per host in turn, while there is
 * room. */
static void
wn_fetch_pump(struct wn_fetcher *f)
{
    struct wn_fetch_host *h;

    while (!f->closing && f->stats.active < (size_t) f->opts.max_transfers
           && (h = wn_fetch_ready_pop(f)) != NULL)
    {
        if (h->qhead == NULL || h->next_ok > uv_now(f->loop)) {
            wn_fetch_host_place(f, h); /* deferred since it became ready */
            continue;
        }
        wn_fetch_begin(f, h);
    }
}

static char *
wn_fetch_dup(const char *s, int *oom)
{
    char *d;

    if (s == NULL) {
        return NULL;
    }
    d = strdup(s);
    *oom |= d == NULL;
    return d;
}

/* Copies what the request needs after wn_fetch_start() returns. */
static int
wn_fetch_req_fill(struct wn_fetch_req *r, const struct wn_fetch_req_opts *ro)
{
    int oom = 0;
    char h[1100];

    if (ro == NULL) {
        return 0;
    }
    r->etag =
        ro->etag != NULL && *ro->etag ? wn_fetch_dup(ro->etag, &oom) : NULL;
    r->last_modified = ro->last_modified != NULL && *ro->last_modified
                           ? wn_fetch_dup(ro->last_modified, &oom)
                           : NULL;
    r->user_agent = wn_fetch_dup(ro->user_agent, &oom);
    r->cookie = wn_fetch_dup(ro->cookie, &oom);
    r->username = wn_fetch_dup(ro->username, &oom);
    r->password = wn_fetch_dup(ro->password, &oom);
    r->proxy = wn_fetch_dup(ro->proxy, &oom);
    r->ca_file = wn_fetch_dup(ro->ca_file, &oom);
    r->timeout = ro->timeout;
    for (size_t i = 0; !oom && i < ro->nheaders; i++) {
        struct curl_slist *l = curl_slist_append(r->headers, ro->headers[i]);
        oom |= l == NULL;
        r->headers = l != NULL ? l : r->headers;
    }
    if (!oom && !r->is_file && r->etag != NULL) {
        snprintf(h, sizeof(h), "If-None-Match: %s", r->etag);
        struct curl_slist *l = curl_slist_append(r->headers, h);
        oom |= l == NULL;
        r->headers = l != NULL ? l : r->headers;
    }
    if (!oom && !r->is_file && r->last_modified != NULL) {
        snprintf(h, sizeof(h), "If-Modified-Since: %s", r->last_modified);
        struct curl_slist *l = curl_slist_append(r->headers, h);
        oom |= l == NULL;
        r->headers = l != NULL ? l : r->headers;
    }
    return oom ? WN_ENOMEM : 0;
}

int
wn_fetch_start(struct wn_fetcher *f, const char *url,
               const struct wn_fetch_req_opts *ro, wn_fetch_cb cb, void *arg,
               struct wn_err *err)
{
    struct wn_fetch_req *r;
    struct wn_fetch_host *h;
    char *host = NULL;
    int rc, is_file = wn_url_is_file(url);

    if (f->closing) {
        return wn_err_set(err, WN_ECANCELED, "canceled: winnowd is stopping");
    }
    if (strlen(url) > WN_URL_MAX) {
        return wn_err_set(err, WN_EINVAL, "URL longer than %d bytes",
                          WN_URL_MAX);
    }
    if (is_file) {
        rc = wn_fetch_file_allowed(f, url, err);
        if (rc != 0) {
            return rc;
        }
    } else if (strncasecmp(url, "http://", 7) != 0
               && strncasecmp(url, "https://", 8) != 0)
    {
        return wn_err_set(err, WN_EBLOCKED,
                          "refused: not an http or https URL");
    }
    if (wn_url_host(url, &host) != 0) {
        return wn_err_set(err, WN_EPARSE, "not a URL with a host");
    }
    h = wn_fetch_hosts_get(&f->hosts, host);
    free(host);
    r = h != NULL ? calloc(1, sizeof(*r)) : NULL;
    if (r == NULL) {
        if (h != NULL) {
            wn_fetch_host_place(f, h);
        }
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    f->stats.hosts = f->hosts.n;
    r->f = f;
    r->host = h;
    r->cb = cb;
    r->arg = arg;
    r->is_file = is_file;
    r->url = strdup(url);
    wn_buf_init(&r->body, (size_t) f->opts.max_body);
    if (r->url == NULL || wn_fetch_req_fill(r, ro) != 0) {
        wn_fetch_req_free(r);
        wn_fetch_host_place(f, h);
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    wn_fetch_host_push(h, r);
    wn_fetch_host_place(f, h);
    wn_fetch_pump(f);
    return 0;
}

void
wn_fetch_defer_host(struct wn_fetcher *f, const char *url, long seconds)
{
    struct wn_fetch_host *h;
    char *host = NULL;
    uint64_t until;

    if (f->closing || seconds <= 0 || wn_url_host(url, &host) != 0) {
        return;
    }
    h = wn_fetch_hosts_get(&f->hosts, host);
    free(host);
    if (h == NULL) {
        return;
    }
    f->stats.hosts = f->hosts.n;
    until = uv_now(f->loop) + (uint64_t) seconds * 1000u;
    if (until > h->next_ok) {
        h->next_ok = until;
    }
    /* A host in the ready list is looked at again when its turn comes. */
    wn_fetch_host_place(f, h);
}

/* Connections curl may hold, busy or idle: the transfers that may run
 * and WN_FETCH_IDLE_PER_TRANSFER idle ones each, within the open-file
 * limit (never fewer than the transfers). */
static long
wn_fetch_max_conns(long transfers)
{
    long conns = transfers * (1 + WN_FETCH_IDLE_PER_TRANSFER);
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
        && rl.rlim_cur < (rlim_t) conns + WN_FETCH_FD_RESERVE)
    {
        conns = rl.rlim_cur > (rlim_t) WN_FETCH_FD_RESERVE
                    ? (long) (rl.rlim_cur - WN_FETCH_FD_RESERVE)
                    : 0;
    }
    return conns > transfers ? conns : transfers;
}

int
wn_fetch_init(uv_loop_t *loop, const struct wn_fetch_opts *opts,
              struct wn_fetcher **out, struct wn_err *err)
{
    struct wn_fetcher *f;
    long conns;

    *out = NULL;
    f = calloc(1, sizeof(*f));
    if (f == NULL) {
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    f->loop = loop;
    f->opts = *opts;
    wn_fetch_hosts_init(&f->hosts);
    f->user_agent = strdup(opts->user_agent ? opts->user_agent : "winnow");
    if (opts->file_root != NULL) {
        char resolved[PATH_MAX];
        if (realpath(opts->file_root, resolved) == NULL) {
            int e = errno;
            free(f->user_agent);
            free(f);
            return wn_err_set(err, -e, "[fetch] file_root %s: %s",
                              opts->file_root, strerror(e));
        }
        f->file_root = strdup(resolved);
    }
    f->proxy = opts->proxy != NULL ? strdup(opts->proxy) : NULL;
    f->ca_file = opts->ca_file != NULL ? strdup(opts->ca_file) : NULL;
    f->multi = curl_multi_init();
    if (f->user_agent == NULL || f->multi == NULL
        || (opts->file_root != NULL && f->file_root == NULL)
        || (opts->proxy != NULL && f->proxy == NULL)
        || (opts->ca_file != NULL && f->ca_file == NULL)
        || wn_sched_init(loop, wn_fetch_host_wake, f, &f->wake) != 0)
    {
        if (f->multi != NULL) {
            curl_multi_cleanup(f->multi);
        }
        free(f->user_agent);
        free(f->file_root);
        free(f->proxy);
        free(f->ca_file);
        free(f);
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    f->opts.user_agent = f->user_agent;
    f->opts.file_root = f->file_root;
    f->opts.proxy = f->proxy;
    f->opts.ca_file = f->ca_file;
    uv_timer_init(loop, &f->timer);
    f->timer.data = f;
    f->open_handles = 2; /* the timer and the wake heap's */
    curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, wn_fetch_socket_cb);
    curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
    curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, wn_fetch_timer_cb);
    curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
    /* The fetcher caps transfers itself (max_transfers, and per host);
     * curl's caps bound connections, idle ones included. */
    conns = wn_fetch_max_conns(opts->max_transfers);
    curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, conns);
    curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                      opts->max_host_transfers);
    curl_multi_setopt(f->multi, CURLMOPT_MAXCONNECTS, conns);
    curl_multi_setopt(f->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    *out = f;
    return 0;
}

void
wn_fetch_stats(const struct wn_fetcher *f, struct wn_fetch_stats *out)
{
    *out = f->stats;
}

void
wn_fetch_close(struct wn_fetcher *f, void (*close_cb)(void *arg), void *arg)
{
    struct wn_fetch_req *r;
    struct wn_fetch_host *h;

    if (f->closing) {
        return;
    }
    f->closing = 1;
    f->close_cb = close_cb;
    f->close_arg = arg;
    /* Queued requests, host by host. */
    for (size_t i = 0; i < f->hosts.nb; i++) {
        for (h = f->hosts.b[i]; h != NULL; h = h->hnext) {
            while ((r = wn_fetch_host_pop(h)) != NULL) {
                wn_fetch_finish(f, r, CURLE_ABORTED_BY_CALLBACK, 1);
            }
        }
    }
    while ((r = f->active) != NULL) {
        curl_multi_remove_handle(f->multi, r->easy);
        wn_fetch_active_del(f, r);
        wn_fetch_finish(f, r, CURLE_ABORTED_BY_CALLBACK, 1);
    }
    f->ready_head = f->ready_tail = NULL;
    /* Cleanup closes cached connections through the socket callback. */
    curl_multi_cleanup(f->multi);
    f->multi = NULL;
    wn_sched_close(f->wake, wn_fetch_sched_closed, f);
    uv_timer_stop(&f->timer);
    uv_close((uv_handle_t *) &f->timer, wn_fetch_handle_closed);
}
