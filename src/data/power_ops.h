/* power_ops.h: the binary operation tables of Power et al. 2022 (App. A.1) as token sequences for a decoder
 * transformer: every equation <x> <op> <y> <=> with its answer x op y as the label.
 *
 * On Z_p (any p >= 2; the divisions need p prime): x+y, x-y, x/y (y != 0, x y^-1), [x/y if y odd else x-y],
 * x^2+y^2, x^2+xy+y^2, x^2+xy+y^2+x, x^3+xy, x^3+xy^2+y, all mod p. On the symmetric group S_n (n = 3..6,
 * permutations as arrays indexed in lexicographic order, 0 = identity): x.y, x.y.x^-1, x.y.x, with the
 * product of the authors' code (openai/grok: c = b[a], i.e. (x.y)[i] = y[x[i]]).
 * Tokens: the N elements are 0..N-1 (N = p or n!), the operator is N, '=' is N + 1 (vocabulary N + 2).
 * Split: a seeded permutation of all equations puts the first floor(frac * count) in the train set.
 * Label noise: round(noise * n_train) train rows, drawn by a second seed, get a uniformly drawn wrong answer. */
#ifndef GK_DATA_POWER_OPS_H
#define GK_DATA_POWER_OPS_H

#include "groklab.h"

typedef enum gk_power_op {
    GK_POW_ADD, GK_POW_SUB, GK_POW_DIV, GK_POW_DIV_ODD, GK_POW_SQ_SUM, GK_POW_QUAD, GK_POW_QUAD_X, GK_POW_CUBE_XY,
    GK_POW_CUBE_XY2_Y, GK_POW_PERM_XY, GK_POW_PERM_CONJ, GK_POW_PERM_XYX, GK_POW_NOPS
} gk_power_op;
/* In gk_power_op order: x+y, x-y, x/y, x/y if y odd else x-y, x^2+y^2, x^2+xy+y^2, x^2+xy+y^2+x, x^3+xy,
 * x^3+xy^2+y, and on S_n x.y, x.y.x^-1, x.y.x. */
#define GK_POWER_OP_CHOICES "add|sub|div|div_odd|sq_sum|quad|quad_x|cube_xy|cube_xy2_y|perm_xy|perm_conj|perm_xyx"
/* The formula of each op, for titles. */
const char *gk_power_op_formula(gk_power_op op);
static inline int gk_power_op_is_perm(gk_power_op op) { return op >= GK_POW_PERM_XY; }

typedef struct gk_power_data {
    gk_power_op op;
    int m;                 /* p (Z_p) or n (S_n) */
    size_t N;              /* elements: p or n! */
    size_t n_total, n_train, n_val, n_noisy;
    int *tok;              /* n_total x 4 tokens, train rows first */
    int *y, *y_clean;      /* labels as trained on (noisy train rows corrupted) and the true answers */
    unsigned char *noisy;  /* n_train flags: 1 if the row's label was corrupted */
    int *perms;            /* S_n: N x n permutation arrays (NULL on Z_p) */
} gk_power_data;

/* Index of name in GK_POWER_OP_CHOICES, or GK_EINVAL naming the allowed ops. */
gk_status gk_power_op_parse(const char *name, gk_power_op *op, gk_error *err);
/* Checks m (p >= 2, prime for the divisions; n in 3..6 for S_n), 0 < frac < 1 with both sets non-empty, and
 * 0 <= noise <= 1; GK_EINVAL naming the key (p or sn, frac, label_noise). */
gk_status gk_power_check(gk_power_op op, int m, double frac, double noise, gk_error *err);
/* The answer of x op y on Z_p (elements as integers mod p; the divisions need y invertible, p prime). */
int gk_power_zp(gk_power_op op, int p, int x, int y);
gk_status gk_power_data_make(gk_power_data *D, gk_power_op op, int m, double frac, uint64_t split_seed, double noise,
                             uint64_t noise_seed, gk_error *err);
/* The answer of an S_n op on the element indices x, y (D made for that op's n). */
int gk_power_perm(const gk_power_data *D, gk_power_op op, int x, int y);
void gk_power_data_free(gk_power_data *D);

#endif
