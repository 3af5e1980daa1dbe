/*
 * wn_daemon.c: the commands that run the pipeline (once, run) and read the
 * store (export, list): acquiring everything before the loop starts, the
 * signals (SIGHUP reloads in place, SIGTERM/SIGINT stop in order), the
 * service manager's notifications and watchdog, the schedule of `run`, and
 * an orderly stop that flushes the store.  The pipeline itself is
 * wn_ingest.c.
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

#include "wn_admin.h"
#include "wn_cmd.h"
#include "wn_conf.h"
#include "wn_err.h"
#include "wn_fetch.h"
#include "wn_ingest.h"
#include "wn_lease.h"
#include "wn_log.h"
#include "wn_mem.h"
#include "wn_net.h"
#include "wn_notify.h"
#include "wn_plugin.h"
#include "wn_progress.h"
#include "wn_retain.h"
#include "wn_sched.h"
#include "wn_sink.h"
#include "wn_stats.h"
#include "wn_store.h"
#include "wn_strset.h"
#include "wn_time.h"
#include "wn_url.h"
#include "wn_writer.h"

#define WN_DAEMON_PENDING_MAX 10000 /* earlier items retried per start */
#define WN_DAEMON_JITTER_PCT  10    /* spread of feeds sharing an interval */
#define WN_DAEMON_STATUS_MS   2000  /* STATUS= refresh for the manager */
#define WN_DAEMON_RELEASE_MS  250   /* malloc_trim after writer batches */

/* A feed of the running configuration, or of an earlier one while work
 * that began under it is in flight. */
struct wn_daemon_feed {
    struct wn_ingest_feed f;
    int removed; /* no longer configured: never rescheduled */
    int syncing; /* a reload is recording it in the store */
    struct wn_daemon_feed *next_removed;
};

/*
 * What a reload replaced: kept until the pipeline is next idle, since work
 * in flight still uses it (the conf's strings, the plugins' code, the
 * fetcher's transfers and their allow list, the removed feeds).
 */
struct wn_daemon_gen {
    struct wn_conf *conf;
    struct wn_plugins *plugins;
    struct wn_net_allow *allow;
    struct wn_fetcher *fetcher;
    struct wn_daemon_feed *removed;
    struct wn_daemon_gen *next;
};
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
    struct wn_sched *sched;   /* run only */
    struct wn_lease *lease;   /* run on a shared store, instead of sched */
    struct wn_retain *retain; /* run only: expiry on a timer */
    struct wn_sinks *sinks;
    struct wn_admin *admin;       /* run only, when [admin] listen is set */
    struct wn_progress *progress; /* once only */
    struct wn_daemon_feed **feeds;
    size_t nfeeds;
    const struct wn_opts *opts; /* the command line, for reloads */
    struct wn_daemon_gen *retired;
    struct wn_notify notify;
    uv_signal_t sigint, sigterm, sighup;
    uv_timer_t finish_timer;
    uv_timer_t stop_timer;
    uv_timer_t status_timer;  /* STATUS= and the watchdog */
    uv_timer_t retire_timer;  /* frees retired generations when idle */
    uint64_t watchdog_last;   /* loop time of the last WATCHDOG=1 */
    int watchdog_held;        /* pings withheld: the store is unhealthy */
    uint64_t store_progress;  /* loop time the writer last moved or idled */
    uint64_t store_batches;   /* writer batches seen at that time */
    uint64_t store_failed;    /* failed writer batches seen then */
    uint64_t store_failed_at; /* loop time a failed batch was seen, or 0 */
    uint64_t reloads, reloads_refused;
    uint64_t released_at;          /* loop time memory was last given back */
    size_t syncs_pending;          /* reload store writes not yet done */
    uv_timer_t sweep_timer;        /* run only: pending articles retried */
    uint64_t last_sweep;           /* uv_now() of the last sweep */
    int sweeping;                  /* a sweep op is queued or running */
    volatile int stop;             /* read by plugins on other threads */
    struct wn_writer_stats writes; /* kept when the writer closes */
    int once;
    size_t waiting; /* once: feeds left to wait out a Retry-After */
    int stopping;
    int finishing;
    uint64_t started;
    char store_why[WN_ERR_MSG_MAX]; /* the last failed write, for /readyz */
};

/* ---- acquire ---- */

/* Takes over what the store remembers of a feed (sf keeps the rest). */
static void
wn_daemon_feed_state(struct wn_ingest_feed *f, struct wn_store_feed *sf)
{
    free(f->etag);
    free(f->last_modified);
    free(f->fetch_url);
    f->store_id = sf->id;
    f->etag = sf->etag;
    f->last_modified = sf->last_modified;
    f->fetch_url = sf->fetch_url;
    f->retired = sf->retired != WN_TIME_NONE;
    f->interval = sf->interval;
    f->next_fetch = sf->next_fetch;
    f->error_count = sf->error_count;
    f->skip_hours = sf->skip_hours;
    f->skip_days = (unsigned char) sf->skip_days;
    f->rate_limited =
        sf->error_class != NULL && strcmp(sf->error_class, "rate-limited") == 0;
    sf->etag = sf->last_modified = sf->fetch_url = NULL;
}

static void
wn_daemon_feed_free(struct wn_daemon_feed *df)
{
    if (df != NULL) {
        free(df->f.etag);
        free(df->f.last_modified);
        free(df->f.fetch_url);
        free(df);
    }
}

static struct wn_daemon_feed *
wn_daemon_feed_new(const struct wn_conf_feed *conf)
{
    struct wn_daemon_feed *df = calloc(1, sizeof(*df));

    if (df != NULL) {
        df->f.conf = conf;
        wn_heap_entry_init(&df->f.sched);
    }
    return df;
}

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
        struct wn_daemon_feed *df = wn_daemon_feed_new(&d->conf->feeds[i]);
        struct wn_store_feed sf;

        memset(&sf, 0, sizeof(sf));
        if (df == NULL) {
            rc = wn_err_set(err, WN_ENOMEM, "out of memory");
            break;
        }
        rc = wn_store_feed_sync(d->store, df->f.conf->name, df->f.conf->url,
                                &sf, err);
        if (rc == 0) {
            rc =
                wn_store_feed_keep(d->store, sf.id, df->f.conf->keep_days, err);
        }
        if (rc == 0) {
            wn_daemon_feed_state(&df->f, &sf);
            d->feeds[d->nfeeds++] = df;
        } else {
            wn_daemon_feed_free(df);
        }
        wn_store_feed_clear(&sf);
    }
    if (rc == 0) {
        struct wn_store_retain r = { .now = wn_time_now(),
                                     .keep_days = d->conf->keep_days,
                                     .keep_pages_days =
                                         d->conf->keep_pages_days };
        rc = wn_store_retain(d->store, &r, err);
        if (rc == 0) {
            wn_retain_log(&r);
        }
    }
    if (rc == 0) {
        rc = wn_store_commit(d->store, err);
    } else {
        wn_store_rollback(d->store);
    }
    return rc;
}

