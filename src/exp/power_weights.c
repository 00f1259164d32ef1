/* power_weights.c: the unembedding on its top two principal components (power_weights.h). */
#include "exp/power_weights.h"

#include "fig/plot.h"
#include "io/fsutil.h"
#include "report/phenomena.h"

#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZP_BUCKETS 32 /* colour bands of the Z_p elements (a panel holds at most GK_PLOT_MAX_SERIES series) */

/* X (N x D, row j = column j of W minus the mean column). */
static void centred_columns(const double *W, size_t D, size_t N, double *X) {
    for (size_t d = 0; d < D; d++) {
        double mean = 0;
        for (size_t j = 0; j < N; j++) mean += W[d * N + j];
        mean /= (double)N;
        for (size_t j = 0; j < N; j++) X[j * D + d] = W[d * N + j] - mean;
    }
}

gk_status gk_pca2_columns(const double *W, size_t D, size_t N, double *xy, double var2[2], gk_error *err) {
    const size_t k = N < D ? N : D;
    double *X = malloc(N * D * sizeof(double)), *U = malloc(N * (k ? k : 1) * sizeof(double));
    double *s = calloc(k + 2, sizeof(double)), *superb = malloc((k + 1) * sizeof(double));
    if (!X || !U || !s || !superb) {
        free(X), free(U), free(s), free(superb);
        return gk_fail(err, GK_ENOMEM, "out of memory for the principal components of %zu x %zu weights", D, N);
    }
    centred_columns(W, D, N, X);
    lapack_int info = k ? LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'S', 'N', (lapack_int)N, (lapack_int)D, X, (lapack_int)D,
                                         s, U, (lapack_int)k, NULL, 1, superb)
                        : 0;
    double total = 0;
    for (size_t c = 0; c < k; c++) total += s[c] * s[c];
    for (int c = 0; c < 2; c++) {
        /* projection of element j on component c: U[j, c] s[c] (0 when the rank is below 2) */
        size_t arg = 0;
        for (size_t j = 0; j < N; j++) {
            xy[2 * j + c] = (size_t)c < k ? U[j * k + (size_t)c] * s[c] : 0;
            if (fabs(xy[2 * j + c]) > fabs(xy[2 * arg + c])) arg = j;
        }
        const double sign = N && xy[2 * arg + c] < 0 ? -1 : 1;
        for (size_t j = 0; j < N; j++) xy[2 * j + c] *= sign;
        if (var2) var2[c] = total > 0 && (size_t)c < k ? s[c] * s[c] / total : NAN;
    }
    free(X), free(U), free(s), free(superb);
    if (info != 0) return gk_fail(err, GK_EFAILED, "the SVD of the %zu x %zu unembedding failed (LAPACK info %d)", N, D, (int)info);
    return GK_OK;
}

double gk_radius_cv(const double *xy, size_t n) {
    double sum = 0, sq = 0;
    for (size_t j = 0; j < n; j++) {
        const double r = hypot(xy[2 * j], xy[2 * j + 1]);
        sum += r, sq += r * r;
    }
    if (n == 0 || sum <= 0) return NAN;
    const double mean = sum / (double)n, var = sq / (double)n - mean * mean;
    return sqrt(var > 0 ? var : 0) / mean;
}

gk_status gk_wu_snaps_init(gk_wu_snaps *S, size_t D, size_t N, const double *W_U, gk_error *err) {
    *S = (gk_wu_snaps){D, N, malloc(D * N * sizeof(double)), calloc(D * N, sizeof(double)), -1};
    if (!S->start || !S->fit) return gk_fail(err, GK_ENOMEM, "out of memory for the unembedding snapshots");
    memcpy(S->start, W_U, D * N * sizeof(double));
    return GK_OK;
}

void gk_wu_snaps_eval(gk_wu_snaps *S, long step, double train_acc, const double *W_U) {
    if (S->fit_step >= 0 || !(train_acc >= 0.99)) return;
    memcpy(S->fit, W_U, S->D * S->N * sizeof(double));
    S->fit_step = step;
}

void gk_wu_snaps_visit(gk_wu_snaps *S, gk_state *st) {
    gk_state_doubles(st, "power.wu_start", S->start, S->D * S->N);
    gk_state_doubles(st, "power.wu_fit", S->fit, S->D * S->N);
    gk_state_long(st, "power.wu_fit_step", &S->fit_step);
}

void gk_wu_snaps_free(gk_wu_snaps *S) {
    free(S->start), free(S->fit);
    S->start = S->fit = NULL;
}

/* The radius CV of W's projection (and the variance shares when var2 is set). */
static gk_status cv_of(const gk_wu_snaps *S, const double *W, double *cv, double var2[2], gk_error *err) {
    double *xy = malloc(2 * S->N * sizeof(double));
    if (!xy) return gk_fail(err, GK_ENOMEM, "out of memory");
    gk_status s = gk_pca2_columns(W, S->D, S->N, xy, var2, err);
    *cv = s ? NAN : gk_radius_cv(xy, S->N);
    free(xy);
    return s;
}

