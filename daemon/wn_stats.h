/*
 * wn_stats.h: copies the modules' own counters (fetcher, ingest, writer,
 * plugins, feeds) into the metrics registry just before it is read, so the
 * hot paths count in their own structs and nothing is counted twice.
 *
 * Loop thread only.
 */
#ifndef WN_STATS_H
#define WN_STATS_H

#include <stddef.h>
#include <stdint.h>

struct wn_fetcher;
struct wn_ingest;
struct wn_ingest_feed;
struct wn_plugins;
struct wn_sinks;
struct wn_writer;

/* What there is to read; any pointer may be NULL. */
struct wn_stats_src {
    const struct wn_fetcher *fetcher;
    const struct wn_ingest *ingest;
    struct wn_writer *writer; /* non-const: its stats are read under its lock */
    const struct wn_plugins *plugins;
    const struct wn_sinks *sinks;
    /* The i-th configured feed, for i < nfeeds. */
    const struct wn_ingest_feed *(*feed)(void *arg, size_t i);
    void *feed_arg;
    size_t nfeeds;
    uint64_t started; /* uv_hrtime() at start */
};

void wn_stats_collect(const struct wn_stats_src *src);

#endif /* WN_STATS_H */
