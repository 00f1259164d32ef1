/* palette.h: groklab's one palette. Every figure takes its line colours from here: a series names its role
 * (train, test, a theory reference, ...) and gets that role's colour in every figure; a series without a role
 * takes the next palette colour no role of its panel has claimed; a numeric sweep key maps onto the sequential
 * ramp. Heat maps use the sequential and diverging colour maps of the same file (fig/plot_core.c). */
#ifndef GK_FIG_PALETTE_H
#define GK_FIG_PALETTE_H

/* The colour roles. GK_ROLE_AUTO (0) is "no role": the next free palette colour. */
typedef enum gk_role {
    GK_ROLE_AUTO = 0,
    GK_ROLE_TRAIN,     /* blue */
    GK_ROLE_TEST,      /* red */
    GK_ROLE_L2,        /* green: the L2 max-margin (min-norm) reference */
    GK_ROLE_POP,       /* orange: population quantities */
    GK_ROLE_L1,        /* purple: the L1 max-margin (sparse) reference */
    GK_ROLE_KERNEL,    /* brown: kernel, linear and ridge references */
    GK_ROLE_EXTRA,     /* pink */
    GK_ROLE_THRESHOLD, /* grey: thresholds, chance levels */
    GK_ROLE_NORM,      /* dark grey: parameter norms */
    GK_NROLES
} gk_role;

#define GK_PALETTE_SIZE 10

/* 0xRRGGBB of palette colour i (taken modulo the size): blue, red, green, orange, purple, brown, pink, grey,
 * olive, cyan. */
int gk_palette_rgb(int i);
/* The palette index of a role (GK_ROLE_NORM: -1, it is not a palette colour), -1 for GK_ROLE_AUTO. */
int gk_role_index(gk_role r);
/* 0xRRGGBB of a role (GK_ROLE_AUTO: palette colour 0). */
int gk_role_rgb(gk_role r);
/* A colour on the sequential ramp at t in [0, 1] (dark blue, purple, magenta, orange: every step tells apart
 * from the next and none is pale on white), as 0xRRGGBB. */
int gk_palette_seq(double t);

/* The colour maps of heat maps: n stops of (position, r, g, b) in [0, 1]; diverging: blue-white-red. */
enum { GK_CMAP_STOPS = 5 };
void gk_palette_cmap(int diverging, double pos[GK_CMAP_STOPS], double rgb[3][GK_CMAP_STOPS]);

#endif
