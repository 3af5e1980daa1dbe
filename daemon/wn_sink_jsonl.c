/*
 * wn_sink_jsonl.c: the JSON Lines sink: one record per line to stdout or
 * to a file opened for appending, written once per committed batch, so a
 * reader sees whole batches and never half a line.  Nothing blocks the
 * loop: a pipe or terminal on stdout is a libuv stream (non-blocking
 * writes), a file is written on the threadpool (uv_fs_write), one batch
 * after the other.  Batches written but not yet taken by the reader count
 * against WN_SINK_JSONL_QUEUE_MAX bytes; past that the sink is full and
 * ingestion waits, so a slow reader slows the daemon instead of growing
 * its memory, and /healthz and SIGTERM are still answered.
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

#define WN_SINK_JSONL_QUEUE_MAX (16u << 20) /* bytes written, not yet read */

struct wn_jsonl_chunk {
    struct wn_jsonl_chunk *next;
    struct wn_sink_jsonl *j;
    size_t len, off, nrec;
    uv_write_t wreq;
    uv_fs_t freq;
    char data[];
};

struct wn_sink_jsonl {
    struct wn_sink base;
    uv_loop_t *loop;
    int fd;
    int own_fd; /* opened here (not stdout) */
    char *path;
    union {
        uv_pipe_t pipe;
        uv_tty_t tty;
    } h;
    uv_stream_t *stream; /* NULL: a file, written with uv_fs_write */
    struct wn_buf pending; /* records of the current batch */
    size_t npending;
    struct wn_jsonl_chunk *head, *tail; /* files: waiting, head in flight */
    int file_busy;
    size_t queued_bytes, queued_recs;
    uv_timer_t close_timer;
    int handles; /* uv handles open */
    int closing, finished;
    void (*done)(struct wn_sinks *set);
    struct wn_sinks *set;
};

static void wn_sink_jsonl_finish(struct wn_sink_jsonl *j);
static void wn_sink_jsonl_maybe_free(struct wn_sink_jsonl *j);
static void wn_sink_jsonl_file_next(struct wn_sink_jsonl *j);

/* A chunk is out of the queue: written (or failed, or abandoned). */
static void
wn_sink_jsonl_chunk_done(struct wn_jsonl_chunk *c, int status)
{
    struct wn_sink_jsonl *j = c->j;
    int was_full = j->queued_bytes >= WN_SINK_JSONL_QUEUE_MAX;

    j->queued_bytes -= c->len;
    j->queued_recs -= c->nrec;
    if (status == 0) {
        wn_metrics_add(WN_M_SINK_RECORDS, "jsonl", NULL, (double) c->nrec);
    } else if (status != UV_ECANCELED) {
        wn_metrics_add(WN_M_SINK_ERRORS, "jsonl", NULL, 1);
        WN_LOG(WN_LOG_ERR, "sink",
               "jsonl: %s: %s; %zu records not written (they are in the "
               "store: winnowd export --since replays them)",
               j->path, uv_strerror(status), c->nrec);
    }
    free(c);
    if (j->closing && j->queued_bytes == 0) {
        wn_sink_jsonl_finish(j);
    } else if (was_full && j->queued_bytes < WN_SINK_JSONL_QUEUE_MAX
               && !j->closing && j->base.set != NULL)
    {
        wn_sinks_room(j->base.set);
    }
    wn_sink_jsonl_maybe_free(j);
}

static void
wn_sink_jsonl_write_cb(uv_write_t *req, int status)
{
    wn_sink_jsonl_chunk_done(req->data, status);
}

static void
wn_sink_jsonl_fs_cb(uv_fs_t *req)
{
    struct wn_jsonl_chunk *c = req->data;
    struct wn_sink_jsonl *j = c->j;
    ssize_t n = req->result;

    uv_fs_req_cleanup(req);
    j->file_busy = 0;
    if (n >= 0 && c->off + (size_t) n < c->len && !j->finished) {
        c->off += (size_t) n; /* a short write: the rest next */
        wn_sink_jsonl_file_next(j);
        return;
    }
    j->head = c->next;
    if (j->head == NULL) {
        j->tail = NULL;
    }
    wn_sink_jsonl_chunk_done(c, n < 0 ? (int) n : 0);
    if (j->head != NULL) {
        wn_sink_jsonl_file_next(j);
    }
}

