/*
 * wn_admin.c: the admin endpoint's server side.  libmicrohttpd runs in its
 * "external epoll" mode: its epoll descriptor sits under one uv_poll and
 * MHD_run() is called when it is readable or when MHD's own timeout (kept
 * on one uv_timer) expires, so every request is handled on the loop thread
 * without a thread of its own.  Requests that need the store's figures are
 * suspended while one threadpool job reads them through a read-only
 * connection, then resumed.  It renders nothing itself (wn_admin_page.c,
 * wn_metrics.c).
 */
#include "wn_admin.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wn_admin_page.h"
#include "wn_conf.h"
#include "wn_err.h"
#include "wn_ingest.h"
#include "wn_log.h"
#include "wn_metrics.h"
#include "wn_store.h"
#include "wn_time.h"

#define WN_ADMIN_BACKLOG 64
#define WN_ADMIN_MS      1000000u /* ns per ms, for uv_hrtime() */
#define WN_ADMIN_MAX_UPLOAD 65536u /* body bytes read before hanging up */

/* One request (MHD's con_cls). */
struct wn_admin_req {
    struct wn_admin *a;
    struct MHD_Connection *conn;
    int waited; /* it was suspended once for the store's figures */
    size_t body; /* bytes of a request body, dropped */
    struct wn_admin_req *next, **prev; /* in the waiting list */
};

/* A feed's record from the store; the view's strings point into owned. */
struct wn_admin_row {
    struct wn_admin_feed_view v;
    char *owned[4];
};

/* The store's figures, read on the threadpool. */
struct wn_admin_snap {
    int ok;
    char why[WN_ERR_MSG_MAX];
    struct wn_admin_row *rows; /* sorted by name */
    size_t nrows, cap;
    struct wn_store_counts counts;
    int64_t bytes;
    int64_t since_day; /* rows' days[0] */
    uint64_t taken;    /* uv_hrtime() when the read started */
};

struct wn_admin {
    uv_loop_t *loop;
    char *store_path;  /* copied: a reload may replace the configuration */
    uint64_t max_lag;  /* ms */
    unsigned max_conns;
    wn_admin_live_fn live_fn;
    void *live_arg;
    struct MHD_Daemon *mhd;
    int fd; /* the listening socket, until MHD owns it */
    char address[300];
    char unix_path[sizeof(((struct sockaddr_un *) 0)->sun_path)];
    uv_poll_t poll;
    uv_timer_t timer;     /* MHD's timeouts */
    uv_timer_t lag_timer; /* loop lag */
    uint64_t lag_last;    /* uv_hrtime() of the last tick */
    uint64_t lag_ns;      /* the last tick's lateness */
    struct wn_store *store; /* read-only; used by the read job only */
    struct wn_admin_snap *snap, *next_snap;
    uv_work_t work;
    int reading;
    struct wn_admin_req *waiting;
    int closing;
    int handles; /* uv handles not yet closed */
    void (*close_cb)(void *arg);
    void *close_arg;
};

/* ---- the store's figures ---- */

static void
wn_admin_snap_free(struct wn_admin_snap *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->nrows; i++) {
        for (size_t k = 0; k < 4; k++) {
            free(s->rows[i].owned[k]);
        }
    }
    free(s->rows);
    free(s);
}

