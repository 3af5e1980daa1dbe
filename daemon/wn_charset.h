/*
 * wn_charset.h: the one legacy charset winnow decodes itself: windows-1252,
 * which is what the web means by "iso-8859-1", "latin1" and "us-ascii"
 * (WHATWG Encoding).  iconv's WINDOWS-1252 rejects the five bytes the
 * charset leaves undefined and libxml2 then stops reading; this table maps
 * every byte, as browsers do.  Pure functions, safe on any thread.
 */
#ifndef WN_CHARSET_H
#define WN_CHARSET_H

#include <stddef.h>

#include "wn_buf.h"

/*
 * Copies the value of parameter `key` in s[0..n) ("charset" in a
 * Content-Type, "encoding" in an XML declaration: key, optional spaces, '=',
 * optional spaces, a quoted or bare value) into label, at most cap-1 bytes.
 * The key is matched without regard to case.  Returns 1 when found.
 */
int wn_charset_param(const char *s, size_t n, const char *key, char *label,
                     size_t cap);

/* True when `label` names windows-1252 in the WHATWG sense. */
int wn_charset_is_cp1252(const char *label);

/* Appends s[0..n) decoded from windows-1252 as UTF-8; 0 or < 0 (the cap). */
int wn_charset_cp1252_to_utf8(const char *s, size_t n, struct wn_buf *out);

#endif /* WN_CHARSET_H */
