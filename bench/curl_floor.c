/*
 * curl_floor.c: the fetch bench's floor: fetches every URL of a list with a
 * bare libcurl multi handle, under winnowd's default concurrency limits, and
 * discards the bodies.  It parses nothing, stores nothing and has no event
 * loop of its own beyond curl_multi_poll(); whatever winnowd does beyond
 * this is the cost of being a daemon that understands what it fetches.
 *
 * Usage: curl_floor [-t MAX_TRANSFERS] [-H MAX_HOST_TRANSFERS] [-q] URLFILE
 *
 * URLFILE holds one absolute URL per line: the feeds first, then the article
 * pages (winnowd can fetch an article only after it has parsed the feed).
 * Each host gets its own queue in file order and free slots go round-robin
 * over the hosts, so article pages start as soon as a host's feeds are all
 * under way: the floor pipelines what winnowd has to do in two steps.
 *
 * Prints one line of key=value results on stdout; each failed transfer is
 * reported on stderr with its URL.  Exit status: 0 when every transfer got
 * a 2xx answer, 1 when some failed, 2 on a usage or set-up error.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#define FLOOR_MAX_LINE 8192      /* bytes per URL line */
#define FLOOR_MAX_URLS 10000000L /* URLs per list */
#define FLOOR_MAX_TRANSFERS_CAP                                                \
    100000L                            /* same bound as [fetch] max_transfers */
#define FLOOR_MAX_HOST_CAP       1000L /* same bound as max_host_transfers */
#define FLOOR_DEFAULT_TRANSFERS  64L   /* winnowd's [fetch] default */
#define FLOOR_DEFAULT_HOST       6L    /* winnowd's [fetch] default */
#define FLOOR_MAX_REDIRECTS      5L    /* winnowd's [fetch] default */
#define FLOOR_CONNECT_TIMEOUT_MS 10000L /* winnowd's [fetch] default */
#define FLOOR_TIMEOUT_MS         60000L /* winnowd's [fetch] default */
/* Connections per transfer slot, busy and idle (winnowd: one busy and
 * WN_FETCH_IDLE_PER_TRANSFER idle). */
#define FLOOR_CONNS_PER_TRANSFER 5L
#define FLOOR_POLL_MS            1000 /* longest sleep in curl_multi_poll */
#define FLOOR_USER_AGENT         "winnow-bench-floor/0.1"

struct floor_host {
    char *name;    /* "host:port", owned */
    size_t *queue; /* URL indices in file order, owned */
    size_t nqueue, head, cap;
    long active; /* transfers in flight */
};

struct floor_xfer {
    CURL *easy;
    size_t url;     /* index into floor.urls */
    size_t host;    /* index into floor.hosts */
    uint64_t bytes; /* decoded body bytes */
    char errbuf[CURL_ERROR_SIZE];
};

struct floor {
    char **urls;
    size_t nurls, capurls;
    struct floor_host *hosts;
    size_t nhosts, caphosts, rr;
    struct floor_xfer *xfers; /* max_transfers slots */
    struct floor_xfer **idle; /* free slots, a stack */
    size_t nidle;
    long max_transfers, max_host;
    int quiet;     /* do not report failures one by one */
    size_t queued; /* not started yet */
    size_t ok, failed;
    uint64_t body_bytes, wire_bytes;
    CURLM *multi;
};

static void *
floor_grow(void *p, size_t *cap, size_t need, size_t size)
{
    size_t n = *cap ? *cap : 16;
    void *q;

    if (need <= *cap) {
        return p;
    }
    while (n < need) {
        n *= 2;
    }
    q = realloc(p, n * size);
    if (q == NULL) {
        return NULL;
    }
    *cap = n;
    return q;
}

static size_t
floor_write(char *data, size_t size, size_t nmemb, void *userp)
{
    struct floor_xfer *x = userp;

    (void) data;
    x->bytes += (uint64_t) size * nmemb;
    return size * nmemb;
}

/* The host:port of `url`, as curl sees it; caller frees.  NULL on error. */
static char *
floor_host_key(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL, *port = NULL, *key = NULL;
    size_t n;

    if (u == NULL) {
        return NULL;
    }
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT)
               != CURLUE_OK)
    {
        goto failed;
    }
    n = strlen(host) + 1 + strlen(port) + 1;
    key = malloc(n);
    if (key != NULL) {
        snprintf(key, n, "%s:%s", host, port);
    }
