/*
 * wn_sink_jsonl.c: the JSON Lines sink: one record per line to stdout or
 * to a file opened for appending, written with write(2) once per batch, so
 * a reader sees whole batches and never half a line.  The write blocks the
 * loop while the reader (a pipe to a neighbour) is not reading: that is
 * the backpressure of this sink, and it keeps every record.
 */
#include "wn_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wn_err.h"
#include "wn_log.h"
#include "wn_metrics.h"

struct wn_sink_jsonl {
    struct wn_sink base;
    int fd;
    int own_fd; /* opened here (not stdout) */
    char *path;
    struct wn_buf pending; /* records of the current batch */
    size_t npending;
};

static int
wn_sink_jsonl_put(struct wn_sink *s, const char *line, size_t len)
{
    struct wn_sink_jsonl *j = (struct wn_sink_jsonl *) s;
    int rc = wn_buf_append(&j->pending, line, len);

    if (rc == 0) {
        rc = wn_buf_putc(&j->pending, '\n');
    }
    if (rc == WN_ETOOBIG) {
        /* An enormous batch: write what there is and go on. */
        s->ops->flush(s);
        rc = wn_buf_append(&j->pending, line, len);
        if (rc == 0) {
            rc = wn_buf_putc(&j->pending, '\n');
        }
    }
    j->npending += rc == 0;
    return rc;
}

static void
wn_sink_jsonl_flush(struct wn_sink *s)
{
    struct wn_sink_jsonl *j = (struct wn_sink_jsonl *) s;
    size_t off = 0;

    while (off < j->pending.len) {
        ssize_t n = write(j->fd, j->pending.data + off, j->pending.len - off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            wn_metrics_add(WN_M_SINK_ERRORS, "jsonl", NULL, 1);
            WN_LOG(WN_LOG_ERR, "sink",
                   "jsonl: %s: %s; %zu records of this batch not written (they "
                   "are in the store: winnowd export --since replays them)",
                   j->path, strerror(errno), j->npending);
            break;
        }
        off += (size_t) n;
    }
    if (off == j->pending.len && j->npending > 0) {
        wn_metrics_add(WN_M_SINK_RECORDS, "jsonl", NULL,
                       (double) j->npending);
    }
    wn_buf_reset(&j->pending);
    j->npending = 0;
}

static size_t
wn_sink_jsonl_queued(const struct wn_sink *s)
{
    return ((const struct wn_sink_jsonl *) s)->npending;
}

static int
wn_sink_jsonl_full(const struct wn_sink *s)
{
    (void) s;
    return 0;
}

static void
wn_sink_jsonl_close(struct wn_sink *s, long bound_ms,
                    void (*done)(struct wn_sinks *set))
{
    struct wn_sink_jsonl *j = (struct wn_sink_jsonl *) s;
    struct wn_sinks *set = s->set;

    (void) bound_ms;
    wn_sink_jsonl_flush(s);
    if (j->own_fd && close(j->fd) != 0) {
        WN_LOG(WN_LOG_ERR, "sink", "jsonl: %s: closing: %s", j->path,
               strerror(errno));
    }
    wn_buf_free(&j->pending);
    free(j->path);
    free(j);
    done(set);
}

static const struct wn_sink_ops wn_sink_jsonl_ops = {
    .name = "jsonl",
    .put = wn_sink_jsonl_put,
    .flush = wn_sink_jsonl_flush,
    .queued = wn_sink_jsonl_queued,
    .full = wn_sink_jsonl_full,
    .close = wn_sink_jsonl_close,
};

int
wn_sink_jsonl_open(const char *path, struct wn_sink **out, struct wn_err *err)
{
    struct wn_sink_jsonl *j = calloc(1, sizeof(*j));

    *out = NULL;
    if (j == NULL || (j->path = strdup(path)) == NULL) {
        free(j);
        return wn_err_set(err, WN_ENOMEM, "[sink] jsonl: out of memory");
    }
    j->base.ops = &wn_sink_jsonl_ops;
    wn_buf_init(&j->pending, WN_SINK_RECORD_MAX);
    if (strcmp(path, "-") == 0) {
        j->fd = STDOUT_FILENO;
    } else {
        j->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (j->fd < 0) {
            int e = errno;
            free(j->path);
            free(j);
            return wn_err_set(err, -e, "[sink] jsonl: %s: %s", path,
                              strerror(e));
        }
        j->own_fd = 1;
    }
    *out = &j->base;
    return 0;
}
