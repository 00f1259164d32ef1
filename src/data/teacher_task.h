/* teacher_task.h: the teacher-student task on its data (teacher_data.h): what a correct sample is, and the data
 * as CSV for --save-data. */
#ifndef GK_DATA_TEACHER_TASK_H
#define GK_DATA_TEACHER_TASK_H

#include "data/teacher_data.h"

/* The MSE over all n k entries of outputs f against targets y (n x k), and into *acc the share of samples whose
 * own MSE (the mean over their k outputs) is below thr (Omnigrok's accuracy for teacher-student). */
double gk_teacher_mse_acc(const double *f, const double *y, size_t n, size_t k, double thr, double *acc);

/* train.csv and test.csv in dir with the inputs x0.. and the teacher's outputs y0.. (at most 64), atomically. */
gk_status gk_teacher_data_save_csv(const gk_teacher_data *D, const char *dir, gk_error *err);

#endif
