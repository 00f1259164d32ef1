/* exp_row.h: for tests that drive an experiment type without the run layer: its declared columns into a metrics
 * table, and one eval as the run driver does it (io/columns.h: written by declared index, checked, kept in order). */
#ifndef GK_TEST_EXP_ROW_H
#define GK_TEST_EXP_ROW_H

#include "exp/exp.h"

#include <stdlib.h>

/* step, time, then the columns the type declares for this state. */
static inline gk_status exp_declare_columns(const gk_exp_type *T, void *st, gk_metrics *m, gk_error *err) {
    gk_status s = gk_metrics_add_column(m, "step", err);
    if (!s) s = gk_metrics_add_column(m, "time", err);
    if (!s) s = T->cols ? gk_metrics_add_table(m, T->cols, st, err) : T->columns(st, m, err);
    return s;
}

/* row[2 ..] = the experiment's values at the current step, in metrics order. */
static inline gk_status exp_eval_row(const gk_exp_type *T, void *st, double *row, gk_error *err) {
    if (!T->cols) return T->eval(st, row, err);
    double *full = calloc((size_t)gk_columns_row_length(T->cols), sizeof *full);
    if (!full) return gk_fail(err, GK_ENOMEM, "out of memory");
    gk_columns_blank(T->cols, full);
    int n;
    gk_status s = T->eval(st, full, err);
    if (!s) s = gk_columns_collect(T->cols, st, full, row, &n, err);
    free(full);
    return s;
}

#endif
