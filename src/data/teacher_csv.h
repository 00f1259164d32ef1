/* teacher_csv.h: --save-data for the teacher-student data (teacher_data.h). */
#ifndef GK_DATA_TEACHER_CSV_H
#define GK_DATA_TEACHER_CSV_H

#include "data/teacher_data.h"

/* train.csv and test.csv in dir with the inputs x0.. and the teacher's outputs y0.. (at most 64), atomically. */
gk_status gk_teacher_data_save_csv(const gk_teacher_data *D, const char *dir, gk_error *err);

#endif
