/*
 * test_wn_page.c: raw pages packed with zstd and back, damaged or foreign
 * data refused, the size cap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <winnow/error.h>

#include "wn_page.h"

static void
page_round_trips_and_shrinks_html(void **state)
{
    static const char row[] =
        "<div class=\"row\"><p>Some paragraph of a "
        "page, repeated as pages repeat markup.</p></div>\n";
    size_t len = 0, plen, ulen;
    char *html = malloc(sizeof(row) * 200), *packed, *back;

    (void) state;
    for (int i = 0; i < 200; i++) {
        memcpy(html + len, row, sizeof(row) - 1);
        len += sizeof(row) - 1;
    }
    assert_int_equal(wn_page_pack(html, len, &packed, &plen), 0);
    assert_true(plen < len / 5);
    assert_int_equal(wn_page_unpack(packed, plen, &back, &ulen), 0);
    assert_int_equal(ulen, len);
    assert_memory_equal(back, html, len);
    assert_int_equal(back[ulen], '\0');
    /* Damaged: truncated, or a flipped byte in the frame. */
    free(back);
    assert_int_equal(wn_page_unpack(packed, plen / 2, &back, &ulen), WN_EPARSE);
    assert_null(back);
    packed[plen / 2] ^= 0x5a;
    if (wn_page_unpack(packed, plen, &back, &ulen) == 0) {
        /* zstd may not notice every flip without a checksum; it must not
         * return more than the frame says. */
        assert_int_equal(ulen, len);
        free(back);
    }
    assert_int_equal(wn_page_unpack("<html>not zstd</html>", 21, &back, &ulen),
                     WN_EPARSE);
    free(packed);
    free(html);
}

static void
page_empty_and_oversized(void **state)
{
    char *packed, *back;
    size_t plen, ulen;

    (void) state;
    assert_int_equal(wn_page_pack("", 0, &packed, &plen), 0);
    assert_int_equal(wn_page_unpack(packed, plen, &back, &ulen), 0);
    assert_int_equal(ulen, 0);
    free(back);
    free(packed);
    assert_int_equal(
        wn_page_pack("x", (size_t) WN_PAGE_MAX + 1, &packed, &plen),
        WN_ETOOBIG);
    assert_null(packed);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(page_round_trips_and_shrinks_html),
        cmocka_unit_test(page_empty_and_oversized),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
