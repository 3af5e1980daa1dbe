/*
 * wn_cmd.h: the subcommands of winnowd.  Each returns the process exit
 * status.  wn_main.c parses argv into struct wn_opts and dispatches.
 */
#ifndef WN_CMD_H
#define WN_CMD_H

#include <stddef.h>
#include <stdint.h>

struct wn_opts {
    const char *command;      /* "run", "once", "parse", ... */
    const char *config;       /* -c FILE, or NULL */
    const char *url;          /* --url */
    const char *plugin_dir;   /* --plugin-dir */
    const char *file;         /* the FILE argument */
    const char *since;        /* --since T */
    const char *content_type; /* parse: --content-type (the HTTP header) */
    const char *timezone;     /* parse: --timezone (zone of zoneless times) */
    int keep_future;          /* parse: --keep-future */
    const char *until;        /* --until T */
    const char *feed;         /* --feed NAME */
    const char *site;         /* --site HOST */
    long limit;               /* --limit N, 0 when not given */
    int json;                 /* --json */
    int text;                 /* --text */
    int explain;              /* --explain */
    int force;                /* once: --force (fetch feeds waiting out a
                                 server's Retry-After too) */
    int log_level;            /* --log-level, -1 when not given */
};

/* Exit statuses (sysexits-like where they fit). */
#define WN_EXIT_OK      0
#define WN_EXIT_FAILURE 1 /* nothing could be done */
#define WN_EXIT_USAGE   2
#define WN_EXIT_DATA    65 /* input is not what it should be */
#define WN_EXIT_CONFIG  78 /* configuration error */

int wn_cmd_parse(const struct wn_opts *o);
int wn_cmd_clean(const struct wn_opts *o);
int wn_cmd_check_config(const struct wn_opts *o);
int wn_cmd_plugins(const struct wn_opts *o);
int wn_cmd_export(const struct wn_opts *o);
int wn_cmd_list(const struct wn_opts *o);
int wn_cmd_feeds(const struct wn_opts *o);
int wn_cmd_once(const struct wn_opts *o);
int wn_cmd_run(const struct wn_opts *o);
int wn_cmd_opml(const struct wn_opts *o);     /* wn_cmd_feeds.c */
int wn_cmd_discover(const struct wn_opts *o); /* wn_cmd_feeds.c */
int wn_cmd_search(const struct wn_opts *o);
int wn_cmd_reclean(const struct wn_opts *o);

/*
 * Parses the value of a time option (`opt` names it in the error): an RFC
 * 3339 time or a duration before now ("36h", "7d").  0, or -1 after
 * printing why.
 */
int wn_cmd_time_arg(const char *opt, const char *v, int64_t *out);

/* winnowd test-rules [DIR]: each rule file's sample against its expected
 * text (wn_cmd_rules.c). */
int wn_cmd_test_rules(const struct wn_opts *o);

/* Reads a whole file (at most `max` bytes); the caller frees *data. */
int wn_cmd_read_file(const char *path, size_t max, char **data, size_t *len);

/*
 * Loads the configuration named by -c (or the built-in defaults when none
 * is given and `optional`), applying --plugin-dir and --log-level.  Prints
 * errors; returns NULL on failure.
 */
struct wn_conf *wn_cmd_conf(const struct wn_opts *o, int optional);

#endif /* WN_CMD_H */
