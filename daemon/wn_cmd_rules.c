/*
 * wn_cmd_rules.c: `winnowd test-rules [DIR]`: every rule file of the rules
 * plugin's folder (conf/sites.d) that names a sample page in its [test]
 * section is run through the real plugin chain, and the text that would be
 * stored must equal the file's expected text.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wn_cmd.h"
#include "wn_conf.h"
#include "wn_err.h"
#include "wn_extract.h"
#include "wn_html.h"
#include "wn_plugin.h"

#ifndef WN_DEFAULT_SITES_DIR
#define WN_DEFAULT_SITES_DIR "/etc/winnow/sites.d"
#endif

#define WN_RULES_FILE_MAX  (256u << 10) /* as plugins/rules reads them */
#define WN_RULES_TESTS_MAX 1024u        /* rule files checked */

/* The [test] section of one rule file. */
#define WN_RULES_CHECKED_MAX 64 /* remove and drop lines checked per file */
#define WN_RULES_REASON_MAX  (4096 + 512) /* "rule NAME: remove EXPR" */

struct wn_rules_test {
    char url[2048], sample[PATH_MAX], expect[PATH_MAX];
    /* "remove EXPR" and "drop EXPR" of [site], as --explain names them,
     * to report the ones that removed nothing on the sample. */
    char *what[WN_RULES_CHECKED_MAX];
    size_t nwhat;
};

static void
wn_rules_test_free(struct wn_rules_test *t)
{
    for (size_t i = 0; i < t->nwhat; i++) {
        free(t->what[i]);
    }
    t->nwhat = 0;
}

/* Copies a [test] value; a relative file name is made relative to the
 * rule file's folder. */
static void
wn_rules_test_value(char *out, size_t cap, const char *value, const char *dir,
                    int is_file)
{
    int n = is_file && value[0] != '/' ? snprintf(out, cap, "%s/%s", dir, value)
                                       : snprintf(out, cap, "%s", value);

    if (n < 0 || (size_t) n >= cap) {
        out[0] = '\0'; /* too long: reported as missing */
    }
}

/* Reads url, sample and expect from the [test] section of `path`.  The
 * plugin checked the file's syntax at init. */
static int
wn_rules_test_read(const char *path, const char *dir, struct wn_rules_test *t)
{
    char *data = NULL, *line, *next;
    size_t len;
    int in_test = 0, in_site = 0, rc;

    memset(t, 0, sizeof(*t));
    rc = wn_cmd_read_file(path, WN_RULES_FILE_MAX, &data, &len);
    if (rc != 0) {
        return rc;
    }
    for (line = data; line != NULL; line = next) {
        char *eq, *key, *value, *end;
        next = strchr(line, '\n');
        if (next != NULL) {
            *next++ = '\0';
        }
        while (*line == ' ' || *line == '\t') {
            line++;
        }
        end = line + strlen(line);
        while (end > line
               && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) {
            *--end = '\0';
        }
        if (*line == '[') {
            in_test = strcmp(line, "[test]") == 0;
            in_site = strcmp(line, "[site]") == 0;
            continue;
        }
        if ((!in_test && !in_site) || *line == '#' || *line == ';'
            || (eq = strchr(line, '=')) == NULL)
        {
            continue;
        }
        key = line;
        value = eq + 1;
        while (eq > key && (eq[-1] == ' ' || eq[-1] == '\t')) {
            eq--;
        }
        *eq = '\0';
        while (*value == ' ' || *value == '\t') {
            value++;
        }
        if (in_site) {
            size_t n = strlen(key) + 1 + strlen(value) + 1;
            if ((strcmp(key, "remove") == 0 || strcmp(key, "drop") == 0)
                && t->nwhat < WN_RULES_CHECKED_MAX
                && (t->what[t->nwhat] = malloc(n)) != NULL)
            {
                snprintf(t->what[t->nwhat++], n, "%s %s", key, value);
            }
        } else if (strcmp(key, "url") == 0) {
            wn_rules_test_value(t->url, sizeof(t->url), value, dir, 0);
        } else if (strcmp(key, "sample") == 0) {
            wn_rules_test_value(t->sample, sizeof(t->sample), value, dir, 1);
        } else if (strcmp(key, "expect") == 0) {
            wn_rules_test_value(t->expect, sizeof(t->expect), value, dir, 1);
        }
    }
    free(data);
    return 0;
}

/* Prints where two texts part, paragraph by paragraph. */
static void
wn_rules_test_diff(const char *want, const char *got)
{
    size_t para = 1;

    while (*want != '\0' && *want == *got) {
        if (want[0] == '\n' && want[1] == '\n') {
            para++;
        }
        want++;
        got++;
    }
    printf("    paragraph %zu differs:\n    expected: %.120s\n"
           "    got:      %.120s\n",
           para, *want ? want : "(end of text)", *got ? got : "(end of text)");
}

