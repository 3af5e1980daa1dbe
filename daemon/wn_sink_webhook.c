/*
 * wn_sink_webhook.c: the HTTP webhook sink.  Records wait in a bounded
 * queue; one POST at a time carries up to [sink] webhook_batch of them as
 * JSON Lines, signed with HMAC-SHA256 over the body ("X-Winnow-Signature:
 * sha256=<hex>", OpenSSL's libcrypto) and numbered ("X-Winnow-Delivery")
 * so a receiver can drop a batch it already has.  A failed POST (transport
 * error or a status outside 2xx) is retried with exponential backoff and
 * jitter, for ever while running: records leave the queue only when the
 * receiver said 2xx.  While the queue holds [sink] webhook_queue records
 * the sink is full and the ingest waits.
 *
 * libcurl runs on its own multi handle driven by the loop (one uv_poll per
 * socket, one uv_timer for curl's timeouts), so connections are reused
 * between POSTs and nothing blocks.
 */
#include "wn_sink.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wn_conf.h"
#include "wn_err.h"
#include "wn_log.h"
#include "wn_metrics.h"

#define WN_WEBHOOK_SIG_HEADER      "X-Winnow-Signature"
#define WN_WEBHOOK_DELIVERY_HEADER "X-Winnow-Delivery"
#define WN_WEBHOOK_CONNECT_MS      10000L

struct wn_webhook_rec {
    struct wn_webhook_rec *next;
    size_t len;
    char line[];
};

struct wn_webhook_sock {
    uv_poll_t poll;
    curl_socket_t fd;
    struct wn_webhook *w;
    struct wn_webhook_sock *next, **prev;
};

struct wn_webhook {
    struct wn_sink base;
    uv_loop_t *loop;
    char *url, *secret;
    long batch_max, queue_max, timeout, retry_min, retry_max;
    CURLM *multi;
    CURL *easy;
    char errbuf[CURL_ERROR_SIZE];
    struct wn_webhook_sock *socks;
    uv_timer_t curl_timer, retry_timer, close_timer;
    struct wn_webhook_rec *head, *tail;
    size_t count;    /* records queued, those in flight included */
    size_t inflight; /* records in the POST in flight (from head) */
    struct wn_buf body;
    struct curl_slist *headers;
    uint64_t delivery; /* number of the batch in flight */
    unsigned attempt;  /* failures in a row */
    int closing, finished;
    int handles; /* uv handles open */
    void (*done)(struct wn_sinks *set);
    struct wn_sinks *set;
};

static void wn_webhook_send(struct wn_webhook *w);
static void wn_webhook_finish(struct wn_webhook *w);
static void wn_webhook_maybe_free(struct wn_webhook *w);

/* ---- curl on the loop ---- */

static void
wn_webhook_sock_closed(uv_handle_t *h)
{
    struct wn_webhook_sock *k = h->data;
    struct wn_webhook *w = k->w;

    free(k);
    w->handles--;
    wn_webhook_maybe_free(w);
}

static void
wn_webhook_sock_drop(struct wn_webhook_sock *k)
{
    *k->prev = k->next;
    if (k->next != NULL) {
        k->next->prev = k->prev;
    }
    uv_close((uv_handle_t *) &k->poll, wn_webhook_sock_closed);
}

static void wn_webhook_check(struct wn_webhook *w);

static void
wn_webhook_poll_cb(uv_poll_t *p, int status, int events)
{
    struct wn_webhook_sock *k = p->data;
    struct wn_webhook *w = k->w;
    int flags = 0, running;

    if (status < 0) {
        flags = CURL_CSELECT_ERR;
    } else {
        flags |= (events & UV_READABLE) ? CURL_CSELECT_IN : 0;
        flags |= (events & UV_WRITABLE) ? CURL_CSELECT_OUT : 0;
    }
    curl_multi_socket_action(w->multi, k->fd, flags, &running);
    wn_webhook_check(w);
}

static int
wn_webhook_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp,
                     void *socketp)
{
    struct wn_webhook *w = userp;
    struct wn_webhook_sock *k = socketp;
    int events = 0;

    (void) easy;
    if (what == CURL_POLL_REMOVE) {
        if (k != NULL) {
            uv_poll_stop(&k->poll);
            wn_webhook_sock_drop(k);
        }
        return 0;
    }
    if (k == NULL) {
        k = calloc(1, sizeof(*k));
        if (k == NULL || uv_poll_init_socket(w->loop, &k->poll, fd) != 0) {
            free(k);
            return -1;
        }
        k->fd = fd;
        k->w = w;
        k->poll.data = k;
        k->next = w->socks;
        if (k->next != NULL) {
            k->next->prev = &k->next;
        }
        k->prev = &w->socks;
        w->socks = k;
        w->handles++;
        curl_multi_assign(w->multi, fd, k);
    }
    events |= (what & CURL_POLL_IN) ? UV_READABLE : 0;
    events |= (what & CURL_POLL_OUT) ? UV_WRITABLE : 0;
    uv_poll_start(&k->poll, events, wn_webhook_poll_cb);
    return 0;
}

