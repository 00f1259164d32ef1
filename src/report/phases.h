/* phases.h: Nanda et al.'s (2023) three phases of grokking, read off a metrics table with the columns
 * train_acc, test_loss, test_acc (and, for the figure, train_loss, restricted_loss, excluded_loss, fourier_gini):
 *  - memorisation ends when the train set is fit (train_acc >= fit_acc);
 *  - circuit formation ends when the test loss falls below half of its largest value after the fit (the
 *    start of the cliff);
 *  - cleanup ends when the test accuracy passes grok_acc.
 * The figure (phases.png/svg) is in the style of their Fig. 7: the four losses on a log axis and the Gini of
 * the Fourier norms, against the step on a linear axis as theirs, the phases' ends drawn as vertical lines. */
#ifndef GK_IO_PHASES_H
#define GK_IO_PHASES_H

#include "io/metrics.h"

#include <cjson/cJSON.h>

/* The rows where the phases end (-1: not reached). */
void gk_phases(const gk_metrics *m, double fit_acc, double grok_acc, long end[3]);
/* sum["phases"] = {memorisation_end_step, circuit_formation_end_step, cleanup_end_step} (null: not reached). */
void gk_phases_summary(const gk_metrics *m, double fit_acc, double grok_acc, cJSON *sum);
gk_status gk_phases_figure(const gk_metrics *m, double fit_acc, double grok_acc, const char *dir, gk_error *err);

#endif
