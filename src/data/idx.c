/* idx.c: the IDX reader (gzip through zlib's inflate, or raw) and image-set selection. See idx.h. */
#include "data/idx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

void gk_idx_free(gk_idx *x) {
    if (!x) return;
    free(x->data);
    memset(x, 0, sizeof *x);
}

void gk_image_set_free(gk_image_set *s) {
    if (!s) return;
    free(s->x);
    free(s->y);
    memset(s, 0, sizeof *s);
}

/* ---- the byte source: a raw file or one gzip stream (zlib's inflate, so that the end of the stream and what
 * follows it are ours to check) ------------------------------------------------------------------------------ */

typedef struct idx_src {
    FILE *f;
    const char *path;
    int gz, zinit, zend;  /* a gzip file; inflate set up; the gzip stream ended */
    z_stream z;
    unsigned char in[1 << 16];
    long long fsize;      /* bytes of a regular file, -1 if unknown (a pipe, a device) */
} idx_src;

/* Up to len bytes into buf; returns the count (short only at the end), or -1 with the problem in err. */
static long long src_read(idx_src *r, unsigned char *buf, size_t len, gk_error *err) {
    if (!r->gz) {
        size_t got = fread(buf, 1, len, r->f);
        if (got < len && ferror(r->f)) return gk_fail(err, GK_EIO, "%s: read error: %s", r->path, strerror(errno)), -1;
        return (long long)got;
    }
    size_t got = 0;
    while (got < len && !r->zend) {
        if (r->z.avail_in == 0) {
            r->z.avail_in = (uInt)fread(r->in, 1, sizeof r->in, r->f);
            r->z.next_in = r->in;
            if (r->z.avail_in == 0) {
                if (ferror(r->f)) return gk_fail(err, GK_EIO, "%s: read error: %s", r->path, strerror(errno)), -1;
                return gk_fail(err, GK_EINVAL, "%s: truncated: the gzip stream ends early", r->path), -1;
            }
        }
        size_t want = len - got > (1u << 30) ? (1u << 30) : len - got;
        r->z.next_out = buf + got;
        r->z.avail_out = (uInt)want;
        int zr = inflate(&r->z, Z_NO_FLUSH);
        got += want - r->z.avail_out;
        if (zr == Z_STREAM_END) r->zend = 1;
        else if (zr != Z_OK && zr != Z_BUF_ERROR)
            return gk_fail(err, GK_EINVAL, "%s: broken gzip data: %s", r->path, r->z.msg ? r->z.msg : zError(zr)), -1;
    }
    return (long long)got;
}

/* After the data: nothing more may follow (no more data, no bytes after the gzip stream). */
static gk_status src_check_end(idx_src *r, size_t count, gk_error *err) {
    unsigned char extra;
    long long n = src_read(r, &extra, 1, err);
    if (n < 0) return GK_EINVAL;
    if (n > 0)
        return gk_fail(err, GK_EINVAL, "%s: trailing data after the %zu bytes the header promises (wrong dimensions?)",
                       r->path, count);
    if (r->gz && (r->z.avail_in > 0 || fgetc(r->f) != EOF))
        return gk_fail(err, GK_EINVAL, "%s: extra bytes after the end of the gzip stream", r->path);
    return GK_OK;
}

