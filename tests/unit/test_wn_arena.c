/*
 * test_wn_arena.c: arenas and capped buffers keep their caps.
 */
#include <setjmp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <winnow/error.h>

#include "wn_arena.h"
#include "wn_buf.h"

static void
arena_allocations_are_aligned_zeroed_and_capped(void **state)
{
    struct wn_arena *a;

    (void) state;
    assert_int_equal(wn_arena_create(&a, 100000), 0);
    for (int i = 1; i < 200; i++) {
        unsigned char *p = wn_arena_alloc(a, (size_t) i);
        assert_non_null(p);
        assert_int_equal((uintptr_t) p % alignof(max_align_t), 0);
        for (int k = 0; k < i; k++) {
            assert_int_equal(p[k], 0);
        }
        memset(p, 0xab, (size_t) i);
    }
    /* one big allocation gets its own chunk */
    assert_non_null(wn_arena_alloc(a, 50000));
    assert_null(wn_arena_alloc(a, 50000)); /* over the cap */
    assert_string_equal(wn_arena_strdup(a, "abc"), "abc");
    assert_string_equal(wn_arena_strndup(a, "abcdef", 2), "ab");
    assert_null(wn_arena_strdup(a, NULL));
    assert_true(wn_arena_used(a) <= 100000);
    wn_arena_destroy(a);
}

static void
buf_refuses_to_grow_past_its_cap(void **state)
{
    struct wn_buf b;

    (void) state;
    wn_buf_init(&b, 10);
    assert_int_equal(wn_buf_puts(&b, "12345"), 0);
    assert_int_equal(wn_buf_printf(&b, "%d", 678), 0);
    assert_string_equal(b.data, "12345678");
    assert_int_equal(wn_buf_puts(&b, "abc"), WN_ETOOBIG);
    assert_string_equal(b.data, "12345678");
    assert_int_equal(wn_buf_printf(&b, "%s", "0123456789abcdef"), WN_ETOOBIG);
    char *s = wn_buf_steal(&b);
    assert_string_equal(s, "12345678");
    assert_null(b.data);
    free(s);
    s = wn_buf_steal(&b);
    assert_string_equal(s, "");
    free(s);
    wn_buf_free(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arena_allocations_are_aligned_zeroed_and_capped),
        cmocka_unit_test(buf_refuses_to_grow_past_its_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
