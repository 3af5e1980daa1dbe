/*
 * wn_time.c: a tolerant date parser and an RFC 3339 formatter.  No
 * strptime (locale-dependent) and no timegm (not in POSIX): the calendar
 * arithmetic is done here.
 */
#include "wn_time.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <winnow/error.h>

int64_t
wn_time_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Howard Hinnant's days_from_civil. */
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned) (y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t) doe - 719468;
}

static void
wn_time_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned) (z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t) yoe + era * 400 + (*m <= 2);
}

size_t
wn_time_format(int64_t t, char buf[WN_TIME_BUFSZ])
{
    int64_t days, secs, y;
    unsigned m, d;
    int n;

    if (t == WN_TIME_NONE) {
        buf[0] = '\0';
        return 0;
    }
    days = t / 86400;
    secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    wn_time_civil_from_days(days, &y, &m, &d);
    n = snprintf(buf, WN_TIME_BUFSZ, "%04lld-%02u-%02uT%02d:%02d:%02dZ",
                 (long long) y, m, d, (int) (secs / 3600),
                 (int) (secs / 60 % 60), (int) (secs % 60));
    return n > 0 && n < WN_TIME_BUFSZ ? (size_t) n : 0;
}

int64_t
wn_time_now(void)
{
    return (int64_t) time(NULL);
}

/* A small cursor over the input. */
struct wn_tp {
    const char *p;
    int zoned; /* a zone (name, offset or Z) was read */
};

static void
wn_tp_skip_space(struct wn_tp *c)
{
    while (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r') {
        c->p++;
    }
}

/* Reads 1..max digits; returns the count read (0 if none). */
static int
wn_tp_digits(struct wn_tp *c, int max, int *out)
{
    int n = 0, v = 0;

    while (n < max && *c->p >= '0' && *c->p <= '9') {
        v = v * 10 + (*c->p - '0');
        c->p++;
        n++;
    }
    *out = v;
    return n;
}

static int
wn_tp_lower(int ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch | 0x20 : ch;
}

/* Reads a run of ASCII letters (at most cap-1) into word, lower-cased. */
static size_t
wn_tp_word(struct wn_tp *c, char *word, size_t cap)
{
    size_t n = 0;

    while ((*c->p >= 'a' && *c->p <= 'z') || (*c->p >= 'A' && *c->p <= 'Z')) {
        if (n + 1 < cap) {
            word[n++] = (char) wn_tp_lower(*c->p);
        }
        c->p++;
    }
    word[n] = '\0';
    return n;
}

static int
wn_time_month(const char *w)
{
    static const char *const names[] = { "jan", "feb", "mar", "apr",
                                         "may", "jun", "jul", "aug",
                                         "sep", "oct", "nov", "dec" };
    if (strlen(w) < 3) {
        return 0;
    }
    for (int i = 0; i < 12; i++) {
        if (strncmp(w, names[i], 3) == 0) {
            return i + 1;
        }
    }
    return 0;
}

static int
wn_time_is_weekday(const char *w)
{
    static const char *const names[] = { "mon", "tue", "wed", "thu",
                                         "fri", "sat", "sun" };
    if (strlen(w) < 3) {
        return 0;
    }
    for (int i = 0; i < 7; i++) {
        if (strncmp(w, names[i], 3) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Zone names of RFC 822 and the common ones beside them, in minutes. */
static int
wn_time_zone_name(const char *w, int *minutes)
{
    static const struct {
        const char *name;
        int minutes;
    } zones[] = {
        { "ut", 0 },         { "utc", 0 },        { "gmt", 0 },
        { "z", 0 },          { "est", -5 * 60 },  { "edt", -4 * 60 },
        { "cst", -6 * 60 },  { "cdt", -5 * 60 },  { "mst", -7 * 60 },
        { "mdt", -6 * 60 },  { "pst", -8 * 60 },  { "pdt", -7 * 60 },
        { "akst", -9 * 60 }, { "akdt", -8 * 60 }, { "hst", -10 * 60 },
        { "ast", -4 * 60 },  { "adt", -3 * 60 },  { "nst", -210 },
        { "ndt", -150 },     { "bst", 60 },       { "ist", 330 },
        { "cet", 60 },       { "cest", 120 },     { "met", 60 },
        { "mest", 120 },     { "eet", 120 },      { "eest", 180 },
        { "wet", 0 },        { "west", 60 },      { "msk", 180 },
        { "jst", 540 },      { "kst", 540 },      { "hkt", 480 },
        { "sgt", 480 },      { "aest", 600 },     { "aedt", 660 },
        { "acst", 570 },     { "awst", 480 },     { "nzst", 720 },
        { "nzdt", 780 },
    };

    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
        if (strcmp(w, zones[i].name) == 0) {
            *minutes = zones[i].minutes;
            return 1;
        }
    }
    /* RFC 822 military zones: treated as UTC, as RFC 1123 advises. */
    if (strlen(w) == 1 && w[0] != 'j') {
        *minutes = 0;
        return 1;
    }
    return 0;
}

/* "+hhmm", "-hh:mm", "+hh"; returns 1 and minutes on success. */
static int
wn_tp_offset(struct wn_tp *c, int *minutes)
{
    int sign, hh, mm = 0, n;

    if (*c->p != '+' && *c->p != '-') {
        return 0;
    }
    sign = *c->p == '-' ? -1 : 1;
    c->p++;
    n = wn_tp_digits(c, 4, &hh);
    if (n == 4) {
        mm = hh % 100;
        hh /= 100;
    } else if (n == 1 || n == 2) {
        if (*c->p == ':') {
            c->p++;
            if (wn_tp_digits(c, 2, &mm) != 2) {
                return 0;
            }
        } else if (wn_tp_digits(c, 2, &mm) == 1) {
            return 0;
        }
    } else {
        return 0;
    }
    if (hh > 18 || mm > 59) {
        return 0;
    }
    *minutes = sign * (hh * 60 + mm);
    return 1;
}

static int
wn_time_valid(int y, int mo, int d, int h, int mi, int s)
{
    static const int mdays[] = {
        31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };

    if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1]) {
        return 0;
    }
    if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) {
        return 0;
    }
    /* 24:00:00 and leap second 60 are accepted and roll over. */
    return h <= 24 && mi <= 59 && s <= 60;
}

