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
#include <curl/curl.h>

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

/* wn_url_host() as curl_url() alone answers it. */
static char *
curl_host(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL, *out = NULL;

    assert_non_null(u);
    if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME)
        == CURLUE_OK) {
        if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
            out = strdup("");
        } else {
            for (char *p = host; *p; p++) {
                *p = (char) (*p >= 'A' && *p <= 'Z' ? *p | 0x20 : *p);
            }
            out = strdup(host);
        }
        assert_non_null(out);
    }
    curl_free(host);
    curl_url_cleanup(u);
    return out;
}

/* The host read without curl (plain URLs) is the host curl reads, and the
 * URLs it leaves to curl (numeric hosts, ports, escapes...) still get
 * curl's answer. */
static void
url_host_agrees_with_curl(void **state)
{
    static const char *const urls[] = {
        "https://WWW.Newsmax.COM/x",
        "http://example.com",
        "http://example.com?q=1",
        "http://example.com#top",
        "http://example.com.",
        "http://a-b.example/c d",
        "http://a-b.example/c\td",
        "http://a.example/\x7f",
        "http://0x7f.1/",
        "http://2130706433/",
        "http://127.0.0.1/x",
        "http://1a.example/",
        "http://1.example.2/",
        "http://0xab.0xcd/",
        "http://example.com:8080/x",
        "http://example.com:99999/x",
        "http://user:pw@example.com/x",
        "http://[::1]/x",
        "http://ex%41mple.com/",
        "http://exa_mple.com/",
        "http:///x",
        "http://",
        "mailto://x.example/y",
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "//example.com/x",
        "example.com/x",
        "http://\xc3\xa9t\xc3\xa9.example/",
        "http://example.com/\xc3\xa9",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa://example.com/",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa://example.com/",
    };

    (void) state;
    for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        char *want = curl_host(urls[i]), *got = NULL;
        int rc = wn_url_host(urls[i], &got);
        if (want == NULL) {
            assert_int_not_equal(rc, 0);
        } else {
            assert_int_equal(rc, 0);
            assert_non_null(got);
            if (strcmp(want, got) != 0) {
                fail_msg("%s: host %s, curl says %s", urls[i], got, want);
            }
        }
        free(want);
        free(got);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(url_resolves_relative_references),
        cmocka_unit_test(url_refuses_other_schemes),
        cmocka_unit_test(url_canonical_drops_tracking_and_fragment),
        cmocka_unit_test(url_host_is_lower_case),
        cmocka_unit_test(url_host_agrees_with_curl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
