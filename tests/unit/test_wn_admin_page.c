/*
 * test_wn_admin_page.c: the status page escapes what feeds say, draws one
 * bar per day scaled to the busiest day, names each feed's state, and
 * /feeds is valid JSON with the same figures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "wn_admin_page.h"

static size_t
count(const char *hay, const char *needle)
{
    size_t n = 0;

    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++) {
        n++;
    }
    return n;
}

static void
view(struct wn_admin_view *v, struct wn_admin_feed_view *f)
{
    memset(v, 0, sizeof(*v));
    memset(f, 0, 2 * sizeof(*f));
    v->now = 1700000000;
    v->today = v->now / 86400;
    v->store_ok = 1;
    v->articles = 7;
    v->items = 9;
    v->store_bytes = 3 << 20;
    f[0].name = "good";
    f[0].url = "https://example.com/feed?a=1&b=2";
    f[0].title = "<script>alert(1)</script>";
    f[0].last_fetch = v->now - 60;
    f[0].next_fetch = v->now + 1800;
    f[0].days[WN_ADMIN_DAYS - 1] = 10;
    f[0].days[WN_ADMIN_DAYS - 2] = 5;
    f[1].name = "bad";
    f[1].url = "https://example.org/x";
    f[1].error_count = 3;
    f[1].last_fetch = v->now - 10;
    f[1].last_error = "http status 404 \"<b>\"";
    v->feeds = f;
    v->nfeeds = 2;
}

static void
page_escapes_and_draws(void **state)
{
    struct wn_admin_feed_view f[2];
    struct wn_admin_view v;
    struct wn_buf b;

    (void) state;
    view(&v, f);
    wn_buf_init(&b, 1u << 20);
    assert_int_equal(wn_admin_page_html(&v, &b), 0);
    /* Hostile text is inert. */
    assert_null(strstr(b.data, "<script>"));
    assert_non_null(strstr(b.data, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(b.data, "example.com/feed?a=1&amp;b=2"));
    assert_non_null(strstr(b.data, "http status 404 &quot;&lt;b&gt;&quot;"));
    /* States, one chart per feed, one bar per day. */
    assert_non_null(strstr(b.data, "<tr class=\"feed ok\">"));
    assert_non_null(strstr(b.data, "<tr class=\"feed failing\">"));
    assert_non_null(strstr(b.data, "(3 in a row)"));
    assert_int_equal(count(b.data, "<svg class=\"chart\""), 2);
    assert_int_equal(count(b.data, "<rect "), 2 * WN_ADMIN_DAYS);
    /* The busiest day fills the chart; half as many, half the height. */
    assert_non_null(strstr(b.data, "height=\"26\"><title>2023-11-14: 10"));
    assert_non_null(strstr(b.data, "height=\"13\"><title>2023-11-13: 5"));
    assert_non_null(strstr(b.data, "in 30m"));
    /* Nothing is loaded from elsewhere. */
    assert_null(strstr(b.data, "src="));
    assert_null(strstr(b.data, "<link"));
    wn_buf_free(&b);
}

static void
feeds_json_has_the_same_figures(void **state)
{
    struct wn_admin_feed_view f[2];
    struct wn_admin_view v;
    struct wn_buf b;
    json_t *root, *feeds, *days;
    json_error_t e;

    (void) state;
    view(&v, f);
    wn_buf_init(&b, 1u << 20);
    assert_int_equal(wn_admin_page_json(&v, &b), 0);
    root = json_loads(b.data, 0, &e);
    assert_non_null(root);
    feeds = json_object_get(root, "feeds");
    assert_int_equal(json_array_size(feeds), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(feeds, 0), "state")),
        "ok");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(feeds, 0), "title")),
                        "<script>alert(1)</script>");
    days = json_object_get(json_array_get(feeds, 0), "items_per_day");
    assert_int_equal(json_array_size(days), WN_ADMIN_DAYS);
    assert_int_equal(json_integer_value(json_array_get(days, WN_ADMIN_DAYS - 1)),
                     10);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(feeds, 1), "last_error")),
                        "http status 404 \"<b>\"");
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(root, "store"), "articles")),
                     7);
    json_decref(root);
    wn_buf_free(&b);
}

static void
state_words(void **state)
{
    struct wn_admin_feed_view f;

    (void) state;
    memset(&f, 0, sizeof(f));
    assert_string_equal(wn_admin_page_state(&f), "new");
    f.last_fetch = 1;
    assert_string_equal(wn_admin_page_state(&f), "ok");
    f.error_count = 1;
    assert_string_equal(wn_admin_page_state(&f), "failing");
    f.busy = 1;
    assert_string_equal(wn_admin_page_state(&f), "fetching");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(page_escapes_and_draws),
        cmocka_unit_test(feeds_json_has_the_same_figures),
        cmocka_unit_test(state_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
