/*
 * wn_spool.h: byte records parked in an unlinked temporary file, so that
 * data waiting for a busy pipeline costs page cache and disk instead of
 * resident memory.  Records are appended; a released record's range is
 * given back to the file system (a hole), and the file is truncated to
 * nothing whenever no record is left.
 *
 * Threads: open, put, release and close on one thread (the loop);
 * wn_spool_get() may run on any thread (pread), on a record that is not
 * released before it returns.
 */
#ifndef WN_SPOOL_H
#define WN_SPOOL_H

#include <sys/uio.h>

#include <stddef.h>
#include <stdint.h>

struct wn_err;

struct wn_spool {
    int fd;       /* -1 until opened */
    uint64_t end; /* bytes written since the file was last empty */
    size_t live;  /* records not yet released */
};

struct wn_spool_ref {
    uint64_t off;
    size_t len;
};

#define WN_SPOOL_INIT                                                          \
    {                                                                          \
        -1, 0, 0                                                               \
    }

/*
 * Opens the file in `dir` (or $TMPDIR, or /tmp, when NULL), unlinked from
 * the start so nothing is left behind by a crash.  Returns 0 or an error
 * naming the folder.
 */
int wn_spool_open(struct wn_spool *sp, const char *dir, struct wn_err *err);

/* Pieces of one record at most. */
#define WN_SPOOL_IOV_MAX 16

/* Appends the concatenation of iov[0..n) (n <= WN_SPOOL_IOV_MAX) as one
 * record.  Returns 0, or -errno (ENOSPC, EIO, EINVAL...) with nothing
 * kept. */
int wn_spool_put(struct wn_spool *sp, const struct iovec *iov, int n,
                 struct wn_spool_ref *ref);

/* Reads a record whole into buf (ref->len bytes).  Returns 0 or -errno. */
int wn_spool_get(const struct wn_spool *sp, const struct wn_spool_ref *ref,
                 void *buf);

/* Gives a record's bytes back; the file empties when it was the last. */
void wn_spool_release(struct wn_spool *sp, const struct wn_spool_ref *ref);

/* Bytes the file spans now (what a cap on the spool compares with). */
uint64_t wn_spool_size(const struct wn_spool *sp);

void wn_spool_close(struct wn_spool *sp);

#endif /* WN_SPOOL_H */
