/*
 * wn_net.c: the special-address table and the allow list; it opens no
 * sockets itself.
 */
#include "wn_net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wn_err.h"

#define WN_NET_ALLOW_MAX 256 /* entries in one allow list */

struct wn_net_range {
    int family; /* AF_INET or AF_INET6 */
    unsigned char addr[16];
    unsigned prefix; /* bits */
    unsigned port;   /* 0: any */
};

struct wn_net_allow {
    int all; /* "yes" */
    struct wn_net_range *ranges;
    size_t n;
};

static int
wn_net_match(const struct wn_net_range *r, int family, const unsigned char *a)
{
    unsigned bits = r->prefix, i = 0;

    if (r->family != family) {
        return 0;
    }
    for (; bits >= 8; bits -= 8, i++) {
        if (r->addr[i] != a[i]) {
            return 0;
        }
    }
    if (bits > 0) {
        unsigned char mask = (unsigned char) (0xff << (8 - bits));
        if ((r->addr[i] & mask) != (a[i] & mask)) {
            return 0;
        }
    }
    return 1;
}

/* Special-purpose ranges: never fetched unless allowed. */
static const struct {
    int family;
    const char *addr;
    unsigned prefix;
} wn_net_special[] = {
    { AF_INET, "0.0.0.0", 8 },       /* this network */
    { AF_INET, "10.0.0.0", 8 },      /* private */
    { AF_INET, "100.64.0.0", 10 },   /* shared address space (CGN) */
    { AF_INET, "127.0.0.0", 8 },     /* loopback */
    { AF_INET, "169.254.0.0", 16 },  /* link-local, cloud metadata */
    { AF_INET, "172.16.0.0", 12 },   /* private */
    { AF_INET, "192.0.0.0", 24 },    /* IETF protocol assignments */
    { AF_INET, "192.0.2.0", 24 },    /* documentation */
    { AF_INET, "192.88.99.0", 24 },  /* 6to4 relay anycast */
    { AF_INET, "192.168.0.0", 16 },  /* private */
    { AF_INET, "198.18.0.0", 15 },   /* benchmarking */
    { AF_INET, "198.51.100.0", 24 }, /* documentation */
    { AF_INET, "203.0.113.0", 24 },  /* documentation */
    { AF_INET, "224.0.0.0", 4 },     /* multicast */
    { AF_INET, "240.0.0.0", 4 },     /* reserved, broadcast */
    { AF_INET6, "::", 128 },         /* unspecified */
    { AF_INET6, "::1", 128 },        /* loopback */
    { AF_INET6, "64:ff9b:1::", 48 }, /* local-use NAT64 */
    { AF_INET6, "100::", 64 },       /* discard */
    { AF_INET6, "2001::", 23 },      /* IETF protocol assignments */
    { AF_INET6, "2001:db8::", 32 },  /* documentation */
    { AF_INET6, "fc00::", 7 },       /* unique local */
    { AF_INET6, "fe80::", 10 },      /* link-local */
    { AF_INET6, "fec0::", 10 },      /* site-local (deprecated) */
    { AF_INET6, "ff00::", 8 },       /* multicast */
};

/* The address bytes of sa, with IPv4-mapped and -compatible IPv6 unwrapped
 * to IPv4 so ::ffff:127.0.0.1 is loopback too. */
static int
wn_net_bytes(const struct sockaddr *sa, unsigned char out[16], unsigned *port)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in =
            (const struct sockaddr_in *) (const void *) sa;
        memcpy(out, &in->sin_addr, 4);
        *port = ntohs(in->sin_port);
        return AF_INET;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 =
            (const struct sockaddr_in6 *) (const void *) sa;
        static const unsigned char mapped[12] = { 0, 0, 0, 0, 0,    0,
                                                  0, 0, 0, 0, 0xff, 0xff };
        static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b, 0, 0,
                                                 0, 0,    0,    0,    0, 0 };
        const unsigned char *b = in6->sin6_addr.s6_addr;

        *port = ntohs(in6->sin6_port);
        if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0) {
            memcpy(out, b + 12, 4);
            return AF_INET;
        }
        memcpy(out, b, 16);
        return AF_INET6;
    }
    return 0;
}

int
wn_net_is_special(const struct sockaddr *sa)
{
    unsigned char a[16];
    unsigned port;
    int family = wn_net_bytes(sa, a, &port);

    if (family == 0) {
        return 1; /* not IP: refuse */
    }
    for (size_t i = 0; i < sizeof(wn_net_special) / sizeof(wn_net_special[0]);
         i++) {
        struct wn_net_range r;
        memset(&r, 0, sizeof(r));
        r.family = wn_net_special[i].family;
        r.prefix = wn_net_special[i].prefix;
        inet_pton(r.family, wn_net_special[i].addr, r.addr);
        if (wn_net_match(&r, family, a)) {
            return 1;
        }
    }
    return 0;
}

