/*
 * wn_store_sqlite.c: the SQLite backend of wn_store.h (the embedded
 * default): schema, migrations and statements.  WAL mode with
 * synchronous=NORMAL: a commit is durable against a process crash, and a power
 * cut loses at most the last transactions, never the database.  Writes are
 * idempotent (UNIQUE keys and upserts), so running a pass twice stores nothing
 * twice.
 */
#include <sys/stat.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>
#include <uv.h>

#include "wn_checkpoint.h"
#include "wn_err.h"
#include "wn_extract.h"
#include "wn_feed.h"
#include "wn_log.h"
#include "wn_page.h"
#include "wn_search.h"
#include "wn_shingle.h"
#include "wn_store_int.h"
#include "wn_story.h"
#include "wn_text.h"
#include "wn_time.h"
#include "wn_url.h"

#define WN_STORE_STR_(x) #x
#define WN_STORE_STR(x)  WN_STORE_STR_(x)

/*
 * The search index's triggers (schema 2, made idempotent for schema 3;
 * since schema 5 the store queues new articles itself, without the insert
 * trigger).  New and changed articles wait in fts_queue and are indexed in one
 * go just before COMMIT (wn_store_sqlite_commit): FTS5 flushes its pending
 * terms at every savepoint it takes part in, and the writer takes one per
 * operation, so indexing each article at once would write one tiny segment
 * per article.  Entries already in the index (not queued) are deleted at
 * once, with their old text.
 */
#define WN_STORE_SQLITE_FTS_TRIGGERS                                           \
    "CREATE TABLE IF NOT EXISTS fts_queue (id INTEGER PRIMARY KEY);"           \
    "CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN"            \
    "  INSERT INTO fts_queue (id) SELECT new.id"                               \
    "  WHERE NOT EXISTS (SELECT 1 FROM fts_queue WHERE id = new.id);"          \
    "END;"                                                                     \
    "CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN"            \
    "  INSERT INTO articles_fts(articles_fts, rowid, title, text)"             \
    "  SELECT 'delete', old.id, old.title, old.text"                           \
    "  WHERE NOT EXISTS (SELECT 1 FROM fts_queue WHERE id = old.id);"          \
    "  DELETE FROM fts_queue WHERE id = old.id;"                               \
    "END;"                                                                     \
    "CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, text ON articles"   \
    " BEGIN"                                                                   \
    "  INSERT INTO articles_fts(articles_fts, rowid, title, text)"             \
    "  SELECT 'delete', old.id, old.title, old.text"                           \
    "  WHERE NOT EXISTS (SELECT 1 FROM fts_queue WHERE id = old.id);"          \
    "  INSERT INTO fts_queue (id) SELECT new.id"                               \
    "  WHERE NOT EXISTS (SELECT 1 FROM fts_queue WHERE id = new.id);"          \
    "END;"

struct wn_store_sqlite;

/*
 * Each entry upgrades the schema from version i to i + 1: its SQL, then its
 * C step (may be NULL) for what SQL cannot compute, in the same
 * transaction.  Append only: a released step never changes, since databases
 * in the field were made by it.
 */
struct wn_store_migration {
    const char *sql;
    int (*fn)(struct wn_store_sqlite *s, struct wn_err *err);
};

static int wn_store_migrate_v2(struct wn_store_sqlite *s, struct wn_err *err);
static int wn_store_migrate_v5(struct wn_store_sqlite *s, struct wn_err *err);

static const struct wn_store_migration wn_store_migrations[] = {
    { /* 0 -> 1 */
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
      NULL },
    { /* 1 -> 2: retention per feed, the article's feed and host, item
       * content identity, full-text search, kept pages, the story index. */
      "ALTER TABLE feeds ADD COLUMN keep_days INTEGER;"
      "ALTER TABLE items ADD COLUMN chash TEXT;"
      "CREATE INDEX items_chash ON items(feed_id, chash);"
      "ALTER TABLE articles ADD COLUMN feed_id INTEGER;"
      "ALTER TABLE articles ADD COLUMN host TEXT;"
      "UPDATE articles SET feed_id = (SELECT i.feed_id FROM items i"
      "  WHERE i.url = articles.url ORDER BY i.id LIMIT 1),"
      "  host = wn_url_host(url);"
      "CREATE INDEX articles_feed ON articles(feed_id, stored_at);"
      "CREATE INDEX articles_host ON articles(host, stored_at);"
      "CREATE VIRTUAL TABLE articles_fts USING fts5(title, text,"
      "  content='articles', content_rowid='id',"
      "  tokenize='unicode61 remove_diacritics 2');"
      /* New and changed articles wait in fts_queue and are indexed in
       * one go just before COMMIT (wn_store_sqlite_commit): FTS5 flushes
       * its pending terms at every savepoint it takes part in, and the
       * writer takes one per operation, so indexing each article at once
       * would write one tiny segment per article.  Entries already in the
       * index (not queued) are deleted at once, with their old text. */
      WN_STORE_SQLITE_FTS_TRIGGERS
      "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');"
      "CREATE TABLE pages ("
      "  article_id INTEGER PRIMARY KEY"
      "    REFERENCES articles(id) ON DELETE CASCADE,"
      "  fetched_at INTEGER NOT NULL,"
      "  content_type TEXT,"
      "  codec TEXT NOT NULL,"
      "  size INTEGER NOT NULL,"
      "  data BLOB NOT NULL"
      ");"
      "CREATE TABLE shingles ("
      "  key INTEGER NOT NULL,"
      "  article_id INTEGER NOT NULL"
      "    REFERENCES articles(id) ON DELETE CASCADE,"
      "  PRIMARY KEY (key, article_id)"
      ") WITHOUT ROWID;"
      "CREATE INDEX shingles_article ON shingles(article_id);",
      wn_store_migrate_v2 },
    { /* 2 -> 3: databases made by an early schema 2 indexed articles in
       * their triggers, without fts_queue; every schema 2 gets the queue. */
      "DROP TRIGGER IF EXISTS articles_fts_ai;"
      "DROP TRIGGER IF EXISTS articles_fts_ad;"
      "DROP TRIGGER IF EXISTS articles_fts_au;" WN_STORE_SQLITE_FTS_TRIGGERS,
      NULL },
    { /* 3 -> 4: feed state for the schedule and `winnowd feeds` */
      "ALTER TABLE feeds ADD COLUMN fetch_url TEXT;"   /* after a 301/308 */
      "ALTER TABLE feeds ADD COLUMN error_class TEXT;" /* network, http... */
      "ALTER TABLE feeds ADD COLUMN retired INTEGER;"  /* when 410 came */
      "ALTER TABLE feeds ADD COLUMN fetch_interval INTEGER;", /* s, last chosen
                                                               */
      NULL },
    { /* 4 -> 5: each article's sketch in one row (appended in id order)
       * instead of 16 rows of a (key, article) B-tree written at random
       * places; the writer looks keys up in memory (wn_story.h). */
      "CREATE TABLE sketches ("
      "  article_id INTEGER PRIMARY KEY"
      "    REFERENCES articles(id) ON DELETE CASCADE,"
      "  keys BLOB NOT NULL" /* WN_SHINGLE_SKETCH u64, little-endian */
      ");"
      /* New articles are queued for the search index by the store's own
       * statement (WN_ST_FTS_QUEUE): a trigger program per inserted row
       * cost a quarter of an article's insert.  Updates and deletes keep
       * their triggers. */
      "DROP TRIGGER IF EXISTS articles_fts_ai;",
      wn_store_migrate_v5 },
    { /* 5 -> 6: the feed's skipHours and skipDays, so that a feed answered
       * 304 after a restart still skips them */
      "ALTER TABLE feeds ADD COLUMN skip_hours INTEGER;" /* bit per UTC hour */
      "ALTER TABLE feeds ADD COLUMN skip_days INTEGER;", /* bit per day */
      NULL },
    { /* 6 -> 7: how the search index writes (kept in articles_fts_config).
       * Pages of 4050 bytes fill a database page instead of a quarter of
       * one; up to 4 MB of pending terms before a flush lets a transaction
       * of long articles write one segment instead of several; and eight
       * segments of a level are merged instead of four, which halves the
       * rewriting.  On bench/store_bench, 20,000 articles of 250 words:
       * 5,600-5,800 articles/s before, 7,400-7,600 after, searches as
       * fast; 1,000,000 articles still search in about 10 ms. */
      "INSERT INTO articles_fts(articles_fts, rank) VALUES ('pgsz', 4050);"
      "INSERT INTO articles_fts(articles_fts, rank)"
      "  VALUES ('hashsize', 4194304);"
      "INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', 8);",
      NULL },
    { /* 7 -> 8: the search index moves to a file of its own, written by a
       * thread of its own (wn_search.h): in the writer's transactions it
       * cost more than the rest of an article's insert.  The store keeps a
       * key that names it to its index, and a log of the articles changed
       * or deleted since (inserts need none: the index follows ids). */
      "DROP TRIGGER IF EXISTS articles_fts_ai;"
      "DROP TRIGGER IF EXISTS articles_fts_ad;"
      "DROP TRIGGER IF EXISTS articles_fts_au;"
      "DROP TABLE IF EXISTS fts_queue;"
      "DROP TABLE IF EXISTS articles_fts;"
      "CREATE TABLE search_meta (key BLOB NOT NULL);"
      "INSERT INTO search_meta (key) VALUES (randomblob(16));"
      /* AUTOINCREMENT: a trimmed log never gives a seq out twice */
      "CREATE TABLE search_dirty ("
      "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
      "  id INTEGER NOT NULL"
      ");"
      "CREATE TRIGGER articles_search_ad AFTER DELETE ON articles BEGIN"
      "  INSERT INTO search_dirty (id) VALUES (old.id);"
      "END;"
      "CREATE TRIGGER articles_search_au AFTER UPDATE OF title, text"
      "  ON articles BEGIN"
      "  INSERT INTO search_dirty (id) VALUES (new.id);"
      "END;",
      NULL },
};

