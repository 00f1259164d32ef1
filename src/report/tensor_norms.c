/* tensor_norms.c: the per-tensor norm columns (tensor_norms.h). */
#include "report/tensor_norms.h"

#include <stdio.h>

gk_status gk_metrics_add_tensor_norms(gk_metrics *m, const gk_param_table *t, char (*names)[40], gk_error *err) {
    gk_status s = GK_OK;
    for (int k = 0; k < t->count && !s; k++) {
        snprintf(names[k], sizeof names[k], "norm_%s", t->t[k].name);
        s = gk_metrics_add_column(m, names[k], err);
    }
    return s;
}

void gk_tensor_norm_names(const gk_param_table *t, char (*names)[40]) {
    for (int k = 0; k < t->count; k++) snprintf(names[k], sizeof names[k], "norm_%s", t->t[k].name);
}

int gk_tensor_norm_members(const gk_param_table *t, const char (*names)[40], const char **out) {
    for (int k = 0; k < t->count; k++) out[k] = names[k];
    return t->count;
}

void gk_tensor_norms(const gk_param_table *t, const double *theta, double *out) {
    for (int k = 0; k < t->count; k++) out[k] = gk_norm2(theta + t->t[k].offset, t->t[k].rows * t->t[k].cols);
}
