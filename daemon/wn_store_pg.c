/*
 * wn_store_pg.c: the PostgreSQL backend of wn_store.h (libpq), for several
 * daemons sharing one feed set.  Same contracts as the SQLite backend;
 * besides, feeds are leased (FOR UPDATE SKIP LOCKED with an expiry) so that
 * no feed is fetched by two daemons at once and a dead daemon's feeds are
 * taken over.  Full-text search is a weighted tsvector with a GIN index.
 * Synchronous: one connection, used by one thread at a time.
 */
#include <inttypes.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wn_err.h"
#include "wn_extract.h"
#include "wn_feed.h"
#include "wn_shingle.h"
#include "wn_store_int.h"
#include "wn_text.h"
#include "wn_time.h"
#include "wn_url.h"

#define WN_STORE_PG_STR_(x) #x
#define WN_STORE_PG_STR(x)  WN_STORE_PG_STR_(x)

/* Taken for the schema upgrade, so daemons starting together migrate once. */
#define WN_STORE_PG_MIGRATE_LOCK 0x77696e6e /* "winn" */
/* Longest integer as text, sign and NUL included. */
#define WN_STORE_PG_INT 24

/*
 * Each entry upgrades the PostgreSQL schema from version i to i + 1.
 * PostgreSQL starts at the SQLite schema 2 (the first it was released
 * with); append only.
 */
static const char *const wn_store_pg_migrations[] = {
    "CREATE TABLE feeds ("
    "  id BIGSERIAL PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  url TEXT NOT NULL,"
    "  title TEXT, link TEXT, format TEXT,"
    "  etag TEXT, last_modified TEXT,"
    "  last_fetch BIGINT, last_ok BIGINT, last_status INTEGER,"
    "  last_error TEXT,"
    "  error_count INTEGER NOT NULL DEFAULT 0,"
    "  next_fetch BIGINT NOT NULL DEFAULT 0,"
    "  keep_days INTEGER,"
    "  lease_owner TEXT,"
    "  lease_until BIGINT NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX feeds_due ON feeds(next_fetch);"
    "CREATE TABLE items ("
    "  id BIGSERIAL PRIMARY KEY,"
    "  feed_id BIGINT NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,"
    "  guid TEXT NOT NULL,"
    "  url TEXT, link TEXT, title TEXT, author TEXT, summary TEXT,"
    "  published BIGINT, updated BIGINT,"
    "  first_seen BIGINT NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT,"
    "  chash TEXT,"
    "  UNIQUE (feed_id, guid)"
    ");"
    "CREATE INDEX items_url ON items(url);"
    "CREATE INDEX items_chash ON items(feed_id, chash);"
    "CREATE TABLE articles ("
    "  id BIGSERIAL PRIMARY KEY,"
    "  url TEXT NOT NULL UNIQUE,"
    "  fetched_url TEXT,"
    "  title TEXT, author TEXT, published BIGINT, updated BIGINT,"
    "  site TEXT, lang TEXT, description TEXT, tags TEXT,"
    "  text TEXT NOT NULL,"
    "  words INTEGER NOT NULL, paragraphs INTEGER NOT NULL,"
    "  hash TEXT NOT NULL, simhash BIGINT NOT NULL, story TEXT NOT NULL,"
    "  plugins TEXT, flags INTEGER NOT NULL DEFAULT 0,"
    "  stored_at BIGINT NOT NULL,"
    "  feed_id BIGINT, host TEXT,"
    "  tsv tsvector GENERATED ALWAYS AS ("
    "    setweight(to_tsvector('simple', coalesce(title, '')), 'A') ||"
    "    setweight(to_tsvector('simple', text), 'B')) STORED"
    ");"
    "CREATE INDEX articles_hash ON articles(hash);"
    "CREATE INDEX articles_stored ON articles(stored_at);"
    "CREATE INDEX articles_feed ON articles(feed_id, stored_at);"
    "CREATE INDEX articles_host ON articles(host, stored_at);"
    "CREATE INDEX articles_tsv ON articles USING GIN (tsv);"
    "CREATE TABLE pages ("
    "  article_id BIGINT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,"
    "  fetched_at BIGINT NOT NULL,"
    "  content_type TEXT,"
    "  codec TEXT NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  data BYTEA NOT NULL"
    ");"
    "CREATE TABLE shingles ("
    "  key BIGINT NOT NULL,"
    "  article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (key, article_id)"
    ");"
    "CREATE INDEX shingles_article ON shingles(article_id);",
    /* 1 -> 2: feed state for the schedule and `winnowd feeds` */
    "ALTER TABLE feeds ADD COLUMN fetch_url TEXT,"
    "  ADD COLUMN error_class TEXT, ADD COLUMN retired BIGINT,"
    "  ADD COLUMN fetch_interval BIGINT;",
    /* 2 -> 3: skipHours and skipDays, kept across restarts */
    /* one literal: clang's -Wstring-concatenation flags two in a list of
     * mostly single ones */
    "ALTER TABLE feeds ADD COLUMN skip_hours BIGINT, ADD COLUMN skip_days INT;",
};

#define WN_STORE_PG_VERSION                                                    \
    (int) (sizeof(wn_store_pg_migrations) / sizeof(wn_store_pg_migrations[0]))

struct wn_store_pg {
    struct wn_store base; /* first: the interface's view */
    PGconn *conn;
    char *where; /* the URI without its password, for messages */
};

static const struct wn_store_ops wn_store_pg_ops;

static struct wn_store_pg *
wn_store_pg_of(struct wn_store *base)
{
    return (struct wn_store_pg *) base;
}

/* The connection errors that mean "cannot write now", not a bad query. */
static int
wn_store_pg_unavailable(const PGresult *res)
{
    const char *state =
        res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    /* 53xxx: insufficient resources (disk full, out of memory);
     * 25006: read-only transaction; 08xxx: connection lost. */
    return state == NULL || strncmp(state, "53", 2) == 0
           || strcmp(state, "25006") == 0 || strncmp(state, "08", 2) == 0;
}

static int
wn_store_pg_fail(struct wn_store_pg *s, PGresult *res, struct wn_err *err,
                 const char *what)
{
    const char *msg = res != NULL ? PQresultErrorMessage(res) : "";
    size_t n;

    if (msg == NULL || msg[0] == '\0') {
        msg = PQerrorMessage(s->conn);
    }
    n = strcspn(msg, "\n");
    wn_err_set(err, WN_ESTORE, "store %s: %s: %.*s", s->where, what, (int) n,
               msg);
    if (wn_store_pg_unavailable(res)) {
        wn_store_set_down(&s->base, err != NULL ? err->msg : what);
    }
    PQclear(res);
    return WN_ESTORE;
}

/* Runs a query with text parameters; *out gets the result when it has
 * rows.  Returns 0 or < 0. */
