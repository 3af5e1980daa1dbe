/*
 * generic_date.c: reads the time a dateline states ("Wednesday, 24
 * February 2021 07:27 AM EST", "Published: March 3, 2021 at 5:12 p.m. ET",
 * "2021-02-24 12:27 UTC") and who a byline names ("By NAME", "NAME /
 * AGENCY"), so that a dateline or byline the filters remove still gives
 * the article its published time and author.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "generic.h"

/* Zone abbreviations in minutes east of UTC.  Ambiguous ones (IST, CST in
 * China, BST in Bangladesh) are read as their most common news use. */
static const struct {
    const char *name;
    int minutes;
} generic_zones[] = {
    { "utc", 0 },     { "gmt", 0 },     { "z", 0 },      { "est", -300 },
    { "edt", -240 },  { "et", -300 },   { "cst", -360 }, { "cdt", -300 },
    { "mst", -420 },  { "mdt", -360 },  { "pst", -480 }, { "pdt", -420 },
    { "akst", -540 }, { "akdt", -480 }, { "hst", -600 }, { "ast", 180 },
    { "bst", 60 },    { "wet", 0 },     { "west", 60 },  { "cet", 60 },
    { "cest", 120 },  { "eet", 120 },   { "eest", 180 }, { "msk", 180 },
    { "ist", 330 },   { "pkt", 300 },   { "sgt", 480 },  { "hkt", 480 },
    { "jst", 540 },   { "kst", 540 },   { "aest", 600 }, { "aedt", 660 },
    { "acst", 570 },  { "awst", 480 },  { "nzst", 720 }, { "nzdt", 780 },
};

static const char *const generic_months[] = { "jan", "feb", "mar", "apr",
                                              "may", "jun", "jul", "aug",
                                              "sep", "oct", "nov", "dec" };

struct generic_date {
    int year, month, day, hour, minute, second;
    int zone; /* minutes east of UTC */
    int have_time, have_zone, pm, am;
};

static int
generic_date_month(const char *w, size_t n)
{
    if (n < 3) {
        return 0;
    }
    for (int m = 0; m < 12; m++) {
        if (strncasecmp(w, generic_months[m], 3) == 0) {
            return m + 1;
        }
    }
    return 0;
}

static int
generic_date_zone(const char *w, size_t n, int *minutes)
{
    for (size_t i = 0; i < sizeof(generic_zones) / sizeof(generic_zones[0]);
         i++) {
        if (strlen(generic_zones[i].name) == n
            && strncasecmp(w, generic_zones[i].name, n) == 0)
        {
            *minutes = generic_zones[i].minutes;
            return 1;
        }
    }
    return 0;
}

/* A number of 1..4 digits at s; its value and digits. */
static size_t
generic_date_num(const char *s, int *v)
{
    size_t n = 0;

    *v = 0;
    while (n < 5 && s[n] >= '0' && s[n] <= '9') {
        *v = *v * 10 + (s[n] - '0');
        n++;
    }
    return n;
}

/* "+05:30", "-0500", "+3" after a zone name or a time; 0 if none. */
static size_t
generic_date_offset(const char *s, int *minutes)
{
    int sign, h, m = 0;
    size_t n, k;

    if (*s != '+' && *s != '-' && strncmp(s, "\xe2\x88\x92", 3) != 0) {
        return 0;
    }
    sign = *s == '+' ? 1 : -1;
    k = *s == '+' || *s == '-' ? 1 : 3;
    n = generic_date_num(s + k, &h);
    if (n == 4) {
        m = h % 100;
        h /= 100;
    } else if (n == 1 || n == 2) {
        if (s[k + n] == ':' && generic_date_num(s + k + n + 1, &m) == 2) {
            n += 3;
        }
    } else {
        return 0;
    }
    if (h > 14 || m > 59) {
        return 0;
    }
    *minutes = sign * (h * 60 + m);
    return k + n;
}

/* Reads one token at s into d; returns bytes used (0: stop, not a date). */
static size_t
generic_date_token(const char *s, struct generic_date *d, int *nums, int *num,
                   size_t *nnum)
{
    size_t n;
    int v;

    if ((n = generic_date_num(s, &v)) > 0) {
        /* hh:mm[:ss] */
        if ((s[n] == ':' || (s[n] == '.' && d->day > 0 && d->year > 0))
            && n <= 2 && generic_date_num(s + n + 1, &d->minute) == 2)
        {
            size_t k = n + 3;
            d->hour = v;
            d->have_time = 1;
            if (s[k] == ':' && generic_date_num(s + k + 1, &d->second) == 2) {
                k += 3;
            }
            return k;
        }
        /* yyyy-mm-dd */
        if (n == 4 && (s[4] == '-' || s[4] == '/' || s[4] == '.')) {
            int m, dd;
            size_t a = generic_date_num(s + 5, &m), b;
            if (a >= 1 && a <= 2 && s[5 + a] == s[4]
                && (b = generic_date_num(s + 6 + a, &dd)) >= 1 && b <= 2)
            {
                d->year = v;
                d->month = m;
                d->day = dd;
                return 6 + a + b;
            }
            return 0;
        }
        if (*nnum < 3) {
            nums[(*nnum)++] = v;
            num[*nnum - 1] = (int) n;
        }
        /* "24th" */
        if (s[n] != '\0' && strchr("snrt", s[n]) != NULL
            && (strncasecmp(s + n, "st", 2) == 0
                || strncasecmp(s + n, "nd", 2) == 0
                || strncasecmp(s + n, "rd", 2) == 0
                || strncasecmp(s + n, "th", 2) == 0))
        {
            n += 2;
        }
        return n;
    }
    return 0;
}

