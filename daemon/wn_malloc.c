/*
 * wn_malloc.c: winnowd's allocator is jemalloc (built with WN_MALLOC=
 * jemalloc, the default), configured here.
 *
 * Why: winnowd allocates from every thread at once (the loop, the
 * threadpool's cleaners, the store's writer, the search indexer), and
 * mostly in small blocks freed on another thread than the one that made
 * them.  Debian builds SQLite without its lookaside allocator, so every
 * cursor and record of every statement is a malloc() too: about 600
 * allocations per stored article in all.  On bench/run_sched.py (10,000
 * feeds, 100,500 articles, 2 cores) glibc's malloc cost about a tenth of
 * the pass's CPU more than jemalloc, and jemalloc brought the pass from
 * 1.66 to 1.38-1.49 times the bare libcurl floor's wall time (medians of
 * 5 runs; the machine is shared and noisy).
 *
 * The options trade a little of that for resident memory: jemalloc's
 * default of 4 arenas per CPU and 10 s of retained dirty pages held about
 * 6 MB more than glibc at the pass's peak; 2 arenas (each thread's cache
 * in front of them takes most calls) and 1 s of dirty pages, returned at
 * once after that (no "muzzy" stage), hold about 2 MB more.  MALLOC_CONF
 * in the environment still overrides them.
 */

/* Read by jemalloc when it initializes (before main): visible to it
 * despite the hidden default (CMAKE_C_VISIBILITY_PRESET), and exported
 * (daemon/CMakeLists.txt). */
__attribute__((visibility("default"))) const char *malloc_conf =
    "narenas:2,dirty_decay_ms:1000,muzzy_decay_ms:0";