/* Files: writes the head chunk unless a write is in flight. */
static void
wn_sink_jsonl_file_next(struct wn_sink_jsonl *j)
{
    struct wn_jsonl_chunk *c = j->head;
    uv_buf_t buf;
    int rc;

    if (c == NULL || j->file_busy) {
        return;
    }
    if (j->finished) { /* abandoned at the stop bound */
        j->head = c->next;
        j->tail = j->head == NULL ? NULL : j->tail;
        wn_sink_jsonl_chunk_done(c, UV_ECANCELED);
        wn_sink_jsonl_file_next(j);
        return;
    }
    buf = uv_buf_init(c->data + c->off, (unsigned) (c->len - c->off));
    c->freq.data = c;
    rc = uv_fs_write(j->loop, &c->freq, j->fd, &buf, 1, -1,
                     wn_sink_jsonl_fs_cb);
    if (rc != 0) {
        j->head = c->next;
        j->tail = j->head == NULL ? NULL : j->tail;
        wn_sink_jsonl_chunk_done(c, rc);
        wn_sink_jsonl_file_next(j);
        return;
    }
    j->file_busy = 1;
}

static int
wn_sink_jsonl_put(struct wn_sink *s, const char *line, size_t len)
{
    struct wn_sink_jsonl *j = (struct wn_sink_jsonl *) s;
    int rc = wn_buf_append(&j->pending, line, len);

    if (rc == WN_ETOOBIG) {
        /* An enormous batch: hand over what there is and go on. */
        s->ops->flush(s);
        rc = wn_buf_append(&j->pending, line, len);
    }
    if (rc == 0) {
        rc = wn_buf_putc(&j->pending, '\n');
    }
    j->npending += rc == 0;
    return rc;
}

static void
wn_sink_jsonl_flush(struct wn_sink *s)
{
    struct wn_sink_jsonl *j = (struct wn_sink_jsonl *) s;
    struct wn_jsonl_chunk *c;
    size_t len = j->pending.len;

    if (len == 0 || j->finished) {
        return;
    }
    c = malloc(sizeof(*c) + len);
    if (c == NULL) {
        wn_metrics_add(WN_M_SINK_ERRORS, "jsonl", NULL, 1);
        WN_LOG(WN_LOG_ERR, "sink", "jsonl: %s: out of memory; %zu records "
                                   "not written",
               j->path, j->npending);
        goto out;
    }
    memset(c, 0, sizeof(*c));
    memcpy(c->data, j->pending.data, len);
    c->len = len;
    c->nrec = j->npending;
    c->j = j;
    j->queued_bytes += len;
    j->queued_recs += c->nrec;
    if (j->stream != NULL) {
        uv_buf_t buf = uv_buf_init(c->data, (unsigned) len);
        int rc;
        c->wreq.data = c;
        rc = uv_write(&c->wreq, j->stream, &buf, 1, wn_sink_jsonl_write_cb);
        if (rc != 0) {
            wn_sink_jsonl_chunk_done(c, rc);
        }
    } else {
        if (j->tail != NULL) {
            j->tail->next = c;
        } else {
            j->head = c;
        }
        j->tail = c;
        wn_sink_jsonl_file_next(j);
    }
out:
    wn_buf_reset(&j->pending);
    j->npending = 0;
}

static size_t
wn_sink_jsonl_queued(const struct wn_sink *s)
{
    const struct wn_sink_jsonl *j = (const struct wn_sink_jsonl *) s;

    return j->npending + j->queued_recs;
}

/* Bounded in bytes, not records: full or not. */
static size_t
wn_sink_jsonl_space(const struct wn_sink *s)
{
    const struct wn_sink_jsonl *j = (const struct wn_sink_jsonl *) s;

    return j->queued_bytes >= WN_SINK_JSONL_QUEUE_MAX ? 0 : SIZE_MAX;
}

/* ---- closing ---- */

static void
wn_sink_jsonl_closed(uv_handle_t *h)
{
    struct wn_sink_jsonl *j = h->data;

    j->handles--;
    wn_sink_jsonl_maybe_free(j);
}