_Static_assert(sizeof(wn_store_migrations) / sizeof(wn_store_migrations[0])
                   == WN_STORE_SCHEMA_VERSION,
               "one migration per schema version");

enum wn_store_stmt {
    WN_ST_FEED_SYNC,
    WN_ST_FEED_GET,
    WN_ST_FEED_FETCHED_OK,
    WN_ST_FEED_FETCHED_ERR,
    WN_ST_ITEM_INSERT,
    WN_ST_ITEM_GET,
    WN_ST_ITEM_EDIT,
    WN_ST_ITEM_FAILED,
    WN_ST_ARTICLE_EXISTS,
    WN_ST_ARTICLE_PUT,
    WN_ST_ARTICLE_UPDATE,
    WN_ST_ITEM_TWIN_URL,
    WN_ST_ITEM_TWIN_CHASH,
    WN_ST_ITEM_ADOPT,
    WN_ST_STORY_BY_HASH,
    WN_ST_SKETCH_PUT,
    WN_ST_ARTICLE_TEXT,
    WN_ST_PAGE_PUT,
    WN_ST_FEED_KEEP,
    WN_ST_SAVEPOINT,
    WN_ST_RELEASE,
    WN_ST_COUNT
};

static const char *const wn_store_sql[WN_ST_COUNT] = {
    [WN_ST_FEED_SYNC] =
        "INSERT INTO feeds (name, url) VALUES (?1, ?2) "
        "ON CONFLICT(name) DO UPDATE SET url = excluded.url,"
        "  etag = CASE WHEN url = excluded.url THEN etag END,"
        "  last_modified = CASE WHEN url = excluded.url THEN last_modified END,"
        /* a new configured URL starts afresh: no redirect, not retired */
        "  fetch_url = CASE WHEN url = excluded.url THEN fetch_url END,"
        "  retired = CASE WHEN url = excluded.url THEN retired END,"
        "  next_fetch = CASE WHEN url = excluded.url THEN next_fetch ELSE 0 END",
    [WN_ST_FEED_GET] =
        "SELECT id, etag, last_modified, next_fetch, error_count, fetch_url,"
        "  retired, fetch_interval, error_class, skip_hours, skip_days "
        "FROM feeds WHERE name = ?1",
    [WN_ST_FEED_FETCHED_OK] =
        "UPDATE feeds SET last_fetch = ?2, last_ok = ?2, last_status = ?3,"
        "  last_error = NULL, error_class = NULL, error_count = 0,"
        "  retired = NULL, next_fetch = ?4, etag = ?5, last_modified = ?6,"
        "  title = coalesce(?7, title), link = coalesce(?8, link),"
        "  format = coalesce(?9, format), fetch_url = coalesce(?10, fetch_url),"
        "  fetch_interval = ?11, skip_hours = ?12, skip_days = ?13 "
        "WHERE id = ?1",
    [WN_ST_FEED_FETCHED_ERR] =
        "UPDATE feeds SET last_fetch = ?2, last_status = ?3, last_error = ?4,"
        "  error_count = error_count + 1, next_fetch = ?5, error_class = ?6,"
        "  fetch_url = coalesce(?7, fetch_url),"
        "  retired = CASE WHEN ?8 THEN ?2 END "
        "WHERE id = ?1",
    [WN_ST_ITEM_INSERT] =
        "INSERT INTO items (feed_id, guid, url, link, title, author, summary,"
        "  published, updated, first_seen, chash) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
        "ON CONFLICT(feed_id, guid) DO NOTHING",
    /* A known item whose title or content changed (its content hash) is
     * an edit: the row takes the new version; its id and URL stay. */
    [WN_ST_ITEM_EDIT] =
        "UPDATE items SET link = ?3, title = ?4, author = ?5, summary = ?6,"
        "  published = coalesce(?7, published), updated = ?8, chash = ?9 "
        "WHERE feed_id = ?1 AND guid = ?2 AND ?9 IS NOT NULL"
        "  AND chash IS NOT ?9",
    [WN_ST_ITEM_GET] = "SELECT i.attempts, a.id IS NOT NULL FROM items i "
                       "LEFT JOIN articles a ON a.url = i.url "
                       "WHERE i.feed_id = ?1 AND i.guid = ?2",
    [WN_ST_ITEM_FAILED] =
        "UPDATE items SET attempts = attempts + 1, last_error = ?2 WHERE url = ?1",
    [WN_ST_ARTICLE_EXISTS] = "SELECT 1 FROM articles WHERE url = ?1",
    [WN_ST_ARTICLE_PUT] =
        "INSERT INTO articles (url, fetched_url, title, author, published,"
        "  updated, site, lang, description, tags, text, words, paragraphs,"
        "  hash, simhash, story, plugins, flags, stored_at, feed_id, host) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
        "  ?15, ?16, ?17, ?18, ?19,"
        "  (SELECT feed_id FROM items WHERE url = ?1 ORDER BY id LIMIT 1), ?20) "
        /* a new article (the common case) is then last_insert_rowid():
         * no RETURNING, whose results SQLite keeps in a temporary table */
        "ON CONFLICT(url) DO NOTHING",
    /* The same parameters, for an article stored before. */
    [WN_ST_ARTICLE_UPDATE] =
        "UPDATE articles SET fetched_url = ?2, title = ?3, author = ?4,"
        "  published = ?5, updated = ?6, site = ?7, lang = ?8,"
        "  description = ?9, tags = ?10, text = ?11, words = ?12,"
        "  paragraphs = ?13, hash = ?14, simhash = ?15, story = ?16,"
        "  plugins = ?17, flags = ?18, host = ?20 "
        "WHERE url = ?1 AND ?19 IS NOT NULL RETURNING id",
    /* An earlier item of the same feed with the same article URL or the
     * same content: the item changed its GUID, not its content.
     * Two lookups, each along its index (one OR would scan the feed's
     * items and sort them); the older of the two answers wins. */
    [WN_ST_ITEM_TWIN_URL] = "SELECT id, url FROM items WHERE url = ?3"
                            "  AND feed_id = ?1 AND id <> ?2 "
                            "ORDER BY id LIMIT 1",
    [WN_ST_ITEM_TWIN_CHASH] = "SELECT id, url FROM items WHERE feed_id = ?1"
                              "  AND chash = ?3 AND id <> ?2 "
                              "ORDER BY id LIMIT 1",
    [WN_ST_ITEM_ADOPT] = "UPDATE items SET url = ?2 WHERE id = ?1",
    [WN_ST_STORY_BY_HASH] =
        "SELECT story FROM articles WHERE hash = ?1 AND url <> ?2 LIMIT 1",
    [WN_ST_SKETCH_PUT] =
        "INSERT INTO sketches (article_id, keys) VALUES (?1, ?2) "
        "ON CONFLICT(article_id) DO UPDATE SET keys = excluded.keys",
    [WN_ST_ARTICLE_TEXT] =
        "SELECT text, story, url FROM articles WHERE id = ?1",
    [WN_ST_PAGE_PUT] =
        "INSERT INTO pages (article_id, fetched_at, content_type, codec, size,"
        "  data) "
        "SELECT id, ?2, ?3, ?4, ?5, ?6 FROM articles WHERE url = ?1 "
        "ON CONFLICT(article_id) DO UPDATE SET fetched_at = excluded.fetched_at,"
        "  content_type = excluded.content_type, codec = excluded.codec,"
        "  size = excluded.size, data = excluded.data",
    [WN_ST_FEED_KEEP] = "UPDATE feeds SET keep_days = ?2 WHERE id = ?1",
    /* Prepared once: the writer takes one per operation. */
    [WN_ST_SAVEPOINT] = "SAVEPOINT wn_op",
    [WN_ST_RELEASE] = "RELEASE wn_op",
};

/* Page cache of each connection.  It is resident memory, and pages it
 * drops come back from the OS page cache: 64, 16, 8, 4 and 2 MB wrote at
 * the same rate on bench/store_bench (20,000 articles of 250 words), and
 * searches over 1,000,000 articles kept a median near 10 ms at 2 MB. */
#define WN_STORE_SQLITE_CACHE_KB 2048

struct wn_store_sqlite {
    struct wn_store base; /* first: the interface's view */
    sqlite3 *db;
    char *path;
    sqlite3_stmt *st[WN_ST_COUNT];
    sqlite3_int64 changes0;       /* sqlite3_total_changes() at BEGIN */
    struct wn_checkpointer *ckpt; /* WAL checkpoints, when writable */
    struct wn_search *search;     /* writes the search index, when writable */
    /* Searches: a connection with the index file ATTACHed as `search`,
     * made at the first search.  A read-only store's own; a writable
     * store's a second, read-only one, since its BEGIN IMMEDIATE would
     * lock every attached file, and the indexer with it. */
    sqlite3 *sdb;
    /* Story candidates of the newest articles, loaded from `sketches` at
     * the first article written (commands that only read never pay). */
    struct wn_story_index story;
    int story_loaded;
};

static const struct wn_store_ops wn_store_sqlite_ops;
static void wn_store_sqlite_close(struct wn_store *base);
static int wn_store_step_done(struct wn_store_sqlite *s, sqlite3_stmt *st,
                              struct wn_err *err, const char *what);

