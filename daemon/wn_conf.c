/*
 * wn_conf.c: reads the INI file through inih and checks every key against
 * the tables below.  inih (Debian's build) cuts lines at INI_MAX_LINE bytes,
 * so this file feeds it one line at a time through ini_parse_stream(),
 * counting lines for error messages and passing over-long values through a
 * side table instead of letting them be truncated.
 */
#include "wn_conf.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <winnow/host.h>

#include "wn_err.h"
#include "wn_feed.h"
#include "wn_feed_list.h"
#include "wn_log.h"
#include "wn_net.h"
#include "wn_strset.h"
#include "wn_time.h"
#include "wn_url.h"

#ifndef WN_DEFAULT_PLUGIN_DIR
#define WN_DEFAULT_PLUGIN_DIR "/usr/lib/winnow/plugins"
#endif

#define WN_CONF_LONG_MARK '\x01' /* value replaced by a side-table index */

enum wn_conf_type {
    WN_CONF_STRING,
    WN_CONF_PATH,     /* relative to the file's folder */
    WN_CONF_FILE,     /* a PATH that names a readable file */
    WN_CONF_BOOL,     /* int */
    WN_CONF_INT,      /* long, [min, max] */
    WN_CONF_SIZE,     /* long bytes, [min, max] */
    WN_CONF_DURATION, /* long milliseconds, [min, max] */
    WN_CONF_LEVEL,    /* int log level */
    WN_CONF_LOGFMT,   /* int enum wn_log_format */
    WN_CONF_NETLIST   /* string checked by wn_net_allow_parse() */
};

struct wn_conf_key {
    const char *section;
    const char *name;
    int type;
    const char *def;
    size_t offset;
    long min, max;
};

#define WN_OFF(f) offsetof(struct wn_conf, f)
#define WN_MS(x)  ((long) (x) *1000L)

/* Every key of the fixed sections.  conf/winnow.conf documents each. */
static const struct wn_conf_key wn_conf_keys[] = {
    { "daemon", "log_level", WN_CONF_LEVEL, "notice", WN_OFF(log_level), 0, 0 },
    { "daemon", "log_format", WN_CONF_LOGFMT, "auto", WN_OFF(log_format), 0,
      0 },
    { "daemon", "threads", WN_CONF_INT, "4", WN_OFF(threads), 1, 128 },
    { "daemon", "stop_timeout", WN_CONF_DURATION, "10s", WN_OFF(stop_timeout),
      0, WN_MS(3600) },
    { "store", "path", WN_CONF_PATH, "/var/lib/winnow/winnow.db",
      WN_OFF(store_path), 0, 0 },
    { "store", "batch", WN_CONF_INT, "1000", WN_OFF(store_batch), 1, 1000000 },
    { "store", "lease", WN_CONF_DURATION, "5m", WN_OFF(store_lease), WN_MS(1),
      WN_MS(86400) },
    { "store", "max_size", WN_CONF_SIZE, "0", WN_OFF(store_max_size), 0,
      1L << 50 },
    { "store", "keep_days", WN_CONF_INT, "0", WN_OFF(keep_days), 0, 1000000 },
    { "store", "keep_pages_days", WN_CONF_INT, "30", WN_OFF(keep_pages_days), 0,
      1000000 },
    { "store", "retain_every", WN_CONF_DURATION, "1h", WN_OFF(retain_every),
      100, WN_MS(7 * 86400) },
    { "plugins", "dir", WN_CONF_PATH, WN_DEFAULT_PLUGIN_DIR, WN_OFF(plugin_dir),
      0, 0 },
    { "plugins", "timeout", WN_CONF_DURATION, "2s", WN_OFF(plugin_timeout), 1,
      WN_MS(600) },
    { "fetch", "user_agent", WN_CONF_STRING,
      "winnow/0.1 (+https://github.com/winnow-feeds/winnow)",
      WN_OFF(user_agent), 0, 0 },
    { "fetch", "connect_timeout", WN_CONF_DURATION, "10s",
      WN_OFF(connect_timeout), 1, WN_MS(600) },
    { "fetch", "timeout", WN_CONF_DURATION, "60s", WN_OFF(timeout), 1,
      WN_MS(3600) },
    { "fetch", "low_speed_time", WN_CONF_DURATION, "30s",
      WN_OFF(low_speed_time), WN_MS(1), WN_MS(3600) },
    { "fetch", "low_speed_limit", WN_CONF_SIZE, "64", WN_OFF(low_speed_limit),
      0, 1L << 30 },
    { "fetch", "max_body", WN_CONF_SIZE, "16M", WN_OFF(max_body), 1024,
      1L << 30 },
    { "fetch", "max_redirects", WN_CONF_INT, "5", WN_OFF(max_redirects), 0,
      50 },
    { "fetch", "max_transfers", WN_CONF_INT, "64", WN_OFF(max_transfers), 1,
      100000 },
    { "fetch", "max_host_transfers", WN_CONF_INT, "6",
      WN_OFF(max_host_transfers), 1, 1000 },
    { "fetch", "max_articles", WN_CONF_INT, "64", WN_OFF(max_articles), 1,
      100000 },
    { "fetch", "allow_private", WN_CONF_NETLIST, "no", WN_OFF(allow_private), 0,
      0 },
    { "fetch", "file_root", WN_CONF_PATH, NULL, WN_OFF(file_root), 0, 0 },
    { "fetch", "host_delay", WN_CONF_DURATION, "0", WN_OFF(host_delay), 0,
      WN_MS(3600) },
    { "fetch", "proxy", WN_CONF_STRING, NULL, WN_OFF(proxy), 0, 0 },
    { "fetch", "ca_file", WN_CONF_FILE, NULL, WN_OFF(ca_file), 0, 0 },
    { "fetch", "retry_after_host", WN_CONF_BOOL, "no", WN_OFF(retry_after_host),
      0, 0 },
    { "feeds", "opml", WN_CONF_PATH, NULL, WN_OFF(opml), 0, 0 },
    { "schedule", "interval", WN_CONF_DURATION, "30m", WN_OFF(interval),
      WN_MS(1), WN_MS(86400L * 30) },
    { "schedule", "max_items", WN_CONF_INT, "1000", WN_OFF(max_items), 1,
      100000 },
    { "schedule", "min_interval", WN_CONF_DURATION, "0", WN_OFF(min_interval),
      0, WN_MS(86400L * 30) },
    { "schedule", "max_interval", WN_CONF_DURATION, "7d", WN_OFF(max_interval),
      WN_MS(1), WN_MS(86400L * 365) },
    { "schedule", "backoff_max", WN_CONF_DURATION, "1d", WN_OFF(backoff_max),
      WN_MS(1), WN_MS(86400L * 30) },
    { "schedule", "jitter", WN_CONF_INT, "10", WN_OFF(jitter), 0, 50 },
    { "schedule", "adaptive", WN_CONF_BOOL, "yes", WN_OFF(adaptive), 0, 0 },
    { "admin", "listen", WN_CONF_STRING, "", WN_OFF(admin_listen), 0, 0 },
    { "admin", "max_connections", WN_CONF_INT, "16", WN_OFF(admin_max_conns), 1,
      1024 },
    { "admin", "timeout", WN_CONF_DURATION, "10s", WN_OFF(admin_timeout),
      WN_MS(1), WN_MS(3600) },
    { "admin", "max_request", WN_CONF_SIZE, "16k", WN_OFF(admin_max_request),
      4096, 1L << 20 },
    { "admin", "max_lag", WN_CONF_DURATION, "2s", WN_OFF(admin_max_lag), 10,
      WN_MS(3600) },
    { "sink", "jsonl", WN_CONF_STRING, "", WN_OFF(sink_jsonl), 0, 0 },
    { "sink", "webhook_url", WN_CONF_STRING, "", WN_OFF(webhook_url), 0, 0 },
    { "sink", "webhook_secret", WN_CONF_STRING, "", WN_OFF(webhook_secret), 0,
      0 },
    { "sink", "webhook_batch", WN_CONF_INT, "100", WN_OFF(webhook_batch), 1,
      100000 },
    { "sink", "webhook_queue", WN_CONF_INT, "1000", WN_OFF(webhook_queue), 1,
      1000000 },
    { "sink", "webhook_timeout", WN_CONF_DURATION, "10s",
      WN_OFF(webhook_timeout), WN_MS(1), WN_MS(600) },
    { "sink", "webhook_retry_min", WN_CONF_DURATION, "1s",
      WN_OFF(webhook_retry_min), 1, WN_MS(3600) },
    { "sink", "webhook_retry_max", WN_CONF_DURATION, "60s",
      WN_OFF(webhook_retry_max), 1, WN_MS(86400) },
};

