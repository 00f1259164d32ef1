/* teacher_task.c: the teacher-student task's accuracy and its data as CSV (teacher_task.h). */
#include "data/teacher_task.h"

#include "io/samples_csv.h"

#include <stdio.h>
#include <stdlib.h>

/* One split: the inputs, then the outputs as the columns y0.. */
static gk_status save_split(const char *dir, const char *name, const double *x, const double *y, size_t n, size_t din,
                            size_t dout, gk_error *err) {
    enum { MAX_OUT = 64 };
    if (dout > MAX_OUT) return gk_fail(err, GK_EINVAL, "--save-data writes at most %d outputs (d_out=%zu)", MAX_OUT, dout);
    double *cols = malloc((n ? n : 1) * dout * sizeof(double));
    if (!cols) return gk_fail(err, GK_ENOMEM, "out of memory");
    const double *labels[MAX_OUT];
    char names[MAX_OUT][16];
    const char *label_names[MAX_OUT];
    for (size_t k = 0; k < dout; k++) {
        for (size_t i = 0; i < n; i++) cols[k * n + i] = y[i * dout + k];
        labels[k] = cols + k * n;
        snprintf(names[k], sizeof names[k], "y%zu", k);
        label_names[k] = names[k];
    }
    gk_status s = gk_write_dense_samples_csv(dir, name, x, n, din, labels, label_names, (int)dout, err);
    free(cols);
    return s;
}

gk_status gk_teacher_data_save_csv(const gk_teacher_data *D, const char *dir, gk_error *err) {
    gk_status s = save_split(dir, "train.csv", D->x_train, D->y_train, D->n_train, D->d_in, D->d_out, err);
    return s ? s : save_split(dir, "test.csv", D->x_test, D->y_test, D->n_test, D->d_in, D->d_out, err);
}

double gk_teacher_mse_acc(const double *f, const double *y, size_t n, size_t k, double thr, double *acc) {
    double total = 0, correct = 0;
    for (size_t i = 0; i < n; i++) {
        double e = 0;
        for (size_t j = 0; j < k; j++) {
            const double r = f[i * k + j] - y[i * k + j];
            e += r * r;
        }
        total += e;
        correct += e / (double)k < thr;
    }
    *acc = n ? correct / (double)n : 0;
    return n ? total / ((double)n * (double)k) : 0;
}
