/*
 * test_wn_log.c: log lines as journald, a terminal and a JSON reader see
 * them: "<N>" prefixes only when JOURNAL_STREAM names stderr, one JSON
 * object per line, hostile text escaped and cut.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "wn_log.h"

static void
log_two_lines(void)
{
    WN_LOG(WN_LOG_WARNING, "feed news", "fetch failed: %s", "HTTP 503");
    WN_LOG(WN_LOG_DEBUG, "feed news", "not written at notice level");
    WN_LOG(WN_LOG_ERR, "plugin rules", "a \"quoted\"\nline\\ with\ttabs");
}

/*
 * Runs log_two_lines() with stderr sent to a file, in `format` (after
 * JOURNAL_STREAM is set to that file's device:inode, or to another inode
 * when `journal` is 2); returns what was written.
 */
static char *
capture(int format, int journal)
{
    static char out[8192];
    char path[64];
    int saved = dup(STDERR_FILENO), fd;
    ssize_t n;

    snprintf(path, sizeof(path), "/tmp/wn-test-log-%d", (int) getpid());
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0 && saved >= 0);
    dup2(fd, STDERR_FILENO);
    unsetenv("JOURNAL_STREAM");
    if (journal) {
        struct stat st;
        char env[64];
        assert_int_equal(fstat(STDERR_FILENO, &st), 0);
        snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long) st.st_dev,
                 (unsigned long long) st.st_ino + (journal == 2));
        setenv("JOURNAL_STREAM", env, 1);
    }
    wn_log_init(WN_LOG_NOTICE, format);
    log_two_lines();
    unsetenv("JOURNAL_STREAM");
    dup2(saved, STDERR_FILENO);
    close(saved);
    n = pread(fd, out, sizeof(out) - 1, 0);
    close(fd);
    unlink(path);
    out[n > 0 ? n : 0] = '\0';
    return out;
}

static void
log_journal_prefix_only_under_journald(void **state)
{
    char *out;

    (void) state;
    out = capture(WN_LOG_FORMAT_AUTO, 1);
    assert_int_equal(wn_log_format_get(), WN_LOG_FORMAT_JOURNAL);
    assert_true(strncmp(out, "<4>feed news: fetch failed: HTTP 503\n", 37)
                == 0);
    assert_non_null(strstr(out, "\n<3>plugin rules: a \"quoted\"\\x0aline"));
    assert_null(strstr(out, "not written"));

    /* JOURNAL_STREAM naming another stream (stderr redirected): plain */
    out = capture(WN_LOG_FORMAT_AUTO, 2);
    assert_int_equal(wn_log_format_get(), WN_LOG_FORMAT_PLAIN);
    assert_null(strstr(out, "<4>"));
    assert_non_null(strstr(out, "Z warning: feed news: fetch failed"));
    out = capture(WN_LOG_FORMAT_AUTO, 0);
    assert_int_equal(wn_log_format_get(), WN_LOG_FORMAT_PLAIN);
    assert_int_equal(out[0], '2'); /* a timestamp first */
}

static void
log_json_is_one_object_per_line(void **state)
{
    char *out = capture(WN_LOG_FORMAT_JSON, 1);
    char *nl = strchr(out, '\n');
    json_error_t jerr;
    json_t *a, *b;

    (void) state;
    assert_non_null(nl);
    *nl = '\0';
    a = json_loads(out, 0, &jerr);
    b = json_loads(nl + 1, JSON_DISABLE_EOF_CHECK, &jerr);
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(json_string_value(json_object_get(a, "level")),
                        "warning");
    assert_int_equal(json_integer_value(json_object_get(a, "priority")), 4);
    assert_string_equal(json_string_value(json_object_get(a, "component")),
                        "feed news");
    assert_string_equal(json_string_value(json_object_get(a, "msg")),
                        "fetch failed: HTTP 503");
    /* control characters, quotes and backslashes escaped as JSON */
    assert_string_equal(json_string_value(json_object_get(b, "msg")),
                        "a \"quoted\"\nline\\ with\ttabs");
    assert_non_null(json_object_get(a, "time"));
    json_decref(a);
    json_decref(b);
}

static void
log_quote_escapes_and_cuts(void **state)
{
    char buf[512], big[1000];
    const char *q;

    (void) state;
    assert_string_equal(wn_log_quote(buf, sizeof(buf), "a\"b\\c\nd\x1b[31m"),
                        "a\\\"b\\\\c\\x0ad\\x1b[31m");
    assert_string_equal(wn_log_quote(buf, sizeof(buf), NULL), "(none)");
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    q = wn_log_quote(buf, sizeof(buf), big);
    assert_int_equal(strlen(q), WN_LOG_QUOTE_MAX);
    assert_string_equal(q + WN_LOG_QUOTE_MAX - 3, "...");
    /* a small buffer bounds it too */
    q = wn_log_quote(buf, 10, big);
    assert_string_equal(q, "xxxxxx...");
    /* cut inside a multibyte character: the character goes whole */
    for (size_t i = 0; i + 2 < sizeof(big); i += 2) {
        big[i] = (char) 0xc3;
        big[i + 1] = (char) 0xa9; /* é */
    }
    big[sizeof(big) - 2] = '\0';
    q = wn_log_quote(buf, 11, big);
    assert_string_equal(q, "\xc3\xa9\xc3\xa9\xc3\xa9...");
    /* short text is kept as it is */
    assert_string_equal(wn_log_quote(buf, sizeof(buf), "Hello, world"),
                        "Hello, world");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(log_journal_prefix_only_under_journald),
        cmocka_unit_test(log_json_is_one_object_per_line),
        cmocka_unit_test(log_quote_escapes_and_cuts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
