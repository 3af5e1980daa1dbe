/*
 * test_wn_sched.c: the schedule's rules (bounds, the publisher's hints,
 * freshness, the adaptive rate, jitter, skipped hours and days, backoff
 * with full jitter and its ceiling, Retry-After), the response-header
 * parsers they are fed from, the feed parser's hints, and the fetcher's
 * per-host politeness on a real loop (file: URLs share one host).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "wn_buf.h"
#include "wn_feed.h"
#include "wn_fetch.h"
#include "wn_sched_policy.h"
#include "wn_time.h"

static struct wn_sched_policy
policy(long interval)
{
    struct wn_sched_policy p;

    memset(&p, 0, sizeof(p));
    p.interval = interval;
    p.max = 7 * 86400;
    p.max_age = -1;
    p.now = 1700000000; /* 2023-11-14T22:13:20Z, a Tuesday */
    return p;
}

static void
base_takes_hints_bounds_and_the_rate(void **state)
{
    struct wn_sched_policy p = policy(1800);

    (void) state;
    assert_int_equal(wn_sched_policy_base(&p), 1800);
    p.ttl = 3600; /* the publisher's hints raise it */
    assert_int_equal(wn_sched_policy_base(&p), 3600);
    p.period = 7200;
    assert_int_equal(wn_sched_policy_base(&p), 7200);
    p.max_age = 9000;
    assert_int_equal(wn_sched_policy_base(&p), 9000);
    p.max = 4000; /* the bounds win over everything */
    assert_int_equal(wn_sched_policy_base(&p), 4000);
    p = policy(1800);
    p.min = 2000;
    assert_int_equal(wn_sched_policy_base(&p), 2000);
    /* adaptive: within [interval / 4, interval * 4] */
    p = policy(1800);
    p.adaptive = 100;
    assert_int_equal(wn_sched_policy_base(&p), 450);
    p.adaptive = 86400;
    assert_int_equal(wn_sched_policy_base(&p), 7200);
    p.adaptive = 3000;
    assert_int_equal(wn_sched_policy_base(&p), 3000);
    p.fixed = 1; /* a feed's own interval is not adapted */
    assert_int_equal(wn_sched_policy_base(&p), 1800);
}

