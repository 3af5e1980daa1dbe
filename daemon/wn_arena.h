/*
 * wn_arena.h: per-item memory pools (nginx request pools): many small
 * allocations, one free.  Not thread-safe; one arena belongs to one item and
 * is used by one thread at a time.
 */
#ifndef WN_ARENA_H
#define WN_ARENA_H

#include <stddef.h>

struct wn_arena;

/* Creates an arena that refuses to hold more than `max` bytes in all. */
int wn_arena_create(struct wn_arena **out, size_t max);

/* Zeroed memory aligned for any type; NULL when the cap is reached. */
void *wn_arena_alloc(struct wn_arena *a, size_t size);

/* Copies; NULL when the cap is reached or s is NULL. */
char *wn_arena_strdup(struct wn_arena *a, const char *s);
char *wn_arena_strndup(struct wn_arena *a, const char *s, size_t n);

/* Bytes handed out so far (for metrics and tests). */
size_t wn_arena_used(const struct wn_arena *a);

/* Frees every allocation; a may be NULL. */
void wn_arena_destroy(struct wn_arena *a);

#endif /* WN_ARENA_H */
