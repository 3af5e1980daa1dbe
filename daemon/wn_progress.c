/*
 * wn_progress.c: see wn_progress.h.  The terminal line is written with one
 * write(2), starting with a carriage return and an erase-line sequence and
 * ending with a carriage return, so a log line written between two redraws
 * starts at the beginning of the line.
 */
#include "wn_progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wn_log.h"

struct wn_progress {
    uv_timer_t timer;
    int fd, tty;
    size_t total;
    wn_progress_fn fn;
    void *arg;
    uint64_t last_done; /* feeds done at the last log line */
};

void
wn_progress_format(size_t total, const struct wn_progress_counts *c, char *buf,
                   size_t n)
{
    snprintf(buf, n,
             "%llu/%zu feeds, %llu new items, %llu articles, %llu errors, "
             "%zu in flight",
             (unsigned long long) c->feeds_done, total,
             (unsigned long long) c->items, (unsigned long long) c->articles,
             (unsigned long long) c->errors, c->in_flight);
}

static void
wn_progress_draw(struct wn_progress *p, int last)
{
    struct wn_progress_counts c;
    char line[256], out[300];
    int len;

    memset(&c, 0, sizeof(c));
    p->fn(p->arg, &c);
    wn_progress_format(p->total, &c, line, sizeof(line));
    if (!p->tty) {
        if (c.feeds_done != p->last_done || last) {
            WN_LOG(WN_LOG_NOTICE, "progress", "%s", line);
            p->last_done = c.feeds_done;
        }
        return;
    }
    len = snprintf(out, sizeof(out), "\r\033[K%s%s", line, last ? "\n" : "\r");
    if (len > 0 && write(p->fd, out, (size_t) len) < 0) {
        p->tty = 0; /* the terminal went away: stop drawing */
    }
}

static void
wn_progress_tick(uv_timer_t *t)
{
    wn_progress_draw(t->data, 0);
}

int
wn_progress_start(uv_loop_t *loop, int fd, int tty, size_t total,
                  wn_progress_fn fn, void *arg, struct wn_progress **out)
{
    struct wn_progress *p = calloc(1, sizeof(*p));
    uint64_t period;

    *out = NULL;
    if (p == NULL) {
        return UV_ENOMEM;
    }
    p->fd = fd;
    p->tty = tty && isatty(fd);
    p->total = total;
    p->fn = fn;
    p->arg = arg;
    period = p->tty ? WN_PROGRESS_TTY_MS : WN_PROGRESS_LOG_MS;
    uv_timer_init(loop, &p->timer);
    p->timer.data = p;
    uv_timer_start(&p->timer, wn_progress_tick, period, period);
    /* The pass must not wait for the progress timer to end. */
    uv_unref((uv_handle_t *) &p->timer);
    *out = p;
    return 0;
}

static void
wn_progress_closed(uv_handle_t *h)
{
    free(h->data);
}

void
wn_progress_stop(struct wn_progress *p)
{
    if (p == NULL) {
        return;
    }
    wn_progress_draw(p, 1);
    uv_close((uv_handle_t *) &p->timer, wn_progress_closed);
}
