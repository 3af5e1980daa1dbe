/*
 * wn_log.c: formats and writes log lines to stderr (plain, journal or
 * JSON); it does not rotate, buffer or rate-limit (journald and the caller
 * do).
 */
#include "wn_log.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int wn_log_level = WN_LOG_NOTICE;
static int wn_log_format = WN_LOG_FORMAT_PLAIN;

static const char *const wn_log_names[] = {
    [WN_LOG_ERR] = "error",     [WN_LOG_WARNING] = "warning",
    [WN_LOG_NOTICE] = "notice", [WN_LOG_INFO] = "info",
    [WN_LOG_DEBUG] = "debug",
};

/* True when stderr is the stream journald gave us (systemd.exec(5)). */
static int
wn_log_stderr_is_journal(void)
{
    const char *env = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;

    if (env == NULL || sscanf(env, "%llu:%llu", &dev, &ino) != 2) {
        return 0;
    }
    if (fstat(STDERR_FILENO, &st) != 0) {
        return 0;
    }
    return (unsigned long long) st.st_dev == dev
           && (unsigned long long) st.st_ino == ino;
}

void
wn_log_init(int level, int format)
{
    if (level >= WN_LOG_ERR && level <= WN_LOG_DEBUG) {
        wn_log_level = level;
    }
    if (format == WN_LOG_FORMAT_AUTO) {
        format = wn_log_stderr_is_journal() ? WN_LOG_FORMAT_JOURNAL
                                            : WN_LOG_FORMAT_PLAIN;
    }
    wn_log_format = format;
}

int
wn_log_format_parse(const char *s)
{
    static const char *const names[] = {
        [WN_LOG_FORMAT_AUTO] = "auto",
        [WN_LOG_FORMAT_PLAIN] = "plain",
        [WN_LOG_FORMAT_JOURNAL] = "journal",
        [WN_LOG_FORMAT_JSON] = "json",
    };

    for (int i = 0; i < (int) (sizeof(names) / sizeof(names[0])); i++) {
        if (strcmp(s, names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

int
wn_log_format_get(void)
{
    return wn_log_format;
}

/* Bytes `c` takes once escaped by wn_log_quote(). */
static size_t
wn_log_quote_width(unsigned char c)
{
    return c < 0x20 || c == 0x7f ? 4 : c == '\\' || c == '"' ? 2 : 1;
}

const char *
wn_log_quote(char *buf, size_t cap, const char *text)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *) text;
    size_t n = 0, limit, room, total = 0;

    if (cap == 0) {
        return buf;
    }
    if (text == NULL) {
        snprintf(buf, cap, "(none)");
        return buf;
    }
    limit = cap - 1 < WN_LOG_QUOTE_MAX ? cap - 1 : WN_LOG_QUOTE_MAX;
    for (size_t i = 0; p[i] != '\0' && total <= limit; i++) {
        total += wn_log_quote_width(p[i]);
    }
    /* Cut: leave room for "...", and cut before a UTF-8 lead byte. */
    room = total <= limit ? limit : limit >= 3 ? limit - 3 : 0;
    for (size_t i = 0; p[i] != '\0'; i++) {
        size_t w = wn_log_quote_width(p[i]);

        if (n + w > room) {
            while ((p[i] & 0xc0) == 0x80 && n > 0
                   && ((unsigned char) buf[n - 1] & 0xc0) == 0x80)
            {
                n--; /* a continuation byte: back to the lead byte */
            }
            if ((p[i] & 0xc0) == 0x80 && n > 0
                && ((unsigned char) buf[n - 1] & 0xc0) == 0xc0)
            {
                n--; /* the sequence was not complete */
            }
            break;
        }
        if (w == 4) {
            buf[n++] = '\\';
            buf[n++] = 'x';
            buf[n++] = hex[p[i] >> 4];
            buf[n++] = hex[p[i] & 0xf];
        } else {
            if (w == 2) {
                buf[n++] = '\\';
            }
            buf[n++] = (char) p[i];
        }
    }
    if (total > limit && n + 3 <= limit) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

int
wn_log_level_parse(const char *s)
{
    for (int i = WN_LOG_ERR; i <= WN_LOG_DEBUG; i++) {
        if (strcmp(s, wn_log_names[i]) == 0) {
            return i;
        }
    }
    if (strcmp(s, "warn") == 0) {
        return WN_LOG_WARNING;
    }
    return -1;
}

/* Appends `src` to dst[*len..cap), escaping control bytes as \xNN. */
static void
wn_log_escape(char *dst, size_t *len, size_t cap, const char *src)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = *len;

    for (const unsigned char *p = (const unsigned char *) src; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            if (n + 4 >= cap) {
                break;
            }
            dst[n++] = '\\';
            dst[n++] = 'x';
            dst[n++] = hex[*p >> 4];
            dst[n++] = hex[*p & 0xf];
        } else {
            if (n + 1 >= cap) {
                break;
            }
            dst[n++] = (char) *p;
        }
    }
    *len = n;
}

/* Appends `src` as the inside of a JSON string: quotes, backslashes and
 * control bytes escaped; bytes >= 0x80 pass (the line is UTF-8 or the
 * reader replaces them). */
static void
wn_log_json_escape(char *dst, size_t *len, size_t cap, const char *src)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = *len;

    for (const unsigned char *p = (const unsigned char *) src; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            if (n + 6 >= cap) {
                break;
            }
            memcpy(dst + n, "\\u00", 4);
            dst[n + 4] = hex[*p >> 4];
            dst[n + 5] = hex[*p & 0xf];
            n += 6;
        } else if (*p == '"' || *p == '\\') {
            if (n + 2 >= cap) {
                break;
            }
            dst[n++] = '\\';
            dst[n++] = (char) *p;
        } else {
            if (n + 1 >= cap) {
                break;
            }
            dst[n++] = (char) *p;
        }
    }
    *len = n;
}

