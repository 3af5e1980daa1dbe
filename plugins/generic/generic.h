/*
 * generic.h: what the files of the generic cleaner share: its filters and
 * their names, the state built once by init(), the per-call run context,
 * and the entry points of each file.  Nothing here is exported from the
 * shared object; only the descriptor in generic.c is.
 *
 * The cleaner works in four steps, one file each:
 *
 *     generic_meta.c     metadata from <head>, JSON-LD and microdata
 *     generic_chrome.c   page chrome removed before scoring (HTML only)
 *     generic_main.c     the main content chosen by scoring
 *     generic_filter.c   boilerplate filters over the blocks of the main
 *                        content, by markup context and by text
 *
 * helped by generic_hint.c (class and id words), generic_tree.c (element
 * statistics) and generic_pattern.c (the compiled text patterns).
 */
#ifndef GENERIC_H
#define GENERIC_H

#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <winnow/winnow.h>

/*
 * The named filters.  Each one is switched by the directive
 * "filter_<name>" and records its removals under "<name>".
 */
enum generic_filter {
    GENERIC_F_CHROME = 0, /* nav, header, footer, aside, forms, hidden */
    GENERIC_F_CONSENT,    /* cookie and consent notices */
    GENERIC_F_APP_BANNERS,
    GENERIC_F_NEWSLETTERS, /* newsletter and subscription prompts */
    GENERIC_F_SHARE,       /* share bars, follow-us lines */
    GENERIC_F_COMMENTS,    /* comment sections and prompts */
    GENERIC_F_CAPTIONS,    /* figures, captions, photo credits, file names */
    GENERIC_F_BYLINES,     /* bylines and author bios */
    GENERIC_F_TAGS,        /* tag and topic lists */
    GENERIC_F_DATELINES,   /* date-only lines, reading times */
    GENERIC_F_COPYRIGHT,   /* copyright, trademark and imprint lines */
    GENERIC_F_SOURCES,     /* "Source: ..." and "originally published" */
    GENERIC_F_REPEATS,     /* repeated blocks and truncated teaser echoes */
    GENERIC_F_RELATED,     /* related-story lists, link lists, read-more */
    GENERIC_F_ADS,         /* ad slots and "Advertisement" labels */
    GENERIC_F_TITLE,       /* the headline repeated in the body */
    GENERIC_F_TRAILER,     /* short leftovers after the article's end */
    GENERIC_F_COUNT
};

/* Filter names: the removal reason and the directive's suffix. */
extern const char *const generic_filter_names[GENERIC_F_COUNT];

/* Class and id hint kinds: bit (1u << enum generic_filter). */
#define GENERIC_KIND(f) (1u << (f))

/* Limits. */
#define GENERIC_ELEMENTS_MAX      200000u /* elements scored per page */
#define GENERIC_BLOCK_WORDS_SHORT 25  /* words below which a block is short */
#define GENERIC_TAGS_MAX          64  /* known tags kept for tag-list lines */
#define GENERIC_HINT_MAX          512 /* bytes of class + id looked at */
#define GENERIC_MATCH_LIMIT       200000u /* PCRE2 backtracking steps per match */
#define GENERIC_PRUNE_MAX         256     /* non-content children queued */

/* A compiled text pattern (generic_pattern.c). */
struct generic_pattern {
    int filter;         /* enum generic_filter */
    unsigned max_words; /* only blocks with at most this many words */
    int tail;           /* only after the article's last long paragraph */
    int section;        /* a heading: the section it opens goes too */
    int headed;         /* section only when it is a heading element */
    int prose;          /* not in table cells or list items */
    pcre2_code *re;
    pcre2_code *need; /* text every match of re contains, or NULL */
};

/* Class words filed by first character (a-z, 0-9): generic_hint.c. */
#define GENERIC_HINT_LETTERS    36
#define GENERIC_HINT_BUCKET_MAX 32 /* table words sharing a first character */

struct generic_hint_slot {
    uint8_t entry; /* index in the word table */
    uint8_t len;   /* strlen() of the word */
};

