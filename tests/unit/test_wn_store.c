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
#include "wn_cmd.h"
#include "wn_extract.h"
#include "wn_feed.h"
#include "wn_store.h"
#include "wn_test_db.h"
#include "wn_text.h"

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
    struct wn_store *s = wn_test_db_open();
    sqlite3 *db;
    sqlite3_stmt *st;

    (void) state;
    wn_store_close(s);
    /* Opening again is a no-op migration. */
    wn_store_close(wn_test_db_open());
    assert_int_equal(sqlite3_open(wn_test_db_path, &db), SQLITE_OK);
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
    /* The search index is in a file of its own (schema 8), with its
     * write settings in its config. */
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(*) FROM sqlite_schema"
                                        " WHERE name LIKE 'articles_fts%'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    {
        char ipath[WN_TEST_DB_PATH_MAX + 16];
        sqlite3 *idb;
        snprintf(ipath, sizeof(ipath), "%s-search", wn_test_db_path);
        assert_int_equal(sqlite3_open(ipath, &idb), SQLITE_OK);
        assert_int_equal(
            sqlite3_prepare_v2(idb,
                               "SELECT group_concat(k || '=' || v, ',') FROM"
                               " (SELECT k, v FROM articles_fts_config"
                               "  WHERE k IN ('automerge', 'hashsize', 'pgsz')"
                               "  ORDER BY k)",
                               -1, &st, NULL),
            SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *) sqlite3_column_text(st, 0),
                            "automerge=8,hashsize=4194304,pgsz=4050");
        sqlite3_finalize(st);
        sqlite3_close(idb);
    }
    /* A database from a newer winnowd is refused, not damaged. */
    assert_int_equal(
        sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    {
        struct wn_store *s2 = NULL;
        struct wn_err err;
        assert_int_equal(wn_store_open(wn_test_db_path, 0, &s2, &err),
                         WN_ESTORE);
        assert_non_null(strstr(err.msg, "newer"));
        assert_non_null(strstr(err.msg, wn_test_db_path));
    }
}

