/*
 * wn_mem.h: how the daemon's memory goes back to the system.  glibc keeps
 * freed memory in per-thread arenas, up to eight per core; a feed pass
 * allocates on the loop thread, the cleaning threads and the writer, and
 * frees on another, so without these the peak resident set stays high
 * after the articles that made it are written.  No-ops on other C
 * libraries.
 */
#ifndef WN_MEM_H
#define WN_MEM_H

/*
 * Caps malloc's arenas at one per thread that allocates: threads + 2, the
 * threadpool, the loop and the writer.  Fewer arenas than threads made
 * them wait on each other's arena locks: on bench/run_sched.py's pass, 2
 * arenas on 2 cores took 20,000-37,000 voluntary context switches and
 * 8.3-9.6 s, 5 arenas 6,300-6,900 and 7.7-8.7 s, for 1-2 MB more peak
 * RSS.  Call before the first thread starts.  MALLOC_ARENA_MAX, or an
 * arena_max in GLIBC_TUNABLES, set by the user wins.
 */
void wn_mem_limit_arenas(long threads);

/* Gives free memory at the end of the heap and in every arena back to the
 * system (madvise): about a millisecond for a few MB of arenas. */
void wn_mem_release(void);

#endif /* WN_MEM_H */
