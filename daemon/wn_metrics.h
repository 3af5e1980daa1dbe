/*
 * wn_metrics.h: the daemon's metrics registry and its Prometheus text
 * rendering (exposition format 0.0.4).  Every metric family is declared
 * once in the table in wn_metrics.c; modules update a series with one call
 * (wn_metrics_add/observe/set) and never allocate or format anything.  It
 * knows nothing about HTTP: wn_admin.c serves what wn_metrics_render()
 * writes.
 *
 * Thread-safe: updates take one mutex, so plugins' threadpool threads and
 * the loop thread may both record.  The registry is process-wide, like the
 * log level: one daemon per process.
 */
#ifndef WN_METRICS_H
#define WN_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "wn_buf.h"

#define WN_METRICS_MAX_SERIES 256 /* label combinations per family */
#define WN_METRICS_MAX_LABEL  128 /* bytes of one label value, kept */

/* The families; wn_metrics.c gives each its name, type, help and labels. */
enum wn_metric {
    WN_M_FETCHES = 0,      /* counter {result} */
    WN_M_FETCH_BYTES,      /* counter */
    WN_M_FETCH_SECONDS,    /* histogram: whole transfers */
    WN_M_FEEDS,            /* gauge: configured feeds */
    WN_M_FEEDS_BROKEN,     /* gauge: feeds whose last fetch failed */
    WN_M_ITEMS,            /* counter {state}: seen, new */
    WN_M_ARTICLES,         /* counter {result}: stored, failed */
    WN_M_STORE_ARTICLES,   /* gauge: articles in the store */
    WN_M_STORE_ITEMS,      /* gauge: items in the store */
    WN_M_STORE_BYTES,      /* gauge: database size */
    WN_M_STORE_BATCHES,    /* counter {result}: ok, failed */
    WN_M_PLUGIN_SECONDS,   /* counter {plugin}: time spent cleaning */
    WN_M_PLUGIN_CALLS,     /* counter {plugin,result} */
    WN_M_QUEUE,            /* gauge {queue} */
    WN_M_SINK_RECORDS,     /* counter {sink} */
    WN_M_SINK_ERRORS,      /* counter {sink} */
    WN_M_LOOP_LAG,         /* gauge: last measured event loop lag */
    WN_M_UP_SECONDS,       /* gauge: since the daemon started */
    WN_M_COUNT
};

/* Adds v (>= 0) to a counter, or to a gauge. */
void wn_metrics_add(enum wn_metric m, const char *l1, const char *l2, double v);

/* Sets a gauge (or a counter read from a module's own stats). */
void wn_metrics_set(enum wn_metric m, const char *l1, const char *l2, double v);

/* Records one observation into a histogram. */
void wn_metrics_observe(enum wn_metric m, const char *l1, const char *l2,
                        double v);

/*
 * Reads a series: a counter's or gauge's value, or a histogram's sum and
 * count.  Returns 0, or WN_EINVAL when the series does not exist yet.
 */
int wn_metrics_get(enum wn_metric m, const char *l1, const char *l2,
                   double *value, uint64_t *count);

/*
 * Appends every family in the Prometheus text format to `out`.  Returns 0,
 * WN_ETOOBIG or WN_ENOMEM (out's cap).
 */
int wn_metrics_render(struct wn_buf *out);

/* Forgets every series (tests, and a daemon that starts again). */
void wn_metrics_reset(void);

#endif /* WN_METRICS_H */
