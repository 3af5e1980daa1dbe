/*
 * test_wn_plugin.c: the plugin loader's ABI checks, file checks and
 * directives, host matching, and the chain's fallback to the generic
 * cleaner when a plugin fails, returns garbage or overruns its budget.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <winnow/winnow.h>

#include "wn_arena.h"
#include "wn_extract.h"
#include "wn_plugin.h"

/*
 * ABI v1.0 is frozen: these sizes and offsets (LP64) may only change with a
 * new major, or grow at the end with a new minor.  A failing assertion here
 * means a change broke every plugin built so far.
 */
#if UINTPTR_MAX == 0xffffffffffffffffu
_Static_assert(sizeof(struct wn_plugin) == 128, "wn_plugin v1.0 size");
_Static_assert(offsetof(struct wn_plugin, name) == 16, "wn_plugin.name");
_Static_assert(offsetof(struct wn_plugin, hosts) == 40, "wn_plugin.hosts");
_Static_assert(offsetof(struct wn_plugin, conf_size) == 56,
               "wn_plugin.conf_size");
_Static_assert(offsetof(struct wn_plugin, init) == 64, "wn_plugin.init");
_Static_assert(offsetof(struct wn_plugin, process) == 80, "wn_plugin.process");
_Static_assert(offsetof(struct wn_plugin, reserved) == 96,
               "wn_plugin.reserved");
_Static_assert(sizeof(struct wn_host) == 184, "wn_host v1.0 size");
_Static_assert(offsetof(struct wn_host, alloc) == 16, "wn_host.alloc");
_Static_assert(offsetof(struct wn_host, blocks) == 128, "wn_host.blocks");
_Static_assert(offsetof(struct wn_host, tag_flags) == 176, "wn_host.tag_flags");
_Static_assert(sizeof(struct wn_item) == 72, "wn_item v1.0 size");
_Static_assert(sizeof(struct wn_block) == 40, "wn_block v1.0 size");
_Static_assert(sizeof(struct wn_directive) == 56, "wn_directive v1.0 size");
_Static_assert(sizeof(struct wn_err) == 260, "wn_err v1.0 size");
#endif

static const char *
tp(const char *name)
{
    static char path[1024];
    snprintf(path, sizeof(path), "%s/wn_%s.so", WN_TEST_PLUGIN_DIR, name);
    return path;
}

/* Opens tp(name) and expects refusal with `code` and every string in msg. */
static void
expect_refused(const char *name, int code, const char *must1, const char *must2)
{
    struct wn_plugin_inst *inst = NULL;
    struct wn_err err;
    int rc;

    memset(&err, 0, sizeof(err));
    rc = wn_plugin_open(tp(name), NULL, NULL, &inst, &err);
    assert_int_equal(rc, code);
    assert_null(inst);
    assert_non_null(strstr(err.msg, tp(name))); /* names the file */
    if (must1 != NULL) {
        assert_non_null(strstr(err.msg, must1));
    }
    if (must2 != NULL) {
        assert_non_null(strstr(err.msg, must2));
    }
}

static void
plugin_ok_loads_with_directive_defaults(void **state)
{
    struct wn_plugin_inst *inst = NULL;
    struct wn_err err;

    (void) state;
    assert_int_equal(wn_plugin_open(tp("tp_ok"), NULL, NULL, &inst, &err), 0);
    assert_string_equal(inst->desc.name, "tp_ok");
    assert_string_equal(inst->desc.version, "9.9.9");
    assert_non_null(inst->state);
    wn_plugin_close(inst);
}

static void
plugin_refuses_wrong_major(void **state)
{
    (void) state;
    expect_refused("tp_bad_major", WN_EABI, "ABI 2.0", "ABI 1.0");
}

static void
plugin_refuses_newer_minor(void **state)
{
    (void) state;
    expect_refused("tp_newer_minor", WN_EABI, "ABI 1.1", "newer");
}

static void
plugin_refuses_short_descriptor(void **state)
{
    (void) state;
    expect_refused("tp_short", WN_EABI, "shorter", NULL);
}

static void
plugin_refuses_missing_process(void **state)
{
    (void) state;
    expect_refused("tp_no_process", WN_EABI, "no process", NULL);
}

static void
plugin_refuses_name_mismatch(void **state)
{
    (void) state;
    expect_refused("tp_bad_name", WN_EABI, "someone_else", "tp_bad_name");
}

static void
plugin_refuses_reserved_fields(void **state)
{
    (void) state;
    expect_refused("tp_reserved", WN_EABI, "reserved", NULL);
}

