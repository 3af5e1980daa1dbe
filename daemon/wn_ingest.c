/*
 * wn_ingest.c: feeds to stored articles.  Each step that is CPU work
 * (parsing a feed, cleaning a page) runs on the libuv threadpool; each step
 * that touches the database goes through the writer; the loop thread only
 * moves jobs between them.  Article pages are bounded: at most
 * [fetch] max_articles are fetched or cleaned at once, and at most
 * WN_INGEST_STORING per [store] batch cleaned articles wait for the writer
 * (so that its transactions are full); the rest wait in a queue of small
 * records, so memory does not grow with the number of new items.
 */
#include "wn_ingest.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wn_conf.h"
#include "wn_err.h"
#include "wn_extract.h"
#include "wn_feed.h"
#include "wn_fetch.h"
#include "wn_html.h"
#include "wn_log.h"
#include "wn_page.h"
#include "wn_sched_policy.h"
#include "wn_sink.h"
#include "wn_spool.h"
#include "wn_store.h"
#include "wn_strset.h"
#include "wn_text.h"
#include "wn_time.h"
#include "wn_url.h"
#include "wn_writer.h"

/*
 * Feed content of at least this many words is taken to be the full text
 * (fetch_article = auto), unless it ends like a teaser.
 */
#define WN_INGEST_FULLTEXT_WORDS 150
/* A cleaned page with fewer words than this loses to longer feed content. */
#define WN_INGEST_MIN_WORDS 50
/* Feeds in flight (fetching, or queued at their host in the fetcher) per
 * [fetch] max_transfers: a few hosts that are slow or deferred hold up
 * only their own feeds, not the feeds of every other host. */
#define WN_INGEST_FEED_QUEUE 4
/* An article answered 429 without Retry-After defers its host this long. */
#define WN_INGEST_ARTICLE_DEFER 60
/* New feeds wait while more than this many article pages per
 * [fetch] max_articles are queued. */
#define WN_INGEST_BACKLOG 16
/* Fetched feeds whose parse waits for the article backlog are parked on
 * disk (wn_spool.h), so that fetching runs ahead of the processing, and a
 * slow server's feeds start early, without holding bodies in memory: at
 * most this many bytes of spool file and this many parked feeds (each
 * keeps a small record in memory).  Past either, feeds wait to start. */
#define WN_INGEST_SPOOL_MAX  (256u << 20)
#define WN_INGEST_PARKED_MAX 16384
/* A parked feed's record: five lengths, then the body, the content type,
 * the URL after redirects, the ETag and the Last-Modified; a string that
 * was NULL has the length WN_INGEST_NOSTR. */
#define WN_INGEST_PARK_FIELDS 5
#define WN_INGEST_NOSTR       UINT32_MAX
/* Cleaned articles waiting for the writer or in its transaction, per
 * [store] batch: two batches, one being written while the next fills. */
#define WN_INGEST_STORING 2
/* Articles from feed content cleaned in one threadpool job: one hand-off
 * for many short texts instead of one each. */
#define WN_INGEST_CLEAN_BATCH 32

struct wn_ingest {
    struct wn_ingest_opts o;
    struct wn_strset inflight; /* canonical URLs of queued or active articles */
    struct wn_article_job *qhead, *qtail;
    struct wn_ingest_feed *whead, *wtail; /* feeds waiting for room */
    struct wn_ingest_stats stats;
    uint64_t rand;       /* xorshift state, for jitter */
    size_t feeds_bodies; /* feeds fetched and not yet parsed: bodies held */
    size_t working;      /* article jobs fetching or cleaning */
    size_t storing;  /* article jobs queued at the writer or being written */
    size_t fetching; /* feeds at the fetcher */
    struct wn_ingest_parked *phead, *ptail; /* parked feeds, oldest first */
    struct wn_spool spool;
    int spool_state; /* 0 not opened yet, 1 open, -1 unusable */
    int draining;
};

/* A fetched feed waiting for the parser, its body in the spool. */
struct wn_ingest_parked {
    struct wn_ingest_feed *feed;
    struct wn_spool_ref ref;
    char *fetch_url; /* a permanent redirect's target, or NULL */
    long status, max_age, retry_after;
    struct wn_ingest_parked *next;
};

struct wn_feed_job {
    struct wn_ingest *in;
    struct wn_ingest_feed *feed;
    char *body;
    size_t len;
    char *content_type;
    char *url; /* after redirects: the base of relative links */
    long status;
    char *etag, *last_modified;
    char *fetch_url;  /* a permanent redirect's target, or NULL */
    long max_age;     /* s, from the response, or -1 */
    long retry_after; /* s, from the response, or -1 */
    long adaptive;    /* s, from the items' dates (threadpool), or 0 */
    int cls;          /* enum wn_fetch_class of a failure */
    int holds_body;   /* counted in feeds_bodies */
    int spooled;      /* the body (and url...) are still in the spool */
    struct wn_spool_ref spref;
    struct wn_feed_doc *doc;
    char **canon;            /* per item: canonical article URL or NULL */
    unsigned char *fulltext; /* per item: content holds the full text */
    unsigned char *want;     /* per item: article needed (set by the store) */
    size_t nnew;
    int rc;
    struct wn_err err;
    struct wn_store_fetch rec;
    size_t max_items; /* [schedule] max_items when the parse was queued */
    uv_work_t work;
    struct wn_write_op op;
};

struct wn_article_job {
    struct wn_ingest *in;
    struct wn_ingest_feed *feed; /* may be NULL */
    char *canon;                 /* the store's key */
    char *link;                  /* what to fetch, or NULL */
    char *title, *author, *summary, *content_html;
    int64_t published;
    int fetch;   /* fetch the page (else clean the feed's content) */
    int storing; /* counted in storing, else in working */
    struct wn_article_job *cnext; /* cleaned in the same threadpool job */
    char *body;
    size_t len;
    char *content_type;
    char *fetched_url;
    char *page; /* the raw page packed for keeping, or NULL */
    size_t page_len;
    struct wn_article *article;
    /* Taken on the loop thread when the cleaning is queued, so that a
     * reload swapping them does not race with the threadpool. */
    const struct wn_plugins *plugins;
    const char *feed_url;
    int rc;
    char *why; /* why the job failed, for the item's record; or NULL */
    uv_work_t work;
    struct wn_write_op op;
    struct wn_article_job *next;
};

static void wn_ingest_pump(struct wn_ingest *in);
static void wn_ingest_feed_pump(struct wn_ingest *in);
static void wn_ingest_feed_start(struct wn_ingest *in,
                                 struct wn_ingest_feed *feed);

