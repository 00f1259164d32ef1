/* userdata.h: a user's own data set, read from a file: a .csv with the label in the last column (a header row
 * is optional), or a pair of .npy files (X: a 2-D float64 or float32 array, y: a 1-D array of numbers).
 *
 * Every read is bounded (line length, file size, number of values) and checked whole before anything is
 * returned: on any problem the result is GK_EINVAL (bad content) or GK_EIO (cannot read) with one line naming
 * the file, the line or the shape, and the expected form; *out is then left empty. */
#ifndef GK_DATA_USERDATA_H
#define GK_DATA_USERDATA_H

#include "groklab.h"

#define GK_USERDATA_MAX_LINE ((size_t)1 << 20)   /* bytes in one CSV line */
#define GK_USERDATA_MAX_VALUES ((size_t)1 << 28) /* n * (d + 1) numbers (2 GiB of doubles) */

typedef struct gk_userdata {
    size_t n, d; /* samples, features */
    double *X;   /* n x d, row-major */
    double *y;   /* n labels, as numbers */
} gk_userdata;

/* A CSV file: one sample per line, features then the label, separated by commas (spaces around a field are
 * allowed, CRLF line ends too). A first line with a field that is not a number is the header. Every value
 * must be a finite number and every line must have the same number of fields (at least 2). */
gk_status gk_userdata_read_csv(const char *path, gk_userdata *out, gk_error *err);

/* Two .npy files (format 1.0, 2.0 or 3.0, little-endian, C or Fortran order): X of shape (n, d) with dtype
 * float64 or float32; y of shape (n,) or (n, 1) with dtype float64, float32, int64, int32, int16, int8, uint8
 * or bool. */
gk_status gk_userdata_read_npy(const char *x_path, const char *y_path, gk_userdata *out, gk_error *err);

/* "FILE.csv" or "X.npy,y.npy": the form is taken from the extension. */
gk_status gk_userdata_read(const char *spec, gk_userdata *out, gk_error *err);

/* data=file: both keys name a set ("train=... test=..."), else GK_EINVAL naming the missing key. */
gk_status gk_userdata_check_keys(const char *train, const char *test, gk_error *err);
/* Reads the train and the test set (both left empty on failure). */
gk_status gk_userdata_read_pair(const char *train, const char *test, gk_userdata *tr, gk_userdata *te, gk_error *err);

void gk_userdata_free(gk_userdata *u);

#endif
