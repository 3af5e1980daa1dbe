/*
 * wn_search.c: the SQLite store's full-text index, written by a thread of
 * its own (see wn_search.h).
 *
 * The thread has two connections: `store`, which only reads the store
 * (and trims its change log), and `db`, the index file.  Each round is one
 * transaction of the index and one read snapshot of the store, so what a
 * round reads (the log, the new articles, the largest id) is consistent.
 *
 * What the index holds, as of the last committed round: every article of
 * the store with an id at most `article_wm`, as the store held it when the
 * round read it, and every logged change up to `dirty_seq` applied.  So a
 * round applies the log entries after `dirty_seq` whose ids are at most
 * the watermark (re-reading the article: it may have been changed or
 * deleted), adds the articles above the watermark, and lowers the
 * watermark to the largest id the store has when articles at the top were
 * deleted (SQLite gives a new row the largest id + 1, so an id above that
 * may come again and must count as new).
 */
#include "wn_search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <uv.h>

#include "wn_err.h"
#include "wn_log.h"
#include "wn_store.h"

/* The index's table and its write settings (the store's own, schema 7):
 * pages that fill a database page, 4 MB of pending terms before a flush,
 * and eight segments of a level merged at once. */
#define WN_SEARCH_FTS_SQL                                                      \
    "CREATE VIRTUAL TABLE articles_fts USING fts5(title, text,"                \
    "  tokenize='unicode61 remove_diacritics 2');"                             \
    "INSERT INTO articles_fts(articles_fts, rank) VALUES ('pgsz', 4050);"      \
    "INSERT INTO articles_fts(articles_fts, rank)"                             \
    "  VALUES ('hashsize', 4194304);"                                          \
    "INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', 8);"

/* Each connection's page cache (as the store's, wn_store_sqlite.c). */
#define WN_SEARCH_CACHE_KB "2048"

#define WN_SEARCH_STR_(x) #x
#define WN_SEARCH_STR(x)  WN_SEARCH_STR_(x)

enum wn_search_stmt {
    /* on the store */
    WN_SX_DIRTY,
    WN_SX_UPTO,
    WN_SX_ROWS,
    WN_SX_ONE,
    WN_SX_MAX,
    WN_SX_TRIM,
    /* on the index */
    WN_SX_STATE,
    WN_SX_SET,
    WN_SX_PUT,
    WN_SX_DEL,
    WN_SX_COUNT
};

#define WN_SX_FIRST_INDEX WN_SX_STATE

static const char *const wn_search_sql[WN_SX_COUNT] = {
    [WN_SX_DIRTY] = "SELECT seq, id FROM search_dirty WHERE seq > ?1"
                    "  ORDER BY seq LIMIT ?2",
    [WN_SX_UPTO] = "SELECT max(id) FROM (SELECT id FROM articles"
                   "  WHERE id > ?1 ORDER BY id LIMIT ?2)",
    [WN_SX_ROWS] = "SELECT id, title, text FROM articles"
                   "  WHERE id > ?1 AND id <= ?2 ORDER BY id",
    [WN_SX_ONE] = "SELECT title, text FROM articles WHERE id = ?1",
    [WN_SX_MAX] = "SELECT coalesce(max(id), 0) FROM articles",
    [WN_SX_TRIM] = "DELETE FROM search_dirty WHERE seq <= ?1",
    [WN_SX_STATE] = "SELECT article_wm, dirty_seq FROM state",
    [WN_SX_SET] = "UPDATE state SET article_wm = ?1, dirty_seq = ?2",
    [WN_SX_PUT] = "INSERT INTO articles_fts (rowid, title, text)"
                  "  VALUES (?1, ?2, ?3)",
    [WN_SX_DEL] = "DELETE FROM articles_fts WHERE rowid = ?1",
};

struct wn_search {
    char *store_path, *path;
    /* The thread's own. */
    sqlite3 *store, *db;
    sqlite3_stmt *st[WN_SX_COUNT];
    int64_t applied_limit; /* max_bytes last set on db */
    int failing;           /* the last round failed (logged once) */
    uv_thread_t thread;
    uv_mutex_t mu;
    uv_cond_t cv;
    /* Under mu. */
    uint64_t asked; /* kicks so far */
    uint64_t done;  /* kicks that the rounds since have caught up with */
    int quit;
    int broken; /* the connections could not be opened: no index */
    int failed; /* the last catch-up ended in an error */
    int64_t max_bytes;
    struct wn_err err; /* why, when broken or failed */
    struct wn_search_stats stats;
};

