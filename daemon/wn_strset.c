/*
 * wn_strset.c: open-addressing string set with linear probing and
 * tombstones; FNV-1a hashes.
 */
#include "wn_strset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/error.h>

static char wn_strset_tomb_byte;
#define WN_STRSET_TOMB (&wn_strset_tomb_byte)

static uint64_t
wn_strset_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    for (; *s; s++) {
        h ^= (unsigned char) *s;
        h *= 1099511628211ull;
    }
    return h;
}

void
wn_strset_init(struct wn_strset *s)
{
    memset(s, 0, sizeof(*s));
}

/* The slot holding key, or the first free slot for it (*found says). */
static size_t
wn_strset_find(const struct wn_strset *s, const char *key, int *found)
{
    size_t mask = s->cap - 1, i = (size_t) wn_strset_hash(key) & mask;
    size_t first_tomb = (size_t) -1;

    for (;;) {
        char *v = s->slots[i];
        if (v == NULL) {
            *found = 0;
            return first_tomb != (size_t) -1 ? first_tomb : i;
        }
        if (v == WN_STRSET_TOMB) {
            if (first_tomb == (size_t) -1) {
                first_tomb = i;
            }
        } else if (strcmp(v, key) == 0) {
            *found = 1;
            return i;
        }
        i = (i + 1) & mask;
    }
}

static int
wn_strset_grow(struct wn_strset *s)
{
    size_t cap = s->cap ? s->cap * 2 : 64;
    struct wn_strset n;

    if (s->count * 2 < s->cap) {
        cap = s->cap; /* mostly tombstones: rehash at the same size */
    }
    n.slots = calloc(cap, sizeof(*n.slots));
    if (n.slots == NULL) {
        return WN_ENOMEM;
    }
    n.cap = cap;
    n.count = 0;
    n.used = 0;
    for (size_t i = 0; i < s->cap; i++) {
        char *v = s->slots[i];
        if (v != NULL && v != WN_STRSET_TOMB) {
            int found;
            n.slots[wn_strset_find(&n, v, &found)] = v;
            n.count++;
            n.used++;
        }
    }
    free(s->slots);
    *s = n;
    return 0;
}

int
wn_strset_add(struct wn_strset *s, const char *key)
{
    size_t i;
    int found;
    char *copy;

    if ((s->used + 1) * 4 > s->cap * 3 && wn_strset_grow(s) != 0) {
        return WN_ENOMEM;
    }
    i = wn_strset_find(s, key, &found);
    if (found) {
        return 0;
    }
    copy = strdup(key);
    if (copy == NULL) {
        return WN_ENOMEM;
    }
    if (s->slots[i] == NULL) {
        s->used++;
    }
    s->slots[i] = copy;
    s->count++;
    return 1;
}

int
wn_strset_has(const struct wn_strset *s, const char *key)
{
    int found = 0;

    if (s->cap > 0) {
        wn_strset_find(s, key, &found);
    }
    return found;
}

int
wn_strset_del(struct wn_strset *s, const char *key)
{
    size_t i;
    int found = 0;

    if (s->cap == 0) {
        return 0;
    }
    i = wn_strset_find(s, key, &found);
    if (!found) {
        return 0;
    }
    free(s->slots[i]);
    s->slots[i] = WN_STRSET_TOMB;
    s->count--;
    return 1;
}

void
wn_strset_free(struct wn_strset *s)
{
    for (size_t i = 0; i < s->cap; i++) {
        if (s->slots[i] != NULL && s->slots[i] != WN_STRSET_TOMB) {
            free(s->slots[i]);
        }
    }
    free(s->slots);
    memset(s, 0, sizeof(*s));
}