failed:
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return key;
}

static int
floor_add_url(struct floor *f, const char *url, const char *file,
              unsigned long line)
{
    struct floor_host *h = NULL;
    size_t *queue;
    char **urls;
    char *key;
    size_t i;

    if ((long) f->nurls >= FLOOR_MAX_URLS) {
        fprintf(stderr, "floor: %s:%lu: more than %ld URLs\n", file, line,
                FLOOR_MAX_URLS);
        return -1;
    }
    key = floor_host_key(url);
    if (key == NULL) {
        fprintf(stderr, "floor: %s:%lu: %s: not a URL with a host\n", file,
                line, url);
        return -1;
    }
    for (i = 0; i < f->nhosts; i++) {
        if (strcmp(f->hosts[i].name, key) == 0) {
            h = &f->hosts[i];
            free(key);
            break;
        }
    }
    if (h == NULL) {
        struct floor_host *hosts =
            floor_grow(f->hosts, &f->caphosts, f->nhosts + 1, sizeof(*hosts));

        if (hosts == NULL) {
            free(key);
            goto nomem;
        }
        f->hosts = hosts;
        h = &f->hosts[f->nhosts++];
        memset(h, 0, sizeof(*h));
        h->name = key;
    }
    queue = floor_grow(h->queue, &h->cap, h->nqueue + 1, sizeof(size_t));
    if (queue == NULL) {
        goto nomem;
    }
    h->queue = queue;
    urls = floor_grow(f->urls, &f->capurls, f->nurls + 1, sizeof(char *));
    if (urls == NULL) {
        goto nomem;
    }
    f->urls = urls;
    f->urls[f->nurls] = strdup(url);
    if (f->urls[f->nurls] == NULL) {
        goto nomem;
    }
    h->queue[h->nqueue++] = f->nurls++;
    f->queued++;
    return 0;

nomem:
    fprintf(stderr, "floor: %s:%lu: out of memory\n", file, line);
    return -1;
}

static int
floor_read_list(struct floor *f, const char *file)
{
    char line[FLOOR_MAX_LINE];
    unsigned long lineno = 0;
    FILE *fp = fopen(file, "r");
    int rc = 0;

    if (fp == NULL) {
        fprintf(stderr, "floor: %s: %s\n", file, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof(line), fp) != NULL) {
        size_t n = strlen(line);

        lineno++;
        if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
            fprintf(stderr, "floor: %s:%lu: line longer than %d bytes\n", file,
                    lineno, FLOOR_MAX_LINE - 2);
            rc = -1;
            break;
        }
        while (n > 0
               && (line[n - 1] == '\n' || line[n - 1] == '\r'
                   || line[n - 1] == ' ' || line[n - 1] == '\t'))
        {
            line[--n] = '\0';
        }
        if (n == 0 || line[0] == '#') {
            continue;
        }
        if (floor_add_url(f, line, file, lineno) != 0) {
            rc = -1;
            break;
        }
    }
    if (rc == 0 && ferror(fp)) {
        fprintf(stderr, "floor: %s: read error\n", file);
        rc = -1;
    }
    fclose(fp);
    return rc;
}

/* The options winnowd sets that change what goes over the wire. */
static int
floor_setup_easy(struct floor_xfer *x)
{
    CURL *e = curl_easy_init();

    if (e == NULL) {
        return -1;
    }
    x->easy = e;
    if (curl_easy_setopt(e, CURLOPT_PRIVATE, x) != CURLE_OK
        || curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, floor_write) != CURLE_OK
        || curl_easy_setopt(e, CURLOPT_WRITEDATA, x) != CURLE_OK
        || curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf) != CURLE_OK
        || curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK
        || curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                            (long) CURL_HTTP_VERSION_1_1)
               != CURLE_OK
        || curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK
        || curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK
        || curl_easy_setopt(e, CURLOPT_MAXREDIRS, FLOOR_MAX_REDIRECTS)
               != CURLE_OK
        || curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK
        || curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
               != CURLE_OK
        || curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                            FLOOR_CONNECT_TIMEOUT_MS)
               != CURLE_OK
        || curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, FLOOR_TIMEOUT_MS) != CURLE_OK
        || curl_easy_setopt(e, CURLOPT_USERAGENT, FLOOR_USER_AGENT) != CURLE_OK)
    {
        return -1;
    }
    return 0;
}