char *
wn_search_path(const char *store_path)
{
    size_t n = strlen(store_path);
    char *p = malloc(n + sizeof(WN_SEARCH_SUFFIX));

    if (p != NULL) {
        memcpy(p, store_path, n);
        memcpy(p + n, WN_SEARCH_SUFFIX, sizeof(WN_SEARCH_SUFFIX));
    }
    return p;
}

/* ---- on the thread ---- */

static int
wn_search_fail(struct wn_search *x, sqlite3 *db, struct wn_err *err,
               const char *what)
{
    return wn_err_set(err, WN_ESTORE, "search index %s: %s: %s", x->path, what,
                      sqlite3_errmsg(db));
}

static int
wn_search_exec(struct wn_search *x, sqlite3 *db, const char *sql,
               struct wn_err *err, const char *what)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK
               ? 0
               : wn_search_fail(x, db, err, what);
}

/* Steps a statement that returns no rows; resets it. */
static int
wn_search_step_done(struct wn_search *x, sqlite3_stmt *st, struct wn_err *err,
                    const char *what)
{
    int rc = sqlite3_step(st);

    rc = rc == SQLITE_DONE
             ? 0
             : wn_search_fail(x, sqlite3_db_handle(st), err, what);
    sqlite3_reset(st);
    return rc;
}

