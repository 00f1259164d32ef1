/* modular_data.h: binary-operation tables over Z_p (Power et al. 2022; Lyu et al. 2024 Fig. 2; Gromov 2023).
 *
 * The dataset is every pair (a, b) in Z_p x Z_p (b != 0 for division) with label c = a op b mod p. A seeded
 * permutation of the pairs (gk_rng_shuffle, stream GK_MOD_SPLIT_STREAM) puts the first floor(frac * N) in the
 * train set and the rest in the test set: at p = 97, frac = 0.4 that is 3763 train and 5646 test pairs.
 * The model input is the index pair itself (gk_pair_input): the one-hot encoding x = e_a + e_{p+b} is never
 * formed, so the first layer of a model is a gather of two columns. */
#ifndef GK_DATA_MODULAR_H
#define GK_DATA_MODULAR_H

#include "groklab.h"

typedef enum gk_mod_op {
    GK_MOD_ADD,     /* a + b */
    GK_MOD_SUB,     /* a - b */
    GK_MOD_MUL,     /* a * b */
    GK_MOD_DIV,     /* a * b^-1, b != 0, p prime */
    GK_MOD_SQ_ADD,  /* a^2 + b^2 */
    GK_MOD_SQ_AB,   /* a^2 + ab + b^2 */
    GK_MOD_CUBE_AB, /* a^3 + ab */
    GK_MOD_SQ_SUB,  /* a^2 - b^2 */
    GK_MOD_NOPS
} gk_mod_op;

/* The op names in gk_mod_op order, '|'-separated (the config enum). */
#define GK_MOD_OP_CHOICES "add|sub|mul|div|a2+b2|a2+ab+b2|a3+ab|a2-b2"

/* The model input: n index pairs, a[i], b[i] in [0, p). */
typedef struct gk_pair_input {
    size_t n;
    int p;
    const int *a, *b;
} gk_pair_input;

typedef struct gk_mod_data {
    int p;
    gk_mod_op op;
    size_t n_total;
    int *a, *b, *y;           /* all pairs, train first then test (n_total each) */
    gk_pair_input train, test; /* views into a, b */
    const int *y_train, *y_test;
} gk_mod_data;

int gk_is_prime(long p);
/* Index of name in GK_MOD_OP_CHOICES, or GK_EINVAL naming the allowed ops. */
gk_status gk_mod_op_parse(const char *name, gk_mod_op *op, gk_error *err);
/* c = a op b mod p in [0, p) (a, b in [0, p); for division b != 0 and p prime). */
int gk_mod_apply(gk_mod_op op, int p, int a, int b);
/* Checks p >= 2, p prime for division, 0 < frac < 1, and that both sets are non-empty. */
gk_status gk_mod_check(int p, gk_mod_op op, double frac, gk_error *err);
gk_status gk_mod_data_make(gk_mod_data *D, int p, gk_mod_op op, double frac, uint64_t split_seed, gk_error *err);
void gk_mod_data_free(gk_mod_data *D);
/* The Fourier progress measure of Gromov (2023) eq. 20-21 (r = 2) for one weight vector u over Z_p
 * (u[j * stride], j < p), in the real Fourier basis: the power of frequency nu is |u^_nu|^2 + |u^_{p-nu}|^2
 * (cos and sin parts together; nu = 0 and nu = p/2 alone), normalised to sum 1, and
 * IPR = sum_nu power_nu^2. One frequency gives 1, white noise about 2/(p+1). NAN for u = 0.
 * cosv/sinv hold cos and sin(2 pi j / p), j < p (gk_zp_trig). */
double gk_zp_ipr(const double *u, size_t stride, int p, const double *cosv, const double *sinv);
void gk_zp_trig(int p, double *cosv, double *sinv);
/* train.csv / test.csv with columns a,b,c. */
gk_status gk_mod_data_save_csv(const gk_mod_data *D, const char *dir, gk_error *err);

#endif
