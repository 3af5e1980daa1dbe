/*
 * wn_hostmatch.h: how a host pattern ("news.example.com" or
 * "*.example.com") matches a host name.  Header-only, so that the daemon's
 * plugin chooser (wn_plugin.c) and the rules plugin, which may not call
 * daemon code, apply one rule.
 */
#ifndef WN_HOSTMATCH_H
#define WN_HOSTMATCH_H

#include <string.h>
#include <strings.h>

/*
 * Returns 0 when `pattern` does not match `host` (case-insensitive), else
 * a score: "*.example.com" matches example.com and any name under it and
 * scores the suffix length, so longer suffixes win; an exact name scores
 * above any suffix pattern.
 */
static inline int
wn_host_match(const char *pattern, const char *host)
{
    size_t hn = strlen(host), pn = strlen(pattern);

    if (pn >= 2 && pattern[0] == '*' && pattern[1] == '.') {
        const char *suffix = pattern + 2;
        size_t sn = pn - 2;
        if (hn == sn && strcasecmp(host, suffix) == 0) {
            return (int) sn;
        }
        if (hn > sn && host[hn - sn - 1] == '.'
            && strcasecmp(host + hn - sn, suffix) == 0)
        {
            return (int) sn;
        }
        return 0;
    }
    /* Exact names beat any suffix pattern. */
    return strcasecmp(pattern, host) == 0 ? 100000 + (int) pn : 0;
}

#endif