/* The index file's schema: its state row, then (by the rebuild) the table. */
static int
wn_search_schema(struct wn_search *x, struct wn_err *err)
{
    sqlite3_stmt *st;
    int version = -1, rc;

    rc = wn_search_exec(x, x->db, "BEGIN IMMEDIATE", err, "creating");
    if (rc != 0) {
        return rc;
    }
    if (sqlite3_prepare_v2(x->db, "PRAGMA user_version", -1, &st, NULL)
        == SQLITE_OK)
    {
        if (sqlite3_step(st) == SQLITE_ROW) {
            version = sqlite3_column_int(st, 0);
        }
        sqlite3_finalize(st);
    }
    if (version < 0) {
        rc = wn_search_fail(x, x->db, err, "reading its version");
    } else if (version > WN_SEARCH_SCHEMA_VERSION) {
        rc = wn_err_set(err, WN_ESTORE,
                        "search index %s: version %d is newer than this "
                        "winnowd's %d",
                        x->path, version, WN_SEARCH_SCHEMA_VERSION);
    } else if (version == 0) {
        rc = wn_search_exec(
            x, x->db,
            "CREATE TABLE state ("
            "  one INTEGER PRIMARY KEY CHECK (one = 1),"
            "  store_key BLOB,"              /* the store's search_meta.key */
            "  article_wm INTEGER NOT NULL," /* articles indexed up to */
            "  dirty_seq INTEGER NOT NULL"   /* search_dirty applied up to */
            ");"
            "INSERT INTO state VALUES (1, NULL, 0, 0);"
            "PRAGMA user_version = " WN_SEARCH_STR(
                WN_SEARCH_SCHEMA_VERSION) ";",
            err, "creating");
    }
    if (rc != 0) {
        sqlite3_exec(x->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    return wn_search_exec(x, x->db, "COMMIT", err, "creating");
}

/*
 * An index made for another store (or none yet: a new file, an upgraded
 * store) starts again from nothing.  The key is a random blob the store
 * made at schema 8: a store file replaced by another (a new one, or a
 * backup of another machine's) has another.
 */
static int
wn_search_adopt(struct wn_search *x, struct wn_err *err)
{
    sqlite3_stmt *mine = NULL, *theirs = NULL;
    int same = 0, rc;

    if (sqlite3_prepare_v2(x->store, "SELECT key FROM search_meta", -1, &theirs,
                           NULL)
            != SQLITE_OK
        || sqlite3_step(theirs) != SQLITE_ROW)
    {
        rc = wn_search_fail(x, x->store, err, "reading the store's key");
        sqlite3_finalize(theirs);
        return rc;
    }
    if (sqlite3_prepare_v2(x->db, "SELECT store_key FROM state", -1, &mine,
                           NULL)
            != SQLITE_OK
        || sqlite3_step(mine) != SQLITE_ROW)
    {
        rc = wn_search_fail(x, x->db, err, "reading its state");
        goto out;
    }
    same =
        sqlite3_column_type(mine, 0) == SQLITE_BLOB
        && sqlite3_column_bytes(mine, 0) == sqlite3_column_bytes(theirs, 0)
        && memcmp(sqlite3_column_blob(mine, 0), sqlite3_column_blob(theirs, 0),
                  (size_t) sqlite3_column_bytes(theirs, 0))
               == 0;
    sqlite3_reset(mine);
    rc = 0;
    if (same) {
        goto out;
    }
    WN_LOG(WN_LOG_INFO, "store",
           "search index %s: building it from the store's articles", x->path);
    rc = wn_search_exec(x, x->db,
                        "BEGIN IMMEDIATE;"
                        "DROP TABLE IF EXISTS articles_fts;" WN_SEARCH_FTS_SQL,
                        err, "starting again");
    if (rc == 0) {
        sqlite3_finalize(mine);
        rc = sqlite3_prepare_v2(x->db,
                                "UPDATE state SET store_key = ?1,"
                                "  article_wm = 0, dirty_seq = 0",
                                -1, &mine, NULL)
                     == SQLITE_OK
                 ? 0
                 : wn_search_fail(x, x->db, err, "starting again");
    }
    if (rc == 0) {
        sqlite3_bind_blob(mine, 1, sqlite3_column_blob(theirs, 0),
                          sqlite3_column_bytes(theirs, 0), SQLITE_TRANSIENT);
        rc = wn_search_step_done(x, mine, err, "starting again");
    }
    if (rc == 0) {
        rc = wn_search_exec(x, x->db, "COMMIT", err, "starting again");
    }
    if (rc != 0) {
        sqlite3_exec(x->db, "ROLLBACK", NULL, NULL, NULL);
    } else {
        uv_mutex_lock(&x->mu);
        x->stats.rebuilds++;
        uv_mutex_unlock(&x->mu);
    }
out:
    sqlite3_finalize(mine);
    sqlite3_finalize(theirs);
    return rc;
}

static int
wn_search_open(struct wn_search *x, struct wn_err *err)
{
    int rc;

    if (sqlite3_open_v2(x->store_path, &x->store,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL)
        != SQLITE_OK)
    {
        return wn_err_set(
            err, WN_ESTORE, "search index %s: cannot open the store: %s",
            x->path, x->store ? sqlite3_errmsg(x->store) : "out of memory");
    }
    if (sqlite3_open_v2(x->path, &x->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                            | SQLITE_OPEN_NOMUTEX,
                        NULL)
        != SQLITE_OK)
    {
        return wn_err_set(err, WN_ESTORE, "search index %s: cannot open: %s",
                          x->path,
                          x->db ? sqlite3_errmsg(x->db) : "out of memory");
    }
    sqlite3_busy_timeout(x->store, WN_STORE_BUSY_MS);
    sqlite3_busy_timeout(x->db, WN_STORE_BUSY_MS);
    rc = wn_search_exec(x, x->store,
                        "PRAGMA cache_size = -" WN_SEARCH_CACHE_KB ";", err,
                        "opening the store");
    if (rc == 0) {
        rc = wn_search_exec(x, x->db,
                            "PRAGMA journal_mode = WAL;"
                            "PRAGMA synchronous = NORMAL;"
                            "PRAGMA cache_size = -" WN_SEARCH_CACHE_KB ";",
                            err, "opening");
    }
    if (rc == 0) {
        rc = wn_search_schema(x, err);
    }
    if (rc == 0) {
        rc = wn_search_adopt(x, err);
    }
    for (int i = 0; rc == 0 && i < WN_SX_COUNT; i++) {
        sqlite3 *db = i < WN_SX_FIRST_INDEX ? x->store : x->db;
        if (sqlite3_prepare_v3(db, wn_search_sql[i], -1,
                               SQLITE_PREPARE_PERSISTENT, &x->st[i], NULL)
            != SQLITE_OK)
        {
            rc = wn_search_fail(x, db, err, "preparing statements");
        }
    }
    return rc;
}

static void
wn_search_close_db(struct wn_search *x)
{
    for (int i = 0; i < WN_SX_COUNT; i++) {
        sqlite3_finalize(x->st[i]);
        x->st[i] = NULL;
    }
    sqlite3_close(x->db);
    sqlite3_close(x->store);
    x->db = x->store = NULL;
}

/* Index entry `id` becomes what the store holds for it now (or none). */
static int
wn_search_resync(struct wn_search *x, int64_t id, struct wn_err *err)
{
    sqlite3_stmt *one = x->st[WN_SX_ONE], *put = x->st[WN_SX_PUT];
    int rc;

    sqlite3_bind_int64(x->st[WN_SX_DEL], 1, id);
    rc = wn_search_step_done(x, x->st[WN_SX_DEL], err, "removing an article");
    if (rc != 0) {
        return rc;
    }
    sqlite3_bind_int64(one, 1, id);
    rc = sqlite3_step(one);
    if (rc == SQLITE_ROW) {
        sqlite3_bind_int64(put, 1, id);
        sqlite3_bind_value(put, 2, sqlite3_column_value(one, 0));
        sqlite3_bind_value(put, 3, sqlite3_column_value(one, 1));
        rc = wn_search_step_done(x, put, err, "indexing an article");
    } else {
        rc = rc == SQLITE_DONE
                 ? 0
                 : wn_search_fail(x, x->store, err, "reading an article");
    }
    sqlite3_reset(one);
    return rc;
}

/* Ends a loop over a store statement's rows (rc: its last step) and
 * resets it: 0 when it ran to the end; when the loop's body stopped it on
 * a row, that error (already in err). */
static int
wn_search_rows_end(struct wn_search *x, sqlite3_stmt *st, int rc,
                   struct wn_err *err, const char *what)
{
    if (rc == SQLITE_DONE) {
        rc = 0;
    } else if (rc == SQLITE_ROW) {
        rc = WN_ESTORE;
    } else {
        rc = wn_search_fail(x, x->store, err, what);
    }
    sqlite3_reset(st);
    return rc;
}

/* The store's articles in (wm, upto], in id order. */
static int
wn_search_add(struct wn_search *x, int64_t wm, int64_t upto, uint64_t *added,
              struct wn_err *err)
{
    sqlite3_stmt *rows = x->st[WN_SX_ROWS], *put = x->st[WN_SX_PUT];
    int rc;

    sqlite3_bind_int64(rows, 1, wm);
    sqlite3_bind_int64(rows, 2, upto);
    while ((rc = sqlite3_step(rows)) == SQLITE_ROW) {
        sqlite3_bind_value(put, 1, sqlite3_column_value(rows, 0));
        sqlite3_bind_value(put, 2, sqlite3_column_value(rows, 1));
        sqlite3_bind_value(put, 3, sqlite3_column_value(rows, 2));
        if (wn_search_step_done(x, put, err, "indexing an article") != 0) {
            break;
        }
        (*added)++;
    }
    return wn_search_rows_end(x, rows, rc, err, "reading articles");
}

/*
 * Applies the change log after *dseq (one batch): each logged id at most
 * `wm` is read again; those above it are left to wn_search_add.  Counts
 * the entries read and the ids applied.
 */
static int
wn_search_apply_log(struct wn_search *x, int64_t wm, int64_t *dseq,
                    uint64_t *logged, uint64_t *resynced, struct wn_err *err)
{
    sqlite3_stmt *dirty = x->st[WN_SX_DIRTY];
    int rc;

    sqlite3_bind_int64(dirty, 1, *dseq);
    sqlite3_bind_int(dirty, 2, WN_SEARCH_BATCH);
    while ((rc = sqlite3_step(dirty)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(dirty, 1);
        *dseq = sqlite3_column_int64(dirty, 0);
        (*logged)++;
        if (id > wm) {
            continue;
        }
        if (wn_search_resync(x, id, err) != 0) {
            break;
        }
        (*resynced)++;
    }
    return wn_search_rows_end(x, dirty, rc, err, "reading the change log");
}

/* Reads one int64 column of a one-row statement; resets it. */
static int
wn_search_int(struct wn_search *x, sqlite3_stmt *st, int64_t *out, int *null,
              struct wn_err *err, const char *what)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW) {
        if (null != NULL) {
            *null = sqlite3_column_type(st, 0) == SQLITE_NULL;
        }
        *out = sqlite3_column_int64(st, 0);
        rc = 0;
    } else {
        rc = wn_search_fail(x, sqlite3_db_handle(st), err, what);
    }
    sqlite3_reset(st);
    return rc;
}

static void
wn_search_apply_limit(struct wn_search *x)
{
    int64_t max_bytes;
    char sql[96];

    uv_mutex_lock(&x->mu);
    max_bytes = x->max_bytes;
    uv_mutex_unlock(&x->mu);
    if (max_bytes == x->applied_limit) {
        return;
    }
    /* 4096-byte pages (SQLite's default, never changed here); 2^31 - 2
     * pages is SQLite's own largest database. */
    snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld",
             max_bytes > 0 ? (long long) (max_bytes / 4096 + 1) : 2147483646LL);
    if (sqlite3_exec(x->db, sql, NULL, NULL, NULL) == SQLITE_OK) {
        x->applied_limit = max_bytes;
    }
}

