/* neuron_plots.h: figures of the hidden neurons of a two-layer net at a few steps (Xu et al. 2024, Figs. 2-4;
 * src/exp/xor.c). A neuron j is given by its projections (u_j, v_j) on two directions and the sign of its output
 * weight a_j. The values are divided by a power of ten that goes into the axis labels, "(x1e-12)", rather than
 * left to the plot library's exponent. <base>.png and <base>.svg, as fig/plot.h writes them. */
#ifndef GK_IO_NEURON_PLOTS_H
#define GK_IO_NEURON_PLOTS_H

#include "groklab.h"

typedef struct gk_neuron_snap {
    long step;
    const double *u, *v; /* m projections each */
} gk_neuron_snap;

/* Every neuron as the point (u_j, v_j), a_j > 0 and a_j < 0 apart, one panel per snapshot ("step t"), each with
 * its own scale; the axes are named uname and vname. */
gk_status gk_plot_neuron_points(const char *base, const char *title, const char *uname, const char *vname,
                                const double *a, size_t m, const gk_neuron_snap *snaps, int nsnap, gk_error *err);

/* Histograms of the u_j and of the v_j (legend ulabel, vlabel) over the neurons with a_j > 0, on the axis xname. */
gk_status gk_plot_neuron_hist(const char *base, const char *title, const char *xname, const char *ulabel,
                              const char *vlabel, const double *a, size_t m, const gk_neuron_snap *snap,
                              gk_error *err);

#endif
