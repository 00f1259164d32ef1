/* phases.c: Nanda et al.'s three phases and their figure (see phases.h). */
#include "report/phases.h"

#include "io/fsutil.h"
#include "fig/plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void gk_phases(const gk_metrics *m, double fit_acc, double grok_acc, long end[3]) {
    end[0] = gk_metrics_first_at_least(m, "train_acc", fit_acc);
    end[1] = end[2] = -1;
    int tl = gk_metrics_col(m, "test_loss");
    if (end[0] < 0 || tl < 0) return;
    size_t top = (size_t)end[0];
    for (size_t r = top; r < m->nrows; r++)
        if (gk_metrics_at(m, r, tl) > gk_metrics_at(m, top, tl)) top = r;
    for (size_t r = top; r < m->nrows && end[1] < 0; r++)
        if (gk_metrics_at(m, r, tl) < 0.5 * gk_metrics_at(m, top, tl)) end[1] = (long)r;
    long g = gk_metrics_first_at_least(m, "test_acc", grok_acc);
    if (end[1] >= 0 && g >= 0) end[2] = g > end[1] ? g : end[1];
}

void gk_phases_summary(const gk_metrics *m, double fit_acc, double grok_acc, cJSON *sum) {
    static const char *names[3] = {"memorisation_end_step", "circuit_formation_end_step", "cleanup_end_step"};
    long end[3];
    gk_phases(m, fit_acc, grok_acc, end);
    cJSON *ph = cJSON_AddObjectToObject(sum, "phases");
    for (int k = 0; k < 3; k++)
        if (end[k] >= 0) cJSON_AddNumberToObject(ph, names[k], gk_metrics_at(m, (size_t)end[k], 0));
        else cJSON_AddNullToObject(ph, names[k]);
}

gk_status gk_phases_figure(const gk_metrics *m, double fit_acc, double grok_acc, const char *dir, gk_error *err) {
    static const char *cols[6] = {"step", "train_loss", "test_loss", "restricted_loss", "excluded_loss", "fourier_gini"};
    static const char *labels[4] = {"train loss", "test loss", "restricted loss", "excluded loss"};
    static const gk_role roles[4] = {GK_ROLE_TRAIN, GK_ROLE_TEST, GK_ROLE_AUTO, GK_ROLE_AUTO};
    static const char *phase[3] = {"fit", "circuit", "cleanup"};
    const size_t n = m->nrows;
    if (n < 2) return GK_OK;
    double *buf = malloc(6 * n * sizeof(double));
    if (!buf) return gk_fail(err, GK_ENOMEM, "out of memory");
    for (int k = 0; k < 6; k++) gk_metrics_column(m, gk_metrics_col(m, cols[k]), buf + (size_t)k * n);
    gk_panel pan[2];
    memset(pan, 0, sizeof pan);
    double lo = INFINITY, hi = 0; /* the losses' range, with two decades above for the legend */
    for (size_t i = 0; i < 4 * n; i++)
        if (buf[n + i] > 0 && isfinite(buf[n + i])) lo = fmin(lo, buf[n + i]), hi = fmax(hi, buf[n + i]);
    pan[0] = (gk_panel){.title = "losses (Nanda et al. Fig. 7): restricted falls before test", .xlabel = "step",
                        .ylabel = "loss", .logy = 1};
    if (hi > lo) pan[0].ymin = lo / 2, pan[0].ymax = hi * 100;
    pan[1] = (gk_panel){.title = "Gini coefficient of the Fourier norms of the input weights", .xlabel = "step",
                        .ylabel = "Gini", .ymin = 0, .ymax = 1};
    for (int k = 0; k < 4; k++) {
        pan[0].series[k] = (gk_series){labels[k], buf, buf + (size_t)(k + 1) * n, n, k >= 2 ? 2 : 0, roles[k]};
    }
    pan[0].nseries = 4;
    pan[1].series[0] = (gk_series){"Gini", buf, buf + 5 * n, n, 0, GK_ROLE_AUTO};
    pan[1].nseries = 1;
    long end[3];
    gk_phases(m, fit_acc, grok_acc, end);
    for (int k = 0; k < 3; k++)
        for (int q = 0; q < 2 && end[k] > 0; q++) {
            pan[q].vline[pan[q].nvlines] = gk_metrics_at(m, (size_t)end[k], 0);
            pan[q].vline_label[pan[q].nvlines++] = phase[k];
        }
    char base[1024];
    gk_status s = gk_path_join(base, sizeof base, dir, "phases", err);
    if (!s) s = gk_plot_panels(base, "modular addition: progress measures and phases", pan, 2, err);
    free(buf);
    return s;
}
