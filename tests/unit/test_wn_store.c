/*
 * test_wn_store.c: the SQLite store: creation and schema version, feed
 * validators, idempotent items and articles, pending items, read-only use.
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
#include <sqlite3.h>

#include <winnow/error.h>

#include "wn_arena.h"
#include "wn_extract.h"
#include "wn_feed.h"
#include "wn_store.h"

static char dbpath[64];

static int
setup(void **state)
{
    (void) state;
    snprintf(dbpath, sizeof(dbpath), "/tmp/wn-test-store-%d.db",
             (int) getpid());
    unlink(dbpath);
    return 0;
}

static int
teardown(void **state)
{
    char p[80];

    (void) state;
    unlink(dbpath);
    snprintf(p, sizeof(p), "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", dbpath);
    unlink(p);
    return 0;
}

static struct wn_store *
open_store(void)
{
    struct wn_store *s = NULL;
    struct wn_err err;

    assert_int_equal(wn_store_open(dbpath, 0, &s, &err), 0);
    return s;
}

static struct wn_feed_item
item(const char *id, const char *link)
{
    struct wn_feed_item it;

    memset(&it, 0, sizeof(it));
    it.id = id;
    it.link = link;
    it.title = "A title";
    it.published = 1614169620;
    it.updated = WN_TIME_NONE;
    return it;
}

static struct wn_article *
article(const char *text)
{
    struct wn_article *a = calloc(1, sizeof(*a));

    assert_int_equal(wn_arena_create(&a->arena, 1 << 20), 0);
    a->text = wn_arena_strdup(a->arena, text);
    a->len = strlen(text);
    a->words = 3;
    a->paragraphs = 1;
    a->meta[WN_META_TITLE] = "T";
    a->meta[WN_META_PUBLISHED] = "2021-02-24T12:27:00Z";
    a->plugins = "generic/1";
    strcpy(a->hash, "00112233445566778899aabbccddeeff");
    return a;
}

static void
store_creates_schema_in_wal_mode(void **state)
{
    struct wn_store *s = open_store();
    sqlite3 *db;
    sqlite3_stmt *st;

    (void) state;
    wn_store_close(s);
    /* Opening again is a no-op migration. */
    wn_store_close(open_store());
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *) sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    assert_int_equal(
        sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), WN_STORE_SCHEMA_VERSION);
    sqlite3_finalize(st);
    /* A database from a newer winnowd is refused, not damaged. */
    assert_int_equal(
        sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    {
        struct wn_store *s2 = NULL;
        struct wn_err err;
        assert_int_equal(wn_store_open(dbpath, 0, &s2, &err), WN_ESTORE);
        assert_non_null(strstr(err.msg, "newer"));
        assert_non_null(strstr(err.msg, dbpath));
    }
}

static void
store_feed_keeps_validators_until_the_url_changes(void **state)
{
    struct wn_store *s = open_store();
    struct wn_store_feed f;
    struct wn_store_fetch rec;
    struct wn_err err;

    (void) state;
    assert_int_equal(
        wn_store_feed_sync(s, "news", "https://a.example/rss", &f, &err), 0);
    assert_null(f.etag);
    memset(&rec, 0, sizeof(rec));
    rec.feed_id = f.id;
    rec.ok = 1;
    rec.status = 200;
    rec.etag = "\"v1\"";
    rec.last_modified = "Wed, 24 Feb 2021 12:27:00 GMT";
    rec.next_fetch = 100;
    assert_int_equal(wn_store_feed_fetched(s, &rec, &err), 0);
    wn_store_feed_clear(&f);
    assert_int_equal(
        wn_store_feed_sync(s, "news", "https://a.example/rss", &f, &err), 0);
    assert_string_equal(f.etag, "\"v1\"");
    assert_int_equal(f.next_fetch, 100);
    wn_store_feed_clear(&f);
    /* An error keeps the validators and counts. */
    rec.ok = 0;
    rec.error = "http status 500";
    assert_int_equal(wn_store_feed_fetched(s, &rec, &err), 0);
    assert_int_equal(
        wn_store_feed_sync(s, "news", "https://a.example/rss", &f, &err), 0);
    assert_string_equal(f.etag, "\"v1\"");
    assert_int_equal(f.error_count, 1);
    wn_store_feed_clear(&f);
    /* A new URL is another document: forget its validators. */
    assert_int_equal(
        wn_store_feed_sync(s, "news", "https://b.example/rss", &f, &err), 0);
    assert_null(f.etag);
    assert_null(f.last_modified);
    wn_store_feed_clear(&f);
    wn_store_close(s);
}

