/*
 * wn_cmd.c: the offline subcommands (parse, clean, check-config, plugins)
 * and what they share: reading files, loading the configuration and the
 * plugins.  The daemon commands live in wn_daemon.c.
 */
#include "wn_cmd.h"

#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "wn_conf.h"
#include "wn_err.h"
#include "wn_extract.h"
#include "wn_feed.h"
#include "wn_html.h"
#include "wn_log.h"
#include "wn_plugin.h"
#include "wn_time.h"

int
wn_cmd_read_file(const char *path, size_t max, char **data, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    struct wn_buf b;
    char chunk[65536];
    size_t n;
    int rc = 0;

    *data = NULL;
    *len = 0;
    if (f == NULL) {
        return -errno;
    }
    wn_buf_init(&b, max);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        rc = wn_buf_append(&b, chunk, n);
        if (rc != 0) {
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        rc = -EIO;
    }
    if (f != stdin) {
        fclose(f);
    }
    if (rc != 0) {
        wn_buf_free(&b);
        return rc;
    }
    *len = b.len;
    *data = wn_buf_steal(&b);
    return *data != NULL ? 0 : WN_ENOMEM;
}

/* The plugin folder beside the binary, as in the build tree. */
static char *
wn_cmd_exe_plugin_dir(void)
{
    char exe[4096];
    size_t n = sizeof(exe);
    struct stat st;
    char *slash, *dir;

    if (uv_exepath(exe, &n) != 0) {
        return NULL;
    }
    slash = strrchr(exe, '/');
    if (slash == NULL) {
        return NULL;
    }
    *slash = '\0';
    n = strlen(exe) + sizeof("/plugins");
    dir = malloc(n);
    if (dir == NULL) {
        return NULL;
    }
    snprintf(dir, n, "%s/plugins", exe);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        free(dir);
        return NULL;
    }
    return dir;
}

struct wn_conf *
wn_cmd_conf(const struct wn_opts *o, int optional)
{
    struct wn_conf *conf = NULL;
    struct wn_buf errors;
    const char *path = o->config;
    int rc;

    (void) optional; /* without a file: defaults and the environment */
    if (path == NULL) {
        path = getenv("WINNOW_CONFIG");
        if (path != NULL && *path == '\0') {
            path = NULL;
        }
    }
    wn_buf_init(&errors, 1u << 20);
    rc = wn_conf_load(path, &conf, &errors);
    if (rc != 0) {
        if (errors.len > 0) {
            fputs(errors.data, stderr);
        } else {
            fprintf(stderr, "winnowd: configuration: %s\n", wn_strerror(rc));
        }
        wn_buf_free(&errors);
        wn_conf_free(conf);
        return NULL;
    }
    wn_buf_free(&errors);
    if (o->plugin_dir != NULL) {
        char *dir = strdup(o->plugin_dir);
        if (dir != NULL) {
            free(conf->plugin_dir);
            conf->plugin_dir = dir;
        }
    } else if (path == NULL && getenv("WINNOW_PLUGINS_DIR") == NULL) {
        char *dir = wn_cmd_exe_plugin_dir();
        if (dir != NULL) {
            free(conf->plugin_dir);
            conf->plugin_dir = dir;
        }
    }
    wn_log_init(o->log_level >= 0 ? o->log_level : conf->log_level,
                conf->log_format);
    return conf;
}

int
wn_cmd_parse(const struct wn_opts *o)
{
    struct wn_feed_opts fo;
    struct wn_feed_doc *doc = NULL;
    struct wn_err err;
    char *data = NULL, *json = NULL;
    size_t len;
    int rc;

    if (o->file == NULL) {
        fprintf(stderr, "winnowd parse: needs a FILE (or - for stdin)\n");
        return WN_EXIT_USAGE;
    }
    rc = wn_cmd_read_file(o->file, WN_FEED_MAX_BYTES, &data, &len);
    if (rc != 0) {
        fprintf(stderr, "winnowd: parse: %s: %s\n", o->file,
                rc == WN_ETOOBIG ? "larger than the feed size limit"
                                 : wn_strerror(rc));
        return WN_EXIT_DATA;
    }
    memset(&fo, 0, sizeof(fo));
    fo.url = o->url;
    fo.content_type = o->content_type;
    fo.keep_future = o->keep_future;
    if (o->timezone != NULL
        && wn_time_parse_offset(o->timezone, &fo.zone_minutes) != 0)
    {
        free(data);
        fprintf(stderr, "winnowd: parse: --timezone %s: not a UTC offset or "
                        "zone abbreviation\n",
                o->timezone);
        return WN_EXIT_USAGE;
    }
    wn_err_clear(&err);
    rc = wn_feed_parse(data, len, &fo, &doc, &err);
    free(data);
    if (rc != 0) {
        fprintf(stderr, "winnowd: parse: %s: %s\n", o->file,
                err.msg[0] ? err.msg : wn_strerror(rc));
        return WN_EXIT_DATA;
    }
    if (doc->flags & WN_FEED_RECOVERED) {
        WN_LOG(WN_LOG_WARNING, "parse", "%s: damaged feed, items recovered",
               o->file);
    }
    rc = wn_feed_to_json(doc, &json);
    wn_feed_free(doc);
    if (rc != 0) {
        fprintf(stderr, "winnowd: parse: %s: %s\n", o->file, wn_strerror(rc));
        return WN_EXIT_FAILURE;
    }
    puts(json);
    free(json);
    return WN_EXIT_OK;
}