struct generic_hint_index {
    uint8_t n[GENERIC_HINT_LETTERS];
    struct generic_hint_slot slot[GENERIC_HINT_LETTERS]
                                 [GENERIC_HINT_BUCKET_MAX];
};

/* The plugin's state: built by init(), read-only afterwards. */
struct generic_state {
    const struct wn_host *host;
    int on[GENERIC_F_COUNT];              /* filter switches */
    struct generic_hint_index hint_words; /* class words */
    struct generic_hint_index hint_parts; /* the words of class word pairs */
    struct generic_pattern *patterns;
    size_t npatterns;
    pcre2_code *re_sig_cue;  /* "Posted by", "says:" */
    pcre2_code *re_sig_when; /* a date or time anywhere */
};

/* What an element's class, id, role, itemprop and rel say about it. */
struct generic_hint {
    int weight;     /* Readability-style: +25 content, -25 boilerplate */
    unsigned kinds; /* GENERIC_KIND() of the boilerplate kinds named */
    int content;    /* a class name of content words only ("text") */
    int strong;     /* ... that names an article ("hentry", "post-body") */
    int body;       /* itemprop=articleBody */
};

/* Statistics of one element of a subtree (generic_tree_build()). */
struct generic_el {
    xmlNodePtr node;
    int parent; /* index in the tree, -1 for the root */
    unsigned depth;
    /* The element's own: its text children, what it is. */
    uint32_t own_chars, own_commas, own_words;
    unsigned own_marks;       /* GENERIC_EL_* of the element itself */
    struct generic_hint hint; /* of the element itself */
    unsigned link : 1;        /* an <a> */
    unsigned block : 1;       /* a block element */
    unsigned heading : 1;     /* h1..h6 */
    unsigned removed : 1; /* removed since the build: generic_tree_prune() */
    /* Of the subtree, by generic_tree_sum(). */
    unsigned in_link : 1;   /* inside an <a> of the tree, or one */
    unsigned has_block : 1; /* a block element below */
    unsigned leaf : 1;      /* a block element with no block below */
    unsigned scored : 1;    /* has a content score (generic_main.c) */
    uint32_t chars;         /* visible characters below, white space folded */
    uint32_t link_chars;    /* of which inside <a> */
    uint32_t commas;
    uint32_t words;
    uint32_t paras;      /* leaves below with >= 25 words, few links */
    uint32_t para_chars; /* their characters */
    uint32_t links;      /* <a> elements below */
    unsigned marks;      /* GENERIC_EL_* of the subtree */
    double score;
};

/* generic_el.marks: what a subtree contains. */
#define GENERIC_EL_H1      0x1u /* an <h1> */
#define GENERIC_EL_BODY    0x2u /* an itemprop=articleBody element */
#define GENERIC_EL_CONTENT 0x4u /* an element classed as an article */

/* Elements this deep below the root are counted but not descended into. */
#define GENERIC_TREE_DEPTH_MAX 512

/* The elements of a subtree in document order (pre-order). */
struct generic_tree {
    struct generic_el *v; /* malloc'd; v[0] is the root */
    size_t n, cap;
    int cut; /* an element at GENERIC_TREE_DEPTH_MAX had children */
};

/*
 * Per-call context, on process()'s stack; one thread.  Strings it points to
 * are the call's arena memory or the document's tree, and live until the
 * document is stored.
 */
struct generic_run {
    const struct generic_state *st;
    const struct wn_host *h;
    struct wn_call *call;
    struct wn_doc *doc;
    xmlDocPtr xml;
    unsigned doc_flags;
    pcre2_match_data *md; /* per call: match data is not shareable */
    pcre2_match_context *mc;
    const char *title;                  /* the headline as found, or NULL */
    const char *description;            /* og/meta description, or NULL */
    const char *ld_body;                /* JSON-LD articleBody, or NULL */
    const char *tags[GENERIC_TAGS_MAX]; /* known tags, generic_key() form */
    size_t ntags;
    xmlNodePtr prune[GENERIC_PRUNE_MAX]; /* outside the content, to remove */
    size_t nprune;
    /* The body's tree from the page sweep to the in-main sweep, so that
     * the page is walked once; tree_main indexes the main node in it
     * (-1: none chosen by scoring).  Freed by process(). */
    struct generic_tree tree;
    int tree_main;
    int stopped; /* should_stop() said so */
    int published_loose; /* published came from a dateline with no zone */
};

