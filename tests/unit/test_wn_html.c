/*
 * test_wn_html.c: the charset of a page is decided as documented, and no
 * byte stops the parse: windows-1252's undefined bytes, UTF-8 labelled
 * Latin-1, legacy charsets libxml2 converts, pages with no label at all.
 */
#include <libxml/tree.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wn_buf.h"
#include "wn_charset.h"
#include "wn_html.h"

/* The folded text of <body> after parsing page with the given header. */
static char *
body_text(const char *page, size_t len, const char *content_type)
{
    static char out[4096];
    xmlDocPtr doc = NULL;
    struct wn_buf b;

    assert_int_equal(wn_html_parse(page, len, "https://a.example/",
                                   content_type, &doc, NULL),
                     0);
    wn_buf_init(&b, sizeof(out) - 1);
    assert_int_equal(wn_html_node_text(xmlDocGetRootElement(doc), &b), 0);
    memcpy(out, b.data ? b.data : "", b.len + 1);
    wn_buf_free(&b);
    xmlFreeDoc(doc);
    return out;
}

static void
html_latin1_label_means_windows_1252_and_every_byte_decodes(void **state)
{
    /* 0x93/0x94 are curly quotes in windows-1252; 0x81 is undefined there
     * and iconv stops at it, losing the rest of the page. */
    static const char page[] =
        "<html><body><p>\x93quoted\x94 \x81 and the rest "
        "caf\xe9</p></body></html>";
    (void) state;
    char *t =
        body_text(page, sizeof(page) - 1, "text/html; charset=ISO-8859-1");
    assert_non_null(strstr(t, "\xe2\x80\x9cquoted\xe2\x80\x9d"));
    assert_non_null(strstr(t, "and the rest caf\xc3\xa9"));
}

static void
html_valid_utf8_wins_over_a_latin1_label(void **state)
{
    static const char page[] =
        "<html><head><meta charset=\"iso-8859-1\"></head>"
        "<body><p>caf\xc3\xa9 \xc3\x81lvaro</p></body></html>";
    (void) state;
    char *t = body_text(page, sizeof(page) - 1, NULL);
    assert_non_null(strstr(t, "caf\xc3\xa9 \xc3\x81lvaro"));
}

static void
html_legacy_charsets_from_meta_are_converted(void **state)
{
    /* "Привет" in windows-1251 */
    static const char page[] =
        "<html><head><meta http-equiv=\"Content-Type\" "
        "content=\"text/html; charset=windows-1251\"></head>"
        "<body><p>\xcf\xf0\xe8\xe2\xe5\xf2</p></body></html>";
    (void) state;
    char *t = body_text(page, sizeof(page) - 1, NULL);
    assert_non_null(
        strstr(t, "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"));
}

static void
html_http_charset_wins_over_meta(void **state)
{
    static const char page[] =
        "<html><head><meta charset=\"windows-1251\"></head>"
        "<body><p>na\xefve</p></body></html>";
    (void) state;
    char *t = body_text(page, sizeof(page) - 1, "text/html;charset=\"latin1\"");
    assert_non_null(strstr(t, "na\xc3\xafve"));
}

static void
html_unlabelled_invalid_utf8_is_windows_1252(void **state)
{
    static const char page[] = "<p>d\xe9j\xe0 vu \x96 twice</p>";
    (void) state;
    char *t = body_text(page, sizeof(page) - 1, NULL);
    assert_non_null(strstr(t, "d\xc3\xa9j\xc3\xa0 vu \xe2\x80\x93 twice"));
}

static void
html_refuses_pages_over_the_cap(void **state)
{
    xmlDocPtr doc = NULL;
    struct wn_err err;

    (void) state;
    assert_int_equal(wn_html_parse("x", (size_t) WN_HTML_MAX_BYTES + 1,
                                   "https://a.example/big", NULL, &doc, &err),
                     WN_ETOOBIG);
    assert_null(doc);
    assert_non_null(strstr(err.msg, "https://a.example/big"));
}

