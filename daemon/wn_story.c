/*
 * wn_story.c: the bounded, lossy in-memory index from sketch keys to the
 * newest articles that hold them (see wn_story.h).  Open hashing into
 * buckets of WN_STORY_BUCKET slots; a full bucket drops its oldest entry
 * (the smallest id) once the index is at its largest.
 */
#include "wn_story.h"

#include <stdlib.h>

#include <winnow/error.h>

#include "wn_text.h"

/*
 * Sketch keys are the smallest hashes of a text, so their high bits are
 * mostly zero: mix them before taking bits for the bucket and the stored
 * fragment.
 */
static uint32_t
wn_story_fragment(uint64_t key)
{
    return (uint32_t) (wn_text_mix(key) >> 32);
}

void
wn_story_index_init(struct wn_story_index *ix)
{
    ix->slot = NULL;
    ix->nslots = 0;
    ix->used = 0;
}

void
wn_story_index_free(struct wn_story_index *ix)
{
    free(ix->slot);
    wn_story_index_init(ix);
}

/*
 * Puts one entry into its bucket.  Returns 1 when it took an empty slot,
 * 0 when it was there already or took an older entry's slot, -1 when the
 * bucket is full and the index should grow instead.  A full bucket gives
 * up its oldest entry when `evict` (the index is at its largest), else the
 * oldest entry of the same key when that key holds half the bucket
 * already (growing would not help: a key's entries share one bucket).
 */
static int
wn_story_put(uint64_t *slot, size_t nslots, uint64_t entry, int evict)
{
    size_t nb = nslots / WN_STORY_BUCKET;
    uint64_t *b = slot + ((entry >> 32) & (nb - 1)) * WN_STORY_BUCKET;
    size_t oldest = 0, same = WN_STORY_BUCKET, nsame = 0;

    for (size_t i = 0; i < WN_STORY_BUCKET; i++) {
        if (b[i] == entry) {
            return 0;
        }
        if (b[i] == 0) {
            b[i] = entry;
            return 1;
        }
        if ((uint32_t) b[i] < (uint32_t) b[oldest]) {
            oldest = i;
        }
        if (b[i] >> 32 == entry >> 32) {
            nsame++;
            if (same == WN_STORY_BUCKET || (uint32_t) b[i] < (uint32_t) b[same])
            {
                same = i;
            }
        }
    }
    if (evict) {
        b[oldest] = entry;
        return 0;
    }
    if (nsame >= WN_STORY_BUCKET / 2) {
        b[same] = entry;
        return 0;
    }
    return -1;
}

static int
wn_story_grow(struct wn_story_index *ix)
{
    size_t n = ix->nslots ? ix->nslots * 2 : WN_STORY_SLOTS_MIN;
    uint64_t *slot = calloc(n, sizeof(*slot));

    if (slot == NULL) {
        return WN_ENOMEM;
    }
    ix->used = 0;
    for (size_t i = 0; i < ix->nslots; i++) {
        if (ix->slot[i] != 0) {
            ix->used += wn_story_put(slot, n, ix->slot[i], 1) == 1;
        }
    }
    free(ix->slot);
    ix->slot = slot;
    ix->nslots = n;
    return 0;
}

int
wn_story_index_add(struct wn_story_index *ix, uint64_t key, int64_t id)
{
    uint32_t id32 = (uint32_t) id;
    uint64_t entry = (uint64_t) wn_story_fragment(key) << 32 | id32;
    int put;

    if (id32 == 0) { /* 0 marks an empty slot; ids start at 1 */
        return 0;
    }
    if (ix->nslots == 0 && wn_story_grow(ix) != 0) {
        return WN_ENOMEM;
    }
    /* A bucket full of other keys makes the index grow; at its largest
     * (or without memory) the bucket's oldest entry makes room. */
    while ((put = wn_story_put(ix->slot, ix->nslots, entry,
                               ix->nslots >= WN_STORY_SLOTS_MAX))
           < 0)
    {
        if (wn_story_grow(ix) != 0) {
            wn_story_put(ix->slot, ix->nslots, entry, 1);
            return WN_ENOMEM;
        }
    }
    ix->used += (size_t) put;
    /* Kept at most half full, so buckets rarely fill. */
    if (ix->used > ix->nslots / 2 && ix->nslots < WN_STORY_SLOTS_MAX) {
        return wn_story_grow(ix);
    }
    return 0;
}

size_t
wn_story_index_find(const struct wn_story_index *ix, uint64_t key,
                    int64_t ids[WN_STORY_BUCKET])
{
    uint32_t frag = wn_story_fragment(key);
    const uint64_t *b;
    size_t n = 0;

    if (ix->nslots == 0) {
        return 0;
    }
    b = ix->slot
        + (frag & (ix->nslots / WN_STORY_BUCKET - 1)) * WN_STORY_BUCKET;
    for (size_t i = 0; i < WN_STORY_BUCKET; i++) {
        if (b[i] != 0 && (uint32_t) (b[i] >> 32) == frag) {
            /* insertion sort, newest (largest id) first */
            int64_t id = (int64_t) (uint32_t) b[i];
            size_t j = n++;
            while (j > 0 && ids[j - 1] < id) {
                ids[j] = ids[j - 1];
                j--;
            }
            ids[j] = id;
        }
    }
    return n;
}
