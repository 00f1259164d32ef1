/* diag_data.h: the two datasets of Lyu et al. Sec. 3.2.3 (Fig. 1) for the diagonal linear net.
 *   sparse: x uniform on {+-1}^d, y = sign(<w*, x[:s]>), w* in {+-1}^s, s odd (no ties).
 *   l2sep:  w* a unit Gaussian direction, z ~ N(0, I_d), y = sign(<z, w*>), x = z + y (gamma/2) w*.
 * Every row is drawn from its own random stream (seed, set, row), so a test set too large to hold is
 * regenerated in chunks, identically, at every evaluation. */
#ifndef GK_DIAG_DATA_H
#define GK_DIAG_DATA_H

#include "data/design.h"

typedef enum gk_diag_kind { GK_DIAG_SPARSE = 0, GK_DIAG_L2SEP = 1, GK_DIAG_FILE = 2 } gk_diag_kind;

typedef struct gk_diag_data {
    gk_diag_kind kind;
    size_t d, s;
    double gamma;
    uint64_t seed;
    double *wstar;            /* d; for sparse, zero beyond s */
    gk_design train, test;
    double *y_train, *y_test; /* labels in {-1, +1} */
    void *gen_ctx[2];         /* row-generator contexts of the train and test sets */
} gk_diag_data;

/* dense_limit: the largest dense test set (bytes) held in memory; beyond it rows are regenerated. */
gk_status gk_diag_data_make(gk_diag_data *D, gk_diag_kind kind, size_t n, size_t n_test, size_t d, size_t s,
                            double gamma, uint64_t seed, size_t dense_limit, gk_error *err);
/* A user's own data (data/userdata): labels must be -1 or +1 and both sets must have the same d. A set whose
 * features are all -1 or +1 is packed into bits like the generated sparse data (the same sums, bit for bit);
 * any other is held dense. Errors name the file (train_name / test_name), the row and the value. */
struct gk_userdata;
gk_status gk_diag_data_from_user(gk_diag_data *D, const struct gk_userdata *train, const struct gk_userdata *test,
                                 const char *train_name, const char *test_name, gk_error *err);
void gk_diag_data_free(gk_diag_data *D);
/* Writes train.csv and test.csv (features x0..x{d-1}, then label) into dir, atomically. */
gk_status gk_diag_data_save_csv(const gk_diag_data *D, const char *dir, gk_error *err);

#endif
