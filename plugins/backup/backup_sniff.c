/*
 * backup_sniff.c - pg_dump formats recognised by content, and the streaming
 * checks of plain and gzip dumps (reference: external-apis.md §4).
 *
 * Memory is bounded whatever the file's size: one read buffer, one inflate
 * buffer, the first 2 KiB and the last 8 KiB of the SQL text.  The plain
 * rules look only at the head (the "PostgreSQL database dump" comment) and
 * at the tail (the "dump complete" comment, then only "--", blank lines and
 * \unrestrict): the \restrict lines are accepted but never required.
 */
#include "backup_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define BK_CHUNK (256 * 1024)

static const char HEAD_LINE[] = "-- PostgreSQL database dump";
static const char DONE_LINE[] = "-- PostgreSQL database dump complete";
/* pg_dumpall: its roles and settings come first, so with many roles the
 * first database's HEAD_LINE is far from the start, and each database's
 * DONE_LINE is followed by more SQL; only these two frame the whole. */
static const char CLUSTER_HEAD[] = "-- PostgreSQL database cluster dump";
static const char CLUSTER_DONE[] = "-- PostgreSQL database cluster dump complete";

long long bk_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *bk_format_name(bk_format f)
{
    switch (f) {
    case BK_PLAIN: return "plain SQL";
    case BK_GZIP: return "gzip plain SQL";
    case BK_ZSTD: return "zstd plain SQL";
    case BK_LZ4: return "lz4 plain SQL";
    case BK_XZ: return "xz plain SQL";
    case BK_BZIP2: return "bzip2 plain SQL";
    case BK_CUSTOM: return "custom";
    case BK_DIR: return "directory";
    case BK_TAR: return "tar";
    default: return "unknown";
    }
}

int bk_is_sql(bk_format f)
{
    return f == BK_PLAIN || f == BK_GZIP || f == BK_ZSTD || f == BK_LZ4 || f == BK_XZ || f == BK_BZIP2;
}

/* A line of TEXT (LEN bytes) equal to LINE, as a whole line. */
static const char *find_line(const char *text, size_t len, const char *line)
{
    size_t ll = strlen(line);
    const char *p = text, *end = text + len;
    while (p + ll <= end) {
        const char *hit = memmem(p, (size_t)(end - p), line, ll);
        if (!hit)
            return NULL;
        int starts = hit == text || hit[-1] == '\n';
        int ends = hit + ll == end || hit[ll] == '\n' || hit[ll] == '\r';
        if (starts && ends)
            return hit;
        p = hit + 1;
    }
    return NULL;
}

/* The start of a pg_dump or a pg_dumpall plain dump. */
static int has_head(const char *text, size_t len)
{
    return find_line(text, len, HEAD_LINE) || find_line(text, len, CLUSTER_HEAD);
}

/* ---- plain SQL ---- */

void bk_plain_init(bk_plain *p)
{
    memset(p, 0, sizeof *p);
}

void bk_plain_feed(bk_plain *p, const char *buf, size_t len)
{
    if (p->head_len < sizeof p->head) {
        size_t take = sizeof p->head - p->head_len < len ? sizeof p->head - p->head_len : len;
        memcpy(p->head + p->head_len, buf, take);
        p->head_len += take;
    }
    p->total += len;
    if (len >= BK_TAIL) {
        memcpy(p->tail, buf + len - BK_TAIL, BK_TAIL);
        p->tail_len = BK_TAIL;
    } else if (p->tail_len + len <= BK_TAIL) {
        memcpy(p->tail + p->tail_len, buf, len);
        p->tail_len += len;
    } else {
        size_t keep = BK_TAIL - len;
        memmove(p->tail, p->tail + p->tail_len - keep, keep);
        memcpy(p->tail + keep, buf, len);
        p->tail_len = BK_TAIL;
    }
}