static char *
wn_admin_dup(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static int
wn_admin_snap_feed(const struct wn_store_feed_report *r, void *arg)
{
    struct wn_admin_snap *s = arg;
    struct wn_admin_row *row;
    struct wn_admin_feed_view *v;

    if (s->nrows == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        void *p = realloc(s->rows, cap * sizeof(*s->rows));
        if (p == NULL) {
            return WN_ENOMEM;
        }
        s->rows = p;
        s->cap = cap;
    }
    row = &s->rows[s->nrows++];
    memset(row, 0, sizeof(*row));
    v = &row->v;
    v->name = row->owned[0] = wn_admin_dup(r->name);
    v->url = row->owned[1] = wn_admin_dup(r->url);
    v->title = row->owned[2] = wn_admin_dup(r->title);
    v->last_error = row->owned[3] = wn_admin_dup(r->last_error);
    v->last_fetch = r->last_fetch;
    v->last_ok = r->last_ok;
    v->next_fetch = r->next_fetch;
    v->last_status = r->last_status;
    v->error_count = r->error_count;
    return 0;
}

static int
wn_admin_row_cmp(const void *key, const void *row)
{
    const struct wn_admin_row *r = row;

    return strcmp(key, r->v.name != NULL ? r->v.name : "");
}

static struct wn_admin_feed_view *
wn_admin_snap_find(const struct wn_admin_snap *s, const char *name)
{
    if (s == NULL || s->nrows == 0 || name == NULL) {
        return NULL;
    }
    struct wn_admin_row *r =
        bsearch(name, s->rows, s->nrows, sizeof(*s->rows), wn_admin_row_cmp);
    return r != NULL ? &r->v : NULL;
}

static int
wn_admin_snap_day(const char *feed, int64_t day, long items, void *arg)
{
    struct wn_admin_snap *s = arg;
    struct wn_admin_feed_view *v = wn_admin_snap_find(s, feed);

    if (v != NULL && day >= s->since_day
        && day < s->since_day + WN_ADMIN_DAYS)
    {
        v->days[day - s->since_day] = (uint32_t) items;
    }
    return 0;
}

/* Threadpool: reads everything the pages need. */
static void
wn_admin_read_work(uv_work_t *req)
{
    struct wn_admin *a = req->data;
    struct wn_admin_snap *s = a->next_snap;
    struct wn_err err;
    int rc = 0;

    wn_err_clear(&err);
    if (a->store == NULL) {
        rc = wn_store_open(a->store_path, WN_STORE_READONLY, &a->store,
                           &err);
    }
    if (rc == 0) {
        rc = wn_store_feed_report(a->store, wn_admin_snap_feed, s, &err);
    }
    /* The name order of SQLite's BINARY collation is strcmp()'s. */
    s->since_day = wn_time_now() / 86400 - (WN_ADMIN_DAYS - 1);
    if (rc == 0) {
        rc = wn_store_item_days(a->store, s->since_day * 86400,
                                wn_admin_snap_day, s, &err);
    }
    if (rc == 0) {
        rc = wn_store_counts(a->store, &s->counts, &err);
    }
    if (rc == 0) {
        rc = wn_store_size(a->store, &s->bytes, &err);
    }
    s->ok = rc == 0;
    if (rc != 0) {
        snprintf(s->why, sizeof(s->why), "%s",
                 err.msg[0] ? err.msg : wn_strerror(rc));
        /* Open again next time: the file may have been replaced. */
        wn_store_close(a->store);
        a->store = NULL;
    }
}

static void wn_admin_pump(struct wn_admin *a);
static void wn_admin_maybe_free(struct wn_admin *a);

static void
wn_admin_resume_all(struct wn_admin *a)
{
    struct wn_admin_req *r;

    while ((r = a->waiting) != NULL) {
        a->waiting = r->next;
        r->next = NULL;
        r->prev = NULL;
        MHD_resume_connection(r->conn);
    }
}

static void
wn_admin_read_after(uv_work_t *req, int status)
{
    struct wn_admin *a = req->data;
    struct wn_admin_snap *s = a->next_snap;

    (void) status;
    a->next_snap = NULL;
    a->reading = 0;
    if (!s->ok) {
        WN_LOG(WN_LOG_WARNING, "admin", "cannot read the store: %s", s->why);
    } else {
        wn_metrics_set(WN_M_STORE_ARTICLES, NULL, NULL,
                       (double) s->counts.articles);
        wn_metrics_set(WN_M_STORE_ITEMS, NULL, NULL, (double) s->counts.items);
        wn_metrics_set(WN_M_STORE_BYTES, NULL, NULL, (double) s->bytes);
    }
    wn_admin_snap_free(a->snap);
    a->snap = s;
    if (a->closing) {
        wn_admin_maybe_free(a);
        return;
    }
    wn_admin_resume_all(a);
    wn_admin_pump(a);
}

/* Starts a read unless one runs or the figures are fresh enough. */
static void
wn_admin_refresh(struct wn_admin *a, uint64_t max_age_ms)
{
    uint64_t now = uv_hrtime();

    if (a->reading || a->closing
        || (a->snap != NULL && now - a->snap->taken <= max_age_ms * WN_ADMIN_MS))
    {
        return;
    }
    a->next_snap = calloc(1, sizeof(*a->next_snap));
    if (a->next_snap == NULL) {
        return;
    }
    a->next_snap->taken = now;
    a->work.data = a;
    if (uv_queue_work(a->loop, &a->work, wn_admin_read_work,
                      wn_admin_read_after)
        != 0)
    {
        free(a->next_snap);
        a->next_snap = NULL;
        return;
    }
    a->reading = 1;
}

/*
 * True when the figures are at most max_age_ms old (or the request waited
 * once already); otherwise suspends the request until a read finishes.
 */
static int
wn_admin_fresh(struct wn_admin *a, struct wn_admin_req *r, uint64_t max_age_ms)
{
    if (r->waited
        || (a->snap != NULL
            && uv_hrtime() - a->snap->taken <= max_age_ms * WN_ADMIN_MS))
    {
        return 1;
    }
    wn_admin_refresh(a, max_age_ms);
    if (!a->reading) {
        return 1; /* could not start one: answer with what there is */
    }
    r->waited = 1;
    MHD_suspend_connection(r->conn);
    r->next = a->waiting;
    if (r->next != NULL) {
        r->next->prev = &r->next;
    }
    r->prev = &a->waiting;
    a->waiting = r;
    return 0;
}

/* ---- responses ---- */

static enum MHD_Result
wn_admin_reply(struct MHD_Connection *c, unsigned status, const char *type,
               struct wn_buf *body)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    size_t len = body->len;
    char *data = wn_buf_steal(body);

    if (data == NULL) {
        return MHD_NO;
    }
    resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(data);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    /* The status page loads nothing: say so, so a browser enforces it. */
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'none'; style-src 'unsafe-inline'");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    }
    ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result
wn_admin_text(struct MHD_Connection *c, unsigned status, const char *text)
{
    struct wn_buf b;

    wn_buf_init(&b, WN_ADMIN_MAX_BODY);
    if (wn_buf_puts(&b, text) != 0) {
        wn_buf_free(&b);
        return MHD_NO;
    }
    return wn_admin_reply(c, status, "text/plain; charset=utf-8", &b);
}

/* The view of the pages: live feeds joined with the store's records. */
static struct wn_admin_feed_view *
wn_admin_view(struct wn_admin *a, const struct wn_admin_live *live,
              struct wn_admin_view *v)
{
    struct wn_admin_feed_view *feeds;
    const struct wn_admin_snap *s = a->snap;

    memset(v, 0, sizeof(*v));
    v->now = wn_time_now();
    v->today = v->now / 86400;
    v->live = live;
    v->store_ok = s != NULL && s->ok;
    v->store_why = s == NULL ? "not read yet" : s->why;
    if (s != NULL) {
        v->items = s->counts.items;
        v->articles = s->counts.articles;
        v->pending = s->counts.pending;
        v->store_bytes = s->bytes;
    }
    feeds = calloc(live->nfeeds ? live->nfeeds : 1, sizeof(*feeds));
    if (feeds == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < live->nfeeds; i++) {
        const struct wn_ingest_feed *lf = live->feed(live->feed_arg, i);
        struct wn_admin_feed_view *f = &feeds[i];
        const struct wn_admin_feed_view *row =
            wn_admin_snap_find(s, lf->conf->name);

        if (row != NULL) {
            *f = *row; /* strings stay the snapshot's */
            /* The snapshot's days start at its own day; shift to today. */
            if (s->since_day != v->today - (WN_ADMIN_DAYS - 1)) {
                int64_t shift = v->today - (WN_ADMIN_DAYS - 1) - s->since_day;
                for (size_t d = 0; d < WN_ADMIN_DAYS; d++) {
                    int64_t from = (int64_t) d + shift;
                    f->days[d] = from >= 0 && from < WN_ADMIN_DAYS
                                     ? row->days[from]
                                     : 0;
                }
            }
        }
        f->name = lf->conf->name;
        f->url = lf->conf->url;
        f->busy = lf->busy;
        /* The daemon's own figures are newer than the store's. */
        f->error_count = lf->error_count;
        if (lf->next_fetch != 0) {
            f->next_fetch = lf->next_fetch;
        }
    }
    v->feeds = feeds;
    v->nfeeds = live->nfeeds;
    return feeds;
}

static enum MHD_Result
wn_admin_page(struct wn_admin *a, struct MHD_Connection *c,
              const struct wn_admin_live *live, int json)
{
    struct wn_admin_view v;
    struct wn_admin_feed_view *feeds = wn_admin_view(a, live, &v);
    struct wn_buf b;
    int rc;

    if (feeds == NULL) {
        return wn_admin_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
                             "out of memory\n");
    }
    wn_buf_init(&b, WN_ADMIN_MAX_BODY);
    rc = json ? wn_admin_page_json(&v, &b) : wn_admin_page_html(&v, &b);
    free(feeds);
    if (rc != 0) {
        wn_buf_free(&b);
        return wn_admin_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
                             "cannot render the page\n");
    }
    return wn_admin_reply(c, MHD_HTTP_OK,
                          json ? "application/json"
                               : "text/html; charset=utf-8",
                          &b);
}

