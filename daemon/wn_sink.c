/*
 * wn_sink.c: the set of sinks: encodes each stored article once as a JSON
 * Lines record, hands it to every sink, flushes them after each batch and
 * joins their backpressure.  Delivering is each sink's own job.
 */
#include "wn_sink.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "wn_conf.h"
#include "wn_err.h"
#include "wn_extract.h"
#include "wn_log.h"
#include "wn_metrics.h"
#include "wn_time.h"

struct wn_sinks {
    struct wn_sink *v[WN_SINKS_MAX];
    size_t n;
    struct wn_buf line;
    void (*room_cb)(void *arg);
    void *room_arg;
    size_t closing; /* sinks still closing */
    void (*close_cb)(void *arg);
    void *close_arg;
};

static json_t *
wn_sink_json_str(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *
wn_sink_json_time(const char *s)
{
    char buf[WN_TIME_BUFSZ];
    int64_t t;

    if (s == NULL || wn_time_parse(s, &t) != 0) {
        return json_null();
    }
    wn_time_format(t, buf);
    return json_string(buf);
}

int
wn_sink_record(const char *feed, const char *url, const struct wn_article *a,
               int64_t stored_at, struct wn_buf *out)
{
    json_t *o = json_object(), *plugins = json_array(), *tags = json_array();
    char when[WN_TIME_BUFSZ];
    const char *p = a->plugins;
    char *text;
    int rc;

    json_object_set_new(o, "url", wn_sink_json_str(url));
    json_object_set_new(o, "feed", wn_sink_json_str(feed));
    json_object_set_new(o, "title", wn_sink_json_str(a->meta[WN_META_TITLE]));
    json_object_set_new(o, "author",
                        wn_sink_json_str(a->meta[WN_META_AUTHOR]));
    json_object_set_new(o, "published",
                        wn_sink_json_time(a->meta[WN_META_PUBLISHED]));
    json_object_set_new(o, "updated",
                        wn_sink_json_time(a->meta[WN_META_UPDATED]));
    json_object_set_new(o, "lang", wn_sink_json_str(a->meta[WN_META_LANG]));
    json_object_set_new(o, "site", wn_sink_json_str(a->meta[WN_META_SITE]));
    json_object_set_new(o, "text", json_stringn(a->text, a->len));
    json_object_set_new(o, "words", json_integer((json_int_t) a->words));
    while (p != NULL && *p != '\0') {
        size_t n = strcspn(p, " ");
        if (n > 0) {
            json_array_append_new(plugins, json_stringn(p, n));
        }
        p += n;
        p += *p == ' ';
    }
    json_object_set_new(o, "plugins", plugins);
    for (size_t i = 0; i < a->ntags; i++) {
        json_array_append_new(tags, json_string(a->tags[i]));
    }
    json_object_set_new(o, "tags", tags);
    json_object_set_new(o, "hash", json_string(a->hash));
    wn_time_format(stored_at, when);
    json_object_set_new(o, "stored_at", json_string(when));
    text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (text == NULL) {
        return WN_ENOMEM;
    }
    rc = wn_buf_puts(out, text);
    free(text);
    return rc;
}

int
wn_sinks_open(uv_loop_t *loop, const struct wn_conf *conf,
              struct wn_sinks **out, struct wn_err *err)
{
    struct wn_sinks *s = calloc(1, sizeof(*s));
    int rc = 0;

    *out = NULL;
    if (s == NULL) {
        return wn_err_set(err, WN_ENOMEM, "sinks: out of memory");
    }
    wn_buf_init(&s->line, WN_SINK_RECORD_MAX);
    if (conf->sink_jsonl != NULL && conf->sink_jsonl[0] != '\0') {
        char *path = strcmp(conf->sink_jsonl, "-") == 0
                         ? strdup("-")
                         : wn_conf_path(conf, conf->sink_jsonl);
        rc = path != NULL ? wn_sink_jsonl_open(loop, path, &s->v[s->n], err)
                          : wn_err_set(err, WN_ENOMEM, "out of memory");
        free(path);
        s->n += s->v[s->n] != NULL; /* a failed sink is still closed */
    }
    if (rc == 0 && conf->webhook_url != NULL && conf->webhook_url[0] != '\0') {
        rc = wn_sink_webhook_open(loop, conf, &s->v[s->n], err);
        s->n += rc == 0;
    }
    for (size_t i = 0; i < s->n; i++) {
        s->v[i]->set = s;
    }
    if (rc != 0) {
        wn_sinks_close(s, 0, NULL, NULL);
        return rc;
    }
    *out = s;
    return 0;
}

void
wn_sinks_article(struct wn_sinks *s, const char *feed, const char *url,
                 const struct wn_article *a)
{
    int rc;

    if (s == NULL || s->n == 0) {
        return;
    }
    wn_buf_reset(&s->line);
    rc = wn_sink_record(feed, url, a, wn_time_now(), &s->line);
    for (size_t i = 0; i < s->n; i++) {
        struct wn_sink *k = s->v[i];
        if (rc == 0) {
            rc = k->ops->put(k, s->line.data, s->line.len);
        }
        if (rc != 0) {
            wn_metrics_add(WN_M_SINK_ERRORS, k->ops->name, NULL, 1);
            WN_LOG(WN_LOG_ERR, "sink", "%s: %s: cannot take the record: %s",
                   k->ops->name, url, wn_strerror(rc));
        }
    }
}

void
wn_sinks_flush(void *arg)
{
    struct wn_sinks *s = arg;

    for (size_t i = 0; s != NULL && i < s->n; i++) {
        s->v[i]->ops->flush(s->v[i]);
    }
}

size_t
wn_sinks_space(const struct wn_sinks *s)
{
    size_t least = SIZE_MAX;

    for (size_t i = 0; s != NULL && i < s->n; i++) {
        size_t n = s->v[i]->ops->space(s->v[i]);
        least = n < least ? n : least;
    }
    return least;
}

int
wn_sinks_full(const struct wn_sinks *s)
{
    return wn_sinks_space(s) == 0;
}

size_t
wn_sinks_queued(const struct wn_sinks *s)
{
    size_t n = 0;

    for (size_t i = 0; s != NULL && i < s->n; i++) {
        n += s->v[i]->ops->queued(s->v[i]);
    }
    return n;
}

void
wn_sinks_on_room(struct wn_sinks *s, void (*cb)(void *arg), void *arg)
{
    if (s != NULL) {
        s->room_cb = cb;
        s->room_arg = arg;
    }
}

void
wn_sinks_room(struct wn_sinks *s)
{
    if (s->room_cb != NULL && !wn_sinks_full(s)) {
        s->room_cb(s->room_arg);
    }
}

static void
wn_sinks_closed(struct wn_sinks *s)
{
    void (*cb)(void *);
    void *arg;

    if (--s->closing > 0) {
        return;
    }
    cb = s->close_cb;
    arg = s->close_arg;
    wn_buf_free(&s->line);
    free(s);
    if (cb != NULL) {
        cb(arg);
    }
}

void
wn_sinks_close(struct wn_sinks *s, long bound_ms, void (*cb)(void *arg),
               void *arg)
{
    size_t n;

    if (s == NULL) {
        if (cb != NULL) {
            cb(arg);
        }
        return;
    }
    s->room_cb = NULL;
    s->close_cb = cb;
    s->close_arg = arg;
    n = s->n;
    s->closing = n + 1; /* one for this call, so none frees the set early */
    for (size_t i = 0; i < n; i++) {
        s->v[i]->set = s;
        s->v[i]->ops->close(s->v[i], bound_ms, wn_sinks_closed);
    }
    s->n = 0;
    wn_sinks_closed(s);
}
