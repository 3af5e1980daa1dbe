/*
 * test_wn_spool.c: records parked in the spool come back byte for byte in
 * any order, released ranges are given back, the file empties when the
 * last record goes, and a folder that cannot hold the file is an error
 * that names it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "wn_err.h"
#include "wn_spool.h"

#define NREC 200

/* Record i: a header of its number, then i * 37 bytes of a pattern. */
static size_t
record_len(size_t i)
{
    return sizeof(uint32_t) + i * 37;
}

static void
record_fill(size_t i, uint32_t *head, char *body)
{
    *head = (uint32_t) i;
    for (size_t k = 0; k < i * 37; k++) {
        body[k] = (char) ('a' + (i + k) % 26);
    }
}

static off_t
file_size(const struct wn_spool *sp)
{
    struct stat st;
    assert_int_equal(fstat(sp->fd, &st), 0);
    return st.st_size;
}

static void
records_come_back_whole_in_any_order(void **state)
{
    struct wn_spool sp = WN_SPOOL_INIT;
    struct wn_spool_ref refs[NREC];
    struct wn_err err;
    char *body = malloc(NREC * 37), *got = malloc(NREC * 37 + 8);
    uint64_t total = 0;

    (void) state;
    assert_non_null(body);
    assert_non_null(got);
    assert_int_equal(wn_spool_open(&sp, NULL, &err), 0);
    for (size_t i = 0; i < NREC; i++) {
        uint32_t head;
        struct iovec iov[2];
        record_fill(i, &head, body);
        iov[0].iov_base = &head;
        iov[0].iov_len = sizeof(head);
        iov[1].iov_base = body;
        iov[1].iov_len = i * 37;
        assert_int_equal(wn_spool_put(&sp, iov, 2, &refs[i]), 0);
        assert_int_equal(refs[i].len, record_len(i));
        total += record_len(i);
    }
    assert_int_equal(wn_spool_size(&sp), total);
    assert_int_equal(file_size(&sp), (off_t) total);

    /* odd records first, newest first, then the even ones */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t n = NREC; n-- > 0;) {
            uint32_t head;
            if ((n % 2 == 0) != (pass == 1)) {
                continue;
            }
            assert_int_equal(wn_spool_get(&sp, &refs[n], got), 0);
            record_fill(n, &head, body);
            assert_memory_equal(got, &head, sizeof(head));
            if (n > 0) {
                assert_memory_equal(got + sizeof(head), body, n * 37);
            }
            wn_spool_release(&sp, &refs[n]);
            if (pass == 0) {
                /* still spanning: the even records are live */
                assert_int_equal(wn_spool_size(&sp), total);
            }
        }
    }
    /* the last release emptied the file */
    assert_int_equal(wn_spool_size(&sp), 0);
    assert_int_equal(file_size(&sp), 0);

    /* and it is used again from the start */
    {
        char again[] = "again";
        struct iovec iov = { again, 5 };
        struct wn_spool_ref r;
        assert_int_equal(wn_spool_put(&sp, &iov, 1, &r), 0);
        assert_int_equal(r.off, 0);
        assert_int_equal(wn_spool_get(&sp, &r, got), 0);
        assert_memory_equal(got, "again", 5);
        wn_spool_release(&sp, &r);
    }
    wn_spool_close(&sp);
    assert_int_equal(sp.fd, -1);
    free(body);
    free(got);
}

static void
a_record_past_the_end_reads_as_an_error(void **state)
{
    struct wn_spool sp = WN_SPOOL_INIT;
    struct wn_spool_ref r = { 1u << 20, 16 };
    struct wn_err err;
    char buf[16];

    (void) state;
    assert_int_equal(wn_spool_open(&sp, NULL, &err), 0);
    assert_true(wn_spool_get(&sp, &r, buf) < 0);
    wn_spool_close(&sp);
}

static void
a_missing_folder_is_named(void **state)
{
    struct wn_spool sp = WN_SPOOL_INIT;
    struct wn_err err;

    (void) state;
    wn_err_clear(&err);
    assert_true(wn_spool_open(&sp, "/nonexistent/winnow-spool", &err) != 0);
    assert_non_null(strstr(err.msg, "/nonexistent/winnow-spool"));
    assert_int_equal(sp.fd, -1);
}

static void
the_file_leaves_no_name_behind(void **state)
{
    char dir[] = "/tmp/wn-spool-test-XXXXXX";
    struct wn_spool sp = WN_SPOOL_INIT;
    struct wn_err err;
    char cmd[128];
    int empty;

    (void) state;
    assert_non_null(mkdtemp(dir));
    assert_int_equal(wn_spool_open(&sp, dir, &err), 0);
    /* rmdir succeeds only on an empty folder */
    empty = rmdir(dir) == 0;
    wn_spool_close(&sp);
    if (!empty) {
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        (void) system(cmd);
    }
    assert_true(empty);
}

/* A record of the most pieces, some empty, comes back in order; one piece
 * more is refused and keeps nothing. */
static void
a_record_of_many_pieces_is_whole(void **state)
{
    struct wn_spool sp = WN_SPOOL_INIT;
    struct iovec iov[WN_SPOOL_IOV_MAX + 1];
    struct wn_spool_ref r;
    struct wn_err err;
    char piece[WN_SPOOL_IOV_MAX + 1][8], want[8 * (WN_SPOOL_IOV_MAX + 1)];
    char got[sizeof(want)];
    size_t len = 0;

    (void) state;
    assert_int_equal(wn_spool_open(&sp, NULL, &err), 0);
    for (int i = 0; i <= WN_SPOOL_IOV_MAX; i++) {
        memset(piece[i], 'a' + i, sizeof(piece[i]));
        iov[i].iov_base = piece[i];
        iov[i].iov_len = (size_t) (i % 3 == 0 ? 0 : i % 8 + 1);
        if (i < WN_SPOOL_IOV_MAX) {
            memcpy(want + len, piece[i], iov[i].iov_len);
            len += iov[i].iov_len;
        }
    }
    assert_int_equal(wn_spool_put(&sp, iov, WN_SPOOL_IOV_MAX + 1, &r), -EINVAL);
    assert_int_equal(wn_spool_size(&sp), 0);
    assert_int_equal(wn_spool_put(&sp, iov, WN_SPOOL_IOV_MAX, &r), 0);
    assert_int_equal(r.len, len);
    assert_int_equal(wn_spool_get(&sp, &r, got), 0);
    assert_memory_equal(got, want, len);
    wn_spool_close(&sp);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(records_come_back_whole_in_any_order),
        cmocka_unit_test(a_record_past_the_end_reads_as_an_error),
        cmocka_unit_test(a_record_of_many_pieces_is_whole),
        cmocka_unit_test(a_missing_folder_is_named),
        cmocka_unit_test(the_file_leaves_no_name_behind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
