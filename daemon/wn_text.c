/*
 * wn_text.c: folding, NFC (utf8proc), word counts and hashes (xxHash) of
 * stored text; it knows nothing about HTML or paragraphs.
 */
#include "wn_text.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <xxhash.h>

#include <winnow/error.h>

/* Decodes one code point at s[0..n); returns bytes used, -1 when invalid. */
static int
wn_text_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    utf8proc_int32_t c;
    utf8proc_ssize_t len;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    len = utf8proc_iterate(s, (utf8proc_ssize_t) (n < 4 ? n : 4), &c);
    if (len <= 0) {
        return -1;
    }
    *cp = (uint32_t) c;
    return (int) len;
}

static int
wn_text_is_space(uint32_t c)
{
    switch (c) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
    case '\f':
    case '\v':
    case 0x85:   /* next line */
    case 0xa0:   /* no-break space */
    case 0x1680: /* ogham space */
    case 0x2028: /* line separator */
    case 0x2029: /* paragraph separator */
    case 0x202f: /* narrow no-break space */
    case 0x205f: /* medium mathematical space */
    case 0x3000: /* ideographic space */
        return 1;
    default:
        return c >= 0x2000 && c <= 0x200a;
    }
}

/*
 * Characters dropped from stored text: controls, zero-width space, BOM and
 * soft hyphen.  Zero-width (non-)joiners stay: scripts and emoji need them.
 */
static int
wn_text_is_dropped(uint32_t c)
{
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
        return 1;
    }
    switch (c) {
    case 0x200b: /* zero width space */
    case 0x2060: /* word joiner */
    case 0xfeff: /* byte order mark */
    case 0xad:   /* soft hyphen */
        return 1;
    default:
        return 0;
    }
}

int
wn_text_fold(struct wn_buf *out, const char *s, size_t n, int *pending_space)
{
    const unsigned char *p = (const unsigned char *) s;
    size_t start = out->len, i = 0, run = 0;
    int local = 0, *space = pending_space ? pending_space : &local;
    int in_run = 0, rc;

    /* Characters that are kept as they are form runs copied in one append;
     * white space, dropped characters and invalid bytes end a run. */
    while (i < n) {
        uint32_t c;
        int len, invalid;

        if (p[i] > 0x20 && p[i] < 0x7f) {
            len = 1; /* printable ASCII: the common case */
        } else if (p[i] == ' ' && in_run && i + 1 < n && p[i + 1] > 0x20
                   && p[i + 1] < 0x7f)
        {
            i++; /* one space between words folds to itself: run goes on */
            continue;
        } else {
            len = wn_text_decode(p + i, n - i, &c);
            invalid = len < 0;
            if (invalid) {
                c = 0xfffd;
                len = 1;
            }
            if (invalid || wn_text_is_space(c) || wn_text_is_dropped(c)) {
                if (in_run) {
                    rc = wn_buf_append(out, p + run, i - run);
                    if (rc < 0) {
                        return rc;
                    }
                    in_run = 0;
                }
                if (!invalid && wn_text_is_space(c)) {
                    if (out->len > start || pending_space != NULL) {
                        *space = 1;
                    }
                } else if (invalid) {
                    if (*space && out->len > 0) {
                        rc = wn_buf_putc(out, ' ');
                        if (rc < 0) {
                            return rc;
                        }
                    }
                    *space = 0;
                    rc = wn_buf_append(out, "\xef\xbf\xbd", 3);
                    if (rc < 0) {
                        return rc;
                    }
                }
                i += (size_t) len;
                continue;
            }
        }
        if (!in_run) {
            if (*space && out->len > 0) {
                rc = wn_buf_putc(out, ' ');
                if (rc < 0) {
                    return rc;
                }
            }
            *space = 0;
            run = i;
            in_run = 1;
        }
        i += (size_t) len;
    }
    if (in_run) {
        rc = wn_buf_append(out, p + run, i - run);
        if (rc < 0) {
            return rc;
        }
    }
    return (int) (out->len - start);
}

/*
 * True when no character of s can change under NFC: every code point is
 * below U+0300 (ASCII, Latin-1, Latin Extended-A and -B, IPA: none
 * decomposes or combines in NFC) or in General Punctuation and the
 * currency block (U+2000..U+20CF: quotes, dashes, ellipsis).  News text in
 * Western languages is almost always this; the rest goes to utf8proc.
 */
