/*
 * wn_url.c: resolution and canonicalization through curl_url(); it makes no
 * network decisions beyond which schemes are acceptable.
 */
#include "wn_url.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include <winnow/error.h>

#include "wn_buf.h"

/* Longest scheme curl takes (its MAX_SCHEME_LEN). */
#define WN_URL_SCHEME_MAX 40

static int
wn_url_scheme_ok(CURLU *u, unsigned flags)
{
    char *scheme = NULL;
    int ok = 0;

    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
        return 0;
    }
    if (strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0) {
        ok = 1;
    } else if ((flags & WN_URL_ALLOW_FILE) && strcasecmp(scheme, "file") == 0) {
        ok = 1;
    }
    curl_free(scheme);
    return ok;
}

/* A reference that names a scheme ("javascript:", "data:") must name an
 * allowed one; curl cannot even parse most of the others. */
static int
wn_url_scheme_allowed(const char *ref, unsigned flags)
{
    size_t n = 0;

    if (!((ref[0] >= 'a' && ref[0] <= 'z') || (ref[0] >= 'A' && ref[0] <= 'Z')))
    {
        return 1; /* relative */
    }
    while ((ref[n] >= 'a' && ref[n] <= 'z') || (ref[n] >= 'A' && ref[n] <= 'Z')
           || (ref[n] >= '0' && ref[n] <= '9') || ref[n] == '+' || ref[n] == '-'
           || ref[n] == '.')
    {
        n++;
    }
    if (ref[n] != ':') {
        return 1; /* a relative path like "a/b" */
    }
    if ((n == 4 && strncasecmp(ref, "http", 4) == 0)
        || (n == 5 && strncasecmp(ref, "https", 5) == 0))
    {
        return 1;
    }
    return (flags & WN_URL_ALLOW_FILE) && n == 4
           && strncasecmp(ref, "file", 4) == 0;
}

int
wn_url_resolve(const char *base, const char *ref, unsigned flags, char **out)
{
    CURLU *u;
    char *full = NULL;
    int rc = 0;

    *out = NULL;
    if (ref == NULL || strlen(ref) > WN_URL_MAX
        || (base != NULL && strlen(base) > WN_URL_MAX))
    {
        return WN_EPARSE;
    }
    while (*ref == ' ' || *ref == '\t' || *ref == '\n' || *ref == '\r') {
        ref++;
    }
    if (*ref == '\0') {
        return WN_EPARSE;
    }
    if (!wn_url_scheme_allowed(ref, flags)) {
        return WN_EBLOCKED;
    }
    u = curl_url();
    if (u == NULL) {
        return WN_ENOMEM;
    }
    if (base != NULL
        && curl_url_set(u, CURLUPART_URL, base, CURLU_NON_SUPPORT_SCHEME)
               != CURLUE_OK)
    {
        rc = WN_EPARSE;
        goto failed;
    }
    /* With a base set, a relative ref is resolved against it; curl 7.88
     * resolves a bare "#fragment" against the host's root, so that one
     * only replaces the fragment (RFC 3986 5.2.2). */
    if (base != NULL && ref[0] == '#'
            ? curl_url_set(u, CURLUPART_FRAGMENT, ref[1] ? ref + 1 : NULL,
                           CURLU_URLENCODE)
                  != CURLUE_OK
            : curl_url_set(u, CURLUPART_URL, ref,
                           CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE)
                  != CURLUE_OK)
    {
        rc = WN_EPARSE;
        goto failed;
    }
    if (!wn_url_scheme_ok(u, flags)) {
        rc = WN_EBLOCKED;
        goto failed;
    }
    if (curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK) {
        rc = WN_EPARSE;
        goto failed;
    }
    *out = strdup(full);
    curl_free(full);
    if (*out == NULL) {
        rc = WN_ENOMEM;
    }
failed:
    curl_url_cleanup(u);
    return rc;
}

/* Query parameters that only track the reader. */
static int
wn_url_is_tracking(const char *param, size_t len)
{
    static const char *const exact[] = {
        "fbclid", "gclid", "dclid", "msclkid", "mc_cid",   "mc_eid",
        "igshid", "yclid", "_ga",   "_gl",     "ref_src",  "cmpid",
        "ocid",   "smid",  "ito",   "mkt_tok", "wt.mc_id",
    };
    if (len >= 4 && strncasecmp(param, "utm_", 4) == 0) {
        return 1;
    }
    for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
        if (strlen(exact[i]) == len && strncasecmp(param, exact[i], len) == 0) {
            return 1;
        }
    }
    return 0;
}

