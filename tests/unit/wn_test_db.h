/*
 * wn_test_db.h: a scratch SQLite store for unit tests: a path of its own
 * per test program and process, opening it (a failure fails the test), and
 * its removal with the -wal and -shm files SQLite leaves beside it.
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

/* Names a fresh store for the test program `what`; nothing is left there. */
static inline void
wn_test_db_fresh(char path[WN_TEST_DB_PATH_MAX], const char *what)
{
    snprintf(path, WN_TEST_DB_PATH_MAX, "/tmp/wn-test-%s-%d.db", what,
             (int) getpid());
    wn_test_db_remove(path);
}

/* Opens (creating or upgrading) the store at path, or fails the test. */
static inline struct wn_store *
wn_test_db_open(const char *path)
{
    struct wn_store *s = NULL;
    struct wn_err err;

    assert_int_equal(wn_store_open(path, 0, &s, &err), 0);
    return s;
}

#endif /* WN_TEST_DB_H */
