/* neuron_plots.c: the neurons of a two-layer net as points and histograms (neuron_plots.h). */
#include "fig/neuron_plots.h"

#include "fig/plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* The power of ten e with max |v| / 10^e in [1, 10) (0 if every v is 0). */
static int decade(const double *v, size_t n) {
    double mx = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) mx = fmax(mx, fabs(v[i]));
    return mx > 0 ? (int)floor(log10(mx)) : 0;
}

static void scale_label(char *buf, size_t cap, const char *what, int e) {
    if (e) snprintf(buf, cap, "%s (\xc3\x97" "10#u%d#d)", what, e); /* U+00D7, the multiplication sign */
    else snprintf(buf, cap, "%s", what);
}

/* The positive (a_j > 0) and negative neurons' projections: pos u, pos v (np each), then neg u, neg v (m - np
 * each), in buf (2m), scaled by 10^-e with e the decade of all of them. Returns np. */
static size_t split_neurons(const double *a, size_t m, const gk_neuron_snap *S, double *buf, int *e) {
    size_t np = 0;
    for (size_t j = 0; j < m; j++) np += a[j] > 0;
    double *pos1 = buf, *pos2 = buf + np, *neg1 = buf + 2 * np, *neg2 = buf + 2 * np + (m - np);
    size_t ip = 0, in = 0;
    for (size_t j = 0; j < m; j++) {
        if (a[j] > 0) pos1[ip] = S->u[j], pos2[ip++] = S->v[j];
        else neg1[in] = S->u[j], neg2[in++] = S->v[j];
    }
    *e = decade(buf, 2 * m);
    const double sc = pow(10.0, -*e);
    for (size_t j = 0; j < 2 * m; j++) buf[j] *= sc;
    return np;
}

gk_status gk_plot_neuron_hist(const char *base, const char *title, const char *xname, const char *ulabel,
                              const char *vlabel, const double *a, size_t m, const gk_neuron_snap *snap,
                              gk_error *err) {
    double *buf = malloc(2 * m * sizeof(double));
    if (!buf) return gk_fail(err, GK_ENOMEM, "out of memory");
    int e;
    size_t np = split_neurons(a, m, snap, buf, &e);
    const char *labels[2] = {ulabel, vlabel};
    const double *samples[2] = {buf, buf + np};
    size_t counts[2] = {np, np};
    char xl[128];
    scale_label(xl, sizeof xl, xname, e);
    gk_status s = gk_plot_histograms(base, title, xl, labels, samples, counts, 2, 0, err);
    free(buf);
    return s;
}

gk_status gk_plot_neuron_points(const char *base, const char *title, const char *uname, const char *vname,
                                const double *a, size_t m, const gk_neuron_snap *snaps, int nsnap, gk_error *err) {
    double *buf = malloc((size_t)nsnap * 2 * m * sizeof(double));
    gk_panel *pan = calloc((size_t)nsnap, sizeof *pan);
    char(*text)[3][64] = calloc((size_t)nsnap, sizeof *text); /* each panel's title and axis labels */
    if (!buf || !pan || !text) {
        free(buf), free(pan), free(text);
        return gk_fail(err, GK_ENOMEM, "out of memory");
    }
    for (int k = 0; k < nsnap; k++) {
        double *b = buf + (size_t)k * 2 * m;
        int e;
        size_t np = split_neurons(a, m, &snaps[k], b, &e);
        snprintf(text[k][0], sizeof text[k][0], "step %ld", snaps[k].step);
        scale_label(text[k][1], sizeof text[k][1], uname, e);
        scale_label(text[k][2], sizeof text[k][2], vname, e);
        pan[k] = (gk_panel){.title = text[k][0], .xlabel = text[k][1], .ylabel = text[k][2], .nseries = 2};
        pan[k].series[0] = (gk_series){"a#dj#u > 0", b, b + np, np, 1, GK_ROLE_AUTO};
        pan[k].series[1] = (gk_series){"a#dj#u < 0", b + 2 * np, b + 2 * np + (m - np), m - np, 1, GK_ROLE_AUTO};
    }
    gk_status s = gk_plot_panels(base, title, pan, nsnap, err);
    free(buf), free(pan), free(text);
    return s;
}
