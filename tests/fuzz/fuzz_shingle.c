/*
 * fuzz_shingle.c: the shingle hasher (wn_shingles_of) on arbitrary text,
 * checked against its contract: hashes sorted and unique, none for a text
 * without a word and at least one otherwise, no more than it has words,
 * and the same set whatever the ASCII case and whatever separates the
 * words.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wn_shingle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The contract's word bytes: ASCII letters and digits, and non-ASCII. */
static int
is_word(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c >= 0x80;
}

static void
check(const struct wn_shingles *sh, size_t words)
{
    if ((sh->n == 0) != (words == 0) || sh->n > words
        || (sh->n > 0 && sh->h == NULL))
    {
        abort();
    }
    for (size_t i = 1; i < sh->n; i++) {
        if (sh->h[i - 1] >= sh->h[i]) {
            abort(); /* not sorted and unique */
        }
    }
}

static int
same(const struct wn_shingles *a, const struct wn_shingles *b)
{
    return a->n == b->n
           && (a->n == 0 || memcmp(a->h, b->h, a->n * sizeof(*a->h)) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wn_shingles sh, alt;
    size_t words = 0;
    char *v;

    for (size_t i = 0; i < size; i++) {
        words += is_word(data[i]) && (i == 0 || !is_word(data[i - 1]));
    }
    if (wn_shingles_of((const char *) data, size, &sh) != 0) {
        return 0; /* out of memory */
    }
    check(&sh, words);
    /* Another text with the same words: ASCII case swapped, and every
     * separator byte replaced by another separator. */
    v = malloc(size + 1);
    if (v != NULL) {
        for (size_t i = 0; i < size; i++) {
            uint8_t c = data[i];
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                c ^= 0x20;
            } else if (!is_word(c)) {
                c = (uint8_t) " \n\t.,;\"-"[c % 8];
            }
            v[i] = (char) c;
        }
        if (wn_shingles_of(v, size, &alt) == 0) {
            if (!same(&sh, &alt)) {
                abort();
            }
            wn_shingles_free(&alt);
        }
        free(v);
    }
    wn_shingles_free(&sh);
    if (sh.h != NULL || sh.n != 0) {
        abort(); /* freed sets are empty */
    }
    return 0;
}
