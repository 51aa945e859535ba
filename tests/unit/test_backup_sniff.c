/*
 * test_backup_sniff.c - unit tests of the backup plugin's pure parts
 * (plugins/backup/backup_sniff.c, backup_scan.c): formats by content,
 * PGDMP header rules, the plain-SQL head/tail rules fed in odd chunks,
 * gzip streaming (members, truncation offset, corruption, trailing
 * garbage), the tar walk, and the age/size wording; issue 14: pg_dumpall's
 * own header and footer, zstd/lz4/xz/bzip2 (backup_codec.c) by magic and
 * streamed, the data files of a -Fd -Z0 dump (backup_pgdir.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bzlib.h>
#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>
#include <cmocka.h>

#include "../../plugins/backup/backup_int.h"

static const char DUMP[] =
    "--\n-- PostgreSQL database dump\n--\n\n\\restrict abc123\n\n"
    "-- Dumped from database version 15.18\n\nSET statement_timeout = 0;\n"
    "CREATE TABLE public.payments (id integer);\nCOPY public.payments (id) FROM stdin;\n1\n2\n\\.\n\n"
    "--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict abc123\n\n";

static char why[512];

/* gzip LEN bytes of SRC into a malloc'd buffer; *out_len set. */
static unsigned char *gz(const char *src, size_t len, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&z, len) + 64;
    unsigned char *o = malloc(cap);
    z.next_in = (unsigned char *)src;
    z.avail_in = (uInt)len;
    z.next_out = o;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    *out_len = cap - z.avail_out;
    deflateEnd(&z);
    return o;
}

