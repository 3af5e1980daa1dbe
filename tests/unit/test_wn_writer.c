/*
 * test_wn_writer.c: the batching writer on a real loop and a real SQLite
 * store: one transaction per batch, a failing operation undone alone (the
 * batch replayed op by op), every done callback run exactly once, the
 * queue drained on close, batches that never wait for the threadpool
 * or for the loop, and a full disk that keeps the writer not ready.
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
#include "wn_store.h"
#include "wn_test_db.h"
#include "wn_text.h"
#include "wn_time.h"
#include "wn_writer.h"

struct op {
    struct wn_write_op op;
    const char *name; /* the feed this op creates */
    int fail;         /* creates its feed, then fails */
    int first;        /* submitted with op.first */
    int runs;         /* times fn ran */
    int order;        /* when it last ran, counting from 1 */
    int done;         /* times done ran */
    /* When set, fn posts `started`, then waits for `gate` (once). */
    uv_sem_t *started, *gate;
};

static int ran;

static int
op_fn(struct wn_store *s, struct wn_write_op *wop, struct wn_err *err)
{
    struct op *o = wop->data;
    struct wn_store_feed f;
    char url[128];
    int rc;

    o->runs++;
    o->order = ++ran;
    if (o->gate != NULL) {
        uv_sem_t *gate = o->gate;
        o->gate = NULL;
        uv_sem_post(o->started);
        uv_sem_wait(gate);
    }
    snprintf(url, sizeof(url), "http://example.invalid/%s.xml", o->name);
    rc = wn_store_feed_sync(s, o->name, url, &f, err);
    if (rc == 0) {
        wn_store_feed_clear(&f);
    }
    if (rc == 0 && o->fail) {
        rc = wn_err_set(err, WN_EINVAL, "op %s fails on purpose", o->name);
    }
    return rc;
}

static void
op_done(struct wn_write_op *wop)
{
    struct op *o = wop->data;
    o->done++;
}

static int
has_feed_cb(const struct wn_store_feed_row *row, void *arg)
{
    const char **want = arg;
    if (strcmp(row->name, *want) == 0) {
        *want = NULL;
        return 1;
    }
    return 0;
}

static int
has_feed(struct wn_store *s, const char *name)
{
    struct wn_err err;
    const char *want = name;
    assert_true(wn_store_feeds(s, has_feed_cb, &want, &err) >= 0);
    return want == NULL;
}

static int closed;

static void
on_close(void *arg)
{
    (void) arg;
    closed++;
}

static void
run_batch(struct op *ops, size_t n, struct wn_writer_stats *st)
{
    uv_loop_t loop;
    struct wn_store *s = NULL;
    struct wn_writer *w = NULL;

    wn_test_db_remove(wn_test_db_path);
    assert_int_equal(uv_loop_init(&loop), 0);
    s = wn_test_db_open();
    assert_int_equal(wn_writer_init(&loop, s, 100, &w), 0);
    /* The first op starts a batch at once; the rest queue behind it and
     * form the second batch. */
    ran = 0;
    for (size_t i = 0; i < n; i++) {
        ops[i].op.fn = op_fn;
        ops[i].op.done = op_done;
        ops[i].op.data = &ops[i];
        ops[i].op.first = ops[i].first;
        wn_writer_submit(w, &ops[i].op);
    }
    assert_true(wn_writer_busy(w));
    uv_run(&loop, UV_RUN_DEFAULT);
    wn_writer_stats(w, st);
    closed = 0;
    wn_writer_close(w, on_close, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(closed, 1);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(ops[i].done, 1);
        assert_int_equal(has_feed(s, ops[i].name), !ops[i].fail);
        if (ops[i].fail) {
            assert_true(ops[i].op.rc < 0);
            assert_non_null(strstr(ops[i].op.err.msg, "on purpose"));
        } else {
            assert_int_equal(ops[i].op.rc, 0);
        }
    }
    wn_store_close(s);
    assert_int_equal(uv_loop_close(&loop), 0);
}

