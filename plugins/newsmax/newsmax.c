/*
 * newsmax.c: a site plugin for www.newsmax.com, and the example of what
 * declarative rules (plugins/rules) cannot express:
 *
 *  - the dateline ("Wednesday, 24 February 2021 07:27 AM EST", sometimes
 *    without the zone) is US Eastern wall-clock time: turning it into UTC
 *    needs the daylight-saving rule, not a pattern;
 *  - the tag line's links become the article's tags (rules have no tags);
 *  - the "articleSchema" box repeats the first paragraph as a teaser: it is
 *    removed only when it really echoes the body, a comparison between
 *    two nodes that an XPath expression cannot make.
 *
 * Everything else (related-story boxes, the newsletter and comment boxes)
 * is plain removal by XPath, as a rule file would do it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <winnow/winnow.h>

static const char *const newsmax_hosts[] = { "www.newsmax.com", "newsmax.com",
                                             NULL };
static const struct wn_host *host;

static int
newsmax_init(const struct wn_host *h, const void *conf, void **state,
             struct wn_err *err)
{
    (void) conf;
    (void) err;
    host = h; /* read-only after init: safe from every thread */
    *state = NULL;
    return 0;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long long
newsmax_days(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned) (y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long) doe - 719468;
}

/* Day of the month of the n-th Sunday of month m (n >= 1). */
static unsigned
newsmax_sunday(long long y, unsigned m, unsigned n)
{
    long long first = newsmax_days(y, m, 1);
    unsigned wd = (unsigned) (((first % 7) + 11) % 7); /* 0: Sunday */
    return 1 + (7 - wd) % 7 + 7 * (n - 1);
}

/* Is local wall-clock time (days, minutes) inside US daylight saving time
 * (second Sunday of March 02:00 to first Sunday of November 02:00)? */
static int
newsmax_us_dst(long long y, unsigned m, unsigned d, unsigned minutes)
{
    unsigned start = newsmax_sunday(y, 3, 2), end = newsmax_sunday(y, 11, 1);

    if (m < 3 || m > 11) {
        return 0;
    }
    if (m > 3 && m < 11) {
        return 1;
    }
    if (m == 3) {
        return d > start || (d == start && minutes >= 120);
    }
    return d < end || (d == end && minutes < 120);
}

/* "[Weekday, ]D Month YYYY HH:MM AM|PM [EST|EDT]" to RFC 3339 UTC. */
static int
newsmax_dateline(const char *s, char *out, size_t cap)
{
    static const char *const months[] = { "january", "february", "march",
                                          "april",   "may",      "june",
                                          "july",    "august",   "september",
                                          "october", "november", "december" };
    char month[16], ampm[3], zone[8] = "";
    unsigned d, hh, mm, m = 0;
    int y, n, offset;
    const char *comma = strchr(s, ',');
    long long t;

    n = sscanf(comma != NULL ? comma + 1 : s, " %u %15s %d %u:%u %2s %7s", &d,
               month, &y, &hh, &mm, ampm, zone);
    if (n < 6 || d < 1 || d > 31 || hh < 1 || hh > 12 || mm > 59 || y < 1995
        || y > 9999)
    {
        return WN_EPARSE;
    }
    while (m < 12 && strcasecmp(month, months[m]) != 0) {
        m++;
    }
    if (m == 12) {
        return WN_EPARSE;
    }
    m++;
    hh = hh % 12 + (strcasecmp(ampm, "PM") == 0 ? 12 : 0);
    if (strcasecmp(zone, "EDT") == 0) {
        offset = -4;
    } else if (strcasecmp(zone, "EST") == 0) {
        offset = -5;
    } else if (zone[0] == '\0' || strcasecmp(zone, "ET") == 0) {
        offset = newsmax_us_dst(y, m, d, hh * 60 + mm) ? -4 : -5;
    } else {
        return WN_EPARSE;
    }
    t = newsmax_days(y, m, d) * 86400 + (hh - offset) * 3600LL + mm * 60;
    long long days = t / 86400, rem = t % 86400;
    /* civil_from_days */
    long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned) (z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153, dd = doy - (153 * mp + 2) / 5 + 1;
    unsigned mo = mp < 10 ? mp + 3 : mp - 9;
    long long yy = (long long) yoe + era * 400 + (mo <= 2);
    n = snprintf(out, cap, "%04lld-%02u-%02uT%02lld:%02lld:00Z", yy, mo, dd,
                 rem / 3600, rem % 3600 / 60);
    return n > 0 && (size_t) n < cap ? 0 : WN_ETOOBIG;
}