static void
wn_webhook_curl_timer_cb(uv_timer_t *t)
{
    struct wn_webhook *w = t->data;
    int running;

    curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    wn_webhook_check(w);
}

static int
wn_webhook_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    struct wn_webhook *w = userp;

    (void) multi;
    if (timeout_ms < 0) {
        uv_timer_stop(&w->curl_timer);
    } else {
        uv_timer_start(&w->curl_timer, wn_webhook_curl_timer_cb,
                       (uint64_t) timeout_ms, 0);
    }
    return 0;
}

static size_t
wn_webhook_discard(char *p, size_t size, size_t n, void *arg)
{
    (void) p;
    (void) arg;
    return size * n; /* the receiver's answer is its status */
}

/* ---- the queue ---- */

static int
wn_webhook_put(struct wn_sink *s, const char *line, size_t len)
{
    struct wn_webhook *w = (struct wn_webhook *) s;
    struct wn_webhook_rec *r = malloc(sizeof(*r) + len);

    if (r == NULL) {
        return WN_ENOMEM;
    }
    r->next = NULL;
    r->len = len;
    memcpy(r->line, line, len);
    if (w->tail != NULL) {
        w->tail->next = r;
    } else {
        w->head = r;
    }
    w->tail = r;
    w->count++;
    return 0;
}

static void
wn_webhook_flush(struct wn_sink *s)
{
    wn_webhook_send((struct wn_webhook *) s);
}

static size_t
wn_webhook_queued(const struct wn_sink *s)
{
    return ((const struct wn_webhook *) s)->count;
}

static size_t
wn_webhook_space(const struct wn_sink *s)
{
    const struct wn_webhook *w = (const struct wn_webhook *) s;

    return w->count < (size_t) w->queue_max ? (size_t) w->queue_max - w->count
                                            : 0;
}

static void
wn_webhook_sign(const struct wn_webhook *w, char *header, size_t n)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    int off;

    off = snprintf(header, n, "%s: sha256=", WN_WEBHOOK_SIG_HEADER);
    if (HMAC(EVP_sha256(), w->secret, (int) strlen(w->secret),
             (const unsigned char *) w->body.data, w->body.len, md, &mdlen)
        == NULL)
    {
        mdlen = 0;
    }
    for (unsigned int i = 0; i < mdlen && (size_t) off + 3 < n; i++) {
        off += snprintf(header + off, n - (size_t) off, "%02x", md[i]);
    }
}

/* Starts a POST of the records at the head, unless one is in flight or a
 * retry is waiting. */
static void
wn_webhook_send(struct wn_webhook *w)
{
    struct wn_webhook_rec *r;
    char sig[128], delivery[64];
    int running;

    if (w->inflight > 0 || w->head == NULL || w->finished
        || uv_is_active((uv_handle_t *) &w->retry_timer))
    {
        return;
    }
    wn_buf_reset(&w->body);
    for (r = w->head; r != NULL && w->inflight < (size_t) w->batch_max;
         r = r->next)
    {
        if (wn_buf_append(&w->body, r->line, r->len) != 0
            || wn_buf_putc(&w->body, '\n') != 0)
        {
            if (w->inflight == 0) {
                /* One record larger than a whole batch may be: skip it
                 * rather than block the queue for ever. */
                WN_LOG(WN_LOG_ERR, "sink", "webhook: a record of %zu bytes "
                                           "is too large; not sent",
                       r->len);
                w->head = r->next;
                w->tail = w->head == NULL ? NULL : w->tail;
                w->count--;
                free(r);
                wn_webhook_send(w);
                return;
            }
            break;
        }
        w->inflight++;
    }
    w->delivery++;
    curl_slist_free_all(w->headers);
    w->headers = NULL;
    snprintf(delivery, sizeof(delivery), "%s: %" PRIu64,
             WN_WEBHOOK_DELIVERY_HEADER, w->delivery);
    w->headers = curl_slist_append(w->headers,
                                   "Content-Type: application/x-ndjson");
    w->headers = curl_slist_append(w->headers, "Expect:");
    w->headers = curl_slist_append(w->headers, delivery);
    if (w->secret[0] != '\0') {
        wn_webhook_sign(w, sig, sizeof(sig));
        w->headers = curl_slist_append(w->headers, sig);
    }
    w->errbuf[0] = '\0';
    curl_easy_setopt(w->easy, CURLOPT_HTTPHEADER, w->headers);
    curl_easy_setopt(w->easy, CURLOPT_POSTFIELDS, w->body.data);
    curl_easy_setopt(w->easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     (curl_off_t) w->body.len);
    if (curl_multi_add_handle(w->multi, w->easy) != CURLM_OK) {
        w->inflight = 0;
        WN_LOG(WN_LOG_ERR, "sink", "webhook: %s: cannot start a POST",
               w->url);
        return;
    }
    curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
}

