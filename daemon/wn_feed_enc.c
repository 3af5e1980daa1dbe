/*
 * wn_feed_enc.c: decides which character encoding a feed is in and converts
 * it to UTF-8 with iconv, so that the scan and libxml2 only ever read UTF-8.
 * It reads no markup beyond the XML declaration.
 */
#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

#include "wn_charset.h"
#include "wn_err.h"
#include "wn_feed_int.h"
#include "wn_text.h"

#define WN_FEED_ENC_DECL_SCAN 1024  /* bytes searched for <?xml ... ?> */
#define WN_FEED_ENC_LABEL_MAX 48    /* longest encoding name kept */
#define WN_FEED_ENC_CHUNK     16384 /* iconv output per round */
/* UTF-8 from a single-byte charset is at most three times as long. */
#define WN_FEED_ENC_MAX_UTF8 (3 * (size_t) WN_FEED_MAX_BYTES)

static const char *
wn_feed_enc_find(const char *h, size_t n, const char *needle)
{
    size_t m = strlen(needle);

    for (const char *p = h; n >= m && (p = memchr(p, needle[0], n - m + 1));
         p++) {
        if (memcmp(p, needle, m) == 0) {
            return p;
        }
        n -= (size_t) (p - h) + 1;
        h = p + 1;
    }
    return NULL;
}

/* The encoding named by an XML declaration at the start. */
static int
wn_feed_enc_declared(const char *data, size_t len, char *label, size_t cap)
{
    size_t scan = len < WN_FEED_ENC_DECL_SCAN ? len : WN_FEED_ENC_DECL_SCAN;
    const char *decl = wn_feed_enc_find(data, scan, "<?xml");
    const char *end;

    if (decl == NULL) {
        return 0;
    }
    end = wn_feed_enc_find(decl, scan - (size_t) (decl - data), "?>");
    if (end == NULL) {
        return 0;
    }
    return wn_charset_param(decl, (size_t) (end - decl), "encoding", label,
                            cap);
}

static int
wn_feed_enc_is(const char *label, const char *const *names)
{
    for (; *names != NULL; names++) {
        if (strcasecmp(label, *names) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Labels that cannot describe a document whose first bytes are ASCII. */
static int
wn_feed_enc_is_wide(const char *label)
{
    return strncasecmp(label, "utf-16", 6) == 0
           || strncasecmp(label, "utf-32", 6) == 0
           || strncasecmp(label, "ucs-", 4) == 0
           || strcasecmp(label, "unicode") == 0;
}

/* Charsets in which bytes below 0x80 always mean ASCII (not UTF-7, HZ or
 * ISO-2022, whose escapes are made of ASCII bytes). */
static int
wn_feed_enc_ascii_safe(const char *label)
{
    return strncasecmp(label, "utf-7", 5) != 0
           && strncasecmp(label, "hz", 2) != 0 && strstr(label, "2022") == NULL;
}

static int
wn_feed_enc_all_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char) s[i] >= 0x80 || s[i] == 0x1b) {
            return 0;
        }
    }
    return 1;
}

/* in[0..n) from charset `from` to UTF-8, appended to out; bytes iconv
 * cannot convert become U+FFFD and set *damaged. */
static int
wn_feed_enc_convert(const char *from, const char *in, size_t n,
                    struct wn_buf *out, int *damaged)
{
    char chunk[WN_FEED_ENC_CHUNK];
    iconv_t cd = iconv_open("UTF-8", from);
    char *ip = (char *) (uintptr_t) in; /* iconv(3) does not write it */
    size_t ileft = n;
    int rc = 0, done = 0;

