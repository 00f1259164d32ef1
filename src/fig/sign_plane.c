/* sign_plane.c: the sign of a classifier on a plane, as a heat map (sign_plane.h). */
#include "fig/sign_plane.h"

#include "io/fsutil.h"
#include "fig/plot.h"

#include <stdio.h>
#include <stdlib.h>

gk_status gk_plot_sign_plane(const char *dir, long step, double mu, int grid, gk_plane_signs_fn signs, void *ctx,
                             gk_error *err) {
    const size_t g = (size_t)grid;
    double *x = malloc(g * sizeof(double)), *z = malloc(g * g * sizeof(double));
    if (!x || !z) {
        free(x);
        free(z);
        return gk_fail(err, GK_ENOMEM, "out of memory");
    }
    const double lim = 2.0 * mu;
    for (size_t i = 0; i < g; i++) x[i] = -lim + 2.0 * lim * (double)i / (double)(g - 1);
    signs(ctx, x, g, z);
    double mx[4] = {mu, -mu, 0, 0}, my[4] = {0, 0, mu, -mu};
    char name[64], base[1024], title[160];
    snprintf(name, sizeof name, "boundary_step%ld", step);
    snprintf(title, sizeof title, "sign f on span(#gm#d1#u, #gm#d2#u) at step %ld", step);
    gk_status s = gk_path_join(base, sizeof base, dir, name, err);
    if (!s)
        s = gk_plot_heatmap(base, title, "<x, #gm#d1#u> / ||#gm||", "<x, #gm#d2#u> / ||#gm||", "sign f", x, g, x, g, z, 0, 0, mx, my, 4,
                            err);
    free(x);
    free(z);
    return s;
}