#define WN_CONF_NKEYS (sizeof(wn_conf_keys) / sizeof(wn_conf_keys[0]))

/* The keys of a [feed:NAME] section (wn_conf_feed_key() applies them);
 * WINNOW_FEED_<NAME>_<KEY> and KEY_file are matched against this list. */
static const char *const wn_conf_feed_keys[] = {
    "url",      "fetch_article", "interval",     "keep_days",
    "timezone", "future_dates",  "user_agent",   "header",
    "cookie",   "username",      "password",     "proxy",
    "timeout",  "min_interval",  "max_interval", "ca_file",
};

#define WN_CONF_NFEEDKEYS                                                      \
    (sizeof(wn_conf_feed_keys) / sizeof(wn_conf_feed_keys[0]))

/* ---- value parsers ---- */

int
wn_conf_parse_bool(const char *s, int *out)
{
    static const char *const yes[] = { "yes", "true", "on", "1" };
    static const char *const no[] = { "no", "false", "off", "0" };

    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return WN_EPARSE;
}

int
wn_conf_parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE || v < min || v > max) {
        return WN_EPARSE;
    }
    *out = v;
    return 0;
}

/* A number with a unit suffix: value * unit, checked for overflow. */
static int
wn_conf_parse_unit(const char *s, const char *const *units, const long *mult,
                   size_t nunits, long def_mult, long *out)
{
    char *end;
    long v, m = def_mult;

    errno = 0;
    v = strtol(s, &end, 10);
    if (end == s || errno == ERANGE || v < 0) {
        return WN_EPARSE;
    }
    while (*end == ' ') {
        end++;
    }
    if (*end != '\0') {
        size_t i;
        for (i = 0; i < nunits; i++) {
            if (strcasecmp(end, units[i]) == 0) {
                m = mult[i];
                break;
            }
        }
        if (i == nunits) {
            return WN_EPARSE;
        }
    }
    if (v > LONG_MAX / m) {
        return WN_EPARSE;
    }
    *out = v * m;
    return 0;
}

int
wn_conf_parse_size(const char *s, long *out)
{
    static const char *const units[] = { "b", "k", "kb", "m", "mb", "g", "gb" };
    static const long mult[] = { 1,        1L << 10, 1L << 10, 1L << 20,
                                 1L << 20, 1L << 30, 1L << 30 };
    return wn_conf_parse_unit(s, units, mult, 7, 1, out);
}

int
wn_conf_parse_duration(const char *s, long *ms)
{
    static const char *const units[] = { "ms", "s", "m", "min", "h", "d" };
    static const long mult[] = { 1, 1000, 60000, 60000, 3600000, 86400000 };
    return wn_conf_parse_unit(s, units, mult, 6, 1000, ms);
}

char *
wn_conf_path(const struct wn_conf *conf, const char *value)
{
    size_t n;
    char *p;

    /* A URI ([store] path = postgresql://...) is not a file name. */
    if (value[0] == '/' || conf->dir == NULL || strstr(value, "://") != NULL) {
        return strdup(value);
    }
    n = strlen(conf->dir) + strlen(value) + 2;
    p = malloc(n);
    if (p != NULL) {
        snprintf(p, n, "%s/%s", conf->dir, value);
    }
    return p;
}

/* ---- loading ---- */

static int wn_conf_read_file(const char *path, size_t max, char **data,
                             size_t *len);

struct wn_conf_seen {
    char *section;
    char *name;
    unsigned line;
};

struct wn_conf_loader {
    struct wn_conf *conf;
    struct wn_buf *errors;
    int failed;
    const char *where; /* "$VARIABLE" while applying the environment */

    /* the reader over the file's bytes */
    const char *data;
    size_t len, pos;
    unsigned line;
    unsigned header_line; /* line of the last [section] header read */
    char **longs;         /* over-long values, referred to by index */
    size_t nlongs;

    /* keys set so far, for duplicate detection */
    struct wn_conf_seen *seen;
    size_t nseen, seen_cap;
    struct wn_strset
        seen_set; /* "section\nkey": O(1) checks at 100,000 feeds */

    /* the section being read */
    char section[256];
    int section_kind; /* 0 fixed, 1 feed, 2 plugin, -1 unknown */
    size_t section_index;
};

static void wn_conf_error(struct wn_conf_loader *l, unsigned line,
                          const char *section, const char *key, const char *fmt,
                          ...) __attribute__((format(printf, 5, 6)));

static void
wn_conf_error(struct wn_conf_loader *l, unsigned line, const char *section,
              const char *key, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (l->where != NULL) {
        wn_buf_printf(l->errors, "$%s: ", l->where);
    } else {
        wn_buf_printf(l->errors, "%s:%u: ", l->conf->path, line);
    }
    if (section != NULL && *section != '\0') {
        wn_buf_printf(l->errors, "[%s] ", section);
    }
    if (key != NULL) {
        wn_buf_printf(l->errors, "%s: ", key);
    }
    wn_buf_printf(l->errors, "%s\n", msg);
    l->failed = 1;
}

