/* teacher.h: the teacher of the teacher-student experiment (teacher.c), for its tests. */
#ifndef GK_EXP_TEACHER_H
#define GK_EXP_TEACHER_H

#include "data/teacher_data.h"

/* Fills d's targets with the outputs of a tanh teacher of widths[0..nlayers] (model/mlp_tanh, PyTorch's
 * default init, scale 1) drawn from (seed, GK_TEACHER_STREAM), and sets d->teacher_norm. */
gk_status gk_teacher_targets(gk_teacher_data *d, const size_t *widths, int nlayers, uint64_t seed, gk_error *err);

#endif