/* Runs one rule file's sample.  Returns 1 passed, 0 failed, -1 skipped. */
static int
wn_rules_test_one(const struct wn_plugins *plugins, const char *name,
                  const struct wn_rules_test *t)
{
    struct wn_extract_in in;
    struct wn_article *a = NULL;
    struct wn_err err;
    char *page = NULL, *want = NULL;
    size_t plen, wlen, base_len = strlen(name);
    int rc, ok = 0;

    if (base_len > 5 && strcmp(name + base_len - 5, ".conf") == 0) {
        base_len -= 5; /* the rules plugin names a file by its base name */
    }
    if (t->sample[0] == '\0') {
        printf("skip %s: no [test] sample\n", name);
        return -1;
    }
    if (t->expect[0] == '\0' || t->url[0] == '\0') {
        printf("FAIL %s: [test] needs url, sample and expect\n", name);
        return 0;
    }
    rc = wn_cmd_read_file(t->sample, WN_HTML_MAX_BYTES, &page, &plen);
    if (rc == 0) {
        rc = wn_cmd_read_file(t->expect, WN_ARTICLE_TEXT_MAX, &want, &wlen);
    }
    if (rc != 0) {
        printf("FAIL %s: %s: %s\n", name, page == NULL ? t->sample : t->expect,
               wn_strerror(rc));
        free(page);
        return 0;
    }
    while (wlen > 0 && (want[wlen - 1] == '\n' || want[wlen - 1] == '\r')) {
        want[--wlen] = '\0';
    }
    memset(&in, 0, sizeof(in));
    in.data = page;
    in.len = plen;
    in.url = t->url;
    in.flags = WN_EXTRACT_EXPLAIN;
    wn_err_clear(&err);
    rc = wn_extract(plugins, &in, &a, &err);
    if (rc != 0) {
        printf("FAIL %s: %s: %s\n", name, t->sample,
               err.msg[0] ? err.msg : wn_strerror(rc));
    } else if (strstr(a->plugins, "rules/") == NULL) {
        printf("FAIL %s: the rules did not run on %s (plugins: %s%s)\n", name,
               t->url, a->plugins[0] ? a->plugins : "none",
               (a->flags & WN_ARTICLE_FALLBACK) ? ", a plugin failed" : "");
    } else if (a->len != wlen || memcmp(a->text, want, wlen) != 0) {
        printf("FAIL %s: %s: the text is not %s\n", name, t->sample, t->expect);
        wn_rules_test_diff(want, a->text);
    } else {
        printf("ok   %s (%zu paragraphs)\n", name, a->paragraphs);
        ok = 1;
    }
    /* A rule that removed nothing on its own sample is stale or wrong: say
     * so (not a failure: the sample may simply not have that box). */
    for (size_t i = 0; a != NULL && i < t->nwhat; i++) {
        char reason[WN_RULES_REASON_MAX];
        int used = 0;
        snprintf(reason, sizeof(reason), "rule %.*s: %s", (int) base_len, name,
                 t->what[i]);
        for (size_t k = 0; k < a->nremovals && !used; k++) {
            used = strcmp(a->removals[k].reason, reason) == 0;
        }
        if (!used) {
            printf("     note: %.200s removed nothing on the sample\n",
                   t->what[i]);
        }
    }
    wn_article_free(a);
    free(page);
    free(want);
    return ok;
}

/* Points [plugin:rules] dir at `dir` (an absolute path). */
static int
wn_rules_test_set_dir(struct wn_conf *conf, const char *dir)
{
    struct wn_conf_plugin *sec = NULL;
    struct wn_conf_kv *kv = NULL;
    char *value;

    for (size_t i = 0; i < conf->nplugins; i++) {
        if (strcmp(conf->plugins[i].name, "rules") == 0) {
            sec = &conf->plugins[i];
        }
    }
    if (sec == NULL) {
        struct wn_conf_plugin *v = realloc(
            conf->plugins, (conf->nplugins + 1) * sizeof(*conf->plugins));
        if (v == NULL) {
            return WN_ENOMEM;
        }
        conf->plugins = v;
        sec = &conf->plugins[conf->nplugins];
        memset(sec, 0, sizeof(*sec));
        sec->name = strdup("rules");
        if (sec->name == NULL) {
            return WN_ENOMEM;
        }
        conf->nplugins++;
    }
    for (size_t i = 0; i < sec->nkvs; i++) {
        if (strcmp(sec->kvs[i].key, "dir") == 0) {
            kv = &sec->kvs[i];
        }
    }
    value = strdup(dir);
    if (value == NULL) {
        return WN_ENOMEM;
    }
    if (kv == NULL) {
        struct wn_conf_kv *v =
            realloc(sec->kvs, (sec->nkvs + 1) * sizeof(*sec->kvs));
        if (v == NULL) {
            free(value);
            return WN_ENOMEM;
        }
        sec->kvs = v;
        kv = &sec->kvs[sec->nkvs];
        memset(kv, 0, sizeof(*kv));
        kv->key = strdup("dir");
        if (kv->key == NULL) {
            free(value);
            return WN_ENOMEM;
        }
        sec->nkvs++;
    }
    free(kv->value);
    kv->value = value;
    kv->line = 0; /* absolute already: not relative to the file */
    return 0;
}

