/*
 * test_wn_conf.c: the configuration file: values, defaults, relative paths
 * and errors that name the file, the line and the key; the environment
 * (WINNOW_SECTION_KEY) over the file, and secrets from files (KEY_file).
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

#include <winnow/error.h>

#include "wn_conf.h"

static char path[64];

static const char *
write_conf(const char *text)
{
    FILE *f;

    snprintf(path, sizeof(path), "/tmp/wn-test-conf-%d.conf", (int) getpid());
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void
conf_reads_keys_and_defaults(void **state)
{
    struct wn_conf *c = NULL;
    struct wn_buf errors;

    (void) state;
    wn_buf_init(&errors, 65536);
    assert_int_equal(wn_conf_load(write_conf("[store]\n"
                                             "path = data/w.db ; comment\n"
                                             "[fetch]\n"
                                             "max_body = 2M\n"
                                             "timeout = 90s\n"
                                             "allow_private = 127.0.0.1:8080\n"
                                             "[feed:news]\n"
                                             "url = https://news.example/rss\n"
                                             "fetch_article = never\n"
                                             "[feed:local]\n"
                                             "url = file:feeds/a.xml\n"
                                             "interval = 5m\n"),
                                  &c, &errors),
                     0);
    assert_string_equal(c->store_path, "/tmp/data/w.db");
    assert_int_equal(c->max_body, 2L << 20);
    assert_int_equal(c->timeout, 90000);
    assert_int_equal(c->connect_timeout, 10000); /* default */
    assert_string_equal(c->allow_private, "127.0.0.1:8080");
    assert_int_equal(c->nfeeds, 2);
    assert_string_equal(c->feeds[0].name, "news");
    assert_int_equal(c->feeds[0].fetch_article, WN_FETCH_ARTICLE_NEVER);
    assert_string_equal(c->feeds[1].url, "file:///tmp/feeds/a.xml");
    assert_int_equal(c->feeds[1].interval, 300);
    wn_conf_free(c);
    wn_buf_free(&errors);
    unlink(path);
}

static void
conf_reports_every_error_with_line_and_key(void **state)
{
    struct wn_conf *c = NULL;
    struct wn_buf errors;

    (void) state;
    wn_buf_init(&errors, 65536);
    assert_int_equal(wn_conf_load(write_conf("[fetch]\n"
                                             "max_body = lots\n"
                                             "colour = blue\n"
                                             "this line is junk\n"
                                             "[feed:a]\n"
                                             "fetch_article = sometimes\n"
                                             "[nosuch]\n"
                                             "x = 1\n"
                                             "[daemon]\n"
                                             "threads = 0\n"
                                             "threads = 2\n"),
                                  &c, &errors),
                     WN_ECONFIG);
    assert_non_null(c); /* what could be read, for check-config */
    wn_conf_free(c);
    assert_non_null(
        strstr(errors.data, ":2: [fetch] max_body: \"lots\" is not a size"));
    assert_non_null(strstr(errors.data, ":3: [fetch] colour: unknown key"));
    assert_non_null(strstr(errors.data, ":4: expected [section]"));
    assert_non_null(strstr(errors.data, ":6: [feed:a] fetch_article:"));
    assert_non_null(strstr(errors.data, ":5: [feed:a] url: missing"));
    assert_non_null(strstr(errors.data, ":7: [nosuch] unknown section"));
    assert_non_null(
        strstr(errors.data, ":10: [daemon] threads: 0 is out of range"));
    assert_non_null(strstr(errors.data, ":11: [daemon] threads: set twice"));
    assert_non_null(strstr(errors.data, path));
    wn_buf_free(&errors);
    unlink(path);
}

