/*
 * test_wn_heap.c: the scheduler's heap keeps order under push, pop, remove
 * and update; the string set keeps membership through growth and removal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wn_heap.h"
#include "wn_strset.h"

#define N 2000

static void
heap_pops_in_key_order_after_updates_and_removals(void **state)
{
    static struct wn_heap_entry e[N];
    struct wn_heap h;
    uint64_t last = 0;
    size_t popped = 0;

    (void) state;
    wn_heap_init(&h);
    srand(7);
    for (size_t i = 0; i < N; i++) {
        wn_heap_entry_init(&e[i]);
        e[i].key = (uint64_t) (rand() % 100000);
        assert_int_equal(wn_heap_push(&h, &e[i]), 0);
    }
    for (size_t i = 0; i < N; i += 3) {
        wn_heap_update(&h, &e[i], (uint64_t) (rand() % 100000));
    }
    for (size_t i = 1; i < N; i += 7) {
        wn_heap_remove(&h, &e[i]);
        assert_int_equal(e[i].index, WN_HEAP_NONE);
        wn_heap_remove(&h, &e[i]); /* twice is harmless */
    }
    while (h.n > 0) {
        struct wn_heap_entry *m = wn_heap_pop(&h);
        assert_true(m->key >= last);
        last = m->key;
        popped++;
    }
    assert_int_equal(popped, N - (N - 1 + 6) / 7);
    assert_null(wn_heap_pop(&h));
    wn_heap_free(&h);
}

static void
strset_tracks_membership(void **state)
{
    struct wn_strset s;
    char key[32];

    (void) state;
    wn_strset_init(&s);
    assert_false(wn_strset_has(&s, "a"));
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "https://x/%d", i);
        assert_int_equal(wn_strset_add(&s, key), 1);
    }
    assert_int_equal(wn_strset_add(&s, "https://x/42"), 0);
    for (int i = 0; i < 5000; i += 2) {
        snprintf(key, sizeof(key), "https://x/%d", i);
        assert_int_equal(wn_strset_del(&s, key), 1);
    }
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "https://x/%d", i);
        assert_int_equal(wn_strset_has(&s, key), i % 2);
    }
    assert_int_equal(s.count, 2500);
    /* Churn through tombstones without growing forever. */
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < 1000; i++) {
            snprintf(key, sizeof(key), "churn/%d/%d", round, i);
            wn_strset_add(&s, key);
        }
        for (int i = 0; i < 1000; i++) {
            snprintf(key, sizeof(key), "churn/%d/%d", round, i);
            assert_int_equal(wn_strset_del(&s, key), 1);
        }
    }
    assert_int_equal(s.count, 2500);
    assert_true(s.cap <= 16384);
    wn_strset_free(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(heap_pops_in_key_order_after_updates_and_removals),
        cmocka_unit_test(strset_tracks_membership),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
