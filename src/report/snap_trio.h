/* snap_trio.h: a vector (mc: the matrix W) kept at three moments of a run for a figure: at step 0, at the eval
 * nearest a target step (mc: 0.3 t*, on the kernel plateau), and at the last eval so far. */
#ifndef GK_IO_SNAP_TRIO_H
#define GK_IO_SNAP_TRIO_H

#include "groklab.h"

struct gk_state;

typedef struct gk_snap_trio {
    size_t len;                /* doubles per snapshot */
    double *init, *plateau, *end;
    long plateau_step, end_step; /* -1: none taken yet */
    double plateau_gap;          /* |plateau_step - target| */
} gk_snap_trio;

gk_status gk_snap_trio_init(gk_snap_trio *S, size_t len, gk_error *err);
/* At the eval of step: x becomes init (step 0), plateau (target finite and step the nearest to it so far: the
 * first of two equally near) and end. */
void gk_snap_trio_take(gk_snap_trio *S, long step, double target, const double *x);
/* Saves or loads the snapshots (checkpoint blocks <name>_init, <name>_plateau, ...): a resumed run draws the
 * same figure. */
void gk_snap_trio_visit(gk_snap_trio *S, const char *name, struct gk_state *st);
void gk_snap_trio_free(gk_snap_trio *S);

#endif