static void
next_spreads_by_jitter_and_leaves_skipped_hours(void **state)
{
    struct wn_sched_policy p = policy(1000);
    long lo = 1 << 30, hi = 0;

    (void) state;
    p.jitter_pct = 10;
    for (int i = 0; i < 1000; i++) {
        long v = wn_sched_policy_next(&p, 1000, i / 1000.0);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    assert_true(lo >= 900 && lo <= 905);
    assert_true(hi >= 1095 && hi <= 1100);
    p.jitter_pct = 0;
    /* now is 22:13 UTC; +1000 s is 22:29, in skipped hour 22: next is 23:00 */
    p.skip_hours = 1u << 22;
    assert_int_equal(p.now + wn_sched_policy_next(&p, 1000, 0.5),
                     1700000000 - 13 * 60 - 20 + 3600);
    /* skip Tuesday and Wednesday: the next fetch is Thursday 00:00 */
    p.skip_hours = 0;
    p.skip_days = (1u << 2) | (1u << 3);
    assert_int_equal(p.now + wn_sched_policy_next(&p, 1000, 0.5),
                     1700000000 - (22 * 3600 + 13 * 60 + 20) + 2 * 86400);
    /* skipping every hour is nonsense: ignored */
    p.skip_days = 0;
    p.skip_hours = 0xffffffu;
    assert_int_equal(wn_sched_policy_next(&p, 1000, 0.5), 1000);
}

static void
failures_back_off_with_full_jitter_under_a_ceiling(void **state)
{
    (void) state;
    /* u = 0.999: the top of the window, interval * 2^(n-1) */
    assert_int_equal(wn_sched_policy_fail(600, 1, 86400, -1, 0.9999), 599);
    assert_int_equal(wn_sched_policy_fail(600, 3, 86400, -1, 0.9999), 2399);
    assert_int_equal(wn_sched_policy_fail(600, 40, 86400, -1, 0.9999), 86391);
    /* u = 0: the floor, min(interval, 60 s) */
    assert_int_equal(wn_sched_policy_fail(600, 5, 86400, -1, 0.0), 60);
    assert_int_equal(wn_sched_policy_fail(10, 5, 86400, -1, 0.0), 10);
    /* never more than the ceiling, however many failures */
    for (long n = 1; n < 200; n += 7) {
        assert_true(wn_sched_policy_fail(1800, n, 3600, -1, 0.999) <= 3600);
    }
    /* Retry-After is a lower bound, capped at a week */
    assert_int_equal(wn_sched_policy_fail(600, 1, 86400, 5000, 0.1), 5000);
    assert_int_equal(wn_sched_policy_fail(600, 1, 86400, 10L * 86400, 0.1),
                     WN_SCHED_RETRY_AFTER_MAX);
}

static void
rate_follows_the_publishing_gaps(void **state)
{
    int64_t now = 1700000000, t[30];

    (void) state;
    /* hourly items, the newest ten minutes ago: half an hour */
    for (int i = 0; i < 30; i++) {
        t[i] = now - 600 - (int64_t) i * 3600;
    }
    assert_int_equal(wn_sched_policy_rate(t, 30, now), 1800);
    /* a feed quiet for ten days since daily items: the silence counts */
    for (int i = 0; i < 5; i++) {
        t[i] = now - 10 * 86400 - (int64_t) i * 86400;
    }
    assert_int_equal(wn_sched_policy_rate(t, 5, now),
                     (4 * 86400 + 10 * 86400) / 5 / 2);
    /* too few dated items, or dates in the future: unknown */
    t[0] = now - 10;
    t[1] = 0;
    t[2] = now + 1000;
    assert_int_equal(wn_sched_policy_rate(t, 3, now), 0);
}

static void
response_headers_parse(void **state)
{
    int64_t now = 1700000000;

    (void) state;
    assert_int_equal(wn_fetch_parse_retry_after("120", now), 120);
    assert_int_equal(wn_fetch_parse_retry_after(" 0 ", now), 0);
    assert_int_equal(
        wn_fetch_parse_retry_after("Tue, 14 Nov 2023 22:23:20 GMT", now), 600);
    assert_int_equal(
        wn_fetch_parse_retry_after("Tue, 14 Nov 2023 20:00:00 GMT", now), 0);
    assert_int_equal(wn_fetch_parse_retry_after("soon", now), -1);
    assert_int_equal(wn_fetch_parse_retry_after("12abc", now), -1);
    assert_int_equal(wn_fetch_parse_retry_after(NULL, now), -1);

    assert_int_equal(
        wn_fetch_parse_freshness("public, max-age=600", NULL, NULL, NULL), 600);
    assert_int_equal(wn_fetch_parse_freshness("max-age=600, s-maxage=900", NULL,
                                              NULL, "100"),
                     800);
    assert_int_equal(wn_fetch_parse_freshness("no-cache", NULL, NULL, NULL), 0);
    assert_int_equal(
        wn_fetch_parse_freshness(NULL, "Tue, 14 Nov 2023 23:00:00 GMT",
                                 "Tue, 14 Nov 2023 22:00:00 GMT", NULL),
        3600);
    assert_int_equal(wn_fetch_parse_freshness(NULL, "0", NULL, NULL), 0);
    assert_int_equal(wn_fetch_parse_freshness("private", NULL, NULL, NULL), -1);
    assert_int_equal(wn_fetch_parse_freshness(NULL, NULL, NULL, NULL), -1);

    assert_true(wn_fetch_is_challenge("<title>Just a moment...</title>", 31));
    assert_true(wn_fetch_is_challenge("x <div class=\"g-recaptcha\">", 27));
    assert_false(wn_fetch_is_challenge("<h1>Forbidden</h1>", 18));
    assert_string_equal(wn_fetch_class_name(WN_FETCH_CHALLENGE),
                        "bot-challenge");
    assert_string_equal(wn_fetch_class_name(99), "error");
}

static void
feed_hints_are_read(void **state)
{
    static const char xml[] =
        "<?xml version=\"1.0\"?><rss version=\"2.0\" "
        "xmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\"><channel>"
        "<title>t</title><ttl>45</ttl>"
        "<skipHours><hour>0</hour><hour>23</hour><hour>24</hour>"
        "<hour>99</hour></skipHours>"
        "<skipDays><day>Saturday</day><day>sunday</day><day>Funday</day>"
        "</skipDays><sy:updateFrequency>4</sy:updateFrequency>"
        "<sy:updatePeriod>daily</sy:updatePeriod>"
        "<item><title>a</title><guid>1</guid></item></channel></rss>";
    struct wn_feed_doc *doc = NULL;
    struct wn_feed_opts o;
    struct wn_err err;

    (void) state;
    memset(&o, 0, sizeof(o));
    o.url = "https://example.com/feed";
    assert_int_equal(wn_feed_parse(xml, sizeof(xml) - 1, &o, &doc, &err), 0);
    assert_int_equal(doc->ttl, 45 * 60);
    assert_int_equal(doc->skip_hours, (1u << 0) | (1u << 23));
    assert_int_equal(doc->skip_days, (1u << 6) | (1u << 0));
    assert_int_equal(doc->update_period, 86400 / 4);
    wn_feed_free(doc);
}

/* RSS 1.0 (RDF) channels carry the syndication module most often. */
static void
feed_hints_are_read_in_rss1(void **state)
{
    static const char xml[] =
        "<?xml version=\"1.0\"?><rdf:RDF "
        "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
        "xmlns=\"http://purl.org/rss/1.0/\" "
        "xmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\">"
        "<channel rdf:about=\"https://example.com/\"><title>t</title>"
        "<link>https://example.com/</link>"
        "<sy:updatePeriod>hourly</sy:updatePeriod>"
        "<sy:updateFrequency>2</sy:updateFrequency></channel>"
        "<item rdf:about=\"https://example.com/1\"><title>a</title>"
        "<link>https://example.com/1</link></item></rdf:RDF>";
    static const char freq_only[] =
        "<?xml version=\"1.0\"?><rdf:RDF "
        "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
        "xmlns=\"http://purl.org/rss/1.0/\" "
        "xmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\">"
        "<channel><title>t</title>"
        "<sy:updateFrequency>6</sy:updateFrequency></channel></rdf:RDF>";
    struct wn_feed_doc *doc = NULL;
    struct wn_feed_opts o;
    struct wn_err err;

    (void) state;
    memset(&o, 0, sizeof(o));
    o.url = "https://example.com/feed.rdf";
    assert_int_equal(wn_feed_parse(xml, sizeof(xml) - 1, &o, &doc, &err), 0);
    assert_int_equal(doc->format, WN_FEED_RSS1);
    assert_int_equal(doc->nitems, 1);
    assert_int_equal(doc->update_period, 3600 / 2);
    wn_feed_free(doc);
    /* a frequency without a period: daily, the module's default */
    assert_int_equal(
        wn_feed_parse(freq_only, sizeof(freq_only) - 1, &o, &doc, &err), 0);
    assert_int_equal(doc->update_period, 86400 / 6);
    wn_feed_free(doc);
}

/* ---- politeness on a real loop ---- */

struct polite {
    uv_loop_t loop;
    struct wn_fetcher *f;
    uint64_t done_at[4];
    int done;
};

static void
polite_cb(struct wn_fetch_result *res, void *arg)
{
    struct polite *p = arg;

    assert_int_equal(res->rc, 0);
    p->done_at[p->done++] = uv_now(&p->loop);
    if (p->done == 4) {
        wn_fetch_close(p->f, NULL, NULL);
    }
}

static void
one_host_waits_its_delay_between_requests(void **state)
{
    char dir[] = "/tmp/wn-sched-XXXXXX", path[64], url[96];
    struct wn_fetch_opts fo;
    struct polite p;
    struct wn_err err;
    uint64_t start;
    FILE *fp;

    (void) state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/a.xml", dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("<rss/>", fp);
    fclose(fp);
    memset(&p, 0, sizeof(p));
    memset(&fo, 0, sizeof(fo));
    fo.connect_timeout = fo.timeout = fo.low_speed_time = 5000;
    fo.max_body = 1 << 20;
    fo.max_transfers = 8;
    fo.max_host_transfers = 8;
    fo.host_delay = 150;
    fo.file_root = dir;
    assert_int_equal(uv_loop_init(&p.loop), 0);
    assert_int_equal(wn_fetch_init(&p.loop, &fo, &p.f, &err), 0);
    snprintf(url, sizeof(url), "file://%s", path);
    uv_update_time(&p.loop);
    start = uv_now(&p.loop);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(wn_fetch_start(p.f, url, NULL, polite_cb, &p, &err),
                         0);
    }
    uv_run(&p.loop, UV_RUN_DEFAULT);
    assert_int_equal(p.done, 4);
    /* starts at 0, 150, 300 and 450 ms: the last cannot end before 450 */
    assert_true(p.done_at[3] - start >= 450);
    for (int i = 1; i < 4; i++) {
        assert_true(p.done_at[i] - p.done_at[i - 1] >= 100);
    }
    assert_int_equal(uv_loop_close(&p.loop), 0);
    unlink(path);
    rmdir(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(base_takes_hints_bounds_and_the_rate),
        cmocka_unit_test(next_spreads_by_jitter_and_leaves_skipped_hours),
        cmocka_unit_test(failures_back_off_with_full_jitter_under_a_ceiling),
        cmocka_unit_test(rate_follows_the_publishing_gaps),
        cmocka_unit_test(response_headers_parse),
        cmocka_unit_test(feed_hints_are_read),
        cmocka_unit_test(feed_hints_are_read_in_rss1),
        cmocka_unit_test(one_host_waits_its_delay_between_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
