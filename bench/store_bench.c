/*
 * store_bench.c: the store's throughput and search latency, measured
 * through wn_store.h exactly as the writer uses it (articles in
 * transactions of `batch`), beside a reference in the
 * same run: the same rows inserted into a plain table with no index, no
 * search entry and no story index (SQLite only), so the ratio says what
 * the store's indexes cost on this machine.
 *
 *   store_bench [--store PATH|URI] [--articles N] [--words W] [--batch B]
 *               [--queries Q] [--seed S] [--bulk N] [--search-only 1]
 *               [--site HOST]
 *
 * --bulk N (SQLite) first loads N articles straight into the articles
 * table, without the story index, and lets the store's indexer build the
 * search index over them, so that search latency can be measured over a
 * million articles without waiting for a million writes through the
 * store; the timed writes then go on top of them.
 *
 * Prints articles/s (store and reference); for SQLite, whose search index
 * is written behind the store on a thread of its own (wn_search.h), also
 * how long after the last commit the index caught up and the rate from
 * the first commit to that point; search latency (median, p99) over Q one-
 * and two-word queries; and bytes per 1,000 articles (store and index).
 */
#include <sys/stat.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "wn_arena.h"
#include "wn_err.h"
#include "wn_extract.h"
#include "wn_store.h"
#include "wn_text.h"
#include "wn_time.h"

#define BENCH_STR_(x) #x
#define BENCH_STR(x)  BENCH_STR_(x)

#define VOCAB 20000

static uint64_t rng_state = 88172645463325252ull;

static uint64_t
rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Zipf-like word ranks: a few very common words, a long tail. */
static size_t
word_rank(void)
{
    double u = (double) (rng() >> 11) / 9007199254740992.0;
    size_t r = (size_t) exp(u * log((double) VOCAB));
    return r < 1 ? 0 : r - 1;
}

static char vocab[VOCAB][12];

static void
make_vocab(void)
{
    static const char cons[] = "bcdfghklmnprstvz", vow[] = "aeiou";
    for (size_t i = 0; i < VOCAB; i++) {
        size_t n = 2 + i % 3, o = 0, x = i * 2654435761u + 7;
        for (size_t k = 0; k < n; k++) {
            vocab[i][o++] = cons[x % 16];
            x /= 16;
            vocab[i][o++] = vow[x % 5];
            x /= 5;
        }
        vocab[i][o] = '\0';
    }
}

