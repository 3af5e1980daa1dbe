/*
 * wn_fetch_host.c: a chained hash of host records keyed by lower-cased
 * host name (FNV-1a), grown by doubling past one record per bucket.
 */
#include "wn_fetch_host.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WN_FETCH_HOSTS_MIN 64u /* buckets at first use */

static uint64_t
wn_fetch_hosts_hash(const char *s)
{
    uint64_t h = 1469598103934665603u;

    for (; *s != '\0'; s++) {
        h ^= (unsigned char) tolower((unsigned char) *s);
        h *= 1099511628211u;
    }
    return h;
}

void
wn_fetch_hosts_init(struct wn_fetch_hosts *t)
{
    memset(t, 0, sizeof(*t));
}

struct wn_fetch_host *
wn_fetch_hosts_find(const struct wn_fetch_hosts *t, const char *name)
{
    struct wn_fetch_host *h;

    if (t->nb == 0) {
        return NULL;
    }
    h = t->b[wn_fetch_hosts_hash(name) & (t->nb - 1)];
    while (h != NULL && strcasecmp(h->name, name) != 0) {
        h = h->hnext;
    }
    return h;
}

static int
wn_fetch_hosts_grow(struct wn_fetch_hosts *t)
{
    size_t nb = t->nb ? t->nb * 2 : WN_FETCH_HOSTS_MIN;
    struct wn_fetch_host **b = calloc(nb, sizeof(*b));

    if (b == NULL) {
        return -1;
    }
    for (size_t i = 0; i < t->nb; i++) {
        struct wn_fetch_host *h = t->b[i], *next;
        for (; h != NULL; h = next) {
            size_t k = wn_fetch_hosts_hash(h->name) & (nb - 1);
            next = h->hnext;
            h->hnext = b[k];
            b[k] = h;
        }
    }
    free(t->b);
    t->b = b;
    t->nb = nb;
    return 0;
}

struct wn_fetch_host *
wn_fetch_hosts_get(struct wn_fetch_hosts *t, const char *name)
{
    struct wn_fetch_host *h = wn_fetch_hosts_find(t, name);
    size_t k;

    if (h != NULL) {
        return h;
    }
    if (t->n >= t->nb && wn_fetch_hosts_grow(t) != 0) {
        return NULL;
    }
    h = calloc(1, sizeof(*h));
    if (h == NULL || (h->name = strdup(name)) == NULL) {
        free(h);
        return NULL;
    }
    for (char *p = h->name; *p != '\0'; p++) {
        *p = (char) tolower((unsigned char) *p);
    }
    wn_heap_entry_init(&h->wake);
    k = wn_fetch_hosts_hash(name) & (t->nb - 1);
    h->hnext = t->b[k];
    t->b[k] = h;
    t->n++;
    return h;
}

void
wn_fetch_hosts_del(struct wn_fetch_hosts *t, struct wn_fetch_host *h)
{
    struct wn_fetch_host **pp = &t->b[wn_fetch_hosts_hash(h->name) & (t->nb - 1)];

    while (*pp != NULL && *pp != h) {
        pp = &(*pp)->hnext;
    }
    if (*pp == h) {
        *pp = h->hnext;
        t->n--;
    }
    free(h->name);
    free(h);
}

void
wn_fetch_hosts_free(struct wn_fetch_hosts *t)
{
    for (size_t i = 0; i < t->nb; i++) {
        struct wn_fetch_host *h = t->b[i], *next;
        for (; h != NULL; h = next) {
            next = h->hnext;
            free(h->name);
            free(h);
        }
    }
    free(t->b);
    memset(t, 0, sizeof(*t));
}
