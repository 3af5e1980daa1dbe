/*
 * wn_conf.h: the configuration file (INI, parsed by inih) to a struct
 * wn_conf, with every error reported as "file:line: [section] key: why".
 * It validates values; it does not act on them.
 */
#ifndef WN_CONF_H
#define WN_CONF_H

#include <stddef.h>

#include "wn_buf.h"

#define WN_CONF_MAX_BYTES                                                      \
    (64u << 20) /* configuration file size (100,000 feeds take ~6 MB) */
#define WN_CONF_MAX_FEEDS  1000000u    /* feed sections */
#define WN_CONF_MAX_SECRET (64u << 10) /* a KEY_FILE's contents */
#define WN_CONF_ENV_PREFIX "WINNOW_"   /* WINNOW_SECTION_KEY overrides */

enum wn_fetch_article {
    WN_FETCH_ARTICLE_AUTO = 0, /* only when the feed lacks the full text */
    WN_FETCH_ARTICLE_ALWAYS,
    WN_FETCH_ARTICLE_NEVER
};

#define WN_CONF_MAX_HEADERS 32 /* header keys per feed */

/* A feed's own fetch settings, for the few feeds that have any (kept out
 * of struct wn_conf_feed so that 100,000 plain feeds stay small).  NULL
 * and 0 mean the [fetch] or [schedule] setting. */
struct wn_conf_feed_fetch {
    char *user_agent;
    char **headers; /* "Name: value", nheaders of them */
    size_t nheaders;
    char *cookie;   /* "a=1; b=2" */
    char *username; /* basic auth */
    char *password; /* read from password_file when the file loads */
    char *proxy;    /* a proxy URL, or "" for none */
    char *ca_file;  /* CA certificates (PEM) this feed's server is checked
                       against instead of [fetch] ca_file, or NULL */
    long timeout;   /* ms, whole transfer */
    long min_interval, max_interval; /* s */
};

struct wn_conf_feed {
    char *name;        /* the NAME of [feed:NAME] */
    char *url;         /* absolute http(s) or file URL */
    int fetch_article; /* enum wn_fetch_article */
    long interval;     /* seconds; 0: [schedule] interval */
    int zone_minutes;  /* timezone: zone of times that name none (0: UTC) */
    int keep_future;   /* future_dates = keep (default drop) */
    long keep_days;    /* article retention; -1: [store] keep_days */
    unsigned line;     /* where the section starts */
    int url_seen;      /* a url key was given (valid or not) */
    struct wn_conf_feed_fetch *fetch; /* or NULL: none of its own */
};

/* One key of a [plugin:NAME] section, kept raw until the plugin loads. */
struct wn_conf_kv {
    char *key, *value;
    unsigned line;
};

struct wn_conf_plugin {
    char *name;
    unsigned line;
    struct wn_conf_kv *kvs;
    size_t nkvs;
};

struct wn_conf {
    char *path; /* the file, as given */
    char *dir;  /* its folder: base of relative paths */

    /* [daemon] */
    int log_level;     /* syslog priority */
    int log_format;    /* enum wn_log_format */
    long threads;      /* libuv threadpool size */
    long stop_timeout; /* ms allowed for work in flight on SIGTERM */

    /* [store] */
    char *store_path;     /* SQLite file */
    long store_batch;     /* operations per transaction at most */
    long store_lease;     /* ms a shared store's feed lease lasts */
    long store_max_size;  /* bytes the database may grow to; 0: no cap */
    long keep_days;       /* days articles are kept; 0: for ever */
    long keep_pages_days; /* days raw pages are kept; 0: not kept */
    long retain_every;    /* ms between retention passes of `run` */

    /* [plugins] */
    char *plugin_dir;
    long plugin_timeout; /* ms per plugin call */

