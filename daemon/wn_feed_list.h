/*
 * wn_feed_list.h: where feed URLs come from besides the configuration:
 * an OPML subscription list (OPML 1.0 and 2.0, as feed readers export
 * them) and feed autodiscovery in a web page (<link rel="alternate">).
 * Pure functions over bytes; safe on any thread after
 * wn_feed_global_init().
 */
#ifndef WN_FEED_LIST_H
#define WN_FEED_LIST_H

#include <stddef.h>

#include <winnow/error.h>

#define WN_FEED_LIST_MAX 10000u /* feeds taken from one list or page */

/* One feed found: the URL is absolute http(s); the rest may be NULL. */
struct wn_feed_ref {
    const char *url;      /* the feed's URL */
    const char *title;    /* plain text */
    const char *type;     /* MIME type as the page or list gave it */
    const char *category; /* OPML: the folder path, "A/B" */
    const char *page;     /* OPML htmlUrl: the site */
};

/* Called once per feed, in document order; non-zero stops the walk and is
 * returned. */
typedef int (*wn_feed_ref_cb)(const struct wn_feed_ref *ref, void *arg);

/*
 * The feeds of an OPML document: every <outline> with an xmlUrl (any
 * depth; the titles of enclosing outlines without one make the category),
 * relative URLs resolved against base (may be NULL), URLs that are not
 * http(s) skipped.  The same URL twice is given once.  Errors:
 * WN_EPARSE (not XML, or the root is not <opml>), WN_ETOOBIG, WN_ENOMEM;
 * err says why with a line where there is one.
 */
int wn_feed_opml(const char *data, size_t len, const char *base,
                 wn_feed_ref_cb cb, void *arg, struct wn_err *err);

/*
 * Feed autodiscovery in an HTML page: <link rel="alternate"> (also
 * "feed", and rel lists that contain either) with a feed type
 * (application/rss+xml, atom+xml, rdf+xml, feed+json, json, xml,
 * text/xml), href resolved against <base href> and then url.  Each URL
 * once.  0 with no call when the page names none.
 */
int wn_feed_discover(const char *data, size_t len, const char *url,
                     const char *content_type, wn_feed_ref_cb cb, void *arg,
                     struct wn_err *err);

#define WN_FEED_NAME_MAX 64 /* bytes of a generated feed name, with NUL */

/*
 * A feed name for ref (the NAME of [feed:NAME]): its title, else its URL's
 * host, as lower-case ASCII letters, digits and '-'; "-2", "-3" ... added
 * while taken(name, arg) says the name is in use.
 */
void wn_feed_list_name(const struct wn_feed_ref *ref, char *out, size_t cap,
                       int (*taken)(const char *name, void *arg), void *arg);

#endif /* WN_FEED_LIST_H */
