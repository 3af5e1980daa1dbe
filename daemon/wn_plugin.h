/*
 * wn_plugin.h: loading plugins (uv_dlopen, ABI checks, directive parsing,
 * init and fini) and choosing which ones clean a given host.  Running them
 * over a document is wn_extract.c's job.
 *
 * Loading and unloading happen on the loop thread; the instances are then
 * read-only and shared by threadpool threads, except for the atomic
 * counters.
 */
#ifndef WN_PLUGIN_H
#define WN_PLUGIN_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include <winnow/plugin.h>

#include "wn_buf.h"
#include "wn_conf.h"

#define WN_PLUGINS_MAX 256 /* plugins loaded from one directory */

struct wn_plugin_inst {
    struct wn_plugin desc; /* zero-extended copy of the descriptor */
    char *path;            /* the file */
    uv_lib_t lib;
    int lib_open;
    void *state;    /* from init() */
    void *conf;     /* desc.conf_size bytes, parsed directives */
    char **strings; /* directive strings the conf points to */
    size_t nstrings;
    atomic_uint_fast64_t calls, failures, declined, nanoseconds;
};

struct wn_plugins {
    struct wn_plugin_inst **v;
    size_t n;
    struct wn_plugin_inst *generic; /* WN_PLUGIN_F_GENERIC, may be NULL */
    uint64_t timeout_ns;            /* per process() call */
};

/* The host function table given to every plugin. */
extern const struct wn_host wn_plugin_host;

/*
 * Opens one plugin file, checks it and runs its init().  `section` is the
 * plugin's [plugin:NAME] section of the configuration file `conf_path`, or
 * NULL.  On refusal returns WN_EABI, WN_EPLUGIN or -errno with a message
 * naming the plugin file, or WN_ECONFIG with one naming the configuration
 * file, line and key.
 */
int wn_plugin_open(const char *path, const char *conf_path,
                   const struct wn_conf_plugin *section,
                   struct wn_plugin_inst **out, struct wn_err *err);

/* Runs fini() and closes the library (unless built with WN_NO_DLCLOSE). */
void wn_plugin_close(struct wn_plugin_inst *inst);

/*
 * Loads every wn_*.so in conf->plugin_dir, in name order.  A plugin that is
 * refused is logged and skipped (the rest still load); problems are also
 * appended to `errors` when it is not NULL (check-config).  Fails only when
 * the directory cannot be read.
 */
int wn_plugins_load(const struct wn_conf *conf, struct wn_plugins **out,
                    struct wn_buf *errors);

void wn_plugins_free(struct wn_plugins *plugins);

/*
 * The plugins that clean pages of `host`, in the order they run: the most
 * specific site plugin, the rules plugins, then the generic one.  Fills
 * chain[0..*n) with at most `cap` entries.
 */
void wn_plugins_chain(const struct wn_plugins *plugins, const char *host,
                      struct wn_plugin_inst **chain, size_t cap, size_t *n);

/* Specificity of a host pattern for host: 0 none, higher is closer. */
int wn_plugin_host_match(const char *pattern, const char *host);

#endif /* WN_PLUGIN_H */
