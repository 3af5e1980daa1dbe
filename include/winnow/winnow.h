/*
 * winnow/winnow.h: the one header a plugin includes; it pulls in the
 * descriptor, the host table and the error codes.  See docs/plugins.md.
 */
#ifndef WINNOW_WINNOW_H
#define WINNOW_WINNOW_H

#include <winnow/error.h>
#include <winnow/host.h>
#include <winnow/plugin.h>

#endif /* WINNOW_WINNOW_H */
