/* step_snaps.h: values taken once each at given steps of a run (xor's boundary_steps: the neurons'
 * projections at steps 0, 1, 15 for its figures), the steps given as a key's text ("0,1,15", steps_list.h). */
#ifndef GK_IO_STEP_SNAPS_H
#define GK_IO_STEP_SNAPS_H

#include "groklab.h"

#define GK_MAX_SNAPS 6

struct gk_state;

typedef struct gk_step_snaps {
    int n;                     /* distinct steps */
    size_t len;                /* doubles per snapshot */
    long step[GK_MAX_SNAPS];
    double *val[GK_MAX_SNAPS]; /* len doubles each */
    int done[GK_MAX_SNAPS];    /* taken (a run that stops early leaves the later ones untaken) */
} gk_step_snaps;

/* The distinct steps of text in their order, each step past last_step moved to last_step, with room for len
 * doubles each. text must parse (gk_parse_steps with cap GK_MAX_SNAPS: check it first). */
gk_status gk_step_snaps_init(gk_step_snaps *S, const char *text, long last_step, size_t len, gk_error *err);
/* The index of a snapshot of `step` not yet taken, now marked taken (the caller fills val[k]), or -1. */
int gk_step_snaps_due(gk_step_snaps *S, long step);
/* Saves or loads which snapshots are taken and their values (checkpoint blocks name.done, name). */
void gk_step_snaps_visit(gk_step_snaps *S, const char *name, struct gk_state *st);
void gk_step_snaps_free(gk_step_snaps *S);

#endif
