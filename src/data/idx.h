/* idx.h: MNIST-format IDX files (LeCun's format; MNIST, Fashion-MNIST, ...), gzip-compressed or raw, and the
 * image set the image experiments train on.
 *
 * An IDX file is: two zero bytes, a type byte (only 0x08 = unsigned byte is read here), the number of
 * dimensions (1..4), then one big-endian uint32 per dimension, then exactly the product of the dimensions in
 * bytes. gk_idx_read checks all of it: the magic, the type, nonzero dimensions that fit in memory, and the
 * length (a short file is "truncated", extra bytes are "trailing data"), also of a gzip file: one gzip stream
 * (a file starting 1f 8b), its data checked by zlib (CRC), nothing after it. The header's promise is checked
 * against the file's size before anything is allocated (a raw file must hold exactly that; a gzip file at most
 * 1032 bytes per byte), and the data buffer grows with what is read. A malformed file is GK_EINVAL (bad input),
 * one that cannot be opened or read GK_EIO, each with a message naming the file; *out is then empty: there is
 * never a partial result. */
#ifndef GK_DATA_IDX_H
#define GK_DATA_IDX_H

#include "groklab.h"

#define GK_IDX_MAX_DIMS 4

typedef struct gk_idx {
    int ndim;
    size_t dims[GK_IDX_MAX_DIMS];
    size_t count;        /* product of the dimensions */
    unsigned char *data; /* count bytes, row-major */
} gk_idx;

gk_status gk_idx_read(const char *path, gk_idx *out, gk_error *err);
/* gk_idx_read of path; when path is "X.gz" and cannot be read while a raw "X" beside it can, reads X instead
 * and writes its name into path (len bytes): a broken download does not hide a good file. */
gk_status gk_idx_read_best(char *path, size_t len, gk_idx *out, gk_error *err);
void gk_idx_free(gk_idx *x);

/* n images of d pixels in [0, 1] (row-major n x d, doubles) and their labels in [0, classes). The dense
 * model input of the image experiments. */
typedef struct gk_image_set {
    size_t n, d;
    int classes;
    double *x;
    int *y;
} gk_image_set;

void gk_image_set_free(gk_image_set *s);

/* Checks that images (n x rows x cols) and labels (n) belong together (same n, labels < 10), naming the two
 * files in the message. */
gk_status gk_idx_check_pair(const gk_idx *images, const gk_idx *labels, const char *images_path,
                            const char *labels_path, gk_error *err);
/* The images pick[0..m) of an IDX pair as an image set (pixel / 255), 10 classes. */
gk_status gk_idx_select(const gk_idx *images, const gk_idx *labels, const size_t *pick, size_t m, gk_image_set *out,
                        gk_error *err);
/* The rows pick[0..m) of an image set as a new set. */
gk_status gk_image_set_select(const gk_image_set *src, const size_t *pick, size_t m, gk_image_set *out, gk_error *err);

/* Finds "<dir>/<stem>" with ".gz" or without (also the "train-images.idx3-ubyte" spelling with a dot),
 * e.g. stem "train-images-idx3-ubyte". Writes the path found into buf; GK_EIO naming dir and stem if none. */
gk_status gk_idx_find(const char *dir, const char *stem, char *buf, size_t len, gk_error *err);

#endif