static char *tmpfile_with(const void *b, size_t len)
{
    static char path[64];
    strcpy(path, "/tmp/test_backup_sniff.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b, len), (ssize_t)len);
    close(fd);
    return path;
}

static void test_sniff_magic(void **state)
{
    (void)state;
    unsigned char c[16] = {'P', 'G', 'D', 'M', 'P', 1, 14, 0, 4, 8, 1, 1, 1, 0, 0, 0};
    assert_int_equal(bk_sniff_buf(c, sizeof c, why, sizeof why), BK_CUSTOM);
    c[10] = 3;
    assert_int_equal(bk_sniff_buf(c, sizeof c, why, sizeof why), BK_NONE);
    assert_non_null(strstr(why, "bare toc.dat"));
    c[10] = 1;
    c[6] = 40;
    assert_int_equal(bk_sniff_buf(c, sizeof c, why, sizeof why), BK_NONE);
    assert_string_equal(why, "unsupported archive version 1.40");
    c[6] = 14;
    c[8] = 3;
    assert_int_equal(bk_sniff_buf(c, sizeof c, why, sizeof why), BK_NONE);
    assert_non_null(strstr(why, "int size 3"));
    assert_int_equal(bk_sniff_buf(c, 7, why, sizeof why), BK_NONE);
    assert_non_null(strstr(why, "cut short"));

    assert_int_equal(bk_sniff_buf((const unsigned char *)"", 0, why, sizeof why), BK_NONE);
    assert_string_equal(why, "empty file (0 bytes)");
    assert_int_equal(bk_sniff_buf((const unsigned char *)"NOTA\x01\x02", 6, why, sizeof why), BK_NONE);
    assert_string_equal(why, "wrong magic: not a pg_dump file (first bytes 4e 4f 54 41)");
    assert_int_equal(bk_sniff_buf((const unsigned char *)DUMP, sizeof DUMP - 1, why, sizeof why), BK_PLAIN);
    assert_int_equal(bk_sniff_buf((const unsigned char *)"SELECT 1;\n", 10, why, sizeof why), BK_NONE);
    assert_non_null(strstr(why, "text without the pg_dump header"));
    /* "dump complete" is no header */
    const char *only_done = "-- PostgreSQL database dump complete\n";
    assert_int_equal(bk_sniff_buf((const unsigned char *)only_done, strlen(only_done), why, sizeof why), BK_NONE);
}

static void test_sniff_tar_and_gzip(void **state)
{
    (void)state;
    unsigned char t[1024];
    memset(t, 0, sizeof t);
    strcpy((char *)t, "toc.dat");
    memcpy(t + 257, "ustar", 5);
    memcpy(t + 512, "PGDMP\x01\x0e\x00\x04\x08\x03", 11);
    assert_int_equal(bk_sniff_buf(t, sizeof t, why, sizeof why), BK_TAR);
    strcpy((char *)t, "other.dat");
    assert_int_equal(bk_sniff_buf(t, sizeof t, why, sizeof why), BK_NONE);
    assert_non_null(strstr(why, "not toc.dat"));

    size_t n;
    unsigned char *g = gz(DUMP, sizeof DUMP - 1, &n);
    assert_int_equal(bk_sniff_buf(g, n, why, sizeof why), BK_GZIP);
    free(g);
    g = gz("hello world\n", 12, &n);
    assert_int_equal(bk_sniff_buf(g, n, why, sizeof why), BK_NONE);
    assert_non_null(strstr(why, "does not hold a pg_dump"));
    free(g);
}

static void test_plain_rules(void **state)
{
    (void)state;
    bk_plain p;
    /* fed one byte at a time: the same verdict */
    bk_plain_init(&p);
    for (size_t i = 0; i < sizeof DUMP - 1; i++)
        bk_plain_feed(&p, DUMP + i, 1);
    assert_int_equal(bk_plain_finish(&p, why, sizeof why), 0);

    /* no \restrict lines (older pg_dump) */
    const char *old = "--\n-- PostgreSQL database dump\n--\nSET x = 0;\n--\n-- PostgreSQL database dump complete\n--\n\n";
    bk_plain_init(&p);
    bk_plain_feed(&p, old, strlen(old));
    assert_int_equal(bk_plain_finish(&p, why, sizeof why), 0);

    /* cut before the footer */
    const char *cut = strstr(DUMP, "--\n-- PostgreSQL database dump complete");
    bk_plain_init(&p);
    bk_plain_feed(&p, DUMP, (size_t)(cut - DUMP));
    assert_int_equal(bk_plain_finish(&p, why, sizeof why), -1);
    assert_non_null(strstr(why, "no 'dump complete' line"));

    /* SQL after the footer */
    bk_plain_init(&p);
    bk_plain_feed(&p, DUMP, sizeof DUMP - 1);
    bk_plain_feed(&p, "DROP TABLE x;\n", 14);
    assert_int_equal(bk_plain_finish(&p, why, sizeof why), -1);
    assert_string_equal(why, "SQL after the 'dump complete' line: 'DROP TABLE x;'");

    /* two \unrestrict lines are one too many */
    bk_plain_init(&p);
    bk_plain_feed(&p, DUMP, sizeof DUMP - 1);
    bk_plain_feed(&p, "\\unrestrict zzz\n", 16);
    assert_int_equal(bk_plain_finish(&p, why, sizeof why), -1);

    /* a big middle: the tail ring keeps the end */
    bk_plain_init(&p);
    bk_plain_feed(&p, DUMP, 40);
    char *mid = malloc(100000);
    memset(mid, 'x', 100000);
    mid[99999] = '\n';
    bk_plain_feed(&p, mid, 100000);
    bk_plain_feed(&p, DUMP + 40, sizeof DUMP - 1 - 40);
    assert_int_equal(bk_plain_finish(&p, why, sizeof why), 0);
    free(mid);

    bk_plain_init(&p);
    assert_int_equal(bk_plain_finish(&p, why, sizeof why), -1);
    assert_string_equal(why, "no SQL text (0 bytes)");
}

static void test_gzip_stream(void **state)
{
    (void)state;
    size_t n1, n2;
    unsigned char *a = gz(DUMP, 60, &n1);
    unsigned char *b = gz(DUMP + 60, sizeof DUMP - 1 - 60, &n2);
    unsigned char *both = malloc(n1 + n2 + 8);
    memcpy(both, a, n1);
    memcpy(both + n1, b, n2);

    char *p = tmpfile_with(both, n1 + n2); /* two members, as `cat a.gz b.gz` */
    assert_int_equal(bk_verify_stream(p, BK_GZIP, 0, why, sizeof why), 0);
    unlink(p);

    p = tmpfile_with(both, n1 + n2 - 5);
    assert_int_equal(bk_verify_stream(p, BK_GZIP, 0, why, sizeof why), -1);
    char want[80];
    snprintf(want, sizeof want, "truncated gzip stream at byte %zu", n1 + n2 - 5);
    assert_string_equal(why, want);
    unlink(p);

    memcpy(both + n1 + n2, "JUNKJUNK", 8);
    p = tmpfile_with(both, n1 + n2 + 8);
    assert_int_equal(bk_verify_stream(p, BK_GZIP, 0, why, sizeof why), -1);
    assert_non_null(strstr(why, "trailing garbage"));
    unlink(p);

    both[n1 + n2 - 6] ^= 0x55; /* inside the CRC32 of the second member */
    p = tmpfile_with(both, n1 + n2);
    assert_int_equal(bk_verify_stream(p, BK_GZIP, 0, why, sizeof why), -1);
    assert_non_null(strstr(why, "gzip checksum mismatch (incorrect data check)"));
    unlink(p);

    p = tmpfile_with(DUMP, sizeof DUMP - 1);
    assert_int_equal(bk_verify_stream(p, BK_PLAIN, 0, why, sizeof why), 0);
    unlink(p);
    free(a);
    free(b);
    free(both);
}

static void test_tar_walk(void **state)
{
    (void)state;
    unsigned char t[512 * 4];
    memset(t, 0, sizeof t);
    strcpy((char *)t, "toc.dat");
    memcpy(t + 257, "ustar", 5);
    snprintf((char *)t + 124, 12, "%011o", 100); /* 100 bytes: one data block */
    memset(t + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += t[i];
    snprintf((char *)t + 148, 8, "%06o", sum);
    char *p = tmpfile_with(t, sizeof t); /* header, data, end block, end block */
    assert_int_equal(bk_tar_check(p, why, sizeof why), 0);
    unlink(p);
    p = tmpfile_with(t, 600);
    assert_int_equal(bk_tar_check(p, why, sizeof why), -1);
    assert_string_equal(why, "truncated tar archive: member toc.dat needs 100 bytes at byte 512, file is 600 bytes");
    unlink(p);
    p = tmpfile_with(t, 1024);
    assert_int_equal(bk_tar_check(p, why, sizeof why), -1);
    assert_non_null(strstr(why, "no end-of-archive block at byte 1024"));
    unlink(p);
    t[0] = 'x';
    p = tmpfile_with(t, sizeof t);
    assert_int_equal(bk_tar_check(p, why, sizeof why), -1);
    assert_non_null(strstr(why, "corrupt tar header at byte 0"));
    unlink(p);
}

static void test_words(void **state)
{
    (void)state;
    char b[64];
    bk_age_str(30 * 3600, b, sizeof b);
    assert_string_equal(b, "30h");
    bk_age_str(26 * 3600 + 300, b, sizeof b);
    assert_string_equal(b, "26h 5m");
    bk_age_str(8 * 86400 + 3600, b, sizeof b);
    assert_string_equal(b, "8d 1h");
    bk_age_str(45, b, sizeof b);
    assert_string_equal(b, "45s");
    bk_size_str(512, b, sizeof b);
    assert_string_equal(b, "512 B");
    bk_size_str(1048576, b, sizeof b);
    assert_string_equal(b, "1.0 MiB (1048576 bytes)");
    assert_string_equal(bk_format_name(BK_DIR), "directory");
}

/* ---- issue 14 ---- */

/* A pg_dumpall dump with many roles: the cluster header at the start, the
 * first database's header far past the 2 KiB head, and the cluster footer
 * after the last database's own. */
static char *cluster_dump(size_t roles)
{
    size_t cap = 4096 + roles * 64 + 2 * sizeof DUMP;
    char *s = malloc(cap), *p = s;
    p += sprintf(p, "--\n-- PostgreSQL database cluster dump\n--\n\n\\restrict k1\n\n-- Roles\n\n");
    for (size_t i = 0; i < roles; i++)
        p += sprintf(p, "CREATE ROLE role_%zu;\n", i);
    p += sprintf(p, "\n\\unrestrict k1\n\n\\connect quiz\n\n%s%s", DUMP,
                 "--\n-- PostgreSQL database cluster dump complete\n--\n\n");
    return s;
}

static void test_cluster_rules(void **state)
{
    (void)state;
    bk_plain p;
    char *all = cluster_dump(400);
    assert_true(strstr(all, "-- PostgreSQL database dump\n") - all > 8192);
    assert_int_equal(bk_sniff_buf((const unsigned char *)all, 8192, why, sizeof why), BK_PLAIN);
    bk_plain_init(&p);
    bk_plain_feed(&p, all, strlen(all));
    assert_int_equal(bk_plain_finish(&p, why, sizeof why), 0);

    /* cut after the last database's footer: the cluster's own is missing */
    *strstr(all, "--\n-- PostgreSQL database cluster dump complete") = '\0';
    bk_plain_init(&p);
    bk_plain_feed(&p, all, strlen(all));
    assert_int_equal(bk_plain_finish(&p, why, sizeof why), -1);
    assert_non_null(strstr(why, "no 'cluster dump complete' line (truncated pg_dumpall dump"));
    free(all);

    /* a single-database dump does not pass on a cluster footer */
    const char *odd = "--\n-- PostgreSQL database dump\n--\nSET x = 0;\n--\n-- PostgreSQL database cluster dump complete\n--\n";
    bk_plain_init(&p);
    bk_plain_feed(&p, odd, strlen(odd));
    assert_int_equal(bk_plain_finish(&p, why, sizeof why), -1);
}

/* SRC compressed by F's own library (as the command-line tools write it). */
static unsigned char *pack(bk_format f, const char *src, size_t len, size_t *out_len)
{
    size_t cap = len + len / 2 + 65536;
    unsigned char *o = malloc(cap);
    switch (f) {
    case BK_ZSTD:
        *out_len = ZSTD_compress(o, cap, src, len, 3);
        assert_false(ZSTD_isError(*out_len));
        break;
    case BK_LZ4: {
        LZ4F_preferences_t pr;
        memset(&pr, 0, sizeof pr);
        pr.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
        *out_len = LZ4F_compressFrame(o, cap, src, len, &pr);
        assert_false(LZ4F_isError(*out_len));
        break;
    }
    case BK_XZ:
        *out_len = 0;
        assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, (const uint8_t *)src, len, o, out_len, cap),
                         LZMA_OK);
        break;
    default: {
        unsigned int ol = (unsigned int)cap;
        assert_int_equal(BZ2_bzBuffToBuffCompress((char *)o, &ol, (char *)src, (unsigned int)len, 9, 0, 0), BZ_OK);
        *out_len = ol;
        break;
    }
    }
    return o;
}

