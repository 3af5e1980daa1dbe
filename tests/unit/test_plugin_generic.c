/*
 * test_plugin_generic.c: the generic cleaner, loaded from its built shared
 * object and run through wn_extract() on small pages written for these
 * tests: the main-content choice, each named filter, the switches that turn
 * a filter off, metadata, text mode and concurrent use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include <winnow/error.h>

#include "wn_err.h"
#include "wn_extract.h"
#include "wn_html.h"
#include "wn_plugin.h"

#define GENERIC_SO WN_PLUGIN_BUILD_DIR "/wn_generic.so"
#define URL        "https://news.example.org/2021/03/harbour-reopens"

/* Paragraphs long enough to read as article text. */
#define P1                                                                     \
    "The harbour authority said on Tuesday that ferry services between the "   \
    "two islands would resume next week, after storms damaged the main pier "  \
    "and forced the port to close for nearly a month."
#define P2                                                                     \
    "Engineers worked through the weekend to replace the broken pilings, "     \
    "and the first inspection found the new structure sound, according to "    \
    "the regional transport office."
#define P3                                                                     \
    "Fishermen, who had moored their boats in a neighbouring bay, welcomed "   \
    "the news but warned that the delay had cost them most of the winter "     \
    "season and several thousand euros each."
#define P4                                                                     \
    "The mayor promised a compensation fund and said the council would vote "  \
    "on it before the end of the month, once the insurers had finished "       \
    "their own assessment of the damage."

static struct wn_plugin_inst *generic;

/* ---- helpers ---- */

/* Loads an instance; with `key`, its [plugin:generic] section sets it. */
static struct wn_plugin_inst *
open_generic(const char *key, const char *value)
{
    char k[64], v[64], name[] = "generic";
    struct wn_conf_kv kv = { k, v, 1 };
    struct wn_conf_plugin section = { name, 1, &kv, 1 };
    struct wn_plugin_inst *inst = NULL;
    struct wn_err err;
    int rc;

    if (key != NULL) {
        snprintf(k, sizeof(k), "%s", key);
        snprintf(v, sizeof(v), "%s", value);
    }
    memset(&err, 0, sizeof(err));
    rc = wn_plugin_open(GENERIC_SO, "(test)", key != NULL ? &section : NULL, &inst, &err);
    if (rc != 0) {
        fail_msg("cannot load %s: %s", GENERIC_SO, err.msg);
    }
    return inst;
}

static struct wn_article *
clean_with(struct wn_plugin_inst *inst, const char *data, unsigned flags)
{
    struct wn_plugins ps;
    struct wn_extract_in in;
    struct wn_article *a = NULL;
    struct wn_err err;

    memset(&ps, 0, sizeof(ps));
    ps.v = &inst;
    ps.n = 1;
    ps.generic = inst;
    memset(&in, 0, sizeof(in));
    in.data = data;
    in.len = strlen(data);
    in.url = URL;
    in.flags = flags | WN_EXTRACT_EXPLAIN;
    wn_err_clear(&err);
    assert_int_equal(wn_extract(&ps, &in, &a, &err), 0);
    assert_non_null(a);
    return a;
}

static struct wn_article *
clean(const char *html)
{
    return clean_with(generic, html, 0);
}

/* Is `para` one whole paragraph of the stored text? */
static int
has_para(const struct wn_article *a, const char *para)
{
    const char *p = a->text;
    size_t n = strlen(para);

    while ((p = strstr(p, para)) != NULL) {
        if ((p == a->text || (p[-1] == '\n' && p[-2] == '\n'))
            && (p[n] == '\0' || (p[n] == '\n' && p[n + 1] == '\n')))
        {
            return 1;
        }
        p++;
    }
    return 0;
}

static int
has_text(const struct wn_article *a, const char *s)
{
    return strstr(a->text, s) != NULL;
}

/* Was something containing `excerpt` removed under `reason`? */
static int
removed_as(const struct wn_article *a, const char *reason, const char *excerpt)
{
    for (size_t i = 0; i < a->nremovals; i++) {
        if (strcmp(a->removals[i].reason, reason) == 0
            && strstr(a->removals[i].text, excerpt) != NULL)
        {
            return 1;
        }
    }
    return 0;
}

static void
assert_article(const struct wn_article *a)
{
    assert_true(has_para(a, P1));
    assert_true(has_para(a, P2));
    assert_true(has_para(a, P3));
}

/* A page whose article holds `inside` between P1/P2 and P3/P4. */
static struct wn_article *
page_with(const char *inside)
{
    char html[8192];

    snprintf(html, sizeof(html),
             "<html><head><title>Harbour reopens</title></head><body>"
             "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
             "<article><div class='story-body'>"
             "<p>" P1 "</p><p>" P2 "</p>%s<p>" P3 "</p><p>" P4 "</p>"
             "</div></article>"
             "<footer><p>Contact us</p></footer></body></html>",
             inside);
    return clean(html);
}