/* Issue 3: feeds from an OPML list beside [feed:NAME]; the date keys. */
static void
conf_reads_opml_and_date_keys(void **state)
{
    static const char opml[] =
        "<?xml version=\"1.0\"?><opml version=\"2.0\"><body>"
        "<outline text=\"Folder\">"
        "<outline text=\"News\" xmlUrl=\"https://news.example/rss\"/>"
        "<outline text=\"Blog &amp; more\" xmlUrl=\"https://b.example/a\"/>"
        "<outline text=\"Bad\" xmlUrl=\"ftp://b.example/a\"/>"
        "</outline></body></opml>";
    struct wn_conf *c = NULL;
    struct wn_buf errors;
    char opml_path[80];
    FILE *f;

    (void) state;
    snprintf(opml_path, sizeof(opml_path), "/tmp/wn-test-conf-%d.opml",
             (int) getpid());
    f = fopen(opml_path, "w");
    assert_non_null(f);
    fputs(opml, f);
    fclose(f);
    wn_buf_init(&errors, 65536);
    assert_int_equal(wn_conf_load(write_conf("[feeds]\n"
                                             "opml = wn-test-conf-%PID.opml\n"
                                             "[feed:news]\n"
                                             "url = https://news.example/rss\n"
                                             "timezone = -05:00\n"
                                             "future_dates = keep\n"),
                                  &c, &errors),
                     WN_ECONFIG); /* the file name above is not the file */
    assert_non_null(strstr(errors.data, "[feeds] opml:"));
    wn_conf_free(c);
    wn_buf_reset(&errors);
    {
        char text[512];
        snprintf(text, sizeof(text),
                 "[feeds]\nopml = %s\n[feed:news]\n"
                 "url = https://news.example/rss\ntimezone = -05:00\n"
                 "future_dates = keep\n",
                 opml_path + 5);
        assert_int_equal(wn_conf_load(write_conf(text), &c, &errors), 0);
    }
    /* The configured feed keeps its name and keys; the list adds one. */
    assert_int_equal(c->nfeeds, 2);
    assert_string_equal(c->feeds[0].name, "news");
    assert_int_equal(c->feeds[0].zone_minutes, -300);
    assert_true(c->feeds[0].keep_future);
    assert_string_equal(c->feeds[1].name, "blog-more");
    assert_string_equal(c->feeds[1].url, "https://b.example/a");
    assert_int_equal(c->feeds[1].zone_minutes, 0);
    assert_false(c->feeds[1].keep_future);
    wn_conf_free(c);
    wn_buf_free(&errors);
    unlink(path);
    unlink(opml_path);
}

static void
conf_keeps_long_values_whole(void **state)
{
    struct wn_conf *c = NULL;
    struct wn_buf errors, text;
    char url[1200];

    (void) state;
    memset(url, 'a', sizeof(url));
    memcpy(url, "https://long.example/", 21);
    url[sizeof(url) - 1] = '\0';
    wn_buf_init(&text, 1 << 16);
    wn_buf_printf(&text,
                  "[feed:long]\nurl = %s ; a comment\nfetch_article = always\n",
                  url);
    wn_buf_init(&errors, 65536);
    assert_int_equal(wn_conf_load(write_conf(text.data), &c, &errors), 0);
    assert_int_equal(strlen(c->feeds[0].url), strlen(url));
    assert_int_equal(c->feeds[0].fetch_article, WN_FETCH_ARTICLE_ALWAYS);
    wn_conf_free(c);
    wn_buf_free(&errors);
    wn_buf_free(&text);
    unlink(path);
}

static void
conf_names_a_missing_file(void **state)
{
    struct wn_conf *c = NULL;
    struct wn_buf errors;

    (void) state;
    wn_buf_init(&errors, 65536);
    assert_true(wn_conf_load("/nonexistent/winnow.conf", &c, &errors) < 0);
    assert_non_null(
        strstr(errors.data, "/nonexistent/winnow.conf: cannot read"));
    wn_buf_free(&errors);
}

static void
conf_value_parsers(void **state)
{
    long v;
    int b;

    (void) state;
    assert_int_equal(wn_conf_parse_size("512k", &v), 0);
    assert_int_equal(v, 512 * 1024);
    assert_int_not_equal(wn_conf_parse_size("-1", &v), 0);
    assert_int_not_equal(wn_conf_parse_size("99999999999999G", &v), 0);
    assert_int_equal(wn_conf_parse_duration("250ms", &v), 0);
    assert_int_equal(v, 250);
    assert_int_equal(wn_conf_parse_duration("2h", &v), 0);
    assert_int_equal(v, 7200000);
    assert_int_equal(wn_conf_parse_duration("10", &v), 0);
    assert_int_equal(v, 10000);
    assert_int_equal(wn_conf_parse_bool("On", &b), 0);
    assert_int_equal(b, 1);
    assert_int_not_equal(wn_conf_parse_bool("2", &b), 0);
}

