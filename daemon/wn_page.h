/*
 * wn_page.h: raw article pages packed for keeping (zstd), so that
 * `winnowd reclean` can re-run the plugins later.  Pure functions, safe on
 * any thread.
 */
#ifndef WN_PAGE_H
#define WN_PAGE_H

#include <stddef.h>

/* zstd level: 3 is zstd's default, several hundred MB/s on one core and
 * about a fifth of the size on HTML. */
#define WN_PAGE_LEVEL 3
/* Largest page kept or unpacked (a page over it is not kept). */
#define WN_PAGE_MAX (32u << 20)
/* The codec name recorded beside each packed page. */
#define WN_PAGE_CODEC "zstd"

/* Packs data[0..len) into *out (malloc'd, *outlen bytes).  0, WN_ETOOBIG
 * or WN_ENOMEM. */
int wn_page_pack(const char *data, size_t len, char **out, size_t *outlen);

/*
 * Unpacks a packed page into *out (malloc'd and NUL-terminated, *outlen
 * bytes without the NUL).  0, WN_EPARSE (damaged or not zstd), WN_ETOOBIG
 * or WN_ENOMEM.
 */
int wn_page_unpack(const void *data, size_t len, char **out, size_t *outlen);

#endif /* WN_PAGE_H */
