/*
 * wn_store.c: SQLite schema, migrations and the statements behind
 * wn_store.h.  WAL mode with synchronous=NORMAL: a commit is durable against
 * a process crash, and a power cut loses at most the last transactions,
 * never the database.  Writes are idempotent (UNIQUE keys and upserts), so
 * running a pass twice stores nothing twice.
 */
#include "wn_store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "wn_err.h"
#include "wn_extract.h"
#include "wn_feed.h"
#include "wn_time.h"

/* Each entry upgrades the schema from version i to i + 1. */
static const char *const wn_store_migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE feeds ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  url TEXT NOT NULL,"
    "  title TEXT, link TEXT, format TEXT,"
    "  etag TEXT, last_modified TEXT,"
    "  last_fetch INTEGER, last_ok INTEGER, last_status INTEGER,"
    "  last_error TEXT,"
    "  error_count INTEGER NOT NULL DEFAULT 0,"
    "  next_fetch INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE TABLE items ("
    "  id INTEGER PRIMARY KEY,"
    "  feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,"
    "  guid TEXT NOT NULL,"
    "  url TEXT,"
    "  link TEXT,"
    "  title TEXT, author TEXT, summary TEXT,"
    "  published INTEGER, updated INTEGER,"
    "  first_seen INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT,"
    "  UNIQUE (feed_id, guid)"
    ");"
    "CREATE INDEX items_url ON items(url);"
    "CREATE TABLE articles ("
    "  id INTEGER PRIMARY KEY,"
    "  url TEXT NOT NULL UNIQUE,"
    "  fetched_url TEXT,"
    "  title TEXT, author TEXT, published INTEGER, updated INTEGER,"
    "  site TEXT, lang TEXT, description TEXT, tags TEXT,"
    "  text TEXT NOT NULL,"
    "  words INTEGER NOT NULL, paragraphs INTEGER NOT NULL,"
    "  hash TEXT NOT NULL, simhash INTEGER NOT NULL, story TEXT NOT NULL,"
    "  plugins TEXT, flags INTEGER NOT NULL DEFAULT 0,"
    "  stored_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX articles_hash ON articles(hash);"
    "CREATE INDEX articles_stored ON articles(stored_at);",
};

#define WN_STORE_NMIGRATIONS                                                   \
    (sizeof(wn_store_migrations) / sizeof(wn_store_migrations[0]))

_Static_assert(WN_STORE_NMIGRATIONS == WN_STORE_SCHEMA_VERSION,
               "one migration per schema version");

enum wn_store_stmt {
    WN_ST_FEED_SYNC,
    WN_ST_FEED_GET,
    WN_ST_FEED_FETCHED_OK,
    WN_ST_FEED_FETCHED_ERR,
    WN_ST_ITEM_INSERT,
    WN_ST_ITEM_EDIT,
    WN_ST_ITEM_REGUID,
    WN_ST_ITEM_GET,
    WN_ST_ITEM_FAILED,
    WN_ST_ARTICLE_EXISTS,
    WN_ST_ARTICLE_PUT,
    WN_ST_COUNT
};