/* ---- setup ---- */

static int
setup(void **state)
{
    (void) state;
    wn_html_global_init();
    generic = open_generic(NULL, NULL);
    return generic != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
    (void) state;
    wn_plugin_close(generic);
    return 0;
}

/* ---- main content ---- */

static void
article_chosen_over_navigation_and_sidebar(void **state)
{
    struct wn_article *a;

    (void) state;
    a = clean("<html><body>"
              "<div id='menu'><ul><li><a href='/a'>Politics and the economy "
              "today</a></li><li><a href='/b'>Sport results, scores, "
              "fixtures</a></li></ul></div>"
              "<div class='content'><p>" P1 "</p><p>" P2 "</p><p>" P3
              "</p></div>"
              "<div class='sidebar'><h3>Most read</h3><p>Ten recipes for a "
              "quick dinner, tested by our readers, with pictures.</p></div>"
              "</body></html>");
    assert_article(a);
    assert_false(has_text(a, "Most read"));
    assert_false(has_text(a, "recipes"));
    assert_false(has_text(a, "Politics and the economy"));
    wn_article_free(a);
}

static void
comment_section_not_chosen_as_main(void **state)
{
    struct wn_article *a;
    char html[16384];
    size_t n;

    (void) state;
    n = (size_t) snprintf(
        html, sizeof(html),
        "<html><body><div class='post'><h1>Harbour reopens</h1>"
        "<p>" P1 "</p><p>" P2 "</p><p>" P3 "</p></div>"
        "<div id='comments'><h3>Comments</h3>");
    for (int i = 0; i < 8; i++) {
        n += (size_t) snprintf(
            html + n, sizeof(html) - n,
            "<div class='comment-body'><p>Reader %d wrote: I have taken that "
            "ferry for twenty years, and every winter the pier is a problem, "
            "so I am glad someone finally fixed it, but the council should "
            "have acted years ago, frankly.</p></div>",
            i);
    }
    snprintf(html + n, sizeof(html) - n, "</div></body></html>");
    a = clean(html);
    assert_article(a);
    assert_false(has_text(a, "wrote:"));
    assert_true(removed_as(a, "comments", "Reader 0 wrote"));
    wn_article_free(a);
}

static void
comment_thread_found_by_signatures(void **state)
{
    struct wn_article *a;

    (void) state;
    a = clean("<html><body><div class='main'>"
              "<p>" P1 "</p><p>" P2 "</p><p>" P3 "</p>"
              "<p>Posted by harbourmaster at March 3, 2021 9:01 AM</p>"
              "<p>Great news, we have waited long enough for this pier to be "
              "repaired and reopened to the public.</p>"
              "<p>Posted by: Anna at March 3, 2021 10:12 AM</p>"
              "<p>About time. Now fix the road to the harbour too, please, "
              "it is full of holes after the storms.</p>"
              "<p>Posted by: Ben at March 3, 2021 11:40 AM</p>"
              "</div></body></html>");
    assert_article(a);
    assert_false(has_text(a, "About time"));
    assert_false(has_text(a, "waited long enough"));
    wn_article_free(a);
}

static void
comment_subheading_in_article_kept(void **state)
{
    struct wn_article *a;

    (void) state;
    a = page_with("<h2>Comment</h2><p>The opposition called the delay a "
                  "scandal.</p><h2>Comments</h2>");
    assert_article(a);
    assert_true(has_para(a, "Comment"));
    assert_true(has_para(a, "The opposition called the delay a scandal."));
    assert_true(has_para(a, P4));
    wn_article_free(a);
}

static void
counters_removed_but_numbers_in_tables_kept(void **state)
{
    struct wn_article *a;

    (void) state;
    a = page_with("<p>1,204 views</p><p>53</p><table><tr><td>Trips</td>"
                  "<td>1,204</td></tr><tr><td>Boats</td><td>53</td></tr>"
                  "</table>");
    assert_article(a);
    assert_false(has_text(a, "views"));
    assert_true(has_para(a, "1,204"));
    assert_true(has_para(a, "53"));
    assert_true(removed_as(a, "share", "1,204 views"));
    wn_article_free(a);
}

static void
company_name_subheading_kept(void **state)
{
    struct wn_article *a;

    (void) state;
    a = page_with("<h2>Harbour Ferries Ltd</h2>");
    assert_article(a);
    assert_true(has_para(a, "Harbour Ferries Ltd"));
    wn_article_free(a);
}

