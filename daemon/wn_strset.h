/*
 * wn_strset.h: a set of strings (open addressing, grows by doubling).
 * Single-threaded; the set owns copies of its strings.
 */
#ifndef WN_STRSET_H
#define WN_STRSET_H

#include <stddef.h>

struct wn_strset {
    char **slots; /* NULL empty, WN_STRSET_TOMB removed, else an owned copy */
    size_t cap;   /* power of two, or 0 */
    size_t count; /* live strings */
    size_t used;  /* live + tombstones */
};

void wn_strset_init(struct wn_strset *s);

/* 1 added, 0 already present, WN_ENOMEM. */
int wn_strset_add(struct wn_strset *s, const char *key);
int wn_strset_has(const struct wn_strset *s, const char *key);
/* 1 removed, 0 absent. */
int wn_strset_del(struct wn_strset *s, const char *key);
void wn_strset_free(struct wn_strset *s);

#endif /* WN_STRSET_H */
