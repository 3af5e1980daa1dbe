/*
 * wn_buf.c: capped growable buffers; the cap is the only policy here.
 */
#include "wn_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/error.h>

void
wn_buf_init(struct wn_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

static int
wn_buf_grow(struct wn_buf *b, size_t need)
{
    size_t cap;
    char *p;

    if (need > b->max) {
        return WN_ETOOBIG;
    }
    if (need + 1 <= b->cap) {
        return 0;
    }
    cap = b->cap ? b->cap : 256;
    while (cap < need + 1) {
        cap = cap > ((size_t) -1) / 2 ? need + 1 : cap * 2;
    }
    if (cap > b->max + 1) {
        cap = b->max + 1;
    }
    p = realloc(b->data, cap);
    if (p == NULL) {
        return WN_ENOMEM;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int
wn_buf_append(struct wn_buf *b, const void *p, size_t n)
{
    int rc;

    if (n > b->max || b->len > b->max - n) {
        return WN_ETOOBIG;
    }
    rc = wn_buf_grow(b, b->len + n);
    if (rc != 0) {
        return rc;
    }
    if (n > 0) {
        memcpy(b->data + b->len, p, n);
    }
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int
wn_buf_puts(struct wn_buf *b, const char *s)
{
    return wn_buf_append(b, s, strlen(s));
}

int
wn_buf_putc(struct wn_buf *b, char c)
{
    return wn_buf_append(b, &c, 1);
}

int
wn_buf_printf(struct wn_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    int n, rc;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        return WN_EINVAL;
    }
    if ((size_t) n < sizeof(small)) {
        return wn_buf_append(b, small, (size_t) n);
    }
    if ((size_t) n > b->max || b->len > b->max - (size_t) n) {
        return WN_ETOOBIG;
    }
    rc = wn_buf_grow(b, b->len + (size_t) n);
    if (rc != 0) {
        return rc;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t) n;
    return 0;
}

void
wn_buf_reset(struct wn_buf *b)
{
    b->len = 0;
    if (b->data != NULL) {
        b->data[0] = '\0';
    }
}

char *
wn_buf_steal(struct wn_buf *b)
{
    char *p = b->data;

    if (p == NULL) {
        p = calloc(1, 1);
    }
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

void
wn_buf_free(struct wn_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}