gk_status gk_wu_snaps_summarize(const gk_wu_snaps *S, const double *W_U_end, cJSON *summary, gk_error *err) {
    double cv0 = NAN, cvf = NAN, cve = NAN, var2[2] = {NAN, NAN};
    gk_status s = cv_of(S, S->start, &cv0, NULL, err);
    if (!s && S->fit_step >= 0) s = cv_of(S, S->fit, &cvf, NULL, err);
    if (!s) s = cv_of(S, W_U_end, &cve, var2, err);
    if (s) return s;
    gk_json_number(summary, "wu_radius_cv_start", cv0);
    gk_json_number(summary, "wu_radius_cv_fit", cvf);
    gk_json_number(summary, "wu_radius_cv_end", cve);
    gk_json_number(summary, "wu_fit_step", S->fit_step >= 0 ? (double)S->fit_step : NAN);
    gk_json_number(summary, "wu_pca_var_end", var2[0] + var2[1]);
    return GK_OK;
}

/* One panel: the points of W's projection, one series per colour band (Z_p) or per coset. */
typedef struct wu_panel {
    double *x, *y; /* N each, grouped by series */
    char title[96], labels[GK_PLOT_MAX_SERIES][40];
} wu_panel;

static int band_of(size_t j, size_t N, const int *group) {
    return group ? group[j] : (int)(j * ZP_BUCKETS / N);
}

/* Z_p: each element's colour on a bar from x = 0 to p - 1 (one band per element up to ZP_BUCKETS of them). */
static gk_colour_bar element_bar(size_t N) {
    return (gk_colour_bar){.label = "element x", .lo = 0, .hi = N > 1 ? (double)(N - 1) : 1};
}

static gk_status fill_panel(const gk_wu_snaps *S, const double *W, const int *group, int ngroups, const char *what,
                            wu_panel *P, gk_panel *out, gk_error *err) {
    const size_t N = S->N;
    double *xy = malloc(2 * N * sizeof(double)), var2[2];
    if (!xy) return gk_fail(err, GK_ENOMEM, "out of memory");
    gk_status s = gk_pca2_columns(W, S->D, N, xy, var2, err);
    const int nb = group ? ngroups : (int)(N < ZP_BUCKETS ? N : ZP_BUCKETS);
    const gk_colour_bar bar = element_bar(N);
    size_t at = 0;
    for (int b = 0; b < nb && !s; b++) {
        gk_series *se = &out->series[out->nseries];
        se->x = P->x + at, se->y = P->y + at, se->style = 1, se->label = NULL;
        for (size_t j = 0; j < N; j++)
            if (band_of(j, N, group) == b) P->x[at] = xy[2 * j], P->y[at++] = xy[2 * j + 1];
        se->n = (size_t)(P->x + at - se->x);
        if (group) snprintf(P->labels[b], sizeof P->labels[b], "%s %d", what, b), se->label = P->labels[b];
        const double x_mid = ((double)b + 0.5) * (double)N / nb - 0.5; /* the band's middle element */
        out->colour[out->nseries++] = GK_RGB(0, 0, 0) | (group ? gk_palette_rgb(b) : gk_colour_bar_rgb(&bar, x_mid));
    }
    if (!s) {
        snprintf(P->title + strlen(P->title), sizeof P->title - strlen(P->title), ": radius CV %.2f, %.0f%% var",
                 gk_radius_cv(xy, N), 100 * (var2[0] + var2[1]));
        out->title = P->title, out->xlabel = "PC 1", out->ylabel = "PC 2";
    }
    free(xy);
    return s;
}

gk_status gk_wu_figure(const gk_wu_snaps *S, const double *W_U_end, long end_step, const int *group, int ngroups,
                       const char *group_what, const char *dir, gk_error *err) {
    const double *W[3] = {S->start, S->fit_step >= 0 ? S->fit : NULL, W_U_end};
    wu_panel P[3] = {{0}};
    gk_panel panels[3] = {{0}};
    int np = 0;
    gk_status s = GK_OK;
    for (int k = 0; k < 3 && !s; k++) {
        if (!W[k]) continue;
        P[np].x = malloc(S->N * sizeof(double)), P[np].y = malloc(S->N * sizeof(double));
        if (!P[np].x || !P[np].y) s = gk_fail(err, GK_ENOMEM, "out of memory");
        const long step = k == 0 ? 0 : k == 1 ? S->fit_step : end_step;
        snprintf(P[np].title, sizeof P[np].title, "%s, step %ld", k == 0 ? "start" : k == 1 ? "train fit" : "end", step);
        if (!s) s = fill_panel(S, W[k], group, ngroups, group_what, &P[np], &panels[np], err);
        np++;
    }
    char base[1024];
    if (!s) s = gk_path_join(base, sizeof base, dir, "wu_pca", err);
    const gk_colour_bar bar = element_bar(S->N);
    const gk_plot_layout L = {.cbar = group ? NULL : &bar}; /* Z_p: a colour bar; S_n: a legend of the cosets */
    if (!s)
        s = gk_plot_panels_ex(NULL, base, "output-layer weights W_U[:, x] on their top two principal components", panels,
                              np, &L, err);
    for (int k = 0; k < 3; k++) free(P[k].x), free(P[k].y);
    return s;
}