static void
store_feed_keeps_validators_until_the_url_changes(void **state)
{
    struct wn_store *s = wn_test_db_open();
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

/* Skip hours and days, the interval and the error class come back after
 * a reopen (a restart), so that a feed answered 304 keeps them. */
static void
store_feed_schedule_state_survives_a_reopen(void **state)
{
    struct wn_store *s = wn_test_db_open();
    struct wn_store_feed f;
    struct wn_store_fetch rec;
    struct wn_err err;
    const uint32_t hours = (1u << 0) | (1u << 13) | (1u << 23);

    (void) state;
    assert_int_equal(
        wn_store_feed_sync(s, "news", "https://a.example/rss", &f, &err), 0);
    assert_int_equal(f.skip_hours, 0);
    assert_int_equal(f.skip_days, 0);
    assert_null(f.error_class);
    memset(&rec, 0, sizeof(rec));
    rec.feed_id = f.id;
    rec.ok = 1;
    rec.status = 200;
    rec.next_fetch = 100;
    rec.interval = 5400;
    rec.skip_hours = hours;
    rec.skip_days = (1u << 0) | (1u << 6);
    assert_int_equal(wn_store_feed_fetched(s, &rec, &err), 0);
    /* a failure keeps them and records its class */
    rec.ok = 0;
    rec.status = 429;
    rec.error = "http status 429, Retry-After 120 s";
    rec.error_class = "rate-limited";
    rec.skip_hours = 0;
    rec.skip_days = 0;
    assert_int_equal(wn_store_feed_fetched(s, &rec, &err), 0);
    wn_store_feed_clear(&f);
    wn_store_close(s);

    s = wn_test_db_open();
    assert_int_equal(
        wn_store_feed_sync(s, "news", "https://a.example/rss", &f, &err), 0);
    assert_int_equal(f.skip_hours, hours);
    assert_int_equal(f.skip_days, (1u << 0) | (1u << 6));
    assert_int_equal(f.interval, 5400);
    assert_string_equal(f.error_class, "rate-limited");
    /* a good fetch (a 304 after the restart passes what it kept) clears the
     * class and stores the hours it is given */
    rec.ok = 1;
    rec.status = 304;
    rec.skip_hours = 1u << 5;
    rec.skip_days = 0;
    assert_int_equal(wn_store_feed_fetched(s, &rec, &err), 0);
    wn_store_feed_clear(&f);
    assert_int_equal(
        wn_store_feed_sync(s, "news", "https://a.example/rss", &f, &err), 0);
    assert_null(f.error_class);
    assert_int_equal(f.skip_hours, 1u << 5);
    assert_int_equal(f.skip_days, 0);
    wn_store_feed_clear(&f);
    wn_store_close(s);
}

static void
store_items_and_articles_are_stored_once(void **state)
{
    struct wn_store *s = wn_test_db_open();
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

static void
store_failed_items_stop_being_pending_after_their_attempts(void **state)
{
    struct wn_store *s = wn_test_db_open();
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
    assert_int_equal(
        wn_store_pending(s, 10, wn_test_db_count_pending, &n, &err), 0);
    assert_int_equal(n, 1);
    for (int i = 0; i < WN_STORE_ITEM_ATTEMPTS; i++) {
        assert_int_equal(wn_store_item_failed(s, "https://a.example/2",
                                              "http status 500", &err),
                         0);
    }
    n = 0;
    assert_int_equal(
        wn_store_pending(s, 10, wn_test_db_count_pending, &n, &err), 0);
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

static int
count_hits(const struct wn_store_hit *h, void *arg)
{
    int *n = arg;
    (void) h;
    (*n)++;
    return 0;
}

static int
first_hit(const struct wn_store_hit *h, void *arg)
{
    char *out = arg;
    snprintf(out, 256, "%s|%s", h->url, h->snippet);
    return 1;
}

static int
search_n(struct wn_store *s, const char *match, const char *feed,
         const char *site)
{
    struct wn_store_query q;
    struct wn_err err;
    int n = 0;

    memset(&q, 0, sizeof(q));
    q.match = match;
    q.feed = feed;
    q.site = site;
    q.since = q.until = WN_TIME_NONE;
    assert_true(wn_store_search(s, &q, count_hits, &n, &err) >= 0);
    return n;
}

static void
store_upgrades_a_schema_1_database_in_place(void **state)
{
    char *sql = NULL;
    size_t len;
    sqlite3 *db;
    struct wn_store *s;
    struct wn_store_counts c;
    struct wn_err err;
    sqlite3_stmt *st;

    (void) state;
    assert_int_equal(
        wn_cmd_read_file(WN_FIXTURES_DIR "/store/v1.sql", 1 << 22, &sql, &len),
        0);
    assert_int_equal(sqlite3_open(wn_test_db_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    free(sql);

    s = wn_test_db_open();
    assert_int_equal(wn_store_counts(s, &c, &err), 0);
    assert_int_equal(c.articles, 5);
    assert_int_equal(c.feeds, 2);
    /* The old articles are searchable and indexed for stories. */
    assert_true(search_n(s, "Kadhimi", NULL, NULL) >= 1);
    assert_int_equal(search_n(s, "zzyzxnotaword", NULL, NULL), 0);
    wn_store_close(s);
    assert_int_equal(sqlite3_open(wn_test_db_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT (SELECT user_version FROM "
                                        "pragma_user_version),"
                                        " (SELECT count(*) FROM sketches"
                                        "  WHERE length(keys) % 8 = 0"
                                        "  AND length(keys) > 0),"
                                        " (SELECT count(*) FROM articles WHERE "
                                        "host IS NULL OR feed_id IS NULL)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), WN_STORE_SCHEMA_VERSION);
    assert_int_equal(sqlite3_column_int(st, 1), 5);
    assert_int_equal(sqlite3_column_int(st, 2), 0);
    sqlite3_finalize(st);
    assert_int_equal(
        sqlite3_exec(db, "PRAGMA integrity_check", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
}

static struct wn_article *
article_text(const char *title, const char *text)
{
    struct wn_article *a = article(text);
    a->meta[WN_META_TITLE] = title;
    wn_text_hash(text, strlen(text), a->hash);
    return a;
}

static char *
story_of(const char *url)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    char *story = NULL;

    assert_int_equal(sqlite3_open(wn_test_db_path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT story FROM articles WHERE url = ?1", -1,
                           &st, NULL),
        SQLITE_OK);
    sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        story = strdup((const char *) sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_non_null(story);
    return story;
}

static void
store_searches_links_stories_and_expires(void **state)
{
    static const char shared[] =
        "Rockets struck an air base north of the capital on Saturday night "
        "wounding two contractors and damaging a hangar, officials said. "
        "The attack was the third in a week against bases hosting foreign "
        "troops, and no group has claimed responsibility so far. ";
    char a_text[2048], b_text[2048], hit[256];
    struct wn_store *s = wn_test_db_open();
    struct wn_store_feed f1, f2;
    struct wn_store_retain r;
    struct wn_article *a, *b, *c;
    struct wn_err err;
    char *sa, *sb, *sc;
    int want;

    (void) state;
    snprintf(a_text, sizeof(a_text),
             "%sThe ministry promised an inquiry into security at the gate.",
             shared);
    snprintf(b_text, sizeof(b_text),
             "%sMarkets in the region were calm and oil prices rose slightly "
             "on Monday as traders weighed the news from the north.",
             shared);
    assert_int_equal(
        wn_store_feed_sync(s, "wire", "https://w.example/rss", &f1, &err), 0);
    assert_int_equal(
        wn_store_feed_sync(s, "local", "https://l.example/rss", &f2, &err), 0);
    {
        struct wn_feed_item i1 = item("1", "https://news.w.example/a");
        struct wn_feed_item i2 = item("2", "https://l.example/b");
        assert_int_equal(
            wn_store_item_put(s, f1.id, &i1, i1.link, 100, &want, &err), 1);
        assert_int_equal(
            wn_store_item_put(s, f2.id, &i2, i2.link, 100, &want, &err), 1);
    }
    a = article_text("Rockets hit air base", a_text);
    b = article_text("Calm markets after attack", b_text);
    c = article_text("Cheese festival opens",
                     "The cheese festival opened in the old town square with "
                     "forty stalls, a brass band and a queue for the raclette "
                     "that wound twice around the fountain by noon.");
    assert_int_equal(wn_store_article_put(s, a, "https://news.w.example/a",
                                          NULL, 1000, &err),
                     0);
    /* b finds a through the story index loaded from the stored sketches */
    wn_store_close(s);
    s = wn_test_db_open();
    assert_int_equal(
        wn_store_article_put(s, b, "https://l.example/b", NULL, 1000, &err), 0);
    assert_int_equal(
        wn_store_article_put(s, c, "https://l.example/c", NULL, 1000, &err), 0);

    /* Search: ranked words, filters by feed and site (subdomains too),
     * plain words when the query is not FTS5 syntax. */
    assert_int_equal(search_n(s, "rockets", NULL, NULL), 2);
    assert_int_equal(search_n(s, "rockets", "wire", NULL), 1);
    assert_int_equal(search_n(s, "rockets", NULL, "w.example"), 1);
    assert_int_equal(search_n(s, "rockets", NULL, "x.example"), 0);
    assert_int_equal(search_n(s, "raclette", NULL, NULL), 1);
    assert_int_equal(search_n(s, "air-base \"", NULL, NULL), 2);
    {
        struct wn_store_query q;
        memset(&q, 0, sizeof(q));
        q.match = "rockets";
        q.since = q.until = WN_TIME_NONE;
        assert_int_equal(wn_store_search(s, &q, first_hit, hit, &err), 1);
        /* The title weighs more: a's title has the word. */
        assert_non_null(strstr(hit, "https://news.w.example/a|"));
        assert_non_null(strstr(hit, "[Rockets]"));
    }

    /* Stories: a and b share most of their text (not all: a near
     * duplicate, not an exact one), c is alone. */
    sa = story_of("https://news.w.example/a");
    sb = story_of("https://l.example/b");
    sc = story_of("https://l.example/c");
    assert_string_equal(sa, sb);
    assert_string_not_equal(sa, sc);
    free(sa);
    free(sb);
    free(sc);

    /* Retention: the wire feed keeps 1 day, the default 10; at day 5 only
     * the wire article goes. */
    assert_int_equal(wn_store_feed_keep(s, f1.id, 1, &err), 0);
    memset(&r, 0, sizeof(r));
    r.now = 1000 + 5 * 86400;
    r.keep_days = 10;
    assert_int_equal(wn_store_retain(s, &r, &err), 0);
    assert_int_equal(r.articles, 1);
    assert_int_equal(search_n(s, "rockets", NULL, NULL), 1);
    assert_int_equal(
        wn_store_article_exists(s, "https://news.w.example/a", &err), 0);
    /* The item stays known, so the feed does not bring it back. */
    {
        struct wn_feed_item i1 = item("1", "https://news.w.example/a");
        want = 1;
        assert_int_equal(
            wn_store_item_put(s, f1.id, &i1, i1.link, 200, &want, &err), 0);
        assert_false(want);
    }
    r.now = 1000 + 11 * 86400;
    assert_int_equal(wn_store_retain(s, &r, &err), 0);
    assert_int_equal(r.articles, 2);
    assert_int_equal(search_n(s, "raclette", NULL, NULL), 0);

    wn_article_free(a);
    wn_article_free(b);
    wn_article_free(c);
    wn_store_feed_clear(&f1);
    wn_store_feed_clear(&f2);
    wn_store_close(s);
}

/* Once synced, the index holds exactly the store's articles. */
static void
assert_fts_consistent(struct wn_store *s)
{
    struct wn_err err;

    assert_int_equal(wn_store_search_sync(s, &err), 0);
    wn_test_db_assert_index(wn_test_db_path);
}

static void
store_search_index_follows_writes_within_a_transaction(void **state)
{
    struct wn_store *s = wn_test_db_open();
    struct wn_article *a = article_text("Walrus", "A walrus swam by the pier."),
                      *a2 =
                          article_text("Walrus", "An otter swam by the pier."),
                      *b = article_text("Heron", "A heron stood in the reeds.");
    struct wn_err err;

    (void) state;
    /* inserted, then rewritten before the search index saw it */
    assert_int_equal(wn_store_begin(s, &err), 0);
    assert_int_equal(
        wn_store_article_put(s, a, "https://x.example/1", NULL, 10, &err), 0);
    assert_int_equal(
        wn_store_article_put(s, a2, "https://x.example/1", NULL, 11, &err), 0);
    assert_int_equal(
        wn_store_article_put(s, b, "https://x.example/2", NULL, 12, &err), 0);
    assert_int_equal(wn_store_commit(s, &err), 0);
    assert_fts_consistent(s);
    assert_int_equal(search_n(s, "otter", NULL, NULL), 1);
    assert_int_equal(search_n(s, "heron", NULL, NULL), 1);
    /* rewritten after it was indexed, in and out of a transaction */
    assert_int_equal(wn_store_begin(s, &err), 0);
    assert_int_equal(
        wn_store_article_put(s, a, "https://x.example/2", NULL, 13, &err), 0);
    assert_int_equal(wn_store_commit(s, &err), 0);
    assert_int_equal(
        wn_store_article_put(s, b, "https://x.example/1", NULL, 14, &err), 0);
    assert_fts_consistent(s);
    assert_int_equal(search_n(s, "otter", NULL, NULL), 0);
    assert_int_equal(search_n(s, "walrus", NULL, NULL), 1);
    assert_int_equal(search_n(s, "heron", NULL, NULL), 1);
    wn_article_free(a);
    wn_article_free(a2);
    wn_article_free(b);
    wn_store_close(s);
}

static void
store_item_with_a_new_guid_but_the_same_content_is_not_new(void **state)
{
    struct wn_store *s = wn_test_db_open();
    struct wn_store_feed f;
    struct wn_store_counts c;
    struct wn_feed_item a = item("guid-1", "https://a.example/x");
    struct wn_feed_item b =
        item("guid-2", "https://a.example/x?utm_source=rss");
    struct wn_feed_item d = item("guid-3", NULL);
    struct wn_feed_item e = item("guid-4", "https://a.example/moved");
    struct wn_err err;
    int want;

    (void) state;
    a.summary = b.summary = "The same summary";
    d.summary = e.summary = "Feed content only, no link";
    assert_int_equal(
        wn_store_feed_sync(s, "a", "https://a.example/rss", &f, &err), 0);
    assert_int_equal(
        wn_store_item_put(s, f.id, &a, "https://a.example/x", 1, &want, &err),
        1);
    assert_true(want);
    /* New GUID, same canonical URL: known. */
    assert_int_equal(
        wn_store_item_put(s, f.id, &b, "https://a.example/x", 2, &want, &err),
        0);
    /* New GUID and a new URL, same content: known, and it shares the older
     * item's article rather than being fetched again. */
    assert_int_equal(wn_store_item_put(s, f.id, &d, NULL, 3, &want, &err), 1);
    assert_int_equal(wn_store_item_put(s, f.id, &e, "https://a.example/moved",
                                       4, &want, &err),
                     0);
    assert_false(want);
    assert_int_equal(wn_store_counts(s, &c, &err), 0);
    assert_int_equal(c.pending, 1); /* only https://a.example/x */
    wn_store_feed_clear(&f);
    wn_store_close(s);
}

/* An item seen again under its id with a changed title or content is an
 * edit: still one row, now holding the new version; the same version
 * again changes nothing. */
static void
store_edited_item_is_an_update_not_a_new_item(void **state)
{
    struct wn_store *s = wn_test_db_open();
    struct wn_store_feed f;
    struct wn_feed_item a = item("guid-e", "https://a.example/e");
    struct wn_err err;
    sqlite3 *db;
    sqlite3_stmt *st;
    int want;

    (void) state;
    a.title = "First title";
    a.summary = "First summary";
    assert_int_equal(
        wn_store_feed_sync(s, "a", "https://a.example/rss", &f, &err), 0);
    assert_int_equal(
        wn_store_item_put(s, f.id, &a, "https://a.example/e", 1, &want, &err),
        1);
    a.title = "Corrected title";
    a.summary = "Corrected summary";
    assert_int_equal(
        wn_store_item_put(s, f.id, &a, "https://a.example/e", 2, &want, &err),
        0);
    assert_int_equal(
        wn_store_item_put(s, f.id, &a, "https://a.example/e", 3, &want, &err),
        0);
    wn_store_feed_clear(&f);
    wn_store_close(s);

    assert_int_equal(sqlite3_open(wn_test_db_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(*), max(title),"
                                        " max(summary) FROM items",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    assert_string_equal((const char *) sqlite3_column_text(st, 1),
                        "Corrected title");
    assert_string_equal((const char *) sqlite3_column_text(st, 2),
                        "Corrected summary");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(store_creates_schema_in_wal_mode,
                                        wn_test_db_setup, wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            store_feed_keeps_validators_until_the_url_changes, wn_test_db_setup,
            wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            store_feed_schedule_state_survives_a_reopen, wn_test_db_setup,
            wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            store_items_and_articles_are_stored_once, wn_test_db_setup,
            wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            store_failed_items_stop_being_pending_after_their_attempts,
            wn_test_db_setup, wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            store_read_only_open_needs_an_existing_current_database,
            wn_test_db_setup, wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            store_upgrades_a_schema_1_database_in_place, wn_test_db_setup,
            wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            store_searches_links_stories_and_expires, wn_test_db_setup,
            wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            store_search_index_follows_writes_within_a_transaction,
            wn_test_db_setup, wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            store_item_with_a_new_guid_but_the_same_content_is_not_new,
            wn_test_db_setup, wn_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            store_edited_item_is_an_update_not_a_new_item, wn_test_db_setup,
            wn_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