static void
writer_batches_without_savepoints_when_all_succeed(void **state)
{
    struct op ops[5] = { { .name = "a" },
                         { .name = "b" },
                         { .name = "c" },
                         { .name = "d" },
                         { .name = "e" } };
    struct wn_writer_stats st;

    (void) state;
    run_batch(ops, 5, &st);
    assert_int_equal(st.ops, 5);
    assert_int_equal(st.batches, 2);
    assert_int_equal(st.replays, 0);
    assert_int_equal(st.failed_ops, 0);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(ops[i].runs, 1);
    }
}

static void
writer_undoes_a_failing_op_alone(void **state)
{
    struct op ops[5] = { { .name = "a" },
                         { .name = "b" },
                         { .name = "c", .fail = 1 },
                         { .name = "d" },
                         { .name = "e" } };
    struct wn_writer_stats st;

    (void) state;
    run_batch(ops, 5, &st);
    assert_int_equal(st.ops, 5);
    assert_int_equal(st.failed_ops, 1);
    assert_int_equal(st.failed_batches, 0);
    /* the second batch (b..e) ran once without savepoints, then again op
     * by op; the first batch (a) once */
    assert_int_equal(st.replays, 1);
    assert_int_equal(ops[0].runs, 1);
    assert_int_equal(ops[1].runs, 2);
    assert_int_equal(ops[2].runs, 2);
    /* the op after the failing one did not run in the first pass */
    assert_int_equal(ops[3].runs, 1);
    assert_int_equal(ops[4].runs, 1);
}

static void
writer_runs_first_ops_ahead_of_the_queue(void **state)
{
    /* a starts a batch alone; the rest queue: c and e jump ahead of b
     * and d, in their own order */
    struct op ops[5] = { { .name = "a" },
                         { .name = "b" },
                         { .name = "c", .first = 1 },
                         { .name = "d" },
                         { .name = "e", .first = 1 } };
    struct wn_writer_stats st;

    (void) state;
    run_batch(ops, 5, &st);
    assert_int_equal(st.batches, 2);
    assert_int_equal(ops[0].order, 1);
    assert_int_equal(ops[2].order, 2);
    assert_int_equal(ops[4].order, 3);
    assert_int_equal(ops[1].order, 4);
    assert_int_equal(ops[3].order, 5);
}

/* Threadpool jobs that hold every pool thread until the write is done
 * (or a deadline passes). */
#define BUSY_JOBS       8
#define BUSY_DEADLINE_S 5

static volatile int write_done;
static int busy_finished_first;

static void
busy_work(uv_work_t *req)
{
    (void) req;
    for (int i = 0; i < BUSY_DEADLINE_S * 100 && !write_done; i++) {
        uv_sleep(10);
    }
}

static void
busy_after(uv_work_t *req, int status)
{
    (void) req;
    (void) status;
    busy_finished_first |= !write_done;
}

static void
busy_op_done(struct wn_write_op *wop)
{
    struct op *o = wop->data;
    o->done++;
    write_done = 1;
}

