/*
 * wn_admin_page.c: renders the status page and /feeds.  Every string from
 * a feed or the store is escaped here (feed titles and errors are
 * hostile); the page carries its own CSS and draws each feed's items per
 * day as an inline SVG bar chart, so it needs nothing from elsewhere.
 */
#include "wn_admin_page.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wn_err.h"
#include "wn_plugin.h"
#include "wn_time.h"

#define WN_PAGE_BAR_W   8  /* px per day in a chart */
#define WN_PAGE_CHART_H 28 /* px */

const char *
wn_admin_page_state(const struct wn_admin_feed_view *f)
{
    if (f->busy) {
        return "fetching";
    }
    if (f->error_count > 0) {
        return "failing";
    }
    return f->last_fetch == 0 ? "new" : "ok";
}

/* ---- HTML ---- */

struct wn_page {
    struct wn_buf *out;
    int rc;
};

static void wn_page_printf(struct wn_page *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
wn_page_printf(struct wn_page *p, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    int n;

    if (p->rc != 0) {
        return;
    }
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t) n >= sizeof(line)) {
        p->rc = WN_EINVAL; /* only fixed text and numbers come through here */
        return;
    }
    p->rc = wn_buf_append(p->out, line, (size_t) n);
}

/* Text escaped for element content and quoted attributes. */
static void
wn_page_text(struct wn_page *p, const char *s)
{
    const char *run = s;

    if (s == NULL || p->rc != 0) {
        return;
    }
    for (; p->rc == 0; s++) {
        const char *esc = NULL;
        switch (*s) {
        case '&': esc = "&amp;"; break;
        case '<': esc = "&lt;"; break;
        case '>': esc = "&gt;"; break;
        case '"': esc = "&quot;"; break;
        case '\'': esc = "&#39;"; break;
        case '\0': break;
        default: continue;
        }
        p->rc = wn_buf_append(p->out, run, (size_t) (s - run));
        if (*s == '\0' || p->rc != 0) {
            return;
        }
        p->rc = wn_buf_puts(p->out, esc);
        run = s + 1;
    }
}

/* "in 5m", "3h ago": how far t is from now. */
static void
wn_page_when(char *buf, size_t n, int64_t t, int64_t now)
{
    int64_t d = t >= now ? t - now : now - t;
    const char *unit = "s";

    if (d >= 86400 * 2) {
        d /= 86400;
        unit = "d";
    } else if (d >= 7200) {
        d /= 3600;
        unit = "h";
    } else if (d >= 120) {
        d /= 60;
        unit = "m";
    }
    if (t >= now) {
        snprintf(buf, n, "in %" PRId64 "%s", d, unit);
    } else {
        snprintf(buf, n, "%" PRId64 "%s ago", d, unit);
    }
}

static void
wn_page_time(struct wn_page *p, int64_t t, int64_t now, const char *none)
{
    char iso[WN_TIME_BUFSZ], rel[32];

    if (t == 0) {
        wn_page_printf(p, "<td class=\"none\">%s</td>", none);
        return;
    }
    wn_time_format(t, iso);
    wn_page_when(rel, sizeof(rel), t, now);
    wn_page_printf(p, "<td><time datetime=\"%s\" title=\"%s\">%s</time></td>",
                   iso, iso, rel);
}

static void
wn_page_chart(struct wn_page *p, const struct wn_admin_feed_view *f,
              int64_t today)
{
    uint32_t max = 0, total = 0;
    const int w = WN_PAGE_BAR_W * WN_ADMIN_DAYS;

    for (size_t i = 0; i < WN_ADMIN_DAYS; i++) {
        max = f->days[i] > max ? f->days[i] : max;
        total += f->days[i];
    }
    wn_page_printf(p,
                   "<td><svg class=\"chart\" width=\"%d\" height=\"%d\" "
                   "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%" PRIu32
                   " items in %d days\">",
                   w, WN_PAGE_CHART_H, w, WN_PAGE_CHART_H, total,
                   WN_ADMIN_DAYS);
    for (size_t i = 0; i < WN_ADMIN_DAYS; i++) {
        char day[WN_TIME_BUFSZ];
        int h = max == 0 ? 0
                         : (int) ((uint64_t) f->days[i] * (WN_PAGE_CHART_H - 2)
                                  / max);
        if (f->days[i] > 0 && h < 1) {
            h = 1;
        }
        wn_time_format((today - (int64_t) (WN_ADMIN_DAYS - 1 - i)) * 86400, day);
        day[10] = '\0';
        wn_page_printf(p,
                       "<rect x=\"%zu\" y=\"%d\" width=\"%d\" height=\"%d\">"
                       "<title>%s: %" PRIu32 "</title></rect>",
                       i * WN_PAGE_BAR_W + 1, WN_PAGE_CHART_H - h,
                       WN_PAGE_BAR_W - 2, h, day, f->days[i]);
    }
    wn_page_printf(p, "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></svg> "
                      "<span class=\"total\">%" PRIu32 "</span></td>",
                   WN_PAGE_CHART_H - 0, w, WN_PAGE_CHART_H, total);
}

