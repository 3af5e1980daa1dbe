/*
 * wn_progress.h: the progress of `winnowd once`: on a terminal, one status
 * line redrawn in place (feeds done of total, items, articles, errors);
 * otherwise a plain log line now and then, so logs stay one event per line.
 * It reads counts through a callback and knows nothing of the pipeline.
 *
 * Loop thread only.
 */
#ifndef WN_PROGRESS_H
#define WN_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#define WN_PROGRESS_TTY_MS 200   /* redraw period on a terminal */
#define WN_PROGRESS_LOG_MS 10000 /* log period otherwise */

struct wn_progress;

struct wn_progress_counts {
    uint64_t feeds_done, items, articles, errors;
    size_t in_flight;
};

typedef void (*wn_progress_fn)(void *arg, struct wn_progress_counts *out);

/*
 * Starts reporting on fd (stderr) for `total` feeds; a terminal gets the
 * redrawn line unless `tty` is 0.  Returns 0 or a libuv error.
 */
int wn_progress_start(uv_loop_t *loop, int fd, int tty, size_t total,
                      wn_progress_fn fn, void *arg, struct wn_progress **out);

/* Draws the last state, ends the line and frees (after the loop closes the
 * timer).  p may be NULL. */
void wn_progress_stop(struct wn_progress *p);

/* The line as drawn, for tests: "12/40 feeds, 120 new items, ...". */
void wn_progress_format(size_t total, const struct wn_progress_counts *c,
                        char *buf, size_t n);

#endif /* WN_PROGRESS_H */
