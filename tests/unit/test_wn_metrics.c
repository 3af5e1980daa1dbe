/*
 * test_wn_metrics.c: the metrics registry renders the Prometheus text
 * format exactly (HELP/TYPE once per family, cumulative histogram buckets
 * with +Inf, _sum and _count, escaped label values, integral values without
 * exponents), bounds its series, and counts correctly from several threads.
 * The same output is checked by promtool in the admin integration test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "wn_metrics.h"

static char *
render(void)
{
    struct wn_buf b;

    wn_buf_init(&b, 1u << 24);
    assert_int_equal(wn_metrics_render(&b), 0);
    return wn_buf_steal(&b);
}

static int
setup(void **state)
{
    (void) state;
    wn_metrics_reset();
    return 0;
}

static void
empty_registry_renders_nothing(void **state)
{
    char *text;

    (void) state;
    text = render();
    assert_string_equal(text, "");
    free(text);
}

static void
counter_with_label_and_help(void **state)
{
    char *text;

    (void) state;
    wn_metrics_add(WN_M_FETCHES, "ok", NULL, 3);
    wn_metrics_add(WN_M_FETCHES, "ok", NULL, 2);
    wn_metrics_add(WN_M_FETCHES, "failed", NULL, 1);
    text = render();
    assert_string_equal(
        text, "# HELP winnow_fetches_total Finished HTTP and file fetches, by "
              "result.\n"
              "# TYPE winnow_fetches_total counter\n"
              "winnow_fetches_total{result=\"ok\"} 5\n"
              "winnow_fetches_total{result=\"failed\"} 1\n");
    free(text);
}

static void
histogram_buckets_are_cumulative(void **state)
{
    char *text;
    double sum;
    uint64_t count;

    (void) state;
    wn_metrics_observe(WN_M_FETCH_SECONDS, NULL, NULL, 0.001);
    wn_metrics_observe(WN_M_FETCH_SECONDS, NULL, NULL, 0.3);
    wn_metrics_observe(WN_M_FETCH_SECONDS, NULL, NULL, 0.5); /* le="0.5" */
    wn_metrics_observe(WN_M_FETCH_SECONDS, NULL, NULL, 100); /* +Inf only */
    text = render();
    assert_non_null(strstr(text, "# TYPE winnow_fetch_duration_seconds "
                                 "histogram\n"));
    assert_non_null(strstr(text, "winnow_fetch_duration_seconds_bucket{le="
                                 "\"0.005\"} 1\n"));
    assert_non_null(strstr(text, "winnow_fetch_duration_seconds_bucket{le="
                                 "\"0.25\"} 1\n"));
    assert_non_null(strstr(text, "winnow_fetch_duration_seconds_bucket{le="
                                 "\"0.5\"} 3\n"));
    assert_non_null(strstr(text, "winnow_fetch_duration_seconds_bucket{le="
                                 "\"30\"} 3\n"));
    assert_non_null(strstr(text, "winnow_fetch_duration_seconds_bucket{le="
                                 "\"+Inf\"} 4\n"));
    assert_non_null(strstr(text, "winnow_fetch_duration_seconds_sum "
                                 "100.801\n"));
    assert_non_null(strstr(text, "winnow_fetch_duration_seconds_count 4\n"));
    assert_int_equal(wn_metrics_get(WN_M_FETCH_SECONDS, NULL, NULL, &sum,
                                    &count),
                     0);
    assert_int_equal(count, 4);
    /* Observing into a counter is refused, not misrendered. */
    wn_metrics_observe(WN_M_FETCHES, "ok", NULL, 1);
    assert_int_not_equal(wn_metrics_get(WN_M_FETCHES, "ok", NULL, &sum, NULL),
                         0);
    free(text);
}

static void
label_values_are_escaped(void **state)
{
    char *text;

    (void) state;
    wn_metrics_set(WN_M_PLUGIN_CALLS, "we\"ird\\na\nme", "ok", 1);
    text = render();
    assert_non_null(strstr(text, "winnow_plugin_calls_total{plugin=\"we\\\"ird"
                                 "\\\\na\\nme\",result=\"ok\"} 1\n"));
    free(text);
}

static void
values_keep_precision(void **state)
{
    char *text;

    (void) state;
    wn_metrics_set(WN_M_STORE_BYTES, NULL, NULL, 123456789012.0);
    wn_metrics_set(WN_M_LOOP_LAG, NULL, NULL, 0.25);
    text = render();
    assert_non_null(strstr(text, "winnow_store_size_bytes 123456789012\n"));
    assert_non_null(strstr(text, "winnow_loop_lag_seconds 0.25\n"));
    free(text);
}

static void
series_per_family_are_bounded(void **state)
{
    char name[32], *text, *p;
    size_t n = 0;

    (void) state;
    for (int i = 0; i < WN_METRICS_MAX_SERIES + 50; i++) {
        snprintf(name, sizeof(name), "p%d", i);
        wn_metrics_add(WN_M_PLUGIN_SECONDS, name, NULL, 1);
    }
    text = render();
    for (p = text; (p = strstr(p, "winnow_plugin_clean_seconds_total{")) != NULL;
         p++)
    {
        n++;
    }
    assert_int_equal(n, WN_METRICS_MAX_SERIES);
    free(text);
}

static void
wn_test_adder(void *arg)
{
    (void) arg;
    for (int i = 0; i < 10000; i++) {
        wn_metrics_add(WN_M_SINK_RECORDS, "jsonl", NULL, 1);
        wn_metrics_observe(WN_M_FETCH_SECONDS, NULL, NULL, 0.01);
    }
}

static void
threads_count_without_losing_updates(void **state)
{
    uv_thread_t t[4];
    double v;
    uint64_t count;

    (void) state;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(uv_thread_create(&t[i], wn_test_adder, NULL), 0);
    }
    for (int i = 0; i < 4; i++) {
        uv_thread_join(&t[i]);
    }
    assert_int_equal(wn_metrics_get(WN_M_SINK_RECORDS, "jsonl", NULL, &v, NULL),
                     0);
    assert_true(v == 40000.0);
    assert_int_equal(wn_metrics_get(WN_M_FETCH_SECONDS, NULL, NULL, &v,
                                    &count),
                     0);
    assert_int_equal(count, 40000);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(empty_registry_renders_nothing, setup),
        cmocka_unit_test_setup(counter_with_label_and_help, setup),
        cmocka_unit_test_setup(histogram_buckets_are_cumulative, setup),
        cmocka_unit_test_setup(label_values_are_escaped, setup),
        cmocka_unit_test_setup(values_keep_precision, setup),
        cmocka_unit_test_setup(series_per_family_are_bounded, setup),
        cmocka_unit_test_setup(threads_count_without_losing_updates, setup),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    wn_metrics_reset();
    return rc;
}
