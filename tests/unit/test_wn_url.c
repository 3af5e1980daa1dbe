/*
 * test_wn_url.c: resolution, accepted schemes and canonical forms.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <winnow/error.h>

#include "wn_url.h"

static void
url_resolves_relative_references(void **state)
{
    char *u = NULL;

    (void) state;
    assert_int_equal(wn_url_resolve("https://a.example/feeds/rss.xml",
                                    "../html/1.html", 0, &u),
                     0);
    assert_string_equal(u, "https://a.example/html/1.html");
    free(u);
    assert_int_equal(
        wn_url_resolve("https://a.example/x/", "//b.example/y", 0, &u), 0);
    assert_string_equal(u, "https://b.example/y");
    free(u);
    assert_int_equal(wn_url_resolve(NULL, "  http://a.example/p?q=1  ", 0, &u),
                     0);
    free(u);
}

static void
url_refuses_other_schemes(void **state)
{
    char *u = NULL;

    (void) state;
    assert_int_equal(wn_url_resolve(NULL, "javascript:alert(1)", 0, &u),
                     WN_EBLOCKED);
    assert_null(u);
    assert_int_equal(wn_url_resolve(NULL, "file:///etc/passwd", 0, &u),
                     WN_EBLOCKED);
    assert_int_equal(
        wn_url_resolve("https://a.example/", "ftp://a.example/x", 0, &u),
        WN_EBLOCKED);
    assert_int_equal(
        wn_url_resolve(NULL, "file:///tmp/x.xml", WN_URL_ALLOW_FILE, &u), 0);
    free(u);
    assert_int_not_equal(wn_url_resolve(NULL, "not a url", 0, &u), 0);
    assert_int_not_equal(wn_url_resolve(NULL, "", 0, &u), 0);
}

static void
url_canonical_drops_tracking_and_fragment(void **state)
{
    char *u = NULL;

    (void) state;
    assert_int_equal(
        wn_url_canonical(
            "HTTPS://News.Example:443/a?utm_source=x&id=5&fbclid=y#top", &u),
        0);
    assert_string_equal(u, "https://news.example/a?id=5");
    free(u);
    assert_int_equal(wn_url_canonical("http://a.example/a?utm_medium=rss", &u),
                     0);
    assert_string_equal(u, "http://a.example/a");
    free(u);
}

static void
url_host_is_lower_case(void **state)
{
    char *h = NULL;

    (void) state;
    assert_int_equal(wn_url_host("https://WWW.Newsmax.COM/x", &h), 0);
    assert_string_equal(h, "www.newsmax.com");
    free(h);
    assert_true(wn_url_is_file("file:///x"));
    assert_false(wn_url_is_file("https://x/"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(url_resolves_relative_references),
        cmocka_unit_test(url_refuses_other_schemes),
        cmocka_unit_test(url_canonical_drops_tracking_and_fragment),
        cmocka_unit_test(url_host_is_lower_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
