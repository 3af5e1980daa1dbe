/*
 * wn_sched_policy.c: the intervals of wn_sched_policy.h.
 */
#include "wn_sched_policy.h"

#include <stdlib.h>

#define WN_SCHED_RATE_ITEMS 20 /* newest items that set the rate */

static long
wn_sched_policy_clamp(long v, long lo, long hi)
{
    if (hi < 1) {
        hi = 1;
    }
    if (lo > hi) {
        lo = hi;
    }
    return v < lo ? lo : v > hi ? hi : v;
}

long
wn_sched_policy_base(const struct wn_sched_policy *p)
{
    long iv = p->interval > 0 ? p->interval : 1;

    if (!p->fixed && p->adaptive > 0) {
        iv = wn_sched_policy_clamp(p->adaptive,
                                   iv / WN_SCHED_ADAPT_FACTOR > 0
                                       ? iv / WN_SCHED_ADAPT_FACTOR
                                       : 1,
                                   iv * WN_SCHED_ADAPT_FACTOR);
    }
    /* The publisher's hints say how often is too often. */
    if (p->ttl > iv) {
        iv = p->ttl;
    }
    if (p->period > iv) {
        iv = p->period;
    }
    if (p->max_age > iv) {
        iv = p->max_age;
    }
    return wn_sched_policy_clamp(iv, p->min, p->max);
}

long
wn_sched_policy_next(const struct wn_sched_policy *p, long base, double u)
{
    double spread = (double) base * (double) p->jitter_pct / 100.0;
    long delay = base + (long) (spread * (2.0 * u - 1.0));
    int64_t t;

    if (delay < 1) {
        delay = 1;
    }
    if ((p->skip_hours & 0xffffffu) == 0xffffffu
        || (p->skip_days & 0x7fu) == 0x7fu
        || (p->skip_hours == 0 && p->skip_days == 0))
    {
        return delay;
    }
    /* Move forward an hour at a time (at most a week) out of skips. */
    t = p->now + delay;
    for (int i = 0; i < 24 * 8; i++) {
        int64_t day = t >= 0 ? t / 86400 : (t - 86399) / 86400;
        int hour = (int) ((t - day * 86400) / 3600);
        int wday = (int) (((day % 7) + 11) % 7); /* 1970-01-01: Thursday */
        if (!(p->skip_hours & (1u << hour)) && !(p->skip_days & (1u << wday)))
        {
            break;
        }
        t = day * 86400 + (int64_t) (hour + 1) * 3600;
    }
    return (long) (t - p->now);
}

long
wn_sched_policy_fail(long interval, long errors, long ceiling,
                     long retry_after, double u)
{
    long cap = interval > 0 ? interval : 1, floor, delay;

    if (ceiling < 1) {
        ceiling = 1;
    }
    for (long i = 1; i < errors && cap < ceiling; i++) {
        cap *= 2;
    }
    if (cap > ceiling) {
        cap = ceiling;
    }
    floor = interval < WN_SCHED_FAIL_MIN ? interval : WN_SCHED_FAIL_MIN;
    floor = floor > cap ? cap : floor;
    delay = (long) ((double) cap * u);
    if (delay < floor) {
        delay = floor;
    }
    if (retry_after >= 0) {
        if (retry_after > WN_SCHED_RETRY_AFTER_MAX) {
            retry_after = WN_SCHED_RETRY_AFTER_MAX;
        }
        if (delay < retry_after) {
            delay = retry_after;
        }
    }
    return delay > 0 ? delay : 1;
}

static int
wn_sched_policy_desc(const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;

    return x < y ? 1 : x > y ? -1 : 0;
}

long
wn_sched_policy_rate(int64_t *times, size_t n, int64_t now)
{
    size_t k = 0;
    int64_t span, since, gap;

    for (size_t i = 0; i < n; i++) {
        if (times[i] > 0 && times[i] <= now) {
            times[k++] = times[i];
        }
    }
    if (k < 3) {
        return 0;
    }
    qsort(times, k, sizeof(*times), wn_sched_policy_desc);
    if (k > WN_SCHED_RATE_ITEMS) {
        k = WN_SCHED_RATE_ITEMS;
    }
    span = times[0] - times[k - 1];
    gap = span / (int64_t) (k - 1);
    since = now - times[0];
    if (since > gap) {
        gap = (span + since) / (int64_t) k;
    }
    gap /= 2;
    return gap > 0 ? (long) (gap < 86400L * 365 ? gap : 86400L * 365) : 1;
}
