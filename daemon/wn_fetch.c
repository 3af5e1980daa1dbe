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
 * bodies of unknown length or decompressed bodies), redirect and time caps.
 */
#include "wn_fetch.h"

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
#include "wn_log.h"
#include "wn_metrics.h"
#include "wn_net.h"
#include "wn_time.h"
#include "wn_url.h"

struct wn_fetch_req {
    struct wn_fetcher *f;
    CURL *easy;
    char *url;
    char *etag;
    char *last_modified;
    wn_fetch_cb cb;
    void *arg;
    struct wn_buf body;
    struct curl_slist *headers;
    int is_file;
    int too_big;
    int blocked;
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
    struct wn_fetch_req *queue_head, *queue_tail;
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

static struct wn_fetch_req *
wn_fetch_queue_pop(struct wn_fetcher *f)
{
    struct wn_fetch_req *r = f->queue_head;

    if (r != NULL) {
        f->queue_head = r->next;
        if (f->queue_head == NULL) {
            f->queue_tail = NULL;
        }
        r->next = NULL;
        f->stats.queued--;
    }
    return r;
}

/* ---- curl <-> uv glue ---- */

static void
wn_fetch_handle_closed(uv_handle_t *h)
{
    struct wn_fetcher *f = h->data;

    if (h->type == UV_POLL) {
        struct wn_fetch_sock *s = (struct wn_fetch_sock *) (void *) h;
        f = s->f;
        free(s);
    }
    if (--f->open_handles == 0 && f->closing) {
        void (*cb)(void *) = f->close_cb;
        void *arg = f->close_arg;
        free(f->user_agent);
        free(f->file_root);
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
    free(r);
}

static const char *
wn_fetch_header(CURL *easy, const char *name)
{
    struct curl_header *h = NULL;

    if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &h) == CURLHE_OK
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

/* Builds the result, runs the callback, frees the request. */
static void
wn_fetch_finish(struct wn_fetcher *f, struct wn_fetch_req *r, CURLcode code,
                int canceled)
{
    struct wn_fetch_result res;
    char *s = NULL;
    long status = 0;

    memset(&res, 0, sizeof(res));
    res.url = r->url;
    res.effective_url = r->url;
    res.body = r->body;
    wn_buf_init(&r->body, 0); /* ownership moved to res */
    if (r->easy != NULL && !canceled) {
        double secs = 0;
        long unmet = 0;

        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
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
        } else {
            res.etag = wn_fetch_header(r->easy, "ETag");
            res.last_modified = wn_fetch_header(r->easy, "Last-Modified");
        }
    }
    res.status = status;
    f->stats.bytes += res.body.len;

    if (canceled) {
        res.rc = WN_ECANCELED;
        snprintf(res.error, sizeof(res.error), "canceled: winnowd is stopping");
    } else if (r->blocked) {
        res.rc = WN_EBLOCKED;
        snprintf(res.error, sizeof(res.error),
                 "refused to connect to %s, a private or special address "
                 "(allow it with [fetch] allow_private)",
                 r->blocked_addr);
        f->stats.blocked++;
    } else if (r->too_big || code == CURLE_FILESIZE_EXCEEDED) {
        res.rc = WN_ETOOBIG;
        snprintf(res.error, sizeof(res.error),
                 "body larger than [fetch] max_body (%ld bytes)",
                 f->opts.max_body);
        f->stats.too_big++;
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
        res.rc = WN_ETIMEOUT;
        snprintf(res.error, sizeof(res.error), "timed out: %.200s",
                 r->errbuf[0] ? r->errbuf : curl_easy_strerror(code));
        f->stats.failed++;
    } else if (code == CURLE_UNSUPPORTED_PROTOCOL) {
        res.rc = WN_EBLOCKED;
        snprintf(
            res.error, sizeof(res.error),
            "refused: redirected to a scheme other than http or https (%.180s)",
            r->errbuf[0] ? r->errbuf : curl_easy_strerror(code));
        f->stats.blocked++;
    } else if (code != CURLE_OK) {
        res.rc = WN_EFETCH;
        snprintf(res.error, sizeof(res.error), "%.250s",
                 r->errbuf[0] ? r->errbuf : curl_easy_strerror(code));
        f->stats.failed++;
    } else if (status == 304) {
        res.not_modified = 1;
        f->stats.not_modified++;
    } else if (status >= 400 || status < 200 || status >= 300) {
        res.rc = WN_EHTTP;
        snprintf(res.error, sizeof(res.error), "http status %ld", status);
        f->stats.http_errors++;
    } else {
        f->stats.ok++;
    }
    wn_metrics_observe(WN_M_FETCH_SECONDS, NULL, NULL, res.seconds);
    r->cb(&res, r->arg);
    wn_buf_free(&res.body);
    wn_fetch_req_free(r);
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
        CURL *easy = msg->easy_handle;
        CURLcode code = msg->data.result;

        if (msg->msg != CURLMSG_DONE) {
            continue;
        }
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **) &r);
        curl_multi_remove_handle(f->multi, easy);
        wn_fetch_active_del(f, r);
        wn_fetch_finish(f, r, code, 0);
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

    if (e == NULL) {
        return WN_ENOMEM;
    }
    r->easy = e;
    curl_easy_setopt(e, CURLOPT_URL, r->url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, (char *) r);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, wn_fetch_write_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) o->max_body);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, o->timeout);
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
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, o->max_redirects);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_USERAGENT, f->user_agent);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, wn_fetch_opensocket_cb);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, r);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    if (r->etag != NULL) {
        char h[1100];
        snprintf(h, sizeof(h), "If-None-Match: %s", r->etag);
        r->headers = curl_slist_append(r->headers, h);
    }
    if (r->last_modified != NULL) {
        char h[256];
        snprintf(h, sizeof(h), "If-Modified-Since: %s", r->last_modified);
        r->headers = curl_slist_append(r->headers, h);
    }
    if ((r->etag != NULL || r->last_modified != NULL) && r->headers == NULL) {
        return WN_ENOMEM;
    }
    if (r->headers != NULL) {
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
    }
    return 0;
}