static const char *
write_file(const char *name, const char *text)
{
    static char p[4][96];
    static int k;
    FILE *f;
    char *out = p[k++ % 4];

    snprintf(out, sizeof(p[0]), "/tmp/wn-test-%s-%d", name, (int) getpid());
    f = fopen(out, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return out;
}

static void
conf_environment_overrides_file(void **state)
{
    struct wn_conf *c = NULL;
    struct wn_buf errors;

    (void) state;
    wn_buf_init(&errors, 65536);
    setenv("WINNOW_FETCH_TIMEOUT", "7s", 1);
    setenv("WINNOW_DAEMON_LOG_FORMAT", "json", 1);
    setenv("WINNOW_FEED_NEWS_URL", "https://example.org/news.xml", 1);
    setenv("WINNOW_FEED_OLD_FETCH_ARTICLE", "never", 1);
    setenv("WINNOW_PLUGIN_GENERIC_MIN_WORDS", "9", 1);
    assert_int_equal(wn_conf_load(write_conf("[fetch]\n"
                                             "timeout = 30s\n"
                                             "max_redirects = 3\n"
                                             "[feed:old]\n"
                                             "url = https://example.org/a\n"
                                             "[plugin:generic]\n"
                                             "min_words = 4\n"),
                                  &c, &errors),
                     0);
    unsetenv("WINNOW_FETCH_TIMEOUT");
    unsetenv("WINNOW_DAEMON_LOG_FORMAT");
    unsetenv("WINNOW_FEED_NEWS_URL");
    unsetenv("WINNOW_FEED_OLD_FETCH_ARTICLE");
    unsetenv("WINNOW_PLUGIN_GENERIC_MIN_WORDS");
    assert_int_equal(c->timeout, 7000);    /* environment over file */
    assert_int_equal(c->max_redirects, 3); /* file over default */
    assert_int_equal(c->log_format, 3);    /* WN_LOG_FORMAT_JSON */
    assert_int_equal(c->nfeeds, 2);
    assert_string_equal(c->feeds[0].name, "old");
    assert_int_equal(c->feeds[0].fetch_article, WN_FETCH_ARTICLE_NEVER);
    assert_string_equal(c->feeds[1].name, "news");
    assert_string_equal(c->feeds[1].url, "https://example.org/news.xml");
    assert_int_equal(c->nplugins, 1);
    assert_int_equal(c->plugins[0].nkvs, 1);
    assert_string_equal(c->plugins[0].kvs[0].value, "9");
    wn_conf_free(c);
    wn_buf_free(&errors);
}

static void
conf_environment_alone_and_its_errors(void **state)
{
    struct wn_conf *c = NULL;
    struct wn_buf errors;

    (void) state;
    wn_buf_init(&errors, 65536);
    setenv("WINNOW_STORE_PATH", "/tmp/env.db", 1);
    setenv("WINNOW_FEED_X_URL", "https://example.org/x.xml", 1);
    assert_int_equal(wn_conf_load(NULL, &c, &errors), 0);
    assert_string_equal(c->store_path, "/tmp/env.db");
    assert_int_equal(c->nfeeds, 1);
    wn_conf_free(c);

    setenv("WINNOW_FETCH_COLOUR", "blue", 1);
    setenv("WINNOW_NOSUCH_THING", "1", 1);
    setenv("WINNOW_FETCH_MAX_BODY", "huge", 1);
    setenv("WINNOW_FEED_Y_FETCH_ARTICLE", "auto", 1);
    assert_int_equal(wn_conf_load(NULL, &c, &errors), WN_ECONFIG);
    unsetenv("WINNOW_STORE_PATH");
    unsetenv("WINNOW_FEED_X_URL");
    unsetenv("WINNOW_FETCH_COLOUR");
    unsetenv("WINNOW_NOSUCH_THING");
    unsetenv("WINNOW_FETCH_MAX_BODY");
    unsetenv("WINNOW_FEED_Y_FETCH_ARTICLE");
    assert_non_null(strstr(
        errors.data, "$WINNOW_FETCH_COLOUR: [fetch] colour: unknown key"));
    assert_non_null(strstr(errors.data, "$WINNOW_NOSUCH_THING: names no"));
    assert_non_null(strstr(errors.data, "$WINNOW_FETCH_MAX_BODY: [fetch] "
                                        "max_body: \"huge\" is not a size"));
    assert_non_null(
        strstr(errors.data, "$WINNOW_FEED_Y_URL: [feed:y] url: missing"));
    wn_conf_free(c);
    wn_buf_free(&errors);
}

static void
conf_secrets_come_from_files(void **state)
{
    struct wn_conf *c = NULL;
    struct wn_buf errors;
    char text[512];
    const char *ua = write_file("ua", "agent-from-file\n");
    const char *url = write_file("url", "https://example.org/secret.xml\n");

    (void) state;
    wn_buf_init(&errors, 65536);
    snprintf(text, sizeof(text),
             "[fetch]\nuser_agent_file = %s\n[feed:s]\nurl_file = %s\n", ua,
             url);
    assert_int_equal(wn_conf_load(write_conf(text), &c, &errors), 0);
    assert_string_equal(c->user_agent, "agent-from-file");
    assert_string_equal(c->feeds[0].url, "https://example.org/secret.xml");
    wn_conf_free(c);

    /* the environment's _FILE variant (for a plugin's key too), and a file
     * that is not there */
    setenv("WINNOW_FETCH_USER_AGENT_FILE", url, 1);
    setenv("WINNOW_PLUGIN_EXAMPLE_TOKEN_FILE", ua, 1);
    assert_int_equal(wn_conf_load(write_conf("[store]\n"
                                             "path_file = /nonexistent/p\n"),
                                  &c, &errors),
                     WN_ECONFIG);
    unsetenv("WINNOW_FETCH_USER_AGENT_FILE");
    unsetenv("WINNOW_PLUGIN_EXAMPLE_TOKEN_FILE");
    assert_string_equal(c->user_agent, "https://example.org/secret.xml");
    assert_int_equal(c->nplugins, 1);
    assert_string_equal(c->plugins[0].kvs[0].key, "token");
    assert_string_equal(c->plugins[0].kvs[0].value, "agent-from-file");
    assert_non_null(strstr(errors.data, ":2: [store] path_file: cannot read "
                                        "/nonexistent/p"));
    wn_conf_free(c);
    /* both spellings of one key are a duplicate */
    wn_buf_reset(&errors);
    snprintf(text, sizeof(text),
             "[fetch]\nuser_agent = a\nuser_agent_file = %s\n", ua);
    assert_int_equal(wn_conf_load(write_conf(text), &c, &errors), WN_ECONFIG);
    assert_non_null(strstr(errors.data, ":3: [fetch] user_agent: set twice"));
    wn_conf_free(c);
    wn_buf_free(&errors);
    unlink(ua);
    unlink(url);
}

/* ca_file: relative to the file's folder, in [fetch] and per feed (also
 * from the environment), and a file that cannot be read is an error. */
static void
conf_ca_files_are_resolved_and_checked(void **state)
{
    struct wn_conf *c = NULL;
    struct wn_buf errors;
    char text[512], rel[64], want[160];
    const char *ca = write_file("ca", "-----BEGIN CERTIFICATE-----\n");

    (void) state;
    wn_buf_init(&errors, 65536);
    snprintf(rel, sizeof(rel), "%s", strrchr(ca, '/') + 1);
    snprintf(text, sizeof(text),
             "[fetch]\nca_file = %s\n[feed:a]\nurl = https://a.example/f\n"
             "ca_file = %s\n[feed:b]\nurl = https://b.example/f\n",
             ca, rel);
    assert_int_equal(wn_conf_load(write_conf(text), &c, &errors), 0);
    assert_string_equal(c->ca_file, ca);
    assert_non_null(c->feeds[0].fetch);
    snprintf(want, sizeof(want), "/tmp/%s", rel); /* the file's folder */
    assert_string_equal(c->feeds[0].fetch->ca_file, want);
    assert_null(c->feeds[1].fetch);
    wn_conf_free(c);

    setenv("WINNOW_FETCH_CA_FILE", ca, 1);
    assert_int_equal(wn_conf_load(write_conf("[store]\n"), &c, &errors), 0);
    unsetenv("WINNOW_FETCH_CA_FILE");
    assert_string_equal(c->ca_file, ca);
    wn_conf_free(c);

    assert_int_equal(
        wn_conf_load(write_conf("[fetch]\nca_file = /nonexistent/ca.pem\n"
                                "[feed:a]\nurl = https://a.example/f\n"
                                "ca_file = /tmp\n"),
                     &c, &errors),
        WN_ECONFIG);
    assert_non_null(strstr(errors.data, ":2: [fetch] ca_file: /nonexistent/"
                                        "ca.pem: No such file or directory"));
    assert_non_null(strstr(errors.data, ":5: [feed:a] ca_file: /tmp: not a "
                                        "file"));
    wn_conf_free(c);
    wn_buf_free(&errors);
    unlink(ca);
}

/* Whatever test wrote the configuration file last, it goes. */
static int
remove_conf(void **state)
{
    (void) state;
    if (path[0] != '\0') {
        unlink(path);
    }
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conf_reads_keys_and_defaults),
        cmocka_unit_test(conf_reports_every_error_with_line_and_key),
        cmocka_unit_test(conf_keeps_long_values_whole),
        cmocka_unit_test(conf_reads_opml_and_date_keys),
        cmocka_unit_test(conf_names_a_missing_file),
        cmocka_unit_test(conf_value_parsers),
        cmocka_unit_test(conf_environment_overrides_file),
        cmocka_unit_test(conf_environment_alone_and_its_errors),
        cmocka_unit_test(conf_secrets_come_from_files),
        cmocka_unit_test(conf_ca_files_are_resolved_and_checked),
    };
    return cmocka_run_group_tests(tests, NULL, remove_conf);
}
