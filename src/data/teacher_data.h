/* teacher_data.h: teacher-student regression data (Omnigrok Fig. 2; Kumar et al. Fig. 8, App. 8.3.1).
 *   inputs  x ~ N(0, I_{d_in}): n_train train rows, then n_test test rows, drawn in that order from
 *           (seed, stream "tsdata");
 *   targets y = teacher(x): filled by the experiment (exp/teacher.c, gk_teacher_targets), which builds the
 *           teacher, a tanh MLP with PyTorch's default init drawn from (seed, stream "tsteach"); the data layer
 *           holds no model.
 * The student's own init uses another stream, so the same seed gives a student independent of the teacher. */
#ifndef GK_TEACHER_DATA_H
#define GK_TEACHER_DATA_H

#include "groklab.h"

#define GK_TEACHER_DATA_STREAM UINT64_C(0x747364617461) /* "tsdata": the inputs */
#define GK_TEACHER_STREAM UINT64_C(0x747374656163)      /* "tsteac": the teacher's init */

typedef struct gk_teacher_data {
    size_t n_train, n_test, d_in, d_out;
    double *x_train, *y_train; /* n_train x d_in, n_train x d_out, row-major */
    double *x_test, *y_test;   /* n_test x d_in, n_test x d_out */
    double teacher_norm;       /* the L2 norm of the teacher's parameters (set with the targets) */
} gk_teacher_data;

/* Draws the inputs; the targets are allocated and zero. */
gk_status gk_teacher_data_make(gk_teacher_data *d, size_t d_in, size_t d_out, size_t n_train, size_t n_test,
                               uint64_t seed, gk_error *err);
void gk_teacher_data_free(gk_teacher_data *d);

#endif
