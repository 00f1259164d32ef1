/* optim.c: optimizers that see only the flat parameter buffer. */
#include "train/train.h"

void gk_gd_step(double *theta, const double *grad, size_t P, double lr, double wd) {
    for (size_t k = 0; k < P; k++) theta[k] -= lr * (grad[k] + wd * theta[k]);
}