static void
wn_webhook_retry_cb(uv_timer_t *t)
{
    wn_webhook_send(t->data);
}

static void
wn_webhook_delivered(struct wn_webhook *w)
{
    int was_full = w->count >= (size_t) w->queue_max;

    wn_metrics_add(WN_M_SINK_RECORDS, "webhook", NULL, (double) w->inflight);
    if (w->attempt > 0) {
        WN_LOG(WN_LOG_NOTICE, "sink", "webhook: %s: delivering again after "
                                      "%u failures",
               w->url, w->attempt);
    }
    w->attempt = 0;
    while (w->inflight > 0) {
        struct wn_webhook_rec *r = w->head;
        w->head = r->next;
        free(r);
        w->count--;
        w->inflight--;
    }
    if (w->head == NULL) {
        w->tail = NULL;
    }
    if (w->closing && w->head == NULL) {
        wn_webhook_finish(w);
        return;
    }
    wn_webhook_send(w);
    if (was_full && w->count < (size_t) w->queue_max && w->base.set != NULL
        && !w->closing)
    {
        wn_sinks_room(w->base.set);
    }
}

static void
wn_webhook_failed(struct wn_webhook *w, const char *why)
{
    uint64_t delay = (uint64_t) w->retry_min;

    wn_metrics_add(WN_M_SINK_ERRORS, "webhook", NULL, 1);
    for (unsigned i = 0; i < w->attempt && delay < (uint64_t) w->retry_max;
         i++) {
        delay *= 2;
    }
    if (delay > (uint64_t) w->retry_max) {
        delay = (uint64_t) w->retry_max;
    }
    /* Up to a quarter less, so daemons that failed together spread out. */
    delay -= delay / 4 * ((uint64_t) rand() % 100) / 100;
    w->attempt++;
    WN_LOG(w->attempt == 1 || w->attempt % 10 == 0 ? WN_LOG_WARNING
                                                   : WN_LOG_INFO,
           "sink",
           "webhook: %s: %s; %zu records kept, retry %u in %" PRIu64 " ms",
           w->url, why, w->count, w->attempt, delay);
    w->inflight = 0;
    uv_timer_start(&w->retry_timer, wn_webhook_retry_cb, delay, 0);
}

/* Reads what curl finished. */
static void
wn_webhook_check(struct wn_webhook *w)
{
    CURLMsg *m;
    int left;

    while ((m = curl_multi_info_read(w->multi, &left)) != NULL) {
        long status = 0;
        char why[CURL_ERROR_SIZE + 64];
        CURLcode code = m->data.result;

        if (m->msg != CURLMSG_DONE) {
            continue;
        }
        curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
        curl_multi_remove_handle(w->multi, m->easy_handle);
        if (code == CURLE_OK && status >= 200 && status < 300) {
            wn_webhook_delivered(w);
        } else {
            if (code != CURLE_OK) {
                snprintf(why, sizeof(why), "%s",
                         w->errbuf[0] ? w->errbuf : curl_easy_strerror(code));
            } else {
                snprintf(why, sizeof(why), "http status %ld", status);
            }
            wn_webhook_failed(w, why);
        }
        if (w->finished) {
            return;
        }
    }
}

/* ---- closing ---- */

static void
wn_webhook_timer_closed(uv_handle_t *h)
{
    struct wn_webhook *w = h->data;

    w->handles--;
    wn_webhook_maybe_free(w);
}

/* Stops everything; wn_webhook_maybe_free() frees when the handles closed. */
static void
wn_webhook_finish(struct wn_webhook *w)
{
    if (w->finished) {
        return;
    }
    {
        w->finished = 1;
        if (w->count > 0) {
            WN_LOG(WN_LOG_ERR, "sink",
                   "webhook: %s: %zu records not delivered before the stop "
                   "bound; they are in the store (winnowd export --since "
                   "replays them)",
                   w->url, w->count);
        }
        if (w->inflight > 0) {
            curl_multi_remove_handle(w->multi, w->easy);
        }
        curl_easy_cleanup(w->easy);
        w->easy = NULL;
        curl_multi_cleanup(w->multi); /* may call socket_cb with REMOVE */
        w->multi = NULL;
        while (w->socks != NULL) {
            uv_poll_stop(&w->socks->poll);
            wn_webhook_sock_drop(w->socks);
        }
        uv_close((uv_handle_t *) &w->curl_timer, wn_webhook_timer_closed);
        uv_close((uv_handle_t *) &w->retry_timer, wn_webhook_timer_closed);
        uv_close((uv_handle_t *) &w->close_timer, wn_webhook_timer_closed);
    }
}

