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

#include <winnow/error.h>

#include "wn_store.h"

#define WN_TEST_DB_PATH_MAX 80

static inline void
wn_test_db_remove(const char *path)
{
    char p[WN_TEST_DB_PATH_MAX + 8];

    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
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

#endif /* WN_TEST_DB_H */
