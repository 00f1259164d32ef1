/* slingshot.h: the cycles of the slingshot mechanism (Thilak et al. 2022, arXiv:2206.04817, Fig. 1) found in a
 * run's metrics: the last layer's weight norm grows fast while the train loss spikes, then the loss recovers and
 * the norm plateaus until the next cycle. A cycle is read off the eval rows:
 *  - onset: the first row where the train loss exceeds max(spike_ratio x its lowest value since the previous
 *    cycle's recovery, spike_floor);
 *  - peak: the row of the highest loss before it falls back under that threshold (recovery: the first such row);
 *  - growth: the norm at the recovery over its lowest value between the row where the loss reached that lowest
 *    value and the onset (the run-up: on a transformer the last layer grows fast while the loss sits at its floor,
 *    before the spike; under weight decay the norm decays there and this is the row before the onset); a spike
 *    counts as a cycle only if it is >= growth_min (spikes without norm growth are counted apart);
 *  - plateau: from the recovery to the next onset (or the last row), with the norm's change over it.
 * The test accuracy's jumps (a rise >= jump_min between consecutive rows) are each marked against the latest
 * cycle onset at or before them. */
#ifndef GK_REPORT_SLINGSHOT_H
#define GK_REPORT_SLINGSHOT_H

#include "io/metrics.h"

#include <cjson/cJSON.h>

typedef struct gk_slingshot_opts {
    double spike_ratio; /* the loss spike: over spike_ratio x the lowest loss since the last recovery (10) */
    double spike_floor; /* ... and over this (1e-3: a loss at exactly 0 has no ratio) */
    double growth_min;  /* the norm's growth across the spike for a cycle (1.05) */
    double jump_min;    /* a test-accuracy jump: a rise of at least this between eval rows (0.05) */
} gk_slingshot_opts;

extern const gk_slingshot_opts gk_slingshot_defaults;

typedef struct gk_slingshot_cycle {
    size_t onset, peak, recovery, plateau_end; /* eval rows; plateau_end: the row before the next onset, or the last */
    double loss_before, loss_peak;             /* the lowest loss before the onset (since the last recovery), the peak */
    double norm_before, norm_after, norm_plateau_end; /* norm_before: the run-up's lowest (see growth) */
} gk_slingshot_cycle;

/* The cycles in rows [0, n) of the norm and loss curves, at most cap in out; returns how many were found (the
 * count may exceed cap: only the first cap are written). *spikes_without_growth (may be NULL): loss spikes whose
 * norm grew less than growth_min. NaN rows are skipped. */
size_t gk_slingshot_find(const double *norm, const double *loss, size_t n, const gk_slingshot_opts *o,
                         gk_slingshot_cycle *out, size_t cap, size_t *spikes_without_growth);

/* Finds the cycles in m's columns norm_col and loss_col (acc_col: the test accuracy, NULL or absent: no jumps) and
 * writes sum["slingshot"] = {cycles: [{onset_step, peak_step, recovery_step, plateau_end_step, growth, ...}],
 * n_cycles, spikes_without_growth, test_acc_jumps: [{step, rise, cycle, steps_after_onset}], options}. o NULL: the
 * defaults. A missing norm or loss column is an error naming it. */
gk_status gk_slingshot_summarize(const gk_metrics *m, const char *norm_col, const char *loss_col, const char *acc_col,
                                 const gk_slingshot_opts *o, cJSON *sum, gk_error *err);

#endif