/* Starts queued URLs while there are free slots and hosts under their cap. */
static int
floor_fill(struct floor *f)
{
    while (f->nidle > 0 && f->queued > 0) {
        struct floor_host *h = NULL;
        struct floor_xfer *x;
        size_t i, hi = 0;
        CURLMcode mc;

        for (i = 0; i < f->nhosts; i++) {
            hi = (f->rr + i) % f->nhosts;
            if (f->hosts[hi].head < f->hosts[hi].nqueue
                && f->hosts[hi].active < f->max_host)
            {
                h = &f->hosts[hi];
                break;
            }
        }
        if (h == NULL) {
            return 0; /* every host with work is at its cap */
        }
        f->rr = (hi + 1) % f->nhosts;
        x = f->idle[--f->nidle];
        x->url = h->queue[h->head++];
        x->host = hi;
        x->bytes = 0;
        x->errbuf[0] = '\0';
        f->queued--;
        h->active++;
        if (curl_easy_setopt(x->easy, CURLOPT_URL, f->urls[x->url]) != CURLE_OK)
        {
            fprintf(stderr, "floor: %s: cannot set the URL\n", f->urls[x->url]);
            return -1;
        }
        mc = curl_multi_add_handle(f->multi, x->easy);
        if (mc != CURLM_OK) {
            fprintf(stderr, "floor: %s: %s\n", f->urls[x->url],
                    curl_multi_strerror(mc));
            return -1;
        }
    }
    return 0;
}

static void
floor_done(struct floor *f, CURLMsg *msg)
{
    struct floor_xfer *x;
    const char *url;
    char *priv = NULL;
    curl_off_t wire = 0;
    long status = 0;

    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
    x = (struct floor_xfer *) (void *) priv;
    url = f->urls[x->url];
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(x->easy, CURLINFO_SIZE_DOWNLOAD_T, &wire);
    if (msg->data.result != CURLE_OK) {
        if (!f->quiet) {
            fprintf(stderr, "floor: %s: %s\n", url,
                    x->errbuf[0] ? x->errbuf
                                 : curl_easy_strerror(msg->data.result));
        }
        f->failed++;
    } else if ((status < 200 || status > 299) && status != 304) {
        /* 304 is a feed fetcher's normal answer (run_sched.py's half of
         * the feeds); anything else outside 2xx counts as failed. */
        if (!f->quiet) {
            fprintf(stderr, "floor: %s: HTTP %ld\n", url, status);
        }
        f->failed++;
    } else {
        f->ok++;
    }
    f->body_bytes += x->bytes;
    f->wire_bytes += (uint64_t) wire;
    f->hosts[x->host].active--;
    curl_multi_remove_handle(f->multi, x->easy);
    f->idle[f->nidle++] = x;
}

static int
floor_run(struct floor *f)
{
    int running = 0;

    if (floor_fill(f) != 0) {
        return -1;
    }
    for (;;) {
        CURLMcode mc = curl_multi_perform(f->multi, &running);
        CURLMsg *msg;
        int left;

        if (mc != CURLM_OK) {
            fprintf(stderr, "floor: curl_multi_perform: %s\n",
                    curl_multi_strerror(mc));
            return -1;
        }
        while ((msg = curl_multi_info_read(f->multi, &left)) != NULL) {
            if (msg->msg == CURLMSG_DONE) {
                floor_done(f, msg);
            }
        }
        if (floor_fill(f) != 0) {
            return -1;
        }
        if (running == 0 && f->queued == 0
            && f->nidle == (size_t) f->max_transfers) {
            return 0;
        }
        mc = curl_multi_poll(f->multi, NULL, 0, FLOOR_POLL_MS, NULL);
        if (mc != CURLM_OK) {
            fprintf(stderr, "floor: curl_multi_poll: %s\n",
                    curl_multi_strerror(mc));
            return -1;
        }
    }
}