/* The date at s, or -1. */
static int
generic_date_read(const char *s, struct generic_date *d)
{
    int nums[3], digits[3];
    size_t nnum = 0;

    memset(d, 0, sizeof(*d));
    while (*s != '\0') {
        const char *w = s;
        size_t n = 0;
        int v;

        if (*s == ' ' || *s == ',' || *s == '|' || *s == '/' || *s == '-'
            || *s == '(' || *s == ')' || *s == '.' || *s == '@' || *s == ':'
            || *s == '\t')
        {
            if (*s == '-' || *s == '+') {
                size_t k = d->have_time ? generic_date_offset(s, &v) : 0;
                if (k > 0) {
                    d->zone = v;
                    d->have_zone = 1;
                    s += k;
                    continue;
                }
            }
            s++;
            continue;
        }
        if (*s == '+') {
            size_t k = generic_date_offset(s, &v);
            if (k == 0) {
                return -1;
            }
            d->zone = v;
            d->have_zone = 1;
            s += k;
            continue;
        }
        if (((unsigned char) *s & 0x80) != 0) {
            /* A dash or a dot in UTF-8 ("–", "·"): a separator. */
            s++;
            while (((unsigned char) *s & 0xc0) == 0x80) {
                s++;
            }
            continue;
        }
        if (*s >= '0' && *s <= '9') {
            n = generic_date_token(s, d, nums, digits, &nnum);
            if (n == 0) {
                return -1;
            }
            s += n;
            continue;
        }
        while ((w[n] >= 'a' && w[n] <= 'z') || (w[n] >= 'A' && w[n] <= 'Z')) {
            n++;
        }
        if (n == 0) {
            return -1;
        }
        s = w + n;
        if ((v = generic_date_month(w, n)) > 0 && d->month == 0) {
            d->month = v;
        } else if ((n == 2 || n == 1)
                   && (strncasecmp(w, "am", n) == 0
                       || strncasecmp(w, "a", n) == 0))
        {
            d->am = 1;
            if (n == 1 && s[0] == '.' && (s[1] == 'm' || s[1] == 'M')) {
                s += 2;
            }
        } else if ((n == 2 || n == 1)
                   && (strncasecmp(w, "pm", n) == 0
                       || strncasecmp(w, "p", n) == 0))
        {
            d->pm = 1;
            if (n == 1 && s[0] == '.' && (s[1] == 'm' || s[1] == 'M')) {
                s += 2;
            }
        } else if (generic_date_zone(w, n, &v)) {
            d->zone = v;
            d->have_zone = 1;
            if (*s == '+' || *s == '-') {
                size_t k = generic_date_offset(s, &v);
                if (k > 0) {
                    d->zone += v;
                    s += k;
                }
            }
        }
        /* Other words (weekdays, "published", "updated", "at", "on") are
         * labels: the filter's pattern already said the line is a date. */
    }
    if (d->month == 0 && d->year == 0 && nnum == 3) {
        /* dd/mm/yyyy or mm/dd/yyyy: only when the order is certain. */
        if (digits[2] != 4 || (nums[0] <= 12 && nums[1] <= 12)) {
            return -1;
        }
        d->year = nums[2];
        d->day = nums[0] > 12 ? nums[0] : nums[1];
        d->month = nums[0] > 12 ? nums[1] : nums[0];
    }
    /* Loose numbers: a day and a year beside a month name. */
    for (size_t i = 0; i < nnum; i++) {
        if (digits[i] == 4 && d->year == 0) {
            d->year = nums[i];
        } else if (digits[i] <= 2 && d->day == 0 && d->month > 0) {
            d->day = nums[i];
        }
    }
    if (d->year < 1990 || d->year > 2200 || d->month < 1 || d->month > 12
        || d->day < 1 || d->day > 31)
    {
        return -1;
    }
    if (d->have_time) {
        if (d->pm || d->am) {
            if (d->hour < 1 || d->hour > 12) {
                return -1;
            }
            d->hour = d->hour % 12 + (d->pm ? 12 : 0);
        }
        if (d->hour > 23 || d->minute > 59 || d->second > 60) {
            return -1;
        }
    }
    return 0;
}

int
generic_date_parse(const char *s, char *out, size_t cap, int *zoned)
{
    struct generic_date d;
    int n, z;

    if (generic_date_read(s, &d) != 0) {
        return -1;
    }
    z = d.have_zone ? d.zone : 0;
    n = snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", d.year,
                 d.month, d.day, d.hour, d.minute, d.second, z < 0 ? '-' : '+',
                 (z < 0 ? -z : z) / 60, (z < 0 ? -z : z) % 60);
    *zoned = d.have_zone && d.have_time;
    return n > 0 && (size_t) n < cap ? 0 : -1;
}

int
generic_byline_name(const char *s, char *out, size_t cap)
{
    static const char *const lead[] = { "written by", "posted by", "words by",
                                        "story by",   "text by",   "report by",
                                        "by" };
    size_t n = strlen(s);

    for (size_t i = 0; i < sizeof(lead) / sizeof(lead[0]); i++) {
        size_t k = strlen(lead[i]);
        if (n > k + 1 && strncasecmp(s, lead[i], k) == 0
            && (s[k] == ' ' || s[k] == ':'))
        {
            s += k;
            while (*s == ' ' || *s == ':') {
                s++;
            }
            n = strlen(s);
            break;
        }
    }
    if (n == 0 || n >= cap || strpbrk(s, ".!?") != NULL || generic_words(s) > 8)
    {
        return -1;
    }
    memcpy(out, s, n + 1);
    return 0;
}
