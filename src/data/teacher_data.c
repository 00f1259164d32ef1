/* teacher_data.c: the Gaussian inputs of the teacher-student task (see teacher_data.h). */
#include "data/teacher_data.h"

#include <stdlib.h>
#include <string.h>

void gk_teacher_data_free(gk_teacher_data *d) {
    if (!d) return;
    free(d->x_train), free(d->y_train), free(d->x_test), free(d->y_test);
    memset(d, 0, sizeof *d);
}

gk_status gk_teacher_data_make(gk_teacher_data *d, size_t d_in, size_t d_out, size_t n_train, size_t n_test,
                               uint64_t seed, gk_error *err) {
    memset(d, 0, sizeof *d);
    d->n_train = n_train, d->n_test = n_test, d->d_in = d_in, d->d_out = d_out;
    d->x_train = malloc((n_train ? n_train : 1) * d_in * sizeof(double));
    d->y_train = calloc((n_train ? n_train : 1) * d_out, sizeof(double));
    d->x_test = malloc((n_test ? n_test : 1) * d_in * sizeof(double));
    d->y_test = calloc((n_test ? n_test : 1) * d_out, sizeof(double));
    if (!d->x_train || !d->y_train || !d->x_test || !d->y_test) {
        gk_teacher_data_free(d);
        return gk_fail(err, GK_ENOMEM, "out of memory for %zu + %zu teacher-student samples", n_train, n_test);
    }
    gk_rng r;
    gk_rng_seed(&r, seed, GK_TEACHER_DATA_STREAM);
    for (size_t k = 0; k < n_train * d_in; k++) d->x_train[k] = gk_rng_normal(&r);
    for (size_t k = 0; k < n_test * d_in; k++) d->x_test[k] = gk_rng_normal(&r);
    return GK_OK;
}
