/*
 * wn_shingle.h: near-duplicate detection over word shingles: the set of
 * hashed WN_SHINGLE_WORDS-word shingles of a text, its bottom-k sketch (the
 * keys a store indexes to find candidates without a pairwise scan), and
 * the exact containment used to confirm a candidate.  Pure functions, safe
 * on any thread.
 */
#ifndef WN_SHINGLE_H
#define WN_SHINGLE_H

#include <stddef.h>
#include <stdint.h>

/* Words per shingle: five keeps shared stock phrases rare. */
#define WN_SHINGLE_WORDS 5
/*
 * Keys indexed per text: its WN_SHINGLE_SKETCH smallest shingle hashes.
 * Two texts whose shingle sets have Jaccard similarity J share at least one
 * key unless none of the 16 smallest hashes of their union is common to
 * both: probability (1 - J)^16, 0.4% at J = 0.29.
 */
#define WN_SHINGLE_SKETCH 16
/*
 * Two texts are one story when at least this share of the smaller one's
 * shingles is in the other (containment), and the smaller has at least
 * WN_SHINGLE_MIN shingles (a few words prove nothing).  Measured on the
 * seeds: unrelated articles on the same news week share at most 2% of
 * their five-word shingles; two sites' versions of one wire story share
 * 29% (cleaned pages with their leftovers) to 46% (gold text).
 */
#define WN_SHINGLE_LINK 0.20
#define WN_SHINGLE_MIN  8
/* Shingles hashed per text at most (about the first 50,000 words). */
#define WN_SHINGLE_MAX 50000

/* A text's shingle hashes, sorted and unique. */
struct wn_shingles {
    uint64_t *h; /* malloc'd; NULL when n == 0 */
    size_t n;
};

/*
 * Hashes the shingles of s[0..len): words are runs of ASCII letters and
 * digits and of non-ASCII bytes (so any script counts), ASCII folded to
 * lower case.  A text of fewer words than a shingle is one shingle.
 * 0 or WN_ENOMEM; free with wn_shingles_free().
 */
int wn_shingles_of(const char *s, size_t len, struct wn_shingles *out);
void wn_shingles_free(struct wn_shingles *sh);

/* The bottom-k sketch: at most WN_SHINGLE_SKETCH keys, smallest first;
 * returns how many. */
size_t wn_shingles_sketch(const struct wn_shingles *sh,
                          uint64_t keys[WN_SHINGLE_SKETCH]);

/*
 * The sketch of s[0..len) straight from the text, as wn_shingles_sketch()
 * of wn_shingles_of() gives it, without the sorted set (for callers that
 * need only the keys).  0 or WN_ENOMEM; *n is how many keys.
 */
int wn_shingles_sketch_of(const char *s, size_t len,
                          uint64_t keys[WN_SHINGLE_SKETCH], size_t *n);

/* |A ∩ B| / min(|A|, |B|), 0 when either is empty. */
double wn_shingles_containment(const struct wn_shingles *a,
                               const struct wn_shingles *b);

/* True when a and b are the same story by the rule above. */
int wn_shingles_linked(const struct wn_shingles *a,
                       const struct wn_shingles *b);

#endif /* WN_SHINGLE_H */
