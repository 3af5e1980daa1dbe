/*
 * wn_spool.c: see wn_spool.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_TMPFILE, fallocate */
#endif
#include "wn_spool.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wn_err.h"

int
wn_spool_open(struct wn_spool *sp, const char *dir, struct wn_err *err)
{
    char path[PATH_MAX];
    int fd, e;

    if (dir == NULL || *dir == '\0') {
        dir = getenv("TMPDIR");
    }
    if (dir == NULL || *dir == '\0') {
        dir = "/tmp";
    }
    fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
        /* No O_TMPFILE on this file system: make a name and drop it. */
        if (snprintf(path, sizeof(path), "%s/winnow-spool-XXXXXX", dir)
            >= (int) sizeof(path))
        {
            return wn_err_set(err, WN_EINVAL, "spool folder %s: name too long",
                              dir);
        }
        fd = mkostemp(path, O_CLOEXEC);
        if (fd >= 0) {
            unlink(path);
        }
    }
    if (fd < 0) {
        e = errno;
        return wn_err_set(err, -e, "spool folder %s: %s", dir, strerror(e));
    }
    sp->fd = fd;
    sp->end = 0;
    sp->live = 0;
    return 0;
}

int
wn_spool_put(struct wn_spool *sp, const struct iovec *iov, int n,
             struct wn_spool_ref *ref)
{
    struct iovec rest[WN_SPOOL_IOV_MAX];
    size_t len = 0, done = 0;
    int first = 0;

    if (n < 0 || n > WN_SPOOL_IOV_MAX) {
        return -EINVAL;
    }
    for (int i = 0; i < n; i++) {
        len += iov[i].iov_len;
        rest[i] = iov[i];
    }
    /* One write for the record, unless the kernel takes part of it. */
    while (done < len) {
        ssize_t w =
            pwritev(sp->fd, rest + first, n - first, (off_t) (sp->end + done));
        size_t k;
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return w < 0 ? -errno : -EIO;
        }
        done += (size_t) w;
        for (k = (size_t) w; first < n && k >= rest[first].iov_len; first++) {
            k -= rest[first].iov_len;
        }
        if (first < n) {
            rest[first].iov_base = (char *) rest[first].iov_base + k;
            rest[first].iov_len -= k;
        }
    }
    ref->off = sp->end;
    ref->len = len;
    sp->end += len;
    sp->live++;
    return 0;
}

int
wn_spool_get(const struct wn_spool *sp, const struct wn_spool_ref *ref,
             void *buf)
{
    size_t k = 0;

    while (k < ref->len) {
        ssize_t r = pread(sp->fd, (char *) buf + k, ref->len - k,
                          (off_t) (ref->off + k));
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return r < 0 ? -errno : -EIO; /* short: the file lost bytes */
        }
        k += (size_t) r;
    }
    return 0;
}

void
wn_spool_release(struct wn_spool *sp, const struct wn_spool_ref *ref)
{
    if (sp->live == 0) {
        return;
    }
    if (--sp->live == 0) {
        /* Nothing left: start again from an empty file. */
        if (ftruncate(sp->fd, 0) == 0) {
            sp->end = 0;
        }
        return;
    }
    /* Best effort: a file system without holes keeps the bytes until the
     * file empties. */
    (void) fallocate(sp->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                     (off_t) ref->off, (off_t) ref->len);
}

uint64_t
wn_spool_size(const struct wn_spool *sp)
{
    return sp->end;
}

void
wn_spool_close(struct wn_spool *sp)
{
    if (sp->fd >= 0) {
        close(sp->fd);
    }
    sp->fd = -1;
    sp->end = 0;
    sp->live = 0;
}
