/*
 * test_wn_text.c: the normalized text format: folding, NFC, control
 * characters, words and hashes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wn_text.h"

static char *
normalize(const char *s)
{
    static char out[4096];
    struct wn_buf b;

    wn_buf_init(&b, sizeof(out) - 1);
    assert_true(wn_text_normalize(&b, s, strlen(s)) >= 0);
    memcpy(out, b.data ? b.data : "", b.len + 1);
    wn_buf_free(&b);
    return out;
}

static void
text_folds_white_space_runs(void **state)
{
    (void) state;
    assert_string_equal(normalize("  a \t\n b  "), "a b");
    /* no-break, thin and ideographic spaces fold too */
    assert_string_equal(normalize("a\xc2\xa0\xc2\xa0"
                                  "b\xe2\x80\x89"
                                  "c\xe3\x80\x80"
                                  "d"),
                        "a b c d");
    assert_string_equal(normalize(" \t \n"), "");
}

static void
text_drops_controls_and_zero_width(void **state)
{
    (void) state;
    assert_string_equal(normalize("a\x01"
                                  "b\x7f"
                                  "c\xe2\x80\x8b"
                                  "d\xef\xbb\xbf"
                                  "e"),
                        "abcde");
    /* C1 controls (U+0085 is a line break and folds) */
    assert_string_equal(normalize("a\xc2\x85"
                                  "b\xc2\x9f"
                                  "c"),
                        "a bc");
}

static void
text_composes_to_nfc(void **state)
{
    (void) state;
    /* e + combining acute -> U+00E9 */
    assert_string_equal(normalize("Caf"
                                  "e\xcc\x81"),
                        "Caf\xc3\xa9");
}

