/*
 * wn_daemon.c: placeholder for run, once and export.
 */
#include <stdio.h>

#include "wn_cmd.h"

int
wn_cmd_once(const struct wn_opts *o)
{
    (void) o;
    fprintf(stderr, "winnowd: once: not built yet\n");
    return WN_EXIT_FAILURE;
}

int
wn_cmd_run(const struct wn_opts *o)
{
    return wn_cmd_once(o);
}

int
wn_cmd_export(const struct wn_opts *o)
{
    return wn_cmd_once(o);
}
