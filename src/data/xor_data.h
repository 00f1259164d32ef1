/* xor_data.h: the XOR cluster data of Xu, Wang, Frei, Vardi, Hu (ICLR 2024), Def. 2.1.
 *   mu1 _|_ mu2 in R^p, ||mu1|| = ||mu2|| = mu_norm (random orthogonal directions, seeded).
 *   clean label yc ~ Unif{+-1}; x = s mu_k + z with s ~ Unif{+-1}, z ~ N(0, I_p), k = 1 if yc = +1 else 2.
 *   the observed train label is y = -yc with probability eta (label noise); the test set is clean and
 *   stratified (test row i in cluster i mod 4: equal cluster shares; its noise is still random).
 * Every row is drawn from its own random stream (seed, set, row), so the data do not depend on threads. */
#ifndef GK_XOR_DATA_H
#define GK_XOR_DATA_H

#include "groklab.h"

typedef struct gk_xor_data {
    size_t p, n, n_test;
    double mu_norm, eta;
    double *mu1, *mu2;          /* p each, one block: mu2 = mu1 + p (the 2 x p matrix [mu1; mu2]) */
    double *X_train, *X_test;   /* n x p and n_test x p, row-major, one block: X_test = X_train + n p, so
                                 * X_train is also the (n + n_test) x p matrix Z = [X; X_test] */
    double *y_train;            /* observed (noisy) labels in {-1, +1} */
    double *yc_train;           /* clean labels of the train points */
    double *y_test;             /* clean labels */
    unsigned char *flipped;     /* n: 1 if y_train != yc_train */
    int *cluster_train;         /* n: +1/-1 for +-mu1, +2/-2 for +-mu2 */
    size_t n_flipped;
} gk_xor_data;

gk_status gk_xor_data_make(gk_xor_data *D, size_t p, size_t n, size_t n_test, double mu_norm, double eta,
                           uint64_t seed, gk_error *err);
/* The user's own data (data=file) in the same form: labels must be -1 or +1; there are no clusters (mu1 = mu2 = 0,
 * mu_norm = 0) and no known label noise (yc_train = y_train, nothing flipped). Names the file and row of a
 * bad label, or the two files when their numbers of features differ. */
struct gk_userdata;
gk_status gk_xor_data_from_user(gk_xor_data *D, const struct gk_userdata *train, const struct gk_userdata *test,
                                const char *train_name, const char *test_name, gk_error *err);
void gk_xor_data_free(gk_xor_data *D);
/* Frees the inputs X_train and X_test (both set to NULL), keeping mu1, mu2 and the labels: for users that
 * need only products of the inputs, computed once (the span form in src/exp/xor.c). */
void gk_xor_data_drop_inputs(gk_xor_data *D);
/* Writes train.csv (x0..x{p-1}, label, clean_label) and test.csv (x0..x{p-1}, label) into dir, atomically. */
gk_status gk_xor_data_save_csv(const gk_xor_data *D, const char *dir, gk_error *err);

#endif