static void
writer_does_not_wait_for_the_threadpool(void **state)
{
    /* The writer is the one serial stage: a batch must not queue behind
     * cleaning jobs on libuv's threadpool.  Here the pool's threads are
     * all held by jobs that end only once the write is done. */
    uv_loop_t loop;
    uv_work_t busy[BUSY_JOBS];
    struct op o = { .name = "alone" };
    struct wn_store *s;
    struct wn_writer *w = NULL;

    (void) state;
    wn_test_db_remove(wn_test_db_path);
    assert_int_equal(uv_loop_init(&loop), 0);
    s = wn_test_db_open();
    assert_int_equal(wn_writer_init(&loop, s, 100, &w), 0);
    write_done = 0;
    busy_finished_first = 0;
    for (int i = 0; i < BUSY_JOBS; i++) {
        assert_int_equal(uv_queue_work(&loop, &busy[i], busy_work, busy_after),
                         0);
    }
    o.op.fn = op_fn;
    o.op.done = busy_op_done;
    o.op.data = &o;
    wn_writer_submit(w, &o.op);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(o.done, 1);
    assert_int_equal(o.op.rc, 0);
    assert_false(busy_finished_first);
    wn_writer_close(w, on_close, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    wn_store_close(s);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/* A timer callback holds the loop thread from before the first batch ends
 * until the second has run (or a deadline passes). */
static volatile int loop_held, second_ran;
static int loop_waited_in_vain;

static int
first_fn(struct wn_store *s, struct wn_write_op *wop, struct wn_err *err)
{
    for (int i = 0; i < BUSY_DEADLINE_S * 100 && !loop_held; i++) {
        uv_sleep(10);
    }
    return op_fn(s, wop, err);
}

static int
second_fn(struct wn_store *s, struct wn_write_op *wop, struct wn_err *err)
{
    int rc = op_fn(s, wop, err);
    second_ran = 1;
    return rc;
}

static void
hold_loop(uv_timer_t *t)
{
    (void) t;
    loop_held = 1;
    for (int i = 0; i < BUSY_DEADLINE_S * 100 && !second_ran; i++) {
        uv_sleep(10);
    }
    loop_waited_in_vain = !second_ran;
}

static void
writer_starts_the_next_batch_without_the_loop(void **state)
{
    /* The loop may be busy when a batch ends (curl, parsing, the last
     * batch's done callbacks): the thread must take the next batch itself,
     * not wait for the loop to hand it over. */
    uv_loop_t loop;
    uv_timer_t hold;
    struct op a = { .name = "a" }, b = { .name = "b" };
    struct wn_store *s;
    struct wn_writer *w = NULL;
    struct wn_writer_stats st;

    (void) state;
    wn_test_db_remove(wn_test_db_path);
    assert_int_equal(uv_loop_init(&loop), 0);
    s = wn_test_db_open();
    assert_int_equal(wn_writer_init(&loop, s, 100, &w), 0);
    loop_held = 0;
    second_ran = 0;
    loop_waited_in_vain = 0;
    assert_int_equal(uv_timer_init(&loop, &hold), 0);
    assert_int_equal(uv_timer_start(&hold, hold_loop, 0, 0), 0);
    a.op.fn = first_fn;
    a.op.done = op_done;
    a.op.data = &a;
    b.op.fn = second_fn;
    b.op.done = op_done;
    b.op.data = &b;
    wn_writer_submit(w, &a.op); /* a runs alone; b queues behind it */
    wn_writer_submit(w, &b.op);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_false(loop_waited_in_vain);
    assert_int_equal(a.done, 1);
    assert_int_equal(b.done, 1);
    assert_int_equal(b.op.rc, 0);
    wn_writer_stats(w, &st);
    assert_int_equal(st.batches, 2);
    assert_int_equal(st.queued, 0);
    assert_false(wn_writer_busy(w));
    closed = 0;
    wn_writer_close(w, on_close, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(closed, 1);
    assert_true(has_feed(s, "a"));
    assert_true(has_feed(s, "b"));
    uv_close((uv_handle_t *) &hold, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    wn_store_close(s);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/* A store limited to WN_TEST_FULL_MAX bytes, and a raw page far larger. */
#define WN_TEST_FULL_MAX  (2 << 20)
#define WN_TEST_FULL_PAGE (4 << 20)

/* Stores an article and a raw page too large for the store.  The page's
 * insert selects its article, a statement SQLite journals: on a full disk
 * it rolls back that statement and keeps the transaction, so the small
 * ops beside it still commit. */
static int
big_fn(struct wn_store *s, struct wn_write_op *wop, struct wn_err *err)
{
    static const char url[] = "http://example.invalid/big.html";
    static const char text[] = "a short article with a huge page";
    struct op *o = wop->data;
    struct wn_store_feed f;
    struct wn_store_page page;
    struct wn_feed_item it;
    struct wn_article *a;
    unsigned char *data;
    uint32_t x = 2463534242u;
    int want, rc;

    o->runs++;
    rc = wn_store_feed_sync(s, o->name, "http://example.invalid/big.xml", &f,
                            err);
    if (rc != 0) {
        return rc;
    }
    memset(&it, 0, sizeof(it));
    it.id = url;
    it.link = url;
    it.title = o->name;
    it.published = WN_TIME_NONE;
    it.updated = WN_TIME_NONE;
    rc = wn_store_item_put(s, f.id, &it, url, 1, &want, err);
    wn_store_feed_clear(&f);
    if (rc < 0) {
        return rc;
    }
    a = calloc(1, sizeof(*a));
    assert_non_null(a);
    assert_int_equal(wn_arena_create(&a->arena, 1 << 12), 0);
    a->text = text;
    a->len = sizeof(text) - 1;
    a->words = 7;
    a->paragraphs = 1;
    a->meta[WN_META_TITLE] = o->name;
    a->plugins = "generic/1";
    wn_text_hash(a->text, a->len, a->hash);
    rc = wn_store_article_put(s, a, url, NULL, 1, err);
    wn_article_free(a);
    if (rc != 0) {
        return rc;
    }
    data = malloc(WN_TEST_FULL_PAGE);
    assert_non_null(data);
    for (size_t i = 0; i < WN_TEST_FULL_PAGE; i++) { /* xorshift: no runs */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data[i] = (unsigned char) x;
    }
    page.content_type = "text/html";
    page.data = data;
    page.size = WN_TEST_FULL_PAGE;
    page.fetched_at = 1;
    rc = wn_store_page_put(s, url, &page, err);
    free(data);
    return rc;
}

/* Saves a feed whose name is too large for the store: a plain insert,
 * which on a full disk makes SQLite roll back the whole transaction. */
static int
big_feed_fn(struct wn_store *s, struct wn_write_op *wop, struct wn_err *err)
{
    struct op *o = wop->data;
    char *name = malloc(WN_TEST_FULL_PAGE + 1);
    struct wn_store_feed f;
    int rc;

    assert_non_null(name);
    memset(name, 'n', WN_TEST_FULL_PAGE);
    name[WN_TEST_FULL_PAGE] = '\0';
    o->runs++;
    rc = wn_store_feed_sync(s, name, "http://example.invalid/big.xml", &f, err);
    if (rc == 0) {
        wn_store_feed_clear(&f);
    }
    free(name);
    return rc;
}

static void
submit(struct wn_writer *w, struct op *o)
{
    if (o->op.fn == NULL) {
        o->op.fn = op_fn;
    }
    o->op.done = op_done;
    o->op.data = o;
    wn_writer_submit(w, &o->op);
}

static void
run_until_idle(uv_loop_t *loop, struct wn_writer *w, struct op *ops, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        submit(w, &ops[i]);
    }
    uv_run(loop, UV_RUN_DEFAULT);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(ops[i].done, 1);
    }
}

/*
 * Runs ops[0] (an op_fn op) in a batch of its own, then ops[1..n) in one
 * batch: they are submitted while ops[0] runs, held until they all are,
 * whatever the threads' timing.
 */
static void
run_first_alone(uv_loop_t *loop, struct wn_writer *w, struct op *ops, size_t n)
{
    uv_sem_t started, gate;

    assert_int_equal(uv_sem_init(&started, 0), 0);
    assert_int_equal(uv_sem_init(&gate, 0), 0);
    ops[0].started = &started;
    ops[0].gate = &gate;
    submit(w, &ops[0]);
    uv_sem_wait(&started);
    for (size_t i = 1; i < n; i++) {
        submit(w, &ops[i]);
    }
    uv_sem_post(&gate);
    uv_run(loop, UV_RUN_DEFAULT);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(ops[i].done, 1);
    }
    uv_sem_destroy(&gate);
    uv_sem_destroy(&started);
}

/* A writer on a store limited to WN_TEST_FULL_MAX bytes. */
struct full {
    uv_loop_t loop;
    struct wn_store *s;
    struct wn_writer *w;
};

static void
full_open(struct full *f)
{
    struct wn_err err;

    wn_test_db_remove(wn_test_db_path);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    f->s = wn_test_db_open();
    assert_int_equal(wn_store_limit(f->s, WN_TEST_FULL_MAX, &err), 0);
    f->w = NULL;
    assert_int_equal(wn_writer_init(&f->loop, f->s, 100, &f->w), 0);
}

static void
full_close(struct full *f)
{
    closed = 0;
    wn_writer_close(f->w, on_close, NULL);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(closed, 1);
    wn_store_close(f->s);
    assert_int_equal(uv_loop_close(&f->loop), 0);
}

static void
writer_stays_not_ready_while_the_disk_is_full(void **state)
{
    /* A full disk fails the big op of a batch; the small ops beside it
     * still fit and commit.  That commit must not make the writer ready:
     * only a batch with no write refused for want of space does. */
    struct full f;
    struct op batch[3] = { { .name = "a" },
                           { .name = "big", .op.fn = big_fn },
                           { .name = "c" } };
    struct op after = { .name = "d" };
    const char *why = NULL;

    (void) state;
    full_open(&f);
    assert_true(wn_writer_ready(f.w, &why));

    run_first_alone(&f.loop, f.w, batch, 3);
    assert_true(batch[1].op.rc < 0);
    assert_non_null(strstr(batch[1].op.err.msg, "(disk full)"));
    assert_int_equal(batch[0].op.rc, 0);
    assert_int_equal(batch[2].op.rc, 0);
    assert_true(has_feed(f.s, "c"));
    assert_false(wn_writer_ready(f.w, &why));
    assert_non_null(why);
    assert_non_null(strstr(why, "(disk full)"));

    run_until_idle(&f.loop, f.w, &after, 1);
    assert_int_equal(after.op.rc, 0);
    assert_true(wn_writer_ready(f.w, &why));
    assert_null(why);

    full_close(&f);
}

static void
writer_names_the_cause_when_sqlite_drops_the_transaction(void **state)
{
    /* After some failures SQLite rolls back the whole transaction: every
     * op of the batch is lost, and each says why (the full disk), not
     * that its savepoint has gone. */
    struct full f;
    struct op batch[3] = { { .name = "a" },
                           { .name = "big", .op.fn = big_feed_fn },
                           { .name = "c" } };
    const char *why = NULL;

    (void) state;
    full_open(&f);
    run_first_alone(&f.loop, f.w, batch, 3); /* a alone, then big and c */
    assert_int_equal(batch[0].op.rc, 0);
    for (int i = 1; i < 3; i++) {
        assert_true(batch[i].op.rc < 0);
        assert_non_null(strstr(batch[i].op.err.msg, "(disk full)"));
        assert_null(strstr(batch[i].op.err.msg, "savepoint"));
    }
    assert_false(has_feed(f.s, "c"));
    assert_false(wn_writer_ready(f.w, &why));

    full_close(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            writer_batches_without_savepoints_when_all_succeed,
            wn_test_db_setup, wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(writer_undoes_a_failing_op_alone,
                                        wn_test_db_setup, wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            writer_runs_first_ops_ahead_of_the_queue, wn_test_db_setup,
            wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(writer_does_not_wait_for_the_threadpool,
                                        wn_test_db_setup, wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            writer_starts_the_next_batch_without_the_loop, wn_test_db_setup,
            wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            writer_stays_not_ready_while_the_disk_is_full, wn_test_db_setup,
            wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            writer_names_the_cause_when_sqlite_drops_the_transaction,
            wn_test_db_setup, wn_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
