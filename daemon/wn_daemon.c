/*
 * wn_daemon.c: the commands that run the pipeline (once, run) and read the
 * store (export, list): acquiring everything before the loop starts, the
 * signals, the schedule of `run`, and an orderly stop that flushes the
 * store.  The pipeline itself is wn_ingest.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "wn_cmd.h"
#include "wn_conf.h"
#include "wn_err.h"
#include "wn_fetch.h"
#include "wn_ingest.h"
#include "wn_log.h"
#include "wn_net.h"
#include "wn_plugin.h"
#include "wn_sched.h"
#include "wn_lease.h"
#include "wn_store.h"
#include "wn_time.h"
#include "wn_writer.h"

#define WN_DAEMON_PENDING_MAX 10000 /* earlier items retried per start */
#define WN_DAEMON_JITTER_PCT  10    /* spread of feeds sharing an interval */
/* While running, articles still pending (a failed write, a crash) are
 * retried this often, and every WN_DAEMON_SWEEP_DOWN_MS while the store
 * cannot write, so writing resumes when space returns. */
#define WN_DAEMON_SWEEP_MS      300000
#define WN_DAEMON_SWEEP_DOWN_MS 10000

#define wn_container_of(p, type, member)                                       \
    ((type *) (void *) ((char *) (p) -offsetof(type, member)))

struct wn_daemon {
    uv_loop_t loop;
    struct wn_conf *conf;
    struct wn_plugins *plugins;
    struct wn_store *store;
    struct wn_writer *writer;
    struct wn_fetcher *fetcher;
    struct wn_net_allow *allow;
    struct wn_ingest *ingest;
    struct wn_sched *sched; /* run only */
    struct wn_lease *lease; /* run on a shared store, instead of sched */
    struct wn_ingest_feed *feeds;
    size_t nfeeds;
    uv_signal_t sigint, sigterm, sighup;
    uv_timer_t finish_timer;
    uv_timer_t stop_timer;
    uv_timer_t sweep_timer;        /* run only: pending articles retried */
    uint64_t last_sweep;           /* uv_now() of the last sweep */
    int sweeping;                  /* a sweep op is queued or running */
    volatile int stop;             /* read by plugins on other threads */
    struct wn_writer_stats writes; /* kept when the writer closes */
    int once;
    int stopping;
    int finishing;
    uint64_t started;
};

/* ---- acquire ---- */

