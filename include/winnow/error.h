/*
 * winnow/error.h: the error codes shared by winnowd and its plugins, and the
 * caller-owned error record that carries a message beside a code.
 *
 * Functions return an int: 0 is success, a positive value is a documented
 * count, a negative value is an error.  System errors are -errno (as libuv
 * does); winnow's own codes sit below WN_EBASE so they never collide with
 * errno or libuv's reserved ranges.
 */
#ifndef WINNOW_ERROR_H
#define WINNOW_ERROR_H

#define WN_EBASE (-4000)

enum wn_errcode {
    WN_EPARSE = WN_EBASE - 1,     /* input could not be parsed */
    WN_ETOOBIG = WN_EBASE - 2,    /* a size limit was reached */
    WN_EABI = WN_EBASE - 3,       /* plugin ABI mismatch */
    WN_ETIMEOUT = WN_EBASE - 4,   /* a time limit was reached */
    WN_EDECLINED = WN_EBASE - 5,  /* "not mine, pass it on" */
    WN_ECONFIG = WN_EBASE - 6,    /* configuration error */
    WN_EHTTP = WN_EBASE - 7,      /* HTTP status that is not a success */
    WN_EFETCH = WN_EBASE - 8,     /* transport error (DNS, TCP, TLS) */
    WN_EBLOCKED = WN_EBASE - 9,   /* address or scheme refused by policy */
    WN_ESTORE = WN_EBASE - 10,    /* database error */
    WN_EPLUGIN = WN_EBASE - 11,   /* a plugin failed */
    WN_ENOTFEED = WN_EBASE - 12,  /* the document is not a feed */
    WN_EGARBAGE = WN_EBASE - 13,  /* a plugin returned an unusable result */
    WN_ECANCELED = WN_EBASE - 14, /* stopped because the daemon is stopping */
    WN_ENOMEM = WN_EBASE - 15,    /* allocation failed */
    WN_EINVAL = WN_EBASE - 16,    /* invalid argument */
    WN_ELAST = WN_EBASE - 17
};

#define WN_ERR_MSG_MAX 256

/*
 * Details of one error: the code and a message that names the object
 * ("feed news: http 404 from https://...").  Owned by the caller; functions
 * that take one fill it only when they fail.
 */
struct wn_err {
    int code;
    char msg[WN_ERR_MSG_MAX];
};

#endif /* WINNOW_ERROR_H */
