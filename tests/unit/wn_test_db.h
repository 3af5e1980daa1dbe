/*
 * wn_test_db.h: a scratch SQLite store for unit tests: a path of its own
 * per test program and process, and its removal with the -wal and -shm
 * files SQLite leaves beside it.
 */
#ifndef WN_TEST_DB_H
#define WN_TEST_DB_H

#include <stdio.h>
#include <unistd.h>

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

#endif /* WN_TEST_DB_H */