    if (cd == (iconv_t) -1) {
        return WN_EINVAL;
    }
    while (rc == 0 && !done) {
        char *op = chunk;
        size_t oleft = sizeof(chunk);
        size_t r = ileft > 0 ? iconv(cd, &ip, &ileft, &op, &oleft)
                             : iconv(cd, NULL, NULL, &op, &oleft);
        int e = errno;

        rc = wn_buf_append(out, chunk, sizeof(chunk) - oleft);
        if (rc != 0) {
            break;
        }
        if (r != (size_t) -1) {
            done =
                ileft == 0 && op == chunk; /* input and shift state flushed */
            continue;
        }
        if (e == E2BIG) {
            continue;
        }
        if (e == EILSEQ || e == EINVAL) {
            /* An invalid or truncated sequence: one byte becomes U+FFFD. */
            *damaged = 1;
            rc = wn_buf_append(out, "\xef\xbf\xbd", 3);
            ip++;
            ileft--;
            continue;
        }
        rc = WN_EINVAL;
    }
    iconv_close(cd);
    return rc;
}

/* windows-1252 by table (wn_charset.c): every byte maps, unlike iconv's
 * WINDOWS-1252, which refuses the five undefined ones. */
static int
wn_feed_enc_cp1252(const char *data, size_t len, struct wn_buf *conv,
                   const char **text, size_t *text_len, struct wn_err *err)
{
    int rc = wn_charset_cp1252_to_utf8(data, len, conv);

    if (rc != 0) {
        return wn_err_set(err, rc, "over %zu bytes once converted to UTF-8",
                          WN_FEED_ENC_MAX_UTF8);
    }
    *text = conv->data != NULL ? conv->data : "";
    *text_len = conv->len;
    return 0;
}

/* Length of the valid UTF-8 sequence at p[0..n) (1 for ASCII), or 0. */
static size_t
wn_feed_enc_seq(const unsigned char *p, size_t n)
{
    unsigned char c = p[0], lo = 0x80, hi = 0xbf;
    size_t len;

    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80; /* no overlong forms */
        hi = c == 0xed ? 0x9f : 0xbf; /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf; /* nothing above U+10FFFF */
    } else {
        return 0;
    }
    if (n < len || p[1] < lo || p[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < len; i++) {
        if (p[i] < 0x80 || p[i] > 0xbf) {
            return 0;
        }
    }
    return len;
}

/*
 * Text that should be UTF-8 but is not: valid sequences are kept, a byte
 * that starts a sequence its next byte continues but that breaks later
 * (a truncated character) and the continuation bytes after it become
 * U+FFFD, and any other byte is read as windows-1252, which is what a
 * CMS pasted into its UTF-8 template ("caf\xe9", curly quotes in
 * 0x91..0x94).
 */
static int
wn_feed_enc_mixed(const char *data, size_t len, struct wn_buf *conv,
                  const char **text, size_t *text_len, int *mixed,
                  struct wn_err *err)
{
    const unsigned char *u = (const unsigned char *) data;
    size_t i = 0, run = 0;
    int rc = 0, broken = 0, multibyte = 0, replaced = 0;

    while (i < len && rc == 0) {
        size_t n = wn_feed_enc_seq(u + i, len - i);

        if (n > 0) {
            multibyte |= n > 1;
            i += n;
            run += n;
            broken = 0;
            continue;
        }
        rc = wn_buf_append(conv, data + i - run, run);
        run = 0;
        if (rc != 0) {
            break;
        }
        if ((broken && u[i] >= 0x80 && u[i] <= 0xbf)
            || (u[i] >= 0xc2 && u[i] <= 0xf4 && i + 1 < len && u[i + 1] >= 0x80
                && u[i + 1] <= 0xbf))
        {
            broken = replaced = 1;
            rc = wn_buf_append(conv, "\xef\xbf\xbd", 3);
        } else {
            broken = 0;
            rc = wn_charset_cp1252_to_utf8(data + i, 1, conv);
        }
        i++;
    }
    if (rc == 0) {
        rc = wn_buf_append(conv, data + i - run, run);
    }
    if (rc != 0) {
        return wn_err_set(err, rc, "over %zu bytes once converted to UTF-8",
                          WN_FEED_ENC_MAX_UTF8);
    }
    *text = conv->data != NULL ? conv->data : "";
    *text_len = conv->len;
    *mixed = multibyte || replaced; /* not plain windows-1252 */
    return 0;
}