static int
wn_store_pg_query(struct wn_store_pg *s, const char *sql, int n,
                  const char *const *params, PGresult **out, struct wn_err *err,
                  const char *what)
{
    PGresult *res = PQexecParams(s->conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);

    if (out != NULL) {
        *out = NULL;
    }
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        return wn_store_pg_fail(s, res, err, what);
    }
    if (out != NULL) {
        *out = res;
    } else {
        PQclear(res);
    }
    return 0;
}

/* Runs statements without parameters (several, separated by ';'). */
static int
wn_store_pg_exec(struct wn_store_pg *s, const char *sql, struct wn_err *err)
{
    PGresult *res = PQexec(s->conn, sql);
    ExecStatusType st = PQresultStatus(res);

    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        return wn_store_pg_fail(
            s, res, err, strlen(sql) < 48 ? sql : "upgrading the schema");
    }
    PQclear(res);
    return 0;
}

static const char *
wn_store_pg_int(char buf[WN_STORE_PG_INT], int64_t v)
{
    snprintf(buf, WN_STORE_PG_INT, "%" PRId64, v);
    return buf;
}

static const char *
wn_store_pg_time(char buf[WN_STORE_PG_INT], int64_t t)
{
    return t == WN_TIME_NONE ? NULL : wn_store_pg_int(buf, t);
}

