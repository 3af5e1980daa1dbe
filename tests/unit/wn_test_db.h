/*
 * wn_test_db.h: a scratch SQLite store for unit tests: a path of its own
 * per test process, cmocka setup and teardown that remove it with the -wal
 * and -shm files SQLite leaves beside it, and opening it (a failure fails
 * the test).
 */
#ifndef WN_TEST_DB_H
#define WN_TEST_DB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include <winnow/error.h>

#include "wn_store.h"

#define WN_TEST_DB_PATH_MAX 80

/* The store, its search index (wn_search.h) and their -wal and -shm. */
static inline void
wn_test_db_remove(const char *path)
{
    static const char *const suffix[] = {
        "", "-wal", "-shm", "-search", "-search-wal", "-search-shm"
    };
    char p[WN_TEST_DB_PATH_MAX + 16];

    for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
        unlink(p);
    }
}

/* The store of this test program: the pid keeps programs that CTest runs
 * at once apart. */
static char wn_test_db_path[WN_TEST_DB_PATH_MAX];

/* cmocka setup and teardown: each test starts with no store and leaves
 * none behind. */
static inline int
wn_test_db_setup(void **state)
{
    (void) state;
    snprintf(wn_test_db_path, sizeof(wn_test_db_path), "/tmp/wn-test-db-%d.db",
             (int) getpid());
    wn_test_db_remove(wn_test_db_path);
    return 0;
}

static inline int
wn_test_db_teardown(void **state)
{
    (void) state;
    wn_test_db_remove(wn_test_db_path);
    return 0;
}

/* Opens (creating or upgrading) the test's store, or fails the test. */
static inline struct wn_store *
wn_test_db_open(void)
{
    struct wn_store *s = NULL;
    struct wn_err err;

    assert_int_equal(wn_store_open(wn_test_db_path, 0, &s, &err), 0);
    return s;
}

/* A wn_store_pending callback that counts the items into *(int *) arg. */
static inline int
wn_test_db_count_pending(const struct wn_store_pending *p, void *arg)
{
    (void) p;
    (*(int *) arg)++;
    return 0;
}

/*
 * The search index beside the store at `path` holds exactly the store's
 * articles, as the store holds them now (FTS5's own check, then every row
 * against the store's); through connections of its own.  Call once the
 * index is synced.
 */
static inline void
wn_test_db_assert_index(const char *path)
{
    char ipath[WN_TEST_DB_PATH_MAX + 16];
    sqlite3_stmt *st = NULL;
    sqlite3 *db;

    snprintf(ipath, sizeof(ipath), "%s-search", path);
    assert_int_equal(sqlite3_open(ipath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO articles_fts(articles_fts)"
                                  " VALUES ('integrity-check')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db, "ATTACH ?1 AS store", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "SELECT (SELECT count(*) FROM articles_fts)"
                           "  - (SELECT count(*) FROM store.articles),"
                           " (SELECT count(*) FROM store.articles a"
                           "   LEFT JOIN articles_fts f ON f.rowid = a.id"
                           "   WHERE f.rowid IS NULL OR f.title IS NOT a.title"
                           "     OR f.text IS NOT a.text)",
                           -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0); /* none extra */
    assert_int_equal(sqlite3_column_int(st, 1), 0); /* none missing or old */
    sqlite3_finalize(st);
    sqlite3_close(db);
}

#endif /* WN_TEST_DB_H */
