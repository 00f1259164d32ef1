/* sweep_fig.c: the figures of a sweep (see sweep.h): the heat map of a summary scalar over two swept keys and
 * the observed against the predicted transition with its log-log fit (sweep_fit.json). */
#include "run/sweep.h"

#include "io/fsutil.h"
#include "fig/plot.h"
#include "report/report_html.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Appends "name.png name.svg" (or one name) to the list of files written. */
static void add_files(char *files, size_t len, const char *base, int figure) {
    size_t n = strlen(files);
    if (figure) snprintf(files + n, len - n, "%s%s.png %s.svg", n ? " " : "", base, base);
    else snprintf(files + n, len - n, "%s%s", n ? " " : "", base);
}

static int all_finite(const gk_sweep_axis *a) {
    for (int i = 0; i < a->n; i++)
        if (!isfinite(a->num[i])) return 0;
    return 1;
}

/* A log axis when the values are positive and closer to a geometric than to an arithmetic progression. */
static int wants_log(const double *v, int n) {
    for (int i = 0; i < n; i++)
        if (!(v[i] > 0)) return 0;
    if (n < 2) return 0;
    if (n == 2) return v[1] / v[0] >= 4 || v[0] / v[1] >= 4;
    double dmin = INFINITY, dmax = 0, lmin = INFINITY, lmax = 0;
    for (int i = 1; i < n; i++) {
        double d = fabs(v[i] - v[i - 1]), l = fabs(log(v[i] / v[i - 1]));
        dmin = fmin(dmin, d), dmax = fmax(dmax, d), lmin = fmin(lmin, l), lmax = fmax(lmax, l);
    }
    return lmax / lmin < dmax / dmin;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Position of v in the sorted values s[n]. */
static int find_sorted(const double *s, int n, double v) {
    for (int i = 0; i < n; i++)
        if (s[i] == v) return i;
    return -1;
}

/* One axis of the heat map: the cells' positions (a numeric key's values sorted, a text key's indices in the
 * command's order, with names), and each value's cell. */
typedef struct cell_axis {
    int n;
    double *pos;
    int *cell;          /* cell[i]: the cell of the axis's value i */
    const char **names; /* a text key's values in words (the experiment's value_words) or as given; NULL: numeric */
} cell_axis;

static int cell_axis_init(const gk_sweep *sw, const gk_sweep_axis *a, cell_axis *c) {
    const int numeric = all_finite(a);
    c->n = a->n;
    c->pos = malloc((size_t)a->n * sizeof *c->pos);
    c->cell = malloc((size_t)a->n * sizeof *c->cell);
    c->names = numeric ? NULL : malloc((size_t)a->n * sizeof *c->names);
    if (!c->pos || !c->cell || (!numeric && !c->names)) return 0;
    const gk_exp_type *T = sw->preset->type;
    for (int i = 0; i < a->n; i++) {
        c->pos[i] = numeric ? a->num[i] : i;
        if (numeric) continue;
        const char *w = T->value_words ? T->value_words(a->key, a->text[i]) : NULL;
        c->names[i] = w ? w : a->text[i];
    }
    if (numeric) qsort(c->pos, (size_t)a->n, sizeof *c->pos, cmp_double);
    for (int i = 0; i < a->n; i++) c->cell[i] = numeric ? find_sorted(c->pos, a->n, a->num[i]) : i;
    return 1;
}

static void cell_axis_free(cell_axis *c) {
    free(c->pos);
    free(c->cell);
    free(c->names);
}

/* The mean of zkey per (x, y) cell over the other axes, NAN where no point has a value; and (pc >= 0) the
 * predicted transition step per cell (the last point's). z, cnt, zp: ny x nx. */
static void heat_cells(const gk_sweep *sw, const gk_sweep_table *t, const int *ax, const cell_axis *X,
                       const cell_axis *Y, int zc, int pc, double *z, double *cnt, double *zp) {
    int idx[GK_SWEEP_MAX_AXES];
    size_t nx = (size_t)X->n, ny = (size_t)Y->n;
    for (size_t k = 0; k < t->npoints; k++) {
        gk_sweep_indices(sw, k, idx);
        double v = t->val[k * (size_t)t->nscalars + (size_t)zc];
        size_t c = (size_t)Y->cell[idx[ax[1]]] * nx + (size_t)X->cell[idx[ax[0]]];
        if (pc >= 0) zp[c] = t->val[k * (size_t)t->nscalars + (size_t)pc];
        if (!isfinite(v)) continue;
        z[c] += v;
        cnt[c] += 1;
    }
    for (size_t c = 0; c < nx * ny; c++) z[c] = cnt[c] > 0 ? z[c] / cnt[c] : NAN;
}

/* Draws heatmap.png of the z cells over the axes ax[0] (x) and ax[1] (y). */
static gk_status heat_draw(const gk_sweep *sw, const char *dir, const char *zkey, const int *ax, const cell_axis *X,
                           const cell_axis *Y, const double *z, const double *zp, gk_error *err) {
    char base[1200], title[256], xw[160], yw[160], zw[160];
    gk_status s = gk_path_join(base, sizeof base, dir, "heatmap", err);
    int others = (int)sw->npoints / (X->n * Y->n);
    const char *zwords = gk_sweep_key_words(sw, zkey, zw, sizeof zw);
    snprintf(title, sizeof title, "%s: %s%s (grey: none)", sw->preset->name, zwords,
             others > 1 ? ", mean over the other keys and seeds" : "");
    gk_heatmap hm = {.title = title, .xlabel = gk_sweep_key_words(sw, sw->axes[ax[0]].key, xw, sizeof xw),
                     .ylabel = gk_sweep_key_words(sw, sw->axes[ax[1]].key, yw, sizeof yw), .zlabel = zwords,
                     .x = X->pos, .y = Y->pos, .z = z, .nx = (size_t)X->n, .ny = (size_t)Y->n, .categorical = 1,
                     .xnames = X->names, .ynames = Y->names, .cell_values = 1, .zpred = zp, .zpred_label = "t*"};
    return s ? s : gk_plot_heatmap_ex(base, &hm, err);
}

/* The heat map of zkey over the first two swept keys (seed aside), numeric or not. */
static gk_status heatmap(const gk_sweep *sw, const gk_sweep_table *t, const char *dir, const char *zkey, char *notes,
                         size_t nlen, int *drawn, gk_error *err) {
    int ax[2], na = 0;
    for (int i = 0; i < sw->naxes && na < 2; i++)
        if (sw->axes[i].n > 1 && strcmp(sw->axes[i].key, "seed")) ax[na++] = i;
    int zc = gk_sweep_table_col(t, zkey);
    size_t used = strlen(notes);
    if (na < 2) {
        snprintf(notes + used, nlen - used, "heat map skipped: fewer than two swept keys. ");
        return GK_OK;
    }
    if (zc < 0) {
        snprintf(notes + used, nlen - used, "heat map skipped: no scalar '%s' in the summaries. ", zkey);
        return GK_OK;
    }
    cell_axis X = {0}, Y = {0};
    size_t ncell = (size_t)sw->axes[ax[0]].n * (size_t)sw->axes[ax[1]].n;
    double *z = calloc(ncell, sizeof *z), *cnt = calloc(ncell, sizeof *cnt);
    double *zp = calloc(ncell, sizeof *zp); /* the predicted t* per cell (step keys) */
    int pc = strstr(zkey, "_step") ? gk_sweep_table_col(t, "predicted_transition_step") : -1;
    gk_status s = GK_OK;
    if (!cell_axis_init(sw, &sw->axes[ax[0]], &X) || !cell_axis_init(sw, &sw->axes[ax[1]], &Y) || !z || !cnt || !zp)
        s = gk_fail(err, GK_ENOMEM, "out of memory");
    if (!s) {
        heat_cells(sw, t, ax, &X, &Y, zc, pc, z, cnt, zp);
        s = heat_draw(sw, dir, zkey, ax, &X, &Y, z, pc >= 0 ? zp : NULL, err);
        *drawn = !s;
    }
    cell_axis_free(&X);
    cell_axis_free(&Y);
    free(zp);
    free(z);
    free(cnt);
    return s;
}

static gk_status write_fit(const char *dir, double slope, double intercept, size_t used, gk_error *err) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "model", "ln(test_grok_step) = intercept + slope * ln(predicted_transition_step)");
    if (isfinite(slope)) {
        cJSON_AddNumberToObject(o, "slope", slope);
        cJSON_AddNumberToObject(o, "intercept", intercept);
    } else {
        cJSON_AddNullToObject(o, "slope");
        cJSON_AddNullToObject(o, "intercept");
    }
    cJSON_AddNumberToObject(o, "points_used", (double)used);
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (!text) return gk_fail(err, GK_ENOMEM, "out of memory");
    char path[1200];
    gk_status s = gk_path_join(path, sizeof path, dir, "sweep_fit.json", err);
    if (!s) s = gk_write_file_atomic(path, text, strlen(text), err);
    free(text);
    return s;
}