static enum MHD_Result
wn_admin_ready(struct wn_admin *a, struct MHD_Connection *c,
               const struct wn_admin_live *live)
{
    char text[1024];
    uint64_t now = uv_hrtime(), max = a->max_lag;
    uint64_t since_tick = (now - a->lag_last) / WN_ADMIN_MS;
    uint64_t lag = a->lag_ns / WN_ADMIN_MS;
    const struct wn_admin_snap *s = a->snap;
    int store = s != NULL && s->ok && live->store_ok;
    int loop = lag <= max && since_tick <= max + WN_ADMIN_LAG_TICK_MS;
    int ready = store && loop && !live->stopping;

    snprintf(text, sizeof(text),
             "%s\nstore: %s%s\nloop: %s (lag %" PRIu64 " ms, limit %" PRIu64
             " ms)\nstate: %s\n",
             ready ? "ready" : "not ready", store ? "ok" : "failing: ",
             store ? ""
             : s == NULL || !s->ok
                 ? (s != NULL ? s->why : "not read yet")
                 : (live->store_why != NULL ? live->store_why : "writes fail"),
             loop ? "ok" : "stalled", lag > since_tick ? lag : since_tick, max,
             live->stopping ? "stopping" : "running");
    return wn_admin_text(c, ready ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE,
                         text);
}

