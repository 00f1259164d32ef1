/* outputs.c: the declared summary and figures of an experiment (outputs.h). */
#include "run/outputs.h"

#include "train/flow.h"
#include "train/train.h"

#include <math.h>

/* Used when an experiment declares no rules: the train set is fit, the test accuracy jumps. */
static const gk_rule default_rules[] = {
    {"train set fit", "train_acc", GK_RULE_AT_LEAST, GK_FIT_ACC, NULL},
    {"test accuracy jumped", "test_acc", GK_RULE_AT_LEAST, GK_GROK_ACC, NULL},
    {NULL, NULL, 0, 0, NULL},
};

double gk_exp_predicted(const gk_exp_type *T, void *exp) { return T->predicted_step ? T->predicted_step(exp) : NAN; }

void gk_exp_summarize(const gk_exp_type *T, void *exp, const gk_metrics *m, double predicted, cJSON *sum) {
    gk_summarize_rules(T->rules ? T->rules(exp) : default_rules, m, predicted, sum);
    const gk_flow *flow = T->trainer(exp)->flow;
    if (flow) {
        cJSON_AddNumberToObject(sum, "grad_evals", (double)gk_flow_evals(flow));
        cJSON_AddNumberToObject(sum, "flow_steps", (double)gk_flow_steps(flow));
        cJSON_AddNumberToObject(sum, "flow_rejected", (double)gk_flow_rejected(flow));
    }
    gk_error aux = {{0}};
    if (T->summarize && T->summarize(exp, m, sum, &aux)) cJSON_AddStringToObject(sum, "summarize_error", aux.msg);
    gk_summarize_facts(T->facts, m, sum); /* last: a ratio may read the hook's numbers */
}

gk_status gk_exp_figures(const gk_exp_type *T, void *exp, const gk_config *cfg, const gk_metrics *m,
                         double predicted, const char *dir, gk_error *err) {
    gk_status s = GK_OK;
    for (const gk_curve_figure *F = T->curves; F && F->file && !s; F++) s = gk_plot_curves(F, m, cfg, predicted, dir, err);
    return s || !T->figures ? s : T->figures(exp, m, dir, err);
}