static int
wn_daemon_sync_feeds(struct wn_daemon *d, struct wn_err *err)
{
    int rc;

    d->feeds = calloc(d->conf->nfeeds ? d->conf->nfeeds : 1, sizeof(*d->feeds));
    if (d->feeds == NULL) {
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    rc = wn_store_begin(d->store, err);
    for (size_t i = 0; rc == 0 && i < d->conf->nfeeds; i++) {
        struct wn_ingest_feed *f = &d->feeds[i];
        struct wn_store_feed sf;

        f->conf = &d->conf->feeds[i];
        wn_heap_entry_init(&f->sched);
        rc =
            wn_store_feed_sync(d->store, f->conf->name, f->conf->url, &sf, err);
        if (rc == 0) {
            rc = wn_store_feed_keep(d->store, sf.id, f->conf->keep_days, err);
        }
        if (rc == 0) {
            f->store_id = sf.id;
            f->etag = sf.etag;
            f->last_modified = sf.last_modified;
            f->next_fetch = sf.next_fetch;
            f->error_count = sf.error_count;
            d->nfeeds++;
        }
    }
    if (rc == 0) {
        struct wn_store_retain r = { wn_time_now(), d->conf->keep_days,
                                     d->conf->keep_pages_days, 0, 0 };
        rc = wn_store_retain(d->store, &r, err);
        if (rc == 0 && r.articles + r.pages > 0) {
            WN_LOG(WN_LOG_NOTICE, "store",
                   "retention: %ld articles and %ld pages expired", r.articles,
                   r.pages);
        }
    }
    if (rc == 0) {
        rc = wn_store_commit(d->store, err);
    } else {
        wn_store_rollback(d->store);
    }
    return rc;
}

static void wn_daemon_feed_done(struct wn_ingest_feed *feed, int ok, void *arg);
static void wn_daemon_idle(void *arg);
static void wn_daemon_signal(uv_signal_t *h, int signum);

static int
wn_daemon_open(struct wn_daemon *d, const struct wn_opts *o)
{
    struct wn_fetch_opts fo;
    struct wn_ingest_opts io;
    struct wn_err err;
    char threads[16];
    int rc;

    memset(d, 0, sizeof(*d));
    d->conf = wn_cmd_conf(o, 0);
    if (d->conf == NULL) {
        return WN_EXIT_CONFIG;
    }
    /* libuv reads this when the threadpool starts, at the first work item. */
    snprintf(threads, sizeof(threads), "%ld", d->conf->threads);
    setenv("UV_THREADPOOL_SIZE", threads, 1);
    signal(SIGPIPE, SIG_IGN);

    wn_err_clear(&err);
    rc = wn_net_allow_parse(d->conf->allow_private, &d->allow, &err);
    if (rc == 0) {
        rc = wn_store_open(d->conf->store_path, 0, &d->store, &err);
    }
    if (rc == 0 && d->conf->store_max_size > 0) {
        rc = wn_store_limit(d->store, d->conf->store_max_size, &err);
    }
    if (rc == 0) {
        rc = wn_daemon_sync_feeds(d, &err);
    }
    if (rc != 0) {
        WN_LOG(WN_LOG_ERR, "winnowd", "%s", err.msg);
        return WN_EXIT_FAILURE;
    }
    if (wn_plugins_load(d->conf, &d->plugins, NULL) != 0) {
        WN_LOG(WN_LOG_WARNING, "winnowd",
               "no plugins: pages are stored uncleaned");
    }
    rc = uv_loop_init(&d->loop);
    if (rc != 0) {
        WN_LOG(WN_LOG_ERR, "winnowd", "event loop: %s", uv_strerror(rc));
        return WN_EXIT_FAILURE;
    }
    memset(&fo, 0, sizeof(fo));
    fo.user_agent = d->conf->user_agent;
    fo.connect_timeout = d->conf->connect_timeout;
    fo.timeout = d->conf->timeout;
    fo.low_speed_time = d->conf->low_speed_time;
    fo.low_speed_limit = d->conf->low_speed_limit;
    fo.max_body = d->conf->max_body;
    fo.max_redirects = d->conf->max_redirects;
    fo.max_transfers = d->conf->max_transfers;
    fo.max_host_transfers = d->conf->max_host_transfers;
    fo.allow = d->allow;
    fo.file_root = d->conf->file_root;
    rc = wn_fetch_init(&d->loop, &fo, &d->fetcher, &err);
    if (rc != 0) {
        WN_LOG(WN_LOG_ERR, "winnowd", "%s", err.msg);
        return WN_EXIT_CONFIG;
    }
    if (wn_writer_init(&d->loop, d->store, (size_t) d->conf->store_batch,
                       &d->writer)
        != 0)
    {
        return WN_EXIT_FAILURE;
    }
    memset(&io, 0, sizeof(io));
    io.loop = &d->loop;
    io.conf = d->conf;
    io.plugins = d->plugins;
    io.fetcher = d->fetcher;
    io.writer = d->writer;
    io.stop = &d->stop;
    io.feed_cb = wn_daemon_feed_done;
    io.idle_cb = wn_daemon_idle;
    io.arg = d;
    if (wn_ingest_init(&io, &d->ingest) != 0) {
        return WN_EXIT_FAILURE;
    }
    uv_timer_init(&d->loop, &d->finish_timer);
    uv_timer_init(&d->loop, &d->stop_timer);
    d->finish_timer.data = d->stop_timer.data = d;
    uv_signal_init(&d->loop, &d->sigint);
    uv_signal_init(&d->loop, &d->sigterm);
    uv_signal_init(&d->loop, &d->sighup);
    d->sigint.data = d->sigterm.data = d->sighup.data = d;
    uv_signal_start(&d->sigint, wn_daemon_signal, SIGINT);
    uv_signal_start(&d->sigterm, wn_daemon_signal, SIGTERM);
    uv_signal_start(&d->sighup, wn_daemon_signal, SIGHUP);
    d->started = uv_hrtime();
    return WN_EXIT_OK;
}

/* ---- stop and release ---- */

static void
wn_daemon_close_handle(uv_handle_t *h)
{
    if (!uv_is_closing(h)) {
        uv_close(h, NULL);
    }
}

/* Everything in flight is done: close the handles; uv_run then returns. */
static void
wn_daemon_finish(uv_timer_t *t)
{
    struct wn_daemon *d = t->data;

    if (d->finishing) {
        return;
    }
    d->finishing = 1;
    if (d->sched != NULL) {
        wn_sched_close(d->sched, NULL, NULL);
        d->sched = NULL;
    }
    wn_lease_close(d->lease);
    d->lease = NULL;
    wn_daemon_close_handle((uv_handle_t *) &d->sigint);
    wn_daemon_close_handle((uv_handle_t *) &d->sigterm);
    wn_daemon_close_handle((uv_handle_t *) &d->sighup);
    wn_daemon_close_handle((uv_handle_t *) &d->stop_timer);
    wn_daemon_close_handle((uv_handle_t *) &d->finish_timer);
    if (d->sweep_timer.data == d) {
        wn_daemon_close_handle((uv_handle_t *) &d->sweep_timer);
    }
    if (d->fetcher != NULL) { /* the stop timeout may have closed it */
        wn_fetch_close(d->fetcher, NULL, NULL);
        d->fetcher = NULL;
    }
    /* Runs what is still queued, so nothing acknowledged is lost. */
    if (d->writer != NULL) {
        wn_writer_stats(d->writer, &d->writes);
        wn_writer_close(d->writer, NULL, NULL);
        d->writer = NULL;
    }
}

static void
wn_daemon_idle(void *arg)
{
    struct wn_daemon *d = arg;

    /* Deferred: we are inside the callback of a job that is finishing. */
    if ((d->once || d->stopping) && !d->finishing) {
        uv_timer_start(&d->finish_timer, wn_daemon_finish, 0, 0);
    }
}

static void
wn_daemon_stop_timeout(uv_timer_t *t)
{
    struct wn_daemon *d = t->data;
    struct wn_ingest_stats st;

    wn_ingest_stats(d->ingest, &st);
    WN_LOG(WN_LOG_WARNING, "winnowd",
           "stop: %zu feeds and %zu articles still in flight after "
           "[daemon] stop_timeout; canceling them (their items stay pending)",
           st.feeds_busy, st.articles_active);
    /* Canceled transfers call back at once; jobs then finish and the ingest
     * goes idle, which schedules the finish. */
    if (d->fetcher != NULL) {
        wn_fetch_close(d->fetcher, NULL, NULL);
        d->fetcher = NULL;
    }
}

static void
wn_daemon_begin_stop(struct wn_daemon *d, const char *why)
{
    if (d->stopping) {
        return;
    }
    d->stopping = 1;
    d->stop = 1;
    WN_LOG(WN_LOG_NOTICE, "winnowd", "stopping (%s): finishing work in flight",
           why);
    if (d->sched != NULL) {
        wn_sched_close(d->sched, NULL, NULL);
        d->sched = NULL;
    }
    wn_ingest_drain(d->ingest);
    if (wn_ingest_idle(d->ingest)) {
        uv_timer_start(&d->finish_timer, wn_daemon_finish, 0, 0);
    } else {
        uv_timer_start(&d->stop_timer, wn_daemon_stop_timeout,
                       (uint64_t) d->conf->stop_timeout, 0);
    }
}

static void
wn_daemon_signal(uv_signal_t *h, int signum)
{
    struct wn_daemon *d = h->data;

    if (signum == SIGHUP) {
        /* TODO(ops): reload configuration, feeds and plugins in place. */
        WN_LOG(WN_LOG_NOTICE, "winnowd",
               "SIGHUP: reloading is not supported yet; restart to apply "
               "configuration changes");
        return;
    }
    wn_daemon_begin_stop(d, signum == SIGINT ? "SIGINT" : "SIGTERM");
}

static void
wn_daemon_release(struct wn_daemon *d)
{
    wn_ingest_free(d->ingest);
    if (d->loop.data == d) {
        int rc = uv_loop_close(&d->loop);
        if (rc != 0) {
            WN_LOG(WN_LOG_WARNING, "winnowd",
                   "event loop closed with handles open: %s", uv_strerror(rc));
        }
    }
    wn_store_close(d->store);
    wn_plugins_free(d->plugins);
    wn_net_allow_free(d->allow);
    for (size_t i = 0; i < d->nfeeds; i++) {
        free(d->feeds[i].etag);
        free(d->feeds[i].last_modified);
    }
    free(d->feeds);
    wn_conf_free(d->conf);
}

/* ---- once ---- */

static int
wn_daemon_queue_pending(const struct wn_store_pending *p, void *arg)
{
    struct wn_daemon *d = arg;
    struct wn_ingest_feed *feed = NULL;

    for (size_t i = 0; i < d->nfeeds; i++) {
        if (d->feeds[i].store_id == p->feed_id) {
            feed = &d->feeds[i];
            break;
        }
    }
    if (feed != NULL && feed->conf->fetch_article == WN_FETCH_ARTICLE_NEVER) {
        return 0;
    }
    wn_ingest_pending(d->ingest, feed, p->url, p->title, p->author, p->summary,
                      p->published);
    return 0;
}

/* ---- the pending sweep (run) ---- */

/* One sweep: the pending articles read by the writer, copied for the loop. */
struct wn_daemon_sweep {
    struct wn_write_op op;
    struct wn_daemon *d;
    struct wn_daemon_pending {
        int64_t feed_id, published;
        char *url, *title, *author, *summary;
    } * p;
    size_t n, cap;
};

static char *
wn_daemon_dup(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static int
wn_daemon_sweep_collect(const struct wn_store_pending *p, void *arg)
{
    struct wn_daemon_sweep *sw = arg;
    struct wn_daemon_pending *e;

    if (sw->n == sw->cap) {
        size_t cap = sw->cap ? sw->cap * 2 : 64;
        void *np = realloc(sw->p, cap * sizeof(*sw->p));
        if (np == NULL) {
            return 1; /* the rest waits for the next sweep */
        }
        sw->p = np;
        sw->cap = cap;
    }
    e = &sw->p[sw->n++];
    e->feed_id = p->feed_id;
    e->published = p->published;
    e->url = wn_daemon_dup(p->url);
    e->title = wn_daemon_dup(p->title);
    e->author = wn_daemon_dup(p->author);
    e->summary = wn_daemon_dup(p->summary);
    return 0;
}

static int
wn_daemon_sweep_read(struct wn_store *s, struct wn_write_op *op,
                     struct wn_err *err)
{
    struct wn_daemon_sweep *sw = op->data;

    return wn_store_pending(s, WN_DAEMON_PENDING_MAX, wn_daemon_sweep_collect,
                            sw, err);
}

static int wn_daemon_queue_pending(const struct wn_store_pending *p, void *arg);

static void
wn_daemon_sweep_done(struct wn_write_op *op)
{
    struct wn_daemon_sweep *sw = op->data;
    struct wn_daemon *d = sw->d;

    d->sweeping = 0;
    for (size_t i = 0; i < sw->n; i++) {
        struct wn_daemon_pending *e = &sw->p[i];
        if (op->rc == 0 && !d->stopping && !d->finishing && e->url != NULL) {
            struct wn_store_pending p = { e->feed_id,  e->url,    NULL,
                                          e->title,    e->author, e->summary,
                                          e->published };
            wn_daemon_queue_pending(&p, d);
        }
        free(e->url);
        free(e->title);
        free(e->author);
        free(e->summary);
    }
    free(sw->p);
    free(sw);
}

static void
wn_daemon_sweep(uv_timer_t *t)
{
    struct wn_daemon *d = t->data;
    struct wn_daemon_sweep *sw;
    uint64_t every;

    if (d->sweeping || d->stopping || d->finishing || d->writer == NULL) {
        return;
    }
    every = wn_writer_ready(d->writer, NULL) ? WN_DAEMON_SWEEP_MS
                                             : WN_DAEMON_SWEEP_DOWN_MS;
    if (uv_now(&d->loop) - d->last_sweep < every) {
        return;
    }
    sw = calloc(1, sizeof(*sw));
    if (sw == NULL) {
        return;
    }
    d->last_sweep = uv_now(&d->loop);
    d->sweeping = 1;
    sw->d = d;
    sw->op.fn = wn_daemon_sweep_read;
    sw->op.done = wn_daemon_sweep_done;
    sw->op.data = sw;
    wn_writer_submit(d->writer, &sw->op);
}

static void
wn_daemon_feed_done(struct wn_ingest_feed *feed, int ok, void *arg)
{
    struct wn_daemon *d = arg;
    int64_t now = wn_time_now(), wait;

    (void) ok;
    if (d->sched == NULL || d->stopping) {
        return;
    }
    wait = feed->next_fetch > now ? feed->next_fetch - now : 0;
    wn_sched_in(d->sched, &feed->sched, (uint64_t) wait * 1000u);
}

static void
wn_daemon_summary(struct wn_daemon *d, FILE *out)
{
    struct wn_ingest_stats st;
    double secs = (double) (uv_hrtime() - d->started) / 1e9;

    wn_ingest_stats(d->ingest, &st);
    WN_LOG(WN_LOG_INFO, "store",
           "%" PRIu64 " writes in %" PRIu64 " transactions", d->writes.ops,
           d->writes.batches);
    fprintf(out,
            "winnowd once: %zu feeds: %" PRIu64 " ok, %" PRIu64
            " not modified, %" PRIu64 " failed; %" PRIu64 " items, %" PRIu64
            " new; %" PRIu64 " articles stored (%" PRIu64
            " from feed content), %" PRIu64 " failed; %.2f s\n",
            d->nfeeds, st.feeds_ok, st.feeds_not_modified, st.feeds_failed,
            st.items_seen, st.items_new, st.articles_stored,
            st.articles_from_feed, st.articles_failed, secs);
}

int
wn_cmd_once(const struct wn_opts *o)
{
    struct wn_daemon d;
    struct wn_ingest_stats st;
    struct wn_err err;
    int status = wn_daemon_open(&d, o);

    if (status != WN_EXIT_OK) {
        wn_daemon_release(&d);
        return status;
    }
    d.loop.data = &d;
    d.once = 1;
    if (d.nfeeds == 0) {
        WN_LOG(WN_LOG_WARNING, "winnowd", "%s: no [feed:NAME] sections",
               d.conf->path);
    }
    wn_err_clear(&err);
    if (wn_store_pending(d.store, WN_DAEMON_PENDING_MAX,
                         wn_daemon_queue_pending, &d, &err)
        != 0)
    {
        WN_LOG(WN_LOG_WARNING, "winnowd", "%s", err.msg);
    }
    for (size_t i = 0; i < d.nfeeds; i++) {
        wn_ingest_feed(d.ingest, &d.feeds[i]);
    }
    if (wn_ingest_idle(d.ingest)) {
        uv_timer_start(&d.finish_timer, wn_daemon_finish, 0, 0);
    }
    uv_run(&d.loop, UV_RUN_DEFAULT);
    wn_daemon_summary(&d, stderr);
    wn_ingest_stats(d.ingest, &st);
    /* Non-zero only when nothing at all could be done. */
    status = (st.feeds_ok + st.feeds_not_modified + st.articles_stored == 0
              && (d.nfeeds > 0 || st.articles_failed > 0))
                     || d.nfeeds == 0
                 ? WN_EXIT_FAILURE
                 : WN_EXIT_OK;
    wn_daemon_release(&d);
    return status;
}

/* ---- run ---- */

static void
wn_daemon_due(struct wn_heap_entry *e, void *arg)
{
    struct wn_daemon *d = arg;
    struct wn_ingest_feed *feed =
        wn_container_of(e, struct wn_ingest_feed, sched);

    if (d->stopping) {
        return;
    }
    if (wn_ingest_feed(d->ingest, feed) != 0 && !feed->busy) {
        /* Out of memory: try again after an interval. */
        long interval = feed->conf->interval > 0 ? feed->conf->interval
                                                 : d->conf->interval / 1000;
        wn_sched_in(d->sched, &feed->sched, (uint64_t) interval * 1000u);
    }
}

/* ---- shared feed sets: feeds come from leases, not the local heap ---- */

static size_t
wn_daemon_lease_room(void *arg)
{
    struct wn_daemon *d = arg;
    struct wn_ingest_stats st;
    size_t max = (size_t) d->conf->max_transfers;

    if (d->stopping) {
        return 0;
    }
    wn_ingest_stats(d->ingest, &st);
    return st.feeds_busy + st.feeds_waiting < max
               ? max - st.feeds_busy - st.feeds_waiting
               : 0;
}

static void
wn_daemon_leased(int64_t feed_id, void *arg)
{
    struct wn_daemon *d = arg;

    for (size_t i = 0; i < d->nfeeds; i++) {
        struct wn_ingest_feed *f = &d->feeds[i];
        if (f->store_id == feed_id) {
            /* A feed still busy here keeps its lease until it is stored. */
            if (!f->busy) {
                wn_ingest_feed(d->ingest, f);
            }
            return;
        }
    }
    /* Not in this daemon's configuration: left to expire for the others. */
}

static int
wn_daemon_run_shared(struct wn_daemon *d)
{
    char owner[300], host[256];

    if (gethostname(host, sizeof(host)) != 0) {
        snprintf(host, sizeof(host), "unknown");
    }
    host[sizeof(host) - 1] = '\0';
    snprintf(owner, sizeof(owner), "%s:%ld", host, (long) getpid());
    WN_LOG(WN_LOG_NOTICE, "winnowd",
           "shared store: leasing due feeds as %s for %lds at a time", owner,
           d->conf->store_lease / 1000);
    return wn_lease_init(&d->loop, d->writer, owner,
                         d->conf->store_lease / 1000, wn_daemon_lease_room,
                         wn_daemon_leased, d, &d->lease);
}

int
wn_cmd_run(const struct wn_opts *o)
{
    struct wn_daemon d;
    int64_t now = wn_time_now();
    int status = wn_daemon_open(&d, o);

    if (status != WN_EXIT_OK) {
        wn_daemon_release(&d);
        return status;
    }
    d.loop.data = &d;
    if (wn_store_shared(d.store)) {
        if (wn_daemon_run_shared(&d) != 0) {
            wn_daemon_release(&d);
            return WN_EXIT_FAILURE;
        }
    } else if (wn_sched_init(&d.loop, wn_daemon_due, &d, &d.sched) != 0) {
        wn_daemon_release(&d);
        return WN_EXIT_FAILURE;
    }
    for (size_t i = 0; d.sched != NULL && i < d.nfeeds; i++) {
        struct wn_ingest_feed *f = &d.feeds[i];
        int64_t wait = f->next_fetch > now ? f->next_fetch - now : 0;
        uint64_t ms = (uint64_t) wait * 1000u;

        /* Feeds that are due spread over the first seconds, not all in
         * the same loop iteration. */
        if (wait == 0 && d.nfeeds > 1) {
            ms = (uint64_t) (i * 997u % (d.nfeeds * 10u + 1u));
            ms = ms * WN_DAEMON_JITTER_PCT / 100u;
        }
        wn_sched_in(d.sched, &f->sched, ms);
    }
    /* Articles of items an earlier run acknowledged but could not finish
     * (a crash, a stop, a full disk) are fetched again now, not at their
     * feed's next change. */
    {
        struct wn_err err;
        wn_err_clear(&err);
        if (wn_store_pending(d.store, WN_DAEMON_PENDING_MAX,
                             wn_daemon_queue_pending, &d, &err)
            != 0)
        {
            WN_LOG(WN_LOG_WARNING, "winnowd", "%s", err.msg);
        }
    }
    uv_timer_init(&d.loop, &d.sweep_timer);
    d.sweep_timer.data = &d;
    d.last_sweep = uv_now(&d.loop);
    uv_timer_start(&d.sweep_timer, wn_daemon_sweep, WN_DAEMON_SWEEP_DOWN_MS,
                   WN_DAEMON_SWEEP_DOWN_MS);
    WN_LOG(WN_LOG_NOTICE, "winnowd",
           "running: %zu feeds, %zu plugins, store %s", d.nfeeds,
           d.plugins != NULL ? d.plugins->n : 0, d.conf->store_path);
    uv_run(&d.loop, UV_RUN_DEFAULT);
    WN_LOG(WN_LOG_NOTICE, "winnowd", "stopped");
    wn_daemon_release(&d);
    return WN_EXIT_OK;
}

/* ---- export and list ---- */

static int
wn_daemon_since(const struct wn_opts *o, int64_t *since)
{
    *since = 0;
    return o->since != NULL ? wn_cmd_time_arg("--since", o->since, since) : 0;
}

static void
wn_daemon_json_time(json_t *obj, const char *key, int64_t t)
{
    char buf[WN_TIME_BUFSZ];

    if (t == WN_TIME_NONE) {
        json_object_set_new(obj, key, json_null());
    } else {
        wn_time_format(t, buf);
        json_object_set_new(obj, key, json_string(buf));
    }
}

static void
wn_daemon_json_str(json_t *obj, const char *key, const char *v)
{
    json_object_set_new(obj, key, v != NULL ? json_string(v) : json_null());
}

static int
wn_daemon_export_row(const struct wn_store_row *r, void *arg)
{
    json_t *obj = json_object(), *plugins = json_array(), *tags;
    char *line;
    (void) arg;

    wn_daemon_json_str(obj, "url", r->url);
    wn_daemon_json_str(obj, "feed", r->feed);
    wn_daemon_json_str(obj, "title", r->title);
    wn_daemon_json_str(obj, "author", r->author);
    wn_daemon_json_time(obj, "published", r->published);
    wn_daemon_json_str(obj, "lang", r->lang);
    wn_daemon_json_str(obj, "text", r->text);
    if (r->plugins != NULL) {
        const char *p = r->plugins;
        while (*p != '\0') {
            size_t n = strcspn(p, " ");
            if (n > 0) {
                json_array_append_new(plugins, json_stringn(p, n));
            }
            p += n;
            p += *p == ' ';
        }
    }
    json_object_set_new(obj, "plugins", plugins);
    wn_daemon_json_str(obj, "story", r->story);
    wn_daemon_json_str(obj, "site", r->site);
    wn_daemon_json_time(obj, "updated", r->updated);
    json_object_set_new(obj, "words", json_integer(r->words));
    tags = r->tags != NULL ? json_loads(r->tags, 0, NULL) : NULL;
    json_object_set_new(obj, "tags", tags != NULL ? tags : json_array());
    line = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (line == NULL) {
        return -1;
    }
    puts(line);
    free(line);
    return ferror(stdout) ? -1 : 0;
}

static int
wn_daemon_list_row(const struct wn_store_row *r, void *arg)
{
    const char *text = r->text != NULL ? r->text : "";
    size_t first = strcspn(text, "\n");
    char when[WN_TIME_BUFSZ] = "";
    (void) arg;

    if (r->published != WN_TIME_NONE) {
        wn_time_format(r->published, when);
    }
    printf("%s\n  %s, %ld words%s%s\n  %.*s%s\n\n",
           r->title ? r->title : "(untitled)", r->site ? r->site : "?",
           r->words, when[0] ? ", " : "", when,
           (int) (first > 160 ? 160 : first), text, first > 160 ? "..." : "");
    return ferror(stdout) ? -1 : 0;
}

static int
wn_daemon_read_store(const struct wn_opts *o, wn_store_row_cb cb)
{
    struct wn_conf *conf = wn_cmd_conf(o, 0);
    struct wn_store *store = NULL;
    struct wn_err err;
    int64_t since;
    int rc;

    if (conf == NULL) {
        return WN_EXIT_CONFIG;
    }
    if (wn_daemon_since(o, &since) != 0) {
        wn_conf_free(conf);
        return WN_EXIT_USAGE;
    }
    wn_err_clear(&err);
    rc = wn_store_open(conf->store_path, WN_STORE_READONLY, &store, &err);
    if (rc == 0) {
        rc = wn_store_articles(store, since, cb, NULL, &err);
    }
    if (rc != 0) {
        fprintf(stderr, "winnowd: %s: %s\n", o->command, err.msg);
    }
    wn_store_close(store);
    wn_conf_free(conf);
    return rc == 0 ? WN_EXIT_OK : WN_EXIT_FAILURE;
}

int
wn_cmd_export(const struct wn_opts *o)
{
    return wn_daemon_read_store(o, wn_daemon_export_row);
}

int
wn_cmd_list(const struct wn_opts *o)
{
    return wn_daemon_read_store(o, wn_daemon_list_row);
}
