/*
 * fuzz_backup.c - the backup plugin's pure readers (plugins/backup/
 * backup_sniff.c) on one file's bytes: bk_sniff_buf(), then, the input
 * written to a memfd and named /proc/self/fd/N (they take paths),
 * bk_sniff(), bk_tar_check(), bk_stream()/bk_verify_stream() as plain SQL
 * and as gzip, zstd, lz4, xz and bzip2; and the plain-SQL checker
 * bk_plain_* fed in pieces.
 *
 * Checked: a known format (never "directory" for a file) and a reason with
 * every "unknown"; bk_sniff() of the file says what bk_sniff_buf() says of
 * its first 8 KiB (a zstd/lz4/xz/bzip2 file whose first 8 KiB decode to
 * nothing yet may be refused once read on); short "why" buffers are never overrun; bk_tar_check()
 * accepts only a file with a zero block; the plain stream hands over the
 * file's bytes unchanged and agrees with bk_plain fed in one piece; bk_plain
 * fed the input three times in pieces of fuzzed sizes keeps exactly the
 * first 2 KiB and the last 8 KiB, and judges as when fed in one piece; a gzip
 * stream that bk_stream() accepts inflates to what zlib's gzread() gives;
 * the other decoders end with a verdict and a reason.
 * Round trip: a tar made of the input (sizes in octal or, as pg_dump writes
 * those of 8 GiB and more, base-256) passes bk_tar_check() whole, and fails
 * it cut short.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "../../plugins/backup/backup_int.h"

#define GZ_CAP (4u << 20) /* decompressed bytes collected at most */

static int memfd = -1;
static char path[64];

typedef struct sink {
    unsigned char *buf;
    size_t len, cap;
    int stop;
} sink;

static int collect(void *arg, const char *b, size_t len)
{
    sink *s = arg;
    if (s->len + len > s->cap) {
        s->stop = 1;
        return 1;
    }
    memcpy(s->buf + s->len, b, len);
    s->len += len;
    return 0;
}

static void check_why(int failed, const char *why, size_t n)
{
    if (memchr(why, '\0', n) == NULL)
        abort();
    if (failed && !why[0])
        abort();
}

static int plain_oneshot(const void *b, size_t len, char *why, size_t n)
{
    bk_plain *p = malloc(sizeof *p);
    if (!p)
        abort();
    bk_plain_init(p);
    bk_plain_feed(p, b, len);
    int rc = bk_plain_finish(p, why, n);
    free(p);
    return rc;
}

/* The input three times over, in pieces whose sizes come from its bytes. */
static void plain_pieces(const uint8_t *data, size_t size)
{
    size_t total = 3 * size;
    unsigned char *all = malloc(total ? total : 1);
    bk_plain *p = malloc(sizeof *p);
    if (!all || !p)
        abort();
    for (int i = 0; i < 3; i++)
        memcpy(all + i * size, data, size);
    bk_plain_init(p);
    size_t off = 0;
    for (size_t i = 0; off < total; i++) {
        size_t piece = 1 + (size_t)data[i % size] * (1 + data[(i + 1) % size] % 64);
        if (piece > total - off)
            piece = total - off;
        bk_plain_feed(p, (const char *)all + off, piece);
        off += piece;
    }
    size_t head = total < sizeof p->head ? total : sizeof p->head;
    size_t tail = total < BK_TAIL ? total : BK_TAIL;
    if (p->total != total || p->head_len != head || memcmp(p->head, all, head) != 0 ||
        p->tail_len != tail || memcmp(p->tail, all + total - tail, tail) != 0)
        abort();
    char w1[512], w2[512];
    int r1 = bk_plain_finish(p, w1, sizeof w1);
    int r2 = plain_oneshot(all, total, w2, sizeof w2);
    check_why(r1, w1, sizeof w1);
    if (r1 != r2 || (r1 && strcmp(w1, w2) != 0))
        abort();
    free(p);
    free(all);
}