/* True when `path` (a key's value) is a file this process may read; else
 * reports why against section/key. */
static int
wn_conf_readable(struct wn_conf_loader *l, const char *section, const char *key,
                 const char *path, unsigned line)
{
    struct stat st;

    if (access(path, R_OK) != 0 || stat(path, &st) != 0) {
        wn_conf_error(l, line, section, key, "%s: %s", path, strerror(errno));
        return 0;
    }
    if (!S_ISREG(st.st_mode)) {
        wn_conf_error(l, line, section, key, "%s: not a file", path);
        return 0;
    }
    return 1;
}

/* inih's reader: one line per call, at most num-1 bytes. */
static char *
wn_conf_reader(char *str, int num, void *stream)
{
    struct wn_conf_loader *l = stream;
    const char *start, *end, *nl;
    size_t n;

    if (l->pos >= l->len || num < 16) {
        return NULL;
    }
    start = l->data + l->pos;
    nl = memchr(start, '\n', l->len - l->pos);
    end = nl ? nl : l->data + l->len;
    l->pos = (size_t) (end - l->data) + (nl ? 1 : 0);
    l->line++;
    n = (size_t) (end - start);
    if (n > 0 && start[n - 1] == '\r') {
        n--;
    }
    for (size_t k = 0; k < n; k++) {
        if (start[k] != ' ' && start[k] != '\t') {
            if (start[k] == '[') {
                l->header_line = l->line;
            }
            break;
        }
    }
    if (n + 1 < (size_t) num) {
        memcpy(str, start, n);
        str[n] = '\n';
        str[n + 1] = '\0';
        return str;
    }
    /* Over-long: keep "key =" and move the value aside. */
    {
        const char *eq = memchr(start, '=', n);
        const char *v, *vend = start + n;
        char **longs;
        int w;

        if (eq == NULL || (size_t) (eq - start) + 24 >= (size_t) num) {
            wn_conf_error(l, l->line, l->section, NULL,
                          "line of %zu bytes has no short \"key =\" before "
                          "its value",
                          n);
            str[0] = '\n';
            str[1] = '\0';
            return str;
        }
        v = eq + 1;
        /* inih drops inline comments introduced by " ;". */
        for (const char *p = v; p + 1 < vend; p++) {
            if ((p[0] == ' ' || p[0] == '\t') && p[1] == ';') {
                vend = p;
                break;
            }
        }
        while (v < vend && (*v == ' ' || *v == '\t')) {
            v++;
        }
        while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t')) {
            vend--;
        }
        longs = realloc(l->longs, (l->nlongs + 1) * sizeof(*longs));
        if (longs == NULL) {
            return NULL;
        }
        l->longs = longs;
        l->longs[l->nlongs] = strndup(v, (size_t) (vend - v));
        if (l->longs[l->nlongs] == NULL) {
            return NULL;
        }
        w = snprintf(str, (size_t) num, "%.*s= %c%zu\n", (int) (eq - start),
                     start, WN_CONF_LONG_MARK, l->nlongs);
        l->nlongs++;
        return w > 0 && w < num ? str : NULL;
    }
}

static const char *
wn_conf_value(struct wn_conf_loader *l, const char *value)
{
    if (value[0] == WN_CONF_LONG_MARK) {
        size_t i = strtoul(value + 1, NULL, 10);
        return i < l->nlongs ? l->longs[i] : "";
    }
    return value;
}

/* Records (section, key) and reports a second setting of it. */
static int
wn_conf_seen(struct wn_conf_loader *l, const char *section, const char *key)
{
    char both[512];
    int added;

    if (l->where != NULL) {
        return 0; /* the environment overrides the file */
    }
    snprintf(both, sizeof(both), "%s\n%s", section, key);
    added = wn_strset_add(&l->seen_set, both);
    if (added < 0) {
        return 1;
    }
    /* Seen before: find where, for the message (rare, so a scan). */
    for (size_t i = 0; added == 0 && i < l->nseen; i++) {
        if (strcmp(l->seen[i].section, section) == 0
            && strcmp(l->seen[i].name, key) == 0)
        {
            wn_conf_error(l, l->line, section, key,
                          "set twice (first on line %u; an indented line "
                          "continues the key above it)",
                          l->seen[i].line);
            return 1;
        }
    }
    if (l->nseen == l->seen_cap) {
        size_t cap = l->seen_cap ? l->seen_cap * 2 : 64;
        struct wn_conf_seen *p = realloc(l->seen, cap * sizeof(*p));
        if (p == NULL) {
            return 1;
        }
        l->seen = p;
        l->seen_cap = cap;
    }
    l->seen[l->nseen].section = strdup(section);
    l->seen[l->nseen].name = strdup(key);
    l->seen[l->nseen].line = l->line;
    if (l->seen[l->nseen].section == NULL || l->seen[l->nseen].name == NULL) {
        free(l->seen[l->nseen].section);
        free(l->seen[l->nseen].name);
        return 1;
    }
    l->nseen++;
    return 0;
}

/* Applies one fixed key; returns 0 or reports the error. */
static void
wn_conf_apply(struct wn_conf_loader *l, const struct wn_conf_key *k,
              const char *value, unsigned line)
{
    char *base = (char *) l->conf;
    long v;
    int b;

    switch (k->type) {
    case WN_CONF_STRING:
    case WN_CONF_NETLIST:
    case WN_CONF_FILE:
    case WN_CONF_PATH: {
        char **slot = (char **) (base + k->offset);
        char *s;

        if (k->type == WN_CONF_NETLIST) {
            struct wn_err err;
            struct wn_net_allow *allow = NULL;
            if (wn_net_allow_parse(value, &allow, &err) != 0) {
                wn_conf_error(l, line, k->section, k->name, "%s", err.msg);
                return;
            }
            wn_net_allow_free(allow);
        }
        if ((k->type == WN_CONF_PATH || k->type == WN_CONF_FILE)
            && *value == '\0') {
            wn_conf_error(l, line, k->section, k->name, "empty path");
            return;
        }
        s = k->type == WN_CONF_PATH || k->type == WN_CONF_FILE
                ? wn_conf_path(l->conf, value)
                : strdup(value);
        if (s == NULL) {
            wn_conf_error(l, line, k->section, k->name, "out of memory");
            return;
        }
        if (k->type == WN_CONF_FILE
            && !wn_conf_readable(l, k->section, k->name, s, line))
        {
            free(s);
            return;
        }
        free(*slot);
        *slot = s;
        return;
    }
    case WN_CONF_BOOL:
        if (wn_conf_parse_bool(value, &b) != 0) {
            wn_conf_error(l, line, k->section, k->name,
                          "\"%s\" is not yes or no", value);
            return;
        }
        *(int *) (base + k->offset) = b;
        return;
    case WN_CONF_LOGFMT:
        b = wn_log_format_parse(value);
        if (b < 0) {
            wn_conf_error(l, line, k->section, k->name,
                          "\"%s\" is not one of auto, plain, journal, json",
                          value);
            return;
        }
        *(int *) (base + k->offset) = b;
        return;
    case WN_CONF_LEVEL:
        b = wn_log_level_parse(value);
        if (b < 0) {
            wn_conf_error(l, line, k->section, k->name,
                          "\"%s\" is not one of err, warning, notice, info, "
                          "debug",
                          value);
            return;
        }
        *(int *) (base + k->offset) = b;
        return;
    case WN_CONF_INT:
    case WN_CONF_SIZE:
    case WN_CONF_DURATION: {
        int rc;
        if (k->type == WN_CONF_INT) {
            rc = wn_conf_parse_long(value, LONG_MIN, LONG_MAX, &v);
        } else if (k->type == WN_CONF_SIZE) {
            rc = wn_conf_parse_size(value, &v);
        } else {
            rc = wn_conf_parse_duration(value, &v);
        }
        if (rc != 0) {
            wn_conf_error(
                l, line, k->section, k->name, "\"%s\" is not a %s", value,
                k->type == WN_CONF_INT    ? "number"
                : k->type == WN_CONF_SIZE ? "size (like 512k or 16M)"
                                          : "duration (like 30s or 5m)");
            return;
        }
        if (v < k->min || v > k->max) {
            wn_conf_error(l, line, k->section, k->name,
                          "%s is out of range [%ld, %ld]%s", value, k->min,
                          k->max, k->type == WN_CONF_DURATION ? " ms" : "");
            return;
        }
        *(long *) (base + k->offset) = v;
        return;
    }
    default:
        return;
    }
}

