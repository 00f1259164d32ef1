/* standard_figure.c: the figure every run gets (curves.png/.svg), a 2 x 2 grid on a 16:9 page: accuracies with
 * the theory references' test accuracies as dashed lines, losses (on a log axis when they span decades),
 * agreement with each theory reference (the columns of role GK_ROLE_AGREEMENT, agree_<reference>, in the colour
 * of its reference line) and the parameter norm, against the step, t* drawn where predicted. The panels take
 * the columns by their declared roles (io/columns.h), not by their names. */
#include "fig/standard_figure.h"

#include "fig/curves.h"
#include "fig/plot.h"
#include "fig/run_files.h"
#include "io/fsutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Adds column c as a series (its values in buf) and, for a multi-seed run (bands: the seeds' min and max; NULL
 * for one run), its band (in buf after them; the accuracy and agreement panels, ymax 1.02, clip it to [0, 1]).
 * Returns the values of buf used (0: not added). */
static size_t add_series_at(gk_panel *p, const gk_metrics *m, const gk_band_tables *bands, int c, const char *label,
                            const double *x, double *buf, gk_role role) {
    if (c < 0 || p->nseries >= GK_PLOT_MAX_SERIES) return 0;
    gk_metrics_column(m, c, buf);
    p->series[p->nseries++] = (gk_series){label, x, buf, m->nrows, 0, role};
    const double hi = p->ymax > 1 && p->ymax < 1.1 ? 1 : 0;
    return m->nrows + gk_panel_band_of(p, p->nseries - 1, bands, m->names[c], 0, hi, buf + m->nrows);
}

/* The run's column of this declared role (io/columns.h). */
static size_t add_series(gk_panel *p, const gk_metrics *m, const gk_band_tables *bands, gk_column_role col,
                         const char *label, const double *x, double *buf, gk_role role) {
    return add_series_at(p, m, bands, gk_metrics_role_col(m, col), label, x, buf, role);
}

/* An agreement column (role GK_ROLE_AGREEMENT) of the reference named ref: agree_<ref>, -1 if none. */
static int agreement_col(const gk_metrics *m, const char *ref) {
    int c = gk_metrics_col(m, ref);
    return c >= 0 && gk_metrics_role(m, c) == GK_ROLE_AGREEMENT ? c : -1;
}

/* Reference k's colour: the palette after train (blue) and test (red). */
static int ref_colour(int k) { return GK_RGB(0, 0, 0) | gk_palette_rgb(2 + k); }

/* The theory references' test accuracies (summary.json references.NAME.test_acc) as dashed lines, and their
 * agreement curves in the same colours. labels: room for the legend texts. */
static void add_references(gk_panel *acc, gk_panel *agree, const gk_metrics *m, const gk_band_tables *bands,
                           const cJSON *sum, const double *x,
                           double **next, char (*labels)[2][96]) {
    const cJSON *refs = sum ? cJSON_GetObjectItemCaseSensitive(sum, "references") : NULL, *it;
    int k = 0;
    cJSON_ArrayForEach(it, refs) {
        if (k >= GK_PLOT_MAX_HLINES) break;
        const cJSON *ta = cJSON_GetObjectItemCaseSensitive(it, "test_acc");
        char col[96];
        snprintf(col, sizeof col, "agree_%s", it->string);
        snprintf(labels[k][0], sizeof labels[k][0], "%s (test accuracy)", gk_reference_title(it->string));
        snprintf(labels[k][1], sizeof labels[k][1], "%s", gk_reference_title(it->string));
        if (cJSON_IsNumber(ta) && acc->nseries) {
            acc->hline[acc->nhlines] = ta->valuedouble;
            acc->hline_colour[acc->nhlines] = ref_colour(k);
            acc->hline_label[acc->nhlines++] = labels[k][0];
        }
        size_t used = add_series_at(agree, m, bands, agreement_col(m, col), labels[k][1], x, *next, GK_ROLE_AUTO);
        if (used) {
            agree->colour[agree->nseries - 1] = ref_colour(k);
            *next += used;
        }
        k++;
    }
    for (int c = 0; c < m->ncols; c++) { /* agreement columns without a reference in the summary */
        int have = 0;
        const char *name = m->names[c], *ref = strncmp(name, "agree_", 6) ? name : name + 6;
        for (int j = 0; j < agree->nseries && !have; j++) have = !strcmp(agree->series[j].label, gk_reference_title(ref));
        if (gk_metrics_role(m, c) != GK_ROLE_AGREEMENT || have || k >= GK_PLOT_MAX_HLINES) continue;
        size_t used = add_series_at(agree, m, bands, c, gk_reference_title(ref), x, *next, GK_ROLE_AUTO);
        if (used) {
            agree->colour[agree->nseries - 1] = ref_colour(k++);
            *next += used;
        }
    }
}

