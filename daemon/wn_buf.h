/*
 * wn_buf.h: a growable byte buffer with a hard cap set at creation (curl's
 * dynbuf "toobig"), always NUL-terminated.
 */
#ifndef WN_BUF_H
#define WN_BUF_H

#include <stddef.h>

struct wn_buf {
    char *data; /* NUL-terminated when not NULL; owned by the buffer */
    size_t len; /* bytes used, terminator excluded */
    size_t cap; /* bytes allocated */
    size_t max; /* the cap on len */
};

/* An empty buffer that refuses to grow beyond `max` bytes. */
void wn_buf_init(struct wn_buf *b, size_t max);

/* Appends; WN_ETOOBIG past the cap (nothing appended), WN_ENOMEM. */
int wn_buf_append(struct wn_buf *b, const void *p, size_t n);
int wn_buf_puts(struct wn_buf *b, const char *s);
int wn_buf_putc(struct wn_buf *b, char c);
int wn_buf_printf(struct wn_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Empties the buffer, keeping its memory. */
void wn_buf_reset(struct wn_buf *b);

/* Hands the data to the caller (who frees it) and empties the buffer;
 * returns an allocated "" when empty, NULL on allocation failure. */
char *wn_buf_steal(struct wn_buf *b);

void wn_buf_free(struct wn_buf *b);

#endif /* WN_BUF_H */