static gk_status src_open(idx_src *r, const char *path, gk_error *err) {
    memset(r, 0, sizeof *r);
    r->path = path;
    r->f = fopen(path, "rb");
    if (!r->f) return gk_fail(err, GK_EIO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    r->fsize = fstat(fileno(r->f), &st) == 0 && S_ISREG(st.st_mode) ? (long long)st.st_size : -1;
    int c0 = fgetc(r->f), c1 = c0 == EOF ? EOF : fgetc(r->f);
    r->gz = c0 == 0x1f && c1 == 0x8b;
    rewind(r->f);
    if (r->gz) {
        if (inflateInit2(&r->z, 16 + MAX_WBITS) != Z_OK) return gk_fail(err, GK_ENOMEM, "%s: cannot start zlib", path);
        r->zinit = 1;
    }
    return GK_OK;
}

static void src_close(idx_src *r) {
    if (r->zinit) inflateEnd(&r->z);
    if (r->f) fclose(r->f);
}

/* ---- the header and the data ------------------------------------------------------------------------ */

/* Deflate packs at most 1032 bytes into one (zlib's technical notes): the most a gzip file can promise. */
#define GZ_MAX_RATIO 1032

static gk_status read_header(idx_src *r, gk_idx *out, gk_error *err) {
    unsigned char head[4 + 4 * GK_IDX_MAX_DIMS];
    long long n = src_read(r, head, 4, err);
    if (n < 0) return GK_EINVAL;
    if (n < 4) return gk_fail(err, GK_EINVAL, "%s: truncated: %lld bytes, shorter than the 4-byte IDX header", r->path, n);
    if (head[0] != 0 || head[1] != 0 || head[3] < 1 || head[3] > GK_IDX_MAX_DIMS)
        return gk_fail(err, GK_EINVAL, "%s: not an IDX file: bad magic number 0x%02x%02x%02x%02x (expected 0x000008 then 1..%d dimensions)",
                       r->path, head[0], head[1], head[2], head[3], GK_IDX_MAX_DIMS);
    if (head[2] != 0x08)
        return gk_fail(err, GK_EINVAL, "%s: IDX data type 0x%02x is not supported (only 0x08, unsigned byte)", r->path, head[2]);
    const int nd = head[3];
    n = src_read(r, head + 4, 4 * (size_t)nd, err);
    if (n < 0) return GK_EINVAL;
    if (n < 4 * nd)
        return gk_fail(err, GK_EINVAL, "%s: truncated: the header lists %d dimensions but ends after %lld of their bytes", r->path, nd, n);
    size_t count = 1;
    for (int k = 0; k < nd; k++) {
        const unsigned char *b = head + 4 + 4 * k;
        size_t dk = ((size_t)b[0] << 24) | ((size_t)b[1] << 16) | ((size_t)b[2] << 8) | (size_t)b[3];
        if (dk == 0) return gk_fail(err, GK_EINVAL, "%s: dimension %d is 0", r->path, k + 1);
        if (count > ((size_t)1 << 34) / dk)
            return gk_fail(err, GK_EINVAL, "%s: the dimensions give more than 2^34 bytes: not a plausible IDX file", r->path);
        count *= dk;
        out->dims[k] = dk;
    }
    out->ndim = nd;
    out->count = count;
    return GK_OK;
}

/* The header's promise against the file's size, before anything is allocated. */
static gk_status check_size(const idx_src *r, size_t count, int nd, gk_error *err) {
    if (r->fsize < 0) return GK_OK; /* not a regular file: the reads below find out */
    long long have = r->fsize - 4 - 4LL * nd;
    if (!r->gz && have < (long long)count)
        return gk_fail(err, GK_EINVAL, "%s: truncated: the header promises %zu data bytes, the file holds %lld", r->path,
                       count, have);
    if (!r->gz && have > (long long)count)
        return gk_fail(err, GK_EINVAL, "%s: trailing data after the %zu bytes the header promises (wrong dimensions?)",
                       r->path, count);
    if (r->gz && (double)count > (double)GZ_MAX_RATIO * (double)r->fsize)
        return gk_fail(err, GK_EINVAL, "%s: truncated: the header promises %zu data bytes, more than a gzip file of %lld bytes can hold",
                       r->path, count, r->fsize);
    return GK_OK;
}

/* The count data bytes, in a buffer that grows with what was actually read (a stream that stops early never
 * costs what its header promised). */
static gk_status read_data(idx_src *r, size_t count, unsigned char **data, gk_error *err) {
    size_t cap = count < ((size_t)1 << 20) ? count : ((size_t)1 << 20), got = 0;
    unsigned char *buf = malloc(cap);
    while (buf && got < count) {
        if (got == cap) {
            size_t nc = cap * 2 < count ? cap * 2 : count;
            unsigned char *nb = realloc(buf, nc);
            if (!nb) break;
            buf = nb, cap = nc;
        }
        long long n = src_read(r, buf + got, cap - got, err);
        if (n < 0) {
            free(buf);
            return GK_EINVAL;
        }
        got += (size_t)n;
        if (got < cap) {
            free(buf);
            return gk_fail(err, GK_EINVAL, "%s: truncated: the header promises %zu data bytes, the file holds %zu",
                           r->path, count, got);
        }
    }
    if (!buf || got < count) {
        free(buf);
        return gk_fail(err, GK_ENOMEM, "%s: out of memory for %zu bytes", r->path, count);
    }
    *data = buf;
    return GK_OK;
}

gk_status gk_idx_read(const char *path, gk_idx *out, gk_error *err) {
    memset(out, 0, sizeof *out);
    idx_src r;
    unsigned char *data = NULL;
    gk_status s = src_open(&r, path, err);
    if (!s) s = read_header(&r, out, err);
    if (!s) s = check_size(&r, out->count, out->ndim, err);
    if (!s) s = read_data(&r, out->count, &data, err);
    if (!s) s = src_check_end(&r, out->count, err);
    src_close(&r);
    if (s) {
        free(data);
        memset(out, 0, sizeof *out);
        return s;
    }
    out->data = data;
    return GK_OK;
}

gk_status gk_idx_read_best(char *path, size_t len, gk_idx *out, gk_error *err) {
    gk_status s = gk_idx_read(path, out, err);
    size_t n = strlen(path);
    char raw[1200];
    if (!s || n < 4 || strcmp(path + n - 3, ".gz") || n - 3 >= sizeof raw) return s;
    memcpy(raw, path, n - 3);
    raw[n - 3] = '\0';
    gk_error e2;
    if (access(raw, R_OK) != 0 || gk_idx_read(raw, out, &e2)) return s; /* the .gz's own problem is the one to tell */
    snprintf(path, len, "%s", raw);
    return GK_OK;
}

gk_status gk_idx_check_pair(const gk_idx *images, const gk_idx *labels, const char *images_path,
                            const char *labels_path, gk_error *err) {
    if (images->ndim != 3)
        return gk_fail(err, GK_EINVAL, "%s: an image file needs 3 dimensions (n x rows x cols), it has %d", images_path, images->ndim);
    if (labels->ndim != 1)
        return gk_fail(err, GK_EINVAL, "%s: a label file needs 1 dimension, it has %d", labels_path, labels->ndim);
    if (images->dims[0] != labels->dims[0])
        return gk_fail(err, GK_EINVAL, "%s has %zu images but %s has %zu labels", images_path, images->dims[0],
                       labels_path, labels->dims[0]);
    for (size_t i = 0; i < labels->count; i++)
        if (labels->data[i] > 9)
            return gk_fail(err, GK_EINVAL, "%s: label %u of item %zu is not a digit class 0..9", labels_path,
                           (unsigned)labels->data[i], i);
    return GK_OK;
}

static gk_status alloc_set(gk_image_set *out, size_t m, size_t d, gk_error *err) {
    memset(out, 0, sizeof *out);
    out->x = malloc((m ? m : 1) * d * sizeof(double));
    out->y = malloc((m ? m : 1) * sizeof(int));
    if (!out->x || !out->y) {
        gk_image_set_free(out);
        return gk_fail(err, GK_ENOMEM, "out of memory for %zu images of %zu pixels", m, d);
    }
    out->n = m, out->d = d, out->classes = 10;
    return GK_OK;
}

gk_status gk_idx_select(const gk_idx *images, const gk_idx *labels, const size_t *pick, size_t m, gk_image_set *out,
                        gk_error *err) {
    GK_ASSERT(images->ndim == 3 && labels->ndim == 1 && images->dims[0] == labels->dims[0]);
    const size_t d = images->dims[1] * images->dims[2];
    gk_status s = alloc_set(out, m, d, err);
    if (s) return s;
    for (size_t i = 0; i < m; i++) {
        GK_ASSERT(pick[i] < images->dims[0]);
        const unsigned char *src = images->data + pick[i] * d;
        for (size_t j = 0; j < d; j++) out->x[i * d + j] = (double)src[j] / 255.0;
        out->y[i] = labels->data[pick[i]];
    }
    return GK_OK;
}

gk_status gk_image_set_select(const gk_image_set *src, const size_t *pick, size_t m, gk_image_set *out, gk_error *err) {
    gk_status s = alloc_set(out, m, src->d, err);
    if (s) return s;
    out->classes = src->classes;
    for (size_t i = 0; i < m; i++) {
        GK_ASSERT(pick[i] < src->n);
        memcpy(out->x + i * src->d, src->x + pick[i] * src->d, src->d * sizeof(double));
        out->y[i] = src->y[pick[i]];
    }
    return GK_OK;
}

gk_status gk_idx_find(const char *dir, const char *stem, char *buf, size_t len, gk_error *err) {
    /* "train-images-idx3-ubyte" is also distributed as "train-images.idx3-ubyte". */
    char dotted[128];
    snprintf(dotted, sizeof dotted, "%s", stem);
    char *dash = strstr(dotted, "-idx");
    if (dash) *dash = '.';
    const char *stems[2] = {stem, dotted};
    for (int k = 0; k < 2; k++)
        for (int gz = 1; gz >= 0; gz--) {
            int w = snprintf(buf, len, "%s/%s%s", dir, stems[k], gz ? ".gz" : "");
            if (w < 0 || (size_t)w >= len) return gk_fail(err, GK_EINVAL, "the path %s/%s is too long", dir, stem);
            if (access(buf, R_OK) == 0) return GK_OK;
        }
    return gk_fail(err, GK_EIO, "no %s(.gz) in %s", stem, dir);
}
