/* mc_data.c: targets and observed sets of symmetric matrix completion. */
#include "data/mc_data.h"

#include "io/fsutil.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void gk_mc_target_multiply(size_t d, double *X) {
    GK_ASSERT(X && d > 0);
    double dd = (double)d * (double)d;
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) X[i * d + j] = (double)i * (double)j / dd;
}

void gk_mc_target_lowrank(size_t d, size_t r, uint64_t seed, double *X) {
    GK_ASSERT(X && d > 0 && r >= 1 && r <= d);
    double *B = malloc(d * r * sizeof *B);
    GK_ASSERT(B); /* d x r with r <= d: smaller than X itself */
    gk_rng g;
    gk_rng_seed(&g, seed, 11);
    for (size_t k = 0; k < d * r; k++) B[k] = gk_rng_normal(&g);
    double ss = 0;
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j <= i; j++) {
            double s = 0;
            for (size_t k = 0; k < r; k++) s += B[i * r + k] * B[j * r + k];
            X[i * d + j] = X[j * d + i] = s;
        }
    for (size_t k = 0; k < d * d; k++) ss += X[k] * X[k];
    double scale = ss > 0 ? 0.3 / sqrt(ss / ((double)d * (double)d)) : 1.0;
    for (size_t k = 0; k < d * d; k++) X[k] *= scale;
    free(B);
}

/* ---- CSV --------------------------------------------------------------------------------------------- */

static int blank_or_comment(const char *s) {
    while (*s && isspace((unsigned char)*s)) s++;
    return *s == '\0' || *s == '#';
}

/* Parses one line of comma-separated numbers into vals (grown as needed). Returns the count, or -1 with
 * *bad_col set (1-based) for a field that is not a finite number. */
static long parse_row(char *line, double **vals, size_t *cap, size_t *bad_col, int *nonfinite) {
    size_t n = 0;
    char *p = line;
    for (;;) {
        char *end;
        while (*p == ' ' || *p == '\t') p++;
        errno = 0;
        double v = strtod(p, &end);
        char *q = end;
        while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n') q++;
        if (end == p || (*q != ',' && *q != '\0')) {
            *bad_col = n + 1;
            *nonfinite = 0;
            return -1;
        }
        if (!isfinite(v)) {
            *bad_col = n + 1;
            *nonfinite = 1;
            return -1;
        }
        if (n == *cap) {
            size_t nc = *cap ? 2 * *cap : 64;
            double *nv = realloc(*vals, nc * sizeof *nv);
            if (!nv) return -2;
            *vals = nv, *cap = nc;
        }
        (*vals)[n++] = v;
        if (*q == '\0') break;
        p = q + 1;
    }
    return (long)n;
}

/* One line into *line (grown as needed, NUL-terminated, the newline kept). Returns its length, 0 at the end
 * of the file, -1 for a line longer than GK_MC_CSV_MAX_LINE, -2 out of memory, -3 a read error. *total counts
 * the bytes read: past GK_MC_CSV_MAX_BYTES the file ends here (-1 too). */
static long read_line(FILE *f, char **line, size_t *cap, size_t *total) {
    size_t n = 0;
    int c;
    while ((c = getc(f)) != EOF) {
        if (n + 2 > *cap) {
            size_t nc = *cap ? 2 * *cap : 256;
            char *nl = realloc(*line, nc);
            if (!nl) return -2;
            *line = nl, *cap = nc;
        }
        (*line)[n++] = c == '\0' ? '?' : (char)c; /* a NUL byte is no number: it must not end the string */
        if (n > GK_MC_CSV_MAX_LINE || ++*total > GK_MC_CSV_MAX_BYTES) return -1;
        if (c == '\n') break;
    }
    if (ferror(f)) return -3;
    if (n) (*line)[n] = '\0';
    return (long)n;
}

/* The rows read form a square matrix, symmetric to 1e-9 relative to its largest entry; the lower triangle is
 * then set from the upper one (exact symmetry). */
static gk_status check_square_symmetric(const char *path, double *all, size_t rows, size_t cols, gk_error *err) {
    if (rows == 0) return gk_fail(err, GK_EINVAL, "target_csv '%s': no rows of numbers", path);
    if (rows != cols)
        return gk_fail(err, GK_EINVAL, "target_csv '%s': the matrix is not square (%zu rows of %zu values)", path,
                       rows, cols);
    double mx = 0;
    for (size_t k = 0; k < rows * cols; k++) mx = fmax(mx, fabs(all[k]));
    double tol = 1e-9 * (1.0 + mx);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = i + 1; j < cols; j++)
            if (!(fabs(all[i * cols + j] - all[j * cols + i]) <= tol))
                return gk_fail(err, GK_EINVAL,
                               "target_csv '%s': the matrix is not symmetric: entry (%zu, %zu) = %.17g but (%zu, %zu) = %.17g",
                               path, i, j, all[i * cols + j], j, i, all[j * cols + i]);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = i + 1; j < cols; j++) all[j * cols + i] = all[i * cols + j];
    return GK_OK;
}

