/*
 * wn_notify.c: sd_notify(3)'s datagram protocol over AF_UNIX; it decides
 * nothing about when to notify (wn_daemon.c does).
 */
#include "wn_notify.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <winnow/error.h>

static uint64_t
wn_notify_watchdog_env(void)
{
    const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
    unsigned long long v;
    char *end;

    if (usec == NULL) {
        return 0;
    }
    /* The watchdog is for the main process only (sd_watchdog_enabled(3)). */
    if (pid != NULL && strtoll(pid, NULL, 10) != (long long) getpid()) {
        return 0;
    }
    errno = 0;
    v = strtoull(usec, &end, 10);
    if (errno != 0 || end == usec || *end != '\0' || v == 0) {
        return 0;
    }
    return (uint64_t) v;
}

int
wn_notify_init(struct wn_notify *n)
{
    const char *env = getenv("NOTIFY_SOCKET");
    size_t len;

    memset(n, 0, sizeof(*n));
    n->fd = -1;
    n->watchdog_usec = wn_notify_watchdog_env();
    if (env == NULL || *env == '\0') {
        return 0;
    }
    len = strlen(env);
    if ((env[0] != '/' && env[0] != '@') || len >= sizeof(n->path)) {
        return WN_EINVAL;
    }
    memcpy(n->path, env, len);
    if (n->path[0] == '@') {
        n->path[0] = '\0'; /* the abstract namespace */
    }
    n->path_len = (unsigned) len;
    n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (n->fd < 0) {
        return -errno;
    }
    return 0;
}

int
wn_notify_send(struct wn_notify *n, const char *msg)
{
    struct sockaddr_un sa;
    socklen_t salen;
    ssize_t w;

    if (n->fd < 0) {
        return 0;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, n->path, n->path_len);
    salen = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + n->path_len
                         + (n->path[0] != '\0'));
    do {
        w = sendto(n->fd, msg, strlen(msg), MSG_NOSIGNAL,
                   (struct sockaddr *) &sa, salen);
    } while (w < 0 && errno == EINTR);
    return w < 0 ? -errno : 0;
}

int
wn_notify_sendf(struct wn_notify *n, const char *fmt, ...)
{
    char msg[WN_NOTIFY_MAX];
    va_list ap;

    if (n->fd < 0) {
        return 0;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return wn_notify_send(n, msg);
}

int
wn_notify_reloading(struct wn_notify *n, const char *status)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return wn_notify_sendf(n, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=%s",
                           (unsigned long long) ts.tv_sec * 1000000ull
                               + (unsigned long long) ts.tv_nsec / 1000u,
                           status);
}

void
wn_notify_close(struct wn_notify *n)
{
    if (n->fd >= 0) {
        close(n->fd);
        n->fd = -1;
    }
}
