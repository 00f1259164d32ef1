/* samples_csv.c: data sets as CSV files (see samples_csv.h). */
#include "io/samples_csv.h"

#include "io/fsutil.h"

#include <stdlib.h>

gk_status gk_write_samples_csv(const char *dir, const char *name, size_t n, size_t d, gk_sample_row_fn row_fn,
                               const void *ctx, const double *const *labels, const char *const *label_names,
                               int nlab, gk_error *err) {
    char path[1024];
    gk_status s = gk_path_join(path, sizeof path, dir, name, err);
    if (s) return s;
    double *row = malloc((d ? d : 1) * sizeof(double));
    if (!row) return gk_fail(err, GK_ENOMEM, "out of memory");
    gk_atomic_file af;
    s = gk_atomic_open(&af, path, err);
    if (s) {
        free(row);
        return s;
    }
    for (size_t j = 0; j < d; j++) fprintf(af.f, "%sx%zu", j ? "," : "", j);
    for (int k = 0; k < nlab; k++) fprintf(af.f, "%s%s", d || k ? "," : "", label_names[k]);
    fputc('\n', af.f);
    for (size_t i = 0; i < n; i++) {
        row_fn(ctx, i, row);
        for (size_t j = 0; j < d; j++) fprintf(af.f, "%s%.17g", j ? "," : "", row[j]);
        for (int k = 0; k < nlab; k++) fprintf(af.f, "%s%.17g", d || k ? "," : "", labels[k][i]);
        fputc('\n', af.f);
    }
    free(row);
    if (ferror(af.f)) {
        gk_atomic_abort(&af);
        return gk_fail(err, GK_EIO, "cannot write %s", path);
    }
    return gk_atomic_commit(&af, err);
}

typedef struct dense_ctx {
    const double *X;
    size_t d;
} dense_ctx;

static void dense_row(const void *ctx, size_t i, double *row) {
    const dense_ctx *c = ctx;
    for (size_t j = 0; j < c->d; j++) row[j] = c->X[i * c->d + j];
}

gk_status gk_write_dense_samples_csv(const char *dir, const char *name, const double *X, size_t n, size_t d,
                                     const double *const *labels, const char *const *label_names, int nlab,
                                     gk_error *err) {
    dense_ctx c = {X, d};
    return gk_write_samples_csv(dir, name, n, d, dense_row, &c, labels, label_names, nlab, err);
}
