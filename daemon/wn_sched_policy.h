/*
 * wn_sched_policy.h: how long a feed waits before its next fetch, as pure
 * functions of what is known (configuration bounds, the feed's hints, HTTP
 * freshness, the publishing rate, failures, Retry-After), so that the
 * rules are tested without a loop or a clock.
 */
#ifndef WN_SCHED_POLICY_H
#define WN_SCHED_POLICY_H

#include <stddef.h>
#include <stdint.h>

/* Adaptive intervals stay within [interval / 4, interval * 4]. */
#define WN_SCHED_ADAPT_FACTOR 4
/* Retry-After is honoured up to this long (s); longer values are capped. */
#define WN_SCHED_RETRY_AFTER_MAX (7L * 86400)
/* Failures never wait less than this (s), unless the interval is shorter. */
#define WN_SCHED_FAIL_MIN 60L

struct wn_sched_policy {
    long interval;    /* s: the feed's or [schedule] interval (>= 1) */
    int fixed;        /* the feed set its own interval: no adaptation */
    long min, max;    /* s: bounds; max >= 1 */
    long adaptive;    /* s: wn_sched_policy_rate(), 0 unknown or off */
    long ttl, period; /* s: <ttl>, sy:updatePeriod, 0 when absent */
    long max_age;     /* s: Cache-Control / Expires, -1 when absent */
    long jitter_pct;  /* spread either way, 0-50 */
    uint32_t skip_hours; /* bit h: not in UTC hour h */
    unsigned skip_days;  /* bit d: not on day d (0 Sunday) */
    int64_t now;         /* Unix seconds */
};

/*
 * The interval before jitter and skips: the adaptive one when known and
 * allowed (else the configured one), raised to the publisher's ttl,
 * update period and HTTP freshness, then clamped to [min, max].
 */
long wn_sched_policy_base(const struct wn_sched_policy *p);

/*
 * Seconds from now to the next fetch after a pass that worked: `base`
 * (from wn_sched_policy_base, or kept from an earlier pass) spread by
 * jitter with u uniform in [0, 1), then moved out of skipped hours and
 * days (unless they skip everything).  At least 1.
 */
long wn_sched_policy_next(const struct wn_sched_policy *p, long base, double u);

/*
 * Seconds to wait after the `errors`th failure in a row (>= 1): full
 * jitter, u * min(ceiling, interval * 2^(errors - 1)), but never less than
 * min(interval, WN_SCHED_FAIL_MIN); never more than `ceiling` (a failing
 * feed is retried for ever); at least retry_after (capped at
 * WN_SCHED_RETRY_AFTER_MAX) when that is >= 0.
 */
long wn_sched_policy_fail(long interval, long errors, long ceiling,
                          long retry_after, double u);

/*
 * The interval the publishing rate suggests: half the mean gap between the
 * newest (up to 20) item times, the time since the newest counting as one
 * more gap when longer; 0 with fewer than 3 dated items.  `times` are
 * Unix seconds in any order (sorted in place); values > now are ignored.
 */
long wn_sched_policy_rate(int64_t *times, size_t n, int64_t now);

#endif /* WN_SCHED_POLICY_H */