int bk_plain_finish(const bk_plain *p, char *why, size_t n)
{
    if (p->total == 0) {
        snprintf(why, n, "no SQL text (0 bytes)");
        return -1;
    }
    int cluster = find_line(p->head, p->head_len, CLUSTER_HEAD) != NULL;
    if (!cluster && !find_line(p->head, p->head_len, HEAD_LINE)) {
        snprintf(why, n, "no '%s' header line at the start", HEAD_LINE);
        return -1;
    }
    /* The last "dump complete" line in the tail (pg_dumpall: its own). */
    const char *done = NULL, *s = p->tail, *end = p->tail + p->tail_len;
    for (;;) {
        const char *hit = find_line(s, (size_t)(end - s), cluster ? CLUSTER_DONE : DONE_LINE);
        if (!hit)
            break;
        done = hit;
        s = hit + 1;
    }
    if (!done && cluster) {
        snprintf(why, n, "no 'cluster dump complete' line (truncated pg_dumpall dump, %llu bytes of SQL)",
                 p->total);
        return -1;
    }
    if (!done) {
        snprintf(why, n, "no 'dump complete' line (truncated SQL dump, %llu bytes of SQL)", p->total);
        return -1;
    }
    /* What follows: only "--", blank lines, and at most one \unrestrict. */
    const char *line = memchr(done, '\n', (size_t)(end - done));
    int unrestrict = 0;
    while (line && ++line < end) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t ll = nl ? (size_t)(nl - line) : (size_t)(end - line);
        while (ll && line[ll - 1] == '\r')
            ll--;
        int ok = ll == 0 || (ll == 2 && line[0] == '-' && line[1] == '-');
        if (!ok && ll > 11 && memcmp(line, "\\unrestrict ", 12) == 0 && !unrestrict++)
            ok = 1;
        if (!ok) {
            snprintf(why, n, "SQL after the 'dump complete' line: '%.*s'", (int)(ll > 60 ? 60 : ll), line);
            return -1;
        }
        line = nl;
    }
    return 0;
}

/* ---- recognising formats ---- */

static int is_text(const unsigned char *b, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (b[i] == 0 || (b[i] < 0x20 && b[i] != '\n' && b[i] != '\r' && b[i] != '\t'))
            return 0;
    return 1;
}

/* The PGDMP header (external-apis.md §4.1).  WANT is the format code
 * expected (1 custom, 3 tar/directory toc).  0, or -1 with WHY. */
static int pgdmp_header(const unsigned char *b, size_t len, int want, char *why, size_t n)
{
    if (len < 5 || memcmp(b, "PGDMP", 5) != 0) {
        snprintf(why, n, "wrong magic: no PGDMP archive header");
        return -1;
    }
    if (len < 11) {
        snprintf(why, n, "archive header cut short (%zu bytes)", len);
        return -1;
    }
    if (b[5] != 1 || b[6] < 1 || b[6] > 30) { /* newer than 1.16: pg_restore decides */
        snprintf(why, n, "unsupported archive version %u.%u", b[5], b[6]);
        return -1;
    }
    if ((b[8] != 4 && b[8] != 8) || (b[9] != 4 && b[9] != 8)) {
        snprintf(why, n, "bad archive header: int size %u, offset size %u", b[8], b[9]);
        return -1;
    }
    if (b[10] != want) {
        snprintf(why, n, "archive format code %u where %d was expected", b[10], want);
        return -1;
    }
    return 0;
}

