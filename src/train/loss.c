/* loss.c: losses, computed stably in double. */
#include "train/train.h"

double gk_logistic_loss(const double *f, const double *y, size_t n, double *dldf, double *acc) {
    double L = 0, correct = 0;
    for (size_t i = 0; i < n; i++) {
        double m = y[i] * f[i]; /* margin */
        L += gk_softplus(-m);
        correct += m > 0 ? 1.0 : (m == 0 ? 0.5 : 0.0);
        if (dldf) dldf[i] = -y[i] * gk_sigmoid(-m) / (double)n;
    }
    if (acc) *acc = n ? correct / (double)n : 0;
    return n ? L / (double)n : 0;
}

double gk_mse_loss(const double *f, const double *y, size_t n, double *dldf) {
    double L = 0;
    for (size_t i = 0; i < n; i++) {
        double r = f[i] - y[i];
        L += r * r;
        if (dldf) dldf[i] = 2.0 * r / (double)n;
    }
    return n ? L / (double)n : 0;
}
