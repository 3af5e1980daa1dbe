/*
 * wn_story.h: the in-memory candidate index for near-duplicate stories.
 * It maps a sketch key (wn_shingle.h) to the newest articles whose sketch
 * holds it, so that a new article finds the stored articles it may share a
 * story with in a few memory reads instead of a B-tree seek per key.
 *
 * The index is lossy by design and bounded: it keeps 32 bits of each key
 * and of each article id, the newest articles of a key in one bucket of
 * WN_STORY_BUCKET slots (a key shared by more articles keeps its newest;
 * a bucket full of other keys makes the index grow, up to
 * WN_STORY_SLOTS_MAX slots, and then loses its oldest entry).  So it
 * answers "which articles may share this key", never "which do": callers
 * confirm every candidate against the stored text, which also makes
 * entries of rolled-back transactions or deleted articles harmless.
 * Single-threaded: the store's writer owns it.
 */
#ifndef WN_STORY_H
#define WN_STORY_H

#include <stddef.h>
#include <stdint.h>

/* Articles a bucket remembers; also the most one key returns. */
#define WN_STORY_BUCKET 8
/* Slots at the start (32 KB) and at most (16 MB, about 130,000 articles of
 * 16 keys at half load): memory grows with what is stored, then the oldest
 * entries make room. */
#define WN_STORY_SLOTS_MIN (1u << 12)
#define WN_STORY_SLOTS_MAX (1u << 21)

struct wn_story_index {
    uint64_t *slot; /* key fragment << 32 | article id; 0 = empty */
    size_t nslots;  /* a power of two, a multiple of WN_STORY_BUCKET */
    size_t used;
};

/* An empty index; allocates nothing until the first add. */
void wn_story_index_init(struct wn_story_index *ix);
void wn_story_index_free(struct wn_story_index *ix);

/*
 * Remembers that article `id` has sketch key `key`.  0, or WN_ENOMEM when
 * the index could not grow (it then keeps working at its current size, so
 * callers may ignore this).
 */
int wn_story_index_add(struct wn_story_index *ix, uint64_t key, int64_t id);

/*
 * Fills ids[] with at most WN_STORY_BUCKET articles that may hold `key`,
 * newest first; returns how many.  Ids are the low 32 bits of the
 * article ids added (exact below 2^32).
 */
size_t wn_story_index_find(const struct wn_story_index *ix, uint64_t key,
                           int64_t ids[WN_STORY_BUCKET]);

#endif /* WN_STORY_H */