static const char *const wn_store_sql[WN_ST_COUNT] = {
    [WN_ST_FEED_SYNC] =
        "INSERT INTO feeds (name, url) VALUES (?1, ?2) "
        "ON CONFLICT(name) DO UPDATE SET url = excluded.url,"
        "  etag = CASE WHEN url = excluded.url THEN etag END,"
        "  last_modified = CASE WHEN url = excluded.url THEN last_modified END",
    [WN_ST_FEED_GET] =
        "SELECT id, etag, last_modified, next_fetch, error_count FROM feeds "
        "WHERE name = ?1",
    [WN_ST_FEED_FETCHED_OK] =
        "UPDATE feeds SET last_fetch = ?2, last_ok = ?2, last_status = ?3,"
        "  last_error = NULL, error_count = 0, next_fetch = ?4,"
        "  etag = ?5, last_modified = ?6,"
        "  title = coalesce(?7, title), link = coalesce(?8, link),"
        "  format = coalesce(?9, format) "
        "WHERE id = ?1",
    [WN_ST_FEED_FETCHED_ERR] =
        "UPDATE feeds SET last_fetch = ?2, last_status = ?3, last_error = ?4,"
        "  error_count = error_count + 1, next_fetch = ?5 "
        "WHERE id = ?1",
    [WN_ST_ITEM_INSERT] =
        "INSERT INTO items (feed_id, guid, url, link, title, author, summary,"
        "  published, updated, first_seen) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
        "ON CONFLICT(feed_id, guid) DO NOTHING",
    /* An item the feed edited: same id, other text (issue 3, identity). */
    [WN_ST_ITEM_EDIT] =
        "UPDATE items SET url = ?3, link = ?4, title = ?5, author = ?6,"
        "  summary = ?7, published = ?8, updated = ?9 "
        "WHERE feed_id = ?1 AND guid = ?2 AND (url IS NOT ?3 OR link IS NOT ?4"
        "  OR title IS NOT ?5 OR author IS NOT ?6 OR summary IS NOT ?7"
        "  OR published IS NOT ?8 OR updated IS NOT ?9)",
    /* A new id on a known item (a feed that rotates its GUIDs): the same
     * feed, article URL and title under another id is the same item. */
    [WN_ST_ITEM_REGUID] =
        "DELETE FROM items WHERE feed_id = ?1 AND url = ?3 AND title IS ?5"
        "  AND guid <> ?2",
    [WN_ST_ITEM_GET] = "SELECT i.attempts, a.id IS NOT NULL FROM items i "
                       "LEFT JOIN articles a ON a.url = i.url "
                       "WHERE i.feed_id = ?1 AND i.guid = ?2",
    [WN_ST_ITEM_FAILED] =
        "UPDATE items SET attempts = attempts + 1, last_error = ?2 WHERE url = ?1",
    [WN_ST_ARTICLE_EXISTS] = "SELECT 1 FROM articles WHERE url = ?1",
    [WN_ST_ARTICLE_PUT] =
        "INSERT INTO articles (url, fetched_url, title, author, published,"
        "  updated, site, lang, description, tags, text, words, paragraphs,"
        "  hash, simhash, story, plugins, flags, stored_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
        "  ?15, coalesce((SELECT story FROM articles WHERE hash = ?14 LIMIT 1), ?14),"
        "  ?16, ?17, ?18) "
        "ON CONFLICT(url) DO UPDATE SET fetched_url = excluded.fetched_url,"
        "  title = excluded.title, author = excluded.author,"
        "  published = excluded.published, updated = excluded.updated,"
        "  site = excluded.site, lang = excluded.lang,"
        "  description = excluded.description, tags = excluded.tags,"
        "  text = excluded.text, words = excluded.words,"
        "  paragraphs = excluded.paragraphs, hash = excluded.hash,"
        "  simhash = excluded.simhash, plugins = excluded.plugins,"
        "  flags = excluded.flags",
};

struct wn_store {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *st[WN_ST_COUNT];
};

static int
wn_store_fail(struct wn_store *s, struct wn_err *err, const char *what)
{
    int code = sqlite3_extended_errcode(s->db);

    return wn_err_set(err, WN_ESTORE, "store %s: %s: %s%s", s->path, what,
                      sqlite3_errmsg(s->db),
                      (code & 0xff) == SQLITE_FULL ? " (disk full)" : "");
}

static int
wn_store_exec(struct wn_store *s, const char *sql, struct wn_err *err)
{
    char *msg = NULL;

    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = wn_err_set(err, WN_ESTORE, "store %s: %s", s->path,
                            msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

static int
wn_store_user_version(struct wn_store *s, int *version, struct wn_err *err)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL)
        != SQLITE_OK)
    {
        return wn_store_fail(s, err, "reading the schema version");
    }
    rc = sqlite3_step(st);
    *version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW
               ? 0
               : wn_store_fail(s, err, "reading the schema version");
}

static int
wn_store_migrate(struct wn_store *s, struct wn_err *err)
{
    int version, rc;

    rc = wn_store_exec(s, "BEGIN IMMEDIATE", err);
    if (rc != 0) {
        return rc;
    }
    rc = wn_store_user_version(s, &version, err);
    if (rc == 0 && version > WN_STORE_SCHEMA_VERSION) {
        rc = wn_err_set(err, WN_ESTORE,
                        "store %s: schema version %d is newer than this "
                        "winnowd's %d",
                        s->path, version, WN_STORE_SCHEMA_VERSION);
    }
    for (; rc == 0 && version < WN_STORE_SCHEMA_VERSION; version++) {
        char pragma[64];
        rc = wn_store_exec(s, wn_store_migrations[version], err);
        if (rc == 0) {
            snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
                     version + 1);
            rc = wn_store_exec(s, pragma, err);
        }
    }
    if (rc != 0) {
        wn_store_exec(s, "ROLLBACK", NULL);
        return rc;
    }
    return wn_store_exec(s, "COMMIT", err);
}

