/*
 * test_wn_sink.c: a stored article becomes one JSON Lines record with its
 * metadata and text; the JSON Lines sink writes nothing until the batch is
 * committed (flush) and then whole lines, also into a pipe whose reader is
 * slow, where it says it is full instead of blocking; the progress line
 * says feeds done of total.
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
#include <jansson.h>

#include "wn_conf.h"
#include "wn_extract.h"
#include "wn_progress.h"
#include "wn_sink.h"

static void
article(struct wn_article *a)
{
    static const char *tags[] = { "iraq", "rockets" };

    memset(a, 0, sizeof(*a));
    a->text = "First paragraph.\n\nSecond \"quoted\" one.";
    a->len = strlen(a->text);
    a->words = 5;
    a->meta[WN_META_TITLE] = "Rockets hit base";
    a->meta[WN_META_PUBLISHED] = "Sun, 04 Apr 2021 16:27:42 +0000";
    a->meta[WN_META_LANG] = "en";
    a->plugins = "rules/1.0 generic/1.2";
    a->tags = tags;
    a->ntags = 2;
    snprintf(a->hash, sizeof(a->hash), "abc123");
}

static void
record_carries_metadata_and_text(void **state)
{
    struct wn_article a;
    struct wn_buf b;
    json_t *o;
    json_error_t e;

    (void) state;
    article(&a);
    wn_buf_init(&b, 1u << 20);
    assert_int_equal(wn_sink_record("demo", "https://ex.com/a", &a, 1617553662,
                                    &b),
                     0);
    assert_null(strchr(b.data, '\n')); /* one line */
    o = json_loads(b.data, 0, &e);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "url")),
                        "https://ex.com/a");
    assert_string_equal(json_string_value(json_object_get(o, "feed")), "demo");
    assert_string_equal(json_string_value(json_object_get(o, "title")),
                        "Rockets hit base");
    assert_string_equal(json_string_value(json_object_get(o, "published")),
                        "2021-04-04T16:27:42Z");
    assert_string_equal(json_string_value(json_object_get(o, "text")), a.text);
    assert_true(json_is_null(json_object_get(o, "author")));
    assert_int_equal(json_array_size(json_object_get(o, "plugins")), 2);
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(o, "plugins"), 1)),
                        "generic/1.2");
    assert_int_equal(json_array_size(json_object_get(o, "tags")), 2);
    assert_string_equal(json_string_value(json_object_get(o, "stored_at")),
                        "2021-04-04T16:27:42Z");
    json_decref(o);
    wn_buf_free(&b);
}

static size_t
file_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;
    int c;

    assert_non_null(f);
    while ((c = fgetc(f)) != EOF) {
        n += c == '\n';
    }
    fclose(f);
    return n;
}

static void
closed_cb(void *arg)
{
    *(int *) arg = 1;
}

static void
jsonl_writes_whole_batches(void **state)
{
    char path[] = "/tmp/wn-test-sink-XXXXXX", root[] = "/";
    struct wn_sinks *set;
    struct wn_conf conf;
    struct wn_article a;
    struct wn_err err;
    uv_loop_t loop;
    int fd = mkstemp(path), closed = 0;

    (void) state;
    assert_true(fd >= 0);
    close(fd);
    memset(&conf, 0, sizeof(conf));
    conf.sink_jsonl = path;
    conf.dir = root;
    uv_loop_init(&loop);
    assert_int_equal(wn_sinks_open(&loop, &conf, &set, &err), 0);
    article(&a);
    wn_sinks_article(set, "demo", "https://ex.com/1", &a);
    wn_sinks_article(set, "demo", "https://ex.com/2", &a);
    assert_int_equal(wn_sinks_queued(set), 2);
    assert_int_equal(file_lines(path), 0); /* not before the commit */
    wn_sinks_flush(set);
    uv_run(&loop, UV_RUN_DEFAULT); /* the write runs on the threadpool */
    assert_int_equal(file_lines(path), 2);
    assert_int_equal(wn_sinks_queued(set), 0);
    assert_false(wn_sinks_full(set));
    assert_int_equal(wn_sinks_space(set), SIZE_MAX); /* bound in bytes */
    wn_sinks_article(set, "demo", "https://ex.com/3", &a);
    wn_sinks_close(set, 1000, closed_cb, &closed); /* flushes the rest */
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_true(closed);
    assert_int_equal(file_lines(path), 3);
    assert_int_equal(uv_loop_close(&loop), 0);
    unlink(path);
}

/* stdout is a pipe nobody reads: the sink fills, the loop never blocks,
 * and the stop bound gives up on what the reader did not take. */
