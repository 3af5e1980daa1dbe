/*
 * test_wn_time.c: dates as feeds and pages write them, to UTC.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wn_time.h"

static const char *
utc(const char *s)
{
    static char buf[WN_TIME_BUFSZ];
    int64_t t;

    if (wn_time_parse(s, &t) != 0) {
        return "ERROR";
    }
    wn_time_format(t, buf);
    return buf;
}

static void
time_parses_rfc822(void **state)
{
    (void) state;
    assert_string_equal(utc("Wed, 24 Feb 2021 12:27:00 GMT"),
                        "2021-02-24T12:27:00Z");
    assert_string_equal(utc("Wed, 24 Feb 2021 07:27:00 -0500"),
                        "2021-02-24T12:27:00Z");
    assert_string_equal(utc("Wed, 24 Feb 2021 07:27:00 EST"),
                        "2021-02-24T12:27:00Z");
    assert_string_equal(utc("24 Feb 2021 13:27 +0100"), "2021-02-24T12:27:00Z");
    assert_string_equal(utc("Wed, 24 Feb 21 12:27:00 Z"),
                        "2021-02-24T12:27:00Z");
    assert_string_equal(utc("Wed, 24 Feb 2021 18:57:00 +05:30"),
                        "2021-02-24T13:27:00Z");
}

static void
time_ignores_wrong_day_names_and_accepts_long_forms(void **state)
{
    (void) state;
    assert_string_equal(utc("Mon, 24 Feb 2021 12:27:00 GMT"),
                        "2021-02-24T12:27:00Z");
    assert_string_equal(utc("Wednesday, 24 February 2021 07:27 AM EST"),
                        "2021-02-24T12:27:00Z");
    assert_string_equal(utc("February 24, 2021 12:27:00 PM"),
                        "2021-02-24T12:27:00Z");
    assert_string_equal(utc("24 Feb 2021"), "2021-02-24T00:00:00Z");
}

static void
time_parses_rfc3339_and_iso8601(void **state)
{
    (void) state;
    assert_string_equal(utc("2021-02-24T12:27:00Z"), "2021-02-24T12:27:00Z");
    assert_string_equal(utc("2021-02-24T12:27:00.123+00:00"),
                        "2021-02-24T12:27:00Z");
    assert_string_equal(utc("2021-02-24T14:27:00+02:00"),
                        "2021-02-24T12:27:00Z");
    assert_string_equal(utc("2021-02-24 12:27:00"), "2021-02-24T12:27:00Z");
    assert_string_equal(utc("2021-02-24"), "2021-02-24T00:00:00Z");
    assert_string_equal(utc("20210224T122700Z"), "2021-02-24T12:27:00Z");
}

static void
time_rejects_junk(void **state)
{
    int64_t t;

    (void) state;
    assert_int_not_equal(wn_time_parse("", &t), 0);
    assert_int_not_equal(wn_time_parse("yesterday", &t), 0);
    assert_int_not_equal(wn_time_parse("2021-02-30T00:00:00Z", &t), 0);
    assert_int_not_equal(wn_time_parse("2021-13-01", &t), 0);
    assert_int_not_equal(wn_time_parse("Wed, 24 Foo 2021 12:00:00 GMT", &t), 0);
    assert_int_not_equal(wn_time_parse(NULL, &t), 0);
}

static void
time_formats_edges(void **state)
{
    char buf[WN_TIME_BUFSZ];

    (void) state;
    wn_time_format(0, buf);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    wn_time_format(-1, buf);
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
    assert_int_equal(wn_time_format(WN_TIME_NONE, buf), 0);
    assert_string_equal(buf, "");
    assert_string_equal(utc("2000-02-29T23:59:59Z"), "2000-02-29T23:59:59Z");
    assert_string_equal(utc("1999-12-31T23:59:59-00:01"),
                        "2000-01-01T00:00:59Z");
}

static void
time_accepts_zone_before_year(void **state)
{
    (void) state;
    /* date(1), asctime with a zone, and Twitter's created_at. */
    assert_string_equal(utc("Wed Feb 24 12:27:00 UTC 2021"),
                        "2021-02-24T12:27:00Z");
    assert_string_equal(utc("Wed Feb 24 12:27:00 CET 2021"),
                        "2021-02-24T11:27:00Z");
    assert_string_equal(utc("Wed Feb 24 12:27:00 +0000 2021"),
                        "2021-02-24T12:27:00Z");
    assert_string_equal(utc("Wed Feb 24 07:27:00 -0500 2021"),
                        "2021-02-24T12:27:00Z");
    assert_string_equal(utc("Wed Feb 24 12:27:00 2021"),
                        "2021-02-24T12:27:00Z");
}

