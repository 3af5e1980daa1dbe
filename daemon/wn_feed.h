/*
 * wn_feed.h: feed documents (RSS, Atom) to items.  The parser takes
 * untrusted bytes and gives a plain tree of strings; it knows nothing about
 * fetching, storing or articles.  Safe on any thread (libxml2 initialized by
 * wn_feed_global_init() on the main thread first).
 */
#ifndef WN_FEED_H
#define WN_FEED_H

#include <stddef.h>
#include <stdint.h>

#include <winnow/error.h>

/* Limits; 0 in struct wn_feed_opts means these defaults. */
#define WN_FEED_MAX_BYTES (16u << 20) /* input size */
#define WN_FEED_MAX_ITEMS 10000u      /* items kept per feed */
#define WN_FEED_MAX_DEPTH 256u        /* element nesting */
/* A time later than the parse time by more than this is in the future. */
#define WN_FEED_FUTURE_SLACK (24 * 3600)

enum wn_feed_format {
    WN_FEED_UNKNOWN = 0,
    WN_FEED_RSS2,    /* "rss2.0" */
    WN_FEED_RSS1,    /* "rss1.0" (RDF) */
    WN_FEED_RSS09X,  /* "rss0.9x" */
    WN_FEED_ATOM1,   /* "atom1.0" */
    WN_FEED_ATOM03,  /* "atom0.3" */
    WN_FEED_JSONFEED /* "jsonfeed1.x" */
};

#define WN_FEED_RECOVERED 0x1u /* the document was damaged; items recovered */

struct wn_feed_enclosure {
    const char *url;  /* absolute http(s) */
    const char *type; /* or NULL */
    int64_t length;   /* bytes, -1 when unknown */
};

struct wn_feed_item {
    const char *id;           /* stable identity: guid, atom:id, link or hash */
    const char *title;        /* plain text, or NULL */
    const char *link;         /* absolute http(s), or NULL */
    const char *author;       /* plain text, or NULL */
    const char *summary;      /* plain text, or NULL */
    const char *content_html; /* full content as the feed gave it, or NULL */
    int64_t published;        /* Unix seconds UTC or WN_TIME_NONE */
    int64_t updated;          /* Unix seconds UTC or WN_TIME_NONE */
    const char **categories;  /* ncategories plain-text strings */
    size_t ncategories;
    struct wn_feed_enclosure *enclosures;
    size_t nenclosures;
};

struct wn_feed_doc {
    int format;              /* enum wn_feed_format */
    unsigned flags;          /* WN_FEED_* */
    const char *title;       /* plain text, or NULL */
    const char *link;        /* absolute, or NULL */
    const char *description; /* plain text, or NULL */
    const char *language;    /* or NULL */
    int64_t updated;         /* or WN_TIME_NONE */
    struct wn_feed_item *items;
    size_t nitems;
    struct wn_arena *arena; /* owns every string and array above */
};

struct wn_feed_opts {
    const char *url;          /* the feed's URL: base for relative links */
    const char *content_type; /* HTTP Content-Type (charset), or NULL */
    size_t max_items;         /* 0: WN_FEED_MAX_ITEMS */
    size_t max_depth;         /* 0: WN_FEED_MAX_DEPTH */
    /*
     * Times (docs/feeds.md, "Dates"): a time that names no zone is local
     * time at UTC+zone_minutes (0: UTC); a time more than
     * WN_FEED_FUTURE_SLACK after `now` (0: the clock) is dropped (null)
     * unless keep_future is set.
     */
    int zone_minutes;
    int keep_future;
    int64_t now;
};

/* Call once on the main thread before any thread parses (xmlInitParser). */
void wn_feed_global_init(void);

/*
 * Parses data[0..len).  On success *out is a new document the caller frees
 * with wn_feed_free(); damage that could be recovered sets
 * WN_FEED_RECOVERED.  Errors: WN_ENOTFEED (well-formed but not a feed, or
 * nothing recoverable), WN_EPARSE (broken beyond recovery), WN_ETOOBIG; err
 * says why with a line number where there is one.
 */
int wn_feed_parse(const char *data, size_t len, const struct wn_feed_opts *opts,
                  struct wn_feed_doc **out, struct wn_err *err);

void wn_feed_free(struct wn_feed_doc *doc);

/* "rss2.0", "atom1.0", ... as in the JSON contract; "unknown" otherwise. */
const char *wn_feed_format_name(int format);

/*
 * The JSON object of `winnowd parse` (DESIGN.md, "Command line"), compact,
 * without a trailing newline.  The caller frees *json with free().
 */
int wn_feed_to_json(const struct wn_feed_doc *doc, char **json);

#endif /* WN_FEED_H */