/* wn_url_host(url) in SQL, for the migration that fills articles.host. */
static void
wn_store_sqlite_host_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *url = (const char *) sqlite3_value_text(argv[0]);
    char *host = NULL;

    (void) argc;
    if (url != NULL && wn_url_host(url, &host) == 0) {
        sqlite3_result_text(ctx, host, -1, free);
    } else {
        sqlite3_result_null(ctx);
    }
}

static struct wn_store_sqlite *
wn_store_sqlite_of(struct wn_store *base)
{
    return (struct wn_store_sqlite *) base;
}

/*
 * The errors that say the store cannot take writes now (full disk, a
 * read-only file, an I/O error) rather than that one statement was bad:
 * they make the store "down" until a commit succeeds again.
 */
static const char *
wn_store_sqlite_kind(int code)
{
    switch (code) {
    case SQLITE_FULL:
        return " (disk full)";
    case SQLITE_READONLY:
        return " (read-only)";
    case SQLITE_IOERR:
        return " (I/O error)";
    case SQLITE_CANTOPEN:
        return " (cannot open)";
    case SQLITE_PERM:
        return " (permission denied)";
    default:
        return NULL;
    }
}

static int
wn_store_fail(struct wn_store_sqlite *s, struct wn_err *err, const char *what)
{
    int code = sqlite3_extended_errcode(s->db) & 0xff;
    const char *kind = wn_store_sqlite_kind(code);

    wn_err_set(err, WN_ESTORE, "store %s: %s: %s%s", s->path, what,
               sqlite3_errmsg(s->db), kind != NULL ? kind : "");
    if (kind != NULL) {
        wn_store_set_down(&s->base,
                          err != NULL ? err->msg : sqlite3_errmsg(s->db));
    }
    return WN_ESTORE;
}

static int
wn_store_exec(struct wn_store_sqlite *s, const char *sql, struct wn_err *err)
{
    char *msg = NULL;

    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int code = sqlite3_extended_errcode(s->db) & 0xff;
        const char *kind = wn_store_sqlite_kind(code);
        int rc = wn_err_set(err, WN_ESTORE, "store %s: %s%s", s->path,
                            msg ? msg : sqlite3_errmsg(s->db),
                            kind != NULL ? kind : "");
        sqlite3_free(msg);
        if (kind != NULL) {
            wn_store_set_down(&s->base, err != NULL ? err->msg : kind + 2);
        }
        return rc;
    }
    return 0;
}

static int
wn_store_user_version(struct wn_store_sqlite *s, int *version,
                      struct wn_err *err)
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
wn_store_migrate(struct wn_store_sqlite *s, struct wn_err *err)
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
        rc = wn_store_exec(s, wn_store_migrations[version].sql, err);
        if (rc == 0 && wn_store_migrations[version].fn != NULL) {
            rc = wn_store_migrations[version].fn(s, err);
        }
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

/*
 * Once per process, before SQLite's first use: no memory statistics.
 * Debian builds SQLite without its lookaside allocator, so every cursor and
 * record of every statement is a malloc(), and with statistics each one
 * also takes SQLite's global memory mutex, shared by the writer, the
 * search indexer and the checkpointer.  Nothing here reads the statistics.
 * SQLite refuses (harmlessly) when something initialized it first.
 */
static uv_once_t wn_store_sqlite_once = UV_ONCE_INIT;

static void
wn_store_sqlite_init(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_initialize();
}

int
wn_store_sqlite_open(const char *path, unsigned flags, struct wn_store **out,
                     struct wn_err *err)
{
    int oflags = (flags & WN_STORE_READONLY)
                     ? SQLITE_OPEN_READONLY
                     : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    struct wn_store_sqlite *s;
    int rc;

    *out = NULL;
    uv_once(&wn_store_sqlite_once, wn_store_sqlite_init);
    s = calloc(1, sizeof(*s));
    if (s == NULL || (s->path = strdup(path)) == NULL) {
        free(s);
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    s->base.ops = &wn_store_sqlite_ops;
    /* NOMUTEX: a store is confined to one thread at a time by design. */
    if (sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL)
        != SQLITE_OK)
    {
        rc = wn_err_set(err, WN_ESTORE, "store %s: cannot open: %s", path,
                        s->db ? sqlite3_errmsg(s->db) : "out of memory");
        wn_store_sqlite_close(&s->base);
        return rc;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, WN_STORE_BUSY_MS);
    sqlite3_create_function(s->db, "wn_url_host", 1,
                            SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                            wn_store_sqlite_host_fn, NULL, NULL);
    if (!(flags & WN_STORE_READONLY)) {
        rc = wn_store_exec(
            s,
            "PRAGMA journal_mode = WAL;"
            "PRAGMA synchronous = NORMAL;"
            "PRAGMA foreign_keys = ON;"
            "PRAGMA temp_store = MEMORY;"
            "PRAGMA wal_autocheckpoint = " WN_STORE_STR(
                WN_STORE_SQLITE_CHECKPOINT_PAGES) ";"
                                                  "PRAGMA cache_size = -" WN_STORE_STR(
                                                      WN_STORE_SQLITE_CACHE_KB) ";",
            err);
        if (rc == 0) {
            rc = wn_store_migrate(s, err);
        }
        /* Without it (out of memory), SQLite checkpoints as configured. */
        if (rc == 0) {
            wn_checkpoint_attach(s->db, path,
                                 WN_STORE_SQLITE_CHECKPOINT_BG_PAGES,
                                 WN_STORE_SQLITE_CHECKPOINT_PAGES, &s->ckpt);
        }
        /* Without it the store still works; searches see an old index. */
        if (rc == 0) {
            struct wn_err serr;
            if (wn_search_start(path, &s->search, &serr) != 0) {
                WN_LOG(WN_LOG_WARNING, "store", "%s", serr.msg);
            }
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
        wn_store_sqlite_close(&s->base);
        return rc;
    }
    for (int i = 0; i < WN_ST_COUNT; i++) {
        if ((flags & WN_STORE_READONLY) && i != WN_ST_ARTICLE_EXISTS
            && i != WN_ST_ARTICLE_TEXT)
        {
            continue;
        }
        if (sqlite3_prepare_v3(s->db, wn_store_sql[i], -1,
                               SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL)
            != SQLITE_OK)
        {
            rc = wn_store_fail(s, err, "preparing statements");
            wn_store_sqlite_close(&s->base);
            return rc;
        }
    }
    *out = &s->base;
    return 0;
}

static void
wn_store_sqlite_close(struct wn_store *base)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
    if (s == NULL) {
        return;
    }
    if (s->sdb != s->db) {
        sqlite3_close(s->sdb);
    }
    wn_search_stop(s->search);
    wn_checkpoint_detach(s->ckpt);
    for (int i = 0; i < WN_ST_COUNT; i++) {
        sqlite3_finalize(s->st[i]);
    }
    sqlite3_close(s->db);
    wn_story_index_free(&s->story);
    free(s->path);
    free(s);
}

static int
wn_store_sqlite_begin(struct wn_store *base, struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
    s->changes0 = sqlite3_total_changes64(s->db);
    return wn_store_exec(s, "BEGIN IMMEDIATE", err);
}

static int
wn_store_sqlite_commit(struct wn_store *base, struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
    int wrote = sqlite3_total_changes64(s->db) != s->changes0;
    int rc = wn_store_exec(s, "COMMIT", err);

    /* Only a commit that wrote proves there is room again. */
    if (rc == 0 && wrote) {
        wn_store_set_up(base);
        wn_search_kick(s->search);
    }
    return rc;
}

static void
wn_store_sqlite_rollback(struct wn_store *base)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
    if (!sqlite3_get_autocommit(s->db)) {
        wn_store_exec(s, "ROLLBACK", NULL);
    }
}

static int
wn_store_sqlite_savepoint(struct wn_store *base, struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
    return wn_store_step_done(s, s->st[WN_ST_SAVEPOINT], err,
                              "starting an operation");
}

static int
wn_store_sqlite_release(struct wn_store *base, int ok, struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);

    /* After some errors (a full disk, out of memory) SQLite rolls back the
     * whole transaction, not the statement: the savepoint is gone and so is
     * every op before this one. */
    if (sqlite3_get_autocommit(s->db)) {
        return wn_err_set(err, WN_ESTORE,
                          "store %s: the transaction was rolled back by "
                          "SQLite after a failed operation",
                          s->path);
    }
    if (!ok) {
        wn_store_exec(s, "ROLLBACK TO wn_op", NULL);
    }
    return wn_store_step_done(s, s->st[WN_ST_RELEASE], err,
                              "ending an operation");
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
wn_store_step_done(struct wn_store_sqlite *s, sqlite3_stmt *st,
                   struct wn_err *err, const char *what)
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