/* Overwrites a secret before its memory is freed (a volatile store the
 * compiler keeps; explicit_bzero is not in POSIX). */
static void
wn_conf_wipe(char *s, size_t n)
{
    volatile char *p = s;

    while (n-- > 0) {
        *p++ = '\0';
    }
}

/* A key of a feed's own fetch settings; WN_EDECLINED when it is not one. */
static int
wn_conf_feed_fetch_key(struct wn_conf_loader *l, struct wn_conf_feed *f,
                       const char *key, const char *value)
{
    static const char *const strs[] = { "user_agent", "cookie", "username",
                                        "proxy" };
    struct wn_conf_feed_fetch *ff = f->fetch;
    char **slot = NULL;
    long ms;

    if (strcmp(key, "user_agent") != 0 && strcmp(key, "header") != 0
        && strcmp(key, "cookie") != 0 && strcmp(key, "username") != 0
        && strcmp(key, "password") != 0 && strcmp(key, "proxy") != 0
        && strcmp(key, "timeout") != 0 && strcmp(key, "min_interval") != 0
        && strcmp(key, "max_interval") != 0 && strcmp(key, "ca_file") != 0)
    {
        return WN_EDECLINED;
    }
    if (ff == NULL && (ff = f->fetch = calloc(1, sizeof(*ff))) == NULL) {
        wn_conf_error(l, l->line, l->section, key, "out of memory");
        return 0;
    }
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        if (strcmp(key, strs[i]) == 0) {
            slot = i == 0   ? &ff->user_agent
                   : i == 1 ? &ff->cookie
                   : i == 2 ? &ff->username
                            : &ff->proxy;
        }
    }
    if (slot != NULL) {
        if (strpbrk(value, "\r\n") != NULL) {
            wn_conf_error(l, l->line, l->section, key, "a line break");
            return 0;
        }
        free(*slot);
        *slot = strcmp(key, "proxy") == 0 && strcmp(value, "none") == 0
                    ? strdup("")
                    : strdup(value);
        if (*slot == NULL) {
            wn_conf_error(l, l->line, l->section, key, "out of memory");
        }
    } else if (strcmp(key, "ca_file") == 0) {
        char *path = *value != '\0' ? wn_conf_path(l->conf, value) : NULL;
        if (*value == '\0') {
            wn_conf_error(l, l->line, l->section, key, "empty path");
        } else if (path == NULL) {
            wn_conf_error(l, l->line, l->section, key, "out of memory");
        } else if (wn_conf_readable(l, l->section, key, path, l->line)) {
            free(ff->ca_file);
            ff->ca_file = path;
            path = NULL;
        }
        free(path);
    } else if (strcmp(key, "header") == 0) {
        const char *colon = strchr(value, ':');
        char **h;
        if (colon == NULL || colon == value
            || strcspn(value, " \t") < (size_t) (colon - value))
        {
            wn_conf_error(l, l->line, l->section, key,
                          "\"%s\" is not \"Name: value\"", value);
        } else if (ff->nheaders >= WN_CONF_MAX_HEADERS) {
            wn_conf_error(l, l->line, l->section, key, "more than %d headers",
                          WN_CONF_MAX_HEADERS);
        } else if ((h = realloc(ff->headers, (ff->nheaders + 1) * sizeof(*h)))
                       == NULL
                   || (h[ff->nheaders] = strdup(value)) == NULL)
        {
            if (h != NULL) {
                ff->headers = h;
            }
            wn_conf_error(l, l->line, l->section, key, "out of memory");
        } else {
            ff->headers = h;
            ff->nheaders++;
        }
    } else if (strcmp(key, "password") == 0) {
        /* Usually password_file = PATH: the file's line comes here. */
        if (ff->password != NULL) {
            wn_conf_wipe(ff->password, strlen(ff->password));
        }
        free(ff->password);
        ff->password = strdup(value);
        if (ff->password == NULL) {
            wn_conf_error(l, l->line, l->section, key, "out of memory");
        }
    } else if (wn_conf_parse_duration(value, &ms) != 0
               || ms < (strcmp(key, "timeout") == 0 ? 1 : 1000))
    {
        wn_conf_error(l, l->line, l->section, key,
                      "\"%s\" is not a duration (like 30s or 5m)%s", value,
                      strcmp(key, "timeout") == 0 ? "" : " of at least 1s");
    } else if (strcmp(key, "timeout") == 0) {
        ff->timeout = ms;
    } else if (strcmp(key, "min_interval") == 0) {
        ff->min_interval = ms / 1000;
    } else {
        ff->max_interval = ms / 1000;
    }
    return 0;
}

