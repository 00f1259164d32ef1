/* snap_trio.c: a vector at step 0, near a target step and at the last eval (snap_trio.h). */
#include "report/snap_trio.h"

#include "core/state.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gk_status gk_snap_trio_init(gk_snap_trio *S, size_t len, gk_error *err) {
    *S = (gk_snap_trio){len, NULL, NULL, NULL, -1, -1, INFINITY};
    const size_t bytes = (len ? len : 1) * sizeof(double);
    S->init = malloc(bytes), S->plateau = malloc(bytes), S->end = malloc(bytes);
    return S->init && S->plateau && S->end ? GK_OK : gk_fail(err, GK_ENOMEM, "out of memory for %zu values", len);
}

void gk_snap_trio_take(gk_snap_trio *S, long step, double target, const double *x) {
    const size_t bytes = S->len * sizeof(double);
    if (step == 0) memcpy(S->init, x, bytes);
    if (isfinite(target)) {
        double gap = fabs((double)step - target);
        if (gap < S->plateau_gap) {
            S->plateau_gap = gap;
            S->plateau_step = step;
            memcpy(S->plateau, x, bytes);
        }
    }
    memcpy(S->end, x, bytes);
    S->end_step = step;
}

void gk_snap_trio_visit(gk_snap_trio *S, const char *name, struct gk_state *st) {
    static const char *const part[] = {"init", "plateau", "end", "plateau_step", "end_step", "plateau_gap"};
    char key[6][128];
    for (int k = 0; k < 6; k++) snprintf(key[k], sizeof key[k], "%s_%s", name, part[k]);
    gk_state_doubles(st, key[0], S->init, S->len);
    gk_state_doubles(st, key[1], S->plateau, S->len);
    gk_state_doubles(st, key[2], S->end, S->len);
    gk_state_long(st, key[3], &S->plateau_step);
    gk_state_long(st, key[4], &S->end_step);
    gk_state_double(st, key[5], &S->plateau_gap);
}

void gk_snap_trio_free(gk_snap_trio *S) {
    free(S->init), free(S->plateau), free(S->end);
    S->init = S->plateau = S->end = NULL;
}
