/* outputs.h: an experiment's part of summary.json and of the figures, as it declares them (exp.h): its
 * phenomenon rules, facts and curve figures, applied here once for every experiment, then its own hooks. */
#ifndef GK_RUN_OUTPUTS_H
#define GK_RUN_OUTPUTS_H

#include "exp/exp.h"

/* The experiment's predicted transition step, NAN when it declares none. */
double gk_exp_predicted(const gk_exp_type *T, void *exp);

/* Into sum: the phenomena (the experiment's rules, or by default the train set fit and the test accuracy
 * jump), the gradient-flow integrator's counts (opt=flow), its summarize hook (a failure of which is named in
 * sum["summarize_error"]), then its facts. predicted: the predicted transition step or NAN. */
void gk_exp_summarize(const gk_exp_type *T, void *exp, const gk_metrics *m, double predicted, cJSON *sum);

/* Into dir: the experiment's curve figures, then its figures hook. */
gk_status gk_exp_figures(const gk_exp_type *T, void *exp, const gk_config *cfg, const gk_metrics *m,
                         double predicted, const char *dir, gk_error *err);

#endif
