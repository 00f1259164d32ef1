/* mc_data.h: symmetric matrix completion data (Lyu et al. Sec. 3.3.3, Fig. 3).
 *
 * A symmetric d x d target X* and a seeded random subset of its d^2 ordered entries (i, j) as the train set
 * (as in the paper's code: a random permutation of all d^2 entries, the first n_obs are observed); every other
 * ordered entry is a test entry. The "upper" test set is the entries (i, j) with i <= j for which neither
 * (i, j) nor (j, i) is observed: the entries no observation pins down, each counted once.
 *
 * Targets: the multiplication table X*_ij = i j / d^2 (rank 1), a random rank-r symmetric matrix, or a
 * matrix read from a CSV file (one row per line, comma-separated numbers). */
#ifndef GK_MC_DATA_H
#define GK_MC_DATA_H

#include "groklab.h"

/* X (d x d, row-major) = the multiplication table i*j/d^2, i, j in 0..d-1. */
void gk_mc_target_multiply(size_t d, double *X);
/* X = B B^T scaled to a root-mean-square entry of 0.3 (the scale of the multiplication table), B (d x r)
 * Gaussian from (seed, stream 11): symmetric, positive semi-definite, rank r. r <= d. */
void gk_mc_target_lowrank(size_t d, size_t r, uint64_t seed, double *X);
/* Bounds of a target CSV: the largest d, the longest line, the largest file (what is read of /dev/zero, say). */
#define GK_MC_CSV_MAX_DIM 4096
#define GK_MC_CSV_MAX_LINE (1 << 20)
#define GK_MC_CSV_MAX_BYTES (256 << 20)
/* Reads a square symmetric matrix from a CSV file (at most GK_MC_CSV_MAX_DIM rows of as many values, lines of
 * at most GK_MC_CSV_MAX_LINE bytes, GK_MC_CSV_MAX_BYTES in all). Blank lines and lines starting with '#' are skipped.
 * On success *X (malloc'd, d x d) and *d. GK_EINVAL with a message naming the file and the problem for:
 * a file that cannot be opened, no rows, a non-numeric or non-finite value (row and column named), rows of
 * different lengths, a matrix that is not square, or not symmetric (|X_ij - X_ji| > 1e-9 (1 + max|X|); the
 * first such entry named). A symmetric file is stored exactly symmetric (the upper triangle wins). */
gk_status gk_mc_read_csv(const char *path, double **X, size_t *d, gk_error *err);
/* The target of kind "multiply", "lowrank" (rank, seed) or "csv" (read from csv; *d becomes the file's size, at
 * least 2), into *X (malloc'd, *d x *d). */
gk_status gk_mc_target_make(const char *kind, const char *csv, size_t rank, uint64_t seed, double **X, size_t *d,
                            gk_error *err);

typedef struct gk_mc_data {
    size_t d;
    double *target;            /* d x d, symmetric */
    size_t nobs;               /* observed (train) entries, in the order drawn */
    size_t *obs_i, *obs_j;
    double *obs_y;
    size_t ntest;              /* every ordered entry not observed, row-major order */
    size_t *test_i, *test_j;
    double *test_y;
    size_t nup;                /* i <= j with neither (i, j) nor (j, i) observed */
    size_t *up_i, *up_j;
    double *up_y;
    unsigned char *observed;   /* d x d: 1 if the ordered entry (i, j) is observed */
} gk_mc_data;

/* Takes ownership of target (d x d, symmetric, malloc'd; freed by gk_mc_data_free, also on failure) and
 * draws nobs observed entries with the RNG (seed, stream 12). 1 <= nobs <= d^2, else GK_EINVAL. */
gk_status gk_mc_data_make(gk_mc_data *D, double *target, size_t d, size_t nobs, uint64_t seed, gk_error *err);
void gk_mc_data_free(gk_mc_data *D);
/* The sum over the test entries (upper: over the upper set up_*) of (A - B)^2, A and B d x d row-major; B NULL:
 * the target's values. */
double gk_mc_test_sq(const gk_mc_data *D, const double *A, const double *B, int upper);
/* Writes target.csv (d x d), train.csv and test.csv (columns i,j,value) into dir, atomically. */
gk_status gk_mc_data_save_csv(const gk_mc_data *D, const char *dir, gk_error *err);

#endif