/* Is n's class attribute exactly `cls`? */
static int
newsmax_class_is(xmlNodePtr n, const char *cls)
{
    for (xmlAttrPtr a = n->properties; a != NULL; a = a->next) {
        if (strcmp((const char *) a->name, "class") == 0) {
            return a->children != NULL && a->children->next == NULL
                   && a->children->content != NULL
                   && strcmp((const char *) a->children->content, cls) == 0;
        }
    }
    return 0;
}

/* The first element below root whose class is `cls`, in document order;
 * an iterative walk, so a deep page cannot exhaust the stack. */
static xmlNodePtr
newsmax_find(xmlNodePtr root, const char *cls)
{
    xmlNodePtr n = root;

    while (n != NULL) {
        if (n->type == XML_ELEMENT_NODE && newsmax_class_is(n, cls)) {
            return n;
        }
        if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
            n = n->children;
            continue;
        }
        while (n != NULL && n != root && n->next == NULL) {
            n = n->parent;
        }
        n = (n == NULL || n == root) ? NULL : n->next;
    }
    return NULL;
}

static int
newsmax_process(void *state, struct wn_call *call, const struct wn_item *item,
                struct wn_doc *doc)
{
    xmlNodePtr root = xmlDocGetRootElement(host->doc_tree(doc));
    xmlNodePtr date = newsmax_find(root, "artDate");
    xmlNodePtr tags = newsmax_find(root, "artTags");
    xmlNodePtr echo = newsmax_find(root, "articleSchema");
    char when[32];

    (void) state;
    (void) item;
    if (host->select_main(call, doc, "//div[@id='mainArticleDiv']") != 0) {
        return WN_EDECLINED; /* not an article page */
    }
    if (date != NULL && host->meta_get(doc, WN_META_PUBLISHED) == NULL
        && newsmax_dateline(host->node_text(call, date), when, sizeof(when))
               == 0)
    {
        host->meta_set(call, doc, WN_META_PUBLISHED, when);
    }
    for (xmlNodePtr a = tags ? tags->children : NULL; a != NULL; a = a->next) {
        if (a->type == XML_ELEMENT_NODE
            && strcmp((const char *) a->name, "a") == 0) {
            host->tag_add(call, doc, host->node_text(call, a));
        }
    }
    /* The teaser box echoes the body's opening words: compare them. */
    if (echo != NULL) {
        struct wn_block *b;
        size_t n;
        const char *teaser = host->node_text(call, echo);
        if (host->blocks(call, doc, &b, &n) == 0 && n > 0 && teaser != NULL
            && strncmp(teaser, b[0].text, b[0].len < 60 ? b[0].len : 60) == 0)
        {
            host->remove_node(call, doc, echo, "newsmax: teaser echo");
        }
    }
    host->remove_xpath(call, doc, "//div[@class='nmRelatedInline']",
                       "newsmax: related stories");
    host->drop_matching(call, doc, "^©\\s*AFP\\s+\\d{4}$",
                        "newsmax: wire copyright");
    return 0;
}

WN_PLUGIN_DESCRIPTOR = {
    WN_PLUGIN_INIT,
    .name = "newsmax",
    .version = "1.0.0",
    .summary = "www.newsmax.com: Eastern-time datelines, tags, teaser echo",
    .hosts = newsmax_hosts,
    .init = newsmax_init,
    .process = newsmax_process,
};
