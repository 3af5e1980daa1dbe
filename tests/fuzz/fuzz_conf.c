/*
 * fuzz_conf.c: the configuration loader (inih plus winnow's checks) on
 * arbitrary file contents, errors collected as they would be shown.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "wn_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    struct wn_conf *conf = NULL;
    struct wn_buf errors;
    FILE *f;

    if (path[0] == '\0') {
        snprintf(path, sizeof(path), "/tmp/wn-fuzz-conf-%d.conf", (int) getpid());
    }
    f = fopen(path, "wb");
    if (f == NULL) {
        return 0;
    }
    fwrite(data, 1, size, f);
    fclose(f);
    wn_buf_init(&errors, 1u << 20);
    wn_conf_load(path, &conf, &errors);
    wn_conf_free(conf);
    wn_buf_free(&errors);
    unlink(path);
    return 0;
}