int
wn_net_allowed(const struct wn_net_allow *allow, const struct sockaddr *sa)
{
    unsigned char a[16];
    unsigned port;
    int family;

    if (!wn_net_is_special(sa)) {
        return 1;
    }
    if (allow == NULL) {
        return 0;
    }
    if (allow->all) {
        return 1;
    }
    family = wn_net_bytes(sa, a, &port);
    for (size_t i = 0; i < allow->n; i++) {
        if (wn_net_match(&allow->ranges[i], family, a)
            && (allow->ranges[i].port == 0 || allow->ranges[i].port == port))
        {
            return 1;
        }
    }
    return 0;
}

/* One entry: "10.0.0.0/8", "::1", "127.0.0.1:8080", "[::1]:8080". */
static int
wn_net_parse_one(const char *s, struct wn_net_range *r)
{
    char buf[128];
    char *slash, *colon, *host = buf;
    long v;

    if (strlen(s) >= sizeof(buf)) {
        return WN_EPARSE;
    }
    memcpy(buf, s, strlen(s) + 1);
    memset(r, 0, sizeof(*r));
    slash = strchr(buf, '/');
    if (slash != NULL) {
        *slash++ = '\0';
    }
    if (buf[0] == '[') {
        char *close = strchr(buf, ']');
        if (close == NULL) {
            return WN_EPARSE;
        }
        *close = '\0';
        host = buf + 1;
        if (close[1] == ':') {
            char *end;
            v = strtol(close + 2, &end, 10);
            if (*end != '\0' || v < 1 || v > 65535) {
                return WN_EPARSE;
            }
            r->port = (unsigned) v;
        } else if (close[1] != '\0') {
            return WN_EPARSE;
        }
    } else if ((colon = strchr(buf, ':')) != NULL
               && strchr(colon + 1, ':') == NULL) {
        char *end;
        *colon = '\0';
        v = strtol(colon + 1, &end, 10);
        if (*end != '\0' || v < 1 || v > 65535) {
            return WN_EPARSE;
        }
        r->port = (unsigned) v;
    }
    if (inet_pton(AF_INET, host, r->addr) == 1) {
        r->family = AF_INET;
        r->prefix = 32;
    } else if (inet_pton(AF_INET6, host, r->addr) == 1) {
        r->family = AF_INET6;
        r->prefix = 128;
    } else {
        return WN_EPARSE;
    }
    if (slash != NULL) {
        char *end;
        v = strtol(slash, &end, 10);
        if (*end != '\0' || v < 0 || (unsigned long) v > r->prefix) {
            return WN_EPARSE;
        }
        r->prefix = (unsigned) v;
    }
    return 0;
}

int
wn_net_allow_parse(const char *spec, struct wn_net_allow **out,
                   struct wn_err *err)
{
    struct wn_net_allow *a;
    const char *p = spec;

    *out = NULL;
    a = calloc(1, sizeof(*a));
    if (a == NULL) {
        return wn_err_set(err, WN_ENOMEM, "out of memory");
    }
    if (strcmp(spec, "yes") == 0) {
        a->all = 1;
        *out = a;
        return 0;
    }
    if (strcmp(spec, "no") == 0 || *spec == '\0') {
        *out = a;
        return 0;
    }
    while (*p != '\0') {
        char item[128];
        size_t n;

        while (*p == ' ' || *p == ',' || *p == '\t') {
            p++;
        }
        n = strcspn(p, " ,\t");
        if (n == 0) {
            break;
        }
        if (n >= sizeof(item) || a->n >= WN_NET_ALLOW_MAX) {
            wn_net_allow_free(a);
            return wn_err_set(err, WN_EPARSE,
                              "entry too long or too many entries");
        }
        memcpy(item, p, n);
        item[n] = '\0';
        p += n;
        struct wn_net_range *r = realloc(a->ranges, (a->n + 1) * sizeof(*r));
        if (r == NULL) {
            wn_net_allow_free(a);
            return wn_err_set(err, WN_ENOMEM, "out of memory");
        }
        a->ranges = r;
        if (wn_net_parse_one(item, &a->ranges[a->n]) != 0) {
            wn_net_allow_free(a);
            return wn_err_set(err, WN_EPARSE,
                              "\"%s\" is not yes, no, an address, a CIDR range "
                              "or address:port",
                              item);
        }
        a->n++;
    }
    *out = a;
    return 0;
}

void
wn_net_allow_free(struct wn_net_allow *allow)
{
    if (allow != NULL) {
        free(allow->ranges);
        free(allow);
    }
}