static void wn_ingest_log(int level, const struct wn_ingest_feed *feed,
                          const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
wn_ingest_log(int level, const struct wn_ingest_feed *feed, const char *fmt,
              ...)
{
    char component[160];
    va_list ap;

    if (level > wn_log_level) {
        return;
    }
    snprintf(component, sizeof(component), "feed %s",
             feed != NULL ? feed->conf->name : "(pending)");
    va_start(ap, fmt);
    wn_log_vwrite(level, component, fmt, ap);
    va_end(ap);
}

static char *
wn_ingest_dup(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static void
wn_ingest_maybe_idle(struct wn_ingest *in)
{
    if (wn_ingest_idle(in) && in->o.idle_cb != NULL) {
        in->o.idle_cb(in->o.arg);
    }
}

static long
wn_ingest_interval(const struct wn_ingest *in,
                   const struct wn_ingest_feed *feed)
{
    long iv = feed->conf->interval > 0 ? feed->conf->interval
                                       : in->o.conf->interval / 1000;
    return iv > 0 ? iv : 1;
}

/* Uniform in [0, 1), for jitter (xorshift64*; not for secrets). */
static double
wn_ingest_random(struct wn_ingest *in)
{
    uint64_t x = in->rand;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    in->rand = x;
    return (double) ((x * 2685821657736338717u) >> 11) / 9007199254740992.0;
}

const char *
wn_ingest_feed_url(const struct wn_ingest_feed *feed)
{
    return feed->fetch_url != NULL ? feed->fetch_url : feed->conf->url;
}

/* A feed's schedule inputs that do not depend on one response. */
static void
wn_ingest_policy(const struct wn_ingest *in, const struct wn_ingest_feed *feed,
                 struct wn_sched_policy *p)
{
    const struct wn_conf *c = in->o.conf;
    const struct wn_conf_feed_fetch *ff = feed->conf->fetch;

    memset(p, 0, sizeof(*p));
    p->interval = wn_ingest_interval(in, feed);
    p->fixed = feed->conf->interval > 0 || !c->adaptive;
    p->min = ff != NULL && ff->min_interval > 0 ? ff->min_interval
                                                : c->min_interval / 1000;
    p->max = ff != NULL && ff->max_interval > 0 ? ff->max_interval
                                                : c->max_interval / 1000;
    p->max_age = -1;
    p->jitter_pct = c->jitter;
    p->skip_hours = feed->skip_hours;
    p->skip_days = feed->skip_days;
    p->now = wn_time_now();
}

/* The request options of a feed's own [feed:NAME] settings.  Headers,
 * cookies and credentials go only to the feed's own host. */
static void
wn_ingest_req_opts(const struct wn_ingest_feed *feed, const char *url,
                   struct wn_fetch_req_opts *ro)
{
    const struct wn_conf_feed_fetch *ff =
        feed != NULL ? feed->conf->fetch : NULL;
    char *a = NULL, *b = NULL;

    memset(ro, 0, sizeof(*ro));
    if (ff == NULL) {
        return;
    }
    ro->user_agent = ff->user_agent;
    ro->proxy = ff->proxy;
    ro->timeout = ff->timeout;
    if (url != wn_ingest_feed_url(feed)
        && (wn_url_host(url, &a) != 0
            || wn_url_host(wn_ingest_feed_url(feed), &b) != 0
            || strcmp(a, b) != 0))
    {
        free(a);
        free(b);
        return;
    }
    free(a);
    free(b);
    ro->headers = (const char *const *) ff->headers;
    ro->nheaders = ff->nheaders;
    ro->cookie = ff->cookie;
    ro->username = ff->username;
    ro->password = ff->password;
    ro->ca_file = ff->ca_file; /* the feed's server's private CA */
}

/* ---- feeds ---- */

static void
wn_feed_job_free(struct wn_feed_job *j)
{
    if (j->spooled) {
        wn_spool_release(&j->in->spool, &j->spref);
    }
    if (j->doc != NULL) {
        for (size_t i = 0; j->canon != NULL && i < j->doc->nitems; i++) {
            free(j->canon[i]);
        }
        wn_feed_free(j->doc);
    }
    free(j->canon);
    free(j->fulltext);
    free(j->want);
    free(j->body);
    free(j->content_type);
    free(j->url);
    free(j->etag);
    free(j->last_modified);
    free(j->fetch_url);
    free(j);
}

static void
wn_ingest_feed_finish(struct wn_feed_job *j, int ok)
{
    struct wn_ingest *in = j->in;
    struct wn_ingest_feed *feed = j->feed;

    if (ok) {
        feed->error_count = 0;
        free(feed->etag);
        free(feed->last_modified);
        feed->etag = j->etag;
        feed->last_modified = j->last_modified;
        j->etag = j->last_modified = NULL;
    } else {
        feed->error_count++;
        feed->retired = (unsigned char) j->rec.retired;
    }
    if (ok || j->rec.error_class != NULL) { /* not when canceled */
        feed->rate_limited = !ok && j->cls == WN_FETCH_RATE;
    }
    if (j->fetch_url != NULL) {
        free(feed->fetch_url);
        feed->fetch_url = j->fetch_url;
        j->fetch_url = NULL;
    }
    feed->next_fetch = j->rec.next_fetch;
    feed->busy = 0;
    in->stats.feeds_busy--;
    in->feeds_bodies -= j->holds_body != 0;
    wn_feed_job_free(j);
    if (in->o.feed_cb != NULL) {
        in->o.feed_cb(feed, ok, in->o.arg);
    }
    wn_ingest_feed_pump(in);
    wn_ingest_maybe_idle(in);
}

static int
wn_ingest_write_fetch(struct wn_store *s, struct wn_write_op *op,
                      struct wn_err *err)
{
    struct wn_feed_job *j = op->data;

    return wn_store_feed_fetched(s, &j->rec, err);
}

static void
wn_ingest_fail_done(struct wn_write_op *op)
{
    struct wn_feed_job *j = op->data;

    if (op->rc != 0) {
        wn_ingest_log(WN_LOG_ERR, j->feed, "cannot record the failure: %s",
                      op->err.msg);
    }
    wn_ingest_feed_finish(j, 0);
}

/* Logs why the pass failed and records it; the feed's validators stay. */
static void
wn_ingest_feed_fail(struct wn_feed_job *j, const char *url, const char *why)
{
    struct wn_ingest *in = j->in;
    int64_t now = wn_time_now();
    int gone = j->cls == WN_FETCH_GONE;
    long wait = wn_sched_policy_fail(
        wn_ingest_interval(in, j->feed), j->feed->error_count + 1,
        in->o.conf->backoff_max / 1000,
        j->cls == WN_FETCH_RATE ? j->retry_after : -1, wn_ingest_random(in));

    in->stats.feeds_failed++;
    if (WN_LOG_WARNING <= wn_log_level) {
        char q[WN_LOG_QUOTE_MAX + 1];
        const char *qurl = wn_log_quote(q, sizeof(q), url);
        if (gone) {
            wn_ingest_log(WN_LOG_WARNING, j->feed,
                          "%s: %s: the feed is retired (fetched again when "
                          "its url changes)",
                          qurl, why);
        } else {
            wn_ingest_log(
                WN_LOG_WARNING, j->feed, "%s: %s%s%s (retry in %ld s)", qurl,
                j->cls != WN_FETCH_OK ? wn_fetch_class_name(j->cls) : "",
                j->cls != WN_FETCH_OK ? ": " : "", why, wait);
        }
    }
    if (j->cls == WN_FETCH_RATE && j->retry_after > 0
        && in->o.conf->retry_after_host)
    {
        wn_fetch_defer_host(in->o.fetcher, url, j->retry_after);
    }
    if (why != j->err.msg) {
        snprintf(j->err.msg, sizeof(j->err.msg), "%s", why);
    }
    memset(&j->rec, 0, sizeof(j->rec));
    j->rec.feed_id = j->feed->store_id;
    j->rec.fetched_at = now;
    j->rec.next_fetch = now + wait;
    j->rec.status = j->status;
    j->rec.ok = 0;
    j->rec.error = j->err.msg;
    /* A pass fails after a good fetch only when the body is not a feed. */
    j->rec.error_class =
        j->cls != WN_FETCH_OK ? wn_fetch_class_name(j->cls) : "parse";
    j->rec.retired = gone;
    j->rec.fetch_url = j->fetch_url;
    j->op.fn = wn_ingest_write_fetch;
    j->op.done = wn_ingest_fail_done;
    j->op.data = j;
    j->op.first = 1;
    wn_writer_submit(in->o.writer, &j->op);
}

/* Does this feed content look like the whole article? (threadpool) */
static int
wn_ingest_is_fulltext(const char *html)
{
    static const char *const teaser_ends[] = {
        "...",
        "\xe2\x80\xa6",
        "[\xe2\x80\xa6]",
        "[...]",
        "read more",
        "continue reading",
        "read the full story",
        "read full article",
    };
    char tail[64];
    size_t n;

    if (wn_html_quick_words(html, strlen(html), tail, sizeof(tail))
        < WN_INGEST_FULLTEXT_WORDS)
    {
        return 0;
    }
    n = strlen(tail);
    for (size_t k = 0; k < sizeof(teaser_ends) / sizeof(teaser_ends[0]); k++) {
        size_t m = strlen(teaser_ends[k]);
        if (n >= m && memcmp(tail + n - m, teaser_ends[k], m) == 0) {
            return 0;
        }
    }
    return 1;
}

/* Reads a parked feed's record back into j (threadpool). */
static int
wn_ingest_unpark(struct wn_feed_job *j)
{
    char *rec = malloc(j->spref.len + 1);
    char **str[WN_INGEST_PARK_FIELDS - 1] = { &j->content_type, &j->url,
                                              &j->etag, &j->last_modified };
    uint32_t lens[WN_INGEST_PARK_FIELDS];
    size_t at = sizeof(lens), body;
    int rc;

    if (rec == NULL) {
        return wn_err_set(&j->err, WN_ENOMEM, "out of memory");
    }
    rc = wn_spool_get(&j->in->spool, &j->spref, rec);
    if (rc != 0) {
        free(rec);
        return wn_err_set(&j->err, rc, "reading the parked feed back: %s",
                          strerror(-rc));
    }
    if (j->spref.len < sizeof(lens)) {
        goto damaged;
    }
    memcpy(lens, rec, sizeof(lens));
    body = lens[0];
    if (body > j->spref.len - at) {
        goto damaged;
    }
    at += body;
    for (size_t i = 1; i < WN_INGEST_PARK_FIELDS; i++) {
        if (lens[i] == WN_INGEST_NOSTR) {
            continue;
        }
        if (lens[i] > j->spref.len - at) {
            goto damaged;
        }
        /* not strndup: the bytes are not NUL-terminated */
        if ((*str[i - 1] = malloc((size_t) lens[i] + 1)) == NULL) {
            free(rec);
            return wn_err_set(&j->err, WN_ENOMEM, "out of memory");
        }
        memcpy(*str[i - 1], rec + at, lens[i]);
        (*str[i - 1])[lens[i]] = '\0';
        at += lens[i];
    }
    memmove(rec, rec + sizeof(lens), body);
    rec[body] = '\0';
    j->body = rec;
    j->len = body;
    return 0;
damaged:
    free(rec);
    return wn_err_set(&j->err, -EIO, "the parked feed is damaged");
}

static void
wn_ingest_parse_work(uv_work_t *req)
{
    struct wn_feed_job *j = req->data;
    struct wn_feed_opts fo;
    size_t n;

    wn_err_clear(&j->err);
    if (j->spooled && (j->rc = wn_ingest_unpark(j)) != 0) {
        return;
    }
    memset(&fo, 0, sizeof(fo));
    fo.url = j->url;
    fo.content_type = j->content_type;
    fo.max_items = j->max_items;
    fo.zone_minutes = j->feed->conf->zone_minutes;
    fo.keep_future = j->feed->conf->keep_future;
    j->rc = wn_feed_parse(j->body, j->len, &fo, &j->doc, &j->err);
    free(j->body);
    j->body = NULL;
    if (j->rc != 0) {
        return;
    }
    n = j->doc->nitems;
    j->canon = calloc(n ? n : 1, sizeof(*j->canon));
    j->fulltext = calloc(n ? n : 1, 1);
    j->want = calloc(n ? n : 1, 1);
    if (j->canon == NULL || j->fulltext == NULL || j->want == NULL) {
        j->rc = wn_err_set(&j->err, WN_ENOMEM, "out of memory");
        return;
    }
    if (j->in->o.conf->adaptive && n > 0) {
        int64_t *times = malloc(n * sizeof(*times));
        if (times != NULL) {
            for (size_t i = 0; i < n; i++) {
                const struct wn_feed_item *it = &j->doc->items[i];
                times[i] =
                    it->published != WN_TIME_NONE ? it->published : it->updated;
            }
            j->adaptive = wn_sched_policy_rate(times, n, wn_time_now());
            free(times);
        }
    }
    for (size_t i = 0; i < n; i++) {
        const struct wn_feed_item *it = &j->doc->items[i];
        if (it->link != NULL && wn_url_canonical(it->link, &j->canon[i]) != 0) {
            j->canon[i] = NULL;
        }
        if (it->content_html != NULL) {
            j->fulltext[i] =
                (unsigned char) wn_ingest_is_fulltext(it->content_html);
        }
    }
}

static int
wn_ingest_write_items(struct wn_store *s, struct wn_write_op *op,
                      struct wn_err *err)
{
    struct wn_feed_job *j = op->data;
    int rc = wn_store_feed_fetched(s, &j->rec, err);

    j->nnew = 0;
    for (size_t i = 0; rc == 0 && j->doc != NULL && i < j->doc->nitems; i++) {
        int want = 0;
        rc = wn_store_item_put(s, j->feed->store_id, &j->doc->items[i],
                               j->canon[i], j->rec.fetched_at, &want, err);
        if (rc > 0) {
            j->nnew++;
            rc = 0;
        }
        j->want[i] = (unsigned char) want;
    }
    return rc;
}

static void wn_ingest_queue_item(struct wn_feed_job *j, size_t i);

static void
wn_ingest_items_done(struct wn_write_op *op)
{
    struct wn_feed_job *j = op->data;
    struct wn_ingest *in = j->in;

    if (op->rc != 0) {
        /* Nothing of this pass is stored, validators included, so the next
         * pass fetches and offers the items again. */
        in->stats.feeds_failed++;
        wn_ingest_log(WN_LOG_ERR, j->feed, "store: %s", op->err.msg);
        wn_ingest_feed_finish(j, 0);
        return;
    }
    if (j->doc == NULL) {
        in->stats.feeds_not_modified++;
        wn_ingest_log(WN_LOG_INFO, j->feed, "not modified");
    } else {
        in->stats.feeds_ok++;
        in->stats.items_seen += j->doc->nitems;
        in->stats.items_new += j->nnew;
        if (j->doc->flags & WN_FEED_RECOVERED) {
            wn_ingest_log(WN_LOG_WARNING, j->feed,
                          "%s: damaged feed, %zu items recovered, %zu new",
                          j->url, j->doc->nitems, j->nnew);
        } else {
            wn_ingest_log(WN_LOG_INFO, j->feed, "%zu items, %zu new",
                          j->doc->nitems, j->nnew);
        }
        for (size_t i = 0; i < j->doc->nitems; i++) {
            if (j->want[i]) {
                wn_ingest_queue_item(j, i);
            }
        }
        wn_ingest_pump(in);
    }
    wn_ingest_feed_finish(j, 1);
}

/* Records a successful pass: validators, metadata and the items. */
static void
wn_ingest_feed_store(struct wn_feed_job *j)
{
    struct wn_ingest *in = j->in;
    struct wn_ingest_feed *feed = j->feed;
    struct wn_sched_policy p;
    long base;

    wn_ingest_policy(in, feed, &p);
    if (j->doc != NULL) {
        feed->skip_hours = p.skip_hours = j->doc->skip_hours;
        feed->skip_days = (unsigned char) (p.skip_days = j->doc->skip_days);
        p.adaptive = j->adaptive;
        p.ttl = j->doc->ttl;
        p.period = j->doc->update_period;
        feed->interval = wn_sched_policy_base(&p);
    } else if (feed->interval == 0) {
        feed->interval = wn_sched_policy_base(&p);
    } else {
        /* 304: the hints of the last document (kept in the store across
         * restarts) still hold, within today's bounds. */
        p.interval = feed->interval;
        p.fixed = 1;
        feed->interval = wn_sched_policy_base(&p);
    }
    /* Freshness is per response: it raises this wait only. */
    base = feed->interval;
    if (j->max_age > base) {
        p.max_age = j->max_age;
        p.interval = base;
        p.fixed = 1;
        base = wn_sched_policy_base(&p);
    }
    memset(&j->rec, 0, sizeof(j->rec));
    j->rec.feed_id = feed->store_id;
    j->rec.fetched_at = p.now;
    j->rec.next_fetch =
        p.now + wn_sched_policy_next(&p, base, wn_ingest_random(in));
    j->rec.interval = base;
    j->rec.skip_hours = feed->skip_hours;
    j->rec.skip_days = feed->skip_days;
    j->rec.fetch_url = j->fetch_url;
    j->rec.status = j->status;
    j->rec.ok = 1;
    j->rec.etag = j->etag;
    j->rec.last_modified = j->last_modified;
    if (j->doc != NULL) {
        j->rec.title = j->doc->title;
        j->rec.link = j->doc->link;
        j->rec.format = wn_feed_format_name(j->doc->format);
    }
    j->op.fn = wn_ingest_write_items;
    j->op.done = wn_ingest_items_done;
    j->op.data = j;
    /* the feed (and the fetches behind it) waits for this write, its
     * articles do not: it goes ahead of them */
    j->op.first = 1;
    wn_writer_submit(in->o.writer, &j->op);
}

static void
wn_ingest_parse_after(uv_work_t *req, int status)
{
    struct wn_feed_job *j = req->data;

    (void) status;
    if (j->spooled) {
        j->spooled = 0;
        wn_spool_release(&j->in->spool, &j->spref);
    }
    /* The body is gone (freed by the parse): room for another feed. */
    if (j->holds_body) {
        j->holds_body = 0;
        j->in->feeds_bodies--;
        wn_ingest_feed_pump(j->in);
    }
    if (j->rc != 0) {
        wn_ingest_feed_fail(j, j->url ? j->url : wn_ingest_feed_url(j->feed),
                            j->err.msg[0] ? j->err.msg : wn_strerror(j->rc));
        return;
    }
    wn_ingest_feed_store(j);
}

/* Queues the parse of a fetched feed (its body in memory or parked). */
static void
wn_ingest_parse(struct wn_feed_job *j)
{
    struct wn_ingest *in = j->in;

    j->work.data = j;
    j->max_items = (size_t) in->o.conf->max_items;
    if (uv_queue_work(in->o.loop, &j->work, wn_ingest_parse_work,
                      wn_ingest_parse_after)
        != 0)
    {
        wn_ingest_feed_fail(j, wn_ingest_feed_url(j->feed),
                            "cannot queue the parse");
    }
}

/* Room to parse another feed: few feeds between the parser and the end of
 * their items' write (each holds its parsed document), and the articles
 * of the feeds before it mostly on their way. */
static int
wn_ingest_parse_room(const struct wn_ingest *in)
{
    size_t past_fetch =
        in->stats.feeds_busy - in->stats.feeds_parked - in->fetching;

    return past_fetch < (size_t) in->o.conf->max_transfers
           && in->stats.articles_queued
                  <= (size_t) in->o.conf->max_articles * WN_INGEST_BACKLOG;
}

/* The spool cannot be made or written: said once, and from then on feeds
 * wait to start while articles are queued, as without a spool. */
static void
wn_ingest_spool_unusable(struct wn_ingest *in, const char *why)
{
    in->spool_state = -1;
    WN_LOG(WN_LOG_WARNING, "ingest",
           "cannot park fetched feeds on disk (%s): feeds wait to start "
           "while articles are queued",
           why);
}

/* Room to park another fetched feed (the spool opens on first use). */
static int
wn_ingest_park_room(struct wn_ingest *in)
{
    struct wn_err err;

    if (in->spool_state == 0) {
        wn_err_clear(&err);
        if (wn_spool_open(&in->spool, NULL, &err) == 0) {
            in->spool_state = 1;
        } else {
            wn_ingest_spool_unusable(in, err.msg);
        }
    }
    return in->spool_state > 0 && in->stats.feeds_parked < WN_INGEST_PARKED_MAX
           && wn_spool_size(&in->spool) < WN_INGEST_SPOOL_MAX;
}

/* Moves a fetched feed's body and strings to the spool and frees the job,
 * keeping a small record.  Returns 0, or -1 with j untouched.  The write
 * is on the loop thread: it lands in the page cache, as small as the feed,
 * and the body can go at once instead of waiting for a threadpool job. */
static int
wn_ingest_park(struct wn_feed_job *j)
{
    struct wn_ingest *in = j->in;
    const char *str[WN_INGEST_PARK_FIELDS - 1] = { j->content_type, j->url,
                                                   j->etag, j->last_modified };
    uint32_t lens[WN_INGEST_PARK_FIELDS];
    struct iovec iov[WN_INGEST_PARK_FIELDS + 1];
    struct wn_ingest_parked *p;
    int rc;

    if (!wn_ingest_park_room(in) || j->len >= WN_INGEST_NOSTR
        || (p = calloc(1, sizeof(*p))) == NULL)
    {
        return -1;
    }
    lens[0] = (uint32_t) j->len;
    iov[0].iov_base = lens;
    iov[0].iov_len = sizeof(lens);
    iov[1].iov_base = j->body;
    iov[1].iov_len = j->len;
    for (size_t i = 1; i < WN_INGEST_PARK_FIELDS; i++) {
        size_t n = str[i - 1] != NULL ? strlen(str[i - 1]) : 0;
        lens[i] = str[i - 1] != NULL ? (uint32_t) n : WN_INGEST_NOSTR;
        iov[i + 1].iov_base = (void *) (uintptr_t) str[i - 1];
        iov[i + 1].iov_len = n;
    }
    rc = wn_spool_put(&in->spool, iov, WN_INGEST_PARK_FIELDS + 1, &p->ref);
    if (rc != 0) {
        /* Full or failing disk: this feed is parsed now. */
        wn_ingest_spool_unusable(in, strerror(-rc));
        free(p);
        return -1;
    }
    p->feed = j->feed;
    p->fetch_url = j->fetch_url;
    j->fetch_url = NULL;
    p->status = j->status;
    p->max_age = j->max_age;
    p->retry_after = j->retry_after;
    if (in->ptail != NULL) {
        in->ptail->next = p;
    } else {
        in->phead = p;
    }
    in->ptail = p;
    in->stats.feeds_parked++;
    in->feeds_bodies--;
    wn_ingest_log(WN_LOG_DEBUG, j->feed,
                  "parked for the parser (%zu feeds, %llu bytes on disk)",
                  in->stats.feeds_parked,
                  (unsigned long long) wn_spool_size(&in->spool));
    wn_feed_job_free(j);
    return 0;
}

/* Takes the oldest parked feed off the list. */
static struct wn_ingest_parked *
wn_ingest_unpark_next(struct wn_ingest *in)
{
    struct wn_ingest_parked *p = in->phead;

    in->phead = p->next;
    if (in->phead == NULL) {
        in->ptail = NULL;
    }
    in->stats.feeds_parked--;
    return p;
}

/* Ends a parked feed's pass without parsing it, as a canceled fetch ends:
 * nothing is recorded, so the next pass fetches the feed again. */
static void
wn_ingest_parked_drop(struct wn_ingest *in, struct wn_ingest_parked *p)
{
    struct wn_ingest_feed *feed = p->feed;

    in->stats.feeds_busy--;
    feed->busy = 0;
    wn_spool_release(&in->spool, &p->ref);
    free(p->fetch_url);
    free(p);
    if (in->o.feed_cb != NULL) {
        in->o.feed_cb(feed, 0, in->o.arg);
    }
}

/* Parses parked feeds, oldest first, while the backlog has room. */
static void
wn_ingest_parse_pump(struct wn_ingest *in)
{
    while (in->phead != NULL && wn_ingest_parse_room(in)) {
        struct wn_ingest_parked *p = wn_ingest_unpark_next(in);
        struct wn_feed_job *j = calloc(1, sizeof(*j));

        if (j == NULL) {
            in->stats.feeds_failed++;
            wn_ingest_log(WN_LOG_ERR, p->feed,
                          "out of memory parsing a parked feed (fetched "
                          "again next pass)");
            wn_ingest_parked_drop(in, p);
            wn_ingest_maybe_idle(in);
            continue;
        }
        j->in = in;
        j->feed = p->feed;
        j->status = p->status;
        j->max_age = p->max_age;
        j->retry_after = p->retry_after;
        j->fetch_url = p->fetch_url;
        j->spooled = 1;
        j->spref = p->ref;
        free(p);
        wn_ingest_parse(j);
    }
}

static void
wn_ingest_feed_fetched(struct wn_fetch_result *res, void *arg)
{
    struct wn_feed_job *j = arg;
    struct wn_ingest *in = j->in;

    in->fetching--;
    j->status = res->status;
    j->cls = res->cls;
    j->max_age = res->max_age;
    j->retry_after = res->retry_after;
    if (res->permanent_url != NULL
        && strcmp(res->permanent_url, wn_ingest_feed_url(j->feed)) != 0)
    {
        j->fetch_url = strdup(res->permanent_url);
        wn_ingest_log(WN_LOG_NOTICE, j->feed, "moved permanently to %s",
                      res->permanent_url);
    }
    if (res->rc == WN_ECANCELED) {
        /* Stopping: nothing happened to the feed worth recording. */
        j->rec.next_fetch = j->feed->next_fetch;
        wn_ingest_feed_finish(j, 0);
        return;
    }
    if (res->rc != 0) {
        wn_ingest_feed_fail(j, res->url, res->error);
        return;
    }
    if (res->not_modified) {
        /* 304: keep the validators we sent; no parsing at all. */
        j->etag = wn_ingest_dup(j->feed->etag);
        j->last_modified = wn_ingest_dup(j->feed->last_modified);
        wn_ingest_feed_store(j);
        return;
    }
    j->len = res->body.len;
    j->body = wn_buf_steal(&res->body);
    j->holds_body = 1;
    in->feeds_bodies++;
    j->content_type = wn_ingest_dup(res->content_type);
    j->url = wn_ingest_dup(res->effective_url);
    j->etag = wn_ingest_dup(res->etag);
    j->last_modified = wn_ingest_dup(res->last_modified);
    if (j->body == NULL || j->url == NULL) {
        wn_ingest_feed_fail(j, res->url, "out of memory");
        return;
    }
    /* Behind a full backlog, or behind feeds already parked: park it;
     * but not when stopping, which finishes what was fetched. */
    if (!in->draining && (in->phead != NULL || !wn_ingest_parse_room(in))
        && wn_ingest_park(j) == 0)
    {
        wn_ingest_feed_pump(in);
        return;
    }
    wn_ingest_parse(j);
}

/* Room for another feed: few enough at the fetcher (most of them may wait
 * at their host, but at most max_transfers hold a body in memory on its
 * way to the parser), and a short article backlog, or room to park the
 * feed behind it. */
static int
wn_ingest_feed_room(struct wn_ingest *in)
{
    const struct wn_conf *c = in->o.conf;

    return !in->draining && !wn_sinks_full(in->o.sinks)
           && in->fetching < (size_t) c->max_transfers * WN_INGEST_FEED_QUEUE
           && in->feeds_bodies < (size_t) c->max_transfers
           && (wn_ingest_parse_room(in) || wn_ingest_park_room(in));
}

static void
wn_ingest_feed_start(struct wn_ingest *in, struct wn_ingest_feed *feed)
{
    struct wn_feed_job *j = calloc(1, sizeof(*j));
    struct wn_fetch_req_opts ro;
    struct wn_err err;

    in->stats.feeds_busy++;
    if (j == NULL) {
        /* Nothing to record it with: count and report the pass as failed. */
        in->stats.feeds_busy--;
        in->stats.feeds_failed++;
        feed->busy = 0;
        wn_ingest_log(WN_LOG_ERR, feed, "out of memory starting a pass");
        if (in->o.feed_cb != NULL) {
            in->o.feed_cb(feed, 0, in->o.arg);
        }
        return;
    }
    j->in = in;
    j->feed = feed;
    j->max_age = j->retry_after = -1;
    wn_err_clear(&err);
    wn_ingest_req_opts(feed, wn_ingest_feed_url(feed), &ro);
    ro.etag = feed->etag;
    ro.last_modified = feed->last_modified;
    in->fetching++;
    if (wn_fetch_start(in->o.fetcher, wn_ingest_feed_url(feed), &ro,
                       wn_ingest_feed_fetched, j, &err)
        != 0)
    {
        in->fetching--;
        j->cls = err.code == WN_EBLOCKED ? WN_FETCH_BLOCKED : WN_FETCH_NETWORK;
        wn_ingest_feed_fail(j, wn_ingest_feed_url(feed), err.msg);
    }
}

/* Starts waiting feeds while there is room. */
static void
wn_ingest_feed_pump(struct wn_ingest *in)
{
    wn_ingest_parse_pump(in);
    while (in->whead != NULL && wn_ingest_feed_room(in)) {
        struct wn_ingest_feed *feed = in->whead;

        in->whead = feed->wait_next;
        if (in->whead == NULL) {
            in->wtail = NULL;
        }
        feed->wait_next = NULL;
        in->stats.feeds_waiting--;
        wn_ingest_feed_start(in, feed);
    }
}

int
wn_ingest_feed(struct wn_ingest *in, struct wn_ingest_feed *feed)
{
    if (feed->busy || in->draining) {
        return WN_EINVAL;
    }
    feed->busy = 1;
    feed->wait_next = NULL;
    if (in->wtail != NULL) {
        in->wtail->wait_next = feed;
    } else {
        in->whead = feed;
    }
    in->wtail = feed;
    in->stats.feeds_waiting++;
    wn_ingest_feed_pump(in);
    return 0;
}

/* ---- articles ---- */

static void
wn_article_job_free(struct wn_article_job *a)
{
    free(a->canon);
    free(a->link);
    free(a->title);
    free(a->author);
    free(a->summary);
    free(a->content_html);
    free(a->body);
    free(a->content_type);
    free(a->fetched_url);
    free(a->page);
    free(a->why);
    wn_article_free(a->article);
    free(a);
}

/* Adds a job to the queue unless its URL is already queued or active. */
static int
wn_ingest_enqueue(struct wn_ingest *in, struct wn_article_job *a)
{
    int rc = wn_strset_add(&in->inflight, a->canon);

    if (rc <= 0) {
        wn_article_job_free(a);
        return rc;
    }
    if (in->qtail != NULL) {
        in->qtail->next = a;
    } else {
        in->qhead = a;
    }
    in->qtail = a;
    in->stats.articles_queued++;
    return 0;
}

static void
wn_ingest_queue_item(struct wn_feed_job *j, size_t i)
{
    const struct wn_feed_item *it = &j->doc->items[i];
    int policy = j->feed->conf->fetch_article;
    struct wn_article_job *a;
    char key[512];

    a = calloc(1, sizeof(*a));
    if (a == NULL) {
        char q[WN_LOG_QUOTE_MAX + 1];
        wn_ingest_log(WN_LOG_ERR, j->feed, "out of memory queuing %s",
                      wn_log_quote(q, sizeof(q), it->id));
        return;
    }
    a->in = j->in;
    a->feed = j->feed;
    if (j->canon[i] != NULL) {
        a->canon = strdup(j->canon[i]);
    } else {
        /* No link: the item's identity is the article's key. */
        snprintf(key, sizeof(key), "urn:winnow:%s:%s", j->feed->conf->name,
                 it->id);
        a->canon = strdup(key);
    }
    a->link = wn_ingest_dup(it->link);
    a->title = wn_ingest_dup(it->title);
    a->author = wn_ingest_dup(it->author);
    a->summary = wn_ingest_dup(it->summary);
    a->content_html = wn_ingest_dup(it->content_html);
    a->published = it->published;
    if (policy == WN_FETCH_ARTICLE_NEVER) {
        a->fetch = 0;
    } else if (policy == WN_FETCH_ARTICLE_ALWAYS) {
        a->fetch = a->link != NULL;
    } else {
        a->fetch = a->link != NULL && !j->fulltext[i];
    }
    if (a->canon == NULL
        || (!a->fetch && a->content_html == NULL && a->summary == NULL))
    {
        wn_article_job_free(a);
        return;
    }
    wn_ingest_enqueue(j->in, a);
}

int
wn_ingest_pending(struct wn_ingest *in, struct wn_ingest_feed *feed,
                  const char *url, const char *title, const char *author,
                  const char *summary, int64_t published)
{
    struct wn_article_job *a = calloc(1, sizeof(*a));
    int rc;

    if (a == NULL) {
        return WN_ENOMEM;
    }
    a->in = in;
    a->feed = feed;
    a->canon = wn_ingest_dup(url);
    a->link = wn_ingest_dup(url);
    a->title = wn_ingest_dup(title);
    a->author = wn_ingest_dup(author);
    a->summary = wn_ingest_dup(summary);
    a->published = published;
    a->fetch = 1;
    if (a->canon == NULL || a->link == NULL) {
        wn_article_job_free(a);
        return WN_ENOMEM;
    }
    rc = wn_ingest_enqueue(in, a);
    wn_ingest_pump(in);
    return rc;
}

static void
wn_ingest_article_finish(struct wn_article_job *a)
{
    struct wn_ingest *in = a->in;

    wn_strset_del(&in->inflight, a->canon);
    in->stats.articles_active--;
    if (a->storing) {
        in->storing--;
    } else {
        in->working--;
    }
    wn_article_job_free(a);
    wn_ingest_pump(in);
    wn_ingest_maybe_idle(in);
}

static int
wn_ingest_write_failed(struct wn_store *s, struct wn_write_op *op,
                       struct wn_err *err)
{
    struct wn_article_job *a = op->data;

    return wn_store_item_failed(
        s, a->canon, a->why != NULL ? a->why : "failed (out of memory)", err);
}

static void
wn_ingest_failed_done(struct wn_write_op *op)
{
    struct wn_article_job *a = op->data;

    if (op->rc != 0) {
        wn_ingest_log(WN_LOG_ERR, a->feed, "cannot record the failure: %s",
                      op->err.msg);
    }
    wn_ingest_article_finish(a);
}

/* Hands a job to the writer: it leaves the fetch-and-clean slots for the
 * storing ones.  The caller pumps afterwards, if it is not the pump. */
static void
wn_ingest_to_writer(struct wn_article_job *a)
{
    struct wn_ingest *in = a->in;

    if (!a->storing) {
        in->working--;
        in->storing++;
        a->storing = 1;
    }
    a->op.data = a;
    wn_writer_submit(in->o.writer, &a->op);
}

static void
wn_ingest_article_fail(struct wn_article_job *a, const char *why)
{
    a->in->stats.articles_failed++;
    if (WN_LOG_WARNING <= wn_log_level) {
        char q[WN_LOG_QUOTE_MAX + 1];
        wn_ingest_log(
            WN_LOG_WARNING, a->feed, "article %s: %s",
            wn_log_quote(q, sizeof(q), a->link != NULL ? a->link : a->canon),
            why);
    }
    if (a->why != why) {
        free(a->why);
        a->why = strdup(why); /* NULL: recorded as out of memory */
    }
    a->op.fn = wn_ingest_write_failed;
    a->op.done = wn_ingest_failed_done;
    wn_ingest_to_writer(a);
}

/* Cleans data as the item's article (threadpool). */
static int
wn_ingest_extract(struct wn_article_job *a, const char *data, size_t len,
                  unsigned flags, struct wn_article **out, struct wn_err *err)
{
    struct wn_extract_in ei;
    struct wn_item item;

    memset(&item, 0, sizeof(item));
    item.size = sizeof(item);
    item.url = a->fetched_url != NULL ? a->fetched_url : a->link;
    item.feed_url = a->feed_url;
    item.title = a->title;
    item.author = a->author;
    item.summary = a->summary;
    item.content_html = a->content_html;
    item.published = a->published;
    memset(&ei, 0, sizeof(ei));
    ei.data = data;
    ei.len = len;
    ei.url = item.url;
    ei.content_type =
        (flags & WN_EXTRACT_FEED_CONTENT) ? NULL : a->content_type;
    ei.item = &item;
    ei.flags = flags;
    ei.stop = a->in->o.stop;
    return wn_extract(a->plugins, &ei, out, err);
}

/* The feed's own content as the article: its HTML, or the summary as text. */
static int
wn_ingest_extract_feed(struct wn_article_job *a, struct wn_article **out,
                       struct wn_err *err)
{
    if (a->content_html != NULL) {
        return wn_ingest_extract(a, a->content_html, strlen(a->content_html),
                                 WN_EXTRACT_FEED_CONTENT, out, err);
    }
    if (a->summary != NULL) {
        return wn_ingest_extract(a, a->summary, strlen(a->summary),
                                 WN_EXTRACT_FEED_CONTENT | WN_EXTRACT_TEXT, out,
                                 err);
    }
    return wn_err_set(err, WN_EINVAL, "the feed has no content for this item");
}

/*
 * After cleaning (threadpool): the feed's fields were only its input, so
 * they go now rather than wait with the article for the writer; a failure
 * keeps just its message.
 */
static void
wn_ingest_clean_end(struct wn_article_job *a, const struct wn_err *err)
{
    free(a->title);
    free(a->author);
    free(a->summary);
    free(a->content_html);
    a->title = a->author = a->summary = a->content_html = NULL;
    if (a->rc != 0) {
        a->why = strdup(err->msg[0] ? err->msg : wn_strerror(a->rc));
    }
}

static void
wn_ingest_clean_one(struct wn_article_job *a)
{
    struct wn_article *page = NULL, *feed = NULL;
    struct wn_err err;
    struct wn_err ferr;

    wn_err_clear(&err);
    if (!a->fetch) {
        a->rc = wn_ingest_extract_feed(a, &a->article, &err);
        wn_ingest_clean_end(a, &err);
        return;
    }
    a->rc = wn_ingest_extract(a, a->body, a->len, 0, &page, &err);
    /* Kept for `winnowd reclean`; a page that cannot be packed is just
     * not kept. */
    if (a->rc == 0 && a->in->o.conf->keep_pages_days > 0
        && wn_page_pack(a->body, a->len, &a->page, &a->page_len) != 0)
    {
        a->page = NULL;
    }
    free(a->body);
    a->body = NULL;
    /* A page that left implausibly little (a paywall stub, a consent wall)
     * loses to longer feed content, the feed's HTML or else its summary. */
    if ((a->content_html != NULL || a->summary != NULL)
        && (a->rc != 0 || page->words < WN_INGEST_MIN_WORDS)
        && wn_ingest_extract_feed(a, &feed, &ferr) == 0
        && (a->rc != 0 || feed->words > page->words))
    {
        wn_article_free(page);
        page = feed;
        feed = NULL;
        a->rc = 0;
    }
    wn_article_free(feed);
    a->article = page;
    wn_ingest_clean_end(a, &err);
}

/* Threadpool: cleans a chain of jobs (->cnext). */
static void
wn_ingest_clean_work(uv_work_t *req)
{
    for (struct wn_article_job *a = req->data; a != NULL; a = a->cnext) {
        wn_ingest_clean_one(a);
    }
}

static int
wn_ingest_write_article(struct wn_store *s, struct wn_write_op *op,
                        struct wn_err *err)
{
    struct wn_article_job *a = op->data;
    int64_t now = wn_time_now();
    int rc = wn_store_article_put(
        s, a->article, a->canon,
        a->fetched_url != NULL ? a->fetched_url : a->link, now, err);

    if (rc == 0 && a->page != NULL
        && !(a->article->flags & WN_ARTICLE_FEED_CONTENT))
    {
        struct wn_store_page p = { a->content_type, a->page, a->page_len, now };
        rc = wn_store_page_put(s, a->canon, &p, err);
    }
    return rc;
}

static void
wn_ingest_article_done(struct wn_write_op *op)
{
    struct wn_article_job *a = op->data;
    struct wn_ingest *in = a->in;

    if (op->rc != 0) {
        in->stats.articles_failed++;
        char q[WN_LOG_QUOTE_MAX + 1];
        wn_ingest_log(WN_LOG_ERR, a->feed, "article %s: store: %s",
                      wn_log_quote(q, sizeof(q), a->canon), op->err.msg);
    } else {
        const char *title = a->article->meta[WN_META_TITLE];
        in->stats.articles_stored++;
        wn_sinks_article(in->o.sinks, a->feed ? a->feed->conf->name : NULL,
                         a->canon, a->article);
        if (a->article->flags & WN_ARTICLE_FEED_CONTENT) {
            in->stats.articles_from_feed++;
        }
        char qt[WN_LOG_QUOTE_MAX + 1], qu[WN_LOG_QUOTE_MAX + 1];
        if (WN_LOG_INFO <= wn_log_level) {
            wn_ingest_log(WN_LOG_INFO, a->feed, "stored \"%s\" (%zu words, %s)",
                          wn_log_quote(qt, sizeof(qt),
                                       title != NULL ? title : "untitled"),
                          a->article->words,
                          (a->article->flags & WN_ARTICLE_FEED_CONTENT)
                              ? "from the feed"
                              : wn_log_quote(qu, sizeof(qu), a->canon));
        }
    }
    wn_ingest_article_finish(a);
}

/* A cleaned job goes to the writer, with its article or its failure. */
static void
wn_ingest_cleaned(struct wn_article_job *a)
{
    if (a->rc != 0) {
        wn_ingest_article_fail(a, a->why != NULL ? a->why : wn_strerror(a->rc));
    } else if (a->article->len == 0) {
        wn_ingest_article_fail(a, "no text left after cleaning");
    } else {
        a->op.fn = wn_ingest_write_article;
        a->op.done = wn_ingest_article_done;
        wn_ingest_to_writer(a);
    }
}

static void
wn_ingest_clean_after(uv_work_t *req, int status)
{
    struct wn_article_job *a = req->data, *next;
    struct wn_ingest *in = a->in;

    (void) status;
    for (; a != NULL; a = next) {
        next = a->cnext;
        a->cnext = NULL;
        wn_ingest_cleaned(a);
    }
    wn_ingest_pump(in);
}

/* Queues the cleaning of a chain of jobs (->cnext) as one threadpool job. */
static void
wn_ingest_clean(struct wn_article_job *a)
{
    struct wn_ingest *in = a->in;

    for (struct wn_article_job *c = a; c != NULL; c = c->cnext) {
        c->plugins = in->o.plugins;
        c->feed_url = c->feed != NULL ? c->feed->conf->url : NULL;
    }
    a->work.data = a;
    if (uv_queue_work(in->o.loop, &a->work, wn_ingest_clean_work,
                      wn_ingest_clean_after)
        != 0)
    {
        struct wn_article_job *next;
        for (; a != NULL; a = next) {
            next = a->cnext;
            a->cnext = NULL;
            wn_ingest_article_fail(a, "cannot queue the cleaning");
        }
    }
}

static void
wn_ingest_article_fetched(struct wn_fetch_result *res, void *arg)
{
    struct wn_article_job *a = arg;

    if (res->rc == WN_ECANCELED) {
        /* Stopping: the item stays pending without losing an attempt. */
        wn_ingest_article_finish(a);
        return;
    }
    if (res->rc != 0) {
        if (res->cls == WN_FETCH_RATE || res->status == 429) {
            /* Articles have no schedule of their own: the host waits. */
            wn_fetch_defer_host(a->in->o.fetcher, res->url,
                                res->retry_after > 0 ? res->retry_after
                                                     : WN_INGEST_ARTICLE_DEFER);
        }
        wn_ingest_article_fail(a, res->error);
        wn_ingest_pump(a->in);
        return;
    }
    a->len = res->body.len;
    a->body = wn_buf_steal(&res->body);
    a->content_type = wn_ingest_dup(res->content_type);
    a->fetched_url = wn_ingest_dup(res->effective_url);
    if (a->body == NULL) {
        wn_ingest_article_fail(a, "out of memory");
        wn_ingest_pump(a->in);
        return;
    }
    wn_ingest_clean(a);
}

/* Starts queued article jobs while there is room. */
static void
wn_ingest_pump(struct wn_ingest *in)
{
    struct wn_fetch_req_opts ro;
    struct wn_err err;
    struct wn_article_job *chain = NULL, **ctail = &chain;
    size_t nchain = 0;
    size_t storing_max = (size_t) in->o.conf->store_batch * WN_INGEST_STORING;

    /* Page fetches take a fetch-and-clean slot (max_articles: the pages
     * are the memory); feed content, already in memory, goes straight to
     * the storing slots, cleaned WN_INGEST_CLEAN_BATCH at a time.  No more
     * articles are in flight than the sinks have room for, so that what
     * they all store still fits. */
    while (!in->draining && in->qhead != NULL
           && in->stats.articles_active < wn_sinks_space(in->o.sinks)
           && in->storing < storing_max
           && (!in->qhead->fetch
               || in->working < (size_t) in->o.conf->max_articles))
    {
        struct wn_article_job *a = in->qhead;

        in->qhead = a->next;
        if (in->qhead == NULL) {
            in->qtail = NULL;
        }
        a->next = NULL;
        in->stats.articles_queued--;
        in->stats.articles_active++;
        if (!a->fetch) {
            a->storing = 1;
            in->storing++;
            *ctail = a;
            ctail = &a->cnext;
            if (++nchain == WN_INGEST_CLEAN_BATCH) {
                wn_ingest_clean(chain);
                chain = NULL;
                ctail = &chain;
                nchain = 0;
            }
            wn_ingest_feed_pump(in);
            continue;
        }
        in->working++;
        wn_ingest_feed_pump(in);
        wn_err_clear(&err);
        wn_ingest_req_opts(a->feed, a->link, &ro);
        if (wn_fetch_start(in->o.fetcher, a->link, &ro,
                           wn_ingest_article_fetched, a, &err)
            != 0)
        {
            wn_ingest_article_fail(a, err.msg);
        }
    }
    if (chain != NULL) {
        wn_ingest_clean(chain);
    }
}

/* ---- the handle ---- */

int
wn_ingest_init(const struct wn_ingest_opts *opts, struct wn_ingest **out)
{
    struct wn_ingest *in = calloc(1, sizeof(*in));

    *out = NULL;
    if (in == NULL) {
        return WN_ENOMEM;
    }
    in->o = *opts;
    in->rand =
        uv_hrtime() ^ ((uint64_t) (uintptr_t) in << 17) ^ 0x9e3779b97f4a7c15u;
    in->rand += in->rand == 0;
    wn_strset_init(&in->inflight);
    in->spool.fd = -1;
    *out = in;
    return 0;
}

void
wn_ingest_kick(struct wn_ingest *in)
{
    wn_ingest_pump(in);
    wn_ingest_feed_pump(in);
}

void
wn_ingest_reconfigure(struct wn_ingest *in, const struct wn_conf *conf,
                      const struct wn_plugins *plugins,
                      struct wn_fetcher *fetcher)
{
    in->o.conf = conf;
    in->o.plugins = plugins;
    in->o.fetcher = fetcher;
    /* the limits may have grown: start what now fits */
    wn_ingest_feed_pump(in);
    wn_ingest_pump(in);
}

int
wn_ingest_idle(const struct wn_ingest *in)
{
    return in->stats.feeds_busy == 0 && in->stats.articles_active == 0
           && ((in->qhead == NULL && in->whead == NULL) || in->draining);
}

void
wn_ingest_drain(struct wn_ingest *in)
{
    struct wn_article_job *a;
    struct wn_ingest_feed *f;

    in->draining = 1;
    while ((f = in->whead) != NULL) {
        in->whead = f->wait_next;
        f->wait_next = NULL;
        f->busy = 0;
    }
    in->wtail = NULL;
    in->stats.feeds_waiting = 0;
    /* Parked feeds end as canceled fetches do: nothing is recorded, so
     * the next pass fetches them again. */
    while (in->phead != NULL) {
        wn_ingest_parked_drop(in, wn_ingest_unpark_next(in));
    }
    while ((a = in->qhead) != NULL) {
        in->qhead = a->next;
        wn_strset_del(&in->inflight, a->canon);
        wn_article_job_free(a);
    }
    in->qtail = NULL;
    in->stats.articles_queued = 0;
}

void
wn_ingest_stats(const struct wn_ingest *in, struct wn_ingest_stats *out)
{
    *out = in->stats;
}

void
wn_ingest_free(struct wn_ingest *in)
{
    if (in == NULL) {
        return;
    }
    wn_ingest_drain(in);
    wn_strset_free(&in->inflight);
    wn_spool_close(&in->spool);
    free(in);
}
