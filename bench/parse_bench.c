/*
 * parse_bench.c: parse throughput over a list of feed files, in one of two
 * modes, so that bench/run_parse.py can compare them in the same run:
 *
 *   parse_bench winnow  REPS FILE...   wn_feed_parse() (charset, repair
 *                                      scan, libxml2, items) on each file
 *   parse_bench libxml2 REPS FILE...   xmlReadMemory() + xmlFreeDoc() on the
 *                                      same bytes: the floor
 *
 * Every file is read into memory first; the timed part is REPS passes over
 * all of them.  Prints one line of JSON: mode, files, bytes, items, seconds
 * (CPU time of the best pass: the machine is shared, and other processes
 * stretch wall time but not this), MB/s and items/s.
 */
#include <libxml/parser.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wn_feed.h"
#include "wn_html.h"

struct bench_file {
    char *data;
    size_t len;
};

static double
bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int
bench_read(const char *path, struct bench_file *f)
{
    FILE *fp = fopen(path, "rb");
    long n;

    if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0
        || fseek(fp, 0, SEEK_SET) != 0)
    {
        if (fp != NULL) {
            fclose(fp);
        }
        return -1;
    }
    f->len = (size_t) n;
    f->data = malloc(f->len + 1);
    if (f->data == NULL || fread(f->data, 1, f->len, fp) != f->len) {
        fclose(fp);
        return -1;
    }
    fclose(fp);
    return 0;
}

/* One pass; returns the number of items (winnow) or documents (libxml2). */
static size_t
bench_pass(int winnow, const struct bench_file *files, size_t n, int *failed)
{
    size_t items = 0;

    for (size_t i = 0; i < n; i++) {
        if (winnow) {
            struct wn_feed_opts opts;
            struct wn_feed_doc *doc = NULL;
            struct wn_err err;

            memset(&opts, 0, sizeof(opts));
            opts.url = "https://bench.example/feed";
            if (wn_feed_parse(files[i].data, files[i].len, &opts, &doc, &err)
                != 0)
            {
                (*failed)++;
                continue;
            }
            items += doc->nitems;
            wn_feed_free(doc);
        } else {
            xmlDocPtr doc =
                xmlReadMemory(files[i].data, (int) files[i].len, NULL, NULL,
                              XML_PARSE_NONET | XML_PARSE_NOERROR
                                  | XML_PARSE_NOWARNING | XML_PARSE_COMPACT);
            if (doc == NULL) {
                (*failed)++;
                continue;
            }
            items++;
            xmlFreeDoc(doc);
        }
    }
    return items;
}

int
main(int argc, char **argv)
{
    struct bench_file *files;
    size_t n, bytes = 0, items = 0;
    double best = 1e300;
    int winnow, reps, failed = 0;

    if (argc < 4 || (strcmp(argv[1], "winnow") != 0
                     && strcmp(argv[1], "libxml2") != 0))
    {
        fprintf(stderr, "usage: parse_bench winnow|libxml2 REPS FILE...\n");
        return 2;
    }
    winnow = strcmp(argv[1], "winnow") == 0;
    reps = (int) strtol(argv[2], NULL, 10);
    reps = reps > 0 ? reps : 1;
    n = (size_t) argc - 3;
    files = calloc(n, sizeof(*files));
    if (files == NULL) {
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (bench_read(argv[3 + i], &files[i]) != 0) {
            fprintf(stderr, "parse_bench: cannot read %s\n", argv[3 + i]);
            return 1;
        }
        bytes += files[i].len;
    }
    wn_html_global_init();
    wn_feed_global_init();
    bench_pass(winnow, files, n, &failed); /* warm-up */
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now(), dt;
        int f = 0;

        items = bench_pass(winnow, files, n, &f);
        dt = bench_now() - t0;
        best = dt < best ? dt : best;
        failed = f;
    }
    printf("{\"mode\": \"%s\", \"files\": %zu, \"bytes\": %zu, \"items\": %zu, "
           "\"failed\": %d, \"seconds\": %.6f, \"mb_per_s\": %.2f, "
           "\"items_per_s\": %.0f}\n",
           argv[1], n, bytes, items, failed, best, (double) bytes / 1e6 / best,
           (double) items / best);
    for (size_t i = 0; i < n; i++) {
        free(files[i].data);
    }
    free(files);
    return 0;
}
