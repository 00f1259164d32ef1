/* times.c: the predicted transition time of Lyu et al. (Thm 3.4/3.5): t* = ln(alpha) / lambda.
 * The discrete code does theta <- theta - lr (grad L + lambda theta), so continuous time is lr * steps. */
#include "theory/theory.h"

#include <math.h>

double gk_predicted_time(double alpha, double lambda) {
    GK_ASSERT(alpha > 0 && lambda >= 0);
    if (lambda == 0) return alpha > 1 ? INFINITY : 0.0; /* no weight decay: the norm never shrinks */
    return log(alpha) / lambda;
}

double gk_predicted_step(double alpha, double lambda, double lr) {
    GK_ASSERT(lr > 0);
    return gk_predicted_time(alpha, lambda) / lr;
}

void gk_predicted_window(double alpha, double lambda, double c, double *lo, double *hi) {
    GK_ASSERT(c >= 0 && lo && hi);
    double t = gk_predicted_time(alpha, lambda);
    *lo = (1 - c) * t;
    *hi = (1 + c) * t;
}
