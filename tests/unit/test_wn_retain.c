/*
 * test_wn_retain.c: the retention timer of `run` on a real loop, writer
 * and SQLite store: a pass expires old articles (a feed's own keep_days
 * winning) and old raw pages, keeps the items so that the expired article
 * is fetched again neither when its feed lists it nor as pending, and
 * counts right when the writer replays the batch it ran in.
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

#include <winnow/error.h>

#include "wn_arena.h"
#include "wn_err.h"
#include "wn_extract.h"
#include "wn_feed.h"
#include "wn_page.h"
#include "wn_retain.h"
#include "wn_store.h"
#include "wn_test_db.h"
#include "wn_text.h"
#include "wn_time.h"
#include "wn_writer.h"

#define DAY 86400

static struct wn_feed_item
item(const char *id, const char *link)
{
    struct wn_feed_item it;

    memset(&it, 0, sizeof(it));
    it.id = id;
    it.link = link;
    it.title = id;
    it.published = WN_TIME_NONE;
    it.updated = WN_TIME_NONE;
    return it;
}

/* Stores an item and its article at `at`, with a raw page fetched at
 * page_at (none when 0). */
static void
put(struct wn_store *s, int64_t feed_id, const char *id, const char *url,
    const char *text, int64_t at, int64_t page_at)
{
    struct wn_feed_item it = item(id, url);
    struct wn_article *a = calloc(1, sizeof(*a));
    struct wn_err err;
    int want;

    assert_non_null(a);
    assert_int_equal(wn_store_item_put(s, feed_id, &it, url, at, &want, &err),
                     1);
    assert_true(want);
    assert_int_equal(wn_arena_create(&a->arena, 1 << 16), 0);
    a->text = wn_arena_strdup(a->arena, text);
    a->len = strlen(text);
    a->words = 8;
    a->paragraphs = 1;
    a->meta[WN_META_TITLE] = id;
    a->plugins = "generic/1";
    wn_text_hash(text, strlen(text), a->hash);
    assert_int_equal(wn_store_article_put(s, a, url, NULL, at, &err), 0);
    if (page_at != 0) {
        static const char html[] = "<html><p>kept page</p></html>";
        struct wn_store_page p;
        char *packed;
        size_t n;

        assert_int_equal(wn_page_pack(html, sizeof(html) - 1, &packed, &n), 0);
        p.content_type = "text/html";
        p.data = packed;
        p.size = n;
        p.fetched_at = page_at;
        assert_int_equal(wn_store_page_put(s, url, &p, &err), 0);
        free(packed);
    }
    wn_article_free(a);
}

/* An op that holds the writer so that what is queued meanwhile forms the
 * next batch. */
static int
slow_fn(struct wn_store *s, struct wn_write_op *op, struct wn_err *err)
{
    (void) s;
    (void) op;
    (void) err;
    uv_sleep(300);
    return 0;
}

struct run {
    struct wn_writer *w;
    struct wn_retain *r;
    struct wn_retain_stats rs;
    struct wn_writer_stats ws;
    struct wn_write_op slow, fail;
    uv_timer_t fail_timer;
    int closed;
};

/* Fails, so that its batch (the retention pass before it) is replayed. */
static int
fail_fn(struct wn_store *s, struct wn_write_op *op, struct wn_err *err)
{
    (void) s;
    (void) op;
    return wn_err_set(err, WN_EINVAL, "fails on purpose");
}

static void
on_writer_closed(void *arg)
{
    struct run *run = arg;
    run->closed = 1;
}

static void
fail_done(struct wn_write_op *op)
{
    struct run *run = op->data;

    assert_true(op->rc < 0);
    /* The pass before it in the batch has had its done callback. */
    wn_retain_stats(run->r, &run->rs);
    wn_writer_stats(run->w, &run->ws);
    wn_retain_close(run->r); /* the loop then runs out of work */
}

static void
noop_done(struct wn_write_op *op)
{
    (void) op;
}

static void
submit_fail(uv_timer_t *t)
{
    struct run *run = t->data;

    run->fail.fn = fail_fn;
    run->fail.done = fail_done;
    run->fail.data = run;
    wn_writer_submit(run->w, &run->fail);
    uv_close((uv_handle_t *) t, NULL);
}

