/*
 * fuzz_url.c: URL resolution against a base, canonical forms and hosts.
 * The input is "base\nref".
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wn_url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), *nl, *out = NULL, *canon = NULL, *host = NULL;

    if (s == NULL) {
        return 0;
    }
    memcpy(s, data, size);
    s[size] = '\0';
    nl = strchr(s, '\n');
    if (nl != NULL) {
        *nl = '\0';
    }
    if (wn_url_resolve(nl != NULL ? s : NULL, nl != NULL ? nl + 1 : s,
                       WN_URL_ALLOW_FILE, &out)
        == 0)
    {
        if (wn_url_canonical(out, &canon) == 0) {
            free(canon);
        }
        if (wn_url_host(out, &host) == 0) {
            free(host);
        }
        free(out);
    }
    free(s);
    return 0;
}