static enum MHD_Result
wn_admin_metrics(struct MHD_Connection *c)
{
    struct wn_buf b;

    wn_buf_init(&b, WN_ADMIN_MAX_BODY);
    if (wn_metrics_render(&b) != 0) {
        wn_buf_free(&b);
        return wn_admin_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
                             "cannot render the metrics\n");
    }
    return wn_admin_reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; "
                                          "charset=utf-8",
                          &b);
}

static enum MHD_Result
wn_admin_handle(void *cls, struct MHD_Connection *c, const char *url,
                const char *method, const char *version,
                const char *upload_data, size_t *upload_size, void **con_cls)
{
    struct wn_admin *a = cls;
    struct wn_admin_req *r = *con_cls;
    struct wn_admin_live live;

    (void) version;
    (void) upload_data;
    if (r == NULL) {
        r = calloc(1, sizeof(*r));
        if (r == NULL) {
            return MHD_NO;
        }
        r->a = a;
        r->conn = c;
        *con_cls = r;
        /* Answering in this first call (the head only) makes MHD close the
         * connection after the response; the second call keeps it alive. */
        return MHD_YES;
    }
    if (*upload_size != 0) {
        /* No route takes a body: it is read and dropped, and a large one
         * ends the connection (MHD answers only after the body). */
        r->body += *upload_size;
        *upload_size = 0;
        return r->body <= WN_ADMIN_MAX_UPLOAD ? MHD_YES : MHD_NO;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        return wn_admin_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
                             "only GET and HEAD\n");
    }
    if (a->closing) {
        return wn_admin_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "stopping\n");
    }
    if (strcmp(url, "/healthz") == 0) {
        return wn_admin_text(c, MHD_HTTP_OK, "ok\n");
    }
    memset(&live, 0, sizeof(live));
    a->live_fn(a->live_arg, &live);
    wn_metrics_set(WN_M_LOOP_LAG, NULL, NULL, (double) a->lag_ns / 1e9);
    if (strcmp(url, "/metrics") == 0) {
        /* The first scrape waits for the store's figures; later ones get
         * the last figures and refresh them for the next. */
        if (a->snap == NULL && !wn_admin_fresh(a, r, WN_ADMIN_CACHE_MS)) {
            return MHD_YES;
        }
        wn_admin_refresh(a, WN_ADMIN_CACHE_MS);
        return wn_admin_metrics(c);
    }
    if (strcmp(url, "/readyz") == 0) {
        return wn_admin_fresh(a, r, WN_ADMIN_READY_MS)
                   ? wn_admin_ready(a, c, &live)
                   : MHD_YES;
    }
    if (strcmp(url, "/feeds") == 0 || strcmp(url, "/") == 0) {
        return wn_admin_fresh(a, r, WN_ADMIN_CACHE_MS)
                   ? wn_admin_page(a, c, &live, url[1] == 'f')
                   : MHD_YES;
    }
    return wn_admin_text(c, MHD_HTTP_NOT_FOUND,
                         "not found; try /, /healthz, /readyz, /metrics or "
                         "/feeds\n");
}

