/*
 * wn_feed_hint.c: the schedule hints a publisher puts in a channel: RSS
 * 2.0 <ttl> (minutes), <skipHours><hour>N</hour></skipHours> (0-23, UTC),
 * <skipDays><day>Monday</day></skipDays>, and the RSS 1.0 syndication
 * module's sy:updatePeriod (hourly, daily, weekly, monthly, yearly) with
 * sy:updateFrequency (times per period).  Values out of range are ignored.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wn_feed_int.h"

#define WN_NS_SY "http://purl.org/rss/1.0/modules/syndication/"

#define WN_FEED_HINT_MAX (366L * 86400) /* longer hints are ignored */

/* A whole number in [min, max] from the element's text, or -1. */
static long
wn_feed_hint_num(struct wn_feed_ctx *ctx, xmlNodePtr node, long min, long max)
{
    const char *s = wn_feed_raw(ctx, node);
    char *end;
    long v;

    if (s == NULL || *s < '0' || *s > '9') {
        return -1;
    }
    v = strtol(s, &end, 10);
    return *end == '\0' && v >= min && v <= max ? v : -1;
}

int
wn_feed_hint(struct wn_feed_ctx *ctx, xmlNodePtr node, const char *ns)
{
    static const char *const days[] = { "Sunday",   "Monday", "Tuesday",
                                        "Wednesday", "Thursday", "Friday",
                                        "Saturday" };
    static const struct {
        const char *name;
        long secs;
    } periods[] = { { "hourly", 3600 },        { "daily", 86400 },
                    { "weekly", 7 * 86400 },   { "monthly", 30 * 86400 },
                    { "yearly", 365 * 86400 } };
    struct wn_feed_doc *doc = ctx->doc;
    long v;

    if (wn_feed_is(node, ns, "ttl")) {
        v = wn_feed_hint_num(ctx, node, 1, WN_FEED_HINT_MAX / 60);
        if (v > 0) {
            doc->ttl = v * 60;
        }
    } else if (wn_feed_is(node, ns, "skipHours")) {
        for (xmlNodePtr c = wn_feed_elem(node->children); c != NULL;
             c = wn_feed_elem(c->next))
        {
            /* 24 is midnight in some feeds. */
            v = wn_feed_is(c, ns, "hour") ? wn_feed_hint_num(ctx, c, 0, 24)
                                          : -1;
            if (v >= 0) {
                doc->skip_hours |= 1u << (v % 24);
            }
        }
    } else if (wn_feed_is(node, ns, "skipDays")) {
        for (xmlNodePtr c = wn_feed_elem(node->children); c != NULL;
             c = wn_feed_elem(c->next))
        {
            const char *s = wn_feed_is(c, ns, "day") ? wn_feed_raw(ctx, c)
                                                      : NULL;
            for (unsigned d = 0; s != NULL && d < 7; d++) {
                if (strcasecmp(s, days[d]) == 0) {
                    doc->skip_days |= 1u << d;
                }
            }
        }
    } else if (wn_feed_is(node, WN_NS_SY, "updatePeriod")) {
        const char *s = wn_feed_raw(ctx, node);
        long freq = 1;
        /* updateFrequency may come first: keep the divisor in the period. */
        if (doc->update_period < 0) {
            freq = -doc->update_period;
            doc->update_period = 0;
        } else if (doc->update_period > 0) {
            return 1; /* the first period wins */
        }
        for (size_t i = 0; s != NULL && i < sizeof(periods) / sizeof(*periods);
             i++) {
            if (strcasecmp(s, periods[i].name) == 0) {
                doc->update_period = periods[i].secs / freq;
            }
        }
        if (doc->update_period == 0 && freq > 1) {
            doc->update_period = 86400 / freq; /* daily is the default */
        }
    } else if (wn_feed_is(node, WN_NS_SY, "updateFrequency")) {
        v = wn_feed_hint_num(ctx, node, 1, 100000);
        if (v > 0) {
            if (doc->update_period > 0) {
                doc->update_period /= v;
                doc->update_period += doc->update_period == 0;
            } else {
                doc->update_period = -v; /* until the period comes */
            }
        }
    } else {
        return 0;
    }
    return 1;
}

void
wn_feed_hint_end(struct wn_feed_ctx *ctx)
{
    if (ctx->doc->update_period < 0) {
        long per_day = 86400 / -ctx->doc->update_period;
        ctx->doc->update_period = per_day > 0 ? per_day : 1;
    }
}
