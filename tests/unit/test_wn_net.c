/*
 * test_wn_net.c: special addresses are refused unless allowed.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wn_net.h"

static struct sockaddr_storage ss;

static const struct sockaddr *
addr(const char *ip, unsigned port)
{
    memset(&ss, 0, sizeof(ss));
    if (strchr(ip, ':') != NULL) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *) &ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t) port);
        assert_int_equal(inet_pton(AF_INET6, ip, &a->sin6_addr), 1);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *) &ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t) port);
        assert_int_equal(inet_pton(AF_INET, ip, &a->sin_addr), 1);
    }
    return (const struct sockaddr *) &ss;
}

static void
net_classifies_special_addresses(void **state)
{
    static const char *const special[] = {
        "127.0.0.1",       "10.1.2.3",        "172.16.0.1", "172.31.255.255",
        "192.168.1.1",     "169.254.169.254", "0.0.0.0",    "100.64.0.1",
        "224.0.0.1",       "255.255.255.255", "::1",        "::",
        "fe80::1",         "fc00::1",         "fd12::1",    "::ffff:127.0.0.1",
        "::ffff:10.0.0.1", "64:ff9b::a00:1",  "ff02::1",
    };
    static const char *const public_[] = {
        "8.8.8.8",     "1.1.1.1",         "172.32.0.1",
        "192.169.0.1", "2606:4700::1111", "::ffff:8.8.8.8",
    };
    (void) state;
    for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
        assert_true(wn_net_is_special(addr(special[i], 80)));
        assert_false(wn_net_allowed(NULL, addr(special[i], 80)));
    }
    for (size_t i = 0; i < sizeof(public_) / sizeof(public_[0]); i++) {
        assert_false(wn_net_is_special(addr(public_[i], 80)));
        assert_true(wn_net_allowed(NULL, addr(public_[i], 80)));
    }
}

static void
net_allow_list_opens_only_what_it_names(void **state)
{
    struct wn_net_allow *a = NULL;
    struct wn_err err;

    (void) state;
    assert_int_equal(
        wn_net_allow_parse("127.0.0.1:8080, 10.0.0.0/8 [::1]:9000", &a, &err),
        0);
    assert_true(wn_net_allowed(a, addr("127.0.0.1", 8080)));
    assert_false(wn_net_allowed(a, addr("127.0.0.1", 8081)));
    assert_true(wn_net_allowed(a, addr("10.200.0.1", 443)));
    assert_false(wn_net_allowed(a, addr("192.168.0.1", 443)));
    assert_true(wn_net_allowed(a, addr("::1", 9000)));
    assert_false(wn_net_allowed(a, addr("::1", 9001)));
    wn_net_allow_free(a);

    assert_int_equal(wn_net_allow_parse("yes", &a, &err), 0);
    assert_true(wn_net_allowed(a, addr("127.0.0.1", 1)));
    wn_net_allow_free(a);
    assert_int_equal(wn_net_allow_parse("no", &a, &err), 0);
    assert_false(wn_net_allowed(a, addr("127.0.0.1", 1)));
    wn_net_allow_free(a);
}

static void
net_allow_list_rejects_junk(void **state)
{
    struct wn_net_allow *a = NULL;
    struct wn_err err;

    (void) state;
    assert_int_not_equal(wn_net_allow_parse("maybe", &a, &err), 0);
    assert_non_null(strstr(err.msg, "maybe"));
    assert_int_not_equal(wn_net_allow_parse("10.0.0.0/33", &a, &err), 0);
    assert_int_not_equal(wn_net_allow_parse("127.0.0.1:99999", &a, &err), 0);
    assert_null(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(net_classifies_special_addresses),
        cmocka_unit_test(net_allow_list_opens_only_what_it_names),
        cmocka_unit_test(net_allow_list_rejects_junk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
