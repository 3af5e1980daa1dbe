/*
 * wn_charset.c: windows-1252 to UTF-8 by table.
 */
#include "wn_charset.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

/* 0x80..0x9f; the undefined bytes map to the C1 control of the same value,
 * as the WHATWG index does (the normalizer drops them later). */
static const uint16_t wn_charset_cp1252_high[32] = {
    0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
    0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
    0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
    0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};

int
wn_charset_param(const char *s, size_t n, const char *key, char *label,
                 size_t cap)
{
    const char *p = s, *end = s + n;
    size_t klen = strlen(key);

    while (p + klen <= end) {
        const char *v;
        size_t len = 0;
        char q;

        if (strncasecmp(p, key, klen) != 0) {
            p++;
            continue;
        }
        v = p + klen;
        p++;
        while (v < end && (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n'))
        {
            v++;
        }
        if (v == end || *v != '=') {
            continue;
        }
        v++;
        while (v < end && (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n'))
        {
            v++;
        }
        q = v < end ? *v : '\0';
        if (q == '"' || q == '\'') {
            v++;
        } else {
            q = ';'; /* a bare Content-Type parameter */
        }
        while (v < end && *v != q && *v != ' ' && *v != '>' && *v != '/'
               && (q != ';' || (*v != '"' && *v != '\'')) && len + 1 < cap)
        {
            label[len++] = *v++;
        }
        label[len] = '\0';
        return len > 0;
    }
    return 0;
}

int
wn_charset_is_cp1252(const char *label)
{
    static const char *const names[] = {
        "windows-1252", "cp1252", "x-cp1252",   "iso-8859-1",  "iso8859-1",
        "iso_8859-1",   "latin1", "l1",         "cp819",       "ibm819",
        "us-ascii",     "ascii",  "iso-ir-100", "csisolatin1", "ansi_x3.4-1968",
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(label, names[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

int
wn_charset_cp1252_to_utf8(const char *s, size_t n, struct wn_buf *out)
{
    const unsigned char *p = (const unsigned char *) s;
    size_t i = 0;

    while (i < n) {
        size_t run = i;
        uint32_t c;
        char u[3];
        int rc;

        /* Copy ASCII runs in one go. */
        while (run < n && p[run] < 0x80) {
            run++;
        }
        if (run > i) {
            rc = wn_buf_append(out, p + i, run - i);
            if (rc != 0) {
                return rc;
            }
            i = run;
            continue;
        }
        c = p[i] < 0xa0 ? wn_charset_cp1252_high[p[i] - 0x80] : p[i];
        if (c < 0x800) {
            u[0] = (char) (0xc0 | (c >> 6));
            u[1] = (char) (0x80 | (c & 0x3f));
            rc = wn_buf_append(out, u, 2);
        } else {
            u[0] = (char) (0xe0 | (c >> 12));
            u[1] = (char) (0x80 | ((c >> 6) & 0x3f));
            u[2] = (char) (0x80 | (c & 0x3f));
            rc = wn_buf_append(out, u, 3);
        }
        if (rc != 0) {
            return rc;
        }
        i++;
    }
    return 0;
}
