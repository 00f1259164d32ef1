/* sweep_curve.c: the one-key figure of a sweep (see sweep.h): summary scalars against the one swept key (or
 * against another summary scalar, e.g. the final weight norm), the median over seeds at each value, with a
 * least-squares fit of ln y against ln x per scalar and the location of each scalar's minimum, in
 * curve.{png,svg} and sweep_curve.json. It answers the questions of a scaling sweep (steps to 0.95 test accuracy
 * against n: the fitted exponent) and of a landscape sweep (the test loss against the norm: where its minimum
 * sits and whether it is inside the range). */
#include "run/sweep.h"

#include "exp/exp.h"
#include "io/fsutil.h"
#include "fig/plot.h"
#include "fig/run_files.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A short description of a preset's key from its spec table's help, up to the first " (", " ||", ":", ";" or ",",
 * followed by the key ("input bits n"); NULL when there is none or it is long. */
static const char *param_words(const gk_sweep *sw, const char *key, char *buf, size_t len) {
    for (const gk_param_spec *p = sw->preset->type->params; p && p->key; p++) {
        if (strcmp(p->key, key) || !p->help) continue;
        size_t n = strcspn(p->help, ":;,");
        for (const char *cut = " (\0 ||\0", *c = cut; *c; c += strlen(c) + 1) { /* an aside or a formula */
            const char *at = strstr(p->help, c);
            if (at && (size_t)(at - p->help) < n) n = (size_t)(at - p->help);
        }
        if (n == 0 || n > 36) return NULL;
        snprintf(buf, len, "%.*s %s", (int)n, p->help, key);
        return buf;
    }
    return NULL;
}

const char *gk_sweep_key_words(const gk_sweep *sw, const char *key, char *buf, size_t len) {
    const char *w = gk_sweep_column_words(key);
    if (w) return w;
    /* the words plot legends and the live page use for a config key (fig/run_files.c), then its help's */
    if (sw && (w = gk_param_words(key, sw->preset->type->name))) {
        gk_text_unicode(w, buf, len); /* PLplot escapes (#ga) as UTF-8 (α) */
        return buf;
    }
    w = sw ? param_words(sw, key, buf, len) : NULL;
    return w ? w : key;
}

/* The one swept numeric key with more than one value (seed aside): its axis index, -1 if none, -2 if several. */
static int curve_axis(const gk_sweep *sw) {
    int found = -1;
    for (int i = 0; i < sw->naxes; i++) {
        const gk_sweep_axis *a = &sw->axes[i];
        if (a->n < 2 || !strcmp(a->key, "seed")) continue;
        for (int j = 0; j < a->n; j++)
            if (!isfinite(a->num[j])) return -1;
        if (found >= 0) return -2;
        found = i;
    }
    return found;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of the finite values of v[0..n) (sorted in place); NAN if none. */
static double median_finite(double *v, size_t n) {
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) v[m++] = v[i];
    if (!m) return NAN;
    qsort(v, m, sizeof *v, cmp_double);
    return m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
}

/* One scalar against x: every point (px, py) and the medians over seeds per value of the axis (mx, my),
 * ordered by the axis value. */
typedef struct curve_data {
    size_t n, groups;
    double *px, *py, *mx, *my, *scratch;
    double slope, intercept, min_x, min_y;
    size_t used, min_at;
} curve_data;

static double cell(const gk_sweep_table *t, size_t k, int c) {
    return c < 0 ? NAN : t->val[k * (size_t)t->nscalars + (size_t)c];
}

