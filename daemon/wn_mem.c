/*
 * wn_mem.c: malloc tuning for a long-running daemon (see wn_mem.h).
 */
#include "wn_mem.h"

#include <stdlib.h>
#include <string.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

void
wn_mem_limit_arenas(long threads)
{
#ifdef __GLIBC__
    const char *tun = getenv("GLIBC_TUNABLES");
    long n = threads + 2;

    if (getenv("MALLOC_ARENA_MAX") != NULL
        || (tun != NULL && strstr(tun, "arena_max") != NULL))
    {
        return;
    }
    if (n < 2) {
        n = 2;
    }
    mallopt(M_ARENA_MAX, (int) n);
#else
    (void) threads;
#endif
}

void
wn_mem_release(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}
