/*
 * fuzz_http.c: the response-header parsers the schedule is fed from
 * (Retry-After, Cache-Control with Expires, Date and Age) and the
 * bot-challenge check on an error body.  The input's lines are the header
 * values, in that order; the whole input is the body.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wn_fetch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1), *fields[5] = { NULL };
    size_t n = 0;
    long v;

    if (copy == NULL) {
        return 0;
    }
    memcpy(copy, data, size);
    copy[size] = '\0';
    (void) wn_fetch_is_challenge((const char *) data, size);
    for (char *p = copy; n < 5 && p != NULL; n++) {
        fields[n] = p;
        p = strchr(p, '\n');
        if (p != NULL) {
            *p++ = '\0';
        }
    }
    v = wn_fetch_parse_retry_after(fields[0], 1700000000);
    if (v < -1) {
        abort();
    }
    v = wn_fetch_parse_freshness(fields[1], fields[2], fields[3], fields[4]);
    if (v < -1) {
        abort();
    }
    free(copy);
    return 0;
}
