/* samples_csv.h: a data set as CSV for --save-data: a header x0..x{d-1} then the label columns, one line per
 * sample, numbers printed exactly (%.17g), written atomically. */
#ifndef GK_SAMPLES_CSV_H
#define GK_SAMPLES_CSV_H

#include "groklab.h"

/* Fills row (d values) with the features of sample i. */
typedef void (*gk_sample_row_fn)(const void *ctx, size_t i, double *row);

/* Writes dir/name. labels[k] (n values each) become the columns label_names[k]; nlab may be 0. */
gk_status gk_write_samples_csv(const char *dir, const char *name, size_t n, size_t d, gk_sample_row_fn row,
                               const void *ctx, const double *const *labels, const char *const *label_names,
                               int nlab, gk_error *err);
/* The same for a dense row-major n x d matrix X. */
gk_status gk_write_dense_samples_csv(const char *dir, const char *name, const double *X, size_t n, size_t d,
                                     const double *const *labels, const char *const *label_names, int nlab,
                                     gk_error *err);

#endif