/* The first few KiB of a gzip member, inflated: must be a plain dump's head. */
static bk_format sniff_gzip(const unsigned char *b, size_t len, char *why, size_t n)
{
    unsigned char out[4096];
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        snprintf(why, n, "zlib: cannot initialise");
        return BK_NONE;
    }
    z.next_in = (unsigned char *)b;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = sizeof out - 1;
    int rc = inflate(&z, Z_NO_FLUSH);
    size_t got = sizeof out - 1 - z.avail_out;
    unsigned long at = z.total_in;
    inflateEnd(&z);
    if (rc != Z_OK && rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && got)) {
        snprintf(why, n, "corrupt gzip data at byte %lu (%s)", at, z.msg ? z.msg : "header");
        return BK_NONE;
    }
    if (got == 0) {
        snprintf(why, n, "truncated gzip stream at byte %zu", len);
        return BK_NONE;
    }
    if (!has_head((const char *)out, got)) {
        snprintf(why, n, "gzip file does not hold a pg_dump plain SQL dump (no '%s' line)", HEAD_LINE);
        return BK_NONE;
    }
    return BK_GZIP;
}

/* The magic numbers of the other compressors (their format specs: zstd
 * RFC 8878, the lz4 frame format, xz-file-format, bzip2's "BZh" + level +
 * block or end-of-stream magic). */
static bk_format codec_magic(const unsigned char *b, size_t len)
{
    static const unsigned char zst[] = {0x28, 0xb5, 0x2f, 0xfd}, lz4[] = {0x04, 0x22, 0x4d, 0x18},
                               xz[] = {0xfd, '7', 'z', 'X', 'Z', 0x00}, bzblk[] = {0x31, 0x41, 0x59, 0x26, 0x53, 0x59},
                               bzend[] = {0x17, 0x72, 0x45, 0x38, 0x50, 0x90};
    if (len >= 4 && memcmp(b, zst, 4) == 0)
        return BK_ZSTD;
    if (len >= 4 && memcmp(b, lz4, 4) == 0)
        return BK_LZ4;
    if (len >= 6 && memcmp(b, xz, 6) == 0)
        return BK_XZ;
    if (len >= 10 && memcmp(b, "BZh", 3) == 0 && b[3] >= '1' && b[3] <= '9' &&
        (memcmp(b + 4, bzblk, 6) == 0 || memcmp(b + 4, bzend, 6) == 0))
        return BK_BZIP2;
    return BK_NONE;
}

/* The first few KiB of a zstd/lz4/xz/bzip2 file, decoded: a plain dump's
 * head.  A zstd block (128 KiB) or a bzip2 block (900 KiB) yields nothing
 * until it is whole, so a short buffer that decodes to nothing yet is not
 * refused here: bk_sniff then reads the file on (codec_head_file). */
static bk_format sniff_codec(bk_format f, const unsigned char *b, size_t len, char *why, size_t n)
{
    unsigned char out[4096];
    size_t got = 0, inlen = len;
    const unsigned char *in = b;
    char msg[160];
    bk_dec *d = bk_dec_new(f, why, n);
    if (!d)
        return BK_NONE;
    while (got < sizeof out) {
        size_t o = sizeof out - got, before = inlen;
        int rc = bk_dec_step(d, &in, &inlen, out + got, &o, 0, msg, sizeof msg);
        if (rc < 0) {
            snprintf(why, n, "corrupt %s data at byte %zu (%s)", bk_codec_name(f), len - inlen, msg);
            bk_dec_free(d);
            return BK_NONE;
        }
        got += o;
        if (o == 0 && inlen == before)
            break; /* needs more input than the head holds */
    }
    bk_dec_free(d);
    if (got == 0)
        return f;
    if (!has_head((const char *)out, got)) {
        snprintf(why, n, "%s file does not hold a pg_dump plain SQL dump (no '%s' line)", bk_codec_name(f),
                 HEAD_LINE);
        return BK_NONE;
    }
    return f;
}