static int
wn_text_nfc_stable(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *) s;
    size_t i = 0;

    while (i < n) {
        uint32_t c;
        int len;

        if (p[i] < 0x80) {
            i++;
            continue;
        }
        len = wn_text_decode(p + i, n - i, &c);
        if (len < 0 || (c >= 0x300 && !(c >= 0x2000 && c <= 0x20cf))) {
            return 0;
        }
        i += (size_t) len;
    }
    return 1;
}

int
wn_text_nfc(struct wn_buf *b)
{
    utf8proc_uint8_t *nfc = NULL;
    utf8proc_ssize_t n;
    int rc;

    if (b->len == 0 || wn_text_nfc_stable(b->data, b->len)) {
        return 0;
    }
    n = utf8proc_map((const utf8proc_uint8_t *) b->data,
                     (utf8proc_ssize_t) b->len, &nfc,
                     UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    if (n < 0) {
        /* Only invalid UTF-8 gets here, and folding already repaired it. */
        return n == UTF8PROC_ERROR_NOMEM ? WN_ENOMEM : WN_EINVAL;
    }
    wn_buf_reset(b);
    rc = wn_buf_append(b, nfc, (size_t) n);
    free(nfc);
    return rc;
}

int
wn_text_normalize(struct wn_buf *out, const char *s, size_t n)
{
    struct wn_buf tmp;
    int rc;

    wn_buf_init(&tmp, out->max);
    rc = wn_text_fold(&tmp, s, n, NULL);
    if (rc >= 0) {
        rc = wn_text_nfc(&tmp);
    }
    if (rc >= 0) {
        rc = wn_buf_append(out, tmp.data ? tmp.data : "", tmp.len);
    }
    wn_buf_free(&tmp);
    return rc;
}

int
wn_text_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *) s;
    size_t i = 0;

    while (i < n) {
        uint32_t c;
        int len;

        /* ASCII eight bytes at a time: most feeds and pages are. */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ull) {
                break;
            }
            i += 8;
        }
        if (i == n) {
            break;
        }
        len = wn_text_decode(p + i, n - i, &c);
        if (len < 0) {
            return 0;
        }
        i += (size_t) len;
    }
    return 1;
}

static int
wn_text_is_word_char(uint32_t c)
{
    if (c < 0x80) {
        return (c >= '0' && c <= '9')
               || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
    }
    switch (utf8proc_category((utf8proc_int32_t) c)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
        return 1;
    default:
        return 0;
    }
}

/*
 * Walks the words of s: maximal runs of letters and digits.  For each word
 * it calls fn with the word's FNV-1a hash, ASCII letters folded to lower
 * case, other characters hashed as their UTF-8 bytes (case kept: folding
 * all of Unicode is not worth it for a fingerprint).  Returns the count.
 */
typedef void (*wn_text_word_fn)(uint64_t hash, void *arg);

#define WN_TEXT_FNV_OFFSET 1469598103934665603ull
#define WN_TEXT_FNV_PRIME  1099511628211ull

static size_t
wn_text_each_word(const char *s, size_t n, wn_text_word_fn fn, void *arg)
{
    const unsigned char *p = (const unsigned char *) s;
    uint64_t h = WN_TEXT_FNV_OFFSET;
    size_t i = 0, count = 0;
    int in_word = 0;

    while (i < n) {
        unsigned char b = p[i];
        int word_char, len = 1;

        if (b < 0x80) {
            word_char = (b >= '0' && b <= '9')
                        || ((b | 0x20) >= 'a' && (b | 0x20) <= 'z');
            if (word_char && b >= 'A' && b <= 'Z') {
                b |= 0x20;
            }
        } else {
            uint32_t c;
            len = wn_text_decode(p + i, n - i, &c);
            if (len < 0) {
                len = 1;
                word_char = 0;
            } else {
                word_char = wn_text_is_word_char(c);
            }
        }
        if (word_char) {
            if (!in_word) {
                in_word = 1;
                h = WN_TEXT_FNV_OFFSET;
            }
            if (len == 1) {
                h = (h ^ b) * WN_TEXT_FNV_PRIME;
            } else {
                for (int k = 0; k < len; k++) {
                    h = (h ^ p[i + (size_t) k]) * WN_TEXT_FNV_PRIME;
                }
            }
        } else if (in_word) {
            in_word = 0;
            count++;
            if (fn != NULL) {
                fn(h, arg);
            }
        }
        i += (size_t) len;
    }
    if (in_word) {
        count++;
        if (fn != NULL) {
            fn(h, arg);
        }
    }
    return count;
}