static int
wn_store_sqlite_feed_sync(struct wn_store *base, const char *name,
                          const char *url, struct wn_store_feed *out,
                          struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
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
        out->fetch_url = wn_store_column_dup(st, 5);
        out->retired = wn_store_column_time(st, 6);
        out->interval = (long) sqlite3_column_int64(st, 7);
        out->error_class = wn_store_column_dup(st, 8);
        out->skip_hours = (uint32_t) sqlite3_column_int64(st, 9);
        out->skip_days = (unsigned) sqlite3_column_int64(st, 10);
        rc = 0;
    } else {
        rc = wn_store_fail(s, err, "reading a feed");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static int
wn_store_sqlite_feeds(struct wn_store *base, wn_store_feed_row_cb cb, void *arg,
                      struct wn_err *err)
{
    static const char sql[] =
        "SELECT name, url, fetch_url, title, last_fetch, last_ok, last_status,"
        "  last_error, error_class, error_count, next_fetch, retired, fetch_interval "
        "FROM feeds ORDER BY name";
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        return wn_store_fail(s, err, "listing feeds");
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct wn_store_feed_row r;
        r.name = wn_store_column_text(st, 0);
        r.url = wn_store_column_text(st, 1);
        r.fetch_url = wn_store_column_text(st, 2);
        r.title = wn_store_column_text(st, 3);
        r.last_fetch = wn_store_column_time(st, 4);
        r.last_ok = wn_store_column_time(st, 5);
        r.last_status = (long) sqlite3_column_int64(st, 6);
        r.last_error = wn_store_column_text(st, 7);
        r.error_class = wn_store_column_text(st, 8);
        r.error_count = (long) sqlite3_column_int64(st, 9);
        r.next_fetch = sqlite3_column_int64(st, 10);
        r.retired = wn_store_column_time(st, 11);
        r.interval = (long) sqlite3_column_int64(st, 12);
        if (cb(&r, arg) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    rc = rc == SQLITE_DONE ? 0 : wn_store_fail(s, err, "listing feeds");
    sqlite3_finalize(st);
    return rc;
}

static int
wn_store_sqlite_feed_fetched(struct wn_store *base,
                             const struct wn_store_fetch *f, struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
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
        wn_store_bind_text(st, 10, f->fetch_url);
        sqlite3_bind_int64(st, 11, f->interval);
        sqlite3_bind_int64(st, 12, f->skip_hours);
        sqlite3_bind_int64(st, 13, f->skip_days);
    } else {
        st = s->st[WN_ST_FEED_FETCHED_ERR];
        sqlite3_bind_int64(st, 1, f->feed_id);
        sqlite3_bind_int64(st, 2, f->fetched_at);
        sqlite3_bind_int64(st, 3, f->status);
        wn_store_bind_text(st, 4, f->error);
        sqlite3_bind_int64(st, 5, f->next_fetch);
        wn_store_bind_text(st, 6, f->error_class);
        wn_store_bind_text(st, 7, f->fetch_url);
        sqlite3_bind_int(st, 8, f->retired);
    }
    return wn_store_step_done(s, st, err, "saving a feed's fetch");
}

/* ---- items ---- */

/*
 * A new item row `id` whose feed already has an item with the same article
 * URL or the same content is the same item under a new GUID: the new row
 * takes the older row's URL (so it shares its article and is not fetched or
 * stored again).  Returns 1 for such a twin, 0 for a really new item.
 */
static int
wn_store_item_twin(struct wn_store_sqlite *s, int64_t feed_id, int64_t id,
                   const char *url, const char *chash, struct wn_err *err)
{
    const char *key[2] = { url, chash };
    enum wn_store_stmt which[2] = { WN_ST_ITEM_TWIN_URL,
                                    WN_ST_ITEM_TWIN_CHASH };
    sqlite3_stmt *st;
    char *twin_url = NULL;
    int64_t twin_id = 0;
    int rc = 0, found = 0;

    for (int k = 0; rc == 0 && k < 2; k++) {
        if (key[k] == NULL) {
            continue;
        }
        st = s->st[which[k]];
        sqlite3_bind_int64(st, 1, feed_id);
        sqlite3_bind_int64(st, 2, id);
        wn_store_bind_text(st, 3, key[k]);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            int64_t tid = sqlite3_column_int64(st, 0);
            if (!found || tid < twin_id) {
                free(twin_url);
                twin_url = wn_store_column_dup(st, 1);
                twin_id = tid;
                found = 1;
            }
            rc = 0;
        } else if (rc == SQLITE_DONE) {
            rc = 0;
        } else {
            rc = wn_store_fail(s, err, "looking for an item's earlier GUID");
        }
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    /* The twin's URL, even none (its text came from the feed). */
    if (rc == 0 && found
        && (url == NULL || twin_url == NULL ? url != twin_url
                                            : strcmp(url, twin_url) != 0))
    {
        st = s->st[WN_ST_ITEM_ADOPT];
        sqlite3_bind_int64(st, 1, id);
        wn_store_bind_text(st, 2, twin_url);
        rc = wn_store_step_done(s, st, err, "linking an item to its twin");
    }
    free(twin_url);
    return rc != 0 ? rc : found;
}

static int wn_store_sqlite_article_exists(struct wn_store *base,
                                          const char *url, struct wn_err *err);

static int
wn_store_sqlite_item_put(struct wn_store *base, int64_t feed_id,
                         const struct wn_feed_item *item, const char *url,
                         int64_t now, int *want, struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
    sqlite3_stmt *st = s->st[WN_ST_ITEM_INSERT];
    char chash[WN_TEXT_HASH_HEX + 1];
    int rc, isnew, have_chash;

    *want = 0;
    have_chash = wn_store_item_chash(item, chash);
    sqlite3_bind_int64(st, 1, feed_id);
    wn_store_bind_text(st, 2, item->id);
    wn_store_bind_text(st, 3, url);
    wn_store_bind_text(st, 4, item->link);
    wn_store_bind_text(st, 5, item->title);
    wn_store_bind_text(st, 6, item->author);
    wn_store_bind_text(st, 7, item->summary);
    wn_store_bind_time(st, 8, item->published);
    wn_store_bind_time(st, 9, item->updated);
    sqlite3_bind_int64(st, 10, now);
    wn_store_bind_text(st, 11, have_chash ? chash : NULL);
    rc = wn_store_step_done(s, st, err, "saving an item");
    if (rc != 0) {
        return rc;
    }
    isnew = sqlite3_changes(s->db) > 0;
    if (!isnew && have_chash) {
        st = s->st[WN_ST_ITEM_EDIT];
        sqlite3_bind_int64(st, 1, feed_id);
        wn_store_bind_text(st, 2, item->id);
        wn_store_bind_text(st, 3, item->link);
        wn_store_bind_text(st, 4, item->title);
        wn_store_bind_text(st, 5, item->author);
        wn_store_bind_text(st, 6, item->summary);
        wn_store_bind_time(st, 7, item->published);
        wn_store_bind_time(st, 8, item->updated);
        wn_store_bind_text(st, 9, chash);
        rc = wn_store_step_done(s, st, err, "updating an edited item");
        if (rc != 0) {
            return rc;
        }
    }
    if (isnew) {
        rc = wn_store_item_twin(s, feed_id, sqlite3_last_insert_rowid(s->db),
                                url, have_chash ? chash : NULL, err);
        if (rc < 0) {
            return rc;
        }
        isnew = rc == 0;
        if (!isnew) {
            /* A twin's article is the older item's business. */
            return 0;
        }
        /* A new item has no failed attempts: it wants its article unless
         * another item brought it. */
        rc = url != NULL ? wn_store_sqlite_article_exists(base, url, err) : 0;
        if (rc < 0) {
            return rc;
        }
        *want = rc == 0;
        return 1;
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

static int
wn_store_sqlite_item_failed(struct wn_store *base, const char *url,
                            const char *why, struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
    sqlite3_stmt *st = s->st[WN_ST_ITEM_FAILED];

    wn_store_bind_text(st, 1, url);
    wn_store_bind_text(st, 2, why);
    return wn_store_step_done(s, st, err, "counting a failed article");
}

/* ---- articles ---- */

static int
wn_store_sqlite_article_exists(struct wn_store *base, const char *url,
                               struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
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

/*
 * The lower-cased host of a canonical URL (scheme://[user@]host[:port]/...)
 * without a full parse: canonical URLs are already checked and normalized.
 * malloc'd, or NULL.
 */
static char *
wn_store_sqlite_url_host(const char *url)
{
    const char *p = strstr(url, "://"), *at, *end;
    char *host;

    if (p == NULL) {
        return NULL;
    }
    p += 3;
    end = p + strcspn(p, "/?#");
    at = memchr(p, '@', (size_t) (end - p));
    if (at != NULL) {
        p = at + 1;
    }
    if (*p == '[') { /* IPv6 literal: keep the brackets' content */
        const char *close = memchr(p, ']', (size_t) (end - p));
        if (close == NULL) {
            return NULL;
        }
        p++;
        end = close;
    } else {
        const char *colon = memchr(p, ':', (size_t) (end - p));
        if (colon != NULL) {
            end = colon;
        }
    }
    host = strndup(p, (size_t) (end - p));
    for (char *c = host; c != NULL && *c != '\0'; c++) {
        if (*c >= 'A' && *c <= 'Z') {
            *c = (char) (*c | 0x20);
        }
    }
    return host;
}

/* A story candidate: a stored article sharing sketch keys with a new one. */
struct wn_store_cand {
    int64_t id;
    int hits; /* keys shared */
};

static int
wn_store_cand_cmp(const void *a, const void *b)
{
    const struct wn_store_cand *x = a, *y = b;

    if (x->hits != y->hits) {
        return y->hits - x->hits;
    }
    return (y->id > x->id) - (y->id < x->id);
}

/* A sketch as stored: WN_SHINGLE_SKETCH little-endian u64 at most. */
static size_t
wn_store_sketch_pack(const uint64_t *keys, size_t n,
                     unsigned char out[WN_SHINGLE_SKETCH * 8])
{
    for (size_t k = 0; k < n; k++) {
        for (size_t b = 0; b < 8; b++) {
            out[k * 8 + b] = (unsigned char) (keys[k] >> (8 * b));
        }
    }
    return n * 8;
}

static size_t
wn_store_sketch_unpack(const unsigned char *p, size_t len,
                       uint64_t keys[WN_SHINGLE_SKETCH])
{
    size_t n = len / 8 < WN_SHINGLE_SKETCH ? len / 8 : WN_SHINGLE_SKETCH;

    for (size_t k = 0; k < n; k++) {
        keys[k] = 0;
        for (size_t b = 0; b < 8; b++) {
            keys[k] |= (uint64_t) p[k * 8 + b] << (8 * b);
        }
    }
    return n;
}

/* Articles whose sketches the index is filled from when it is loaded: as
 * many as fill it to half at WN_SHINGLE_SKETCH keys each. */
#define WN_STORE_STORY_LOAD (WN_STORY_SLOTS_MAX / 2 / WN_SHINGLE_SKETCH)

/* Fills the story index from the newest stored sketches (oldest first, so
 * that the newest win a full bucket). */
static int
wn_store_sqlite_story_load(struct wn_store_sqlite *s, struct wn_err *err)
{
    static const char sql[] =
        "SELECT article_id, keys FROM (SELECT article_id, keys FROM sketches"
        "  ORDER BY article_id DESC LIMIT ?1) ORDER BY article_id";
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        return wn_store_fail(s, err, "loading the story index");
    }
    sqlite3_bind_int64(st, 1, WN_STORE_STORY_LOAD);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t keys[WN_SHINGLE_SKETCH];
        size_t n =
            wn_store_sketch_unpack(sqlite3_column_blob(st, 1),
                                   (size_t) sqlite3_column_bytes(st, 1), keys);
        for (size_t k = 0; k < n; k++) {
            wn_story_index_add(&s->story, keys[k], sqlite3_column_int64(st, 0));
        }
    }
    rc = rc == SQLITE_DONE ? 0
                           : wn_store_fail(s, err, "loading the story index");
    sqlite3_finalize(st);
    s->story_loaded = rc == 0;
    return rc;
}

/*
 * The story of stored article `id` when it is the same story as `sh` (and
 * another URL than `url`): *story is then malloc'd; else left NULL.
 */
static int
wn_store_sqlite_same_story(struct wn_store_sqlite *s, int64_t id,
                           const char *url, const struct wn_article *a,
                           struct wn_shingles *sh, char **story,
                           struct wn_err *err)
{
    sqlite3_stmt *st = s->st[WN_ST_ARTICLE_TEXT];
    struct wn_shingles other = { NULL, 0 };
    int rc;

    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *text = (const char *) sqlite3_column_text(st, 0);
        const char *curl = (const char *) sqlite3_column_text(st, 2);
        size_t len = (size_t) sqlite3_column_bytes(st, 0);
        rc = 0;
        /* the new article's shingles, made once, at the first candidate */
        if (sh->h == NULL && sh->n == 0
            && wn_shingles_of(a->text, a->len, sh) != 0) {
            rc = wn_err_set(err, WN_ENOMEM, "out of memory");
        } else if (curl != NULL && strcmp(curl, url) != 0
                   && wn_shingles_of(text != NULL ? text : "", len, &other) == 0
                   && wn_shingles_linked(sh, &other))
        {
            *story = wn_store_column_dup(st, 1);
            if (*story == NULL) {
                rc = wn_err_set(err, WN_ENOMEM, "out of memory");
            }
        }
        wn_shingles_free(&other);
    } else if (rc == SQLITE_DONE) {
        rc = 0; /* deleted, or rolled back: the index is lossy */
    } else {
        rc = wn_store_fail(s, err, "reading a story candidate");
    }
    sqlite3_reset(st);
    return rc;
}

/*
 * The story of a new article: the story of a stored article with the same
 * content hash, else of one whose shingles it mostly shares (found through
 * the sketch keys it shares, in the story index, never by a scan), else
 * its own hash.  *story is malloc'd.
 */
static int
wn_store_sqlite_story(struct wn_store_sqlite *s, const char *url,
                      const struct wn_article *a, const uint64_t *keys,
                      size_t nkeys, char **story, struct wn_err *err)
{
    const char *hash = a->hash;
    struct wn_shingles sh = { NULL, 0 };
    struct wn_store_cand cand[WN_SHINGLE_SKETCH * WN_STORY_BUCKET];
    size_t ncand = 0;
    sqlite3_stmt *st = s->st[WN_ST_STORY_BY_HASH];
    int rc = 0;

    *story = NULL;
    wn_store_bind_text(st, 1, hash);
    wn_store_bind_text(st, 2, url);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *story = wn_store_column_dup(st, 0);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? 0 : wn_store_fail(s, err, "finding a story");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != 0 || *story != NULL) {
        return rc;
    }
    if (!s->story_loaded && (rc = wn_store_sqlite_story_load(s, err)) != 0) {
        return rc;
    }
    for (size_t k = 0; k < nkeys; k++) {
        int64_t ids[WN_STORY_BUCKET];
        size_t n = wn_story_index_find(&s->story, keys[k], ids);
        for (size_t i = 0; i < n; i++) {
            size_t c = 0;
            while (c < ncand && cand[c].id != ids[i]) {
                c++;
            }
            if (c == ncand) {
                cand[c].id = ids[i];
                cand[c].hits = 0;
                ncand++;
            }
            cand[c].hits++;
        }
    }
    qsort(cand, ncand, sizeof(cand[0]), wn_store_cand_cmp);
    for (size_t c = 0;
         rc == 0 && *story == NULL && c < ncand && c < WN_STORE_STORY_VERIFY;
         c++)
    {
        rc = wn_store_sqlite_same_story(s, cand[c].id, url, a, &sh, story, err);
    }
    wn_shingles_free(&sh);
    if (rc == 0 && *story == NULL) {
        *story = strdup(hash);
        if (*story == NULL) {
            rc = wn_err_set(err, WN_ENOMEM, "out of memory");
        }
    }
    return rc;
}

