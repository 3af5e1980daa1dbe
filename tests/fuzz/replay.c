/*
 * replay.c: runs a fuzz target's LLVMFuzzerTestOneInput over files and
 * folders of inputs without libFuzzer (Fluent Bit's local_test.c), so CTest
 * replays every corpus with the project's normal compiler and sanitizers.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WN_REPLAY_MAX (64u << 20) /* bytes of one input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
wn_replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    size_t n;

    if (f == NULL) {
        perror(path);
        return 1;
    }
    buf = malloc(WN_REPLAY_MAX);
    if (buf == NULL) {
        fclose(f);
        return 1;
    }
    n = fread(buf, 1, WN_REPLAY_MAX, f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

static int
wn_replay_path(const char *path, unsigned *count)
{
    struct stat st;
    struct dirent *de;
    DIR *d;
    int rc = 0;

    if (stat(path, &st) != 0) {
        perror(path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        (*count)++;
        return wn_replay_file(path);
    }
    d = opendir(path);
    if (d == NULL) {
        perror(path);
        return 1;
    }
    while ((de = readdir(d)) != NULL) {
        char child[4096];
        if (de->d_name[0] == '.') {
            continue;
        }
        snprintf(child, sizeof(child), "%s/%s", path, de->d_name);
        rc |= wn_replay_path(child, count);
    }
    closedir(d);
    return rc;
}

int
main(int argc, char **argv)
{
    unsigned count = 0;
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        rc |= wn_replay_path(argv[i], &count);
    }
    printf("replayed %u inputs\n", count);
    return rc != 0 || count == 0;
}