static void
post_in_a_widget_wrapper_found(void **state)
{
    struct wn_article *a;

    (void) state;
    a = clean("<html><body><div class='widget Blog' id='Blog1'>"
              "<div class='post hentry'><h3 class='post-title'>Harbour "
              "reopens</h3><div class='post-body entry-content'><p>" P1
              "</p></div></div></div>"
              "<div class='sidebar widget'><div class='content'><p>About me: "
              "I write about boats, islands, harbours and the weather, "
              "mostly, and sometimes about lighthouses.</p></div></div>"
              "</body></html>");
    assert_true(has_para(a, P1));
    assert_false(has_text(a, "About me"));
    wn_article_free(a);
}

static void
main_node_chosen_earlier_is_respected(void **state)
{
    struct wn_arena *arena;
    struct wn_doc doc;
    struct wn_call call;
    struct wn_item item = { .size = sizeof(item), .published = INT64_MIN };
    struct wn_block *b;
    xmlDocPtr xml;
    size_t n;
    const char *html = "<html><body><div id='chosen'><p>" P1 "</p></div>"
                       "<div class='content'><p>" P2 "</p><p>" P3 "</p><p>" P4
                       "</p></div></body></html>";

    (void) state;
    assert_int_equal(wn_arena_create(&arena, 1 << 24), 0);
    assert_int_equal(wn_html_parse(html, strlen(html), URL, NULL, &xml, NULL),
                     0);
    assert_int_equal(wn_doc_init(&doc, xml, URL, 0, arena, 1), 0);
    memset(&call, 0, sizeof(call));
    call.arena = arena;
    call.doc = &doc;
    call.plugin = "earlier";
    assert_int_equal(wn_doc_select_main(&call, &doc, "//div[@id='chosen']"), 0);
    call.plugin = "generic";
    assert_int_equal(generic->desc.process(generic->state, &call, &item, &doc),
                     0);
    assert_int_equal(wn_doc_blocks(&call, &doc, &b, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(b[0].text, P1);
    wn_doc_free(&doc);
    wn_arena_destroy(arena);
}

static void
standfirst_kept_with_the_body(void **state)
{
    struct wn_article *a;
    const char *sf = "Ferries return next week after a month without service "
                     "between the islands.";

    (void) state;
    a = clean("<html><head><meta name='description' content='Ferries return "
              "next week after a month without service between the islands.'>"
              "</head><body><main><header><h1>Harbour reopens</h1>"
              "<p class='intro'>Ferries return next week after a month "
              "without service between the islands.</p></header>"
              "<div class='body'><p>" P1 "</p><p>" P2 "</p><p>" P3 "</p></div>"
              "</main></body></html>");
    assert_article(a);
    assert_true(has_para(a, sf));
    assert_true(strncmp(a->text, sf, strlen(sf)) == 0);
    wn_article_free(a);
}

static void
subheading_kept(void **state)
{
    struct wn_article *a;

    (void) state;
    a = page_with("<h2>Compensation for fishermen</h2>");
    assert_article(a);
    assert_true(has_para(a, "Compensation for fishermen"));
    assert_true(strstr(a->text, "Compensation") < strstr(a->text, P3));
    wn_article_free(a);
}

static void
title_not_repeated_as_first_paragraph(void **state)
{
    struct wn_article *a;

    (void) state;
    a = clean("<html><head><title>Harbour reopens after storm | Example "
              "News</title><meta property='og:title' content='Harbour "
              "reopens after storm'></head><body><article>"
              "<h1>Harbour reopens after storm</h1><p>" P1 "</p><p>" P2
              "</p><p>" P3 "</p></article></body></html>");
    assert_article(a);
    assert_string_equal(a->meta[WN_META_TITLE], "Harbour reopens after storm");
    assert_false(has_text(a, "reopens after storm"));
    assert_true(removed_as(a, "title", "Harbour reopens after storm"));
    wn_article_free(a);
}

static void
metadata_read_from_json_ld_and_meta(void **state)
{
    struct wn_article *a;

    (void) state;
    a = clean("<html lang='en-GB'><head>"
              "<meta property='og:site_name' content='Example News'>"
              "<meta name='keywords' content='harbour, ferries'>"
              "<link rel='canonical' href='/2021/03/harbour-reopens'>"
              "<script type='application/ld+json'>{\"@context\":"
              "\"https://schema.org\",\"@graph\":[{\"@type\":\"WebPage\"},"
              "{\"@type\":\"NewsArticle\",\"headline\":\"Harbour reopens\","
              "\"datePublished\":\"2021-03-02T10:15:00+01:00\","
              "\"dateModified\":\"2021-03-02T12:00:00+01:00\",\"author\":"
              "[{\"@type\":\"Person\",\"name\":\"Jane Roe\"}]}]}</script>"
              "</head><body><article><p>" P1 "</p><p>" P2 "</p><p>" P3
              "</p></article></body></html>");
    assert_string_equal(a->meta[WN_META_TITLE], "Harbour reopens");
    assert_string_equal(a->meta[WN_META_PUBLISHED], "2021-03-02T09:15:00Z");
    assert_string_equal(a->meta[WN_META_UPDATED], "2021-03-02T11:00:00Z");
    assert_string_equal(a->meta[WN_META_AUTHOR], "Jane Roe");
    assert_string_equal(a->meta[WN_META_SITE], "Example News");
    assert_string_equal(a->meta[WN_META_LANG], "en-GB");
    assert_string_equal(a->meta[WN_META_CANONICAL],
                        "https://news.example.org/2021/03/harbour-reopens");
    assert_int_equal(a->ntags, 2);
    assert_string_equal(a->tags[0], "harbour");
    wn_article_free(a);
}

/* ---- named filters ---- */

static void
caption_credit_in_brackets_removed(void **state)
{
    struct wn_article *a;

    (void) state;
    a = page_with("<p>A crane lifts a new piling into place at the pier "
                  "[File: Jane Roe/Reuters]</p>");
    assert_article(a);
    assert_false(has_text(a, "crane lifts"));
    assert_true(removed_as(a, "captions", "[File: Jane Roe/Reuters]"));
    wn_article_free(a);
}

static void
caption_credit_in_parentheses_removed(void **state)
{
    struct wn_article *a;

    (void) state;
    a = page_with("<p>Boats wait in the neighbouring bay on March 1, 2021. "
                  "(John Doe/Getty Images)</p>");
    assert_article(a);
    assert_false(has_text(a, "Boats wait"));
    wn_article_free(a);
}

static void
figure_and_caption_lead_removed(void **state)
{
    struct wn_article *a;

    (void) state;
    a = page_with("<figure><img src='pier.jpg' alt='pier'><figcaption>The "
                  "repaired pier, seen from the ferry</figcaption></figure>"
                  "<p>cranes working on the pier at dusk</p>"
                  "<p>Workers on the pier on Sunday. (Jane Roe/AFP)</p>");
    assert_article(a);
    assert_false(has_text(a, "seen from the ferry"));
    assert_false(has_text(a, "cranes working"));
    assert_false(has_text(a, "Workers on the pier"));
    wn_article_free(a);
}

static void
wire_photo_credit_and_file_name_removed(void **state)
{
    struct wn_article *a;

    (void) state;
    a = page_with("<div class='media'><div>Harbour_pier repairs (2)</div>"
                  "<div>EPA/ JANE ROE - A ferry leaves the port for the "
                  "first time in a month</div></div>");
    assert_article(a);
    assert_false(has_text(a, "Harbour_pier"));
    assert_false(has_text(a, "A ferry leaves"));
    assert_true(removed_as(a, "captions", "EPA/ JANE ROE"));
    wn_article_free(a);
}

static void
filter_can_be_switched_off(void **state)
{
    struct wn_plugin_inst *off;
    struct wn_article *a;
    const char *html = "<html><body><article><p>" P1 "</p><p>" P2 "</p>"
                       "<p>A crane lifts a new piling [File: Jane Roe/Reuters]"
                       "</p><p>" P3 "</p></article></body></html>";

    (void) state;
    off = open_generic("filter_captions", "no");
    a = clean_with(off, html, 0);
    assert_true(
        has_para(a, "A crane lifts a new piling [File: Jane Roe/Reuters]"));
    assert_false(removed_as(a, "captions", "Jane Roe"));
    wn_article_free(a);
    wn_plugin_close(off);

    a = clean(html);
    assert_false(has_text(a, "A crane lifts"));
    wn_article_free(a);
}

static void
teaser_echo_with_ellipsis_removed(void **state)
{
    struct wn_article *a;

    (void) state;
    a = page_with("<p>The harbour authority said on Tuesday that ferry "
                  "services between the two islands would resume next week, "
                  "after storms damaged the main pier and forced the port to "
                  "close for nearly a month. Engineers worked through the "
                  "week...</p>");
    assert_article(a);
    assert_false(has_text(a, "week..."));
    assert_true(removed_as(a, "repeats", "The harbour authority said"));
    wn_article_free(a);
}

static void
paragraph_ending_in_ellipsis_kept_when_not_a_repeat(void **state)
{
    struct wn_article *a;
    const char *p = "“We have waited and waited, and still the pier is not "
                    "finished, and nobody can tell us when it will be…”";

    (void) state;
    a = page_with("<p>“We have waited and waited, and still the pier is not "
                  "finished, and nobody can tell us when it will be…”</p>");
    assert_article(a);
    assert_true(has_para(a, p));
    wn_article_free(a);
}

static void
repeated_block_removed(void **state)
{
    struct wn_article *a;

    (void) state;
    a = page_with("<p>" P1 "</p>");
    assert_article(a);
    assert_null(strstr(strstr(a->text, P1) + 1, P1));
    assert_true(removed_as(a, "repeats", "The harbour authority"));
    wn_article_free(a);
}

static void
pull_quote_inside_a_paragraph_removed(void **state)
{
    struct wn_article *a;

    (void) state;
    a = page_with("<blockquote class='pullquote'>after storms damaged the main "
                  "pier and forced the port to close</blockquote>");
    assert_article(a);
    assert_true(removed_as(a, "repeats", "after storms damaged"));
    wn_article_free(a);
}

/*
 * A block of eight marks and nothing else counts eight words but has an
 * empty key: it is inside no other block.  The containment search once
 * looked for the empty key past the end of the other keys (an
 * out-of-bounds read the sanitizer build reports).
 */
static void
block_without_letters_is_not_a_repeat(void **state)
{
    struct wn_article *a;

    (void) state;
    a = page_with("<p>' ' ' ' ' ' ' ' '</p>");
    assert_article(a);
    assert_true(has_para(a, "' ' ' ' ' ' ' ' '"));
    assert_false(removed_as(a, "repeats", "' ' '"));
    wn_article_free(a);
}

static void
bylines_and_datelines_removed(void **state)
{
    struct wn_article *a;

    (void) state;
    a = clean("<html><body><article><p>By Jane Roe</p>"
              "<p>Tuesday, 2 March 2021 10:15 AM CET</p>"
              "<p>Published: March 2, 2021 | Updated: March 3, 2021</p>"
              "<p>" P1 "</p><p>" P2 "</p><p>By Monday, the first ferry had "
              "already left.</p><p>" P3 "</p><p>Jane Roe / AFP</p>"
              "</article></body></html>");
    assert_article(a);
    assert_true(has_para(a, "By Monday, the first ferry had already left."));
    assert_false(has_text(a, "By Jane Roe"));
    assert_false(has_text(a, "10:15"));
    assert_false(has_text(a, "Updated"));
    assert_false(has_text(a, "Jane Roe / AFP"));
    assert_true(removed_as(a, "bylines", "By Jane Roe"));
    assert_true(removed_as(a, "datelines", "2 March 2021"));
    /* What they said is kept as metadata: CET is UTC+1. */
    assert_string_equal(a->meta[WN_META_AUTHOR], "Jane Roe");
    assert_string_equal(a->meta[WN_META_PUBLISHED], "2021-03-02T09:15:00Z");
    wn_article_free(a);
}

/* A page flattened whole: its menus and footer link lists are runs of short
 * lines around the article, and go as chrome; a subheading inside the
 * article stays. */
static void
text_page_frame_removed_around_the_article(void **state)
{
    struct wn_article *a;

    (void) state;
    a = clean_with(generic,
                   "Home\nNews\nSport\nWeather\nContact us\n"
                   P1 "\n" P2 "\nWhat happens next\n" P3 "\n" P4 "\n"
                   "More stories\nPrivacy\nTerms of use\nSite map\n",
                   WN_EXTRACT_TEXT);
    assert_false(has_text(a, "Weather"));
    assert_false(has_text(a, "Site map"));
    assert_true(removed_as(a, "chrome", "Weather"));
    assert_true(has_para(a, "What happens next"));
    assert_true(has_para(a, P1));
    assert_true(has_para(a, P4));
    wn_article_free(a);
    /* Short lines only (a list): nothing to frame, nothing removed. */
    a = clean_with(generic, "Eggs\nFlour\nMilk\nButter\nSugar\nSalt\n",
                   WN_EXTRACT_TEXT);
    assert_true(has_para(a, "Eggs"));
    assert_true(has_para(a, "Salt"));
    wn_article_free(a);
}

/* A dateline's time in UTC: zones by name and offset, 12-hour clocks, and
 * a line with a zone preferred to an earlier one without. */
static void
dateline_times_read_as_utc(void **state)
{
    static const struct {
        const char *line, *want;
    } cases[] = {
        { "Wednesday, 24 February 2021 07:27 AM EST", "2021-02-24T12:27:00Z" },
        { "Published: March 3, 2021 at 5:12 p.m. PDT", "2021-03-04T00:12:00Z" },
        { "2021-02-24 23:50 GMT+3", "2021-02-24T20:50:00Z" },
        { "Updated 14:05 UTC, 1st June 2020", "2020-06-01T14:05:00Z" },
        { "24.02.2021 | 18:30 CET", "2021-02-24T17:30:00Z" },
    };
    char page[2048];

    (void) state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct wn_article *a;
        snprintf(page, sizeof(page), "%s\n%s\n%s\n%s\n", cases[i].line, P1, P2,
                 P3);
        a = clean_with(generic, page, WN_EXTRACT_TEXT);
        assert_non_null(a->meta[WN_META_PUBLISHED]);
        assert_string_equal(a->meta[WN_META_PUBLISHED], cases[i].want);
        assert_false(has_text(a, cases[i].line));
        wn_article_free(a);
    }
    /* A zone-less line first, a zoned one later: the zoned one wins. */
    snprintf(page, sizeof(page),
             "Monday, 1 March 2021 09:00\n%s\n%s\n"
             "Monday, 1 March 2021 09:00 EST\n%s\n",
             P1, P2, P3);
    {
        struct wn_article *a = clean_with(generic, page, WN_EXTRACT_TEXT);
        assert_string_equal(a->meta[WN_META_PUBLISHED], "2021-03-01T14:00:00Z");
        wn_article_free(a);
    }
}

static void
share_newsletter_and_app_prompts_removed(void **state)
{
    struct wn_article *a;

    (void) state;
    a = page_with("<p>Share this article</p>"
                  "<p>Facebook Twitter Email</p>"
                  "<p>Sign up for our Morning Briefing newsletter</p>"
                  "<p>Get the best stories sent straight to your inbox.</p>"
                  "<p>Read us on the go: FREE - On the App Store</p>");
    assert_article(a);
    assert_false(has_text(a, "Share this"));
    assert_false(has_text(a, "Facebook"));
    assert_false(has_text(a, "newsletter"));
    assert_false(has_text(a, "inbox"));
    assert_false(has_text(a, "App Store"));
    assert_true(removed_as(a, "share", "Share this article"));
    assert_true(removed_as(a, "newsletters", "Morning Briefing"));
    assert_true(removed_as(a, "app_banners", "App Store"));
    wn_article_free(a);
}

/* Paywall prompts and article tools; a sentence that mentions subscribers
 * stays. */
static void
paywall_prompts_and_article_tools_removed(void **state)
{
    struct wn_article *a;

    (void) state;
    a = page_with("<p>Subscribe now to get unlimited access</p>"
                  "<p>Click here to subscribe</p>"
                  "<p>Already a subscriber? Log in</p>"
                  "<p>Listen to this article</p>"
                  "<p>Save this story for later</p>"
                  "<p>The paper said its subscribers had doubled since the "
                  "flood coverage began, and that it would hire two more "
                  "reporters for the river towns.</p>");
    assert_article(a);
    assert_false(has_text(a, "unlimited access"));
    assert_false(has_text(a, "Click here"));
    assert_false(has_text(a, "Already a subscriber"));
    assert_false(has_text(a, "Listen to"));
    assert_false(has_text(a, "Save this"));
    assert_true(has_text(a, "its subscribers had doubled"));
    assert_true(removed_as(a, "newsletters", "unlimited access"));
    assert_true(removed_as(a, "share", "Listen to this article"));
    wn_article_free(a);
}

static void
consent_and_comment_prompts_removed(void **state)
{
    struct wn_article *a;

    (void) state;
    a = page_with("<p>This website uses cookies to improve your experience. "
                  "By continuing to browse you agree to our cookie policy.</p>"
                  "<p>Be the first to comment on this story</p>"
                  "<p>Please read our community guidelines before posting a "
                  "comment.</p>");
    assert_article(a);
    assert_false(has_text(a, "cookies"));
    assert_false(has_text(a, "comment"));
    assert_true(removed_as(a, "consent", "uses cookies"));
    assert_true(removed_as(a, "comments", "guidelines"));
    wn_article_free(a);
}

static void
tags_copyright_and_source_lines_removed(void **state)
{
    struct wn_article *a;

    (void) state;
    a = clean("<html><head><meta name='keywords' content='harbour, ferries, "
              "storms'></head><body><article><p>" P1 "</p><p>" P2 "</p><p>" P3
              "</p><p>Source: News Agencies</p><p>Tags: harbour | ferries</p>"
              "<p>harbour, ferries, storms</p><p>© Example News 2021</p>"
              "<p>All Rights Reserved</p></article></body></html>");
    assert_article(a);
    assert_false(has_text(a, "Source:"));
    assert_false(has_text(a, "Tags:"));
    assert_false(has_text(a, "ferries, storms"));
    assert_false(has_text(a, "©"));
    assert_false(has_text(a, "Reserved"));
    assert_true(removed_as(a, "sources", "News Agencies"));
    assert_true(removed_as(a, "tags", "harbour, ferries, storms"));
    assert_true(removed_as(a, "copyright", "All Rights Reserved"));
    wn_article_free(a);
}

static void
related_list_in_article_removed(void **state)
{
    struct wn_article *a;

    (void) state;
    a = page_with("<div class='box'><h3>Related stories</h3><ul>"
                  "<li><a href='/1'>Storm closes the port</a></li>"
                  "<li><a href='/2'>Pier damage worse than feared</a></li>"
                  "<li><a href='/3'>Islanders cut off for a month</a></li>"
                  "</ul></div><p>Advertisement</p>");
    assert_article(a);
    assert_false(has_text(a, "Storm closes"));
    assert_false(has_text(a, "Related stories"));
    assert_false(has_text(a, "Advertisement"));
    assert_true(removed_as(a, "ads", "Advertisement"));
    wn_article_free(a);
}

static void
hidden_and_hinted_containers_removed(void **state)
{
    struct wn_article *a;

    (void) state;
    a = page_with("<div style='display: none'>Loading the interactive map "
                  "of the harbour, please wait</div>"
                  "<div class='author-bio'>Jane Roe covers transport and the "
                  "islands. She joined the paper in 2015.</div>");
    assert_article(a);
    assert_false(has_text(a, "interactive map"));
    assert_false(has_text(a, "Jane Roe covers"));
    assert_true(removed_as(a, "bylines", "Jane Roe covers"));
    wn_article_free(a);
}

static void
trailer_after_article_end_removed(void **state)
{
    struct wn_article *a;

    (void) state;
    a = clean_with(generic,
                   P1 "\n" P2 "\n" P3 "\n"
                      "Jane Roe / Reuters\n"
                      "“Ferries are coming back,” one said …\n"
                      "“Coffee lover. Harbour fan. Web nerd.”\n",
                   WN_EXTRACT_TEXT);
    assert_article(a);
    assert_false(has_text(a, "Jane Roe"));
    assert_false(has_text(a, "one said"));
    assert_false(has_text(a, "Coffee lover"));
    assert_true(removed_as(a, "trailer", "one said"));
    wn_article_free(a);
}

static void
feed_content_is_filtered_not_rescored(void **state)
{
    struct wn_article *a;

    (void) state;
    a = clean_with(generic,
                   "<p>Good news for islanders.</p><div><p>" P1 "</p><p>" P2
                   "</p><p>" P3 "</p></div><p>Share this article</p>",
                   WN_EXTRACT_FEED_CONTENT);
    assert_article(a);
    assert_true(has_para(a, "Good news for islanders."));
    assert_false(has_text(a, "Share this"));
    wn_article_free(a);
}

static void
short_post_without_paragraphs_kept(void **state)
{
    struct wn_article *a;

    (void) state;
    a = clean_with(generic,
                   "Related stories\nJane Roe / AFP\nThe pier is open.\n"
                   "Ferries run again.\nCome and see.\n",
                   WN_EXTRACT_TEXT);
    assert_true(has_para(a, "The pier is open."));
    assert_true(has_para(a, "Ferries run again."));
    assert_true(has_para(a, "Come and see."));
    wn_article_free(a);
}

static void
taxonomy_classes_do_not_remove_the_post(void **state)
{
    struct wn_article *a;

    (void) state;
    a = clean("<html><body><div class='post-12 post type-post hentry "
              "category-news tag-harbour tag-ferries author-jane'>"
              "<div class='entry-category-twitter entry-author-jane entry'>"
              "<p>" P1 "</p></div></div><div id='sidebar'><p>Archive: March "
              "2021, February 2021, January 2021, December 2020</p></div>"
              "</body></html>");
    assert_true(has_para(a, P1));
    assert_false(has_text(a, "Archive"));
    wn_article_free(a);
}

static void
text_mode_headline_becomes_title(void **state)
{
    struct wn_article *a;

    (void) state;
    a = clean_with(generic,
                   "Harbour reopens after a month\n" P1 "\n" P2 "\n" P3 "\n",
                   WN_EXTRACT_TEXT);
    assert_article(a);
    assert_false(has_text(a, "reopens after"));
    assert_string_equal(a->meta[WN_META_TITLE],
                        "Harbour reopens after a month");
    assert_int_equal(a->paragraphs, 3);
    wn_article_free(a);
}

static void
text_mode_keeps_a_standfirst_without_full_stop(void **state)
{
    struct wn_article *a;

    (void) state;
    a = clean_with(generic,
                   "Harbour reopens after a month\n"
                   "Ferries return next week after storms closed the port\n" P1
                   "\n" P2 "\n" P3 "\n",
                   WN_EXTRACT_TEXT);
    assert_article(a);
    assert_true(
        has_para(a, "Ferries return next week after storms closed the port"));
    wn_article_free(a);
}

/* ---- threads ---- */

#define THREADS 4
#define ROUNDS  25

struct worker {
    const char *expect;
    int failures;
};

static const char thread_page[] =
    "<html><head><meta property='og:title' content='Harbour reopens'>"
    "</head><body><nav><a href='/'>Home</a></nav><article>"
    "<h1>Harbour reopens</h1><p>By Jane Roe</p><p>" P1 "</p><p>" P2 "</p>"
    "<p>A crane lifts a piling [File: Jane Roe/Reuters]</p><p>" P3 "</p>"
    "<p>© Example News 2021</p></article></body></html>";

static void
worker_run(void *arg)
{
    struct worker *w = arg;

    for (int i = 0; i < ROUNDS; i++) {
        struct wn_plugins ps;
        struct wn_extract_in in;
        struct wn_article *a = NULL;
        struct wn_err err;

        memset(&ps, 0, sizeof(ps));
        ps.v = &generic;
        ps.n = 1;
        ps.generic = generic;
        memset(&in, 0, sizeof(in));
        in.data = thread_page;
        in.len = sizeof(thread_page) - 1;
        in.url = URL;
        if (wn_extract(&ps, &in, &a, &err) != 0
            || strcmp(a->text, w->expect) != 0) {
            w->failures++;
        }
        wn_article_free(a);
    }
}

static void
process_is_safe_on_several_threads(void **state)
{
    struct wn_article *a;
    struct worker w[THREADS];
    uv_thread_t t[THREADS];

    (void) state;
    a = clean(thread_page);
    assert_string_equal(a->text, P1 "\n\n" P2 "\n\n" P3);
    for (int i = 0; i < THREADS; i++) {
        w[i].expect = a->text;
        w[i].failures = 0;
        assert_int_equal(uv_thread_create(&t[i], worker_run, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(uv_thread_join(&t[i]), 0);
        assert_int_equal(w[i].failures, 0);
    }
    wn_article_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(article_chosen_over_navigation_and_sidebar),
        cmocka_unit_test(comment_section_not_chosen_as_main),
        cmocka_unit_test(comment_thread_found_by_signatures),
        cmocka_unit_test(comment_subheading_in_article_kept),
        cmocka_unit_test(counters_removed_but_numbers_in_tables_kept),
        cmocka_unit_test(company_name_subheading_kept),
        cmocka_unit_test(post_in_a_widget_wrapper_found),
        cmocka_unit_test(main_node_chosen_earlier_is_respected),
        cmocka_unit_test(standfirst_kept_with_the_body),
        cmocka_unit_test(subheading_kept),
        cmocka_unit_test(title_not_repeated_as_first_paragraph),
        cmocka_unit_test(metadata_read_from_json_ld_and_meta),
        cmocka_unit_test(caption_credit_in_brackets_removed),
        cmocka_unit_test(caption_credit_in_parentheses_removed),
        cmocka_unit_test(figure_and_caption_lead_removed),
        cmocka_unit_test(wire_photo_credit_and_file_name_removed),
        cmocka_unit_test(filter_can_be_switched_off),
        cmocka_unit_test(teaser_echo_with_ellipsis_removed),
        cmocka_unit_test(paragraph_ending_in_ellipsis_kept_when_not_a_repeat),
        cmocka_unit_test(repeated_block_removed),
        cmocka_unit_test(pull_quote_inside_a_paragraph_removed),
        cmocka_unit_test(block_without_letters_is_not_a_repeat),
        cmocka_unit_test(bylines_and_datelines_removed),
        cmocka_unit_test(dateline_times_read_as_utc),
        cmocka_unit_test(text_page_frame_removed_around_the_article),
        cmocka_unit_test(share_newsletter_and_app_prompts_removed),
        cmocka_unit_test(paywall_prompts_and_article_tools_removed),
        cmocka_unit_test(consent_and_comment_prompts_removed),
        cmocka_unit_test(tags_copyright_and_source_lines_removed),
        cmocka_unit_test(related_list_in_article_removed),
        cmocka_unit_test(hidden_and_hinted_containers_removed),
        cmocka_unit_test(trailer_after_article_end_removed),
        cmocka_unit_test(feed_content_is_filtered_not_rescored),
        cmocka_unit_test(short_post_without_paragraphs_kept),
        cmocka_unit_test(taxonomy_classes_do_not_remove_the_post),
        cmocka_unit_test(text_mode_headline_becomes_title),
        cmocka_unit_test(text_mode_keeps_a_standfirst_without_full_stop),
        cmocka_unit_test(process_is_safe_on_several_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
