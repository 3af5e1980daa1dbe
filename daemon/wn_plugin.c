/*
 * wn_plugin.c: the plugin loader and the host function table.  A plugin is
 * refused, with a message naming the file and both versions, before any of
 * its code runs when its descriptor does not fit this host.
 */
#include "wn_plugin.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <winnow/host.h>

#include "wn_doc.h"
#include "wn_err.h"
#include "wn_hostmatch.h"
#include "wn_html.h"
#include "wn_log.h"
#include "wn_time.h"

/* ---- the host table ---- */

static void wn_plugin_host_log(struct wn_call *call, int level, const char *fmt,
                               ...) __attribute__((format(printf, 3, 4)));

static void
wn_plugin_host_log(struct wn_call *call, int level, const char *fmt, ...)
{
    char component[96];
    va_list ap;

    if (level > wn_log_level) {
        return;
    }
    snprintf(component, sizeof(component), "plugin %s",
             call != NULL && call->plugin != NULL ? call->plugin : "?");
    va_start(ap, fmt);
    wn_log_vwrite(level, component, fmt, ap);
    va_end(ap);
}

static int wn_plugin_host_set_error(struct wn_call *call, int code,
                                    const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
wn_plugin_host_set_error(struct wn_call *call, int code, const char *fmt, ...)
{
    va_list ap;

    if (code >= 0) {
        code = WN_EPLUGIN;
    }
    va_start(ap, fmt);
    wn_err_vset(&call->err, code, fmt, ap);
    va_end(ap);
    return code;
}

static int
wn_plugin_host_parse_time(const char *s, int64_t *out)
{
    return wn_time_parse(s, out);
}

const struct wn_host wn_plugin_host = {
    .abi_major = WN_PLUGIN_ABI_MAJOR,
    .abi_minor = WN_PLUGIN_ABI_MINOR,
    .size = (uint32_t) sizeof(struct wn_host),
    .alloc = wn_doc_alloc,
    .strdup = wn_doc_strdup,
    .log = wn_plugin_host_log,
    .set_error = wn_plugin_host_set_error,
    .should_stop = wn_doc_should_stop,
    .doc_tree = wn_doc_tree,
    .doc_url = wn_doc_url,
    .doc_flags = wn_doc_flags,
    .main_node = wn_doc_main_node,
    .set_main = wn_doc_set_main,
    .select_main = wn_doc_select_main,
    .remove_xpath = wn_doc_remove_xpath,
    .remove_node = wn_doc_remove_node,
    .drop_matching = wn_doc_drop_matching,
    .blocks = wn_doc_blocks,
    .node_text = wn_doc_node_text,
    .meta_get = wn_doc_meta_get,
    .meta_set = wn_doc_meta_set,
    .tag_add = wn_doc_tag_add,
    .parse_time = wn_plugin_host_parse_time,
    .tag_flags = wn_html_tag_flags,
};

/* ---- loading ---- */

/* The NAME of ".../wn_NAME.so", or NULL. */
static int
wn_plugin_file_name(const char *path, char *name, size_t cap)
{
    const char *base = strrchr(path, '/');
    size_t n;

    base = base ? base + 1 : path;
    n = strlen(base);
    if (n <= 6 || strncmp(base, "wn_", 3) != 0
        || strcmp(base + n - 3, ".so") != 0 || n - 6 >= cap)
    {
        return 0;
    }
    memcpy(name, base + 3, n - 6);
    name[n - 6] = '\0';
    return 1;
}

/* Refuses files another user could have written: they would run as us. */
static int
wn_plugin_check_file(const char *path, struct wn_err *err)
{
    struct stat st;

    if (stat(path, &st) != 0) {
        return wn_err_set(err, -errno, "plugin %s: %s", path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return wn_err_set(err, WN_EPLUGIN, "plugin %s: not a regular file",
                          path);
    }
    if (st.st_uid != 0 && st.st_uid != geteuid()) {
        return wn_err_set(err, WN_EPLUGIN,
                          "plugin %s: owned by uid %u, neither root nor us "
                          "(uid %u)",
                          path, (unsigned) st.st_uid, (unsigned) geteuid());
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        return wn_err_set(err, WN_EPLUGIN,
                          "plugin %s: writable by group or others (mode %03o)",
                          path, (unsigned) (st.st_mode & 0777));
    }
    return 0;
}

/* Checks a descriptor before any of its function pointers is used. */
static int
wn_plugin_check_abi(const char *path, const char *file_name,
                    const struct wn_plugin *d, struct wn_plugin *copy,
                    struct wn_err *err)
{
    size_t n;

    if (d->abi_major != WN_PLUGIN_ABI_MAJOR) {
        return wn_err_set(err, WN_EABI,
                          "plugin %s: built for ABI %u.%u, this winnowd has "
                          "ABI %u.%u (major versions differ)",
                          path, d->abi_major, d->abi_minor, WN_PLUGIN_ABI_MAJOR,
                          WN_PLUGIN_ABI_MINOR);
    }
    if (d->abi_minor > WN_PLUGIN_ABI_MINOR) {
        return wn_err_set(err, WN_EABI,
                          "plugin %s: built for ABI %u.%u, newer than this "
                          "winnowd's ABI %u.%u",
                          path, d->abi_major, d->abi_minor, WN_PLUGIN_ABI_MAJOR,
                          WN_PLUGIN_ABI_MINOR);
    }
    /* Every minor of major 1 is at least the v1.0 size. */
    if (d->size < sizeof(struct wn_plugin)) {
        return wn_err_set(err, WN_EABI,
                          "plugin %s: descriptor of %u bytes is shorter than "
                          "the %zu bytes of ABI %u.%u",
                          path, d->size, sizeof(struct wn_plugin), d->abi_major,
                          d->abi_minor);
    }
    n = d->size < sizeof(*copy) ? d->size : sizeof(*copy);
    memset(copy, 0, sizeof(*copy));
    memcpy(copy, d, n);
    for (size_t i = 0; i < sizeof(copy->reserved) / sizeof(copy->reserved[0]);
         i++) {
        if (copy->reserved[i] != NULL) {
            return wn_err_set(err, WN_EABI,
                              "plugin %s: reserved field %zu is set (built "
                              "against a different ABI?)",
                              path, i);
        }
    }
    if (copy->name == NULL || strcmp(copy->name, file_name) != 0) {
        return wn_err_set(err, WN_EABI,
                          "plugin %s: descriptor names itself \"%s\", the file "
                          "name says \"%s\"",
                          path, copy->name ? copy->name : "(null)", file_name);
    }
    if (copy->process == NULL) {
        return wn_err_set(err, WN_EABI, "plugin %s: no process callback", path);
    }
    if (copy->version == NULL) {
        return wn_err_set(err, WN_EABI, "plugin %s: no version", path);
    }
    if (copy->conf_size > (1u << 20)) {
        return wn_err_set(err, WN_EABI, "plugin %s: conf_size %zu is absurd",
                          path, copy->conf_size);
    }
    return 0;
}

/* Is a string directive a path?  "dir", "file", "path" or *_dir, *_file,
 * *_path (docs/plugins.md). */
static int
wn_plugin_is_path_key(const char *name)
{
    static const char *const ends[] = { "dir", "file", "path" };
    size_t n = strlen(name);

    for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
        size_t e = strlen(ends[i]);
        if (n >= e && strcmp(name + n - e, ends[i]) == 0
            && (n == e || name[n - e - 1] == '_'))
        {
            return 1;
        }
    }
    return 0;
}

/*
 * A copy of a string directive's value; a relative path read from the
 * configuration file `file` is made relative to that file's folder, as
 * every path of the configuration is.  Returns NULL when out of memory.
 */
static char *
wn_plugin_path_value(const char *name, const char *value, const char *file)
{
    const char *slash;
    size_t dlen, n;
    char *s;

    if (file == NULL || value[0] == '/' || value[0] == '\0'
        || !wn_plugin_is_path_key(name))
    {
        return strdup(value);
    }
    slash = strrchr(file, '/');
    dlen = slash != NULL ? (size_t) (slash - file) : 1;
    n = dlen + 1 + strlen(value) + 1;
    s = malloc(n);
    if (s != NULL) {
        snprintf(s, n, "%.*s/%s", (int) dlen, slash != NULL ? file : ".",
                 value);
    }
    return s;
}

static int
wn_plugin_set_directive(struct wn_plugin_inst *inst,
                        const struct wn_directive *d, const char *value,
                        const char *file, unsigned line, struct wn_err *err)
{
    char *slot = (char *) inst->conf + d->offset;
    const char *name = inst->desc.name;

    switch (d->type) {
    case WN_DIRECTIVE_BOOL: {
        int b;
        if (wn_conf_parse_bool(value, &b) != 0) {
            return wn_err_set(err, WN_ECONFIG,
                              "%s:%u: [plugin:%s] %s: \"%s\" is not yes or no",
                              file, line, name, d->name, value);
        }
        memcpy(slot, &b, sizeof(b));
        return 0;
    }
    case WN_DIRECTIVE_INT: {
        long v;
        if (wn_conf_parse_long(value, d->min, d->max, &v) != 0) {
            return wn_err_set(err, WN_ECONFIG,
                              "%s:%u: [plugin:%s] %s: \"%s\" is not a number "
                              "in [%ld, %ld]",
                              file, line, name, d->name, value, d->min, d->max);
        }
        memcpy(slot, &v, sizeof(v));
        return 0;
    }
    case WN_DIRECTIVE_STRING: {
        char **strings =
            realloc(inst->strings, (inst->nstrings + 1) * sizeof(*strings));
        char *s;
        if (strings == NULL) {
            return wn_err_set(err, WN_ENOMEM, "out of memory");
        }
        inst->strings = strings;
        s = wn_plugin_path_value(d->name, value, line > 0 ? file : NULL);
        if (s == NULL) {
            return wn_err_set(err, WN_ENOMEM, "out of memory");
        }
        inst->strings[inst->nstrings++] = s;
        memcpy(slot, &s, sizeof(s));
        return 0;
    }
    default:
        return wn_err_set(err, WN_EABI, "plugin %s: directive %s has type %d",
                          name, d->name, d->type);
    }
}

/* Fills inst->conf from defaults, then from the configuration section. */
static int
wn_plugin_configure(struct wn_plugin_inst *inst, const char *file,
                    const struct wn_conf_plugin *section, struct wn_err *err)
{
    const struct wn_directive *dirs = inst->desc.directives;
    size_t ndirs = 0;
    int rc;

    if (inst->desc.conf_size > 0) {
        inst->conf = calloc(1, inst->desc.conf_size);
        if (inst->conf == NULL) {
            return wn_err_set(err, WN_ENOMEM, "out of memory");
        }
    }
    if (dirs != NULL) {
        for (; dirs[ndirs].type != WN_DIRECTIVE_END && ndirs < 1024; ndirs++) {
            const struct wn_directive *d = &dirs[ndirs];
            size_t width = d->type == WN_DIRECTIVE_BOOL  ? sizeof(int)
                           : d->type == WN_DIRECTIVE_INT ? sizeof(long)
                                                         : sizeof(char *);
            if (d->name == NULL || d->offset + width > inst->desc.conf_size) {
                return wn_err_set(err, WN_EABI,
                                  "plugin %s: directive %zu lies outside its "
                                  "conf_size of %zu bytes",
                                  inst->desc.name, ndirs, inst->desc.conf_size);
            }
            if (d->default_value != NULL) {
                rc = wn_plugin_set_directive(inst, d, d->default_value,
                                             "(default)", 0, err);
                if (rc != 0) {
                    return rc;
                }
            }
        }
    }
    if (section == NULL) {
        return 0;
    }
    for (size_t i = 0; i < section->nkvs; i++) {
        const struct wn_conf_kv *kv = &section->kvs[i];
        size_t k;
        for (k = 0; k < ndirs; k++) {
            if (strcmp(dirs[k].name, kv->key) == 0) {
                break;
            }
        }
        if (k == ndirs) {
            return wn_err_set(err, WN_ECONFIG,
                              "%s:%u: [plugin:%s] %s: unknown key", file,
                              kv->line, inst->desc.name, kv->key);
        }
        rc = wn_plugin_set_directive(inst, &dirs[k], kv->value, file, kv->line,
                                     err);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

int
wn_plugin_open(const char *path, const char *conf_path,
               const struct wn_conf_plugin *section,
               struct wn_plugin_inst **out, struct wn_err *err)
{
    struct wn_plugin_inst *inst;
    const struct wn_plugin *d = NULL;
    char file_name[128];
    int rc;

    *out = NULL;
    if (!wn_plugin_file_name(path, file_name, sizeof(file_name))) {
        return wn_err_set(err, WN_EPLUGIN,
                          "plugin %s: file name is not wn_NAME.so", path);
    }
    rc = wn_plugin_check_file(path, err);
    if (rc != 0) {
        return rc;
    }
    inst = calloc(1, sizeof(*inst));
    if (inst == NULL) {
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    inst->path = strdup(path);
    if (inst->path == NULL) {
        free(inst);
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    if (uv_dlopen(path, &inst->lib) != 0) {
        rc = wn_err_set(err, WN_EPLUGIN, "plugin %s: cannot load: %s", path,
                        uv_dlerror(&inst->lib));
        uv_dlclose(&inst->lib);
        free(inst->path);
        free(inst);
        return rc;
    }
    inst->lib_open = 1;
    void *sym = NULL;
    if (uv_dlsym(&inst->lib, WN_PLUGIN_SYMBOL, &sym) != 0 || sym == NULL) {
        rc = wn_err_set(err, WN_EABI,
                        "plugin %s: not a winnow plugin (no %s symbol)", path,
                        WN_PLUGIN_SYMBOL);
        goto failed;
    }
    d = sym;
    rc = wn_plugin_check_abi(path, file_name, d, &inst->desc, err);
    if (rc != 0) {
        goto failed;
    }
    rc = wn_plugin_configure(inst, conf_path != NULL ? conf_path : "(config)",
                             section, err);
    if (rc != 0) {
        goto failed;
    }
    if (inst->desc.init != NULL) {
        struct wn_err ierr;
        wn_err_clear(&ierr);
        rc = inst->desc.init(&wn_plugin_host, inst->conf, &inst->state, &ierr);
        if (rc != 0) {
            rc = wn_err_set(err, WN_EPLUGIN, "plugin %s: init failed: %s", path,
                            ierr.msg[0] ? ierr.msg : wn_strerror(rc));
            inst->state = NULL;
            goto failed;
        }
    }
    *out = inst;
    return 0;

failed:
    /* init never ran or failed: no fini.  A refused plugin ran none of its
     * code, so it is always unloaded, WN_NO_DLCLOSE or not (that build flag
     * keeps plugins that ran mapped for LeakSanitizer's stack traces). */
    inst->desc.fini = NULL;
    uv_dlclose(&inst->lib);
    inst->lib_open = 0;
    wn_plugin_close(inst);
    return rc;
}

void
wn_plugin_close(struct wn_plugin_inst *inst)
{
    if (inst == NULL) {
        return;
    }
    if (inst->desc.fini != NULL) {
        inst->desc.fini(inst->state);
    }
    for (size_t i = 0; i < inst->nstrings; i++) {
        free(inst->strings[i]);
    }
    free(inst->strings);
    free(inst->conf);
#ifndef WN_NO_DLCLOSE
    if (inst->lib_open) {
        uv_dlclose(&inst->lib);
    }
#endif
    free(inst->path);
    free(inst);
}

static int
wn_plugin_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

int
wn_plugins_load(const struct wn_conf *conf, struct wn_plugins **out,
                struct wn_buf *errors)
{
    struct wn_plugins *ps;
    char **names = NULL;
    size_t nnames = 0;
    struct dirent *de;
    DIR *dir;
    int rc = 0;

    *out = NULL;
    dir = opendir(conf->plugin_dir);
    if (dir == NULL) {
        rc = -errno;
        if (errors != NULL) {
            wn_buf_printf(errors, "%s: [plugins] dir %s: %s\n", conf->path,
                          conf->plugin_dir, strerror(-rc));
        } else {
            WN_LOG(WN_LOG_ERR, "plugins", "%s: cannot read: %s",
                   conf->plugin_dir, strerror(-rc));
        }
        return rc;
    }
    while ((de = readdir(dir)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n > 6 && strncmp(de->d_name, "wn_", 3) == 0
            && strcmp(de->d_name + n - 3, ".so") == 0
            && nnames < WN_PLUGINS_MAX)
        {
            char **p = realloc(names, (nnames + 1) * sizeof(*names));
            if (p == NULL || (p[nnames] = strdup(de->d_name)) == NULL) {
                names = p ? p : names;
                rc = WN_ENOMEM;
                break;
            }
            names = p;
            nnames++;
        }
    }
    closedir(dir);
    ps = calloc(1, sizeof(*ps));
    if (ps == NULL || rc != 0) {
        for (size_t i = 0; i < nnames; i++) {
            free(names[i]);
        }
        free(names);
        free(ps);
        return WN_ENOMEM;
    }
    ps->timeout_ns = (uint64_t) conf->plugin_timeout * 1000000u;
    ps->v = calloc(nnames ? nnames : 1, sizeof(*ps->v));
    if (nnames > 1) {
        qsort(names, nnames, sizeof(*names), wn_plugin_cmp);
    }
    for (size_t i = 0; i < nnames && ps->v != NULL; i++) {
        char path[4096], name[128];
        const struct wn_conf_plugin *section = NULL;
        struct wn_plugin_inst *inst;
        struct wn_err err;

        snprintf(path, sizeof(path), "%s/%s", conf->plugin_dir, names[i]);
        wn_plugin_file_name(path, name, sizeof(name));
        for (size_t k = 0; k < conf->nplugins; k++) {
            if (strcmp(conf->plugins[k].name, name) == 0) {
                section = &conf->plugins[k];
            }
        }
        if (wn_plugin_open(path, conf->path, section, &inst, &err) != 0) {
            if (errors != NULL) {
                wn_buf_printf(errors, "%s\n", err.msg);
            } else {
                WN_LOG(WN_LOG_ERR, "plugins", "refused: %s", err.msg);
            }
            continue;
        }
        WN_LOG(WN_LOG_INFO, "plugins", "loaded %s %s from %s", inst->desc.name,
               inst->desc.version, path);
        if ((inst->desc.flags & WN_PLUGIN_F_GENERIC) && ps->generic == NULL) {
            ps->generic = inst;
        }
        ps->v[ps->n++] = inst;
    }
    for (size_t k = 0; k < conf->nplugins; k++) {
        char file[160];
        int found = 0;
        snprintf(file, sizeof(file), "wn_%s.so", conf->plugins[k].name);
        for (size_t i = 0; i < nnames; i++) {
            found |= strcmp(names[i], file) == 0;
        }
        if (!found && errors != NULL) {
            wn_buf_printf(errors, "%s:%u: [plugin:%s] no such plugin in %s\n",
                          conf->path, conf->plugins[k].line,
                          conf->plugins[k].name, conf->plugin_dir);
        }
    }
    for (size_t i = 0; i < nnames; i++) {
        free(names[i]);
    }
    free(names);
    if (ps->generic == NULL) {
        WN_LOG(WN_LOG_WARNING, "plugins",
               "no generic cleaner in %s: pages without a site plugin are "
               "stored uncleaned",
               conf->plugin_dir);
    }
    *out = ps;
    return 0;
}

void
wn_plugins_free(struct wn_plugins *ps)
{
    if (ps == NULL) {
        return;
    }
    for (size_t i = ps->n; i > 0; i--) {
        wn_plugin_close(ps->v[i - 1]);
    }
    free(ps->v);
    free(ps);
}

int
wn_plugin_host_match(const char *pattern, const char *host)
{
    return wn_host_match(pattern, host);
}

void
wn_plugins_chain(const struct wn_plugins *ps, const char *host,
                 struct wn_plugin_inst **chain, size_t cap, size_t *n)
{
    struct wn_plugin_inst *site = NULL;
    int best = 0;

    *n = 0;
    if (ps == NULL) {
        return;
    }
    for (size_t i = 0; host != NULL && *host != '\0' && i < ps->n; i++) {
        struct wn_plugin_inst *p = ps->v[i];
        int score = 0;

        if (p->desc.flags & (WN_PLUGIN_F_GENERIC | WN_PLUGIN_F_RULES)) {
            continue;
        }
        if (p->desc.match != NULL) {
            score = p->desc.match(p->state, host);
        } else if (p->desc.hosts != NULL) {
            for (size_t k = 0; p->desc.hosts[k] != NULL && k < 1024; k++) {
                int s = wn_plugin_host_match(p->desc.hosts[k], host);
                score = s > score ? s : score;
            }
        } else {
            score = 1; /* no hosts listed: every host, least specific */
        }
        if (score > best) {
            best = score;
            site = p;
        }
    }
    if (site != NULL && *n < cap) {
        chain[(*n)++] = site;
    }
    for (size_t i = 0; i < ps->n; i++) {
        struct wn_plugin_inst *p = ps->v[i];
        if ((p->desc.flags & WN_PLUGIN_F_RULES) && *n < cap
            && (p->desc.match == NULL || host == NULL
                || p->desc.match(p->state, host) > 0))
        {
            chain[(*n)++] = p;
        }
    }
    if (ps->generic != NULL && *n < cap) {
        chain[(*n)++] = ps->generic;
    }
}
