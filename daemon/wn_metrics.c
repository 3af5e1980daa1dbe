/*
 * wn_metrics.c: the metric families, their series and the Prometheus text
 * format.  Series are found by their label values in a short list per
 * family (a handful of plugins or results each); the registry never holds
 * more than WN_METRICS_MAX_SERIES per family, so hostile label values
 * cannot grow it without bound.  It does not decide what is measured.
 */
#include "wn_metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "wn_err.h"

enum wn_metric_type { WN_MT_COUNTER, WN_MT_GAUGE, WN_MT_HISTOGRAM };

#define WN_METRICS_NBUCKETS 12

/* Seconds: from a cached page (a few ms) to a transfer at its time limit. */
static const double wn_metrics_buckets[WN_METRICS_NBUCKETS] = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
};

struct wn_metric_def {
    const char *name;
    int type;
    const char *label1, *label2; /* NULL when the family has fewer */
    const char *help;
};

static const struct wn_metric_def wn_metrics_defs[WN_M_COUNT] = {
    [WN_M_FETCHES] = { "winnow_fetches_total", WN_MT_COUNTER, "result", NULL,
                       "Finished HTTP and file fetches, by result." },
    [WN_M_FETCH_BYTES] = { "winnow_fetch_bytes_total", WN_MT_COUNTER, NULL,
                           NULL, "Body bytes received, after decompression." },
    [WN_M_FETCH_SECONDS] = { "winnow_fetch_duration_seconds", WN_MT_HISTOGRAM,
                             NULL, NULL,
                             "Time from the start of a fetch to its end." },
    [WN_M_FEEDS] = { "winnow_feeds", WN_MT_GAUGE, NULL, NULL,
                     "Configured feeds." },
    [WN_M_FEEDS_BROKEN] = { "winnow_feeds_broken", WN_MT_GAUGE, NULL, NULL,
                            "Feeds whose last fetch failed." },
    [WN_M_ITEMS] = { "winnow_items_total", WN_MT_COUNTER, "state", NULL,
                     "Feed items read (seen) and recorded for the first "
                     "time (new)." },
    [WN_M_ARTICLES] = { "winnow_articles_total", WN_MT_COUNTER, "result", NULL,
                        "Articles stored, and articles that failed." },
    [WN_M_STORE_ARTICLES] = { "winnow_store_articles", WN_MT_GAUGE, NULL, NULL,
                              "Articles in the store." },
    [WN_M_STORE_ITEMS] = { "winnow_store_items", WN_MT_GAUGE, NULL, NULL,
                           "Feed items in the store." },
    [WN_M_STORE_BYTES] = { "winnow_store_size_bytes", WN_MT_GAUGE, NULL, NULL,
                           "Size of the database." },
    [WN_M_STORE_BATCHES] = { "winnow_store_transactions_total", WN_MT_COUNTER,
                             "result", NULL,
                             "Write transactions, by outcome." },
    [WN_M_PLUGIN_SECONDS] = { "winnow_plugin_clean_seconds_total",
                              WN_MT_COUNTER, "plugin", NULL,
                              "Time spent in each plugin's clean call." },
    [WN_M_PLUGIN_CALLS] = { "winnow_plugin_calls_total", WN_MT_COUNTER,
                            "plugin", "result",
                            "Clean calls by plugin and outcome." },
    [WN_M_QUEUE] = { "winnow_queue_depth", WN_MT_GAUGE, "queue", NULL,
                     "Work waiting or in flight, by queue." },
    [WN_M_SINK_RECORDS] = { "winnow_sink_records_total", WN_MT_COUNTER, "sink",
                            NULL, "Articles delivered by each sink." },
    [WN_M_SINK_ERRORS] = { "winnow_sink_errors_total", WN_MT_COUNTER, "sink",
                           NULL, "Failed deliveries (each retry counts)." },
    [WN_M_LOOP_LAG] = { "winnow_loop_lag_seconds", WN_MT_GAUGE, NULL, NULL,
                        "How late the event loop ran its last check timer." },
    [WN_M_UP_SECONDS] = { "winnow_uptime_seconds", WN_MT_GAUGE, NULL, NULL,
                          "Seconds since the daemon started." },
};

struct wn_series {
    char l1[WN_METRICS_MAX_LABEL], l2[WN_METRICS_MAX_LABEL];
    double value; /* counter, gauge; the sum for a histogram */
    uint64_t count;
    uint64_t buckets[WN_METRICS_NBUCKETS]; /* not cumulative */
    struct wn_series *next;
};