static int64_t
wn_time_make(int y, int mo, int d, int h, int mi, int s, int zone_minutes)
{
    return wn_time_days_from_civil(y, (unsigned) mo, (unsigned) d) * 86400
           + (int64_t) h * 3600 + (int64_t) mi * 60 + s
           - (int64_t) zone_minutes * 60;
}

static int
wn_time_year2(int y, int ndigits)
{
    if (ndigits <= 2) {
        return y < 50 ? 2000 + y : 1900 + y;
    }
    return y;
}

/* Reads "hh:mm[:ss[.frac]]" (also "hh.mm"); returns 1 on success. */
static int
wn_tp_clock(struct wn_tp *c, int *h, int *mi, int *s)
{
    *s = 0;
    if (wn_tp_digits(c, 2, h) == 0 || (*c->p != ':' && *c->p != '.')) {
        return 0;
    }
    c->p++;
    if (wn_tp_digits(c, 2, mi) != 2) {
        return 0;
    }
    if (*c->p == ':') {
        c->p++;
        if (wn_tp_digits(c, 2, s) != 2) {
            return 0;
        }
        if (*c->p == '.' || *c->p == ',') {
            int frac;
            c->p++;
            while (wn_tp_digits(c, 9, &frac) == 9) {
            }
        }
    }
    return 1;
}

/*
 * After a zone name (its offset in *minutes): an offset added to it
 * ("GMT+2", "UTC-05:00"), if one follows.  0 when that offset is
 * malformed or the sum is beyond a day ("HST-15" is no zone).
 */
static int
wn_tp_name_offset(struct wn_tp *c, int *minutes)
{
    int extra;

    if (*c->p != '+' && *c->p != '-') {
        return 1;
    }
    if (!wn_tp_offset(c, &extra)) {
        return 0;
    }
    *minutes += extra;
    return *minutes >= -24 * 60 && *minutes <= 24 * 60;
}

/* Zone after a time: offset, Z or a name; absent means UTC. */
static int
wn_tp_zone(struct wn_tp *c, int *minutes)
{
    char word[8];

    *minutes = 0;
    wn_tp_skip_space(c);
    if (*c->p == '+' || *c->p == '-') {
        c->zoned = 1;
        return wn_tp_offset(c, minutes);
    }
    if (wn_tp_word(c, word, sizeof(word)) == 0) {
        return 1;
    }
    if (!wn_time_zone_name(word, minutes)) {
        /* An unknown zone name ("XYZT") says as little as no zone: the
         * time is kept and read as the zoneless rule says. */
        size_t n = strlen(word);
        wn_tp_skip_space(c);
        return (n >= 2 && n <= 5 && *c->p == '\0') || strcmp(word, "am") == 0
               || strcmp(word, "pm") == 0;
    }
    c->zoned = 1;
    return wn_tp_name_offset(c, minutes);
}

/* RFC 3339 / ISO 8601: 2021-02-24T12:27:00Z, 2021-02-24 12:27+01:00,
 * 20210224T122700Z, 2021-02-24. */
