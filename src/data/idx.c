/* idx.c: the IDX reader (gzip or raw through zlib) and image-set selection. See idx.h. */
#include "data/idx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
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

/* Reads exactly len bytes; returns the count read, or -1 on a zlib error (message in *zmsg). */
static long read_all(gzFile f, unsigned char *buf, size_t len, const char **zmsg) {
    size_t got = 0;
    while (got < len) {
        size_t want = len - got > (1u << 30) ? (1u << 30) : len - got;
        int r = gzread(f, buf + got, (unsigned)want);
        if (r < 0) {
            int code;
            *zmsg = gzerror(f, &code);
            return -1;
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    /* gzread reports a damaged or cut-off gzip stream through gzerror, not through its return value. */
    int code = Z_OK;
    const char *m = gzerror(f, &code);
    if (code != Z_OK && code != Z_BUF_ERROR) {
        *zmsg = m;
        return -1;
    }
    if (code == Z_BUF_ERROR && got < len) {
        *zmsg = "the gzip stream ends early";
        return -1;
    }
    return (long)got;
}

gk_status gk_idx_read(const char *path, gk_idx *out, gk_error *err) {
    memset(out, 0, sizeof *out);
    gzFile f = gzopen(path, "rb");
    if (!f) return gk_fail(err, GK_EIO, "cannot open %s: %s", path, errno ? strerror(errno) : "zlib could not open it");
    gk_status s = GK_OK;
    const char *zmsg = NULL;
    unsigned char head[4 + 4 * GK_IDX_MAX_DIMS], *data = NULL;
    long r = read_all(f, head, 4, &zmsg);
    if (r < 0) {
        s = gk_fail(err, GK_EIO, "%s: cannot read: %s", path, zmsg);
        goto done;
    }
    if (r < 4) {
        s = gk_fail(err, GK_EIO, "%s: truncated: %ld bytes, shorter than the 4-byte IDX header", path, r);
        goto done;
    }
    if (head[0] != 0 || head[1] != 0 || head[3] < 1 || head[3] > GK_IDX_MAX_DIMS) {
        s = gk_fail(err, GK_EIO, "%s: not an IDX file: bad magic number 0x%02x%02x%02x%02x (expected 0x000008 then 1..%d dimensions)",
                    path, head[0], head[1], head[2], head[3], GK_IDX_MAX_DIMS);
        goto done;
    }
    if (head[2] != 0x08) {
        s = gk_fail(err, GK_EIO, "%s: IDX data type 0x%02x is not supported (only 0x08, unsigned byte)", path, head[2]);
        goto done;
    }
    const int nd = head[3];
    r = read_all(f, head + 4, 4 * (size_t)nd, &zmsg);
    if (r < 0 || r < 4 * nd) {
        s = r < 0 ? gk_fail(err, GK_EIO, "%s: cannot read: %s", path, zmsg)
                  : gk_fail(err, GK_EIO, "%s: truncated: the header lists %d dimensions but ends after %ld of their bytes", path, nd, r);
        goto done;
    }
    size_t count = 1;
    for (int k = 0; k < nd; k++) {
        const unsigned char *b = head + 4 + 4 * k;
        size_t dk = ((size_t)b[0] << 24) | ((size_t)b[1] << 16) | ((size_t)b[2] << 8) | (size_t)b[3];
        if (dk == 0) {
            s = gk_fail(err, GK_EIO, "%s: dimension %d is 0", path, k + 1);
            goto done;
        }
        if (count > ((size_t)1 << 34) / dk) {
            s = gk_fail(err, GK_EIO, "%s: the dimensions give more than 2^34 bytes: not a plausible IDX file", path);
            goto done;
        }
        count *= dk;
        out->dims[k] = dk;
    }
    data = malloc(count);
    if (!data) {
        s = gk_fail(err, GK_ENOMEM, "%s: out of memory for %zu bytes", path, count);
        goto done;
    }
    r = read_all(f, data, count, &zmsg);
    if (r < 0) {
        s = gk_fail(err, GK_EIO, "%s: cannot read: %s", path, zmsg);
        goto done;
    }
    if ((size_t)r < count) {
        s = gk_fail(err, GK_EIO, "%s: truncated: the header promises %zu data bytes, the file holds %ld", path, count, r);
        goto done;
    }
    unsigned char extra;
    r = read_all(f, &extra, 1, &zmsg);
    if (r != 0) {
        s = r < 0 ? gk_fail(err, GK_EIO, "%s: cannot read: %s", path, zmsg)
                  : gk_fail(err, GK_EIO, "%s: trailing data after the %zu bytes the header promises (wrong dimensions?)", path, count);
        goto done;
    }
    out->ndim = nd;
    out->count = count;
    out->data = data;
    data = NULL;
done:
    free(data);
    gzclose(f);
    if (s) memset(out, 0, sizeof *out);
    return s;
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

gk_status gk_batch_cycle_init(gk_batch_cycle *c, size_t n, size_t batch, uint64_t seed, gk_error *err) {
    GK_ASSERT(n >= 1 && batch >= 1);
    memset(c, 0, sizeof *c);
    c->order = malloc(n * sizeof(size_t));
    if (!c->order) return gk_fail(err, GK_ENOMEM, "out of memory for a permutation of %zu items", n);
    c->n = n, c->batch = batch < n ? batch : n, c->pos = n; /* the first call draws the first permutation */
    gk_rng_seed(&c->rng, seed, GK_BATCH_STREAM);
    return GK_OK;
}

size_t gk_batch_cycle_next(gk_batch_cycle *c, const size_t **idx) {
    if (c->pos >= c->n) {
        for (size_t i = 0; i < c->n; i++) c->order[i] = i;
        gk_rng_shuffle(&c->rng, c->order, c->n);
        c->pos = 0;
    }
    const size_t b = c->pos + c->batch <= c->n ? c->batch : c->n - c->pos;
    *idx = c->order + c->pos;
    c->pos += b;
    return b;
}

void gk_batch_cycle_free(gk_batch_cycle *c) {
    if (!c) return;
    free(c->order);
    c->order = NULL;
}
