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

/* Room for the word hashes of len bytes: a word takes at least two bytes
 * with its separator, so len / 2 + 1 bounds the count. */
static size_t
wn_shingle_room(size_t len)
{
    size_t max = WN_SHINGLE_MAX + WN_SHINGLE_WORDS - 1;

    return len / 2 + 1 < max ? len / 2 + 1 : max;
}

/* The shingle hashes of the text, unsorted, into w (wn_shingle_room()
 * entries); returns how many. */
static size_t
wn_shingle_hashes(const char *s, size_t len, uint64_t *w)
{
    size_t nw = wn_shingle_words(s, len, w, wn_shingle_room(len)), ns;

    if (nw == 0) {
        return 0;
    }
    ns = nw >= WN_SHINGLE_WORDS ? nw - WN_SHINGLE_WORDS + 1 : 1;
    /* In place: shingle i only reads words i.. i + WN_SHINGLE_WORDS - 1. */
    for (size_t i = 0; i < ns; i++) {
        size_t m = nw - i < WN_SHINGLE_WORDS ? nw - i : WN_SHINGLE_WORDS;
        w[i] = XXH3_64bits(&w[i], m * sizeof(*w));
    }
    return ns;
}

int
wn_shingles_of(const char *s, size_t len, struct wn_shingles *out)
{
    size_t ns, k = 0;
    uint64_t *w;

    out->h = NULL;
    out->n = 0;
    w = malloc(sizeof(*w) * wn_shingle_room(len));
    if (w == NULL) {
        return WN_ENOMEM;
    }
    ns = wn_shingle_hashes(s, len, w);
    if (ns == 0) {
        free(w);
        return 0;
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

/* Texts up to this many bytes hash their words on the stack. */
#define WN_SHINGLE_STACK_WORDS 1024

int
wn_shingles_sketch_of(const char *s, size_t len,
                      uint64_t keys[WN_SHINGLE_SKETCH], size_t *n)
{
    uint64_t stack[WN_SHINGLE_STACK_WORDS], *w = stack;
    size_t room = wn_shingle_room(len), ns, k = 0;

    *n = 0;
    if (room > WN_SHINGLE_STACK_WORDS) {
        w = malloc(sizeof(*w) * room);
        if (w == NULL) {
            return WN_ENOMEM;
        }
    }
    ns = wn_shingle_hashes(s, len, w);
    /* keys[0..k) holds the smallest distinct hashes so far, ascending. */
    for (size_t i = 0; i < ns; i++) {
        uint64_t h = w[i];
        size_t at = k;
        if (k == WN_SHINGLE_SKETCH && h >= keys[k - 1]) {
            continue;
        }
        while (at > 0 && keys[at - 1] > h) {
            at--;
        }
        if (at > 0 && keys[at - 1] == h) {
            continue;
        }
        if (k < WN_SHINGLE_SKETCH) {
            k++;
        }
        memmove(&keys[at + 1], &keys[at], (k - 1 - at) * sizeof(*keys));
        keys[at] = h;
    }
    if (w != stack) {
        free(w);
    }
    *n = k;
    return 0;
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