static void
plugin_refuses_object_without_descriptor(void **state)
{
    (void) state;
    expect_refused("tp_no_symbol", WN_EABI, "not a winnow plugin", NULL);
}

static void
plugin_refuses_failed_init_with_its_message(void **state)
{
    (void) state;
    expect_refused("tp_init_fails", WN_EPLUGIN, "init failed",
                   "needs a license key");
}

static void
plugin_refuses_files_that_are_not_shared_objects(void **state)
{
    char dir[] = "/tmp/wn-plugin-test-XXXXXX";
    char path[256];
    struct wn_plugin_inst *inst = NULL;
    struct wn_err err;
    FILE *f;

    (void) state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/wn_junk.so", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("this is not an ELF file\n", f);
    fclose(f);
    chmod(path, 0644);
    assert_int_equal(wn_plugin_open(path, NULL, NULL, &inst, &err), WN_EPLUGIN);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "cannot load"));
    unlink(path);

    /* A plugin others could have written is refused before loading. */
    snprintf(path, sizeof(path), "%s/wn_tp_ok.so", dir);
    {
        FILE *in = fopen(tp("tp_ok"), "rb"), *out = fopen(path, "wb");
        char buf[65536];
        size_t n;
        assert_non_null(in);
        assert_non_null(out);
        while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
            fwrite(buf, 1, n, out);
        }
        fclose(in);
        fclose(out);
    }
    chmod(path, 0666);
    assert_int_equal(wn_plugin_open(path, NULL, NULL, &inst, &err), WN_EPLUGIN);
    assert_non_null(strstr(err.msg, "writable by group or others"));
    chmod(path, 0755);
    assert_int_equal(wn_plugin_open(path, NULL, NULL, &inst, &err), 0);
    wn_plugin_close(inst);
    unlink(path);
    snprintf(path, sizeof(path), "%s/not_a_plugin_name.so", dir);
    assert_int_equal(wn_plugin_open(path, NULL, NULL, &inst, &err), WN_EPLUGIN);
    assert_non_null(strstr(err.msg, "wn_NAME.so"));
    rmdir(dir);
}

static void
plugin_directives_are_parsed_and_checked(void **state)
{
    char k_level[] = "level", k_enabled[] = "enabled", k_label[] = "label";
    char k_colour[] = "colour", v_7[] = "7", v_11[] = "11", v_5[] = "5";
    char v_no[] = "no", v_label[] = "Site Name", name[] = "tp_ok";
    struct wn_conf_kv kvs[3] = {
        { k_level, v_7, 12 },
        { k_enabled, v_no, 13 },
        { k_label, v_label, 14 },
    };
    struct wn_conf_plugin section = { name, 11, kvs, 3 };
    struct wn_plugin_inst *inst = NULL;
    struct wn_err err;

    (void) state;
    assert_int_equal(
        wn_plugin_open(tp("tp_ok"), "/etc/winnow.conf", &section, &inst, &err),
        0);
    {
        const long *level = (const long *) inst->conf;
        assert_int_equal(*level, 7);
    }
    wn_plugin_close(inst);

    kvs[0].value = v_11; /* out of [1, 10] */
    assert_int_equal(
        wn_plugin_open(tp("tp_ok"), "/etc/winnow.conf", &section, &inst, &err),
        WN_ECONFIG);
    assert_non_null(
        strstr(err.msg, "/etc/winnow.conf:12: [plugin:tp_ok] level:"));
    assert_non_null(strstr(err.msg, "level"));
    kvs[0].value = v_5;
    kvs[1].key = k_colour;
    assert_int_equal(
        wn_plugin_open(tp("tp_ok"), "/etc/winnow.conf", &section, &inst, &err),
        WN_ECONFIG);
    assert_non_null(strstr(err.msg, "colour: unknown key"));
}

static void
plugin_host_patterns_prefer_exact_names(void **state)
{
    (void) state;
    assert_true(wn_plugin_host_match("*.example.com", "www.example.com") > 0);
    assert_true(wn_plugin_host_match("*.example.com", "example.com") > 0);
    assert_int_equal(wn_plugin_host_match("*.example.com", "badexample.com"),
                     0);
    assert_int_equal(wn_plugin_host_match("*.example.com", "example.org"), 0);
    assert_true(wn_plugin_host_match("www.example.com", "WWW.Example.com")
                > wn_plugin_host_match("*.example.com", "www.example.com"));
    assert_true(wn_plugin_host_match("*.news.example.com", "a.news.example.com")
                > wn_plugin_host_match("*.example.com", "a.news.example.com"));
}