bk_format bk_sniff_buf(const unsigned char *b, size_t len, char *why, size_t n)
{
    if (len == 0) {
        snprintf(why, n, "empty file (0 bytes)");
        return BK_NONE;
    }
    if (len >= 5 && memcmp(b, "PGDMP", 5) == 0) {
        if (len >= 11 && b[10] == 3) {
            snprintf(why, n, "a bare toc.dat (PGDMP format code 3) outside a directory or tar dump");
            return BK_NONE;
        }
        return pgdmp_header(b, len, 1, why, n) == 0 ? BK_CUSTOM : BK_NONE;
    }
    if (len >= 263 && memcmp(b + 257, "ustar", 5) == 0) {
        if (strncmp((const char *)b, "toc.dat", 100) != 0) {
            snprintf(why, n, "tar archive whose first member is not toc.dat");
            return BK_NONE;
        }
        if (len < 512 + 11) {
            snprintf(why, n, "tar archive cut short in toc.dat (%zu bytes)", len);
            return BK_NONE;
        }
        return pgdmp_header(b + 512, len - 512, 3, why, n) == 0 ? BK_TAR : BK_NONE;
    }
    if (len >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
        if (len < 10 || b[2] != 8) {
            snprintf(why, n, "bad gzip header");
            return BK_NONE;
        }
        return sniff_gzip(b, len, why, n);
    }
    bk_format cf = codec_magic(b, len);
    if (cf != BK_NONE)
        return sniff_codec(cf, b, len, why, n);
    size_t probe = len < 512 ? len : 512;
    if (is_text(b, probe)) {
        if (has_head((const char *)b, len))
            return BK_PLAIN;
        snprintf(why, n, "text without the pg_dump header line '%s'", HEAD_LINE);
        return BK_NONE;
    }
    snprintf(why, n, "wrong magic: not a pg_dump file (first bytes %02x %02x %02x %02x)", b[0],
             len > 1 ? b[1] : 0, len > 2 ? b[2] : 0, len > 3 ? b[3] : 0);
    return BK_NONE;
}

static ssize_t read_full(int fd, unsigned char *b, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, b + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

typedef struct head_buf {
    char b[4096];
    size_t len;
} head_buf;

static int head_sink(void *arg, const char *buf, size_t len)
{
    head_buf *h = arg;
    size_t take = sizeof h->b - h->len < len ? sizeof h->b - h->len : len;
    memcpy(h->b + h->len, buf, take);
    h->len += take;
    return h->len == sizeof h->b; /* enough: stop the stream */
}

static int stream_codec(int fd, bk_format f, long long deadline_ms, bk_sink fn, void *arg, char *why, size_t n);

static int null_sink(void *arg, const char *buf, size_t len)
{
    (void)arg, (void)buf, (void)len;
    return 0;
}

/* The decoded head of a compressed file, read as far as it takes (one
 * block), at most 10 s. */
static bk_format codec_head_file(const char *path, bk_format f, char *why, size_t n)
{
    head_buf h = {.len = 0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, n, "cannot open %s: %s", path, strerror(errno));
        return BK_NONE;
    }
    int rc = stream_codec(fd, f, bk_now_ms() + 10000, head_sink, &h, why, n);
    if (rc != 0 && h.len < sizeof h.b) {
        close(fd);
        return BK_NONE; /* WHY: truncated or corrupt before the head was out */
    }
    /* No head: a corrupt block decodes to garbage before its CRC is
     * checked (bzip2), so say "corrupt" when the rest says so. */
    if (!has_head(h.b, h.len) && lseek(fd, 0, SEEK_SET) == 0 &&
        stream_codec(fd, f, bk_now_ms() + 10000, null_sink, NULL, why, n) != 0) {
        close(fd);
        return BK_NONE;
    }
    close(fd);
    if (!has_head(h.b, h.len)) {
        snprintf(why, n, "%s file does not hold a pg_dump plain SQL dump (no '%s' line)", bk_codec_name(f),
                 HEAD_LINE);
        return BK_NONE;
    }
    return f;
}