/* The folder the rules plugin reads: [plugin:rules] dir or its default. */
static int
wn_rules_test_dir(const struct wn_conf *conf, char *out, size_t cap)
{
    for (size_t i = 0; i < conf->nplugins; i++) {
        const struct wn_conf_plugin *sec = &conf->plugins[i];
        if (strcmp(sec->name, "rules") != 0) {
            continue;
        }
        for (size_t k = 0; k < sec->nkvs; k++) {
            const char *v = sec->kvs[k].value;
            if (strcmp(sec->kvs[k].key, "dir") != 0) {
                continue;
            }
            if (v[0] == '/' || conf->dir == NULL) {
                snprintf(out, cap, "%s", v);
            } else {
                snprintf(out, cap, "%s/%s", conf->dir, v);
            }
            return 0;
        }
    }
    snprintf(out, cap, "%s", WN_DEFAULT_SITES_DIR);
    return 0;
}

static int
wn_rules_test_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

int
wn_cmd_test_rules(const struct wn_opts *o)
{
    struct wn_plugins *plugins = NULL;
    struct wn_conf *conf;
    struct wn_buf errors;
    char dir[PATH_MAX];
    char *names[WN_RULES_TESTS_MAX];
    size_t n = 0, passed = 0, failed = 0, skipped = 0;
    struct dirent *e;
    DIR *d;
    int status = WN_EXIT_OK, have_rules = 0;

    conf = wn_cmd_conf(o, 1);
    if (conf == NULL) {
        return WN_EXIT_CONFIG;
    }
    if (o->file != NULL) {
        if (realpath(o->file, dir) == NULL) {
            fprintf(stderr, "winnowd: test-rules: %s: %s\n", o->file,
                    strerror(errno));
            wn_conf_free(conf);
            return WN_EXIT_USAGE;
        }
        if (wn_rules_test_set_dir(conf, dir) != 0) {
            fprintf(stderr, "winnowd: test-rules: out of memory\n");
            wn_conf_free(conf);
            return WN_EXIT_FAILURE;
        }
    } else {
        wn_rules_test_dir(conf, dir, sizeof(dir));
    }
    wn_buf_init(&errors, 1u << 20);
    if (wn_plugins_load(conf, &plugins, &errors) != 0 || errors.len > 0) {
        fprintf(stderr, "%s",
                errors.len > 0 ? errors.data
                               : "winnowd: test-rules: no "
                                 "plugins\n");
        status = WN_EXIT_CONFIG;
    }
    wn_buf_free(&errors);
    for (size_t i = 0; plugins != NULL && i < plugins->n; i++) {
        have_rules |= (plugins->v[i]->desc.flags & WN_PLUGIN_F_RULES) != 0;
    }
    if (!have_rules) {
        fprintf(stderr,
                "winnowd: test-rules: the rules plugin (wn_rules.so) "
                "did not load from %s\n",
                conf->plugin_dir);
        wn_plugins_free(plugins);
        wn_conf_free(conf);
        return WN_EXIT_CONFIG;
    }
    d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "winnowd: test-rules: %s: %s\n", dir, strerror(errno));
        wn_plugins_free(plugins);
        wn_conf_free(conf);
        return WN_EXIT_CONFIG;
    }
    while ((e = readdir(d)) != NULL && n < WN_RULES_TESTS_MAX) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] != '.' && len > 5
            && strcmp(e->d_name + len - 5, ".conf") == 0
            && (names[n] = strdup(e->d_name)) != NULL)
        {
            n++;
        }
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), wn_rules_test_cmp);
    for (size_t i = 0; i < n; i++) {
        struct wn_rules_test t;
        char path[PATH_MAX + 256];
        int r;

        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (wn_rules_test_read(path, dir, &t) != 0) {
            printf("FAIL %s: cannot read it\n", names[i]);
            r = 0;
        } else {
            r = wn_rules_test_one(plugins, names[i], &t);
        }
        wn_rules_test_free(&t);
        passed += r == 1;
        failed += r == 0;
        skipped += r < 0;
        free(names[i]);
    }
    printf("%zu rule files in %s: %zu passed, %zu failed, %zu without a "
           "sample\n",
           n, dir, passed, failed, skipped);
    if (failed > 0 && status == WN_EXIT_OK) {
        status = WN_EXIT_DATA;
    }
    wn_plugins_free(plugins);
    wn_conf_free(conf);
    return status;
}
