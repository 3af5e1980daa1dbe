/*
 * wn_err.h: error strings and the helper that fills a struct wn_err.
 */
#ifndef WN_ERR_H
#define WN_ERR_H

#include <stdarg.h>

#include <winnow/error.h>

/* A static description of `code` (winnow, errno or libuv code). */
const char *wn_strerror(int code);

/*
 * Fills `err` (may be NULL) with `code` and a formatted message, truncated to
 * WN_ERR_MSG_MAX.  Returns `code`, so callers can write
 * `return wn_err_set(err, WN_EPARSE, "...")`.
 */
int wn_err_set(struct wn_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int wn_err_vset(struct wn_err *err, int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Prefixes the message already in `err` with "prefix: ". */
void wn_err_prefix(struct wn_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void wn_err_clear(struct wn_err *err);

#endif /* WN_ERR_H */