bk_format bk_sniff(const char *path, char *why, size_t n)
{
    unsigned char b[8192];
    struct stat st;
    char toc[4096];
    const char *file = path;
    int is_dir = 0;

    if (stat(path, &st) != 0) {
        snprintf(why, n, "cannot stat %s: %s", path, strerror(errno));
        return BK_NONE;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(toc, sizeof toc, "%s/toc.dat", path);
        file = toc;
        is_dir = 1;
    }
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (is_dir && errno == ENOENT)
            snprintf(why, n, "folder without toc.dat: not a directory-format dump");
        else
            snprintf(why, n, "cannot open %s: %s", file, strerror(errno));
        return BK_NONE;
    }
    ssize_t len = read_full(fd, b, sizeof b);
    int err = errno;
    close(fd);
    if (len < 0) {
        snprintf(why, n, "cannot read %s: %s", file, strerror(err));
        return BK_NONE;
    }
    if (is_dir) {
        if (len == 0) {
            snprintf(why, n, "empty toc.dat (0 bytes)");
            return BK_NONE;
        }
        return pgdmp_header(b, (size_t)len, 3, why, n) == 0 ? BK_DIR : BK_NONE;
    }
    bk_format f = bk_sniff_buf(b, (size_t)len, why, n);
    if (f == BK_ZSTD || f == BK_LZ4 || f == BK_XZ || f == BK_BZIP2)
        return codec_head_file(path, f, why, n);
    return f;
}

