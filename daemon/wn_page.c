/*
 * wn_page.c: zstd packing of raw pages.  One-shot frames with the content
 * size recorded, so unpacking allocates once; nothing else.
 */
#include "wn_page.h"

#include <stdlib.h>
#include <zstd.h>

#include <winnow/error.h>

int
wn_page_pack(const char *data, size_t len, char **out, size_t *outlen)
{
    size_t cap, n;
    char *buf;

    *out = NULL;
    *outlen = 0;
    if (len > WN_PAGE_MAX) {
        return WN_ETOOBIG;
    }
    cap = ZSTD_compressBound(len);
    buf = malloc(cap);
    if (buf == NULL) {
        return WN_ENOMEM;
    }
    n = ZSTD_compress(buf, cap, data, len, WN_PAGE_LEVEL);
    if (ZSTD_isError(n)) {
        free(buf);
        return WN_ENOMEM;
    }
    *out = buf;
    *outlen = n;
    return 0;
}

int
wn_page_unpack(const void *data, size_t len, char **out, size_t *outlen)
{
    unsigned long long size = ZSTD_getFrameContentSize(data, len);
    size_t n;
    char *buf;

    *out = NULL;
    *outlen = 0;
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) {
        return WN_EPARSE;
    }
    if (size > WN_PAGE_MAX) {
        return WN_ETOOBIG;
    }
    buf = malloc((size_t) size + 1);
    if (buf == NULL) {
        return WN_ENOMEM;
    }
    n = ZSTD_decompress(buf, (size_t) size + 1, data, len);
    if (ZSTD_isError(n) || n != size) {
        free(buf);
        return WN_EPARSE;
    }
    buf[n] = '\0';
    *out = buf;
    *outlen = n;
    return 0;
}
