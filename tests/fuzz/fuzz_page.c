/*
 * fuzz_page.c: unpacking kept raw pages (wn_page_unpack) from arbitrary
 * stored bytes, as a damaged or hostile database would hold them: the
 * input itself as a packed page, and the input packed then damaged at a
 * place and with bytes the input chooses (so the fuzzer reaches inside
 * valid zstd frames).  Unpacking either fails with a parse or size error
 * or returns at most WN_PAGE_MAX bytes, NUL-terminated; packing then
 * unpacking gives the input back.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <winnow/error.h>

#include "wn_page.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Unpacks p[0..n); returns what wn_page_unpack returned. */
static int
unpack(const void *p, size_t n, char **out, size_t *outlen)
{
    int rc = wn_page_unpack(p, n, out, outlen);

    if (rc == 0) {
        if (*out == NULL || *outlen > WN_PAGE_MAX || (*out)[*outlen] != '\0') {
            abort();
        }
    } else if ((rc != WN_EPARSE && rc != WN_ETOOBIG && rc != WN_ENOMEM)
               || *out != NULL || *outlen != 0)
    {
        abort();
    }
    return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *packed, *out;
    size_t plen, olen;

    if (unpack(data, size, &out, &olen) == 0) {
        free(out);
    }
    if (wn_page_pack((const char *) data, size, &packed, &plen) != 0) {
        return 0;
    }
    if (unpack(packed, plen, &out, &olen) != 0 || olen != size
        || memcmp(out, data, size) != 0)
    {
        abort(); /* a page we packed must come back whole */
    }
    free(out);
    /* Damage: the first four input bytes pick a place, the next up to
     * four bytes are XORed in there; the frame may also be cut short. */
    if (size >= 5 && plen > 0) {
        size_t at = (((size_t) data[0] << 8) | data[1]) % plen;
        size_t cut = data[2] & 1 ? plen - (size_t) data[3] % plen : plen;
        for (size_t i = 4; i < 8 && i < size && at + i - 4 < plen; i++) {
            packed[at + i - 4] ^= (char) data[i];
        }
        if (unpack(packed, cut, &out, &olen) == 0) {
            free(out);
        }
    }
    free(packed);
    return 0;
}
