/*
 * wn_text.h: the normalized text format of DESIGN.md ("Normalized text"):
 * UTF-8 in NFC, white space folded, no control characters; plus the word
 * count, the exact content hash and the near-duplicate fingerprint computed
 * over it.  Pure functions, safe on any thread.
 */
#ifndef WN_TEXT_H
#define WN_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "wn_buf.h"

/* A strong 64-bit finalizer (splitmix64, a bijection): FNV alone mixes
 * high bits badly, and sketch keys (the smallest hashes) have few. */
static inline uint64_t
wn_text_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* Length of a content hash in hex, terminator excluded. */
#define WN_TEXT_HASH_HEX 32

/*
 * Appends `s` (n bytes, any UTF-8, invalid sequences become U+FFFD) to `out`
 * with white space runs (Unicode spaces included) folded to one space,
 * control and zero-width characters removed, and no space at the start or
 * end of what this call appends.  Returns bytes appended or < 0 (the cap).
 * `pending_space` carries a fold across calls: pass NULL when appending one
 * whole string.
 */
int wn_text_fold(struct wn_buf *out, const char *s, size_t n,
                 int *pending_space);

/*
 * Replaces b's content by its NFC form.  0, WN_ENOMEM or WN_ETOOBIG; ASCII
 * text is left as it is without copying.
 */
int wn_text_nfc(struct wn_buf *b);

/* Appends `s` folded and in NFC, as one paragraph would be stored. */
int wn_text_normalize(struct wn_buf *out, const char *s, size_t n);

/* True when s[0..n) is valid UTF-8 (no overlongs, no surrogates). */
int wn_text_utf8_valid(const char *s, size_t n);

/* Words: maximal runs of letters and digits (Unicode categories L and N). */
size_t wn_text_words(const char *s, size_t n);

/* Exact-duplicate hash of a body: XXH3-128 in lower-case hex. */
void wn_text_hash(const char *s, size_t n, char hex[WN_TEXT_HASH_HEX + 1]);

/*
 * Near-duplicate fingerprint: a 64-bit SimHash over shingles of
 * WN_TEXT_SHINGLE lower-cased words.  Bodies that share most shingles differ
 * in few bits.
 */
#define WN_TEXT_SHINGLE 5
uint64_t wn_text_simhash(const char *s, size_t n);

/* Words and SimHash in one pass over the text. */
uint64_t wn_text_fingerprint(const char *s, size_t n, size_t *words);

/* Number of differing bits between two fingerprints. */
int wn_text_hamming(uint64_t a, uint64_t b);

#endif /* WN_TEXT_H */