/* Starts queued requests while there is room. */
static void
wn_fetch_pump(struct wn_fetcher *f)
{
    while (!f->closing && f->queue_head != NULL
           && f->stats.active < (size_t) f->opts.max_transfers)
    {
        struct wn_fetch_req *r = wn_fetch_queue_pop(f);
        int rc = wn_fetch_setup(f, r);

        if (rc == 0 && curl_multi_add_handle(f->multi, r->easy) != CURLM_OK) {
            rc = WN_ENOMEM;
        }
        if (rc != 0) {
            /* Accepted earlier, so the callback must still fire once. */
            snprintf(r->errbuf, sizeof(r->errbuf), "cannot start transfer: %s",
                     wn_strerror(rc));
            wn_fetch_finish(f, r, CURLE_OUT_OF_MEMORY, 0);
            continue;
        }
        f->stats.started++;
        wn_fetch_active_add(f, r);
    }
}

int
wn_fetch_start(struct wn_fetcher *f, const char *url, const char *etag,
               const char *last_modified, wn_fetch_cb cb, void *arg,
               struct wn_err *err)
{
    struct wn_fetch_req *r;
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
    r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    r->f = f;
    r->cb = cb;
    r->arg = arg;
    r->is_file = is_file;
    r->url = strdup(url);
    r->etag = etag != NULL && *etag ? strdup(etag) : NULL;
    r->last_modified =
        last_modified != NULL && *last_modified ? strdup(last_modified) : NULL;
    wn_buf_init(&r->body, (size_t) f->opts.max_body);
    if (r->url == NULL || (etag != NULL && *etag && r->etag == NULL)
        || (last_modified != NULL && *last_modified
            && r->last_modified == NULL))
    {
        wn_fetch_req_free(r);
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    if (f->queue_tail != NULL) {
        f->queue_tail->next = r;
    } else {
        f->queue_head = r;
    }
    f->queue_tail = r;
    f->stats.queued++;
    wn_fetch_pump(f);
    return 0;
}

int
wn_fetch_init(uv_loop_t *loop, const struct wn_fetch_opts *opts,
              struct wn_fetcher **out, struct wn_err *err)
{
    struct wn_fetcher *f;

    *out = NULL;
    f = calloc(1, sizeof(*f));
    if (f == NULL) {
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    f->loop = loop;
    f->opts = *opts;
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
    f->multi = curl_multi_init();
    if (f->user_agent == NULL || f->multi == NULL
        || (opts->file_root != NULL && f->file_root == NULL))
    {
        if (f->multi != NULL) {
            curl_multi_cleanup(f->multi);
        }
        free(f->user_agent);
        free(f->file_root);
        free(f);
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    f->opts.user_agent = f->user_agent;
    f->opts.file_root = f->file_root;
    uv_timer_init(loop, &f->timer);
    f->timer.data = f;
    f->open_handles = 1;
    curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, wn_fetch_socket_cb);
    curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
    curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, wn_fetch_timer_cb);
    curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
    curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                      opts->max_transfers);
    curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                      opts->max_host_transfers);
    /* Keep as many idle connections as transfers may run: curl's default
     * cache is smaller, and a closed connection costs a new handshake. */
    curl_multi_setopt(f->multi, CURLMOPT_MAXCONNECTS, opts->max_transfers);
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

    if (f->closing) {
        return;
    }
    f->closing = 1;
    f->close_cb = close_cb;
    f->close_arg = arg;
    while ((r = wn_fetch_queue_pop(f)) != NULL) {
        wn_fetch_finish(f, r, CURLE_ABORTED_BY_CALLBACK, 1);
    }
    while ((r = f->active) != NULL) {
        curl_multi_remove_handle(f->multi, r->easy);
        wn_fetch_active_del(f, r);
        wn_fetch_finish(f, r, CURLE_ABORTED_BY_CALLBACK, 1);
    }
    /* Cleanup closes cached connections through the socket callback. */
    curl_multi_cleanup(f->multi);
    f->multi = NULL;
    uv_timer_stop(&f->timer);
    uv_close((uv_handle_t *) &f->timer, wn_fetch_handle_closed);
}
