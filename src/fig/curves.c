/* curves.c: a declared figure of metrics columns (curves.h) drawn through fig/plot. */
#include "fig/curves.h"

#include "io/fsutil.h"
#include "fig/plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int has_finite(const double *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) return 1;
    return 0;
}

/* Adds column c of m to panel P as a series (buf: its n values), unless it holds no finite value. */
static int add_column(gk_panel *P, const gk_metrics *m, int c, const char *label, const gk_curve *C, const double *x,
                      double *buf) {
    if (P->nseries >= GK_PLOT_MAX_SERIES) return 0;
    gk_metrics_column(m, c, buf);
    if (!has_finite(buf, m->nrows)) return 0;
    P->series[P->nseries++] = (gk_series){label, x, buf, m->nrows, C->style, C->role};
    return 1;
}

size_t gk_panel_band(gk_panel *P, int k, const double *lo, const double *hi, const double *sd, double clip_lo,
                     double clip_hi, double *buf) {
    const size_t n = P->series[k].n;
    const double *y = P->series[k].y;
    const int clip = clip_lo != 0 || clip_hi != 0;
    if (!(lo && hi) && !sd) return 0;
    for (size_t r = 0; r < n; r++) {
        double a = lo && hi ? lo[r] : y[r] - sd[r], b = lo && hi ? hi[r] : y[r] + sd[r];
        buf[r] = clip ? fmax(a, clip_lo) : a;
        buf[n + r] = clip ? fmin(b, clip_hi) : b;
    }
    P->band_lo[k] = buf, P->band_hi[k] = buf + n;
    return 2 * n;
}

size_t gk_panel_band_of(gk_panel *P, int k, const gk_band_tables *b, const char *col, double clip_lo, double clip_hi,
                        double *buf) {
    const int cl = b && b->lo ? gk_metrics_col(b->lo, col) : -1, ch = b && b->hi ? gk_metrics_col(b->hi, col) : -1;
    const size_t n = P->series[k].n;
    if (cl < 0 || ch < 0 || b->lo->nrows != n || b->hi->nrows != n) return 0;
    gk_metrics_column(b->lo, cl, buf); /* read in place: buf[r] is read before buf[r] is written */
    gk_metrics_column(b->hi, ch, buf + n);
    return gk_panel_band(P, k, buf, buf + n, NULL, clip_lo, clip_hi, buf);
}

/* The band of the last series of P: its values -+ column `band` (or the band tables' min to max of its column),
 * clipped to [lo, hi] (both 0: not clipped), into buf (2n). Returns the buffer values used. */
static size_t add_band(gk_panel *P, const gk_metrics *m, const gk_curve *C, const gk_band_tables *bt, double lo,
                       double hi, double *buf) {
    const int k = P->nseries - 1;
    if (bt) return gk_panel_band_of(P, k, bt, C->column, lo, hi, buf);
    const int c = C->band ? gk_metrics_col(m, C->band) : -1;
    if (c < 0) return 0;
    gk_metrics_column(m, c, buf + m->nrows); /* the std, then the band over it */
    return gk_panel_band(P, k, NULL, NULL, buf + m->nrows, lo, hi, buf);
}

/* The series of curve C: one column, or every column matching "prefix*" (labels written into names). Returns
 * the buffers used. */
static size_t add_curve(gk_panel *P, const gk_curve *C, const gk_metrics *m, const double *x, double *buf,
                        char (*names)[64], int *nnames) {
    const size_t n = m->nrows, len = strlen(C->column);
    if (C->column[len - 1] != '*') {
        int c = gk_metrics_col(m, C->column);
        return c >= 0 && add_column(P, m, c, C->label, C, x, buf) ? n : 0;
    }
    size_t used = 0;
    for (int c = 0; c < m->ncols && *nnames < GK_PLOT_MAX_SERIES; c++) {
        if (strncmp(m->names[c], C->column, len - 1)) continue;
        snprintf(names[*nnames], sizeof names[0], "%s%s", C->label, m->names[c] + len - 1);
        if (add_column(P, m, c, names[*nnames], C, x, buf + used)) used += n, (*nnames)++;
    }
    return used;
}

/* Panel S into P (its x values: x); returns the buffer values used (0: the panel has no curve). */
static size_t make_panel(gk_panel *P, const gk_curve_panel *S, const gk_metrics *m, const gk_band_tables *bt,
                         const gk_config *cfg, double predicted, const char *xlabel, const double *x, double *buf, char (*names)[64],
                         int *nnames) {
    *P = (gk_panel){.title = S->title, .xlabel = xlabel, .ylabel = S->ylabel, .logx = 1, .logy = S->logy,
                    .ymin = S->ymin, .ymax = S->ymax};
    size_t used = 0;
    for (int k = 0; k < GK_CURVES_PER_PANEL && S->curves[k].column; k++) {
        size_t u = add_curve(P, &S->curves[k], m, x, buf + used, names, nnames);
        if (u == m->nrows) u += add_band(P, m, &S->curves[k], bt, S->band_min, S->band_max, buf + used + u);
        used += u;
    }
    if (S->hline_key && cfg) {
        P->hline[0] = gk_config_real(cfg, S->hline_key);
        P->hline_label[0] = S->hline_label;
        P->hline_role[0] = GK_ROLE_THRESHOLD;
        P->nhlines = 1;
    }
    if (isfinite(predicted)) {
        P->vline[0] = predicted;
        P->vline_label[0] = "t*";
        P->nvlines = 1;
    }
    return used;
}

gk_status gk_plot_curves(const gk_curve_figure *F, const gk_metrics *m, const gk_config *cfg, double predicted,
                         const char *dir, gk_error *err) {
    return gk_plot_curves_banded(F, m, NULL, cfg, predicted, dir, err);
}

gk_status gk_plot_curves_banded(const gk_curve_figure *F, const gk_metrics *m, const gk_band_tables *bands,
                                const gk_config *cfg, double predicted, const char *dir, gk_error *err) {
    const size_t n = m->nrows;
    if (n < 2) return GK_OK;
    double *buf = malloc((size_t)(1 + 3 * GK_CURVE_PANELS * GK_PLOT_MAX_SERIES) * n * sizeof(double));
    char(*names)[64] = malloc(GK_PLOT_MAX_SERIES * sizeof *names);
    gk_panel *pan = calloc(GK_CURVE_PANELS, sizeof *pan);
    gk_status s = buf && names && pan ? GK_OK : gk_fail(err, GK_ENOMEM, "out of memory");
    int np = 0, nnames = 0;
    for (size_t r = 0; !s && r < n; r++) {
        buf[r] = gk_metrics_at(m, r, 0) + (F->x == GK_X_STEP_PLUS_1);
        if (F->x == GK_X_STEP0_AT_HALF && buf[r] <= 0) buf[r] = 0.5; /* step 0 on the log axis */
    }
    size_t used = n;
    if (F->x == GK_X_STEP_PLUS_1) predicted += 1;
    for (int k = 0; !s && k < GK_CURVE_PANELS && F->panels[k].title; k++) {
        const char *xlabel = F->x == GK_X_STEP_PLUS_1 ? "step + 1" : "step";
        size_t u = make_panel(&pan[np], &F->panels[k], m, bands, cfg, predicted, xlabel, buf, buf + used, names, &nnames);
        if (u) used += u, np++;
    }
    char base[1024];
    if (!s && np) s = gk_path_join(base, sizeof base, dir, F->file, err);
    if (!s && np) s = gk_plot_panels(base, F->title, pan, np, err);
    free(buf);
    free(names);
    free(pan);
    return s;
}
