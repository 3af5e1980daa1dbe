/*
 * winnow/plugin.h: the plugin descriptor, the one symbol a winnow plugin
 * exports, and the ABI version macros the host checks before it touches
 * anything else in the plugin.
 *
 * A plugin is a shared object named wn_<name>.so.  It exports exactly one
 * data symbol, `wn_plugin_descriptor`, a constant struct wn_plugin filled with
 * designated initializers:
 *
 *     WN_PLUGIN_DESCRIPTOR = {
 *         WN_PLUGIN_INIT,
 *         .name = "mysite",
 *         .version = "1.0.0",
 *         .summary = "removes mysite.example's promo boxes",
 *         .hosts = mysite_hosts,
 *         .process = mysite_process,
 *     };
 *
 * ABI rules: WN_PLUGIN_ABI_MAJOR changes on any incompatible change and the
 * host refuses a plugin built for another major.  WN_PLUGIN_ABI_MINOR grows
 * when fields are appended to struct wn_plugin or struct wn_host; the host
 * refuses a plugin built against a newer minor than its own, and copies
 * min(size, its own size) bytes of the descriptor into a zeroed struct, so a
 * plugin built against an older minor keeps working.
 */
#ifndef WINNOW_PLUGIN_H
#define WINNOW_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include <winnow/error.h>

#define WN_PLUGIN_ABI_MAJOR 1
#define WN_PLUGIN_ABI_MINOR 0

/* The exported symbol's name, for the host's uv_dlsym(). */
#define WN_PLUGIN_SYMBOL "wn_plugin_descriptor"

#if defined(__GNUC__) || defined(__clang__)
#define WN_EXPORT __attribute__((visibility("default")))
#else
#define WN_EXPORT
#endif

struct wn_host;
struct wn_call;
struct wn_item;
struct wn_doc;

/* Types of configuration directives, parsed by the host. */
enum wn_directive_type {
    WN_DIRECTIVE_END = 0, /* terminates a directive table */
    WN_DIRECTIVE_BOOL,    /* int: yes/no/true/false/on/off/1/0 */
    WN_DIRECTIVE_INT,     /* long: decimal, range checked against min/max */
    WN_DIRECTIVE_STRING   /* const char *: host-owned until fini */
};

/*
 * One configuration key of a plugin, read from the plugin's own section
 * [plugin:NAME] of the configuration file.  The host parses and validates
 * every value and stores it at `offset` inside a zeroed block of
 * `conf_size` bytes that it passes to init(); unknown keys are errors.
 */
struct wn_directive {
    const char *name;          /* lower_snake_case key */
    int type;                  /* enum wn_directive_type */
    const char *default_value; /* as written in the file, or NULL */
    size_t offset;             /* offsetof() into the plugin's conf struct */
    long min, max;             /* bounds for WN_DIRECTIVE_INT */
    const char *summary;       /* one line for --plugin-help */
};

/* Descriptor flags. */
#define WN_PLUGIN_F_GENERIC 0x1u /* the fallback cleaner for every host */
#define WN_PLUGIN_F_RULES   0x2u /* declarative rules, run after site plugins */

/*
 * init: called once on the loop thread before any process() call.  `host`
 * and `conf` stay valid until fini().  On success store the plugin's state in
 * *state (may be NULL) and return 0; on failure fill `err` and return a
 * negative code, and the host refuses the plugin.
 */
typedef int (*wn_plugin_init_fn)(const struct wn_host *host, const void *conf,
                                 void **state, struct wn_err *err);

/*
 * match: optional.  Return a positive specificity when the plugin wants to
 * clean pages of `host` (higher wins among site plugins), or 0.  Plugins that
 * list their hosts statically in `hosts` leave it NULL.  Called on
 * threadpool threads; must not block.
 */
typedef int (*wn_plugin_match_fn)(void *state, const char *host);

/*
 * process: clean one document.  Called on libuv threadpool threads, several
 * documents at once, never overlapping init() or fini(): touch only the
 * arguments, memory from the call's arena and a state that is read-only after
 * init (or guarded by the plugin).  Never block, and poll
 * host->should_stop(call) in long loops.  Return 0 when done,
 * WN_EDECLINED when the page is not one the plugin understands (the host
 * moves on without counting a failure), or a negative code after
 * host->set_error(); the host then discards the document and stores the
 * generic cleaner's result instead.
 */
typedef int (*wn_plugin_process_fn)(void *state, struct wn_call *call,
                                    const struct wn_item *item,
                                    struct wn_doc *doc);

/* fini: called once on the loop thread after the last process() returned. */
typedef void (*wn_plugin_fini_fn)(void *state);

struct wn_plugin {
    uint32_t abi_major; /* WN_PLUGIN_ABI_MAJOR the plugin was built with */
    uint32_t abi_minor; /* WN_PLUGIN_ABI_MINOR the plugin was built with */
    uint32_t size;      /* sizeof(struct wn_plugin) the plugin was built with */
    uint32_t flags;     /* WN_PLUGIN_F_* */

    const char *name;    /* must match the file name wn_<name>.so */
    const char *version; /* the plugin's own version, recorded per article */
    const char *summary; /* one line */

    /*
     * Hosts this plugin cleans, NULL-terminated: exact names
     * ("www.example.com") and suffix patterns ("*.example.com", which also
     * matches example.com).  NULL with no match() means "every host".
     */
    const char *const *hosts;

    const struct wn_directive *directives; /* WN_DIRECTIVE_END-terminated */
    size_t conf_size;                      /* bytes for the parsed conf */

    wn_plugin_init_fn init;       /* optional */
    wn_plugin_match_fn match;     /* optional */
    wn_plugin_process_fn process; /* required */
    wn_plugin_fini_fn fini;       /* optional */

    void *reserved[4]; /* must be NULL */
};

/* The fields every descriptor starts with. */
#define WN_PLUGIN_INIT                                                         \
    .abi_major = WN_PLUGIN_ABI_MAJOR, .abi_minor = WN_PLUGIN_ABI_MINOR,        \
    .size = (uint32_t) sizeof(struct wn_plugin)

/* Declares the exported descriptor: WN_PLUGIN_DESCRIPTOR = { ... }; */
#define WN_PLUGIN_DESCRIPTOR                                                   \
    extern WN_EXPORT const struct wn_plugin wn_plugin_descriptor;              \
    WN_EXPORT const struct wn_plugin wn_plugin_descriptor

#endif /* WINNOW_PLUGIN_H */