static int
floor_parse_limit(const char *s, long max, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 1 || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

static void
floor_usage(void)
{
    fprintf(stderr,
            "usage: curl_floor [-t MAX_TRANSFERS] [-H MAX_HOST_TRANSFERS] [-q] "
            "URLFILE\n"
            "  -t N  transfers at once, all hosts ([fetch] max_transfers, "
            "default %ld)\n"
            "  -H N  transfers at once per host:port ([fetch] "
            "max_host_transfers, default %ld)\n"
            "  -q    do not report failed URLs one by one\n",
            FLOOR_DEFAULT_TRANSFERS, FLOOR_DEFAULT_HOST);
}

int
main(int argc, char **argv)
{
    struct floor f;
    const char *file = NULL;
    struct timespec t0, t1;
    double wall;
    int i, rc = 2;

    memset(&f, 0, sizeof(f));
    f.max_transfers = FLOOR_DEFAULT_TRANSFERS;
    f.max_host = FLOOR_DEFAULT_HOST;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
            if (floor_parse_limit(argv[++i], FLOOR_MAX_TRANSFERS_CAP,
                                  &f.max_transfers)
                != 0)
            {
                fprintf(stderr, "floor: -t %s: not in 1..%ld\n", argv[i],
                        FLOOR_MAX_TRANSFERS_CAP);
                return 2;
            }
        } else if (strcmp(argv[i], "-H") == 0 && i + 1 < argc) {
            if (floor_parse_limit(argv[++i], FLOOR_MAX_HOST_CAP, &f.max_host)
                != 0) {
                fprintf(stderr, "floor: -H %s: not in 1..%ld\n", argv[i],
                        FLOOR_MAX_HOST_CAP);
                return 2;
            }
        } else if (strcmp(argv[i], "-q") == 0) {
            f.quiet = 1;
        } else if (argv[i][0] != '-' && file == NULL) {
            file = argv[i];
        } else {
            floor_usage();
            return 2;
        }
    }
    if (file == NULL) {
        floor_usage();
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "floor: curl_global_init failed\n");
        return 2;
    }
    if (floor_read_list(&f, file) != 0) {
        goto failed;
    }
    f.multi = curl_multi_init();
    f.xfers = calloc((size_t) f.max_transfers, sizeof(*f.xfers));
    f.idle = calloc((size_t) f.max_transfers, sizeof(*f.idle));
    if (f.multi == NULL || f.xfers == NULL || f.idle == NULL) {
        fprintf(stderr, "floor: out of memory\n");
        goto failed;
    }
    /* The per-host cap is enforced above, so curl never queues a transfer
     * internally; the multi caps are set as winnowd sets them: connections,
     * idle ones included, FLOOR_CONNS_PER_TRANSFER per transfer. */
    curl_multi_setopt(f.multi, CURLMOPT_MAX_HOST_CONNECTIONS, f.max_host);
    curl_multi_setopt(f.multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                      f.max_transfers * FLOOR_CONNS_PER_TRANSFER);
    curl_multi_setopt(f.multi, CURLMOPT_MAXCONNECTS,
                      f.max_transfers * FLOOR_CONNS_PER_TRANSFER);
    for (i = 0; i < f.max_transfers; i++) {
        if (floor_setup_easy(&f.xfers[i]) != 0) {
            fprintf(stderr, "floor: cannot set up a curl handle\n");
            goto failed;
        }
        f.idle[f.nidle++] = &f.xfers[i];
    }

    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (floor_run(&f) != 0) {
        goto failed;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    wall = (double) (t1.tv_sec - t0.tv_sec)
           + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("urls=%zu ok=%zu failed=%zu hosts=%zu body_bytes=%llu "
           "wire_bytes=%llu fetch_s=%.3f max_transfers=%ld "
           "max_host_transfers=%ld\n",
           f.nurls, f.ok, f.failed, f.nhosts, (unsigned long long) f.body_bytes,
           (unsigned long long) f.wire_bytes, wall, f.max_transfers,
           f.max_host);
    rc = f.failed == 0 ? 0 : 1;

failed:
    if (f.xfers != NULL) {
        for (i = 0; i < f.max_transfers; i++) {
            if (f.xfers[i].easy != NULL) {
                curl_multi_remove_handle(f.multi, f.xfers[i].easy);
                curl_easy_cleanup(f.xfers[i].easy);
            }
        }
    }
    if (f.multi != NULL) {
        curl_multi_cleanup(f.multi);
    }
    for (size_t u = 0; u < f.nurls; u++) {
        free(f.urls[u]);
    }
    for (size_t h = 0; h < f.nhosts; h++) {
        free(f.hosts[h].name);
        free(f.hosts[h].queue);
    }
    free(f.urls);
    free(f.hosts);
    free(f.xfers);
    free(f.idle);
    curl_global_cleanup();
    return rc;
}