/* A chain of one test plugin and the real generic cleaner. */
struct chain {
    struct wn_plugins ps;
    struct wn_plugin_inst *v[2];
};

static void
chain_open(struct chain *c, const char *name, uint64_t timeout_ns)
{
    struct wn_err err;
    char generic[1024];

    memset(c, 0, sizeof(*c));
    assert_int_equal(wn_plugin_open(tp(name), NULL, NULL, &c->v[0], &err), 0);
    snprintf(generic, sizeof(generic), "%s/wn_generic.so", WN_PLUGIN_BUILD_DIR);
    assert_int_equal(wn_plugin_open(generic, NULL, NULL, &c->v[1], &err), 0);
    c->ps.v = c->v;
    c->ps.n = 2;
    c->ps.generic = c->v[1];
    c->ps.timeout_ns = timeout_ns;
}

static void
chain_close(struct chain *c)
{
    wn_plugin_close(c->v[0]);
    wn_plugin_close(c->v[1]);
}

static const char page[] =
    "<html><body><article><p>The first paragraph of a real article, long "
    "enough to count.</p><p class='tp-junk'>junk</p><p>The second paragraph "
    "of the same article.</p></article></body></html>";

static struct wn_article *
clean(struct chain *c, const char *url)
{
    struct wn_extract_in in;
    struct wn_article *a = NULL;
    struct wn_err err;

    memset(&in, 0, sizeof(in));
    in.data = page;
    in.len = strlen(page);
    in.url = url;
    assert_int_equal(wn_extract(&c->ps, &in, &a, &err), 0);
    return a;
}

static void
chain_runs_site_plugin_for_its_hosts_only(void **state)
{
    struct chain c;
    struct wn_article *a;

    (void) state;
    chain_open(&c, "tp_ok", 0);
    a = clean(&c, "https://www.tp.example/story");
    assert_null(strstr(a->text, "junk"));
    assert_non_null(strstr(a->plugins, "tp_ok/9.9.9"));
    assert_string_equal(a->meta[WN_META_SITE], "none");
    assert_false(a->flags & WN_ARTICLE_FALLBACK);
    wn_article_free(a);
    a = clean(&c, "https://other.example/story");
    assert_null(strstr(a->plugins, "tp_ok"));
    wn_article_free(a);
    chain_close(&c);
}

/* A cleaned article keeps its results and nothing else: its arena holds
 * exactly the text, the metadata, the tags and the plugin list. */
static void
extract_keeps_only_its_results(void **state)
{
    static const char tagged[] =
        "<html lang='en'><head><title>A headline</title>"
        "<meta name='author' content='Ann Writer'>"
        "<meta property='article:tag' content='first'>"
        "<meta property='article:tag' content='second'></head><body>"
        "<nav><a href='/'>Home</a> <a href='/x'>World</a></nav><article>"
        "<p>The first paragraph of a real article, long enough to count as "
        "one, with a few more words in it.</p><p>The second paragraph of the "
        "same article, as long as the first one was.</p></article>"
        "<footer>Copyright 2026 The Example Times</footer></body></html>";
    struct chain c;
    struct wn_extract_in in;
    struct wn_article *a = NULL;
    struct wn_err err;
    size_t total;

    (void) state;
    chain_open(&c, "tp_ok", 0);
    memset(&in, 0, sizeof(in));
    in.data = tagged;
    in.len = strlen(tagged);
    in.url = "https://news.example/story";
    assert_int_equal(wn_extract(&c.ps, &in, &a, &err), 0);
    assert_non_null(strstr(a->text, "The first paragraph"));
    assert_non_null(strstr(a->text, "The second paragraph"));
    assert_int_equal(strlen(a->text), a->len);
    assert_string_equal(a->meta[WN_META_TITLE], "A headline");
    assert_string_equal(a->meta[WN_META_AUTHOR], "Ann Writer");
    assert_string_equal(a->meta[WN_META_SITE], "news.example");
    assert_int_equal(a->ntags, 2);
    assert_string_equal(a->tags[0], "first");
    assert_string_equal(a->tags[1], "second");
    assert_non_null(strstr(a->plugins, "generic/"));
    total = a->ntags * sizeof(*a->tags) + a->len + 1 + strlen(a->plugins) + 1
            + (a->main_why != NULL ? strlen(a->main_why) + 1 : 0);
    for (size_t i = 0; i < a->ntags; i++) {
        total += strlen(a->tags[i]) + 1;
    }
    for (int k = 0; k < WN_META_COUNT; k++) {
        total += a->meta[k] != NULL ? strlen(a->meta[k]) + 1 : 0;
    }
    assert_int_equal(wn_arena_used(a->arena), total);
    wn_article_free(a);
    chain_close(&c);
}