static int
wn_conf_feed_key(struct wn_conf_loader *l, struct wn_conf_feed *f,
                 const char *key, const char *value)
{
    if (strcmp(key, "url") == 0) {
        char *url = NULL;
        int rc;

        f->url_seen = 1;
        /* "file:relative/path" is relative to the configuration's folder. */
        if (strncmp(value, "file:", 5) == 0
            && strncmp(value, "file://", 7) != 0) {
            char *path = wn_conf_path(l->conf, value + 5);
            size_t n = path ? strlen(path) + 8 : 0;
            if (path == NULL || (url = malloc(n)) == NULL) {
                free(path);
                return WN_ENOMEM;
            }
            snprintf(url, n, "file://%s", path);
            free(path);
        } else {
            rc = wn_url_resolve(NULL, value, WN_URL_ALLOW_FILE, &url);
            if (rc != 0) {
                wn_conf_error(l, l->line, l->section, key,
                              "\"%s\" is not an absolute http, https or file "
                              "URL",
                              value);
                return 0;
            }
        }
        free(f->url);
        f->url = url;
    } else if (strcmp(key, "fetch_article") == 0) {
        if (strcmp(value, "auto") == 0) {
            f->fetch_article = WN_FETCH_ARTICLE_AUTO;
        } else if (strcmp(value, "always") == 0) {
            f->fetch_article = WN_FETCH_ARTICLE_ALWAYS;
        } else if (strcmp(value, "never") == 0) {
            f->fetch_article = WN_FETCH_ARTICLE_NEVER;
        } else {
            wn_conf_error(l, l->line, l->section, key,
                          "\"%s\" is not auto, always or never", value);
        }
    } else if (strcmp(key, "interval") == 0) {
        long ms;
        if (wn_conf_parse_duration(value, &ms) != 0 || ms < 1000) {
            wn_conf_error(l, l->line, l->section, key,
                          "\"%s\" is not a duration of at least 1s", value);
        } else {
            f->interval = ms / 1000;
        }
    } else if (strcmp(key, "timezone") == 0) {
        if (wn_time_parse_offset(value, &f->zone_minutes) != 0) {
            wn_conf_error(l, l->line, l->section, key,
                          "\"%s\" is not a UTC offset (+02:00, -0500) or a "
                          "zone abbreviation (UTC, EST, CET)",
                          value);
        }
    } else if (strcmp(key, "future_dates") == 0) {
        if (strcmp(value, "drop") == 0 || strcmp(value, "keep") == 0) {
            f->keep_future = value[0] == 'k';
        } else {
            wn_conf_error(l, l->line, l->section, key,
                          "\"%s\" is not drop or keep", value);
        }
    } else if (strcmp(key, "keep_days") == 0) {
        if (wn_conf_parse_long(value, 0, 1000000, &f->keep_days) != 0) {
            wn_conf_error(l, l->line, l->section, key,
                          "\"%s\" is not a number of days (0: for ever)",
                          value);
        }
    } else if (wn_conf_feed_fetch_key(l, f, key, value) == WN_EDECLINED) {
        wn_conf_error(l, l->line, l->section, key,
                      "unknown key (feeds take url, fetch_article, interval, "
                      "keep_days, timezone, future_dates, user_agent, header, "
                      "cookie, username, password or password_file, proxy, "
                      "ca_file, timeout, min_interval, max_interval)");
    }
    return 0;
}

/* Starts a section the first time a key of it is seen. */
static void
wn_conf_section(struct wn_conf_loader *l, const char *section)
{
    struct wn_conf *c = l->conf;

    if (strcmp(l->section, section) == 0) {
        return;
    }
    snprintf(l->section, sizeof(l->section), "%s", section);
    l->section_kind = -1;
    if (strncmp(section, "feed:", 5) == 0) {
        const char *name = section + 5;
        struct wn_conf_feed *feeds;

        if (*name == '\0' || strlen(name) > 128) {
            wn_conf_error(l, l->header_line, section, NULL,
                          "a feed's name must be 1 to 128 bytes");
            return;
        }
        char key[300];
        int added;

        /* A set first: a linear scan per feed is quadratic at 100,000. */
        snprintf(key, sizeof(key), "%s\n[feed]", name);
        added = wn_strset_add(&l->seen_set, key);
        for (size_t i = 0; added == 0 && i < c->nfeeds; i++) {
            if (strcmp(c->feeds[i].name, name) == 0 && l->where != NULL) {
                l->section_kind = 1; /* the environment amends it */
                l->section_index = i;
                return;
            }
            if (strcmp(c->feeds[i].name, name) == 0) {
                wn_conf_error(l, l->header_line, section, NULL,
                              "feed defined twice (first on line %u)",
                              c->feeds[i].line);
                return;
            }
        }
        if (c->nfeeds >= WN_CONF_MAX_FEEDS) {
            wn_conf_error(l, l->line, section, NULL, "more than %u feeds",
                          WN_CONF_MAX_FEEDS);
            return;
        }
        feeds = realloc(c->feeds, (c->nfeeds + 1) * sizeof(*feeds));
        if (feeds == NULL) {
            return;
        }
        c->feeds = feeds;
        memset(&feeds[c->nfeeds], 0, sizeof(*feeds));
        feeds[c->nfeeds].name = strdup(name);
        feeds[c->nfeeds].line = l->where != NULL ? 0 : l->header_line;
        feeds[c->nfeeds].keep_days = -1;
        l->section_kind = 1;
        l->section_index = c->nfeeds++;
    } else if (strncmp(section, "plugin:", 7) == 0) {
        struct wn_conf_plugin *p;

        for (size_t i = 0; i < c->nplugins; i++) {
            if (strcmp(c->plugins[i].name, section + 7) == 0) {
                l->section_kind = 2;
                l->section_index = i;
                return;
            }
        }
        p = realloc(c->plugins, (c->nplugins + 1) * sizeof(*p));
        if (p == NULL) {
            return;
        }
        c->plugins = p;
        memset(&p[c->nplugins], 0, sizeof(*p));
        p[c->nplugins].name = strdup(section + 7);
        p[c->nplugins].line = l->header_line;
        l->section_kind = 2;
        l->section_index = c->nplugins++;
    } else {
        for (size_t i = 0; i < WN_CONF_NKEYS; i++) {
            if (strcmp(wn_conf_keys[i].section, section) == 0) {
                l->section_kind = 0;
                return;
            }
        }
        wn_conf_error(l, l->header_line, section, NULL,
                      "unknown section (known: daemon, store, plugins, fetch, "
                      "feeds, schedule, feed:NAME, plugin:NAME)");
    }
}

/* Reads a KEY_file's contents into a string the caller frees; one trailing
 * newline is dropped (as `echo secret > file` leaves one). */
static char *
wn_conf_secret(struct wn_conf_loader *l, const char *section, const char *key,
               const char *file)
{
    char *path = wn_conf_path(l->conf, file);
    char *data = NULL;
    size_t len = 0;
    int rc;

    if (path == NULL) {
        wn_conf_error(l, l->line, section, key, "out of memory");
        return NULL;
    }
    rc = wn_conf_read_file(path, WN_CONF_MAX_SECRET, &data, &len);
    if (rc != 0) {
        wn_conf_error(l, l->line, section, key, "cannot read %s: %s", path,
                      rc == WN_ETOOBIG ? "larger than 64 KB" : wn_strerror(rc));
        free(path);
        return NULL;
    }
    free(path);
    if (len > 0 && data[len - 1] == '\n') {
        data[--len] = '\0';
        if (len > 0 && data[len - 1] == '\r') {
            data[--len] = '\0';
        }
    }
    if (memchr(data, '\0', len) != NULL || memchr(data, '\n', len) != NULL) {
        wn_conf_error(l, l->line, section, key,
                      "%s holds more than one line or NUL bytes", file);
        free(data);
        return NULL;
    }
    return data;
}