static void curve_collect(const gk_sweep *sw, const gk_sweep_table *t, int ax, int xc, int yc, curve_data *d) {
    const gk_sweep_axis *A = &sw->axes[ax];
    int idx[GK_SWEEP_MAX_AXES];
    double *vals = malloc((size_t)A->n * sizeof *vals);
    for (int j = 0; j < A->n; j++) vals[j] = A->num[j];
    qsort(vals, (size_t)A->n, sizeof *vals, cmp_double);
    d->groups = (size_t)A->n;
    for (size_t g = 0; g < d->groups; g++) {
        size_t m = 0;
        double *ys = d->scratch, *xs = d->scratch + d->n;
        for (size_t k = 0; k < d->n; k++) {
            gk_sweep_indices(sw, k, idx);
            if (A->num[idx[ax]] != vals[g]) continue;
            xs[m] = xc < 0 ? vals[g] : cell(t, k, xc), ys[m] = cell(t, k, yc), m++;
        }
        d->mx[g] = median_finite(xs, m), d->my[g] = median_finite(ys, m);
    }
    for (size_t k = 0; k < d->n; k++) {
        gk_sweep_indices(sw, k, idx);
        d->px[k] = xc < 0 ? A->num[idx[ax]] : cell(t, k, xc), d->py[k] = cell(t, k, yc);
    }
    free(vals);
    gk_error fe;
    d->slope = d->intercept = NAN;
    if (gk_loglog_fit(d->mx, d->my, d->groups, &d->slope, &d->intercept, &d->used, &fe)) d->slope = d->intercept = NAN;
    d->min_x = d->min_y = NAN, d->min_at = 0;
    for (size_t g = 0; g < d->groups; g++)
        if (isfinite(d->my[g]) && isfinite(d->mx[g]) && !(d->my[g] >= d->min_y)) d->min_y = d->my[g], d->min_x = d->mx[g], d->min_at = g;
}

/* 1 when the minimum is strictly inside: a finite median at a lower and at a higher axis value. */
static int min_interior(const curve_data *d) {
    int below = 0, above = 0;
    for (size_t g = 0; g < d->groups; g++)
        if (isfinite(d->my[g])) below |= g < d->min_at, above |= g > d->min_at;
    return isfinite(d->min_y) && below && above;
}

static void json_array(cJSON *o, const char *name, const double *v, size_t n) {
    cJSON *a = cJSON_AddArrayToObject(o, name);
    for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(a, isfinite(v[i]) ? cJSON_CreateNumber(v[i]) : cJSON_CreateNull());
}

static void json_num(cJSON *o, const char *name, double v) {
    if (isfinite(v)) cJSON_AddNumberToObject(o, name, v);
    else cJSON_AddNullToObject(o, name);
}

static void curve_json(cJSON *arr, const char *ykey, const curve_data *d) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "y", ykey);
    json_num(o, "slope", d->slope);
    json_num(o, "intercept", d->intercept);
    cJSON_AddNumberToObject(o, "points_used", (double)d->used);
    json_num(o, "min_x", d->min_x);
    json_num(o, "min_y", d->min_y);
    cJSON_AddBoolToObject(o, "min_interior", min_interior(d));
    json_array(o, "x_median", d->mx, d->groups);
    json_array(o, "y_median", d->my, d->groups);
    cJSON_AddItemToArray(arr, o);
}

/* max / min of the finite values, 0 if one is <= 0 (no log axis) or none is finite. */
static double span_ratio(const double *v, size_t n) {
    double lo = INFINITY, hi = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i])) continue;
        if (v[i] <= 0) return 0;
        lo = fmin(lo, v[i]), hi = fmax(hi, v[i]);
    }
    return hi > 0 ? hi / lo : 0;
}

#define FIT_POINTS 32

typedef struct curve_fig {
    gk_panel panel;
    char labels[GK_PLOT_MAX_SERIES][160], vlabels[1][160], words[GK_SWEEP_CURVE_MAX_Y + 1][160];
    double fit[GK_SWEEP_CURVE_MAX_Y][2 * FIT_POINTS]; /* the fitted power law at FIT_POINTS x: x, then y */
    int logy_ok;
} curve_fig;

/* Adds one scalar's points, medians and (a single scalar) the fitted power law to the panel; the last scalar's
 * minimum, when inside the range, is marked. */