/* ---- generic.c ---- */

/* Is filter f switched on in this instance's configuration? */
int generic_enabled(const struct generic_run *r, int filter);

/* Removes node through the host, recorded under filter f's name.  Returns
 * 0 or the host's error (WN_EINVAL for the main node's wrappers). */
int generic_remove(struct generic_run *r, xmlNodePtr node, int filter);

/* Non-zero, and sticky, once the host says the call must stop. */
int generic_stop(struct generic_run *r);

/* ---- generic_date.c ---- */

/*
 * The time a dateline states, as RFC 3339 with its offset in out (UTC when
 * the line names no zone); *zoned says whether it named a zone and a time.
 * Returns 0, or -1 when the line holds no full date.
 */
int generic_date_parse(const char *s, char *out, size_t cap, int *zoned);

/* The name a short byline gives ("By NAME" less "By"; "NAME / AFP" as it
 * is) into out.  Returns 0, or -1 when it does not read as a byline. */
int generic_byline_name(const char *s, char *out, size_t cap);

/* ---- generic_hint.c ---- */

/* Files the class words in st's index (init() only).  Returns 0, or
 * WN_EINVAL with err filled when a table word does not fit the index. */
int generic_hint_init(struct generic_state *st, struct wn_err *err);

/* What class values said, for one walk over a tree that does not change
 * meanwhile (the values are borrowed from it).  Zero it before use. */
#define GENERIC_HINT_MEMO 256 /* class values remembered */

struct generic_hint_memo_slot {
    const char *value; /* NULL: empty */
    uint32_t hash, len;
    struct generic_hint add; /* what the value adds to a hint */
};

struct generic_hint_memo {
    struct generic_hint_memo_slot slot[GENERIC_HINT_MEMO];
    size_t n;
};

/* Fills *out for node (zeroed for non-elements).  Reads st; writes only
 * memo, which may be NULL; any thread. */
void generic_hint_of(const struct generic_state *st,
                     struct generic_hint_memo *memo, xmlNodePtr node,
                     struct generic_hint *out);

/* ---- generic_tree.c ---- */

/* The host's block and never-shown elements (daemon/wn_html.c). */
int generic_is_block_tag(const xmlChar *name);
int generic_is_skipped_tag(const xmlChar *name);

int generic_name_is(xmlNodePtr n, const char *name);

/* The value of attribute `name` (case-insensitive), borrowed from the
 * tree; "" for an attribute without a value; NULL when absent. */
const char *generic_attr(xmlNodePtr n, const char *name);

/* The value of attribute a, as generic_attr() gives it. */
const char *generic_attr_value(xmlAttrPtr a);

/* Is a an ancestor of n, or n itself? */
int generic_is_ancestor(xmlNodePtr a, xmlNodePtr n);

/* Is n still in its document (not removed)? */
int generic_attached(xmlNodePtr n);

/* Does n show any text (skipped elements aside)? */
int generic_has_text(xmlNodePtr n);

/* The document's <body>, or its root when it has none; NULL if empty. */
xmlNodePtr generic_body(xmlDocPtr xml);

/* Words of UTF-8 text: runs of letters and digits, apostrophes inside. */
size_t generic_words(const char *s);

/*
 * The comparison key of a text: ASCII lower case, punctuation and symbols
 * dropped, words separated by one space.  Writes at most cap - 1 bytes and
 * a terminator to out (which may not overlap s); returns the key's length.
 */
size_t generic_key(const char *s, char *out, size_t cap);