/* Records article id's sketch: its row, and the story index. */
static int
wn_store_sqlite_index(struct wn_store_sqlite *s, int64_t id,
                      const uint64_t *keys, size_t nkeys, struct wn_err *err)
{
    sqlite3_stmt *st = s->st[WN_ST_SKETCH_PUT];
    unsigned char blob[WN_SHINGLE_SKETCH * 8];
    size_t len = wn_store_sketch_pack(keys, nkeys, blob);

    int rc;

    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_blob(st, 2, blob, (int) len, SQLITE_STATIC);
    rc = wn_store_step_done(s, st, err, "indexing a story");
    for (size_t k = 0; rc == 0 && k < nkeys; k++) {
        wn_story_index_add(&s->story, keys[k], id);
    }
    return rc;
}

static int
wn_store_sqlite_article_put(struct wn_store *base, const struct wn_article *a,
                            const char *url, const char *fetched_url,
                            int64_t now, struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
    sqlite3_stmt *st = s->st[WN_ST_ARTICLE_PUT];
    json_t *tags = NULL;
    char *tags_json = NULL, *story = NULL, *host = NULL;
    uint64_t keys[WN_SHINGLE_SKETCH];
    size_t nkeys;
    int64_t id = 0;
    int rc;

    /* Most articles have no tags: "[]" without jansson's allocations. */
    if (a->ntags > 0 && (tags = json_array()) != NULL) {
        for (size_t i = 0; i < a->ntags; i++) {
            json_array_append_new(tags, json_string(a->tags[i]));
        }
        tags_json = json_dumps(tags, JSON_COMPACT);
        json_decref(tags);
    }
    if (a->ntags > 0 && tags_json == NULL) {
        rc = wn_err_set(err, WN_ENOMEM, "out of memory");
        goto failed;
    }
    if (a->nsketch > 0) { /* made by the cleaner */
        nkeys = a->nsketch;
        memcpy(keys, a->sketch, nkeys * sizeof(keys[0]));
    } else if (wn_shingles_sketch_of(a->text, a->len, keys, &nkeys) != 0) {
        rc = wn_err_set(err, WN_ENOMEM, "out of memory");
        goto failed;
    }
    rc = wn_store_sqlite_story(s, url, a, keys, nkeys, &story, err);
    if (rc != 0) {
        goto failed;
    }
    host = wn_store_sqlite_url_host(url);
    for (int update = 0; rc == 0 && id == 0 && update < 2; update++) {
        st = s->st[update ? WN_ST_ARTICLE_UPDATE : WN_ST_ARTICLE_PUT];
        wn_store_bind_text(st, 1, url);
        wn_store_bind_text(st, 2, fetched_url);
        wn_store_bind_text(st, 3, a->meta[WN_META_TITLE]);
        wn_store_bind_text(st, 4, a->meta[WN_META_AUTHOR]);
        wn_store_bind_time(st, 5, wn_store_meta_time(a, WN_META_PUBLISHED));
        wn_store_bind_time(st, 6, wn_store_meta_time(a, WN_META_UPDATED));
        wn_store_bind_text(st, 7, a->meta[WN_META_SITE]);
        wn_store_bind_text(st, 8, a->meta[WN_META_LANG]);
        wn_store_bind_text(st, 9, a->meta[WN_META_DESCRIPTION]);
        wn_store_bind_text(st, 10, tags_json != NULL ? tags_json : "[]");
        sqlite3_bind_text(st, 11, a->text, (int) a->len, SQLITE_STATIC);
        sqlite3_bind_int64(st, 12, (sqlite3_int64) a->words);
        sqlite3_bind_int64(st, 13, (sqlite3_int64) a->paragraphs);
        wn_store_bind_text(st, 14, a->hash);
        sqlite3_bind_int64(st, 15, (sqlite3_int64) a->simhash);
        wn_store_bind_text(st, 16, story);
        wn_store_bind_text(st, 17, a->plugins);
        sqlite3_bind_int64(st, 18, a->flags);
        sqlite3_bind_int64(st, 19, now);
        wn_store_bind_text(st, 20, host);
        rc = sqlite3_step(st);
        if (!update && rc == SQLITE_DONE) {
            /* inserted, or already there (then updated next round) */
            id = sqlite3_changes(s->db) == 1 ? sqlite3_last_insert_rowid(s->db)
                                             : 0;
            rc = 0;
        } else if (update && rc == SQLITE_ROW) {
            id = sqlite3_column_int64(st, 0);
            rc = 0;
        } else {
            rc = wn_store_fail(s, err, "saving an article");
        }
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    if (rc == 0) {
        rc = wn_store_sqlite_index(s, id, keys, nkeys, err);
    }
    /* Outside a transaction (commands, tests) no commit tells the index. */
    if (rc == 0 && sqlite3_get_autocommit(s->db)) {
        wn_search_kick(s->search);
    }
failed:
    free(tags_json);
    free(story);
    free(host);
    return rc;
}

static int
wn_store_sqlite_pending(struct wn_store *base, size_t limit,
                        wn_store_pending_cb cb, void *arg, struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
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

static int
wn_store_sqlite_articles(struct wn_store *base, int64_t since,
                         wn_store_row_cb cb, void *arg, struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
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

static int
wn_store_sqlite_counts(struct wn_store *base, struct wn_store_counts *out,
                       struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
    static const char sql[] =
        "SELECT (SELECT count(*) FROM feeds), (SELECT count(*) FROM items),"
        "  (SELECT count(*) FROM articles),"
        "  (SELECT count(DISTINCT i.url) FROM items i LEFT JOIN articles a"
        "     ON a.url = i.url WHERE a.id IS NULL AND i.url IS NOT NULL"
        "     AND i.attempts < ?1)";
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        return wn_store_fail(s, err, "counting");
    }
    sqlite3_bind_int(st, 1, WN_STORE_ITEM_ATTEMPTS);
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

/* ---- reports for the admin endpoint ---- */

static int64_t
wn_store_sqlite_col_time(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL
               ? 0
               : sqlite3_column_int64(st, i);
}

static int
wn_store_sqlite_feed_report(struct wn_store *base, wn_store_feed_report_cb cb,
                            void *arg, struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
    static const char sql[] =
        "SELECT name, url, title, last_error, last_fetch, last_ok,"
        "  next_fetch, last_status, error_count FROM feeds ORDER BY name";
    struct wn_store_feed_report r;
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        return wn_store_fail(s, err, "reading feeds");
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        r.name = (const char *) sqlite3_column_text(st, 0);
        r.url = (const char *) sqlite3_column_text(st, 1);
        r.title = (const char *) sqlite3_column_text(st, 2);
        r.last_error = (const char *) sqlite3_column_text(st, 3);
        r.last_fetch = wn_store_sqlite_col_time(st, 4);
        r.last_ok = wn_store_sqlite_col_time(st, 5);
        r.next_fetch = wn_store_sqlite_col_time(st, 6);
        r.last_status = (long) sqlite3_column_int64(st, 7);
        r.error_count = (long) sqlite3_column_int64(st, 8);
        if (cb(&r, arg) != 0) {
            break;
        }
    }
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE
             ? 0
             : wn_store_fail(s, err, "reading feeds");
    sqlite3_finalize(st);
    return rc;
}

static int
wn_store_sqlite_item_days(struct wn_store *base, int64_t since,
                          wn_store_day_cb cb, void *arg, struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
    static const char sql[] =
        "SELECT f.name, i.first_seen / 86400, count(*) FROM items i"
        "  JOIN feeds f ON f.id = i.feed_id WHERE i.first_seen >= ?"
        "  GROUP BY i.feed_id, i.first_seen / 86400";
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        return wn_store_fail(s, err, "counting items per day");
    }
    sqlite3_bind_int64(st, 1, since);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (cb((const char *) sqlite3_column_text(st, 0),
               sqlite3_column_int64(st, 1), (long) sqlite3_column_int64(st, 2),
               arg)
            != 0)
        {
            break;
        }
    }
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE
             ? 0
             : wn_store_fail(s, err, "counting items per day");
    sqlite3_finalize(st);
    return rc;
}