static void
wn_page_feeds(struct wn_page *p, const struct wn_admin_view *v)
{
    wn_page_printf(p, "<h2>Feeds <small>(%zu)</small></h2>\n", v->nfeeds);
    wn_page_printf(p, "<table id=\"feeds\"><thead><tr><th>feed</th>"
                      "<th>state</th><th>last fetch</th><th>next fetch</th>"
                      "<th>last error</th><th>items per day, %d days</th>"
                      "</tr></thead><tbody>\n",
                   WN_ADMIN_DAYS);
    for (size_t i = 0; i < v->nfeeds; i++) {
        const struct wn_admin_feed_view *f = &v->feeds[i];
        const char *state = wn_admin_page_state(f);

        wn_page_printf(p, "<tr class=\"feed %s\"><td class=\"name\">", state);
        wn_page_text(p, f->name);
        if (f->title != NULL) {
            wn_page_printf(p, "<br><small>");
            wn_page_text(p, f->title);
            wn_page_printf(p, "</small>");
        }
        wn_page_printf(p, "<br><small class=\"url\">");
        wn_page_text(p, f->url);
        wn_page_printf(p, "</small></td><td class=\"state\">%s", state);
        if (f->error_count > 0) {
            wn_page_printf(p, " <small>(%ld in a row)</small>", f->error_count);
        }
        wn_page_printf(p, "</td>");
        wn_page_time(p, f->last_fetch, v->now, "never");
        wn_page_time(p, f->next_fetch, v->now, "now");
        wn_page_printf(p, "<td class=\"error\">");
        if (f->error_count > 0 && f->last_error != NULL) {
            wn_page_text(p, f->last_error);
        }
        wn_page_printf(p, "</td>");
        wn_page_chart(p, f, v->today);
        wn_page_printf(p, "</tr>\n");
    }
    wn_page_printf(p, "</tbody></table>\n");
}

static void
wn_page_plugins(struct wn_page *p, const struct wn_plugins *plugins)
{
    size_t n = plugins != NULL ? plugins->n : 0;

    wn_page_printf(p, "<h2>Plugins <small>(%zu)</small></h2>\n", n);
    wn_page_printf(p, "<table id=\"plugins\"><thead><tr><th>plugin</th>"
                      "<th>version</th><th>calls</th><th>declined</th>"
                      "<th>failed</th><th>clean time</th><th>mean</th>"
                      "</tr></thead><tbody>\n");
    for (size_t i = 0; i < n; i++) {
        const struct wn_plugin_inst *pl = plugins->v[i];
        uint64_t calls = atomic_load(&pl->calls);
        double secs = (double) atomic_load(&pl->nanoseconds) / 1e9;

        wn_page_printf(p, "<tr class=\"plugin\"><td class=\"name\">");
        wn_page_text(p, pl->desc.name);
        wn_page_printf(p, "</td><td>");
        wn_page_text(p, pl->desc.version);
        wn_page_printf(p,
                       "</td><td>%" PRIu64 "</td><td>%" PRIu64
                       "</td><td>%" PRIu64 "</td><td>%.3f s</td>"
                       "<td>%.2f ms</td></tr>\n",
                       calls, (uint64_t) atomic_load(&pl->declined),
                       (uint64_t) atomic_load(&pl->failures), secs,
                       calls > 0 ? secs * 1e3 / (double) calls : 0.0);
    }
    wn_page_printf(p, "</tbody></table>\n");
}

static const char wn_page_css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
    "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.5em}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{text-align:left;padding:.3em .6em;border-bottom:1px solid #ddd;"
    "vertical-align:top}"
    "small{color:#666}.url{word-break:break-all}"
    ".failing .state{color:#b00;font-weight:bold}.ok .state{color:#070}"
    ".fetching .state{color:#05a}.error{color:#b00;max-width:30em}"
    ".chart rect{fill:#48a}.chart line{stroke:#999}.none{color:#999}"
    "dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}"
    "dt{color:#666}.bad{color:#b00;font-weight:bold}";

