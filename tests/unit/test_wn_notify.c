/*
 * test_wn_notify.c: the notification protocol against a NOTIFY_SOCKET the
 * test opens itself (a path and an abstract name), as systemd would: the
 * datagrams, MONOTONIC_USEC beside RELOADING=1, the watchdog variables.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "wn_notify.h"

/* A datagram socket bound to `name` (a path, or "@abstract"). */
static int
listen_at(const char *name)
{
    struct sockaddr_un sa;
    socklen_t len;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct timeval tv = { 5, 0 };

    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, name, strlen(name));
    len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + strlen(name));
    if (name[0] == '@') {
        sa.sun_path[0] = '\0';
    } else {
        unlink(name);
        len++;
    }
    assert_int_equal(bind(fd, (struct sockaddr *) &sa, len), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

static const char *
receive(int fd)
{
    static char buf[WN_NOTIFY_MAX + 1];
    ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

    assert_true(n > 0);
    buf[n] = '\0';
    return buf;
}

static void
notify_sends_datagrams_to_a_path(void **state)
{
    char path[64];
    struct wn_notify n;
    int fd;

    (void) state;
    snprintf(path, sizeof(path), "/tmp/wn-test-notify-%d", (int) getpid());
    fd = listen_at(path);
    setenv("NOTIFY_SOCKET", path, 1);
    assert_int_equal(wn_notify_init(&n), 0);
    assert_true(n.fd >= 0);
    assert_int_equal(wn_notify_send(&n, "READY=1\nSTATUS=0 feeds"), 0);
    assert_string_equal(receive(fd), "READY=1\nSTATUS=0 feeds");
    assert_int_equal(wn_notify_sendf(&n, "STATUS=%d feeds, %s", 3, "idle"), 0);
    assert_string_equal(receive(fd), "STATUS=3 feeds, idle");
    assert_int_equal(wn_notify_send(&n, "STOPPING=1"), 0);
    assert_string_equal(receive(fd), "STOPPING=1");
    wn_notify_close(&n);
    close(fd);
    unlink(path);
    unsetenv("NOTIFY_SOCKET");
}

static void
notify_reloading_carries_monotonic_usec(void **state)
{
    char name[64];
    struct wn_notify n;
    struct timespec ts;
    unsigned long long usec, before;
    const char *msg;
    int fd;

    (void) state;
    snprintf(name, sizeof(name), "@wn-test-notify-%d", (int) getpid());
    fd = listen_at(name);
    setenv("NOTIFY_SOCKET", name, 1);
    assert_int_equal(wn_notify_init(&n), 0);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    before = (unsigned long long) ts.tv_sec * 1000000ull
             + (unsigned long long) ts.tv_nsec / 1000u;
    assert_int_equal(wn_notify_reloading(&n, "reloading"), 0);
    msg = receive(fd);
    assert_true(strncmp(msg, "RELOADING=1\nMONOTONIC_USEC=", 27) == 0);
    usec = strtoull(msg + 27, NULL, 10);
    assert_true(usec >= before && usec < before + 5000000ull);
    assert_non_null(strstr(msg, "\nSTATUS=reloading"));
    wn_notify_close(&n);
    close(fd);
    unsetenv("NOTIFY_SOCKET");
}

static void
notify_without_a_manager_does_nothing(void **state)
{
    struct wn_notify n;
    char pid[32];

    (void) state;
    unsetenv("NOTIFY_SOCKET");
    assert_int_equal(wn_notify_init(&n), 0);
    assert_int_equal(n.fd, -1);
    assert_int_equal(wn_notify_send(&n, "READY=1"), 0);
    setenv("NOTIFY_SOCKET", "relative/path", 1);
    assert_int_not_equal(wn_notify_init(&n), 0);
    assert_int_equal(n.fd, -1);
    unsetenv("NOTIFY_SOCKET");

    /* the watchdog: only for this process, only a positive number */
    setenv("WATCHDOG_USEC", "20000000", 1);
    unsetenv("WATCHDOG_PID");
    wn_notify_init(&n);
    assert_int_equal(n.watchdog_usec, 20000000);
    snprintf(pid, sizeof(pid), "%d", (int) getpid() + 1);
    setenv("WATCHDOG_PID", pid, 1);
    wn_notify_init(&n);
    assert_int_equal(n.watchdog_usec, 0);
    snprintf(pid, sizeof(pid), "%d", (int) getpid());
    setenv("WATCHDOG_PID", pid, 1);
    wn_notify_init(&n);
    assert_int_equal(n.watchdog_usec, 20000000);
    setenv("WATCHDOG_USEC", "soon", 1);
    wn_notify_init(&n);
    assert_int_equal(n.watchdog_usec, 0);
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(notify_sends_datagrams_to_a_path),
        cmocka_unit_test(notify_reloading_carries_monotonic_usec),
        cmocka_unit_test(notify_without_a_manager_does_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