static void
html_code_is_left_out_but_json_ld_and_text_stay(void **state)
{
    static const char page[] =
        "<html><head><style>p { color: red } /* <p>css</p> */</style>"
        "<script type=\"application/ld+json\">{\"headline\": \"<b>kept</b>\"}</script>"
        "<script>var s = \"<p>not text</p>\"; if (a < b) {}</script></head>"
        "<body><p title=\"a <script> in an attribute\">First.</p>"
        "<!-- a comment with <script> inside -->"
        "<p>Second.</p><SCRIPT src=x.js></SCRIPT><p>Third.</p>"
        "<script>unterminated <p>gone</p>";
    xmlDocPtr doc = NULL;
    xmlNodePtr head;
    struct wn_buf b;

    (void) state;
    assert_int_equal(wn_html_parse(page, sizeof(page) - 1, NULL, NULL, &doc, NULL), 0);
    wn_buf_init(&b, 4096);
    assert_int_equal(wn_html_node_text(xmlDocGetRootElement(doc), &b), 0);
    assert_string_equal(b.data, "First. Second. Third.");
    wn_buf_free(&b);
    /* The JSON-LD body is still there for plugins. */
    head = xmlDocGetRootElement(doc)->children;
    assert_non_null(head);
    {
        xmlChar *all = xmlNodeGetContent(head);
        assert_non_null(strstr((const char *) all, "\"headline\""));
        assert_null(strstr((const char *) all, "color: red"));
        xmlFree(all);
    }
    xmlFreeDoc(doc);
}

static void
charset_param_reads_quoted_and_bare_values(void **state)
{
    char label[32];

    (void) state;
    assert_true(wn_charset_param("text/html; Charset=\"UTF-8\"", 25, "charset",
                                 label, sizeof(label)));
    assert_string_equal(label, "UTF-8");
    assert_true(wn_charset_param("text/html;charset=latin1;x=y", 28, "charset",
                                 label, sizeof(label)));
    assert_string_equal(label, "latin1");
    assert_true(wn_charset_param("content=\"text/html; charset=koi8-r\"", 36,
                                 "charset", label, sizeof(label)));
    assert_string_equal(label, "koi8-r");
    assert_true(wn_charset_param("<?xml version='1.0' encoding = 'ISO-8859-2'?",
                                 44, "encoding", label, sizeof(label)));
    assert_string_equal(label, "ISO-8859-2");
    assert_false(
        wn_charset_param("text/html", 9, "charset", label, sizeof(label)));
    assert_false(
        wn_charset_param("charset", 7, "charset", label, sizeof(label)));
}

static void
html_quick_words_counts_visible_words_and_keeps_the_tail(void **state)
{
    static const char frag[] =
        "<p class=\"lead-paragraph\">One two&nbsp;three "
        "<a href=\"https://x.example/a-b-c\">four</a></p>"
        "<script>var not = words;</script><style>p{x:y}</style>"
        "<p>caf\xc3\xa9 five\n\n Read   MORE</p>";
    char tail[16];

    (void) state;
    assert_int_equal(
        wn_html_quick_words(frag, sizeof(frag) - 1, tail, sizeof(tail)), 8);
    assert_string_equal(tail, "five read more");
    assert_int_equal(wn_html_quick_words("", 0, tail, sizeof(tail)), 0);
    assert_string_equal(tail, "");
}

static void
charset_table_maps_every_byte(void **state)
{
    struct wn_buf b;
    char all[256];

    (void) state;
    for (int i = 0; i < 256; i++) {
        all[i] = (char) i;
    }
    wn_buf_init(&b, 4096);
    assert_int_equal(wn_charset_cp1252_to_utf8(all, sizeof(all), &b), 0);
    assert_true(b.len > 256);
    assert_true(wn_charset_is_cp1252("ISO-8859-1"));
    assert_true(wn_charset_is_cp1252("us-ascii"));
    assert_false(wn_charset_is_cp1252("iso-8859-2"));
    wn_buf_free(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            html_latin1_label_means_windows_1252_and_every_byte_decodes),
        cmocka_unit_test(html_valid_utf8_wins_over_a_latin1_label),
        cmocka_unit_test(html_legacy_charsets_from_meta_are_converted),
        cmocka_unit_test(html_http_charset_wins_over_meta),
        cmocka_unit_test(html_unlabelled_invalid_utf8_is_windows_1252),
        cmocka_unit_test(html_refuses_pages_over_the_cap),
        cmocka_unit_test(
            html_quick_words_counts_visible_words_and_keeps_the_tail),
        cmocka_unit_test(html_code_is_left_out_but_json_ld_and_text_stay),
        cmocka_unit_test(charset_param_reads_quoted_and_bare_values),
        cmocka_unit_test(charset_table_maps_every_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