/* The search index's file (its WAL is not counted, as the store's is not). */
static int64_t
wn_store_sqlite_index_size(struct wn_store_sqlite *s)
{
    char *path = wn_search_path(s->path);
    struct stat sb;
    int64_t size = 0;

    if (path != NULL && stat(path, &sb) == 0) {
        size = (int64_t) sb.st_size;
    }
    free(path);
    return size;
}

static int
wn_store_sqlite_size(struct wn_store *base, int64_t *bytes, struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
    static const char sql[] =
        "SELECT page_count * page_size FROM pragma_page_count(),"
        "  pragma_page_size()";
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        return wn_store_fail(s, err, "reading the size");
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *bytes = sqlite3_column_int64(st, 0) + wn_store_sqlite_index_size(s);
        rc = 0;
    } else {
        rc = wn_store_fail(s, err, "reading the size");
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- raw pages ---- */

static int
wn_store_sqlite_page_put(struct wn_store *base, const char *url,
                         const struct wn_store_page *p, struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
    sqlite3_stmt *st = s->st[WN_ST_PAGE_PUT];

    wn_store_bind_text(st, 1, url);
    sqlite3_bind_int64(st, 2, p->fetched_at);
    wn_store_bind_text(st, 3, p->content_type);
    wn_store_bind_text(st, 4, WN_PAGE_CODEC);
    sqlite3_bind_int64(st, 5, (sqlite3_int64) p->size);
    sqlite3_bind_blob(st, 6, p->data, (int) p->size, SQLITE_STATIC);
    return wn_store_step_done(s, st, err, "keeping a page");
}

static int
wn_store_sqlite_kept_pages(struct wn_store *base, const char *host,
                           int64_t since, wn_store_kept_cb cb, void *arg,
                           struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
    static const char list_sql[] =
        "SELECT p.article_id FROM pages p JOIN articles a ON a.id = p.article_id "
        "WHERE a.stored_at >= ?1"
        "  AND (?2 IS NULL OR a.host = ?2 OR a.host LIKE '%.' || ?2) "
        "ORDER BY a.stored_at, a.id";
    static const char get_sql[] =
        "SELECT a.id, a.url, a.fetched_url, p.content_type, a.title, a.author,"
        "  a.plugins, a.hash, a.published, p.fetched_at, p.data "
        "FROM pages p JOIN articles a ON a.id = p.article_id "
        "WHERE p.article_id = ?1";
    sqlite3_stmt *st = NULL;
    int64_t *ids = NULL;
    size_t n = 0, cap = 0, done = 0;
    int rc;

    /* The ids first: cb writes to the articles this would be reading. */
    if (sqlite3_prepare_v2(s->db, list_sql, -1, &st, NULL) != SQLITE_OK) {
        return wn_store_fail(s, err, "listing kept pages");
    }
    sqlite3_bind_int64(st, 1, since);
    wn_store_bind_text(st, 2, host);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            int64_t *nids = realloc(ids, ncap * sizeof(*ids));
            if (nids == NULL) {
                rc = SQLITE_NOMEM;
                break;
            }
            ids = nids;
            cap = ncap;
        }
        ids[n++] = sqlite3_column_int64(st, 0);
    }
    rc = rc == SQLITE_DONE ? 0 : wn_store_fail(s, err, "listing kept pages");
    sqlite3_finalize(st);
    st = NULL;
    if (rc == 0
        && sqlite3_prepare_v2(s->db, get_sql, -1, &st, NULL) != SQLITE_OK) {
        rc = wn_store_fail(s, err, "reading a kept page");
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct wn_store_kept k;
        int step;

        sqlite3_bind_int64(st, 1, ids[i]);
        step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            k.article_id = sqlite3_column_int64(st, 0);
            k.url = wn_store_column_text(st, 1);
            k.fetched_url = wn_store_column_text(st, 2);
            k.content_type = wn_store_column_text(st, 3);
            k.title = wn_store_column_text(st, 4);
            k.author = wn_store_column_text(st, 5);
            k.plugins = wn_store_column_text(st, 6);
            k.hash = wn_store_column_text(st, 7);
            k.published = wn_store_column_time(st, 8);
            k.fetched_at = sqlite3_column_int64(st, 9);
            k.data = sqlite3_column_blob(st, 10);
            k.size = (size_t) sqlite3_column_bytes(st, 10);
            /* cb may write: this statement only reads one row by id, and
             * its column pointers stay valid until it is reset. */
            done++;
            if (cb(&k, arg) != 0) {
                sqlite3_reset(st);
                break;
            }
        } else if (step != SQLITE_DONE) {
            rc = wn_store_fail(s, err, "reading a kept page");
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    free(ids);
    return rc != 0 ? rc : (int) done;
}

/* ---- retention ---- */

static int
wn_store_sqlite_feed_keep(struct wn_store *base, int64_t feed_id,
                          long keep_days, struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
    sqlite3_stmt *st = s->st[WN_ST_FEED_KEEP];

    sqlite3_bind_int64(st, 1, feed_id);
    if (keep_days >= 0) {
        sqlite3_bind_int64(st, 2, keep_days);
    } else {
        sqlite3_bind_null(st, 2);
    }
    return wn_store_step_done(s, st, err, "saving a feed's retention");
}

