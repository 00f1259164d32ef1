/* palette.c: the one palette of every figure (palette.h). */
#include "fig/palette.h"

#include <math.h>

/* Categorical: the tab10 colours with red second, so that train (blue) and test (red) lead. */
static const int k_palette[GK_PALETTE_SIZE] = {0x1f77b4, 0xd62728, 0x2ca02c, 0xff7f0e, 0x9467bd,
                                               0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};

int gk_palette_rgb(int i) {
    int k = i % GK_PALETTE_SIZE;
    return k_palette[k < 0 ? k + GK_PALETTE_SIZE : k];
}

int gk_role_index(gk_role r) { return r > GK_ROLE_AUTO && r < GK_ROLE_NORM ? (int)r - 1 : -1; }

int gk_role_rgb(gk_role r) {
    if (r == GK_ROLE_NORM) return 0x333333;
    int i = gk_role_index(r);
    return gk_palette_rgb(i < 0 ? 0 : i);
}

/* Plasma's stops from 0 to 0.82 (its pale yellow end is left out). */
int gk_palette_seq(double t) {
    static const int c[5][3] = {{13, 8, 135}, {106, 0, 168}, {177, 42, 144}, {225, 100, 98}, {248, 149, 64}};
    double u = (isfinite(t) ? fmin(fmax(t, 0), 1) : 0) * 4;
    int k = (int)fmin(floor(u), 3);
    double f = u - k;
    int rgb = 0;
    for (int j = 0; j < 3; j++) rgb = (rgb << 8) | (int)lround(c[k][j] + f * (c[k + 1][j] - c[k][j]));
    return rgb;
}

void gk_palette_cmap(int diverging, double pos[GK_CMAP_STOPS], double rgb[3][GK_CMAP_STOPS]) {
    static const double seq[3][GK_CMAP_STOPS] = {{0.267, 0.229, 0.128, 0.369, 0.993},
                                                 {0.005, 0.322, 0.567, 0.789, 0.906},
                                                 {0.329, 0.546, 0.551, 0.383, 0.144}};
    static const double div[3][GK_CMAP_STOPS] = {{0.019, 0.263, 0.970, 0.839, 0.404},
                                                 {0.188, 0.576, 0.970, 0.376, 0.000},
                                                 {0.380, 0.765, 0.970, 0.302, 0.122}};
    for (int k = 0; k < GK_CMAP_STOPS; k++) {
        pos[k] = k / (double)(GK_CMAP_STOPS - 1);
        for (int j = 0; j < 3; j++) rgb[j][k] = diverging ? div[j][k] : seq[j][k];
    }
}
