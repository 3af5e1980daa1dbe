/*
 * wn_main.c: winnowd's argv: options, the subcommand, and dispatch.  All
 * work happens in the wn_cmd_* functions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "wn_cmd.h"
#include "wn_feed.h"
#include "wn_html.h"
#include "wn_log.h"

#ifndef WN_VERSION
#define WN_VERSION "0"
#endif

static void
wn_main_usage(FILE *f)
{
    fputs(
        "usage: winnowd [COMMAND] [OPTIONS]\n"
        "\n"
        "commands:\n"
        "  run   -c FILE              the daemon (the default command)\n"
        "  once  -c FILE [--force]    one pass over every feed, then a summary\n"
        "                             (--force: feeds waiting out a server's\n"
        "                             Retry-After too)\n"
        "  parse FILE [--url U]       a feed file to JSON on stdout\n"
        "        [--content-type CT] [--timezone Z] [--keep-future]\n"
        "  clean FILE [--url U]       an article page to its stored text\n"
        "        [--json] [--text] [--explain]\n"
        "  export -c FILE [--since T] stored articles as JSON Lines\n"
        "  list -c FILE [--since T]   stored articles: title, site, words, "
        "first line\n"
        "  feeds -c FILE [--json]     each feed's state: last fetch, last "
        "error,\n"
        "                             error count, next try\n"
        "  search -c FILE QUERY       full-text search, best first, with "
        "snippets\n"
        "        [--feed NAME] [--site HOST] [--since T] [--until T]\n"
        "        [--limit N] [--json]\n"
        "  reclean -c FILE [--site HOST] [--since T]\n"
        "                             re-run the plugins over kept raw pages\n"
        "  check-config -c FILE       validate the configuration and plugins\n"
        "  plugins -c FILE            list plugins and the hosts they clean\n"
        "  opml FILE [--url BASE]     an OPML list as [feed:NAME] sections\n"
        "  discover URL|FILE [--url U] the feeds a page announces (or a feed)\n"
        "  test-rules [-c FILE] [DIR] check each site rule file's sample page\n"
        "\n"
        "options:\n"
        "  -c, --config FILE          configuration file\n"
        "  --url URL                  the document's URL (base of links, "
        "plugin choice)\n"
        "  --plugin-dir DIR           load plugins from DIR\n"
        "  --log-level LEVEL          err, warning, notice, info or debug\n"
        "  --version, --help\n",
        f);
}

static int
wn_main_value(int argc, char **argv, int *i, const char **out)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "winnowd: %s needs a value\n", argv[*i]);
        return -1;
    }
    *out = argv[++*i];
    return 0;
}

int
main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(const struct wn_opts *);
    } cmds[] = {
        { "run", wn_cmd_run },
        { "once", wn_cmd_once },
        { "parse", wn_cmd_parse },
        { "clean", wn_cmd_clean },
        { "export", wn_cmd_export },
        { "check-config", wn_cmd_check_config },
        { "plugins", wn_cmd_plugins },
        { "list", wn_cmd_list },
        { "feeds", wn_cmd_feeds },
        { "opml", wn_cmd_opml },
        { "discover", wn_cmd_discover },
        { "test-rules", wn_cmd_test_rules },
        { "search", wn_cmd_search },
        { "reclean", wn_cmd_reclean },
    };
    struct wn_opts o;
    int rc = WN_EXIT_USAGE;

    memset(&o, 0, sizeof(o));
    o.log_level = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *level = NULL;

        if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
            if (wn_main_value(argc, argv, &i, &o.config) != 0) {
                return WN_EXIT_USAGE;
            }
        } else if (strcmp(a, "--url") == 0) {
            if (wn_main_value(argc, argv, &i, &o.url) != 0) {
                return WN_EXIT_USAGE;
            }
        } else if (strcmp(a, "--plugin-dir") == 0) {
            if (wn_main_value(argc, argv, &i, &o.plugin_dir) != 0) {
                return WN_EXIT_USAGE;
            }
        } else if (strcmp(a, "--since") == 0) {
            if (wn_main_value(argc, argv, &i, &o.since) != 0) {
                return WN_EXIT_USAGE;
            }
        } else if (strcmp(a, "--until") == 0) {
            if (wn_main_value(argc, argv, &i, &o.until) != 0) {
                return WN_EXIT_USAGE;
            }
        } else if (strcmp(a, "--feed") == 0) {
            if (wn_main_value(argc, argv, &i, &o.feed) != 0) {
                return WN_EXIT_USAGE;
            }
        } else if (strcmp(a, "--site") == 0) {
            if (wn_main_value(argc, argv, &i, &o.site) != 0) {
                return WN_EXIT_USAGE;
            }
        } else if (strcmp(a, "--limit") == 0) {
            const char *v = NULL;
            char *end;
            if (wn_main_value(argc, argv, &i, &v) != 0) {
                return WN_EXIT_USAGE;
            }
            o.limit = strtol(v, &end, 10);
            if (*v == '\0' || *end != '\0' || o.limit < 1 || o.limit > 10000) {
                fprintf(stderr,
                        "winnowd: --limit %s: not a number from 1 to "
                        "10000\n",
                        v);
                return WN_EXIT_USAGE;
            }
        } else if (strcmp(a, "--log-level") == 0) {
            if (wn_main_value(argc, argv, &i, &level) != 0) {
                return WN_EXIT_USAGE;
            }
            o.log_level = wn_log_level_parse(level);
            if (o.log_level < 0) {
                fprintf(stderr, "winnowd: unknown log level \"%s\"\n", level);
                return WN_EXIT_USAGE;
            }
        } else if (strcmp(a, "--content-type") == 0) {
            if (wn_main_value(argc, argv, &i, &o.content_type) != 0) {
                return WN_EXIT_USAGE;
            }
        } else if (strcmp(a, "--timezone") == 0) {
            if (wn_main_value(argc, argv, &i, &o.timezone) != 0) {
                return WN_EXIT_USAGE;
            }
        } else if (strcmp(a, "--keep-future") == 0) {
            o.keep_future = 1;
        } else if (strcmp(a, "--json") == 0) {
            o.json = 1;
        } else if (strcmp(a, "--text") == 0) {
            o.text = 1;
        } else if (strcmp(a, "--explain") == 0) {
            o.explain = 1;
        } else if (strcmp(a, "--force") == 0) {
            o.force = 1;
        } else if (strcmp(a, "--version") == 0) {
            printf("winnowd %s\n", WN_VERSION);
            return WN_EXIT_OK;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            wn_main_usage(stdout);
            return WN_EXIT_OK;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "winnowd: unknown option %s\n", a);
            wn_main_usage(stderr);
            return WN_EXIT_USAGE;
        } else if (o.command == NULL) {
            o.command = a;
        } else if (o.file == NULL) {
            o.file = a;
        } else {
            fprintf(stderr, "winnowd: unexpected argument %s\n", a);
            return WN_EXIT_USAGE;
        }
    }
    if (o.command == NULL) {
        o.command = "run";
    }
    wn_log_init(o.log_level >= 0 ? o.log_level : WN_LOG_NOTICE,
                WN_LOG_FORMAT_AUTO);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "winnowd: libcurl failed to initialize\n");
        return WN_EXIT_FAILURE;
    }
    wn_html_global_init();
    wn_feed_global_init();
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (strcmp(o.command, cmds[i].name) == 0) {
            rc = cmds[i].fn(&o);
            curl_global_cleanup();
            return rc;
        }
    }
    fprintf(stderr, "winnowd: unknown command \"%s\"\n", o.command);
    wn_main_usage(stderr);
    curl_global_cleanup();
    return rc;
}
