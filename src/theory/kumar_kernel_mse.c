/* kumar_kernel_mse.c: the test and train MSE of kernel regression with the initial NTK (kumar_kernel_mse.h). */
#include "theory/kumar_kernel_mse.h"

#include <stdlib.h>

gk_status gk_kumar_kernel_mse(gk_model *m, const double *theta0, const gk_kumar_input *train,
                              const gk_kumar_input *test, const double *y, const double *yt, const double *f0,
                              const double *f0t, double *test_mse, double *train_mse, gk_error *err) {
    const size_t P = train->n, nt = test->n;
    double *r = malloc(P * sizeof *r), *pt = malloc(nt * sizeof *pt), *ptr = malloc(P * sizeof *ptr);
    gk_status s = r && pt && ptr ? GK_OK : gk_fail(err, GK_ENOMEM, "out of memory");
    for (size_t p = 0; !s && p < P; p++) r[p] = y[p] - (f0 ? f0[p] : 0.0);
    if (!s) s = gk_kumar_kernel_regression(m, theta0, train, test, r, pt, ptr, err);
    if (!s) {
        double a = 0, b = 0;
        for (size_t p = 0; p < nt; p++) {
            double e = pt[p] + (f0t ? f0t[p] : 0.0) - yt[p];
            a += e * e;
        }
        for (size_t p = 0; p < P; p++) b += (ptr[p] - r[p]) * (ptr[p] - r[p]);
        *test_mse = a / (double)nt;
        *train_mse = b / (double)P;
    }
    free(r), free(pt), free(ptr);
    return s;
}