static void test_codecs(void **state)
{
    (void)state;
    static const bk_format fs[] = {BK_ZSTD, BK_LZ4, BK_XZ, BK_BZIP2};
    /* big enough that a zstd or bzip2 block outgrows the 8 KiB sniffed */
    size_t big_len = 600000;
    char *big = malloc(big_len + sizeof DUMP);
    size_t k = (size_t)sprintf(big, "--\n-- PostgreSQL database dump\n--\n\nCOPY public.t (v) FROM stdin;\n");
    for (unsigned x = 1; k < big_len; x = x * 1103515245u + 12345u)
        k += (size_t)sprintf(big + k, "%08x\n", x);
    k += (size_t)sprintf(big + k, "\\.\n\n--\n-- PostgreSQL database dump complete\n--\n\n");
    for (size_t i = 0; i < 4; i++) {
        bk_format f = fs[i];
        size_t n;
        unsigned char *c = pack(f, DUMP, sizeof DUMP - 1, &n);
        assert_int_equal(bk_sniff_buf(c, n, why, sizeof why), f);
        char *path = tmpfile_with(c, n);
        assert_int_equal(bk_sniff(path, why, sizeof why), f);
        assert_int_equal(bk_verify_stream(path, f, 0, why, sizeof why), 0);
        unlink(path);
        /* a second frame/stream is read on (cat a.zst b.zst): its SQL counts */
        size_t n2;
        unsigned char *c2 = pack(f, "DROP TABLE payments;\n", 21, &n2), *two = malloc(n + n2);
        memcpy(two, c, n);
        memcpy(two + n, c2, n2);
        path = tmpfile_with(two, n + n2);
        assert_int_equal(bk_verify_stream(path, f, 0, why, sizeof why), -1);
        assert_string_equal(why, "SQL after the 'dump complete' line: 'DROP TABLE payments;'");
        unlink(path);
        free(two);
        free(c2);
        /* cut short */
        path = tmpfile_with(c, n - 3);
        assert_int_equal(bk_verify_stream(path, f, 0, why, sizeof why), -1);
        assert_non_null(strstr(why, "truncated "));
        assert_non_null(strstr(why, bk_codec_name(f)));
        unlink(path);
        free(c);
        /* not a dump inside */
        c = pack(f, "hello world\n", 12, &n);
        path = tmpfile_with(c, n);
        assert_int_equal(bk_sniff(path, why, sizeof why), BK_NONE);
        assert_non_null(strstr(why, "does not hold a pg_dump"));
        unlink(path);
        free(c);
        /* a big one: the head comes from reading the file on */
        c = pack(f, big, k, &n);
        path = tmpfile_with(c, n);
        assert_int_equal(bk_sniff(path, why, sizeof why), f);
        assert_int_equal(bk_verify_stream(path, f, 0, why, sizeof why), 0);
        unlink(path);
        path = tmpfile_with(c, n / 2);
        assert_int_equal(bk_verify_stream(path, f, 0, why, sizeof why), -1);
        unlink(path);
        free(c);
        assert_string_equal(bk_format_name(f) + strlen(bk_codec_name(f)), " plain SQL");
        assert_true(bk_is_sql(f));
    }
    free(big);
    assert_false(bk_is_sql(BK_CUSTOM));
}