static int
wn_store_sqlite_retain(struct wn_store *base, struct wn_store_retain *r,
                       struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
    /* keep_days 0 (the feed's or the default) keeps for ever. */
#define WN_STORE_SQLITE_EXPIRED                                                \
    "SELECT a.id FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id"        \
    "  WHERE coalesce(f.keep_days, ?2) > 0"                                    \
    "    AND a.stored_at < ?1 - 86400 * coalesce(f.keep_days, ?2)"             \
    "  ORDER BY a.id LIMIT ?4"
    /* The items stay, with their fetches used up, so that neither the
     * feed listing them again nor the pending sweep fetches them again. */
    static const char items_sql[] =
        "UPDATE items SET attempts = max(attempts, ?3),"
        "  last_error = 'article expired (keep_days)' "
        "WHERE url IN (SELECT url FROM articles WHERE id IN (" WN_STORE_SQLITE_EXPIRED
        "))";
    static const char articles_sql[] =
        "DELETE FROM articles WHERE id IN (" WN_STORE_SQLITE_EXPIRED ")";
    static const char pages_sql[] =
        "DELETE FROM pages WHERE article_id IN (SELECT article_id FROM pages"
        "  WHERE ?2 > 0 AND fetched_at < ?1 - 86400 * ?2"
        "  ORDER BY article_id LIMIT ?4)";
#undef WN_STORE_SQLITE_EXPIRED
    const char *sql[3] = { items_sql, articles_sql, pages_sql };
    long days[3] = { r->keep_days, r->keep_days, r->keep_pages_days };
    long ignored, *count[3] = { &ignored, &r->articles, &r->pages };
    int rc = 0;

    r->articles = r->pages = 0;
    r->more = 0;
    for (int i = 0; rc == 0 && i < 3; i++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(s->db, sql[i], -1, &st, NULL) != SQLITE_OK) {
            return wn_store_fail(s, err, "expiring articles");
        }
        sqlite3_bind_int64(st, 1, r->now);
        sqlite3_bind_int64(st, 2, days[i]);
        if (i == 0) {
            sqlite3_bind_int(st, 3, WN_STORE_ITEM_ATTEMPTS);
        }
        sqlite3_bind_int64(st, 4, r->limit > 0 ? r->limit : -1); /* -1: all */
        rc = sqlite3_step(st) == SQLITE_DONE
                 ? 0
                 : wn_store_fail(s, err, "expiring articles");
        *count[i] = rc == 0 ? (long) sqlite3_changes(s->db) : 0;
        sqlite3_finalize(st);
    }
    r->more = r->limit > 0 && (r->articles >= r->limit || r->pages >= r->limit);
    return rc;
}

static int64_t
wn_store_sqlite_page_size(struct wn_store_sqlite *s)
{
    sqlite3_stmt *st;
    int64_t size = 4096;

    if (sqlite3_prepare_v2(s->db, "PRAGMA page_size", -1, &st, NULL)
        == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0) {
            size = sqlite3_column_int64(st, 0);
        }
        sqlite3_finalize(st);
    }
    return size;
}

static int
wn_store_sqlite_limit(struct wn_store *base, int64_t max_bytes,
                      struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
    char sql[96];
    int64_t pages;

    /* 2^31 - 2 pages is SQLite's own largest database. */
    pages = max_bytes > 0 ? max_bytes / wn_store_sqlite_page_size(s) + 1
                          : 2147483646;
    snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld",
             (long long) pages);
    /* The index file has the same cap: full, it falls behind the store
     * (logged) and catches up when there is room again. */
    wn_search_limit(s->search, max_bytes);
    return wn_store_exec(s, sql, err);
}

/* ---- search ---- */

/*
 * The query as plain words: each run of letters and digits quoted as an
 * FTS5 string, all required.  The caller frees the result.
 */
static char *
wn_store_sqlite_words_query(const char *q)
{
    size_t n = strlen(q), o = 0;
    char *out = malloc(n * 3 + 3);
    int in_word = 0;

    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char) q[i];
        int w = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9') || c >= 0x80;
        if (w && !in_word) {
            if (o > 0) {
                out[o++] = ' ';
            }
            out[o++] = '"';
        } else if (!w && in_word) {
            out[o++] = '"';
        }
        if (w) {
            out[o++] = (char) c;
        }
        in_word = w;
    }
    if (in_word) {
        out[o++] = '"';
    }
    out[o] = '\0';
    return out;
}

static int
wn_store_sqlite_search_run(struct wn_store_sqlite *s, sqlite3_stmt *st,
                           const struct wn_store_query *q, const char *match,
                           wn_store_hit_cb cb, void *arg, int *hits)
{
    int rc;

    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    wn_store_bind_text(st, 1, match);
    wn_store_bind_text(st, 2, q->feed);
    wn_store_bind_text(st, 3, q->site);
    wn_store_bind_time(st, 4, q->since);
    wn_store_bind_time(st, 5, q->until);
    sqlite3_bind_int64(st, 6,
                       (sqlite3_int64) (q->limit == 0 ? WN_STORE_SEARCH_LIMIT
                                        : q->limit > WN_STORE_SEARCH_LIMIT_MAX
                                            ? WN_STORE_SEARCH_LIMIT_MAX
                                            : q->limit));
    *hits = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct wn_store_hit h;
        h.url = wn_store_column_text(st, 0);
        h.feed = wn_store_column_text(st, 1);
        h.title = wn_store_column_text(st, 2);
        h.site = wn_store_column_text(st, 3);
        h.snippet = wn_store_column_text(st, 4);
        h.published = wn_store_column_time(st, 5);
        h.stored_at = sqlite3_column_int64(st, 6);
        h.rank = sqlite3_column_double(st, 7);
        h.story = wn_store_column_text(st, 8);
        (*hits)++;
        if (cb(&h, arg) != 0) {
            return SQLITE_DONE;
        }
    }
    (void) s;
    return rc;
}

