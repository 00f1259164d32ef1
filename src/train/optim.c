/* optim.c: optimizers that see only the flat parameter buffer. */
#include "train/train.h"

#include "core/parallel.h"

void gk_gd_step(double *theta, const double *grad, size_t P, double lr, double wd) {
    /* memory-bound: worth a second core above GK_PARALLEL_MIN / 2 parameters; every k is one thread's work */
#pragma omp parallel for schedule(static) if (P >= GK_PARALLEL_MIN / 2)
    for (size_t k = 0; k < P; k++) theta[k] -= lr * (grad[k] + wd * theta[k]);
}