struct wn_family {
    struct wn_series *head, *tail;
    size_t n;
};

static uv_once_t wn_metrics_once = UV_ONCE_INIT;
static uv_mutex_t wn_metrics_mu;
static struct wn_family wn_metrics_fam[WN_M_COUNT];

static void
wn_metrics_init(void)
{
    if (uv_mutex_init(&wn_metrics_mu) != 0) {
        abort(); /* only without resources at start-up */
    }
}

static void
wn_metrics_copy_label(char *dst, const char *src)
{
    snprintf(dst, WN_METRICS_MAX_LABEL, "%s", src != NULL ? src : "");
}

/* The series for (l1, l2), created when missing; NULL when full.  Locked. */
static struct wn_series *
wn_metrics_series(enum wn_metric m, const char *l1, const char *l2, int create)
{
    struct wn_family *f = &wn_metrics_fam[m];
    struct wn_series *s;
    char k1[WN_METRICS_MAX_LABEL], k2[WN_METRICS_MAX_LABEL];

    wn_metrics_copy_label(k1, wn_metrics_defs[m].label1 ? l1 : NULL);
    wn_metrics_copy_label(k2, wn_metrics_defs[m].label2 ? l2 : NULL);
    for (s = f->head; s != NULL; s = s->next) {
        if (strcmp(s->l1, k1) == 0 && strcmp(s->l2, k2) == 0) {
            return s;
        }
    }
    if (!create || f->n >= WN_METRICS_MAX_SERIES) {
        return NULL;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return NULL;
    }
    memcpy(s->l1, k1, sizeof(k1));
    memcpy(s->l2, k2, sizeof(k2));
    if (f->tail != NULL) {
        f->tail->next = s;
    } else {
        f->head = s;
    }
    f->tail = s;
    f->n++;
    return s;
}

static void
wn_metrics_update(enum wn_metric m, const char *l1, const char *l2, double v,
                  int how)
{
    struct wn_series *s;

    if ((unsigned) m >= WN_M_COUNT || isnan(v)) {
        return;
    }
    uv_once(&wn_metrics_once, wn_metrics_init);
    uv_mutex_lock(&wn_metrics_mu);
    s = wn_metrics_series(m, l1, l2, 1);
    if (s != NULL) {
        if (how == 's') {
            s->value = v;
        } else if (how == 'a') {
            s->value += v;
        } else {
            size_t i = 0;
            while (i < WN_METRICS_NBUCKETS && v > wn_metrics_buckets[i]) {
                i++;
            }
            if (i < WN_METRICS_NBUCKETS) {
                s->buckets[i]++;
            }
            s->value += v;
            s->count++;
        }
    }
    uv_mutex_unlock(&wn_metrics_mu);
}

void
wn_metrics_add(enum wn_metric m, const char *l1, const char *l2, double v)
{
    wn_metrics_update(m, l1, l2, v, 'a');
}

void
wn_metrics_set(enum wn_metric m, const char *l1, const char *l2, double v)
{
    wn_metrics_update(m, l1, l2, v, 's');
}

void
wn_metrics_observe(enum wn_metric m, const char *l1, const char *l2, double v)
{
    if ((unsigned) m < WN_M_COUNT
        && wn_metrics_defs[m].type == WN_MT_HISTOGRAM)
    {
        wn_metrics_update(m, l1, l2, v, 'o');
    }
}

int
wn_metrics_get(enum wn_metric m, const char *l1, const char *l2,
               double *value, uint64_t *count)
{
    struct wn_series *s;
    int rc = WN_EINVAL;

    if ((unsigned) m >= WN_M_COUNT) {
        return WN_EINVAL;
    }
    uv_once(&wn_metrics_once, wn_metrics_init);
    uv_mutex_lock(&wn_metrics_mu);
    s = wn_metrics_series(m, l1, l2, 0);
    if (s != NULL) {
        *value = s->value;
        if (count != NULL) {
            *count = s->count;
        }
        rc = 0;
    }
    uv_mutex_unlock(&wn_metrics_mu);
    return rc;
}

/* ---- the text format ---- */

/* A label value with \, " and newline escaped, as the format requires. */
static int
wn_metrics_put_label(struct wn_buf *out, const char *name, const char *v)
{
    int rc = wn_buf_printf(out, "%s=\"", name);

    for (; rc == 0 && *v != '\0'; v++) {
        if (*v == '\\' || *v == '"') {
            rc = wn_buf_putc(out, '\\');
            if (rc == 0) {
                rc = wn_buf_putc(out, *v);
            }
        } else if (*v == '\n') {
            rc = wn_buf_puts(out, "\\n");
        } else {
            rc = wn_buf_putc(out, *v);
        }
    }
    return rc == 0 ? wn_buf_putc(out, '"') : rc;
}