static void
wn_cmd_json_set_str(json_t *obj, const char *key, const char *value)
{
    json_object_set_new(obj, key,
                        value != NULL ? json_string(value) : json_null());
}

static int
wn_cmd_clean_json(const struct wn_opts *o, const struct wn_article *a)
{
    static const char *const keys[WN_META_COUNT] = {
        [WN_META_TITLE] = "title",
        [WN_META_AUTHOR] = "author",
        [WN_META_PUBLISHED] = "published",
        [WN_META_UPDATED] = "updated",
        [WN_META_SITE] = "site",
        [WN_META_LANG] = "lang",
        [WN_META_CANONICAL] = "canonical",
        [WN_META_DESCRIPTION] = "description",
    };
    json_t *obj = json_object(), *tags = json_array();
    char simhash[17];
    char *s;

    wn_cmd_json_set_str(obj, "url", o->url);
    for (int k = 0; k < WN_META_COUNT; k++) {
        wn_cmd_json_set_str(obj, keys[k], a->meta[k]);
    }
    for (size_t i = 0; i < a->ntags; i++) {
        json_array_append_new(tags, json_string(a->tags[i]));
    }
    json_object_set_new(obj, "tags", tags);
    json_object_set_new(obj, "words", json_integer((json_int_t) a->words));
    json_object_set_new(obj, "paragraphs",
                        json_integer((json_int_t) a->paragraphs));
    json_object_set_new(obj, "plugins", json_string(a->plugins));
    json_object_set_new(obj, "fallback",
                        json_boolean(a->flags & WN_ARTICLE_FALLBACK));
    json_object_set_new(obj, "hash", json_string(a->hash));
    snprintf(simhash, sizeof(simhash), "%016" PRIx64, a->simhash);
    json_object_set_new(obj, "simhash", json_string(simhash));
    if (o->explain) {
        json_t *rm = json_array();
        for (size_t i = 0; i < a->nremovals; i++) {
            json_t *r = json_object();
            json_object_set_new(r, "plugin",
                                json_string(a->removals[i].plugin));
            json_object_set_new(r, "reason",
                                json_string(a->removals[i].reason));
            json_object_set_new(r, "text", json_string(a->removals[i].text));
            json_array_append_new(rm, r);
        }
        json_object_set_new(obj, "removed", rm);
        wn_cmd_json_set_str(obj, "main", a->main_why);
    }
    json_object_set_new(obj, "text", json_string(a->text));
    s = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (s == NULL) {
        return WN_ENOMEM;
    }
    puts(s);
    free(s);
    return 0;
}