typedef struct trans_data {
    size_t n, used, npairs;
    double *px, *oy, *alpha, *ratio, *line; /* line: 8 values, y = x and the fit at two ends */
    double slope, intercept, lo, hi, alo, ahi;
    int ai;
} trans_data;

/* The predicted and observed steps of every point, their ranges and the fit. */
static void trans_points(const gk_sweep *sw, const gk_sweep_table *t, int pc, int oc, trans_data *d) {
    int idx[GK_SWEEP_MAX_AXES];
    d->lo = d->alo = INFINITY, d->hi = d->ahi = 0;
    d->ai = gk_sweep_axis_index(sw, "alpha");
    for (size_t k = 0; k < d->n; k++) {
        d->px[k] = t->val[k * (size_t)t->nscalars + (size_t)pc];
        d->oy[k] = t->val[k * (size_t)t->nscalars + (size_t)oc];
        d->ratio[k] = d->px[k] > 0 ? d->oy[k] / d->px[k] : NAN;
        gk_sweep_indices(sw, k, idx);
        d->alpha[k] = d->ai >= 0 ? sw->axes[d->ai].num[idx[d->ai]] : NAN;
        if (d->px[k] > 0 && d->oy[k] > 0 && isfinite(d->px[k]) && isfinite(d->oy[k])) {
            d->lo = fmin(d->lo, fmin(d->px[k], d->oy[k])), d->hi = fmax(d->hi, fmax(d->px[k], d->oy[k]));
            d->npairs++;
        }
        if (isfinite(d->ratio[k]) && d->alpha[k] > 0) d->alo = fmin(d->alo, d->alpha[k]), d->ahi = fmax(d->ahi, d->alpha[k]);
    }
    gk_error fe;
    gk_loglog_fit(d->px, d->oy, d->n, &d->slope, &d->intercept, &d->used, &fe);
}