int
wn_admin_page_html(const struct wn_admin_view *v, struct wn_buf *out)
{
    struct wn_page p = { out, 0 };
    char now[WN_TIME_BUFSZ];
    const struct wn_admin_live *l = v->live;
    size_t failing = 0;
    double up = l != NULL ? (double) (uv_hrtime() - l->started) / 1e9 : 0;

    for (size_t i = 0; i < v->nfeeds; i++) {
        failing += v->feeds[i].error_count > 0;
    }
    wn_time_format(v->now, now);
    wn_page_printf(&p,
                   "<!DOCTYPE html>\n<html lang=\"en\"><head>"
                   "<meta charset=\"utf-8\"><title>winnowd status</title>"
                   "<meta name=\"viewport\" content=\"width=device-width\">"
                   "<style>%s</style></head><body>\n"
                   "<h1>winnowd status</h1>\n<dl id=\"summary\">"
                   "<dt>time</dt><dd>%s</dd><dt>uptime</dt><dd>%.0f s</dd>"
                   "<dt>feeds</dt><dd>%zu, <span class=\"%s\">%zu failing"
                   "</span></dd>",
                   wn_page_css, now, up, v->nfeeds, failing ? "bad" : "",
                   failing);
    if (v->store_ok) {
        wn_page_printf(&p,
                       "<dt>store</dt><dd id=\"store\">%.1f MiB, %ld articles, "
                       "%ld items, %ld articles pending</dd>",
                       (double) v->store_bytes / (1024.0 * 1024.0),
                       v->articles, v->items, v->pending);
    } else {
        wn_page_printf(&p, "<dt>store</dt><dd id=\"store\" class=\"bad\">"
                           "unreadable: ");
        wn_page_text(&p, v->store_why);
        wn_page_printf(&p, "</dd>");
    }
    if (l != NULL && !l->store_ok) {
        wn_page_printf(&p, "<dt>writes</dt><dd class=\"bad\">failing: ");
        wn_page_text(&p, l->store_why);
        wn_page_printf(&p, "</dd>");
    }
    if (l != NULL && l->stopping) {
        wn_page_printf(&p, "<dt>state</dt><dd class=\"bad\">stopping</dd>");
    }
    wn_page_printf(&p, "</dl>\n");
    wn_page_feeds(&p, v);
    wn_page_plugins(&p, l != NULL ? l->plugins : NULL);
    wn_page_printf(&p, "<p><small>Also: <a href=\"/metrics\">/metrics</a> "
                       "<a href=\"/feeds\">/feeds</a> "
                       "<a href=\"/readyz\">/readyz</a></small></p>\n"
                       "</body></html>\n");
    return p.rc;
}

/* ---- JSON ---- */

static json_t *
wn_page_json_str(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *
wn_page_json_time(int64_t t)
{
    char buf[WN_TIME_BUFSZ];

    if (t == 0) {
        return json_null();
    }
    wn_time_format(t, buf);
    return json_string(buf);
}

int
wn_admin_page_json(const struct wn_admin_view *v, struct wn_buf *out)
{
    json_t *root = json_object(), *feeds = json_array(),
           *plugins = json_array(), *store = json_object();
    const struct wn_plugins *pl = v->live != NULL ? v->live->plugins : NULL;
    char *text;
    int rc;

    for (size_t i = 0; i < v->nfeeds; i++) {
        const struct wn_admin_feed_view *f = &v->feeds[i];
        json_t *o = json_object(), *days = json_array();

        json_object_set_new(o, "name", wn_page_json_str(f->name));
        json_object_set_new(o, "url", wn_page_json_str(f->url));
        json_object_set_new(o, "title", wn_page_json_str(f->title));
        json_object_set_new(o, "state",
                            json_string(wn_admin_page_state(f)));
        json_object_set_new(o, "last_fetch", wn_page_json_time(f->last_fetch));
        json_object_set_new(o, "last_ok", wn_page_json_time(f->last_ok));
        json_object_set_new(o, "next_fetch", wn_page_json_time(f->next_fetch));
        json_object_set_new(o, "last_status", json_integer(f->last_status));
        json_object_set_new(o, "error_count", json_integer(f->error_count));
        json_object_set_new(o, "last_error",
                            f->error_count > 0 ? wn_page_json_str(f->last_error)
                                               : json_null());
        for (size_t d = 0; d < WN_ADMIN_DAYS; d++) {
            json_array_append_new(days, json_integer(f->days[d]));
        }
        json_object_set_new(o, "items_per_day", days);
        json_array_append_new(feeds, o);
    }
    json_object_set_new(store, "ok", json_boolean(v->store_ok));
    json_object_set_new(store, "error", v->store_ok
                                            ? json_null()
                                            : wn_page_json_str(v->store_why));
    json_object_set_new(store, "bytes", json_integer(v->store_bytes));
    json_object_set_new(store, "articles", json_integer(v->articles));
    json_object_set_new(store, "items", json_integer(v->items));
    json_object_set_new(store, "pending", json_integer(v->pending));
    for (size_t i = 0; pl != NULL && i < pl->n; i++) {
        const struct wn_plugin_inst *p = pl->v[i];
        json_t *o = json_object();

        json_object_set_new(o, "name", wn_page_json_str(p->desc.name));
        json_object_set_new(o, "version", wn_page_json_str(p->desc.version));
        json_object_set_new(o, "calls",
                            json_integer((json_int_t) atomic_load(&p->calls)));
        json_object_set_new(
            o, "failures", json_integer((json_int_t) atomic_load(&p->failures)));
        json_object_set_new(o, "clean_seconds",
                            json_real((double) atomic_load(&p->nanoseconds)
                                      / 1e9));
        json_array_append_new(plugins, o);
    }
    json_object_set_new(root, "time", wn_page_json_time(v->now));
    json_object_set_new(root, "feeds", feeds);
    json_object_set_new(root, "store", store);
    json_object_set_new(root, "plugins", plugins);
    text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (text == NULL) {
        return WN_ENOMEM;
    }
    rc = wn_buf_puts(out, text);
    if (rc == 0) {
        rc = wn_buf_putc(out, '\n');
    }
    free(text);
    return rc;
}