int
wn_feed_enc_utf8(const char *data, size_t len, const char *content_type,
                 struct wn_buf *conv, const char **text, size_t *text_len,
                 int *damaged, struct wn_err *err)
{
    static const char *const utf8[] = { "utf-8", "utf8", NULL };
    const unsigned char *u = (const unsigned char *) data;
    char label[WN_FEED_ENC_LABEL_MAX];
    const char *from = NULL;
    int rc, mixed;

    *text = data;
    *text_len = len;
    *damaged = 0;
    wn_buf_init(conv, WN_FEED_ENC_MAX_UTF8);

    /* A byte order mark decides; so do the first bytes of "<?" in UTF-16. */
    if (len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) {
        *text = data + 3;
        *text_len = len - 3;
        return 0;
    }
    if (len >= 2
        && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff)))
    {
        from = u[0] == 0xff ? "UTF-16LE" : "UTF-16BE";
        data += 2;
        len -= 2;
    } else if (len >= 4 && memcmp(data, "<\0?\0", 4) == 0) {
        from = "UTF-16LE";
    } else if (len >= 4 && memcmp(data, "\0<\0?", 4) == 0) {
        from = "UTF-16BE";
    } else {
        /* RFC 7303 3.2: the HTTP charset, then the XML declaration. */
        if ((content_type != NULL
             && wn_charset_param(content_type, strlen(content_type),
                                 "charset", label, sizeof(label)))
            || wn_feed_enc_declared(data, len, label, sizeof(label)))
        {
            from = label;
        }
        if (from != NULL && wn_feed_enc_is(from, utf8)) {
            if (wn_text_utf8_valid(data, len)) {
                return 0;
            }
            *damaged = 1; /* the label says UTF-8: it lied */
            return wn_feed_enc_mixed(data, len, conv, text, text_len, &mixed,
                                     err);
        }
        /* WHATWG: these labels mean windows-1252, which is what such feeds
         * hold in practice (curly quotes in 0x80..0x9f). */
        if (from != NULL
            && (wn_charset_is_cp1252(from) || strcasecmp(from, "latin-1") == 0))
        {
            if (wn_feed_enc_all_ascii(data, len)) {
                return 0;
            }
            /* Latin-1 labels on valid non-ASCII UTF-8 come from templates
             * and server defaults that lie: real Latin-1 text is almost
             * never valid UTF-8. */
            if (wn_text_utf8_valid(data, len)) {
                *damaged = 1;
                return 0;
            }
            return wn_feed_enc_cp1252(data, len, conv, text, text_len, err);
        }
        if (from != NULL && wn_feed_enc_is_wide(from)) {
            from = NULL; /* ASCII bytes labelled UTF-16: the label lies */
            *damaged = 1;
        }
        if (from != NULL && wn_feed_enc_ascii_safe(from)
            && wn_feed_enc_all_ascii(data, len))
        {
            return 0;
        }
        if (from == NULL) {
            if (wn_text_utf8_valid(data, len)) {
                return 0;
            }
            /* XML's default is UTF-8: recovered the same way; a feed all
             * in windows-1252 that just names no charset is not damaged. */
            return wn_feed_enc_mixed(data, len, conv, text, text_len, damaged,
                                     err);
        }
    }
    rc = wn_feed_enc_convert(from, data, len, conv, damaged);
    if (rc == WN_EINVAL && from == label) {
        /* A charset iconv does not know: guess as if there were no label. */
        *damaged = 1;
        wn_buf_reset(conv);
        if (wn_text_utf8_valid(data, len)) {
            return 0;
        }
        return wn_feed_enc_mixed(data, len, conv, text, text_len, &mixed, err);
    }
    if (rc == WN_ETOOBIG) {
        return wn_err_set(err, rc, "over %zu bytes once converted to UTF-8",
                          WN_FEED_ENC_MAX_UTF8);
    }
    if (rc != 0) {
        return wn_err_set(err, rc, "cannot convert from %s to UTF-8: %s", from,
                          wn_strerror(rc));
    }
    *text = conv->data != NULL ? conv->data : "";
    *text_len = conv->len;
    return 0;
}