/* Draws transition.{png,svg} from d. */
static gk_status trans_draw(const gk_sweep *sw, trans_data *d, const char *dir, gk_error *err) {
    /* y = x and the fitted line over the observed range, widened a little. */
    double a = d->lo / 1.5, b = d->hi * 1.5;
    double *lx = d->line, *ly = d->line + 2, *fx = d->line + 4, *fy = d->line + 6;
    lx[0] = fx[0] = a, lx[1] = fx[1] = b, ly[0] = a, ly[1] = b;
    int fit = isfinite(d->slope);
    fy[0] = fit ? exp(d->intercept + d->slope * log(a)) : NAN;
    fy[1] = fit ? exp(d->intercept + d->slope * log(b)) : NAN;
    gk_panel panels[2];
    memset(panels, 0, sizeof panels);
    char t1[256], flabel[128], awords[160];
    if (fit) {
        snprintf(t1, sizeof t1, "log-log slope %.3f, intercept %.3f (%zu runs)", d->slope, d->intercept, d->used);
        snprintf(flabel, sizeof flabel, "fit ln y = %.3f + %.3f ln x", d->intercept, d->slope);
    } else {
        snprintf(t1, sizeof t1, "observed vs predicted (no fit: %zu usable point)", d->used);
        snprintf(flabel, sizeof flabel, "no fit");
    }
    gk_panel *p0 = &panels[0];
    *p0 = (gk_panel){.title = t1, .xlabel = "predicted transition step", .ylabel = "observed grok step", .logx = 1, .logy = 1};
    p0->series[p0->nseries++] = (gk_series){"runs", d->px, d->oy, d->n, 1, GK_ROLE_AUTO};
    p0->series[p0->nseries++] = (gk_series){"y = x", lx, ly, 2, 2, GK_ROLE_THRESHOLD};
    if (fit) p0->series[p0->nseries++] = (gk_series){flabel, fx, fy, 2, 0, GK_ROLE_AUTO};
    int np = 1;
    double ax[2] = {d->alo / 1.2, d->ahi * 1.2}, one[2] = {1, 1};
    if (d->ai >= 0 && d->ahi > 0) {
        const gk_sweep_axis *A = &sw->axes[d->ai];
        gk_panel *p1 = &panels[np++];
        *p1 = (gk_panel){.title = "observed / predicted against alpha",
                         .xlabel = gk_sweep_key_words(sw, A->key, awords, sizeof awords), .ylabel = "observed / predicted",
                         .logx = wants_log(A->num, A->n) || d->ahi / d->alo >= 4};
        p1->series[p1->nseries++] = (gk_series){"runs", d->alpha, d->ratio, d->n, 1, GK_ROLE_AUTO};
        p1->series[p1->nseries++] = (gk_series){"observed = predicted", ax, one, 2, 2, GK_ROLE_THRESHOLD};
    }
    char base[1200], title[256];
    snprintf(title, sizeof title, "%s sweep: grok step against the predicted transition", sw->preset->name);
    gk_status s = gk_path_join(base, sizeof base, dir, "transition", err);
    return s ? s : gk_plot_panels(base, title, panels, np, err);
}