/* The retention timer's settings from a configuration. */
static void
wn_daemon_retain_opts(const struct wn_conf *c, struct wn_retain_opts *ro)
{
    ro->every_ms = (uint64_t) c->retain_every;
    ro->keep_days = c->keep_days;
    ro->keep_pages_days = c->keep_pages_days;
    ro->chunk = 0;
}

static void wn_daemon_feed_done(struct wn_ingest_feed *feed, int ok, void *arg);
static void wn_daemon_idle(void *arg);
static void wn_daemon_signal(uv_signal_t *h, int signum);
static void wn_daemon_status_tick(uv_timer_t *t);

/* The fetcher's options from a configuration. */
static void
wn_daemon_fetch_opts(const struct wn_conf *c, const struct wn_net_allow *allow,
                     struct wn_fetch_opts *fo)
{
    memset(fo, 0, sizeof(*fo));
    fo->user_agent = c->user_agent;
    fo->connect_timeout = c->connect_timeout;
    fo->timeout = c->timeout;
    fo->low_speed_time = c->low_speed_time;
    fo->low_speed_limit = c->low_speed_limit;
    fo->max_body = c->max_body;
    fo->max_redirects = c->max_redirects;
    fo->max_transfers = c->max_transfers;
    fo->max_host_transfers = c->max_host_transfers;
    fo->host_delay = c->host_delay;
    fo->proxy =
        c->proxy != NULL && strcmp(c->proxy, "none") == 0 ? "" : c->proxy;
    fo->allow = allow;
    fo->file_root = c->file_root;
    fo->ca_file = c->ca_file;
}

static void
wn_daemon_room(void *arg)
{
    struct wn_daemon *d = arg;

    if (d->ingest != NULL) {
        wn_ingest_kick(d->ingest);
    }
}

/*
 * After each writer batch: the sinks send what it stored, and the memory
 * of its articles, freed by now, goes back to the system at most every
 * WN_DAEMON_RELEASE_MS (at 10,000 feeds on bench/run_sched.py, about 4 MB
 * less peak RSS for about 1 ms a call).
 */
static void
wn_daemon_batch_done(void *arg)
{
    struct wn_daemon *d = arg;
    uint64_t now = uv_now(&d->loop);

    wn_sinks_flush(d->sinks);
    if (now - d->released_at >= WN_DAEMON_RELEASE_MS) {
        d->released_at = now;
        wn_mem_release();
    }
}

