/* teacher_data.h: teacher-student regression data (Omnigrok Fig. 2; Kumar et al. Fig. 8, App. 8.3.1).
 *   inputs  x ~ N(0, I_{d_in}): n_train train rows, then n_test test rows, drawn in that order from
 *           (seed, stream "tsdata");
 *   targets y = teacher(x), the teacher a tanh MLP of the given widths (model/mlp_tanh) with PyTorch's default
 *           init (scale 1, output scale 1), drawn from (seed, stream "tsteach").
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
    double teacher_norm;       /* the L2 norm of the teacher's parameters */
} gk_teacher_data;

/* widths[0..nlayers] as for gk_mlp_tanh_create. */
gk_status gk_teacher_data_make(gk_teacher_data *d, const size_t *widths, int nlayers, size_t n_train, size_t n_test,
                               uint64_t seed, gk_error *err);
void gk_teacher_data_free(gk_teacher_data *d);

#endif