static int
wn_conf_fixed_key(const char *section, const char *name)
{
    for (size_t i = 0; i < WN_CONF_NKEYS; i++) {
        if (strcmp(wn_conf_keys[i].section, section) == 0
            && strcmp(wn_conf_keys[i].name, name) == 0)
        {
            return 1;
        }
    }
    return 0;
}

static int
wn_conf_is_feed_key(const char *name)
{
    for (size_t i = 0; i < WN_CONF_NFEEDKEYS; i++) {
        if (strcmp(wn_conf_feed_keys[i], name) == 0) {
            return 1;
        }
    }
    return 0;
}

static int wn_conf_apply_kv(struct wn_conf_loader *l, const char *section,
                            const char *name, const char *value);

static int
wn_conf_handler(void *user, const char *section, const char *name,
                const char *raw)
{
    struct wn_conf_loader *l = user;
    const char *value = wn_conf_value(l, raw);
    size_t n = strlen(name);

    /* KEY_file = PATH: the value of KEY is PATH's contents (secrets). */
    if (n > 5 && strcmp(name + n - 5, "_file") == 0 && n - 5 < 128) {
        char key[128];

        memcpy(key, name, n - 5);
        key[n - 5] = '\0';
        if ((strncmp(section, "feed:", 5) == 0 && wn_conf_is_feed_key(key))
            || wn_conf_fixed_key(section, key))
        {
            char *secret = wn_conf_secret(l, section, name, value);
            int rc = 1;

            if (secret != NULL) {
                rc = wn_conf_apply_kv(l, section, key, secret);
                free(secret);
            }
            return rc;
        }
    }
    return wn_conf_apply_kv(l, section, name, value);
}

/* Applies section/name = value, from the file or the environment. */
static int
wn_conf_apply_kv(struct wn_conf_loader *l, const char *section,
                 const char *name, const char *value)
{
    if (*section == '\0') {
        wn_conf_error(l, l->line, NULL, name, "key outside of any section");
        return 1;
    }
    wn_conf_section(l, section);
    /* A feed may send several headers: header is the one repeatable key. */
    if (l->section_kind < 0
        || ((l->section_kind != 1 || strcmp(name, "header") != 0)
            && wn_conf_seen(l, section, name)))
    {
        return 1;
    }
    if (l->section_kind == 1) {
        wn_conf_feed_key(l, &l->conf->feeds[l->section_index], name, value);
        return 1;
    }
    if (l->section_kind == 2) {
        struct wn_conf_plugin *p = &l->conf->plugins[l->section_index];
        struct wn_conf_kv *kv;

        for (size_t i = 0; l->where != NULL && i < p->nkvs; i++) {
            if (strcmp(p->kvs[i].key, name) == 0) {
                char *v = strdup(value);
                if (v == NULL) {
                    return 0;
                }
                free(p->kvs[i].value);
                p->kvs[i].value = v;
                return 1;
            }
        }
        kv = realloc(p->kvs, (p->nkvs + 1) * sizeof(*kv));
        if (kv == NULL) {
            return 0;
        }
        p->kvs = kv;
        kv[p->nkvs].key = strdup(name);
        kv[p->nkvs].value = strdup(value);
        kv[p->nkvs].line = l->line;
        p->nkvs++;
        return 1;
    }
    for (size_t i = 0; i < WN_CONF_NKEYS; i++) {
        const struct wn_conf_key *k = &wn_conf_keys[i];
        if (strcmp(k->section, section) == 0 && strcmp(k->name, name) == 0) {
            wn_conf_apply(l, k, value, l->line);
            return 1;
        }
    }
    wn_conf_error(l, l->line, section, name, "unknown key");
    return 1;
}

/* ---- the environment ---- */

extern char **environ;

/* Copies src into dst[cap], upper-cased (up) or lower-cased. */
static void
wn_conf_case(char *dst, size_t cap, const char *src, size_t n, int up)
{
    size_t i;

    for (i = 0; i < n && i + 1 < cap; i++) {
        unsigned char c = (unsigned char) src[i];
        dst[i] = (char) (up ? toupper(c) : tolower(c));
    }
    dst[i] = '\0';
}

/*
 * Maps the part of a variable after WINNOW_ ("FETCH_TIMEOUT") to a section
 * and key; 0, or -1 when it names no section.  An unknown key of a known
 * section still maps, so that it is reported as an unknown key.
 */
static int
wn_conf_env_name(const char *name, size_t n, char *section, size_t scap,
                 char *key, size_t kcap)
{
    char want[300];

    if (n > 5 && strncmp(name, "FEED_", 5) == 0) {
        const char *rest = name + 5;
        size_t rn = n - 5;

        for (size_t i = 0; i < WN_CONF_NFEEDKEYS; i++) {
            size_t kn = strlen(wn_conf_feed_keys[i]);
            wn_conf_case(want, sizeof(want), wn_conf_feed_keys[i], kn, 1);
            if (rn > kn + 1 && rest[rn - kn - 1] == '_'
                && memcmp(rest + rn - kn, want, kn) == 0)
            {
                char feed[200];
                wn_conf_case(feed, sizeof(feed), rest, rn - kn - 1, 0);
                snprintf(section, scap, "feed:%s", feed);
                snprintf(key, kcap, "%s", wn_conf_feed_keys[i]);
                return 0;
            }
        }
        return -1;
    }
    if (n > 7 && strncmp(name, "PLUGIN_", 7) == 0) {
        const char *us = memchr(name + 7, '_', n - 7);
        char plugin[200];

        if (us == NULL || us == name + 7 || us + 1 == name + n) {
            return -1;
        }
        wn_conf_case(plugin, sizeof(plugin), name + 7, (size_t) (us - name - 7),
                     0);
        snprintf(section, scap, "plugin:%s", plugin);
        wn_conf_case(key, kcap, us + 1, (size_t) (name + n - us - 1), 0);
        return 0;
    }
    for (size_t i = 0; i < WN_CONF_NKEYS; i++) {
        size_t sn = strlen(wn_conf_keys[i].section);
        wn_conf_case(want, sizeof(want), wn_conf_keys[i].section, sn, 1);
        if (n > sn + 1 && name[sn] == '_' && memcmp(name, want, sn) == 0) {
            snprintf(section, scap, "%s", wn_conf_keys[i].section);
            wn_conf_case(key, kcap, name + sn + 1, n - sn - 1, 0);
            return 0;
        }
    }
    return -1;
}

/* True when section/key is something the handler knows (a plugin's keys
 * are the plugin's to check). */