    /* [fetch] */
    char *user_agent;
    long connect_timeout; /* ms */
    long timeout;         /* ms, whole transfer */
    long low_speed_time;  /* s below low_speed_limit before giving up */
    long low_speed_limit; /* bytes/s */
    long max_body;        /* bytes per response, after decompression */
    long max_redirects;
    long max_transfers;      /* at once, all hosts */
    long max_host_transfers; /* at once, one host */
    long max_articles;       /* article pages in the pipeline at once */
    char *allow_private;     /* "no", "yes" or a list (see wn_net.h) */
    char *file_root;         /* folder file: URLs may read, or NULL */
    long host_delay;         /* ms between request starts to one host */
    char *proxy;             /* proxy URL, "" none, NULL: environment */
    char *ca_file;        /* CA certificates (PEM) servers are checked against
                             instead of the system's, or NULL: the system's */
    int retry_after_host; /* a Retry-After defers its whole host */

    /* [feeds] */
    char *opml; /* an OPML subscription list whose feeds are added */

    /* [schedule] */
    long interval;     /* ms between fetches of one feed */
    long max_items;    /* items read per feed document */
    long min_interval; /* ms, lower bound of every interval */
    long max_interval; /* ms, upper bound of every interval */
    long backoff_max;  /* ms, ceiling of the backoff after failures */
    long jitter;       /* percent of an interval, spread either way */
    int adaptive;      /* intervals follow how often a feed publishes */

    /* [admin] (wn_admin.h) */
    char *admin_listen;     /* "host:port", "unix:PATH", or "" (off) */
    long admin_max_conns;   /* connections at once */
    long admin_timeout;     /* ms a connection may stay idle */
    long admin_max_request; /* bytes of one request's head */
    long admin_max_lag;     /* ms of loop lag before /readyz fails */

    /* [sink] (wn_sink.h) */
    char *sink_jsonl;       /* "-" (stdout), a file, or "" (off) */
    char *webhook_url;      /* "" (off) */
    char *webhook_secret;   /* HMAC-SHA256 key; "" (unsigned) */
    long webhook_batch;     /* records per POST at most */
    long webhook_queue;     /* records queued before ingestion waits */
    long webhook_timeout;   /* ms per POST */
    long webhook_retry_min; /* ms before the first retry */
    long webhook_retry_max; /* ms between retries at most */

    struct wn_conf_feed *feeds;
    size_t nfeeds;
    struct wn_conf_plugin *plugins;
    size_t nplugins;
};

/*
 * Loads `path` (NULL: the built-in defaults only), then the environment.
 * Precedence, lowest first: built-in default, the file, the environment
 * (the command line is applied by the caller, above all of them):
 *
 *   WINNOW_<SECTION>_<KEY>            [section] key, upper-cased
 *   WINNOW_FEED_<NAME>_<KEY>          [feed:name] key (NAME lower-cased)
 *   WINNOW_PLUGIN_<NAME>_<KEY>        [plugin:name] key (NAME has no _)
 *   ..._FILE                          the value is the named file's contents
 *                                     (one trailing newline dropped)
 *
 * In the file, any key may be given as KEY_file for the same effect.
 * WINNOW_CONFIG is left to the caller (the file's path).  A WINNOW_
 * variable that names no key is an error, as an unknown key is.
 *
 * On success returns 0 and *out; otherwise returns WN_ECONFIG (or -errno
 * when the file cannot be read) and appends one line per error to
 * `errors` ("file:line: [section] key: reason", or "$VARIABLE: [section]
 * key: reason").  Errors are collected, not stopped at, so one run shows
 * them all.  With WN_ECONFIG, *out still holds what could be read
 * (check-config goes on to check the plugins with it); the caller frees it
 * either way.
 */
int wn_conf_load(const char *path, struct wn_conf **out, struct wn_buf *errors);

void wn_conf_free(struct wn_conf *conf);

/* Parsers shared with plugin directives; 0 or WN_EPARSE. */
int wn_conf_parse_bool(const char *s, int *out);
int wn_conf_parse_long(const char *s, long min, long max, long *out);
int wn_conf_parse_size(const char *s, long *out);    /* "16M", "512k" */
int wn_conf_parse_duration(const char *s, long *ms); /* "30s", "5m" */

/* Resolves a path from the file against its folder; caller frees. */
char *wn_conf_path(const struct wn_conf *conf, const char *value);

/* A configuration of built-in defaults only, relative to the current
 * folder (for commands run without -c). */
int wn_conf_default(struct wn_conf **out);

#endif /* WN_CONF_H */