static void
time_accepts_w3cdtf_reduced_precision(void **state)
{
    int64_t t;

    (void) state;
    /* dc:date is W3C-DTF, which allows a year or a year and month. */
    assert_string_equal(utc("2021"), "2021-01-01T00:00:00Z");
    assert_string_equal(utc("2021-02"), "2021-02-01T00:00:00Z");
    assert_int_not_equal(wn_time_parse("2021-13", &t), 0);
    assert_int_not_equal(wn_time_parse("2021-0", &t), 0);
    assert_int_not_equal(wn_time_parse("2021-02-", &t), 0);
}

/* Zoneless times take the feed's zone; times with a zone keep theirs. */
static void
time_zoneless_takes_the_given_zone(void **state)
{
    static const struct {
        const char *in;
        int64_t want; /* with zone +02:00 for zoneless times */
    } cases[] = {
        /* 2021-02-24T12:27:00Z is 1614169620 */
        { "2021-02-24T14:27:00", 1614169620 },
        { "2021-02-24 14:27", 1614169620 },
        { "Wed, 24 Feb 2021 14:27:00", 1614169620 },
        { "2021-02-24T12:27:00Z", 1614169620 },
        { "2021-02-24T13:27:00+01:00", 1614169620 },
        { "Wed, 24 Feb 2021 12:27:00 GMT", 1614169620 },
        { "Wed, 24 Feb 2021 07:27:00 EST", 1614169620 },
        { "Wed, 24 Feb 2021 12:27:00 Z", 1614169620 },
        { "2021-02-24", 1614124800 - 7200 },
    };
    int64_t t;
    int m;

    (void) state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(wn_time_parse_zone(cases[i].in, 120, &t), 0);
        if (t != cases[i].want) {
            fail_msg("%s: %lld, want %lld", cases[i].in, (long long) t,
                     (long long) cases[i].want);
        }
    }
    assert_int_equal(wn_time_parse_offset("+02:00", &m), 0);
    assert_int_equal(m, 120);
    assert_int_equal(wn_time_parse_offset("-0530", &m), 0);
    assert_int_equal(m, -330);
    assert_int_equal(wn_time_parse_offset("EST", &m), 0);
    assert_int_equal(m, -300);
    assert_int_equal(wn_time_parse_offset("utc", &m), 0);
    assert_int_equal(m, 0);
    assert_int_equal(wn_time_parse_offset("GMT+1", &m), 0);
    assert_int_equal(m, 60);
    assert_int_not_equal(wn_time_parse_offset("Europe/Paris", &m), 0);
    assert_int_not_equal(wn_time_parse_offset("A", &m), 0);
    assert_int_not_equal(wn_time_parse_offset("+25:00", &m), 0);
    /* a named zone and an offset that add up to more than a day */
    assert_int_not_equal(wn_time_parse_offset("HST-15", &m), 0);
    assert_int_not_equal(wn_time_parse_offset("JST+23", &m), 0);
    assert_int_equal(wn_time_parse_offset("UTC-05:00", &m), 0);
    assert_int_equal(m, -300);
    /* the same rule for a date's zone */
    assert_int_equal(wn_time_parse("Wed, 24 Feb 2021 12:00:00 GMT+2", &t), 0);
    assert_int_equal(t, 1614160800); /* 10:00 UTC */
    assert_int_not_equal(wn_time_parse("Wed, 24 Feb 2021 12:00:00 HST-15", &t),
                         0);
    assert_int_not_equal(wn_time_parse_offset("", &m), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(time_parses_rfc822),
        cmocka_unit_test(time_ignores_wrong_day_names_and_accepts_long_forms),
        cmocka_unit_test(time_parses_rfc3339_and_iso8601),
        cmocka_unit_test(time_rejects_junk),
        cmocka_unit_test(time_formats_edges),
        cmocka_unit_test(time_accepts_zone_before_year),
        cmocka_unit_test(time_zoneless_takes_the_given_zone),
        cmocka_unit_test(time_accepts_w3cdtf_reduced_precision),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
