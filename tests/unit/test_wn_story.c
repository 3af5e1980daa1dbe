/*
 * test_wn_story.c: the in-memory story candidate index: what is added is
 * found (newest first, by its own key only), it grows without losing
 * entries, a key shared by many articles keeps its newest without making
 * it grow, and once at its largest a full bucket forgets its oldest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "wn_story.h"

/* Keys shaped like sketch keys: small values (smallest hashes). */
static uint64_t
key_of(uint64_t i)
{
    return i * 7919u + 13u;
}

static void
story_finds_what_was_added_newest_first(void **state)
{
    struct wn_story_index ix;
    int64_t ids[WN_STORY_BUCKET];

    (void) state;
    wn_story_index_init(&ix);
    assert_int_equal(wn_story_index_find(&ix, 1, ids), 0);
    assert_int_equal(wn_story_index_add(&ix, 1, 10), 0);
    assert_int_equal(wn_story_index_add(&ix, 1, 30), 0);
    assert_int_equal(wn_story_index_add(&ix, 1, 20), 0);
    assert_int_equal(wn_story_index_add(&ix, 2, 40), 0);
    assert_int_equal(wn_story_index_add(&ix, 1, 30), 0); /* again: once */
    assert_int_equal(wn_story_index_find(&ix, 1, ids), 3);
    assert_int_equal(ids[0], 30);
    assert_int_equal(ids[1], 20);
    assert_int_equal(ids[2], 10);
    assert_int_equal(wn_story_index_find(&ix, 2, ids), 1);
    assert_int_equal(ids[0], 40);
    assert_int_equal(wn_story_index_find(&ix, 3, ids), 0);
    wn_story_index_free(&ix);
    assert_int_equal(wn_story_index_find(&ix, 1, ids), 0);
}

static void
story_grows_without_losing_entries(void **state)
{
    struct wn_story_index ix;
    int64_t ids[WN_STORY_BUCKET];
    const uint64_t n = 100000; /* 16 x the first size */

    (void) state;
    wn_story_index_init(&ix);
    for (uint64_t i = 1; i <= n; i++) {
        assert_int_equal(wn_story_index_add(&ix, key_of(i), (int64_t) i), 0);
    }
    assert_true(ix.nslots >= 2 * n);
    assert_true(ix.nslots <= WN_STORY_SLOTS_MAX);
    for (uint64_t i = 1; i <= n; i++) {
        size_t k = wn_story_index_find(&ix, key_of(i), ids), found = 0;
        /* another key may share the 32-bit fragment, never hide this one */
        for (size_t j = 0; j < k; j++) {
            found |= ids[j] == (int64_t) i;
        }
        assert_true(found);
    }
    wn_story_index_free(&ix);
}

static void
story_hot_key_keeps_its_newest_without_growing(void **state)
{
    struct wn_story_index ix;
    int64_t ids[WN_STORY_BUCKET];

    (void) state;
    wn_story_index_init(&ix);
    /* one wire story copied 10,000 times: one key, one bucket */
    for (int64_t id = 1; id <= 10000; id++) {
        assert_int_equal(wn_story_index_add(&ix, 42, id), 0);
    }
    assert_int_equal(ix.nslots, WN_STORY_SLOTS_MIN);
    assert_int_equal(wn_story_index_find(&ix, 42, ids), WN_STORY_BUCKET);
    for (size_t i = 0; i < WN_STORY_BUCKET; i++) {
        assert_int_equal(ids[i], 10000 - (int64_t) i);
    }
    wn_story_index_free(&ix);
}

static void
story_forgets_the_oldest_when_full(void **state)
{
    struct wn_story_index ix;
    int64_t ids[WN_STORY_BUCKET];
    const uint64_t n = 3u * WN_STORY_SLOTS_MAX; /* far more than fits */
    size_t old = 0, recent = 0;

    (void) state;
    wn_story_index_init(&ix);
    for (uint64_t i = 1; i <= n; i++) {
        wn_story_index_add(&ix, key_of(i), (int64_t) i);
    }
    assert_int_equal(ix.nslots, WN_STORY_SLOTS_MAX);
    /* one key shared by many articles keeps the newest WN_STORY_BUCKET */
    for (int64_t id = 1; id <= 50; id++) {
        wn_story_index_add(&ix, 5, (int64_t) n + id);
    }
    assert_int_equal(wn_story_index_find(&ix, 5, ids), WN_STORY_BUCKET);
    assert_int_equal(ids[0], (int64_t) n + 50);
    assert_int_equal(ids[WN_STORY_BUCKET - 1],
                     (int64_t) n + 50 - WN_STORY_BUCKET + 1);
    /* the newest articles are found, most of the oldest are gone */
    for (uint64_t i = 1; i <= 10000; i++) {
        old +=
            wn_story_index_find(&ix, key_of(i), ids) > 0
            && ids[wn_story_index_find(&ix, key_of(i), ids) - 1] == (int64_t) i;
        size_t k = wn_story_index_find(&ix, key_of(n + 1 - i), ids);
        for (size_t j = 0; j < k; j++) {
            recent += ids[j] == (int64_t) (n + 1 - i);
        }
    }
    assert_true(recent >= 9990);
    assert_true(old < 100);
    wn_story_index_free(&ix);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(story_finds_what_was_added_newest_first),
        cmocka_unit_test(story_grows_without_losing_entries),
        cmocka_unit_test(story_hot_key_keeps_its_newest_without_growing),
        cmocka_unit_test(story_forgets_the_oldest_when_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
