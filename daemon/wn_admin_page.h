/*
 * wn_admin_page.h: what the admin endpoint shows: the status page (plain
 * HTML with inline CSS and SVG, no scripts and no external assets) and
 * /feeds as JSON, both from one view of the daemon.  It does no I/O.
 */
#ifndef WN_ADMIN_PAGE_H
#define WN_ADMIN_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "wn_admin.h"
#include "wn_buf.h"

/* One feed as shown: the store's record and the daemon's live state. */
struct wn_admin_feed_view {
    const char *name, *url, *title, *last_error; /* borrowed, may be NULL */
    int64_t last_fetch, last_ok, next_fetch;     /* Unix seconds or 0 */
    long last_status, error_count;
    int busy;                       /* a fetch is in flight or waiting */
    uint32_t days[WN_ADMIN_DAYS];   /* items first seen, oldest day first */
};

struct wn_admin_view {
    int64_t now;  /* Unix seconds */
    int64_t today; /* now / 86400: days[WN_ADMIN_DAYS - 1] */
    const struct wn_admin_feed_view *feeds;
    size_t nfeeds;
    int store_ok;          /* the store could be read */
    const char *store_why; /* when !store_ok */
    long items, articles, pending;
    int64_t store_bytes;
    const struct wn_admin_live *live;
};

/* The feed's state in one word: fetching, failing, new or ok. */
const char *wn_admin_page_state(const struct wn_admin_feed_view *f);

/* Appends the status page; 0, WN_ETOOBIG or WN_ENOMEM. */
int wn_admin_page_html(const struct wn_admin_view *v, struct wn_buf *out);

/* Appends /feeds: {"feeds": [...], "store": {...}, "plugins": [...]}. */
int wn_admin_page_json(const struct wn_admin_view *v, struct wn_buf *out);

#endif /* WN_ADMIN_PAGE_H */