static int
wn_daemon_open(struct wn_daemon *d, const struct wn_opts *o)
{
    struct wn_fetch_opts fo;
    struct wn_ingest_opts io;
    struct wn_err err;
    char threads[16];
    int rc;

    memset(d, 0, sizeof(*d));
    d->opts = o;
    wn_notify_init(&d->notify);
    d->conf = wn_cmd_conf(o, 0);
    if (d->conf == NULL) {
        return WN_EXIT_CONFIG;
    }
    /* libuv reads this when the threadpool starts, at the first work item. */
    snprintf(threads, sizeof(threads), "%ld", d->conf->threads);
    setenv("UV_THREADPOOL_SIZE", threads, 1);
    wn_mem_limit_arenas(d->conf->threads);
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
    wn_daemon_fetch_opts(d->conf, d->allow, &fo);
    if (strcmp(o->command, "once") == 0) {
        /* A host that asks to wait longer than a transfer may take is
         * not waited for: its requests fail as rate-limited and the next
         * pass asks them (wn_daemon_waits()). */
        fo.max_host_wait = d->conf->timeout;
    }
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
    if (wn_sinks_open(&d->loop, d->conf, &d->sinks, &err) != 0) {
        WN_LOG(WN_LOG_ERR, "winnowd", "%s", err.msg);
        return WN_EXIT_CONFIG;
    }
    wn_writer_on_batch(d->writer, wn_daemon_batch_done, d);
    wn_sinks_on_room(d->sinks, wn_daemon_room, d);
    memset(&io, 0, sizeof(io));
    io.loop = &d->loop;
    io.conf = d->conf;
    io.plugins = d->plugins;
    io.fetcher = d->fetcher;
    io.writer = d->writer;
    io.sinks = d->sinks;
    io.stop = &d->stop;
    io.feed_cb = wn_daemon_feed_done;
    io.idle_cb = wn_daemon_idle;
    io.arg = d;
    if (wn_ingest_init(&io, &d->ingest) != 0) {
        return WN_EXIT_FAILURE;
    }
    uv_timer_init(&d->loop, &d->finish_timer);
    uv_timer_init(&d->loop, &d->stop_timer);
    uv_timer_init(&d->loop, &d->status_timer);
    uv_timer_init(&d->loop, &d->retire_timer);
    d->finish_timer.data = d->stop_timer.data = d;
    d->status_timer.data = d->retire_timer.data = d;
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

/* The writer flushed what was queued: the sinks deliver the rest. */
static void
wn_daemon_writer_closed(void *arg)
{
    struct wn_daemon *d = arg;

    wn_sinks_close(d->sinks, d->conf->stop_timeout, NULL, NULL);
    d->sinks = NULL;
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
    wn_admin_close(d->admin, NULL, NULL);
    d->admin = NULL;
    wn_progress_stop(d->progress);
    d->progress = NULL;
    if (d->sched != NULL) {
        wn_sched_close(d->sched, NULL, NULL);
        d->sched = NULL;
    }
    wn_lease_close(d->lease);
    d->lease = NULL;
    wn_retain_close(d->retain);
    d->retain = NULL;
    wn_daemon_close_handle((uv_handle_t *) &d->sigint);
    wn_daemon_close_handle((uv_handle_t *) &d->sigterm);
    wn_daemon_close_handle((uv_handle_t *) &d->sighup);
    wn_daemon_close_handle((uv_handle_t *) &d->stop_timer);
    wn_daemon_close_handle((uv_handle_t *) &d->finish_timer);
    wn_daemon_close_handle((uv_handle_t *) &d->status_timer);
    wn_daemon_close_handle((uv_handle_t *) &d->retire_timer);
    if (d->sweep_timer.data == d) {
        wn_daemon_close_handle((uv_handle_t *) &d->sweep_timer);
    }
    if (d->fetcher != NULL) { /* the stop timeout may have closed it */
        wn_fetch_close(d->fetcher, NULL, NULL);
        d->fetcher = NULL;
    }
    for (struct wn_daemon_gen *g = d->retired; g != NULL; g = g->next) {
        if (g->fetcher != NULL) {
            wn_fetch_close(g->fetcher, NULL, NULL);
            g->fetcher = NULL;
        }
    }
    /* Runs what is still queued, so nothing acknowledged is lost. */
    if (d->writer != NULL) {
        wn_writer_stats(d->writer, &d->writes);
        wn_writer_close(d->writer, wn_daemon_writer_closed, d);
        d->writer = NULL;
    } else {
        wn_daemon_writer_closed(d);
    }
}

static void
wn_daemon_gen_free(struct wn_daemon_gen *g)
{
    struct wn_daemon_feed *df, *next;

    if (g->fetcher != NULL) {
        wn_fetch_close(g->fetcher, NULL, NULL);
    }
    for (df = g->removed; df != NULL; df = next) {
        next = df->next_removed;
        wn_daemon_feed_free(df);
    }
    wn_plugins_free(g->plugins);
    wn_net_allow_free(g->allow);
    wn_conf_free(g->conf);
    free(g);
}

/* Frees what earlier reloads replaced, now that nothing uses it. */
static void
wn_daemon_retire(uv_timer_t *t)
{
    struct wn_daemon *d = t->data;

    while (d->retired != NULL && wn_ingest_idle(d->ingest)
           && d->syncs_pending == 0) {
        struct wn_daemon_gen *g = d->retired;
        d->retired = g->next;
        wn_daemon_gen_free(g);
    }
}

static void
wn_daemon_idle(void *arg)
{
    struct wn_daemon *d = arg;

    if (d->retired != NULL && !d->finishing) {
        uv_timer_start(&d->retire_timer, wn_daemon_retire, 0, 0);
    }
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
    /* Canceled transfers call back at once, plugins give up; jobs then
     * finish and the ingest goes idle, which schedules the finish. */
    d->stop = 1;
    if (d->fetcher != NULL) {
        wn_fetch_close(d->fetcher, NULL, NULL);
        d->fetcher = NULL;
    }
}

static void
wn_daemon_begin_stop(struct wn_daemon *d, const char *why)
{
    if (d->stopping) {
        /* A second signal: do not wait for the bound. */
        if (!d->stop && !d->finishing && d->fetcher != NULL) {
            WN_LOG(WN_LOG_NOTICE, "winnowd",
                   "%s again: canceling work in flight now", why);
            uv_timer_stop(&d->stop_timer);
            wn_daemon_stop_timeout(&d->stop_timer);
        }
        return;
    }
    /* d->stop (seen by plugins, which then give up) is set only when the
     * bound runs out: until then work in flight finishes and is stored. */
    d->stopping = 1;
    WN_LOG(WN_LOG_NOTICE, "winnowd", "stopping (%s): finishing work in flight",
           why);
    wn_notify_sendf(&d->notify, "STOPPING=1\nSTATUS=stopping (%s)", why);
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

static void wn_daemon_reload(struct wn_daemon *d);

static void
wn_daemon_signal(uv_signal_t *h, int signum)
{
    struct wn_daemon *d = h->data;

    if (signum == SIGHUP) {
        if (d->once || d->stopping) {
            WN_LOG(WN_LOG_NOTICE, "winnowd", "SIGHUP: ignored while %s",
                   d->once ? "running once" : "stopping");
            return;
        }
        wn_daemon_reload(d);
        return;
    }
    wn_daemon_begin_stop(d, signum == SIGINT ? "SIGINT" : "SIGTERM");
}

static void
wn_daemon_release(struct wn_daemon *d)
{
    if (d->sinks != NULL) { /* the loop never ran: nothing is queued */
        wn_sinks_close(d->sinks, 0, NULL, NULL);
        d->sinks = NULL;
        if (d->loop.data == d) {
            uv_run(&d->loop, UV_RUN_NOWAIT); /* the sinks' close callbacks */
        }
    }
    wn_ingest_free(d->ingest);
    if (d->loop.data == d) {
        int rc = uv_loop_close(&d->loop);
        if (rc != 0) {
            WN_LOG(WN_LOG_WARNING, "winnowd",
                   "event loop closed with handles open: %s", uv_strerror(rc));
        }
    }
    wn_store_close(d->store);
    while (d->retired != NULL) {
        struct wn_daemon_gen *g = d->retired;
        d->retired = g->next;
        wn_daemon_gen_free(g);
    }
    wn_plugins_free(d->plugins);
    wn_net_allow_free(d->allow);
    for (size_t i = 0; i < d->nfeeds; i++) {
        wn_daemon_feed_free(d->feeds[i]);
    }
    free(d->feeds);
    wn_conf_free(d->conf);
    wn_notify_close(&d->notify);
}

/* ---- service manager: STATUS= and the watchdog ---- */

/*
 * The store is healthy while its writer keeps up: it is idle or a batch
 * ended within `window_ms` (a writer stuck on a lock or a dead disk is
 * not), no batch failed within `window_ms`, and the writer does not report
 * the disk full, read-only or failing.
 */
static int
wn_daemon_store_healthy(struct wn_daemon *d, uint64_t now, uint64_t window_ms)
{
    struct wn_writer_stats ws;
    uint64_t nb, nf;

    if (d->writer == NULL) {
        return 0;
    }
    wn_writer_stats(d->writer, &ws);
    nb = ws.batches - d->store_batches;
    nf = ws.failed_batches - d->store_failed;
    if (nf > 0) {
        d->store_failed_at = now;
    }
    if (nb > 0 || !wn_writer_busy(d->writer)) {
        d->store_progress = now;
    }
    d->store_batches = ws.batches;
    d->store_failed = ws.failed_batches;
    /* The writer also knows a full, read-only or failing disk (until a
     * batch commits again). */
    return now - d->store_progress < window_ms
           && (d->store_failed_at == 0 || now - d->store_failed_at >= window_ms)
           && wn_writer_ready(d->writer, NULL);
}

/* STATUS= with live counts; WATCHDOG=1 only while the loop runs (this is a
 * loop timer) and the store is healthy. */
static void
wn_daemon_status_tick(uv_timer_t *t)
{
    struct wn_daemon *d = t->data;
    struct wn_ingest_stats st;
    uint64_t now = uv_now(&d->loop), every = WN_DAEMON_STATUS_MS;

    if (d->stopping || d->finishing) {
        return;
    }
    if (d->notify.watchdog_usec > 0) {
        uint64_t half = d->notify.watchdog_usec / 2000u;
        every = half < every ? (half > 0 ? half : 1) : every;
        if (wn_daemon_store_healthy(d, now, d->notify.watchdog_usec / 1000u)) {
            wn_notify_send(&d->notify, "WATCHDOG=1");
            d->watchdog_last = now;
            if (d->watchdog_held) {
                WN_LOG(WN_LOG_NOTICE, "winnowd",
                       "watchdog: store healthy again; pinging");
                d->watchdog_held = 0;
            }
        } else if (!d->watchdog_held) {
            /* once per episode, not once per tick */
            WN_LOG(WN_LOG_WARNING, "winnowd",
                   "watchdog: store not healthy (%s); not pinging",
                   now - d->store_progress >= d->notify.watchdog_usec / 1000u
                       ? "no write finished within the watchdog interval"
                       : "a transaction failed");
            d->watchdog_held = 1;
        }
    }
    wn_ingest_stats(d->ingest, &st);
    wn_notify_sendf(&d->notify,
                    "STATUS=%zu feeds: %zu busy, %zu waiting; %zu articles in "
                    "flight; %" PRIu64 " stored, %" PRIu64 " feed errors",
                    d->nfeeds, st.feeds_busy, st.feeds_waiting,
                    st.articles_active + st.articles_queued, st.articles_stored,
                    st.feeds_failed);
    if (uv_timer_get_repeat(t) != every) {
        uv_timer_start(t, wn_daemon_status_tick, every, every);
    }
}

/* ---- reload (SIGHUP) ---- */

/* New and re-pointed feeds a reload records in the store (through the
 * writer, which owns the store while the loop runs). */
struct wn_daemon_sync {
    struct wn_daemon *d;
    size_t n;
    struct wn_daemon_feed **feeds;
    struct wn_store_feed *out;
    char **names, **urls; /* copies: the op runs on the threadpool */
    long *keep;           /* [feed:NAME] keep_days */
    int *ok;
    struct wn_write_op op;
};

static void
wn_daemon_sync_free(struct wn_daemon_sync *js)
{
    if (js != NULL) {
        for (size_t i = 0; i < js->n; i++) {
            free(js->names[i]);
            free(js->urls[i]);
        }
        free(js->feeds);
        free(js->out);
        free(js->names);
        free(js->urls);
        free(js->keep);
        free(js->ok);
        free(js);
    }
}

static int
wn_daemon_sync_write(struct wn_store *s, struct wn_write_op *op,
                     struct wn_err *err)
{
    struct wn_daemon_sync *js = op->data;

    for (size_t i = 0; i < js->n; i++) {
        struct wn_err e;
        wn_err_clear(&e);
        js->ok[i] =
            wn_store_feed_sync(s, js->names[i], js->urls[i], &js->out[i], &e)
                == 0
            && wn_store_feed_keep(s, js->out[i].id, js->keep[i], &e) == 0;
        if (!js->ok[i]) {
            WN_LOG(WN_LOG_ERR, "winnowd", "reload: feed %s: %s", js->names[i],
                   e.msg);
        }
    }
    (void) err;
    return 0;
}

static void
wn_daemon_sync_done(struct wn_write_op *op)
{
    struct wn_daemon_sync *js = op->data;
    struct wn_daemon *d = js->d;

    for (size_t i = 0; i < js->n; i++) {
        struct wn_daemon_feed *df = js->feeds[i];
        int64_t now = wn_time_now(), wait;

        df->syncing = 0;
        if (js->ok[i] && !df->removed && !df->f.busy) {
            wn_daemon_feed_state(&df->f, &js->out[i]);
            wait = df->f.next_fetch > now ? df->f.next_fetch - now : 0;
            if (d->sched != NULL && !d->stopping) {
                wn_sched_in(d->sched, &df->f.sched,
                            (uint64_t) wait * 1000u + i * 10u);
            }
        }
        wn_store_feed_clear(&js->out[i]);
    }
    d->syncs_pending--;
    wn_daemon_sync_free(js);
}

/* True when a line of `errors` starts with "path:" (a configuration
 * error, not a plugin file's). */
static int
wn_daemon_names_file(const struct wn_buf *errors, const char *path)
{
    size_t n = strlen(path);
    const char *p = errors->data, *end = p + errors->len;

    while (p != NULL && p < end) {
        const char *nl = memchr(p, '\n', (size_t) (end - p));
        if ((size_t) (end - p) > n && memcmp(p, path, n) == 0 && p[n] == ':') {
            return 1;
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}

/* Logs each line of `errors` under "reload". */
static void
wn_daemon_log_errors(const struct wn_buf *errors, int level)
{
    const char *p = errors->data, *end = p + errors->len;

    while (p != NULL && p < end) {
        const char *nl = memchr(p, '\n', (size_t) (end - p));
        size_t n = nl ? (size_t) (nl - p) : (size_t) (end - p);
        WN_LOG(level, "reload", "%.*s", (int) n, p);
        p = nl ? nl + 1 : end;
    }
}

/* Loads the configuration again as the command line said; NULL (errors
 * logged) when it is not usable. */
static struct wn_conf *
wn_daemon_reload_conf(struct wn_daemon *d, struct wn_plugins **plugins)
{
    const struct wn_opts *o = d->opts;
    const char *path = o->config;
    struct wn_conf *nc = NULL;
    struct wn_buf errors;
    int rc;

    if (path == NULL) {
        path = getenv("WINNOW_CONFIG");
        path = path != NULL && *path != '\0' ? path : NULL;
    }
    wn_buf_init(&errors, 1u << 20);
    rc = wn_conf_load(path, &nc, &errors);
    if (rc == 0 && o->plugin_dir != NULL) {
        char *dir = strdup(o->plugin_dir);
        if (dir == NULL) {
            rc = WN_ENOMEM;
        } else {
            free(nc->plugin_dir);
            nc->plugin_dir = dir;
        }
    } else if (rc == 0 && path == NULL) {
        char *dir = strdup(d->conf->plugin_dir); /* as found at start */
        if (dir == NULL) {
            rc = WN_ENOMEM;
        } else if (getenv("WINNOW_PLUGINS_DIR") == NULL) {
            free(nc->plugin_dir);
            nc->plugin_dir = dir;
        } else {
            free(dir);
        }
    }
    /* Plugins are re-initialised from the new configuration.  One that
     * refuses its [plugin:NAME] section (an error naming this file) refuses
     * the whole reload; a plugin file that does not load is skipped, as at
     * start. */
    if (rc == 0) {
        if (wn_plugins_load(nc, plugins, &errors) != 0
            || wn_daemon_names_file(&errors, nc->path))
        {
            rc = WN_ECONFIG;
            wn_plugins_free(*plugins);
            *plugins = NULL;
        } else if (errors.len > 0) {
            wn_daemon_log_errors(&errors, WN_LOG_WARNING);
            wn_buf_reset(&errors);
        }
    }
    if (rc != 0) {
        WN_LOG(WN_LOG_ERR, "reload",
               "%s: refused; the running configuration stays in effect",
               path != NULL ? path : "(environment)");
        if (errors.len > 0) {
            wn_daemon_log_errors(&errors, WN_LOG_ERR);
        } else {
            WN_LOG(WN_LOG_ERR, "reload", "%s", wn_strerror(rc));
        }
        wn_conf_free(nc);
        nc = NULL;
    }
    wn_buf_free(&errors);
    return nc;
}

/* Two optional strings differ. */
static int
wn_daemon_changed(const char *a, const char *b)
{
    return strcmp(a != NULL ? a : "", b != NULL ? b : "") != 0;
}

static struct wn_daemon_feed *
wn_daemon_find_feed(struct wn_daemon *d, const char *name)
{
    for (size_t i = 0; i < d->nfeeds; i++) {
        if (strcmp(d->feeds[i]->f.conf->name, name) == 0) {
            return d->feeds[i];
        }
    }
    return NULL;
}

/*
 * SIGHUP: the configuration, the feed list, the plugins (re-initialised,
 * so the rules plugin reads its rule files again) and the fetch options
 * are replaced for new work; work in flight finishes with what it began
 * with.  A configuration that does not load, or a plugin that refuses it,
 * leaves everything as it was.  The store and the threadpool are not
 * replaced ([store] path and [daemon] threads need a restart).
 */
static void
wn_daemon_reload(struct wn_daemon *d)
{
    struct wn_conf *nc;
    struct wn_plugins *np = NULL;
    struct wn_net_allow *na = NULL;
    struct wn_fetcher *nf = NULL;
    struct wn_daemon_feed **feeds = NULL;
    struct wn_daemon_gen *g = NULL;
    struct wn_daemon_sync *js = NULL;
    struct wn_fetch_opts fo;
    struct wn_err err;
    size_t added = 0, removed = 0, moved = 0;

    WN_LOG(WN_LOG_NOTICE, "reload", "SIGHUP: reloading %s", d->conf->path);
    wn_notify_reloading(&d->notify, "reloading");
    nc = wn_daemon_reload_conf(d, &np);
    wn_err_clear(&err);
    if (nc != NULL && strcmp(nc->store_path, d->conf->store_path) != 0) {
        WN_LOG(WN_LOG_WARNING, "reload",
               "[store] path changed to %s: takes effect on restart; "
               "still writing %s",
               nc->store_path, d->conf->store_path);
    }
    if (nc != NULL
        && (wn_daemon_changed(nc->admin_listen, d->conf->admin_listen)
            || wn_daemon_changed(nc->sink_jsonl, d->conf->sink_jsonl)
            || wn_daemon_changed(nc->webhook_url, d->conf->webhook_url)
            || wn_daemon_changed(nc->webhook_secret, d->conf->webhook_secret)))
    {
        WN_LOG(WN_LOG_WARNING, "reload",
               "[admin] and [sink] changes take effect on restart");
    }
    if (nc != NULL && nc->threads != d->conf->threads) {
        WN_LOG(WN_LOG_WARNING, "reload",
               "[daemon] threads changed: takes effect on restart");
    }
    if (nc != NULL
        && (wn_net_allow_parse(nc->allow_private, &na, &err) != 0
            || (wn_daemon_fetch_opts(nc, na, &fo),
                wn_fetch_init(&d->loop, &fo, &nf, &err) != 0)))
    {
        WN_LOG(WN_LOG_ERR, "reload",
               "%s: refused (%s); the running configuration stays in effect",
               nc->path, err.msg);
        goto refused;
    }
    if (nc == NULL) {
        goto refused;
    }
    feeds = calloc(nc->nfeeds ? nc->nfeeds : 1, sizeof(*feeds));
    g = calloc(1, sizeof(*g));
    js = calloc(1, sizeof(*js));
    if (feeds == NULL || g == NULL || js == NULL
        || (js->feeds = calloc(nc->nfeeds + 1, sizeof(*js->feeds))) == NULL
        || (js->out = calloc(nc->nfeeds + 1, sizeof(*js->out))) == NULL
        || (js->names = calloc(nc->nfeeds + 1, sizeof(char *))) == NULL
        || (js->urls = calloc(nc->nfeeds + 1, sizeof(char *))) == NULL
        || (js->keep = calloc(nc->nfeeds + 1, sizeof(long))) == NULL
        || (js->ok = calloc(nc->nfeeds + 1, sizeof(int))) == NULL)
    {
        WN_LOG(WN_LOG_ERR, "reload", "out of memory; nothing changed");
        goto refused;
    }

    /* The new feed list: kept feeds keep their state and schedule. */
    for (size_t i = 0; i < nc->nfeeds; i++) {
        const struct wn_conf_feed *cf = &nc->feeds[i];
        struct wn_daemon_feed *df = wn_daemon_find_feed(d, cf->name);
        int sync = df == NULL || strcmp(df->f.conf->url, cf->url) != 0
                   || df->f.conf->keep_days != cf->keep_days;
        int made = df == NULL;

        if (made) {
            df = wn_daemon_feed_new(cf);
        }
        if (df != NULL && sync) {
            js->feeds[js->n] = df;
            js->names[js->n] = strdup(cf->name);
            js->urls[js->n] = strdup(cf->url);
            js->keep[js->n] = cf->keep_days;
            js->n++;
            if (js->names[js->n - 1] == NULL || js->urls[js->n - 1] == NULL) {
                if (made) {
                    wn_daemon_feed_free(df);
                }
                df = NULL;
            }
        }
        if (df == NULL) {
            WN_LOG(WN_LOG_ERR, "reload", "out of memory; nothing changed");
            for (size_t k = 0; k < i; k++) {
                if (wn_daemon_find_feed(d, feeds[k]->f.conf->name) == NULL) {
                    wn_daemon_feed_free(feeds[k]);
                }
            }
            goto refused;
        }
        feeds[i] = df;
    }
    /* Everything is in hand: switch. */
    for (size_t i = 0; i < nc->nfeeds; i++) {
        struct wn_daemon_feed *df = feeds[i];
        if (df->f.conf == NULL
            || wn_daemon_find_feed(d, nc->feeds[i].name) == NULL) {
            added++;
        } else if (strcmp(df->f.conf->url, nc->feeds[i].url) != 0) {
            moved++;
        }
        df->f.conf = &nc->feeds[i];
    }
    for (size_t i = 0; i < js->n; i++) {
        js->feeds[i]->syncing = 1;
        if (js->feeds[i]->f.store_id != 0 && d->sched != NULL) {
            wn_sched_cancel(d->sched, &js->feeds[i]->f.sched);
        }
    }
    for (size_t i = 0; i < d->nfeeds; i++) {
        struct wn_daemon_feed *df = d->feeds[i];
        int kept = 0;
        for (size_t k = 0; k < nc->nfeeds && !kept; k++) {
            kept = feeds[k] == df;
        }
        if (!kept) {
            removed++;
            df->removed = 1;
            if (d->sched != NULL) {
                wn_sched_cancel(d->sched, &df->f.sched);
            }
            df->next_removed = g->removed;
            g->removed = df;
        }
    }
    g->conf = d->conf;
    g->plugins = d->plugins;
    g->allow = d->allow;
    g->fetcher = d->fetcher;
    g->next = d->retired;
    d->retired = g;
    free(d->feeds);
    d->feeds = feeds;
    d->nfeeds = nc->nfeeds;
    d->conf = nc;
    d->plugins = np;
    if (d->retain != NULL) {
        struct wn_retain_opts ro;
        wn_daemon_retain_opts(nc, &ro);
        wn_retain_set(d->retain, &ro);
    }
    d->allow = na;
    d->fetcher = nf;
    wn_ingest_reconfigure(d->ingest, nc, np, nf);
    wn_log_init(d->opts->log_level >= 0 ? d->opts->log_level : nc->log_level,
                nc->log_format);
    d->reloads++;
    if (js->n > 0) {
        js->d = d;
        js->op.fn = wn_daemon_sync_write;
        js->op.done = wn_daemon_sync_done;
        js->op.data = js;
        d->syncs_pending++;
        wn_writer_submit(d->writer, &js->op);
    } else {
        wn_daemon_sync_free(js);
    }
    if (wn_ingest_idle(d->ingest)) {
        uv_timer_start(&d->retire_timer, wn_daemon_retire, 0, 0);
    }
    WN_LOG(WN_LOG_NOTICE, "reload",
           "reloaded %s: %zu feeds (%zu added, %zu removed, %zu with a new "
           "url), %zu plugins",
           nc->path, d->nfeeds, added, removed, moved, np != NULL ? np->n : 0);
    wn_notify_sendf(&d->notify, "READY=1\nSTATUS=reloaded: %zu feeds",
                    d->nfeeds);
    return;

refused:
    d->reloads_refused++;
    if (nf != NULL) {
        wn_fetch_close(nf, NULL, NULL);
    }
    wn_net_allow_free(na);
    wn_plugins_free(np);
    wn_conf_free(nc);
    free(feeds);
    free(g);
    wn_daemon_sync_free(js);
    wn_notify_sendf(&d->notify,
                    "READY=1\nSTATUS=reload refused (see the log); running "
                    "the previous configuration");
}

/* ---- what the admin endpoint and the progress line show ---- */

static const struct wn_ingest_feed *
wn_daemon_feed_at(void *arg, size_t i)
{
    const struct wn_daemon *d = arg;

    return &d->feeds[i]->f;
}

static void
wn_daemon_live(void *arg, struct wn_admin_live *live)
{
    struct wn_daemon *d = arg;
    struct wn_stats_src src;

    memset(&src, 0, sizeof(src));
    src.fetcher = d->fetcher;
    src.ingest = d->ingest;
    src.writer = d->writer;
    src.plugins = d->plugins;
    src.sinks = d->sinks;
    src.feed = wn_daemon_feed_at;
    src.feed_arg = d;
    src.nfeeds = d->nfeeds;
    src.started = d->started;
    wn_stats_collect(&src);
    live->feed = wn_daemon_feed_at;
    live->feed_arg = d;
    live->nfeeds = d->nfeeds;
    live->plugins = d->plugins;
    live->store_ok = 1;
    if (d->writer != NULL) {
        const char *why = NULL;
        live->store_ok = wn_writer_ready(d->writer, &why);
        snprintf(d->store_why, sizeof(d->store_why), "%s",
                 why != NULL ? why : "");
        live->store_why = d->store_why;
    }
    live->stopping = d->stopping;
    live->started = d->started;
}

static void
wn_daemon_progress(void *arg, struct wn_progress_counts *c)
{
    struct wn_daemon *d = arg;
    struct wn_ingest_stats st;

    wn_ingest_stats(d->ingest, &st);
    c->feeds_done = st.feeds_ok + st.feeds_not_modified + st.feeds_failed;
    c->items = st.items_new;
    c->articles = st.articles_stored;
    c->errors = st.feeds_failed + st.articles_failed;
    c->in_flight = st.feeds_busy + st.articles_active;
}

/* ---- once ---- */

static int
wn_daemon_queue_pending(const struct wn_store_pending *p, void *arg)
{
    struct wn_daemon *d = arg;
    struct wn_ingest_feed *feed = NULL;

    for (size_t i = 0; i < d->nfeeds; i++) {
        if (d->feeds[i]->f.store_id == p->feed_id) {
            feed = &d->feeds[i]->f;
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

/* Frees what a sweep collected (its array stays for reuse). */
static void
wn_daemon_sweep_reset(struct wn_daemon_sweep *sw)
{
    for (size_t i = 0; i < sw->n; i++) {
        struct wn_daemon_pending *e = &sw->p[i];
        free(e->url);
        free(e->title);
        free(e->author);
        free(e->summary);
    }
    sw->n = 0;
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

    wn_daemon_sweep_reset(sw); /* a batch may run twice (wn_writer.h) */
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
    }
    wn_daemon_sweep_reset(sw);
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
    struct wn_daemon_feed *df = wn_container_of(feed, struct wn_daemon_feed, f);
    int64_t now = wn_time_now(), wait;

    (void) ok;
    if (d->sched == NULL || d->stopping || df->removed || feed->retired) {
        return;
    }
    wait = feed->next_fetch > now ? feed->next_fetch - now : 0;
    wn_sched_in(d->sched, &feed->sched, (uint64_t) wait * 1000u);
}

/*
 * True when the feed's last answer was a 429/503 whose Retry-After (or the
 * backoff after it) has not passed: `once` leaves it alone unless forced.
 */
static int
wn_daemon_waits(const char *error_class, int64_t next_fetch, int64_t now)
{
    return error_class != NULL
           && strcmp(error_class, wn_fetch_class_name(WN_FETCH_RATE)) == 0
           && next_fetch > now;
}

static void
wn_daemon_summary(struct wn_daemon *d, FILE *out)
{
    struct wn_ingest_stats st;
    double secs = (double) (uv_hrtime() - d->started) / 1e9;
    char waiting[24];

    snprintf(waiting, sizeof(waiting), "%zu", d->waiting);
    wn_ingest_stats(d->ingest, &st);
    WN_LOG(WN_LOG_INFO, "store",
           "%" PRIu64 " writes in %" PRIu64 " transactions", d->writes.ops,
           d->writes.batches);
    fprintf(out,
            "winnowd once: %zu feeds: %" PRIu64 " ok, %" PRIu64
            " not modified, %" PRIu64 " failed%s%s%s; %" PRIu64
            " items, %" PRIu64 " new; %" PRIu64 " articles stored (%" PRIu64
            " from feed content), %" PRIu64 " failed; %.2f s\n",
            d->nfeeds, st.feeds_ok, st.feeds_not_modified, st.feeds_failed,
            d->waiting > 0 ? ", " : "", d->waiting > 0 ? waiting : "",
            d->waiting > 0 ? " waiting for Retry-After (not asked)" : "",
            st.items_seen, st.items_new, st.articles_stored,
            st.articles_from_feed, st.articles_failed, secs);
}

/* True when `once` leaves the feed to wait out its server's Retry-After. */
static int
wn_daemon_feed_waits(const struct wn_ingest_feed *f, int64_t now)
{
    return f->rate_limited
           && wn_daemon_waits(wn_fetch_class_name(WN_FETCH_RATE), f->next_fetch,
                              now);
}

/*
 * Starts the pass of `once`: every feed but the retired ones and, unless
 * forced, those waiting out a Retry-After; with [fetch] retry_after_host,
 * the other feeds of their hosts wait too.
 */
static void
wn_daemon_once_feeds(struct wn_daemon *d, int force)
{
    struct wn_strset hosts;
    int64_t now = wn_time_now();
    char until[WN_TIME_BUFSZ], *host = NULL;

    wn_strset_init(&hosts);
    for (size_t i = 0; !force && d->conf->retry_after_host && i < d->nfeeds;
         i++) {
        const struct wn_ingest_feed *f = &d->feeds[i]->f;
        if (!f->retired && wn_daemon_feed_waits(f, now)
            && wn_url_host(wn_ingest_feed_url(f), &host) == 0)
        {
            (void) wn_strset_add(&hosts, host); /* out of memory: asked */
        }
        free(host);
        host = NULL;
    }
    for (size_t i = 0; i < d->nfeeds; i++) {
        struct wn_ingest_feed *f = &d->feeds[i]->f;
        int host_waits = 0;

        if (f->retired) {
            WN_LOG(WN_LOG_NOTICE, "winnowd",
                   "feed %s: retired (410 Gone): not fetched until its url "
                   "changes",
                   f->conf->name);
            continue;
        }
        if (hosts.count > 0 && !wn_daemon_feed_waits(f, now)
            && wn_url_host(wn_ingest_feed_url(f), &host) == 0)
        {
            host_waits = wn_strset_has(&hosts, host);
        }
        if (!force && wn_daemon_feed_waits(f, now)) {
            wn_time_format(f->next_fetch, until);
            WN_LOG(WN_LOG_NOTICE, "winnowd",
                   "feed %s: the server asked to wait (429/503 Retry-After) "
                   "until %s: not fetched (once --force fetches it)",
                   f->conf->name, until);
            d->waiting++;
        } else if (host_waits) {
            WN_LOG(WN_LOG_NOTICE, "winnowd",
                   "feed %s: its host %s asked another feed to wait "
                   "(Retry-After, [fetch] retry_after_host): not fetched "
                   "(once --force fetches it)",
                   f->conf->name, host);
            d->waiting++;
        } else {
            wn_ingest_feed(d->ingest, f);
        }
        free(host);
        host = NULL;
    }
    wn_strset_free(&hosts);
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
    wn_progress_start(&d.loop, STDERR_FILENO, 1, d.nfeeds, wn_daemon_progress,
                      &d, &d.progress);
    wn_daemon_once_feeds(&d, o->force);
    if (wn_ingest_idle(d.ingest)) {
        uv_timer_start(&d.finish_timer, wn_daemon_finish, 0, 0);
    }
    uv_run(&d.loop, UV_RUN_DEFAULT);
    /* Searchable when `once` returns (the index follows on a thread of its
     * own; thread-safe while the writer may still hold the store). */
    if (wn_store_search_sync(d.store, &err) != 0) {
        WN_LOG(WN_LOG_WARNING, "winnowd", "%s", err.msg);
    }
    wn_daemon_summary(&d, stderr);
    wn_ingest_stats(d.ingest, &st);
    /* Non-zero only when nothing at all could be done. */
    status = (st.feeds_ok + st.feeds_not_modified + st.articles_stored == 0
              && (d.nfeeds > d.waiting || st.articles_failed > 0))
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
    struct wn_daemon_feed *df = wn_container_of(feed, struct wn_daemon_feed, f);

    if (d->stopping || df->removed) {
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
        struct wn_ingest_feed *f = &d->feeds[i]->f;
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
    struct wn_err aerr;
    int64_t now = wn_time_now();
    int status = wn_daemon_open(&d, o);

    if (status != WN_EXIT_OK) {
        wn_daemon_release(&d);
        return status;
    }
    d.loop.data = &d;
    wn_err_clear(&aerr);
    if (wn_admin_start(&d.loop, d.conf, wn_daemon_live, &d, &d.admin, &aerr)
        != 0) {
        WN_LOG(WN_LOG_ERR, "winnowd", "%s", aerr.msg);
        wn_daemon_begin_stop(&d, "the admin endpoint cannot start");
        uv_run(&d.loop, UV_RUN_DEFAULT);
        wn_daemon_release(&d);
        return aerr.code == WN_ECONFIG ? WN_EXIT_CONFIG : WN_EXIT_FAILURE;
    }
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
        struct wn_ingest_feed *f = &d.feeds[i]->f;
        int64_t wait = f->next_fetch > now ? f->next_fetch - now : 0;
        uint64_t ms = (uint64_t) wait * 1000u;

        if (f->retired) {
            continue;
        }
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
    {
        struct wn_retain_opts ro;
        wn_daemon_retain_opts(d.conf, &ro);
        if (wn_retain_init(&d.loop, d.writer, &ro, &d.retain) != 0) {
            WN_LOG(WN_LOG_ERR, "store",
                   "retention timer: out of memory; articles expire only "
                   "when the daemon starts");
        }
    }
    WN_LOG(WN_LOG_NOTICE, "winnowd",
           "running: %zu feeds, %zu plugins, store %s", d.nfeeds,
           d.plugins != NULL ? d.plugins->n : 0, d.conf->store_path);
    d.store_progress = d.watchdog_last = uv_now(&d.loop);
    wn_notify_sendf(&d.notify, "READY=1\nSTATUS=running: %zu feeds", d.nfeeds);
    if (d.notify.watchdog_usec > 0) {
        WN_LOG(WN_LOG_INFO, "winnowd", "watchdog: every %llu ms",
               (unsigned long long) d.notify.watchdog_usec / 2000u);
        wn_notify_send(&d.notify, "WATCHDOG=1");
    }
    /* No service manager, no timer: an idle daemon makes no wake-ups. */
    if (d.notify.fd >= 0) {
        wn_daemon_status_tick(&d.status_timer);
    }
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

/* Prints obj as one compact line and frees it; -1 on failure. */
static int
wn_daemon_json_print(json_t *obj)
{
    char *line = json_dumps(obj, JSON_COMPACT);

    json_decref(obj);
    if (line == NULL) {
        return -1;
    }
    puts(line);
    free(line);
    return ferror(stdout) ? -1 : 0;
}

static int
wn_daemon_export_row(const struct wn_store_row *r, void *arg)
{
    json_t *obj = json_object(), *plugins = json_array(), *tags;
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
    return wn_daemon_json_print(obj);
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

/* ---- feeds ---- */

static int
wn_daemon_feed_row(const struct wn_store_feed_row *r, void *arg)
{
    const struct wn_opts *o = arg;
    char last[WN_TIME_BUFSZ] = "never", ok[WN_TIME_BUFSZ] = "never";
    char next[WN_TIME_BUFSZ] = "-";
    int waits =
        r->retired == WN_TIME_NONE
        && wn_daemon_waits(r->error_class, r->next_fetch, wn_time_now());
    const char *state = r->retired != WN_TIME_NONE      ? "retired"
                        : r->last_fetch == WN_TIME_NONE ? "new"
                        : r->error_count > 0            ? "failing"
                                                        : "ok";

    if (r->last_fetch != WN_TIME_NONE) {
        wn_time_format(r->last_fetch, last);
    }
    if (r->last_ok != WN_TIME_NONE) {
        wn_time_format(r->last_ok, ok);
    }
    if (r->retired == WN_TIME_NONE && r->next_fetch > 0) {
        wn_time_format(r->next_fetch, next);
    }
    if (o->json) {
        json_t *obj = json_object();

        wn_daemon_json_str(obj, "name", r->name);
        wn_daemon_json_str(obj, "state", state);
        wn_daemon_json_str(obj, "url", r->url);
        wn_daemon_json_str(obj, "fetch_url", r->fetch_url);
        wn_daemon_json_str(obj, "title", r->title);
        wn_daemon_json_time(obj, "last_fetch", r->last_fetch);
        wn_daemon_json_time(obj, "last_ok", r->last_ok);
        json_object_set_new(obj, "last_status", json_integer(r->last_status));
        wn_daemon_json_str(obj, "last_error", r->last_error);
        wn_daemon_json_str(obj, "error_class", r->error_class);
        json_object_set_new(obj, "error_count", json_integer(r->error_count));
        wn_daemon_json_time(obj, "next_try",
                            r->retired == WN_TIME_NONE && r->next_fetch > 0
                                ? r->next_fetch
                                : WN_TIME_NONE);
        wn_daemon_json_time(obj, "retired", r->retired);
        json_object_set_new(obj, "waiting_retry_after", json_boolean(waits));
        json_object_set_new(obj, "interval", json_integer(r->interval));
        return wn_daemon_json_print(obj);
    }
    printf("%s  %s  errors %ld  last %s (status %ld)  ok %s  next %s\n",
           r->name, state, r->error_count, last, r->last_status, ok, next);
    if (r->fetch_url != NULL) {
        printf("  %s (moved from %s)\n", r->fetch_url, r->url);
    } else {
        printf("  %s\n", r->url);
    }
    if (r->last_error != NULL && r->error_count > 0) {
        printf("  %s: %s\n", r->error_class != NULL ? r->error_class : "error",
               r->last_error);
    }
    if (waits) {
        printf("  waiting for the server's Retry-After until %s (once skips "
               "it; once --force fetches it)\n",
               next);
    }
    return ferror(stdout) ? -1 : 0;
}

int
wn_cmd_feeds(const struct wn_opts *o)
{
    struct wn_conf *conf = wn_cmd_conf(o, 0);
    struct wn_store *store = NULL;
    struct wn_err err;
    int rc;

    if (conf == NULL) {
        return WN_EXIT_CONFIG;
    }
    wn_err_clear(&err);
    rc = wn_store_open(conf->store_path, WN_STORE_READONLY, &store, &err);
    if (rc == 0) {
        struct wn_opts copy = *o;
        rc = wn_store_feeds(store, wn_daemon_feed_row, &copy, &err);
    }
    if (rc != 0) {
        fprintf(stderr, "winnowd: feeds: %s\n", err.msg);
    }
    wn_store_close(store);
    wn_conf_free(conf);
    return rc == 0 ? WN_EXIT_OK : WN_EXIT_FAILURE;
}