int
wn_store_open(const char *path, unsigned flags, struct wn_store **out,
              struct wn_err *err)
{
    int oflags = (flags & WN_STORE_READONLY)
                     ? SQLITE_OPEN_READONLY
                     : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    struct wn_store *s;
    int rc;

    *out = NULL;
    s = calloc(1, sizeof(*s));
    if (s == NULL || (s->path = strdup(path)) == NULL) {
        free(s);
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    /* NOMUTEX: a store is confined to one thread at a time by design. */
    if (sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL)
        != SQLITE_OK)
    {
        rc = wn_err_set(err, WN_ESTORE, "store %s: cannot open: %s", path,
                        s->db ? sqlite3_errmsg(s->db) : "out of memory");
        wn_store_close(s);
        return rc;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, WN_STORE_BUSY_MS);
    if (!(flags & WN_STORE_READONLY)) {
        rc = wn_store_exec(s,
                           "PRAGMA journal_mode = WAL;"
                           "PRAGMA synchronous = NORMAL;"
                           "PRAGMA foreign_keys = ON;",
                           err);
        if (rc == 0) {
            rc = wn_store_migrate(s, err);
        }
    } else {
        int version = 0;
        rc = wn_store_user_version(s, &version, err);
        if (rc == 0 && version != WN_STORE_SCHEMA_VERSION) {
            rc = wn_err_set(err, WN_ESTORE,
                            "store %s: schema version %d, expected %d (run "
                            "winnowd once to create or upgrade it)",
                            path, version, WN_STORE_SCHEMA_VERSION);
        }
    }
    if (rc != 0) {
        wn_store_close(s);
        return rc;
    }
    for (int i = 0; i < WN_ST_COUNT; i++) {
        if ((flags & WN_STORE_READONLY) && i != WN_ST_ARTICLE_EXISTS) {
            continue;
        }
        if (sqlite3_prepare_v3(s->db, wn_store_sql[i], -1,
                               SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL)
            != SQLITE_OK)
        {
            rc = wn_store_fail(s, err, "preparing statements");
            wn_store_close(s);
            return rc;
        }
    }
    *out = s;
    return 0;
}

void
wn_store_close(struct wn_store *s)
{
    if (s == NULL) {
        return;
    }
    for (int i = 0; i < WN_ST_COUNT; i++) {
        sqlite3_finalize(s->st[i]);
    }
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

int
wn_store_begin(struct wn_store *s, struct wn_err *err)
{
    return wn_store_exec(s, "BEGIN IMMEDIATE", err);
}

int
wn_store_commit(struct wn_store *s, struct wn_err *err)
{
    return wn_store_exec(s, "COMMIT", err);
}

void
wn_store_rollback(struct wn_store *s)
{
    if (!sqlite3_get_autocommit(s->db)) {
        wn_store_exec(s, "ROLLBACK", NULL);
    }
}

int
wn_store_savepoint(struct wn_store *s, struct wn_err *err)
{
    return wn_store_exec(s, "SAVEPOINT wn_op", err);
}

int
wn_store_release(struct wn_store *s, int ok, struct wn_err *err)
{
    if (!ok) {
        wn_store_exec(s, "ROLLBACK TO wn_op", NULL);
    }
    return wn_store_exec(s, "RELEASE wn_op", err);
}

/* ---- binding helpers ---- */

static void
wn_store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v != NULL) {
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, i);
    }
}

static void
wn_store_bind_time(sqlite3_stmt *st, int i, int64_t t)
{
    if (t != WN_TIME_NONE) {
        sqlite3_bind_int64(st, i, t);
    } else {
        sqlite3_bind_null(st, i);
    }
}

static int64_t
wn_store_column_time(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL
               ? WN_TIME_NONE
               : sqlite3_column_int64(st, i);
}

