/*
 * test_wn_checkpoint.c: WAL checkpoints on the checkpointer's thread, on a
 * real SQLite database: past bg_pages the thread copies the WAL back while
 * the committing connection does not; past fg_pages the committing
 * connection finishes the job, so the WAL starts again and stays bounded
 * however long writing goes on; detaching ends the thread and leaves a
 * whole database.
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
#include <uv.h>

#include "wn_checkpoint.h"

#define BG_PAGES 64
#define FG_PAGES 512
/* One transaction: ROWS rows of ROW_BYTES, about 13 pages of 4 KB. */
#define ROWS      12
#define ROW_BYTES 4000
#define WAIT_MS   5000

static char path[64];

static void
remove_db(void)
{
    char p[80];

    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
}

static int
setup(void **state)
{
    (void) state;
    snprintf(path, sizeof(path), "/tmp/wn-test-ckpt-%d.db", (int) getpid());
    remove_db();
    return 0;
}

static int
teardown(void **state)
{
    (void) state;
    remove_db();
    return 0;
}

static sqlite3 *
open_wal(void)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "PRAGMA journal_mode = WAL;"
                                  "PRAGMA synchronous = NORMAL;"
                                  "CREATE TABLE IF NOT EXISTS t (v BLOB);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    return db;
}

static void
write_txn(sqlite3 *db)
{
    char sql[256];

    snprintf(sql, sizeof(sql),
             "BEGIN;"
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
             " WHERE i < %d) INSERT INTO t SELECT randomblob(%d) FROM n;"
             "COMMIT;",
             ROWS, ROW_BYTES);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
}

static long long
file_size(const char *suffix)
{
    char p[80];
    struct stat st;

    snprintf(p, sizeof(p), "%s%s", path, suffix);
    return stat(p, &st) == 0 ? (long long) st.st_size : -1;
}

static void
background_copies_and_the_wal_stays_bounded(void **state)
{
    sqlite3 *db = open_wal();
    struct wn_checkpointer *c = NULL;
    struct wn_checkpoint_stats st;
    long long db_before, wal_max = 0;
    int n = 0;

    (void) state;
    assert_int_equal(wn_checkpoint_attach(db, path, BG_PAGES, FG_PAGES, &c), 0);
    db_before = file_size("");
    /* Past bg_pages, not yet fg_pages: the thread copies, not us. */
    while (n * ROWS < BG_PAGES + ROWS) {
        write_txn(db);
        n++;
    }
    for (int ms = 0; ms < WAIT_MS; ms += 10) {
        wn_checkpoint_stats(c, &st);
        if (st.background > 0) {
            break;
        }
        uv_sleep(10);
    }
    wn_checkpoint_stats(c, &st);
    assert_true(st.background > 0);
    assert_int_equal(st.foreground, 0);
    assert_true(file_size("") > db_before); /* the pages went back */

    /* Ten WALs' worth of writing: the commit that takes the WAL past
     * fg_pages copies the rest back, and the next one starts it again, so
     * its file never holds much more than fg_pages, not ten times it. */
    for (int i = 0; i < 10 * FG_PAGES / ROWS; i++) {
        long long w;
        write_txn(db);
        w = file_size("-wal");
        wal_max = w > wal_max ? w : wal_max;
    }
    wn_checkpoint_stats(c, &st);
    assert_true(st.foreground > 0);
    assert_true(wal_max < (FG_PAGES + 2LL * ROWS + 8) * (4096 + 24));

    wn_checkpoint_detach(c);
    {
        sqlite3_stmt *q;
        assert_int_equal(
            sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL),
            SQLITE_OK);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        assert_string_equal((const char *) sqlite3_column_text(q, 0), "ok");
        sqlite3_finalize(q);
    }
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    assert_int_equal(file_size("-wal"), -1); /* the last close removed it */
}

static void
detach_before_any_checkpoint(void **state)
{
    sqlite3 *db = open_wal();
    struct wn_checkpointer *c = NULL;
    struct wn_checkpoint_stats st;

    (void) state;
    assert_int_equal(wn_checkpoint_attach(db, path, BG_PAGES, FG_PAGES, &c), 0);
    write_txn(db); /* below bg_pages: no thread */
    wn_checkpoint_stats(c, &st);
    assert_int_equal(st.background + st.foreground, 0);
    wn_checkpoint_detach(c);
    wn_checkpoint_detach(NULL);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            background_copies_and_the_wal_stays_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(detach_before_any_checkpoint, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
