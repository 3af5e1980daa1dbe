/*
 * wn_arena.c: a bump allocator over a list of chunks, capped in total; it
 * never frees single allocations.
 */
#include "wn_arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/error.h>

/* Chunk payloads grow with the arena, from the first (most arenas hold
 * one small article or item) to the largest. */
#define WN_ARENA_CHUNK_MIN 1024
#define WN_ARENA_CHUNK     16384

struct wn_arena_chunk {
    struct wn_arena_chunk *next;
    size_t size; /* payload bytes */
    size_t used;
    alignas(max_align_t) unsigned char data[];
};

struct wn_arena {
    struct wn_arena_chunk *head;
    size_t used; /* bytes handed out */
    size_t max;
};

int
wn_arena_create(struct wn_arena **out, size_t max)
{
    struct wn_arena *a = calloc(1, sizeof(*a));

    if (a == NULL) {
        return WN_ENOMEM;
    }
    a->max = max;
    *out = a;
    return 0;
}

void *
wn_arena_alloc(struct wn_arena *a, size_t size)
{
    const size_t align = alignof(max_align_t);
    struct wn_arena_chunk *c = a->head;
    size_t need, off;

    if (size == 0) {
        size = 1;
    }
    if (size > a->max || a->used > a->max - size) {
        return NULL;
    }
    if (c != NULL) {
        off = (c->used + align - 1) & ~(align - 1);
        if (off <= c->size && c->size - off >= size) {
            c->used = off + size;
            a->used += size;
            memset(c->data + off, 0, size);
            return c->data + off;
        }
    }
    /* Big allocations get a chunk of their own behind the current head, so
     * the head keeps serving small ones. */
    need = a->used < WN_ARENA_CHUNK_MIN ? WN_ARENA_CHUNK_MIN
           : a->used < WN_ARENA_CHUNK   ? a->used
                                        : WN_ARENA_CHUNK;
    if (size > need / 4) {
        need = size;
    }
    c = calloc(1, sizeof(*c) + need);
    if (c == NULL) {
        return NULL;
    }
    c->size = need;
    c->used = size;
    if (need == size && a->head != NULL) {
        c->next = a->head->next;
        a->head->next = c;
    } else {
        c->next = a->head;
        a->head = c;
    }
    a->used += size;
    return c->data;
}

char *
wn_arena_strndup(struct wn_arena *a, const char *s, size_t n)
{
    char *p;

    if (s == NULL || n == SIZE_MAX) {
        return NULL;
    }
    p = wn_arena_alloc(a, n + 1);
    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *
wn_arena_strdup(struct wn_arena *a, const char *s)
{
    return s == NULL ? NULL : wn_arena_strndup(a, s, strlen(s));
}

size_t
wn_arena_used(const struct wn_arena *a)
{
    return a->used;
}

void
wn_arena_destroy(struct wn_arena *a)
{
    struct wn_arena_chunk *c, *next;

    if (a == NULL) {
        return;
    }
    for (c = a->head; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}
