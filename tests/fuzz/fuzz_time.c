/*
 * fuzz_time.c: the date parser, and the formatter on whatever it returns.
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

    if (size >= sizeof(s)) {
        size = sizeof(s) - 1;
    }
    memcpy(s, data, size);
    s[size] = '\0';
    if (wn_time_parse(s, &t) == 0) {
        wn_time_format(t, buf);
    }
    return 0;
}
