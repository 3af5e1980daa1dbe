/*
 * wn_err.c: error strings and struct wn_err helpers; it knows nothing about
 * where errors come from.
 */
#include "wn_err.h"

#include <stdio.h>
#include <string.h>

#include <uv.h>

static const char *const wn_err_strings[] = {
    [-(WN_EPARSE - WN_EBASE)] = "cannot parse",
    [-(WN_ETOOBIG - WN_EBASE)] = "size limit reached",
    [-(WN_EABI - WN_EBASE)] = "plugin ABI mismatch",
    [-(WN_ETIMEOUT - WN_EBASE)] = "time limit reached",
    [-(WN_EDECLINED - WN_EBASE)] = "declined",
    [-(WN_ECONFIG - WN_EBASE)] = "configuration error",
    [-(WN_EHTTP - WN_EBASE)] = "http error status",
    [-(WN_EFETCH - WN_EBASE)] = "transfer failed",
    [-(WN_EBLOCKED - WN_EBASE)] = "refused by policy",
    [-(WN_ESTORE - WN_EBASE)] = "database error",
    [-(WN_EPLUGIN - WN_EBASE)] = "plugin failed",
    [-(WN_ENOTFEED - WN_EBASE)] = "not a feed",
    [-(WN_EGARBAGE - WN_EBASE)] = "unusable plugin result",
    [-(WN_ECANCELED - WN_EBASE)] = "canceled",
    [-(WN_ENOMEM - WN_EBASE)] = "out of memory",
    [-(WN_EINVAL - WN_EBASE)] = "invalid argument",
};

const char *
wn_strerror(int code)
{
    if (code == 0) {
        return "success";
    }
    if (code < WN_EBASE && code > WN_ELAST) {
        const char *s = wn_err_strings[-(code - WN_EBASE)];
        return s != NULL ? s : "unknown error";
    }
    if (code < 0) {
        /* libuv maps -errno and its own codes to static strings. */
        return uv_strerror(code);
    }
    return "no error";
}

int
wn_err_vset(struct wn_err *err, int code, const char *fmt, va_list ap)
{
    if (err != NULL) {
        err->code = code;
        if (vsnprintf(err->msg, sizeof(err->msg), fmt, ap) < 0) {
            err->msg[0] = '\0';
        }
    }
    return code;
}

int
wn_err_set(struct wn_err *err, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    wn_err_vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

void
wn_err_prefix(struct wn_err *err, const char *fmt, ...)
{
    char prefix[WN_ERR_MSG_MAX];
    char old[WN_ERR_MSG_MAX];
    va_list ap;

    if (err == NULL) {
        return;
    }
    va_start(ap, fmt);
    if (vsnprintf(prefix, sizeof(prefix), fmt, ap) < 0) {
        prefix[0] = '\0';
    }
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    if (snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old) < 0) {
        err->msg[0] = '\0';
    }
}

void
wn_err_clear(struct wn_err *err)
{
    if (err != NULL) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}
