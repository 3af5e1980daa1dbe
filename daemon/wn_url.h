/*
 * wn_url.h: URL resolution and canonical forms, on libcurl's URL API.  Pure
 * functions, safe on any thread.
 */
#ifndef WN_URL_H
#define WN_URL_H

/* Longest URL accepted anywhere (feeds, pages, configuration). */
#define WN_URL_MAX 8192

#define WN_URL_ALLOW_FILE 0x1u /* accept file: URLs too */

/*
 * Resolves `ref` against `base` (NULL when ref must be absolute).  Accepts
 * only http and https results (and file with WN_URL_ALLOW_FILE); anything
 * else is WN_EBLOCKED, junk is WN_EPARSE.  The caller frees *out.
 */
int wn_url_resolve(const char *base, const char *ref, unsigned flags,
                   char **out);

/*
 * The canonical form used to recognise one article reached by two URLs:
 * scheme and host lower-cased, default port and fragment dropped, tracking
 * parameters (utm_*, fbclid, gclid, ...) removed.  The caller frees *out.
 */
int wn_url_canonical(const char *url, char **out);

/* The lower-cased host name of an absolute URL; the caller frees *out.
 * file: URLs have the empty host "". */
int wn_url_host(const char *url, char **out);

/* True when `url` starts with "file:". */
int wn_url_is_file(const char *url);

#endif /* WN_URL_H */