static void gzip_stream(const uint8_t *data, size_t size)
{
    char why[512];
    sink s = {malloc(GZ_CAP), 0, GZ_CAP, 0};
    if (!s.buf)
        abort();
    int rc = bk_stream(path, BK_GZIP, 0, collect, &s, why, sizeof why);
    check_why(rc, why, sizeof why);
    if (rc == 0) {
        if (size < 18 || data[0] != 0x1f || data[1] != 0x8b)
            abort();
        /* zlib's own reader: the same bytes (it skips trailing garbage,
         * which bk_stream rejects, so this goes one way only) */
        if (lseek(memfd, 0, SEEK_SET) != 0)
            abort();
        int fd = dup(memfd);
        gzFile g = fd >= 0 ? gzdopen(fd, "rb") : NULL;
        if (!g)
            abort();
        unsigned char *ref = malloc(s.len + 1);
        if (!ref)
            abort();
        int got = gzread(g, ref, (unsigned)s.len + 1);
        int err;
        gzerror(g, &err);
        if (got < 0 || (size_t)got != s.len || memcmp(ref, s.buf, s.len) != 0 || err != Z_OK)
            abort();
        gzclose(g);
        free(ref);

        /* bk_verify_stream = this stream through the plain checker */
        char w2[512], w3[512];
        int v = bk_verify_stream(path, BK_GZIP, 0, w2, sizeof w2);
        int p = plain_oneshot(s.buf, s.len, w3, sizeof w3);
        check_why(v, w2, sizeof w2);
        if (v != p || (v && strcmp(w2, w3) != 0))
            abort();
    } else if (!s.stop) {
        int v = bk_verify_stream(path, BK_GZIP, 0, why, sizeof why);
        if (v == 0)
            abort();
    }
    free(s.buf);
}

/* A tar number field as PostgreSQL's print_tar_number writes it: octal with
 * a trailing space, or 0x80 and base-256 when it does not fit (or BIG). */
static void tar_number(unsigned char *f, size_t len, unsigned long long v, int big)
{
    if (!big && v < 1ULL << ((len - 1) * 3)) {
        f[--len] = ' ';
        while (len-- > 0) {
            f[len] = (unsigned char)('0' + (v & 7));
            v >>= 3;
        }
    } else {
        f[0] = 0x80;
        while (len-- > 1) {
            f[len] = (unsigned char)(v & 255);
            v >>= 8;
        }
    }
}

/* Round trip: a ustar archive of up to 4 members made of the input (sizes
 * from its first bytes, some in base-256), then two zero blocks.
 * bk_tar_check() accepts it, and rejects it cut anywhere before the end of
 * its first zero block. */
