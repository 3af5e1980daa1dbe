/*
 * wn_shingle.c: word-shingle sets, bottom-k sketches and containment for
 * near-duplicate stories.  It knows nothing about storage: wn_store_*.c
 * index the sketch keys and ask wn_shingles_linked() about candidates.
 */
#include "wn_shingle.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include <winnow/error.h>

static int
wn_shingle_is_word(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c >= 0x80;
}

static int
wn_shingle_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return (x > y) - (x < y);
}

/* Word hashes of the text (at most max), each folded to lower case. */
static size_t
wn_shingle_words(const char *s, size_t len, uint64_t *w, size_t max)
{
    char word[64];
    size_t n = 0, i = 0;

    while (i < len && n < max) {
        size_t wl = 0;
        while (i < len && !wn_shingle_is_word((unsigned char) s[i])) {
            i++;
        }
        while (i < len && wn_shingle_is_word((unsigned char) s[i])) {
            unsigned char c = (unsigned char) s[i++];
            if (wl < sizeof(word)) {
                word[wl++] = (char) (c >= 'A' && c <= 'Z' ? c + 32 : c);
            }
        }
        if (wl > 0) {
            w[n++] = XXH3_64bits(word, wl);
        }
    }
    return n;
}

int
wn_shingles_of(const char *s, size_t len, struct wn_shingles *out)
{
    size_t max = WN_SHINGLE_MAX + WN_SHINGLE_WORDS - 1, nw, ns, k = 0;
    uint64_t *w;

    out->h = NULL;
    out->n = 0;
    w = malloc(sizeof(*w) * (len / 2 + 1 < max ? len / 2 + 1 : max));
    if (w == NULL) {
        return WN_ENOMEM;
    }
    /* A word takes at least two bytes with its separator, so len / 2 + 1
     * bounds the count. */
    nw = wn_shingle_words(s, len, w, len / 2 + 1 < max ? len / 2 + 1 : max);
    if (nw == 0) {
        free(w);
        return 0;
    }
    ns = nw >= WN_SHINGLE_WORDS ? nw - WN_SHINGLE_WORDS + 1 : 1;
    /* In place: shingle i only reads words i.. i + WN_SHINGLE_WORDS - 1. */
    for (size_t i = 0; i < ns; i++) {
        size_t m = nw - i < WN_SHINGLE_WORDS ? nw - i : WN_SHINGLE_WORDS;
        w[i] = XXH3_64bits(&w[i], m * sizeof(*w));
    }
    qsort(w, ns, sizeof(*w), wn_shingle_cmp);
    for (size_t i = 0; i < ns; i++) {
        if (k == 0 || w[k - 1] != w[i]) {
            w[k++] = w[i];
        }
    }
    out->h = w;
    out->n = k;
    return 0;
}

void
wn_shingles_free(struct wn_shingles *sh)
{
    free(sh->h);
    sh->h = NULL;
    sh->n = 0;
}

size_t
wn_shingles_sketch(const struct wn_shingles *sh,
                   uint64_t keys[WN_SHINGLE_SKETCH])
{
    size_t n = sh->n < WN_SHINGLE_SKETCH ? sh->n : WN_SHINGLE_SKETCH;

    if (n > 0) { /* an empty set has no array */
        memcpy(keys, sh->h, n * sizeof(*keys));
    }
    return n;
}

double
wn_shingles_containment(const struct wn_shingles *a,
                        const struct wn_shingles *b)
{
    size_t i = 0, j = 0, common = 0, min;

    min = a->n < b->n ? a->n : b->n;
    if (min == 0) {
        return 0;
    }
    while (i < a->n && j < b->n) {
        if (a->h[i] < b->h[j]) {
            i++;
        } else if (a->h[i] > b->h[j]) {
            j++;
        } else {
            common++;
            i++;
            j++;
        }
    }
    return (double) common / (double) min;
}

int
wn_shingles_linked(const struct wn_shingles *a, const struct wn_shingles *b)
{
    size_t min = a->n < b->n ? a->n : b->n;

    return min >= WN_SHINGLE_MIN
           && wn_shingles_containment(a, b) >= WN_SHINGLE_LINK;
}
