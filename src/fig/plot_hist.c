/* plot_hist.c: histograms of several samples on shared bins, each a translucent filled step outline. */
#include "fig/plot_core.h"

#include <stdlib.h>
#include <string.h>

typedef struct hist_ctx {
    const char *title, *xlabel;
    const char *const *labels;
    int ns, nbins;
    axis xa, ya;
    const double *edges;  /* nbins + 1 */
    const size_t *counts; /* ns x nbins */
    PLFLT *px, *py;       /* 2 nbins + 2 points of one step outline */
} hist_ctx;

/* Sample k as a translucent filled step outline. */
static void draw_step(const hist_ctx *h, int k, int rgb) {
    const size_t *cnt = h->counts + (size_t)k * h->nbins;
    int m = 0;
    h->px[m] = h->edges[0], h->py[m++] = 0;
    for (int b = 0; b < h->nbins; b++) {
        h->px[m] = h->edges[b], h->py[m++] = (double)cnt[b];
        h->px[m] = h->edges[b + 1], h->py[m++] = (double)cnt[b];
    }
    h->px[m] = h->edges[h->nbins], h->py[m++] = 0;
    gkf_use_rgb(rgb, 0.18);
    plfill(m, h->px, h->py);
    gkf_use_rgb(rgb, 1);
    plwidth(2);
    gkf_line_style(0);
    plline(m, h->px, h->py);
}

/* The histograms as a gk_panel-like obstacle set for the legend: one point per bin top. */
static long hist_hits(const hist_ctx *h, const mapper *m, box r) {
    long hits = 0;
    for (int k = 0; k < h->ns; k++)
        for (int b = 0; b < h->nbins; b++) {
            double y = map_y(m, (double)h->counts[(size_t)k * h->nbins + b]);
            hits += gkf_segment_hits(map_x(m, h->edges[b]), y, map_x(m, h->edges[b + 1]), y, r);
        }
    return hits;
}

static void draw_hists(const void *vctx, const page *pg) {
    const hist_ctx *h = vctx;
    gkf_draw_figure_title(pg, h->title, TITLE_BAND);
    legend lg = {0};
    int rgb[GK_PLOT_MAX_SERIES];
    for (int k = 0; k < h->ns; k++) rgb[k] = gk_palette_rgb(k);
    for (int k = 0; k < h->ns; k++) gkf_legend_add(&lg, h->labels ? h->labels[k] : NULL, rgb[k], 0);
    gkf_legend_measure(&lg);
    double yw = gkf_ticks_width(&h->ya);
    mapper m = {&h->xa, &h->ya, {gkf_left_margin(yw, "count"), pg->w - 25, TITLE_BAND + 15, pg->h - gkf_bottom_margin(h->xlabel)}};
    box spot = {m.b.r - 8 - lg.w, m.b.r - 8, m.b.t + 8, m.b.t + 8 + lg.h};
    const double xs[2] = {m.b.r - 8 - lg.w, m.b.l + 8};
    int found = 0;
    for (int k = 0; k < 2 && !found; k++) {
        box r = {xs[k], xs[k] + lg.w, m.b.t + 8, m.b.t + 8 + lg.h};
        if (hist_hits(h, &m, (box){r.l - 4, r.r + 4, r.t - 4, r.b + 4}) == 0) spot = r, found = 1;
    }
    if (!found && lg.n) {
        m.b.r = pg->w - lg.w - 22;
        spot = (box){m.b.r + 12, m.b.r + 12 + lg.w, m.b.t, m.b.t + lg.h};
    }
    viewport_box(pg, m.b);
    plwind(h->xa.lo, h->xa.hi, h->ya.lo, h->ya.hi);
    gkf_draw_grid(&h->xa, &h->ya);
    for (int k = 0; k < h->ns; k++) draw_step(h, k, rgb[k]);
    gkf_draw_frame(&h->xa, &h->ya);
    gkf_draw_tick_labels(&h->xa, "b");
    gkf_draw_tick_labels(&h->ya, "l");
    gkf_draw_axis_labels(yw, h->xlabel, "count");
    gkf_legend_draw(&lg, pg, spot);
}

/* Shared bins over the pooled finite values (constant data: one unit wide). */
static void bin_samples(hist_ctx *h, double *edges, size_t *counts, const double *const *samples,
                        const size_t *n) {
    range r = {0};
    for (int k = 0; k < h->ns; k++)
        for (size_t i = 0; i < n[k]; i++) range_add(&r, samples[k][i]);
    if (!r.any) r = (range){0, 1, 1};
    if (r.hi == r.lo) r.lo -= 0.5, r.hi += 0.5;
    double w = (r.hi - r.lo) / h->nbins, top = 0;
    for (int b = 0; b <= h->nbins; b++) edges[b] = r.lo + b * w;
    edges[h->nbins] = r.hi;
    for (int k = 0; k < h->ns; k++) {
        size_t *cnt = counts + (size_t)k * h->nbins;
        for (size_t i = 0; i < n[k]; i++) {
            double v = samples[k][i];
            if (!isfinite(v)) continue;
            int b = (int)((v - r.lo) / w);
            cnt[b < 0 ? 0 : b >= h->nbins ? h->nbins - 1 : b]++;
        }
        for (int b = 0; b < h->nbins; b++) top = fmax(top, (double)cnt[b]);
    }
    h->xa = gkf_axis_make(r, 0, 0, 6);
    h->ya = gkf_axis_make((range){0, top > 0 ? 1.1 * top : 1, 1}, 0, 0, 5);
}

gk_status gk_plot_histograms(const char *base, const char *title, const char *xlabel, const char *const *labels,
                             const double *const *samples, const size_t *counts, int nsamples, int nbins,
                             gk_error *err) {
    if (nsamples < 0 || nsamples > GK_PLOT_MAX_SERIES)
        return gk_fail(err, GK_EINVAL, "histogram %s: %d samples (at most %d)", base ? base : "?", nsamples,
                       GK_PLOT_MAX_SERIES);
    GK_ASSERT(nsamples == 0 || (samples && counts));
    size_t most = 0;
    for (int k = 0; k < nsamples; k++) {
        GK_ASSERT(counts[k] == 0 || samples[k]);
        if (counts[k] > most) most = counts[k];
    }
    if (nbins < 1) nbins = (int)fmin(50, fmax(10, ceil(sqrt((double)most))));
    hist_ctx h = {.title = title, .xlabel = xlabel, .labels = labels, .ns = nsamples, .nbins = nbins};
    double *edges = malloc((size_t)(nbins + 1) * sizeof *edges);
    size_t *cnt = calloc((size_t)(nsamples ? nsamples : 1) * (size_t)nbins, sizeof *cnt);
    PLFLT *px = malloc((size_t)(2 * nbins + 2) * sizeof *px), *py = malloc((size_t)(2 * nbins + 2) * sizeof *py);
    gk_status s = GK_OK;
    if (!edges || !cnt || !px || !py) s = gk_fail(err, GK_ENOMEM, "histogram %s: out of memory", base);
    if (!s) {
        bin_samples(&h, edges, cnt, samples, counts);
        h.edges = edges, h.counts = cnt, h.px = px, h.py = py;
        figure fig = {{1280, 720}, draw_hists, &h, 1};
        s = gkf_render(base, &fig, err);
    }
    free(edges);
    free(cnt);
    free(px);
    free(py);
    return s;
}
