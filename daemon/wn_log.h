/*
 * wn_log.h: one line per event on stderr: plain text with a timestamp, with
 * syslog priority prefixes when stderr is journald's stream, or one JSON
 * object per line.  Thread-safe: each line is written with one write(2).
 */
#ifndef WN_LOG_H
#define WN_LOG_H

#include <stdarg.h>

#include <winnow/host.h>

/* Longest line written, prefix included; longer messages are truncated. */
#define WN_LOG_LINE_MAX 2048

enum wn_log_format {
    WN_LOG_FORMAT_AUTO = 0, /* journal when stderr is journald's stream */
    WN_LOG_FORMAT_PLAIN,    /* "2026-11-21T10:00:00Z warning: ..." */
    WN_LOG_FORMAT_JOURNAL,  /* "<4>..." (sd-daemon(3)), no timestamp */
    WN_LOG_FORMAT_JSON      /* {"time":..,"level":..,"component":..,"msg":..} */
};

/* Feed-provided text in a message is cut to this many bytes. */
#define WN_LOG_QUOTE_MAX 200

/* The most verbose level written; read unlocked by WN_LOG(). */
extern int wn_log_level;

/* Sets the level and format; call before threads start. */
void wn_log_init(int level, int format);

/* Parses "auto", "plain", "journal", "json"; -1 if unknown. */
int wn_log_format_parse(const char *s);

/* The format in use (never AUTO once wn_log_init() ran). */
int wn_log_format_get(void);

/*
 * Writes `text` (untrusted: a title, a URL, a server's message) into
 * buf[cap] for a log message: control characters, backslashes and
 * quotes escaped, cut at WN_LOG_QUOTE_MAX bytes (and at cap) on a UTF-8
 * boundary with "..." appended.  Returns buf.
 */
const char *wn_log_quote(char *buf, size_t cap, const char *text);

/* Parses "err", "warning", "notice", "info", "debug"; -1 if unknown. */
int wn_log_level_parse(const char *s);

/*
 * Writes one line "component: message".  Control characters in the message
 * are escaped (feed text is hostile), so a line never spans lines.
 */
void wn_log_write(int level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void wn_log_vwrite(int level, const char *component, const char *fmt,
                   va_list ap) __attribute__((format(printf, 3, 0)));

/* Checks the level before formatting anything. */
#define WN_LOG(level, component, ...)                                          \
    do {                                                                       \
        if ((level) <= wn_log_level) {                                         \
            wn_log_write((level), (component), __VA_ARGS__);                   \
        }                                                                      \
    } while (0)

#endif /* WN_LOG_H */