static void put_file(const char *dir, const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_dir_data(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_backup_pgdir.XXXXXX";
    assert_non_null(mkdtemp(dir));
    put_file(dir, "toc.dat", "PGDMP");
    put_file(dir, "blob_7.dat", "raw bytes, no end line");
    put_file(dir, "3378.dat", "1\tx\n2\ty\n\\.\n\n\n");
    put_file(dir, "3379.dat", "\\.\n\n\n"); /* an empty table */
    put_file(dir, "3380.dat", "INSERT INTO public.t VALUES (1);\nINSERT INTO public.t VALUES (2);\n\n\n");
    /* compressed members, as pg_dump names them (gzip default; lz4, zstd 16+) */
    char cmd[600];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && printf '1\\tx\\n\\\\.\\n\\n' | gzip >3381.dat.gz && "
             "printf '1\\tx\\n\\\\.\\n\\n' | lz4 -q >3382.dat.lz4 && "
             "printf '1\\tx\\n\\\\.\\n\\n' | zstd -q >3383.dat.zst",
             dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(bk_dir_data_check(dir, 0, why, sizeof why), 0);
    put_file(dir, "3382.dat.lz4", "not lz4 at all");
    assert_int_equal(bk_dir_data_check(dir, 0, why, sizeof why), -1);
    assert_non_null(strstr(why, "data file 3382.dat.lz4: corrupt lz4 data"));
    snprintf(cmd, sizeof cmd, "cd '%s' && printf '1\\tx\\n2\\ty' | lz4 -q >3382.dat.lz4", dir);
    assert_int_equal(system(cmd), 0); /* a complete frame of a cut data file */
    assert_int_equal(bk_dir_data_check(dir, 0, why, sizeof why), -1);
    assert_string_equal(why, "data file 3382.dat.lz4 is cut short (7 bytes decompressed, no '\\.' end-of-data line at its end)");
    snprintf(cmd, sizeof cmd, "cd '%s' && rm 3382.dat.lz4 3383.dat.zst", dir);
    assert_int_equal(system(cmd), 0);
    put_file(dir, "3378.dat", "1\tx\n2\ty\n3\tz;"); /* a COPY row ending in ';' is no end */
    assert_int_equal(bk_dir_data_check(dir, 0, why, sizeof why), -1);
    assert_string_equal(why, "data file 3378.dat is cut short (12 bytes, no '\\.' end-of-data line at its end)");
    put_file(dir, "3378.dat", "1\tx\n\\\\.\n"); /* a row holding "\." is escaped: not the end line */
    assert_int_equal(bk_dir_data_check(dir, 0, why, sizeof why), -1);
    put_file(dir, "3378.dat", "\\.\n");
    put_file(dir, "3380.dat", "INSERT INTO public.t VALUES (1);\nINSERT INTO public.t VAL");
    assert_int_equal(bk_dir_data_check(dir, 0, why, sizeof why), -1);
    assert_non_null(strstr(why, "3380.dat is cut short"));
    assert_non_null(strstr(why, "';' ending the last INSERT"));
    put_file(dir, "3380.dat", "");
    assert_int_equal(bk_dir_data_check(dir, 0, why, sizeof why), -1);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(bk_archive_needs(14), 0);
    assert_int_equal(bk_archive_needs(15), 16);
    assert_int_equal(bk_archive_needs(16), 17);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sniff_magic),     cmocka_unit_test(test_sniff_tar_and_gzip),
        cmocka_unit_test(test_plain_rules),     cmocka_unit_test(test_gzip_stream),
        cmocka_unit_test(test_tar_walk),        cmocka_unit_test(test_words),
        cmocka_unit_test(test_cluster_rules),   cmocka_unit_test(test_codecs),
        cmocka_unit_test(test_dir_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