static int
wn_conf_env_known(const char *section, const char *key)
{
    if (strncmp(section, "feed:", 5) == 0) {
        return wn_conf_is_feed_key(key);
    }
    if (strncmp(section, "plugin:", 7) == 0) {
        return 1;
    }
    return wn_conf_fixed_key(section, key);
}

/* Applies every WINNOW_* variable (wn_conf_load() documents the names). */
static void
wn_conf_env(struct wn_conf_loader *l)
{
    const size_t plen = sizeof(WN_CONF_ENV_PREFIX) - 1;

    for (char **e = environ; e != NULL && *e != NULL; e++) {
        const char *var = *e, *eq = strchr(var, '=');
        char name[256], section[256], key[160];
        size_t n;
        int file = 0;

        if (eq == NULL || strncmp(var, WN_CONF_ENV_PREFIX, plen) != 0) {
            continue;
        }
        n = (size_t) (eq - var);
        if (n >= sizeof(name)) {
            continue;
        }
        memcpy(name, var, n);
        name[n] = '\0';
        if (strcmp(name, "WINNOW_CONFIG") == 0) {
            continue;
        }
        l->where = name;
        l->line = 0;
        if (strncmp(name + plen, "PLUGIN_", 7) == 0 && n > plen + 5
            && strcmp(name + n - 5, "_FILE") == 0
            && wn_conf_env_name(name + plen, n - plen - 5, section,
                                sizeof(section), key, sizeof(key))
                   == 0)
        {
            /* a plugin's keys are not known here: _FILE always means a
             * file (a key that ends in _file is set as KEY_FILE_FILE) */
            file = 1;
        } else if (wn_conf_env_name(name + plen, n - plen, section,
                                    sizeof(section), key, sizeof(key))
                       != 0
                   || !wn_conf_env_known(section, key))
        {
            /* Not a key: perhaps KEY_FILE. */
            if (n > plen + 5 && strcmp(name + n - 5, "_FILE") == 0
                && wn_conf_env_name(name + plen, n - plen - 5, section,
                                    sizeof(section), key, sizeof(key))
                       == 0
                && wn_conf_env_known(section, key))
            {
                file = 1;
            } else if (wn_conf_env_name(name + plen, n - plen, section,
                                        sizeof(section), key, sizeof(key))
                       != 0)
            {
                wn_conf_error(l, 0, NULL, NULL,
                              "names no configuration key (WINNOW_SECTION_KEY, "
                              "WINNOW_FEED_NAME_KEY, WINNOW_PLUGIN_NAME_KEY, "
                              "each optionally with _FILE)");
                continue;
            }
        }
        if (file) {
            char *secret = wn_conf_secret(l, section, key, eq + 1);
            if (secret != NULL) {
                wn_conf_apply_kv(l, section, key, secret);
                free(secret);
            }
        } else {
            wn_conf_apply_kv(l, section, key, eq + 1);
        }
    }
    l->where = NULL;
}

/* Reports lines inih would reject, so every one is named, not just the
 * first: anything that is not blank, a comment, [section] or key=value. */
static void
wn_conf_check_syntax(struct wn_conf_loader *l)
{
    const char *p = l->data, *end = l->data + l->len;
    unsigned line = 0;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t) (end - p));
        const char *e = nl ? nl : end;
        const char *s = p;

        line++;
        while (s < e && (*s == ' ' || *s == '\t' || *s == '\r')) {
            s++;
        }
        if (line == 1 && e - s >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
            s += 3;
        }
        if (s < e && *s != ';' && *s != '#') {
            if (*s == '[') {
                if (memchr(s, ']', (size_t) (e - s)) == NULL) {
                    wn_conf_error(l, line, NULL, NULL,
                                  "section header without a closing ]");
                }
            } else if (memchr(s, '=', (size_t) (e - s)) == NULL
                       && memchr(s, ':', (size_t) (e - s)) == NULL && s == p)
            {
                wn_conf_error(l, line, NULL, NULL,
                              "expected [section], key = value or a comment");
            }
        }
        p = nl ? nl + 1 : end;
    }
}

static int
wn_conf_defaults(struct wn_conf *c, struct wn_buf *errors)
{
    struct wn_conf_loader l;

    memset(&l, 0, sizeof(l));
    l.conf = c;
    l.errors = errors;
    for (size_t i = 0; i < WN_CONF_NKEYS; i++) {
        const struct wn_conf_key *k = &wn_conf_keys[i];
        if (k->def != NULL) {
            wn_conf_apply(&l, k, k->def, 0);
        }
    }
    return l.failed ? WN_ECONFIG : 0;
}

static int
wn_conf_read_file(const char *path, size_t max, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    size_t n;
    int rc = 0;

    *data = NULL;
    if (f == NULL) {
        return -errno;
    }
    if (fstat(fileno(f), &st) != 0) {
        rc = -errno;
    } else if (!S_ISREG(st.st_mode)) {
        rc = -EISDIR;
    } else if ((unsigned long long) st.st_size > max) {
        rc = WN_ETOOBIG;
    } else if ((*data = malloc((size_t) st.st_size + 1)) == NULL) {
        rc = WN_ENOMEM;
    } else {
        n = fread(*data, 1, (size_t) st.st_size, f);
        (*data)[n] = '\0';
        *len = n;
        if (ferror(f)) {
            rc = -EIO;
        }
    }
    fclose(f);
    if (rc != 0) {
        free(*data);
        *data = NULL;
    }
    return rc;
}

