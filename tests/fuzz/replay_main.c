/*
 * replay_main.c - a main() for the fuzz targets without libFuzzer: each
 * file named on the command line is read and handed to
 * LLVMFuzzerTestOneInput() once.  Built with gcc and ASan/UBSan, so
 * tests/fuzz.t replays the corpora and the crash reproducers without clang.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0, got;
    do {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            buf = realloc(buf, cap);
            if (!buf)
                abort();
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    fclose(f);
    *n = len;
    return buf;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        size_t n;
        unsigned char *data = slurp(argv[i], &n);
        if (!data) {
            fprintf(stderr, "replay: cannot read %s\n", argv[i]);
            return 2;
        }
        /* a copy of exactly n bytes, so ASan sees reads past the input */
        unsigned char *copy = malloc(n ? n : 1);
        if (!copy)
            abort();
        for (size_t k = 0; k < n; k++)
            copy[k] = data[k];
        free(data);
        LLVMFuzzerTestOneInput(copy, n);
        free(copy);
    }
    return 0;
}