static void
chain_falls_back_when_a_plugin_fails(void **state)
{
    struct chain c;
    struct wn_article *a;

    (void) state;
    chain_open(&c, "tp_fails", 0);
    a = clean(&c, "https://tp.example/story");
    assert_true(a->flags & WN_ARTICLE_FALLBACK);
    assert_non_null(strstr(a->text, "The first paragraph"));
    assert_null(strstr(a->plugins, "tp_fails"));
    assert_int_equal(atomic_load(&c.v[0]->failures), 1);
    wn_article_free(a);
    chain_close(&c);
}

static void
chain_falls_back_when_a_plugin_leaves_nothing(void **state)
{
    struct chain c;
    struct wn_article *a;

    (void) state;
    chain_open(&c, "tp_garbage", 0);
    a = clean(&c, "https://tp.example/story");
    assert_true(a->flags & WN_ARTICLE_FALLBACK);
    assert_non_null(strstr(a->text, "The second paragraph"));
    assert_int_equal(atomic_load(&c.v[0]->failures), 1);
    wn_article_free(a);
    chain_close(&c);
}

/* Invalid UTF-8 and absurd sizes: counted, and the generic result kept. */
static void
chain_falls_back_on_garbage(const char *name)
{
    struct chain c;
    struct wn_article *a;

    chain_open(&c, name, 0);
    a = clean(&c, "https://tp.example/story");
    assert_true(a->flags & WN_ARTICLE_FALLBACK);
    assert_non_null(strstr(a->text, "The first paragraph"));
    assert_null(strstr(a->text, "bad "));
    assert_true(a->len < 1u << 20);
    assert_int_equal(atomic_load(&c.v[0]->failures), 1);
    assert_string_equal(a->plugins, "generic/1.0.0");
    wn_article_free(a);
    chain_close(&c);
}

static void
chain_falls_back_when_a_plugin_leaves_invalid_utf8(void **state)
{
    (void) state;
    chain_falls_back_on_garbage("tp_bad_utf8");
}

static void
chain_falls_back_when_a_plugin_leaves_absurd_text(void **state)
{
    (void) state;
    chain_falls_back_on_garbage("tp_huge");
}

static void
chain_falls_back_when_a_plugin_overruns_its_budget(void **state)
{
    struct chain c;
    struct wn_article *a;

    (void) state;
    chain_open(&c, "tp_slow", 20 * 1000 * 1000); /* 20 ms */
    a = clean(&c, "https://tp.example/story");
    assert_true(a->flags & WN_ARTICLE_FALLBACK);
    assert_non_null(strstr(a->text, "The first paragraph"));
    wn_article_free(a);
    chain_close(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plugin_ok_loads_with_directive_defaults),
        cmocka_unit_test(plugin_refuses_wrong_major),
        cmocka_unit_test(plugin_refuses_newer_minor),
        cmocka_unit_test(plugin_refuses_short_descriptor),
        cmocka_unit_test(plugin_refuses_missing_process),
        cmocka_unit_test(plugin_refuses_name_mismatch),
        cmocka_unit_test(plugin_refuses_reserved_fields),
        cmocka_unit_test(plugin_refuses_object_without_descriptor),
        cmocka_unit_test(plugin_refuses_failed_init_with_its_message),
        cmocka_unit_test(plugin_refuses_files_that_are_not_shared_objects),
        cmocka_unit_test(plugin_directives_are_parsed_and_checked),
        cmocka_unit_test(plugin_host_patterns_prefer_exact_names),
        cmocka_unit_test(chain_runs_site_plugin_for_its_hosts_only),
        cmocka_unit_test(extract_keeps_only_its_results),
        cmocka_unit_test(chain_falls_back_when_a_plugin_fails),
        cmocka_unit_test(chain_falls_back_when_a_plugin_leaves_nothing),
        cmocka_unit_test(chain_falls_back_when_a_plugin_overruns_its_budget),
        cmocka_unit_test(chain_falls_back_when_a_plugin_leaves_invalid_utf8),
        cmocka_unit_test(chain_falls_back_when_a_plugin_leaves_absurd_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
