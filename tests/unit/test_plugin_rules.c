/*
 * test_plugin_rules.c: the rules plugin, loaded from its built shared
 * object: rule files read at init (every error names the file and line,
 * and refuses the plugin), host matching, and a rule applied through the
 * real extraction pipeline with the generic cleaner after it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <winnow/error.h>

#include "wn_err.h"
#include "wn_extract.h"
#include "wn_html.h"
#include "wn_plugin.h"

#define RULES_SO   WN_PLUGIN_BUILD_DIR "/wn_rules.so"
#define GENERIC_SO WN_PLUGIN_BUILD_DIR "/wn_generic.so"

#define P1                                                                     \
    "The harbour authority said on Tuesday that ferry services between the "   \
    "two islands would resume next week, after storms damaged the main pier "  \
    "and forced the port to close for nearly a month."
#define P2                                                                     \
    "Engineers worked through the weekend to replace the broken pilings, "     \
    "and the first inspection found the new structure sound, according to "    \
    "the regional transport office."

static char dir[] = "/tmp/wn-rules-XXXXXX";

static void
write_rule(const char *name, const char *text)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void
remove_rule(const char *name)
{
    char path[256];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    unlink(path);
}

/* Opens the plugin over `dir`; returns its code, err filled. */
static int
open_rules(struct wn_plugin_inst **inst, struct wn_err *err)
{
    char key[] = "dir", name[] = "rules";
    struct wn_conf_kv kv = { key, dir, 0 };
    struct wn_conf_plugin section = { name, 1, &kv, 1 };

    memset(err, 0, sizeof(*err));
    return wn_plugin_open(RULES_SO, "(test)", &section, inst, err);
}

/* The plugin refuses `text`, and its message holds `want`. */
static void
refused(const char *text, const char *want)
{
    struct wn_plugin_inst *inst = NULL;
    struct wn_err err;

    write_rule("bad.conf", text);
    assert_int_not_equal(open_rules(&inst, &err), 0);
    assert_null(inst);
    if (strstr(err.msg, want) == NULL) {
        fail_msg("\"%s\" does not say \"%s\"", err.msg, want);
    }
    remove_rule("bad.conf");
}

static void
bad_rule_files_are_refused_with_file_and_line(void **state)
{
    (void) state;
    refused("[site]\nhosts = a.example\nmain = //div[\n",
            "bad.conf:3: main: \"//div[\" is not a valid XPath");
    refused("[site]\nhosts = a.example\ndrop = (x\n",
            "bad.conf:3: drop: bad PCRE2");
    refused("[site]\n# no hosts\nremove = //div\n", "bad.conf:0: no hosts");
    refused("[site]\nhosts = http://a.example/\n", "bad.conf:2: hosts:");
    refused("[site]\nhosts = *example.com\n", "is not a host name");
    refused("hosts = a.example\n", "bad.conf:1: hosts: outside a [site]");
    refused("[sites]\n", "bad.conf:1: [sites]: unknown section");
    refused("[site]\nhosts = a.example\ntitle = //h1\ntitle = //h2\n",
            "bad.conf:4: title: set twice");
    refused("[site]\nhosts = a.example\n[test]\nsampel = x.html\n",
            "bad.conf:4: [test] sampel: unknown key");
    refused("[site]\nhosts = a.example\nmain\n", "bad.conf:3: \"main\": not");
    refused("[site]\nhosts = a.example\nremove =\n",
            "bad.conf:3: remove: empty");
}

static void
match_prefers_exact_hosts_and_knows_only_its_own(void **state)
{
    struct wn_plugin_inst *inst = NULL;
    struct wn_err err;

    (void) state;
    write_rule("a.conf", "[site]\nhosts = *.a.example\nmain = //article\n");
    write_rule("b.conf",
               "; comment\n[site]\nhosts = news.a.example, b.example\n");
    assert_int_equal(open_rules(&inst, &err), 0);
    assert_true(inst->desc.match(inst->state, "www.a.example") > 0);
    assert_true(inst->desc.match(inst->state, "A.EXAMPLE") > 0);
    assert_true(inst->desc.match(inst->state, "news.a.example")
                > inst->desc.match(inst->state, "www.a.example"));
    assert_int_equal(inst->desc.match(inst->state, "c.example"), 0);
    assert_int_equal(inst->desc.match(inst->state, "xa.example"), 0);
    wn_plugin_close(inst);
    remove_rule("a.conf");
    remove_rule("b.conf");
}

