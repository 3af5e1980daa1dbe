/*
 * test_wn_doc.c: the document model under the host table: blocks, removals
 * with reasons, the main node and metadata.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <uv.h>

#include <cmocka.h>

#include <winnow/error.h>

#include "wn_doc.h"
#include "wn_html.h"

struct fixture {
    struct wn_arena *arena;
    struct wn_doc doc;
    struct wn_call call;
};

static void
load(struct fixture *f, const char *html)
{
    xmlDocPtr xml;

    assert_int_equal(wn_arena_create(&f->arena, 1 << 24), 0);
    assert_int_equal(wn_html_parse(html, strlen(html), "https://a.example/x",
                                   NULL, &xml, NULL),
                     0);
    assert_int_equal(
        wn_doc_init(&f->doc, xml, "https://a.example/x", 0, f->arena, 1), 0);
    memset(&f->call, 0, sizeof(f->call));
    f->call.arena = f->arena;
    f->call.doc = &f->doc;
    f->call.plugin = "test";
}

static void
unload(struct fixture *f)
{
    wn_doc_free(&f->doc);
    wn_arena_destroy(f->arena);
}

static void
doc_blocks_follow_block_elements(void **state)
{
    struct fixture f;
    struct wn_block *b;
    size_t n;

    (void) state;
    load(
        &f,
        "<body><h2>Sub</h2><p>One <b>bold</b> <a href=x>link</a></p>"
        "<div>loose<p>inner</p>tail<br><br>after</div>"
        "<ul><li>item</li></ul><figure><img src=x><figcaption>cap</figcaption></figure>"
        "<script>var x;</script><blockquote><p>quote</p></blockquote></body>");
    assert_int_equal(wn_doc_blocks(&f.call, &f.doc, &b, &n), 0);
    assert_int_equal(n, 9);
    assert_string_equal(b[0].text, "Sub");
    assert_true(b[0].flags & WN_BLOCK_HEADING);
    assert_string_equal(b[1].text, "One bold link");
    assert_int_equal(b[1].link_len, 4);
    assert_string_equal(b[2].text, "loose");
    assert_string_equal(b[3].text, "inner");
    assert_string_equal(b[4].text, "tail");
    assert_string_equal(b[5].text, "after");
    assert_string_equal(b[6].text, "item");
    assert_true(b[6].flags & WN_BLOCK_LIST);
    assert_string_equal(b[7].text, "cap");
    assert_string_equal(b[8].text, "quote");
    unload(&f);
}

static void
doc_blocks_see_captions_and_quotes(void **state)
{
    struct fixture f;
    struct wn_block *b;
    size_t n;

    (void) state;
    load(&f, "<body><figure><figcaption>cap</figcaption></figure>"
             "<blockquote><p>quote</p></blockquote></body>");
    assert_int_equal(wn_doc_blocks(&f.call, &f.doc, &b, &n), 0);
    assert_int_equal(n, 2);
    assert_true(b[0].flags & WN_BLOCK_CAPTION);
    assert_true(b[1].flags & WN_BLOCK_QUOTE);
    /* a second walk over the wrapped tree gives the same blocks */
    assert_int_equal(wn_doc_blocks(&f.call, &f.doc, &b, &n), 0);
    assert_int_equal(n, 2);
    unload(&f);
}

