/*
 * wn_checkpoint.c: WAL checkpoints on a thread of their own (see
 * wn_checkpoint.h).
 */
#include "wn_checkpoint.h"

#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include <winnow/error.h>

#include "wn_log.h"

struct wn_checkpointer {
    sqlite3 *db; /* the committing connection (its thread only) */
    char *path;
    int bg_pages, fg_pages;
    int asked_at; /* WAL frames at the last request (committing thread) */
    uv_thread_t thread;
    uv_mutex_t mu;
    uv_cond_t cv;
    /* Under mu. */
    int started; /* the thread runs */
    int broken;  /* it could not open its connection: checkpoint inline */
    int pending; /* a checkpoint is asked for */
    int running; /* the thread checkpoints */
    int quit;
    struct wn_checkpoint_stats stats;
};

/* The checkpointer's thread: one PASSIVE checkpoint per request. */
static void
wn_checkpoint_thread(void *arg)
{
    struct wn_checkpointer *c = arg;
    sqlite3 *db = NULL;
    int copied = 0; /* frames in the WAL copied back, after a checkpoint */
    int rc = sqlite3_open_v2(c->path, &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);

    /* A connection opens the WAL at its first read: until then it would
     * take the database for one without, and checkpoint nothing. */
    if (rc == SQLITE_OK) {
        rc = sqlite3_exec(db, "SELECT 1 FROM sqlite_schema LIMIT 1", NULL, NULL,
                          NULL);
    }
    uv_mutex_lock(&c->mu);
    if (rc != SQLITE_OK) {
        WN_LOG(WN_LOG_WARNING, "store",
               "%s: cannot open a connection for checkpoints (%s); the "
               "writer makes them itself",
               c->path, db != NULL ? sqlite3_errmsg(db) : "out of memory");
        c->broken = 1;
    }
    while (!c->broken) {
        while (!c->pending && !c->quit) {
            uv_cond_wait(&c->cv, &c->mu);
        }
        if (c->quit) {
            break;
        }
        c->pending = 0;
        c->running = 1;
        uv_mutex_unlock(&c->mu);
        rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE,
                                       NULL, &copied);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
            WN_LOG(WN_LOG_WARNING, "store", "%s: checkpoint: %s", c->path,
                   sqlite3_errmsg(db));
        }
        uv_mutex_lock(&c->mu);
        c->stats.background += rc == SQLITE_OK && copied > 0;
        c->running = 0;
        uv_cond_broadcast(&c->cv); /* the committing thread may wait */
    }
    uv_mutex_unlock(&c->mu);
    sqlite3_close(db);
}

/* Committing thread: asks the thread for a checkpoint, starting it the
 * first time. */
static void
wn_checkpoint_ask(struct wn_checkpointer *c, int frames)
{
    uv_mutex_lock(&c->mu);
    if (!c->started && !c->broken) {
        c->started = uv_thread_create(&c->thread, wn_checkpoint_thread, c) == 0;
        c->broken = !c->started;
    }
    if (!c->broken) {
        c->pending = 1;
        c->asked_at = frames;
        uv_cond_signal(&c->cv);
    }
    uv_mutex_unlock(&c->mu);
}

/*
 * Committing thread: checkpoints what the thread has not copied yet.  The
 * thread's checkpoint, if one runs, ends first: SQLite would refuse this
 * one (busy) while it runs, and the WAL starts again only once a
 * checkpoint has copied it all.
 */
static void
wn_checkpoint_here(struct wn_checkpointer *c, sqlite3 *db, const char *schema)
{
    int rc;

    uv_mutex_lock(&c->mu);
    c->pending = 0;
    while (c->running) {
        uv_cond_wait(&c->cv, &c->mu);
    }
    uv_mutex_unlock(&c->mu);
    rc = sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                   NULL);
    uv_mutex_lock(&c->mu);
    c->stats.foreground += rc == SQLITE_OK;
    uv_mutex_unlock(&c->mu);
    c->asked_at = 0;
}

/* SQLite's WAL hook: runs on the committing thread after each commit, with
 * the frames now in the WAL.  A failed checkpoint is not the commit's
 * failure: the next commit tries again. */
static int
wn_checkpoint_hook(void *arg, sqlite3 *db, const char *schema, int frames)
{
    struct wn_checkpointer *c = arg;

    if (frames < c->asked_at) {
        c->asked_at = 0; /* the WAL started again */
    }
    if (frames >= c->fg_pages) {
        wn_checkpoint_here(c, db, schema);
    } else if (frames - c->asked_at >= c->bg_pages) {
        wn_checkpoint_ask(c, frames);
    }
    return SQLITE_OK;
}

int
wn_checkpoint_attach(sqlite3 *db, const char *path, int bg_pages, int fg_pages,
                     struct wn_checkpointer **out)
{
    struct wn_checkpointer *c = calloc(1, sizeof(*c));

    *out = NULL;
    if (c == NULL || (c->path = strdup(path)) == NULL) {
        free(c);
        return WN_ENOMEM;
    }
    if (uv_mutex_init(&c->mu) != 0) {
        goto no_mutex;
    }
    if (uv_cond_init(&c->cv) != 0) {
        goto no_cond;
    }
    c->db = db;
    c->bg_pages = bg_pages;
    c->fg_pages = fg_pages;
    sqlite3_wal_hook(db, wn_checkpoint_hook, c);
    *out = c;
    return 0;

no_cond:
    uv_mutex_destroy(&c->mu);
no_mutex:
    free(c->path);
    free(c);
    return WN_ENOMEM;
}

void
wn_checkpoint_stats(struct wn_checkpointer *c, struct wn_checkpoint_stats *out)
{
    uv_mutex_lock(&c->mu);
    *out = c->stats;
    uv_mutex_unlock(&c->mu);
}

void
wn_checkpoint_detach(struct wn_checkpointer *c)
{
    int started;

    if (c == NULL) {
        return;
    }
    uv_mutex_lock(&c->mu);
    c->quit = 1;
    started = c->started;
    uv_cond_signal(&c->cv);
    uv_mutex_unlock(&c->mu);
    if (started) {
        uv_thread_join(&c->thread);
    }
    sqlite3_wal_autocheckpoint(c->db, c->fg_pages);
    uv_cond_destroy(&c->cv);
    uv_mutex_destroy(&c->mu);
    free(c->path);
    free(c);
}