static void
rule_applies_through_the_pipeline(void **state)
{
    static const char page[] =
        "<html><body><div class='wrap'><h1 class='hl'>Ferries resume</h1>"
        "<p class='who'>Ann Smith</p><time datetime='2021-03-02T10:15:00+01:00'>"
        "2 March</time><div class='story'><p>" P1 "</p>"
        "<div class='promo'><p>Win a trip to the islands with our partners this "
        "spring, answer three questions</p></div>"
        "<p>Sponsored: the harbour shop</p><p>" P2
        "</p></div></div></body></html>";
    struct wn_plugin_inst *v[2] = { NULL, NULL };
    struct wn_plugins ps;
    struct wn_extract_in in;
    struct wn_article *a = NULL;
    struct wn_err err;

    (void) state;
    write_rule("harbour.conf",
               "[site]\nhosts = *.harbour.example\n"
               "main = //div[@id='none']\nmain = //div[@class='story']\n"
               "remove = //div[@class='promo']\ndrop = ^Sponsored:\n"
               "title = //h1[@class='hl']\nauthor = //p[@class='who']\n"
               "date = //time/@datetime\n");
    assert_int_equal(open_rules(&v[0], &err), 0);
    assert_int_equal(wn_plugin_open(GENERIC_SO, NULL, NULL, &v[1], &err), 0);
    memset(&ps, 0, sizeof(ps));
    ps.v = v;
    ps.n = 2;
    ps.generic = v[1];
    memset(&in, 0, sizeof(in));
    in.data = page;
    in.len = sizeof(page) - 1;
    in.url = "https://www.harbour.example/story";
    in.flags = WN_EXTRACT_EXPLAIN;
    assert_int_equal(wn_extract(&ps, &in, &a, &err), 0);
    assert_string_equal(a->text, P1 "\n\n" P2);
    assert_string_equal(a->meta[WN_META_TITLE], "Ferries resume");
    assert_string_equal(a->meta[WN_META_AUTHOR], "Ann Smith");
    assert_string_equal(a->meta[WN_META_PUBLISHED], "2021-03-02T09:15:00Z");
    assert_string_equal(a->plugins, "rules/1.0.0 generic/1.0.0");
    {
        int promo = 0, drop = 0;
        for (size_t i = 0; i < a->nremovals; i++) {
            promo |= strcmp(a->removals[i].reason,
                            "rule harbour: remove //div[@class='promo']")
                     == 0;
            drop |=
                strcmp(a->removals[i].reason, "rule harbour: drop ^Sponsored:")
                == 0;
        }
        assert_true(promo && drop);
    }
    wn_article_free(a);
    /* Another host: the rules decline and the generic cleaner alone runs. */
    in.url = "https://other.example/story";
    assert_int_equal(wn_extract(&ps, &in, &a, &err), 0);
    assert_string_equal(a->plugins, "generic/1.0.0");
    wn_article_free(a);
    wn_plugin_close(v[0]);
    wn_plugin_close(v[1]);
    remove_rule("harbour.conf");
}

static void
missing_folder_is_an_error_naming_it(void **state)
{
    char key[] = "dir", name[] = "rules", missing[] = "/nonexistent/sites.d";
    struct wn_conf_kv kv = { key, missing, 0 };
    struct wn_conf_plugin section = { name, 1, &kv, 1 };
    struct wn_plugin_inst *inst = NULL;
    struct wn_err err;

    (void) state;
    assert_int_not_equal(
        wn_plugin_open(RULES_SO, "(test)", &section, &inst, &err), 0);
    assert_non_null(strstr(err.msg, "/nonexistent/sites.d"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_rule_files_are_refused_with_file_and_line),
        cmocka_unit_test(match_prefers_exact_hosts_and_knows_only_its_own),
        cmocka_unit_test(rule_applies_through_the_pipeline),
        cmocka_unit_test(missing_folder_is_an_error_naming_it),
    };
    int rc;

    wn_html_global_init();
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(dir);
    return rc;
}
