/*
 * backup_codec.c - the decompressors of plain dumps other than gzip: zstd
 * and lz4 (pg_dump -Fp -Z zstd|lz4 of PostgreSQL 16+, or `| zstd`,
 * `| lz4`), xz and bzip2 (`| xz`, `| bzip2`), behind one step function so
 * backup_sniff.c streams them all alike.  Concatenated frames/streams are
 * read on, as the command-line tools do (`cat a.zst b.zst`, pbzip2).
 *
 * gzip stays in backup_sniff.c: its messages (CRC, length, members) were
 * there first and the tests and operators rely on them.
 */
#include "backup_int.h"

#include <bzlib.h>
#include <lz4frame.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

/* xz decoders allocate their dictionary; -9 needs 64 MiB.  A header asking
 * for more than this is refused rather than allowed to eat the host. */
#define BK_XZ_MEMLIMIT (256ULL << 20)

struct bk_dec {
    bk_format f;
    int ended; /* bzip2: the last call ended a stream */
    ZSTD_DStream *zs;
    LZ4F_dctx *lz;
    lzma_stream xz;
    bz_stream bz;
};

const char *bk_codec_name(bk_format f)
{
    switch (f) {
    case BK_ZSTD: return "zstd";
    case BK_LZ4: return "lz4";
    case BK_XZ: return "xz";
    case BK_BZIP2: return "bzip2";
    case BK_GZIP: return "gzip";
    default: return "none";
    }
}

bk_dec *bk_dec_new(bk_format f, char *why, size_t n)
{
    bk_dec *d = calloc(1, sizeof *d);
    int ok = 0;
    if (!d)
        abort();
    d->f = f;
    switch (f) {
    case BK_ZSTD:
        d->zs = ZSTD_createDStream();
        ok = d->zs && !ZSTD_isError(ZSTD_initDStream(d->zs));
        break;
    case BK_LZ4:
        ok = !LZ4F_isError(LZ4F_createDecompressionContext(&d->lz, LZ4F_VERSION));
        break;
    case BK_XZ: {
        lzma_stream init = LZMA_STREAM_INIT;
        d->xz = init;
        ok = lzma_stream_decoder(&d->xz, BK_XZ_MEMLIMIT, LZMA_CONCATENATED) == LZMA_OK;
        break;
    }
    case BK_BZIP2:
        ok = BZ2_bzDecompressInit(&d->bz, 0, 0) == BZ_OK;
        break;
    default:
        break;
    }
    if (!ok) {
        snprintf(why, n, "%s: cannot initialise the decoder", bk_codec_name(f));
        bk_dec_free(d);
        return NULL;
    }
    return d;
}

void bk_dec_free(bk_dec *d)
{
    if (!d)
        return;
    if (d->zs)
        ZSTD_freeDStream(d->zs);
    if (d->lz)
        LZ4F_freeDecompressionContext(d->lz);
    if (d->f == BK_XZ)
        lzma_end(&d->xz);
    if (d->f == BK_BZIP2)
        BZ2_bzDecompressEnd(&d->bz);
    free(d);
}

static const char *xz_msg(lzma_ret r)
{
    switch (r) {
    case LZMA_FORMAT_ERROR: return "not an xz stream";
    case LZMA_OPTIONS_ERROR: return "unsupported xz options";
    case LZMA_DATA_ERROR: return "compressed data is corrupt";
    case LZMA_MEMLIMIT_ERROR: return "needs more than 256 MiB of memory";
    case LZMA_MEM_ERROR: return "out of memory";
    default: return "decoder error";
    }
}

static const char *bz_msg(int r)
{
    switch (r) {
    case BZ_DATA_ERROR: return "data integrity (CRC) error";
    case BZ_DATA_ERROR_MAGIC: return "bad bzip2 magic";
    case BZ_MEM_ERROR: return "out of memory";
    default: return "decoder error";
    }
}

int bk_dec_step(bk_dec *d, const unsigned char **in, size_t *inlen, unsigned char *out, size_t *outlen,
                int eof, char *why, size_t n)
{
    size_t cap = *outlen;
    *outlen = 0;
    switch (d->f) {
    case BK_ZSTD: {
        ZSTD_inBuffer ib = {*in, *inlen, 0};
        ZSTD_outBuffer ob = {out, cap, 0};
        size_t r = ZSTD_decompressStream(d->zs, &ob, &ib);
        *in += ib.pos;
        *inlen -= ib.pos;
        *outlen = ob.pos;
        if (ZSTD_isError(r)) {
            snprintf(why, n, "%s", ZSTD_getErrorName(r));
            return -1;
        }
        /* 0: a frame ended, fully flushed.  A call with nothing in or out
         * (at end of file) would read as the next frame's start: keep. */
        if (ib.pos || ob.pos)
            d->ended = r == 0;
        return d->ended;
    }
    case BK_LZ4: {
        size_t src = *inlen, dst = cap;
        size_t r = LZ4F_decompress(d->lz, out, &dst, *in, &src, NULL);
        *in += src;
        *inlen -= src;
        *outlen = dst;
        if (LZ4F_isError(r)) {
            snprintf(why, n, "%s", LZ4F_getErrorName(r));
            return -1;
        }
        /* 0: the frame ended; an empty call (no input yet) keeps the state. */
        if (src || dst)
            d->ended = r == 0;
        return d->ended;
    }
    case BK_XZ: {
        d->xz.next_in = *in;
        d->xz.avail_in = *inlen;
        d->xz.next_out = out;
        d->xz.avail_out = cap;
        lzma_ret r = lzma_code(&d->xz, eof ? LZMA_FINISH : LZMA_RUN);
        *inlen = d->xz.avail_in;
        *in = d->xz.next_in;
        *outlen = cap - d->xz.avail_out;
        if (r == LZMA_STREAM_END)
            return 1;
        if (r == LZMA_OK || (r == LZMA_BUF_ERROR && eof))
            return 0; /* BUF_ERROR at the end: cut short */
        snprintf(why, n, "%s", xz_msg(r));
        return -1;
    }
    case BK_BZIP2: {
        if (d->ended && *inlen) { /* another stream follows (pbzip2, cat) */
            BZ2_bzDecompressEnd(&d->bz);
            memset(&d->bz, 0, sizeof d->bz);
            if (BZ2_bzDecompressInit(&d->bz, 0, 0) != BZ_OK) {
                snprintf(why, n, "out of memory");
                return -1;
            }
            d->ended = 0;
        }
        if (d->ended)
            return 1;
        d->bz.next_in = (char *)*in;
        d->bz.avail_in = (unsigned)*inlen;
        d->bz.next_out = (char *)out;
        d->bz.avail_out = (unsigned)cap;
        int r = BZ2_bzDecompress(&d->bz);
        *in = (const unsigned char *)d->bz.next_in;
        *inlen = d->bz.avail_in;
        *outlen = cap - d->bz.avail_out;
        if (r == BZ_STREAM_END) {
            d->ended = 1;
            return 1;
        }
        if (r == BZ_OK)
            return 0;
        snprintf(why, n, "%s", bz_msg(r));
        return -1;
    }
    default:
        snprintf(why, n, "no decoder");
        return -1;
    }
}