static void
jsonl_pipe_full_then_stop_bound(void **state)
{
    struct wn_sinks *set;
    struct wn_conf conf;
    struct wn_article a;
    struct wn_err err;
    uv_loop_t loop;
    int fds[2], saved = dup(STDOUT_FILENO), closed = 0, batches = 0;
    char dash[] = "-", root[] = "/";
    uint64_t t0;

    (void) state;
    assert_int_equal(pipe(fds), 0);
    assert_true(dup2(fds[1], STDOUT_FILENO) >= 0);
    close(fds[1]);
    memset(&conf, 0, sizeof(conf));
    conf.sink_jsonl = dash;
    conf.dir = root;
    uv_loop_init(&loop);
    assert_int_equal(wn_sinks_open(&loop, &conf, &set, &err), 0);
    article(&a);
    t0 = uv_hrtime();
    while (!wn_sinks_full(set) && batches < 100000) {
        for (int i = 0; i < 100; i++) {
            wn_sinks_article(set, "demo", "https://ex.com/x", &a);
        }
        wn_sinks_flush(set);
        uv_run(&loop, UV_RUN_NOWAIT);
        batches++;
    }
    assert_true(wn_sinks_full(set));
    assert_int_equal(wn_sinks_space(set), 0);
    assert_true(wn_sinks_queued(set) > 0);
    /* Nothing blocked: filling took well under the time a blocked write
     * would hang (for ever). */
    assert_true(uv_hrtime() - t0 < 20000000000ull);
    wn_sinks_close(set, 50, closed_cb, &closed);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_true(closed);
    assert_int_equal(uv_loop_close(&loop), 0);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    close(fds[0]);
}

static void
no_sinks_is_an_empty_set(void **state)
{
    struct wn_sinks *set;
    struct wn_conf conf;
    struct wn_article a;
    struct wn_err err;
    uv_loop_t loop;
    int closed = 0;

    (void) state;
    memset(&conf, 0, sizeof(conf));
    uv_loop_init(&loop);
    assert_int_equal(wn_sinks_open(&loop, &conf, &set, &err), 0);
    article(&a);
    wn_sinks_article(set, "demo", "https://ex.com/1", &a);
    assert_int_equal(wn_sinks_queued(set), 0);
    assert_false(wn_sinks_full(NULL));
    assert_int_equal(wn_sinks_space(NULL), SIZE_MAX);
    assert_int_equal(wn_sinks_space(set), SIZE_MAX);
    wn_sinks_close(set, 0, closed_cb, &closed);
    assert_true(closed);
    uv_loop_close(&loop);
}

static void
webhook_url_must_be_http(void **state)
{
    char url[] = "ftp://example.com/hook";
    struct wn_sinks *set;
    struct wn_conf conf;
    struct wn_err err;
    uv_loop_t loop;

    (void) state;
    memset(&conf, 0, sizeof(conf));
    conf.webhook_url = url;
    uv_loop_init(&loop);
    assert_int_not_equal(wn_sinks_open(&loop, &conf, &set, &err), 0);
    assert_non_null(strstr(err.msg, "[sink] webhook_url"));
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/* The webhook's room is counted in records: taken ones use it up, before
 * and after the commit, until the receiver says 2xx. */
static void
webhook_space_counts_records(void **state)
{
    char url[] = "http://127.0.0.1:9/hook"; /* discard port: nobody answers */
    struct wn_sinks *set;
    struct wn_conf conf;
    struct wn_article a;
    struct wn_err err;
    uv_loop_t loop;
    int closed = 0;

    (void) state;
    memset(&conf, 0, sizeof(conf));
    conf.webhook_url = url;
    conf.webhook_queue = 3;
    conf.webhook_batch = 10;
    conf.webhook_timeout = 1000;
    conf.webhook_retry_min = 60000;
    conf.webhook_retry_max = 60000;
    uv_loop_init(&loop);
    assert_int_equal(wn_sinks_open(&loop, &conf, &set, &err), 0);
    assert_int_equal(wn_sinks_space(set), 3);
    article(&a);
    wn_sinks_article(set, "demo", "https://ex.com/1", &a);
    assert_int_equal(wn_sinks_space(set), 2);
    wn_sinks_flush(set);
    uv_run(&loop, UV_RUN_NOWAIT);
    /* a POST sent, or already failed and waiting to retry: not delivered */
    assert_int_equal(wn_sinks_space(set), 2);
    wn_sinks_article(set, "demo", "https://ex.com/2", &a);
    assert_false(wn_sinks_full(set));
    wn_sinks_article(set, "demo", "https://ex.com/3", &a);
    assert_int_equal(wn_sinks_space(set), 0);
    assert_true(wn_sinks_full(set));
    wn_sinks_close(set, 0, closed_cb, &closed);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_true(closed);
    assert_int_equal(uv_loop_close(&loop), 0);
}

static void
progress_line(void **state)
{
    struct wn_progress_counts c = { 12, 120, 35, 2, 3 };
    char buf[256];

    (void) state;
    wn_progress_format(40, &c, buf, sizeof(buf));
    assert_string_equal(buf, "12/40 feeds, 120 new items, 35 articles, 2 "
                             "errors, 3 in flight");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(record_carries_metadata_and_text),
        cmocka_unit_test(jsonl_writes_whole_batches),
        cmocka_unit_test(jsonl_pipe_full_then_stop_bound),
        cmocka_unit_test(no_sinks_is_an_empty_set),
        cmocka_unit_test(webhook_url_must_be_http),
        cmocka_unit_test(webhook_space_counts_records),
        cmocka_unit_test(progress_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