gk_status gk_mc_read_csv(const char *path, double **X, size_t *d, gk_error *err) {
    *X = NULL;
    *d = 0;
    FILE *f = fopen(path, "r");
    if (!f) return gk_fail(err, GK_EINVAL, "target_csv '%s': cannot open the file (%s)", path, strerror(errno));
    char *line = NULL;
    size_t lcap = 0, vcap = 0, cols = 0, rows = 0, cap_all = 0, total = 0;
    double *vals = NULL, *all = NULL;
    gk_status s = GK_OK;
    long lineno = 0, got;
    while ((got = read_line(f, &line, &lcap, &total)) != 0) {
        lineno++;
        if (got < 0) {
            s = got == -2   ? gk_fail(err, GK_ENOMEM, "target_csv '%s': out of memory", path)
                : got == -3 ? gk_fail(err, GK_EIO, "target_csv '%s': read error", path)
                : total > GK_MC_CSV_MAX_BYTES
                    ? gk_fail(err, GK_EINVAL, "target_csv '%s': more than %d bytes (a %d x %d matrix needs far less)",
                              path, GK_MC_CSV_MAX_BYTES, GK_MC_CSV_MAX_DIM, GK_MC_CSV_MAX_DIM)
                    : gk_fail(err, GK_EINVAL, "target_csv '%s': line %ld is longer than %d bytes", path, lineno,
                              GK_MC_CSV_MAX_LINE);
            break;
        }
        if (blank_or_comment(line)) continue;
        size_t bad = 0;
        int nonfinite = 0;
        long n = parse_row(line, &vals, &vcap, &bad, &nonfinite);
        if (n == -2) {
            s = gk_fail(err, GK_ENOMEM, "target_csv '%s': out of memory", path);
            break;
        }
        if (n < 0) {
            s = gk_fail(err, GK_EINVAL, "target_csv '%s': line %ld, column %zu is %s", path, lineno, bad,
                        nonfinite ? "not finite" : "not a number");
            break;
        }
        if (rows == 0 && (size_t)n > GK_MC_CSV_MAX_DIM) {
            s = gk_fail(err, GK_EINVAL, "target_csv '%s': line %ld has %ld values: at most %d (d <= %d)", path, lineno, n,
                        GK_MC_CSV_MAX_DIM, GK_MC_CSV_MAX_DIM);
            break;
        }
        if (rows == 0) cols = (size_t)n;
        else if ((size_t)n != cols) {
            s = gk_fail(err, GK_EINVAL, "target_csv '%s': line %ld has %ld values but the first row has %zu", path,
                        lineno, n, cols);
            break;
        }
        if (rows >= cols) {
            s = gk_fail(err, GK_EINVAL, "target_csv '%s': the matrix is not square (more than %zu rows of %zu values)",
                        path, cols, cols);
            break;
        }
        if (!all) {
            cap_all = cols * cols;
            all = malloc(cap_all * sizeof *all);
            if (!all) {
                s = gk_fail(err, GK_ENOMEM, "target_csv '%s': out of memory for %zu x %zu", path, cols, cols);
                break;
            }
        }
        memcpy(all + rows * cols, vals, cols * sizeof *all);
        rows++;
    }
    fclose(f);
    free(line);
    free(vals);
    if (!s) s = check_square_symmetric(path, all, rows, cols, err);
    if (s) {
        free(all);
        return s;
    }
    *X = all;
    *d = rows;
    return GK_OK;
}

/* ---- observed set ------------------------------------------------------------------------------------ */

void gk_mc_data_free(gk_mc_data *D) {
    if (!D) return;
    free(D->target);
    free(D->obs_i), free(D->obs_j), free(D->obs_y);
    free(D->test_i), free(D->test_j), free(D->test_y);
    free(D->up_i), free(D->up_j), free(D->up_y);
    free(D->observed);
    memset(D, 0, sizeof *D);
}