/* A loss spanning more than two decades (or reaching 0) is drawn on a log axis. */
static int wants_log(const gk_panel *p) {
    double lo = INFINITY, hi = 0;
    int nonpos = 0;
    for (int k = 0; k < p->nseries; k++)
        for (size_t i = 0; i < p->series[k].n; i++) {
            double v = p->series[k].y[i];
            if (!isfinite(v)) continue;
            if (v > 0) lo = fmin(lo, v), hi = fmax(hi, v);
            else nonpos = 1;
        }
    return hi > 0 && (hi / lo > 100 || (nonpos && hi / lo > 10));
}

gk_status gk_standard_figure(const char *preset, const gk_metrics *m, const cJSON *summary, double predicted,
                             const char *dir, int x_tstar, gk_error *err) {
    return gk_standard_figure_banded(preset, m, NULL, summary, predicted, dir, x_tstar, err);
}

gk_status gk_standard_figure_banded(const char *preset, const gk_metrics *m, const gk_band_tables *bands,
                                    const cJSON *summary, double predicted, const char *dir, int x_tstar,
                                    gk_error *err) {
    if (m->nrows < 2) return GK_OK;
    size_t n = m->nrows;
    double *buf = malloc((size_t)(GK_PLOT_MAX_SERIES * 4 + 1) * n * sizeof(double)); /* a series and its band: 3n */
    gk_panel *panels = calloc(4, sizeof *panels);
    char(*labels)[2][96] = calloc(GK_PLOT_MAX_HLINES, sizeof *labels);
    gk_status s = buf && panels && labels ? GK_OK : gk_fail(err, GK_ENOMEM, "out of memory");
    double *x = buf, *next = buf + n;
    if (!s) gk_metrics_column(m, 0, x);
    if (!s && x_tstar) { /* xaxis=tstar: x = step / t* (= t / t*), so runs with other lr or optimizers overlay */
        for (size_t r = 0; r < n; r++) x[r] /= predicted;
        predicted = 1.0;
    }
    const char *xl = x_tstar ? "t / t*" : "step";
    gk_panel *acc = &panels[0], *loss = &panels[1], *agree = &panels[2], *norm = &panels[3];
    *acc = (gk_panel){.title = "accuracy", .xlabel = xl, .ylabel = "accuracy", .logx = 1, .ymin = 0, .ymax = 1.02};
    *loss = (gk_panel){.title = "loss", .xlabel = xl, .ylabel = "loss", .logx = 1};
    *agree = (gk_panel){.title = "agreement with the theory references (test set)", .xlabel = xl,
                        .ylabel = "agreement", .logx = 1, .ymin = 0, .ymax = 1.02};
    *norm = (gk_panel){.title = "parameter norm", .xlabel = xl, .ylabel = "||#gh||", .logx = 1};
    if (!s) next += add_series(acc, m, bands, GK_ROLE_TRAIN_ACC, "train", x, next, GK_ROLE_TRAIN);
    if (!s) next += add_series(acc, m, bands, GK_ROLE_TEST_ACC, "test", x, next, GK_ROLE_TEST);
    if (!s) next += add_series(loss, m, bands, GK_ROLE_TRAIN_LOSS, "train", x, next, GK_ROLE_TRAIN);
    if (!s) next += add_series(loss, m, bands, GK_ROLE_TEST_LOSS, "test", x, next, GK_ROLE_TEST);
    if (!s) add_references(acc, agree, m, bands, summary, x, &next, labels);
    if (!s) next += add_series(norm, m, bands, GK_ROLE_PARAM_NORM, "||#gh||", x, next, GK_ROLE_NORM);
    loss->logy = !s && wants_log(loss);
    int np = 0; /* the panels with a curve, in order (regression experiments have no accuracy) */
    for (int k = 0; k < 4; k++)
        if (panels[k].nseries) panels[np++] = panels[k];
    for (int k = 0; k < np && isfinite(predicted); k++) {
        panels[k].vline[0] = predicted;
        panels[k].vline_label[0] = "t*";
        panels[k].nvlines = 1;
    }
    char base[1024], title[256];
    if (!s) s = gk_path_join(base, sizeof base, dir, "curves", err);
    snprintf(title, sizeof title, "groklab %s", preset);
    if (!s && np) s = gk_plot_panels(base, title, panels, np, err);
    free(buf);
    free(panels);
    free(labels);
    return s;
}
