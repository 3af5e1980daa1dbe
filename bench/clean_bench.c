/*
 * clean_bench.c: the extraction bench's in-process half.  Reads every page
 * of a folder into memory, then times, over several rounds, (a) winnow's
 * whole cleaning path (wn_extract with the plugins of a plugin folder) and
 * (b) raw libxml2 HTML parsing of the same bytes (htmlReadMemory with the
 * options winnow uses, then xmlFreeDoc): the floor.  Times are the
 * thread's CPU time (the machine is shared).  Writes each page's
 * cleaned text to OUT/<id>.txt for scoring, and one JSON line of figures
 * to stdout.  bench/run_extract.py drives it.
 *
 * usage: clean_bench PLUGIN_DIR HTML_DIR OUT_DIR [ROUNDS]
 */
#include <dirent.h>
#include <libxml/HTMLparser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wn_cmd.h"
#include "wn_conf.h"
#include "wn_extract.h"
#include "wn_html.h"
#include "wn_plugin.h"

#define BENCH_PAGES_MAX 100000u

struct bench_page {
    char *id;
    char *data;
    size_t len;
};

static int
bench_cmp(const void *a, const void *b)
{
    return strcmp(((const struct bench_page *) a)->id,
                  ((const struct bench_page *) b)->id);
}

static int
bench_load(const char *dir, struct bench_page **out, size_t *n, size_t *bytes)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct bench_page *v = NULL;

    *n = *bytes = 0;
    if (d == NULL) {
        perror(dir);
        return -1;
    }
    while ((e = readdir(d)) != NULL && *n < BENCH_PAGES_MAX) {
        size_t len = strlen(e->d_name);
        char path[4096];
        struct bench_page p;
        if (len < 6 || strcmp(e->d_name + len - 5, ".html") != 0) {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (wn_cmd_read_file(path, WN_HTML_MAX_BYTES, &p.data, &p.len) != 0) {
            fprintf(stderr, "clean_bench: %s: unreadable or too big\n", path);
            continue;
        }
        p.id = strndup(e->d_name, len - 5);
        struct bench_page *nv = realloc(v, (*n + 1) * sizeof(*v));
        if (p.id == NULL || nv == NULL) {
            closedir(d);
            return -1;
        }
        v = nv;
        v[(*n)++] = p;
        *bytes += p.len;
    }
    closedir(d);
    qsort(v, *n, sizeof(*v), bench_cmp);
    *out = v;
    return 0;
}

/* CPU seconds of this thread: on a shared machine, wall time mostly
 * measures the neighbours. */
static double
bench_cpu(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int
bench_dcmp(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
    struct wn_conf *conf = NULL;
    struct wn_plugins *plugins = NULL;
    struct bench_page *pages;
    size_t n, bytes, failed = 0;
    int rounds = argc > 4 ? atoi(argv[4]) : 3;
    double clean_s[16], parse_s[16];

    if (argc < 4 || rounds < 1 || rounds > 16) {
        fprintf(stderr, "usage: clean_bench PLUGIN_DIR HTML_DIR OUT_DIR "
                        "[ROUNDS 1-16]\n");
        return 2;
    }
    wn_html_global_init();
    if (wn_conf_default(&conf) != 0) {
        return 1;
    }
    free(conf->plugin_dir);
    conf->plugin_dir = strdup(argv[1]);
    if (wn_plugins_load(conf, &plugins, NULL) != 0 || plugins->generic == NULL)
    {
        fprintf(stderr, "clean_bench: no generic plugin in %s\n", argv[1]);
        return 1;
    }
    if (bench_load(argv[2], &pages, &n, &bytes) != 0 || n == 0) {
        fprintf(stderr, "clean_bench: no pages in %s\n", argv[2]);
        return 1;
    }
    /* Rounds interleave winnow and the floor, so that drift on a shared
     * machine hits both. */
    for (int r = 0; r < rounds; r++) {
        double t0 = bench_cpu();
        for (size_t i = 0; i < n; i++) {
            struct wn_extract_in in;
            struct wn_article *a = NULL;
            struct wn_err err;
            memset(&in, 0, sizeof(in));
            in.data = pages[i].data;
            in.len = pages[i].len;
            if (wn_extract(plugins, &in, &a, &err) != 0) {
                failed += r == 0;
                continue;
            }
            if (r == 0) {
                char path[4096];
                FILE *f;
                snprintf(path, sizeof(path), "%s/%s.txt", argv[3], pages[i].id);
                f = fopen(path, "w");
                if (f != NULL) {
                    fwrite(a->text, 1, a->len, f);
                    fputc('\n', f);
                    fclose(f);
                }
            }
            wn_article_free(a);
        }
        clean_s[r] = bench_cpu() - t0;

        t0 = bench_cpu();
        for (size_t i = 0; i < n; i++) {
            xmlDocPtr doc = htmlReadMemory(
                pages[i].data, (int) pages[i].len, NULL, NULL,
                HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING
                    | HTML_PARSE_NONET | HTML_PARSE_COMPACT);
            xmlFreeDoc(doc);
        }
        parse_s[r] = bench_cpu() - t0;
    }
    /* Each round's pair, and the medians; run_extract.py takes the median
     * of the per-round ratios, which drift on a shared machine cancels. */
    printf("{\"pages\": %zu, \"bytes\": %zu, \"failed\": %zu, \"rounds\": %d, "
           "\"winnow_rounds\": [",
           n, bytes, failed, rounds);
    for (int r = 0; r < rounds; r++) {
        printf("%s%.6f", r ? ", " : "", clean_s[r]);
    }
    printf("], \"libxml2_rounds\": [");
    for (int r = 0; r < rounds; r++) {
        printf("%s%.6f", r ? ", " : "", parse_s[r]);
    }
    qsort(clean_s, (size_t) rounds, sizeof(double), bench_dcmp);
    qsort(parse_s, (size_t) rounds, sizeof(double), bench_dcmp);
    printf("], \"winnow_s\": %.6f, \"libxml2_s\": %.6f}\n", clean_s[rounds / 2],
           parse_s[rounds / 2]);
    for (size_t i = 0; i < n; i++) {
        free(pages[i].id);
        free(pages[i].data);
    }
    free(pages);
    wn_plugins_free(plugins);
    wn_conf_free(conf);
    return 0;
}