static void
wn_admin_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                   enum MHD_RequestTerminationCode toe)
{
    struct wn_admin_req *r = *con_cls;

    (void) cls;
    (void) c;
    (void) toe;
    if (r != NULL) {
        if (r->prev != NULL) { /* still waiting: unlink */
            *r->prev = r->next;
            if (r->next != NULL) {
                r->next->prev = r->prev;
            }
        }
        free(r);
        *con_cls = NULL;
    }
}

static void wn_admin_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
wn_admin_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    size_t n;

    (void) cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r')) {
        msg[--n] = '\0';
    }
    WN_LOG(WN_LOG_WARNING, "admin", "%s", msg);
}

/* ---- the loop ---- */

static void
wn_admin_timer_cb(uv_timer_t *t)
{
    wn_admin_pump(t->data);
}

static void
wn_admin_poll_cb(uv_poll_t *p, int status, int events)
{
    (void) status;
    (void) events;
    wn_admin_pump(p->data);
}

static unsigned
wn_admin_conns(struct wn_admin *a)
{
    const union MHD_DaemonInfo *i =
        MHD_get_daemon_info(a->mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

    return i != NULL ? i->num_connections : 0;
}

/* Lets MHD do what it can, then arms the timer for its next timeout. */
static void
wn_admin_pump(struct wn_admin *a)
{
    MHD_UNSIGNED_LONG_LONG ms;
    unsigned before;

    if (a->mhd == NULL) {
        return;
    }
    before = wn_admin_conns(a);
    MHD_run(a->mhd);
    /* At the connection cap MHD takes its listening socket out of its epoll
     * set and puts it back only at the start of a run: when this run closed
     * connections (timeouts), run again, or nothing would wake it. */
    if (before >= a->max_conns
        && wn_admin_conns(a) < before)
    {
        MHD_run(a->mhd);
    }
    if (MHD_get_timeout(a->mhd, &ms) == MHD_YES) {
        uv_timer_start(&a->timer, wn_admin_timer_cb, (uint64_t) ms, 0);
    } else {
        uv_timer_stop(&a->timer);
    }
}

static void
wn_admin_lag_cb(uv_timer_t *t)
{
    struct wn_admin *a = t->data;
    uint64_t now = uv_hrtime();
    uint64_t want = (uint64_t) WN_ADMIN_LAG_TICK_MS * WN_ADMIN_MS;
    uint64_t took = now - a->lag_last;

    a->lag_ns = took > want ? took - want : 0;
    a->lag_last = now;
    if (a->lag_ns / WN_ADMIN_MS > a->max_lag) {
        WN_LOG(WN_LOG_WARNING, "admin",
               "the event loop stalled for %" PRIu64 " ms",
               a->lag_ns / WN_ADMIN_MS);
    }
}

/* ---- listening ---- */

static int
wn_admin_listen_unix(struct wn_admin *a, const char *path, struct wn_err *err)
{
    struct sockaddr_un sun;
    struct stat st;
    int fd;

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    if (path[0] == '\0' || strlen(path) >= sizeof(sun.sun_path)) {
        return wn_err_set(err, WN_ECONFIG,
                          "[admin] listen: unix:%s: the path must be 1 to %zu "
                          "bytes",
                          path, sizeof(sun.sun_path) - 1);
    }
    memcpy(sun.sun_path, path, strlen(path));
    /* A socket left by a daemon that did not stop cleanly is replaced;
     * anything else at that path is not ours to remove. */
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
        unlink(path);
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        return wn_err_set(err, -errno, "[admin] listen: unix:%s: socket: %s",
                          path, strerror(errno));
    }
    if (bind(fd, (struct sockaddr *) &sun, sizeof(sun)) != 0
        || listen(fd, WN_ADMIN_BACKLOG) != 0)
    {
        int e = errno;
        close(fd);
        return wn_err_set(err, -e, "[admin] listen: unix:%s: %s", path,
                          strerror(e));
    }
    a->fd = fd;
    snprintf(a->unix_path, sizeof(a->unix_path), "%s", path);
    snprintf(a->address, sizeof(a->address), "unix:%s", path);
    return 0;
}