gk_status gk_mc_data_make(gk_mc_data *D, double *target, size_t d, size_t nobs, uint64_t seed, gk_error *err) {
    memset(D, 0, sizeof *D);
    D->d = d;
    D->target = target;
    size_t dd = d * d;
    if (d == 0 || nobs < 1 || nobs > dd) {
        gk_mc_data_free(D);
        return gk_fail(err, GK_EINVAL, "n_obs=%zu is out of range: 1 <= n_obs <= d^2 = %zu", nobs, dd);
    }
    size_t *perm = malloc(dd * sizeof *perm);
    D->observed = calloc(dd, 1);
    D->obs_i = malloc(nobs * sizeof(size_t));
    D->obs_j = malloc(nobs * sizeof(size_t));
    D->obs_y = malloc(nobs * sizeof(double));
    size_t nt = dd - nobs, alloc_t = nt ? nt : 1;
    D->test_i = malloc(alloc_t * sizeof(size_t));
    D->test_j = malloc(alloc_t * sizeof(size_t));
    D->test_y = malloc(alloc_t * sizeof(double));
    D->up_i = malloc(alloc_t * sizeof(size_t));
    D->up_j = malloc(alloc_t * sizeof(size_t));
    D->up_y = malloc(alloc_t * sizeof(double));
    if (!perm || !D->observed || !D->obs_i || !D->obs_j || !D->obs_y || !D->test_i || !D->test_j || !D->test_y ||
        !D->up_i || !D->up_j || !D->up_y) {
        free(perm);
        gk_mc_data_free(D);
        return gk_fail(err, GK_ENOMEM, "out of memory for a %zu x %zu completion problem", d, d);
    }
    for (size_t k = 0; k < dd; k++) perm[k] = k;
    gk_rng g;
    gk_rng_seed(&g, seed, 12);
    gk_rng_shuffle(&g, perm, dd);
    for (size_t t = 0; t < nobs; t++) {
        size_t i = perm[t] / d, j = perm[t] % d;
        D->obs_i[t] = i, D->obs_j[t] = j, D->obs_y[t] = target[i * d + j];
        D->observed[i * d + j] = 1;
    }
    free(perm);
    D->nobs = nobs;
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) {
            if (D->observed[i * d + j]) continue;
            D->test_i[D->ntest] = i, D->test_j[D->ntest] = j, D->test_y[D->ntest] = target[i * d + j];
            D->ntest++;
            if (i <= j && !D->observed[j * d + i]) {
                D->up_i[D->nup] = i, D->up_j[D->nup] = j, D->up_y[D->nup] = target[i * d + j];
                D->nup++;
            }
        }
    return GK_OK;
}

static gk_status save_entries(const char *dir, const char *name, const size_t *ii, const size_t *jj, const double *y,
                              size_t n, gk_error *err) {
    char path[1024];
    gk_status s = gk_path_join(path, sizeof path, dir, name, err);
    gk_atomic_file af;
    if (!s) s = gk_atomic_open(&af, path, err);
    if (s) return s;
    fprintf(af.f, "i,j,value\n");
    for (size_t t = 0; t < n; t++) fprintf(af.f, "%zu,%zu,%.17g\n", ii[t], jj[t], y[t]);
    return gk_atomic_commit(&af, err);
}

gk_status gk_mc_data_save_csv(const gk_mc_data *D, const char *dir, gk_error *err) {
    char path[1024];
    gk_status s = gk_path_join(path, sizeof path, dir, "target.csv", err);
    gk_atomic_file af;
    if (!s) s = gk_atomic_open(&af, path, err);
    if (s) return s;
    for (size_t i = 0; i < D->d; i++)
        for (size_t j = 0; j < D->d; j++) fprintf(af.f, "%.17g%c", D->target[i * D->d + j], j + 1 < D->d ? ',' : '\n');
    s = gk_atomic_commit(&af, err);
    if (!s) s = save_entries(dir, "train.csv", D->obs_i, D->obs_j, D->obs_y, D->nobs, err);
    if (!s) s = save_entries(dir, "test.csv", D->test_i, D->test_j, D->test_y, D->ntest, err);
    return s;
}

/* Sum over the test entries of (A - B)^2 (B NULL: the target). */
double gk_mc_test_sq(const gk_mc_data *D, const double *A, const double *B, int upper) {
    const size_t d = D->d, n = upper ? D->nup : D->ntest;
    const size_t *ii = upper ? D->up_i : D->test_i, *jj = upper ? D->up_j : D->test_j;
    const double *y = upper ? D->up_y : D->test_y;
    double s = 0;
    for (size_t t = 0; t < n; t++) {
        size_t k = ii[t] * d + jj[t];
        double e = A[k] - (B ? B[k] : y[t]);
        s += e * e;
    }
    return s;
}

gk_status gk_mc_target_make(const char *kind, const char *csv, size_t rank, uint64_t seed, double **X, size_t *d,
                            gk_error *err) {
    if (!strcmp(kind, "csv")) {
        gk_status s = gk_mc_read_csv(csv, X, d, err);
        if (!s && *d < 2) {
            free(*X);
            s = gk_fail(err, GK_EINVAL, "target_csv '%s': the matrix is 1 x 1; completion needs d >= 2", csv);
        }
        return s;
    }
    *X = malloc(*d * *d * sizeof **X);
    if (!*X) return gk_fail(err, GK_ENOMEM, "out of memory for a %zu x %zu target", *d, *d);
    if (!strcmp(kind, "lowrank")) gk_mc_target_lowrank(*d, rank, seed, *X);
    else gk_mc_target_multiply(*d, *X);
    return GK_OK;
}