/* Whether a feed of this name is configured (wn_feed_list_name()). */
static int
wn_conf_feed_named(const char *name, void *arg)
{
    const struct wn_conf *c = arg;

    for (size_t i = 0; i < c->nfeeds; i++) {
        if (strcmp(c->feeds[i].name, name) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The line of [feeds] opml, for errors (0 when set by the environment). */
static unsigned
wn_conf_opml_line(const struct wn_conf_loader *l)
{
    for (size_t i = 0; i < l->nseen; i++) {
        if (strcmp(l->seen[i].section, "feeds") == 0
            && strcmp(l->seen[i].name, "opml") == 0)
        {
            return l->seen[i].line;
        }
    }
    return 0;
}

/* A feed of the OPML list, unless the configuration names its URL. */
static int
wn_conf_opml_feed(const struct wn_feed_ref *ref, void *arg)
{
    struct wn_conf_loader *l = arg;
    struct wn_conf *c = l->conf;
    struct wn_conf_feed *feeds, *f;
    char name[WN_FEED_NAME_MAX];

    for (size_t i = 0; i < c->nfeeds; i++) {
        if (c->feeds[i].url != NULL && strcmp(c->feeds[i].url, ref->url) == 0) {
            return 0;
        }
    }
    if (c->nfeeds >= WN_CONF_MAX_FEEDS) {
        wn_conf_error(l, wn_conf_opml_line(l), "feeds", "opml",
                      "%s: more than %u feeds", c->opml, WN_CONF_MAX_FEEDS);
        return 1;
    }
    wn_feed_list_name(ref, name, sizeof(name), wn_conf_feed_named, c);
    feeds = realloc(c->feeds, (c->nfeeds + 1) * sizeof(*feeds));
    if (feeds == NULL) {
        return WN_ENOMEM;
    }
    c->feeds = feeds;
    f = &feeds[c->nfeeds];
    memset(f, 0, sizeof(*f));
    f->name = strdup(name);
    f->url = strdup(ref->url);
    f->url_seen = 1;
    if (f->name == NULL || f->url == NULL) {
        free(f->name);
        free(f->url);
        return WN_ENOMEM;
    }
    c->nfeeds++;
    return 0;
}

/* Adds the feeds of [feeds] opml. */
static void
wn_conf_opml(struct wn_conf_loader *l)
{
    struct wn_conf *c = l->conf;
    struct wn_err err;
    char *data = NULL;
    size_t len;
    int rc = wn_conf_read_file(c->opml, WN_FEED_MAX_BYTES, &data, &len);

    if (rc != 0) {
        wn_conf_error(l, wn_conf_opml_line(l), "feeds", "opml",
                      "%s: cannot read: %s", c->opml,
                      rc == WN_ETOOBIG ? "larger than the feed size limit"
                                       : wn_strerror(rc));
        return;
    }
    wn_err_clear(&err);
    rc = wn_feed_opml(data, len, NULL, wn_conf_opml_feed, l, &err);
    if (rc < 0) {
        wn_conf_error(l, wn_conf_opml_line(l), "feeds", "opml", "%s: %s",
                      c->opml, err.msg[0] != '\0' ? err.msg : wn_strerror(rc));
    }
    free(data);
}

int
wn_conf_load(const char *path, struct wn_conf **out, struct wn_buf *errors)
{
    struct wn_conf_loader l;
    struct wn_conf *c;
    char *data = NULL, *slash;
    size_t len = 0;
    int rc;

    *out = NULL;
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return WN_ENOMEM;
    }
    c->path = strdup(path != NULL ? path : "(environment)");
    c->dir = strdup(path != NULL ? path : ".");
    if (c->path == NULL || c->dir == NULL) {
        wn_conf_free(c);
        return WN_ENOMEM;
    }
    slash = path != NULL ? strrchr(c->dir, '/') : NULL;
    if (path == NULL) {
        /* c->dir is "." already */
    } else if (slash == NULL) {
        free(c->dir);
        c->dir = strdup(".");
    } else if (slash == c->dir) {
        slash[1] = '\0';
    } else {
        *slash = '\0';
    }
    if (path != NULL) {
        rc = wn_conf_read_file(path, WN_CONF_MAX_BYTES, &data, &len);
        if (rc != 0) {
            wn_buf_printf(errors, "%s: cannot read: %s\n", path,
                          rc == WN_ETOOBIG ? "larger than 64 MB"
                                           : wn_strerror(rc));
            wn_conf_free(c);
            return rc;
        }
    }
    if (wn_conf_defaults(c, errors) != 0) {
        free(data);
        wn_conf_free(c);
        return WN_ECONFIG;
    }

    memset(&l, 0, sizeof(l));
    l.conf = c;
    l.errors = errors;
    l.data = data;
    l.len = len;
    if (data == NULL) {
        /* defaults and the environment only */
    } else if (memchr(data, '\0', len) != NULL) {
        wn_conf_error(&l, 1, NULL, NULL, "file contains NUL bytes");
    } else {
        wn_conf_check_syntax(&l);
        l.line = 0;
        ini_parse_stream(wn_conf_reader, &l, wn_conf_handler, &l);
    }
    wn_conf_env(&l);
    for (size_t i = 0; i < c->nfeeds; i++) {
        if (c->feeds[i].url == NULL && !c->feeds[i].url_seen) {
            char section[160], upper[140], var[180];
            snprintf(section, sizeof(section), "feed:%s", c->feeds[i].name);
            if (c->feeds[i].line == 0) { /* made by the environment */
                wn_conf_case(upper, sizeof(upper), c->feeds[i].name,
                             strlen(c->feeds[i].name), 1);
                snprintf(var, sizeof(var), "WINNOW_FEED_%s_URL", upper);
                l.where = var;
            }
            wn_conf_error(&l, c->feeds[i].line, section, "url", "missing");
            l.where = NULL;
        }
    }
    if (c->opml != NULL) {
        wn_conf_opml(&l);
    }
    for (size_t i = 0; i < l.nlongs; i++) {
        free(l.longs[i]);
    }
    free(l.longs);
    wn_strset_free(&l.seen_set);
    for (size_t i = 0; i < l.nseen; i++) {
        free(l.seen[i].section);
        free(l.seen[i].name);
    }
    free(l.seen);
    free(data);
    *out = c;
    return l.failed ? WN_ECONFIG : 0;
}

int
wn_conf_default(struct wn_conf **out)
{
    struct wn_buf errors;
    struct wn_conf *c = calloc(1, sizeof(*c));
    int rc;

    *out = NULL;
    if (c == NULL) {
        return WN_ENOMEM;
    }
    c->path = strdup("(defaults)");
    c->dir = strdup(".");
    wn_buf_init(&errors, 4096);
    rc = c->path && c->dir ? wn_conf_defaults(c, &errors) : WN_ENOMEM;
    wn_buf_free(&errors);
    if (rc != 0) {
        wn_conf_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void
wn_conf_free(struct wn_conf *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < WN_CONF_NKEYS; i++) {
        const struct wn_conf_key *k = &wn_conf_keys[i];
        if (k->type == WN_CONF_STRING || k->type == WN_CONF_PATH
            || k->type == WN_CONF_FILE || k->type == WN_CONF_NETLIST)
        {
            free(*(char **) ((char *) c + k->offset));
        }
    }
    for (size_t i = 0; i < c->nfeeds; i++) {
        struct wn_conf_feed_fetch *ff = c->feeds[i].fetch;
        free(c->feeds[i].name);
        free(c->feeds[i].url);
        if (ff != NULL) {
            for (size_t k = 0; k < ff->nheaders; k++) {
                free(ff->headers[k]);
            }
            free(ff->headers);
            free(ff->user_agent);
            free(ff->cookie);
            free(ff->username);
            if (ff->password != NULL) {
                wn_conf_wipe(ff->password, strlen(ff->password));
            }
            free(ff->password);
            free(ff->proxy);
            free(ff->ca_file);
            free(ff);
        }
    }
    free(c->feeds);
    for (size_t i = 0; i < c->nplugins; i++) {
        for (size_t k = 0; k < c->plugins[i].nkvs; k++) {
            free(c->plugins[i].kvs[k].key);
            free(c->plugins[i].kvs[k].value);
        }
        free(c->plugins[i].kvs);
        free(c->plugins[i].name);
    }
    free(c->plugins);
    free(c->path);
    free(c->dir);
    free(c);
}