int
wn_url_canonical(const char *url, char **out)
{
    CURLU *u;
    char *query = NULL, *full = NULL;
    struct wn_buf q;
    int rc = 0;

    *out = NULL;
    u = curl_url();
    if (u == NULL) {
        return WN_ENOMEM;
    }
    wn_buf_init(&q, WN_URL_MAX);
    if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME)
        != CURLUE_OK) {
        rc = WN_EPARSE;
        goto failed;
    }
    curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
    if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK) {
        const char *p = query;

        while (*p != '\0') {
            const char *end = strchr(p, '&');
            size_t len = end ? (size_t) (end - p) : strlen(p);
            const char *eq = memchr(p, '=', len);
            size_t klen = eq ? (size_t) (eq - p) : len;

            if (len > 0 && !wn_url_is_tracking(p, klen)) {
                if (q.len > 0) {
                    wn_buf_putc(&q, '&');
                }
                wn_buf_append(&q, p, len);
            }
            p += len;
            if (*p == '&') {
                p++;
            }
        }
        curl_url_set(u, CURLUPART_QUERY, q.len > 0 ? q.data : NULL, 0);
    }
    /* Host names are case-insensitive; curl 7.88 keeps them as given. */
    {
        char *host = NULL;
        if (curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
            for (char *p = host; *p; p++) {
                if (*p >= 'A' && *p <= 'Z') {
                    *p = (char) (*p | 0x20);
                }
            }
            curl_url_set(u, CURLUPART_HOST, host, 0);
            curl_free(host);
        }
    }
    /* The scheme comes back lower-cased; CURLU_NO_DEFAULT_PORT drops :443. */
    if (curl_url_get(u, CURLUPART_URL, &full, CURLU_NO_DEFAULT_PORT)
        != CURLUE_OK) {
        rc = WN_EPARSE;
        goto failed;
    }
    *out = strdup(full);
    if (*out == NULL) {
        rc = WN_ENOMEM;
    }
failed:
    curl_free(full);
    curl_free(query);
    wn_buf_free(&q);
    curl_url_cleanup(u);
    return rc;
}

/*
 * The host of a plain absolute URL, read without curl_url() (which costs a
 * dozen allocations): "scheme://host" then "/", "?", "#" or the end, every
 * byte of the URL printable ASCII, the host of letters, digits, dots and
 * hyphens with a label that starts with a letter.  curl takes such a host
 * as it is: it refuses only control bytes and spaces, and rewrites only
 * numeric (IPv4) hosts, which need every label to start with a digit.
 * Anything else (a port, user info, IPv6, percent-escapes, file:) goes to
 * curl.  Returns the host's length, or 0.
 */
static size_t
wn_url_plain_host(const char *url, const char **host)
{
    const char *p = url, *h;
    int letter = 0, label_start = 1;

    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) {
        return 0;
    }
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
           || (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.')
    {
        p++;
    }
    if (p - url > WN_URL_SCHEME_MAX || strncmp(p, "://", 3) != 0
        || (p - url == 4 && strncasecmp(url, "file", 4) == 0))
    {
        return 0;
    }
    h = p += 3;
    for (; *p != '\0' && *p != '/' && *p != '?' && *p != '#'; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
            letter |= label_start;
        } else if (!((*p >= '0' && *p <= '9') || *p == '-' || *p == '.')) {
            return 0;
        }
        label_start = *p == '.';
    }
    if (p == h || !letter) {
        return 0;
    }
    for (const char *q = p; *q != '\0'; q++) {
        if ((unsigned char) *q <= ' ' || (unsigned char) *q >= 0x7f) {
            return 0;
        }
    }
    *host = h;
    return (size_t) (p - h);
}

int
wn_url_host(const char *url, char **out)
{
    CURLU *u;
    char *host = NULL;
    const char *plain;
    size_t n;
    int rc = 0;

    *out = NULL;
    if ((n = wn_url_plain_host(url, &plain)) > 0) {
        if ((host = malloc(n + 1)) == NULL) {
            return WN_ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            char c = plain[i];
            host[i] = (char) (c >= 'A' && c <= 'Z' ? c | 0x20 : c);
        }
        host[n] = '\0';
        *out = host;
        return 0;
    }
    u = curl_url();
    if (u == NULL) {
        return WN_ENOMEM;
    }
    if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME)
        != CURLUE_OK) {
        rc = WN_EPARSE;
        goto failed;
    }
    if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        *out = strdup("");
    } else {
        for (char *p = host; *p; p++) {
            if (*p >= 'A' && *p <= 'Z') {
                *p = (char) (*p | 0x20);
            }
        }
        *out = strdup(host);
    }
    if (*out == NULL) {
        rc = WN_ENOMEM;
    }
failed:
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

int
wn_url_is_file(const char *url)
{
    return url != NULL && strncasecmp(url, "file:", 5) == 0;
}