int
wn_cmd_clean(const struct wn_opts *o)
{
    struct wn_extract_in in;
    struct wn_plugins *plugins = NULL;
    struct wn_article *a = NULL;
    struct wn_conf *conf;
    struct wn_err err;
    char *data = NULL;
    size_t len;
    int rc, status = WN_EXIT_OK;

    if (o->file == NULL) {
        fprintf(stderr, "winnowd clean: needs a FILE (or - for stdin)\n");
        return WN_EXIT_USAGE;
    }
    conf = wn_cmd_conf(o, 1);
    if (conf == NULL) {
        return WN_EXIT_CONFIG;
    }
    rc = wn_cmd_read_file(o->file, WN_HTML_MAX_BYTES, &data, &len);
    if (rc != 0) {
        fprintf(stderr, "winnowd: clean: %s: %s\n", o->file, wn_strerror(rc));
        wn_conf_free(conf);
        return WN_EXIT_DATA;
    }
    if (wn_plugins_load(conf, &plugins, NULL) != 0) {
        fprintf(stderr, "winnowd: clean: no plugins loaded from %s\n",
                conf->plugin_dir);
    }
    memset(&in, 0, sizeof(in));
    in.data = data;
    in.len = len;
    in.url = o->url;
    in.flags =
        (o->text ? WN_EXTRACT_TEXT : 0) | (o->explain ? WN_EXTRACT_EXPLAIN : 0);
    wn_err_clear(&err);
    rc = wn_extract(plugins, &in, &a, &err);
    if (rc != 0) {
        fprintf(stderr, "winnowd: clean: %s: %s\n", o->file,
                err.msg[0] ? err.msg : wn_strerror(rc));
        status = WN_EXIT_DATA;
    } else if (o->json) {
        if (wn_cmd_clean_json(o, a) != 0) {
            status = WN_EXIT_FAILURE;
        }
    } else {
        if (o->explain) {
            if (a->main_why != NULL) {
                printf("main: %s\n", a->main_why);
            }
            for (size_t i = 0; i < a->nremovals; i++) {
                printf("removed by %s (%s): %s\n", a->removals[i].plugin,
                       a->removals[i].reason, a->removals[i].text);
            }
            printf("----\n");
        }
        if (a->len > 0) {
            fwrite(a->text, 1, a->len, stdout);
            fputc('\n', stdout);
        }
    }
    wn_article_free(a);
    wn_plugins_free(plugins);
    wn_conf_free(conf);
    free(data);
    return status;
}

int
wn_cmd_check_config(const struct wn_opts *o)
{
    struct wn_conf *conf = NULL;
    struct wn_plugins *plugins = NULL;
    struct wn_buf errors;
    const char *path = o->config;
    int status = WN_EXIT_OK, rc;

    if (path == NULL) { /* the environment alone, or WINNOW_CONFIG */
        path = getenv("WINNOW_CONFIG");
        path = path != NULL && *path != '\0' ? path : NULL;
    }
    wn_buf_init(&errors, 1u << 20);
    rc = wn_conf_load(path, &conf, &errors);
    if (conf == NULL) {
        fputs(errors.len > 0 ? errors.data
                             : "winnowd: configuration: out of memory\n",
              stderr);
        wn_buf_free(&errors);
        return rc == WN_ENOMEM ? WN_EXIT_FAILURE : WN_EXIT_CONFIG;
    }
    if (o->plugin_dir != NULL) {
        char *dir = strdup(o->plugin_dir);
        if (dir != NULL) {
            free(conf->plugin_dir);
            conf->plugin_dir = dir;
        }
    }
    /* Plugins are checked even when the file has errors: one run shows all. */
    wn_plugins_load(conf, &plugins, &errors);
    if (errors.len > 0) {
        fputs(errors.data, stderr);
        status = WN_EXIT_CONFIG;
    } else {
        printf("%s: ok: %zu feeds, %zu plugins from %s, store %s\n", conf->path,
               conf->nfeeds, plugins ? plugins->n : 0, conf->plugin_dir,
               conf->store_path);
    }
    wn_buf_free(&errors);
    wn_plugins_free(plugins);
    wn_conf_free(conf);
    return status;
}

int
wn_cmd_plugins(const struct wn_opts *o)
{
    struct wn_conf *conf;
    struct wn_plugins *plugins = NULL;

    conf = wn_cmd_conf(o, 1);
    if (conf == NULL) {
        return WN_EXIT_CONFIG;
    }
    if (wn_plugins_load(conf, &plugins, NULL) != 0) {
        wn_conf_free(conf);
        return WN_EXIT_FAILURE;
    }
    for (size_t i = 0; i < plugins->n; i++) {
        const struct wn_plugin *d = &plugins->v[i]->desc;
        printf("%s %s", d->name, d->version);
        if (d->flags & WN_PLUGIN_F_GENERIC) {
            printf(" [generic: every host]");
        } else if (d->flags & WN_PLUGIN_F_RULES) {
            printf(" [rules]");
        } else if (d->hosts != NULL) {
            printf(" [");
            for (size_t k = 0; d->hosts[k] != NULL; k++) {
                printf("%s%s", k ? " " : "", d->hosts[k]);
            }
            printf("]");
        }
        printf(" - %s\n", d->summary ? d->summary : "");
    }
    wn_plugins_free(plugins);
    wn_conf_free(conf);
    return WN_EXIT_OK;
}