static int
wn_admin_listen_tcp(struct wn_admin *a, const char *spec, struct wn_err *err)
{
    struct sockaddr_storage ss;
    socklen_t slen;
    char host[64], shown[INET6_ADDRSTRLEN];
    const char *colon;
    long port;
    int fd, one = 1, v6;

    memset(&ss, 0, sizeof(ss));
    if (spec[0] == '[') {
        const char *end = strchr(spec, ']');
        if (end == NULL || end[1] != ':' || (size_t) (end - spec) > sizeof(host))
        {
            goto bad;
        }
        memcpy(host, spec + 1, (size_t) (end - spec - 1));
        host[end - spec - 1] = '\0';
        colon = end + 1;
        v6 = 1;
    } else {
        colon = strrchr(spec, ':');
        if (colon == NULL || (size_t) (colon - spec) >= sizeof(host)) {
            goto bad;
        }
        memcpy(host, spec, (size_t) (colon - spec));
        host[colon - spec] = '\0';
        v6 = 0;
    }
    if (wn_conf_parse_long(colon + 1, 0, 65535, &port) != 0) {
        goto bad;
    }
    if (v6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) &ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t) port);
        if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1) {
            goto bad;
        }
        if (!IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr)) {
            goto remote;
        }
        slen = sizeof(*s6);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *) &ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t) port);
        if (strcmp(host, "localhost") == 0) {
            snprintf(host, sizeof(host), "127.0.0.1");
        }
        if (inet_pton(AF_INET, host, &s4->sin_addr) != 1) {
            goto bad;
        }
        if ((ntohl(s4->sin_addr.s_addr) >> 24) != 127) {
            goto remote;
        }
        slen = sizeof(*s4);
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        return wn_err_set(err, -errno, "[admin] listen: %s: socket: %s", spec,
                          strerror(errno));
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *) &ss, slen) != 0
        || listen(fd, WN_ADMIN_BACKLOG) != 0
        || getsockname(fd, (struct sockaddr *) &ss, &slen) != 0)
    {
        int e = errno;
        close(fd);
        return wn_err_set(err, -e, "[admin] listen: %s: %s", spec,
                          strerror(e));
    }
    a->fd = fd;
    if (v6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) &ss;
        inet_ntop(AF_INET6, &s6->sin6_addr, shown, sizeof(shown));
        snprintf(a->address, sizeof(a->address), "[%s]:%u", shown,
                 ntohs(s6->sin6_port));
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *) &ss;
        inet_ntop(AF_INET, &s4->sin_addr, shown, sizeof(shown));
        snprintf(a->address, sizeof(a->address), "%s:%u", shown,
                 ntohs(s4->sin_port));
    }
    return 0;
bad:
    return wn_err_set(err, WN_ECONFIG,
                      "[admin] listen: %s: not HOST:PORT, [IPV6]:PORT or "
                      "unix:PATH",
                      spec);
remote:
    return wn_err_set(err, WN_ECONFIG,
                      "[admin] listen: %s: not a loopback address; the admin "
                      "endpoint has no authentication, so it listens on "
                      "loopback or a unix socket only",
                      spec);
}

int
wn_admin_start(uv_loop_t *loop, const struct wn_conf *conf,
               wn_admin_live_fn live, void *arg, struct wn_admin **out,
               struct wn_err *err)
{
    struct wn_admin *a;
    const union MHD_DaemonInfo *info;
    const char *spec = conf->admin_listen;
    int rc;