static void
store_items_and_articles_are_stored_once(void **state)
{
    struct wn_store *s = open_store();
    struct wn_store_feed f;
    struct wn_store_counts c;
    struct wn_feed_item it = item("guid-1", "https://a.example/1");
    struct wn_article *a = article("Some stored text.");
    struct wn_err err;
    int want;

    (void) state;
    assert_int_equal(
        wn_store_feed_sync(s, "news", "https://a.example/rss", &f, &err), 0);
    assert_int_equal(
        wn_store_item_put(s, f.id, &it, "https://a.example/1", 1, &want, &err),
        1);
    assert_true(want);
    /* Seen again before its article is stored: known, still wanted. */
    assert_int_equal(
        wn_store_item_put(s, f.id, &it, "https://a.example/1", 2, &want, &err),
        0);
    assert_true(want);
    assert_int_equal(wn_store_article_put(s, a, "https://a.example/1",
                                          "https://a.example/1", 3, &err),
                     0);
    assert_int_equal(wn_store_article_put(s, a, "https://a.example/1",
                                          "https://a.example/1", 4, &err),
                     0);
    assert_int_equal(
        wn_store_item_put(s, f.id, &it, "https://a.example/1", 5, &want, &err),
        0);
    assert_false(want);
    assert_int_equal(wn_store_article_exists(s, "https://a.example/1", &err),
                     1);
    assert_int_equal(wn_store_article_exists(s, "https://a.example/2", &err),
                     0);
    assert_int_equal(wn_store_counts(s, &c, &err), 0);
    assert_int_equal(c.feeds, 1);
    assert_int_equal(c.items, 1);
    assert_int_equal(c.articles, 1);
    assert_int_equal(c.pending, 0);
    wn_article_free(a);
    wn_store_feed_clear(&f);
    wn_store_close(s);
}

static int
count_pending(const struct wn_store_pending *p, void *arg)
{
    (void) p;
    (*(int *) arg)++;
    return 0;
}

static void
store_failed_items_stop_being_pending_after_their_attempts(void **state)
{
    struct wn_store *s = open_store();
    struct wn_store_feed f;
    struct wn_feed_item it = item("guid-2", "https://a.example/2");
    struct wn_err err;
    int want, n = 0;

    (void) state;
    assert_int_equal(
        wn_store_feed_sync(s, "news", "https://a.example/rss", &f, &err), 0);
    assert_int_equal(
        wn_store_item_put(s, f.id, &it, "https://a.example/2", 1, &want, &err),
        1);
    assert_int_equal(wn_store_pending(s, 10, count_pending, &n, &err), 0);
    assert_int_equal(n, 1);
    for (int i = 0; i < WN_STORE_ITEM_ATTEMPTS; i++) {
        assert_int_equal(wn_store_item_failed(s, "https://a.example/2",
                                              "http status 500", &err),
                         0);
    }
    n = 0;
    assert_int_equal(wn_store_pending(s, 10, count_pending, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(
        wn_store_item_put(s, f.id, &it, "https://a.example/2", 2, &want, &err),
        0);
    assert_false(want);
    wn_store_feed_clear(&f);
    wn_store_close(s);
}

static void
store_read_only_open_needs_an_existing_current_database(void **state)
{
    struct wn_store *s = NULL;
    struct wn_err err;

    (void) state;
    assert_int_equal(
        wn_store_open("/nonexistent/dir/x.db", WN_STORE_READONLY, &s, &err),
        WN_ESTORE);
    assert_non_null(strstr(err.msg, "/nonexistent/dir/x.db"));
    assert_int_equal(wn_store_open("/nonexistent/dir/x.db", 0, &s, &err),
                     WN_ESTORE);
    assert_non_null(strstr(err.msg, "cannot open"));
}

/* The title the store holds for a feed's item, or "" (caller frees). */
static char *
stored_title(const char *guid, int *rows)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    char *title = NULL;

    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM items", -1,
                                        &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    *rows = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT title FROM items WHERE guid = ?",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, guid, -1, SQLITE_STATIC);
    title = strdup(sqlite3_step(st) == SQLITE_ROW
                       ? (const char *) sqlite3_column_text(st, 0)
                       : "");
    sqlite3_finalize(st);
    sqlite3_close(db);
    return title;
}

/* Identity (issue 3): an edited item is an update; a new GUID on the same
 * article URL and title is the same item. */
static void
store_edited_and_reguided_items_are_not_new(void **state)
{
    struct wn_store *s = open_store();
    struct wn_store_feed f;
    struct wn_feed_item it = item("guid-3", "https://a.example/3");
    struct wn_err err;
    char *title;
    int want, rows;

    (void) state;
    assert_int_equal(
        wn_store_feed_sync(s, "news", "https://a.example/rss", &f, &err), 0);
    assert_int_equal(
        wn_store_item_put(s, f.id, &it, "https://a.example/3", 1, &want, &err),
        1);
    it.title = "A corrected title";
    it.updated = 1614170000;
    assert_int_equal(
        wn_store_item_put(s, f.id, &it, "https://a.example/3", 2, &want, &err),
        0);
    title = stored_title("guid-3", &rows);
    assert_string_equal(title, "A corrected title");
    assert_int_equal(rows, 1);
    free(title);

    it.id = "guid-3-rotated";
    assert_int_equal(
        wn_store_item_put(s, f.id, &it, "https://a.example/3", 3, &want, &err),
        0);
    title = stored_title("guid-3-rotated", &rows);
    assert_string_equal(title, "A corrected title");
    assert_int_equal(rows, 1);
    free(title);

    /* Another item under the same URL but another title is new. */
    it.id = "guid-4";
    it.title = "Another story on the same page";
    assert_int_equal(
        wn_store_item_put(s, f.id, &it, "https://a.example/3", 4, &want, &err),
        1);
    free(stored_title("guid-4", &rows));
    assert_int_equal(rows, 2);
    wn_store_feed_clear(&f);
    wn_store_close(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(store_creates_schema_in_wal_mode, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            store_feed_keeps_validators_until_the_url_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(
            store_items_and_articles_are_stored_once, setup, teardown),
        cmocka_unit_test_setup_teardown(
            store_failed_items_stop_being_pending_after_their_attempts, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            store_read_only_open_needs_an_existing_current_database, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            store_edited_and_reguided_items_are_not_new, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
