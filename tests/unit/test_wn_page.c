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

/* A zstd frame header: magic, single-segment descriptor with a content
 * size field of fcs_bytes (1, 2, 4 or 8), then the size. */
static size_t
frame_header(uint8_t *p, unsigned fcs_bytes, uint64_t size)
{
    static const uint8_t magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
    unsigned flag = fcs_bytes == 1   ? 0
                    : fcs_bytes == 2 ? 1
                    : fcs_bytes == 4 ? 2
                                     : 3;
    size_t n = 0;

    memcpy(p, magic, 4);
    n = 4;
    p[n++] = (uint8_t) (flag << 6 | 1u << 5);
    if (fcs_bytes == 2) {
        size -= 256; /* the two-byte field is offset by 256 */
    }
    for (unsigned i = 0; i < fcs_bytes; i++) {
        p[n++] = (uint8_t) (size >> (8 * i));
    }
    return n;
}

static void
page_hostile_frames_respect_the_cap(void **state)
{
    uint8_t f[32];
    char *back = (char *) f, *packed;
    size_t n, ulen = 1, plen;

    (void) state;
    /* Declared sizes over the cap are refused before any allocation. */
    n = frame_header(f, 8, (uint64_t) 1 << 40);
    f[n++] = 1; /* a raw block header, cut short */
    assert_int_equal(wn_page_unpack(f, n, &back, &ulen), WN_ETOOBIG);
    assert_null(back);
    assert_int_equal(ulen, 0);
    n = frame_header(f, 4, (uint64_t) WN_PAGE_MAX + 1);
    assert_int_equal(wn_page_unpack(f, n, &back, &ulen), WN_ETOOBIG);
    /* A bomb: 10 bytes declared, one RLE block of 128 KB; nothing is
     * written past the 10 (+ NUL) allocated. */
    n = frame_header(f, 1, 10);
    {
        uint32_t block = 1u | 1u << 1 | (128u * 1024u) << 3; /* last, RLE */
        f[n++] = (uint8_t) block;
        f[n++] = (uint8_t) (block >> 8);
        f[n++] = (uint8_t) (block >> 16);
        f[n++] = 'A';
    }
    assert_int_equal(wn_page_unpack(f, n, &back, &ulen), WN_EPARSE);
    assert_null(back);
    /* Nothing at all, as SQLite returns an empty blob. */
    assert_int_equal(wn_page_unpack(NULL, 0, &back, &ulen), WN_EPARSE);
    /* The largest page there may be comes back whole. */
    packed = calloc(1, WN_PAGE_MAX);
    assert_non_null(packed);
    assert_int_equal(wn_page_pack(packed, WN_PAGE_MAX, &back, &plen), 0);
    free(packed);
    packed = back;
    assert_int_equal(wn_page_unpack(packed, plen, &back, &ulen), 0);
    assert_int_equal(ulen, WN_PAGE_MAX);
    assert_int_equal(back[ulen], '\0');
    free(back);
    free(packed);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(page_round_trips_and_shrinks_html),
        cmocka_unit_test(page_empty_and_oversized),
        cmocka_unit_test(page_hostile_frames_respect_the_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