static void
retain_expires_on_a_timer_through_the_writer(void **state)
{
    struct wn_store *s = wn_test_db_open();
    struct wn_store_feed fs, ff;
    struct wn_retain_opts ro;
    struct wn_store_counts c;
    struct run run;
    struct wn_err err;
    uv_loop_t loop;
    int64_t now = wn_time_now();
    int want, pending = 0;

    (void) state;
    assert_int_equal(
        wn_store_feed_sync(s, "short", "https://s.example/rss", &fs, &err), 0);
    assert_int_equal(
        wn_store_feed_sync(s, "forever", "https://f.example/rss", &ff, &err),
        0);
    assert_int_equal(wn_store_feed_keep(s, ff.id, 0, &err), 0);
    put(s, fs.id, "old", "https://s.example/old",
        "An old article about the harbour that its feed keeps two days.",
        now - 3 * DAY, 0);
    put(s, fs.id, "new", "https://s.example/new",
        "A new article about the market, whose raw page is forty days old.",
        now, now - 40 * DAY);
    put(s, ff.id, "kept", "https://f.example/kept",
        "An old article of a feed that keeps its articles for ever.",
        now - 3 * DAY, 0);
    wn_store_close(s);

    /* Batch 1: the slow op.  Meanwhile the timer queues a pass (20 ms)
     * and then the failing op (60 ms): batch 2 is [pass, failing op], run
     * once, rolled back and replayed op by op. */
    memset(&run, 0, sizeof(run));
    assert_int_equal(uv_loop_init(&loop), 0);
    s = wn_test_db_open();
    assert_int_equal(wn_writer_init(&loop, s, 100, &run.w), 0);
    run.slow.fn = slow_fn;
    run.slow.done = noop_done;
    wn_writer_submit(run.w, &run.slow);
    ro.every_ms = 20;
    ro.keep_days = 2;
    ro.keep_pages_days = 30;
    assert_int_equal(wn_retain_init(&loop, run.w, &ro, &run.r), 0);
    uv_timer_init(&loop, &run.fail_timer);
    run.fail_timer.data = &run;
    uv_timer_start(&run.fail_timer, submit_fail, 60, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    wn_writer_close(run.w, on_writer_closed, &run);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_true(run.closed);
    assert_int_equal(uv_loop_close(&loop), 0);

    assert_int_equal(run.rs.passes, 1);
    assert_int_equal(run.rs.failed, 0);
    assert_int_equal(run.rs.articles, 1);
    assert_int_equal(run.rs.pages, 1);
    /* The pass ran in batch 2 before the failing op, and counted right
     * after the replay. */
    assert_int_equal(run.ws.batches, 2);
    assert_int_equal(run.ws.replays, 1);
    assert_int_equal(run.ws.failed_ops, 1);

    assert_int_equal(wn_store_article_exists(s, "https://s.example/old", &err),
                     0);
    assert_int_equal(wn_store_article_exists(s, "https://s.example/new", &err),
                     1);
    assert_int_equal(wn_store_article_exists(s, "https://f.example/kept", &err),
                     1);
    /* The expired article's item stays known and wants nothing. */
    {
        struct wn_feed_item it = item("old", "https://s.example/old");
        want = 1;
        assert_int_equal(wn_store_item_put(s, fs.id, &it,
                                           "https://s.example/old", now, &want,
                                           &err),
                         0);
        assert_false(want);
    }
    assert_int_equal(
        wn_store_pending(s, 10, wn_test_db_count_pending, &pending, &err), 0);
    assert_int_equal(pending, 0);
    assert_int_equal(wn_store_counts(s, &c, &err), 0);
    assert_int_equal(c.items, 3);
    assert_int_equal(c.articles, 2);
    assert_int_equal(c.pending, 0);
    wn_store_feed_clear(&fs);
    wn_store_feed_clear(&ff);
    wn_store_close(s);
}

struct chunks {
    struct wn_retain *r;
    struct wn_retain_stats rs; /* when the backlog was gone */
    uv_timer_t poll;
};

static void
chunks_poll(uv_timer_t *t)
{
    struct chunks *c = t->data;

    wn_retain_stats(c->r, &c->rs);
    if (c->rs.articles >= 5 || c->rs.passes >= 10) {
        wn_retain_close(c->r);
        uv_close((uv_handle_t *) t, NULL);
    }
}

/* A backlog goes in chunks, one pass each, each its own write op. */
static void
retain_takes_a_backlog_in_chunks(void **state)
{
    struct wn_store *s = wn_test_db_open();
    struct wn_writer *w = NULL;
    struct wn_store_feed f;
    struct wn_retain_opts ro;
    struct wn_writer_stats ws;
    struct wn_store_counts c;
    struct chunks ch;
    struct wn_err err;
    uv_loop_t loop;
    int64_t now = wn_time_now();

    (void) state;
    assert_int_equal(
        wn_store_feed_sync(s, "short", "https://s.example/rss", &f, &err), 0);
    for (int i = 0; i < 6; i++) {
        char id[16], url[64], text[128];
        snprintf(id, sizeof(id), "a%d", i);
        snprintf(url, sizeof(url), "https://s.example/%d", i);
        snprintf(text, sizeof(text),
                 "Article number %d of the backlog, with words of its own "
                 "%d %d.",
                 i, i * 7, i * 13);
        /* five old ones, the last one new */
        put(s, f.id, id, url, text, i < 5 ? now - 3 * DAY : now, 0);
    }
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(wn_writer_init(&loop, s, 100, &w), 0);
    ro.every_ms = 10;
    ro.keep_days = 2;
    ro.keep_pages_days = 30;
    ro.chunk = 2;
    assert_int_equal(wn_retain_init(&loop, w, &ro, &ch.r), 0);
    uv_timer_init(&loop, &ch.poll);
    ch.poll.data = &ch;
    uv_timer_start(&ch.poll, chunks_poll, 1, 1);
    uv_run(&loop, UV_RUN_DEFAULT);
    wn_writer_stats(w, &ws);
    wn_writer_close(w, NULL, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    /* 2 + 2 + 1, a pass each */
    assert_int_equal(ch.rs.articles, 5);
    assert_true(ch.rs.passes >= 3);
    assert_int_equal(ch.rs.failed, 0);
    assert_int_equal(ws.failed_ops, 0);
    assert_int_equal(wn_store_counts(s, &c, &err), 0);
    assert_int_equal(c.articles, 1);
    assert_int_equal(c.pending, 0);
    wn_store_feed_clear(&f);
    wn_store_close(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            retain_expires_on_a_timer_through_the_writer, wn_test_db_setup,
            wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(retain_takes_a_backlog_in_chunks,
                                        wn_test_db_setup, wn_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
