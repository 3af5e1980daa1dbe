/*
 * rules_file.c: reads and checks one rule file.
 *
 * The format is INI-like, one "key = value" per line under [site] or
 * [test]; lines starting with '#' or ';' are comments.  It is read here
 * line by line rather than with inih because values are XPath and PCRE2
 * expressions: they run past inih's 200-byte lines and may contain " ;",
 * which inih would cut as an inline comment.  Every expression is compiled
 * once here, so a bad one is an error naming the file and line at init
 * (and in `winnowd check-config`), never a surprise on a page.
 */
#include <errno.h>
#include <libxml/xpath.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

struct rules_reader {
    const char *path;
    struct rules_site *site;
    struct wn_err *err;
    unsigned line;
    int section; /* 0: none yet, 1: [site], 2: [test] */
};

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
static int
rules_fail(struct rules_reader *r, const char *fmt, ...)
{
    char what[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    r->err->code = WN_ECONFIG;
    snprintf(r->err->msg, sizeof(r->err->msg), "%s:%u: %s", r->path, r->line,
             what);
    return WN_ECONFIG;
}

static int
rules_list_add(struct rules_list *l, const char *s, size_t len)
{
    char **v;
    char *copy;

    if (l->n >= RULES_LIST_MAX) {
        return WN_ETOOBIG;
    }
    copy = malloc(len + 1);
    if (copy == NULL) {
        return WN_ENOMEM;
    }
    memcpy(copy, s, len);
    copy[len] = '\0';
    v = realloc(l->v, (l->n + 1) * sizeof(*v));
    if (v == NULL) {
        free(copy);
        return WN_ENOMEM;
    }
    l->v = v;
    l->v[l->n++] = copy;
    return 0;
}

static void
rules_list_free(struct rules_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i]);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

void
rules_xpath_quiet(void *ctx, xmlErrorPtr error)
{
    (void) ctx;
    (void) error;
}

static int
rules_check_xpath(struct rules_reader *r, const char *key, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(NULL);
    xmlXPathCompExprPtr comp;

    if (ctx == NULL) {
        return WN_ENOMEM;
    }
    ctx->error = rules_xpath_quiet;
    comp = xmlXPathCtxtCompile(ctx, (const xmlChar *) expr);
    xmlXPathFreeContext(ctx);
    if (comp == NULL) {
        return rules_fail(r, "%s: \"%.120s\" is not a valid XPath expression",
                          key, expr);
    }
    xmlXPathFreeCompExpr(comp);
    return 0;
}

static int
rules_check_pcre2(struct rules_reader *r, const char *expr)
{
    PCRE2_UCHAR msg[120];
    PCRE2_SIZE off;
    int code;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR) expr, PCRE2_ZERO_TERMINATED,
                      PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off, NULL);

    if (re != NULL) {
        pcre2_code_free(re);
        return 0;
    }
    pcre2_get_error_message(code, msg, sizeof(msg));
    return rules_fail(r, "drop: bad PCRE2 pattern at offset %zu: %.120s",
                      (size_t) off, (const char *) msg);
}

/* "rule NAME: KEY EXPR", the removal reason --explain shows. */
static int
rules_reason(struct rules_list *why, const char *name, const char *key,
             const char *expr)
{
    char buf[512];
    int n = snprintf(buf, sizeof(buf), "rule %s: %s %s", name, key, expr);

    if (n < 0) {
        return WN_EINVAL;
    }
    return rules_list_add(why, buf, strlen(buf));
}

static int
rules_set_one(struct rules_reader *r, char **slot, const char *key,
              const char *value)
{
    int rc;

    if (*slot != NULL) {
        return rules_fail(r, "%s: set twice", key);
    }
    rc = rules_check_xpath(r, key, value);
    if (rc != 0) {
        return rc;
    }
    *slot = strdup(value);
    return *slot != NULL ? 0 : WN_ENOMEM;
}

/* Splits a hosts value on white space and commas. */
static int
rules_add_hosts(struct rules_reader *r, const char *value)
{
    const char *p = value;

    while (*p != '\0') {
        size_t n;
        while (*p == ' ' || *p == '\t' || *p == ',') {
            p++;
        }
        n = strcspn(p, " \t,");
        if (n == 0) {
            break;
        }
        if (n > 253 || (p[0] == '*' && (n < 3 || p[1] != '.'))
            || memchr(p, '/', n) != NULL || memchr(p, ':', n) != NULL)
        {
            return rules_fail(r,
                              "hosts: \"%.*s\" is not a host name or "
                              "*.suffix pattern",
                              (int) (n < 100 ? n : 100), p);
        }
        if (rules_list_add(&r->site->hosts, p, n) != 0) {
            return rules_fail(r, "hosts: more than %u patterns",
                              RULES_LIST_MAX);
        }
        p += n;
    }
    return 0;
}

