/* step_snaps.c: values taken at given steps (step_snaps.h). */
#include "report/step_snaps.h"

#include "core/state.h"
#include "report/steps_list.h"

#include <stdio.h>
#include <stdlib.h>

gk_status gk_step_snaps_init(gk_step_snaps *S, const char *text, long last_step, size_t len, gk_error *err) {
    long req[GK_MAX_SNAPS];
    int nreq = gk_parse_steps(text, req, GK_MAX_SNAPS);
    GK_ASSERT(nreq >= 0);
    S->len = len;
    for (int k = 0; k < nreq; k++) {
        long t = req[k] > last_step ? last_step : req[k];
        int dup = 0;
        for (int q = 0; q < S->n; q++) dup |= S->step[q] == t;
        if (dup) continue;
        S->step[S->n] = t;
        S->val[S->n] = malloc((len ? len : 1) * sizeof(double));
        if (!S->val[S->n++]) return gk_fail(err, GK_ENOMEM, "out of memory");
    }
    return GK_OK;
}

int gk_step_snaps_due(gk_step_snaps *S, long step) {
    for (int k = 0; k < S->n; k++)
        if (!S->done[k] && S->step[k] == step) {
            S->done[k] = 1;
            return k;
        }
    return -1;
}

void gk_step_snaps_visit(gk_step_snaps *S, const char *name, struct gk_state *st) {
    char done[128];
    snprintf(done, sizeof done, "%s_done", name);
    gk_state_block(st, done, S->done, sizeof S->done);
    for (int k = 0; k < S->n; k++) gk_state_doubles(st, name, S->val[k], S->len);
}

void gk_step_snaps_free(gk_step_snaps *S) {
    for (int k = 0; k < GK_MAX_SNAPS; k++) free(S->val[k]);
}
