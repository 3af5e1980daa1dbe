/*
 * wn_notify.h: the service manager's notification protocol (sd_notify(3)):
 * newline-separated VARIABLE=value assignments sent as one datagram to the
 * AF_UNIX socket named by $NOTIFY_SOCKET (a path, or "@name" for the
 * abstract namespace).  Without $NOTIFY_SOCKET every call does nothing, so
 * the daemon calls these unconditionally.  A small implementation of the
 * documented protocol instead of libsystemd: it is a dozen lines of
 * sendto(2), and the container and non-systemd builds need no library.
 *
 * Loop thread only (the socket and the buffer are not shared).
 */
#ifndef WN_NOTIFY_H
#define WN_NOTIFY_H

#include <stdint.h>

#define WN_NOTIFY_MAX 4096 /* bytes of one message */

struct wn_notify {
    int fd;                 /* -1: no service manager listening */
    char path[108];         /* sun_path; a leading NUL for abstract sockets */
    unsigned path_len;      /* bytes of path used */
    uint64_t watchdog_usec; /* 0: no watchdog asked for */
};

/*
 * Reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID and opens the
 * socket.  Returns 0 (also when there is nothing to notify), or -errno /
 * WN_EINVAL when the variable is set but unusable (n->fd stays -1 and the
 * daemon goes on without notifications).
 */
int wn_notify_init(struct wn_notify *n);

/* Sends `msg` ("READY=1\nSTATUS=..."); 0, or -errno. */
int wn_notify_send(struct wn_notify *n, const char *msg);

/* printf-style wn_notify_send(); longer messages are cut at WN_NOTIFY_MAX. */
int wn_notify_sendf(struct wn_notify *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "RELOADING=1\nMONOTONIC_USEC=<now>" as systemd 253+ expects for
 * Type=notify-reload (older managers ignore the second line). */
int wn_notify_reloading(struct wn_notify *n, const char *status);

void wn_notify_close(struct wn_notify *n);

#endif /* WN_NOTIFY_H */