static int
wn_time_parse_iso(const char *s, int64_t *out, int *zoned)
{
    struct wn_tp c = { s, 0 };
    int y, mo, d, h = 0, mi = 0, sec = 0, zone = 0, n;

    wn_tp_skip_space(&c);
    n = wn_tp_digits(&c, 4, &y);
    if (n != 4) {
        return WN_EPARSE;
    }
    /* W3C-DTF (dc:date) allows "YYYY" and "YYYY-MM": the first instant. */
    d = mo = 1;
    if (*c.p == '\0'
        || (*c.p == '-' && c.p[1] >= '0' && c.p[1] <= '9' && c.p[2] >= '0'
            && c.p[2] <= '9' && c.p[3] == '\0'))
    {
        if (*c.p == '-') {
            c.p++;
            wn_tp_digits(&c, 2, &mo);
        }
    } else if (*c.p == '-' || *c.p == '/') {
        char sep = *c.p++;
        if (wn_tp_digits(&c, 2, &mo) == 0 || *c.p != sep) {
            return WN_EPARSE;
        }
        c.p++;
        if (wn_tp_digits(&c, 2, &d) == 0) {
            return WN_EPARSE;
        }
    } else {
        if (wn_tp_digits(&c, 2, &mo) != 2 || wn_tp_digits(&c, 2, &d) != 2) {
            return WN_EPARSE;
        }
    }
    if (*c.p == 'T' || *c.p == 't' || *c.p == ' ') {
        const char *save = c.p++;
        wn_tp_skip_space(&c);
        if (*c.p >= '0' && *c.p <= '9') {
            const char *t = c.p;
            int hh;
            if (wn_tp_digits(&c, 6, &hh) == 6) {
                /* basic format hhmmss */
                h = hh / 10000;
                mi = hh / 100 % 100;
                sec = hh % 100;
            } else {
                c.p = t;
                if (!wn_tp_clock(&c, &h, &mi, &sec)) {
                    return WN_EPARSE;
                }
            }
            if (!wn_tp_zone(&c, &zone)) {
                return WN_EPARSE;
            }
        } else {
            c.p = save;
        }
    } else if (*c.p == 'Z' || *c.p == 'z') {
        c.p++;
        c.zoned = 1;
    }
    wn_tp_skip_space(&c);
    if (*c.p != '\0' || !wn_time_valid(y, mo, d, h, mi, sec)) {
        return WN_EPARSE;
    }
    *out = wn_time_make(y, mo, d, h, mi, sec, zone);
    *zoned = c.zoned;
    return 0;
}

/* RFC 822/2822 and the usual damage: "Wed, 24 Feb 2021 12:27:00 GMT",
 * "24 Feb 21 12:27 +0000", "Wednesday, 24 February 2021 07:27 AM EST",
 * "Feb 24, 2021 12:27:00 PM". */