static void curve_series(curve_fig *F, int k, const char *yname, const curve_data *d, int single, int last) {
    gk_panel *p = &F->panel;
    snprintf(F->labels[p->nseries], sizeof F->labels[0], "%s (median)", yname);
    p->series[p->nseries] = (gk_series){F->labels[p->nseries], d->mx, d->my, d->groups, 0, GK_ROLE_AUTO};
    p->nseries++;
    p->series[p->nseries++] = (gk_series){single ? "each run" : NULL, d->px, d->py, d->n, 1, GK_ROLE_AUTO};
    p->colour[p->nseries - 1] = p->colour[p->nseries - 2] = 0x1000000 | gk_palette_rgb(k);
    if (last && min_interior(d)) { /* the last scalar's minimum, e.g. the test loss's: the Goldilocks norm */
        snprintf(F->vlabels[0], sizeof F->vlabels[0], "minimum of the %s at %.4g", yname, d->min_x);
        p->vline_label[0] = F->vlabels[0], p->vline[0] = d->min_x, p->nvlines = 1;
    }
    if (!single || !isfinite(d->slope)) return;
    double lo = INFINITY, hi = 0, *f = F->fit[k];
    for (size_t g = 0; g < d->groups; g++)
        if (d->mx[g] > 0 && d->my[g] > 0) lo = fmin(lo, d->mx[g]), hi = fmax(hi, d->mx[g]);
    for (int i = 0; i < FIT_POINTS; i++) { /* x evenly spaced in ln x: a curve on any axes, a line on log-log */
        f[i] = lo * pow(hi / lo, (double)i / (FIT_POINTS - 1));
        f[FIT_POINTS + i] = exp(d->intercept + d->slope * log(f[i]));
    }
    snprintf(F->labels[p->nseries], sizeof F->labels[0], "power-law fit: y ~ x#u%.2f#d", d->slope);
    p->series[p->nseries] = (gk_series){F->labels[p->nseries], f, f + FIT_POINTS, FIT_POINTS, 2, GK_ROLE_AUTO};
    p->colour[p->nseries++] = GK_RGB(0x44, 0x44, 0x44);
}

/* The y axis title: one scalar's words; several losses (accuracies): "loss" ("accuracy"); else the words of
 * each, joined. */
static void curve_ylabel(const curve_fig *F, int ny, const char *const *ykeys, char *buf, size_t len) {
    int losses = 1, accs = 1;
    for (int i = 0; i < ny; i++) {
        losses &= strstr(ykeys[i], "_loss") != NULL;
        accs &= strstr(ykeys[i], "_acc") != NULL;
    }
    buf[0] = 0;
    if (ny > 1 && (losses || accs)) {
        snprintf(buf, len, "%s", losses ? "loss" : "accuracy");
        return;
    }
    for (int i = 0; i < ny; i++) snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? ", " : "", F->words[i]);
}