int bk_archive_version(const char *path, bk_format f, int *vmaj, int *vmin)
{
    unsigned char b[512 + 16];
    char toc[4096];
    size_t at = f == BK_TAR ? 512 : 0;
    if (f == BK_DIR)
        snprintf(toc, sizeof toc, "%s/toc.dat", path);
    int fd = open(f == BK_DIR ? toc : path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t len = read_full(fd, b, sizeof b);
    close(fd);
    if (len < (ssize_t)(at + 7) || memcmp(b + at, "PGDMP", 5) != 0)
        return -1;
    *vmaj = b[at + 5];
    *vmin = b[at + 6];
    return 0;
}

int bk_archive_needs(int vmin)
{
    return vmin <= 14 ? 0 : vmin + 1;
}

/* ---- tar structure ---- */

/* A tar number: octal, or (pg_dump for members of 8 GiB and more, as
 * PostgreSQL's print_tar_number) 0x80 then base-256, most significant first. */
static unsigned long long octal(const unsigned char *f, size_t len)
{
    unsigned long long v = 0;
    if (len && f[0] == 0x80) {
        for (size_t i = 1; i < len; i++)
            v = v > ~0ULL >> 8 ? ~0ULL : v << 8 | f[i];
        return v;
    }
    for (size_t i = 0; i < len && f[i]; i++) {
        if (f[i] == ' ')
            continue;
        if (f[i] < '0' || f[i] > '7')
            break;
        v = v * 8 + (unsigned)(f[i] - '0');
    }
    return v;
}

/* Walk the ustar headers of a -Ft dump: checksums, every member's data
 * inside the file, the end-of-archive blocks present.  pg_restore 15 spins
 * forever on a tar cut short, so this runs before it. */
int bk_tar_check(const char *path, char *why, size_t n)
{
    unsigned char h[512];
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC), ret = -1;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(why, n, "cannot open %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    unsigned long long off = 0, size = (unsigned long long)st.st_size;
    for (;;) {
        ssize_t r = pread(fd, h, sizeof h, (off_t)off);
        if (r < (ssize_t)sizeof h) {
            snprintf(why, n, "truncated tar archive: no end-of-archive block at byte %llu (file is %llu bytes)",
                     off, size);
            break;
        }
        int zero = 1;
        for (size_t i = 0; i < sizeof h && zero; i++)
            zero = h[i] == 0;
        if (zero) {
            ret = 0;
            break;
        }
        unsigned long long sum = 0, want = octal(h + 148, 8);
        for (size_t i = 0; i < sizeof h; i++)
            sum += (i >= 148 && i < 156) ? ' ' : h[i];
        if (sum != want) {
            snprintf(why, n, "corrupt tar header at byte %llu (checksum %llu, expected %llu)", off, sum, want);
            break;
        }
        unsigned long long msize = octal(h + 124, 12);
        unsigned long long end = msize > size ? ~0ULL : off + 512 + (msize + 511) / 512 * 512;
        if (end > size) {
            snprintf(why, n, "truncated tar archive: member %.100s needs %llu bytes at byte %llu, file is %llu bytes",
                     (const char *)h, msize, off + 512, size);
            break;
        }
        off = end;
    }
    close(fd);
    return ret;
}

/* ---- streaming ---- */

static int plain_sink(void *arg, const char *buf, size_t len)
{
    bk_plain_feed(arg, buf, len);
    return 0;
}

static int timed_out(long long deadline_ms, unsigned long long done, char *why, size_t n)
{
    if (deadline_ms > 0 && bk_now_ms() >= deadline_ms) {
        snprintf(why, n, "out of time after reading %llu bytes", done);
        return 1;
    }
    return 0;
}

/* Inflate every gzip member of FD into FN.  OFF counts compressed bytes. */
static int stream_gzip(int fd, long long deadline_ms, bk_sink fn, void *arg, char *why, size_t n)
{
    unsigned char *in = malloc(BK_CHUNK), *out = malloc(BK_CHUNK);
    unsigned long long off = 0; /* compressed bytes consumed before z.next_in */
    int rc = Z_OK, ret = -1, members = 0, eof = 0, full = 0;
    z_stream z;

    if (!in || !out)
        abort();
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        snprintf(why, n, "zlib: cannot initialise");
        goto out;
    }
    for (unsigned iter = 0;; iter++) {
        if (z.avail_in == 0 && !eof && !full) {
            if ((iter & 15) == 0 && timed_out(deadline_ms, off, why, n))
                goto out;
            ssize_t r = read_full(fd, in, BK_CHUNK);
            if (r < 0) {
                snprintf(why, n, "read error at byte %llu: %s", off, strerror(errno));
                goto out;
            }
            if (r == 0)
                eof = 1;
            z.next_in = in;
            z.avail_in = (uInt)r;
        }
        if (z.avail_in == 0 && eof && !full) {
            if (rc == Z_STREAM_END && members > 0)
                break;
            snprintf(why, n, "truncated gzip stream at byte %llu", off);
            goto out;
        }
        if (rc == Z_STREAM_END && z.avail_in == 0)
            continue; /* read on: another member, or the end */
        if (rc == Z_STREAM_END) { /* another member follows */
            if (z.avail_in >= 2 && (z.next_in[0] != 0x1f || z.next_in[1] != 0x8b)) {
                snprintf(why, n, "trailing garbage after the gzip stream at byte %llu", off);
                goto out;
            }
            inflateReset(&z);
        }
        z.next_out = out;
        z.avail_out = BK_CHUNK;
        uInt before = z.avail_in;
        rc = inflate(&z, Z_NO_FLUSH);
        off += before - z.avail_in;
        if (rc == Z_STREAM_END)
            members++;
        full = rc != Z_STREAM_END && z.avail_out == 0;
        if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_MEM_ERROR || rc == Z_STREAM_ERROR) {
            const char *m = z.msg ? z.msg : "invalid data";
            if (strstr(m, "incorrect data check") || strstr(m, "incorrect length check"))
                snprintf(why, n, "gzip checksum mismatch (%s) at byte %llu", m, off);
            else
                snprintf(why, n, "corrupt gzip data at byte %llu (%s)", off, m);
            goto out;
        }
        size_t got = BK_CHUNK - z.avail_out;
        if (got && fn(arg, (const char *)out, got) != 0) {
            snprintf(why, n, "the reader stopped at byte %llu", off);
            goto out;
        }
    }
    ret = 0;
out:
    inflateEnd(&z);
    free(in);
    free(out);
    return ret;
}

/* The next BK_CHUNK bytes of FD into BUF (0 at the end); -1 with WHY on a
 * read error or, every 16th chunk, when the deadline has passed. */