/* A JSON object line: {"time":"...","level":"...","component":"...",
 * "msg":"..."}; cut messages still close the object. */
static void
wn_log_json_line(char *line, size_t cap, size_t *len, int level,
                 const char *component, const char *msg)
{
    struct timespec ts;
    struct tm tm;
    size_t tail = 3; /* "}\n and the NUL */
    int n;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = snprintf(line, cap,
                 "{\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\","
                 "\"level\":\"%s\",\"priority\":%d,\"component\":\"",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
                 wn_log_names[level], level);
    *len = n > 0 ? (size_t) n : 0;
    wn_log_json_escape(line, len, cap - tail - 10,
                       component != NULL ? component : "");
    memcpy(line + *len, "\",\"msg\":\"", 9);
    *len += 9;
    wn_log_json_escape(line, len, cap - tail, msg);
    line[(*len)++] = '"';
    line[(*len)++] = '}';
}

void
wn_log_vwrite(int level, const char *component, const char *fmt, va_list ap)
{
    char msg[WN_LOG_LINE_MAX];
    char line[WN_LOG_LINE_MAX + 8];
    size_t len = 0;
    int n;

    if (level < WN_LOG_ERR) {
        level = WN_LOG_ERR;
    } else if (level > WN_LOG_DEBUG) {
        level = WN_LOG_DEBUG;
    }
    if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0) {
        return;
    }

    if (wn_log_format == WN_LOG_FORMAT_JSON) {
        wn_log_json_line(line, sizeof(line), &len, level, component, msg);
        line[len++] = '\n';
        ssize_t w = write(STDERR_FILENO, line, len);
        (void) w;
        return;
    }
    if (wn_log_format == WN_LOG_FORMAT_JOURNAL) {
        n = snprintf(line, sizeof(line), "<%d>", level);
    } else {
        struct timespec ts;
        struct tm tm;

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        n = snprintf(
            line, sizeof(line),
            "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s: ", tm.tm_year + 1900,
            tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
            ts.tv_nsec / 1000000, wn_log_names[level]);
    }
    if (n < 0) {
        return;
    }
    len = (size_t) n;
    if (component != NULL && *component != '\0') {
        wn_log_escape(line, &len, sizeof(line) - 1, component);
        if (len + 2 < sizeof(line)) {
            line[len++] = ':';
            line[len++] = ' ';
        }
    }
    wn_log_escape(line, &len, sizeof(line) - 1, msg);
    line[len++] = '\n';

    /* One write per line keeps lines whole between threads. */
    ssize_t w = write(STDERR_FILENO, line, len);
    (void) w;
}

void
wn_log_write(int level, const char *component, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    wn_log_vwrite(level, component, fmt, ap);
    va_end(ap);
}