static void
text_repairs_invalid_utf8(void **state)
{
    (void) state;
    assert_string_equal(normalize("a\xff"
                                  "b"),
                        "a\xef\xbf\xbd"
                        "b");
    assert_string_equal(normalize("a\xe2\x82"), "a\xef\xbf\xbd\xef\xbf\xbd");
    assert_true(wn_text_utf8_valid("\xc3\xa9", 2));
    assert_false(wn_text_utf8_valid("\xc0\xaf", 2));     /* overlong */
    assert_false(wn_text_utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
}

static void
text_fold_respects_the_cap(void **state)
{
    struct wn_buf b;

    (void) state;
    wn_buf_init(&b, 4);
    assert_true(wn_text_fold(&b, "abcdefgh", 8, NULL) < 0);
    assert_true(b.len <= 4);
    wn_buf_free(&b);
}

static void
text_counts_words(void **state)
{
    (void) state;
    assert_int_equal(wn_text_words("", 0), 0);
    assert_int_equal(wn_text_words("one, two - three!", 17), 3);
    assert_int_equal(wn_text_words("U.S. 107mm", 10), 3);
    assert_int_equal(wn_text_words("\xc3\xa9t\xc3\xa9 caf\xc3\xa9", 12), 2);
}

static void
text_hash_is_stable_and_distinct(void **state)
{
    char a[WN_TEXT_HASH_HEX + 1], b[WN_TEXT_HASH_HEX + 1];

    (void) state;
    wn_text_hash("hello", 5, a);
    wn_text_hash("hello", 5, b);
    assert_string_equal(a, b);
    assert_int_equal(strlen(a), WN_TEXT_HASH_HEX);
    wn_text_hash("hellp", 5, b);
    assert_string_not_equal(a, b);
}

static void
text_simhash_is_near_for_near_texts(void **state)
{
    const char *a = "The quick brown fox jumps over the lazy dog while the "
                    "farmer watches from the porch and the sun sets slowly "
                    "behind the hills of the old valley tonight";
    const char *b = "The quick brown fox jumps over the lazy dog while the "
                    "farmer watches from the porch and the sun sets slowly "
                    "behind the hills of the old valley today";
    const char *c = "Completely different words about rockets and attacks in "
                    "a distant country reported by several news agencies "
                    "during the week of February";

    (void) state;
    uint64_t ha = wn_text_simhash(a, strlen(a));
    uint64_t hb = wn_text_simhash(b, strlen(b));
    uint64_t hc = wn_text_simhash(c, strlen(c));
    assert_true(wn_text_hamming(ha, hb) < wn_text_hamming(ha, hc));
    assert_true(wn_text_hamming(ha, hb) <= 12);
    /* case does not matter */
    assert_int_equal(wn_text_simhash("A B C D E F", 11),
                     wn_text_simhash("a b c d e f", 11));
}

/* Deterministic text of n words (some non-ASCII, some punctuation). */
static size_t
gen_text(char *buf, size_t cap, unsigned nwords, uint32_t seed)
{
    static const char *const w[] = { "alpha",
                                     "Beta",
                                     "gamma",
                                     "d\xc3\xa9lta",
                                     "\xce\xb5",
                                     "zeta",
                                     "eta",
                                     "Theta",
                                     "iota",
                                     "kappa",
                                     "\xce\xbb",
                                     "mu",
                                     "1999",
                                     "x",
                                     "stra\xc3\x9f\x65", /* straße */
                                     "of" };
    size_t n = 0;

    for (unsigned i = 0; i < nwords; i++) {
        const char *s;
        size_t l;
        seed = seed * 1103515245u + 12345u;
        s = w[(seed >> 8) % 16];
        l = strlen(s);
        if (n + l + 1 > cap) {
            break;
        }
        memcpy(buf + n, s, l);
        n += l;
        buf[n++] = (seed >> 20) % 7 == 0 ? ',' : ' ';
    }
    return n;
}

/*
 * Stored articles keep their fingerprint, and new ones are compared with
 * it (near-duplicates, stories): the value is part of the store's format
 * and must not change with the way it is computed.  These were computed
 * by the first implementation (one vote per bit and shingle); 300 and 2000
 * words, and one word 1000 times, take the counting past the 255 shingles
 * a lane holds.
 */
static void
text_fingerprint_is_stable(void **state)
{
    static const struct {
        unsigned words;
        size_t counted;
        uint64_t fp;
    } want[] = {
        { 0, 0, 0x0000000000000000ull },
        { 3, 3, 0xf12d2bbe707f50f3ull },
        { 5, 5, 0xc491431c78d4363dull },
        { 40, 40, 0x6e608a71f3341440ull },
        { 300, 300, 0x392c318025f60b8dull },
        { 2000, 2000, 0x7f1919002d448bd0ull },
    };
    static char buf[1 << 16];

    (void) state;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        size_t n = gen_text(buf, sizeof(buf), want[i].words, 7u + (uint32_t) i);
        size_t words = 0;
        assert_int_equal(wn_text_fingerprint(buf, n, &words), want[i].fp);
        assert_int_equal(words, want[i].counted);
        assert_int_equal(wn_text_simhash(buf, n), want[i].fp);
    }
    /* Every shingle the same: each count reaches 996, past a lane's 255. */
    size_t n = 0, words = 0;
    for (int i = 0; i < 1000; i++) {
        memcpy(buf + n, "again ", 6);
        n += 6;
    }
    assert_int_equal(wn_text_fingerprint(buf, n, &words),
                     0x8e59a1905ed6f583ull);
    assert_int_equal(words, 1000);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_folds_white_space_runs),
        cmocka_unit_test(text_drops_controls_and_zero_width),
        cmocka_unit_test(text_composes_to_nfc),
        cmocka_unit_test(text_repairs_invalid_utf8),
        cmocka_unit_test(text_fold_respects_the_cap),
        cmocka_unit_test(text_counts_words),
        cmocka_unit_test(text_hash_is_stable_and_distinct),
        cmocka_unit_test(text_simhash_is_near_for_near_texts),
        cmocka_unit_test(text_fingerprint_is_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
