/*
 * test_wn_search.c: the search index's thread (wn_search.h) on a real
 * store, written around the store's API with plain SQL, as another
 * process (or a crash) would leave it: new, changed and deleted articles;
 * ids that come again after the newest articles were deleted; catching
 * up after a restart, batch by batch; an index made for another store; an
 * index that cannot be opened, or is full, reported and then resumed.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include <winnow/error.h>

#include "wn_search.h"
#include "wn_store.h"
#include "wn_test_db.h"

/* The test's store at the current schema, created by the store itself,
 * and a connection to it for writes. */
static sqlite3 *
store_create(void)
{
    sqlite3 *db;

    wn_store_close(wn_test_db_open());
    assert_int_equal(sqlite3_open(wn_test_db_path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static void
exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fail_msg("%s: %s", sql, msg);
    }
}

static int64_t
scalar(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v;

    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* An article row as the writer stores one; returns its id. */
static int64_t
put(sqlite3 *db, const char *url, const char *title, const char *text)
{
    sqlite3_stmt *st;

    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "INSERT INTO articles (url, title, text, words,"
                           "  paragraphs, hash, simhash, story, stored_at)"
                           " VALUES (?1, ?2, ?3, 1, 1, ?1, 0, ?1, 1)",
                           -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    return sqlite3_last_insert_rowid(db);
}

/* Searches the index file alone: rows matching `match`. */
static int64_t
hits(const char *match)
{
    char ipath[WN_TEST_DB_PATH_MAX + 16], sql[160];
    sqlite3 *db;
    int64_t n;

    snprintf(ipath, sizeof(ipath), "%s-search", wn_test_db_path);
    assert_int_equal(sqlite3_open(ipath, &db), SQLITE_OK);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH '%s'",
             match);
    n = scalar(db, sql);
    sqlite3_close(db);
    return n;
}

static struct wn_search *
start(void)
{
    struct wn_search *x = NULL;
    struct wn_err err;

    assert_int_equal(wn_search_start(wn_test_db_path, &x, &err), 0);
    return x;
}

static void
sync_ok(struct wn_search *x)
{
    struct wn_err err;

    if (wn_search_sync(x, &err) != 0) {
        fail_msg("sync: %s", err.msg);
    }
}

static void
search_follows_new_changed_and_deleted_articles(void **state)
{
    sqlite3 *db = store_create();
    struct wn_search *x = start();
    struct wn_search_stats st;
    int64_t walrus, heron;

    (void) state;
    walrus = put(db, "u1", "Walrus", "A walrus swam by the pier.");
    heron = put(db, "u2", "Heron", "A heron stood in the reeds.");
    put(db, "u3", "Otter", "An otter dived.");
    sync_ok(x);
    wn_test_db_assert_index(wn_test_db_path);
    assert_int_equal(hits("walrus"), 1);

    /* a rewritten and a deleted article: their entries follow */
    exec(db, "UPDATE articles SET text = 'A seal swam by the pier.'"
             " WHERE url = 'u1'");
    exec(db, "DELETE FROM articles WHERE url = 'u2'");
    sync_ok(x);
    wn_test_db_assert_index(wn_test_db_path);
    assert_int_equal(hits("walrus"), 1); /* the title still says it */
    assert_int_equal(hits("seal"), 1);
    assert_int_equal(hits("heron"), 0);
    wn_search_stats(x, &st);
    assert_int_equal(st.indexed, 3);
    assert_int_equal(st.resynced, 2);
    /* the applied change log is trimmed */
    assert_int_equal(scalar(db, "SELECT count(*) FROM search_dirty"), 0);
    assert_true(walrus < heron);
    wn_search_stop(x);
    sqlite3_close(db);
}

/* SQLite gives a new row the largest id + 1: deleting the newest
 * articles gives their ids out again, and those must count as new. */
static void
search_indexes_ids_given_out_again(void **state)
{
    sqlite3 *db = store_create();
    struct wn_search *x = start();
    int64_t id;

    (void) state;
    put(db, "u1", "One", "first text");
    put(db, "u2", "Two", "second text");
    id = put(db, "u3", "Three", "third text");
    sync_ok(x);
    /* deleted and indexed so, then the id comes again */
    exec(db, "DELETE FROM articles WHERE url = 'u3'");
    sync_ok(x);
    assert_int_equal(put(db, "u4", "Four", "walrus text"), id);
    sync_ok(x);
    wn_test_db_assert_index(wn_test_db_path);
    assert_int_equal(hits("walrus"), 1);
    /* deleted and given out again before the index saw either */
    exec(db, "DELETE FROM articles WHERE url = 'u4'");
    assert_int_equal(put(db, "u5", "Five", "otter text"), id);
    sync_ok(x);
    wn_test_db_assert_index(wn_test_db_path);
    assert_int_equal(hits("walrus"), 0);
    assert_int_equal(hits("otter"), 1);
    /* every article deleted: the next one is id 1 again */
    exec(db, "DELETE FROM articles");
    sync_ok(x);
    assert_int_equal(put(db, "u6", "Six", "heron text"), 1);
    sync_ok(x);
    wn_test_db_assert_index(wn_test_db_path);
    assert_int_equal(hits("heron"), 1);
    wn_search_stop(x);
    sqlite3_close(db);
}

/* What the store took while no indexer ran (a crash, a stop) is indexed
 * at the next start, in transactions of WN_SEARCH_BATCH. */
static void
search_catches_up_after_a_restart(void **state)
{
    sqlite3 *db = store_create();
    struct wn_search *x = start();
    struct wn_search_stats st;
    const int n = 2 * WN_SEARCH_BATCH + 5;
    char url[32];

    (void) state;
    sync_ok(x);
    wn_search_stop(x);
    exec(db, "BEGIN");
    for (int i = 0; i < n; i++) {
        snprintf(url, sizeof(url), "u%d", i);
        put(db, url, "Title", i == n - 1 ? "the last walrus" : "some text");
    }
    exec(db, "COMMIT");
    x = start();
    sync_ok(x);
    wn_search_stats(x, &st);
    assert_int_equal(st.indexed, n);
    assert_true(st.rounds >= 3);
    assert_int_equal(st.rebuilds, 0);
    wn_test_db_assert_index(wn_test_db_path);
    assert_int_equal(hits("walrus"), 1);
    wn_search_stop(x);
    sqlite3_close(db);
}

/* A store file replaced by another (a new one, another machine's backup)
 * has another key: the index starts again from its articles. */
static void
search_rebuilds_for_another_store(void **state)
{
    sqlite3 *db = store_create();
    struct wn_search *x = start();
    struct wn_search_stats st;
    char p[WN_TEST_DB_PATH_MAX + 8];

    (void) state;
    put(db, "u1", "Walrus", "A walrus.");
    put(db, "u2", "Heron", "A heron.");
    sync_ok(x);
    wn_search_stop(x);
    sqlite3_close(db);
    unlink(wn_test_db_path);
    snprintf(p, sizeof(p), "%s-wal", wn_test_db_path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", wn_test_db_path);
    unlink(p);

    /* A new store (its own indexer adopts the index file as it opens);
     * its first article has the id the walrus had. */
    db = store_create();
    assert_int_equal(put(db, "v1", "Otter", "An otter."), 1);
    x = start();
    sync_ok(x);
    wn_search_stats(x, &st);
    assert_int_equal(st.rebuilds, 0); /* already done */
    wn_test_db_assert_index(wn_test_db_path);
    assert_int_equal(hits("walrus"), 0);
    assert_int_equal(hits("otter"), 1);
    wn_search_stop(x);
    sqlite3_close(db);
}

/* An index file that cannot be made: sync says which and why; the
 * store takes articles as before. */
static void
search_reports_an_index_it_cannot_open(void **state)
{
    sqlite3 *db = store_create();
    struct wn_search *x;
    struct wn_store *s;
    struct wn_err err;
    char ipath[WN_TEST_DB_PATH_MAX + 16];

    (void) state;
    snprintf(ipath, sizeof(ipath), "%s-search", wn_test_db_path);
    unlink(ipath);
    assert_int_equal(mkdir(ipath, 0700), 0);
    x = start();
    assert_int_equal(wn_search_sync(x, &err), WN_ESTORE);
    assert_non_null(strstr(err.msg, ipath));
    assert_non_null(strstr(err.msg, "cannot open"));
    wn_search_stop(x);

    s = wn_test_db_open(); /* logs a warning, and works */
    put(db, "u1", "Walrus", "A walrus.");
    assert_int_equal(wn_store_search_sync(s, &err), WN_ESTORE);
    assert_int_equal(wn_store_begin(s, &err), 0);
    assert_int_equal(wn_store_commit(s, &err), 0);
    wn_store_close(s);
    rmdir(ipath);
    sqlite3_close(db);
}

/* A full index file (its cap, as a full disk would) falls behind, says
 * so, and catches up once there is room. */
static void
search_resumes_when_the_index_has_room_again(void **state)
{
    sqlite3 *db = store_create();
    struct wn_search *x = start();
    struct wn_err err;
    char url[32], text[4096];

    (void) state;
    sync_ok(x);
    wn_search_limit(x, 64 * 1024);
    exec(db, "BEGIN");
    for (int i = 0; i < 200; i++) {
        size_t o = 0;
        /* words that differ from article to article, so the index grows */
        while (o + 16 < sizeof(text)) {
            o +=
                (size_t) snprintf(text + o, sizeof(text) - o, "w%dx%zu ", i, o);
        }
        snprintf(url, sizeof(url), "u%d", i);
        put(db, url, "Title", text);
    }
    exec(db, "COMMIT");
    assert_int_equal(wn_search_sync(x, &err), WN_ESTORE);
    assert_non_null(strstr(err.msg, "-search"));
    assert_non_null(strstr(err.msg, "full"));

    wn_search_limit(x, 0);
    sync_ok(x);
    wn_test_db_assert_index(wn_test_db_path);
    wn_search_stop(x);
    sqlite3_close(db);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            search_follows_new_changed_and_deleted_articles, wn_test_db_setup,
            wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(search_indexes_ids_given_out_again,
                                        wn_test_db_setup, wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(search_catches_up_after_a_restart,
                                        wn_test_db_setup, wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(search_rebuilds_for_another_store,
                                        wn_test_db_setup, wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(search_reports_an_index_it_cannot_open,
                                        wn_test_db_setup, wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            search_resumes_when_the_index_has_room_again, wn_test_db_setup,
            wn_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