static void tar_round_trip(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char tpath[64];
    if (fd < 0) {
        fd = memfd_create("fuzz.tar", 0);
        if (fd < 0)
            abort();
        snprintf(tpath, sizeof tpath, "/proc/self/fd/%d", fd);
    }
    size_t cap = 4 * 512 + size + 4 * 512 + 1024, len = 0, used = size < 4 ? size : 4;
    unsigned char *t = calloc(1, cap);
    if (!t)
        abort();
    const uint8_t *body = data + used;
    size_t left = size - used;
    for (size_t m = 0; m < used; m++) {
        size_t msize = m + 1 == used ? left : (size_t)data[m] * 7 % (left + 1);
        unsigned char *h = t + len;
        snprintf((char *)h, 100, m == 0 ? "toc.dat" : "%zu.dat", 3340 + m);
        tar_number(h + 100, 8, 0600, 0);
        tar_number(h + 108, 8, 0, 0);
        tar_number(h + 116, 8, 0, 0);
        tar_number(h + 124, 12, msize, data[m] & 1);
        tar_number(h + 136, 12, 1764395227, 0);
        h[156] = '0';
        memcpy(h + 257, "ustar\0" "00", 8);
        memset(h + 148, ' ', 8);
        unsigned sum = 0;
        for (size_t i = 0; i < 512; i++)
            sum += h[i];
        tar_number(h + 148, 8, sum, 0);
        memcpy(t + len + 512, body, msize);
        body += msize;
        left -= msize;
        len += 512 + (msize + 511) / 512 * 512;
    }
    size_t zero_end = len + 512;
    len += 1024;
    char why[512];
    size_t cuts[] = {len, zero_end, zero_end - 1, len / 2, size ? data[0] * 13 % zero_end : 0};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        if (ftruncate(fd, 0) != 0 || pwrite(fd, t, cuts[i], 0) != (ssize_t)cuts[i])
            abort();
        int rc = bk_tar_check(tpath, why, sizeof why);
        check_why(rc, why, sizeof why);
        if ((rc == 0) != (cuts[i] >= zero_end))
            abort();
    }
    free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (memfd < 0) {
        memfd = memfd_create("fuzz.dump", 0);
        if (memfd < 0)
            abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
    }
    if (size > 256 * 1024)
        return 0;

    /* the header, from the buffer */
    char why[512], why2[512];
    size_t head = size < 8192 ? size : 8192;
    bk_format f = bk_sniff_buf(data, size, why, sizeof why);
    if (f != BK_NONE && f != BK_PLAIN && f != BK_GZIP && f != BK_CUSTOM && f != BK_TAR && f != BK_ZSTD &&
        f != BK_LZ4 && f != BK_XZ && f != BK_BZIP2)
        abort();
    check_why(f == BK_NONE, why, sizeof why);
    if (!bk_format_name(f))
        abort();
    bk_format fh = bk_sniff_buf(data, head, why2, sizeof why2);
    size_t small = size ? 1 + data[0] % 24 : 1;
    char *w = malloc(small);
    if (!w)
        abort();
    memset(w, 'x', small);
    if (bk_sniff_buf(data, head, w, small) != fh || (fh == BK_NONE && memchr(w, '\0', small) == NULL))
        abort();
    free(w);

    /* the same bytes as a file */
    if (ftruncate(memfd, 0) != 0 || pwrite(memfd, data, size, 0) != (ssize_t)size)
        abort();
    bk_format ff = bk_sniff(path, why, sizeof why);
    int codec = fh == BK_ZSTD || fh == BK_LZ4 || fh == BK_XZ || fh == BK_BZIP2;
    if (codec && ff == BK_NONE)
        check_why(1, why, sizeof why);
    else if (ff != fh || (ff == BK_NONE && strcmp(why, why2) != 0))
        abort();

    int rc = bk_tar_check(path, why, sizeof why);
    check_why(rc, why, sizeof why);
    if (rc == 0) {
        static const unsigned char zero[512];
        int found = 0;
        for (size_t off = 0; off + 512 <= size && !found; off += 512)
            found = memcmp(data + off, zero, 512) == 0;
        if (!found)
            abort();
    }

    /* plain: the bytes unchanged, judged as in one piece */
    sink s = {malloc(size + 1), 0, size, 0};
    if (!s.buf)
        abort();
    rc = bk_stream(path, BK_PLAIN, 0, collect, &s, why, sizeof why);
    if (rc != 0 || s.len != size || memcmp(s.buf, data, size) != 0)
        abort();
    free(s.buf);
    rc = bk_verify_stream(path, BK_PLAIN, 0, why, sizeof why);
    check_why(rc, why, sizeof why);
    int one = plain_oneshot(data, size, why2, sizeof why2);
    if (rc != one || (rc && strcmp(why, why2) != 0))
        abort();
    plain_pieces(data, size);

    gzip_stream(data, size);
    static const bk_format codecs[] = {BK_ZSTD, BK_LZ4, BK_XZ, BK_BZIP2};
    for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++) {
        rc = bk_verify_stream(path, codecs[i], 0, why, sizeof why);
        check_why(rc, why, sizeof why);
    }
    tar_round_trip(data, size);
    return 0;
}