static void
doc_removals_are_recorded_and_protect_the_main_node(void **state)
{
    struct fixture f;
    struct wn_block *b;
    size_t n;

    (void) state;
    load(
        &f,
        "<body><div id=wrap><article><p>keep</p><p class=ad>Buy</p></article></div>"
        "<footer>foot</footer></body>");
    assert_int_equal(wn_doc_select_main(&f.call, &f.doc, "//article"), 0);
    assert_int_equal(
        wn_doc_remove_xpath(&f.call, &f.doc, "//p[@class='ad']", "ad"), 1);
    /* the wrapper of the main node cannot go */
    assert_int_equal(
        wn_doc_remove_xpath(&f.call, &f.doc, "//div[@id='wrap']", "x"), 0);
    assert_int_equal(wn_doc_remove_xpath(&f.call, &f.doc, "//footer", "footer"),
                     1);
    assert_int_equal(wn_doc_remove_xpath(&f.call, &f.doc, "//[", "bad"),
                     WN_EINVAL);
    assert_int_equal(wn_doc_blocks(&f.call, &f.doc, &b, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(b[0].text, "keep");
    assert_int_equal(f.doc.nremovals, 2);
    assert_string_equal(f.doc.removals[0].reason, "ad");
    assert_string_equal(f.doc.removals[0].text, "Buy");
    assert_string_equal(f.doc.removals[0].plugin, "host");
    assert_int_equal(wn_doc_select_main(&f.call, &f.doc, "//nothing"),
                     WN_EDECLINED);
    unload(&f);
}

static void
doc_drop_matching_uses_pcre2(void **state)
{
    struct fixture f;
    struct wn_block *b;
    size_t n;

    (void) state;
    load(
        &f,
        "<body><p>Advertisement</p><p>Real text here.</p><p>ADVERTISEMENT</p></body>");
    assert_int_equal(
        wn_doc_drop_matching(&f.call, &f.doc, "(?i)^advertisement$", "ads"), 2);
    assert_int_equal(wn_doc_drop_matching(&f.call, &f.doc, "(", "bad"),
                     WN_EINVAL);
    assert_int_equal(wn_doc_blocks(&f.call, &f.doc, &b, &n), 0);
    assert_int_equal(n, 1);
    unload(&f);
}

static void
doc_metadata_is_folded_and_times_normalized(void **state)
{
    struct fixture f;

    (void) state;
    load(&f, "<body><p>x</p></body>");
    assert_int_equal(
        wn_doc_meta_set(&f.call, &f.doc, WN_META_TITLE, "  A \n title "), 0);
    assert_string_equal(wn_doc_meta_get(&f.doc, WN_META_TITLE), "A title");
    assert_int_equal(wn_doc_meta_set(&f.call, &f.doc, WN_META_PUBLISHED,
                                     "Wed, 24 Feb 2021 07:27:00 EST"),
                     0);
    assert_string_equal(wn_doc_meta_get(&f.doc, WN_META_PUBLISHED),
                        "2021-02-24T12:27:00Z");
    assert_int_equal(
        wn_doc_meta_set(&f.call, &f.doc, WN_META_PUBLISHED, "soon"), WN_EPARSE);
    assert_int_equal(wn_doc_meta_set(&f.call, &f.doc, 99, "x"), WN_EINVAL);
    assert_int_equal(wn_doc_tag_add(&f.call, &f.doc, "Iraq"), 0);
    assert_int_equal(wn_doc_tag_add(&f.call, &f.doc, "iraq"), 0);
    assert_int_equal(f.doc.ntags, 1);
    unload(&f);
}

static void
doc_from_text_has_one_block_per_line(void **state)
{
    struct wn_arena *arena;
    struct wn_doc doc;
    struct wn_call call;
    struct wn_block *b;
    size_t n;
    const char *text = "Title line\n\n  First paragraph.  \nSecond\r\n\n";

    (void) state;
    assert_int_equal(wn_arena_create(&arena, 1 << 20), 0);
    assert_int_equal(wn_doc_init_text(&doc, text, strlen(text), NULL, arena, 0),
                     0);
    memset(&call, 0, sizeof(call));
    call.arena = arena;
    assert_int_equal(wn_doc_blocks(&call, &doc, &b, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(b[1].text, "First paragraph.");
    assert_string_equal(b[2].text, "Second");
    assert_true(doc.flags & WN_DOC_TEXT);
    wn_doc_free(&doc);
    wn_arena_destroy(arena);
}

/* A quadratic expression stops at the step limit, quickly, as an error. */
static void
doc_xpath_has_a_step_limit(void **state)
{
    struct fixture f;
    struct wn_buf html;
    uint64_t t0;
    int rc;

    (void) state;
    wn_buf_init(&html, 1u << 20);
    wn_buf_puts(&html, "<body>");
    for (int i = 0; i < 20000; i++) {
        wn_buf_puts(&html, "<p>x</p>");
    }
    wn_buf_puts(&html, "</body>");
    load(&f, html.data);
    t0 = uv_hrtime();
    rc = wn_doc_remove_xpath(&f.call, &f.doc, "//p[count(//p) > count(//p)]",
                             "test");
    assert_int_equal(rc, WN_EINVAL);
    assert_true(uv_hrtime() - t0 < 30ull * 1000 * 1000 * 1000);
    /* An ordinary expression on the same page is well inside the limit. */
    assert_int_equal(
        wn_doc_remove_xpath(&f.call, &f.doc, "//p[position() < 3]", "test"), 2);
    unload(&f);
    wn_buf_free(&html);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(doc_blocks_follow_block_elements),
        cmocka_unit_test(doc_blocks_see_captions_and_quotes),
        cmocka_unit_test(doc_removals_are_recorded_and_protect_the_main_node),
        cmocka_unit_test(doc_drop_matching_uses_pcre2),
        cmocka_unit_test(doc_metadata_is_folded_and_times_normalized),
        cmocka_unit_test(doc_from_text_has_one_block_per_line),
        cmocka_unit_test(doc_xpath_has_a_step_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