/* generic_words() of s, and its generic_key() in out (length in *klen),
 * in one pass over s. */
size_t generic_words_key(const char *s, char *out, size_t cap, size_t *klen);

/*
 * Builds the statistics of root's subtree (skipped elements left out).
 * Returns 0, WN_ENOMEM, WN_ETOOBIG past GENERIC_ELEMENTS_MAX elements or
 * WN_ETIMEOUT when told to stop; on success the caller frees t with
 * generic_tree_free().  A removal invalidates the tree: build it again, or
 * mark the removed elements and prune it.
 */
int generic_tree_build(struct generic_run *r, xmlNodePtr root,
                       struct generic_tree *t);

/*
 * Drops the elements marked removed, with their subtrees, and sums the
 * rest again: the tree generic_tree_build() would now give, without
 * walking the document again.  Returns 0 or WN_ENOMEM (t unchanged).
 */
int generic_tree_prune(struct generic_tree *t);

/*
 * The tree of the subtree at src->v[at], as generic_tree_build() would
 * give it for that node, copied from src (built again when src stopped at
 * the depth cap).  Returns generic_tree_build()'s codes; src is unchanged.
 */
int generic_tree_subtree(struct generic_run *r, const struct generic_tree *src,
                         size_t at, struct generic_tree *t);
void generic_tree_free(struct generic_tree *t);

/* ---- generic_pattern.c ---- */

/* Compiles the pattern table into st (init() only).  On failure fills err,
 * and the caller still calls generic_patterns_free(). */
int generic_patterns_init(struct generic_state *st, struct wn_err *err);
void generic_patterns_free(struct generic_state *st);

/* Does re match text (len bytes)?  Uses the call's match data and limits. */
int generic_pattern_match(struct generic_run *r, const pcre2_code *re,
                          const char *text, size_t len);

/* Does pattern pat match text (len bytes)?  Looks for its needed text
 * first.  Uses the call's match data and limits. */
int generic_pattern_test(struct generic_run *r,
                         const struct generic_pattern *pat, const char *text,
                         size_t len);

/* Is text a signature line: who posted, and when? */
int generic_pattern_signature(struct generic_run *r, const char *text,
                              size_t len);

/* ---- generic_meta.c ---- */

/*
 * Reads the page's metadata into the document (never overwriting what an
 * earlier plugin set) and fills r->title, r->description, r->ld_body and
 * r->tags.  Removes nothing.  Returns 0.
 */
int generic_meta_extract(struct generic_run *r, const struct wn_item *item);

/* Remembers a tag (as generic_key() writes it) for tag-line matching. */
void generic_meta_tag(struct generic_run *r, const char *tag);

/* ---- generic_chrome.c ---- */

/*
 * Removes the containers of tree t (built on the sweep's root) that markup
 * names as boilerplate, outermost first, and marks them removed in t;
 * in_main selects the rules for inside the main content.  Returns how many
 * were removed.
 */
int generic_chrome_sweep(struct generic_run *r, struct generic_tree *t,
                         int in_main);

/* The sweep over the whole <body>, before scoring.  Leaves the body's tree,
 * less what was removed, in r->tree.  Returns how many were removed, or
 * < 0 (generic_tree_build()'s errors). */
int generic_chrome_remove(struct generic_run *r);

/* ---- generic_main.c ---- */

/*
 * Scores the page and sets the main node (set_main()), queueing the
 * widened main node's non-content children in r->prune.  Leaves the main
 * node unset on a page with no paragraph and no <article> or <main>.
 * Returns 0 or < 0.
 */
int generic_main_choose(struct generic_run *r);

/* ---- generic_filter.c ---- */

/*
 * Runs the filters over the main node (the body when none is set, and in
 * text mode): the in-main sweep, the queued prunes, then the block filters.
 * Returns 0, WN_ETIMEOUT when told to stop, or another error < 0.
 */
int generic_filter_main(struct generic_run *r);

#endif /* GENERIC_H */
