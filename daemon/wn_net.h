/*
 * wn_net.h: which addresses winnowd may connect to.  Loopback, private,
 * link-local and other special-purpose addresses are refused unless the
 * configuration allows them ([fetch] allow_private).  Pure functions over
 * socket addresses; the fetcher calls them for every connection it opens,
 * after DNS resolution, so redirects and DNS rebinding are covered.
 */
#ifndef WN_NET_H
#define WN_NET_H

#include <sys/socket.h>

#include <winnow/error.h>

struct wn_net_allow;

/*
 * Parses "no", "yes", or a list of addresses, CIDR ranges and host:port
 * pairs separated by spaces or commas ("127.0.0.1:8080 10.0.0.0/8 ::1").
 * The caller frees *out with wn_net_allow_free().
 */
int wn_net_allow_parse(const char *spec, struct wn_net_allow **out,
                       struct wn_err *err);
void wn_net_allow_free(struct wn_net_allow *allow);

/* True when `sa` is a special-purpose address (RFC 6890 and friends). */
int wn_net_is_special(const struct sockaddr *sa);

/* True when a connection to `sa` is allowed under `allow` (NULL: "no"). */
int wn_net_allowed(const struct wn_net_allow *allow, const struct sockaddr *sa);

#endif /* WN_NET_H */