static size_t
make_text(char *buf, size_t cap, size_t words)
{
    size_t o = 0;
    for (size_t w = 0; w < words && o + 16 < cap; w++) {
        const char *v = vocab[word_rank()];
        size_t n = strlen(v);
        if (w > 0) {
            buf[o++] = (w % 60 == 0) ? '\n' : ' ';
            if (w % 60 == 0) {
                buf[o++] = '\n';
            }
        }
        memcpy(buf + o, v, n);
        o += n;
    }
    buf[o] = '\0';
    return o;
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

static int
count_hit(const struct wn_store_hit *h, void *arg)
{
    (void) h;
    ++*(size_t *) arg;
    return 0;
}

/* One batch of generated articles: texts and what the cleaner would have
 * computed (hash, fingerprint, story sketch), made before the clock
 * starts. */
struct batch {
    size_t n;
    char **text;
    size_t *len;
    char (*hash)[WN_TEXT_HASH_HEX + 1];
    uint64_t *simhash;
    uint64_t (*sketch)[WN_SHINGLE_SKETCH];
    size_t *nsketch;
    const char **title;
};

static void
batch_make(struct batch *b, size_t n, size_t words, int fingerprint)
{
    size_t cap = words * 16 + 64;

    b->n = n;
    for (size_t i = 0; i < n; i++) {
        size_t nw;
        b->len[i] = make_text(b->text[i], cap, words);
        wn_text_hash(b->text[i], b->len[i], b->hash[i]);
        b->simhash[i] =
            fingerprint ? wn_text_fingerprint(b->text[i], b->len[i], &nw) : 0;
        b->nsketch[i] = 0;
        if (fingerprint) {
            struct wn_shingles sh;
            if (wn_shingles_of(b->text[i], b->len[i], &sh) == 0) {
                b->nsketch[i] = wn_shingles_sketch(&sh, b->sketch[i]);
                wn_shingles_free(&sh);
            }
        }
        b->title[i] = vocab[word_rank()];
    }
}

static int
batch_init(struct batch *b, size_t cap, size_t words)
{
    b->text = calloc(cap, sizeof(*b->text));
    b->len = calloc(cap, sizeof(*b->len));
    b->hash = calloc(cap, sizeof(*b->hash));
    b->simhash = calloc(cap, sizeof(*b->simhash));
    b->title = calloc(cap, sizeof(*b->title));
    b->sketch = calloc(cap, sizeof(*b->sketch));
    b->nsketch = calloc(cap, sizeof(*b->nsketch));
    if (!b->text || !b->len || !b->hash || !b->simhash || !b->title
        || !b->sketch || !b->nsketch)
    {
        return -1;
    }
    for (size_t i = 0; i < cap; i++) {
        if ((b->text[i] = malloc(words * 16 + 64)) == NULL) {
            return -1;
        }
    }
    return 0;
}

static void
batch_free(struct batch *b, size_t cap)
{
    for (size_t i = 0; b->text != NULL && i < cap; i++) {
        free(b->text[i]);
    }
    free(b->text);
    free(b->len);
    free(b->hash);
    free(b->simhash);
    free(b->title);
    free(b->sketch);
    free(b->nsketch);
}

/*
 * The search-index settings a new store gets (its articles_fts_config
 * rows), as SQL for the reference's own index: so that "FTS5 only" indexes
 * the way the store does.  NULL when none could be read.
 */
static char *
store_fts_settings(const char *scratch)
{
    struct wn_store *s = NULL;
    struct wn_err err;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char *sql = NULL, index[1024 + sizeof("-search-wal")];

    remove(scratch);
    if (wn_store_open(scratch, 0, &s, &err) != 0) {
        return NULL;
    }
    (void) wn_store_search_sync(s, &err);
    wn_store_close(s);
    snprintf(index, sizeof(index), "%s-search", scratch);
    if (sqlite3_open(index, &db) == SQLITE_OK
        && sqlite3_prepare_v2(
               db,
               "SELECT group_concat(printf('INSERT INTO t_fts(t_fts, rank)"
               " VALUES (%Q, %s);', k, v), '')"
               " FROM articles_fts_config WHERE k <> 'version'",
               -1, &st, NULL)
               == SQLITE_OK
        && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
    {
        sql = strdup((const char *) sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    remove(scratch);
    remove(index);
    snprintf(index, sizeof(index), "%s-wal", scratch);
    remove(index);
    snprintf(index, sizeof(index), "%s-search-wal", scratch);
    remove(index);
    return sql;
}

/*
 * The references: the same rows into one plain SQLite table with no index
 * (fts = 0), and the same with only an FTS5 index over title and text, as
 * the store's, with its settings (fts = 1): what SQLite itself costs on this
 * machine, with and without full-text indexing.  Timed: the SQLite calls only.
 */
static double
reference_rate(const char *path, size_t n, size_t words, size_t batch, int fts,
               const char *fts_settings)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    struct batch b;
    double t = 0;

    remove(path);
    if (batch_init(&b, batch, words) != 0
        || sqlite3_open(path, &db) != SQLITE_OK) {
        return 0;
    }
    sqlite3_exec(
        db,
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
        "PRAGMA wal_autocheckpoint = " BENCH_STR(
            WN_STORE_SQLITE_CHECKPOINT_PAGES) ";"
                                              "CREATE TABLE t (id INTEGER PRIMARY KEY, url TEXT, title TEXT,"
                                              " text TEXT, hash TEXT, stored_at INTEGER)",
        NULL, NULL, NULL);
    if (fts) {
        sqlite3_exec(db,
                     "CREATE VIRTUAL TABLE t_fts USING fts5(title, text,"
                     " content='t', content_rowid='id',"
                     " tokenize='unicode61 remove_diacritics 2')",
                     NULL, NULL, NULL);
        if (fts_settings != NULL) {
            sqlite3_exec(db, fts_settings, NULL, NULL, NULL);
        }
    }
    sqlite3_prepare_v2(db, "INSERT INTO t VALUES (NULL, ?1, ?2, ?3, ?4, ?5)",
                       -1, &st, NULL);
    for (size_t i0 = 0; i0 < n; i0 += batch) {
        size_t m = n - i0 < batch ? n - i0 : batch;
        double t0;
        batch_make(&b, m, words, 0);
        t0 = now_s();
        sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
        for (size_t k = 0; k < m; k++) {
            char url[64];
            snprintf(url, sizeof(url), "https://ref.example/%zu", i0 + k);
            sqlite3_bind_text(st, 1, url, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, b.title[k], -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, b.text[k], (int) b.len[k], SQLITE_STATIC);
            sqlite3_bind_text(st, 4, b.hash[k], -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 5, (sqlite3_int64) (i0 + k));
            sqlite3_step(st);
            sqlite3_reset(st);
        }
        if (fts) {
            char sql[160];
            snprintf(sql, sizeof(sql),
                     "INSERT INTO t_fts(rowid, title, text) SELECT id, title,"
                     " text FROM t WHERE id > %zu",
                     i0);
            sqlite3_exec(db, sql, NULL, NULL, NULL);
        }
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        t += now_s() - t0;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    batch_free(&b, batch);
    return (double) n / t;
}

/* Loads n articles with SQL only (the store's indexer indexes them when
 * the store opens next). */
static int
bulk_load(const char *path, size_t n, size_t words)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    char *text = malloc(words * 16 + 64);
    size_t chunk = 20000;

    if (text == NULL || sqlite3_open(path, &db) != SQLITE_OK) {
        return -1;
    }
    sqlite3_exec(db, "PRAGMA cache_size = -262144", NULL, NULL, NULL);
    sqlite3_prepare_v2(
        db,
        "INSERT INTO articles (url, title, site, host, text, words, paragraphs,"
        " hash, simhash, story, plugins, stored_at)"
        " VALUES (?1, ?2, 'Bulk', 'bulk.example', ?3, ?4, 1, ?5, 0, ?5,"
        " 'generic/1.0.0', ?6)",
        -1, &st, NULL);
    for (size_t i = 0; i < n; i++) {
        char url[64], hash[WN_TEXT_HASH_HEX + 1];
        size_t len = make_text(text, words * 16 + 64, words);
        if (i % chunk == 0) {
            sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
        }
        snprintf(url, sizeof(url), "https://bulk.example/%zu", i);
        wn_text_hash(text, len, hash);
        sqlite3_bind_text(st, 1, url, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, vocab[word_rank()], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, text, (int) len, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, (sqlite3_int64) words);
        sqlite3_bind_text(st, 5, hash, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 6, (sqlite3_int64) i);
        if (sqlite3_step(st) != SQLITE_DONE) {
            fprintf(stderr, "store_bench: bulk: %s\n", sqlite3_errmsg(db));
            return -1;
        }
        sqlite3_reset(st);
        if (i % chunk == chunk - 1 || i == n - 1) {
            sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        }
    }
    sqlite3_finalize(st);
    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    sqlite3_close(db);
    free(text);
    return 0;
}

/* The database file and its WAL. */
static long long
file_size(const char *path)
{
    struct stat sb;
    char wal[1024];
    long long n = 0;

    if (stat(path, &sb) == 0) {
        n += sb.st_size;
    }
    snprintf(wal, sizeof(wal), "%s-wal", path);
    if (stat(wal, &sb) == 0) {
        n += sb.st_size;
    }
    return n;
}

int
main(int argc, char **argv)
{
    const char *path = "bench/out/store.db";
    size_t n = 100000, words = 250, batch = 1000, queries = 1000, bulk = 0;
    struct wn_store *s = NULL;
    struct wn_err err;
    char *text = NULL;
    double t0, t = 0, first, rate, ref[2] = { 0, 0 }, *lat;
    struct batch b;
    int shared, search_only = 0;
    const char *site = NULL; /* searches filtered by site */

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--store") == 0) {
            path = argv[i + 1];
        } else if (strcmp(argv[i], "--articles") == 0) {
            n = strtoul(argv[i + 1], NULL, 10);
        } else if (strcmp(argv[i], "--words") == 0) {
            words = strtoul(argv[i + 1], NULL, 10);
        } else if (strcmp(argv[i], "--batch") == 0) {
            batch = strtoul(argv[i + 1], NULL, 10);
        } else if (strcmp(argv[i], "--search-only") == 0) {
            search_only = strtoul(argv[i + 1], NULL, 10) != 0;
        } else if (strcmp(argv[i], "--bulk") == 0) {
            bulk = strtoul(argv[i + 1], NULL, 10);
        } else if (strcmp(argv[i], "--site") == 0) {
            site = argv[i + 1];
        } else if (strcmp(argv[i], "--queries") == 0) {
            queries = strtoul(argv[i + 1], NULL, 10);
        } else if (strcmp(argv[i], "--seed") == 0) {
            rng_state ^=
                strtoull(argv[i + 1], NULL, 10) * 0x9e3779b97f4a7c15ull;
        } else {
            fprintf(stderr, "store_bench: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (n == 0 || batch == 0 || words == 0) {
        fprintf(stderr, "store_bench: counts must be positive\n");
        return 2;
    }
    make_vocab();
    shared = strstr(path, "://") != NULL;
    if (!shared && search_only) {
        ;
    } else if (!shared) {
        char ref_path[1024];
        uint64_t saved = rng_state;
        char *settings;
        snprintf(ref_path, sizeof(ref_path), "%s.ref", path);
        settings = store_fts_settings(ref_path);
        if (settings == NULL) {
            fprintf(stderr, "store_bench: cannot read the store's search "
                            "index settings\n");
            return 1;
        }
        for (int fts = 0; fts < 2; fts++) {
            snprintf(ref_path, sizeof(ref_path), "%s.ref", path);
            ref[fts] = reference_rate(ref_path, n < 200000 ? n : 200000, words,
                                      batch, fts, settings);
            remove(ref_path);
            snprintf(ref_path, sizeof(ref_path), "%s.ref-wal", path);
            remove(ref_path);
        }
        free(settings);
        rng_state = saved;
        remove(path);
        for (int f = 0; f < 2; f++) {
            snprintf(ref_path, sizeof(ref_path), "%s-search%s", path,
                     f ? "-wal" : "");
            remove(ref_path);
        }
    }
    if (wn_store_open(path, 0, &s, &err) != 0) {
        fprintf(stderr, "store_bench: %s\n", err.msg);
        return 1;
    }
    if (search_only) {
        struct wn_store_counts c;
        if (wn_store_counts(s, &c, &err) != 0) {
            fprintf(stderr, "store_bench: %s\n", err.msg);
            return 1;
        }
        n = (size_t) c.articles;
        bulk = 0;
        goto search;
    }
    if (bulk > 0 && !shared) {
        double b0 = now_s();
        wn_store_close(s);
        if (bulk_load(path, bulk, words) != 0
            || wn_store_open(path, 0, &s, &err) != 0
            || wn_store_search_sync(s, &err) != 0)
        {
            fprintf(stderr, "store_bench: bulk load failed\n");
            return 1;
        }
        printf("bulk: %zu articles (the articles table, then the search "
               "index) in %.1f s\n",
               bulk, now_s() - b0);
    }
    text = malloc(words * 16 + 64);
    if (text == NULL || batch_init(&b, batch, words) != 0) {
        fprintf(stderr, "store_bench: out of memory\n");
        return 1;
    }
    /* Timed: the store calls only; the articles of each transaction are
     * made (and fingerprinted, as the cleaner does) before it. */
    first = now_s();
    for (size_t i0 = 0; i0 < n; i0 += batch) {
        size_t m = n - i0 < batch ? n - i0 : batch;
        batch_make(&b, m, words, 1);
        t0 = now_s();
        if (wn_store_begin(s, &err) != 0) {
            fprintf(stderr, "store_bench: %s\n", err.msg);
            return 1;
        }
        for (size_t k = 0; k < m; k++) {
            struct wn_article a;
            char url[64];
            size_t i = i0 + k;

            memset(&a, 0, sizeof(a));
            a.text = b.text[k];
            a.len = b.len[k];
            a.words = words;
            a.paragraphs = words / 60 + 1;
            a.meta[WN_META_TITLE] = b.title[k];
            a.meta[WN_META_SITE] = "Bench";
            a.plugins = "generic/1.0.0";
            a.simhash = b.simhash[k];
            a.nsketch = b.nsketch[k];
            memcpy(a.sketch, b.sketch[k], sizeof(a.sketch));
            memcpy(a.hash, b.hash[k], sizeof(a.hash));
            snprintf(url, sizeof(url), "https://s%zu.example/a/%zu", i % 50, i);
            /* as the writer runs a batch: no savepoint unless an op fails */
            if (wn_store_article_put(s, &a, url, url, (int64_t) i, &err) != 0) {
                fprintf(stderr, "store_bench: %s\n", err.msg);
                return 1;
            }
        }
        if (wn_store_commit(s, &err) != 0) {
            fprintf(stderr, "store_bench: %s\n", err.msg);
            return 1;
        }
        t += now_s() - t0;
    }
    batch_free(&b, batch);
    rate = (double) n / t;
    printf("store %s: %zu articles of %zu words in %.1f s: %.0f articles/s\n",
           wn_store_backend(s), n, words, t, rate);
    if (!shared) {
        /* The index follows on its own thread: the wall time from the
         * first commit until it holds the last article (article making
         * between transactions included, as the daemon's cleaning is). */
        double last = now_s();
        if (wn_store_search_sync(s, &err) != 0) {
            fprintf(stderr, "store_bench: %s\n", err.msg);
            return 1;
        }
        printf("search index: caught up %.1f s after the last commit; "
               "%.0f articles/s from the first commit to searchable\n",
               now_s() - last, (double) n / (now_s() - first));
    }
    if (!shared) {
        printf("reference (plain table, no indexes): %.0f articles/s; "
               "store/reference = %.2f\n",
               ref[0], rate / ref[0]);
        printf("reference with FTS5 only (plain table + the same full-text "
               "index, the store's settings): %.0f articles/s;"
               " store/reference = %.2f\n",
               ref[1], rate / ref[1]);
        /* The database's own size: what the WAL holds goes back first (the
         * store checkpoints every 10,000 pages, so up to 40 MB of WAL
         * would count otherwise). */
        char index[1024 + sizeof("-search")];
        snprintf(index, sizeof(index), "%s-search", path);
        for (int f = 0; f < 2; f++) {
            sqlite3 *db;
            if (sqlite3_open(f ? index : path, &db) == SQLITE_OK) {
                sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
                             NULL);
            }
            sqlite3_close(db);
        }
        printf("size: %.1f MB (store %.1f, search index %.1f), %.0f kB per "
               "1,000 articles\n",
               (double) (file_size(path) + file_size(index)) / 1e6,
               (double) file_size(path) / 1e6, (double) file_size(index) / 1e6,
               (double) (file_size(path) + file_size(index)) / 1e3
                   / ((double) (n + bulk) / 1000.0));
    }
search:
    setvbuf(stdout, NULL, _IOLBF, 0);
    lat = calloc(queries, sizeof(*lat));
    for (size_t q = 0; q < queries; q++) {
        struct wn_store_query sq;
        char match[64];
        size_t hits = 0;
        /* Words as people search for names and topics: not among the 500
         * most common (rank 500 is in about 5% of the articles, rank
         * 5,000 in 0.5%). */
        size_t r1 = 500 + rng() % 4500, r2 = 500 + rng() % 19500;
        if (q % 2) {
            snprintf(match, sizeof(match), "%s", vocab[r1]);
        } else {
            snprintf(match, sizeof(match), "%s %s", vocab[r1], vocab[r2]);
        }
        memset(&sq, 0, sizeof(sq));
        sq.match = match;
        sq.site = site;
        sq.since = sq.until = WN_TIME_NONE;
        sq.limit = 20;
        t0 = now_s();
        if (wn_store_search(s, &sq, count_hit, &hits, &err) < 0) {
            fprintf(stderr, "store_bench: %s\n", err.msg);
            return 1;
        }
        lat[q] = (now_s() - t0) * 1000.0;
    }
    qsort(lat, queries, sizeof(*lat), cmp_double);
    printf("search over %zu articles, %zu queries of 1-2 words%s%s, top 20: "
           "median %.2f ms, p99 %.2f ms\n",
           n + bulk, queries, site ? " on site " : "", site ? site : "",
           lat[queries / 2], lat[queries * 99 / 100]);
    free(lat);
    free(text);
    wn_store_close(s);
    return 0;
}