static gk_status transition(const gk_sweep *sw, const gk_sweep_table *t, const char *dir, char *notes, size_t nlen,
                            char *files, size_t flen, gk_error *err) {
    int pc = gk_sweep_table_col(t, "predicted_transition_step"), oc = gk_sweep_table_col(t, "test_grok_step");
    size_t nl = strlen(notes);
    if (pc < 0 || oc < 0) {
        snprintf(notes + nl, nlen - nl, "transition figure skipped: no predicted_transition_step/test_grok_step. ");
        gk_status s = write_fit(dir, NAN, NAN, 0, err);
        if (!s) add_files(files, flen, "sweep_fit.json", 0);
        return s;
    }
    size_t n = t->npoints;
    double *buf = malloc((8 * n + 8) * sizeof *buf);
    if (!buf) return gk_fail(err, GK_ENOMEM, "out of memory");
    trans_data d = {.n = n, .px = buf, .oy = buf + n, .alpha = buf + 2 * n, .ratio = buf + 3 * n, .line = buf + 4 * n};
    trans_points(sw, t, pc, oc, &d);
    gk_status s = write_fit(dir, d.slope, d.intercept, d.used, err);
    if (!s) add_files(files, flen, "sweep_fit.json", 0);
    if (!s && d.npairs == 0)
        snprintf(notes + nl, nlen - nl, "transition figure skipped: no point has both an observed grok step and a predicted transition. ");
    else if (!s && !(s = trans_draw(sw, &d, dir, err))) add_files(files, flen, "transition", 1);
    free(buf);
    return s;
}

gk_status gk_sweep_figures(const gk_sweep *sw, const gk_sweep_table *t, const char *dir, const char *zkey,
                           char *notes, size_t notes_len, char *files, size_t files_len, gk_error *err) {
    if (notes_len) notes[0] = '\0';
    if (files_len) files[0] = '\0';
    int drawn = 0;
    gk_status s = heatmap(sw, t, dir, zkey ? zkey : "test_grok_step", notes, notes_len, &drawn, err);
    if (!s && drawn) add_files(files, files_len, "heatmap", 1);
    if (!s) s = transition(sw, t, dir, notes, notes_len, files, files_len, err);
    if (!s && !(s = gk_report_html_sweep(dir, err))) add_files(files, files_len, "report.html", 0);
    return s;
}
