/* tensor_norms.h: a metrics column per named tensor of a model's parameter table: norm_<tensor>, its L2 norm. */
#ifndef GK_IO_TENSOR_NORMS_H
#define GK_IO_TENSOR_NORMS_H

#include "io/metrics.h"

/* Adds the columns norm_<name> of t's tensors, in order; their names are written into names (the metrics table
 * keeps pointers to them, so names must live as long as m). */
gk_status gk_metrics_add_tensor_norms(gk_metrics *m, const gk_param_table *t, char (*names)[40], gk_error *err);
/* The names norm_<tensor> of t's tensors, into names (which must live as long as a metrics table naming them). */
void gk_tensor_norm_names(const gk_param_table *t, char (*names)[40]);
/* A declared column family's members (io/columns.h): the names above, as pointers into out; how many. */
int gk_tensor_norm_members(const gk_param_table *t, const char (*names)[40], const char **out);
/* ||tensor||_2 of each of t's tensors in theta, into out (t->count values, in the columns' order). */
void gk_tensor_norms(const gk_param_table *t, const double *theta, double *out);

#endif
