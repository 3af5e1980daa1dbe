/*
 * rules.h: the declarative rules plugin's types: one site per rule file in
 * conf/sites.d, read once by init() and only read afterwards.
 */
#ifndef RULES_H
#define RULES_H

#include <stddef.h>

#include <winnow/winnow.h>

/* Limits. */
#define RULES_FILES_MAX      1024u        /* rule files in the folder */
#define RULES_FILE_BYTES_MAX (256u << 10) /* bytes of one rule file */
#define RULES_VALUE_MAX      4096u        /* bytes of one value */
#define RULES_LIST_MAX       256u  /* hosts, main, remove or drop per file */
#define RULES_META_MAX       4096u /* bytes of a title, author or date read */
#define RULES_XPATH_OPS_MAX                                                    \
    50000000ul /* XPath steps per selector, as the host */

/* A list of strings, malloc'd. */
struct rules_list {
    char **v;
    size_t n;
};

/* One rule file. */
struct rules_site {
    char *file;                  /* its path, for messages */
    char *name;                  /* its base name less ".conf": in reasons */
    struct rules_list hosts;     /* exact names and "*.suffix" patterns */
    struct rules_list main;      /* XPath: the first that matches is the body */
    struct rules_list remove;    /* XPath: every node matched goes */
    struct rules_list drop;      /* PCRE2: every block matched goes */
    char *title, *author, *date; /* XPath selectors, or NULL */
    /* Reasons for --explain, "rule NAME: remove XPATH", one per entry. */
    struct rules_list remove_why, drop_why;
};

struct rules_state {
    const struct wn_host *host;
    struct rules_site *sites;
    size_t nsites;
};

/*
 * Reads one rule file into *site (zeroed first).  Returns 0, or WN_ECONFIG
 * / WN_ENOMEM / -errno with err naming the file and line.  [test] keys
 * (url, sample, expect) are checked for presence of a value only: they are
 * read by `winnowd test-rules`.
 */
int rules_file_load(const char *path, struct rules_site *site,
                    struct wn_err *err);

/* An XPath context's error handler that prints nothing: libxml2 would
 * write errors to stderr, and the caller reports them itself. */
void rules_xpath_quiet(void *ctx, xmlErrorPtr error);

/* Frees what rules_file_load() filled. */
void rules_site_free(struct rules_site *site);

#endif /* RULES_H */