static void
wn_webhook_maybe_free(struct wn_webhook *w)
{
    if (!w->finished || w->handles > 0) {
        return;
    }
    while (w->head != NULL) {
        struct wn_webhook_rec *r = w->head;
        w->head = r->next;
        free(r);
    }
    curl_slist_free_all(w->headers);
    wn_buf_free(&w->body);
    free(w->url);
    free(w->secret);
    {
        void (*done)(struct wn_sinks *) = w->done;
        struct wn_sinks *set = w->set;
        free(w);
        if (done != NULL) {
            done(set);
        }
    }
}

static void
wn_webhook_close_timeout(uv_timer_t *t)
{
    wn_webhook_finish(t->data);
}

static void
wn_webhook_close(struct wn_sink *s, long bound_ms,
                 void (*done)(struct wn_sinks *set))
{
    struct wn_webhook *w = (struct wn_webhook *) s;

    w->closing = 1;
    w->done = done;
    w->set = s->set;
    if (w->head == NULL || bound_ms <= 0) {
        wn_webhook_finish(w);
        return;
    }
    WN_LOG(WN_LOG_NOTICE, "sink",
           "webhook: %s: delivering %zu queued records before stopping",
           w->url, w->count);
    uv_timer_start(&w->close_timer, wn_webhook_close_timeout,
                   (uint64_t) bound_ms, 0);
}

static const struct wn_sink_ops wn_webhook_ops = {
    .name = "webhook",
    .put = wn_webhook_put,
    .flush = wn_webhook_flush,
    .queued = wn_webhook_queued,
    .space = wn_webhook_space,
    .close = wn_webhook_close,
};

int
wn_sink_webhook_open(uv_loop_t *loop, const struct wn_conf *conf,
                     struct wn_sink **out, struct wn_err *err)
{
    struct wn_webhook *w;
    const char *url = conf->webhook_url;

    *out = NULL;
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        return wn_err_set(err, WN_ECONFIG,
                          "[sink] webhook_url: %s: not an http or https URL",
                          url);
    }
    w = calloc(1, sizeof(*w));
    if (w == NULL) {
        return wn_err_set(err, WN_ENOMEM, "webhook: out of memory");
    }
    w->base.ops = &wn_webhook_ops;
    w->loop = loop;
    w->url = strdup(url);
    w->secret = strdup(conf->webhook_secret != NULL ? conf->webhook_secret
                                                    : "");
    w->batch_max = conf->webhook_batch;
    w->queue_max = conf->webhook_queue;
    w->timeout = conf->webhook_timeout;
    w->retry_min = conf->webhook_retry_min;
    w->retry_max = conf->webhook_retry_max;
    wn_buf_init(&w->body, WN_SINK_RECORD_MAX);
    w->multi = curl_multi_init();
    w->easy = curl_easy_init();
    if (w->url == NULL || w->secret == NULL || w->multi == NULL
        || w->easy == NULL)
    {
        curl_easy_cleanup(w->easy);
        curl_multi_cleanup(w->multi);
        free(w->url);
        free(w->secret);
        free(w);
        return wn_err_set(err, WN_ENOMEM, "webhook: out of memory");
    }
    curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, wn_webhook_socket_cb);
    curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
    curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, wn_webhook_timer_cb);
    curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
    curl_easy_setopt(w->easy, CURLOPT_URL, w->url);
    curl_easy_setopt(w->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(w->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(w->easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(w->easy, CURLOPT_TIMEOUT_MS, w->timeout);
    curl_easy_setopt(w->easy, CURLOPT_CONNECTTIMEOUT_MS,
                     w->timeout < WN_WEBHOOK_CONNECT_MS ? w->timeout
                                                        : WN_WEBHOOK_CONNECT_MS);
    curl_easy_setopt(w->easy, CURLOPT_USERAGENT, conf->user_agent);
    curl_easy_setopt(w->easy, CURLOPT_ERRORBUFFER, w->errbuf);
    curl_easy_setopt(w->easy, CURLOPT_WRITEFUNCTION, wn_webhook_discard);
    uv_timer_init(loop, &w->curl_timer);
    uv_timer_init(loop, &w->retry_timer);
    uv_timer_init(loop, &w->close_timer);
    w->curl_timer.data = w->retry_timer.data = w->close_timer.data = w;
    w->handles = 3;
    if (w->secret[0] == '\0') {
        WN_LOG(WN_LOG_WARNING, "sink",
               "webhook: %s: no [sink] webhook_secret; POSTs are not signed",
               w->url);
    }
    *out = &w->base;
    return 0;
}
