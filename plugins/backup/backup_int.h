/*
 * backup_int.h - what the backup plugin's files share (not a public API).
 *
 *   backup_main.c     descriptor, option table, run(): the assertions and YAML
 *   backup_sniff.c    pure: format by content, header checks, the streaming
 *                     plain-SQL and gzip checks (bounded memory)
 *   backup_codec.c    pure: zstd, lz4, xz and bzip2 decoders behind one step
 *   backup_pgdir.c    pure: the data files of a -Fd dump end as pg_dump ends them
 *   backup_scan.c     pure: the candidate files of a folder, newest first
 *   backup_proc.c     running pg_restore / psql with a deadline (argv, no shell)
 *   backup_restore.c  verify = restore: a scratch database over libpq
 *
 * Only backup_main.c calls oc_*; the rest is linked by the unit tests.
 * Every "why" buffer receives one line for an operator, never a secret.
 */
#ifndef BACKUP_INT_H
#define BACKUP_INT_H

#include <stddef.h>
#include <time.h>

typedef enum bk_format {
    BK_NONE = 0, /* not recognised */
    BK_PLAIN,    /* pg_dump -Fp */
    BK_GZIP,     /* pg_dump -Fp | gzip */
    BK_CUSTOM,   /* -Fc */
    BK_DIR,      /* -Fd: a folder with toc.dat */
    BK_TAR,      /* -Ft */
    BK_ZSTD,     /* pg_dump -Fp -Z zstd (16+), or | zstd */
    BK_LZ4,      /* pg_dump -Fp -Z lz4 (16+), or | lz4 (frame format) */
    BK_XZ,       /* | xz */
    BK_BZIP2     /* | bzip2 */
} bk_format;

/* "plain SQL", "gzip plain SQL", "zstd plain SQL", ..., "custom",
 * "directory", "tar", "unknown". */
const char *bk_format_name(bk_format f);
/* Plain SQL, compressed or not: read as a stream, never by pg_restore. */
int bk_is_sql(bk_format f);

/* Recognise PATH (a file or a folder) by its content and check its header:
 * PGDMP version/sizes/format code, ustar + toc.dat, gzip magic and a pg_dump
 * header in the first decompressed bytes, the plain-SQL header comment.
 * Returns the format, or BK_NONE with WHY set. */
bk_format bk_sniff(const char *path, char *why, size_t n);

/* The same on a buffer holding a file's first LEN bytes (LEN may be short);
 * folders are not handled here.  Used by bk_sniff and the unit tests. */
bk_format bk_sniff_buf(const unsigned char *b, size_t len, char *why, size_t n);

/* Streaming check of plain SQL: the header comment near the start, the
 * "dump complete" comment near the end followed only by comments, blank
 * lines and \unrestrict.  A pg_dumpall dump ("-- PostgreSQL database
 * cluster dump" at the start) must end with its own "cluster dump complete"
 * line instead.  Feed any number of chunks, then finish. */
#define BK_TAIL 8192
typedef struct bk_plain {
    char head[2048];
    size_t head_len;
    char tail[BK_TAIL];
    size_t tail_len;
    unsigned long long total;
} bk_plain;
void bk_plain_init(bk_plain *p);
void bk_plain_feed(bk_plain *p, const char *buf, size_t len);
int bk_plain_finish(const bk_plain *p, char *why, size_t n); /* 0 or -1 */

/* verify = full of a plain or compressed plain dump: read the whole file as
 * a stream (gzip through zlib, every member, CRC and length; the others
 * through backup_codec.c, every frame, to a clean end), in bounded memory.
 * DEADLINE_MS is CLOCK_MONOTONIC ms (0: none).  0, or -1 with WHY. */
int bk_verify_stream(const char *path, bk_format f, long long deadline_ms, char *why, size_t n);

/* Feed the decompressed content of a plain or gzip dump to FN (e.g. a pipe
 * to psql); stops with -1 and WHY when FN returns non-zero or the stream is
 * bad.  Shares the reader with bk_verify_stream. */
typedef int (*bk_sink)(void *arg, const char *buf, size_t len);
int bk_stream(const char *path, bk_format f, long long deadline_ms, bk_sink fn, void *arg,
              char *why, size_t n);

/* The ustar structure of a -Ft dump (headers, sizes, end blocks): 0 or -1. */
int bk_tar_check(const char *path, char *why, size_t n);

long long bk_now_ms(void); /* CLOCK_MONOTONIC */

/* The archive version of a custom, directory or tar dump (PGDMP vmaj.vmin,
 * pg_backup_archiver.h: 1.14 up to PostgreSQL 15, 1.15 = 16, 1.16 = 17).
 * 0 with VMAJ and VMIN set, or -1. */
int bk_archive_version(const char *path, bk_format f, int *vmaj, int *vmin);

