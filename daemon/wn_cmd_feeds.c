/*
 * wn_cmd_feeds.c: the subcommands that find feeds: `winnowd opml FILE`
 * (an OPML subscription list to [feed:NAME] sections for winnow.conf) and
 * `winnowd discover URL|FILE` (the feeds a web page announces, one per
 * line: URL, type and title separated by tabs).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <winnow/host.h>

#include "wn_buf.h"
#include "wn_cmd.h"
#include "wn_err.h"
#include "wn_feed.h"
#include "wn_feed_list.h"
#include "wn_url.h"

#define WN_CMD_DISCOVER_MAX     (8u << 20) /* bytes of a page */
#define WN_CMD_DISCOVER_TIMEOUT 30L        /* seconds for its fetch */

/* The names given so far by `winnowd opml`, to keep them unique. */
struct wn_cmd_names {
    char (*names)[WN_FEED_NAME_MAX];
    size_t n, cap;
    int rc;
};

static int
wn_cmd_name_taken(const char *name, void *arg)
{
    const struct wn_cmd_names *ns = arg;

    for (size_t i = 0; i < ns->n; i++) {
        if (strcmp(ns->names[i], name) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Prints a value for an INI line: one line, no leading ';' or '#'. */
static void
wn_cmd_ini_value(const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        putchar(*s == '\n' || *s == '\r' ? ' ' : *s);
    }
}

static int
wn_cmd_opml_feed(const struct wn_feed_ref *ref, void *arg)
{
    struct wn_cmd_names *ns = arg;

    if (ns->n == ns->cap) {
        size_t cap = ns->cap ? ns->cap * 2 : 64;
        void *p = realloc(ns->names, cap * sizeof(*ns->names));
        if (p == NULL) {
            return WN_ENOMEM;
        }
        ns->names = p;
        ns->cap = cap;
    }
    wn_feed_list_name(ref, ns->names[ns->n], WN_FEED_NAME_MAX,
                      wn_cmd_name_taken, ns);
    printf("%s[feed:%s]\n", ns->n > 0 ? "\n" : "", ns->names[ns->n]);
    if (ref->title != NULL) {
        fputs("; ", stdout);
        wn_cmd_ini_value(ref->title);
        if (ref->category != NULL) {
            fputs(" (", stdout);
            wn_cmd_ini_value(ref->category);
            putchar(')');
        }
        putchar('\n');
    }
    fputs("url = ", stdout);
    wn_cmd_ini_value(ref->url);
    putchar('\n');
    ns->n++;
    return 0;
}

int
wn_cmd_opml(const struct wn_opts *o)
{
    struct wn_cmd_names ns;
    struct wn_err err;
    char *data = NULL;
    size_t len;
    int rc;

    if (o->file == NULL) {
        fprintf(stderr, "winnowd opml: needs a FILE (or - for stdin)\n");
        return WN_EXIT_USAGE;
    }
    rc = wn_cmd_read_file(o->file, WN_FEED_MAX_BYTES, &data, &len);
    if (rc != 0) {
        fprintf(stderr, "winnowd: opml: %s: %s\n", o->file,
                rc == WN_ETOOBIG ? "larger than the feed size limit"
                                 : wn_strerror(rc));
        return WN_EXIT_DATA;
    }
    memset(&ns, 0, sizeof(ns));
    wn_err_clear(&err);
    rc = wn_feed_opml(data, len, o->url, wn_cmd_opml_feed, &ns, &err);
    free(data);
    free(ns.names);
    if (rc != 0) {
        fprintf(stderr, "winnowd: opml: %s: %s\n", o->file,
                err.msg[0] ? err.msg : wn_strerror(rc));
        return WN_EXIT_DATA;
    }
    if (ns.n == 0) {
        fprintf(stderr, "winnowd: opml: %s: no feeds in the list\n", o->file);
        return WN_EXIT_DATA;
    }
    return WN_EXIT_OK;
}

/* ---- discover --------------------------------------------------------- */

static size_t
wn_cmd_discover_write(char *p, size_t size, size_t n, void *arg)
{
    struct wn_buf *b = arg;

    /* A short count makes curl stop with CURLE_WRITE_ERROR. */
    return wn_buf_append(b, p, size * n) == 0 ? size * n : 0;
}

/* Fetches url (http or https only, redirects too) into *body. */
static int
wn_cmd_discover_fetch(const char *url, struct wn_buf *body, char **final_url,
                      char **content_type, struct wn_err *err)
{
    CURL *e = curl_easy_init();
    char cerr[CURL_ERROR_SIZE] = "";
    const char *v = NULL;
    long status = 0;
    CURLcode cc;

    if (e == NULL) {
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, WN_CMD_DISCOVER_TIMEOUT);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
                     (curl_off_t) WN_CMD_DISCOVER_MAX);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_USERAGENT, "winnowd/" WN_VERSION);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, wn_cmd_discover_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, cerr);
    cc = curl_easy_perform(e);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    if (cc != CURLE_OK || status < 200 || status > 299) {
        curl_easy_cleanup(e);
        if (cc != CURLE_OK) {
            return wn_err_set(err, WN_EFETCH, "%s",
                              cerr[0] ? cerr : curl_easy_strerror(cc));
        }
        return wn_err_set(err, WN_EHTTP, "HTTP status %ld", status);
    }
    curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &v);
    *final_url = strdup(v != NULL ? v : url);
    v = NULL;
    curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &v);
    *content_type = v != NULL ? strdup(v) : NULL;
    curl_easy_cleanup(e);
    return *final_url != NULL ? 0 : wn_err_set(err, WN_ENOMEM, "out of memory");
}

