/*
 * test_wn_shingle.c: shingle sets, sketches and the story rule, on the
 * seeds (000 and 002 tell one wire story; 003 and 004 are unrelated to
 * every other seed) and on made-up texts.
 */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wn_cmd.h"
#include "wn_shingle.h"

static int
load_seed(const char *prefix, struct wn_shingles *out)
{
    char pattern[512], *data = NULL;
    glob_t g;
    size_t len;
    int rc = -1;

    snprintf(pattern, sizeof(pattern), "%s/fixtures/seeds/%s_*.gold.txt",
             WN_SHARED_DIR, prefix);
    if (glob(pattern, 0, NULL, &g) != 0) {
        return -1;
    }
    if (g.gl_pathc == 1
        && wn_cmd_read_file(g.gl_pathv[0], 1 << 20, &data, &len) == 0)
    {
        rc = wn_shingles_of(data, len, out);
        free(data);
    }
    globfree(&g);
    return rc;
}

static void
shingle_links_the_seeds_that_share_a_wire_story(void **state)
{
    static const char *const ids[] = { "000", "001", "002", "003", "004" };
    struct wn_shingles sh[5];
    uint64_t ka[WN_SHINGLE_SKETCH], kb[WN_SHINGLE_SKETCH];

    (void) state;
    for (int i = 0; i < 5; i++) {
        if (load_seed(ids[i], &sh[i]) != 0) {
            for (int j = 0; j < i; j++) {
                wn_shingles_free(&sh[j]);
            }
            skip();
        }
        assert_true(sh[i].n > 100);
    }
    for (int i = 0; i < 5; i++) {
        for (int j = i + 1; j < 5; j++) {
            int want = i == 0 && j == 2;
            assert_int_equal(wn_shingles_linked(&sh[i], &sh[j]), want);
        }
    }
    /* The pair is found through the index: their sketches share keys. */
    {
        size_t na = wn_shingles_sketch(&sh[0], ka);
        size_t nb = wn_shingles_sketch(&sh[2], kb), common = 0;
        for (size_t i = 0; i < na; i++) {
            for (size_t j = 0; j < nb; j++) {
                common += ka[i] == kb[j];
            }
        }
        assert_true(common >= 1);
    }
    for (int i = 0; i < 5; i++) {
        wn_shingles_free(&sh[i]);
    }
}

static void
shingle_sets_fold_case_and_punctuation(void **state)
{
    struct wn_shingles a, b, c;

    (void) state;
    assert_int_equal(
        wn_shingles_of("The quick brown fox jumps over the lazy dog.", 44, &a),
        0);
    assert_int_equal(
        wn_shingles_of("the QUICK brown -- fox, jumps over the lazy dog", 47,
                       &b),
        0);
    assert_int_equal(wn_shingles_of("", 0, &c), 0);
    assert_int_equal(a.n, 5); /* 9 words, 5 five-word shingles */
    assert_int_equal(a.n, b.n);
    assert_memory_equal(a.h, b.h, a.n * sizeof(*a.h));
    assert_true(wn_shingles_containment(&a, &b) == 1.0);
    assert_int_equal(c.n, 0);
    assert_true(wn_shingles_containment(&a, &c) == 0.0);
    /* Too few shingles prove nothing, even when identical. */
    assert_false(wn_shingles_linked(&a, &b));
    for (size_t i = 1; i < a.n; i++) {
        assert_true(a.h[i - 1] < a.h[i]);
    }
    wn_shingles_free(&a);
    wn_shingles_free(&b);
    wn_shingles_free(&c);
}

static void
shingle_sketch_of_an_empty_text_is_empty(void **state)
{
    struct wn_shingles sh;
    uint64_t keys[WN_SHINGLE_SKETCH];

    (void) state;
    assert_int_equal(wn_shingles_of("", 0, &sh), 0);
    assert_null(sh.h);
    assert_int_equal(wn_shingles_sketch(&sh, keys), 0);
    wn_shingles_free(&sh);
}

static void
shingle_sets_stop_at_their_cap(void **state)
{
    size_t n = WN_SHINGLE_MAX + 100, cap = n * 8, o = 0;
    char *text = malloc(cap);
    struct wn_shingles sh;

    (void) state;
    assert_non_null(text);
    for (size_t i = 0; i < n; i++) { /* distinct words: distinct shingles */
        o += (size_t) snprintf(text + o, cap - o, "w%zu ", i);
    }
    assert_int_equal(wn_shingles_of(text, o, &sh), 0);
    assert_int_equal(sh.n, WN_SHINGLE_MAX);
    wn_shingles_free(&sh);
    free(text);
}

/* The sketch straight from a text is the sketch of its shingle set: on
 * texts of 0 to 3,000 words, with repeated phrases (duplicate shingles),
 * short and long (past the stack buffer). */
static void
shingle_sketch_of_a_text_is_the_sketch_of_its_set(void **state)
{
    static const char *const words[] = { "rain", "Sun", "wind",
                                         "the",  "of",  "\xc3\xa9t\xc3\xa9",
                                         "2024", "snow" };
    size_t cap = 3000 * 8, len;
    char *text = malloc(cap);
    uint32_t seed = 1;

    (void) state;
    assert_non_null(text);
    for (int t = 0; t < 300; t++) {
        unsigned nwords = t < 40 ? (unsigned) t : 40 + (unsigned) t * 9;
        struct wn_shingles sh;
        uint64_t want[WN_SHINGLE_SKETCH], got[WN_SHINGLE_SKETCH];
        size_t nwant, ngot = 99;

        len = 0;
        for (unsigned i = 0; i < nwords; i++) {
            const char *w;
            seed = seed * 1103515245u + 12345u;
            /* a vocabulary of 8 (t odd) repeats five-word phrases */
            w = words[(seed >> 8) % (t % 2 ? 8u : 6u)];
            len += (size_t) snprintf(text + len, cap - len, "%s%s ", w,
                                     t % 2              ? ""
                                     : (seed >> 20) % 3 ? ""
                                                        : "!");
        }
        assert_int_equal(wn_shingles_of(text, len, &sh), 0);
        nwant = wn_shingles_sketch(&sh, want);
        assert_int_equal(wn_shingles_sketch_of(text, len, got, &ngot), 0);
        assert_int_equal(ngot, nwant);
        if (nwant > 0) {
            assert_memory_equal(got, want, nwant * sizeof(*got));
        }
        wn_shingles_free(&sh);
    }
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shingle_links_the_seeds_that_share_a_wire_story),
        cmocka_unit_test(shingle_sets_fold_case_and_punctuation),
        cmocka_unit_test(shingle_sets_stop_at_their_cap),
        cmocka_unit_test(shingle_sketch_of_an_empty_text_is_empty),
        cmocka_unit_test(shingle_sketch_of_a_text_is_the_sketch_of_its_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