static ssize_t read_chunk(int fd, unsigned char *buf, unsigned iter, long long deadline_ms,
                          unsigned long long off, char *why, size_t n)
{
    if ((iter & 15) == 0 && timed_out(deadline_ms, off, why, n))
        return -1;
    ssize_t r = read_full(fd, buf, BK_CHUNK);
    if (r < 0)
        snprintf(why, n, "read error at byte %llu: %s", off, strerror(errno));
    return r;
}

/* Decode a zstd/lz4/xz/bzip2 file into FN; it must end cleanly (a frame or
 * stream complete at end of file).  OFF counts compressed bytes. */
static int stream_codec(int fd, bk_format f, long long deadline_ms, bk_sink fn, void *arg, char *why, size_t n)
{
    unsigned char *in = malloc(BK_CHUNK), *out = malloc(BK_CHUNK);
    unsigned long long off = 0;
    int ret = -1, clean = 0;
    char msg[160];
    if (!in || !out)
        abort();
    bk_dec *d = bk_dec_new(f, why, n);
    if (!d)
        goto out;
    for (unsigned iter = 0;; iter++) {
        ssize_t r = read_chunk(fd, in, iter, deadline_ms, off, why, n);
        if (r < 0)
            goto out;
        int eof = r == 0;
        const unsigned char *p = in;
        size_t left = (size_t)r;
        for (;;) {
            size_t o = BK_CHUNK, before = left;
            int rc = bk_dec_step(d, &p, &left, out, &o, eof, msg, sizeof msg);
            off += before - left;
            if (rc < 0) {
                snprintf(why, n, "corrupt %s data at byte %llu (%s)", bk_codec_name(f), off, msg);
                goto out;
            }
            clean = rc;
            if (o && fn(arg, (const char *)out, o) != 0) {
                snprintf(why, n, "the reader stopped at byte %llu", off);
                goto out;
            }
            if (o < BK_CHUNK && (left == 0 || (left == before && o == 0)))
                break; /* this chunk is used up (or the decoder wants more) */
        }
        if (eof)
            break;
    }
    if (!clean) {
        snprintf(why, n, "truncated %s stream at byte %llu", bk_codec_name(f), off);
        goto out;
    }
    ret = 0;
out:
    bk_dec_free(d);
    free(in);
    free(out);
    return ret;
}

static int stream_plain(int fd, long long deadline_ms, bk_sink fn, void *arg, char *why, size_t n)
{
    unsigned char *buf = malloc(BK_CHUNK);
    unsigned long long off = 0;
    int ret = -1;
    if (!buf)
        abort();
    for (unsigned iter = 0;; iter++) {
        ssize_t r = read_chunk(fd, buf, iter, deadline_ms, off, why, n);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        if (fn(arg, (const char *)buf, (size_t)r) != 0) {
            snprintf(why, n, "the reader stopped at byte %llu", off);
            goto out;
        }
        off += (unsigned long long)r;
    }
    ret = 0;
out:
    free(buf);
    return ret;
}

int bk_stream(const char *path, bk_format f, long long deadline_ms, bk_sink fn, void *arg, char *why,
              size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, n, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    int rc = f == BK_GZIP   ? stream_gzip(fd, deadline_ms, fn, arg, why, n)
             : f == BK_PLAIN ? stream_plain(fd, deadline_ms, fn, arg, why, n)
                             : stream_codec(fd, f, deadline_ms, fn, arg, why, n);
    close(fd);
    return rc;
}

int bk_verify_stream(const char *path, bk_format f, long long deadline_ms, char *why, size_t n)
{
    bk_plain *p = malloc(sizeof *p);
    if (!p)
        abort();
    bk_plain_init(p);
    int rc = bk_stream(path, f, deadline_ms, plain_sink, p, why, n);
    if (rc == 0)
        rc = bk_plain_finish(p, why, n);
    free(p);
    return rc;
}