    *out = NULL;
    if (spec == NULL || spec[0] == '\0') {
        return 0;
    }
    a = calloc(1, sizeof(*a));
    if (a == NULL) {
        return wn_err_set(err, WN_ENOMEM, "admin: out of memory");
    }
    a->loop = loop;
    a->store_path = strdup(conf->store_path);
    a->max_lag = (uint64_t) conf->admin_max_lag;
    a->max_conns = (unsigned) conf->admin_max_conns;
    a->live_fn = live;
    a->live_arg = arg;
    a->fd = -1;
    rc = strncmp(spec, "unix:", 5) == 0
             ? wn_admin_listen_unix(a, spec + 5, err)
             : wn_admin_listen_tcp(a, spec, err);
    if (rc == 0 && a->store_path == NULL) {
        close(a->fd);
        rc = wn_err_set(err, WN_ENOMEM, "admin: out of memory");
    }
    if (rc != 0) {
        free(a->store_path);
        free(a);
        return rc;
    }
    a->mhd = MHD_start_daemon(
        MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0, NULL,
        NULL, wn_admin_handle, a, MHD_OPTION_EXTERNAL_LOGGER, wn_admin_mhd_log,
        a, MHD_OPTION_LISTEN_SOCKET, a->fd,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned) conf->admin_max_conns,
        MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned) ((conf->admin_timeout + 999) / 1000),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) conf->admin_max_request,
        MHD_OPTION_NOTIFY_COMPLETED, wn_admin_completed, a, MHD_OPTION_END);
    info = a->mhd != NULL
               ? MHD_get_daemon_info(a->mhd, MHD_DAEMON_INFO_EPOLL_FD)
               : NULL;
    if (info == NULL) {
        rc = wn_err_set(err, WN_EINVAL, "admin: %s: the HTTP server did not "
                                        "start",
                        a->address);
        goto failed;
    }
    rc = uv_poll_init(loop, &a->poll, info->epoll_fd);
    if (rc != 0) {
        wn_err_set(err, rc, "admin: %s: %s", a->address, uv_strerror(rc));
        goto failed;
    }
    uv_timer_init(loop, &a->timer);
    uv_timer_init(loop, &a->lag_timer);
    a->poll.data = a->timer.data = a->lag_timer.data = a;
    a->handles = 3;
    uv_poll_start(&a->poll, UV_READABLE, wn_admin_poll_cb);
    a->lag_last = uv_hrtime();
    uv_timer_start(&a->lag_timer, wn_admin_lag_cb, WN_ADMIN_LAG_TICK_MS,
                   WN_ADMIN_LAG_TICK_MS);
    WN_LOG(WN_LOG_NOTICE, "admin", "listening on %s", a->address);
    *out = a;
    return 0;
failed:
    if (a->mhd != NULL) {
        MHD_stop_daemon(a->mhd);
    }
    if (a->fd >= 0) {
        close(a->fd);
    }
    if (a->unix_path[0] != '\0') {
        unlink(a->unix_path);
    }
    free(a->store_path);
    free(a);
    return rc;
}

const char *
wn_admin_address(const struct wn_admin *a)
{
    return a->address;
}

/* ---- closing ---- */

static void
wn_admin_maybe_free(struct wn_admin *a)
{
    void (*cb)(void *);
    void *arg;

    if (a->handles > 0 || a->reading) {
        return;
    }
    wn_admin_snap_free(a->snap);
    wn_store_close(a->store);
    free(a->store_path);
    cb = a->close_cb;
    arg = a->close_arg;
    free(a);
    if (cb != NULL) {
        cb(arg);
    }
}

static void
wn_admin_closed(uv_handle_t *h)
{
    struct wn_admin *a = h->data;

    a->handles--;
    wn_admin_maybe_free(a);
}

void
wn_admin_close(struct wn_admin *a, void (*cb)(void *arg), void *arg)
{
    if (a == NULL) {
        if (cb != NULL) {
            cb(arg);
        }
        return;
    }
    if (a->closing) {
        return;
    }
    a->closing = 1;
    a->close_cb = cb;
    a->close_arg = arg;
    /* MHD wants suspended requests resumed before it stops; they are
     * answered 503 on the way out. */
    wn_admin_resume_all(a);
    MHD_run(a->mhd);
    /* Out of the loop's epoll set before MHD closes the descriptor. */
    uv_close((uv_handle_t *) &a->poll, wn_admin_closed);
    MHD_stop_daemon(a->mhd); /* closes the listening socket too */
    a->mhd = NULL;
    if (a->unix_path[0] != '\0') {
        unlink(a->unix_path);
    }
    uv_close((uv_handle_t *) &a->timer, wn_admin_closed);
    uv_close((uv_handle_t *) &a->lag_timer, wn_admin_closed);
}