static const char *
wn_store_column_text(sqlite3_stmt *st, int i)
{
    return (const char *) sqlite3_column_text(st, i);
}

static char *
wn_store_column_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *v = sqlite3_column_text(st, i);
    return v != NULL ? strdup((const char *) v) : NULL;
}

/* Steps a write statement to completion and resets it. */
static int
wn_store_step_done(struct wn_store *s, sqlite3_stmt *st, struct wn_err *err,
                   const char *what)
{
    int rc = sqlite3_step(st);

    if (rc != SQLITE_DONE) {
        rc = wn_store_fail(s, err, what);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return rc;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return 0;
}

/* ---- feeds ---- */

int
wn_store_feed_sync(struct wn_store *s, const char *name, const char *url,
                   struct wn_store_feed *out, struct wn_err *err)
{
    sqlite3_stmt *st = s->st[WN_ST_FEED_SYNC];
    int rc;

    memset(out, 0, sizeof(*out));
    wn_store_bind_text(st, 1, name);
    wn_store_bind_text(st, 2, url);
    rc = wn_store_step_done(s, st, err, "saving a feed");
    if (rc != 0) {
        return rc;
    }
    st = s->st[WN_ST_FEED_GET];
    wn_store_bind_text(st, 1, name);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        out->etag = wn_store_column_dup(st, 1);
        out->last_modified = wn_store_column_dup(st, 2);
        out->next_fetch = sqlite3_column_int64(st, 3);
        out->error_count = (long) sqlite3_column_int64(st, 4);
        rc = 0;
    } else {
        rc = wn_store_fail(s, err, "reading a feed");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

void
wn_store_feed_clear(struct wn_store_feed *f)
{
    free(f->etag);
    free(f->last_modified);
    memset(f, 0, sizeof(*f));
}

int
wn_store_feed_fetched(struct wn_store *s, const struct wn_store_fetch *f,
                      struct wn_err *err)
{
    sqlite3_stmt *st;

    if (f->ok) {
        st = s->st[WN_ST_FEED_FETCHED_OK];
        sqlite3_bind_int64(st, 1, f->feed_id);
        sqlite3_bind_int64(st, 2, f->fetched_at);
        sqlite3_bind_int64(st, 3, f->status);
        sqlite3_bind_int64(st, 4, f->next_fetch);
        wn_store_bind_text(st, 5, f->etag);
        wn_store_bind_text(st, 6, f->last_modified);
        wn_store_bind_text(st, 7, f->title);
        wn_store_bind_text(st, 8, f->link);
        wn_store_bind_text(st, 9, f->format);
    } else {
        st = s->st[WN_ST_FEED_FETCHED_ERR];
        sqlite3_bind_int64(st, 1, f->feed_id);
        sqlite3_bind_int64(st, 2, f->fetched_at);
        sqlite3_bind_int64(st, 3, f->status);
        wn_store_bind_text(st, 4, f->error);
        sqlite3_bind_int64(st, 5, f->next_fetch);
    }
    return wn_store_step_done(s, st, err, "saving a feed's fetch");
}

/* ---- items ---- */

/* Binds an item's columns as ?1..?9 of the item statements; a statement
 * that uses fewer makes SQLite refuse the extra ones, harmlessly. */
static void
wn_store_item_bind(sqlite3_stmt *st, int64_t feed_id,
                   const struct wn_feed_item *item, const char *url)
{
    sqlite3_bind_int64(st, 1, feed_id);
    wn_store_bind_text(st, 2, item->id);
    wn_store_bind_text(st, 3, url);
    wn_store_bind_text(st, 4, item->link);
    wn_store_bind_text(st, 5, item->title);
    wn_store_bind_text(st, 6, item->author);
    wn_store_bind_text(st, 7, item->summary);
    wn_store_bind_time(st, 8, item->published);
    wn_store_bind_time(st, 9, item->updated);
}

int
wn_store_item_put(struct wn_store *s, int64_t feed_id,
                  const struct wn_feed_item *item, const char *url, int64_t now,
                  int *want, struct wn_err *err)
{
    sqlite3_stmt *st = s->st[WN_ST_ITEM_INSERT];
    int rc, isnew;

    *want = 0;
    wn_store_item_bind(s->st[WN_ST_ITEM_EDIT], feed_id, item, url);
    rc = wn_store_step_done(s, s->st[WN_ST_ITEM_EDIT], err,
                            "updating an edited item");
    if (rc != 0) {
        return rc;
    }
    isnew = 0;
    if (sqlite3_changes(s->db) == 0) {
        wn_store_item_bind(st, feed_id, item, url);
        sqlite3_bind_int64(st, 10, now);
        rc = wn_store_step_done(s, st, err, "saving an item");
        if (rc != 0) {
            return rc;
        }
        isnew = sqlite3_changes(s->db) > 0;
    }
    if (isnew && url != NULL) {
        st = s->st[WN_ST_ITEM_REGUID];
        wn_store_item_bind(st, feed_id, item, url);
        rc = wn_store_step_done(s, st, err, "checking an item's new id");
        if (rc != 0) {
            return rc;
        }
        isnew = sqlite3_changes(s->db) == 0;
    }

    st = s->st[WN_ST_ITEM_GET];
    sqlite3_bind_int64(st, 1, feed_id);
    wn_store_bind_text(st, 2, item->id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        long attempts = (long) sqlite3_column_int64(st, 0);
        int have_article = sqlite3_column_int(st, 1);
        *want = !have_article && attempts < WN_STORE_ITEM_ATTEMPTS;
        rc = 0;
    } else {
        rc = wn_store_fail(s, err, "reading an item");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc != 0 ? rc : isnew;
}

int
wn_store_item_failed(struct wn_store *s, const char *url, const char *why,
                     struct wn_err *err)
{
    sqlite3_stmt *st = s->st[WN_ST_ITEM_FAILED];

    wn_store_bind_text(st, 1, url);
    wn_store_bind_text(st, 2, why);
    return wn_store_step_done(s, st, err, "counting a failed article");
}

/* ---- articles ---- */

int
wn_store_article_exists(struct wn_store *s, const char *url, struct wn_err *err)
{
    sqlite3_stmt *st = s->st[WN_ST_ARTICLE_EXISTS];
    int rc;

    wn_store_bind_text(st, 1, url);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == SQLITE_ROW) {
        return 1;
    }
    return rc == SQLITE_DONE ? 0
                             : wn_store_fail(s, err, "looking up an article");
}

static int64_t
wn_store_meta_time(const struct wn_article *a, int key)
{
    int64_t t;

    if (a->meta[key] != NULL && wn_time_parse(a->meta[key], &t) == 0) {
        return t;
    }
    return WN_TIME_NONE;
}

int
wn_store_article_put(struct wn_store *s, const struct wn_article *a,
                     const char *url, const char *fetched_url, int64_t now,
                     struct wn_err *err)
{
    sqlite3_stmt *st = s->st[WN_ST_ARTICLE_PUT];
    json_t *tags = json_array();
    char *tags_json = NULL;
    int rc;

    for (size_t i = 0; tags != NULL && i < a->ntags; i++) {
        json_array_append_new(tags, json_string(a->tags[i]));
    }
    tags_json = tags != NULL ? json_dumps(tags, JSON_COMPACT) : NULL;
    json_decref(tags);
    if (tags_json == NULL) {
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    wn_store_bind_text(st, 1, url);
    wn_store_bind_text(st, 2, fetched_url);
    wn_store_bind_text(st, 3, a->meta[WN_META_TITLE]);
    wn_store_bind_text(st, 4, a->meta[WN_META_AUTHOR]);
    wn_store_bind_time(st, 5, wn_store_meta_time(a, WN_META_PUBLISHED));
    wn_store_bind_time(st, 6, wn_store_meta_time(a, WN_META_UPDATED));
    wn_store_bind_text(st, 7, a->meta[WN_META_SITE]);
    wn_store_bind_text(st, 8, a->meta[WN_META_LANG]);
    wn_store_bind_text(st, 9, a->meta[WN_META_DESCRIPTION]);
    wn_store_bind_text(st, 10, tags_json);
    sqlite3_bind_text(st, 11, a->text, (int) a->len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 12, (sqlite3_int64) a->words);
    sqlite3_bind_int64(st, 13, (sqlite3_int64) a->paragraphs);
    wn_store_bind_text(st, 14, a->hash);
    sqlite3_bind_int64(st, 15, (sqlite3_int64) a->simhash);
    wn_store_bind_text(st, 16, a->plugins);
    sqlite3_bind_int64(st, 17, a->flags);
    sqlite3_bind_int64(st, 18, now);
    rc = wn_store_step_done(s, st, err, "saving an article");
    free(tags_json);
    return rc;
}

int
wn_store_pending(struct wn_store *s, size_t limit, wn_store_pending_cb cb,
                 void *arg, struct wn_err *err)
{
    static const char sql[] =
        "SELECT i.feed_id, i.url, i.link, i.title, i.author, i.summary,"
        "  i.published "
        "FROM items i LEFT JOIN articles a ON a.url = i.url "
        "WHERE a.id IS NULL AND i.url IS NOT NULL AND i.attempts < ?1 "
        "GROUP BY i.url ORDER BY min(i.id) LIMIT ?2";
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        return wn_store_fail(s, err, "listing pending items");
    }
    sqlite3_bind_int(st, 1, WN_STORE_ITEM_ATTEMPTS);
    sqlite3_bind_int64(st, 2, (sqlite3_int64) limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct wn_store_pending p;
        p.feed_id = sqlite3_column_int64(st, 0);
        p.url = wn_store_column_text(st, 1);
        p.link = wn_store_column_text(st, 2);
        p.title = wn_store_column_text(st, 3);
        p.author = wn_store_column_text(st, 4);
        p.summary = wn_store_column_text(st, 5);
        p.published = wn_store_column_time(st, 6);
        if (cb(&p, arg) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE) {
        rc = wn_store_fail(s, err, "listing pending items");
    } else {
        rc = 0;
    }
    sqlite3_finalize(st);
    return rc;
}

int
wn_store_articles(struct wn_store *s, int64_t since, wn_store_row_cb cb,
                  void *arg, struct wn_err *err)
{
    static const char sql[] =
        "SELECT a.url, (SELECT f.name FROM items i JOIN feeds f ON f.id = i.feed_id"
        "   WHERE i.url = a.url ORDER BY i.id LIMIT 1),"
        "  a.title, a.author, a.site, a.lang, a.text, a.plugins, a.story,"
        "  a.tags, a.published, a.updated, a.stored_at, a.words "
        "FROM articles a WHERE a.stored_at >= ?1 ORDER BY a.stored_at, a.id";
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        return wn_store_fail(s, err, "listing articles");
    }
    sqlite3_bind_int64(st, 1, since);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct wn_store_row r;
        r.url = wn_store_column_text(st, 0);
        r.feed = wn_store_column_text(st, 1);
        r.title = wn_store_column_text(st, 2);
        r.author = wn_store_column_text(st, 3);
        r.site = wn_store_column_text(st, 4);
        r.lang = wn_store_column_text(st, 5);
        r.text = wn_store_column_text(st, 6);
        r.plugins = wn_store_column_text(st, 7);
        r.story = wn_store_column_text(st, 8);
        r.tags = wn_store_column_text(st, 9);
        r.published = wn_store_column_time(st, 10);
        r.updated = wn_store_column_time(st, 11);
        r.stored_at = sqlite3_column_int64(st, 12);
        r.words = (long) sqlite3_column_int64(st, 13);
        if (cb(&r, arg) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    rc = rc == SQLITE_DONE ? 0 : wn_store_fail(s, err, "listing articles");
    sqlite3_finalize(st);
    return rc;
}

int
wn_store_counts(struct wn_store *s, struct wn_store_counts *out,
                struct wn_err *err)
{
    static const char sql[] =
        "SELECT (SELECT count(*) FROM feeds), (SELECT count(*) FROM items),"
        "  (SELECT count(*) FROM articles),"
        "  (SELECT count(DISTINCT i.url) FROM items i LEFT JOIN articles a"
        "     ON a.url = i.url WHERE a.id IS NULL AND i.url IS NOT NULL)";
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        return wn_store_fail(s, err, "counting");
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->feeds = (long) sqlite3_column_int64(st, 0);
        out->items = (long) sqlite3_column_int64(st, 1);
        out->articles = (long) sqlite3_column_int64(st, 2);
        out->pending = (long) sqlite3_column_int64(st, 3);
        rc = 0;
    } else {
        rc = wn_store_fail(s, err, "counting");
    }
    sqlite3_finalize(st);
    return rc;
}
