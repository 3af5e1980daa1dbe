/*
 * wn_checkpoint.h: copies a SQLite database's write-ahead log back into the
 * database on a thread of its own, so that the connection that commits
 * does not.
 *
 * SQLite checkpoints on the committing thread by default: once the WAL
 * holds wal_autocheckpoint pages, the commit that crossed the line reads
 * them back, writes them into the database and fsyncs it.  For the daemon
 * that thread is the writer, the pipeline's one serial stage.  Attached, a
 * checkpointer copies the WAL from `bg_pages` on its thread and its own
 * connection (PASSIVE: it never waits for, nor blocks, the writer).  The
 * writer still checkpoints itself from `fg_pages`: a WAL starts again from
 * its beginning only once every frame is copied back, and while the writer
 * keeps appending that never happens on another thread, so without this
 * the WAL would grow for as long as the writer is busy.  By then most of
 * the WAL is already copied, so that checkpoint is short.
 *
 * The thread and its connection start at the first checkpoint asked for:
 * a command that writes little never has them.
 */
#ifndef WN_CHECKPOINT_H
#define WN_CHECKPOINT_H

#include <stdint.h>

#include <sqlite3.h>

struct wn_checkpointer;

/* What it did (the unit test reads it; not yet a metric). */
struct wn_checkpoint_stats {
    uint64_t background; /* checkpoints that copied frames, on its thread */
    uint64_t foreground; /* checkpoints the committing thread ran */
};

/*
 * Takes over the checkpoints of `db` (a WAL-mode connection to `path`;
 * the caller keeps both).  0 < bg_pages < fg_pages.  Returns 0, or
 * WN_ENOMEM (then SQLite's own checkpoints stay).
 */
int wn_checkpoint_attach(sqlite3 *db, const char *path, int bg_pages,
                         int fg_pages, struct wn_checkpointer **out);

/* Thread-safe. */
void wn_checkpoint_stats(struct wn_checkpointer *c,
                         struct wn_checkpoint_stats *out);

/*
 * Ends the thread, closes its connection and gives `db` back SQLite's own
 * checkpoints at fg_pages; call from the thread that uses db, before
 * closing it.  c may be NULL.
 */
void wn_checkpoint_detach(struct wn_checkpointer *c);

#endif
