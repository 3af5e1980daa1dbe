/*
 * fuzz_time.c: the date parser (with and without a zone for zoneless
 * times), the zone parser of the configuration, and the formatter on
 * whatever they return.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wn_time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[128], buf[WN_TIME_BUFSZ];
    int64_t t;
    int minutes;

    if (size >= sizeof(s)) {
        size = sizeof(s) - 1;
    }
    memcpy(s, data, size);
    s[size] = '\0';
    if (wn_time_parse(s, &t) == 0) {
        wn_time_format(t, buf);
    }
    if (wn_time_parse_zone(s, size > 0 ? (data[0] % 61) * 30 - 900 : 0, &t)
        == 0)
    {
        wn_time_format(t, buf);
    }
    if (wn_time_parse_offset(s, &minutes) == 0
        && (minutes < -24 * 60 || minutes > 24 * 60))
    {
        __builtin_trap(); /* an offset beyond a day is no zone */
    }
    return 0;
}