static const char *
wn_store_pg_text(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static int64_t
wn_store_pg_get_int(const PGresult *r, int row, int col, int64_t none)
{
    return PQgetisnull(r, row, col)
               ? none
               : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static char *
wn_store_pg_dup(const PGresult *r, int row, int col)
{
    const char *v = wn_store_pg_text(r, row, col);
    return v != NULL ? strdup(v) : NULL;
}

/* "postgresql://user:secret@host/db" -> "postgresql://user@host/db". */
static char *
wn_store_pg_where(const char *uri)
{
    const char *scheme = strstr(uri, "://"), *at, *colon;
    char *out;

    out = strdup(uri);
    if (out == NULL || scheme == NULL) {
        return out;
    }
    at = strchr(scheme + 3, '@');
    colon = strchr(scheme + 3, ':');
    if (at != NULL && colon != NULL && colon < at) {
        size_t head = (size_t) (colon - uri);
        memmove(out + head, out + (at - uri), strlen(at) + 1);
    }
    return out;
}

static int
wn_store_pg_migrate(struct wn_store_pg *s, struct wn_err *err)
{
    PGresult *r = NULL;
    char lock[64];
    int version = 0, rc;

    snprintf(lock, sizeof(lock), "SELECT pg_advisory_xact_lock(%d)",
             WN_STORE_PG_MIGRATE_LOCK);
    rc = wn_store_pg_exec(s, "BEGIN", err);
    if (rc == 0) {
        rc = wn_store_pg_exec(s, lock, err);
    }
    if (rc == 0) {
        rc = wn_store_pg_exec(s,
                              "CREATE TABLE IF NOT EXISTS wn_schema ("
                              "  version INTEGER NOT NULL)",
                              err);
    }
    if (rc == 0) {
        rc = wn_store_pg_query(s, "SELECT max(version) FROM wn_schema", 0, NULL,
                               &r, err, "reading the schema version");
    }
    if (rc == 0) {
        version = (int) wn_store_pg_get_int(r, 0, 0, 0);
        PQclear(r);
        if (version > WN_STORE_PG_VERSION) {
            rc = wn_err_set(err, WN_ESTORE,
                            "store %s: schema version %d is newer than this "
                            "winnowd's %d",
                            s->where, version, WN_STORE_PG_VERSION);
        }
    }
    for (; rc == 0 && version < WN_STORE_PG_VERSION; version++) {
        char set[96];
        rc = wn_store_pg_exec(s, wn_store_pg_migrations[version], err);
        snprintf(set, sizeof(set),
                 "DELETE FROM wn_schema; INSERT INTO wn_schema VALUES (%d)",
                 version + 1);
        if (rc == 0) {
            rc = wn_store_pg_exec(s, set, err);
        }
    }
    if (rc != 0) {
        PQclear(PQexec(s->conn, "ROLLBACK"));
        return rc;
    }
    return wn_store_pg_exec(s, "COMMIT", err);
}

static void wn_store_pg_close(struct wn_store *base);

int
wn_store_pg_open(const char *uri, unsigned flags, struct wn_store **out,
                 struct wn_err *err)
{
    struct wn_store_pg *s = calloc(1, sizeof(*s));
    int rc;

    *out = NULL;
    if (s == NULL || (s->where = wn_store_pg_where(uri)) == NULL) {
        free(s);
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    s->base.ops = &wn_store_pg_ops;
    s->conn = PQconnectdb(uri);
    if (s->conn == NULL || PQstatus(s->conn) != CONNECTION_OK) {
        const char *msg = s->conn ? PQerrorMessage(s->conn) : "out of memory";
        rc = wn_err_set(err, WN_ESTORE, "store %s: cannot connect: %.*s",
                        s->where, (int) strcspn(msg, "\n"), msg);
        wn_store_pg_close(&s->base);
        return rc;
    }
    rc = wn_store_pg_exec(s, "SET client_min_messages = warning", err);
    if (rc == 0 && !(flags & WN_STORE_READONLY)) {
        rc = wn_store_pg_migrate(s, err);
    }
    if (rc == 0 && (flags & WN_STORE_READONLY)) {
        rc = wn_store_pg_exec(s, "SET default_transaction_read_only = on", err);
    }
    if (rc != 0) {
        wn_store_pg_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}

static void
wn_store_pg_close(struct wn_store *base)
{
    struct wn_store_pg *s = wn_store_pg_of(base);

    PQfinish(s->conn);
    free(s->where);
    free(s);
}

static int
wn_store_pg_begin(struct wn_store *base, struct wn_err *err)
{
    return wn_store_pg_exec(wn_store_pg_of(base), "BEGIN", err);
}

static int
wn_store_pg_commit(struct wn_store *base, struct wn_err *err)
{
    int rc = wn_store_pg_exec(wn_store_pg_of(base), "COMMIT", err);

    if (rc == 0) {
        wn_store_set_up(base);
    }
    return rc;
}

static void
wn_store_pg_rollback(struct wn_store *base)
{
    struct wn_store_pg *s = wn_store_pg_of(base);

    if (PQtransactionStatus(s->conn) != PQTRANS_IDLE) {
        PQclear(PQexec(s->conn, "ROLLBACK"));
    }
}

static int
wn_store_pg_savepoint(struct wn_store *base, struct wn_err *err)
{
    return wn_store_pg_exec(wn_store_pg_of(base), "SAVEPOINT wn_op", err);
}

static int
wn_store_pg_release(struct wn_store *base, int ok, struct wn_err *err)
{
    struct wn_store_pg *s = wn_store_pg_of(base);

    if (!ok) {
        int rc = wn_store_pg_exec(s, "ROLLBACK TO SAVEPOINT wn_op", err);
        if (rc != 0) {
            return rc;
        }
    }
    return wn_store_pg_exec(s, "RELEASE SAVEPOINT wn_op", err);
}

/* ---- feeds ---- */

/*
 * Daemons starting together sync the same feeds while others update them:
 * a row is locked only when its URL really changes (DO NOTHING takes no
 * lock), so a start never waits on, or deadlocks with, running daemons.
 */
static int
wn_store_pg_feed_sync(struct wn_store *base, const char *name, const char *url,
                      struct wn_store_feed *out, struct wn_err *err)
{
    struct wn_store_pg *s = wn_store_pg_of(base);
    const char *p[2] = { name, url };
    PGresult *r;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = wn_store_pg_query(s,
                           "INSERT INTO feeds (name, url) VALUES ($1, $2) "
                           "ON CONFLICT (name) DO NOTHING",
                           2, p, NULL, err, "saving a feed");
    if (rc == 0) {
        rc = wn_store_pg_query(s,
                               "UPDATE feeds SET url = $2, etag = NULL,"
                               "  last_modified = NULL, fetch_url = NULL,"
                               "  retired = NULL, next_fetch = 0 "
                               "WHERE name = $1 AND url <> $2",
                               2, p, NULL, err, "saving a feed");
    }
    if (rc == 0) {
        rc = wn_store_pg_query(s,
                               "SELECT id, etag, last_modified, next_fetch,"
                               "  error_count, fetch_url, retired,"
                               "  fetch_interval, error_class, skip_hours,"
                               "  skip_days FROM feeds WHERE name = $1",
                               1, p, &r, err, "reading a feed");
    }
    if (rc != 0) {
        return rc;
    }
    if (PQntuples(r) != 1) {
        PQclear(r);
        return wn_err_set(err, WN_ESTORE, "store %s: feed %s vanished",
                          s->where, name);
    }
    out->id = wn_store_pg_get_int(r, 0, 0, 0);
    out->etag = wn_store_pg_dup(r, 0, 1);
    out->last_modified = wn_store_pg_dup(r, 0, 2);
    out->next_fetch = wn_store_pg_get_int(r, 0, 3, 0);
    out->error_count = (long) wn_store_pg_get_int(r, 0, 4, 0);
    out->fetch_url = wn_store_pg_dup(r, 0, 5);
    out->retired = wn_store_pg_get_int(r, 0, 6, WN_TIME_NONE);
    out->interval = (long) wn_store_pg_get_int(r, 0, 7, 0);
    out->error_class = wn_store_pg_dup(r, 0, 8);
    out->skip_hours = (uint32_t) wn_store_pg_get_int(r, 0, 9, 0);
    out->skip_days = (unsigned) wn_store_pg_get_int(r, 0, 10, 0);
    PQclear(r);
    return 0;
}

static int
wn_store_pg_feed_fetched(struct wn_store *base, const struct wn_store_fetch *f,
                         struct wn_err *err)
{
    struct wn_store_pg *s = wn_store_pg_of(base);
    char id[WN_STORE_PG_INT], at[WN_STORE_PG_INT], status[WN_STORE_PG_INT],
        next[WN_STORE_PG_INT], iv[WN_STORE_PG_INT], sh[WN_STORE_PG_INT],
        sd[WN_STORE_PG_INT];

    wn_store_pg_int(id, f->feed_id);
    wn_store_pg_int(at, f->fetched_at);
    wn_store_pg_int(status, f->status);
    wn_store_pg_int(next, f->next_fetch);
    /* Either way the lease ends: the feed is due again at next_fetch. */
    if (f->ok) {
        const char *p[13] = { id,
                              at,
                              status,
                              next,
                              f->etag,
                              f->last_modified,
                              f->title,
                              f->link,
                              f->format,
                              f->fetch_url,
                              wn_store_pg_int(iv, f->interval),
                              wn_store_pg_int(sh, f->skip_hours),
                              wn_store_pg_int(sd, f->skip_days) };
        return wn_store_pg_query(
            s,
            "UPDATE feeds SET last_fetch = $2, last_ok = $2, last_status = $3,"
            "  last_error = NULL, error_count = 0, next_fetch = $4,"
            "  etag = $5, last_modified = $6,"
            "  title = coalesce($7, title), link = coalesce($8, link),"
            "  format = coalesce($9, format),"
            "  fetch_url = coalesce($10, fetch_url), fetch_interval = $11,"
            "  error_class = NULL, retired = NULL,"
            "  skip_hours = $12, skip_days = $13,"
            "  lease_owner = NULL, lease_until = 0 "
            "WHERE id = $1",
            13, p, NULL, err, "saving a feed's fetch");
    } else {
        const char *p[8] = { id,           at,
                             status,       f->error,
                             next,         f->error_class,
                             f->fetch_url, f->retired ? "1" : "0" };
        return wn_store_pg_query(
            s,
            "UPDATE feeds SET last_fetch = $2, last_status = $3,"
            "  last_error = $4, error_count = error_count + 1,"
            "  next_fetch = $5, error_class = $6,"
            "  fetch_url = coalesce($7, fetch_url),"
            "  retired = CASE WHEN $8::integer <> 0 THEN $2::bigint END,"
            "  lease_owner = NULL, lease_until = 0 "
            "WHERE id = $1",
            8, p, NULL, err, "saving a feed's fetch");
    }
}

static int
wn_store_pg_feeds(struct wn_store *base, wn_store_feed_row_cb cb, void *arg,
                  struct wn_err *err)
{
    struct wn_store_pg *s = wn_store_pg_of(base);
    PGresult *r;
    int rc = wn_store_pg_query(
        s,
        "SELECT name, url, fetch_url, title, last_fetch, last_ok,"
        "  last_status, last_error, error_class, error_count, next_fetch,"
        "  retired, fetch_interval FROM feeds ORDER BY name",
        0, NULL, &r, err, "listing feeds");

    if (rc != 0) {
        return rc;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        struct wn_store_feed_row row;
        row.name = wn_store_pg_text(r, i, 0);
        row.url = wn_store_pg_text(r, i, 1);
        row.fetch_url = wn_store_pg_text(r, i, 2);
        row.title = wn_store_pg_text(r, i, 3);
        row.last_fetch = wn_store_pg_get_int(r, i, 4, WN_TIME_NONE);
        row.last_ok = wn_store_pg_get_int(r, i, 5, WN_TIME_NONE);
        row.last_status = (long) wn_store_pg_get_int(r, i, 6, 0);
        row.last_error = wn_store_pg_text(r, i, 7);
        row.error_class = wn_store_pg_text(r, i, 8);
        row.error_count = (long) wn_store_pg_get_int(r, i, 9, 0);
        row.next_fetch = wn_store_pg_get_int(r, i, 10, 0);
        row.retired = wn_store_pg_get_int(r, i, 11, WN_TIME_NONE);
        row.interval = (long) wn_store_pg_get_int(r, i, 12, 0);
        if (cb(&row, arg) != 0) {
            break;
        }
    }
    PQclear(r);
    return 0;
}

static int
wn_store_pg_feed_keep(struct wn_store *base, int64_t feed_id, long keep_days,
                      struct wn_err *err)
{
    char id[WN_STORE_PG_INT], days[WN_STORE_PG_INT];
    const char *p[2] = { wn_store_pg_int(id, feed_id),
                         keep_days >= 0 ? wn_store_pg_int(days, keep_days)
                                        : NULL };

    return wn_store_pg_query(wn_store_pg_of(base),
                             "UPDATE feeds SET keep_days = $2 WHERE id = $1"
                             "  AND keep_days IS DISTINCT FROM $2::integer",
                             2, p, NULL, err, "saving a feed's retention");
}

static int
wn_store_pg_lease(struct wn_store *base, const char *owner, int64_t now,
                  long lease_secs, size_t max, wn_store_lease_cb cb, void *arg,
                  struct wn_err *err)
{
    struct wn_store_pg *s = wn_store_pg_of(base);
    char at[WN_STORE_PG_INT], until[WN_STORE_PG_INT], lim[WN_STORE_PG_INT];
    const char *p[4] = { owner, wn_store_pg_int(at, now),
                         wn_store_pg_int(until, now + lease_secs),
                         wn_store_pg_int(lim, (int64_t) max) };
    PGresult *r;
    int rc, n;

    /* SKIP LOCKED: rows another daemon is leasing right now are passed
     * over, not waited for; an expired lease is free again. */
    rc = wn_store_pg_query(
        s,
        "UPDATE feeds f SET lease_owner = $1, lease_until = $3 "
        "FROM (SELECT id FROM feeds"
        "      WHERE next_fetch <= $2 AND lease_until <= $2 AND retired IS NULL"
        "      ORDER BY next_fetch, id LIMIT $4"
        "      FOR UPDATE SKIP LOCKED) due "
        "WHERE f.id = due.id RETURNING f.id",
        4, p, &r, err, "leasing due feeds");
    if (rc != 0) {
        return rc;
    }
    n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        if (cb(wn_store_pg_get_int(r, i, 0, 0), arg) != 0) {
            break;
        }
    }
    PQclear(r);
    return n;
}

/* ---- items ---- */

static int
wn_store_pg_item_put(struct wn_store *base, int64_t feed_id,
                     const struct wn_feed_item *item, const char *url,
                     int64_t now, int *want, struct wn_err *err)
{
    struct wn_store_pg *s = wn_store_pg_of(base);
    char fid[WN_STORE_PG_INT], pub[WN_STORE_PG_INT], upd[WN_STORE_PG_INT],
        seen[WN_STORE_PG_INT], chash[WN_TEXT_HASH_HEX + 1];
    const char *p[11];
    PGresult *r;
    int rc, isnew;

    *want = 0;
    p[0] = wn_store_pg_int(fid, feed_id);
    p[1] = item->id;
    p[2] = url;
    p[3] = item->link;
    p[4] = item->title;
    p[5] = item->author;
    p[6] = item->summary;
    p[7] = wn_store_pg_time(pub, item->published);
    p[8] = wn_store_pg_time(upd, item->updated);
    p[9] = wn_store_pg_int(seen, now);
    p[10] = wn_store_item_chash(item, chash) ? chash : NULL;
    /* A new item takes the URL of an earlier item of its feed with the same
     * article URL or content (a changed GUID), which makes it known. */
    rc = wn_store_pg_query(
        s,
        "WITH twin AS (SELECT url FROM items WHERE feed_id = $1"
        "    AND (($3::text IS NOT NULL AND url = $3)"
        "      OR ($11::text IS NOT NULL AND chash = $11))"
        "    ORDER BY id LIMIT 1),"
        "  ins AS (INSERT INTO items (feed_id, guid, url, link, title, author,"
        "    summary, published, updated, first_seen, chash)"
        "    VALUES ($1, $2, CASE WHEN EXISTS (SELECT 1 FROM twin)"
        "      THEN (SELECT url FROM twin) ELSE $3 END,"
        "      $4, $5, $6, $7, $8, $9, $10, $11)"
        "    ON CONFLICT (feed_id, guid) DO NOTHING RETURNING id) "
        "SELECT (SELECT count(*) FROM ins), EXISTS (SELECT 1 FROM twin),"
        "  (SELECT i.attempts FROM items i WHERE i.feed_id = $1"
        "    AND i.guid = $2),"
        "  EXISTS (SELECT 1 FROM articles a WHERE a.url = $3)",
        11, p, &r, err, "saving an item");
    if (rc != 0) {
        return rc;
    }
    isnew = wn_store_pg_get_int(r, 0, 0, 0) > 0;
    if (isnew && strcmp(PQgetvalue(r, 0, 1), "t") == 0) {
        isnew = 0; /* a twin: its article is the older item's business */
    } else {
        /* Known or new: the article is wanted while missing. */
        long attempts = (long) wn_store_pg_get_int(r, 0, 2, 0);
        *want = url != NULL && strcmp(PQgetvalue(r, 0, 3), "f") == 0
                && attempts < WN_STORE_ITEM_ATTEMPTS;
    }
    PQclear(r);
    if (!isnew && p[10] != NULL) {
        /* A known item whose title or content changed is an edit: the row
         * takes the new version (as in the SQLite backend). */
        const char *q[9] = { p[0], p[1], p[3], p[4], p[5],
                             p[6], p[7], p[8], p[10] };

        rc = wn_store_pg_query(
            s,
            "UPDATE items SET link = $3, title = $4, author = $5,"
            "  summary = $6, published = coalesce($7, published),"
            "  updated = $8, chash = $9 "
            "WHERE feed_id = $1 AND guid = $2 AND chash IS DISTINCT FROM $9",
            9, q, NULL, err, "updating an edited item");
        if (rc != 0) {
            return rc;
        }
    }
    return isnew;
}

static int
wn_store_pg_item_failed(struct wn_store *base, const char *url, const char *why,
                        struct wn_err *err)
{
    const char *p[2] = { url, why };

    return wn_store_pg_query(wn_store_pg_of(base),
                             "UPDATE items SET attempts = attempts + 1,"
                             "  last_error = $2 WHERE url = $1",
                             2, p, NULL, err, "counting a failed article");
}

/* ---- articles ---- */

static int
wn_store_pg_article_exists(struct wn_store *base, const char *url,
                           struct wn_err *err)
{
    const char *p[1] = { url };
    PGresult *r;
    int rc = wn_store_pg_query(wn_store_pg_of(base),
                               "SELECT 1 FROM articles WHERE url = $1", 1, p,
                               &r, err, "looking up an article");

    if (rc != 0) {
        return rc;
    }
    rc = PQntuples(r) > 0;
    PQclear(r);
    return rc;
}

/* The story of a new article, as in the SQLite backend: same hash, else a
 * verified candidate sharing sketch keys, else its own hash. */
static int
wn_store_pg_story(struct wn_store_pg *s, const char *url, const char *hash,
                  const struct wn_shingles *sh, const char *keys, char **story,
                  struct wn_err *err)
{
    const char *p[3] = { hash, url, keys };
    PGresult *r;
    int rc, n;

    *story = NULL;
    rc = wn_store_pg_query(s,
                           "SELECT story FROM articles WHERE hash = $1"
                           "  AND url <> $2 LIMIT 1",
                           2, p, &r, err, "finding a story");
    if (rc != 0) {
        return rc;
    }
    if (PQntuples(r) > 0) {
        *story = wn_store_pg_dup(r, 0, 0);
    }
    PQclear(r);
    if (*story != NULL) {
        return 0;
    }
    p[0] = url;
    p[1] = keys;
    rc = wn_store_pg_query(
        s,
        "SELECT a.story, a.text FROM articles a JOIN ("
        "  SELECT s.article_id, count(*) AS hits FROM shingles s"
        "  WHERE s.key = ANY ($2::bigint[]) GROUP BY s.article_id"
        "  ORDER BY hits DESC, s.article_id DESC"
        "  LIMIT " WN_STORE_PG_STR(
            WN_STORE_STORY_VERIFY) ") c"
                                   "  ON c.article_id = a.id "
                                   "WHERE a.url <> $1 ORDER BY c.hits DESC, a.id DESC",
        2, p, &r, err, "finding a story");
    if (rc != 0) {
        return rc;
    }
    n = PQntuples(r);
    for (int i = 0; i < n && *story == NULL; i++) {
        struct wn_shingles other;
        const char *text = PQgetvalue(r, i, 1);
        if (wn_shingles_of(text, strlen(text), &other) == 0) {
            if (wn_shingles_linked(sh, &other)) {
                *story = wn_store_pg_dup(r, i, 0);
            }
            wn_shingles_free(&other);
        }
    }
    PQclear(r);
    if (*story == NULL && (*story = strdup(hash)) == NULL) {
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    return 0;
}

static int64_t
wn_store_pg_meta_time(const struct wn_article *a, int key)
{
    int64_t t;

    if (a->meta[key] != NULL && wn_time_parse(a->meta[key], &t) == 0) {
        return t;
    }
    return WN_TIME_NONE;
}

static int
wn_store_pg_article_put(struct wn_store *base, const struct wn_article *a,
                        const char *url, const char *fetched_url, int64_t now,
                        struct wn_err *err)
{
    struct wn_store_pg *s = wn_store_pg_of(base);
    char pub[WN_STORE_PG_INT], upd[WN_STORE_PG_INT], words[WN_STORE_PG_INT],
        paras[WN_STORE_PG_INT], sim[WN_STORE_PG_INT], flags[WN_STORE_PG_INT],
        at[WN_STORE_PG_INT];
    char keys[WN_SHINGLE_SKETCH * WN_STORE_PG_INT + 4],
        *story = NULL, *host = NULL, *tags_json = NULL, *text = NULL;
    struct wn_shingles sh = { NULL, 0 };
    uint64_t k[WN_SHINGLE_SKETCH];
    size_t nk, o = 0;
    json_t *tags = json_array();
    const char *p[20];
    int rc;

    for (size_t i = 0; tags != NULL && i < a->ntags; i++) {
        json_array_append_new(tags, json_string(a->tags[i]));
    }
    tags_json = tags != NULL ? json_dumps(tags, JSON_COMPACT) : NULL;
    json_decref(tags);
    text = strndup(a->text, a->len);
    if (tags_json == NULL || text == NULL
        || wn_shingles_of(a->text, a->len, &sh) != 0)
    {
        rc = wn_err_set(err, WN_ENOMEM, "out of memory");
        goto failed;
    }
    nk = wn_shingles_sketch(&sh, k);
    keys[o++] = '{';
    for (size_t i = 0; i < nk; i++) {
        o += (size_t) snprintf(keys + o, sizeof(keys) - o, "%s%" PRId64,
                               i ? "," : "", (int64_t) k[i]);
    }
    snprintf(keys + o, sizeof(keys) - o, "}");
    rc = wn_store_pg_story(s, url, a->hash, &sh, keys, &story, err);
    if (rc != 0) {
        goto failed;
    }
    if (wn_url_host(url, &host) != 0) {
        host = NULL;
    }
    p[0] = url;
    p[1] = fetched_url;
    p[2] = a->meta[WN_META_TITLE];
    p[3] = a->meta[WN_META_AUTHOR];
    p[4] = wn_store_pg_time(pub, wn_store_pg_meta_time(a, WN_META_PUBLISHED));
    p[5] = wn_store_pg_time(upd, wn_store_pg_meta_time(a, WN_META_UPDATED));
    p[6] = a->meta[WN_META_SITE];
    p[7] = a->meta[WN_META_LANG];
    p[8] = a->meta[WN_META_DESCRIPTION];
    p[9] = tags_json;
    p[10] = text;
    p[11] = wn_store_pg_int(words, (int64_t) a->words);
    p[12] = wn_store_pg_int(paras, (int64_t) a->paragraphs);
    p[13] = a->hash;
    p[14] = wn_store_pg_int(sim, (int64_t) a->simhash);
    p[15] = story;
    p[16] = a->plugins;
    p[17] = wn_store_pg_int(flags, a->flags);
    p[18] = wn_store_pg_int(at, now);
    p[19] = host;
    rc = wn_store_pg_query(
        s,
        "WITH up AS (INSERT INTO articles (url, fetched_url, title, author,"
        "    published, updated, site, lang, description, tags, text, words,"
        "    paragraphs, hash, simhash, story, plugins, flags, stored_at,"
        "    feed_id, host)"
        "  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
        "    $14, $15, $16, $17, $18, $19,"
        "    (SELECT feed_id FROM items WHERE url = $1 ORDER BY id LIMIT 1),"
        "    $20)"
        "  ON CONFLICT (url) DO UPDATE SET fetched_url = excluded.fetched_url,"
        "    title = excluded.title, author = excluded.author,"
        "    published = excluded.published, updated = excluded.updated,"
        "    site = excluded.site, lang = excluded.lang,"
        "    description = excluded.description, tags = excluded.tags,"
        "    text = excluded.text, words = excluded.words,"
        "    paragraphs = excluded.paragraphs, hash = excluded.hash,"
        "    simhash = excluded.simhash, story = excluded.story,"
        "    plugins = excluded.plugins, flags = excluded.flags,"
        "    host = excluded.host"
        "  RETURNING id),"
        " drop_keys AS (DELETE FROM shingles WHERE article_id IN"
        "   (SELECT id FROM up)) "
        "SELECT id FROM up",
        20, p, NULL, err, "saving an article");
    if (rc == 0) {
        const char *q[2] = { url, keys };
        rc = wn_store_pg_query(
            s,
            "INSERT INTO shingles (key, article_id)"
            "  SELECT DISTINCT unnest($2::bigint[]), id FROM articles"
            "  WHERE url = $1 ON CONFLICT DO NOTHING",
            2, q, NULL, err, "indexing a story");
    }
failed:
    free(tags_json);
    free(text);
    free(story);
    free(host);
    wn_shingles_free(&sh);
    return rc;
}

static int
wn_store_pg_page_put(struct wn_store *base, const char *url,
                     const struct wn_store_page *pg, struct wn_err *err)
{
    struct wn_store_pg *s = wn_store_pg_of(base);
    char at[WN_STORE_PG_INT], size[WN_STORE_PG_INT];
    const char *p[5] = { url, wn_store_pg_int(at, pg->fetched_at),
                         pg->content_type,
                         wn_store_pg_int(size, (int64_t) pg->size), pg->data };
    int lengths[5] = { 0, 0, 0, 0, (int) pg->size };
    int formats[5] = { 0, 0, 0, 0, 1 };
    PGresult *r = PQexecParams(
        s->conn,
        "INSERT INTO pages (article_id, fetched_at, content_type, codec, size,"
        "  data) SELECT id, $2, $3, 'zstd', $4, $5 FROM articles WHERE url = $1 "
        "ON CONFLICT (article_id) DO UPDATE SET fetched_at = excluded.fetched_at,"
        "  content_type = excluded.content_type, codec = excluded.codec,"
        "  size = excluded.size, data = excluded.data",
        5, NULL, p, lengths, formats, 0);

    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        return wn_store_pg_fail(s, r, err, "keeping a page");
    }
    PQclear(r);
    return 0;
}

static int
wn_store_pg_kept_pages(struct wn_store *base, const char *host, int64_t since,
                       wn_store_kept_cb cb, void *arg, struct wn_err *err)
{
    struct wn_store_pg *s = wn_store_pg_of(base);
    char from[WN_STORE_PG_INT], id[WN_STORE_PG_INT];
    const char *p[2] = { wn_store_pg_int(from, since), host };
    PGresult *ids, *r;
    int rc, n, done = 0;

    rc = wn_store_pg_query(
        s,
        "SELECT p.article_id FROM pages p JOIN articles a ON a.id = p.article_id "
        "WHERE a.stored_at >= $1"
        "  AND ($2::text IS NULL OR a.host = $2 OR a.host LIKE '%.' || $2) "
        "ORDER BY a.stored_at, a.id",
        2, p, &ids, err, "listing kept pages");
    if (rc != 0) {
        return rc;
    }
    n = PQntuples(ids);
    for (int i = 0; rc == 0 && i < n; i++) {
        struct wn_store_kept k;
        const char *q[1] = { wn_store_pg_int(
            id, wn_store_pg_get_int(ids, i, 0, 0)) };
        unsigned char *data;
        size_t size;

        rc = wn_store_pg_query(
            s,
            "SELECT a.id, a.url, a.fetched_url, p.content_type, a.title,"
            "  a.author, a.plugins, a.hash, a.published, p.fetched_at, p.data "
            "FROM pages p JOIN articles a ON a.id = p.article_id "
            "WHERE p.article_id = $1",
            1, q, &r, err, "reading a kept page");
        if (rc != 0 || PQntuples(r) == 0) {
            PQclear(r);
            continue;
        }
        data = PQunescapeBytea((const unsigned char *) PQgetvalue(r, 0, 10),
                               &size);
        if (data == NULL) {
            PQclear(r);
            rc = wn_err_set(err, WN_ENOMEM, "out of memory");
            break;
        }
        k.article_id = wn_store_pg_get_int(r, 0, 0, 0);
        k.url = wn_store_pg_text(r, 0, 1);
        k.fetched_url = wn_store_pg_text(r, 0, 2);
        k.content_type = wn_store_pg_text(r, 0, 3);
        k.title = wn_store_pg_text(r, 0, 4);
        k.author = wn_store_pg_text(r, 0, 5);
        k.plugins = wn_store_pg_text(r, 0, 6);
        k.hash = wn_store_pg_text(r, 0, 7);
        k.published = wn_store_pg_get_int(r, 0, 8, WN_TIME_NONE);
        k.fetched_at = wn_store_pg_get_int(r, 0, 9, 0);
        k.data = data;
        k.size = size;
        done++;
        rc = cb(&k, arg);
        PQfreemem(data);
        PQclear(r);
        if (rc != 0) {
            rc = 0;
            break;
        }
    }
    PQclear(ids);
    return rc != 0 ? rc : done;
}

static int
wn_store_pg_retain(struct wn_store *base, struct wn_store_retain *ret,
                   struct wn_err *err)
{
    struct wn_store_pg *s = wn_store_pg_of(base);
    char now[WN_STORE_PG_INT], days[WN_STORE_PG_INT], pdays[WN_STORE_PG_INT];
    char att[WN_STORE_PG_INT], lim[WN_STORE_PG_INT];
    const char *p[4] = { wn_store_pg_int(now, ret->now),
                         wn_store_pg_int(days, ret->keep_days),
                         wn_store_pg_int(att, WN_STORE_ITEM_ATTEMPTS),
                         ret->limit > 0 ? wn_store_pg_int(lim, ret->limit)
                                        : NULL }; /* NULL: LIMIT ALL */
    PGresult *r;
    int rc;

    ret->articles = ret->pages = 0;
    ret->more = 0;
    /* keep_days 0 (the feed's or the default) keeps for ever.  The items
     * stay, with their fetches used up, so that neither the feed listing
     * them again nor the pending sweep fetches them again. */
    rc = wn_store_pg_query(
        s,
        "WITH old AS (DELETE FROM articles a USING (SELECT a2.id"
        "    FROM articles a2 LEFT JOIN feeds f ON f.id = a2.feed_id"
        "    WHERE coalesce(f.keep_days, $2) > 0"
        "      AND a2.stored_at < $1 - 86400 * coalesce(f.keep_days, $2)"
        "    ORDER BY a2.id LIMIT $4::bigint) x"
        "  WHERE a.id = x.id RETURNING a.url),"
        " used AS (UPDATE items SET attempts = greatest(attempts, $3),"
        "    last_error = 'article expired (keep_days)'"
        "  WHERE url IN (SELECT url FROM old) RETURNING 1) "
        "SELECT (SELECT count(*) FROM old), (SELECT count(*) FROM used)",
        4, p, &r, err, "expiring articles");
    if (rc != 0) {
        return rc;
    }
    ret->articles = (long) wn_store_pg_get_int(r, 0, 0, 0);
    PQclear(r);
    p[1] = wn_store_pg_int(pdays, ret->keep_pages_days);
    p[2] = p[3];
    rc = wn_store_pg_query(s,
                           "DELETE FROM pages WHERE article_id IN ("
                           "  SELECT article_id FROM pages WHERE $2 > 0"
                           "    AND fetched_at < $1 - 86400 * $2"
                           "  ORDER BY article_id LIMIT $3::bigint)",
                           3, p, &r, err, "expiring pages");
    if (rc != 0) {
        return rc;
    }
    ret->pages = strtol(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    ret->more = ret->limit > 0
                && (ret->articles >= ret->limit || ret->pages >= ret->limit);
    return 0;
}

static int
wn_store_pg_search(struct wn_store *base, const struct wn_store_query *q,
                   wn_store_hit_cb cb, void *arg, struct wn_err *err)
{
    struct wn_store_pg *s = wn_store_pg_of(base);
    char since[WN_STORE_PG_INT], until[WN_STORE_PG_INT], lim[WN_STORE_PG_INT];
    size_t limit = q->limit == 0 ? WN_STORE_SEARCH_LIMIT
                   : q->limit > WN_STORE_SEARCH_LIMIT_MAX
                       ? WN_STORE_SEARCH_LIMIT_MAX
                       : q->limit;
    const char *p[6] = { q->match,
                         q->feed,
                         q->site,
                         wn_store_pg_time(since, q->since),
                         wn_store_pg_time(until, q->until),
                         wn_store_pg_int(lim, (int64_t) limit) };
    PGresult *r;
    int rc, n;

    /* websearch_to_tsquery never fails on user input. */
    rc = wn_store_pg_query(
        s,
        "SELECT a.url, f.name, a.title, coalesce(a.site, a.host),"
        "  ts_headline('simple', a.text, query,"
        "    'StartSel=[, StopSel=], MaxWords=16, MinWords=8'),"
        "  a.published, a.stored_at, -ts_rank(a.tsv, query) AS r, a.story "
        "FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id,"
        "  websearch_to_tsquery('simple', $1) query "
        "WHERE a.tsv @@ query"
        "  AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM items i"
        "    JOIN feeds fi ON fi.id = i.feed_id"
        "    WHERE i.url = a.url AND fi.name = $2))"
        "  AND ($3::text IS NULL OR a.host = $3 OR a.host LIKE '%.' || $3)"
        "  AND ($4::bigint IS NULL OR coalesce(a.published, a.stored_at) >= $4)"
        "  AND ($5::bigint IS NULL OR coalesce(a.published, a.stored_at) < $5) "
        "ORDER BY r LIMIT $6",
        6, p, &r, err, "searching");
    if (rc != 0) {
        return rc;
    }
    n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        struct wn_store_hit h;
        h.url = wn_store_pg_text(r, i, 0);
        h.feed = wn_store_pg_text(r, i, 1);
        h.title = wn_store_pg_text(r, i, 2);
        h.site = wn_store_pg_text(r, i, 3);
        h.snippet = wn_store_pg_text(r, i, 4);
        h.published = wn_store_pg_get_int(r, i, 5, WN_TIME_NONE);
        h.stored_at = wn_store_pg_get_int(r, i, 6, 0);
        h.rank = strtod(PQgetvalue(r, i, 7), NULL);
        h.story = wn_store_pg_text(r, i, 8);
        if (cb(&h, arg) != 0) {
            break;
        }
    }
    PQclear(r);
    return n;
}

static int
wn_store_pg_pending(struct wn_store *base, size_t limit, wn_store_pending_cb cb,
                    void *arg, struct wn_err *err)
{
    char att[WN_STORE_PG_INT], lim[WN_STORE_PG_INT];
    const char *p[2] = { wn_store_pg_int(att, WN_STORE_ITEM_ATTEMPTS),
                         wn_store_pg_int(lim, (int64_t) limit) };
    PGresult *r;
    int rc, n;

    rc = wn_store_pg_query(
        wn_store_pg_of(base),
        "SELECT DISTINCT ON (i.url) i.feed_id, i.url, i.link, i.title,"
        "  i.author, i.summary, i.published "
        "FROM items i LEFT JOIN articles a ON a.url = i.url "
        "WHERE a.id IS NULL AND i.url IS NOT NULL AND i.attempts < $1 "
        "ORDER BY i.url, i.id LIMIT $2",
        2, p, &r, err, "listing pending items");
    if (rc != 0) {
        return rc;
    }
    n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        struct wn_store_pending pd;
        pd.feed_id = wn_store_pg_get_int(r, i, 0, 0);
        pd.url = wn_store_pg_text(r, i, 1);
        pd.link = wn_store_pg_text(r, i, 2);
        pd.title = wn_store_pg_text(r, i, 3);
        pd.author = wn_store_pg_text(r, i, 4);
        pd.summary = wn_store_pg_text(r, i, 5);
        pd.published = wn_store_pg_get_int(r, i, 6, WN_TIME_NONE);
        if (cb(&pd, arg) != 0) {
            break;
        }
    }
    PQclear(r);
    return 0;
}

static int
wn_store_pg_articles(struct wn_store *base, int64_t since, wn_store_row_cb cb,
                     void *arg, struct wn_err *err)
{
    struct wn_store_pg *s = wn_store_pg_of(base);
    char from[WN_STORE_PG_INT];
    const char *p[1] = { wn_store_pg_int(from, since) };
    PGresult *r;
    int rc;

    /* A cursor keeps memory flat however many articles there are. */
    rc = wn_store_pg_exec(s, "BEGIN", err);
    if (rc == 0) {
        rc = wn_store_pg_query(
            s,
            "DECLARE wn_rows NO SCROLL CURSOR FOR "
            "SELECT a.url, (SELECT f.name FROM items i JOIN feeds f"
            "   ON f.id = i.feed_id WHERE i.url = a.url ORDER BY i.id LIMIT 1),"
            "  a.title, a.author, a.site, a.lang, a.text, a.plugins, a.story,"
            "  a.tags, a.published, a.updated, a.stored_at, a.words "
            "FROM articles a WHERE a.stored_at >= $1 ORDER BY a.stored_at, a.id",
            1, p, NULL, err, "listing articles");
    }
    while (rc == 0) {
        int n;
        rc = wn_store_pg_query(s, "FETCH 500 FROM wn_rows", 0, NULL, &r, err,
                               "listing articles");
        if (rc != 0) {
            break;
        }
        n = PQntuples(r);
        for (int i = 0; i < n && rc == 0; i++) {
            struct wn_store_row row;
            row.url = wn_store_pg_text(r, i, 0);
            row.feed = wn_store_pg_text(r, i, 1);
            row.title = wn_store_pg_text(r, i, 2);
            row.author = wn_store_pg_text(r, i, 3);
            row.site = wn_store_pg_text(r, i, 4);
            row.lang = wn_store_pg_text(r, i, 5);
            row.text = wn_store_pg_text(r, i, 6);
            row.plugins = wn_store_pg_text(r, i, 7);
            row.story = wn_store_pg_text(r, i, 8);
            row.tags = wn_store_pg_text(r, i, 9);
            row.published = wn_store_pg_get_int(r, i, 10, WN_TIME_NONE);
            row.updated = wn_store_pg_get_int(r, i, 11, WN_TIME_NONE);
            row.stored_at = wn_store_pg_get_int(r, i, 12, 0);
            row.words = (long) wn_store_pg_get_int(r, i, 13, 0);
            if (cb(&row, arg) != 0) {
                n = 0;
            }
        }
        PQclear(r);
        if (n == 0) {
            break;
        }
    }
    wn_store_pg_rollback(base);
    return rc;
}

static int
wn_store_pg_counts(struct wn_store *base, struct wn_store_counts *out,
                   struct wn_err *err)
{
    char att[WN_STORE_PG_INT];
    const char *p[1] = { wn_store_pg_int(att, WN_STORE_ITEM_ATTEMPTS) };
    PGresult *r;
    int rc = wn_store_pg_query(
        wn_store_pg_of(base),
        "SELECT (SELECT count(*) FROM feeds), (SELECT count(*) FROM items),"
        "  (SELECT count(*) FROM articles),"
        "  (SELECT count(DISTINCT i.url) FROM items i LEFT JOIN articles a"
        "     ON a.url = i.url WHERE a.id IS NULL AND i.url IS NOT NULL"
        "     AND i.attempts < $1)",
        1, p, &r, err, "counting");

    if (rc != 0) {
        return rc;
    }
    out->feeds = (long) wn_store_pg_get_int(r, 0, 0, 0);
    out->items = (long) wn_store_pg_get_int(r, 0, 1, 0);
    out->articles = (long) wn_store_pg_get_int(r, 0, 2, 0);
    out->pending = (long) wn_store_pg_get_int(r, 0, 3, 0);
    PQclear(r);
    return 0;
}

/* ---- reports for the admin endpoint ---- */

static int
wn_store_pg_feed_report(struct wn_store *base, wn_store_feed_report_cb cb,
                        void *arg, struct wn_err *err)
{
    struct wn_store_feed_report f;
    PGresult *r;
    int rc = wn_store_pg_query(
        wn_store_pg_of(base),
        "SELECT name, url, title, last_error, last_fetch, last_ok,"
        "  next_fetch, last_status, error_count FROM feeds"
        "  ORDER BY name COLLATE \"C\"",
        0, NULL, &r, err, "reading feeds");

    if (rc != 0) {
        return rc;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        f.name = wn_store_pg_text(r, i, 0);
        f.url = wn_store_pg_text(r, i, 1);
        f.title = wn_store_pg_text(r, i, 2);
        f.last_error = wn_store_pg_text(r, i, 3);
        f.last_fetch = wn_store_pg_get_int(r, i, 4, 0);
        f.last_ok = wn_store_pg_get_int(r, i, 5, 0);
        f.next_fetch = wn_store_pg_get_int(r, i, 6, 0);
        f.last_status = (long) wn_store_pg_get_int(r, i, 7, 0);
        f.error_count = (long) wn_store_pg_get_int(r, i, 8, 0);
        if (cb(&f, arg) != 0) {
            break;
        }
    }
    PQclear(r);
    return 0;
}

static int
wn_store_pg_item_days(struct wn_store *base, int64_t since, wn_store_day_cb cb,
                      void *arg, struct wn_err *err)
{
    char buf[WN_STORE_PG_INT];
    const char *params[1] = { wn_store_pg_int(buf, since) };
    PGresult *r;
    int rc = wn_store_pg_query(
        wn_store_pg_of(base),
        "SELECT f.name, i.first_seen / 86400, count(*) FROM items i"
        "  JOIN feeds f ON f.id = i.feed_id WHERE i.first_seen >= $1"
        "  GROUP BY f.name, i.first_seen / 86400",
        1, params, &r, err, "counting items per day");

    if (rc != 0) {
        return rc;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        if (cb(wn_store_pg_text(r, i, 0), wn_store_pg_get_int(r, i, 1, 0),
               (long) wn_store_pg_get_int(r, i, 2, 0), arg)
            != 0)
        {
            break;
        }
    }
    PQclear(r);
    return 0;
}

static int
wn_store_pg_size(struct wn_store *base, int64_t *bytes, struct wn_err *err)
{
    PGresult *r;
    int rc = wn_store_pg_query(wn_store_pg_of(base),
                               "SELECT pg_database_size(current_database())", 0,
                               NULL, &r, err, "reading the size");

    if (rc != 0) {
        return rc;
    }
    *bytes = wn_store_pg_get_int(r, 0, 0, 0);
    PQclear(r);
    return 0;
}

static const struct wn_store_ops wn_store_pg_ops = {
    .name = "postgresql",
    .close = wn_store_pg_close,
    .begin = wn_store_pg_begin,
    .commit = wn_store_pg_commit,
    .rollback = wn_store_pg_rollback,
    .savepoint = wn_store_pg_savepoint,
    .release = wn_store_pg_release,
    .feed_sync = wn_store_pg_feed_sync,
    .feed_fetched = wn_store_pg_feed_fetched,
    .feeds = wn_store_pg_feeds,
    .item_put = wn_store_pg_item_put,
    .item_failed = wn_store_pg_item_failed,
    .article_put = wn_store_pg_article_put,
    .article_exists = wn_store_pg_article_exists,
    .pending = wn_store_pg_pending,
    .articles = wn_store_pg_articles,
    .counts = wn_store_pg_counts,
    .feed_report = wn_store_pg_feed_report,
    .item_days = wn_store_pg_item_days,
    .size = wn_store_pg_size,
    .page_put = wn_store_pg_page_put,
    .kept_pages = wn_store_pg_kept_pages,
    .feed_keep = wn_store_pg_feed_keep,
    .retain = wn_store_pg_retain,
    .limit = NULL,
    .search = wn_store_pg_search,
    .lease = wn_store_pg_lease,
};