static int
wn_time_parse_rfc822(const char *s, int64_t *out, int *zoned)
{
    struct wn_tp c = { s, 0 };
    char word[16];
    int y = -1, mo = 0, d = -1, h = 0, mi = 0, sec = 0, zone = 0, ny = 0;
    int have_time = 0, have_zone = 0, pm = -1;

    for (int guard = 0; *c.p != '\0' && guard < 32; guard++) {
        wn_tp_skip_space(&c);
        if (*c.p == ',' || *c.p == '.' || *c.p == '-' || *c.p == '/') {
            if (have_time && (*c.p == '-') && mo != 0 && y >= 0) {
                break; /* an offset after the time */
            }
            if (have_time && *c.p == '-' && y < 0 && !have_zone && c.p[1] >= '0'
                && c.p[1] <= '9')
            {
                /* "Wed Feb 24 12:27:00 -0500 2021": zone before year */
                if (!wn_tp_offset(&c, &zone)) {
                    return WN_EPARSE;
                }
                have_zone = 1;
                continue;
            }
            c.p++;
            continue;
        }
        if (*c.p >= '0' && *c.p <= '9') {
            const char *start = c.p;
            int v, n = wn_tp_digits(&c, 4, &v);

            if (*c.p == ':' && !have_time) {
                c.p = start;
                if (!wn_tp_clock(&c, &h, &mi, &sec)) {
                    return WN_EPARSE;
                }
                have_time = 1;
            } else if (d < 0 && n <= 2 && v >= 1 && v <= 31) {
                d = v;
                /* "24th" */
                if (wn_tp_word(&c, word, sizeof(word)) > 0 && strcmp(word, "st")
                    && strcmp(word, "nd") && strcmp(word, "rd")
                    && strcmp(word, "th"))
                {
                    return WN_EPARSE;
                }
            } else if (y < 0) {
                y = v;
                ny = n;
            } else {
                return WN_EPARSE;
            }
            continue;
        }
        if ((*c.p >= 'a' && *c.p <= 'z') || (*c.p >= 'A' && *c.p <= 'Z')) {
            const char *start = c.p;
            int m;

            wn_tp_word(&c, word, sizeof(word));
            if (mo == 0 && (m = wn_time_month(word)) != 0) {
                mo = m;
            } else if (wn_time_is_weekday(word) && !have_time) {
                /* ignored: feeds get day names wrong */
            } else if (strcmp(word, "am") == 0 || strcmp(word, "pm") == 0) {
                pm = word[0] == 'p';
            } else if (strcmp(word, "at") == 0 || strcmp(word, "on") == 0) {
            } else if (have_time && !have_zone && y < 0
                       && wn_time_zone_name(word, &zone)) {
                /* date(1) and asctime forms: "Wed Feb 24 12:27:00 UTC 2021" */
                have_zone = 1;
            } else {
                c.p = start;
                break;
            }
            continue;
        }
        if (*c.p == '+') {
            if (have_time && y < 0 && !have_zone) {
                /* "Wed Feb 24 12:27:00 +0000 2021" (Twitter) */
                if (!wn_tp_offset(&c, &zone)) {
                    return WN_EPARSE;
                }
                have_zone = 1;
                continue;
            }
            break;
        }
        return WN_EPARSE;
    }
    if (y < 0 || mo == 0 || d < 0) {
        return WN_EPARSE;
    }
    if (!have_zone && (have_time || *c.p != '\0')) {
        if (!wn_tp_zone(&c, &zone)) {
            return WN_EPARSE;
        }
        wn_tp_skip_space(&c);
        if (*c.p == '(') {
            /* "(EST)" comments after the zone */
            while (*c.p != '\0' && *c.p != ')') {
                c.p++;
            }
            if (*c.p == ')') {
                c.p++;
            }
        }
        wn_tp_skip_space(&c);
        if (*c.p != '\0') {
            char tail[8];
            if (wn_tp_word(&c, tail, sizeof(tail)) > 0
                && (strcmp(tail, "am") == 0 || strcmp(tail, "pm") == 0))
            {
                pm = tail[0] == 'p';
                wn_tp_skip_space(&c);
                if (*c.p != '\0' && !wn_tp_zone(&c, &zone)) {
                    return WN_EPARSE;
                }
            }
            wn_tp_skip_space(&c);
            if (*c.p != '\0') {
                return WN_EPARSE;
            }
        }
    }
    if (pm >= 0) {
        if (h < 1 || h > 12) {
            return WN_EPARSE;
        }
        h = pm ? (h % 12) + 12 : h % 12;
    }
    y = wn_time_year2(y, ny);
    if (!wn_time_valid(y, mo, d, h, mi, sec)) {
        return WN_EPARSE;
    }
    *out = wn_time_make(y, mo, d, h, mi, sec, zone);
    *zoned = have_zone || c.zoned;
    return 0;
}

int
wn_time_parse_zone(const char *s, int zone_minutes, int64_t *out)
{
    const char *p = s;
    int zoned = 0;

    if (s == NULL) {
        return WN_EPARSE;
    }
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
        p++;
    }
    if (strlen(p) > 64) {
        return WN_EPARSE;
    }
    /* Four digits then a separator or digits: ISO; anything else: RFC 822. */
    if (!(p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9'
          && p[2] >= '0' && p[2] <= '9' && p[3] >= '0' && p[3] <= '9'
          && wn_time_parse_iso(p, out, &zoned) == 0)
        && wn_time_parse_rfc822(p, out, &zoned) != 0)
    {
        return WN_EPARSE;
    }
    if (!zoned) {
        *out -= (int64_t) zone_minutes * 60;
    }
    return 0;
}

int
wn_time_parse(const char *s, int64_t *out)
{
    return wn_time_parse_zone(s, 0, out);
}

int
wn_time_parse_offset(const char *s, int *minutes)
{
    struct wn_tp c = { s, 0 };
    char word[8];

    if (s == NULL) {
        return WN_EINVAL;
    }
    wn_tp_skip_space(&c);
    if (*c.p == '+' || *c.p == '-') {
        if (!wn_tp_offset(&c, minutes)) {
            return WN_EINVAL;
        }
    } else if (wn_tp_word(&c, word, sizeof(word)) == 0
               || !wn_time_zone_name(word, minutes) || strlen(word) == 1)
    {
        return WN_EINVAL;
    } else if (!wn_tp_name_offset(&c, minutes)) {
        return WN_EINVAL;
    }
    wn_tp_skip_space(&c);
    return *c.p == '\0' ? 0 : WN_EINVAL;
}