static int
wn_cmd_discover_feed(const struct wn_feed_ref *ref, void *arg)
{
    size_t *n = arg;

    printf("%s\t%s\t", ref->url, ref->type != NULL ? ref->type : "");
    wn_cmd_ini_value(ref->title);
    putchar('\n');
    (*n)++;
    return 0;
}

int
wn_cmd_discover(const struct wn_opts *o)
{
    struct wn_buf body;
    struct wn_feed_doc *doc = NULL;
    struct wn_feed_opts fo;
    struct wn_err err;
    struct stat st;
    char *url = NULL, *ctype = NULL, *data = NULL;
    size_t len = 0, n = 0;
    int rc;

    if (o->file == NULL) {
        fprintf(stderr, "winnowd discover: needs a URL or a FILE\n");
        return WN_EXIT_USAGE;
    }
    wn_buf_init(&body, WN_CMD_DISCOVER_MAX);
    wn_err_clear(&err);
    if (stat(o->file, &st) == 0 || strcmp(o->file, "-") == 0) {
        rc = wn_cmd_read_file(o->file, WN_CMD_DISCOVER_MAX, &data, &len);
        if (rc != 0) {
            wn_err_set(&err, rc, "%s", wn_strerror(rc));
        }
        url = o->url != NULL ? strdup(o->url) : NULL;
    } else {
        rc = wn_cmd_discover_fetch(o->file, &body, &url, &ctype, &err);
        data = body.data;
        len = body.len;
        body.data = NULL;
    }
    if (rc == 0) {
        /* A feed's own URL is its discovery. */
        memset(&fo, 0, sizeof(fo));
        fo.url = url;
        fo.content_type = ctype;
        if (wn_feed_parse(data, len, &fo, &doc, &err) == 0) {
            printf("%s\t%s\t", url != NULL ? url : o->file,
                   wn_feed_format_name(doc->format));
            wn_cmd_ini_value(doc->title);
            putchar('\n');
            wn_feed_free(doc);
            n = 1;
        } else {
            wn_err_clear(&err);
            rc = wn_feed_discover(data, len, url, ctype, wn_cmd_discover_feed,
                                  &n, &err);
        }
    }
    free(data);
    free(url);
    free(ctype);
    wn_buf_free(&body);
    if (rc != 0) {
        fprintf(stderr, "winnowd: discover: %s: %s\n", o->file,
                err.msg[0] ? err.msg : wn_strerror(rc));
        return WN_EXIT_DATA;
    }
    if (n == 0) {
        fprintf(stderr, "winnowd: discover: %s: the page names no feed\n",
                o->file);
        return WN_EXIT_DATA;
    }
    return WN_EXIT_OK;
}