static int
rules_pair(struct rules_reader *r, const char *key, const char *value)
{
    struct rules_site *s = r->site;
    struct rules_list *list = NULL, *why = NULL;
    int rc;

    if (*value == '\0') {
        return rules_fail(r, "%s: empty value", key);
    }
    if (strlen(value) > RULES_VALUE_MAX) {
        return rules_fail(r, "%s: value over %u bytes", key, RULES_VALUE_MAX);
    }
    if (r->section == 2) {
        if (strcmp(key, "url") == 0 || strcmp(key, "sample") == 0
            || strcmp(key, "expect") == 0)
        {
            return 0; /* winnowd test-rules reads them */
        }
        return rules_fail(r, "[test] %s: unknown key (url, sample, expect)",
                          key);
    }
    if (r->section != 1) {
        return rules_fail(r, "%s: outside a [site] section", key);
    }
    if (strcmp(key, "hosts") == 0) {
        return rules_add_hosts(r, value);
    }
    if (strcmp(key, "title") == 0) {
        return rules_set_one(r, &s->title, key, value);
    }
    if (strcmp(key, "author") == 0) {
        return rules_set_one(r, &s->author, key, value);
    }
    if (strcmp(key, "date") == 0) {
        return rules_set_one(r, &s->date, key, value);
    }
    if (strcmp(key, "main") == 0) {
        list = &s->main;
        rc = rules_check_xpath(r, key, value);
    } else if (strcmp(key, "remove") == 0) {
        list = &s->remove;
        why = &s->remove_why;
        rc = rules_check_xpath(r, key, value);
    } else if (strcmp(key, "drop") == 0) {
        list = &s->drop;
        why = &s->drop_why;
        rc = rules_check_pcre2(r, value);
    } else {
        return rules_fail(r,
                          "%s: unknown key (hosts, main, remove, drop, title, "
                          "author, date)",
                          key);
    }
    if (rc != 0) {
        return rc;
    }
    if (list->n >= RULES_LIST_MAX) {
        return rules_fail(r, "%s: more than %u entries", key, RULES_LIST_MAX);
    }
    rc = rules_list_add(list, value, strlen(value));
    if (rc == 0 && why != NULL) {
        rc = rules_reason(why, s->name, key, value);
    }
    return rc;
}

/* One line, without its newline.  Modifies it in place. */
static int
rules_line(struct rules_reader *r, char *s)
{
    char *end, *eq, *key, *value;

    while (*s == ' ' || *s == '\t') {
        s++;
    }
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) {
        *--end = '\0';
    }
    if (*s == '\0' || *s == '#' || *s == ';') {
        return 0;
    }
    if (*s == '[') {
        if (strcmp(s, "[site]") == 0) {
            r->section = 1;
        } else if (strcmp(s, "[test]") == 0) {
            r->section = 2;
        } else {
            return rules_fail(r, "%.60s: unknown section ([site], [test])", s);
        }
        return 0;
    }
    eq = strchr(s, '=');
    if (eq == NULL) {
        return rules_fail(r, "\"%.60s\": not \"key = value\"", s);
    }
    key = s;
    value = eq + 1;
    *eq = '\0';
    while (eq > key && (eq[-1] == ' ' || eq[-1] == '\t')) {
        *--eq = '\0';
    }
    while (*value == ' ' || *value == '\t') {
        value++;
    }
    return rules_pair(r, key, value);
}

static int
rules_read(const char *path, char **data, size_t *len, struct wn_err *err)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    char *buf;

    if (f == NULL) {
        int e = errno;
        err->code = -e;
        snprintf(err->msg, sizeof(err->msg), "%s: %s", path, strerror(e));
        return -e;
    }
    buf = malloc(RULES_FILE_BYTES_MAX + 1);
    if (buf == NULL) {
        fclose(f);
        return WN_ENOMEM;
    }
    n = fread(buf, 1, RULES_FILE_BYTES_MAX + 1, f);
    if (ferror(f) || n > RULES_FILE_BYTES_MAX) {
        int over = !ferror(f);
        fclose(f);
        free(buf);
        err->code = over ? WN_ETOOBIG : -EIO;
        snprintf(err->msg, sizeof(err->msg), "%s: %s", path,
                 over ? "over 256 KiB" : "read error");
        return err->code;
    }
    fclose(f);
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

int
rules_file_load(const char *path, struct rules_site *site, struct wn_err *err)
{
    struct rules_reader r = { path, site, err, 0, 0 };
    const char *base = strrchr(path, '/');
    char *data = NULL, *line, *next;
    size_t len = 0, blen;
    int rc;

    memset(site, 0, sizeof(*site));
    base = base != NULL ? base + 1 : path;
    blen = strlen(base);
    if (blen > 5 && strcmp(base + blen - 5, ".conf") == 0) {
        blen -= 5;
    }
    site->file = strdup(path);
    site->name = strndup(base, blen);
    if (site->file == NULL || site->name == NULL) {
        rules_site_free(site);
        return WN_ENOMEM;
    }
    rc = rules_read(path, &data, &len, err);
    if (rc != 0) {
        rules_site_free(site);
        return rc;
    }
    if (memchr(data, '\0', len) != NULL) {
        free(data);
        rules_site_free(site);
        err->code = WN_ECONFIG;
        snprintf(err->msg, sizeof(err->msg), "%s: binary file (NUL byte)",
                 path);
        return WN_ECONFIG;
    }
    for (line = data; rc == 0 && line != NULL; line = next) {
        next = strchr(line, '\n');
        if (next != NULL) {
            *next++ = '\0';
        }
        r.line++;
        rc = rules_line(&r, line);
    }
    free(data);
    if (rc == 0 && site->hosts.n == 0) {
        r.line = 0;
        rc = rules_fail(&r, "no hosts = line: the rules would apply to no "
                            "site");
    }
    if (rc != 0) {
        if (rc == WN_ENOMEM) {
            err->code = rc;
            snprintf(err->msg, sizeof(err->msg), "%s: out of memory", path);
        }
        rules_site_free(site);
    }
    return rc;
}

void
rules_site_free(struct rules_site *site)
{
    rules_list_free(&site->hosts);
    rules_list_free(&site->main);
    rules_list_free(&site->remove);
    rules_list_free(&site->drop);
    rules_list_free(&site->remove_why);
    rules_list_free(&site->drop_why);
    free(site->title);
    free(site->author);
    free(site->date);
    free(site->file);
    free(site->name);
    memset(site, 0, sizeof(*site));
}