/* Stops writing; what is still queued is given up (and logged). */
static void
wn_sink_jsonl_finish(struct wn_sink_jsonl *j)
{
    if (j->finished) {
        return;
    }
    j->finished = 1;
    if (j->queued_recs > 0) {
        WN_LOG(WN_LOG_ERR, "sink",
               "jsonl: %s: %zu records not taken by the reader before the "
               "stop bound; they are in the store (winnowd export --since "
               "replays them)",
               j->path, j->queued_recs);
    }
    uv_close((uv_handle_t *) &j->close_timer, wn_sink_jsonl_closed);
    if (j->stream != NULL) {
        /* Cancels the writes still queued: their callbacks run first. */
        uv_close((uv_handle_t *) j->stream, wn_sink_jsonl_closed);
    }
}

static void
wn_sink_jsonl_maybe_free(struct wn_sink_jsonl *j)
{
    void (*done)(struct wn_sinks *);
    struct wn_sinks *set;

    if (!j->finished || j->handles > 0 || j->file_busy || j->head != NULL) {
        return;
    }
    if (j->own_fd && close(j->fd) != 0) {
        WN_LOG(WN_LOG_ERR, "sink", "jsonl: %s: closing: %s", j->path,
               strerror(errno));
    }
    done = j->done;
    set = j->set;
    wn_buf_free(&j->pending);
    free(j->path);
    free(j);
    if (done != NULL) {
        done(set);
    }
}

static void
wn_sink_jsonl_close_timeout(uv_timer_t *t)
{
    wn_sink_jsonl_finish(t->data);
    wn_sink_jsonl_file_next(t->data); /* drops what waits */
}

static void
wn_sink_jsonl_close(struct wn_sink *s, long bound_ms,
                    void (*done)(struct wn_sinks *set))
{
    struct wn_sink_jsonl *j = (struct wn_sink_jsonl *) s;

    wn_sink_jsonl_flush(s);
    j->closing = 1;
    j->done = done;
    j->set = s->set;
    if (j->queued_bytes == 0 || bound_ms <= 0) {
        wn_sink_jsonl_finish(j);
        wn_sink_jsonl_file_next(j);
        wn_sink_jsonl_maybe_free(j);
        return;
    }
    uv_timer_start(&j->close_timer, wn_sink_jsonl_close_timeout,
                   (uint64_t) bound_ms, 0);
}

static const struct wn_sink_ops wn_sink_jsonl_ops = {
    .name = "jsonl",
    .put = wn_sink_jsonl_put,
    .flush = wn_sink_jsonl_flush,
    .queued = wn_sink_jsonl_queued,
    .space = wn_sink_jsonl_space,
    .close = wn_sink_jsonl_close,
};

int
wn_sink_jsonl_open(uv_loop_t *loop, const char *path, struct wn_sink **out,
                   struct wn_err *err)
{
    struct wn_sink_jsonl *j = calloc(1, sizeof(*j));
    int rc = 0;

    *out = NULL;
    if (j == NULL || (j->path = strdup(path)) == NULL) {
        free(j);
        return wn_err_set(err, WN_ENOMEM, "[sink] jsonl: out of memory");
    }
    j->base.ops = &wn_sink_jsonl_ops;
    j->loop = loop;
    wn_buf_init(&j->pending, WN_SINK_RECORD_MAX);
    if (strcmp(path, "-") == 0) {
        j->fd = STDOUT_FILENO;
        switch (uv_guess_handle(j->fd)) {
        case UV_NAMED_PIPE:
            rc = uv_pipe_init(loop, &j->h.pipe, 0);
            if (rc == 0) {
                j->stream = (uv_stream_t *) &j->h.pipe;
                j->handles++;
                rc = uv_pipe_open(&j->h.pipe, j->fd);
            }
            break;
        case UV_TTY:
            rc = uv_tty_init(loop, &j->h.tty, j->fd, 0);
            if (rc == 0) {
                j->stream = (uv_stream_t *) &j->h.tty;
                j->handles++;
            }
            break;
        default: /* a file, or /dev/null: the threadpool writes it */
            break;
        }
    } else {
        j->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (j->fd < 0) {
            rc = -errno;
        } else {
            j->own_fd = 1;
        }
    }
    uv_timer_init(loop, &j->close_timer);
    j->close_timer.data = j;
    j->handles++;
    if (j->stream != NULL) {
        j->stream->data = j;
    }
    *out = &j->base;
    if (rc != 0) {
        /* The caller closes the set, which frees this sink. */
        return wn_err_set(err, rc, "[sink] jsonl: %s: %s", path,
                          uv_strerror(rc));
    }
    return 0;
}