/* The connection searches use (s->sdb), made at the first search. */
static int
wn_store_sqlite_attach_index(struct wn_store_sqlite *s, struct wn_err *err)
{
    sqlite3 *db = s->search == NULL ? s->db : NULL;
    sqlite3_stmt *st = NULL;
    char *path;
    int rc = 0;

    if (s->sdb != NULL) {
        return 0;
    }
    path = wn_search_path(s->path);
    if (path == NULL) {
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    if (access(path, F_OK) != 0) {
        rc = wn_err_set(err, WN_ESTORE,
                        "store %s: no search index yet (%s): winnowd builds "
                        "it when it runs",
                        s->path, path);
    } else if (db == NULL
               && sqlite3_open_v2(s->path, &db,
                                  SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                                  NULL)
                      != SQLITE_OK)
    {
        rc = wn_err_set(err, WN_ESTORE, "store %s: cannot open: %s", s->path,
                        db != NULL ? sqlite3_errmsg(db) : "out of memory");
    } else if (sqlite3_prepare_v2(db, "ATTACH ?1 AS search", -1, &st, NULL)
                   != SQLITE_OK
               || (sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC),
                   sqlite3_step(st) != SQLITE_DONE))
    {
        rc = wn_err_set(err, WN_ESTORE, "store %s: search index %s: %s",
                        s->path, path, sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    free(path);
    if (rc == 0) {
        s->sdb = db;
        sqlite3_busy_timeout(db, WN_STORE_BUSY_MS);
    } else if (db != s->db) {
        sqlite3_close(db);
    }
    return rc;
}

/* A reader says when the index is behind the store (the daemon is
 * catching up, or was stopped before it had). */
static void
wn_store_sqlite_index_lag(struct wn_store_sqlite *s)
{
    static const char sql[] =
        "SELECT (SELECT count(*) FROM main.articles WHERE id >"
        "         (SELECT article_wm FROM search.state))"
        "     + (SELECT count(*) FROM main.search_dirty WHERE seq >"
        "         (SELECT dirty_seq FROM search.state))";
    sqlite3_stmt *st;

    if (sqlite3_prepare_v2(s->sdb, sql, -1, &st, NULL) != SQLITE_OK) {
        return;
    }
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0) {
        WN_LOG(WN_LOG_NOTICE, "store",
               "%s: the search index is %lld articles behind the store; "
               "winnowd indexes them while it runs",
               s->path, (long long) sqlite3_column_int64(st, 0));
    }
    sqlite3_finalize(st);
}

/* A failed search says nothing of whether the store can take writes. */
static int
wn_store_search_fail(struct wn_store_sqlite *s, struct wn_err *err)
{
    return wn_err_set(err, WN_ESTORE, "store %s: searching: %s", s->path,
                      sqlite3_errmsg(s->sdb));
}

static int
wn_store_sqlite_search_sync(struct wn_store *base, struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
    return s->search != NULL ? wn_search_sync(s->search, err) : 0;
}

static int
wn_store_sqlite_search(struct wn_store *base, const struct wn_store_query *q,
                       wn_store_hit_cb cb, void *arg, struct wn_err *err)
{
    struct wn_store_sqlite *s = wn_store_sqlite_of(base);
    /* Titles weigh five times the text in bm25; the time filters use the
     * published time, or the stored time when it is unknown. */
    /*
     * FTS5 ranks only the WN_STORE_SEARCH_WINDOW newest matches (that pass
     * the filters): it walks a doclist newest first and stops, and only
     * the best are joined with their articles for snippets.  bm25 over
     * every match of a common word in a million articles takes a tenth of
     * a second or more, and for news the newest matches are the ones
     * wanted.  Filters need each match's article, so they have their own
     * statement; without them the window is FTS5's alone.
     */
    static const char sql[] =
        "SELECT a.url, f.name, a.title, coalesce(a.site, a.host),"
        "  snippet(articles_fts, 1, '[', ']', '...', 16),"
        "  a.published, a.stored_at, t.r, a.story "
        "FROM (SELECT id, r FROM"
        "       (SELECT articles_fts.rowid AS id,"
        "          bm25(articles_fts, 5.0, 1.0) AS r"
        "        FROM search.articles_fts"
        "        JOIN articles m ON m.id = articles_fts.rowid"
        "        WHERE articles_fts MATCH ?1"
        "          AND (?2 IS NULL OR EXISTS (SELECT 1 FROM items i"
        "            JOIN feeds fi ON fi.id = i.feed_id"
        "            WHERE i.url = m.url AND fi.name = ?2))"
        "          AND (?3 IS NULL OR m.host = ?3 OR m.host LIKE '%.' || ?3)"
        "          AND (?4 IS NULL OR coalesce(m.published, m.stored_at) >= ?4)"
        "          AND (?5 IS NULL OR coalesce(m.published, m.stored_at) < ?5)"
        "        ORDER BY articles_fts.rowid DESC LIMIT " WN_STORE_STR(
            WN_STORE_SEARCH_WINDOW) ")"
                                    "      ORDER BY r LIMIT ?6) t"
                                    "  JOIN search.articles_fts ON articles_fts.rowid = t.id"
                                    "  JOIN articles a ON a.id = t.id"
                                    "  LEFT JOIN feeds f ON f.id = a.feed_id "
                                    "WHERE articles_fts MATCH ?1 "
                                    "ORDER BY t.r";
    static const char fast_sql[] =
        "SELECT a.url, f.name, a.title, coalesce(a.site, a.host),"
        "  snippet(articles_fts, 1, '[', ']', '...', 16),"
        "  a.published, a.stored_at, t.r, a.story "
        "FROM (SELECT id, r FROM"
        "       (SELECT rowid AS id, bm25(articles_fts, 5.0, 1.0) AS r"
        "        FROM search.articles_fts WHERE articles_fts MATCH ?1"
        "        ORDER BY rowid DESC LIMIT " WN_STORE_STR(
            WN_STORE_SEARCH_WINDOW) ")"
                                    "      ORDER BY r LIMIT ?6) t"
                                    "  JOIN search.articles_fts ON articles_fts.rowid = t.id"
                                    "  JOIN articles a ON a.id = t.id"
                                    "  LEFT JOIN feeds f ON f.id = a.feed_id "
                                    "WHERE articles_fts MATCH ?1"
                                    "  AND ?2 IS NULL AND ?3 IS NULL AND ?4 IS NULL AND ?5 IS NULL "
                                    "ORDER BY t.r";
    int filtered = q->feed != NULL || q->site != NULL
                   || q->since != WN_TIME_NONE || q->until != WN_TIME_NONE;
    sqlite3_stmt *st;
    int rc, hits = 0;

    /* A writable store searches what it wrote; a reader (the command,
     * beside a running daemon) what the indexer has committed so far.  An
     * index that cannot be written now is still searched as it is. */
    if (s->search != NULL) {
        struct wn_err serr;
        if (wn_search_sync(s->search, &serr) != 0) {
            WN_LOG(WN_LOG_WARNING, "store", "%s", serr.msg);
        }
    }
    rc = wn_store_sqlite_attach_index(s, err);
    if (rc != 0) {
        return rc;
    }
    if (s->search == NULL) {
        wn_store_sqlite_index_lag(s);
    }
    if (sqlite3_prepare_v2(s->sdb, filtered ? sql : fast_sql, -1, &st, NULL)
        != SQLITE_OK)
    {
        return wn_store_search_fail(s, err);
    }
    rc = wn_store_sqlite_search_run(s, st, q, q->match, cb, arg, &hits);
    if (rc == SQLITE_ERROR && hits == 0) {
        /* Not FTS5 syntax ("covid-19", "AT&T"): search the words. */
        char *words = wn_store_sqlite_words_query(q->match);
        if (words == NULL) {
            sqlite3_finalize(st);
            return wn_err_set(err, WN_ENOMEM, "out of memory");
        }
        rc = words[0] != '\0'
                 ? wn_store_sqlite_search_run(s, st, q, words, cb, arg, &hits)
                 : SQLITE_DONE;
        free(words);
    }
    rc = rc == SQLITE_DONE ? hits : wn_store_search_fail(s, err);
    sqlite3_finalize(st);
    return rc;
}

/* ---- migrations in C ---- */

/* 4 -> 5: the `shingles` rows of each article become its sketch row. */
static int
wn_store_migrate_v5(struct wn_store_sqlite *s, struct wn_err *err)
{
    static const char sql[] =
        "SELECT article_id, key FROM shingles ORDER BY article_id, key";
    sqlite3_stmt *st = NULL, *put = NULL;
    uint64_t keys[WN_SHINGLE_SKETCH];
    size_t n = 0;
    int64_t id = 0;
    int rc;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(s->db, wn_store_sql[WN_ST_SKETCH_PUT], -1, &put,
                              NULL)
               != SQLITE_OK)
    {
        sqlite3_finalize(st);
        return wn_store_fail(s, err, "upgrading to schema 5");
    }
    do {
        rc = sqlite3_step(st);
        int64_t next = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        if (n > 0 && (rc != SQLITE_ROW || next != id)) {
            unsigned char blob[WN_SHINGLE_SKETCH * 8];
            size_t len = wn_store_sketch_pack(keys, n, blob);
            sqlite3_bind_int64(put, 1, id);
            sqlite3_bind_blob(put, 2, blob, (int) len, SQLITE_STATIC);
            if (sqlite3_step(put) != SQLITE_DONE) {
                rc = SQLITE_ERROR;
            }
            sqlite3_reset(put);
            n = 0;
        }
        if (rc == SQLITE_ROW && n < WN_SHINGLE_SKETCH) {
            id = next;
            keys[n++] = (uint64_t) sqlite3_column_int64(st, 1);
        }
    } while (rc == SQLITE_ROW);
    rc = rc == SQLITE_DONE ? 0 : wn_store_fail(s, err, "upgrading to schema 5");
    sqlite3_finalize(st);
    sqlite3_finalize(put);
    return rc != 0 ? rc : wn_store_exec(s, "DROP TABLE shingles", err);
}

/* 1 -> 2: the story index for articles stored before it existed. */
static int
wn_store_migrate_v2(struct wn_store_sqlite *s, struct wn_err *err)
{
    static const char sql[] = "SELECT id, text FROM articles ORDER BY id";
    sqlite3_stmt *st, *add = NULL;
    int rc;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(s->db,
                              "INSERT OR IGNORE INTO shingles (key, article_id)"
                              " VALUES (?1, ?2)",
                              -1, &add, NULL)
               != SQLITE_OK)
    {
        sqlite3_finalize(st);
        return wn_store_fail(s, err, "upgrading to schema 2");
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        const char *text = (const char *) sqlite3_column_text(st, 1);
        uint64_t keys[WN_SHINGLE_SKETCH];
        size_t nkeys;

        if (wn_shingles_sketch_of(text != NULL ? text : "",
                                  (size_t) sqlite3_column_bytes(st, 1), keys,
                                  &nkeys)
            != 0)
        {
            rc = SQLITE_NOMEM;
            break;
        }
        for (size_t k = 0; k < nkeys; k++) {
            sqlite3_bind_int64(add, 1, (sqlite3_int64) keys[k]);
            sqlite3_bind_int64(add, 2, id);
            if (sqlite3_step(add) != SQLITE_DONE) {
                rc = SQLITE_ERROR;
            }
            sqlite3_reset(add);
        }
        if (rc != SQLITE_ROW) {
            break;
        }
    }
    rc = rc == SQLITE_DONE ? 0 : wn_store_fail(s, err, "upgrading to schema 2");
    sqlite3_finalize(add);
    sqlite3_finalize(st);
    return rc;
}

static const struct wn_store_ops wn_store_sqlite_ops = {
    .name = "sqlite",
    .close = wn_store_sqlite_close,
    .begin = wn_store_sqlite_begin,
    .commit = wn_store_sqlite_commit,
    .rollback = wn_store_sqlite_rollback,
    .savepoint = wn_store_sqlite_savepoint,
    .release = wn_store_sqlite_release,
    .feed_sync = wn_store_sqlite_feed_sync,
    .feeds = wn_store_sqlite_feeds,
    .feed_fetched = wn_store_sqlite_feed_fetched,
    .item_put = wn_store_sqlite_item_put,
    .item_failed = wn_store_sqlite_item_failed,
    .article_put = wn_store_sqlite_article_put,
    .article_exists = wn_store_sqlite_article_exists,
    .pending = wn_store_sqlite_pending,
    .articles = wn_store_sqlite_articles,
    .counts = wn_store_sqlite_counts,
    .feed_report = wn_store_sqlite_feed_report,
    .item_days = wn_store_sqlite_item_days,
    .size = wn_store_sqlite_size,
    .page_put = wn_store_sqlite_page_put,
    .kept_pages = wn_store_sqlite_kept_pages,
    .feed_keep = wn_store_sqlite_feed_keep,
    .retain = wn_store_sqlite_retain,
    .limit = wn_store_sqlite_limit,
    .search = wn_store_sqlite_search,
    .search_sync = wn_store_sqlite_search_sync,
};
