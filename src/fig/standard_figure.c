/* standard_figure.c: the figure every run gets (curves.png/.svg): accuracies, losses, agreement with the
 * theory references (columns agree_*) and the parameter norm against the step, t* drawn where predicted. */
#include "fig/standard_figure.h"

#include "fig/plot.h"
#include "io/fsutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int add_series(gk_panel *p, const gk_metrics *m, const char *col, const char *label, const double *x,
                      double *buf, int style) {
    int c = gk_metrics_col(m, col);
    if (c < 0 || p->nseries >= GK_PLOT_MAX_SERIES) return 0;
    gk_metrics_column(m, c, buf);
    p->series[p->nseries++] = (gk_series){label, x, buf, m->nrows, style};
    return 1;
}

gk_status gk_standard_figure(const char *preset, const gk_metrics *m, double predicted, const char *dir, int x_tstar,
                             gk_error *err) {
    if (m->nrows < 2) return GK_OK;
    size_t n = m->nrows;
    double *buf = malloc((size_t)(GK_PLOT_MAX_SERIES * 4 + 1) * n * sizeof(double));
    if (!buf) return gk_fail(err, GK_ENOMEM, "out of memory");
    double *x = buf, *next = buf + n;
    gk_metrics_column(m, 0, x);
    if (x_tstar) { /* xaxis=tstar: x = step / t* (= t / t*), so runs with other lr or optimizers overlay */
        for (size_t r = 0; r < n; r++) x[r] /= predicted;
        predicted = 1.0;
    }
    gk_panel panels[4];
    memset(panels, 0, sizeof panels);
    int np = 0;
    gk_panel *acc = &panels[np];
    *acc = (gk_panel){.title = "accuracy", .xlabel = "step", .ylabel = "accuracy", .logx = 1, .ymin = 0, .ymax = 1.02};
    if (add_series(acc, m, "train_acc", "train", x, next, 0)) next += n;
    if (add_series(acc, m, "test_acc", "test", x, next, 0)) next += n;
    if (acc->nseries) np++; /* regression experiments have no accuracy */
    gk_panel *loss = &panels[np++];
    *loss = (gk_panel){.title = "loss", .xlabel = "step", .ylabel = "loss", .logx = 1};
    if (add_series(loss, m, "train_loss", "train", x, next, 0)) next += n;
    if (add_series(loss, m, "test_loss", "test", x, next, 0)) next += n;
    gk_panel *agree = &panels[np];
    *agree = (gk_panel){.title = "agreement with the theory references (test)", .xlabel = "step",
                        .ylabel = "agreement", .logx = 1, .ymin = 0, .ymax = 1.02};
    for (int c = 0; c < m->ncols; c++)
        if (!strncmp(m->names[c], "agree_", 6) && add_series(agree, m, m->names[c], m->names[c] + 6, x, next, 0))
            next += n;
    if (agree->nseries) np++;
    gk_panel *norm = &panels[np];
    *norm = (gk_panel){.title = "parameter norm", .xlabel = "step", .ylabel = "||theta||", .logx = 1};
    if (add_series(norm, m, "param_norm", "||theta||", x, next, 0)) next += n, np++;
    for (int k = 0; k < np && x_tstar; k++) panels[k].xlabel = "t / t*";
    for (int k = 0; k < np && isfinite(predicted); k++) {
        panels[k].vline[0] = predicted;
        panels[k].vline_label[0] = "t*";
        panels[k].nvlines = 1;
    }
    char base[1024], title[256];
    gk_status s = gk_path_join(base, sizeof base, dir, "curves", err);
    snprintf(title, sizeof title, "groklab %s", preset);
    if (!s) s = gk_plot_panels(base, title, panels, np, err);
    free(buf);
    return s;
}