/* ---- backup_codec.c ---- */
typedef struct bk_dec bk_dec;
const char *bk_codec_name(bk_format f); /* "zstd", "lz4", "xz", "bzip2" */
bk_dec *bk_dec_new(bk_format f, char *why, size_t n); /* NULL with WHY */
/* Decode from *IN (*INLEN bytes, both advanced) into OUT (*OUTLEN: its
 * size, then the bytes written).  EOF: no input will follow.  Returns 1
 * when what was read so far ends a frame/stream cleanly, 0 when it does
 * not (yet), -1 with WHY (the library's message) on bad data. */
int bk_dec_step(bk_dec *d, const unsigned char **in, size_t *inlen, unsigned char *out, size_t *outlen,
                int eof, char *why, size_t n);
void bk_dec_free(bk_dec *d);

/* ---- backup_pgdir.c ---- */
/* Every table data file of a -Fd dump (NNNN.dat, or compressed NNNN.dat.gz,
 * .lz4, .zst: each stream complete) ends as pg_dump ends it: a COPY stream
 * with its "\." line, --inserts with the last statement's ";" (then blank
 * lines).  pg_restore -f /dev/null reads a data file cut short without
 * complaint.  DEADLINE_MS as bk_stream.  0, or -1 with WHY. */
int bk_dir_data_check(const char *dir, long long deadline_ms, char *why, size_t n);

/* ---- backup_scan.c ---- */
typedef struct bk_file {
    char *path;       /* dir + "/" + name */
    char *name;
    time_t mtime;
    long long size;   /* a folder: the sum of its files */
    int is_dir;
    int state;        /* 0 not verified, 1 good, -1 bad (filled by the caller) */
    bk_format fmt;
    char why[256];
} bk_file;

/* Entries of DIR whose names match one of the globs, newest first (ties by
 * name).  Returns 0, or -1 with WHY ("cannot open folder X: Permission denied"). */
int bk_scan(const char *dir, const char *const *globs, size_t nglobs, bk_file **out, size_t *nout,
            char *why, size_t n);
void bk_files_free(bk_file *f, size_t n);

/* "26h", "3d 4h", "45m", "12s": an age for a person. */
void bk_age_str(long long seconds, char *buf, size_t n);
/* "1.5 GiB", "512 B". */
void bk_size_str(long long bytes, char *buf, size_t n);

/* ---- backup_proc.c ---- */
typedef struct bk_proc {
    int pid;
    int stdin_w;      /* write end of the child's stdin, or -1 */
    int err_fd;       /* a temporary file holding the child's stderr */
} bk_proc;
typedef struct bk_proc_res {
    int exited;       /* exit code when >= 0 */
    int signo;        /* killed by a signal */
    int timed_out;
    char err[320];    /* the first lines of stderr, joined, or the spawn error */
} bk_proc_res;
/* Start ARGV[0] (PATH searched) with ENVADD ("NAME=value") over our
 * environment, stdout to /dev/null, stderr to a temp file, stdin from a
 * pipe when WANT_STDIN, else /dev/null.  0, or -1 with r->err set. */
int bk_spawn(const char *const *argv, const char *const *envadd, int want_stdin, bk_proc *p,
             bk_proc_res *r);
/* Wait until it exits or DEADLINE_MS passes (then SIGKILL).  Closes stdin_w. */
void bk_wait(bk_proc *p, long long deadline_ms, bk_proc_res *r);
/* Both: run to completion.  Returns 0 when it exited 0. */
int bk_run(const char *const *argv, const char *const *envadd, long long deadline_ms, bk_proc_res *r);

/* The pg_restore to run: OPT (the pg_restore option) when set, else the
 * newest /usr/lib/postgresql/N/bin/pg_restore (Debian installs each major
 * there side by side), else pg_restore on PATH.  PROG gets its path, MAJOR
 * its major version (0: unknown).  Returns 0. */
int bk_pg_restore_find(const char *opt, long long deadline_ms, char *prog, size_t n, int *major);
/* The PostgreSQL major whose pg_restore first reads archive 1.VMIN (1.15 =
 * 16, 1.16 = 17; later ones guessed as one more each); 0 for any. */
int bk_archive_needs(int vmin);

/* ---- backup_restore.c ---- */
typedef struct bk_restore_res {
    long long tables;   /* user tables in the scratch database, -1 unknown */
    char scratch[64];   /* the scratch database's name */
    char server[128];   /* host:port of restore_dsn, no password */
} bk_restore_res;
/* Restore F into a new scratch database on DSN, count its tables, drop it.
 * Returns 0, -1 with WHY, or BK_RESTORE_UNSUITABLE with WHY when F is a
 * plain dump this cannot restore (pg_dumpall, pg_dump -C): nothing was run. */
#define BK_RESTORE_UNSUITABLE (-3)
/* PG_RESTORE: the program restoring archives (NULL or "": pg_restore on PATH). */
int bk_restore(const char *dsn, const bk_file *f, const char *pg_restore, long long deadline_ms, bk_restore_res *rr,
               char *why, size_t n);

#endif