/*
 * One transaction of the index.  Returns 1 when there is more to do (a
 * full batch), 0 when it caught up with the store's snapshot, or < 0.
 */
static int
wn_search_round(struct wn_search *x, struct wn_err *err)
{
    int64_t wm = 0, dseq = 0, upto = 0, top = 0;
    uint64_t logged = 0, resynced = 0, added = 0;
    int more = 0, none = 0, rc;

    wn_search_apply_limit(x);
    rc = wn_search_exec(x, x->db, "BEGIN IMMEDIATE", err, "starting");
    if (rc != 0) {
        return rc;
    }
    rc = wn_search_exec(x, x->store, "BEGIN", err, "reading the store");
    if (rc == 0) {
        sqlite3_stmt *st = x->st[WN_SX_STATE];
        if (sqlite3_step(st) == SQLITE_ROW) {
            wm = sqlite3_column_int64(st, 0);
            dseq = sqlite3_column_int64(st, 1);
        } else {
            rc = wn_search_fail(x, x->db, err, "reading its state");
        }
        sqlite3_reset(st);
    }
    if (rc == 0) {
        rc = wn_search_apply_log(x, wm, &dseq, &logged, &resynced, err);
        more = logged == WN_SEARCH_BATCH;
    }
    if (rc == 0 && !more) {
        sqlite3_bind_int64(x->st[WN_SX_UPTO], 1, wm);
        sqlite3_bind_int(x->st[WN_SX_UPTO], 2, WN_SEARCH_BATCH);
        rc = wn_search_int(x, x->st[WN_SX_UPTO], &upto, &none, err,
                           "reading articles");
        if (rc == 0 && !none) {
            rc = wn_search_add(x, wm, upto, &added, err);
            wm = upto;
            more = added == WN_SEARCH_BATCH;
        } else if (rc == 0) {
            rc = wn_search_int(x, x->st[WN_SX_MAX], &top, NULL, err,
                               "reading articles");
            wm = rc == 0 && top < wm ? top : wm;
        }
    }
    if (rc == 0) {
        sqlite3_bind_int64(x->st[WN_SX_SET], 1, wm);
        sqlite3_bind_int64(x->st[WN_SX_SET], 2, dseq);
        rc = wn_search_step_done(x, x->st[WN_SX_SET], err, "saving its state");
    }
    if (rc == 0) {
        rc = wn_search_exec(x, x->db, "COMMIT", err, "committing");
    }
    if (rc != 0) {
        sqlite3_exec(x->db, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_exec(x->store, "COMMIT", NULL, NULL, NULL); /* ends the read */
    if (rc != 0) {
        return rc;
    }
    /* The applied log entries are of no more use.  Best effort: the store
     * may be busy or full; the next round trims them then. */
    if (logged > 0) {
        sqlite3_bind_int64(x->st[WN_SX_TRIM], 1, dseq);
        sqlite3_step(x->st[WN_SX_TRIM]);
        sqlite3_reset(x->st[WN_SX_TRIM]);
    }
    uv_mutex_lock(&x->mu);
    x->stats.indexed += added;
    x->stats.resynced += resynced;
    x->stats.rounds++;
    uv_mutex_unlock(&x->mu);
    return more;
}

static int
wn_search_quitting(struct wn_search *x)
{
    int quit;

    uv_mutex_lock(&x->mu);
    quit = x->quit;
    uv_mutex_unlock(&x->mu);
    return quit;
}

/* Rounds until caught up (or told to stop); a failure is logged once. */
static int
wn_search_catch_up(struct wn_search *x, struct wn_err *err)
{
    int rc;

    do {
        rc = wn_search_round(x, err);
    } while (rc == 1 && !wn_search_quitting(x));
    if (rc < 0 && !x->failing) {
        WN_LOG(WN_LOG_WARNING, "store",
               "%s; searches miss the articles stored since (tried again "
               "after the next commit)",
               err->msg);
    } else if (rc >= 0 && x->failing) {
        WN_LOG(WN_LOG_NOTICE, "store", "search index %s: indexing again",
               x->path);
    }
    x->failing = rc < 0;
    return rc < 0 ? rc : 0;
}

static void
wn_search_thread(void *arg)
{
    struct wn_search *x = arg;
    struct wn_err err;
    uint64_t target;
    int rc;

    wn_err_clear(&err);
    rc = wn_search_open(x, &err);
    if (rc != 0) {
        WN_LOG(WN_LOG_WARNING, "store",
               "%s; searches see no new articles until it can be", err.msg);
        wn_search_close_db(x);
    }
    uv_mutex_lock(&x->mu);
    if (rc != 0) {
        x->broken = 1;
        x->err = err;
        uv_cond_broadcast(&x->cv);
    }
    while (!x->broken) {
        while (!x->quit && x->done == x->asked) {
            uv_cond_wait(&x->cv, &x->mu);
        }
        if (x->quit) {
            break;
        }
        target = x->asked;
        uv_mutex_unlock(&x->mu);
        rc = wn_search_catch_up(x, &err);
        uv_mutex_lock(&x->mu);
        x->done = target;
        x->failed = rc != 0;
        if (rc != 0) {
            x->err = err;
        }
        uv_cond_broadcast(&x->cv);
    }
    uv_mutex_unlock(&x->mu);
    wn_search_close_db(x);
}

/* ---- on the store's thread ---- */

int
wn_search_start(const char *store_path, struct wn_search **out,
                struct wn_err *err)
{
    struct wn_search *x = calloc(1, sizeof(*x));
    int rc;

    *out = NULL;
    if (x == NULL || (x->store_path = strdup(store_path)) == NULL
        || (x->path = wn_search_path(store_path)) == NULL)
    {
        if (x != NULL) {
            free(x->store_path);
        }
        free(x);
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    rc = uv_mutex_init(&x->mu);
    if (rc == 0) {
        rc = uv_cond_init(&x->cv);
        if (rc != 0) {
            uv_mutex_destroy(&x->mu);
        }
    }
    if (rc == 0) {
        x->asked = 1; /* catch up at once */
        rc = uv_thread_create(&x->thread, wn_search_thread, x);
        if (rc != 0) {
            uv_cond_destroy(&x->cv);
            uv_mutex_destroy(&x->mu);
        }
    }
    if (rc != 0) {
        rc = wn_err_set(err, rc, "search index of %s: cannot start: %s",
                        store_path, uv_strerror(rc));
        free(x->path);
        free(x->store_path);
        free(x);
        return rc;
    }
    *out = x;
    return 0;
}

void
wn_search_kick(struct wn_search *x)
{
    if (x == NULL) {
        return;
    }
    uv_mutex_lock(&x->mu);
    x->asked++;
    uv_cond_signal(&x->cv);
    uv_mutex_unlock(&x->mu);
}

int
wn_search_sync(struct wn_search *x, struct wn_err *err)
{
    uint64_t k;
    int rc = 0;

    uv_mutex_lock(&x->mu);
    k = ++x->asked;
    uv_cond_signal(&x->cv);
    while (!x->broken && x->done < k) {
        uv_cond_wait(&x->cv, &x->mu);
    }
    if (x->broken || x->failed) {
        rc = wn_err_set(err, WN_ESTORE, "%s", x->err.msg);
    }
    uv_mutex_unlock(&x->mu);
    return rc;
}

void
wn_search_limit(struct wn_search *x, int64_t max_bytes)
{
    if (x == NULL) {
        return;
    }
    uv_mutex_lock(&x->mu);
    x->max_bytes = max_bytes;
    uv_mutex_unlock(&x->mu);
}

void
wn_search_stats(struct wn_search *x, struct wn_search_stats *out)
{
    uv_mutex_lock(&x->mu);
    *out = x->stats;
    uv_mutex_unlock(&x->mu);
}

void
wn_search_stop(struct wn_search *x)
{
    if (x == NULL) {
        return;
    }
    uv_mutex_lock(&x->mu);
    x->quit = 1;
    uv_cond_signal(&x->cv);
    uv_mutex_unlock(&x->mu);
    uv_thread_join(&x->thread);
    uv_cond_destroy(&x->cv);
    uv_mutex_destroy(&x->mu);
    free(x->path);
    free(x->store_path);
    free(x);
}
