/*
 * wn_stats.c: the modules' counters to metrics; see wn_stats.h.
 */
#include "wn_stats.h"

#include <uv.h>

#include "wn_fetch.h"
#include "wn_ingest.h"
#include "wn_metrics.h"
#include "wn_plugin.h"
#include "wn_sink.h"
#include "wn_writer.h"

static void
wn_stats_fetch(const struct wn_fetcher *f)
{
    struct wn_fetch_stats st;

    wn_fetch_stats(f, &st);
    wn_metrics_set(WN_M_FETCHES, "ok", NULL, (double) st.ok);
    wn_metrics_set(WN_M_FETCHES, "not_modified", NULL,
                   (double) st.not_modified);
    wn_metrics_set(WN_M_FETCHES, "http_error", NULL, (double) st.http_errors);
    wn_metrics_set(WN_M_FETCHES, "failed", NULL, (double) st.failed);
    wn_metrics_set(WN_M_FETCHES, "blocked", NULL, (double) st.blocked);
    wn_metrics_set(WN_M_FETCHES, "too_big", NULL, (double) st.too_big);
    wn_metrics_set(WN_M_FETCH_BYTES, NULL, NULL, (double) st.bytes);
    wn_metrics_set(WN_M_QUEUE, "fetch_active", NULL, (double) st.active);
    wn_metrics_set(WN_M_QUEUE, "fetch_waiting", NULL, (double) st.queued);
}

static void
wn_stats_ingest(const struct wn_ingest *in)
{
    struct wn_ingest_stats st;

    wn_ingest_stats(in, &st);
    wn_metrics_set(WN_M_ITEMS, "seen", NULL, (double) st.items_seen);
    wn_metrics_set(WN_M_ITEMS, "new", NULL, (double) st.items_new);
    wn_metrics_set(WN_M_ARTICLES, "stored", NULL, (double) st.articles_stored);
    wn_metrics_set(WN_M_ARTICLES, "failed", NULL, (double) st.articles_failed);
    wn_metrics_set(WN_M_QUEUE, "feeds_active", NULL, (double) st.feeds_busy);
    wn_metrics_set(WN_M_QUEUE, "feeds_waiting", NULL,
                   (double) st.feeds_waiting);
    wn_metrics_set(WN_M_QUEUE, "feeds_parked", NULL, (double) st.feeds_parked);
    wn_metrics_set(WN_M_QUEUE, "articles_active", NULL,
                   (double) st.articles_active);
    wn_metrics_set(WN_M_QUEUE, "articles_waiting", NULL,
                   (double) st.articles_queued);
}

static void
wn_stats_plugins(const struct wn_plugins *p)
{
    for (size_t i = 0; i < p->n; i++) {
        const struct wn_plugin_inst *pl = p->v[i];
        uint64_t calls = atomic_load(&pl->calls);
        uint64_t declined = atomic_load(&pl->declined);
        uint64_t failed = atomic_load(&pl->failures);
        const char *name = pl->desc.name;

        wn_metrics_set(WN_M_PLUGIN_SECONDS, name, NULL,
                       (double) atomic_load(&pl->nanoseconds) / 1e9);
        wn_metrics_set(WN_M_PLUGIN_CALLS, name, "ok",
                       (double) (calls - declined - failed));
        wn_metrics_set(WN_M_PLUGIN_CALLS, name, "declined", (double) declined);
        wn_metrics_set(WN_M_PLUGIN_CALLS, name, "failed", (double) failed);
    }
}

void
wn_stats_collect(const struct wn_stats_src *src)
{
    size_t broken = 0;

    if (src->fetcher != NULL) {
        wn_stats_fetch(src->fetcher);
    }
    if (src->ingest != NULL) {
        wn_stats_ingest(src->ingest);
    }
    if (src->writer != NULL) {
        struct wn_writer_stats ws;
        wn_writer_stats(src->writer, &ws);
        wn_metrics_set(WN_M_STORE_BATCHES, "ok", NULL,
                       (double) (ws.batches - ws.failed_batches));
        wn_metrics_set(WN_M_STORE_BATCHES, "failed", NULL,
                       (double) ws.failed_batches);
        wn_metrics_set(WN_M_QUEUE, "writes_waiting", NULL, (double) ws.queued);
    }
    if (src->plugins != NULL) {
        wn_stats_plugins(src->plugins);
    }
    if (src->sinks != NULL) {
        wn_metrics_set(WN_M_QUEUE, "sink_waiting", NULL,
                       (double) wn_sinks_queued(src->sinks));
    }
    for (size_t i = 0; i < src->nfeeds; i++) {
        broken += src->feed(src->feed_arg, i)->error_count > 0;
    }
    wn_metrics_set(WN_M_FEEDS, NULL, NULL, (double) src->nfeeds);
    wn_metrics_set(WN_M_FEEDS_BROKEN, NULL, NULL, (double) broken);
    wn_metrics_set(WN_M_UP_SECONDS, NULL, NULL,
                   (double) (uv_hrtime() - src->started) / 1e9);
}
