/* zp_fourier.h: Nanda et al. (2023) progress measures for a + b mod p, in the real Fourier basis of Z_p.
 *
 * Key frequencies: the Fourier norm of frequency k (1 <= k <= (p-1)/2) of a set of weight vectors over Z_p is
 * sum over the vectors u of |u^_k|^2 + |u^_{p-k}|^2 (the power at cos and sin(2 pi k j / p)); the key
 * frequencies are the K largest. Their spread is summarised by the Gini coefficient of the norms.
 *
 * Restricted and excluded logits (Nanda Sec. 5.1): on the full grid of pairs, the directions
 * cos(w_k (a + b)) and sin(w_k (a + b)), w_k = 2 pi k / p, are orthogonal with squared norm p^2 / 2 (k > 0),
 * and orthogonal to the constant. The restricted logits keep, for each output class c, the mean over the
 * pairs and the projections on the key frequencies' directions; the excluded logits are the logits minus
 * those projections. The projections depend on the pair only through s = a + b mod p, so they cost
 * p^2 x p to find (sums by s) and n x p x K to apply. */
#ifndef GK_DATA_ZP_FOURIER_H
#define GK_DATA_ZP_FOURIER_H

#include "groklab.h"

#include <stddef.h>

/* norm[k], k = 0 .. (p-1)/2 (norm[0]: the constant's power): the Fourier norms of nvec vectors, vector v
 * holding u_v[j] = W[j * row_stride + v], j < p. cosv/sinv from gk_zp_trig. */
void gk_zp_freq_norms(const double *W, size_t row_stride, size_t nvec, int p, const double *cosv, const double *sinv,
                      double *norm);
/* Gromov's Fourier IPR (gk_zp_ipr) of each column of `halves` blocks of p rows x cols (input-major first-layer
 * weights: 2 blocks, a then b; W_E: 1), the blocks of a column averaged, then the mean over the columns
 * (NaN ones skipped). buf: cols numbers. */
double gk_zp_mean_ipr(const double *W, size_t cols, int halves, int p, const double *cosv, const double *sinv,
                      double *buf);
/* The K frequencies (1 .. (p-1)/2) of largest norm, largest first (ties: the lower k). K <= (p-1)/2. */
void gk_zp_top_freqs(const double *norm, int p, int K, int *key);
/* The Gini coefficient of x[0..n) (x >= 0): 0 when equal, -> 1 when one holds everything. */
double gk_gini(const double *x, size_t n);

/* The per-class mean and key-frequency projections of logits over the full grid of pairs (sum s = a + b mod
 * p of every pair; f: one row of p logits per pair, n_all = p^2 rows in all): coef is (1 + 2K) x p. */
typedef struct gk_zp_split {
    int p, K;
    const int *key;
    double *coef; /* row 0: the class means; rows 1 + 2i, 2 + 2i: the cos and sin coefficients of key[i] */
} gk_zp_split;

/* Accumulates the sums by s of rows f (n rows, sums s[i]) into bysum (p x p, zeroed by the caller), so the
 * grid may come in parts (train, then test). */
void gk_zp_sum_by_s(const double *f, const int *s, size_t n, int p, double *bysum);
/* coef from the sums by s of the full grid (p^2 pairs). */
void gk_zp_split_fit(gk_zp_split *z, const double *bysum, const double *cosv, const double *sinv);
/* The restricted (keep = 1) or excluded (keep = 0) logits of n pairs with sums s: out = n x p. */
void gk_zp_split_apply(const gk_zp_split *z, const double *f, const int *s, size_t n, int keep, const double *cosv,
                       const double *sinv, double *out);

/* The progress measures of one eval (what modular.c reports), with their buffers. */
typedef double (*gk_zp_loss_fn)(const void *ud, const double *f, const int *y, size_t n);
typedef struct gk_zp_progress {
    int p, K, key[64];
    size_t n_train, n_test;
    int *s;                          /* a + b mod p of every pair: train, then test */
    double *cosv, *sinv, *fnorm, *fnorm2, *bysum, *coef, *logits;
} gk_zp_progress;

/* K key frequencies (capped at (p-1)/2 and at 64) for the pairs a, b (n_train train pairs first, then n_test). */
gk_status gk_zp_progress_init(gk_zp_progress *z, int p, int K, const int *a, const int *b, size_t n_train, size_t n_test,
                              gk_error *err);
void gk_zp_progress_free(gk_zp_progress *z);
/* out[0..3] = restricted loss, excluded loss (both on the train pairs, by `loss`), Gini of the Fourier norms
 * over frequencies 1..(p-1)/2, share of those norms in the K key frequencies (the K largest). The weights are
 * `halves` blocks of p rows of `cols` numbers each (one vector per column; an MLP's first layer, input-major:
 * 2 blocks, a then b; a transformer's W_E: 1 block); f_train, f_test: the logits of every pair. */
void gk_zp_progress_measure(gk_zp_progress *z, const double *W, size_t cols, int halves, const double *f_train,
                            const double *f_test, const int *y_train, gk_zp_loss_fn loss, const void *ud, double out[4]);

#endif