static gk_status curve_draw(const gk_sweep *sw, const gk_sweep_curve_opts *o, const char *xkey, curve_data *d,
                            const char *dir, gk_error *err) {
    curve_fig *F = calloc(1, sizeof *F);
    if (!F) return gk_fail(err, GK_ENOMEM, "out of memory");
    char title[400], base[1200], ylabel[400];
    for (int i = 0; i < o->ny; i++) {
        const char *w = gk_sweep_key_words(sw, o->y[i], F->words[i], sizeof F->words[i]);
        if (w != F->words[i]) snprintf(F->words[i], sizeof F->words[i], "%s", w);
    }
    char *xlabel = F->words[GK_SWEEP_CURVE_MAX_Y];
    const char *xw = gk_sweep_key_words(sw, xkey, xlabel, sizeof F->words[0]);
    if (xw != xlabel) snprintf(xlabel, sizeof F->words[0], "%s", xw);
    curve_ylabel(F, o->ny, o->y, ylabel, sizeof ylabel);
    F->panel = (gk_panel){.xlabel = xlabel, .ylabel = ylabel};
    F->panel.logx = span_ratio(d[0].px, d[0].n) >= 4;
    F->panel.logy = 1;
    for (int i = 0; i < o->ny; i++) {
        F->panel.logy &= span_ratio(d[i].py, d[i].n) >= 10;
        curve_series(F, i, F->words[i], &d[i], o->ny == 1, i == o->ny - 1);
    }
    if (o->ny == 1 && isfinite(d[0].slope))
        snprintf(title, sizeof title, "%s sweep: %s against %s (log-log slope %.2f)", sw->preset->name, F->words[0],
                 xlabel, d[0].slope);
    else
        snprintf(title, sizeof title, "%s sweep against %s (median over seeds; points: runs)", sw->preset->name, xlabel);
    gk_status s = gk_path_join(base, sizeof base, dir, "curve", err);
    if (!s) s = gk_plot_panels(base, title, &F->panel, 1, err);
    free(F);
    return s;
}

static gk_status curve_write_json(const char *dir, const char *xkey, const gk_sweep_curve_opts *o, const curve_data *d,
                                  gk_error *err) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "x", xkey);
    cJSON_AddStringToObject(root, "model", "ln(median y) = intercept + slope * ln(median x), over the swept values");
    cJSON *arr = cJSON_AddArrayToObject(root, "curves");
    for (int i = 0; i < o->ny; i++) curve_json(arr, o->y[i], &d[i]);
    char *text = cJSON_Print(root), path[1200];
    cJSON_Delete(root);
    if (!text) return gk_fail(err, GK_ENOMEM, "out of memory");
    gk_status s = gk_path_join(path, sizeof path, dir, "sweep_curve.json", err);
    if (!s) s = gk_write_file_atomic(path, text, strlen(text), err);
    free(text);
    return s;
}

gk_status gk_sweep_curve(const gk_sweep *sw, const gk_sweep_table *t, const char *dir, const gk_sweep_curve_opts *o,
                         char *notes, size_t nlen, int *drawn, gk_error *err) {
    *drawn = 0;
    const int ax = curve_axis(sw), xc = o->x ? gk_sweep_table_col(t, o->x) : -1;
    size_t used = strlen(notes);
    if (ax < 0 || (o->x && xc < 0)) {
        snprintf(notes + used, nlen - used, "curve figure skipped: %s. ",
                 ax == -2 ? "more than one swept key" : ax < 0 ? "no swept numeric key" : "no such x scalar in the summaries");
        return GK_OK;
    }
    for (int i = 0; i < o->ny; i++)
        if (gk_sweep_table_col(t, o->y[i]) < 0) {
            snprintf(notes + used, nlen - used, "curve figure skipped: no scalar '%s' in the summaries. ", o->y[i]);
            return GK_OK;
        }
    const size_t n = t->npoints, per = 6 * n + 2 * (size_t)sw->axes[ax].n;
    double *buf = malloc((size_t)o->ny * per * sizeof *buf);
    curve_data d[GK_SWEEP_CURVE_MAX_Y];
    if (!buf) return gk_fail(err, GK_ENOMEM, "out of memory");
    for (int i = 0; i < o->ny; i++) {
        double *b = buf + (size_t)i * per;
        d[i] = (curve_data){.n = n, .px = b, .py = b + n, .scratch = b + 2 * n, .mx = b + 6 * n, .my = b + 6 * n + (size_t)sw->axes[ax].n};
        curve_collect(sw, t, ax, xc, gk_sweep_table_col(t, o->y[i]), &d[i]);
    }
    const char *xkey = o->x ? o->x : sw->axes[ax].key;
    gk_status s = curve_write_json(dir, xkey, o, d, err);
    if (!s) s = curve_draw(sw, o, xkey, d, dir, err);
    *drawn = !s;
    free(buf);
    return s;
}