/* Integral values print without an exponent; others with full precision. */
static int
wn_metrics_put_value(struct wn_buf *out, double v)
{
    if (isinf(v)) {
        return wn_buf_puts(out, v > 0 ? "+Inf" : "-Inf");
    }
    if (v == floor(v) && fabs(v) < 9007199254740992.0) {
        return wn_buf_printf(out, "%.0f", v);
    }
    return wn_buf_printf(out, "%.17g", v);
}

/* name{labels[,le="x"]} value\n */
static int
wn_metrics_put_sample(struct wn_buf *out, const struct wn_metric_def *d,
                      const char *suffix, const struct wn_series *s,
                      const char *le, double v)
{
    int rc = wn_buf_printf(out, "%s%s", d->name, suffix);
    int any = d->label1 != NULL || le != NULL;

    if (rc == 0 && any) {
        rc = wn_buf_putc(out, '{');
        if (rc == 0 && d->label1 != NULL) {
            rc = wn_metrics_put_label(out, d->label1, s->l1);
        }
        if (rc == 0 && d->label2 != NULL) {
            rc = wn_buf_putc(out, ',');
            if (rc == 0) {
                rc = wn_metrics_put_label(out, d->label2, s->l2);
            }
        }
        if (rc == 0 && le != NULL) {
            if (d->label1 != NULL) {
                rc = wn_buf_putc(out, ',');
            }
            if (rc == 0) {
                rc = wn_metrics_put_label(out, "le", le);
            }
        }
        if (rc == 0) {
            rc = wn_buf_putc(out, '}');
        }
    }
    if (rc == 0) {
        rc = wn_buf_putc(out, ' ');
    }
    if (rc == 0) {
        rc = wn_metrics_put_value(out, v);
    }
    return rc == 0 ? wn_buf_putc(out, '\n') : rc;
}

static int
wn_metrics_put_histogram(struct wn_buf *out, const struct wn_metric_def *d,
                         const struct wn_series *s)
{
    uint64_t cum = 0;
    char le[32];
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < WN_METRICS_NBUCKETS; i++) {
        cum += s->buckets[i];
        snprintf(le, sizeof(le), "%g", wn_metrics_buckets[i]);
        rc = wn_metrics_put_sample(out, d, "_bucket", s, le, (double) cum);
    }
    if (rc == 0) {
        rc = wn_metrics_put_sample(out, d, "_bucket", s, "+Inf",
                                   (double) s->count);
    }
    if (rc == 0) {
        rc = wn_metrics_put_sample(out, d, "_sum", s, NULL, s->value);
    }
    if (rc == 0) {
        rc = wn_metrics_put_sample(out, d, "_count", s, NULL,
                                   (double) s->count);
    }
    return rc;
}

int
wn_metrics_render(struct wn_buf *out)
{
    static const char *const types[] = { "counter", "gauge", "histogram" };
    int rc = 0;

    uv_once(&wn_metrics_once, wn_metrics_init);
    uv_mutex_lock(&wn_metrics_mu);
    for (size_t m = 0; rc == 0 && m < WN_M_COUNT; m++) {
        const struct wn_metric_def *d = &wn_metrics_defs[m];
        struct wn_series *s = wn_metrics_fam[m].head;

        if (s == NULL) {
            continue; /* a family with no series yet says nothing */
        }
        rc = wn_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", d->name,
                           d->help, d->name, types[d->type]);
        for (; rc == 0 && s != NULL; s = s->next) {
            rc = d->type == WN_MT_HISTOGRAM
                     ? wn_metrics_put_histogram(out, d, s)
                     : wn_metrics_put_sample(out, d, "", s, NULL, s->value);
        }
    }
    uv_mutex_unlock(&wn_metrics_mu);
    return rc;
}

void
wn_metrics_reset(void)
{
    uv_once(&wn_metrics_once, wn_metrics_init);
    uv_mutex_lock(&wn_metrics_mu);
    for (size_t m = 0; m < WN_M_COUNT; m++) {
        struct wn_series *s = wn_metrics_fam[m].head, *next;
        for (; s != NULL; s = next) {
            next = s->next;
            free(s);
        }
        memset(&wn_metrics_fam[m], 0, sizeof(wn_metrics_fam[m]));
    }
    uv_mutex_unlock(&wn_metrics_mu);
}