size_t
wn_text_words(const char *s, size_t n)
{
    return wn_text_each_word(s, n, NULL, NULL);
}

void
wn_text_hash(const char *s, size_t n, char hex[WN_TEXT_HASH_HEX + 1])
{
    static const char digits[] = "0123456789abcdef";
    XXH128_hash_t h = XXH3_128bits(s, n);
    uint64_t parts[2] = { h.high64, h.low64 };

    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < 16; i++) {
            hex[k * 16 + i] = digits[(parts[k] >> (60 - 4 * i)) & 0xf];
        }
    }
    hex[WN_TEXT_HASH_HEX] = '\0';
}

/*
 * A simhash counts, for each of the 64 bits, the shingles whose hash has
 * it set; a bit of the result is set when more than half of them do.  The
 * counts go eight at a time into the byte lanes of `lanes`: lanes[j] holds
 * bits j, j + 8, ..., j + 56, one per byte, so a shingle costs eight adds
 * instead of 64.  A byte counts to WN_TEXT_LANE_MAX before the lanes are
 * emptied into `ones`.
 */
#define WN_TEXT_LANE_MAX  255u
#define WN_TEXT_LANE_BITS 0x0101010101010101ull

struct wn_text_simhash_state {
    uint64_t ring[WN_TEXT_SHINGLE]; /* hashes of the last words */
    size_t seen;
    uint64_t lanes[8];
    unsigned in_lanes; /* shingles counted in lanes since they were emptied */
    size_t ones[64];
};

static void
wn_text_simhash_flush(struct wn_text_simhash_state *st)
{
    for (int j = 0; j < 8; j++) {
        for (int l = 0; l < 8; l++) {
            st->ones[8 * l + j] += (st->lanes[j] >> (8 * l)) & 0xff;
        }
        st->lanes[j] = 0;
    }
    st->in_lanes = 0;
}

static void
wn_text_simhash_word(uint64_t word, void *arg)
{
    struct wn_text_simhash_state *st = arg;
    uint64_t h = 0;

    st->ring[st->seen % WN_TEXT_SHINGLE] = word;
    st->seen++;
    if (st->seen < WN_TEXT_SHINGLE) {
        return;
    }
    /* The shingle's hash combines its word hashes in order. */
    for (size_t k = 0; k < WN_TEXT_SHINGLE; k++) {
        h = wn_text_mix(h ^ st->ring[(st->seen + k) % WN_TEXT_SHINGLE]);
    }
    for (int j = 0; j < 8; j++) {
        st->lanes[j] += (h >> j) & WN_TEXT_LANE_BITS;
    }
    if (++st->in_lanes == WN_TEXT_LANE_MAX) {
        wn_text_simhash_flush(st);
    }
}

uint64_t
wn_text_simhash(const char *s, size_t n)
{
    size_t words;

    return wn_text_fingerprint(s, n, &words);
}

uint64_t
wn_text_fingerprint(const char *s, size_t n, size_t *words)
{
    struct wn_text_simhash_state st;
    uint64_t fp = 0;
    size_t shingles;

    memset(&st, 0, sizeof(st));
    *words = wn_text_each_word(s, n, wn_text_simhash_word, &st);
    if (st.seen > 0 && st.seen < WN_TEXT_SHINGLE) {
        /* Too short for one shingle: hash the words as one. */
        uint64_t h = 0;
        for (size_t k = 0; k < st.seen; k++) {
            h = wn_text_mix(h ^ st.ring[k]);
        }
        return h;
    }
    wn_text_simhash_flush(&st);
    shingles = st.seen >= WN_TEXT_SHINGLE ? st.seen - (WN_TEXT_SHINGLE - 1) : 0;
    for (int b = 0; b < 64; b++) {
        if (2 * st.ones[b] > shingles) {
            fp |= (uint64_t) 1 << b;
        }
    }
    return fp;
}

int
wn_text_hamming(uint64_t a, uint64_t b)
{
    return __builtin_popcountll(a ^ b);
}
