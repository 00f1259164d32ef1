/* teacher_data.c: Gaussian inputs and the outputs of a random tanh teacher (see teacher_data.h). */
#include "data/teacher_data.h"

#include "model/mlp_tanh.h"

#include <stdlib.h>
#include <string.h>

void gk_teacher_data_free(gk_teacher_data *d) {
    if (!d) return;
    free(d->x_train), free(d->y_train), free(d->x_test), free(d->y_test);
    memset(d, 0, sizeof *d);
}

gk_status gk_teacher_data_make(gk_teacher_data *d, const size_t *widths, int nlayers, size_t n_train, size_t n_test,
                               uint64_t seed, gk_error *err) {
    memset(d, 0, sizeof *d);
    gk_model teacher;
    gk_status s = gk_mlp_tanh_create(&teacher, widths, nlayers, 1.0, err);
    if (s) return s;
    const size_t din = widths[0], dout = widths[nlayers], P = teacher.params.size;
    d->n_train = n_train, d->n_test = n_test, d->d_in = din, d->d_out = dout;
    d->x_train = malloc((n_train ? n_train : 1) * din * sizeof(double));
    d->y_train = malloc((n_train ? n_train : 1) * dout * sizeof(double));
    d->x_test = malloc((n_test ? n_test : 1) * din * sizeof(double));
    d->y_test = malloc((n_test ? n_test : 1) * dout * sizeof(double));
    double *theta = malloc(P * sizeof(double));
    if (!d->x_train || !d->y_train || !d->x_test || !d->y_test || !theta) {
        s = gk_fail(err, GK_ENOMEM, "out of memory for %zu + %zu teacher-student samples", n_train, n_test);
        goto done;
    }
    gk_rng r;
    gk_rng_seed(&r, seed, GK_TEACHER_DATA_STREAM);
    for (size_t k = 0; k < n_train * din; k++) d->x_train[k] = gk_rng_normal(&r);
    for (size_t k = 0; k < n_test * din; k++) d->x_test[k] = gk_rng_normal(&r);
    gk_rng_seed(&r, seed, GK_TEACHER_STREAM);
    gk_mlp_tanh_init(&teacher, 1.0, &r, theta);
    d->teacher_norm = gk_norm2(theta, P);
    s = gk_model_forward(&teacher, theta, d->x_train, n_train, d->y_train, err);
    if (!s) s = gk_model_forward(&teacher, theta, d->x_test, n_test, d->y_test, err);
done:
    free(theta);
    gk_model_free(&teacher);
    if (s) gk_teacher_data_free(d);
    return s;
}
